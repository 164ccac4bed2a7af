/* test_outfile.c - safe outputs: file names from unit names, formula-like
 * text, same-file checks, temporary file + rename, directories, and the
 * shared XLSX pieces (sheet names, atomic workbook, string cells). */
#include "testutil.h"
#include "outfile.h"
#include "sheet.h"
#include "text.h"
#include "xlsx_in.h"
#include "xlsx_out.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */

/* The stem of a file name (before the first dot) is not one Windows
 * reserves: CON.txt and con.tar.gz are the device CON there. */
static bool windows_reserved(const char *name)
{
    static const char *const names[] = {"CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3",
                                        "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1",
                                        "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8",
                                        "LPT9"};
    size_t stem = strcspn(name, ".");
    for (size_t i = 0; i < KH_ARRAY_LEN(names); i++)
        if (strlen(names[i]) == stem && strncasecmp(name, names[i], stem) == 0)
            return true;
    return false;
}

/* What every safe file name must be, whatever the input. */
static void assert_safe_name(const char *got)
{
    assert_non_null(got);
    assert_true(*got != '\0');
    assert_true(strlen(got) <= 100);
    assert_true(kh_utf8_valid(got, strlen(got), NULL));
    assert_null(strchr(got, '/'));
    assert_null(strchr(got, '\\'));
    assert_true(got[0] != '.');
    assert_true(got[strlen(got) - 1] != '.' && got[strlen(got) - 1] != ' ');
    for (const unsigned char *p = (const unsigned char *)got; *p; p++) {
        assert_true(*p >= 0x20 && *p != 0x7F);
        assert_null(strchr(":*?\"<>|", *p));
    }
    if (windows_reserved(got))
        fail_msg("'%s' is a name Windows reserves", got);
}

static void safe_filename_table(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } cases[] = {
        {"两江镇", "两江镇"},
        {"区应急管理局", "区应急管理局"},
        {"../../etc/passwd", "_.._etc_passwd"},
        {"a/b\\c", "a_b_c"},
        {"..", "unit"},
        {".", "unit"},
        {"", "unit"},
        {"   ", "unit"},
        {".hidden", "hidden"},
        {"name. . ", "name"},
        {"CON", "CON_"},
        {"con", "con_"},
        {"NUL", "NUL_"},
        {"com1", "com1_"},
        {"LPT9", "LPT9_"},
        {"CONSOLE", "CONSOLE"},     /* only the exact names are reserved */
        {"a\tb\nc\rd", "a_b_c_d"},
        {"x\x7fy", "x_y"},
        {"x\xc2\x85y", "x_y"},      /* U+0085, a C1 control */
        {"a<b>c:d\"e|f?g*h", "a_b_c_d_e_f_g_h"},
        {"=cmd|' /C calc'!A0", "=cmd_' _C calc'!A0"},
        {"\xff\xfe", "unit"},       /* not UTF-8 at all */
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        char *got = kh_safe_filename(cases[i].in);
        assert_non_null(got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("kh_safe_filename(\"%s\") = \"%s\", want \"%s\"", cases[i].in, got,
                     cases[i].want);
        assert_safe_name(got);
        kh_free(got);
    }
    char *got = kh_safe_filename(NULL);
    assert_string_equal(got, "unit");
    kh_free(got);
}

/* A reserved stem with an extension is still reserved on Windows. */
static void safe_filename_reserved_with_extension(void **state)
{
    (void)state;
    static const char *const cases[] = {"con.txt", "CON.xlsx", "nul.tar.gz", "Aux.", "prn .x"};
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        char *got = kh_safe_filename(cases[i]);
        assert_non_null(got);
        /* The writers append ".xlsx" / ".csv": the stem must still be safe. */
        char with_ext[128];
        snprintf(with_ext, sizeof with_ext, "%s.xlsx", got);
        kh_free(got);
        if (windows_reserved(with_ext))
            fail_msg("kh_safe_filename(\"%s\") gives the reserved \"%s\"", cases[i], with_ext);
    }
}

