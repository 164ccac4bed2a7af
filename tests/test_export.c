/*
 * test_export.c - the year of a workspace as one .zip (src/export.c): the
 * entries' names (units, check points with their labels, the uploaded
 * names made safe and unique, case ignored; a unit under two rubrics with
 * a folder per rubric), every name flagged UTF-8, the bytes of evidence
 * as attached, and a workspace in use refused.  (The readers - unzip,
 * 7z, Python - in tests/interop/test_evidence_export.sh.)
 */
#include "testutil.h"

#include "evidence.h"
#include "export.h"
#include "workspace.h"
#include "xlsx_zip.h"

#include <minizip/unzip.h>

static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_and_bytes(void **state)
{
    const char *dir = *state;
    const char *ws = test_path(dir, "ws");
    write_bytes(test_path(dir, "p.png"), png, sizeof png);
    unsigned char png2[sizeof png + 1];
    memcpy(png2, png, sizeof png);
    png2[sizeof png] = 'x';
    write_bytes(test_path(dir, "q.png"), png2, sizeof png2);
    test_write_file(test_path(dir, "a.pdf"), "%PDF-1.4\n");
    kh_registry *reg = kh_registry_new();
    kh_diags d = {0};
    assert_int_equal(kh_registry_load_dir(reg, "templates/rubrics", &d), KH_OK);
    kh_workspace *w = NULL;
    assert_int_equal(kh_workspace_open(ws, &w, &d), KH_OK);
    bool changed = false;
    assert_int_equal(kh_workspace_record(w, "两江镇", "lingui-2020-township", "36.8",
                                         "samples/两江镇.csv", "两江镇（自评）.csv", "科长", NULL,
                                         NULL, &changed, &d),
                     KH_OK);
    const char *t = "lingui-2020-township", *dep = "lingui-2020-department";
    assert_int_equal(kh_evidence_add(w, "两江镇", t, "1.1", test_path(dir, "p.png"), "照片.PNG",
                                     "u", NULL, &d),
                     KH_OK);
    /* The same name in another case, other bytes: "(2)". */
    assert_int_equal(kh_evidence_add(w, "两江镇", t, "1.1", test_path(dir, "q.png"), "照片.png",
                                     "u", NULL, &d),
                     KH_OK);
    assert_int_equal(kh_evidence_add(w, "两江镇", t, "1.1", test_path(dir, "a.pdf"),
                                     "../../x/方案.pdf", "u", NULL, &d),
                     KH_OK);
    assert_int_equal(kh_evidence_add(w, "两江镇", t, "1.6", test_path(dir, "a.pdf"), "nul.pdf",
                                     "u", NULL, &d),
                     KH_OK);
    /* 两江镇 under the department rubric too: a folder per rubric. */
    assert_int_equal(kh_evidence_add(w, "两江镇", dep, "1.1", test_path(dir, "a.pdf"), "方案.pdf",
                                     "u", NULL, &d),
                     KH_OK);
    /* A unit with evidence and no checklist, a name that is a path. */
    assert_int_equal(kh_evidence_add(w, "a/b", t, "1.1", test_path(dir, "p.png"), "x.png", "u",
                                     NULL, &d),
                     KH_OK);
    const char *zip = test_path(dir, "year.zip");
    assert_int_equal(kh_ws_export(w, reg, zip, &d), KH_OK);
    /* In use: the public call (it opens the workspace) is refused. */
    assert_int_equal(kh_workspace_export(ws, reg, test_path(dir, "busy.zip"), &d), KH_ERR_USAGE);
    assert_true(test_diags_contain(&d, "in use by another kaohe"));
    kh_diags_clear(&d);
    kh_workspace_close(w);
    /* Free again: the same entries. */
    assert_int_equal(kh_workspace_export(ws, reg, test_path(dir, "again.zip"), &d), KH_OK);

    static const char *const want[] = { /* in strcmp order */
        "a_b/1.1 学习记录/x.png",
        "两江镇-乡镇/1.1 学习记录/_.._x_方案.pdf",
        "两江镇-乡镇/1.1 学习记录/照片(2).png",
        "两江镇-乡镇/1.1 学习记录/照片.PNG",
        "两江镇-乡镇/1.6 图片/nul_.pdf",
        "两江镇-乡镇/两江镇（自评）.csv",
        "两江镇-乡镇/评分表.xlsx",
        "两江镇-区直单位部门/1.1 学习记录/方案.pdf",
        "变更记录.xlsx",
        "考核结果排名.xlsx",
    };
    const char *zips[] = {zip, test_path(dir, "again.zip")};
    for (size_t z = 0; z < 2; z++) {
        unzFile uf = unzOpen64(zips[z]);
        assert_non_null(uf);
        char *got[32];
        size_t n = 0;
        for (int rc = unzGoToFirstFile(uf); rc == UNZ_OK; rc = unzGoToNextFile(uf)) {
            unz_file_info64 fi;
            char name[512];
            assert_int_equal(unzGetCurrentFileInfo64(uf, &fi, name, sizeof name, NULL, 0, NULL, 0),
                             UNZ_OK);
            assert_true(fi.flag & (1u << 11)); /* UTF-8 */
            assert_true(n < 32);
            got[n++] = strdup(name);
            if (strcmp(name, "两江镇-乡镇/1.1 学习记录/照片(2).png") == 0) {
                char buf[64];
                assert_int_equal(unzOpenCurrentFile(uf), UNZ_OK);
                assert_int_equal(unzReadCurrentFile(uf, buf, sizeof buf), (int)sizeof png2);
                assert_memory_equal(buf, png2, sizeof png2);
                unzCloseCurrentFile(uf);
            }
        }
        unzClose(uf);
        qsort(got, n, sizeof *got, by_name);
        if (n != KH_ARRAY_LEN(want))
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, "  got %s\n", got[i]);
        assert_int_equal(n, KH_ARRAY_LEN(want));
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(got[i], want[i]);
            free(got[i]);
        }
    }
    kh_registry_free(reg);
    kh_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(names_and_bytes, test_scratch_setup,
                                        test_scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
