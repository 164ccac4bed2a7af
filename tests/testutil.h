/*
 * testutil.h - what the cmocka unit tests share: files, diagnostics,
 * scratch folders, the fixture of the tests that score files, workbooks
 * and zip parts read back, and a counting allocator for allocation-failure
 * loops.  Everything is static inline (or a macro) and named test_*.
 */
#ifndef KH_TESTUTIL_H
#define KH_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unzip.h>

#include "common.h"
#include "sheet.h"
#include "xlsx_in.h"

/* ---- files ---- */

/* Directory of the source tree's tests/ (tests run from the top). */
#define TEST_DATA "tests/data"

/* Read a whole file into a new buffer (test-only; aborts the test on
 * failure).  *len gets its length; the buffer is NUL-terminated. */
static inline char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* Write text to path (replacing it), or fail the test. */
static inline void test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* Append s (NULL: empty) to b as a quoted CSV field. */
static inline void test_csv_field(kh_buf *b, const char *s)
{
    kh_buf_putc(b, '"');
    for (; s && *s; s++) {
        if (*s == '"')
            kh_buf_putc(b, '"');
        kh_buf_putc(b, *s);
    }
    kh_buf_putc(b, '"');
}

/* ---- diagnostics ---- */

/* Assert that diagnostic i of d formats as expected. */
#define assert_diag(d, i, expected)                                           \
    do {                                                                      \
        assert_true((i) < (d)->n);                                            \
        char *got_ = kh_diag_format(&(d)->v[(i)]);                            \
        assert_non_null(got_);                                                \
        assert_string_equal(got_, (expected));                                \
        kh_free(got_);                                                        \
    } while (0)

/* Print every diagnostic of d, formatted (to see why a test failed). */
static inline void test_print_diags(const kh_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        char *s = kh_diag_format(&d->v[i]);
        print_error("  diag %zu: %s\n", i, s);
        kh_free(s);
    }
}

/* True when some diagnostic of d, formatted, contains needle. */
static inline int test_diags_contain(const kh_diags *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++) {
        char *s = kh_diag_format(&d->v[i]);
        int hit = s && strstr(s, needle) != NULL;
        kh_free(s);
        if (hit)
            return 1;
    }
    return 0;
}

/* Assert that some diagnostic of d contains needle (else print them all). */
#define assert_diags_contain(d, needle)                                       \
    do {                                                                      \
        if (!test_diags_contain((d), (needle))) {                             \
            test_print_diags((d));                                            \
            fail_msg("no diagnostic contains \"%s\"", (needle));              \
        }                                                                     \
    } while (0)

/* ---- scratch folders ---- */

/* Make a fresh folder /tmp/NAME.XXXXXX, its path in dir (size bytes);
 * false when it cannot be made. */
static inline bool test_scratch_make(char *dir, size_t size, const char *name)
{
    int n = snprintf(dir, size, "/tmp/%s.XXXXXX", name);
    return n > 0 && (size_t)n < size && mkdtemp(dir) != NULL;
}

/* Remove a scratch folder and all in it: 0, or -1 (a teardown's status). */
static inline int test_scratch_remove(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* cmocka setup: *state becomes the path of a fresh scratch folder. */
static inline int test_scratch_setup(void **state)
{
    char *dir = malloc(64);
    if (!dir || !test_scratch_make(dir, 64, "kh_test")) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

/* cmocka teardown of test_scratch_setup: the folder goes. */
static inline int test_scratch_teardown(void **state)
{
    int rc = test_scratch_remove(*state);
    free(*state);
    return rc;
}

/* dir/name in one of 16 buffers used in turn (valid for 15 more calls;
 * dir may be an earlier result). */
static inline const char *test_path(const char *dir, const char *name)
{
    static char buf[16][512];
    static unsigned next;
    char path[sizeof buf[0]];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof path);
    return memcpy(buf[next++ % 16], path, (size_t)n + 1);
}

/* name in the scratch folder f->dir of a test's fixture f (test_path). */
#define pathf(f, name) test_path((f)->dir, (name))

/* How many names in dir hold ".tmp" (temporary files left behind). */
static inline size_t test_count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    return n;
}

