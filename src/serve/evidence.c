/*
 * evidence.c - 佐证材料 on the page: a unit's attachments per check point
 * listed, uploaded, shown or downloaded, removed; the admin's quota.
 *
 *   GET  /api/evidence?unit=U&rubric=R       the list, the quota, the bytes used
 *   POST /api/evidence?unit=U&rubric=R&cp=C  multipart, one or more parts "file"
 *   GET  /api/evidence/file?id=N[&inline=1]  the file: a download, or shown
 *                                            (JPEG, PNG, PDF only) sandboxed
 *   POST /api/evidence/delete                JSON {"id": N}
 *   POST /api/evidence/quota                 JSON {"mib": N} (admin; 0: default)
 *   GET  /api/export                         the year as one .zip (admin; export.h)
 *
 * Every request naming a unit, or an attachment (whose unit it then is),
 * asks srv_may_unit first: a 填报员 of another unit is refused (403) its
 * list, its files and their removal.  Adding and removing are the unit's
 * own 填报员's and the admins'; 考评员 look only.
 */
#include "serve.h"
#include "evidence.h"
#include "export.h"
#include "fill.h"
#include "rubric.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files are sent as their bytes (Windows opens in text mode otherwise). */
#ifdef O_BINARY
#define O_BINARY_FLAG O_BINARY
#else
#define O_BINARY_FLAG 0
#endif

#define NOT_YOURS "无权查看或修改其他单位的佐证材料"

static const char *arg(struct MHD_Connection *c, const char *key)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
    return v && *v ? v : NULL;
}

/* Whether unit's checklist of rubric is read-only for its 自评 now
 * (已提交, 考评中, 已考评: until an admin's 退回), which freezes its
 * evidence too: the inspectors review what was submitted.  The status is
 * the online 填报's (fill.h); when it cannot be read, nothing is frozen
 * (the attachment is journalled either way). */
static bool evidence_frozen(kh_server *s, const char *unit, const char *rubric)
{
    kh_fill_status fs = {0};
    kh_diags d = {0};
    bool frozen = kh_fill_status_get(s->ws, unit, rubric, &fs, &d) == KH_OK &&
                  fs.state >= KH_FS_SUBMITTED;
    kh_fill_status_clear(&fs);
    kh_diags_clear(&d);
    return frozen;
}

/* May q's user add to or remove from unit's evidence? */
static bool may_change(const request *q, const char *unit)
{
    return (q->role == R_ADMIN || q->role == R_FILLER) && srv_may_unit(q, unit);
}

static cJSON *item_json(const kh_evidence *e)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = cJSON_AddNumberToObject(o, "id", (double)e->id) &&
              cJSON_AddStringToObject(o, "cp", e->cp) &&
              cJSON_AddStringToObject(o, "name", e->name) &&
              cJSON_AddStringToObject(o, "type", kh_evidence_mime(e->type)) &&
              cJSON_AddBoolToObject(o, "inline", kh_evidence_inline(e->type)) &&
              cJSON_AddNumberToObject(o, "size", (double)e->size) &&
              cJSON_AddStringToObject(o, "hash", e->hash) &&
              cJSON_AddStringToObject(o, "user", e->user) &&
              cJSON_AddStringToObject(o, "at", e->at);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* {"unit", "rubric", "quota", "used", "readonly", "files": [...]} */
