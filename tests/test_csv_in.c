/* test_csv_in.c - the CSV reader: encodings, quoting, line ends, positions,
 * limits, and the files it must reject. */
#include "testutil.h"
#include "csv_in.h"
#include "sheet.h"

#include <unistd.h>

#define CSV_DATA TEST_DATA "/csv"
#define BYTES(lit) lit, sizeof(lit) - 1

typedef struct want_cell {
    const char *ref, *text;
} want_cell;

/* Assert that s holds exactly the cells of w (terminated by {NULL}). */
static void assert_cells(const kh_sheet *s, const want_cell *w)
{
    size_t n = 0;
    for (; w[n].ref; n++) {
        uint32_t row, col;
        assert_true(kh_cell_parse(w[n].ref, &row, &col));
        const kh_cell *c = kh_sheet_get(s, row, col);
        if (!c)
            fail_msg("no cell at %s (want \"%s\")", w[n].ref, w[n].text);
        if (strcmp(c->text, w[n].text) != 0)
            fail_msg("%s is \"%s\", want \"%s\"", w[n].ref, c->text, w[n].text);
        assert_int_equal(c->type, KH_CELL_STRING);
    }
    assert_int_equal(s->ncells, n);
}

/* Assert that a and b hold the same cells. */
static void assert_same_sheet(const kh_sheet *a, const kh_sheet *b)
{
    assert_int_equal(a->ncells, b->ncells);
    for (size_t i = 0; i < a->ncells; i++) {
        assert_int_equal(a->cells[i].row, b->cells[i].row);
        assert_int_equal(a->cells[i].col, b->cells[i].col);
        assert_string_equal(a->cells[i].text, b->cells[i].text);
    }
}

static kh_sheet *parse_ok(const char *in, size_t len)
{
    kh_sheet *s = NULL;
    kh_diags d = {0};
    kh_status st = kh_csv_parse("x.csv", in, len, &s, &d);
    test_print_diags(&d);
    assert_int_equal(st, KH_OK);
    assert_int_equal(d.n, 0);
    assert_non_null(s);
    assert_null(s->name);
    kh_diags_clear(&d);
    return s;
}

/* Parse, expect status st with exactly one diagnostic formatted as diag. */
static void parse_bad(const char *in, size_t len, kh_status st, const char *diag)
{
    kh_sheet *s = (kh_sheet *)1;
    kh_diags d = {0};
    assert_int_equal(kh_csv_parse("x.csv", in, len, &s, &d), st);
    assert_null(s);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.v[0].severity, KH_ERROR);
    assert_null(d.v[0].sheet);
    assert_diag(&d, 0, diag);
    kh_diags_clear(&d);
}

/* ---- good input ---- */

