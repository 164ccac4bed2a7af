/*
 * filling.c - the online 填报 of a unit's checklist (fill.h) on the page:
 *
 *   GET  /api/fill/units              the units the user may open, with status
 *   GET  /api/fill?unit=U&rubric=R    the form: check points, answers,
 *                                     status, deadline, the engine's score
 *   POST /api/fill/save               JSON {unit, rubric, side, version,
 *                                     answers: [{cp, value, remark, note,
 *                                     agree}]}: 409 with the current form
 *                                     when the version is stale
 *   POST /api/fill/submit             JSON {unit, rubric, version}
 *   POST /api/fill/return             JSON {unit, rubric, reason} (管理员)
 *   POST /api/fill/deadline           JSON {deadline} (管理员)
 *   GET  /api/fill/download?unit=U&rubric=R[&side=review]
 *                                     the filled checklist (XLSX)
 *   POST /api/fill/upload?unit=U&rubric=R&version=N
 *                                     a filled checklist (multipart) fills
 *                                     the form
 *
 * Every request naming a unit is checked with srv_may_unit; the unit's
 * own answers change only by a 填报员 of it or an admin, the 考评 side only
 * by staff.  Scores come from the library (kh_fill_score), never the page.
 */
#include "serve.h"
#include "fill.h"
#include "roster.h"
#include "rubric.h"
#include "outfile.h"
#include "template_out.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#define NO_UNIT "无权查看其他单位的材料"

/* What one request is about. */
typedef struct fctx {
    kh_registry *reg;
    kh_roster *roster;    /* the workspace's, or NULL */
    const kh_rubric *r;
    char *unit;           /* cleaned */
} fctx;

static void fctx_free(fctx *x)
{
    kh_roster_free(x->roster);
    kh_registry_free(x->reg);
    kh_free(x->unit);
}

int srv_fill_may(const request *q, const char *unit, srv_fill_act act, const char **why)
{
    if (q->role == R_NONE) {
        *why = "请先登录";
        return 401;
    }
    if (unit && !srv_may_unit(q, unit)) {
        *why = NO_UNIT;
        return 403;
    }
    switch (act) {
    case FA_READ:
        return 0;
    case FA_SELF:
        if (q->role == R_ADMIN || q->role == R_FILLER)
            return 0;
        *why = "只有本单位的填报员或管理员能修改自评";
        return 403;
    case FA_REVIEW:
        if (srv_is_staff(q))
            return 0;
        *why = "只有考评员或管理员能考评";
        return 403;
    case FA_ADMIN:
        if (q->role == R_ADMIN)
            return 0;
        *why = "只有管理员能退回或设置截止时间";
        return 403;
    }
    *why = NO_UNIT;
    return 403;
}

static long long param_ll(struct MHD_Connection *c, const cJSON *body, const char *key)
{
    const cJSON *v = body ? cJSON_GetObjectItemCaseSensitive(body, key) : NULL;
    if (cJSON_IsNumber(v))
        return (long long)v->valuedouble;
    const char *t = srv_param(c, body, key);
    return t ? strtoll(t, NULL, 10) : -1;
}

/* Resolve the unit (a 填报员's own when none is named) and its rubric (the
 * one named, else the roster's for the unit, else the only one): 0, or
 * the HTTP status with *why. */
static int resolve(kh_server *s, request *q, struct MHD_Connection *c, const cJSON *body,
                   fctx *x, const char **why)
{
    const char *unit = srv_param(c, body, "unit");
    if ((!unit || !*unit) && q->role == R_FILLER)
        unit = q->unit;
    if (!unit || !*unit) {
        *why = "请选择被考核单位";
        return 400;
    }
    x->unit = kh_clean_name(unit);
    if (!x->unit || !*x->unit) {
        *why = "被考核单位名称无效";
        return 400;
    }
    int bad = srv_fill_may(q, x->unit, FA_READ, why);
    if (bad)
        return bad;
    if (!srv_request_roster(s, q, &x->reg, &x->roster)) {
        *why = "服务器内存不足：请稍后再试";
        return 503;
    }
    const char *rid = srv_param(c, body, "rubric");
    if (rid && *rid) {
        x->r = kh_registry_find(x->reg, rid);
    } else {
        for (size_t i = 0; x->roster && i < x->roster->n && !x->r; i++)
            if (strcmp(x->roster->v[i].unit, x->unit) == 0)
                x->r = x->roster->v[i].rubric;
        if (!x->r && kh_registry_count(x->reg) == 1)
            x->r = kh_registry_at(x->reg, 0);
    }
    if (!x->r) {
        *why = "请选择考核细则";
        return 400;
    }
    /* A 填报员 fills its roster rubric only. */
    if (q->role == R_FILLER && x->roster) {
        bool listed = false;
        for (size_t i = 0; i < x->roster->n && !listed; i++)
            listed = strcmp(x->roster->v[i].unit, x->unit) == 0 && x->roster->v[i].rubric == x->r;
        if (!listed) {
            *why = NO_UNIT;
            return 403;
        }
    }
    return 0;
}

