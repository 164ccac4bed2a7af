/*
 * appeal.c - 公示, 申诉, 复核 and 定稿 in the workspace (appeal.h says the
 * rules).  Two tables: publications (one row per rubric) and appeals (one
 * row per appeal, its decision in the same row).  Every check and the
 * write it guards run under the workspace's lock, in one transaction.
 */
#include "appeal.h"
#include "batch.h"
#include "workspace_db.h"
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS publications(rubric TEXT PRIMARY KEY, closes TEXT NOT NULL,"
    " with_ranking INTEGER NOT NULL, published_at TEXT NOT NULL, published_by TEXT NOT NULL,"
    " final_at TEXT, final_by TEXT, final_after INTEGER);"
    "CREATE TABLE IF NOT EXISTS appeals(id INTEGER PRIMARY KEY, unit TEXT NOT NULL,"
    " rubric TEXT NOT NULL, cp TEXT NOT NULL, argument TEXT NOT NULL, filed_at TEXT NOT NULL,"
    " filed_by TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0, result TEXT, reason TEXT,"
    " decided_at TEXT, decided_by TEXT, filed_after INTEGER NOT NULL DEFAULT 0,"
    " decided_after INTEGER);"
    "CREATE INDEX IF NOT EXISTS appeals_of ON appeals(rubric, unit);";

static void now_text(char out[20])
{
    struct tm tm;
    long off;
    kh_localtime(time(NULL), &tm, &off, NULL, 0); /* platform.h */
    if (strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        strcpy(out, "1970-01-01 00:00:00");
}

bool kh_date_valid(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = atoi(s), m = atoi(s + 5), day = atoi(s + 8);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || day < 1)
        return false;
    int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return day <= max;
}

static kh_status refuse(kh_diags *d, const char *msg)
{
    kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, "%s", msg);
    return KH_ERR_USAGE;
}

/* Begin: the tables made, the lock held, a transaction open. */
static kh_status begin(kh_workspace *w, kh_diags *d)
{
    kh_ws_lock(w);
    kh_status st = kh_ws_exec(w, schema, d);
    if (st == KH_OK)
        st = kh_ws_exec(w, "BEGIN IMMEDIATE", d);
    if (st != KH_OK)
        kh_ws_unlock(w);
    return st;
}

/* End what begin began: commit when st is KH_OK, else roll back. */
static kh_status end(kh_workspace *w, kh_status st, kh_diags *d)
{
    if (st == KH_OK)
        st = kh_ws_exec(w, "COMMIT", d);
    if (st != KH_OK)
        sqlite3_exec(kh_ws_db(w), "ROLLBACK", NULL, NULL, NULL);
    kh_ws_unlock(w);
    return st;
}

void kh_publication_clear(kh_publication *p)
{
    kh_free(p->closes);
    kh_free(p->published_at);
    kh_free(p->published_by);
    kh_free(p->final_at);
    kh_free(p->final_by);
    memset(p, 0, sizeof *p);
}

/* The publication of rubric, the caller holding the lock. */
static kh_status pub_locked(kh_workspace *w, const char *rubric, kh_publication *p, kh_diags *d)
{
    memset(p, 0, sizeof *p);
    const kh_ws_arg a[] = {KH_WS_TEXT(rubric)};
    sqlite3_stmt *q = kh_ws_prepare(w,
                                    "SELECT closes, with_ranking, published_at, published_by,"
                                    " final_at, final_by, IFNULL(final_after, 0)"
                                    " FROM publications WHERE rubric = ?1",
                                    a, 1);
    if (!q)
        return kh_ws_db_error(w, d);
    kh_status st = KH_OK;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        p->published = true;
        p->closes = kh_ws_col(q, 0);
        p->with_ranking = sqlite3_column_int(q, 1) != 0;
        p->published_at = kh_ws_col(q, 2);
        p->published_by = kh_ws_col(q, 3);
        p->final_at = kh_ws_col(q, 4);
        p->final_by = kh_ws_col(q, 5);
        p->final_after = sqlite3_column_int64(q, 6);
        if (!p->closes || !p->published_at || !p->published_by ||
            (sqlite3_column_type(q, 4) != SQLITE_NULL && !p->final_at))
            st = KH_ERR_NOMEM;
    } else if (rc != SQLITE_DONE) {
        st = kh_ws_db_error(w, d);
    }
    sqlite3_finalize(q);
    if (st != KH_OK)
        kh_publication_clear(p);
    return st;
}

