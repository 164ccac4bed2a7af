/*
 * fill.c - the online 填报 and 考评 record of a workspace (fill.h): answers
 * with versions, the status and its rules, scoring through the checklist
 * reader and the engine, the filled checklist out and in, the journal.
 */
#include "fill.h"
#include "checklist.h"
#include "kaohe.h"
#include "platform.h"
#include "sheetfile.h"
#include "template_out.h"
#include "text.h"
#include "workspace_db.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The longest value, remark or note kept (bytes): a cell holds 32767
 * characters, but nobody types a page into one answer. */
#define TEXT_MAX 4000

/* The changes of one process, one at a time (a 提交 reads, writes a file,
 * records it and changes the status: no save may come in between). */
static pthread_mutex_t fill_mu = PTHREAD_MUTEX_INITIALIZER;

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS fill_forms(unit TEXT NOT NULL, rubric TEXT NOT NULL,"
    " side INTEGER NOT NULL, version INTEGER NOT NULL, user TEXT, at TEXT,"
    " PRIMARY KEY(unit, rubric, side));"
    "CREATE TABLE IF NOT EXISTS fill_answers(unit TEXT NOT NULL, rubric TEXT NOT NULL,"
    " side INTEGER NOT NULL, cp TEXT NOT NULL, value TEXT, remark TEXT, note TEXT,"
    " agree INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(unit, rubric, side, cp));"
    "CREATE TABLE IF NOT EXISTS fill_status(unit TEXT NOT NULL, rubric TEXT NOT NULL,"
    " state INTEGER NOT NULL, returned INTEGER NOT NULL DEFAULT 0, reason TEXT, user TEXT,"
    " at TEXT, changed TEXT, PRIMARY KEY(unit, rubric));"
    "CREATE TABLE IF NOT EXISTS fill_journal(id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
    " user TEXT NOT NULL, unit TEXT NOT NULL, rubric TEXT NOT NULL, what TEXT NOT NULL,"
    " cp TEXT, field TEXT NOT NULL, old TEXT, new TEXT, reason TEXT);";

#define NOW "datetime('now', 'localtime')"

const char *kh_fill_side_name(kh_fill_side side)
{
    return side == KH_SIDE_REVIEW ? "考评" : "自评";
}

const char *kh_fill_state_name(kh_fill_state s)
{
    static const char *const names[] = {"未填报", "填报中", "已提交", "考评中", "已考评"};
    return (unsigned)s < KH_ARRAY_LEN(names) ? names[s] : "未填报";
}

/* ---- SQLite helpers (the caller holds kh_ws_lock) ---- */

static kh_status tables(kh_workspace *w, kh_diags *d)
{
    return kh_ws_exec(w, schema, d);
}

static const char *side_num(kh_fill_side side)
{
    return side == KH_SIDE_REVIEW ? "1" : "0";
}

/* A journal row. */
static bool journal(kh_workspace *w, const char *user, const char *unit, const char *rubric,
                    const char *what, const char *cp, const char *field, const char *old,
                    const char *new_, const char *reason)
{
    const kh_ws_arg a[] = {KH_WS_TEXT(user), KH_WS_TEXT(unit),  KH_WS_TEXT(rubric),
                           KH_WS_TEXT(what), KH_WS_TEXT(cp),    KH_WS_TEXT(field),
                           KH_WS_TEXT(old),  KH_WS_TEXT(new_),  KH_WS_TEXT(reason)};
    return kh_ws_run(w,
                     "INSERT INTO fill_journal(at, user, unit, rubric, what, cp, field, old, new,"
                     " reason) VALUES(" NOW ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                     a, KH_ARRAY_LEN(a));
}

/* The status row of (unit, rubric) into s (unit/rubric copied), versions
 * and counts included. */
static kh_status status_locked(kh_workspace *w, const char *unit, const char *rubric,
                               kh_fill_status *s, kh_diags *d)
{
    memset(s, 0, sizeof *s);
    s->unit = kh_strdup(unit);
    s->rubric = kh_strdup(rubric);
    if (!s->unit || !s->rubric) {
        kh_fill_status_clear(s);
        return KH_ERR_NOMEM;
    }
    const kh_ws_arg a[] = {KH_WS_TEXT(unit), KH_WS_TEXT(rubric)};
    sqlite3_stmt *q = kh_ws_prepare(w,
                                    "SELECT state, returned, reason, user, at, changed"
                                    " FROM fill_status WHERE unit = ?1 AND rubric = ?2",
                                    a, 2);
    if (!q)
        return kh_ws_db_error(w, d);
    int rc = sqlite3_step(q);
    bool oom = false;
    if (rc == SQLITE_ROW) {
        s->state = (kh_fill_state)sqlite3_column_int(q, 0);
        s->returned = sqlite3_column_int(q, 1) != 0;
        s->reason = kh_ws_col(q, 2);
        s->user = kh_ws_col(q, 3);
        s->at = kh_ws_col(q, 4);
        s->changed = kh_ws_col(q, 5);
        oom = (sqlite3_column_type(q, 2) != SQLITE_NULL && !s->reason) ||
              (sqlite3_column_type(q, 3) != SQLITE_NULL && !s->user) ||
              (sqlite3_column_type(q, 4) != SQLITE_NULL && !s->at) ||
              (sqlite3_column_type(q, 5) != SQLITE_NULL && !s->changed);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kh_ws_db_error(w, d);
    if (oom)
        return KH_ERR_NOMEM;
    q = kh_ws_prepare(w,
                      "SELECT side, version, (SELECT count(*) FROM fill_answers a"
                      " WHERE a.unit = f.unit AND a.rubric = f.rubric AND a.side = f.side"
                      " AND (a.value IS NOT NULL AND (a.side = 0 OR a.agree = 0)))"
                      " FROM fill_forms f WHERE unit = ?1 AND rubric = ?2",
                      a, 2);
    if (!q)
        return kh_ws_db_error(w, d);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (sqlite3_column_int(q, 0) == 1) {
            s->review_version = sqlite3_column_int64(q, 1);
            s->review_changed = (size_t)sqlite3_column_int64(q, 2);
        } else {
            s->self_version = sqlite3_column_int64(q, 1);
            s->self_answered = (size_t)sqlite3_column_int64(q, 2);
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? KH_OK : kh_ws_db_error(w, d);
}

/* Set the state of (unit, rubric) from s->state to to, journalled; with
 * returned/reason as given (reason NULL keeps the last one). */
static bool set_state(kh_workspace *w, const kh_fill_status *s, kh_fill_state to, bool returned,
                      const char *reason, const char *user)
{
    char num[8], ret[4];
    snprintf(num, sizeof num, "%d", (int)to);
    snprintf(ret, sizeof ret, "%d", returned ? 1 : 0);
    const kh_ws_arg a[] = {KH_WS_TEXT(s->unit), KH_WS_TEXT(s->rubric),
                           KH_WS_TEXT(num),     KH_WS_TEXT(ret),
                           KH_WS_TEXT(reason ? reason : s->reason), KH_WS_TEXT(user)};
    return kh_ws_run(w,
                     "INSERT OR REPLACE INTO fill_status(unit, rubric, state, returned, reason,"
                     " user, at, changed) VALUES(?1, ?2, ?3, ?4, ?5, ?6, " NOW ", " NOW ")",
                     a, KH_ARRAY_LEN(a)) &&
           journal(w, user, s->unit, s->rubric, "状态", NULL, "state",
                   kh_fill_state_name(s->state), kh_fill_state_name(to), reason);
}

/* ---- answers ---- */

void kh_fill_free(kh_fill *f)
{
    if (!f)
        return;
    for (size_t i = 0; f->answers && i < f->n; i++) {
        kh_free(f->answers[i].value);
        kh_free(f->answers[i].remark);
        kh_free(f->answers[i].note);
    }
    kh_free(f->answers);
    kh_free(f->unit);
    kh_free(f->rubric);
    kh_free(f->user);
    kh_free(f->at);
    kh_free(f);
}

static kh_status get_locked(kh_workspace *w, const kh_rubric *r, const char *unit,
                            kh_fill_side side, kh_fill **out, kh_diags *d)
{
    *out = NULL;
    kh_fill *f = kh_calloc(1, sizeof *f);
    if (!f)
        return KH_ERR_NOMEM;
    f->side = side;
    f->n = r->ncps;
    f->unit = kh_strdup(unit);
    f->rubric = kh_strdup(r->id);
    f->answers = kh_calloc(r->ncps ? r->ncps : 1, sizeof *f->answers);
    if (!f->unit || !f->rubric || !f->answers) {
        kh_fill_free(f);
        return KH_ERR_NOMEM;
    }
    const kh_ws_arg a[] = {KH_WS_TEXT(unit), KH_WS_TEXT(r->id), KH_WS_TEXT(side_num(side))};
    kh_status st = KH_OK;
    sqlite3_stmt *q = kh_ws_prepare(w,
                                    "SELECT version, user, at FROM fill_forms WHERE unit = ?1"
                                    " AND rubric = ?2 AND side = ?3",
                                    a, 3);
    int rc = q ? sqlite3_step(q) : SQLITE_ERROR;
    if (rc == SQLITE_ROW) {
        f->version = sqlite3_column_int64(q, 0);
        f->user = kh_ws_col(q, 1);
        f->at = kh_ws_col(q, 2);
        if (!f->user || !f->at)
            st = KH_ERR_NOMEM;
    } else if (rc != SQLITE_DONE) {
        st = kh_ws_db_error(w, d);
    }
    sqlite3_finalize(q);
    q = st == KH_OK ? kh_ws_prepare(w,
                                    "SELECT cp, value, remark, note, agree FROM fill_answers"
                                    " WHERE unit = ?1 AND rubric = ?2 AND side = ?3",
                                    a, 3)
                    : NULL;
    if (st == KH_OK && !q)
        st = kh_ws_db_error(w, d);
    while (st == KH_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        long k = kh_rubric_find_cp(r, (const char *)sqlite3_column_text(q, 0));
        if (k < 0)
            continue; /* a check point the rubric no longer has */
        kh_answer *an = &f->answers[k];
        an->value = kh_ws_col(q, 1);
        an->remark = kh_ws_col(q, 2);
        an->note = kh_ws_col(q, 3);
        an->agree = sqlite3_column_int(q, 4) != 0;
        if ((sqlite3_column_type(q, 1) != SQLITE_NULL && !an->value) ||
            (sqlite3_column_type(q, 2) != SQLITE_NULL && !an->remark) ||
            (sqlite3_column_type(q, 3) != SQLITE_NULL && !an->note))
            st = KH_ERR_NOMEM;
    }
    if (st == KH_OK && rc != SQLITE_DONE)
        st = kh_ws_db_error(w, d);
    sqlite3_finalize(q);
    if (st != KH_OK) {
        kh_fill_free(f);
        return st;
    }
    *out = f;
    return KH_OK;
}

kh_status kh_fill_get(kh_workspace *w, const kh_rubric *r, const char *unit, kh_fill_side side,
                      kh_fill **out, kh_diags *d)
{
    *out = NULL;
    kh_ws_lock(w);
    kh_status st = tables(w, d);
    if (st == KH_OK)
        st = get_locked(w, r, unit, side, out, d);
    kh_ws_unlock(w);
    return st;
}

/* Is t a text the record keeps: valid UTF-8, at most TEXT_MAX bytes, no
 * control characters but line breaks and tabs? */
static bool text_ok(const char *t)
{
    if (!t)
        return true;
    size_t n = strlen(t);
    if (n > TEXT_MAX || !kh_utf8_valid(t, n, NULL))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)t[i] < 0x20 && t[i] != '\n' && t[i] != '\r' && t[i] != '\t')
            return false;
    return true;
}

/* "" -> NULL (a cleared field), else t. */
static const char *cleared(const char *t)
{
    return t && *t ? t : NULL;
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The status allows side to change? */
static bool side_open(kh_fill_state s, kh_fill_side side)
{
    return side == KH_SIDE_SELF ? s == KH_FS_EMPTY || s == KH_FS_FILLING
                                : s == KH_FS_SUBMITTED || s == KH_FS_REVIEWING;
}

static void say_readonly(kh_diags *d, const char *unit, kh_fill_state s, kh_fill_side side)
{
    if (side == KH_SIDE_SELF)
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("%s's checklist is %s: it can no longer be changed unless an "
                       "administrator returns it"),
                     unit, kh_fill_state_name(s));
    else
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("%s's checklist is %s: it can be reviewed only once submitted and "
                       "until the review is done"),
                     unit, kh_fill_state_name(s));
}

