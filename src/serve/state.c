/*
 * state.c - GET /api/state and POST /api/settings.
 *
 * The workspace's settings: "year" (考核年度), "issuer" (制表单位, given
 * to the ranking as kh_options.issuer), "grades" and "quota" (等次: one
 * "RUBRIC=VALUE" a line, each VALUE as the command line's --grades and
 * --quota take it, checked by the same library parser).
 */
#include "serve.h"
#include "rubric.h"
#include "text.h"

#include <string.h>

/* The value of rubric id in a setting of "RUBRIC=VALUE" lines (new
 * string), or NULL. */
static char *line_of(const char *all, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = all; p && *p;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        if ((size_t)(end - p) > n && strncmp(p, id, n) == 0 && p[n] == '=')
            return kh_strndup(p + n + 1, (size_t)(end - p) - n - 1);
        p = nl ? nl + 1 : end;
    }
    return NULL;
}

/* all without rubric id's line, with "id=value" when value is not empty
 * (new string). */
static char *with_line(const char *all, const char *id, const char *value)
{
    kh_buf b = {0};
    size_t n = strlen(id);
    for (const char *p = all; p && *p;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        if (!((size_t)(end - p) > n && strncmp(p, id, n) == 0 && p[n] == '='))
            kh_buf_printf(&b, "%s%.*s", b.len ? "\n" : "", (int)(end - p), p);
        p = nl ? nl + 1 : end;
    }
    if (value && *value)
        kh_buf_printf(&b, "%s%s=%s", b.len ? "\n" : "", id, value);
    if (b.oom) {
        kh_buf_free(&b);
        return NULL;
    }
    char *s = kh_strdup(kh_buf_str(&b));
    kh_buf_free(&b);
    return s;
}

enum MHD_Result srv_answer_state(kh_server *s, struct MHD_Connection *c, request *q)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    cJSON_AddBoolToObject(j, "accounts", s->acc != NULL);
    q->user[0] ? cJSON_AddStringToObject(j, "user", q->user) : cJSON_AddNullToObject(j, "user");
    cJSON_AddBoolToObject(j, "workspace", s->ws != NULL);
    cJSON_AddStringToObject(j, "version", KAOHE_VERSION);
    /* Who this is (session.c): the role ("admin", "reviewer", "filler",
     * null before a login), a filler's unit, a password to change first. */
    const char *role = srv_role_name(q->role);
    role ? cJSON_AddStringToObject(j, "role", role) : cJSON_AddNullToObject(j, "role");
    q->unit[0] ? cJSON_AddStringToObject(j, "unit", q->unit) : cJSON_AddNullToObject(j, "unit");
    cJSON_AddBoolToObject(j, "must_change_password", q->must_change);
    if ((s->acc && !q->user[0]) || q->must_change)
        return srv_send_json(c, 200, j, NULL); /* nothing more before a login */
    cJSON *rs = cJSON_AddArrayToObject(j, "rubrics");
    kh_registry *reg = srv_request_registry(s, q, false);
    char *grades = s->ws ? kh_workspace_get(s->ws, "grades") : NULL;
    char *quota = s->ws ? kh_workspace_get(s->ws, "quota") : NULL;
    for (size_t i = 0; rs && reg && i < kh_registry_count(reg); i++) {
        const kh_rubric *rb = kh_registry_at(reg, i);
        cJSON *e = cJSON_CreateObject();
        if (!e)
            break;
        cJSON_AddStringToObject(e, "id", kh_rubric_id(rb));
        cJSON_AddStringToObject(e, "title", kh_rubric_title(rb));
        cJSON_AddStringToObject(e, "unit_type", kh_rubric_unit_type(rb));
        /* The workspace's 等次 of this rubric, or null; whether the
         * rubric sets its own. */
        cJSON_AddBoolToObject(e, "own_grades", rb->ngrades > 0);
        char *g = line_of(grades, kh_rubric_id(rb)), *qt = line_of(quota, kh_rubric_id(rb));
        g ? cJSON_AddStringToObject(e, "grades", g) : cJSON_AddNullToObject(e, "grades");
        qt ? cJSON_AddStringToObject(e, "quota", qt) : cJSON_AddNullToObject(e, "quota");
        kh_free(g);
        kh_free(qt);
        cJSON_AddItemToArray(rs, e);
    }
    kh_free(grades);
    kh_free(quota);
    kh_registry_free(reg);
    /* A unit's filler sees the year and the rubrics, not the bureau's
     * record of every unit (the history, the files, the machine's log). */
    if (q->role == R_FILLER) {
        char *year = s->ws ? kh_workspace_get(s->ws, "year") : NULL;
        year ? cJSON_AddStringToObject(j, "year", year) : cJSON_AddNullToObject(j, "year");
        kh_free(year);
        return srv_send_json(c, 200, j, NULL);
    }
    srv_add_desktop_and_missing(s, j);
    if (s->ws) {
        char *year = kh_workspace_get(s->ws, "year");
        char *roster = kh_workspace_get(s->ws, "roster");
        char *issuer = kh_workspace_get(s->ws, "issuer");
        year ? cJSON_AddStringToObject(j, "year", year) : cJSON_AddNullToObject(j, "year");
        issuer ? cJSON_AddStringToObject(j, "issuer", issuer) : cJSON_AddNullToObject(j, "issuer");
        cJSON_AddBoolToObject(j, "roster", roster != NULL);
        kh_free(year);
        kh_free(roster);
        kh_free(issuer);
        cJSON_AddItemToObject(j, "history", srv_history_json(s));
    }
    return srv_send_json(c, 200, j, NULL);
}