kh_status kh_publication_get(kh_workspace *w, const char *rubric, kh_publication *p,
                             kh_diags *d)
{
    kh_status st = begin(w, d);
    if (st != KH_OK) {
        memset(p, 0, sizeof *p);
        return st;
    }
    st = pub_locked(w, rubric, p, d);
    return end(w, st, d);
}

kh_status kh_publish(kh_workspace *w, const char *rubric, const char *closes, bool with_ranking,
                     const char *user, const char *today, kh_diags *d)
{
    if (!kh_date_valid(closes))
        return refuse(d, _("the closing date must be a day written YYYY-MM-DD, e.g. 2021-01-15"));
    if (!kh_date_valid(today) || strcmp(closes, today) < 0)
        return refuse(d, _("the closing date has passed already: choose today or a later day"));
    kh_status st = begin(w, d);
    if (st != KH_OK)
        return st;
    kh_publication p;
    st = pub_locked(w, rubric, &p, d);
    if (st == KH_OK && p.final_at)
        st = refuse(d, _("the results of this rubric are final (定稿) already"));
    kh_publication_clear(&p);
    char at[20];
    now_text(at);
    const kh_ws_arg a[] = {KH_WS_TEXT(rubric), KH_WS_TEXT(closes), KH_WS_NUM(with_ranking),
                           KH_WS_TEXT(at), KH_WS_TEXT(user)};
    if (st == KH_OK &&
        !kh_ws_run(w,
                   "INSERT OR REPLACE INTO publications(rubric, closes, with_ranking,"
                   " published_at, published_by) VALUES(?1, ?2, ?3, ?4, ?5)",
                   a, KH_ARRAY_LEN(a)))
        st = kh_ws_db_error(w, d);
    return end(w, st, d);
}

void kh_appeal_clear(kh_appeal *a)
{
    kh_free(a->unit);
    kh_free(a->rubric);
    kh_free(a->cp);
    kh_free(a->argument);
    kh_free(a->filed_at);
    kh_free(a->filed_by);
    kh_free(a->result);
    kh_free(a->reason);
    kh_free(a->decided_at);
    kh_free(a->decided_by);
    memset(a, 0, sizeof *a);
}

void kh_appeals_free(kh_appeal *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        kh_appeal_clear(&v[i]);
    kh_free(v);
}

/* A row of the open appeals of a check point: a second one is refused
 * (ctx: the diagnostics). */
static kh_status refuse_waiting(void *ctx, sqlite3_stmt *q)
{
    (void)q;
    return refuse(ctx, _("this check point has an appeal waiting for its decision already"));
}