static void safe_filename_long(void **state)
{
    (void)state;
    /* 100 × 两 = 300 bytes: cut on a character boundary, 33 characters. */
    char name[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(name, "两");
    char *got = kh_safe_filename(name);
    assert_int_equal(strlen(got), 99);
    assert_true(kh_utf8_valid(got, strlen(got), NULL));
    assert_int_equal(strncmp(got, name, 99), 0);
    kh_free(got);

    /* One ASCII letter first: 1 + 33 × 3 = exactly 100 bytes. */
    char name2[400] = "a";
    strcat(name2, name);
    got = kh_safe_filename(name2);
    assert_int_equal(strlen(got), 100);
    assert_true(kh_utf8_valid(got, strlen(got), NULL));
    kh_free(got);

    /* Two ASCII letters: 2 + 32 × 3 = 98 (a 3-byte character would pass 100). */
    char name3[400] = "ab";
    strcat(name3, name);
    got = kh_safe_filename(name3);
    assert_int_equal(strlen(got), 98);
    assert_true(kh_utf8_valid(got, strlen(got), NULL));
    kh_free(got);

    /* 300 ASCII bytes. */
    memset(name, 'x', 300);
    name[300] = '\0';
    got = kh_safe_filename(name);
    assert_int_equal(strlen(got), 100);
    kh_free(got);
}

static void safe_filename_invalid_utf8(void **state)
{
    (void)state;
    static const char *const cases[] = {"两江镇\xff", "\xe4\xb8", "ab\xc0\xaf", "\xed\xa0\x80x"};
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        char *got = kh_safe_filename(cases[i]);
        assert_safe_name(got);
        kh_free(got);
    }
}

static void formula_like(void **state)
{
    (void)state;
    static const struct { const char *s; bool want; } cases[] = {
        {"=1+1", true}, {"+1", true}, {"-1", true}, {"@SUM(A1)", true},
        {"\tx", true}, {"\rx", true}, {"\nx", true},
        {"=HYPERLINK(\"http://x\")", true},
        {"两江镇", false}, {"", false}, {"1=1", false}, {" x", false},
        {"\xef\xbc\x9d" "1", false}, /* full-width ＝ is no formula */
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++)
        if (kh_formula_like(cases[i].s) != cases[i].want)
            fail_msg("kh_formula_like(\"%s\") != %d", cases[i].s, cases[i].want);
    assert_false(kh_formula_like(NULL));
}

