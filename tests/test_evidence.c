/*
 * test_evidence.c - 佐证材料 in the workspace (src/evidence.c): the type
 * told from the bytes (what is accepted, what is refused whatever its
 * name), 20 MiB a file, the unit's quota, attachments listed, removed and
 * journalled, a stored file shared and removed with its last row, and the
 * files a crash left without a row swept at the next opening.  (Real
 * kill -9 during uploads: tests/interop/test_evidence_api.sh.)
 */
#include "testutil.h"

#include "archive.h"
#include "evidence.h"
#include "workspace.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char png_bytes[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99,
    0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* A zip with the named parts (each holding "<x/>"). */
static void write_zip(const char *path, const char *const *names, size_t n)
{
    kh_archive_part parts[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++)
        parts[i] = (kh_archive_part){names[i], "<x/>", 4};
    kh_diags d = {0};
    assert_int_equal(kh_archive_write_parts(path, path, parts, n, &d), KH_OK);
    kh_diags_clear(&d);
}

static void sniffing_table(void **state)
{
    const char *dir = *state;
    static const struct {
        const char *name;
        const char *text;
        kh_ev_type want;
    } texts[] = {
        {"a.jpg", "\xFF\xD8\xFF\xE0\x00\x10JFIF", KH_EV_JPEG},
        {"a.pdf", "%PDF-1.4\n%\xE2\xE3\n1 0 obj\n", KH_EV_PDF},
        /* Stored XSS: markup named as an image is refused. */
        {"x.png", "<html><script>alert(1)</script></html>", KH_EV_NONE},
        {"y.png", "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" "
                  "onload=\"alert(1)\"/>", KH_EV_NONE},
        {"z.jpg", "<svg onload=alert(1)>", KH_EV_NONE},
        {"s.pdf", "  %PDF-1.4 not at the start", KH_EV_NONE},
        {"e.exe", "MZ\x90\x00\x03\x00\x00\x00\x04\x00", KH_EV_NONE},
        {"elf.png", "\x7F" "ELF\x02\x01\x01", KH_EV_NONE},
        {"empty.png", "", KH_EV_NONE},
        {"gif.png", "GIF89a\x01\x00", KH_EV_NONE},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(texts); i++) {
        const char *p = test_path(dir, texts[i].name);
        write_bytes(p, texts[i].text, strlen(texts[i].text));
        if (kh_evidence_sniff(p) != texts[i].want)
            fail_msg("%s: sniffed %d, want %d", texts[i].name, kh_evidence_sniff(p),
                     texts[i].want);
    }
    write_bytes(test_path(dir, "p.png"), png_bytes, sizeof png_bytes);
    assert_int_equal(kh_evidence_sniff(test_path(dir, "p.png")), KH_EV_PNG);
    /* The same PNG named .txt is a PNG: the name is never looked at. */
    write_bytes(test_path(dir, "p.txt"), png_bytes, sizeof png_bytes);
    assert_int_equal(kh_evidence_sniff(test_path(dir, "p.txt")), KH_EV_PNG);
    assert_int_equal(kh_evidence_sniff(test_path(dir, "missing.png")), KH_EV_NONE);

    static const char *const docx[] = {"[Content_Types].xml", "_rels/.rels",
                                       "word/document.xml"};
    static const char *const xlsx[] = {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                       "xl/worksheets/sheet1.xml"};
    static const char *const xlsm[] = {"[Content_Types].xml", "xl/workbook.xml",
                                       "xl/vbaProject.bin"};
    static const char *const plain[] = {"readme.txt", "index.html"};
    static const char *const notypes[] = {"word/document.xml"};
    write_zip(test_path(dir, "d.docx"), docx, 3);
    write_zip(test_path(dir, "x.xlsx"), xlsx, 4);
    write_zip(test_path(dir, "m.xlsx"), xlsm, 3);
    write_zip(test_path(dir, "z.docx"), plain, 2);
    write_zip(test_path(dir, "n.docx"), notypes, 1);
    assert_int_equal(kh_evidence_sniff(test_path(dir, "d.docx")), KH_EV_DOCX);
    assert_int_equal(kh_evidence_sniff(test_path(dir, "x.xlsx")), KH_EV_XLSX);
    assert_int_equal(kh_evidence_sniff(test_path(dir, "m.xlsx")), KH_EV_NONE); /* macros */
    assert_int_equal(kh_evidence_sniff(test_path(dir, "z.docx")), KH_EV_NONE); /* any zip */
    assert_int_equal(kh_evidence_sniff(test_path(dir, "n.docx")), KH_EV_NONE);
    /* A real workbook kaohe reads. */
    assert_int_equal(kh_evidence_sniff(TEST_DATA "/xlsx/bad-bool.xlsx"), KH_EV_XLSX);

    assert_string_equal(kh_evidence_mime(KH_EV_PNG), "image/png");
    assert_string_equal(kh_evidence_mime(KH_EV_PDF), "application/pdf");
    assert_string_equal(kh_evidence_ext(KH_EV_JPEG), ".jpg");
    assert_true(kh_evidence_inline(KH_EV_PDF));
    assert_false(kh_evidence_inline(KH_EV_DOCX));
    assert_false(kh_evidence_inline(KH_EV_NONE));
}