static void say_conflict(kh_diags *d, const char *unit, long long base, long long cur)
{
    kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                 _("%s's answers were changed elsewhere (another window or user) since this "
                   "page loaded them (version %lld, now %lld): nothing was saved; look at the "
                   "current answers and make your change again"),
                 unit, base, cur);
}

/* kh_fill_save with fill_mu held. */
static kh_status save_locked(kh_workspace *w, const kh_rubric *r, const char *unit,
                             kh_fill_side side, long long base, const kh_fill_edit *e, size_t n,
                             const char *user, long long *version, kh_fill_refusal *why,
                             kh_diags *d)
{
    *why = KH_FILL_DONE;
    for (size_t i = 0; i < n; i++) {
        if (!e[i].cp || kh_rubric_find_cp(r, e[i].cp) < 0) {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("check point '%s' is not in the rubric %s"), e[i].cp ? e[i].cp : "",
                         kh_rubric_name(r));
            *why = KH_FILL_BAD;
        } else if (!text_ok(e[i].value) || !text_ok(e[i].remark) || !text_ok(e[i].note)) {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("the answer to check point %s is too long (more than %d bytes) or "
                           "holds control characters"),
                         e[i].cp, TEXT_MAX);
            *why = KH_FILL_BAD;
        }
    }
    if (*why != KH_FILL_DONE)
        return KH_OK;
    kh_ws_lock(w);
    kh_fill_status s = {0};
    kh_fill *cur = NULL;
    bool began = false;
    kh_status st = tables(w, d);
    if (st == KH_OK) {
        if (sqlite3_exec(kh_ws_db(w), "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
            began = true;
        else
            st = kh_ws_db_error(w, d);
    }
    if (st == KH_OK)
        st = status_locked(w, unit, r->id, &s, d);
    if (st == KH_OK)
        st = get_locked(w, r, unit, side, &cur, d);
    if (st == KH_OK && !side_open(s.state, side)) {
        say_readonly(d, unit, s.state, side);
        *why = KH_FILL_READONLY;
    } else if (st == KH_OK && cur->version != base) {
        say_conflict(d, unit, base, cur->version);
        *why = KH_FILL_CONFLICT;
    }
    *version = cur ? cur->version : 0;
    bool ok = true, changed = false;
    const char *what = kh_fill_side_name(side);
    for (size_t i = 0; st == KH_OK && *why == KH_FILL_DONE && ok && i < n; i++) {
        long k = kh_rubric_find_cp(r, e[i].cp);
        kh_answer *an = &cur->answers[k];
        const char *cp = r->cps[k].id;
        kh_answer nw = *an;
        if (e[i].value)
            nw.value = (char *)cleared(e[i].value);
        if (e[i].remark)
            nw.remark = (char *)cleared(e[i].remark);
        if (e[i].note)
            nw.note = (char *)cleared(e[i].note);
        if (e[i].agree >= 0)
            nw.agree = e[i].agree != 0;
        bool any = false;
        if (!same_text(an->value, nw.value)) {
            ok = ok && journal(w, user, unit, r->id, what, cp, "value", an->value, nw.value, NULL);
            any = true;
        }
        if (!same_text(an->remark, nw.remark)) {
            ok = ok &&
                 journal(w, user, unit, r->id, what, cp, "remark", an->remark, nw.remark, NULL);
            any = true;
        }
        if (!same_text(an->note, nw.note)) {
            ok = ok && journal(w, user, unit, r->id, what, cp, "note", an->note, nw.note, NULL);
            any = true;
        }
        if (an->agree != nw.agree) {
            ok = ok && journal(w, user, unit, r->id, what, cp, "agree", an->agree ? "1" : "0",
                               nw.agree ? "1" : "0", NULL);
            any = true;
        }
        if (!any)
            continue;
        changed = true;
        const kh_ws_arg a[] = {KH_WS_TEXT(unit),      KH_WS_TEXT(r->id),
                               KH_WS_TEXT(side_num(side)), KH_WS_TEXT(cp),
                               KH_WS_TEXT(nw.value),  KH_WS_TEXT(nw.remark),
                               KH_WS_TEXT(nw.note),   KH_WS_TEXT(nw.agree ? "1" : "0")};
        ok = ok && kh_ws_run(w,
                             "INSERT OR REPLACE INTO fill_answers(unit, rubric, side, cp, value,"
                             " remark, note, agree) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                             a, KH_ARRAY_LEN(a));
        /* The saved texts are the edit's: later edits of this check point
         * in e compare with them. */
        if (ok) {
            char *v = kh_strdup(nw.value), *m = kh_strdup(nw.remark), *t = kh_strdup(nw.note);
            if ((nw.value && !v) || (nw.remark && !m) || (nw.note && !t)) {
                kh_free(v), kh_free(m), kh_free(t);
                st = KH_ERR_NOMEM;
                break;
            }
            kh_free(an->value), kh_free(an->remark), kh_free(an->note);
            an->value = v, an->remark = m, an->note = t, an->agree = nw.agree;
        }
    }
    if (st == KH_OK && *why == KH_FILL_DONE && ok && changed) {
        char ver[24];
        snprintf(ver, sizeof ver, "%lld", cur->version + 1);
        const kh_ws_arg a[] = {KH_WS_TEXT(unit), KH_WS_TEXT(r->id), KH_WS_TEXT(side_num(side)),
                               KH_WS_TEXT(ver), KH_WS_TEXT(user)};
        ok = kh_ws_run(w,
                       "INSERT OR REPLACE INTO fill_forms(unit, rubric, side, version, user, at)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, " NOW ")",
                       a, KH_ARRAY_LEN(a));
        kh_fill_state to = s.state == KH_FS_EMPTY       ? KH_FS_FILLING
                           : s.state == KH_FS_SUBMITTED ? KH_FS_REVIEWING
                                                        : s.state;
        if (ok && to != s.state) {
            ok = set_state(w, &s, to, s.returned, NULL, user);
        } else if (ok) {
            const kh_ws_arg b[] = {KH_WS_TEXT(unit), KH_WS_TEXT(r->id)};
            ok = kh_ws_run(w,
                           "UPDATE fill_status SET changed = " NOW
                           " WHERE unit = ?1 AND rubric = ?2",
                           b, 2);
        }
        if (ok)
            *version = cur->version + 1;
    }
    if (st == KH_OK && !ok)
        st = kh_ws_db_error(w, d);
    if (began) {
        if (st == KH_OK && *why == KH_FILL_DONE &&
            sqlite3_exec(kh_ws_db(w), "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            st = kh_ws_db_error(w, d);
        if (st != KH_OK || *why != KH_FILL_DONE) {
            sqlite3_exec(kh_ws_db(w), "ROLLBACK", NULL, NULL, NULL);
            if (st != KH_OK)
                *version = base;
        }
    }
    kh_fill_free(cur);
    kh_fill_status_clear(&s);
    kh_ws_unlock(w);
    return st;
}

kh_status kh_fill_save(kh_workspace *w, const kh_rubric *r, const char *unit, kh_fill_side side,
                       long long base, const kh_fill_edit *e, size_t n, const char *user,
                       long long *version, kh_fill_refusal *why, kh_diags *d)
{
    pthread_mutex_lock(&fill_mu);
    kh_status st = save_locked(w, r, unit, side, base, e, n, user, version, why, d);
    pthread_mutex_unlock(&fill_mu);
    return st;
}

/* ---- status ---- */

void kh_fill_status_clear(kh_fill_status *s)
{
    if (!s)
        return;
    kh_free(s->unit);
    kh_free(s->rubric);
    kh_free(s->reason);
    kh_free(s->user);
    kh_free(s->at);
    kh_free(s->changed);
    memset(s, 0, sizeof *s);
}

void kh_fill_statuses_free(kh_fill_status *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        kh_fill_status_clear(&v[i]);
    kh_free(v);
}

kh_status kh_fill_status_get(kh_workspace *w, const char *unit, const char *rubric,
                             kh_fill_status *out, kh_diags *d)
{
    kh_ws_lock(w);
    kh_status st = tables(w, d);
    if (st == KH_OK)
        st = status_locked(w, unit, rubric, out, d);
    else
        memset(out, 0, sizeof *out);
    kh_ws_unlock(w);
    return st;
}

typedef struct status_ctx {
    kh_workspace *w;
    kh_diags *d;
} status_ctx;

/* The status of the row's (unit, rubric) into elem (a kh_ws_fill_fn). */
static kh_status status_of(void *ctx, sqlite3_stmt *q, void *elem)
{
    status_ctx *x = ctx;
    /* Copied first: status_locked runs statements of its own. */
    char *unit = kh_ws_col(q, 0), *rubric = kh_ws_col(q, 1);
    kh_status st = unit && rubric ? status_locked(x->w, unit, rubric, elem, x->d) : KH_ERR_NOMEM;
    kh_free(unit);
    kh_free(rubric);
    return st;
}

kh_status kh_fill_status_all(kh_workspace *w, kh_fill_status **v, size_t *n, kh_diags *d)
{
    *v = NULL;
    *n = 0;
    status_ctx x = {w, d};
    kh_ws_lock(w);
    kh_status st = tables(w, d);
    if (st == KH_OK)
        st = kh_ws_rows_into(w,
                             "SELECT unit, rubric FROM fill_status UNION SELECT unit, rubric"
                             " FROM fill_forms ORDER BY 2, 1",
                             NULL, 0, (void **)v, n, sizeof **v, status_of, &x, d);
    kh_ws_unlock(w);
    if (st != KH_OK) {
        kh_fill_statuses_free(*v, *n);
        *v = NULL;
        *n = 0;
    }
    return st;
}

/* A deadline as typed ("2026-12-31", "2026-12-31 18:00", with ":SS", a
 * "T" instead of the space) as "YYYY-MM-DD HH:MM:SS" into out; false
 * when it is no such date and time. */
static bool parse_deadline(const char *t, char out[64])
{
    int y, mo, da, h = 23, mi = 59, se = 59, used = 0;
    size_t len = 0;
    t = kh_trim(t, &len);
    char buf[32];
    if (len >= sizeof buf)
        return false;
    memcpy(buf, t, len);
    buf[len] = '\0';
    if (sscanf(buf, "%4d-%2d-%2d%n", &y, &mo, &da, &used) != 3)
        return false;
    const char *p = buf + used;
    if (*p) {
        if (*p != ' ' && *p != 'T')
            return false;
        p++;
        int u2 = 0;
        se = 0;
        if (sscanf(p, "%2d:%2d%n", &h, &mi, &u2) != 2)
            return false;
        p += u2;
        if (*p == ':') {
            int u3 = 0;
            if (sscanf(p + 1, "%2d%n", &se, &u3) != 1 || u3 != 2)
                return false;
            p += 1 + u3;
        }
        if (*p)
            return false;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 2000 || y > 2999 || mo < 1 || mo > 12 || da < 1 || da > mdays[mo - 1] ||
        (mo == 2 && da == 29 && !leap) || h > 23 || mi > 59 || se > 59 || h < 0 || mi < 0 ||
        se < 0)
        return false;
    snprintf(out, 64, "%04d-%02d-%02d %02d:%02d:%02d", y % 10000, mo % 100, da % 100, h % 100,
             mi % 100, se % 100);
    return true;
}

kh_status kh_fill_set_deadline(kh_workspace *w, const char *deadline, kh_diags *d)
{
    if (!deadline || !*kh_trim(deadline, &(size_t){0}))
        return kh_workspace_set(w, KH_FILL_DEADLINE, NULL, d);
    char norm[64];
    if (!parse_deadline(deadline, norm)) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("deadline '%s' is not a date and time such as 2026-12-31 or "
                       "2026-12-31 18:00"),
                     deadline);
        return KH_ERR_USAGE;
    }
    return kh_workspace_set(w, KH_FILL_DEADLINE, norm, d);
}

/* Is it later than the workspace's deadline (false without one)? */
static kh_status past_deadline(kh_workspace *w, bool *late, char **deadline, kh_diags *d)
{
    *late = false;
    *deadline = kh_workspace_get(w, KH_FILL_DEADLINE);
    if (!*deadline)
        return KH_OK;
    kh_ws_lock(w);
    const kh_ws_arg a[] = {KH_WS_TEXT(*deadline)};
    sqlite3_stmt *q = kh_ws_prepare(w, "SELECT " NOW " > ?1", a, 1);
    kh_status st = KH_OK;
    if (q && sqlite3_step(q) == SQLITE_ROW)
        *late = sqlite3_column_int(q, 0) != 0;
    else
        st = kh_ws_db_error(w, d);
    sqlite3_finalize(q);
    kh_ws_unlock(w);
    return st;
}

/* ---- the checklist the answers make ---- */

void kh_fill_values_free(char **values, char **remarks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (values)
            kh_free(values[i]);
        if (remarks)
            kh_free(remarks[i]);
    }
    kh_free(values);
    kh_free(remarks);
}

static kh_status values_locked(kh_workspace *w, const kh_rubric *r, const char *unit,
                               kh_fill_side side, char ***values, char ***remarks, kh_diags *d)
{
    *values = *remarks = NULL;
    kh_fill *self = NULL, *rev = NULL;
    kh_status st = get_locked(w, r, unit, KH_SIDE_SELF, &self, d);
    if (st == KH_OK && side == KH_SIDE_REVIEW)
        st = get_locked(w, r, unit, KH_SIDE_REVIEW, &rev, d);
    char **v = NULL, **m = NULL;
    if (st == KH_OK) {
        v = kh_calloc(r->ncps ? r->ncps : 1, sizeof *v);
        m = kh_calloc(r->ncps ? r->ncps : 1, sizeof *m);
        if (!v || !m)
            st = KH_ERR_NOMEM;
    }
    for (size_t i = 0; st == KH_OK && i < r->ncps; i++) {
        const kh_answer *a = &self->answers[i];
        const char *val = a->value, *rem = a->remark;
        if (rev) {
            const kh_answer *b = &rev->answers[i];
            if (b->value && !b->agree)
                val = b->value;
            if (b->note)
                rem = b->note;
        }
        v[i] = kh_strdup(val);
        m[i] = kh_strdup(rem);
        if ((val && !v[i]) || (rem && !m[i]))
            st = KH_ERR_NOMEM;
    }
    kh_fill_free(self);
    kh_fill_free(rev);
    if (st != KH_OK) {
        kh_fill_values_free(v, m, r->ncps);
        return st;
    }
    *values = v;
    *remarks = m;
    return KH_OK;
}

kh_status kh_fill_values(kh_workspace *w, const kh_rubric *r, const char *unit,
                         kh_fill_side side, char ***values, char ***remarks, kh_diags *d)
{
    kh_ws_lock(w);
    kh_status st = tables(w, d);
    if (st == KH_OK)
        st = values_locked(w, r, unit, side, values, remarks, d);
    else
        *values = *remarks = NULL;
    kh_ws_unlock(w);
    return st;
}

void kh_fill_scored_clear(kh_fill_scored *s)
{
    if (!s)
        return;
    kh_unit_free(s->unit);
    for (size_t i = 0; i < s->nissues; i++) {
        kh_free(s->issues[i].msg);
        kh_free(s->issues[i].msg_zh);
    }
    kh_free(s->issues);
    memset(s, 0, sizeof *s);
}

/* A copy of diagnostic g (without its place) at the end of d. */
static kh_status copy_diag(kh_diags *d, const kh_diag *g)
{
    if (!kh_grow((void **)&d->v, &d->cap, d->n + 1, sizeof *d->v)) {
        d->oom = true;
        return KH_ERR_NOMEM;
    }
    kh_diag *c = &d->v[d->n];
    *c = (kh_diag){.severity = g->severity};
    c->msg = kh_strdup(g->msg);
    c->msg_zh = kh_strdup(g->msg_zh ? g->msg_zh : g->msg);
    if (!c->msg || !c->msg_zh) {
        kh_free(c->msg);
        kh_free(c->msg_zh);
        d->oom = true;
        return KH_ERR_NOMEM;
    }
    d->n++;
    return KH_OK;
}

/* The grid kh_write_filled writes, as the XLSX reader reads it back: the
 * title, the fields, the header, and per check point its id, label,
 * result and remark (the columns of template_out.c). */
enum { G_NUM, G_CONTENT, G_CHECK, G_LABEL, G_POINTS, G_FILL, G_RESULT, G_REMARK };
#define G_ROW_FIELDS 1
#define G_ROW_HEAD 7

static bool set_text(kh_sheet *s, uint32_t row, uint32_t col, const char *t)
{
    return !t || kh_sheet_set(s, row, col, KH_CELL_STRING, t, strlen(t));
}

static kh_sheet *filled_grid(const kh_rubric *r, const char *unit, const char *year,
                             char *const *values, char *const *remarks)
{
    char *name = kh_xw_sheet_name(unit, NULL, 0);
    kh_sheet *s = name ? kh_sheet_new(name) : NULL;
    kh_free(name);
    if (!s)
        return NULL;
    static const char *const labels[] = {"考核细则：", "被考核单位：", "考核年度：", "检查组：",
                                         "检查日期："};
    static const char *const head[] = {"序号", "督查内容", "检查点", "检查要点",
                                       "标准分", "填写说明", "检查结果", "备注"};
    const char *fields[] = {r->id, unit, year, NULL, NULL};
    bool ok = set_text(s, 0, 0, r->title);
    for (uint32_t i = 0; ok && i < KH_ARRAY_LEN(labels); i++)
        ok = set_text(s, G_ROW_FIELDS + i, G_NUM, labels[i]) &&
             set_text(s, G_ROW_FIELDS + i, G_CHECK, fields[i]);
    for (uint32_t c = 0; ok && c < KH_ARRAY_LEN(head); c++)
        ok = set_text(s, G_ROW_HEAD, c, head[c]);
    for (size_t i = 0; ok && i < r->ncps; i++) {
        uint32_t row = G_ROW_HEAD + 1 + (uint32_t)i;
        const kh_checkpoint *cp = &r->cps[i];
        ok = set_text(s, row, G_CHECK, cp->id) && set_text(s, row, G_LABEL, cp->label) &&
             set_text(s, row, G_REMARK, remarks[i]);
        if (ok && values[i])
            ok = kh_sheet_set(s, row, G_RESULT,
                              kh_filled_is_number(cp, values[i]) ? KH_CELL_NUMBER
                                                                 : KH_CELL_STRING,
                              values[i], strlen(values[i]));
    }
    if (!ok) {
        kh_sheet_free(s);
        return NULL;
    }
    kh_sheet_finish(s);
    return s;
}

kh_status kh_fill_score_values(const kh_registry *reg, const kh_rubric *r, const char *unit,
                               const char *year, char *const *values, char *const *remarks,
                               kh_fill_scored *out, kh_diags *d)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < r->ncps; i++)
        out->unanswered += !values[i] || !*kh_trim(values[i], &(size_t){0});
    kh_sheet *s = filled_grid(r, unit, year, values, remarks);
    if (!s)
        return KH_ERR_NOMEM;
    kh_options opts = {.blank_as_missing = true};
    kh_checklist *cl = NULL;
    kh_diags msgs = {0};
    kh_status st = KH_OK;
    kh_find f = kh_checklist_read(s, unit, reg, &opts, &cl, &msgs, &st);
    if (st == KH_OK && f == KH_FIND_OK && cl->rubric != r) {
        /* reg holds another rubric of this id: not the one asked for. */
        kh_diags_add(&msgs, KH_ERROR, NULL, NULL, NULL, 0,
                     _("the rubric %s given is not the one loaded under its id"), r->id);
        kh_checklist_free(cl);
        cl = NULL;
        f = KH_FIND_REJECTED;
    }
    if (st == KH_OK && f == KH_FIND_OK) {
        st = kh_score(cl, &out->unit, d);
        if (st != KH_OK)
            kh_checklist_free(cl);
    } else if (st == KH_OK) {
        /* Each message to its check point (by the row of its cell). */
        out->issues = kh_calloc(msgs.n ? msgs.n : 1, sizeof *out->issues);
        if (!out->issues)
            st = KH_ERR_NOMEM;
        for (size_t i = 0; st == KH_OK && i < msgs.n; i++) {
            uint32_t row = 0, c = 0;
            size_t cp = SIZE_MAX;
            if (msgs.v[i].cell && kh_cell_parse(msgs.v[i].cell, &row, &c) &&
                row > G_ROW_HEAD && row - G_ROW_HEAD - 1 < r->ncps)
                cp = row - G_ROW_HEAD - 1;
            if (cp == SIZE_MAX) {
                /* Not about one answer: the caller's to show. */
                st = copy_diag(d, &msgs.v[i]);
                continue;
            }
            kh_fill_issue *is = &out->issues[out->nissues];
            is->cp = cp;
            is->msg = kh_strdup(msgs.v[i].msg);
            is->msg_zh = kh_strdup(msgs.v[i].msg_zh ? msgs.v[i].msg_zh : msgs.v[i].msg);
            out->nissues++;
            if (!is->msg || !is->msg_zh)
                st = KH_ERR_NOMEM;
        }
        if (st == KH_OK && out->nissues == 0 && msgs.n == 0)
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("the answers make no checklist the reader accepts"));
    }
    kh_diags_clear(&msgs);
    kh_sheet_free(s);
    if (st != KH_OK)
        kh_fill_scored_clear(out);
    return st;
}

