/*
 * ranking.c - POST /api/rank, the downloads, and recording an upload's
 * units in the workspace.
 */
#include "serve.h"
#include "appeal.h"
#include "archive.h"
#include "provenance.h"

#include <string.h>

/* Before unit u (read from the file at path) is recorded: the same file as
 * the one that counts changes nothing (*same, with a note in d); another
 * one needs a reason (with_reason), else KH_ERR_USAGE with a message in d
 * that names the reasons the page offers. */
static kh_status check_replacement(kh_server *s, const kh_unit *u, const char *path,
                                   bool with_reason, bool *same, kh_diags *d)
{
    *same = false;
    kh_ws_entry old;
    bool found = false;
    kh_status st = kh_workspace_current(s->ws, u->cl->unit, u->cl->rubric->id, &old, &found, d);
    if (st != KH_OK || !found)
        return st;
    kh_digest dg;
    kh_file_digest(path, &dg);
    if (dg.ok && strcmp(dg.sha256, old.hash) == 0) {
        *same = true;
        kh_diags_add(d, KH_NOTE, u->cl->source, NULL, NULL, 0,
                     _("the same file as the one that counts for %s (%s): nothing changed"),
                     u->cl->unit, old.name);
    } else if (!with_reason) {
        kh_diags_add(d, KH_ERROR, u->cl->source, NULL, NULL, 0,
                     _("%s already has a checklist in this assessment (%s, total %s): to replace "
                       "it, choose why (appeal, review or correction), say what changed, and "
                       "upload it again"),
                     u->cl->unit, old.name, old.total);
        st = KH_ERR_USAGE;
    }
    kh_ws_entry_clear(&old);
    return st;
}

/* Record the units of q's run r in the workspace; what happened to each
 * goes into arrays recorded / refused. */
kh_status srv_record(kh_server *s, request *q, run *r, cJSON *recorded, cJSON *refused)
{
    const char *kind = kh_buf_str(&q->fields[F_KIND]);
    const char *reason = kh_buf_str(&q->fields[F_REASON]);
    const char *user = srv_user(q);
    static const char *const kinds[] = {"申诉", "复核", "更正"};
    bool kind_ok = false;
    for (size_t i = 0; i < KH_ARRAY_LEN(kinds); i++)
        kind_ok |= strcmp(kind, kinds[i]) == 0;
    kh_batch *b = r->b;
    for (size_t i = 0; i < b->nunits; i++) {
        const kh_unit *u = b->units[i];
        const char *path = NULL;
        for (size_t k = 0; k < r->labels.n; k++)
            if (strcmp(r->labels.name[k], u->cl->source) == 0)
                path = r->labels.path[k];
        if (!path)
            continue;
        char total[KH_DEC_BUFSZ];
        kh_dec_format(u->total, total);
        kh_diags d = {0};
        /* A file that holds other units too cannot be half replaced. */
        kh_ws_entry old;
        bool found = false;
        kh_status st = kh_workspace_current(s->ws, u->cl->unit, u->cl->rubric->id, &old, &found,
                                            &d);
        if (st == KH_OK && found) {
            size_t nu = 0;
            char **units = kh_workspace_units_of(s->ws, old.hash, &nu);
            for (size_t k = 0; units && k < nu && st == KH_OK; k++) {
                bool in_upload = false;
                for (size_t m = 0; m < b->nunits && !in_upload; m++) {
                    char *key = kh_strprintf("%s\t%s", b->units[m]->cl->rubric->id,
                                             b->units[m]->cl->unit);
                    in_upload = key && strcmp(key, units[k]) == 0 &&
                                strcmp(b->units[m]->cl->source, u->cl->source) == 0;
                    kh_free(key);
                }
                if (!in_upload) {
                    kh_diags_add(&d, KH_ERROR, u->cl->source, NULL, NULL, 0,
                                 _("%s's checklist %s also holds %s: upload a file with all of "
                                   "its units to replace it"),
                                 u->cl->unit, old.name, strchr(units[k], '\t') + 1);
                    st = KH_ERR_USAGE;
                }
            }
            kh_strv_free(units, nu);
            kh_ws_entry_clear(&old);
        }
        bool changed = false, same = false;
        if (st == KH_OK)
            st = check_replacement(s, u, path, kind_ok && *reason, &same, &d);
        if (st == KH_OK && !same)
            st = kh_workspace_record(s->ws, u->cl->unit, u->cl->rubric->id, total, path,
                                     u->cl->source, user, kind_ok ? kind : NULL,
                                     kind_ok ? reason : NULL, &changed, &d);
        cJSON *e = cJSON_CreateObject();
        if (!e || !cJSON_AddStringToObject(e, "unit", u->cl->unit) ||
            !cJSON_AddStringToObject(e, "rubric", u->cl->rubric->id) ||
            !cJSON_AddStringToObject(e, "file", u->cl->source)) {
            cJSON_Delete(e);
            kh_diags_clear(&d);
            return KH_ERR_NOMEM;
        }
        if (st == KH_OK) {
            cJSON_AddBoolToObject(e, "changed", changed);
            if (d.n) {
                cJSON *m = cJSON_AddArrayToObject(e, "messages");
                if (m)
                    srv_add_messages(m, &d);
            }
            cJSON_AddItemToArray(recorded, e);
        } else {
            cJSON *m = cJSON_AddArrayToObject(e, "messages");
            if (m)
                srv_add_messages(m, &d);
            cJSON_AddItemToArray(refused, e);
        }
        kh_diags_clear(&d);
        if (st == KH_ERR_NOMEM || st == KH_ERR_IO)
            return st;
    }
    return KH_OK;
}