static enum MHD_Result send_list(kh_server *s, struct MHD_Connection *c, const request *q,
                                 const char *unit, const char *rubric, cJSON *messages)
{
    kh_evidence *v = NULL;
    size_t n = 0;
    uint64_t used = 0;
    kh_diags d = {0};
    kh_status st = kh_evidence_list(s->ws, unit, rubric, &v, &n, &d);
    if (st == KH_OK)
        st = kh_evidence_used(s->ws, unit, &used, &d);
    kh_diags_clear(&d);
    if (st != KH_OK) {
        kh_evidences_free(v, n);
        cJSON_Delete(messages);
        return srv_send_error(c, 500, "无法读取佐证材料记录");
    }
    cJSON *j = cJSON_CreateObject();
    cJSON *files = cJSON_CreateArray();
    bool ok = j && files && cJSON_AddStringToObject(j, "unit", unit) &&
              cJSON_AddStringToObject(j, "rubric", rubric) &&
              cJSON_AddNumberToObject(j, "quota", (double)kh_evidence_quota(s->ws)) &&
              cJSON_AddNumberToObject(j, "used", (double)used) &&
              cJSON_AddNumberToObject(j, "max_file", (double)KH_EVIDENCE_MAX_FILE) &&
              cJSON_AddBoolToObject(j, "readonly", !may_change(q, unit) ||
                                                       evidence_frozen(s, unit, rubric));
    for (size_t i = 0; ok && i < n; i++) {
        cJSON *o = item_json(&v[i]);
        ok = o && cJSON_AddItemToArray(files, o);
    }
    kh_evidences_free(v, n);
    ok = ok && cJSON_AddItemToObject(j, "files", files);
    if (ok)
        files = NULL;
    if (ok && messages) {
        ok = cJSON_AddItemToObject(j, "messages", messages);
        messages = NULL;
    }
    cJSON_Delete(files);
    cJSON_Delete(messages);
    if (!ok) {
        cJSON_Delete(j);
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    return srv_send_json(c, 200, j, NULL);
}

/* The unit a request names: its unit= argument, or a 填报员's own. */
static const char *unit_of(struct MHD_Connection *c, const request *q)
{
    const char *u = arg(c, "unit");
    return u ? u : q->unit[0] ? q->unit : NULL;
}

/* GET /api/evidence */
enum MHD_Result srv_answer_evidence_list(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区：佐证材料需要 kaohe serve --workspace");
    const char *unit = unit_of(c, q), *rubric = arg(c, "rubric");
    if (!unit || !rubric)
        return srv_send_error(c, 400, "请指明被考核单位和考核细则");
    if (!srv_may_unit(q, unit))
        return srv_send_error(c, 403, NOT_YOURS);
    return send_list(s, c, q, unit, rubric, NULL);
}

/* POST /api/evidence: every file part attached to check point cp. */
enum MHD_Result srv_answer_evidence_add(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区：佐证材料需要 kaohe serve --workspace");
    const char *unit = unit_of(c, q), *rubric = arg(c, "rubric"), *cp = arg(c, "cp");
    if (!unit || !rubric || !cp)
        return srv_send_error(c, 400, "请指明被考核单位、考核细则和检查点");
    if (!srv_may_unit(q, unit) || !may_change(q, unit))
        return srv_send_error(c, 403, NOT_YOURS);
    if (evidence_frozen(s, unit, rubric))
        return srv_send_error(c, 409, "检查表已提交，佐证材料不能再修改；如需修改请联系考核办退回");
    kh_registry *reg = srv_request_registry(s, q, false);
    const kh_rubric *rb = reg ? kh_registry_find(reg, rubric) : NULL;
    bool cp_ok = rb && kh_rubric_find_cp(rb, cp) >= 0;
    kh_registry_free(reg);
    if (!cp_ok)
        return srv_send_error(c, 400, "没有这个考核细则或检查点");
    cJSON *msgs = cJSON_CreateArray();
    size_t files = 0, added = 0;
    bool full = false;
    for (size_t i = 0; i < q->nfiles && msgs; i++) {
        saved *f = &q->files[i];
        if (!f->path || (f->kind != P_CHECKLIST && f->kind != P_ZIP))
            continue; /* only the parts named "file" */
        files++;
        kh_diags d = {0};
        kh_status st = kh_evidence_add(s->ws, unit, rubric, cp, f->path, f->name, srv_user(q), NULL,
                                       &d);
        added += st == KH_OK;
        full = full || st == KH_ERR_IO || st == KH_ERR_NOMEM;
        srv_add_messages(msgs, &d);
        kh_diags_clear(&d);
    }
    if (!msgs)
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    if (files == 0) {
        cJSON_Delete(msgs);
        return srv_send_error(c, 400, "请选择要上传的文件");
    }
    if (added == 0) {
        /* Every file refused: the first reason as the error. */
        cJSON *first = cJSON_GetArrayItem(msgs, 0);
        const char *why = cJSON_IsString(first) ? first->valuestring : "文件未能保存";
        enum MHD_Result r = srv_send_error(c, full ? 507 : 422, why);
        cJSON_Delete(msgs);
        return r;
    }
    return send_list(s, c, q, unit, rubric, msgs);
}

/* The attachment a request names by id (query or JSON), after the unit
 * check: KH_OK with e, or an answer already queued in *r. */
static bool named(kh_server *s, struct MHD_Connection *c, const request *q, long long id,
                  kh_evidence *e, enum MHD_Result *r)
{
    memset(e, 0, sizeof *e);
    if (!s->ws) {
        *r = srv_send_error(c, 400, "没有使用工作区：佐证材料需要 kaohe serve --workspace");
        return false;
    }
    bool found = false;
    kh_diags d = {0};
    kh_status st = id > 0 ? kh_evidence_get(s->ws, id, e, &found, &d) : KH_OK;
    kh_diags_clear(&d);
    if (st != KH_OK) {
        *r = srv_send_error(c, 500, "无法读取佐证材料记录");
        return false;
    }
    if (!found) {
        *r = srv_send_error(c, 404, "没有这份佐证材料（可能已被删除）");
        return false;
    }
    if (!srv_may_unit(q, e->unit)) {
        kh_evidence_clear(e);
        *r = srv_send_error(c, 403, NOT_YOURS);
        return false;
    }
    return true;
}

static long long id_arg(const char *v)
{
    if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 15)
        return 0;
    return strtoll(v, NULL, 10);
}

/* Shown in the browser: the type kaohe found, never sniffed again
 * (nosniff), in a sandbox (no script, no same origin, no form, even if a
 * PDF or an image held any). */