kh_status kh_fill_score(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                        const char *unit, kh_fill_side side, kh_fill_scored *out, kh_diags *d)
{
    memset(out, 0, sizeof *out);
    char **v = NULL, **m = NULL;
    kh_status st = kh_fill_values(w, r, unit, side, &v, &m, d);
    if (st != KH_OK)
        return st;
    char *year = kh_workspace_get(w, "year");
    st = kh_fill_score_values(reg, r, unit, year, v, m, out, d);
    kh_free(year);
    kh_fill_values_free(v, m, r->ncps);
    return st;
}

/* values/remarks as the filled XLSX at path. */
static kh_status write_values(kh_workspace *w, const kh_rubric *r, const char *unit,
                              char *const *v, char *const *m, const char *path, kh_diags *d)
{
    char *year = kh_workspace_get(w, "year");
    kh_filled f = {.unit = unit, .year = year, .values = v, .remarks = m};
    kh_status st = kh_write_filled(r, &f, path, d);
    kh_free(year);
    return st;
}

kh_status kh_fill_write_xlsx(kh_workspace *w, const kh_rubric *r, const char *unit,
                             kh_fill_side side, const char *path, kh_diags *d)
{
    char **v = NULL, **m = NULL;
    kh_status st = kh_fill_values(w, r, unit, side, &v, &m, d);
    if (st == KH_OK)
        st = write_values(w, r, unit, v, m, path, d);
    kh_fill_values_free(v, m, r->ncps);
    return st;
}

