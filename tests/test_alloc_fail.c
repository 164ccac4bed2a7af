/* test_alloc_fail.c - allocation-failure injection over a whole
 * template -> score -> rank cycle, through the library API as main.c calls
 * it (SQLite's and curl's malloc tests).
 *
 * The cycle is cut into steps (load the rubrics, write templates, score a
 * batch, write scoresheets, write the ranking).  For each step and each
 * N = 1, 2, ... the step runs with the Nth allocation failing (only that
 * one), the earlier steps having run without failures, until a run makes
 * fewer than N allocations.  Every run must
 *   - end with an error status (KH_ERR_NOMEM, or the step's own error for a
 *     lost file), or succeed with exactly the outputs of a run without
 *     failures (a failure that was handled, not one silently swallowed);
 *   - free every block it allocated through kh_malloc (counted here; the
 *     rest, like expat's and libcsv's, goes through kh_* too), and leave no
 *     temporary file behind; an output that existed before is either the
 *     old complete file or the new one.
 * ASan/LSan (make asan) and valgrind also see what is not counted here:
 * minizip, zlib, iconv and libxlsxwriter allocate with the C library's
 * malloc and cannot be made to fail; a failure inside them is not tested,
 * but no crash and no leak around them is.
 *
 * KH_ALLOC_FAIL_STEP=N (N = 1 for every allocation, 7 for every 7th)
 * thins the runs out for a quick look. */
#include "testutil.h"
#include "batch.h"
#include "rubric.h"

#include <dirent.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

/* Atomic: the batch reads files on several threads. */
static _Atomic long countdown = -1; /* the allocation that fails is the one at 0 */
static _Atomic long nallocs;        /* allocations made in this run */
static _Atomic long live;           /* blocks allocated and not freed */
static _Atomic bool failed;         /* the injected failure happened */

static bool fail_now(void)
{
    nallocs++;
    if (atomic_fetch_sub(&countdown, 1) == 0) {
        failed = true;
        return true;
    }
    return false;
}

static void *t_malloc(size_t n)
{
    if (fail_now())
        return NULL;
    void *p = malloc(n);
    if (p)
        live++;
    return p;
}

static void *t_realloc(void *ptr, size_t n)
{
    if (fail_now())
        return NULL;
    void *p = realloc(ptr, n);
    if (p && !ptr)
        live++;
    return p;
}

static void t_free(void *p)
{
    if (p)
        live--;
    free(p);
}

static const kh_allocator counting = {t_malloc, t_realloc, t_free};

/* Arm the allocator so that allocation n (0-based) fails; -1: none. */
static void arm(long n)
{
    countdown = n;
    nallocs = 0;
    failed = false;
}

static long step_every(void)
{
    const char *e = getenv("KH_ALLOC_FAIL_STEP");
    long n = e ? atol(e) : 1;
    return n > 0 ? n : 1;
}

/* ---- the scratch folder and its files ---- */

static char dir[64];

static void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static char *slurp_or_null(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fclose(f);
    return test_slurp(path, len);
}

/* True when the file holds exactly the bytes of want. */
static bool same_bytes(const char *path, const char *want, size_t want_len)
{
    size_t len;
    char *got = slurp_or_null(path, &len);
    bool same = got && len == want_len && memcmp(got, want, len) == 0;
    free(got);
    return same;
}

/* Fail when a temporary file (".NAME.XXXXXX.tmp") is left in d. */
static void assert_no_tmp(const char *d, long n)
{
    DIR *dh = opendir(d);
    if (!dh)
        return;
    struct dirent *e;
    while ((e = readdir(dh))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0) {
            closedir(dh);
            fail_msg("%s/%s left behind when allocation %ld failed", d, e->d_name, n);
        }
    }
    closedir(dh);
}

/* A zip file's first bytes; libxlsxwriter's output is not byte-stable (it
 * stamps the time), so XLSX outputs are checked for being whole zips by
 * their end-of-central-directory record. */
static bool whole_zip(const char *path)
{
    size_t len;
    char *b = slurp_or_null(path, &len);
    bool ok = b && len > 22 && memcmp(b, "PK\3\4", 4) == 0 &&
              memcmp(b + len - 22, "PK\5\6", 4) == 0;
    free(b);
    return ok;
}