static size_t count_files(const char *dir)
{
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL)
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    closedir(dp);
    return n;
}

static void add_list_remove_journal(void **state)
{
    const char *dir = *state;
    const char *ws = test_path(dir, "ws");
    write_bytes(test_path(dir, "p.png"), png_bytes, sizeof png_bytes);
    test_write_file(test_path(dir, "a.pdf"), "%PDF-1.4\nthe plan\n");
    test_write_file(test_path(dir, "evil.png"), "<svg onload=alert(1)>");
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(ws, &w, &d), KH_OK);
    kh_evidence e;
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "1.1", test_path(dir, "p.png"),
                                     "会议照片.png", "两江镇填报员", &e, &d),
                     KH_OK);
    assert_true(e.id > 0);
    assert_int_equal(e.type, KH_EV_PNG);
    assert_int_equal(e.size, sizeof png_bytes);
    assert_string_equal(e.name, "会议照片.png");
    assert_string_equal(e.cp, "1.1");
    assert_int_equal(strlen(e.hash), 64);
    struct stat sb;
    assert_int_equal(stat(e.path, &sb), 0);
    assert_true(strstr(e.path, "/evidence/") != NULL);
    long long first = e.id;
    char *first_path = kh_strdup(e.path);
    kh_evidence_clear(&e);
    /* The same photo again, on another check point, and a PDF. */
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "2.3", test_path(dir, "p.png"),
                                     "照片2.png", "两江镇填报员", NULL, &d),
                     KH_OK);
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "1.1", test_path(dir, "a.pdf"),
                                     "方案.pdf", "两江镇填报员", NULL, &d),
                     KH_OK);
    /* Markup named .png: refused, nothing kept. */
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "1.1", test_path(dir, "evil.png"),
                                     "evil.png", "两江镇填报员", NULL, &d),
                     KH_ERR_INPUT);
    assert_true(test_diags_contain(&d, "not accepted as evidence"));
    kh_diags_clear(&d);
    assert_int_equal(count_files(test_path(ws, "evidence")), 2);
    /* Another unit's list does not have them. */
    assert_int_equal(kh_evidence_add(w, "临桂镇", "r1", "1.1", test_path(dir, "a.pdf"),
                                     "临桂方案.pdf", "临桂镇填报员", NULL, &d),
                     KH_OK);
    kh_evidence *v = NULL;
    size_t n = 0;
    assert_int_equal(kh_evidence_list(w, "两江镇", "r1", &v, &n, &d), KH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].cp, "1.1");
    assert_string_equal(v[0].name, "会议照片.png");
    assert_string_equal(v[1].name, "方案.pdf");
    assert_int_equal(v[1].type, KH_EV_PDF);
    assert_string_equal(v[2].cp, "2.3");
    kh_evidences_free(v, n);
    assert_int_equal(kh_evidence_list(w, "两江镇", "r2", &v, &n, &d), KH_OK);
    assert_int_equal(n, 0);
    kh_evidences_free(v, n);
    uint64_t used = 0;
    assert_int_equal(kh_evidence_used(w, "两江镇", &used, &d), KH_OK);
    assert_int_equal(used, sizeof png_bytes + strlen("%PDF-1.4\nthe plan\n"));

    /* Removing the first photo: its file stays (the 2.3 row uses it). */
    bool found = false;
    assert_int_equal(kh_evidence_remove(w, first, "两江镇填报员", &found, &d), KH_OK);
    assert_true(found);
    assert_int_equal(stat(first_path, &sb), 0);
    assert_int_equal(kh_evidence_get(w, first, &e, &found, &d), KH_OK);
    assert_false(found);
    assert_int_equal(kh_evidence_remove(w, first, "x", &found, &d), KH_OK);
    assert_false(found);
    /* Removing the last row of it: the file goes. */
    assert_int_equal(kh_evidence_list(w, "两江镇", "r1", &v, &n, &d), KH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[1].cp, "2.3");
    long long second = v[1].id;
    kh_evidences_free(v, n);
    assert_int_equal(kh_evidence_remove(w, second, "管理员", &found, &d), KH_OK);
    assert_true(found);
    assert_int_not_equal(stat(first_path, &sb), 0);

    kh_ev_change *c = NULL;
    assert_int_equal(kh_evidence_journal(w, &c, &n, &d), KH_OK);
    assert_int_equal(n, 6);
    assert_string_equal(c[0].action, "添加");
    assert_string_equal(c[0].user, "两江镇填报员");
    assert_string_equal(c[0].name, "会议照片.png");
    assert_string_equal(c[4].action, "删除");
    assert_string_equal(c[4].cp, "1.1");
    assert_string_equal(c[5].action, "删除");
    assert_string_equal(c[5].user, "管理员");
    assert_int_equal(c[5].size, sizeof png_bytes);
    kh_ev_changes_free(c, n);
    kh_free(first_path);
    kh_workspace_close(w);
    assert_int_equal(d.n, 0);
}