/* ---- 提交, 退回, 考评完成 ---- */

/* A new temporary path DIR/fill/XXXXXX.xlsx (an empty file made).  The
 * folder holds only these, made and removed under fill_mu by the one
 * process that has the workspace: any found here were left by a crash,
 * and go first. */
static char *temp_xlsx(kh_workspace *w, kh_diags *d)
{
    char *dir = kh_strprintf("%s/fill", kh_ws_dir(w));
    if (!dir)
        return NULL;
    DIR *dp = opendir(dir);
    struct dirent *e;
    while (dp && (e = readdir(dp)) != NULL) {
        if (!kh_path_has_ext(e->d_name, ".xlsx"))
            continue;
        char *old = kh_strprintf("%s/%s", dir, e->d_name);
        if (old)
            remove(old);
        kh_free(old);
    }
    if (dp)
        closedir(dp);
    if (kh_mkdir(dir) != 0 && errno != EEXIST) {
        char eb[128];
        kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0, _("cannot create the output folder: %s"),
                     kh_errno_text(errno, eb, sizeof eb));
        kh_free(dir);
        return NULL;
    }
    char *p = kh_strprintf("%s/XXXXXX.xlsx", dir);
    kh_free(dir);
    int fd = p ? kh_mkstemps(p, 5) : -1;
    if (fd < 0) {
        if (p) {
            char eb[128];
            kh_diags_add(d, KH_ERROR, p, NULL, NULL, 0, _("cannot write the file: %s"),
                         kh_errno_text(errno, eb, sizeof eb));
        }
        kh_free(p);
        return NULL;
    }
    close(fd);
    return p;
}

