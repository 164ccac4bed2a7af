/*
 * test_workspace.c - the year's record of kaohe serve (src/workspace.c):
 * first uploads, replacements only with a reason, the journal's chain of
 * hashes and totals, settings, what survives closing, and files a crash
 * left unnamed removed on open; one writer at a time (the lock), the
 * read-decide-write of a record in one transaction, the sweep sparing
 * what a row names or was written after the lock, the check of files on
 * open.  (Crashes themselves: kill -9 in
 * tests/interop/test_serve_workspace.sh.)  The statement helpers of
 * workspace_db.h: parameters bound in order, rows into an array, errors.
 */
#include "testutil.h"

#include "workspace.h"
#include "workspace_db.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

static void record_replace_history(void **state)
{
    const char *dir = *state;
    const char *ws_dir = test_path(dir, "ws");
    test_write_file(test_path(dir, "a1.csv"), "first version");
    test_write_file(test_path(dir, "a2.csv"), "second version");
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    bool changed = false;
    assert_int_equal(kh_workspace_record(w, "两江镇", "r1", "36.8", test_path(dir, "a1.csv"),
                                         "两江镇.csv", "科长", NULL, NULL, &changed, &d),
                     KH_OK);
    assert_true(changed);
    /* The same file again: nothing. */
    assert_int_equal(kh_workspace_record(w, "两江镇", "r1", "36.8", test_path(dir, "a1.csv"),
                                         "两江镇(1).csv", "科长", "复核", "again", &changed, &d),
                     KH_OK);
    assert_false(changed);
    /* Another file without a reason: refused, said why. */
    assert_int_equal(kh_workspace_record(w, "两江镇", "r1", "36.3", test_path(dir, "a2.csv"),
                                         "两江镇.csv", "科长", "申诉", "", &changed, &d),
                     KH_ERR_USAGE);
    assert_false(changed);
    assert_true(test_diags_contain(&d, "两江镇.csv, total 36.8"));
    kh_diags_clear(&d);
    /* With one: recorded. */
    assert_int_equal(kh_workspace_record(w, "两江镇", "r1", "36.3", test_path(dir, "a2.csv"),
                                         "两江镇.csv", "科员", "申诉", "材料补齐", &changed, &d),
                     KH_OK);
    assert_true(changed);
    /* The same unit under another rubric is another unit. */
    assert_int_equal(kh_workspace_record(w, "两江镇", "r2", "10", test_path(dir, "a1.csv"),
                                         "两江镇-部门.csv", "科员", NULL, NULL, &changed, &d),
                     KH_OK);
    assert_true(changed);
    assert_int_equal(kh_workspace_set(w, "year", "2020", &d), KH_OK);
    kh_workspace_close(w);

    /* Reopened: all of it is there. */
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    char *year = kh_workspace_get(w, "year");
    assert_string_equal(year, "2020");
    kh_free(year);
    assert_null(kh_workspace_get(w, "roster"));
    kh_ws_entry e;
    bool found = false;
    assert_int_equal(kh_workspace_current(w, "两江镇", "r1", &e, &found, &d), KH_OK);
    assert_true(found);
    assert_string_equal(e.total, "36.3");
    size_t len;
    char *body = test_slurp(e.path, &len);
    assert_string_equal(body, "second version");
    free(body);
    kh_ws_entry_clear(&e);
    kh_ws_change *v = NULL;
    size_t n = 0;
    assert_int_equal(kh_workspace_history(w, &v, &n, &d), KH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].kind, "首次上传");
    assert_null(v[0].old_hash);
    assert_null(v[0].reason);
    assert_string_equal(v[1].kind, "申诉");
    assert_string_equal(v[1].reason, "材料补齐");
    assert_string_equal(v[1].user, "科员");
    assert_string_equal(v[1].old_hash, v[0].new_hash);
    assert_string_equal(v[1].old_total, "36.8");
    assert_string_equal(v[1].new_total, "36.3");
    assert_string_not_equal(v[1].new_hash, v[0].new_hash);
    assert_int_equal(strlen(v[1].new_hash), 64);
    /* Files that count: the second version (r1) and the first (r2), in
     * the order they first counted, with their uploaded names. */
    char **names = NULL;
    char **paths = kh_workspace_files(w, &len, &names);
    assert_int_equal(len, 2);
    assert_string_equal(names[0], "两江镇-部门.csv");
    assert_string_equal(names[1], "两江镇.csv");
    assert_non_null(strstr(paths[0], v[0].new_hash));
    kh_strv_free(paths, len);
    kh_strv_free(names, len);
    size_t nu = 0;
    char **units = kh_workspace_units_of(w, v[0].new_hash, &nu);
    assert_int_equal(nu, 1);
    assert_string_equal(units[0], "r2\t两江镇");
    kh_strv_free(units, nu);
    kh_ws_changes_free(v, n);
    kh_workspace_close(w);
    assert_int_equal(d.n, 0);
}