static void size_and_quota(void **state)
{
    const char *dir = *state;
    const char *ws = test_path(dir, "ws");
    /* 20 MiB and one byte: too large; 20 MiB exactly: fine. */
    size_t big = (size_t)KH_EVIDENCE_MAX_FILE + 1;
    char *buf = calloc(1, big);
    assert_non_null(buf);
    memcpy(buf, "%PDF-1.7\n", 9);
    write_bytes(test_path(dir, "big.pdf"), buf, big);
    write_bytes(test_path(dir, "max.pdf"), buf, big - 1);
    buf[20] = 'x';
    write_bytes(test_path(dir, "max2.pdf"), buf, big - 1);
    free(buf);
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(ws, &w, &d), KH_OK);
    assert_int_equal(kh_evidence_quota(w), KH_EVIDENCE_DEFAULT_QUOTA);
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "1.1", test_path(dir, "big.pdf"),
                                     "big.pdf", "u", NULL, &d),
                     KH_ERR_LIMIT);
    assert_true(test_diags_contain(&d, "at most 20 MiB"));
    kh_diags_clear(&d);
    /* A quota of 30 MiB: one 20 MiB file goes in, a second does not. */
    assert_int_equal(kh_evidence_set_quota(w, 1000, &d), KH_ERR_USAGE);
    kh_diags_clear(&d);
    assert_int_equal(kh_evidence_set_quota(w, (uint64_t)30 << 20, &d), KH_OK);
    assert_int_equal(kh_evidence_quota(w), (uint64_t)30 << 20);
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "1.1", test_path(dir, "max.pdf"),
                                     "max.pdf", "u", NULL, &d),
                     KH_OK);
    /* The same file again costs nothing more. */
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "1.2", test_path(dir, "max.pdf"),
                                     "max-again.pdf", "u", NULL, &d),
                     KH_OK);
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "1.1", test_path(dir, "max2.pdf"),
                                     "max2.pdf", "u", NULL, &d),
                     KH_ERR_LIMIT);
    assert_true(test_diags_contain(&d, "quota of 30 MiB (20 MiB used)"));
    kh_diags_clear(&d);
    /* Another unit has a quota of its own. */
    assert_int_equal(kh_evidence_add(w, "临桂镇", "r1", "1.1", test_path(dir, "max2.pdf"),
                                     "max2.pdf", "u", NULL, &d),
                     KH_OK);
    assert_int_equal(count_files(test_path(ws, "evidence")), 2);
    /* Back to the default: room again. */
    assert_int_equal(kh_evidence_set_quota(w, 0, &d), KH_OK);
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "1.1", test_path(dir, "max2.pdf"),
                                     "max2.pdf", "u", NULL, &d),
                     KH_OK);
    kh_workspace_close(w);
    assert_int_equal(d.n, 0);
}

/* A crash after the file was put in place and before its row (or after
 * a removal's row and before its file): the file is an orphan.  The next
 * opening's first use of the evidence removes it, and never a file a row
 * names. */
static void crash_leaves_no_orphan(void **state)
{
    const char *dir = *state;
    const char *ws = test_path(dir, "ws");
    write_bytes(test_path(dir, "p.png"), png_bytes, sizeof png_bytes);
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(ws, &w, &d), KH_OK);
    kh_evidence e;
    assert_int_equal(kh_evidence_add(w, "两江镇", "r1", "1.1", test_path(dir, "p.png"), "p.png",
                                     "u", &e, &d),
                     KH_OK);
    kh_workspace_close(w);
    /* What a crash leaves: a file under a hash no row names, and a named
     * temporary of a writer that was killed. */
    char orphan[600];
    snprintf(orphan, sizeof orphan, "%s/evidence/%064d.pdf", ws, 7);
    test_write_file(orphan, "%PDF-1.4\n");
    const char *tmp = test_path(ws, "evidence/.abc.png.123-XXXXXX.tmp");
    test_write_file(tmp, "half");
    /* Before any use: there. */
    struct stat sb;
    assert_int_equal(stat(orphan, &sb), 0);
    assert_int_equal(kh_workspace_open(ws, &w, &d), KH_OK);
    kh_evidence *v = NULL;
    size_t n = 0;
    assert_int_equal(kh_evidence_list(w, NULL, NULL, &v, &n, &d), KH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].hash, e.hash);
    assert_int_equal(stat(v[0].path, &sb), 0); /* the named one stays */
    kh_evidences_free(v, n);
    assert_int_not_equal(stat(orphan, &sb), 0);
    assert_int_not_equal(stat(tmp, &sb), 0);
    assert_int_equal(count_files(test_path(ws, "evidence")), 1);
    /* Later files are never swept again within this opening. */
    test_write_file(orphan, "%PDF-1.4\n");
    assert_int_equal(kh_evidence_list(w, NULL, NULL, &v, &n, &d), KH_OK);
    kh_evidences_free(v, n);
    assert_int_equal(stat(orphan, &sb), 0);
    kh_workspace_close(w);
    kh_evidence_clear(&e);
    assert_int_equal(d.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sniffing_table, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(add_list_remove_journal, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(size_and_quota, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(crash_leaves_no_orphan, test_scratch_setup,
                                        test_scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