/* The side's checklist, scored complete, written and recorded in the
 * workspace (kind), then the status moved to `to`.  *why
 * KH_FILL_INCOMPLETE when answers are missing or refused. */
static kh_status record_side(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                             const kh_fill_status *s, kh_fill_side side, kh_fill_state to,
                             const char *user, kh_fill_refusal *why, kh_diags *d)
{
    const char *unit = s->unit;
    char **v = NULL, **m = NULL;
    kh_status st = kh_fill_values(w, r, unit, side, &v, &m, d);
    if (st != KH_OK)
        return st;
    char *year = kh_workspace_get(w, "year");
    kh_fill_scored sc = {0};
    st = kh_fill_score_values(reg, r, unit, year, v, m, &sc, d);
    kh_free(year);
    if (st == KH_OK && (sc.unanswered || !sc.unit)) {
        *why = KH_FILL_INCOMPLETE;
        for (size_t i = 0; i < r->ncps; i++)
            if (!v[i] || !*kh_trim(v[i], &(size_t){0}))
                kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                             _("check point %s %s has no answer"), r->cps[i].id,
                             r->cps[i].label);
        for (size_t i = 0; i < sc.nissues && st == KH_OK; i++)
            st = copy_diag(d, &(kh_diag){.severity = KH_ERROR, .msg = sc.issues[i].msg,
                                         .msg_zh = sc.issues[i].msg_zh});
    }
    char *tmp = NULL, *name = NULL;
    if (st == KH_OK && *why == KH_FILL_DONE) {
        tmp = temp_xlsx(w, d);
        name = kh_strprintf("%s-%s.xlsx", unit, kh_fill_side_name(side));
        st = tmp && name ? write_values(w, r, unit, v, m, tmp, d) : tmp ? KH_ERR_NOMEM : KH_ERR_IO;
    }
    if (st == KH_OK && *why == KH_FILL_DONE) {
        char total[KH_DEC_BUFSZ];
        kh_dec_format(sc.unit->total, total);
        bool changed = false;
        st = kh_workspace_record(w, unit, r->id, total, tmp, name, user,
                                 kh_fill_side_name(side),
                                 side == KH_SIDE_SELF ? "在线提交" : "考评完成", &changed, d);
    }
    if (st == KH_OK && *why == KH_FILL_DONE) {
        kh_ws_lock(w);
        bool began = sqlite3_exec(kh_ws_db(w), "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
        bool ok = began && set_state(w, s, to, false, NULL, user) &&
                  sqlite3_exec(kh_ws_db(w), "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
        if (!ok)
            st = kh_ws_db_error(w, d);
        if (!ok && began)
            sqlite3_exec(kh_ws_db(w), "ROLLBACK", NULL, NULL, NULL);
        kh_ws_unlock(w);
    }
    if (tmp)
        remove(tmp);
    kh_free(tmp);
    kh_free(name);
    kh_fill_scored_clear(&sc);
    kh_fill_values_free(v, m, r->ncps);
    return st;
}

kh_status kh_fill_submit(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                         const char *unit, long long base, const char *user,
                         kh_fill_refusal *why, kh_diags *d)
{
    *why = KH_FILL_DONE;
    pthread_mutex_lock(&fill_mu);
    kh_fill_status s = {0};
    kh_status st = kh_fill_status_get(w, unit, r->id, &s, d);
    char *deadline = NULL;
    bool late = false;
    if (st == KH_OK && s.state != KH_FS_FILLING) {
        if (s.state == KH_FS_EMPTY) {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("%s has not answered anything yet: fill in the checklist first"),
                         unit);
            *why = KH_FILL_INCOMPLETE;
        } else {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("%s's checklist is %s already"), unit, kh_fill_state_name(s.state));
            *why = KH_FILL_READONLY;
        }
    } else if (st == KH_OK && s.self_version != base) {
        say_conflict(d, unit, base, s.self_version);
        *why = KH_FILL_CONFLICT;
    }
    if (st == KH_OK && *why == KH_FILL_DONE)
        st = past_deadline(w, &late, &deadline, d);
    if (st == KH_OK && *why == KH_FILL_DONE && late && !s.returned) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("the deadline for submitting was %s: ask an administrator"), deadline);
        *why = KH_FILL_LATE;
    }
    if (st == KH_OK && *why == KH_FILL_DONE)
        st = record_side(w, reg, r, &s, KH_SIDE_SELF, KH_FS_SUBMITTED, user, why, d);
    kh_free(deadline);
    kh_fill_status_clear(&s);
    pthread_mutex_unlock(&fill_mu);
    return st;
}