/* Keep the checklists of q's run r that did not pass in the workspace
 * (they are shown as 已提交未通过 until replaced); the messages of those
 * that are not kept (an Office lock file is no upload of a unit) go into
 * q's messages. */
static kh_status srv_record_rejected(kh_server *s, request *q, run *r)
{
    const char *user = srv_user(q);
    kh_batch *b = r->b;
    kh_status st = KH_OK;
    for (size_t i = 0; i < b->nrejected && st == KH_OK; i++) {
        const kh_rejected *rj = &b->rejected[i];
        const char *path = NULL;
        for (size_t k = 0; k < r->labels.n && !path; k++)
            if (strcmp(r->labels.name[k], rj->source) == 0)
                path = r->labels.path[k];
        const char *base = strrchr(rj->source, '/');
        base = base ? base + 1 : rj->source;
        bool lock_file = base[0] == '~' && base[1] == '$';
        if (!path || lock_file) {
            /* Taken from the batch, which is freed after this. */
            kh_diags mine = {0};
            if (!kh_grow((void **)&mine.v, &mine.cap, rj->n, sizeof *mine.v))
                return KH_ERR_NOMEM;
            for (size_t k = 0; k < rj->n; k++) {
                mine.v[mine.n++] = b->errors.v[rj->first + k];
                b->errors.v[rj->first + k] = (kh_diag){0};
            }
            kh_diags_move(&q->msgs, &mine);
            continue;
        }
        kh_buf m = {0};
        for (size_t k = 0; k < rj->n; k++) {
            char *line = kh_diag_format_zh(&b->errors.v[rj->first + k]);
            if (line)
                kh_buf_printf(&m, "%s%s", k ? "\n" : "", line);
            else
                m.oom = true;
            kh_free(line);
        }
        kh_diags d = {0};
        st = m.oom ? KH_ERR_NOMEM
                   : kh_workspace_record_rejected(s->ws, path, rj->source, rj->unit,
                                                  rj->rubric ? kh_rubric_id(rj->rubric) : NULL,
                                                  user, kh_buf_str(&m), &d);
        kh_buf_free(&m);
        kh_diags_move(&q->msgs, &d);
    }
    return st;
}

what srv_what_of(struct MHD_Connection *c)
{
    const char *w = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "what");
    if (!w)
        return W_RESULT;
    if (strcmp(w, "ranking") == 0)
        return W_RANKING;
    if (strcmp(w, "scoresheets") == 0)
        return W_SCORESHEETS;
    if (strcmp(w, "json") == 0)
        return W_JSON;
    if (strcmp(w, "csv") == 0)
        return W_CSV;
    return W_RESULT;
}