static void same_file(void **state)
{
    const char *dir = *state;
    const char *a = test_path(dir, "a.csv"), *b = test_path(dir, "b.csv");
    const char *l = test_path(dir, "link.csv");
    const char *s = test_path(dir, "sym.csv"), *sub = test_path(dir, "sub");
    test_write_file(a, "x");
    test_write_file(b, "x");
    assert_int_equal(link(a, l), 0);
    assert_int_equal(symlink(a, s), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    const char *dotted = test_path(dir, "sub/../a.csv");
    const char *missing1 = test_path(dir, "none.xlsx"), *missing2 = test_path(dir, "none2.xlsx");

    assert_true(kh_same_file(a, a));
    assert_true(kh_same_file(a, l));       /* hard link */
    assert_true(kh_same_file(a, s));       /* symbolic link */
    assert_true(kh_same_file(dotted, a));  /* another spelling */
    assert_false(kh_same_file(a, b));      /* same content, other file */
    assert_false(kh_same_file(a, missing1));
    assert_false(kh_same_file(missing1, a));
    assert_true(kh_same_file(missing1, missing1));
    assert_false(kh_same_file(missing1, missing2));
    /* Two outputs to be made: one name, the folder spelt two ways. */
    assert_true(kh_same_file(missing1, test_path(dir, "sub/../none.xlsx")));
    assert_false(kh_same_file(missing1, test_path(dir, "sub/none.xlsx")));
}

/* Commit the named temporary tmp as path, as kh_outfile_commit does for
 * an outfile that could not be anonymous (tmp stays the caller's). */
static kh_status commit_named(const char *tmp, const char *path, kh_diags *d)
{
    kh_outfile o = {.path = kh_strdup(path), .open_path = kh_strdup(tmp), .fd = -1};
    assert_non_null(o.path);
    assert_non_null(o.open_path);
    return kh_outfile_commit(&o, d);
}

static void tmp_and_commit(void **state)
{
    const char *dir = *state;
    mode_t old = umask(022);
    const char *out = test_path(dir, "ranking.xlsx");
    test_write_file(out, "old complete file");

    char *tmp = kh_tmp_beside(out);
    assert_non_null(tmp);
    /* Beside the target, hidden, named after it, ending in .tmp. */
    const char *prefix = test_path(dir, ".ranking.xlsx.");
    assert_int_equal(strncmp(tmp, prefix, strlen(prefix)), 0);
    assert_string_equal(tmp + strlen(tmp) - 4, ".tmp");
    struct stat st;
    assert_int_equal(stat(tmp, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* A second reservation gets another name. */
    char *tmp2 = kh_tmp_beside(out);
    assert_non_null(tmp2);
    assert_string_not_equal(tmp, tmp2);
    assert_int_equal(unlink(tmp2), 0);

    test_write_file(tmp, "new complete file");
    /* Until the commit the old file is what readers see. */
    size_t len;
    char *text = test_slurp(out, &len);
    assert_string_equal(text, "old complete file");
    free(text);

    kh_diags d = {0};
    assert_int_equal(commit_named(tmp, out, &d), KH_OK);
    assert_int_equal(d.n, 0);
    text = test_slurp(out, &len);
    assert_string_equal(text, "new complete file");
    free(text);
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(test_count_tmp(dir), 0);

    /* Under umask 077 the output is private. */
    umask(077);
    char *tmp3 = kh_tmp_beside(out);
    assert_non_null(tmp3);
    assert_int_equal(stat(tmp3, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(unlink(tmp3), 0);

    umask(old);
    kh_free(tmp);
    kh_free(tmp2);
    kh_free(tmp3);
}

static void tmp_relative_and_failures(void **state)
{
    const char *dir = *state;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    char *tmp = kh_tmp_beside("out.csv");
    assert_non_null(tmp);
    assert_int_equal(strncmp(tmp, ".out.csv.", 9), 0);
    assert_int_equal(strchr(tmp, '/'), NULL);
    assert_int_equal(unlink(tmp), 0);
    kh_free(tmp);
    assert_int_equal(chdir(cwd), 0);

    /* A folder that does not exist: no temporary file, errno says why. */
    const char *nodir = test_path(dir, "missing/out.xlsx");
    errno = 0;
    assert_null(kh_tmp_beside(nodir));
    assert_int_equal(errno, ENOENT);

    /* The rename cannot happen (the target is a non-empty folder): the
     * temporary file goes, the folder stays, a diagnostic names it. */
    const char *target = test_path(dir, "taken.xlsx");
    assert_int_equal(mkdir(target, 0755), 0);
    const char *inside = test_path(target, "keep");
    test_write_file(inside, "k");
    tmp = kh_tmp_beside(target);
    assert_non_null(tmp);
    test_write_file(tmp, "data");
    kh_diags d = {0};
    assert_int_equal(commit_named(tmp, target, &d), KH_ERR_IO);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].file, target);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(access(inside, F_OK), 0);
    assert_int_equal(test_count_tmp(dir), 0);
    kh_diags_clear(&d);
    kh_free(tmp);
}

/* Write text through an outfile for path and commit it (KH_OK expected
 * from the commit itself). */
static void write_out(const char *path, const char *text, kh_diags *d)
{
    kh_outfile o;
    assert_int_equal(kh_outfile_begin(&o, path, d), KH_OK);
    FILE *f = fopen(o.open_path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(kh_outfile_commit(&o, d), KH_OK);
    assert_null(o.path);
    assert_int_equal(o.fd, -1);
}

/* Deferred commits: nothing is named before the batch is synced, then
 * every file is in place (new or replacing an old one) in commit order;
 * a full batch commits by itself; a file that cannot be put in place is
 * reported and does not stop the others. */
static void batch_commit(void **state)
{
    const char *dir = *state;
    char name[32], text_want[32];
    kh_diags d = {0};
    test_write_file(test_path(dir, "f1.txt"), "old one");
    assert_int_equal(mkdir(test_path(dir, "f4.txt"), 0755), 0); /* a folder: cannot be replaced */
    test_write_file(test_path(dir, "f4.txt/keep"), "k");

    kh_outfile_batch b;
    kh_outfile_batch_begin(&b);
    assert_true(b.max >= 1 && b.max <= KH_OUTFILE_BATCH_MAX);
    b.max = 3; /* full after three files */
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "f%d.txt", i);
        snprintf(text_want, sizeof text_want, "new %d", i);
        write_out(test_path(dir, name), text_want, &d);
        if (i < 2) { /* kept: not there yet, or still the old file */
            assert_int_equal(access(test_path(dir, "f0.txt"), F_OK), -1);
            char *text = test_slurp(test_path(dir, "f1.txt"), NULL);
            assert_string_equal(text, "old one");
            free(text);
        }
    }
    /* The first three were committed when the fourth came; f3..f5 wait. */
    assert_int_equal(access(test_path(dir, "f2.txt"), F_OK), 0);
    assert_int_equal(access(test_path(dir, "f3.txt"), F_OK), -1);
    assert_int_equal(access(test_path(dir, "f5.txt"), F_OK), -1);
    assert_int_equal(d.n, 0);

    /* A nested batch is committed by its own end. */
    kh_outfile_batch inner;
    kh_outfile_batch_begin(&inner);
    write_out(test_path(dir, "inner.txt"), "inner", &d);
    assert_int_equal(access(test_path(dir, "inner.txt"), F_OK), -1);
    assert_int_equal(kh_outfile_batch_end(&inner, &d), KH_OK);
    assert_int_equal(access(test_path(dir, "inner.txt"), F_OK), 0);
    assert_int_equal(access(test_path(dir, "f5.txt"), F_OK), -1);

    assert_int_equal(kh_outfile_batch_end(&b, &d), KH_ERR_IO);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].file, test_path(dir, "f4.txt"));
    assert_diags_contain(&d, "cannot put the finished file in place");
    for (int i = 0; i < 6; i++) {
        if (i == 4)
            continue;
        snprintf(name, sizeof name, "f%d.txt", i);
        char *text = test_slurp(test_path(dir, name), NULL);
        snprintf(text_want, sizeof text_want, "new %d", i);
        assert_string_equal(text, text_want);
        free(text);
    }
    assert_int_equal(access(test_path(dir, "f4.txt/keep"), F_OK), 0);
    assert_int_equal(test_count_tmp(dir), 0);
    kh_diags_clear(&d);

    /* After the end, commits are immediate again. */
    write_out(test_path(dir, "after.txt"), "now", &d);
    assert_int_equal(access(test_path(dir, "after.txt"), F_OK), 0);
    /* An empty batch commits nothing and succeeds. */
    kh_outfile_batch_begin(&b);
    assert_int_equal(kh_outfile_batch_end(&b, &d), KH_OK);
    assert_int_equal(d.n, 0);
}

