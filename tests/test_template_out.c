/* test_template_out.c - blank checklists: the XLSX form (fields, table,
 * check ids as text, merged items, validations, protection, print set-up),
 * the CSV file (BOM, CRLF, quoting, neutralised names), refusals, atomic
 * replacement, allocation failures, and the round trip through kaohe's
 * own readers (a blank template read with --blank-as-missing scores every
 * check point as missing / 0).  The rubrics are the shipped 2020 ones. */
#include "testutil.h"
#include "batch.h"
#include "csv_in.h"
#include "outfile.h"
#include "rubric.h"
#include "sheet.h"
#include "template_out.h"
#include "text.h"
#include "xlsx_in.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOWNSHIP "templates/rubrics/lingui-2020-township.csv"
#define DEPARTMENT "templates/rubrics/lingui-2020-department.csv"

typedef struct fx {
    char dir[64];
    kh_registry *reg;
    const kh_rubric *town, *dept;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || !test_scratch_make(f->dir, sizeof f->dir, "kh_tpl"))
        return -1;
    f->reg = kh_registry_new();
    kh_diags d = {0};
    if (!f->reg || kh_registry_load_file(f->reg, TOWNSHIP, &d) != KH_OK ||
        kh_registry_load_file(f->reg, DEPARTMENT, &d) != KH_OK) {
        test_print_diags(&d);
        return -1;
    }
    kh_diags_clear(&d);
    f->town = kh_registry_find(f->reg, "lingui-2020-township");
    f->dept = kh_registry_find(f->reg, "lingui-2020-department");
    *state = f;
    return f->town && f->dept ? 0 : -1;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    kh_registry_free(f->reg);
    int rc = test_scratch_remove(f->dir);
    free(f);
    return rc;
}

static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ------------------------------------------------------------------ */

/* Row (1-based) of a check point in the XLSX template: the header is row 8. */
static unsigned cp_row(const kh_rubric *r, const char *id)
{
    long i = kh_rubric_find_cp(r, id);
    assert_true(i >= 0);
    return 9 + (unsigned)i;
}