kh_status kh_appeal_file(kh_workspace *w, const char *unit, const char *rubric, const char *cp,
                         const char *argument, const char *user, const char *today,
                         long long *id, kh_diags *d)
{
    *id = 0;
    if (!unit || !*unit || !cp || !*cp)
        return refuse(d, _("an appeal names its unit and its check point"));
    if (!argument || !*argument)
        return refuse(d, _("an appeal needs its reasons: write why the result is wrong"));
    if (!kh_date_valid(today))
        return refuse(d, _("the date of today is not known"));
    kh_status st = begin(w, d);
    if (st != KH_OK)
        return st;
    kh_publication p;
    st = pub_locked(w, rubric, &p, d);
    if (st == KH_OK && !p.published)
        st = refuse(d, _("the results are not published yet: an appeal can be filed once "
                         "they are (公示)"));
    else if (st == KH_OK && p.final_at)
        st = refuse(d, _("the results of this rubric are final (定稿): no more appeals"));
    else if (st == KH_OK && strcmp(today, p.closes) > 0)
        st = refuse(d, _("the time for appeals ended on the closing date of the publication"));
    kh_publication_clear(&p);
    char at[20];
    now_text(at);
    const kh_ws_arg a[] = {KH_WS_TEXT(unit),     KH_WS_TEXT(rubric), KH_WS_TEXT(cp),
                           KH_WS_TEXT(argument), KH_WS_TEXT(at),     KH_WS_TEXT(user)};
    if (st == KH_OK)
        st = kh_ws_rows(w,
                        "SELECT 1 FROM appeals WHERE unit = ?1 AND rubric = ?2 AND cp = ?3"
                        " AND state = 0",
                        a, 3, refuse_waiting, d, d);
    if (st == KH_OK) {
        if (!kh_ws_run(w,
                       "INSERT INTO appeals(unit, rubric, cp, argument, filed_at, filed_by,"
                       " filed_after) VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
                       " (SELECT IFNULL(MAX(id), 0) FROM changes))",
                       a, KH_ARRAY_LEN(a)))
            st = kh_ws_db_error(w, d);
        else
            *id = sqlite3_last_insert_rowid(kh_ws_db(w));
    }
    st = end(w, st, d);
    if (st != KH_OK)
        *id = 0;
    return st;
}

static const char select_appeals[] =
    "SELECT id, unit, rubric, cp, argument, filed_at, filed_by, state, result, reason,"
    " decided_at, decided_by, filed_after, IFNULL(decided_after, 0) FROM appeals";

/* A row of select_appeals into elem (a kh_ws_fill_fn). */
static kh_status appeal_of(void *ctx, sqlite3_stmt *q, void *elem)
{
    (void)ctx;
    kh_appeal *a = elem;
    a->id = sqlite3_column_int64(q, 0);
    a->unit = kh_ws_col(q, 1);
    a->rubric = kh_ws_col(q, 2);
    a->cp = kh_ws_col(q, 3);
    a->argument = kh_ws_col(q, 4);
    a->filed_at = kh_ws_col(q, 5);
    a->filed_by = kh_ws_col(q, 6);
    int s = sqlite3_column_int(q, 7);
    a->state = s == 1 ? KH_APPEAL_KEPT : s == 2 ? KH_APPEAL_CHANGED : KH_APPEAL_OPEN;
    a->result = kh_ws_col(q, 8);
    a->reason = kh_ws_col(q, 9);
    a->decided_at = kh_ws_col(q, 10);
    a->decided_by = kh_ws_col(q, 11);
    a->filed_after = sqlite3_column_int64(q, 12);
    a->decided_after = sqlite3_column_int64(q, 13);
    if (!a->unit || !a->rubric || !a->cp || !a->argument || !a->filed_at || !a->filed_by)
        return KH_ERR_NOMEM;
    return KH_OK;
}