/* The rubric's items and check points as the form shows them. */
static cJSON *items_json(const kh_rubric *r)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < r->nitems; i++) {
        const kh_item *it = &r->items[i];
        cJSON *o = srv_add_object(a);
        if (!o)
            break;
        char pts[KH_DEC_BUFSZ];
        cJSON_AddStringToObject(o, "num", it->num);
        cJSON_AddStringToObject(o, "content", it->content);
        if (it->name)
            cJSON_AddStringToObject(o, "name", it->name);
        cJSON_AddStringToObject(o, "points", kh_dec_format(it->points, pts));
        cJSON *cps = cJSON_AddArrayToObject(o, "cps");
        for (size_t k = 0; cps && k < it->ncps; k++) {
            const kh_checkpoint *cp = &r->cps[it->first + k];
            cJSON *e = srv_add_checkpoint_json(cps, cp);
            if (!e)
                break;
            char *fill = kh_fill_text(cp);
            if (fill)
                cJSON_AddStringToObject(e, "fill", fill);
            kh_free(fill);
        }
    }
    return a;
}

/* One side's answers: {version, user, at, answers: {cp: {...}}}. */
static cJSON *side_json(const kh_rubric *r, const kh_fill *f)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "version", (double)f->version);
    srv_add_str_or_null(o, "user", f->user);
    srv_add_str_or_null(o, "at", f->at);
    cJSON *a = cJSON_AddObjectToObject(o, "answers");
    for (size_t i = 0; a && i < f->n; i++) {
        const kh_answer *an = &f->answers[i];
        if (!an->value && !an->remark && !an->note && !an->agree)
            continue;
        cJSON *e = cJSON_AddObjectToObject(a, r->cps[i].id);
        if (!e)
            break;
        srv_add_str_or_null(e, "value", an->value);
        srv_add_str_or_null(e, "remark", an->remark);
        if (f->side == KH_SIDE_REVIEW) {
            srv_add_str_or_null(e, "note", an->note);
            cJSON_AddBoolToObject(e, "agree", an->agree);
        }
    }
    return o;
}

/* The engine's score of side: {total, full, vetoed, unanswered, items,
 * issues}; null when nothing could be scored. */
static cJSON *score_json(kh_server *s, fctx *x, kh_fill_side side)
{
    kh_fill_scored sc = {0};
    kh_diags d = {0};
    kh_status st = kh_fill_score(s->ws, x->reg, x->r, x->unit, side, &sc, &d);
    kh_diags_clear(&d);
    if (st != KH_OK)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        kh_fill_scored_clear(&sc);
        return NULL;
    }
    char buf[KH_DEC_BUFSZ];
    cJSON_AddStringToObject(o, "full", kh_dec_format(x->r->total, buf));
    cJSON_AddNumberToObject(o, "unanswered", (double)sc.unanswered);
    if (sc.unit) {
        cJSON_AddStringToObject(o, "total", kh_dec_format(sc.unit->total, buf));
        cJSON_AddBoolToObject(o, "vetoed", sc.unit->vetoed);
        if (sc.unit->veto_reason)
            cJSON_AddStringToObject(o, "veto_reason", sc.unit->veto_reason);
        cJSON *items = cJSON_AddArrayToObject(o, "items");
        for (size_t i = 0; items && i < x->r->nitems; i++) {
            cJSON *e = srv_add_object(items);
            if (!e)
                break;
            cJSON_AddStringToObject(e, "num", x->r->items[i].num);
            cJSON_AddStringToObject(e, "score", kh_dec_format(sc.unit->items[i].score, buf));
            cJSON_AddStringToObject(e, "deduction",
                                    kh_dec_format(sc.unit->items[i].deduction, buf));
            cJSON_AddStringToObject(e, "reason", sc.unit->items[i].reason);
        }
    } else {
        cJSON_AddNullToObject(o, "total");
    }
    srv_add_fill_issues(o, x->r, &sc);
    kh_fill_scored_clear(&sc);
    return o;
}