static const struct good_case {
    const char *name;
    const char *in;
    size_t len;
    want_cell cells[12];
} good[] = {
    {"plain UTF-8", BYTES("考核细则,lingui-2020-township\n被考核单位,两江镇\n"),
     {{"A1", "考核细则"}, {"B1", "lingui-2020-township"}, {"A2", "被考核单位"}, {"B2", "两江镇"}}},
    {"BOM is stripped", BYTES("\xEF\xBB\xBF序号,检查点\n1,1.10\n"),
     {{"A1", "序号"}, {"B1", "检查点"}, {"A2", "1"}, {"B2", "1.10"}}},
    {"quoted comma, quote and line break; the next record is the next row",
     BYTES("\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\"\nx,\"\"\"\"\n"),
     {{"A1", "a,b"}, {"B1", "say \"hi\""}, {"C1", "line1\nline2"}, {"A2", "x"}, {"B2", "\""}}},
    {"CRLF, a blank line is a row", BYTES("a,b\r\nc,d\r\n\r\ne\r\n"),
     {{"A1", "a"}, {"B1", "b"}, {"A2", "c"}, {"B2", "d"}, {"A4", "e"}}},
    {"lone CR", BYTES("a\rb\r\rc"), {{"A1", "a"}, {"A2", "b"}, {"A4", "c"}}},
    {"mixed line ends", BYTES("a\r\n\nb\r  \nc\n\rd"),
     {{"A1", "a"}, {"A3", "b"}, {"A5", "c"}, {"A7", "d"}}},
    {"CRLF inside quotes is kept and ends no row", BYTES("\"l1\r\nl2\"\r\nz\r\n"),
     {{"A1", "l1\r\nl2"}, {"A2", "z"}}},
    {"position E12", BYTES("\n\n\n\n\n\n\n\n\n\n\n,,,,x\n"), {{"E12", "x"}}},
    {"empty fields make no cells", BYTES("a,,c\n,,\n,\"\",d"), {{"A1", "a"}, {"C1", "c"}, {"C3", "d"}}},
    {"no final line break, quoted last field", BYTES("a,\"b\""), {{"A1", "a"}, {"B1", "b"}}},
    {"ASCII spaces trimmed, ideographic spaces kept",
     BYTES("\xE3\x80\x80两江镇\xE3\x80\x80,  有\t, \"  q  \" \n"),
     {{"A1", "\xE3\x80\x80两江镇\xE3\x80\x80"}, {"B1", "有"}, {"C1", "  q  "}}},
    {"GB18030 with 2- and 4-byte characters",
     /* 被考核单位,𠮷田镇\r\n备注,ŀ\r\n */
     BYTES("\xB1\xBB\xBF\xBC\xBA\xCB\xB5\xA5\xCE\xBB,\x95\x34\xB2\x35\xCC\xEF\xD5\xF2\r\n"
           "\xB1\xB8\xD7\xA2,\x81\x30\x91\x38\r\n"),
     {{"A1", "被考核单位"}, {"B1", "𠮷田镇"}, {"A2", "备注"}, {"B2", "ŀ"}}},
    {"GB18030 byte order mark is stripped", BYTES("\x84\x31\x95\x33\xD3\xD0,1\n"),
     {{"A1", "有"}, {"B1", "1"}}},
    {"a few GB18030 characters that look like UTF-8 are still GB18030",
     /* 图片,签到: CD BC C6 AC are two valid UTF-8 pairs */
     BYTES("\xCD\xBC\xC6\xAC,\xC7\xA9\xB5\xBD\n"), {{"A1", "图片"}, {"B1", "签到"}}},
    {"the apostrophe kaohe's CSV writers put before formula-like text goes; others stay",
     BYTES("'=1+1,\"'+86 773\",'-,'@x,'abc,'',''=a,',=b\n"),
     {{"A1", "=1+1"}, {"B1", "+86 773"}, {"C1", "-"}, {"D1", "@x"}, {"E1", "'abc"}, {"F1", "''"},
      {"G1", "''=a"}, {"H1", "'"}, {"I1", "=b"}}},
};

static void good_inputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < KH_ARRAY_LEN(good); i++) {
        print_message("  %s\n", good[i].name);
        kh_sheet *s = parse_ok(good[i].in, good[i].len);
        assert_cells(s, good[i].cells);
        kh_sheet_free(s);
    }
}

/* ---- rejected input ---- */

#define SAVE_UTF8 "save the file as UTF-8 (in Excel: Save As → CSV UTF-8)"

