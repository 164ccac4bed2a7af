/*
 * review.c - the bureau's 考评 on the page (fill.h's 考评 side), for
 * 考评员 and 管理员 only:
 *
 *   GET  /api/review/board[?state=S&rubric=R&q=TEXT]
 *                         every roster unit (and any other with a record):
 *                         status, last change, answers given; the counts
 *                         per status (of all units, whatever the filter),
 *                         the deadline
 *   GET  /api/review/unit?unit=U&rubric=R
 *                         per item and check point: the unit's answer and
 *                         remark, the inspector's 同意 / changed answer and
 *                         note, both sides' deduction and 差; 自评分 and
 *                         考评分 from the engine (kh_fill_score)
 *   POST /api/review/save JSON {unit, rubric, version, answers: [{cp,
 *                         agree, value, note}]}: the 考评 side, 409 with
 *                         the current view when the version is stale
 *   POST /api/review/done JSON {unit, rubric, version}: 考评完成 (the
 *                         reviewed checklist becomes the unit's record)
 *
 * and, for the workspace's ranking (scoring.c), the units' online 自评
 * beside their reviewed checklist (srv_review_add_selves).  Every number
 * comes from the engine; the page computes nothing.  差 is 考评 − 自评
 * (selfeval.h).
 */
#include "serve.h"
#include "checklist.h"
#include "fill.h"
#include "roster.h"
#include "rubric.h"
#include "selfeval.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#define NO_UNIT "无权查看其他单位的材料"
#define NO_MEMORY "服务器内存不足：请稍后再试"
#define STAFF_ONLY "只有考评员或管理员能进行考评"

/* The request's registry and the workspace's roster (or NULL). */
typedef struct rctx {
    kh_registry *reg;
    kh_roster *roster;
} rctx;

static void rctx_free(rctx *x)
{
    kh_roster_free(x->roster);
    kh_registry_free(x->reg);
}

static void add_dec(cJSON *o, const char *key, kh_dec v)
{
    char num[KH_DEC_BUFSZ];
    cJSON_AddStringToObject(o, key, kh_dec_format(v, num));
}

/* ---- the board ---- */

