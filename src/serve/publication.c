/*
 * publication.c - 公示, 申诉, 复核 and 定稿 (src/appeal.h) on the page.
 *
 *   GET  /api/appeals?rubric=ID       the rubric's publication and the
 *                                     appeals the asker may see (a 填报员:
 *                                     its own unit's; staff: all)
 *   POST /api/publish                 admin: {"rubric", "closes", "with_ranking"}
 *   POST /api/appeal                  a 填报员 for its own unit, or an admin:
 *                                     {"rubric", "unit", "cp", "argument"}
 *   POST /api/appeal/decide           staff: {"id", "decision": "维持"|"改判",
 *                                     "result" (改判), "reason"}
 *   POST /api/finalise                admin: {"rubric"}
 *   POST /api/appeal/evidence?id=N    the appeal's evidence files (multipart
 *                                     "file" parts; its unit's 填报员 or an
 *                                     admin, while the appeal is open):
 *                                     佐证材料 (evidence.h) of the check point
 *                                     key "申诉-N"
 *   GET  /api/published?rubric=ID     the published results the asker may
 *                                     see: a 填报员 its own unit's scored
 *                                     result with reasons (and the ranking
 *                                     when published with it), only once
 *                                     published; staff every unit's
 *
 * Bodies are JSON (request.json).  Today is the server's local calendar
 * day.  The rules are the library's; what it refuses is answered 409 with
 * its message in Chinese.
 */
#include "serve.h"
#include "appeal.h"
#include "fill.h"
#include "evidence.h"
#include "platform.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void today(char out[11])
{
    struct tm tm;
    long off;
    kh_localtime(time(NULL), &tm, &off, NULL, 0); /* platform.h */
    if (strftime(out, 11, "%Y-%m-%d", &tm) == 0)
        out[0] = '\0';
}

/* The first message of d in Chinese, as an error answer with status. */
static enum MHD_Result refuse_with(struct MHD_Connection *c, unsigned status, const kh_diags *d,
                                   const char *fallback)
{
    char *m = d->n ? kh_diag_format_zh(&d->v[0]) : NULL;
    enum MHD_Result r = srv_send_error(c, status, m ? m : fallback);
    kh_free(m);
    return r;
}