static void unnamed_files_swept(void **state)
{
    const char *dir = *state;
    const char *ws_dir = test_path(dir, "ws");
    test_write_file(test_path(dir, "a.csv"), "kept");
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    bool changed;
    assert_int_equal(kh_workspace_record(w, "u", "r", "1", test_path(dir, "a.csv"), "a.csv",
                                         "x", NULL, NULL, &changed, &d),
                     KH_OK);
    char *stored = NULL;
    assert_int_equal(kh_workspace_store(w, test_path(dir, "a.csv"), ".csv", &stored, &d), KH_OK);
    kh_workspace_close(w);
    /* What a crash between a file and its transaction leaves. */
    const char *orphan = test_path(ws_dir, "files/"
                                           "0123456789abcdef0123456789abcdef0123456789abcdef01234567"
                                           "89abcdef.xlsx");
    test_write_file(orphan, "orphan");
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    assert_int_equal(access(orphan, F_OK), -1);
    assert_int_equal(access(stored, F_OK), 0);
    kh_free(stored);
    kh_workspace_close(w);
}

/* Uploads that did not pass: kept with their names, messages, unit and
 * rubric; open until the same name or file comes again or a checklist of
 * their unit (and rubric) is recorded after them; kept over a reopen,
 * their files too (the sweep leaves them). */
static void rejections_open_until_replaced(void **state)
{
    const char *dir = *state;
    const char *ws_dir = test_path(dir, "ws");
    test_write_file(test_path(dir, "bad1.csv"), "broken 1");
    test_write_file(test_path(dir, "bad2.csv"), "broken 2");
    test_write_file(test_path(dir, "bad3.csv"), "broken 3");
    test_write_file(test_path(dir, "bad4.csv"), "broken 4");
    test_write_file(test_path(dir, "good.csv"), "good");
    test_write_file(test_path(dir, "good2.csv"), "good 2");
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    assert_int_equal(kh_workspace_record_rejected(w, test_path(dir, "bad1.csv"), "五通镇.xlsx",
                                                  "五通镇", "r1", "科员", "m1\nm2", &d),
                     KH_OK);
    assert_int_equal(kh_workspace_record_rejected(w, test_path(dir, "bad2.csv"), "外星镇.csv",
                                                  NULL, NULL, "科员", "m3", &d),
                     KH_OK);
    assert_int_equal(kh_workspace_record_rejected(w, test_path(dir, "bad3.csv"), "六塘镇.csv",
                                                  "六塘镇", "r1", "科员", "m4", &d),
                     KH_OK);
    kh_ws_rejection *v = NULL;
    size_t n = 0;
    assert_int_equal(kh_workspace_rejections(w, &v, &n, &d), KH_OK);
    assert_int_equal(n, 3);
    kh_ws_rejections_free(v, n);
    /* 五通镇's checklist that passes closes its rejection (no reason). */
    bool changed = false;
    assert_int_equal(kh_workspace_record(w, "五通镇", "r1", "34", test_path(dir, "good.csv"),
                                         "五通镇-改.csv", "科员", NULL, NULL, &changed, &d),
                     KH_OK);
    assert_true(changed);
    /* The same file as 外星镇.csv under another name replaces it. */
    assert_int_equal(kh_workspace_record_rejected(w, test_path(dir, "bad2.csv"), "外星镇(1).csv",
                                                  NULL, NULL, "科长", "m3", &d),
                     KH_OK);
    /* 六塘镇 under another rubric leaves 六塘镇's rejection open. */
    assert_int_equal(kh_workspace_record(w, "六塘镇", "r2", "3", test_path(dir, "good2.csv"),
                                         "六塘镇-部门.csv", "科员", NULL, NULL, &changed, &d),
                     KH_OK);
    /* A rejection after 五通镇's checklist counted stays open. */
    assert_int_equal(kh_workspace_record_rejected(w, test_path(dir, "bad4.csv"), "五通镇2.csv",
                                                  "五通镇", "r1", "科员", "m5", &d),
                     KH_OK);
    kh_workspace_close(w);

    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    assert_int_equal(kh_workspace_rejections(w, &v, &n, &d), KH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].name, "六塘镇.csv");
    assert_string_equal(v[0].unit, "六塘镇");
    assert_string_equal(v[0].rubric, "r1");
    assert_string_equal(v[0].messages, "m4");
    assert_string_equal(v[0].user, "科员");
    assert_int_equal(strlen(v[0].hash), 64);
    assert_int_equal(strlen(v[0].at), 19);
    size_t len;
    char *body = test_slurp(v[0].path, &len);
    assert_string_equal(body, "broken 3");
    free(body);
    assert_string_equal(v[1].name, "外星镇(1).csv");
    assert_null(v[1].unit);
    assert_null(v[1].rubric);
    assert_string_equal(v[1].user, "科长");
    assert_string_equal(v[2].name, "五通镇2.csv");
    assert_string_equal(v[2].messages, "m5");
    kh_ws_rejections_free(v, n);
    /* Nothing was journalled as a change but the two checklists. */
    kh_ws_change *c = NULL;
    assert_int_equal(kh_workspace_history(w, &c, &n, &d), KH_OK);
    assert_int_equal(n, 2);
    kh_ws_changes_free(c, n);
    kh_workspace_close(w);
    assert_int_equal(d.n, 0);
}