static void xlsx_layout(void **state)
{
    fx *f = *state;
    const char *units[] = {"两江镇", " 临桂镇　"};
    kh_diags d = {0};
    const char *out = pathf(f, "t.xlsx");
    assert_int_equal(kh_write_template(f->town, units, 2, out, &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(test_count_tmp(f->dir), 0);
    test_rbook b;
    test_rbook_read(out, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.s[0].name, "两江镇");
    assert_string_equal(b.s[1].name, "临桂镇"); /* trimmed like the reader trims */
    const test_rsheet *s = &b.s[0];
    assert_cell(s, "A1", "临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（乡镇）");
    /* Fields: the label, and its value the next non-empty cell right. */
    assert_cell(s, "A2", "考核细则：");
    assert_cell(s, "C2", "lingui-2020-township");
    /* Beside the id (which the reader needs), the rubric as people say it. */
    assert_cell(s, "E2", "乡镇检查表（编号勿改）");
    assert_null(test_cell_at(s, "D2"));
    assert_cell(s, "A3", "被考核单位：");
    assert_cell(s, "C3", "两江镇");
    assert_cell(&b.s[1], "C3", "临桂镇");
    assert_cell(s, "A4", "考核年度：");
    assert_null(test_cell_at(s, "C4"));
    assert_cell(s, "A5", "检查组：");
    assert_cell(s, "A6", "检查日期：");
    assert_null(test_cell_at(s, "C6"));
    static const char *const head[] = {"序号", "督查内容", "检查点", "检查要点",
                                       "标准分", "填写说明", "检查结果", "备注"};
    for (unsigned c = 0; c < 8; c++) {
        char ref[8];
        snprintf(ref, sizeof ref, "%c8", 'A' + c);
        assert_cell(s, ref, head[c]);
    }
    /* Item 1 on rows 9-15: number, full content, points on its first row. */
    assert_cell(s, "A9", "1");
    assert_int_equal(test_cell_at(s, "A9")->type, KH_CELL_NUMBER);
    assert_non_null(strstr(test_cell_at(s, "B9")->text, "扣完3分为止"));
    assert_cell(s, "E9", "3");
    assert_int_equal(test_cell_at(s, "E9")->type, KH_CELL_NUMBER);
    assert_null(test_cell_at(s, "A10"));
    assert_null(test_cell_at(s, "E10"));
    assert_cell(s, "C9", "1.1");
    assert_cell(s, "D9", "学习记录");
    assert_cell(s, "F9", "填“有”或“无”");
    assert_null(test_cell_at(s, "G9"));
    /* Check ids are text: 8.10 stays 8.10. */
    char ref[16];
    snprintf(ref, sizeof ref, "C%u", cp_row(f->town, "8.10"));
    assert_cell(s, ref, "8.10");
    assert_int_equal(test_cell_at(s, ref)->type, KH_CELL_STRING);
    /* What to write for each kind, with the hint. */
    snprintf(ref, sizeof ref, "F%u", cp_row(f->town, "3.1"));
    assert_cell(s, ref, "填实际次数，应不少于2次");
    snprintf(ref, sizeof ref, "F%u", cp_row(f->town, "17.1"));
    assert_cell(s, ref, "填发生起数，没有填0");
    snprintf(ref, sizeof ref, "F%u", cp_row(f->town, "7.1"));
    assert_cell(s, ref, "填实际次数，应不少于2次；无专项整治方案视未开展");
    /* Nothing after the last check point. */
    unsigned last = cp_row(f->town, "17.4");
    for (size_t i = 0; i < s->n; i++)
        assert_true(s->cells[i].row < last);
    test_rbook_free(&b);
    kh_diags_clear(&d);
}

/* The sheet XML: validations, merges, protection, unlocked cells, print. */
static void xlsx_sheet_settings(void **state)
{
    fx *f = *state;
    const char *units[] = {"两江镇"};
    kh_diags d = {0};
    const char *out = pathf(f, "t.xlsx");
    assert_int_equal(kh_write_template(f->town, units, 1, out, &d), KH_OK);
    char *xml = test_zip_part(out, "xl/worksheets/sheet1.xml");
    assert_non_null(xml);
    size_t nhas = 0;
    for (size_t i = 0; i < f->town->ncps; i++)
        nhas += f->town->cps[i].kind == KH_KIND_HAS;
    assert_int_equal(f->town->ncps, 79);
    assert_int_equal(nhas, 69);
    assert_int_equal(count_str(xml, "<dataValidation "), 79);
    assert_int_equal(count_str(xml, "type=\"list\""), 69);
    assert_int_equal(count_str(xml, "<formula1>\"有,无\"</formula1>"), 69);
    assert_int_equal(count_str(xml, "type=\"whole\" operator=\"greaterThanOrEqual\""), 10);
    assert_non_null(strstr(xml, "sqref=\"G9\""));
    char want[64];
    snprintf(want, sizeof want, "sqref=\"G%u\"", cp_row(f->town, "17.4"));
    assert_non_null(strstr(xml, want));
    assert_non_null(strstr(xml, "promptTitle=\"检查点 7.1\""));
    assert_non_null(strstr(xml, "prompt=\"填实际次数，应不少于2次；无专项整治方案视未开展\""));
    /* A count of what was not done says so (4.1 counts meetings missed). */
    assert_non_null(strstr(xml, "prompt=\"填“未按要求参加安全生产工作会议”的次数（没做到的次数，"
                                "不是已做的次数），都做到了填0；以会议签到单为准\""));
    /* 中秋 and 国庆 fell on one day in 2020: one inspection counts for both. */
    assert_non_null(strstr(xml, "可同时算作中秋、国庆期间的检查，两项都填“有”"));
    assert_non_null(strstr(xml, "errorTitle=\"请填写整数\""));
    /* Merged item cells: item 1 spans rows 9-15 in A, B and E. */
    assert_non_null(strstr(xml, "<mergeCell ref=\"A9:A15\"/>"));
    assert_non_null(strstr(xml, "<mergeCell ref=\"B9:B15\"/>"));
    assert_non_null(strstr(xml, "<mergeCell ref=\"E9:E15\"/>"));
    /* Item 4 has one check point: no merge. */
    snprintf(want, sizeof want, "<mergeCell ref=\"A%u:", cp_row(f->town, "4.1"));
    assert_null(strstr(xml, want));
    /* Protected without a password. */
    assert_non_null(strstr(xml, "<sheetProtection "));
    assert_null(strstr(xml, "password="));
    assert_non_null(strstr(xml, "paperSize=\"9\""));
    assert_non_null(strstr(xml, "fitToHeight=\"0\""));
    assert_non_null(strstr(xml, "<pageSetUpPr fitToPage=\"1\"/>"));
    assert_non_null(strstr(xml, "<pane ySplit=\"8\" topLeftCell=\"A9\""));
    free(xml);
    char *wb = test_zip_part(out, "xl/workbook.xml");
    assert_non_null(strstr(wb, "_xlnm.Print_Titles"));
    assert_non_null(strstr(wb, "$8:$8"));
    free(wb);
    kh_diags_clear(&d);
}

/* A blank template read back by kaohe itself with --blank-as-missing: one
 * unit per sheet, every check point found, every result missing / 0.
 * Township all missing: items 4 (2), 17 (5), 6 (1 − 2×0.2), 3 (2 − 0.4 −
 * 7×0.2), 10 (2 − 4×0.2), 13 (1 − 3×0.2) keep points: 9.4 in all. */
static void xlsx_reads_back(void **state)
{
    fx *f = *state;
    const char *units[] = {"两江镇", "=1+1"};
    kh_diags d = {0};
    const char *out = pathf(f, "t.xlsx");
    assert_int_equal(kh_write_template(f->town, units, 2, out, &d), KH_OK);
    kh_options opts = {.blank_as_missing = true};
    kh_batch *b = kh_batch_new(f->reg, &opts);
    assert_non_null(b);
    assert_int_equal(kh_batch_add(b, out, &d), KH_OK);
    assert_int_equal(kh_batch_finish(b), KH_OK);
    if (kh_batch_unit_count(b) != 2)
        test_print_diags(kh_batch_errors(b));
    assert_int_equal(kh_batch_unit_count(b), 2);
    assert_string_equal(b->units[0]->cl->unit, "两江镇");
    assert_string_equal(b->units[1]->cl->unit, "=1+1");
    for (size_t i = 0; i < 2; i++) {
        assert_ptr_equal(b->units[i]->cl->rubric, f->town);
        /* Every result blank, read as missing: item 2's four check points
         * take 2 of its 3 points, the rest as before: 10.4. */
        assert_int_equal(b->units[i]->total, 104000);
        assert_false(b->units[i]->vetoed);
    }
    /* The result cells are column G, from row 9 on (the first check point,
     * blank and so missing, is the unit's first cost). */
    const kh_cost *c0 = &b->units[0]->costs[0];
    char cell[KH_CELLREF_BUFSZ];
    assert_true(b->units[0]->ncosts > 0);
    assert_int_equal(c0->cp, 0);
    assert_string_equal(kh_cell_ref(c0->row, c0->col, cell), "G9");
    kh_batch_free(b);
    kh_diags_clear(&d);

    /* Without the option the blank results are errors naming the cells. */
    b = kh_batch_new(f->reg, NULL);
    assert_int_equal(kh_batch_add(b, out, &d), KH_OK);
    assert_int_equal(kh_batch_finish(b), KH_OK);
    assert_int_equal(kh_batch_unit_count(b), 0);
    assert_diags_contain(kh_batch_errors(b), "t.xlsx:两江镇!G9");
    kh_batch_free(b);
    kh_diags_clear(&d);
}

static void xlsx_no_units(void **state)
{
    fx *f = *state;
    kh_diags d = {0};
    const char *out = pathf(f, "blank.xlsx");
    assert_int_equal(kh_write_template(f->dept, NULL, 0, out, &d), KH_OK);
    test_rbook b;
    test_rbook_read(out, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.s[0].name, "检查表");
    assert_cell(&b.s[0], "C2", "lingui-2020-department");
    assert_null(test_cell_at(&b.s[0], "C3"));
    /* Department 1.10 right after 1.9, as text. */
    assert_cell(&b.s[0], "C17", "1.9");
    assert_cell(&b.s[0], "C18", "1.10");
    assert_cell(&b.s[0], "D18", "制定工作措施");
    assert_cell(&b.s[0], "E9", "0.2");
    test_rbook_free(&b);
    kh_diags_clear(&d);
}

/* Unit names that look like formulas stay text; odd names make valid
 * sheet names; invalid UTF-8 is replaced. */
static void xlsx_odd_unit_names(void **state)
{
    fx *f = *state;
    const char *units[] = {"=1+1", "@SUM(A1)", "-2", "+3", "a/b:c*d?[e]", "\xff\xfe坏",
                           "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三",
                           "a\x01" "b\nc"};
    kh_diags d = {0};
    const char *out = pathf(f, "odd.xlsx");
    assert_int_equal(kh_write_template(f->dept, units, 8, out, &d), KH_OK);
    test_rbook b;
    test_rbook_read(out, &b);
    assert_int_equal(b.n, 8);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(b.s[i].name, units[i]);
        assert_cell(&b.s[i], "C3", units[i]);
        assert_int_equal(test_cell_at(&b.s[i], "C3")->type, KH_CELL_STRING);
    }
    assert_string_equal(b.s[4].name, "a_b_c_d__e_");
    assert_cell(&b.s[4], "C3", "a/b:c*d?[e]");
    assert_cell(&b.s[5], "C3", "\xef\xbf\xbd\xef\xbf\xbd坏");
    assert_int_equal(kh_utf8_len(b.s[6].name), 31);
    assert_cell(&b.s[6], "C3", units[6]);
    assert_string_equal(b.s[7].name, "a_b_c"); /* no control character */
    test_rbook_free(&b);
    /* No formula anywhere in the sheets. */
    for (int i = 1; i <= 8; i++) {
        char part[64];
        snprintf(part, sizeof part, "xl/worksheets/sheet%d.xml", i);
        char *xml = test_zip_part(out, part);
        assert_non_null(xml);
        assert_null(strstr(xml, "<f>"));
        free(xml);
    }
    kh_diags_clear(&d);
}

static void csv_layout(void **state)
{
    fx *f = *state;
    const char *units[] = {"=HYPERLINK(\"x\")"};
    kh_diags d = {0};
    const char *out = pathf(f, "d.csv");
    assert_int_equal(kh_write_template(f->dept, units, 1, out, &d), KH_OK);
    assert_int_equal(test_count_tmp(f->dir), 0);
    size_t len;
    char *raw = test_slurp(out, &len);
    assert_memory_equal(raw, "\xEF\xBB\xBF\"临桂区", strlen("\xEF\xBB\xBF\"临桂区"));
    /* CRLF everywhere, never a bare LF. */
    for (size_t i = 0; i < len; i++)
        if (raw[i] == '\n')
            assert_true(i > 0 && raw[i - 1] == '\r');
    /* The formula-like name is neutralised, quotes doubled by libcsv. */
    assert_non_null(strstr(raw, "\"被考核单位\",\"'=HYPERLINK(\"\"x\"\")\"\r\n"));
    /* The id the reader needs, and beside it what a person reads. */
    assert_non_null(
        strstr(raw, "\"考核细则\",\"lingui-2020-department\",\"区直单位部门检查表（编号勿改）\"\r\n"));
    assert_non_null(strstr(raw, "\"\",\"\",\"1.10\",\"制定工作措施\",\"\",\"填“有”或“无”\",\"\",\"\"\r\n"));
    free(raw);

    kh_sheet *s = NULL;
    assert_int_equal(kh_csv_read_file(out, &s, &d), KH_OK);
    /* Title, 5 fields, a blank row, the header on row 8 (index 7). */
    const kh_cell *c = kh_sheet_get(s, 7, 0);
    assert_non_null(c);
    assert_string_equal(c->text, "序号");
    assert_string_equal(kh_sheet_get(s, 7, 6)->text, "检查结果");
    assert_string_equal(kh_sheet_get(s, 8, 0)->text, "1");
    assert_string_equal(kh_sheet_get(s, 8, 4)->text, "0.2");
    assert_string_equal(kh_sheet_get(s, 17, 2)->text, "1.10");
    assert_null(kh_sheet_get(s, 17, 0));
    kh_sheet_free(s);

    /* Read back as a checklist: all 63 check points found. */
    kh_options opts = {.blank_as_missing = true};
    kh_batch *b = kh_batch_new(f->reg, &opts);
    assert_int_equal(kh_batch_add(b, out, &d), KH_OK);
    assert_int_equal(kh_batch_finish(b), KH_OK);
    if (kh_batch_unit_count(b) != 1)
        test_print_diags(kh_batch_errors(b));
    assert_int_equal(kh_batch_unit_count(b), 1);
    /* The apostrophe that neutralised it in the file goes on reading. */
    assert_string_equal(b->units[0]->cl->unit, "=HYPERLINK(\"x\")");
    kh_batch_free(b);
    kh_diags_clear(&d);
}

/* Usage errors: nothing is written. */
static void refusals(void **state)
{
    fx *f = *state;
    kh_diags d = {0};
    const char *two[] = {"两江镇", "临桂镇"};
    assert_int_equal(kh_write_template(f->town, two, 2, pathf(f, "x.csv"), &d), KH_ERR_USAGE);
    assert_diags_contain(&d, "x.csv: a CSV checklist holds one unit");
    kh_diags_clear(&d);
    assert_int_equal(kh_write_template(f->town, two, 1, pathf(f, "x.ods"), &d), KH_ERR_USAGE);
    assert_diags_contain(&d, "must end in .xlsx or .csv");
    kh_diags_clear(&d);
    const char *dup[] = {"两江镇", " 两江镇"};
    assert_int_equal(kh_write_template(f->town, dup, 2, pathf(f, "x.xlsx"), &d), KH_ERR_USAGE);
    assert_diags_contain(&d, "unit '两江镇' is given twice");
    kh_diags_clear(&d);
    const char *empty[] = {"　"};
    assert_int_equal(kh_write_template(f->town, empty, 1, pathf(f, "x.xlsx"), &d), KH_ERR_USAGE);
    assert_diags_contain(&d, "a unit name is empty");
    kh_diags_clear(&d);
    /* Upper-case extensions are fine. */
    assert_int_equal(kh_write_template(f->town, two, 1, pathf(f, "X.CSV"), &d), KH_OK);
    assert_int_equal(unlink(pathf(f, "X.CSV")), 0);
    /* A folder that does not exist: an I/O error, nothing left behind. */
    assert_int_equal(kh_write_template(f->town, NULL, 0, pathf(f, "no/x.xlsx"), &d), KH_ERR_IO);
    assert_diags_contain(&d, "no/x.xlsx: cannot create a file beside it");
    kh_diags_clear(&d);

    /* The rubric file itself is never overwritten. */
    char *text = test_slurp(DEPARTMENT, NULL);
    test_write_file(pathf(f, "mine.csv"), text);
    kh_registry *reg = kh_registry_new();
    assert_int_equal(kh_registry_load_file(reg, pathf(f, "mine.csv"), &d), KH_OK);
    const kh_rubric *mine = kh_registry_at(reg, 0);
    assert_int_equal(kh_write_template(mine, NULL, 0, pathf(f, "mine.csv"), &d), KH_ERR_USAGE);
    assert_diags_contain(&d, "this is the rubric file itself");
    char *after = test_slurp(pathf(f, "mine.csv"), NULL);
    assert_string_equal(after, text);
    free(after);
    free(text);
    kh_registry_free(reg);

    DIR *dp = opendir(f->dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(dp));)
        n += e->d_name[0] != '.';
    closedir(dp);
    assert_int_equal(n, 1); /* mine.csv */
    kh_diags_clear(&d);
}