kh_status kh_fill_return(kh_workspace *w, const char *unit, const char *rubric,
                         const char *reason, const char *user, kh_fill_refusal *why,
                         kh_diags *d)
{
    *why = KH_FILL_DONE;
    size_t rl = 0;
    if (!reason || !*kh_trim(reason, &rl) || !text_ok(reason)) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("say why the checklist is returned: the unit sees the reason"));
        *why = KH_FILL_BAD;
        return KH_OK;
    }
    pthread_mutex_lock(&fill_mu);
    kh_ws_lock(w);
    kh_fill_status s = {0};
    kh_status st = tables(w, d);
    bool began = false;
    if (st == KH_OK) {
        began = sqlite3_exec(kh_ws_db(w), "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
        if (!began)
            st = kh_ws_db_error(w, d);
    }
    if (st == KH_OK)
        st = status_locked(w, unit, rubric, &s, d);
    if (st == KH_OK && s.state != KH_FS_SUBMITTED && s.state != KH_FS_REVIEWING &&
        s.state != KH_FS_REVIEWED) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("%s's checklist is %s: only a submitted checklist can be returned"), unit,
                     kh_fill_state_name(s.state));
        *why = KH_FILL_READONLY;
    }
    if (st == KH_OK && *why == KH_FILL_DONE) {
        char *r = kh_strndup(kh_trim(reason, &rl), rl);
        bool ok = r && set_state(w, &s, KH_FS_FILLING, true, r, user) &&
                  sqlite3_exec(kh_ws_db(w), "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
        st = !r ? KH_ERR_NOMEM : ok ? KH_OK : kh_ws_db_error(w, d);
        kh_free(r);
        began = !ok;
    }
    if (began)
        sqlite3_exec(kh_ws_db(w), "ROLLBACK", NULL, NULL, NULL);
    kh_fill_status_clear(&s);
    kh_ws_unlock(w);
    pthread_mutex_unlock(&fill_mu);
    return st;
}