/* A second open of a workspace that is open is refused, naming the
 * process that has it (this one: the lock conflicts within a process
 * too); a holder that died (kill -9) leaves it free. */
static void second_writer_refused(void **state)
{
    const char *dir = *state;
    const char *ws_dir = test_path(dir, "ws");
    kh_workspace *w = NULL, *w2 = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    assert_int_equal(kh_workspace_open(ws_dir, &w2, &d), KH_ERR_USAGE);
    assert_null(w2);
    char want[64];
    snprintf(want, sizeof want, "another kaohe (process %ld)", (long)getpid());
    assert_true(test_diags_contain(&d, want));
    kh_diags_clear(&d);
    kh_workspace_close(w);
    /* Closed: free again. */
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    kh_workspace_close(w);
    /* Another process holds it, then is killed. */
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        kh_workspace *cw = NULL;
        kh_diags cd = {0};
        char ok = kh_workspace_open(ws_dir, &cw, &cd) == KH_OK ? 'y' : 'n';
        if (write(go[1], &ok, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char ok = 0;
    assert_int_equal(read(go[0], &ok, 1), 1);
    assert_int_equal(ok, 'y');
    assert_int_equal(kh_workspace_open(ws_dir, &w2, &d), KH_ERR_USAGE);
    snprintf(want, sizeof want, "(process %ld)", (long)child);
    assert_true(test_diags_contain(&d, want));
    kh_diags_clear(&d);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(go[0]);
    close(go[1]);
    assert_int_equal(kh_workspace_open(ws_dir, &w2, &d), KH_OK);
    kh_workspace_close(w2);
    assert_int_equal(d.n, 0);
}

typedef struct racer {
    kh_workspace *w;
    const char *file;
    kh_status st;
    bool changed;
    kh_diags d;
} racer;

static void *record_first(void *arg)
{
    racer *r = arg;
    r->st = kh_workspace_record(r->w, "两江镇", "r1", "36.3", r->file, "两江镇.csv", "科员",
                                NULL, NULL, &r->changed, &r->d);
    return NULL;
}

/* Another connection records the unit's first upload while a record of
 * the same unit waits for the write lock: the waiting one must see it
 * (its read is inside its transaction) and refuse to replace it without
 * a reason, not record a second 首次上传 with no old file. */
static void record_decides_inside_its_transaction(void **state)
{
    const char *dir = *state;
    const char *ws_dir = test_path(dir, "ws");
    test_write_file(test_path(dir, "mine.csv"), "mine");
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(test_path(ws_dir, "journal.sqlite"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    racer r = {.w = w, .file = test_path(dir, "mine.csv")};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, record_first, &r), 0);
    struct timespec pause_ = {0, 300 * 1000 * 1000};
    nanosleep(&pause_, NULL); /* it has read (before the fix) and waits to write */
    const char *other = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO files(hash, ext) VALUES('%s', '.csv');"
             "INSERT INTO current(unit, rubric, hash, name, total)"
             " VALUES('两江镇', 'r1', '%s', 'theirs.csv', '36.8');"
             "INSERT INTO changes(at, user, unit, rubric, kind, new_hash, new_total, name)"
             " VALUES('2026-01-01 00:00:00', '科长', '两江镇', 'r1', '首次上传', '%s', '36.8',"
             " 'theirs.csv');"
             "COMMIT;",
             other, other, other);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    pthread_join(t, NULL);
    sqlite3_close(db);
    assert_int_equal(r.st, KH_ERR_USAGE);
    assert_false(r.changed);
    assert_true(test_diags_contain(&r.d, "theirs.csv, total 36.8"));
    kh_diags_clear(&r.d);
    kh_ws_change *v = NULL;
    size_t n = 0;
    assert_int_equal(kh_workspace_history(w, &v, &n, &d), KH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].name, "theirs.csv");
    kh_ws_changes_free(v, n);
    kh_workspace_close(w);
}