/* 等次 of one rubric: checked by the library as the command line's
 * --grades and --quota are, then kept. */
static enum MHD_Result set_grades(kh_server *s, struct MHD_Connection *c, request *q)
{
    const char *id = kh_buf_str(&q->fields[F_RUBRIC]);
    const char *bands = kh_buf_str(&q->fields[F_GRADES]);
    const char *quota = kh_buf_str(&q->fields[F_QUOTA]);
    if (strchr(bands, '\n') || strchr(quota, '\n') || strchr(id, '\n') || strchr(id, '='))
        return srv_send_error(c, 400, "等次和比例各填一行");
    if (!*bands && *quota)
        return srv_send_error(c, 400, "设置了等次比例，但没有设置等次：请同时填写等次");
    kh_registry *reg = srv_request_registry(s, q, false);
    kh_batch *b = reg ? kh_batch_new(reg, &(kh_options){0}) : NULL;
    kh_diags d = {0};
    kh_status st = KH_OK;
    if (!b)
        st = KH_ERR_NOMEM;
    else if (!kh_registry_find(reg, id))
        st = kh_batch_set_grades(b, id, "x", NULL, &d); /* the library's "not loaded" */
    else if (*bands)
        st = kh_batch_set_grades(b, id, bands, *quota ? quota : NULL, &d);
    kh_batch_free(b);
    kh_registry_free(reg);
    if (st == KH_ERR_NOMEM) {
        kh_diags_clear(&d);
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    if (st != KH_OK) {
        enum MHD_Result r = srv_send_diags(c, 400, "等次设置有误", &d);
        kh_diags_clear(&d);
        return r;
    }
    char *g = kh_workspace_get(s->ws, "grades"), *qt = kh_workspace_get(s->ws, "quota");
    char *g2 = with_line(g, id, bands), *q2 = with_line(qt, id, quota);
    st = g2 && q2 ? kh_workspace_set(s->ws, "grades", *g2 ? g2 : NULL, &d) : KH_ERR_NOMEM;
    if (st == KH_OK)
        st = kh_workspace_set(s->ws, "quota", *q2 ? q2 : NULL, &d);
    kh_free(g);
    kh_free(qt);
    kh_free(g2);
    kh_free(q2);
    kh_diags_clear(&d);
    return st == KH_OK ? srv_answer_state(s, c, q)
                       : srv_send_error(c, 500, "服务器无法保存设置：磁盘已满或没有权限");
}

enum MHD_Result srv_answer_settings(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区（--workspace），设置不会保存");
    const char *which = kh_buf_str(&q->fields[F_KIND]);
    if (strcmp(which, "grades") == 0)
        return set_grades(s, c, q);
    kh_diags d = {0};
    kh_status st;
    if (strcmp(which, "issuer") == 0) {
        /* 制表单位: one line, as printed. */
        size_t len = 0;
        const char *t = kh_trim(kh_buf_str(&q->fields[F_ISSUER]), &len);
        char *issuer = kh_strndup(t, len);
        if (!issuer)
            return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
        size_t chars = 0;
        for (const char *p = issuer; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        if (strchr(issuer, '\n') || strchr(issuer, '\r') || chars > 60) {
            kh_free(issuer);
            return srv_send_error(c, 400, "制表单位应为一行，不超过 60 个字");
        }
        st = kh_workspace_set(s->ws, "issuer", *issuer ? issuer : NULL, &d);
        kh_free(issuer);
    } else {
        const char *year = kh_buf_str(&q->fields[F_YEAR]);
        size_t n = strlen(year);
        bool ok = n == 4;
        for (size_t i = 0; ok && i < n; i++)
            ok = year[i] >= '0' && year[i] <= '9';
        if (!ok)
            return srv_send_error(c, 400, "考核年度应为四位数字，如 2020");
        st = kh_workspace_set(s->ws, "year", year, &d);
    }
    kh_diags_clear(&d);
    return st == KH_OK ? srv_answer_state(s, c, q)
                       : srv_send_error(c, 500, "服务器无法保存设置：磁盘已满或没有权限");
}