/* ---- the fixture of the tests that score files ---- */

/* A scratch folder, a rubric registry and a batch of inputs read from the
 * folder: the fixture of the tests that score files and write outputs. */
typedef struct test_fx {
    char dir[64];
    kh_registry *reg;
    kh_batch *b;
    kh_diags notes;
} test_fx;

/* A new fixture with scratch folder /tmp/NAME.XXXXXX, or NULL. */
static inline test_fx *test_fx_new(const char *name)
{
    test_fx *f = calloc(1, sizeof *f);
    if (!f || !test_scratch_make(f->dir, sizeof f->dir, name)) {
        free(f);
        return NULL;
    }
    f->reg = kh_registry_new();
    if (!f->reg) {
        test_scratch_remove(f->dir);
        free(f);
        return NULL;
    }
    return f;
}

/* cmocka teardown of a test_fx in *state: frees it, removes its folder. */
static inline int test_fx_teardown(void **state)
{
    test_fx *f = *state;
    kh_batch_free(f->b);
    kh_registry_free(f->reg);
    kh_diags_clear(&f->notes);
    int rc = test_scratch_remove(f->dir);
    free(f);
    return rc;
}

/* Add the file (or folder) named file in f's folder to f's batch. */
static inline void test_fx_add(test_fx *f, const char *file)
{
    if (!f->b)
        f->b = kh_batch_new(f->reg, NULL);
    assert_non_null(f->b);
    assert_int_equal(kh_batch_add(f->b, pathf(f, file), &f->notes), KH_OK);
}

/* ---- outputs read back: zip parts, workbooks ---- */

/* Part of the zip file at path as a new string (free it), or NULL when
 * the zip has no such part; a zip that cannot be read fails the test. */
static inline char *test_zip_part(const char *path, const char *part)
{
    unzFile z = unzOpen64(path);
    assert_non_null(z);
    char *text = NULL;
    if (unzLocateFile(z, part, 1) == UNZ_OK) {
        unz_file_info64 info;
        assert_int_equal(unzGetCurrentFileInfo64(z, &info, NULL, 0, NULL, 0, NULL, 0), UNZ_OK);
        text = calloc(info.uncompressed_size + 1, 1);
        assert_non_null(text);
        assert_int_equal(unzOpenCurrentFile(z), UNZ_OK);
        int n = unzReadCurrentFile(z, text, (unsigned)info.uncompressed_size);
        assert_int_equal(n, (int)info.uncompressed_size);
        assert_int_equal(unzCloseCurrentFile(z), UNZ_OK);
    }
    unzClose(z);
    return text;
}

/* One cell read back (a copy: the reader's sheet is gone by then). */
typedef struct test_rcell {
    uint32_t row, col;
    kh_cell_type type;
    char *text;
} test_rcell;

/* One sheet read back: its name and its cells. */
typedef struct test_rsheet {
    char *name;
    test_rcell *cells;
    size_t n;
} test_rsheet;

/* A workbook read back: up to 16 sheets in tab order. */
typedef struct test_rbook {
    test_rsheet s[16];
    size_t n;
} test_rbook;

/* Copy the name and cells of sh into s (test_rsheet_free frees them). */
static inline void test_rsheet_copy(test_rsheet *s, const kh_sheet *sh)
{
    s->name = strdup(sh->name ? sh->name : "");
    s->cells = calloc(sh->ncells ? sh->ncells : 1, sizeof *s->cells);
    for (size_t i = 0; i < sh->ncells; i++)
        s->cells[i] = (test_rcell){sh->cells[i].row, sh->cells[i].col, sh->cells[i].type,
                                   strdup(sh->cells[i].text)};
    s->n = sh->ncells;
}

/* Free what test_rsheet_copy made. */
static inline void test_rsheet_free(test_rsheet *s)
{
    for (size_t k = 0; k < s->n; k++)
        free(s->cells[k].text);
    free(s->cells);
    free(s->name);
}