/* The file wanted of run r (written in q's folder) as a download. */
enum MHD_Result srv_send_output(struct MHD_Connection *c, request *q, run *r, what w,
                                   kh_server *s)
{
    kh_diags d = {0};
    kh_status st = KH_OK;
    char *path = NULL;
    static const char *const ascii[] = {"", "ranking.xlsx", "scoresheets.zip", "result.json",
                                        "result.csv"};
    static const char *const shown[] = {"", "考核排名.xlsx", "考核评分表.zip", "考核结果.json",
                                        "考核结果.csv"};
    static const char *const type[] = {
        "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip", "application/json; charset=utf-8", "text/csv; charset=utf-8"};
    path = kh_strprintf("%s/out-%s", q->dir, ascii[w]);
    if (!path)
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    if (s->ws && (w == W_RANKING || w == W_SCORESHEETS))
        st = kh_batch_mark_final(r->b, s->ws, &d); /* 定稿 printed on them */
    if (st != KH_OK) {
        /* the error is answered below */
    } else if (w == W_RANKING) {
        kh_ws_change *v = NULL;
        size_t n = 0;
        if (s->ws)
            st = kh_journal_with_appeals(s->ws, &v, &n, &d); /* 申诉 and 复核 too */
        if (st == KH_OK)
            st = kh_write_ranking_journal(r->b, v, n, path, &d);
        kh_ws_changes_free(v, n);
    } else if (w == W_SCORESHEETS) {
        char *dir = kh_strprintf("%s/评分表", q->dir);
        st = dir ? kh_write_scoresheets(r->b, dir, KH_FMT_XLSX, 0, &d) : KH_ERR_NOMEM;
        if (st == KH_OK)
            st = kh_archive_pack(path, dir, &d);
        kh_free(dir);
    } else if (w == W_JSON) {
        st = kh_write_json_file(r->b, true, path, &d);
    } else {
        FILE *f = fopen(path, "wb");
        st = f ? kh_batch_write_csv(r->b, f) : KH_ERR_IO;
        if (f && fclose(f) != 0)
            st = KH_ERR_IO;
    }
    kh_diags_clear(&d);
    enum MHD_Result ret =
        st == KH_OK ? srv_send_file(c, path, type[w], ascii[w], shown[w])
                    : srv_send_error(c, st == KH_ERR_NOMEM ? 503 : 500,
                                 st == KH_ERR_NOMEM ? "服务器内存不足：请稍后再试"
                                                    : "服务器无法生成文件：磁盘已满或没有权限");
    kh_free(path);
    return ret;
}

/* The ranking JSON of run r, with what the page shows besides. */
enum MHD_Result srv_send_result(struct MHD_Connection *c, kh_server *s, request *q, run *r,
                                   const kh_diags *notes, cJSON *recorded, cJSON *refused)
{
    char *jpath = kh_strprintf("%s/out-result.json", q->dir);
    kh_diags d = {0};
    kh_status st = jpath ? kh_write_json_file(r->b, true, jpath, &d) : KH_ERR_NOMEM;
    kh_diags_clear(&d);
    size_t len = 0;
    char *json = st == KH_OK ? srv_slurp(jpath, &len) : NULL;
    kh_free(jpath);
    cJSON *j = json ? cJSON_CreateObject() : NULL;
    bool ok = j && cJSON_AddRawToObject(j, "result", json);
    kh_free(json);
    cJSON *files = ok ? cJSON_AddArrayToObject(j, "ignored") : NULL;
    for (size_t i = 0; files && i < q->nfiles; i++)
        if (q->files[i].kind == P_IGNORED)
            cJSON_AddItemToArray(files, cJSON_CreateString(q->files[i].name));
    cJSON *m = ok ? cJSON_AddArrayToObject(j, "messages") : NULL;
    ok = m && srv_add_messages(m, &q->msgs) && srv_add_messages(m, notes);
    if (ok && recorded) {
        cJSON_AddItemToObject(j, "recorded", recorded);
        cJSON_AddItemToObject(j, "refused", refused);
        recorded = refused = NULL;
        cJSON *h = srv_history_json(s);
        ok = h && cJSON_AddItemToObject(j, "history", h);
    }
    if (ok && s->ws) {
        cJSON *f = srv_failed_uploads_json(s);
        ok = f && cJSON_AddItemToObject(j, "failed_uploads", f);
    }
    cJSON_Delete(recorded);
    cJSON_Delete(refused);
    if (!ok) {
        cJSON_Delete(j);
        return srv_send_error(c, st == KH_ERR_IO ? 500 : 503,
                          st == KH_ERR_IO ? "服务器无法生成排名：磁盘已满或没有权限"
                                          : "服务器内存不足：请分批上传");
    }
    return srv_send_json(c, 200, j, NULL);
}