kh_status kh_fill_review_done(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                              const char *unit, long long base, const char *user,
                              kh_fill_refusal *why, kh_diags *d)
{
    *why = KH_FILL_DONE;
    pthread_mutex_lock(&fill_mu);
    kh_fill_status s = {0};
    kh_status st = kh_fill_status_get(w, unit, r->id, &s, d);
    if (st == KH_OK && s.state != KH_FS_SUBMITTED && s.state != KH_FS_REVIEWING) {
        say_readonly(d, unit, s.state, KH_SIDE_REVIEW);
        *why = KH_FILL_READONLY;
    } else if (st == KH_OK && s.review_version != base) {
        say_conflict(d, unit, base, s.review_version);
        *why = KH_FILL_CONFLICT;
    }
    if (st == KH_OK && *why == KH_FILL_DONE)
        st = record_side(w, reg, r, &s, KH_SIDE_REVIEW, KH_FS_REVIEWED, user, why, d);
    kh_fill_status_clear(&s);
    pthread_mutex_unlock(&fill_mu);
    return st;
}

/* ---- a filled checklist in ---- */

typedef struct file_ctx {
    const kh_registry *reg;
    const kh_rubric *r;
    const char *unit;     /* normalised */
    const char *path;
    kh_fill_edit *edits;  /* r->ncps, texts owned (value, remark) */
    bool found;
    char *other;          /* the unit of a checklist of r that is another's */
    kh_diags msgs;
} file_ctx;

static kh_status take_sheet(void *arg, const kh_sheet *sheet)
{
    file_ctx *x = arg;
    if (x->found)
        return KH_OK;
    kh_options opts = {.blank_as_missing = true};
    kh_checklist *cl = NULL;
    kh_diags msgs = {0};
    kh_status st = KH_OK;
    kh_find f = kh_checklist_read(sheet, x->path, x->reg, &opts, &cl, &msgs, &st);
    if (st != KH_OK || f == KH_FIND_NONE) {
        kh_diags_clear(&msgs);
        return st;
    }
    if (f == KH_FIND_REJECTED) {
        kh_diags_move(&x->msgs, &msgs);
        return KH_OK;
    }
    if (cl->rubric != x->r || strcmp(cl->unit, x->unit) != 0) {
        if (!x->other)
            x->other = kh_strprintf("%s（%s）", cl->unit, kh_rubric_name(cl->rubric));
        kh_checklist_free(cl);
        return x->other ? KH_OK : KH_ERR_NOMEM;
    }
    x->found = true;
    for (size_t i = 0; i < x->r->ncps && st == KH_OK; i++) {
        const kh_result *res = &cl->results[i];
        const kh_cell *c = kh_sheet_get(sheet, res->row, res->col);
        const kh_cell *m = cl->has_remark_col ? kh_sheet_get(sheet, res->row, cl->remark_col)
                                              : NULL;
        char *v = kh_strdup(c ? c->text : ""), *rm = kh_strdup(m ? m->text : "");
        if (!v || !rm) {
            kh_free(v);
            kh_free(rm);
            st = KH_ERR_NOMEM;
            break;
        }
        x->edits[i].value = v;
        x->edits[i].remark = rm;
    }
    kh_checklist_free(cl);
    kh_diags_clear(&msgs);
    return st;
}

kh_status kh_fill_from_file(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                            const char *unit, const char *path, long long base,
                            const char *user, long long *version, kh_fill_refusal *why,
                            kh_diags *d)
{
    *why = KH_FILL_DONE;
    *version = base;
    char *nu = kh_clean_name(unit);
    kh_fill_edit *e = kh_calloc(r->ncps ? r->ncps : 1, sizeof *e);
    file_ctx x = {.reg = reg, .r = r, .unit = nu, .path = path, .edits = e};
    kh_status st = nu && e ? KH_OK : KH_ERR_NOMEM;
    for (size_t i = 0; st == KH_OK && i < r->ncps; i++) {
        e[i].cp = r->cps[i].id;
        e[i].agree = -1;
    }
    kh_sheetfile_kind kind;
    if (st == KH_OK)
        st = kh_sheetfile_read(path, take_sheet, &x, &kind, &x.msgs);
    if (st != KH_OK && st != KH_ERR_NOMEM) {
        kh_diags_move(d, &x.msgs);
        *why = KH_FILL_BAD;
        st = KH_OK;
    } else if (st == KH_OK && !x.found) {
        if (x.other)
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                         _("this checklist is of %s, not of %s under %s"), x.other, nu,
                         kh_rubric_name(r));
        else if (x.msgs.n)
            kh_diags_move(d, &x.msgs);
        else
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("the file holds no checklist"));
        *why = KH_FILL_BAD;
    }
    if (st == KH_OK && *why == KH_FILL_DONE)
        st = kh_fill_save(w, r, unit, KH_SIDE_SELF, base, e, r->ncps, user, version, why, d);
    for (size_t i = 0; e && i < r->ncps; i++) {
        kh_free((char *)e[i].value);
        kh_free((char *)e[i].remark);
    }
    kh_free(e);
    kh_free(nu);
    kh_free(x.other);
    kh_diags_clear(&x.msgs);
    return st;
}