kh_status kh_appeal_decide(kh_workspace *w, long long id, kh_appeal_state decision,
                           const char *result, const char *reason, const char *user,
                           kh_appeal *out, kh_diags *d)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (decision != KH_APPEAL_KEPT && decision != KH_APPEAL_CHANGED)
        return refuse(d, _("a decision is 维持 or 改判"));
    if (!reason || !*reason)
        return refuse(d, _("a decision needs its reason, for the unit and the record"));
    if (decision == KH_APPEAL_CHANGED && (!result || !*result))
        return refuse(d, _("改判 needs the new result of the check point"));
    kh_status st = begin(w, d);
    if (st != KH_OK)
        return st;
    kh_appeal *v = NULL;
    size_t n = 0;
    const kh_ws_arg k[] = {KH_WS_NUM(id)};
    char *sql = kh_strprintf("%s WHERE id = ?1", select_appeals);
    st = sql ? kh_ws_rows_into(w, sql, k, 1, (void **)&v, &n, sizeof *v, appeal_of, NULL, d)
             : KH_ERR_NOMEM;
    kh_free(sql);
    kh_publication p = {0};
    if (st == KH_OK && n == 0)
        st = refuse(d, _("there is no such appeal"));
    else if (st == KH_OK && v[0].state != KH_APPEAL_OPEN)
        st = refuse(d, _("this appeal has been decided already"));
    else if (st == KH_OK && (st = pub_locked(w, v[0].rubric, &p, d)) == KH_OK && p.final_at)
        st = refuse(d, _("the results of this rubric are final (定稿) already"));
    kh_publication_clear(&p);
    char at[20];
    now_text(at);
    const kh_ws_arg a[] = {KH_WS_NUM(id),
                           KH_WS_NUM(decision == KH_APPEAL_KEPT ? 1 : 2),
                           KH_WS_TEXT(decision == KH_APPEAL_CHANGED ? result : NULL),
                           KH_WS_TEXT(reason),
                           KH_WS_TEXT(at),
                           KH_WS_TEXT(user)};
    if (st == KH_OK &&
        !kh_ws_run(w,
                   "UPDATE appeals SET state = ?2, result = ?3, reason = ?4, decided_at = ?5,"
                   " decided_by = ?6, decided_after = (SELECT IFNULL(MAX(id), 0) FROM changes)"
                   " WHERE id = ?1 AND state = 0",
                   a, KH_ARRAY_LEN(a)))
        st = kh_ws_db_error(w, d);
    st = end(w, st, d);
    if (st == KH_OK && out) {
        *out = v[0];
        out->state = decision;
        out->result = decision == KH_APPEAL_CHANGED ? kh_strdup(result) : NULL;
        out->reason = kh_strdup(reason);
        out->decided_at = kh_strdup(at);
        out->decided_by = kh_strdup(user);
        memset(&v[0], 0, sizeof v[0]); /* now out's */
        if (!out->reason || !out->decided_at || !out->decided_by ||
            (decision == KH_APPEAL_CHANGED && !out->result))
            st = KH_ERR_NOMEM;
    }
    kh_appeals_free(v, n);
    return st;
}

kh_status kh_appeals_list(kh_workspace *w, const char *rubric, const char *unit, kh_appeal **v,
                          size_t *n, kh_diags *d)
{
    *v = NULL;
    *n = 0;
    kh_status st = begin(w, d);
    if (st != KH_OK)
        return st;
    char *sql = kh_strprintf("%s WHERE (?1 IS NULL OR rubric = ?1) AND (?2 IS NULL OR unit = ?2)"
                             " ORDER BY id",
                             select_appeals);
    const kh_ws_arg a[] = {KH_WS_TEXT(rubric), KH_WS_TEXT(unit)};
    st = sql ? kh_ws_rows_into(w, sql, a, 2, (void **)v, n, sizeof **v, appeal_of, NULL, d)
             : KH_ERR_NOMEM;
    kh_free(sql);
    st = end(w, st, d);
    if (st != KH_OK) {
        kh_appeals_free(*v, *n);
        *v = NULL;
        *n = 0;
    }
    return st;
}