static const char *str(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The rubric id of the request, if the server knows it: its rubric. */
static const kh_rubric *rubric_of(kh_server *s, request *q, kh_registry **reg, const char *id)
{
    *reg = id ? srv_request_registry(s, q, false) : NULL;
    return *reg ? kh_registry_find(*reg, id) : NULL;
}

static bool has_cp(const kh_rubric *r, const char *cp)
{
    for (size_t i = 0; cp && i < r->ncps; i++)
        if (strcmp(r->cps[i].id, cp) == 0)
            return true;
    return false;
}

static const char *state_name(kh_appeal_state st)
{
    return st == KH_APPEAL_KEPT ? "维持" : st == KH_APPEAL_CHANGED ? "改判" : "待复核";
}

static cJSON *appeal_json(const kh_appeal *a)
{
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NULL;
    cJSON_AddNumberToObject(e, "id", (double)a->id);
    cJSON_AddStringToObject(e, "unit", a->unit);
    cJSON_AddStringToObject(e, "rubric", a->rubric);
    cJSON_AddStringToObject(e, "cp", a->cp);
    cJSON_AddStringToObject(e, "argument", a->argument);
    cJSON_AddStringToObject(e, "filed_at", a->filed_at);
    cJSON_AddStringToObject(e, "filed_by", a->filed_by);
    cJSON_AddStringToObject(e, "state", state_name(a->state));
    a->result ? cJSON_AddStringToObject(e, "result", a->result) : cJSON_AddNullToObject(e, "result");
    a->reason ? cJSON_AddStringToObject(e, "reason", a->reason) : cJSON_AddNullToObject(e, "reason");
    a->decided_at ? cJSON_AddStringToObject(e, "decided_at", a->decided_at)
                  : cJSON_AddNullToObject(e, "decided_at");
    a->decided_by ? cJSON_AddStringToObject(e, "decided_by", a->decided_by)
                  : cJSON_AddNullToObject(e, "decided_by");
    return e;
}

/* The evidence key of appeal id: its files are kept as 佐证材料 of this
 * "check point" of the unit. */
static void appeal_key(long long id, char key[32])
{
    snprintf(key, 32, "申诉-%lld", id);
}

/* Each appeal of a (JSON objects, in the order of v) gains "evidence":
 * [{id, name, type, inline}] from ev. */
static void add_evidence(cJSON *a, const kh_appeal *v, size_t n, const kh_evidence *ev,
                         size_t nev)
{
    for (size_t i = 0; i < n; i++) {
        cJSON *e = cJSON_GetArrayItem(a, (int)i);
        cJSON *files = e ? cJSON_AddArrayToObject(e, "evidence") : NULL;
        char key[32];
        appeal_key(v[i].id, key);
        for (size_t k = 0; files && k < nev; k++) {
            if (strcmp(ev[k].cp, key) != 0 || strcmp(ev[k].unit, v[i].unit) != 0 ||
                strcmp(ev[k].rubric, v[i].rubric) != 0)
                continue;
            cJSON *f = cJSON_CreateObject();
            if (!f)
                break;
            cJSON_AddNumberToObject(f, "id", (double)ev[k].id);
            cJSON_AddStringToObject(f, "name", ev[k].name);
            cJSON_AddStringToObject(f, "type", kh_evidence_mime(ev[k].type));
            cJSON_AddBoolToObject(f, "inline", kh_evidence_inline(ev[k].type));
            cJSON_AddItemToArray(files, f);
        }
    }
}

enum MHD_Result srv_answer_appeals(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区（--workspace）：没有公示和申诉");
    const char *rubric = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "rubric");
    if (!rubric || !*rubric)
        return srv_send_error(c, 400, "请指明考核细则");
    if (q->role == R_FILLER || q->role == R_NONE) {
        if (!q->unit[0])
            return srv_send_error(c, 403, "无权查看");
    }
    kh_diags d = {0};
    kh_publication p;
    kh_status st = kh_publication_get(s->ws, rubric, &p, &d);
    kh_appeal *v = NULL;
    size_t n = 0;
    if (st == KH_OK)
        st = kh_appeals_list(s->ws, rubric, srv_is_staff(q) ? NULL : q->unit, &v, &n, &d);
    if (st != KH_OK) {
        kh_publication_clear(&p);
        enum MHD_Result r = refuse_with(c, 500, &d, "服务器无法读取工作区");
        kh_diags_clear(&d);
        return r;
    }
    char day[11];
    today(day);
    cJSON *j = cJSON_CreateObject();
    cJSON *pub = j ? cJSON_AddObjectToObject(j, "publication") : NULL;
    cJSON *a = j ? cJSON_AddArrayToObject(j, "appeals") : NULL;
    if (pub && a) {
        cJSON_AddStringToObject(j, "today", day);
        cJSON_AddBoolToObject(pub, "published", p.published);
        p.closes ? cJSON_AddStringToObject(pub, "closes", p.closes)
                 : cJSON_AddNullToObject(pub, "closes");
        cJSON_AddBoolToObject(pub, "with_ranking", p.with_ranking);
        p.published_at ? cJSON_AddStringToObject(pub, "published_at", p.published_at)
                       : cJSON_AddNullToObject(pub, "published_at");
        p.final_at ? cJSON_AddStringToObject(pub, "final_at", p.final_at)
                   : cJSON_AddNullToObject(pub, "final_at");
        cJSON_AddBoolToObject(pub, "open", p.published && !p.final_at && strcmp(day, p.closes) <= 0);
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(a, appeal_json(&v[i]));
        kh_evidence *ev = NULL;
        size_t nev = 0;
        if (kh_evidence_list(s->ws, srv_is_staff(q) ? NULL : q->unit, rubric, &ev, &nev, &d) ==
            KH_OK)
            add_evidence(a, v, n, ev, nev);
        kh_evidences_free(ev, nev);
    }
    kh_publication_clear(&p);
    kh_appeals_free(v, n);
    kh_diags_clear(&d);
    return srv_send_json(c, 200, j, NULL);
}

/* 改判 of open appeal id to result: the unit's current checklist
 * corrected (kh_fill_correct_current), its new total in *total. */