/* POST /api/rank and /api/download, GET /api/download (workspace). */
enum MHD_Result srv_answer_rank(kh_server *s, struct MHD_Connection *c, request *q)
{
    what w = srv_what_of(c);
    srv_unpack_zips(q);
    if (q->status)
        return srv_send_error(c, (unsigned)q->status, q->why);
    bool upload = q->is_post;
    size_t nchecklists = 0;
    for (size_t i = 0; i < q->nfiles; i++)
        nchecklists += q->files[i].kind == P_CHECKLIST;
    if (upload && !s->ws && nchecklists == 0) {
        cJSON *j = cJSON_CreateObject();
        cJSON *m = j ? cJSON_AddArrayToObject(j, "messages") : NULL;
        if (m)
            srv_add_messages(m, &q->msgs);
        if (j)
            cJSON_AddStringToObject(j, "error", "没有收到检查表：请选择 .xlsx、.xls、.ods、.csv 文件"
                                                "或它们的 .zip 压缩包后再上传");
        return srv_send_json(c, 400, j, NULL);
    }
    run r = {.reg = srv_request_registry(s, q, upload && w == W_RESULT)};
    if (!r.reg)
        return srv_send_error(c, 503, "服务器内存不足：请分批上传");
    kh_diags notes = {0};
    cJSON *recorded = NULL, *refused = NULL;
    kh_status st = KH_OK;
    if (upload && s->ws && w == W_RESULT) {
        /* This upload scored first; what passes is recorded; then the
         * whole workspace is ranked. */
        st = srv_score(s, q, &r, false, false, &notes);
        recorded = cJSON_CreateArray();
        refused = cJSON_CreateArray();
        if (st == KH_OK && (!recorded || !refused))
            st = KH_ERR_NOMEM;
        if (st == KH_OK) {
            /* The roster given with the upload is kept for the year. */
            for (size_t i = 0; i < q->nfiles; i++)
                if (q->files[i].kind == P_ROSTER && r.roster) {
                    char *at = NULL;
                    if (kh_workspace_store(s->ws, q->files[i].path,
                                           strrchr(q->files[i].name, '.'), &at,
                                           &q->msgs) == KH_OK &&
                        kh_workspace_set(s->ws, "roster", at, &q->msgs) == KH_OK)
                        kh_workspace_set(s->ws, "roster_name", q->files[i].name, &q->msgs);
                    kh_free(at);
                }
            st = srv_record(s, q, &r, recorded, refused);
        }
        /* This upload's rejected files are kept, and shown as the
         * workspace's. */
        if (st == KH_OK)
            st = srv_record_rejected(s, q, &r);
        if (st == KH_OK) {
            kh_registry *reg = r.reg; /* kept for the ranking below */
            r.reg = NULL;
            srv_run_free(&r);
            r.reg = reg;
        }
    }
    if (st == KH_OK)
        st = srv_score(s, q, &r, s->ws != NULL, w != W_RESULT, &notes);
    enum MHD_Result ret;
    if (st != KH_OK) {
        cJSON_Delete(recorded);
        cJSON_Delete(refused);
        ret = srv_send_error(c, st == KH_ERR_NOMEM ? 503 : 500,
                         st == KH_ERR_NOMEM ? "服务器内存不足：请分批上传"
                                            : "服务器无法评分：磁盘已满或没有权限");
    } else if (w == W_RESULT) {
        ret = srv_send_result(c, s, q, &r, &notes, recorded, refused);
    } else {
        cJSON_Delete(recorded);
        cJSON_Delete(refused);
        ret = srv_send_output(c, q, &r, w, s);
    }
    kh_diags_clear(&notes);
    srv_run_free(&r);
    return ret;
}