kh_status kh_finalise(kh_workspace *w, const char *rubric, const char *user, const char *today,
                      kh_diags *d)
{
    if (!kh_date_valid(today))
        return refuse(d, _("the date of today is not known"));
    kh_status st = begin(w, d);
    if (st != KH_OK)
        return st;
    kh_publication p;
    st = pub_locked(w, rubric, &p, d);
    if (st == KH_OK && !p.published)
        st = refuse(d, _("the results are not published yet: publish them (公示) first"));
    else if (st == KH_OK && p.final_at)
        st = refuse(d, _("the results of this rubric are final (定稿) already"));
    else if (st == KH_OK && strcmp(today, p.closes) <= 0)
        st = refuse(d, _("the publication is still open: 定稿 is possible from the day after "
                         "its closing date"));
    kh_publication_clear(&p);
    char at[20];
    now_text(at);
    const kh_ws_arg a[] = {KH_WS_TEXT(rubric), KH_WS_TEXT(at), KH_WS_TEXT(user)};
    sqlite3_stmt *q = NULL;
    if (st == KH_OK &&
        (!(q = kh_ws_prepare(w, "SELECT COUNT(*) FROM appeals WHERE rubric = ?1 AND state = 0",
                             a, 1)) ||
         sqlite3_step(q) != SQLITE_ROW))
        st = kh_ws_db_error(w, d);
    else if (q && sqlite3_column_int64(q, 0) > 0) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("%lld appeals are still waiting for their decision: decide them "
                       "before 定稿"),
                     (long long)sqlite3_column_int64(q, 0));
        st = KH_ERR_USAGE;
    }
    sqlite3_finalize(q);
    if (st == KH_OK &&
        !kh_ws_run(w,
                   "UPDATE publications SET final_at = ?2, final_by = ?3,"
                   " final_after = (SELECT IFNULL(MAX(id), 0) FROM changes) WHERE rubric = ?1",
                   a, 3))
        st = kh_ws_db_error(w, d);
    return end(w, st, d);
}

kh_status kh_appeals_as_changes(const kh_appeal *v, size_t n, kh_ws_change **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += v[i].state == KH_APPEAL_OPEN ? 1 : 2;
    if (m == 0)
        return KH_OK;
    kh_ws_change *c = kh_calloc(m, sizeof *c);
    if (!c)
        return KH_ERR_NOMEM;
    size_t k = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const kh_appeal *a = &v[i];
        c[k].id = a->filed_after;
        c[k].at = kh_strdup(a->filed_at);
        c[k].user = kh_strdup(a->filed_by);
        c[k].unit = kh_strdup(a->unit);
        c[k].rubric = kh_strdup(a->rubric);
        c[k].kind = kh_strdup("申诉");
        c[k].reason = kh_strprintf("检查点 %s：%s", a->cp, a->argument);
        c[k].name = kh_strdup("");
        ok = ok && c[k].at && c[k].user && c[k].unit && c[k].rubric && c[k].kind &&
             c[k].reason && c[k].name;
        k++;
        if (a->state == KH_APPEAL_OPEN)
            continue;
        c[k].id = a->decided_after;
        c[k].at = kh_strdup(a->decided_at ? a->decided_at : "");
        c[k].user = kh_strdup(a->decided_by ? a->decided_by : "");
        c[k].unit = kh_strdup(a->unit);
        c[k].rubric = kh_strdup(a->rubric);
        c[k].kind = kh_strdup(a->state == KH_APPEAL_KEPT ? "复核（维持）" : "复核（改判）");
        c[k].reason = a->state == KH_APPEAL_CHANGED
                          ? kh_strprintf("检查点 %s 改判为“%s”：%s", a->cp,
                                         a->result ? a->result : "", a->reason ? a->reason : "")
                          : kh_strprintf("检查点 %s 维持原结果：%s", a->cp,
                                         a->reason ? a->reason : "");
        c[k].name = kh_strdup("");
        ok = ok && c[k].at && c[k].user && c[k].unit && c[k].rubric && c[k].kind &&
             c[k].reason && c[k].name;
        k++;
    }
    if (!ok) {
        kh_ws_changes_free(c, k);
        return KH_ERR_NOMEM;
    }
    *out = c;
    *nout = k;
    return KH_OK;
}

