/*
 * users.c - the accounts on the page (admins only, session.c's gate):
 *
 * GET  /api/users            every account: name, role, unit, disabled,
 *                            must_change_password; whether the workspace
 *                            has a roster and an accounts' sheet
 * POST /api/users/add        JSON {"name", "role", "unit"}: a new account
 *                            with a random initial password
 * POST /api/users/reset      JSON {"name"}: a new random password, to be
 *                            changed at the next login; its sessions end
 * POST /api/users/disable    JSON {"name", "disabled": true|false}
 * POST /api/users/units      one filler per roster unit without one
 *                            (unit_users.h), the sheet DIR/账号分发表.xlsx
 * GET  /api/users/sheet      that sheet, as a download
 *
 * A password kaohe makes is in one answer only (the admin hands it
 * over) and in the sheet; never in a log, the journal or the state.
 * And kh_server_add_unit_users: the same from the command line.
 */
#include "serve.h"
#include "unit_users.h"
#include "workspace_db.h"

#include <sodium.h>
#include <string.h>

static cJSON *account_json(const char *name, const kh_account_info *info)
{
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NULL;
    cJSON_AddStringToObject(e, "name", name);
    cJSON_AddStringToObject(e, "role", kh_role_name(info->role));
    info->unit[0] ? cJSON_AddStringToObject(e, "unit", info->unit)
                  : cJSON_AddNullToObject(e, "unit");
    cJSON_AddBoolToObject(e, "disabled", info->disabled);
    cJSON_AddBoolToObject(e, "must_change_password", info->must_change);
    return e;
}

static void add_account(void *arg, const char *name, const kh_account_info *info)
{
    cJSON_AddItemToArray(arg, account_json(name, info));
}

static char *sheet_path(kh_server *s)
{
    return s->ws ? kh_strprintf("%s/" KH_ACCOUNT_SHEET, kh_ws_dir(s->ws)) : NULL;
}

enum MHD_Result srv_answer_users(kh_server *s, struct MHD_Connection *c, request *q)
{
    (void)q;
    cJSON *j = cJSON_CreateObject();
    cJSON *a = j ? cJSON_AddArrayToObject(j, "accounts") : NULL;
    if (!a) {
        cJSON_Delete(j);
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    kh_accounts_each(s->acc, add_account, a);
    cJSON_AddBoolToObject(j, "accounts_file", s->acc != NULL);
    char *roster = s->ws ? kh_workspace_get(s->ws, "roster") : NULL;
    cJSON_AddBoolToObject(j, "roster", roster != NULL);
    kh_free(roster);
    char *sheet = sheet_path(s);
    FILE *f = sheet ? fopen(sheet, "rb") : NULL;
    cJSON_AddBoolToObject(j, "sheet", f != NULL);
    if (f)
        fclose(f);
    kh_free(sheet);
    return srv_send_json(c, 200, j, NULL);
}

enum MHD_Result srv_answer_users_sheet(kh_server *s, struct MHD_Connection *c, request *q)
{
    (void)q;
    char *path = sheet_path(s);
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        kh_free(path);
        return srv_send_error(c, 404, "还没有账号分发表：请先为名单中的单位生成账号");
    }
    fclose(f);
    enum MHD_Result r = srv_send_file(
        c, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "accounts.xlsx", KH_ACCOUNT_SHEET);
    kh_free(path);
    return r;
}

/* The JSON object of q's body, or NULL. */
static cJSON *body_of(const request *q)
{
    cJSON *in = q->json ? cJSON_ParseWithLength(kh_buf_str(&q->body), q->body.len) : NULL;
    if (in && !cJSON_IsObject(in)) {
        cJSON_Delete(in);
        in = NULL;
    }
    return in;
}