/* What q's user may do with the form in status st. */
static cJSON *may_json(const request *q, const kh_fill_status *st)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool own = q->role == R_ADMIN || q->role == R_FILLER;
    bool open = st->state == KH_FS_EMPTY || st->state == KH_FS_FILLING;
    cJSON_AddBoolToObject(o, "edit", own && open);
    cJSON_AddBoolToObject(o, "submit", own && st->state == KH_FS_FILLING);
    cJSON_AddBoolToObject(o, "review", srv_is_staff(q) && (st->state == KH_FS_SUBMITTED ||
                                                           st->state == KH_FS_REVIEWING));
    cJSON_AddBoolToObject(o, "return", q->role == R_ADMIN &&
                                           (st->state == KH_FS_SUBMITTED ||
                                            st->state == KH_FS_REVIEWING ||
                                            st->state == KH_FS_REVIEWED));
    cJSON_AddBoolToObject(o, "deadline", q->role == R_ADMIN);
    return o;
}

/* The whole form of x for q's user. */
static cJSON *form_json(kh_server *s, request *q, fctx *x)
{
    kh_diags d = {0};
    kh_fill *self = NULL, *rev = NULL;
    kh_fill_status st = {0};
    kh_status rc = kh_fill_get(s->ws, x->r, x->unit, KH_SIDE_SELF, &self, &d);
    if (rc == KH_OK)
        rc = kh_fill_status_get(s->ws, x->unit, x->r->id, &st, &d);
    /* The inspectors' side: for staff, and for the unit once reviewed. */
    bool show_review = srv_is_staff(q) || st.state == KH_FS_REVIEWED;
    if (rc == KH_OK && show_review)
        rc = kh_fill_get(s->ws, x->r, x->unit, KH_SIDE_REVIEW, &rev, &d);
    kh_diags_clear(&d);
    cJSON *o = rc == KH_OK ? cJSON_CreateObject() : NULL;
    if (o) {
        cJSON_AddStringToObject(o, "unit", x->unit);
        cJSON *rb = cJSON_AddObjectToObject(o, "rubric");
        if (rb) {
            char buf[KH_DEC_BUFSZ];
            cJSON_AddStringToObject(rb, "id", x->r->id);
            cJSON_AddStringToObject(rb, "title", x->r->title);
            cJSON_AddStringToObject(rb, "unit_type", x->r->unit_type);
            cJSON_AddStringToObject(rb, "total", kh_dec_format(x->r->total, buf));
        }
        cJSON_AddItemToObject(o, "items", items_json(x->r));
        cJSON_AddItemToObject(o, "self", side_json(x->r, self));
        if (rev) {
            cJSON_AddItemToObject(o, "review", side_json(x->r, rev));
            cJSON_AddItemToObject(o, "review_score", score_json(s, x, KH_SIDE_REVIEW));
        }
        cJSON_AddItemToObject(o, "status", srv_fill_status_json(&st));
        cJSON_AddItemToObject(o, "may", may_json(q, &st));
        cJSON_AddItemToObject(o, "score", score_json(s, x, KH_SIDE_SELF));
        srv_add_fill_deadline(o, s);
    }
    kh_fill_free(self);
    kh_fill_free(rev);
    kh_fill_status_clear(&st);
    return o;
}