static kh_status correct(kh_server *s, request *q, long long id, const char *result,
                         const char *reason, const char *user, char **total, kh_diags *d)
{
    kh_appeal *v = NULL;
    size_t n = 0;
    kh_status st = kh_appeals_list(s->ws, NULL, NULL, &v, &n, d);
    const kh_appeal *a = NULL;
    for (size_t i = 0; st == KH_OK && i < n; i++)
        if (v[i].id == id && v[i].state == KH_APPEAL_OPEN)
            a = &v[i];
    kh_registry *reg = NULL;
    const kh_rubric *r = a ? rubric_of(s, q, &reg, a->rubric) : NULL;
    if (st == KH_OK && a && r && result && *result && reason && *reason) {
        char *why = kh_strprintf("申诉改判（检查点 %s）：%s", a->cp, reason);
        st = why ? kh_fill_correct_current(s->ws, reg, r, a->unit, a->cp, result, user, "复核",
                                           why, total, d)
                 : KH_ERR_NOMEM;
        kh_free(why);
    } /* else kh_appeal_decide says what is wrong */
    kh_registry_free(reg);
    kh_appeals_free(v, n);
    return st;
}

/* A JSON object of the request's body, or NULL (then answered). */
static cJSON *body_of(request *q)
{
    return q->json ? cJSON_ParseWithLength(kh_buf_str(&q->body), q->body.len) : NULL;
}

enum MHD_Result srv_answer_publication_post(kh_server *s, struct MHD_Connection *c, request *q,
                                            const char *url)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区（--workspace）：没有公示和申诉");
    cJSON *j = body_of(q);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return srv_send_error(c, 400, "请求的内容不是 JSON 对象");
    }
    char day[11];
    today(day);
    const char *user = srv_user(q);
    const char *rubric_id = str(j, "rubric");
    kh_diags d = {0};
    kh_status st = KH_OK;
    enum MHD_Result r;
    kh_registry *reg = NULL;
    cJSON *out = NULL;
    if (strcmp(url, "/api/appeal/decide") == 0) {
        const cJSON *idv = cJSON_GetObjectItemCaseSensitive(j, "id");
        const char *decision = str(j, "decision");
        kh_appeal_state ds = decision && strcmp(decision, "维持") == 0   ? KH_APPEAL_KEPT
                             : decision && strcmp(decision, "改判") == 0 ? KH_APPEAL_CHANGED
                                                                        : KH_APPEAL_OPEN;
        if (!srv_is_staff(q)) {
            r = srv_send_error(c, 403, "只有管理员和考评员可以复核申诉");
            goto done;
        }
        if (!cJSON_IsNumber(idv)) {
            r = srv_send_error(c, 400, "请指明申诉");
            goto done;
        }
        long long id = (long long)idv->valuedouble;
        char *total = NULL;
        if (ds == KH_APPEAL_CHANGED) {
            /* 改判 changes the record: the unit's checklist with the new
             * result, recorded before the decision is (a result the
             * reader refuses stops both). */
            st = correct(s, q, id, str(j, "result"), str(j, "reason"), user, &total, &d);
        }
        kh_appeal a;
        if (st == KH_OK)
            st = kh_appeal_decide(s->ws, id, ds, str(j, "result"), str(j, "reason"), user, &a,
                                  &d);
        if (st == KH_OK) {
            out = appeal_json(&a);
            if (out && total)
                cJSON_AddStringToObject(out, "total", total);
            kh_appeal_clear(&a);
        }
        kh_free(total);
    } else if (strcmp(url, "/api/appeal") == 0) {
        const char *unit = str(j, "unit");
        const char *cp = str(j, "cp");
        const kh_rubric *rb = rubric_of(s, q, &reg, rubric_id);
        if (!srv_may_unit(q, unit) || q->role == R_REVIEWER) {
            r = srv_send_error(c, 403, "只能为本单位申诉");
            goto done;
        }
        if (!rb || !has_cp(rb, cp)) {
            r = srv_send_error(c, 400, "没有这个考核细则或检查点");
            goto done;
        }
        long long id = 0;
        st = kh_appeal_file(s->ws, unit, rubric_id, cp, str(j, "argument"), user, day, &id, &d);
        if (st == KH_OK && (out = cJSON_CreateObject()) != NULL)
            cJSON_AddNumberToObject(out, "id", (double)id);
    } else if (q->role != R_ADMIN) {
        r = srv_send_error(c, 403, "只有管理员可以公示和定稿");
        goto done;
    } else if (strcmp(url, "/api/publish") == 0) {
        const kh_rubric *rb = rubric_of(s, q, &reg, rubric_id);
        if (!rb) {
            r = srv_send_error(c, 400, "没有这个考核细则");
            goto done;
        }
        st = kh_publish(s->ws, rubric_id, str(j, "closes"),
                        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "with_ranking")), user,
                        day, &d);
        if (st == KH_OK && (out = cJSON_CreateObject()) != NULL)
            cJSON_AddBoolToObject(out, "published", true);
    } else if (strcmp(url, "/api/finalise") == 0) {
        st = rubric_id ? kh_finalise(s->ws, rubric_id, user, day, &d) : KH_ERR_USAGE;
        if (st == KH_OK && (out = cJSON_CreateObject()) != NULL)
            cJSON_AddBoolToObject(out, "final", true);
    } else {
        r = srv_send_error(c, 404, "没有这个页面");
        goto done;
    }
    if (st == KH_ERR_USAGE)
        r = refuse_with(c, 409, &d, "请求不符合公示和申诉的规则");
    else if (st != KH_OK)
        r = refuse_with(c, 500, &d, "服务器无法保存：磁盘已满或没有权限");
    else
        r = srv_send_json(c, 200, out, NULL), out = NULL;