/* Whether text contains needle, ignoring ASCII case ("" always). */
static bool contains(const char *text, const char *needle)
{
    if (!needle || !*needle)
        return true;
    size_t n = strlen(needle);
    for (const char *p = text; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

static enum MHD_Result answer_board(kh_server *s, struct MHD_Connection *c, request *q)
{
    const char *want_state = srv_param(c, NULL, "state");
    const char *want_rubric = srv_param(c, NULL, "rubric");
    const char *search = srv_param(c, NULL, "q");
    srv_forms f;
    kh_status st = srv_forms_load(s, q, &f);
    cJSON *j = st == KH_OK ? cJSON_CreateObject() : NULL;
    cJSON *units = j ? cJSON_AddArrayToObject(j, "units") : NULL;
    size_t counts[KH_FS_REVIEWED + 1] = {0};
    size_t total = 0;
    const char *unit;
    const kh_rubric *r;
    const kh_fill_status *fs;
    for (size_t i = 0; units && srv_next_form(q, &f, &i, &unit, &r, &fs);) {
        kh_fill_state state = fs ? fs->state : KH_FS_EMPTY;
        counts[state]++;
        total++;
        if ((want_state && *want_state && strcmp(want_state, kh_fill_state_name(state)) != 0) ||
            (want_rubric && *want_rubric && strcmp(want_rubric, r->id) != 0) ||
            !contains(unit, search))
            continue;
        cJSON *e = srv_add_object(units);
        if (!e) {
            units = NULL;
            break;
        }
        cJSON_AddStringToObject(e, "unit", unit);
        cJSON_AddStringToObject(e, "rubric", r->id);
        cJSON_AddStringToObject(e, "rubric_name", kh_rubric_name(r));
        cJSON_AddStringToObject(e, "state", kh_fill_state_name(state));
        cJSON_AddBoolToObject(e, "returned", fs && fs->returned);
        srv_add_str_or_null(e, "changed", fs ? fs->changed : NULL);
        srv_add_str_or_null(e, "by", fs ? fs->user : NULL);
        cJSON_AddNumberToObject(e, "answered", fs ? (double)fs->self_answered : 0);
        cJSON_AddNumberToObject(e, "reviewed", fs ? (double)fs->review_changed : 0);
        cJSON_AddNumberToObject(e, "checks", (double)r->ncps);
    }
    if (j) {
        cJSON *cnt = cJSON_AddObjectToObject(j, "counts");
        for (int k = KH_FS_EMPTY; cnt && k <= KH_FS_REVIEWED; k++)
            cJSON_AddNumberToObject(cnt, kh_fill_state_name((kh_fill_state)k), (double)counts[k]);
        cJSON_AddNumberToObject(j, "total", (double)total);
        srv_add_fill_deadline(j, s);
        cJSON *rb = cJSON_AddArrayToObject(j, "rubrics");
        for (size_t i = 0; rb && i < kh_registry_count(f.reg); i++) {
            const kh_rubric *one = kh_registry_at(f.reg, i);
            cJSON *e = srv_add_object(rb);
            if (e) {
                cJSON_AddStringToObject(e, "id", one->id);
                cJSON_AddStringToObject(e, "name", kh_rubric_name(one));
            }
        }
    }
    srv_forms_free(&f);
    if (!j || !units) {
        cJSON_Delete(j);
        return srv_send_error(c, st == KH_OK || st == KH_ERR_NOMEM ? 503 : 500,
                              st == KH_OK || st == KH_ERR_NOMEM ? NO_MEMORY
                                                                : "服务器无法读取工作区");
    }
    return srv_send_json(c, 200, j, NULL);
}

/* ---- one unit ---- */

/* The engine's score of one side: {total, vetoed, veto_reason,
 * unanswered, issues}; total null when an answer cannot be read. */
static cJSON *score_json(const kh_rubric *r, const kh_fill_scored *sc)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (sc->unit) {
        add_dec(o, "total", sc->unit->total);
        cJSON_AddBoolToObject(o, "vetoed", sc->unit->vetoed);
        srv_add_str_or_null(o, "veto_reason", sc->unit->veto_reason);
    } else {
        cJSON_AddNullToObject(o, "total");
    }
    cJSON_AddNumberToObject(o, "unanswered", (double)sc->unanswered);
    srv_add_fill_issues(o, r, sc);
    return o;
}

/* The view of (unit, r) for a reviewer: see the top of this file. */
static cJSON *unit_json(kh_server *s, request *q, const kh_registry *reg, const kh_rubric *r,
                        const char *unit)
{
    kh_diags d = {0};
    kh_fill *self = NULL, *rev = NULL;
    kh_fill_status st = {0};
    kh_fill_scored ss = {0}, rs = {0};
    kh_status rc = kh_fill_get(s->ws, r, unit, KH_SIDE_SELF, &self, &d);
    if (rc == KH_OK)
        rc = kh_fill_get(s->ws, r, unit, KH_SIDE_REVIEW, &rev, &d);
    if (rc == KH_OK)
        rc = kh_fill_status_get(s->ws, unit, r->id, &st, &d);
    if (rc == KH_OK)
        rc = kh_fill_score(s->ws, reg, r, unit, KH_SIDE_SELF, &ss, &d);
    if (rc == KH_OK)
        rc = kh_fill_score(s->ws, reg, r, unit, KH_SIDE_REVIEW, &rs, &d);
    kh_diags_clear(&d);
    cJSON *o = rc == KH_OK ? cJSON_CreateObject() : NULL;
    if (o) {
        cJSON_AddStringToObject(o, "unit", unit);
        cJSON *rb = cJSON_AddObjectToObject(o, "rubric");
        if (rb) {
            cJSON_AddStringToObject(rb, "id", r->id);
            cJSON_AddStringToObject(rb, "title", r->title);
            cJSON_AddStringToObject(rb, "name", kh_rubric_name(r));
            add_dec(rb, "total", r->total);
        }
        cJSON_AddItemToObject(o, "status", srv_fill_status_json(&st));
        bool open = st.state == KH_FS_SUBMITTED || st.state == KH_FS_REVIEWING;
        cJSON *may = cJSON_AddObjectToObject(o, "may");
        if (may) {
            cJSON_AddBoolToObject(may, "review", srv_is_staff(q) && open);
            cJSON_AddBoolToObject(may, "return", q->role == R_ADMIN &&
                                                     (open || st.state == KH_FS_REVIEWED));
        }
        cJSON_AddNumberToObject(o, "version", (double)rev->version);
        cJSON_AddNumberToObject(o, "self_version", (double)self->version);
        srv_add_str_or_null(o, "self_by", self->user);
        srv_add_str_or_null(o, "self_at", self->at);
        srv_add_str_or_null(o, "review_by", rev->user);
        srv_add_str_or_null(o, "review_at", rev->at);
        cJSON_AddItemToObject(o, "self_score", score_json(r, &ss));
        cJSON_AddItemToObject(o, "review_score", score_json(r, &rs));
        bool both = ss.unit && rs.unit;
        if (both)
            add_dec(o, "diff", rs.unit->total - ss.unit->total);
        else
            cJSON_AddNullToObject(o, "diff");
        srv_add_fill_deadline(o, s);
        cJSON *items = cJSON_AddArrayToObject(o, "items");
        for (size_t it = 0; items && it < r->nitems; it++) {
            const kh_item *item = &r->items[it];
            cJSON *e = srv_add_object(items);
            if (!e)
                break;
            cJSON_AddStringToObject(e, "num", item->num);
            srv_add_str_or_null(e, "name", item->name);
            cJSON_AddStringToObject(e, "content", item->content);
            add_dec(e, "points", item->points);
            if (ss.unit)
                add_dec(e, "self_score", ss.unit->items[it].score);
            if (rs.unit) {
                add_dec(e, "review_score", rs.unit->items[it].score);
                cJSON_AddStringToObject(e, "reason", rs.unit->items[it].reason);
            }
            if (both)
                add_dec(e, "diff", rs.unit->items[it].score - ss.unit->items[it].score);
            cJSON *cps = cJSON_AddArrayToObject(e, "cps");
            for (size_t j = item->first; cps && j < item->first + item->ncps; j++) {
                const kh_checkpoint *cp = &r->cps[j];
                const kh_answer *sa = &self->answers[j], *ra = &rev->answers[j];
                cJSON *k = srv_add_checkpoint_json(cps, cp);
                if (!k)
                    break;
                srv_add_str_or_null(k, "value", sa->value);
                srv_add_str_or_null(k, "remark", sa->remark);
                bool changed = ra->value && *ra->value;
                cJSON_AddBoolToObject(k, "agree", ra->agree);
                cJSON_AddBoolToObject(k, "changed", changed);
                srv_add_str_or_null(k, "review_value", changed ? ra->value : NULL);
                srv_add_str_or_null(k, "note", ra->note);
                /* What counts for the 考评: the inspector's value, else the unit's. */
                srv_add_str_or_null(k, "effective", changed ? ra->value : sa->value);
                kh_dec sd = ss.unit ? kh_unit_cp_deduction(ss.unit, j) : 0;
                kh_dec rd = rs.unit ? kh_unit_cp_deduction(rs.unit, j) : 0;
                if (ss.unit)
                    add_dec(k, "self_deduction", sd);
                if (rs.unit)
                    add_dec(k, "review_deduction", rd);
                if (both)
                    add_dec(k, "diff", sd - rd);
            }
        }
    }
    kh_fill_free(self);
    kh_fill_free(rev);
    kh_fill_status_clear(&st);
    kh_fill_scored_clear(&ss);
    kh_fill_scored_clear(&rs);
    return o;
}

/* The (unit, rubric) a request names, checked: 0, or an HTTP status and
 * *why. */
static int resolve(request *q, struct MHD_Connection *c, const cJSON *body, const rctx *x,
                   char **unit, const kh_rubric **r, const char **why)
{
    const char *u = srv_param(c, body, "unit");
    const char *rid = srv_param(c, body, "rubric");
    *unit = u ? kh_clean_name(u) : NULL;
    if (!*unit || !**unit) {
        *why = "请选择被考核单位";
        return 400;
    }
    if (!srv_may_unit(q, *unit)) {
        *why = NO_UNIT;
        return 403;
    }
    *r = rid && *rid ? kh_registry_find(x->reg, rid) : NULL;
    for (size_t i = 0; !*r && (!rid || !*rid) && x->roster && i < x->roster->n; i++)
        if (strcmp(x->roster->v[i].unit, *unit) == 0)
            *r = x->roster->v[i].rubric;
    if (!*r) {
        *why = "请选择考核细则";
        return 400;
    }
    return 0;
}

static enum MHD_Result send_view(kh_server *s, request *q, struct MHD_Connection *c,
                                 unsigned status, const rctx *x, const kh_rubric *r,
                                 const char *unit, const char *error, const kh_diags *d)
{
    cJSON *v = unit_json(s, q, x->reg, r, unit);
    if (!v)
        return srv_send_error(c, 503, NO_MEMORY);
    if (error) {
        cJSON_AddStringToObject(v, "error", error);
        cJSON *m = cJSON_AddArrayToObject(v, "messages");
        if (m && d)
            srv_add_messages(m, d);
    }
    return srv_send_json(c, status, v, NULL);
}

/* A refusal of the library: the status and the page's words, with the
 * current view where the page should show it. */
static enum MHD_Result send_why(kh_server *s, request *q, struct MHD_Connection *c,
                                const rctx *x, const kh_rubric *r, const char *unit,
                                kh_fill_refusal why, const kh_diags *d)
{
    switch (why) {
    case KH_FILL_CONFLICT:
        return send_view(s, q, c, 409, x, r, unit, "考评内容已被他人修改，本次未保存：已显示最新内容",
                         d);
    case KH_FILL_READONLY:
        return send_view(s, q, c, 409, x, r, unit, "该单位当前状态下不能考评（未提交、已退回或已考评）",
                         d);
    case KH_FILL_INCOMPLETE:
        return send_view(s, q, c, 422, x, r, unit, "检查表有未填写或填写错误的检查点，不能完成考评",
                         d);
    default:
        return send_view(s, q, c, 400, x, r, unit, "考评内容有误", d);
    }
}

/* The outcome of a change (st, why, the messages d, cleared): the
 * refusal, else the view as it is now. */
static enum MHD_Result send_outcome(kh_server *s, request *q, struct MHD_Connection *c,
                                    const rctx *x, const kh_rubric *r, const char *unit,
                                    kh_status st, kh_fill_refusal why, kh_diags *d)
{
    enum MHD_Result ret = st != KH_OK          ? srv_send_save_failure(c, st)
                          : why != KH_FILL_DONE ? send_why(s, q, c, x, r, unit, why, d)
                                                : send_view(s, q, c, 200, x, r, unit, NULL, NULL);
    kh_diags_clear(d);
    return ret;
}

static enum MHD_Result answer_save(kh_server *s, struct MHD_Connection *c, request *q,
                                   const cJSON *body, const rctx *x, const kh_rubric *r,
                                   const char *unit)
{
    const cJSON *answers = cJSON_GetObjectItemCaseSensitive(body, "answers");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(body, "version");
    if (!cJSON_IsArray(answers) || !cJSON_IsNumber(ver) || ver->valuedouble < 0)
        return srv_send_error(c, 400, "请求缺少 version 或 answers");
    kh_fill_edit *e = NULL;
    const char *no = NULL;
    int bad = srv_new_edits(answers, "每条考评内容都要有检查点 cp", &e, &no);
    if (bad)
        return srv_send_error(c, (unsigned)bad, no);
    size_t k = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, answers)
    {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(a, "agree");
        /* 同意 clears a changed value: the unit's answer stands. */
        bool agree = cJSON_IsTrue(g);
        e[k].value = agree ? "" : srv_edit_text(cJSON_GetObjectItemCaseSensitive(a, "value"));
        e[k].note = srv_edit_text(cJSON_GetObjectItemCaseSensitive(a, "note"));
        e[k].agree = cJSON_IsBool(g) ? agree : -1;
        k++;
    }
    kh_diags d = {0};
    long long version = (long long)ver->valuedouble;
    kh_fill_refusal why = KH_FILL_DONE;
    const char *user = srv_user(q);
    kh_status st = kh_fill_save(s->ws, r, unit, KH_SIDE_REVIEW, (long long)ver->valuedouble, e,
                                k, user, &version, &why, &d);
    kh_free(e);
    return send_outcome(s, q, c, x, r, unit, st, why, &d);
}