kh_status kh_journal_with_appeals(kh_workspace *w, kh_ws_change **v, size_t *n, kh_diags *d)
{
    *v = NULL;
    *n = 0;
    kh_ws_change *hist = NULL, *steps = NULL;
    size_t nh = 0, ns = 0, na = 0;
    kh_appeal *a = NULL;
    kh_status st = kh_workspace_history(w, &hist, &nh, d);
    if (st == KH_OK)
        st = kh_appeals_list(w, NULL, NULL, &a, &na, d);
    if (st == KH_OK)
        st = kh_appeals_as_changes(a, na, &steps, &ns);
    kh_appeals_free(a, na);
    kh_ws_change *all = st == KH_OK && nh + ns ? kh_calloc(nh + ns, sizeof *all) : NULL;
    if (st == KH_OK && nh + ns && !all)
        st = KH_ERR_NOMEM;
    if (st != KH_OK) {
        kh_ws_changes_free(hist, nh);
        kh_ws_changes_free(steps, ns);
        return st;
    }
    /* Each step knows the last file change before it (its id): the
     * journal's changes in their order, each step after the change it
     * followed; steps after the same change in time order. */
    for (size_t i = 1; i < ns; i++)
        for (size_t j = i; j > 0 && (steps[j - 1].id > steps[j].id ||
                                     (steps[j - 1].id == steps[j].id &&
                                      strcmp(steps[j - 1].at, steps[j].at) > 0));
             j--) {
            kh_ws_change t = steps[j];
            steps[j] = steps[j - 1];
            steps[j - 1] = t;
        }
    size_t i = 0, j = 0, k = 0;
    while (i < nh || j < ns)
        all[k++] = j >= ns || (i < nh && hist[i].id <= steps[j].id) ? hist[i++] : steps[j++];
    kh_free(hist); /* their members are all's now */
    kh_free(steps);
    /* A file changed after its rubric's 定稿 says so. */
    for (size_t m = 0; m < k && st == KH_OK; m++) {
        if (!all[m].new_hash)
            continue;
        kh_publication p;
        st = kh_publication_get(w, all[m].rubric, &p, d);
        if (st == KH_OK && p.final_at && all[m].id > p.final_after) {
            char *kind = kh_strprintf("%s（定稿后）", all[m].kind);
            if (!kind)
                st = KH_ERR_NOMEM;
            else {
                kh_free(all[m].kind);
                all[m].kind = kind;
            }
        }
        kh_publication_clear(&p);
    }
    if (st != KH_OK) {
        kh_ws_changes_free(all, k);
        return st;
    }
    *v = all;
    *n = k;
    return KH_OK;
}

/* ---- 定稿 on the outputs ---- */

kh_status kh_batch_set_final(kh_batch *b, const char *rubric, const char *date)
{
    size_t cap = b->nfinal, cap2 = cap; /* the two arrays grow together */
    if (!kh_grow((void **)&b->final_rubric, &cap, b->nfinal + 1, sizeof *b->final_rubric) ||
        !kh_grow((void **)&b->final_date, &cap2, b->nfinal + 1, sizeof *b->final_date))
        return KH_ERR_NOMEM;
    char *r = kh_strdup(rubric), *t = kh_strndup(date, 10);
    if (!r || !t) {
        kh_free(r);
        kh_free(t);
        return KH_ERR_NOMEM;
    }
    b->final_rubric[b->nfinal] = r;
    b->final_date[b->nfinal++] = t;
    for (size_t i = 0; i < b->nunits; i++)
        if (strcmp(b->units[i]->cl->rubric->id, rubric) == 0)
            b->units[i]->final = t;
    return KH_OK;
}

const char *kh_batch_final_of(const kh_batch *b, const char *rubric)
{
    for (size_t i = 0; i < b->nfinal; i++)
        if (strcmp(b->final_rubric[i], rubric) == 0)
            return b->final_date[i];
    return NULL;
}

/* A row (rubric, final_at) into the batch ctx. */
static kh_status take_final(void *ctx, sqlite3_stmt *q)
{
    return kh_batch_set_final(ctx, (const char *)sqlite3_column_text(q, 0),
                              (const char *)sqlite3_column_text(q, 1));
}

kh_status kh_batch_mark_final(kh_batch *b, kh_workspace *w, kh_diags *d)
{
    kh_status st = begin(w, d);
    if (st != KH_OK)
        return st;
    st = kh_ws_rows(w, "SELECT rubric, final_at FROM publications WHERE final_at IS NOT NULL",
                    NULL, 0, take_final, b, d);
    return end(w, st, d);
}