/* An existing output is replaced whole. */
static void replaces_old_output(void **state)
{
    fx *f = *state;
    kh_diags d = {0};
    const char *out = pathf(f, "t.xlsx");
    test_write_file(out, "old");
    assert_int_equal(kh_write_template(f->town, NULL, 0, out, &d), KH_OK);
    test_rbook b;
    test_rbook_read(out, &b);
    assert_int_equal(b.n, 1);
    test_rbook_free(&b);
    assert_int_equal(test_count_tmp(f->dir), 0);
    kh_diags_clear(&d);
}

/* ------------------------------------------------------------------ */
/* Allocation failures: fail the Nth allocation for every N until the
 * call succeeds; each failure is clean (no leak, old output intact, no
 * temporary file). */

static void allocation_failures(void **state)
{
    fx *f = *state;
    const char *units[] = {"两江镇", "=1+1"};
    const char *outs[] = {"t.xlsx", "t.csv"};
    for (int k = 0; k < 2; k++) {
        const char *out = pathf(f, outs[k]);
        kh_status st = KH_ERR_NOMEM;
        long n, failed = 0;
        /* Until a run makes fewer allocations than the one failing: some
         * failures have a fallback and still succeed. */
        for (n = 0; n < 100000; n++) {
            test_write_file(out, "old");
            kh_diags d = {0};
            test_alloc_start(n);
            st = kh_write_template(f->town, units, k == 0 ? 2 : 1, out, &d);
            kh_diags_clear(&d);
            kh_set_allocator(NULL);
            if (test_alloc.live != 0)
                fail_msg("%s: allocation %ld failing leaks %ld blocks", outs[k], n,
                         test_alloc.live);
            assert_int_equal(test_count_tmp(f->dir), 0);
            if (test_alloc.calls <= n)
                break;
            if (st == KH_OK)
                continue;
            if (st != KH_ERR_NOMEM && st != KH_ERR_IO)
                fail_msg("%s: allocation %ld failing gives %s", outs[k], n, kh_strerror(st));
            failed++;
            char *kept = test_slurp(out, NULL);
            if (strcmp(kept, "old") != 0)
                fail_msg("%s: allocation %ld failing changed the old output", outs[k], n);
            free(kept);
        }
        assert_int_equal(st, KH_OK);
        if (n <= 10)
            fail_msg("%s: only %ld allocations", outs[k], n);
        /* The failures did reach the writer (not every one absorbed). */
        if (failed == 0)
            fail_msg("%s: no failed allocation ever failed the write", outs[k]);
    }
}