static const struct bad_case {
    const char *name;
    const char *in;
    size_t len;
    kh_status st;
    const char *diag;
} bad[] = {
    {"unterminated quote at end of file", BYTES("a,b\nc,\"open\nmore\n"), KH_ERR_INPUT,
     "x.csv!B2: unterminated quoted field: the quote that starts here is never closed and runs to "
     "the end of the file: close the quote or remove it"},
    {"stray quote in an unquoted field", BYTES("a,b\nc,d\"e\n"), KH_ERR_INPUT,
     "x.csv!B2: a quote (\") inside a field that does not start with one: put the whole field in "
     "quotes and write the quote twice (\"\"), or remove it"},
    {"text after the closing quote", BYTES("1,2,3\n\"he said \"hi\"\"\n"), KH_ERR_INPUT,
     "x.csv!A2: text after the closing quote of a quoted field: inside quotes write a quote twice "
     "(\"\"), or remove the quotes around the field"},
    {"empty file", BYTES(""), KH_ERR_INPUT,
     "x.csv: the file is empty: check that this is the file you meant and that it was saved with "
     "its contents"},
    {"only a BOM", BYTES("\xEF\xBB\xBF"), KH_ERR_INPUT,
     "x.csv: the file is empty: check that this is the file you meant and that it was saved with "
     "its contents"},
    {"only blank lines, spaces, commas", BYTES(" \r\n,,\n\t\n\"\"\n"), KH_ERR_INPUT,
     "x.csv: the file holds only blank lines, spaces or commas: check that this is the file you "
     "meant and that it was saved with its contents"},
    {"zip magic", BYTES("PK\3\4\x14\0\0\0\x08\0"), KH_ERR_INPUT,
     "x.csv: this is an XLSX workbook with a .csv name: rename it to .xlsx"},
    {"OLE magic", BYTES("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"), KH_ERR_INPUT,
     "x.csv: this is an old .xls or an encrypted Excel workbook, not CSV text: open it in Excel or "
     "WPS and save it as CSV UTF-8 or as .xlsx without a password"},
    {"UTF-16", BYTES("\xFF\xFE" "a\0,\0b\0"), KH_ERR_INPUT,
     "x.csv: this is UTF-16 text (Excel's \"Unicode Text\"), not CSV: " SAVE_UTF8},
    {"NUL byte", BYTES("a,b\nc\0d\n"), KH_ERR_INPUT,
     "x.csv: row 2, byte offset 5: a NUL byte, which CSV text never holds (this is a binary file "
     "or UTF-16 text): " SAVE_UTF8},
    {"invalid UTF-8 after a BOM", BYTES("\xEF\xBB\xBF" "a\nb,\xE4\xB8\n"), KH_ERR_INPUT,
     "x.csv: row 2, byte offset 7: the bytes 0xE4 0xB8 are not valid UTF-8, although the file starts "
     "with a UTF-8 byte order mark: " SAVE_UTF8},
    {"neither UTF-8 nor GB18030, row counted in records",
     /* the GB18030 row 2,两江镇 precedes the bad bytes; record 2 spans two lines */
     BYTES("id,name\n1,\"two\nlines\"\n2,\xC1\xBD\xBD\xAD\xD5\xF2\n3,\x81\x30,x\n"), KH_ERR_INPUT,
     "x.csv: row 4, byte offset 33: the bytes 0x81 0x30 are neither UTF-8 nor GB18030 text: " SAVE_UTF8},
    {"truncated GB18030 at the end", BYTES("\xC1\xBD\xBD"), KH_ERR_INPUT,
     "x.csv: row 1, byte offset 2: the bytes 0xBD are neither UTF-8 nor GB18030 text: " SAVE_UTF8},
    {"0xFF in GB18030", BYTES("\xC1\xBD,\xFF\n"), KH_ERR_INPUT,
     "x.csv: row 1, byte offset 3: the bytes 0xFF are neither UTF-8 nor GB18030 text: " SAVE_UTF8},
    {"UTF-8 text, then GB18030 bytes: not read as GB18030 mojibake",
     BYTES("临桂区2020年度乡（镇）安全生产工作考核检查表\n被考核单位,\xC1\xBD\xBD\xAD\xD5\xF2\n"),
     KH_ERR_INPUT,
     "x.csv: row 2, byte offset 81: the bytes 0xC1 0xBD 0xBD 0xAD are not valid UTF-8, although the "
     "text before is UTF-8 (the file is damaged or mixes two encodings): " SAVE_UTF8},
};

static void bad_inputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < KH_ARRAY_LEN(bad); i++) {
        print_message("  %s\n", bad[i].name);
        parse_bad(bad[i].in, bad[i].len, bad[i].st, bad[i].diag);
    }
}

/* ---- files from real producers ---- */