static enum MHD_Result answer_done(kh_server *s, struct MHD_Connection *c, request *q,
                                   const cJSON *body, const rctx *x, const kh_rubric *r,
                                   const char *unit)
{
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(body, "version");
    if (!cJSON_IsNumber(ver) || ver->valuedouble < 0)
        return srv_send_error(c, 400, "请求缺少 version");
    kh_diags d = {0};
    kh_fill_refusal why = KH_FILL_DONE;
    const char *user = srv_user(q);
    kh_status st = kh_fill_review_done(s->ws, x->reg, r, unit, (long long)ver->valuedouble, user,
                                       &why, &d);
    return send_outcome(s, q, c, x, r, unit, st, why, &d);
}

enum MHD_Result srv_answer_review(kh_server *s, struct MHD_Connection *c, request *q,
                                  const char *url)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区：在线考评需要 kaohe serve --workspace");
    if (q->role == R_NONE)
        return srv_send_error(c, 401, "请先登录");
    if (!srv_is_staff(q))
        return srv_send_error(c, 403, STAFF_ONLY);
    const char *sub = url + strlen("/api/review");
    if (!q->is_post && strcmp(sub, "/board") == 0)
        return answer_board(s, c, q);
    bool known = !q->is_post ? strcmp(sub, "/unit") == 0
                             : q->json && (strcmp(sub, "/save") == 0 || strcmp(sub, "/done") == 0);
    if (!known)
        return srv_send_error(c, 404, "没有这个页面");
    cJSON *body = NULL;
    if (q->is_post) {
        body = srv_json_body(q);
        if (!body)
            return srv_send_error(c, 400, SRV_NOT_JSON);
    }
    rctx x = {0};
    char *unit = NULL;
    const kh_rubric *r = NULL;
    const char *why = NULL;
    enum MHD_Result ret;
    if (!srv_request_roster(s, q, &x.reg, &x.roster)) {
        ret = srv_send_error(c, 503, NO_MEMORY);
    } else {
        int bad = resolve(q, c, body, &x, &unit, &r, &why);
        if (bad)
            ret = srv_send_error(c, (unsigned)bad, why);
        else if (!q->is_post)
            ret = send_view(s, q, c, 200, &x, r, unit, NULL, NULL);
        else if (strcmp(sub, "/save") == 0)
            ret = answer_save(s, c, q, body, &x, r, unit);
        else
            ret = answer_done(s, c, q, body, &x, r, unit);
    }
    kh_free(unit);
    rctx_free(&x);
    cJSON_Delete(body);
    return ret;
}