static int setup(void **state)
{
    (void)state;
    /* tmpfs when there is one: thousands of fsyncs cost nothing there. */
    strcpy(dir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/kh-alloc-XXXXXX" : "/tmp/kh-alloc-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char p[128];
    path_in(p, sizeof p, "in");
    assert_int_equal(mkdir(p, 0755), 0);
    /* A folder input: a UTF-8 and a GB18030 checklist. */
    static const char *const copies[][2] = {
        {"samples/两江镇.csv", "in/两江镇.csv"},
        {"samples/六塘镇.csv", "in/六塘镇.csv"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(copies); i++) {
        size_t len;
        char *b = test_slurp(copies[i][0], &len);
        path_in(p, sizeof p, copies[i][1]);
        FILE *f = fopen(p, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(b, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
        free(b);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- the steps ---- */

static kh_registry *load_registry(kh_status *st, kh_diags *d)
{
    kh_registry *reg = kh_registry_new();
    *st = reg ? kh_registry_load_dir(reg, "templates/rubrics", d) : KH_ERR_NOMEM;
    if (*st == KH_OK)
        *st = kh_rubric_check_file(TEST_DATA "/rubrics/department.xlsx", d);
    if (*st != KH_OK) {
        kh_registry_free(reg);
        return NULL;
    }
    return reg;
}

/* Score the inputs of a kaohe run, as main.c does, on jobs threads: a
 * folder, an XLSX workbook with two units, a checklist with errors.
 * Returns the batch or NULL. */
static kh_batch *score_jobs(const kh_registry *reg, unsigned jobs, kh_status *st,
                            kh_diags *notes)
{
    char in[128];
    path_in(in, sizeof in, "in");
    const char *inputs[] = {in, "tests/fuzz/seeds/xlsx/openpyxl-two-sheets.xlsx",
                            TEST_DATA "/cli/bad.csv"};
    kh_batch *b = kh_batch_new(reg, &(kh_options){0});
    *st = b ? kh_batch_add_all(b, inputs, KH_ARRAY_LEN(inputs), jobs, NULL, NULL, notes)
            : KH_ERR_NOMEM;
    if (*st == KH_OK)
        *st = kh_batch_finish(b);
    if (*st != KH_OK) {
        kh_batch_free(b);
        return NULL;
    }
    return b;
}

static kh_batch *score(const kh_registry *reg, kh_status *st, kh_diags *notes)
{
    return score_jobs(reg, 1, st, notes);
}

static char *json_of(const kh_batch *b, bool ranked, kh_status *st, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    assert_non_null(f);
    *st = kh_batch_write_json(b, ranked, f);
    assert_int_equal(fclose(f), 0);
    return text;
}

/* A reference run without failures: the outputs every successful run
 * must reproduce. */
typedef struct ref {
    kh_registry *reg;
    kh_batch *batch;
    char *json;          /* kh_batch_write_json, ranked */
    size_t json_len;
    char *template_csv;  /* the CSV template */
    size_t template_len;
    size_t nunits, nrejected;
} ref;

static void ref_make(ref *r)
{
    kh_status st;
    kh_diags d = {0};
    memset(r, 0, sizeof *r);
    r->reg = load_registry(&st, &d);
    assert_int_equal(st, KH_OK);
    r->batch = score(r->reg, &st, &d);
    assert_int_equal(st, KH_OK);
    r->nunits = kh_batch_unit_count(r->batch);
    r->nrejected = kh_batch_rejected_count(r->batch);
    assert_int_equal(r->nunits, 4);
    assert_int_equal(r->nrejected, 1);
    r->json = json_of(r->batch, true, &st, &r->json_len);
    assert_int_equal(st, KH_OK);
    /* The outputs of a run before, which the steps write over. */
    const kh_rubric *rb = kh_registry_find(r->reg, "lingui-2020-township");
    const char *units[] = {"甲镇"}, *units2[] = {"甲镇", "乙镇"};
    char p[128];
    path_in(p, sizeof p, "template.xlsx");
    assert_int_equal(kh_write_template(rb, units2, 2, p, &d), KH_OK);
    path_in(p, sizeof p, "template.csv");
    assert_int_equal(kh_write_template(rb, units, 1, p, &d), KH_OK);
    r->template_csv = test_slurp(p, &r->template_len);
    path_in(p, sizeof p, "out");
    assert_int_equal(kh_write_scoresheets(r->batch, p, KH_FMT_XLSX | KH_FMT_CSV | KH_FMT_JSON, 1, &d),
                     KH_OK);
    path_in(p, sizeof p, "ref-out");
    assert_int_equal(kh_write_scoresheets(r->batch, p, KH_FMT_XLSX | KH_FMT_CSV | KH_FMT_JSON, 1, &d),
                     KH_OK);
    path_in(p, sizeof p, "rank.xlsx");
    assert_int_equal(kh_write_ranking(r->batch, p, &d), KH_OK);
    path_in(p, sizeof p, "rank.json");
    assert_int_equal(kh_write_json_file(r->batch, true, p, &d), KH_OK);
    assert_true(same_bytes(p, r->json, r->json_len));
    assert_int_equal(d.n, 0);
    kh_diags_clear(&d);
}

static void ref_free(ref *r)
{
    kh_batch_free(r->batch);
    kh_registry_free(r->reg);
    free(r->json);
    free(r->template_csv);
}

/* Run step(r, n) for n = 0, 1, ... with allocation n failing, until a run
 * makes fewer than n + 1 allocations.  step returns its status and checks
 * its own outputs. */
typedef kh_status (*step_fn)(ref *r, long n);

static void run_step(ref *r, step_fn step, const char *name)
{
    long every = step_every(), n, runs = 0, errors = 0;
    for (n = 0;; n += every) {
        kh_set_allocator(&counting);
        live = 0;
        arm(n);
        kh_status st = step(r, n);
        kh_set_allocator(NULL);
        bool fired = failed;
        long made = nallocs;
        arm(-1);
        if (live != 0)
            fail_msg("%s: %ld blocks leaked when allocation %ld failed", name, live, n);
        assert_no_tmp(dir, n);
        char out[128];
        path_in(out, sizeof out, "out");
        assert_no_tmp(out, n);
        runs++;
        if (!fired) {
            assert_int_equal(st, KH_OK);
            print_message("%s: %ld allocations, %ld failing runs (%ld ended in an error)\n",
                          name, made, runs - 1, errors);
            break;
        }
        if (st != KH_OK)
            errors++;
    }
}

/* Step 1: the shipped rubrics and an XLSX rubric. */
static kh_status step_registry(ref *r, long n)
{
    (void)r, (void)n;
    kh_status st;
    kh_diags d = {0};
    kh_registry *reg = load_registry(&st, &d);
    if (st == KH_OK) {
        assert_non_null(reg);
        assert_int_equal(kh_registry_count(reg), 2);
        assert_non_null(kh_registry_find(reg, "lingui-2020-township"));
    } else {
        assert_null(reg);
        assert_true(st == KH_ERR_NOMEM || st == KH_ERR_RUBRIC);
        /* A rubric reported bad only for want of memory still says so. */
        if (st == KH_ERR_RUBRIC && !d.oom && !test_diags_contain(&d, "memory")) {
            for (size_t i = 0; i < d.n; i++) {
                char *m = kh_diag_format(&d.v[i]);
                print_error("  diag: %s\n", m ? m : "?");
                kh_free(m);
            }
            fail_msg("allocation %ld failed: the rubrics were rejected for another reason", n);
        }
    }
    kh_registry_free(reg);
    kh_diags_clear(&d);
    return st;
}

/* Step 2: a template as XLSX (two unit sheets) and as CSV, over files
 * written before. */
static kh_status step_template(ref *r, long n)
{
    const kh_rubric *rb = kh_registry_find(r->reg, "lingui-2020-township");
    const char *units2[] = {"甲镇", "乙镇"}, *units1[] = {"甲镇"};
    char x[128], c[128];
    path_in(x, sizeof x, "template.xlsx");
    path_in(c, sizeof c, "template.csv");
    kh_diags d = {0};
    kh_status st = kh_write_template(rb, units2, 2, x, &d);
    kh_status st2 = kh_write_template(rb, units1, 1, c, &d);
    if (st == KH_OK)
        st = st2;
    if (!whole_zip(x))
        fail_msg("template.xlsx is not a whole file after allocation %ld failed", n);
    if (!same_bytes(c, r->template_csv, r->template_len))
        fail_msg("template.csv is not the complete template after allocation %ld failed", n);
    kh_diags_clear(&d);
    return st;
}

/* Step 3: score a batch; a successful run gives the reference JSON.  On
 * one thread (the Nth allocation is the same in every run), or on two
 * (which allocation is the Nth varies; the outcome must not). */
static kh_status score_step(ref *r, long n, unsigned jobs)
{
    kh_status st;
    kh_diags notes = {0};
    kh_batch *b = score_jobs(r->reg, jobs, &st, &notes);
    if (st == KH_OK) {
        size_t len;
        kh_status js;
        char *json = json_of(b, true, &js, &len);
        if (js == KH_OK && (len != r->json_len || memcmp(json, r->json, len) != 0)) {
            size_t i = 0;
            while (i < len && i < r->json_len && json[i] == r->json[i])
                i++;
            size_t from = i > 200 ? i - 200 : 0;
            fail_msg("allocation %ld failed, yet the run succeeded with other results: "
                     "at byte %zu,\n  got  ...%.300s\n  want ...%.300s", n, i, json + from,
                     r->json + from);
        }
        st = js;
        free(json);
    } else {
        assert_null(b);
        assert_int_equal(st, KH_ERR_NOMEM);
    }
    kh_batch_free(b);
    kh_diags_clear(&notes);
    return st;
}

static kh_status step_score(ref *r, long n) { return score_step(r, n, 1); }
static kh_status step_score_threads(ref *r, long n) { return score_step(r, n, 2); }

/* Step 4: scoresheets in every format into a folder that has them
 * already, written on jobs threads. */
static kh_status scoresheets_step(ref *r, long n, unsigned jobs)
{
    char out[128];
    path_in(out, sizeof out, "out");
    kh_diags d = {0};
    kh_status st =
        kh_write_scoresheets(r->batch, out, KH_FMT_XLSX | KH_FMT_CSV | KH_FMT_JSON, jobs, &d);
    /* The folder holds the same files as the reference run's, each
     * whole: XLSX a whole zip, CSV and JSON the same bytes. */
    char ref_dir[128];
    path_in(ref_dir, sizeof ref_dir, "ref-out");
    DIR *dh = opendir(ref_dir);
    assert_non_null(dh);
    struct dirent *e;
    size_t nfiles = 0;
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.')
            continue;
        char want[512], got[512];
        snprintf(want, sizeof want, "%s/%s", ref_dir, e->d_name);
        snprintf(got, sizeof got, "%s/%s", out, e->d_name);
        size_t l = strlen(e->d_name), wlen;
        nfiles++;
        if (l > 5 && strcmp(e->d_name + l - 5, ".xlsx") == 0) {
            if (!whole_zip(got))
                fail_msg("%s is not a whole file after allocation %ld failed", got, n);
            continue;
        }
        char *w = test_slurp(want, &wlen);
        if (!same_bytes(got, w, wlen))
            fail_msg("%s is not the complete file after allocation %ld failed", got, n);
        free(w);
    }
    closedir(dh);
    assert_true(nfiles >= 2 * r->nunits + 1);
    if (st != KH_OK)
        assert_true(st == KH_ERR_NOMEM || st == KH_ERR_FORMAT || st == KH_ERR_IO);
    kh_diags_clear(&d);
    return st;
}

static kh_status step_scoresheets(ref *r, long n) { return scoresheets_step(r, n, 1); }
static kh_status step_scoresheets_threads(ref *r, long n) { return scoresheets_step(r, n, 2); }

/* Step 5: the ranking workbook and its JSON, over those of a run before. */
static kh_status step_ranking(ref *r, long n)
{
    char x[128], j[128];
    path_in(x, sizeof x, "rank.xlsx");
    path_in(j, sizeof j, "rank.json");
    kh_diags d = {0};
    kh_status st = kh_write_ranking(r->batch, x, &d);
    kh_status st2 = kh_write_json_file(r->batch, true, j, &d);
    if (st == KH_OK)
        st = st2;
    if (!whole_zip(x))
        fail_msg("rank.xlsx is not a whole file after allocation %ld failed", n);
    if (!same_bytes(j, r->json, r->json_len))
        fail_msg("rank.json is not the complete JSON after allocation %ld failed", n);
    if (st != KH_OK)
        assert_true(st == KH_ERR_NOMEM || st == KH_ERR_FORMAT || st == KH_ERR_IO);
    kh_diags_clear(&d);
    return st;
}

static void test_registry(void **state)
{
    (void)state;
    ref r;
    ref_make(&r);
    run_step(&r, step_registry, "rubrics");
    ref_free(&r);
}

static void test_template(void **state)
{
    (void)state;
    ref r;
    ref_make(&r);
    run_step(&r, step_template, "template");
    ref_free(&r);
}

static void test_score(void **state)
{
    (void)state;
    ref r;
    ref_make(&r);
    run_step(&r, step_score, "score");
    ref_free(&r);
}

static void test_score_threads(void **state)
{
    (void)state;
    ref r;
    ref_make(&r);
    run_step(&r, step_score_threads, "score on 2 threads");
    ref_free(&r);
}

static void test_scoresheets(void **state)
{
    (void)state;
    ref r;
    ref_make(&r);
    run_step(&r, step_scoresheets, "scoresheets");
    ref_free(&r);
}

static void test_scoresheets_threads(void **state)
{
    (void)state;
    ref r;
    ref_make(&r);
    run_step(&r, step_scoresheets_threads, "scoresheets on 2 threads");
    ref_free(&r);
}

static void test_ranking(void **state)
{
    (void)state;
    ref r;
    ref_make(&r);
    run_step(&r, step_ranking, "ranking");
    ref_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_template),
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_score_threads),
        cmocka_unit_test(test_scoresheets),
        cmocka_unit_test(test_scoresheets_threads),
        cmocka_unit_test(test_ranking),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