static enum MHD_Result send_inline(struct MHD_Connection *c, const kh_evidence *e)
{
    int fd = open(e->path, O_RDONLY | O_BINARY_FLAG);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return srv_send_error(c, 404, "佐证材料的文件不见了：请重新上传");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (!r) {
        close(fd);
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, kh_evidence_mime(e->type));
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", "sandbox");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, "inline");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "private, no-store");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* GET /api/evidence/file?id=N: a download, or with inline=1 (JPEG, PNG,
 * PDF) shown. */
enum MHD_Result srv_answer_evidence_file(kh_server *s, struct MHD_Connection *c, request *q)
{
    kh_evidence e;
    enum MHD_Result r = MHD_NO;
    if (!named(s, c, q, id_arg(arg(c, "id")), &e, &r))
        return r;
    const char *in = arg(c, "inline");
    if (in && strcmp(in, "1") == 0 && kh_evidence_inline(e.type)) {
        r = send_inline(c, &e);
    } else {
        char ascii[32];
        snprintf(ascii, sizeof ascii, "evidence-%lld%s", e.id, kh_evidence_ext(e.type));
        r = srv_send_file(c, e.path, kh_evidence_mime(e.type), ascii, e.name);
    }
    kh_evidence_clear(&e);
    return r;
}

/* The number "key" of q's JSON body, or -1. */
static double json_number(const request *q, const char *key)
{
    cJSON *j = q->json ? cJSON_ParseWithLength(q->body.s ? q->body.s : "", q->body.len)
                       : NULL;
    cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    double n = cJSON_IsNumber(v) ? v->valuedouble : -1;
    cJSON_Delete(j);
    return n;
}

/* POST /api/evidence/delete {"id": N} */
enum MHD_Result srv_answer_evidence_delete(kh_server *s, struct MHD_Connection *c, request *q)
{
    double idn = json_number(q, "id");
    kh_evidence e;
    enum MHD_Result r = MHD_NO;
    if (!named(s, c, q, idn >= 1 && idn < 1e15 ? (long long)idn : 0, &e, &r))
        return r;
    if (!may_change(q, e.unit)) {
        r = srv_send_error(c, 403, NOT_YOURS);
    } else if (evidence_frozen(s, e.unit, e.rubric)) {
        r = srv_send_error(c, 409, "检查表已提交，佐证材料不能再修改；如需修改请联系考核办退回");
    } else {
        bool found = false;
        kh_diags d = {0};
        kh_status st = kh_evidence_remove(s->ws, e.id, srv_user(q), &found, &d);
        kh_diags_clear(&d);
        r = st != KH_OK ? srv_send_error(c, 500, "无法删除佐证材料")
            : !found    ? srv_send_error(c, 404, "没有这份佐证材料（可能已被删除）")
                        : send_list(s, c, q, e.unit, e.rubric, NULL);
    }
    kh_evidence_clear(&e);
    return r;
}

/* POST /api/evidence/quota {"mib": N}: the admin's quota per unit. */
enum MHD_Result srv_answer_evidence_quota(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区：佐证材料需要 kaohe serve --workspace");
    if (q->role != R_ADMIN)
        return srv_send_error(c, 403, "只有管理员可以设置佐证材料限额");
    double mib = json_number(q, "mib");
    if (mib < 0 || mib > 1024 * 1024 || (mib > 0 && mib < 1) || mib != (double)(long long)mib)
        return srv_send_error(c, 400, "限额请填写 1 以上的整数（MiB），0 表示默认值");
    kh_diags d = {0};
    kh_status st = kh_evidence_set_quota(s->ws, (uint64_t)mib << 20, &d);
    kh_diags_clear(&d);
    if (st != KH_OK)
        return srv_send_error(c, 500, "无法保存设置");
    cJSON *j = cJSON_CreateObject();
    if (j && !cJSON_AddNumberToObject(j, "quota", (double)kh_evidence_quota(s->ws))) {
        cJSON_Delete(j);
        j = NULL;
    }
    return srv_send_json(c, 200, j, NULL);
}

/* GET /api/export: kaohe workspace export, from the page. */
enum MHD_Result srv_answer_export(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区：没有可导出的记录");
    if (q->role != R_ADMIN)
        return srv_send_error(c, 403, "只有管理员可以导出本年度归档");
    if (!srv_request_folder(q))
        return srv_send_error(c, 507, "服务器无法建立临时文件夹：磁盘已满或没有权限");
    char *path = kh_strprintf("%s/export.zip", q->dir);
    char *year = kh_workspace_get(s->ws, "year");
    char *name = kh_strprintf("%s年度考核归档.zip", year ? year : "");
    kh_diags d = {0};
    kh_status st = path && name ? kh_ws_export(s->ws, s->reg, path, &d) : KH_ERR_NOMEM;
    enum MHD_Result r;
    if (st == KH_OK) {
        r = srv_send_file_fd(c, path, "application/zip", "kaohe-archive.zip", name);
    } else {
        char *why = d.n ? kh_diag_format_zh(&d.v[d.n - 1]) : NULL;
        r = srv_send_error(c, st == KH_ERR_NOMEM ? 503 : 500, why ? why : "无法生成归档");
        kh_free(why);
    }
    kh_diags_clear(&d);
    kh_free(path);
    kh_free(name);
    kh_free(year);
    return r;
}