/* ---- the ranking: 自评 beside 考评 ---- */

/* The unit's answers as a kept result per check point (u->checks, as
 * kh_options.keep_checks gives a file's), read the way the checklist
 * reader reads them (an empty one: missing / 0, as it was scored), so
 * that the 自评与考评 sheet and the JSON show 有 / 无 / a count. */
static kh_status keep_answers(kh_server *s, const kh_rubric *r, const char *unit, kh_unit *u,
                              kh_diags *d)
{
    char **v = NULL, **m = NULL;
    kh_status st = kh_fill_values(s->ws, r, unit, KH_SIDE_SELF, &v, &m, d);
    if (st != KH_OK)
        return st;
    kh_check *k = kh_calloc(r->ncps ? r->ncps : 1, sizeof *k);
    if (!k) {
        kh_fill_values_free(v, m, r->ncps);
        return KH_ERR_NOMEM;
    }
    for (size_t i = 0; i < r->ncps; i++) {
        if (!v[i])
            continue;
        if (r->cps[i].kind == KH_KIND_HAS)
            kh_parse_presence(v[i], &k[i].present);
        else
            kh_parse_count(v[i], false, &k[i].n);
    }
    u->checks = k;
    kh_fill_values_free(v, m, r->ncps);
    return KH_OK;
}