/* The sweep on open spares a file the journal names (even with its files
 * row gone) and one written after the lock was taken (a writer's, in
 * flight); the check on open lists a journal row whose file is missing. */
static void sweep_spares_and_check_lists(void **state)
{
    const char *dir = *state;
    const char *ws_dir = test_path(dir, "ws");
    test_write_file(test_path(dir, "a.csv"), "kept");
    test_write_file(test_path(dir, "b.csv"), "lost");
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    bool changed;
    assert_int_equal(kh_workspace_record(w, "u", "r", "1", test_path(dir, "a.csv"), "a.csv",
                                         "x", NULL, NULL, &changed, &d),
                     KH_OK);
    assert_int_equal(kh_workspace_record(w, "v", "r", "2", test_path(dir, "b.csv"), "b.csv",
                                         "x", NULL, NULL, &changed, &d),
                     KH_OK);
    kh_ws_change *v = NULL;
    size_t n = 0;
    assert_int_equal(kh_workspace_history(w, &v, &n, &d), KH_OK);
    assert_int_equal(n, 2);
    char *named = kh_strprintf("%s/files/%s.csv", ws_dir, v[0].new_hash);
    char *lost = kh_strprintf("%s/files/%s.csv", ws_dir, v[1].new_hash);
    kh_ws_changes_free(v, n);
    kh_workspace_close(w);
    /* Only the journal names a's file now (a hand-edited or older
     * workspace); b's file is gone. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(test_path(ws_dir, "journal.sqlite"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM current WHERE unit = 'u';"
                                      "DELETE FROM files WHERE hash NOT IN (SELECT hash FROM current)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(remove(lost), 0);
    /* An unnamed file written "after the lock": its time a minute ahead. */
    const char *fresh = test_path(ws_dir, "files/"
                                          "0123456789abcdef0123456789abcdef0123456789abcdef01234567"
                                          "89abcdef.xlsx");
    test_write_file(fresh, "in flight");
    struct utimbuf later = {time(NULL) + 60, time(NULL) + 60};
    assert_int_equal(utime(fresh, &later), 0);
    assert_int_equal(kh_workspace_open(ws_dir, &w, &d), KH_OK);
    assert_int_equal(access(named, F_OK), 0);
    assert_int_equal(access(fresh, F_OK), 0);
    size_t nm = 0;
    const kh_ws_missing *m = kh_workspace_missing(w, &nm);
    assert_int_equal(nm, 1);
    assert_string_equal(m[0].unit, "v");
    assert_string_equal(m[0].name, "b.csv");
    assert_true(test_diags_contain(&d, "v (b.csv, recorded"));
    kh_diags_clear(&d);
    kh_workspace_close(w);
    kh_free(named);
    kh_free(lost);
}

typedef struct pair {
    char *a;       /* NULL for SQL NULL */
    long long b;
    int b_type;
} pair;

static kh_status pair_of(void *ctx, sqlite3_stmt *q, void *elem)
{
    int *calls = ctx;
    pair *p = elem;
    (*calls)++;
    const unsigned char *a = sqlite3_column_text(q, 0);
    p->a = a ? kh_strdup((const char *)a) : NULL;
    p->b = sqlite3_column_int64(q, 1);
    p->b_type = sqlite3_column_type(q, 1);
    /* The row of 7 refused: what the fill says ends the query. */
    return p->b == 7 ? KH_ERR_USAGE : KH_OK;
}

