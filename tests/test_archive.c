/*
 * test_archive.c - zip archives of whole files (src/archive.c): packing
 * with UTF-8 names read back as such, unpacking an office's upload (names
 * in GB18030, folders, macOS noise skipped), the per-entry limit.
 */
#include "testutil.h"

#include "archive.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

typedef struct placed {
    char dir[256];
    char names[8][128];
    size_t n;
} placed;

static char *place(void *ctx, const char *name, bool *stop)
{
    placed *p = ctx;
    (void)stop;
    assert_true(p->n < 8);
    snprintf(p->names[p->n], sizeof p->names[0], "%s", name);
    char path[512];
    snprintf(path, sizeof path, "%s/out%zu", p->dir, p->n++);
    return kh_strdup(path);
}

/* Write a zip at path of n entries (names as raw bytes, flag 0). */
static void make_zip(const char *path, const char *const *names, const char *const *bodies,
                     size_t n)
{
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    assert_non_null(zf);
    for (size_t i = 0; i < n; i++) {
        zip_fileinfo zi = {0};
        assert_int_equal(zipOpenNewFileInZip64(zf, names[i], &zi, NULL, 0, NULL, 0, NULL,
                                               Z_DEFLATED, 6, 0),
                         ZIP_OK);
        assert_int_equal(zipWriteInFileInZip(zf, bodies[i], (unsigned)strlen(bodies[i])), ZIP_OK);
        assert_int_equal(zipCloseFileInZip(zf), ZIP_OK);
    }
    assert_int_equal(zipClose(zf, NULL), ZIP_OK);
}

static void pack_then_unpack(void **state)
{
    const char *dir = *state;
    char in[300];
    snprintf(in, sizeof in, "%s/in", dir);
    assert_int_equal(mkdir(in, 0700), 0);
    test_write_file(test_path(in, "两江镇评分表.xlsx"), "two");
    test_write_file(test_path(in, "临桂镇评分表.xlsx"), "one");
    test_write_file(test_path(in, ".hidden.tmp"), "not packed");
    kh_diags d = {0};
    assert_int_equal(kh_archive_pack(test_path(dir, "a.zip"), in, &d), KH_OK);
    placed p = {0};
    snprintf(p.dir, sizeof p.dir, "%s", dir);
    assert_int_equal(kh_archive_unpack(test_path(dir, "a.zip"), "a.zip", 1 << 20, 1 << 30, place, &p, &d),
                     KH_OK);
    assert_int_equal(d.n, 0);
    /* In name order, the UTF-8 names as they were, the hidden file left out. */
    assert_int_equal(p.n, 2);
    assert_string_equal(p.names[0], "两江镇评分表.xlsx");
    assert_string_equal(p.names[1], "临桂镇评分表.xlsx");
    size_t len;
    char *body = test_slurp(test_path(dir, "out0"), &len);
    assert_string_equal(body, "two");
    free(body);
}

static void office_zip(void **state)
{
    const char *dir = *state;
    /* 两江镇.csv as Windows Explorer writes it on a Chinese system: GB18030
     * bytes and no UTF-8 flag. */
    const char *names[] = {"\xc1\xbd\xbd\xad\xd5\xf2.csv", "上报/临桂镇.csv", "上报/",
                           "__MACOSX/上报/._临桂镇.csv", "上报/._x.csv"};
    const char *bodies[] = {"a", "b", "", "noise", "noise"};
    make_zip(test_path(dir, "o.zip"), names, bodies, 5);
    placed p = {0};
    snprintf(p.dir, sizeof p.dir, "%s", dir);
    kh_diags d = {0};
    assert_int_equal(kh_archive_unpack(test_path(dir, "o.zip"), "o.zip", 1 << 20, 1 << 30, place, &p, &d),
                     KH_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.names[0], "两江镇.csv");
    assert_string_equal(p.names[1], "上报/临桂镇.csv");
}

static void entry_over_limit(void **state)
{
    const char *dir = *state;
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    const char *names[] = {"big.csv"};
    const char *bodies[] = {big};
    make_zip(test_path(dir, "b.zip"), names, bodies, 1);
    placed p = {0};
    snprintf(p.dir, sizeof p.dir, "%s", dir);
    kh_diags d = {0};
    assert_int_equal(kh_archive_unpack(test_path(dir, "b.zip"), "上报.zip", 4096, 1 << 30, place, &p, &d),
                     KH_ERR_LIMIT);
    /* Named by the name the office gave, the partial file removed. */
    assert_true(d.n == 1 && strcmp(d.v[0].file, "上报.zip") == 0);
    assert_true(strstr(d.v[0].msg, "big.csv") != NULL);
    assert_int_equal(access(test_path(dir, "out0"), F_OK), -1);
    kh_diags_clear(&d);
    /* Entries each within their limit, more than max_total together. */
    const char *names2[] = {"1.csv", "2.csv", "3.csv"};
    const char *bodies2[] = {big, big, big};
    make_zip(test_path(dir, "t.zip"), names2, bodies2, 3);
    p.n = 0;
    assert_int_equal(kh_archive_unpack(test_path(dir, "t.zip"), "t.zip", 1 << 20, 12000, place,
                                       &p, &d),
                     KH_ERR_LIMIT);
    assert_int_equal(p.n, 3);
    assert_true(strstr(d.v[d.n - 1].msg, "more than a request may hold") != NULL);
    assert_int_equal(access(test_path(dir, "out1"), F_OK), 0);
    assert_int_equal(access(test_path(dir, "out2"), F_OK), -1);
    kh_diags_clear(&d);
    /* Not a zip at all: an input error naming it. */
    test_write_file(test_path(dir, "n.zip"), "not a zip");
    assert_int_equal(kh_archive_unpack(test_path(dir, "n.zip"), "材料.zip", 4096, 1 << 30, place, &p, &d),
                     KH_ERR_INPUT);
    assert_true(d.n >= 1 && strcmp(d.v[0].file, "材料.zip") == 0);
    kh_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pack_then_unpack, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(office_zip, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(entry_over_limit, test_scratch_setup,
                                        test_scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