static kh_sheet *read_ok(const char *path)
{
    kh_sheet *s = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_csv_read_file(path, &s, &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_non_null(s);
    return s;
}

static void excel_files(void **state)
{
    (void)state;
    static const want_cell cells[] = {
        {"A1", "临桂区2020年度乡（镇）安全生产工作考核检查表"},
        {"A2", "考核细则"}, {"B2", "lingui-2020-township"},
        {"A3", "被考核单位"}, {"B3", "𠮷田镇"},
        {"A4", "检查日期"}, {"B4", "2020/12/10"},
        {"A6", "序号"}, {"B6", "检查点"}, {"C6", "检查要点"}, {"D6", "检查结果"}, {"E6", "备注"},
        {"A7", "1"}, {"B7", "1.1"}, {"C7", "学习记录"}, {"D7", "有"},
        {"A8", "1"}, {"B8", "1.10"}, {"C8", "会议记录"}, {"D8", "无"}, {"E8", "缺签到单,已提醒"},
        {"A9", "1"}, {"B9", "1.2"}, {"C9", "图片"}, {"D9", "√"}, {"E9", "第一行\n第二行"},
        {"A10", "2"}, {"B10", "2.1"}, {"C10", "签到单"}, {"D10", "3"}, {"E10", "说\"补交\"了"},
        {"A11", "2"}, {"B11", "2.2"}, {"C11", "ŀ测试"}, {"D11", "有"},
        {"E11", "\xE3\x80\x80全角空格\xE3\x80\x80"},
        {NULL, NULL},
    };
    /* The GB18030 file really holds the 4-byte sequences. */
    size_t len;
    char *raw = test_slurp(CSV_DATA "/excel-gb18030.csv", &len);
    assert_non_null(memmem(raw, len, "\x95\x34\xB2\x35", 4));
    assert_non_null(memmem(raw, len, "\x81\x30\x91\x38", 4));
    free(raw);

    kh_sheet *u = read_ok(CSV_DATA "/excel-utf8.csv");
    kh_sheet *g = read_ok(CSV_DATA "/excel-gb18030.csv");
    assert_cells(u, cells);
    assert_same_sheet(u, g);
    kh_sheet_free(u);
    kh_sheet_free(g);
}

static void libreoffice_files(void **state)
{
    (void)state;
    static const want_cell cells[] = {
        {"A1", "临桂区2020年度乡（镇）安全生产工作考核检查表"},
        {"A2", "考核细则"}, {"B2", "lingui-2020-township"},
        {"A3", "被考核单位"}, {"B3", "\xE3\x80\x80两江镇\xE3\x80\x80"},
        {"A4", "检查日期"}, {"B4", "2020-12-10"}, {"D4", "6"},
        {"A6", "序号"}, {"B6", "检查点"}, {"C6", "检查要点"}, {"D6", "检查结果"}, {"E6", "备注"},
        {"A7", "1"}, {"B7", "1.1"}, {"C7", "学习记录"}, {"D7", "有"}, {"E7", "含逗号,和\"引号\""},
        {"A8", "1"}, {"B8", "1.1"}, {"C8", "会议记录"}, {"D8", "无"}, {"E8", "第一行\n第二行"},
        {"A9", "2"}, {"B9", "2.1"}, {"C9", "签到单"}, {"D9", "3"},
        {"A10", "2"}, {"B10", "2"}, {"C10", "公式"}, {"E10", "  前后空格  "},
        {NULL, NULL},
    };
    kh_sheet *u = read_ok(CSV_DATA "/libreoffice-utf8.csv");
    kh_sheet *g = read_ok(CSV_DATA "/libreoffice-gb18030.csv");
    assert_cells(u, cells);
    assert_same_sheet(u, g);
    kh_sheet_free(u);
    kh_sheet_free(g);
}

/* ---- limits ---- */

/* A buffer of prefix, n copies of c, then suffix. */
static char *build(const char *prefix, char c, size_t n, const char *suffix, size_t *len)
{
    size_t lp = strlen(prefix), ls = strlen(suffix);
    *len = lp + n + ls;
    char *b = malloc(*len + 1);
    assert_non_null(b);
    memcpy(b, prefix, lp);
    memset(b + lp, c, n);
    memcpy(b + lp + n, suffix, ls + 1);
    return b;
}

static void field_cap(void **state)
{
    (void)state;
    const size_t cap = KH_CSV_MAX_FIELD;
    static const struct {
        const char *prefix, *suffix;
        const char *ref;  /* where the field of exactly cap bytes lands */
    } ok[] = {
        {"a,", "\n", "B1"},
        {"\"", "\"   \r\nz", "A1"},
        {"", "", "A1"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(ok); i++) {
        size_t len;
        char *in = build(ok[i].prefix, 'x', cap, ok[i].suffix, &len);
        kh_sheet *s = parse_ok(in, len);
        uint32_t row, col;
        assert_true(kh_cell_parse(ok[i].ref, &row, &col));
        const kh_cell *c = kh_sheet_get(s, row, col);
        assert_non_null(c);
        assert_int_equal(strlen(c->text), cap);
        kh_sheet_free(s);
        free(in);
    }

    static const struct {
        const char *prefix, *suffix;
        size_t n;
        const char *diag;
    } over[] = {
        {"a,", "\n", KH_CSV_MAX_FIELD + 1, "x.csv!B1: "},
        {"a\n,\"", "\"", KH_CSV_MAX_FIELD + 1, "x.csv!B2: "},
        {"a,", "", KH_CSV_MAX_FIELD + 1, "x.csv!B1: "},
        /* far past the cap: libcsv is stopped before its buffer grows */
        {"a,b,c,", "\n", 3 * (size_t)KH_CSV_MAX_FIELD, "x.csv!D1: "},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(over); i++) {
        size_t len;
        char *in = build(over[i].prefix, 'x', over[i].n, over[i].suffix, &len);
        char want[512];
        snprintf(want, sizeof want,
                 "%sthis field is longer than %u bytes (often a quote that is never closed): "
                 "close the quote or shorten the field", over[i].diag, KH_CSV_MAX_FIELD);
        parse_bad(in, len, KH_ERR_INPUT, want);
        free(in);
    }

    /* An unclosed quote running over many lines hits the cap, not memory. */
    size_t len = 4u * KH_CSV_MAX_FIELD;
    char *in = malloc(len);
    assert_non_null(in);
    memcpy(in, "id,1\nx,\"", 8);
    for (size_t i = 8; i < len; i++)
        in[i] = i % 40 == 0 ? '\n' : 'y';
    char want[512];
    snprintf(want, sizeof want,
             "x.csv!B2: this field is longer than %u bytes (often a quote that is never closed): "
             "close the quote or shorten the field", KH_CSV_MAX_FIELD);
    parse_bad(in, len, KH_ERR_INPUT, want);
    free(in);
}

static void grid_limits(void **state)
{
    (void)state;
    size_t len;
    char *in = build("", '\n', KH_MAX_ROWS - 1, "x", &len);
    kh_sheet *s = parse_ok(in, len);
    assert_cells(s, (const want_cell[]){{"A1048576", "x"}, {NULL, NULL}});
    kh_sheet_free(s);
    free(in);

    in = build("", '\n', KH_MAX_ROWS, "x\n", &len);
    parse_bad(in, len, KH_ERR_INPUT,
              "x.csv: row 1048577 is beyond the last row a spreadsheet has (1048576): split the file");
    free(in);

    in = build("", ',', KH_MAX_COLS - 1, "x", &len);
    s = parse_ok(in, len);
    assert_cells(s, (const want_cell[]){{"XFD1", "x"}, {NULL, NULL}});
    kh_sheet_free(s);
    free(in);

    in = build("a\n", ',', KH_MAX_COLS, "x", &len);
    parse_bad(in, len, KH_ERR_INPUT,
              "x.csv: row 2 has a value in column 16385, beyond the last column a spreadsheet has "
              "(XFD, 16384): remove the extra commas from that row");
    free(in);

    /* Empty fields past the last column lose nothing: accepted. */
    in = build("a", ',', 2 * KH_MAX_COLS, "\nb", &len);
    s = parse_ok(in, len);
    assert_cells(s, (const want_cell[]){{"A1", "a"}, {"A2", "b"}, {NULL, NULL}});
    kh_sheet_free(s);
    free(in);

    /* The file cap, checked before the bytes are looked at. */
    kh_diags d = {0};
    s = (kh_sheet *)1;
    assert_int_equal(kh_csv_parse("x.csv", "", (size_t)KH_CSV_MAX_FILE + 1, &s, &d), KH_ERR_LIMIT);
    assert_null(s);
    assert_diag(&d, 0, "x.csv: the file is larger than 64 MiB, the limit for a CSV file: split it");
    kh_diags_clear(&d);
}

static void read_file_errors(void **state)
{
    (void)state;
    kh_sheet *s = (kh_sheet *)1;
    kh_diags d = {0};
    assert_int_equal(kh_csv_read_file(CSV_DATA "/no-such.csv", &s, &d), KH_ERR_IO);
    assert_null(s);
    assert_diag(&d, 0, CSV_DATA "/no-such.csv: cannot open the file: No such file or directory");
    kh_diags_clear(&d);

    assert_int_equal(kh_csv_read_file(CSV_DATA, &s, &d), KH_ERR_IO);
    assert_diag(&d, 0, CSV_DATA ": cannot read the file: Is a directory");
    kh_diags_clear(&d);

    /* A sparse file one byte over the cap. */
    char tmp[] = "/tmp/kh-csv-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)KH_CSV_MAX_FILE + 1), 0);
    close(fd);
    assert_int_equal(kh_csv_read_file(tmp, &s, &d), KH_ERR_LIMIT);
    assert_null(s);
    assert_int_equal(d.n, 1);
    assert_diags_contain(&d, "the file is larger than 64 MiB");
    kh_diags_clear(&d);
    unlink(tmp);
}

/* ---- allocation failures ---- */

/* Fail each allocation in turn: every run ends in the expected status or
 * KH_ERR_NOMEM, and frees all it took. */
static void allocation_failures(void **state)
{
    (void)state;
    static const struct {
        const char *path, *in;
        size_t len;
        kh_status st;
        size_t ncells;
    } cases[] = {
        {CSV_DATA "/excel-gb18030.csv", NULL, 0, KH_OK, 36},
        {CSV_DATA "/excel-utf8.csv", NULL, 0, KH_OK, 36},
        {NULL, BYTES("a,b\nc,\"open\nmore\n"), KH_ERR_INPUT, 0},
        {NULL, BYTES("id\n\xC1\xBD,\xFF\n"), KH_ERR_INPUT, 0},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        size_t len = cases[i].len;
        char *in = cases[i].path ? test_slurp(cases[i].path, &len) : NULL;
        const char *bytes = in ? in : cases[i].in;
        long total = 0, nomem = 0;
        for (long n = -1; n < total; n++) {
            test_alloc_start(n);
            kh_sheet *s = NULL;
            kh_diags d = {0};
            kh_status st = kh_csv_parse("x.csv", bytes, len, &s, &d);
            if (n < 0) {
                total = test_alloc.calls;
                assert_int_equal(st, cases[i].st);
            }
            if (st == KH_ERR_NOMEM)
                nomem++;
            else
                assert_int_equal(st, cases[i].st);
            if (st == KH_OK)
                assert_int_equal(s->ncells, cases[i].ncells);
            else
                assert_null(s);
            kh_sheet_free(s);
            kh_diags_clear(&d);
            assert_int_equal(test_alloc.live, 0);
        }
        kh_set_allocator(NULL);
        assert_true(nomem > 0);
        free(in);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_inputs),
        cmocka_unit_test(bad_inputs),
        cmocka_unit_test(excel_files),
        cmocka_unit_test(libreoffice_files),
        cmocka_unit_test(field_cap),
        cmocka_unit_test(grid_limits),
        cmocka_unit_test(read_file_errors),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