kh_status srv_review_add_selves(kh_server *s, kh_batch *b, const kh_registry *reg)
{
    if (!s->ws)
        return KH_OK;
    kh_fill_status *all = NULL;
    size_t n = 0;
    kh_diags d = {0};
    kh_status st = kh_fill_status_all(s->ws, &all, &n, &d);
    /* Only where the ranked record is the reviewed checklist (已考评):
     * before, the record is the unit's own (已提交) or there is none. */
    for (size_t i = 0; st == KH_OK && i < n; i++) {
        if (all[i].state != KH_FS_REVIEWED)
            continue;
        const kh_rubric *r = kh_registry_find(reg, all[i].rubric);
        if (!r)
            continue;
        kh_fill_scored sc = {0};
        st = kh_fill_score(s->ws, reg, r, all[i].unit, KH_SIDE_SELF, &sc, &d);
        if (st == KH_OK && sc.unit && !sc.unit->checks)
            st = keep_answers(s, r, all[i].unit, sc.unit, &d);
        if (st == KH_OK && sc.unit) {
            /* Named as the page names it, not by the unit alone. */
            char *src = kh_strprintf("%s（在线自评）", all[i].unit);
            if (src) {
                kh_free(sc.unit->cl->source);
                sc.unit->cl->source = src;
            }
            st = kh_batch_add_self_unit(b, sc.unit);
            sc.unit = NULL;
        }
        kh_fill_scored_clear(&sc);
    }
    kh_diags_clear(&d);
    kh_fill_statuses_free(all, n);
    return st;
}