static const char *string_in(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The library's refusal d as the page's 400 (or 500/503 for st). */
static enum MHD_Result refuse(struct MHD_Connection *c, kh_status st, const char *title,
                              const kh_diags *d)
{
    if (st == KH_ERR_NOMEM)
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    return srv_send_diags(c, st == KH_ERR_IO ? 500 : 400, title, d);
}

/* {"name", "password"}: a password made now, shown this once. */
static enum MHD_Result send_password(struct MHD_Connection *c, const char *name,
                                     char pw[KH_INITIAL_PASSWORD_LEN + 1])
{
    cJSON *j = cJSON_CreateObject();
    if (j) {
        cJSON_AddStringToObject(j, "name", name);
        cJSON_AddStringToObject(j, "password", pw);
    }
    sodium_memzero(pw, KH_INITIAL_PASSWORD_LEN + 1);
    return srv_send_json(c, 200, j, NULL);
}

enum MHD_Result srv_answer_users_change(kh_server *s, struct MHD_Connection *c, request *q,
                                        const char *url)
{
    if (!s->acc)
        return srv_send_error(c, 400,
                              "本机使用、未启用账号：请先用 kaohe serve --add-user 用户名 "
                              "--workspace 工作区 添加管理员账号，再重新启动 kaohe");
    const char *op = url + strlen("/api/users/");
    cJSON *in = body_of(q);
    if (!in && strcmp(op, "units") != 0)
        return srv_send_error(c, 400, "请求的内容不是 JSON");
    const char *name = string_in(in, "name");
    kh_diags d = {0};
    kh_status st = KH_OK;
    enum MHD_Result r;
    if (strcmp(op, "reset") == 0 || strcmp(op, "add") == 0) {
        if (!name) {
            cJSON_Delete(in);
            return srv_send_error(c, 400, "请填写用户名");
        }
        char pw[KH_INITIAL_PASSWORD_LEN + 1];
        kh_accounts_random_password(pw);
        if (strcmp(op, "reset") == 0) {
            st = kh_accounts_change_password(s->acc, name, pw, true, &d);
            if (st == KH_OK)
                kh_sessions_end_user(s->sess, name, NULL);
        } else {
            kh_role role;
            const char *unit = string_in(in, "unit");
            if (!kh_role_parse(string_in(in, "role"), &role)) {
                cJSON_Delete(in);
                return srv_send_error(c, 400, "请选择角色：管理员、考评员或填报员");
            }
            if (kh_accounts_get(s->acc, name, &(kh_account_info){0})) {
                cJSON_Delete(in);
                return srv_send_error(c, 409, "该用户名已有账号");
            }
            st = kh_accounts_add(kh_accounts_path(s->acc), s->acc, name, pw, role,
                                 role == KH_ROLE_FILLER ? unit : NULL, true, &d);
        }
        r = st == KH_OK ? send_password(c, name, pw) : refuse(c, st, "未能保存账号", &d);
        sodium_memzero(pw, sizeof pw);
    } else if (strcmp(op, "disable") == 0) {
        const cJSON *dis = cJSON_GetObjectItemCaseSensitive(in, "disabled");
        if (!name || !cJSON_IsBool(dis)) {
            r = srv_send_error(c, 400, "请填写用户名和是否停用");
        } else if (strcmp(name, q->user) == 0) {
            r = srv_send_error(c, 400, "不能停用自己的账号");
        } else {
            st = kh_accounts_set_disabled(s->acc, name, cJSON_IsTrue(dis), &d);
            if (st == KH_OK && cJSON_IsTrue(dis))
                kh_sessions_end_user(s->sess, name, NULL);
            r = st == KH_OK ? srv_answer_users(s, c, q) : refuse(c, st, "未能停用账号", &d);
        }
    } else if (strcmp(op, "units") == 0) {
        if (!s->ws) {
            r = srv_send_error(c, 400, "没有使用工作区（--workspace）：无法按名单生成账号");
        } else {
            /* The address the admin reached the page by: the units'. */
            const char *host =
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
            char *url_s = kh_strprintf("%s://%s/", s->tls ? "https" : "http", host ? host : "");
            kh_new_account *made = NULL;
            size_t n = 0;
            char *sheet = NULL;
            kh_registry *reg = srv_request_registry(s, q, false);
            st = !url_s || !reg ? KH_ERR_NOMEM
                                : kh_unit_users_make(s->ws, reg, NULL, NULL,
                                                     kh_accounts_path(s->acc), s->acc, url_s,
                                                     &made, &n, &sheet, &d);
            kh_registry_free(reg);
            if (st == KH_OK) {
                cJSON *j = cJSON_CreateObject();
                cJSON *a = j ? cJSON_AddArrayToObject(j, "made") : NULL;
                for (size_t i = 0; a && i < n; i++) {
                    cJSON *e = cJSON_CreateObject();
                    if (!e)
                        break;
                    cJSON_AddStringToObject(e, "unit", made[i].unit);
                    cJSON_AddStringToObject(e, "name", made[i].name);
                    cJSON_AddStringToObject(e, "password", made[i].password);
                    cJSON_AddItemToArray(a, e);
                }
                if (j)
                    sheet ? cJSON_AddStringToObject(j, "sheet", KH_ACCOUNT_SHEET)
                          : cJSON_AddNullToObject(j, "sheet");
                cJSON *m = j ? cJSON_AddArrayToObject(j, "messages") : NULL;
                if (m)
                    srv_add_messages(m, &d);
                r = srv_send_json(c, 200, j, NULL);
            } else {
                r = refuse(c, st, "未能生成账号", &d);
            }
            kh_new_accounts_free(made, n);
            kh_free(sheet);
            kh_free(url_s);
        }
    } else {
        r = srv_send_error(c, 404, "没有这个页面");
    }
    kh_diags_clear(&d);
    cJSON_Delete(in);
    return r;
}

kh_status kh_server_add_unit_users(const kh_registry *reg, const kh_server_config *cfg,
                                   const char *roster, size_t *made, char **sheet, kh_diags *d)
{
    *made = 0;
    *sheet = NULL;
    if (!cfg || !cfg->workspace) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, "%s",
                     _("--add-unit-users needs --workspace DIR: the roster, the accounts and "
                       "their sheet are the workspace's"));
        return KH_ERR_USAGE;
    }
    /* The address the units open, as the server started with the same
     * options says it. */
    const char *listen = cfg->listen && *cfg->listen ? cfg->listen : "127.0.0.1:8080";
    const char *colon = strrchr(listen, ':');
    const char *host = cfg->nhost_names ? cfg->host_names[0] : NULL;
    char *url = kh_strprintf("%s://%s%.*s%s/", cfg->tls_cert ? "https" : "http",
                             host ? host : "", host ? 0 : (int)(colon ? colon - listen : 0),
                             listen, colon ? colon : "");
    char *users = cfg->users ? kh_strdup(cfg->users)
                             : kh_strprintf("%s/users.txt", cfg->workspace);
    kh_workspace *ws = NULL;
    kh_status st = url && users ? kh_workspace_open(cfg->workspace, &ws, d) : KH_ERR_NOMEM;
    kh_new_account *v = NULL;
    size_t n = 0;
    if (st == KH_OK)
        st = kh_unit_users_make(ws, reg, roster, NULL, users, NULL, url, &v, &n, sheet, d);
    *made = n;
    kh_new_accounts_free(v, n);
    kh_workspace_close(ws);
    kh_free(users);
    kh_free(url);
    return st;
}

kh_status kh_server_add_user_role(const char *path, const char *name, const char *password,
                                  const char *role, const char *unit, kh_diags *d)
{
    if (!role)
        return kh_accounts_set_password(path, name, password, d);
    kh_role r;
    if (!kh_role_parse(role, &r)) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("--role takes admin, reviewer or filler, not '%s'"), role);
        return KH_ERR_USAGE;
    }
    return kh_accounts_add(path, NULL, name, password, r, unit, false, d);
}