/* The messages of d as {error, messages}. */
static enum MHD_Result send_refusal(struct MHD_Connection *c, unsigned status, const char *error,
                                    const kh_diags *d, cJSON *extra_form)
{
    cJSON *j = cJSON_CreateObject();
    if (!j) {
        cJSON_Delete(extra_form);
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    cJSON_AddStringToObject(j, "error", error);
    cJSON *m = cJSON_AddArrayToObject(j, "messages");
    if (m && d)
        srv_add_messages(m, d);
    if (extra_form)
        cJSON_AddItemToObject(j, "current", extra_form);
    return srv_send_json(c, status, j, NULL);
}

/* A refusal of the library as HTTP: the status and the page's words. */
static enum MHD_Result send_why(kh_server *s, request *q, struct MHD_Connection *c, fctx *x,
                                kh_fill_refusal why, const kh_diags *d)
{
    switch (why) {
    case KH_FILL_CONFLICT:
        return send_refusal(c, 409, "内容已在别处修改，本次未保存", d, form_json(s, q, x));
    case KH_FILL_READONLY:
        return send_refusal(c, 409, "当前状态下不能修改", d, form_json(s, q, x));
    case KH_FILL_LATE:
        return send_refusal(c, 403, "已过提交截止时间", d, NULL);
    case KH_FILL_INCOMPLETE:
        return send_refusal(c, 422, "检查表尚未填完或有填写错误", d, NULL);
    default:
        return send_refusal(c, 400, "填写内容有误", d, NULL);
    }
}

/* The outcome of a change (st, why, the messages d, cleared): the
 * refusal, else the form as it is now. */
static enum MHD_Result send_outcome(kh_server *s, request *q, struct MHD_Connection *c,
                                    fctx *x, kh_status st, kh_fill_refusal why, kh_diags *d)
{
    enum MHD_Result ret = st != KH_OK          ? srv_send_save_failure(c, st)
                          : why != KH_FILL_DONE ? send_why(s, q, c, x, why, d)
                                                : srv_send_json(c, 200, form_json(s, q, x), NULL);
    kh_diags_clear(d);
    return ret;
}

/* GET /api/fill/units: the units q's user may open, each with its
 * rubric and status. */
static enum MHD_Result answer_units(kh_server *s, struct MHD_Connection *c, request *q)
{
    srv_forms f;
    kh_status st = srv_forms_load(s, q, &f);
    cJSON *j = st == KH_OK ? cJSON_CreateObject() : NULL;
    cJSON *a = j ? cJSON_AddArrayToObject(j, "units") : NULL;
    const char *unit;
    const kh_rubric *r;
    const kh_fill_status *fs;
    for (size_t i = 0; a && srv_next_form(q, &f, &i, &unit, &r, &fs);) {
        cJSON *e = srv_add_object(a);
        if (!e)
            break;
        cJSON_AddStringToObject(e, "unit", unit);
        cJSON_AddStringToObject(e, "rubric", r->id);
        cJSON_AddStringToObject(e, "rubric_name", kh_rubric_name(r));
        cJSON_AddStringToObject(e, "state", kh_fill_state_name(fs ? fs->state : KH_FS_EMPTY));
        srv_add_str_or_null(e, "changed", fs ? fs->changed : NULL);
        cJSON_AddNumberToObject(e, "answered", fs ? (double)fs->self_answered : 0);
        cJSON_AddNumberToObject(e, "checks", (double)r->ncps);
    }
    if (j) {
        srv_add_fill_deadline(j, s);
        cJSON_AddBoolToObject(j, "roster", f.roster != NULL);
    }
    srv_forms_free(&f);
    if (!j)
        return srv_send_save_failure(c, st == KH_OK ? KH_ERR_NOMEM : st);
    return srv_send_json(c, 200, j, NULL);
}

/* POST /api/fill/save. */
static enum MHD_Result answer_save(kh_server *s, struct MHD_Connection *c, request *q,
                                   const cJSON *body, fctx *x)
{
    const char *sd = srv_param(c, body, "side");
    kh_fill_side side = sd && (strcmp(sd, "review") == 0 || strcmp(sd, "考评") == 0)
                            ? KH_SIDE_REVIEW
                            : KH_SIDE_SELF;
    const char *no = NULL;
    int bad = srv_fill_may(q, x->unit, side == KH_SIDE_SELF ? FA_SELF : FA_REVIEW, &no);
    if (bad)
        return srv_send_error(c, (unsigned)bad, no);
    const cJSON *answers = cJSON_GetObjectItemCaseSensitive(body, "answers");
    long long base = param_ll(c, body, "version");
    if (!cJSON_IsArray(answers) || base < 0)
        return srv_send_error(c, 400, "请求缺少 version 或 answers");
    kh_fill_edit *e = NULL;
    bad = srv_new_edits(answers, "每条填写内容都要有检查点 cp", &e, &no);
    if (bad)
        return srv_send_error(c, (unsigned)bad, no);
    size_t k = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, answers)
    {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(a, "agree");
        e[k].value = srv_edit_text(cJSON_GetObjectItemCaseSensitive(a, "value"));
        e[k].remark = srv_edit_text(cJSON_GetObjectItemCaseSensitive(a, "remark"));
        e[k].note = side == KH_SIDE_REVIEW
                        ? srv_edit_text(cJSON_GetObjectItemCaseSensitive(a, "note"))
                        : NULL;
        e[k].agree = side == KH_SIDE_REVIEW && cJSON_IsBool(g) ? cJSON_IsTrue(g) : -1;
        if (side == KH_SIDE_REVIEW)
            e[k].remark = NULL;
        k++;
    }
    kh_diags d = {0};
    long long version = base;
    kh_fill_refusal why = KH_FILL_DONE;
    const char *user = srv_user(q);
    kh_status st = kh_fill_save(s->ws, x->r, x->unit, side, base, e, k, user, &version, &why, &d);
    kh_free(e);
    enum MHD_Result ret;
    if (st != KH_OK) {
        ret = srv_send_save_failure(c, st);
    } else if (why != KH_FILL_DONE) {
        ret = send_why(s, q, c, x, why, &d);
    } else {
        cJSON *j = cJSON_CreateObject();
        if (j) {
            cJSON_AddNumberToObject(j, "version", (double)version);
            cJSON_AddItemToObject(j, "score", score_json(s, x, side));
            kh_fill_status fs = {0};
            kh_diags d2 = {0};
            if (kh_fill_status_get(s->ws, x->unit, x->r->id, &fs, &d2) == KH_OK) {
                cJSON_AddItemToObject(j, "status", srv_fill_status_json(&fs));
                cJSON_AddItemToObject(j, "may", may_json(q, &fs));
            }
            kh_fill_status_clear(&fs);
            kh_diags_clear(&d2);
        }
        ret = j ? srv_send_json(c, 200, j, NULL)
                : srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    kh_diags_clear(&d);
    return ret;
}

/* POST /api/fill/submit, /api/fill/return. */
static enum MHD_Result answer_change(kh_server *s, struct MHD_Connection *c, request *q,
                                     const cJSON *body, fctx *x, bool submit)
{
    const char *user = srv_user(q);
    kh_diags d = {0};
    kh_fill_refusal why = KH_FILL_DONE;
    kh_status st;
    const char *no = NULL;
    int bad = srv_fill_may(q, x->unit, submit ? FA_SELF : FA_ADMIN, &no);
    if (bad)
        return srv_send_error(c, (unsigned)bad, no);
    if (submit) {
        long long base = param_ll(c, body, "version");
        st = kh_fill_submit(s->ws, x->reg, x->r, x->unit, base, user, &why, &d);
    } else {
        st = kh_fill_return(s->ws, x->unit, x->r->id, srv_param(c, body, "reason"), user, &why, &d);
    }
    return send_outcome(s, q, c, x, st, why, &d);
}

/* GET /api/fill/download: the filled checklist. */
static enum MHD_Result answer_download(kh_server *s, struct MHD_Connection *c, request *q,
                                       fctx *x)
{
    const char *sd = srv_param(c, NULL, "side");
    kh_fill_side side = sd && strcmp(sd, "review") == 0 ? KH_SIDE_REVIEW : KH_SIDE_SELF;
    if (side == KH_SIDE_REVIEW && srv_fill_may(q, x->unit, FA_REVIEW, &(const char *){NULL})) {
        kh_fill_status fs = {0};
        kh_diags d = {0};
        bool reviewed = kh_fill_status_get(s->ws, x->unit, x->r->id, &fs, &d) == KH_OK &&
                        fs.state == KH_FS_REVIEWED;
        kh_fill_status_clear(&fs);
        kh_diags_clear(&d);
        if (!reviewed)
            return srv_send_error(c, 403, "考评完成后才能下载考评结果");
    }
    if (!q->dir[0] && !srv_request_folder(q))
        return srv_send_error(c, 507, "服务器无法建立临时文件夹：磁盘已满或没有权限");
    char *path = kh_strprintf("%s/filled.xlsx", q->dir);
    char *name = kh_strprintf("%s-%s检查表.xlsx", x->unit,
                              side == KH_SIDE_REVIEW ? "考评" : "");
    char *safe = name ? kh_safe_filename(name) : NULL;
    kh_diags d = {0};
    kh_status st = path && safe ? kh_fill_write_xlsx(s->ws, x->r, x->unit, side, path, &d)
                                : KH_ERR_NOMEM;
    kh_diags_clear(&d);
    enum MHD_Result ret =
        st == KH_OK
            ? srv_send_file(c, path,
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            "checklist.xlsx", safe)
            : srv_send_save_failure(c, st);
    kh_free(path);
    kh_free(name);
    kh_free(safe);
    return ret;
}

/* POST /api/fill/upload: a filled checklist fills the form. */
static enum MHD_Result answer_upload(kh_server *s, struct MHD_Connection *c, request *q,
                                     fctx *x)
{
    const char *no = NULL;
    int bad = srv_fill_may(q, x->unit, FA_SELF, &no);
    if (bad)
        return srv_send_error(c, (unsigned)bad, no);
    const saved *f = NULL;
    for (size_t i = 0; i < q->nfiles && !f; i++)
        if (q->files[i].kind == P_CHECKLIST)
            f = &q->files[i];
    if (!f)
        return srv_send_error(c, 400, "没有收到检查表：请选择 .xlsx、.xls、.ods 或 .csv 文件");
    long long base = param_ll(c, NULL, "version");
    if (base < 0)
        return srv_send_error(c, 400, "请求缺少 version");
    kh_diags d = {0};
    long long version = base;
    kh_fill_refusal why = KH_FILL_DONE;
    const char *user = srv_user(q);
    kh_status st =
        kh_fill_from_file(s->ws, x->reg, x->r, x->unit, f->path, base, user, &version, &why, &d);
    /* Messages name the file as the office called it, not its path here. */
    for (size_t i = 0; i < d.n; i++)
        if (d.v[i].file && strcmp(d.v[i].file, f->path) == 0) {
            char *nm = kh_strdup(f->name);
            if (nm) {
                kh_free(d.v[i].file);
                d.v[i].file = nm;
            }
        }
    return send_outcome(s, q, c, x, st, why, &d);
}

/* POST /api/fill/deadline. */
static enum MHD_Result answer_deadline(kh_server *s, struct MHD_Connection *c, request *q,
                                       const cJSON *body)
{
    const char *no = NULL;
    int bad = srv_fill_may(q, NULL, FA_ADMIN, &no);
    if (bad)
        return srv_send_error(c, (unsigned)bad, no);
    kh_diags d = {0};
    kh_status st = kh_fill_set_deadline(s->ws, srv_param(c, body, "deadline"), &d);
    enum MHD_Result ret;
    if (st == KH_ERR_USAGE) {
        ret = send_refusal(c, 400, "截止时间格式不对", &d, NULL);
    } else if (st != KH_OK) {
        ret = srv_send_save_failure(c, st);
    } else {
        cJSON *j = cJSON_CreateObject();
        if (j)
            srv_add_fill_deadline(j, s);
        ret = srv_send_json(c, 200, j, NULL);
    }
    kh_diags_clear(&d);
    return ret;
}

enum MHD_Result srv_answer_fill(kh_server *s, struct MHD_Connection *c, request *q,
                                const char *url)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区：在线填报需要 kaohe serve --workspace");
    const char *no = NULL;
    int bad0 = srv_fill_may(q, NULL, FA_READ, &no);
    if (bad0)
        return srv_send_error(c, (unsigned)bad0, no);
    const char *sub = url + strlen("/api/fill");
    bool get = !q->is_post;
    if (get && strcmp(sub, "/units") == 0)
        return answer_units(s, c, q);
    cJSON *body = NULL;
    if (!get && q->json) {
        body = srv_json_body(q);
        if (!body)
            return srv_send_error(c, 400, SRV_NOT_JSON);
    }
    enum MHD_Result ret;
    if (!get && strcmp(sub, "/deadline") == 0) {
        ret = answer_deadline(s, c, q, body);
        cJSON_Delete(body);
        return ret;
    }
    bool known = get ? strcmp(sub, "") == 0 || strcmp(sub, "/download") == 0
                     : (q->json && (strcmp(sub, "/save") == 0 || strcmp(sub, "/submit") == 0 ||
                                    strcmp(sub, "/return") == 0)) ||
                           (!q->json && strcmp(sub, "/upload") == 0);
    if (!known) {
        cJSON_Delete(body);
        return srv_send_error(c, 404, "没有这个页面");
    }
    fctx x = {0};
    const char *why = NULL;
    int bad = resolve(s, q, c, body, &x, &why);
    if (bad)
        ret = srv_send_error(c, (unsigned)bad, why);
    else if (get && !*sub)
        ret = srv_send_json(c, 200, form_json(s, q, &x), NULL);
    else if (get)
        ret = answer_download(s, c, q, &x);
    else if (strcmp(sub, "/save") == 0)
        ret = answer_save(s, c, q, body, &x);
    else if (strcmp(sub, "/submit") == 0)
        ret = answer_change(s, c, q, body, &x, true);
    else if (strcmp(sub, "/return") == 0)
        ret = answer_change(s, c, q, body, &x, false);
    else
        ret = answer_upload(s, c, q, &x);
    fctx_free(&x);
    cJSON_Delete(body);
    return ret;
}