static void pairs_free(pair *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        kh_free(v[i].a);
    kh_free(v);
}

static void statement_helpers(void **state)
{
    const char *dir = *state;
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(test_path(dir, "ws"), &w, &d), KH_OK);
    kh_ws_lock(w);
    assert_int_equal(kh_ws_exec(w, "CREATE TEMP TABLE t(a, b)", &d), KH_OK);
    /* Texts as texts, NULL as NULL, numbers as 64-bit integers, in order. */
    const kh_ws_arg r1[] = {KH_WS_TEXT("甲"), KH_WS_NUM(1LL << 40)};
    const kh_ws_arg r2[] = {KH_WS_TEXT(NULL), KH_WS_NUM(-3)};
    const kh_ws_arg r3[] = {KH_WS_TEXT("12"), KH_WS_NUM(7)};
    assert_true(kh_ws_run(w, "INSERT INTO t VALUES(?1, ?2)", r1, 2));
    assert_true(kh_ws_run(w, "INSERT INTO t VALUES(?1, ?2)", r2, 2));
    assert_true(kh_ws_run(w, "INSERT INTO t VALUES(?1, ?2)", r3, 2));
    sqlite3_stmt *q = kh_ws_prepare(w, "SELECT typeof(a) FROM t WHERE b = ?1", r3 + 1, 1);
    assert_non_null(q);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "text"); /* not 12 */
    sqlite3_finalize(q);
    pair *v = NULL;
    size_t n = 0;
    int calls = 0;
    assert_int_equal(kh_ws_rows_into(w, "SELECT a, b FROM t WHERE b <> 7 ORDER BY b", NULL, 0,
                                     (void **)&v, &n, sizeof *v, pair_of, &calls, &d),
                     KH_OK);
    assert_int_equal(n, 2);
    assert_null(v[0].a);
    assert_int_equal(v[0].b, -3);
    assert_string_equal(v[1].a, "甲");
    assert_int_equal(v[1].b, 1LL << 40);
    assert_int_equal(v[1].b_type, SQLITE_INTEGER);
    pairs_free(v, n);
    /* A fill that refuses ends it with its status, its element counted
     * (for the caller's free) and no diagnostic added. */
    v = NULL, n = 0, calls = 0;
    assert_int_equal(kh_ws_rows_into(w, "SELECT a, b FROM t ORDER BY b", NULL, 0, (void **)&v,
                                     &n, sizeof *v, pair_of, &calls, &d),
                     KH_ERR_USAGE);
    assert_int_equal(calls, 2); /* -3, then 7: 1 << 40 is not read */
    assert_int_equal(n, 2);
    assert_string_equal(v[1].a, "12");
    pairs_free(v, n);
    assert_int_equal(d.n, 0);
    /* Errors: a statement that does not prepare, a parameter it does not
     * have (NULL, left for kh_ws_db_error), a failing step. */
    assert_null(kh_ws_prepare(w, "SELECT nocol FROM t", NULL, 0));
    assert_null(kh_ws_prepare(w, "SELECT a FROM t WHERE b = ?1", r1, 2));
    assert_false(kh_ws_run(w, "INSERT INTO t VALUES(?1)", r1, 1));
    v = NULL, n = 0;
    assert_int_equal(kh_ws_rows_into(w, "SELECT nocol FROM t", NULL, 0, (void **)&v, &n,
                                     sizeof *v, pair_of, &calls, &d),
                     KH_ERR_IO);
    assert_int_equal(n, 0);
    assert_true(test_diags_contain(&d, "no such column: nocol"));
    kh_diags_clear(&d);
    assert_int_equal(kh_ws_rows(w, "SELECT abs(-9223372036854775807 - 1)", NULL, 0, NULL, NULL,
                                &d),
                     KH_ERR_IO);
    assert_true(test_diags_contain(&d, "integer overflow"));
    kh_diags_clear(&d);
    kh_ws_unlock(w);
    kh_workspace_close(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(record_replace_history, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(unnamed_files_swept, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(rejections_open_until_replaced, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(second_writer_refused, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(record_decides_inside_its_transaction,
                                        test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(sweep_spares_and_check_lists, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(statement_helpers, test_scratch_setup,
                                        test_scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