done:
    cJSON_Delete(out);
    cJSON_Delete(j);
    kh_registry_free(reg);
    kh_diags_clear(&d);
    return r;
}

/* The scored units of rubric in the workspace's ranking, as the JSON of
 * kaohe rank --json: its "units" array (new), or NULL. */
static cJSON *ranked_units(kh_server *s, request *q, kh_diags *notes)
{
    if (!srv_request_folder(q))
        return NULL;
    run r = {.reg = srv_request_registry(s, q, false)};
    kh_status st = r.reg ? srv_score(s, q, &r, true, false, notes) : KH_ERR_NOMEM;
    char *path = kh_strprintf("%s/published.json", q->dir);
    kh_diags d = {0};
    if (st == KH_OK)
        st = path ? kh_write_json_file(r.b, true, path, &d) : KH_ERR_NOMEM;
    size_t len = 0;
    char *text = st == KH_OK ? srv_slurp(path, &len) : NULL;
    cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
    cJSON *units = doc ? cJSON_DetachItemFromObjectCaseSensitive(doc, "units") : NULL;
    cJSON_Delete(doc);
    kh_free(text);
    kh_free(path);
    kh_diags_clear(&d);
    srv_run_free(&r);
    return units;
}

enum MHD_Result srv_answer_published(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区（--workspace）：没有公示");
    const char *rubric = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "rubric");
    if (!rubric || !*rubric)
        return srv_send_error(c, 400, "请指明考核细则");
    bool staff = srv_is_staff(q);
    if (!staff && !q->unit[0])
        return srv_send_error(c, 403, "无权查看");
    kh_diags d = {0};
    kh_publication p;
    if (kh_publication_get(s->ws, rubric, &p, &d) != KH_OK) {
        kh_diags_clear(&d);
        return srv_send_error(c, 500, "服务器无法读取工作区");
    }
    kh_diags_clear(&d);
    if (!staff && !p.published) {
        kh_publication_clear(&p);
        return srv_send_error(c, 403, "考核结果尚未公示");
    }
    bool with_ranking = staff || p.with_ranking;
    kh_registry *reg = NULL;
    const kh_rubric *rb = rubric_of(s, q, &reg, rubric);
    cJSON *all = ranked_units(s, q, &d);
    kh_diags_clear(&d);
    cJSON *j = all ? cJSON_CreateObject() : NULL;
    cJSON *mine = j ? cJSON_AddArrayToObject(j, "units") : NULL;
    cJSON *ranking = j && with_ranking ? cJSON_AddArrayToObject(j, "ranking") : NULL;
    if (j && !with_ranking)
        cJSON_AddNullToObject(j, "ranking");
    if (j) {
        cJSON_AddBoolToObject(j, "published", p.published);
        p.closes ? cJSON_AddStringToObject(j, "closes", p.closes) : cJSON_AddNullToObject(j, "closes");
        p.final_at ? cJSON_AddStringToObject(j, "final_at", p.final_at)
                   : cJSON_AddNullToObject(j, "final_at");
    }
    kh_publication_clear(&p);
    /* What a unit may appeal: the rubric's check points, as labelled. */
    cJSON *cps = j ? cJSON_AddArrayToObject(j, "check_points") : NULL;
    for (size_t i = 0; cps && rb && i < rb->ncps; i++) {
        cJSON *e = cJSON_CreateObject();
        if (!e)
            break;
        cJSON_AddStringToObject(e, "id", rb->cps[i].id);
        cJSON_AddStringToObject(e, "label", rb->cps[i].label);
        cJSON_AddItemToArray(cps, e);
    }
    kh_registry_free(reg);
    const cJSON *u;
    cJSON_ArrayForEach(u, all) {
        if (!mine)
            break;
        const char *ur = str(u, "rubric"), *un = str(u, "unit");
        if (!ur || strcmp(ur, rubric) != 0 || !un)
            continue;
        if (ranking) {
            cJSON *e = cJSON_CreateObject();
            if (e) {
                cJSON_AddStringToObject(e, "unit", un);
                cJSON_AddItemToObject(e, "rank", cJSON_Duplicate(cJSON_GetObjectItem(u, "rank"), 1));
                cJSON_AddItemToObject(e, "total", cJSON_Duplicate(cJSON_GetObjectItem(u, "total"), 1));
                cJSON_AddItemToObject(e, "grade", cJSON_Duplicate(cJSON_GetObjectItem(u, "grade"), 1));
                cJSON_AddItemToArray(ranking, e);
            }
        }
        if (staff || strcmp(un, q->unit) == 0)
            cJSON_AddItemToArray(mine, cJSON_Duplicate(u, 1));
    }
    cJSON_Delete(all);
    if (!j)
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    return srv_send_json(c, 200, j, NULL);
}