/* ---- journal ---- */

void kh_fill_changes_free(kh_fill_change *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        kh_fill_change *c = &v[i];
        kh_free(c->at), kh_free(c->user), kh_free(c->unit), kh_free(c->rubric);
        kh_free(c->what), kh_free(c->cp), kh_free(c->field);
        kh_free(c->old_value), kh_free(c->new_value), kh_free(c->reason);
    }
    kh_free(v);
}

/* A row of fill_journal into elem (a kh_ws_fill_fn). */
static kh_status change_of(void *ctx, sqlite3_stmt *q, void *elem)
{
    (void)ctx;
    kh_fill_change *c = elem;
    c->id = sqlite3_column_int64(q, 0);
    char **f[] = {&c->at, &c->user, &c->unit, &c->rubric, &c->what, &c->cp,
                  &c->field, &c->old_value, &c->new_value, &c->reason};
    kh_status st = KH_OK;
    for (int i = 0; i < (int)KH_ARRAY_LEN(f); i++) {
        *f[i] = kh_ws_col(q, i + 1);
        if (!*f[i] && sqlite3_column_type(q, i + 1) != SQLITE_NULL)
            st = KH_ERR_NOMEM;
    }
    return st;
}

kh_status kh_fill_journal(kh_workspace *w, const char *unit, const char *rubric,
                          kh_fill_change **v, size_t *n, kh_diags *d)
{
    *v = NULL;
    *n = 0;
    kh_ws_lock(w);
    kh_status st = tables(w, d);
    const kh_ws_arg a[] = {KH_WS_TEXT(unit), KH_WS_TEXT(rubric)};
    if (st == KH_OK)
        st = kh_ws_rows_into(w,
                             "SELECT id, at, user, unit, rubric, what, cp, field, old, new,"
                             " reason FROM fill_journal WHERE ?1 IS NULL"
                             " OR (unit = ?1 AND rubric = ?2) ORDER BY id",
                             a, 2, (void **)v, n, sizeof **v, change_of, NULL, d);
    kh_ws_unlock(w);
    if (st != KH_OK) {
        kh_fill_changes_free(*v, *n);
        *v = NULL;
        *n = 0;
    }
    return st;
}

/* ---- a result corrected (申诉改判) ---- */

kh_status kh_fill_correct_current(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                                  const char *unit, const char *cp, const char *value,
                                  const char *user, const char *kind, const char *reason,
                                  char **total, kh_diags *d)
{
    *total = NULL;
    size_t at = r->ncps;
    for (size_t i = 0; i < r->ncps; i++)
        if (strcmp(r->cps[i].id, cp) == 0)
            at = i;
    if (at == r->ncps) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, _("%s has no check point %s"),
                     kh_rubric_name(r), cp);
        return KH_ERR_USAGE;
    }
    kh_ws_entry cur = {0};
    bool found = false;
    kh_status st = kh_workspace_current(w, unit, r->id, &cur, &found, d);
    if (st == KH_OK && !found) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("%s has no checklist under %s in the workspace: nothing to correct"),
                     unit, kh_rubric_name(r));
        st = KH_ERR_USAGE;
    }
    kh_fill_edit *e = st == KH_OK ? kh_calloc(r->ncps ? r->ncps : 1, sizeof *e) : NULL;
    file_ctx x = {.reg = reg, .r = r, .unit = unit, .path = cur.path, .edits = e};
    if (st == KH_OK && !e)
        st = KH_ERR_NOMEM;
    kh_sheetfile_kind fk;
    if (st == KH_OK)
        st = kh_sheetfile_read(cur.path, take_sheet, &x, &fk, &x.msgs);
    if (st == KH_OK && !x.found) {
        kh_diags_add(d, KH_ERROR, cur.path, NULL, NULL, 0,
                     _("the unit's current checklist cannot be read again"));
        st = KH_ERR_INPUT;
    }
    char **v = NULL, **m = NULL;
    if (st == KH_OK) {
        v = kh_calloc(r->ncps, sizeof *v);
        m = kh_calloc(r->ncps, sizeof *m);
        if (!v || !m)
            st = KH_ERR_NOMEM;
    }
    for (size_t i = 0; st == KH_OK && i < r->ncps; i++) {
        v[i] = kh_strdup(i == at ? value : e[i].value ? e[i].value : "");
        m[i] = kh_strdup(e[i].remark ? e[i].remark : "");
        if (!v[i] || !m[i])
            st = KH_ERR_NOMEM;
    }
    char *year = st == KH_OK ? kh_workspace_get(w, "year") : NULL;
    kh_fill_scored sc = {0};
    if (st == KH_OK)
        st = kh_fill_score_values(reg, r, unit, year, v, m, &sc, d);
    if (st == KH_OK && !sc.unit) {
        for (size_t i = 0; i < sc.nissues && st == KH_OK; i++)
            st = copy_diag(d, &(kh_diag){.severity = KH_ERROR, .msg = sc.issues[i].msg,
                                         .msg_zh = sc.issues[i].msg_zh});
        if (st == KH_OK)
            st = KH_ERR_USAGE;
    }
    char *tmp = NULL, *name = NULL;
    /* DIR/fill's temporaries are made, recorded and removed under fill_mu
     * (temp_xlsx removes any other it finds). */
    pthread_mutex_lock(&fill_mu);
    if (st == KH_OK) {
        tmp = temp_xlsx(w, d);
        name = kh_strprintf("%s-%s.xlsx", unit, kind);
        kh_filled f = {.unit = unit, .year = year, .values = v, .remarks = m};
        st = !tmp ? KH_ERR_IO : !name ? KH_ERR_NOMEM : kh_write_filled(r, &f, tmp, d);
    }
    if (st == KH_OK) {
        char t[KH_DEC_BUFSZ];
        kh_dec_format(sc.unit->total, t);
        bool changed = false;
        st = kh_workspace_record(w, unit, r->id, t, tmp, name, user, kind, reason, &changed, d);
        if (st == KH_OK && !(*total = kh_strdup(t)))
            st = KH_ERR_NOMEM;
    }
    if (tmp)
        remove(tmp);
    pthread_mutex_unlock(&fill_mu);
    kh_free(tmp);
    kh_free(name);
    kh_free(year);
    kh_fill_scored_clear(&sc);
    for (size_t i = 0; i < r->ncps; i++) {
        if (v)
            kh_free(v[i]);
        if (m)
            kh_free(m[i]);
        if (e) {
            kh_free((char *)e[i].value);
            kh_free((char *)e[i].remark);
        }
    }
    kh_free(v);
    kh_free(m);
    kh_free(e);
    kh_diags_clear(&x.msgs);
    kh_free(x.other);
    kh_ws_entry_clear(&cur);
    return st;
}