/* A kh_sheet_fn adding each sheet to the test_rbook ctx (KH_ERR_LIMIT past 16). */
static inline kh_status test_rbook_take(void *ctx, const kh_sheet *sh)
{
    test_rbook *bk = ctx;
    if (bk->n == KH_ARRAY_LEN(bk->s))
        return KH_ERR_LIMIT;
    test_rsheet_copy(&bk->s[bk->n++], sh);
    return KH_OK;
}

/* Read the workbook at path into bk, or fail the test (diagnostics shown). */
static inline void test_rbook_read(const char *path, test_rbook *bk)
{
    memset(bk, 0, sizeof *bk);
    kh_diags d = {0};
    kh_status st = kh_xlsx_read_file(path, test_rbook_take, bk, &d);
    if (st != KH_OK)
        test_print_diags(&d);
    assert_int_equal(st, KH_OK);
    kh_diags_clear(&d);
}

/* Free the sheets of bk. */
static inline void test_rbook_free(test_rbook *bk)
{
    for (size_t i = 0; i < bk->n; i++)
        test_rsheet_free(&bk->s[i]);
}

/* The cell of s at an A1 reference, or NULL when it is empty. */
static inline const test_rcell *test_cell_at(const test_rsheet *s, const char *ref)
{
    uint32_t r, c;
    assert_true(kh_cell_parse(ref, &r, &c));
    for (size_t i = 0; i < s->n; i++)
        if (s->cells[i].row == r && s->cells[i].col == c)
            return &s->cells[i];
    return NULL;
}

/* Assert that cell ref of the test_rsheet s holds the text want. */
#define assert_cell(s, ref, want)                                             \
    do {                                                                      \
        const test_rcell *c_ = test_cell_at((s), (ref));                      \
        if (!c_)                                                              \
            fail_msg("%s is empty, want \"%s\"", (ref), (want));              \
        assert_string_equal(c_->text, (want));                                \
    } while (0)

/* Assert that cell ref of the test_rsheet s holds want_text of want_type. */
#define assert_cell_type(s, ref, want_type, want_text)                        \
    do {                                                                      \
        const test_rcell *c_ = test_cell_at((s), (ref));                      \
        if (!c_)                                                              \
            fail_msg("%s!%s is empty, want \"%s\"", (s)->name, (ref),         \
                     (want_text));                                            \
        if (strcmp(c_->text, (want_text)) != 0 || c_->type != (want_type))    \
            fail_msg("%s!%s = \"%s\" (type %d), want \"%s\" (type %d)",       \
                     (s)->name, (ref), c_->text, c_->type, (want_text),       \
                     (want_type));                                            \
    } while (0)

/* ---- a counting allocator for allocation-failure loops ---- */

/* Its counts: allocation number fail_at (from 0; -1: none) fails, calls
 * counts the allocations tried, live the blocks not freed yet. */
typedef struct test_alloc_counts {
    long fail_at, calls, live;
} test_alloc_counts;

/* The counts of this test program (unused by tests without such a loop). */
static test_alloc_counts test_alloc __attribute__((unused)) = {-1, 0, 0};

/* malloc, failing allocation test_alloc.fail_at, counting live blocks. */
static inline void *test_count_malloc(size_t n)
{
    if (test_alloc.calls++ == test_alloc.fail_at)
        return NULL;
    void *p = malloc(n);
    test_alloc.live += p != NULL;
    return p;
}

/* realloc, failing allocation test_alloc.fail_at, counting live blocks. */
static inline void *test_count_realloc(void *p, size_t n)
{
    if (test_alloc.calls++ == test_alloc.fail_at)
        return NULL;
    void *q = realloc(p, n);
    test_alloc.live += q && !p;
    return q;
}

/* free, counting live blocks. */
static inline void test_count_free(void *p)
{
    test_alloc.live -= p != NULL;
    free(p);
}

/* Zero the counts, make allocation fail_at fail (-1: none) and put the
 * counting allocator in place (kh_set_allocator(NULL) takes it away). */
static inline void test_alloc_start(long fail_at)
{
    static const kh_allocator counting = {test_count_malloc, test_count_realloc,
                                          test_count_free};
    test_alloc = (test_alloc_counts){fail_at, 0, 0};
    kh_set_allocator(&counting);
}

#endif