/* POST /api/appeal/evidence?id=N */
enum MHD_Result srv_answer_appeal_evidence(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区（--workspace）：没有公示和申诉");
    const char *ids = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
    long long id = ids ? strtoll(ids, NULL, 10) : 0;
    kh_diags d = {0};
    kh_appeal *v = NULL;
    size_t n = 0;
    const kh_appeal *a = NULL;
    if (kh_appeals_list(s->ws, NULL, NULL, &v, &n, &d) == KH_OK)
        for (size_t i = 0; i < n; i++)
            if (v[i].id == id)
                a = &v[i];
    enum MHD_Result r;
    kh_publication p = {0};
    char day[11];
    today(day);
    if (!a) {
        r = srv_send_error(c, 404, "没有这项申诉");
    } else if (!srv_may_unit(q, a->unit) || q->role == R_REVIEWER) {
        r = srv_send_error(c, 403, "只能为本单位的申诉上传材料");
    } else if (a->state != KH_APPEAL_OPEN || kh_publication_get(s->ws, a->rubric, &p, &d) != KH_OK ||
               !p.published || p.final_at || strcmp(day, p.closes) > 0) {
        r = srv_send_error(c, 409, "这项申诉已复核或申诉期已过，不能再上传材料");
    } else {
        char key[32];
        appeal_key(a->id, key);
        cJSON *j = cJSON_CreateObject();
        cJSON *msgs = j ? cJSON_AddArrayToObject(j, "messages") : NULL;
        size_t files = 0, added = 0;
        for (size_t i = 0; msgs && i < q->nfiles; i++) {
            saved *f = &q->files[i];
            if (!f->path || (f->kind != P_CHECKLIST && f->kind != P_ZIP))
                continue; /* only the parts named "file" */
            files++;
            kh_diags e = {0};
            added += kh_evidence_add(s->ws, a->unit, a->rubric, key, f->path, f->name,
                                     srv_user(q), NULL, &e) == KH_OK;
            srv_add_messages(msgs, &e);
            kh_diags_clear(&e);
        }
        if (!msgs) {
            cJSON_Delete(j);
            r = srv_send_error(c, 503, "服务器内存不足：请稍后再试");
        } else if (files == 0) {
            cJSON_Delete(j);
            r = srv_send_error(c, 400, "请选择要上传的文件");
        } else {
            cJSON_AddNumberToObject(j, "added", (double)added);
            r = srv_send_json(c, added ? 200 : 422, j, NULL);
        }
    }
    kh_publication_clear(&p);
    kh_appeals_free(v, n);
    kh_diags_clear(&d);
    return r;
}