/* Lines a text needs in a column (row heights): narrow characters 1.15
 * units wide at 11 pt, full-width ones 2.15, a byte of bad UTF-8 a narrow
 * U+FFFD, a cell's room one unit less than its width. */
static void form_lines(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        double width, pt;
        unsigned lines;
    } cases[] = {
        {NULL, 10, 11, 1},
        {"", 10, 11, 1},
        {"abcdefghij", 6, 11, 3},      /* 4 in a room of 5 */
        {"一二三四五", 6, 11, 3},       /* 2 in a room of 5 */
        {"一二三四五", 6, 22, 5},       /* twice the size: 1 */
        {"ab\ncd", 46, 11, 2},
        {"ab\n\ncd", 46, 11, 3},
        {"\xff\xfe" "abc", 3, 11, 5}, /* 1 in a room of 2, bad bytes too */
        {"一\xff二", 46, 11, 1},
        {"一\xe4\xb8", 3.2, 11, 3},    /* a cut sequence: two narrow U+FFFD */
        {"x", 0.5, 11, 1},             /* no room: one line still */
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        unsigned got = kh_form_lines(cases[i].s, cases[i].width, cases[i].pt);
        if (got != cases[i].lines)
            fail_msg("case %zu: %u lines, want %u", i, got, cases[i].lines);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(xlsx_layout, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(xlsx_sheet_settings, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(xlsx_reads_back, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(xlsx_no_units, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(xlsx_odd_unit_names, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(csv_layout, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(refusals, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(replaces_old_output, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(allocation_failures, fx_setup, fx_teardown),
        cmocka_unit_test(form_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