static void ensure_dir(void **state)
{
    const char *dir = *state;
    kh_diags d = {0};
    const char *sub = test_path(dir, "out");
    assert_int_equal(kh_ensure_dir(sub, &d), KH_OK);
    struct stat st;
    assert_int_equal(stat(sub, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(kh_ensure_dir(sub, &d), KH_OK); /* already there */
    assert_int_equal(d.n, 0);

    const char *file = test_path(dir, "plain");
    test_write_file(file, "x");
    assert_int_equal(kh_ensure_dir(file, &d), KH_ERR_IO);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].file, file);

    /* Missing folders above it are made too (like mkdir -p) ... */
    const char *deep = test_path(dir, "no/such/dir");
    assert_int_equal(kh_ensure_dir(deep, &d), KH_OK);
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(d.n, 1);
    /* ... but not through a file. */
    const char *through = test_path(dir, "plain/sub");
    assert_int_equal(kh_ensure_dir(through, &d), KH_ERR_IO);
    assert_int_equal(d.n, 2);
    kh_diags_clear(&d);
}

/* ------------------------------------------------------------------ */
/* kh_xw_sheet_name */

static void sheet_names(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } cases[] = {
        {"乡镇", "乡镇"},
        {"[a]:b*c?d/e\\f", "_a__b_c_d_e_f"},
        {"'quoted'", "quoted"},
        {"''", "Sheet"},
        {"", "Sheet"},
        {"History", "Sheet"},
        {"it's", "it's"},
        {"bad\xff", "bad\xef\xbf\xbd"},
        /* 40 CJK characters: cut to 31 characters (93 bytes). */
        {"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十",
         "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        char *got = kh_xw_sheet_name(cases[i].in, NULL, 0);
        assert_non_null(got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("kh_xw_sheet_name(\"%s\") = \"%s\", want \"%s\"", cases[i].in, got,
                     cases[i].want);
        assert_true(kh_utf8_len(got) <= 31);
        kh_free(got);
    }
    char *got = kh_xw_sheet_name(NULL, NULL, 0);
    assert_string_equal(got, "Sheet");
    kh_free(got);
}

static void sheet_name_duplicates(void **state)
{
    (void)state;
    char *used[4] = {"乡镇", "乡镇 (2)", "Sheet", NULL};
    char *got = kh_xw_sheet_name("乡镇", used, 1);
    assert_string_equal(got, "乡镇 (2)");
    kh_free(got);
    got = kh_xw_sheet_name("乡镇", used, 2);
    assert_string_equal(got, "乡镇 (3)");
    kh_free(got);
    /* Excel compares names without regard to case. */
    got = kh_xw_sheet_name("sheet", used, 3);
    assert_string_equal(got, "sheet (2)");
    kh_free(got);
    /* A long name loses characters to make room for the suffix. */
    const char *long31 = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一";
    used[3] = (char *)long31;
    got = kh_xw_sheet_name(long31, used + 3, 1);
    assert_int_equal(kh_utf8_len(got), 31);
    assert_string_equal(got, "一二三四五六七八九十一二三四五六七八九十一二三四五六七 (2)");
    kh_free(got);
    /* A name that becomes a duplicate only after cleaning. */
    char *used2[] = {"a_b"};
    got = kh_xw_sheet_name("a/b", used2, 1);
    assert_string_equal(got, "a_b (2)");
    kh_free(got);
}

/* ------------------------------------------------------------------ */
/* The shared workbook writer: atomic, strings never formulas. */

typedef struct grab {
    char *text[4][4];
    kh_cell_type type[4][4];
} grab;

static kh_status grab_sheet(void *ctx, const kh_sheet *s)
{
    grab *g = ctx;
    for (size_t i = 0; i < s->ncells; i++) {
        const kh_cell *c = &s->cells[i];
        if (c->row < 4 && c->col < 4) {
            g->text[c->row][c->col] = strdup(c->text);
            g->type[c->row][c->col] = c->type;
        }
    }
    return KH_OK;
}

static void xw_strings_and_numbers(void **state)
{
    const char *dir = *state;
    const char *out = test_path(dir, "w.xlsx");
    kh_xw x;
    kh_diags d = {0};
    assert_int_equal(kh_xw_open(&x, out, false, kh_xw_now(), &d), KH_OK);
    lxw_worksheet *ws = workbook_add_worksheet(x.wb, "t");
    assert_non_null(ws);
    lxw_format *fmt = kh_xw_format(&x, NULL);
    kh_xw_str(&x, ws, 0, 0, "=SUM(1,2)", NULL);
    kh_xw_str(&x, ws, 0, 1, "+1", NULL);
    kh_xw_str(&x, ws, 0, 2, "@x", NULL);
    kh_xw_str(&x, ws, 0, 3, "两江\xff镇", NULL);
    kh_xw_dec(&x, ws, 1, 0, 600, fmt);       /* 0.06 */
    kh_xw_dec(&x, ws, 1, 1, 386000, fmt);    /* 38.6 */
    kh_xw_formula_dec(&x, ws, 1, 2, "=A2+B2", 386600, fmt);
    /* At the cell limit a text is written whole; past it, cut (ASCII, and
     * 3-byte characters whose bytes pass the limit before the count). */
    char *at = malloc(KH_XLSX_CELL_MAX + 2), *past = malloc(KH_XLSX_CELL_MAX + 2);
    char *wide = malloc(3 * KH_XLSX_CELL_MAX + 4);
    assert_true(at && past && wide);
    memset(at, 'a', KH_XLSX_CELL_MAX);
    at[KH_XLSX_CELL_MAX] = '\0';
    memset(past, 'b', KH_XLSX_CELL_MAX + 1);
    past[KH_XLSX_CELL_MAX + 1] = '\0';
    for (size_t i = 0; i <= KH_XLSX_CELL_MAX; i++)
        memcpy(wide + 3 * i, "镇", 3);
    wide[3 * (KH_XLSX_CELL_MAX + 1)] = '\0';
    kh_xw_str(&x, ws, 2, 0, at, NULL);
    kh_xw_str(&x, ws, 2, 1, past, NULL);
    kh_xw_str(&x, ws, 2, 2, wide, NULL);
    assert_int_equal(kh_xw_close(&x, &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(test_count_tmp(dir), 0);

    grab g = {0};
    assert_int_equal(kh_xlsx_read_file(out, grab_sheet, &g, &d), KH_OK);
    assert_string_equal(g.text[0][0], "=SUM(1,2)");
    assert_int_equal(g.type[0][0], KH_CELL_STRING);
    assert_string_equal(g.text[0][1], "+1");
    assert_int_equal(g.type[0][1], KH_CELL_STRING);
    assert_string_equal(g.text[0][2], "@x");
    assert_string_equal(g.text[0][3], "两江\xef\xbf\xbd镇");
    assert_string_equal(g.text[1][0], "0.06");
    assert_int_equal(g.type[1][0], KH_CELL_NUMBER);
    assert_string_equal(g.text[1][1], "38.6");
    assert_string_equal(g.text[1][2], "38.66"); /* the stored value of the formula */
    assert_string_equal(g.text[2][0], at);
    past[KH_XLSX_CELL_MAX] = '\0';
    assert_string_equal(g.text[2][1], past);
    wide[3 * KH_XLSX_CELL_MAX] = '\0';
    assert_string_equal(g.text[2][2], wide);
    free(at);
    free(past);
    free(wide);
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            free(g.text[r][c]);
    kh_diags_clear(&d);
}

static void xw_failure_keeps_old_file(void **state)
{
    const char *dir = *state;
    const char *out = test_path(dir, "keep.xlsx");
    test_write_file(out, "the previous ranking");
    kh_xw x;
    kh_diags d = {0};
    assert_int_equal(kh_xw_open(&x, out, false, kh_xw_now(), &d), KH_OK);
    lxw_worksheet *ws = workbook_add_worksheet(x.wb, "t");
    assert_non_null(ws);
    kh_xw_str(&x, ws, 0, 0, "fine", NULL);
    /* A cell outside the sheet is an error that must stop the commit. */
    kh_xw_str(&x, ws, 2000000, 0, "too far", NULL);
    assert_int_not_equal(x.err, LXW_NO_ERROR);
    assert_int_equal(kh_xw_close(&x, &d), KH_ERR_FORMAT);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].file, out);
    size_t len;
    char *text = test_slurp(out, &len);
    assert_string_equal(text, "the previous ranking");
    free(text);
    assert_int_equal(test_count_tmp(dir), 0);

    /* A folder that does not exist: refused at open, nothing created. */
    const char *nodir = test_path(dir, "missing/r.xlsx");
    assert_int_equal(kh_xw_open(&x, nodir, false, kh_xw_now(), &d), KH_ERR_IO);
    assert_int_equal(d.n, 2);
    kh_diags_clear(&d);
}

/* A sheet name libxlsxwriter refuses (here: in use, as Windows' _stricmp
 * in code page 936 called 来源 and 乡镇) fails the workbook with that
 * reason, never "memory error" (KH_ERR_NOMEM, 服务器内存不足). */
static void xw_sheet_name_refused_is_not_memory(void **state)
{
    const char *dir = *state;
    const char *out = test_path(dir, "r.xlsx");
    kh_diags d = {0};
    kh_xw x;
    assert_int_equal(kh_xw_open(&x, out, false, kh_xw_now(), &d), KH_OK);
    assert_non_null(kh_xw_add_sheet(&x, "来源"));
    assert_null(kh_xw_add_sheet(&x, "来源"));
    assert_int_equal(x.err, LXW_ERROR_SHEETNAME_ALREADY_USED);
    assert_null(kh_xw_add_sheet(&x, "a[b]")); /* the first error is kept */
    assert_int_equal(x.err, LXW_ERROR_SHEETNAME_ALREADY_USED);
    assert_int_equal(kh_xw_close(&x, &d), KH_ERR_FORMAT);
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.v[0].msg, "workbook_add_worksheet"));
    assert_non_null(strstr(d.v[0].msg, "already in use"));
    assert_null(strstr(d.v[0].msg, "emory"));
    assert_int_equal(access(out, F_OK), -1);
    kh_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(safe_filename_table),
        cmocka_unit_test(safe_filename_reserved_with_extension),
        cmocka_unit_test(safe_filename_long),
        cmocka_unit_test(safe_filename_invalid_utf8),
        cmocka_unit_test(formula_like),
        cmocka_unit_test_setup_teardown(same_file, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(tmp_and_commit, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(tmp_relative_and_failures, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(batch_commit, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(ensure_dir, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test(sheet_names),
        cmocka_unit_test(sheet_name_duplicates),
        cmocka_unit_test_setup_teardown(xw_strings_and_numbers, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(xw_failure_keeps_old_file, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(xw_sheet_name_refused_is_not_memory, test_scratch_setup,
                                        test_scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
