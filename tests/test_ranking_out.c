/* test_ranking_out.c - the ranking workbook: sheets, ranks with ties,
 * vetoed units last, numeric cells, SUM totals with stored values,
 * 扣分明细, rejected inputs, chart and print setup, refusals, atomicity,
 * allocation failures.  The batch is made by the real pipeline from a
 * small rubric and CSV checklists written into a scratch folder; the
 * workbook is read back with kaohe's own XLSX reader and minizip. */
#include "testutil.h"
#include "batch.h"
#include "outfile.h"
#include "sheet.h"
#include "xlsx_in.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Scratch files. */

/* A small rubric: 3 items, 10 points.
 *   1 (3): 1.1 has 0.5, 1.2 has 0.5
 *   2 (2): 2.1 count need 2 per 0.4 "检查次数", 2.2 each 0.2 "未参会次数"
 *   3 (5): 3.1 each per 1 cap 4 "一般事故起数", 3.2 any "较大事故起数",
 *          3.3 veto "重大事故起数" */
static void write_rubric(const test_fx *f, const char *file, const char *id, const char *unit_type)
{
    char text[2048];
    snprintf(text, sizeof text,
             "id,%s\n"
             "title,测试考核细则（%s）\n"
             "unit_type,%s\n"
             "total,10\n"
             "item,points,content,check,label,kind,need,per,cap,hint\n"
             "1,3,学习与部署,1.1,学习记录,has,,0.5,,\n"
             "1,,,1.2,签到单,has,,0.5,,\n"
             "2,2,会议与检查,2.1,检查次数,count,2,0.4,,\n"
             "2,,,2.2,未参会次数,each,,0.2,,\n"
             "3,5,事故控制,3.1,一般事故起数,each,,1,4,\n"
             "3,,,3.2,较大事故起数,any,,,,\n"
             "3,,,3.3,重大事故起数,veto,,,,\n",
             id, unit_type, unit_type);
    test_write_file(pathf(f, file), text);
}

/* A checklist CSV: results of 1.1 1.2 2.1 2.2 3.1 3.2 3.3 and remarks. */
static void write_checklist(const test_fx *f, const char *file, const char *rubric,
                            const char *unit, const char *const res[7],
                            const char *const remark[7])
{
    static const char *const ids[7] = {"1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "3.3"};
    static const char *const labels[7] = {"学习记录", "签到单", "检查次数", "未参会次数",
                                          "一般事故起数", "较大事故起数", "重大事故起数"};
    kh_buf b = {0};
    kh_buf_printf(&b, "考核细则,%s\n被考核单位,", rubric);
    test_csv_field(&b, unit);
    kh_buf_puts(&b, "\n\n检查点,检查要点,检查结果,备注\n");
    for (int i = 0; i < 7; i++) {
        kh_buf_printf(&b, "%s,%s,%s,", ids[i], labels[i], res[i]);
        test_csv_field(&b, remark ? remark[i] : NULL);
        kh_buf_putc(&b, '\n');
    }
    test_write_file(pathf(f, file), kh_buf_str(&b));
    kh_buf_free(&b);
}

static const char *const PERFECT[7] = {"有", "有", "2", "0", "0", "0", "0"};

static int fx_setup(void **state)
{
    test_fx *f = test_fx_new("kh_rank");
    *state = f;
    return f ? 0 : -1;
}

static void load_rubric(test_fx *f, const char *file, const char *id, const char *unit_type)
{
    write_rubric(f, file, id, unit_type);
    kh_diags d = {0};
    kh_status st = kh_registry_load_file(f->reg, pathf(f, file), &d);
    if (st != KH_OK) {
        test_print_diags(&d);
        fail_msg("rubric %s does not load", file);
    }
    kh_diags_clear(&d);
}

/* The standard batch (totals out of 10, in input order):
 *   丙    10   perfect                                   rank 1
 *   乙    9    1.1 and 1.2 missing                       rank 2
 *   丁    10   3.3 = 1: vetoed                           last, no rank
 *   甲    9    2.1 = 0 (short 2 × 0.4), 2.2 = 1 (0.2)    rank 2 (after 乙: input order)
 *   =1+2  8.5  1.2 missing, 3.1 = 1                      rank 4
 *   戊    6    3.1 = 6 → 6, capped at 4                  rank 5
 * and one rejected file (an unknown result, an unknown check point, and
 * missing check points). */
static void standard_batch(test_fx *f)
{
    load_rubric(f, "rubric.csv", "test-town", "乡镇");
    const char *yi[7] = {"无", "无", "2", "0", "0", "0", "0"};
    const char *jia[7] = {"有", "有", "0", "1", "0", "0", "0"};
    const char *jia_rm[7] = {NULL, NULL, "=HYPERLINK(\"http://x\",\"点我\")", NULL, NULL, NULL,
                             NULL};
    const char *eq[7] = {"有", "无", "2", "0", "1", "0", "0"};
    const char *eq_rm[7] = {NULL, "@cmd", NULL, NULL, "一般事故1起", NULL, NULL};
    const char *ding[7] = {"有", "有", "2", "0", "0", "0", "1"};
    const char *ding_rm[7] = {NULL, NULL, NULL, NULL, NULL, NULL, "发生重大事故"};
    const char *wu[7] = {"有", "有", "2", "0", "6", "0", "0"};
    write_checklist(f, "1-丙.csv", "test-town", "丙", PERFECT, NULL);
    write_checklist(f, "2-乙.csv", "test-town", "乙", yi, NULL);
    write_checklist(f, "3-丁.csv", "test-town", "丁", ding, ding_rm);
    write_checklist(f, "4-甲.csv", "test-town", "甲", jia, jia_rm);
    write_checklist(f, "5-eq.csv", "test-town", "=1+2", eq, eq_rm);
    write_checklist(f, "6-戊.csv", "test-town", "戊", wu, NULL);
    test_write_file(pathf(f, "7-bad.csv"),
                    "考核细则,test-town\n被考核单位,坏\n\n检查点,检查结果\n1.1,也许\n9.9,有\n");
    test_fx_add(f, "1-丙.csv");
    test_fx_add(f, "2-乙.csv");
    test_fx_add(f, "3-丁.csv");
    test_fx_add(f, "4-甲.csv");
    test_fx_add(f, "5-eq.csv");
    test_fx_add(f, "6-戊.csv");
    test_fx_add(f, "7-bad.csv");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    if (kh_batch_unit_count(f->b) != 6)
        test_print_diags(kh_batch_errors(f->b));
    assert_int_equal(kh_batch_unit_count(f->b), 6);
    assert_int_equal(kh_batch_rejected_count(f->b), 1);
}

/* ------------------------------------------------------------------ */
/* Reading the workbook back. */

static const test_rsheet *sheet(const test_rbook *bk, const char *name)
{
    for (size_t i = 0; i < bk->n; i++)
        if (strcmp(bk->s[i].name, name) == 0)
            return &bk->s[i];
    fail_msg("no sheet named %s", name);
    return NULL;
}

#define assert_empty(s, ref)                                                  \
    do {                                                                      \
        const test_rcell *c_ = test_cell_at((s), (ref));                      \
        if (c_)                                                               \
            fail_msg("%s!%s = \"%s\", want empty", (s)->name, (ref), c_->text); \
    } while (0)

static void assert_part_has(const char *path, const char *part, const char *needle)
{
    char *text = test_zip_part(path, part);
    if (!text)
        fail_msg("%s has no part %s", path, part);
    if (!strstr(text, needle))
        fail_msg("%s of %s lacks: %s", part, path, needle);
    free(text);
}

/* ------------------------------------------------------------------ */

static void write_ok(test_fx *f, const char *out)
{
    kh_diags d = {0};
    kh_status st = kh_write_ranking(f->b, out, &d);
    if (st != KH_OK) {
        test_print_diags(&d);
        fail_msg("kh_write_ranking: %s", kh_strerror(st));
    }
    assert_int_equal(d.n, 0);
    kh_diags_clear(&d);
    assert_int_equal(test_count_tmp(f->dir), 0);
}

static void ranking_sheet(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    const char *out = pathf(f, "ranking.xlsx");
    write_ok(f, out);
    test_rbook bk;
    test_rbook_read(out, &bk);
    /* Tab order: ranking, its chart, 扣分明细, 问题汇总 and its chart,
     * 未通过的文件, 来源. */
    assert_int_equal(bk.n, 7);
    assert_string_equal(bk.s[0].name, "乡镇");
    assert_string_equal(bk.s[1].name, "乡镇得分图");
    assert_string_equal(bk.s[2].name, "扣分明细");
    assert_string_equal(bk.s[3].name, "问题汇总");
    assert_string_equal(bk.s[4].name, "问题汇总图");
    assert_string_equal(bk.s[5].name, "未通过的文件");
    assert_string_equal(bk.s[6].name, "来源");

    const test_rsheet *s = sheet(&bk, "乡镇");
    assert_cell_type(s, "A1", KH_CELL_STRING, "乡镇安全生产工作考核排名");
    assert_cell_type(s, "A2", KH_CELL_STRING, "测试考核细则（乡镇）");
    /* The fixture's items have no short name: their numbers, and the
     * points on a line of their own. */
    static const char *const head[] = {"名次", "被考核单位", "1\n（3分）", "2\n（2分）", "3\n（5分）",
                                       "合计得分", "结果", "来源文件"};
    for (uint32_t c = 0; c < KH_ARRAY_LEN(head); c++) {
        char ref[KH_CELLREF_BUFSZ];
        assert_cell_type(s, kh_cell_ref(2, c, ref), KH_CELL_STRING, head[c]);
    }
    /* Rows 4..9: ranking order, ties share a rank in input order, the
     * vetoed unit last without a rank. */
    static const struct { const char *rank, *unit, *i1, *i2, *i3, *total, *result, *src; } rows[] = {
        {"1", "丙", "3", "2", "5", "10", "正常", "1-丙.csv"},
        {"2", "乙", "2", "2", "5", "9", "正常", "2-乙.csv"},
        {"2", "甲", "3", "1", "5", "9", "正常", "4-甲.csv"},
        {"4", "=1+2", "2.5", "2", "4", "8.5", "正常", "5-eq.csv"},
        {"5", "戊", "3", "2", "1", "6", "正常", "6-戊.csv"},
        {NULL, "丁", "3", "2", "0", "5", "一票否决", "3-丁.csv"}, /* the veto empties item 3 */
    };
    for (uint32_t i = 0; i < KH_ARRAY_LEN(rows); i++) {
        char ref[KH_CELLREF_BUFSZ];
        uint32_t r = 3 + i;
        if (rows[i].rank)
            assert_cell_type(s, kh_cell_ref(r, 0, ref), KH_CELL_NUMBER, rows[i].rank);
        else
            assert_empty(s, kh_cell_ref(r, 0, ref));
        assert_cell_type(s, kh_cell_ref(r, 1, ref), KH_CELL_STRING, rows[i].unit);
        assert_cell_type(s, kh_cell_ref(r, 2, ref), KH_CELL_NUMBER, rows[i].i1);
        assert_cell_type(s, kh_cell_ref(r, 3, ref), KH_CELL_NUMBER, rows[i].i2);
        assert_cell_type(s, kh_cell_ref(r, 4, ref), KH_CELL_NUMBER, rows[i].i3);
        assert_cell_type(s, kh_cell_ref(r, 5, ref), KH_CELL_NUMBER, rows[i].total);
        assert_cell_type(s, kh_cell_ref(r, 6, ref), KH_CELL_STRING, rows[i].result);
        const test_rcell *src = test_cell_at(s, kh_cell_ref(r, 7, ref));
        assert_non_null(src);
        assert_string_equal(src->text, pathf(f, rows[i].src));
    }
    /* Nothing but the note under the table. */
    assert_empty(s, "B10");
    const test_rcell *note = test_cell_at(s, "A11");
    assert_non_null(note);
    assert_non_null(strstr(note->text, "一票否决"));

    /* Totals are SUM formulas over the item cells with the value stored;
     * the formula-like unit name is a string, never a formula. */
    const char *xml = "xl/worksheets/sheet1.xml";
    assert_part_has(out, xml, "<f>SUM(C4:E4)</f><v>10</v>");
    assert_part_has(out, xml, "<f>SUM(C7:E7)</f><v>8.5</v>");
    assert_part_has(out, xml, "<f>SUM(C9:E9)</f><v>5</v>");
    char *sheet_xml = test_zip_part(out, xml);
    assert_null(strstr(sheet_xml, "<f>1+2"));
    assert_null(strstr(sheet_xml, "<f>=1+2"));
    /* Item scores carry a format showing exactly their decimals. */
    free(sheet_xml);
    /* Print: A4 landscape, one page wide, header row repeated, frozen
     * below the header and right of the unit column. */
    assert_part_has(out, xml, "paperSize=\"9\"");
    assert_part_has(out, xml, "orientation=\"landscape\"");
    assert_part_has(out, xml, "fitToHeight=\"0\"");
    assert_part_has(out, xml, "<pageSetUpPr fitToPage=\"1\"/>");
    assert_part_has(out, xml, "topLeftCell=\"C4\"");
    assert_part_has(out, "xl/workbook.xml", "<definedName name=\"_xlnm.Print_Titles\" "
                                            "localSheetId=\"0\">'乡镇'!$3:$3</definedName>");
    /* The veto is highlighted: the vetoed row uses other styles than the
     * rows above it (checked through the s= attributes of B8 and B9). */
    char *x = test_zip_part(out, xml);
    char *b8 = strstr(x, "<c r=\"B8\""), *b9 = strstr(x, "<c r=\"B9\"");
    assert_non_null(b8);
    assert_non_null(b9);
    assert_true(strncmp(b8 + 9, b9 + 9, 8) != 0);
    free(x);
    test_rbook_free(&bk);
}

static void chart_sheet(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    const char *out = pathf(f, "ranking.xlsx");
    write_ok(f, out);
    const char *chart = "xl/charts/chart1.xml";
    assert_part_has(out, chart, "<c:barChart><c:barDir val=\"bar\"/>");
    assert_part_has(out, chart, "乡镇考核得分");
    assert_part_has(out, chart, "单位");
    assert_part_has(out, chart, "得分");
    /* The five ranked units (rows 4..8), not the vetoed one. */
    assert_part_has(out, chart, "<c:f>'乡镇'!$B$4:$B$8</c:f>");
    assert_part_has(out, chart, "<c:f>'乡镇'!$F$4:$F$8</c:f>");
    assert_part_has(out, chart, "<c:max val=\"10\"/>");
    /* The chart's own copy of the totals (for viewers that do not
     * calculate) holds the computed totals, not zeros. */
    assert_part_has(out, chart, "<c:ptCount val=\"5\"/><c:pt idx=\"0\"><c:v>10</c:v></c:pt>"
                                "<c:pt idx=\"1\"><c:v>9</c:v></c:pt><c:pt idx=\"2\"><c:v>9</c:v>"
                                "</c:pt><c:pt idx=\"3\"><c:v>8.5</c:v></c:pt><c:pt idx=\"4\">"
                                "<c:v>6</c:v></c:pt></c:numCache>");
    /* And its copy of the unit names, filled by the writer itself (the
     * ranking sheet is written in constant-memory mode, which libxlsxwriter
     * cannot read back). */
    assert_part_has(out, chart, "<c:cat><c:strRef><c:f>'乡镇'!$B$4:$B$8</c:f><c:strCache>"
                                "<c:ptCount val=\"5\"/><c:pt idx=\"0\"><c:v>");
    assert_part_has(out, chart, "<c:pt idx=\"3\"><c:v>=1+2</c:v></c:pt>");
    /* The chart lives on the second sheet. */
    assert_part_has(out, "xl/worksheets/_rels/sheet2.xml.rels", "../drawings/drawing1.xml");
    /* The item headers carry the item's full text as a note. */
    assert_part_has(out, "xl/comments1.xml", "学习与部署");
    char *rels = test_zip_part(out, "xl/worksheets/_rels/sheet1.xml.rels");
    if (rels)
        assert_null(strstr(rels, "drawings/drawing"));
    free(rels);
}

static void detail_sheet(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    const char *out = pathf(f, "ranking.xlsx");
    write_ok(f, out);
    test_rbook bk;
    test_rbook_read(out, &bk);
    const test_rsheet *s = sheet(&bk, "扣分明细");
    /* A title row (no district or year in the fixture's rubric), then the
     * header. */
    assert_cell_type(s, "A1", KH_CELL_STRING, "安全生产工作考核扣分明细");
    static const char *const head[] = {"被考核单位", "单位类别", "考核项目", "检查点", "检查要点",
                                       "扣分", "扣分说明", "备注", "来源（文件:工作表!单元格）"};
    for (uint32_t c = 0; c < KH_ARRAY_LEN(head); c++) {
        char ref[KH_CELLREF_BUFSZ];
        assert_cell_type(s, kh_cell_ref(1, c, ref), KH_CELL_STRING, head[c]);
    }
    /* In ranking order: 乙 (1.1, 1.2), 甲 (2.1, 2.2), =1+2 (1.2, 3.1),
     * 戊 (3.1, capped), 丁 (3.3 veto). 丙 lost nothing. */
    static const struct { const char *unit, *item, *cp, *label, *ded, *why, *remark; } rows[] = {
        /* The engine's phrase of each check point, as in the reasons. */
        {"乙", "1", "1.1", "学习记录", "0.5", "缺学习记录，扣0.5分", NULL},
        {"乙", "1", "1.2", "签到单", "0.5", "缺签到单，扣0.5分", NULL},
        {"甲", "2", "2.1", "检查次数", "0.8", "检查少2次（应不少于2次），扣0.8分",
         "=HYPERLINK(\"http://x\",\"点我\")"},
        {"甲", "2", "2.2", "未参会次数", "0.2", "未参会1次，扣0.2分", NULL},
        {"=1+2", "1", "1.2", "签到单", "0.5", "缺签到单，扣0.5分", "@cmd"},
        {"=1+2", "3", "3.1", "一般事故起数", "1", "发生一般事故1起，扣1分", "一般事故1起"},
        {"戊", "3", "3.1", "一般事故起数", "4", "发生一般事故6起，扣4分（最高扣4分）", NULL},
        {"丁", "3", "3.3", "重大事故起数", "5", "发生重大事故1起，扣5分，一票否决", "发生重大事故"},
    };
    for (uint32_t i = 0; i < KH_ARRAY_LEN(rows); i++) {
        char ref[KH_CELLREF_BUFSZ];
        uint32_t r = 2 + i;
        assert_cell_type(s, kh_cell_ref(r, 0, ref), KH_CELL_STRING, rows[i].unit);
        assert_cell_type(s, kh_cell_ref(r, 1, ref), KH_CELL_STRING, "乡镇");
        assert_cell_type(s, kh_cell_ref(r, 2, ref), KH_CELL_STRING, rows[i].item);
        assert_cell_type(s, kh_cell_ref(r, 3, ref), KH_CELL_STRING, rows[i].cp);
        assert_cell_type(s, kh_cell_ref(r, 4, ref), KH_CELL_STRING, rows[i].label);
        assert_cell_type(s, kh_cell_ref(r, 5, ref), KH_CELL_NUMBER, rows[i].ded);
        assert_cell_type(s, kh_cell_ref(r, 6, ref), KH_CELL_STRING, rows[i].why);
        if (rows[i].remark)
            assert_cell_type(s, kh_cell_ref(r, 7, ref), KH_CELL_STRING, rows[i].remark);
        else
            assert_empty(s, kh_cell_ref(r, 7, ref));
        const test_rcell *w = test_cell_at(s, kh_cell_ref(r, 8, ref));
        assert_non_null(w);
        /* "DIR/n-unit.csv!G7": the source and the result cell (CSV: no sheet). */
        assert_non_null(strstr(w->text, ".csv!C"));
        assert_int_equal(strncmp(w->text, f->dir, strlen(f->dir)), 0);
    }
    /* 1.1 of 乙 is the first table row after the header on line 4: C5. */
    const test_rcell *w = test_cell_at(s, "I3");
    assert_string_equal(w->text, pathf(f, "2-乙.csv!C5"));
    assert_empty(s, "A11");
    /* Remarks that look like formulas stay text. */
    char *x = test_zip_part(out, "xl/worksheets/sheet3.xml");
    assert_null(strstr(x, "<f>"));
    free(x);
    test_rbook_free(&bk);
}

static void rejected_sheet(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    const char *out = pathf(f, "ranking.xlsx");
    write_ok(f, out);
    test_rbook bk;
    test_rbook_read(out, &bk);
    const test_rsheet *s = sheet(&bk, "未通过的文件");
    assert_cell_type(s, "A1", KH_CELL_STRING, "安全生产工作考核未通过的检查表（未计入排名）");
    assert_cell_type(s, "A2", KH_CELL_STRING, "文件");
    assert_cell_type(s, "B2", KH_CELL_STRING, "工作表");
    assert_cell_type(s, "C2", KH_CELL_STRING, "单元格");
    assert_cell_type(s, "D2", KH_CELL_STRING, "问题及修改方法");
    /* One row per message of the rejected file, each naming it. */
    const kh_diags *e = kh_batch_errors(f->b);
    assert_true(e->n >= 2);
    for (uint32_t i = 0; i < e->n; i++) {
        char ref[KH_CELLREF_BUFSZ];
        assert_cell_type(s, kh_cell_ref(2 + i, 0, ref), KH_CELL_STRING, pathf(f, "7-bad.csv"));
        assert_empty(s, kh_cell_ref(2 + i, 1, ref));
        if (e->v[i].cell)
            assert_cell_type(s, kh_cell_ref(2 + i, 2, ref), KH_CELL_STRING, e->v[i].cell);
        assert_cell_type(s, kh_cell_ref(2 + i, 3, ref), KH_CELL_STRING, e->v[i].msg_zh);
    }
    /* Chinese whatever the locale (the tests run in the C locale), the
     * reason handed to the message (how to write 有/无) translated too. */
    const test_rcell *d2 = test_cell_at(s, "D3");
    assert_non_null(d2);
    assert_non_null(strstr(d2->text, "检查结果“也许”（检查点 1.1 "));
    assert_non_null(strstr(d2->text, "）不是“有”或“无”：有该项资料填“有”，没有填“无”"));
    char ref[KH_CELLREF_BUFSZ];
    assert_null(test_cell_at(s, kh_cell_ref(2 + (uint32_t)e->n, 0, ref)));
    test_rbook_free(&bk);
}

/* Nothing rejected: the sheet is there and says so; no deductions: so
 * does 扣分明细. */
static void empty_lists(void **state)
{
    test_fx *f = *state;
    load_rubric(f, "rubric.csv", "test-town", "乡镇");
    write_checklist(f, "a.csv", "test-town", "甲", PERFECT, NULL);
    test_fx_add(f, "a.csv");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    const char *out = pathf(f, "ranking.xlsx");
    write_ok(f, out);
    test_rbook bk;
    test_rbook_read(out, &bk);
    assert_cell_type(sheet(&bk, "未通过的文件"), "A3", KH_CELL_STRING, "无（全部文件已计分）");
    assert_cell_type(sheet(&bk, "扣分明细"), "A3", KH_CELL_STRING, "无（没有扣分的检查点）");
    assert_cell_type(sheet(&bk, "乡镇"), "A4", KH_CELL_NUMBER, "1");
    test_rbook_free(&bk);
}

/* The three states of a roster unit (issue 22): 丙 scored; 乙 sent a
 * checklist with a result nobody can read and 甲 the form of another
 * rubric (both 已提交未通过, their rejections naming unit and rubric); 丁
 * sent nothing (未提交).  The ranking lists both parts under the table and
 * carries kaohe's mark, by which a later run skips it. */
static void roster_three_states(void **state)
{
    test_fx *f = *state;
    load_rubric(f, "rubric.csv", "test-town", "乡镇");
    load_rubric(f, "dept.csv", "test-dept", "部门");
    test_write_file(pathf(f, "roster.csv"),
                    "序号,被考核单位,单位类型\n1,丙,乡镇\n2,乙,乡镇\n3,丁,乡镇\n4,甲,部门\n");
    kh_roster *ro = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_roster_load(pathf(f, "roster.csv"), f->reg, &ro, &d), KH_OK);
    const char *bad[7] = {"也许", "有", "2", "0", "0", "0", "0"};
    assert_int_equal(mkdir(pathf(f, "in"), 0700), 0);
    write_checklist(f, "in/丙.csv", "test-town", "丙", PERFECT, NULL);
    write_checklist(f, "in/乙.csv", "test-town", "乙", bad, NULL);
    write_checklist(f, "in/甲.csv", "test-town", "甲", PERFECT, NULL);
    f->b = kh_batch_new(f->reg, NULL);
    assert_non_null(f->b);
    kh_batch_set_roster(f->b, ro);
    test_fx_add(f, "in");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    const kh_batch *b = f->b;
    assert_int_equal(kh_batch_unit_count(b), 1);
    assert_int_equal(kh_batch_failed_count(b), 2);
    assert_int_equal(kh_batch_failed_at(b, 0), 1);   /* 乙 */
    assert_int_equal(kh_batch_failed_at(b, 1), 3);   /* 甲 */
    assert_int_equal(kh_batch_missing_count(b), 1);
    assert_int_equal(kh_batch_missing_at(b, 0), 2);  /* 丁 */
    assert_int_equal(b->nrejected, 2);
    /* In input order: 乙.csv, then 甲.csv (names sort by code point). */
    const kh_rejected *r0 = &b->rejected[0], *r1 = &b->rejected[1];
    assert_string_equal(r0->unit, "乙");
    assert_string_equal(r0->rubric->id, "test-town");
    assert_string_equal(r1->unit, "甲");
    assert_string_equal(r1->rubric->id, "test-town");
    assert_true(kh_rejected_of(b, r1, 3) && !kh_rejected_of(b, r1, 1));
    char want[512];
    snprintf(want, sizeof want, "%s/in/甲.csv: 甲 is a 部门 on the roster: fill in the 部门 "
             "checklist (test-dept)", f->dir);
    assert_diag(&b->errors, r1->first, want);
    const char *out = pathf(f, "ranking.xlsx");
    write_ok(f, out);
    test_rbook bk;
    test_rbook_read(out, &bk);
    const test_rsheet *town = sheet(&bk, "乡镇");
    assert_cell_type(town, "A6", KH_CELL_STRING, "已提交但未通过的单位（未计入排名）");
    assert_cell_type(town, "B7", KH_CELL_STRING, "乙");
    assert_cell_type(town, "C7", KH_CELL_STRING,
                     "检查结果“也许”（检查点 1.1 学习记录）不是“有”或“无”：有该项资料填“有”，没有填“无”");
    assert_cell_type(town, "G7", KH_CELL_STRING, "已提交未通过");
    snprintf(want, sizeof want, "%s/in/乙.csv", f->dir);
    assert_cell_type(town, "H7", KH_CELL_STRING, want);
    assert_cell_type(town, "A9", KH_CELL_STRING, "未提交检查表的单位（未计入排名）");
    assert_cell_type(town, "B10", KH_CELL_STRING, "丁");
    assert_cell_type(town, "G10", KH_CELL_STRING, "未提交");
    test_rbook_free(&bk);
    char *custom = test_zip_part(out, "docProps/custom.xml");
    assert_non_null(custom);
    assert_non_null(strstr(custom, "name=\"kaohe\"><vt:lpwstr>ranking</vt:lpwstr>"));
    free(custom);
    kh_diags_clear(&d);
    kh_batch_free(f->b);
    f->b = NULL;
    kh_roster_free(ro);
}

/* Every input rejected: a workbook still, saying there is nothing to rank. */
static void nothing_scored(void **state)
{
    test_fx *f = *state;
    load_rubric(f, "rubric.csv", "test-town", "乡镇");
    test_write_file(pathf(f, "bad.csv"),
                    "考核细则,nope\n被考核单位,坏\n\n检查点,检查结果\n1.1,有\n");
    test_fx_add(f, "bad.csv");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    const char *out = pathf(f, "ranking.xlsx");
    write_ok(f, out);
    test_rbook bk;
    test_rbook_read(out, &bk);
    assert_int_equal(bk.n, 6);
    assert_string_equal(bk.s[0].name, "排名");
    /* No unit in the ranking: 问题汇总 says so. */
    assert_cell_type(sheet(&bk, "问题汇总"), "A4", KH_CELL_STRING, "没有计入排名的单位。");
    assert_non_null(strstr(test_cell_at(&bk.s[0], "A1")->text, "未通过的文件"));
    assert_cell_type(sheet(&bk, "未通过的文件"), "A3", KH_CELL_STRING, pathf(f, "bad.csv"));
    test_rbook_free(&bk);
}

/* Two rubrics with the same unit_type, and one whose unit_type is the
 * name of a fixed sheet: every sheet gets its own name; an all-vetoed
 * rubric gets no chart. */
static void sheet_names(void **state)
{
    test_fx *f = *state;
    load_rubric(f, "r1.csv", "r-one", "乡镇");
    load_rubric(f, "r2.csv", "r-two", "乡镇");
    load_rubric(f, "r3.csv", "r-three", "扣分明细");
    const char *veto[7] = {"有", "有", "2", "0", "0", "0", "2"};
    write_checklist(f, "a.csv", "r-one", "甲", PERFECT, NULL);
    write_checklist(f, "b.csv", "r-two", "乙", PERFECT, NULL);
    write_checklist(f, "c.csv", "r-three", "丙", veto, NULL);
    test_fx_add(f, "a.csv");
    test_fx_add(f, "b.csv");
    test_fx_add(f, "c.csv");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    const char *out = pathf(f, "ranking.xlsx");
    write_ok(f, out);
    test_rbook bk;
    test_rbook_read(out, &bk);
    static const char *const names[] = {"乡镇", "乡镇得分图", "乡镇 (2)", "乡镇得分图 (2)",
                                        "扣分明细 (2)", "扣分明细得分图", "扣分明细", "问题汇总",
                                        "问题汇总图", "未通过的文件", "来源"};
    assert_int_equal(bk.n, KH_ARRAY_LEN(names));
    for (size_t i = 0; i < KH_ARRAY_LEN(names); i++)
        assert_string_equal(bk.s[i].name, names[i]);
    assert_cell_type(sheet(&bk, "乡镇 (2)"), "B4", KH_CELL_STRING, "乙");
    assert_cell_type(sheet(&bk, "扣分明细 (2)"), "G4", KH_CELL_STRING, "一票否决");
    assert_empty(sheet(&bk, "扣分明细 (2)"), "A4");
    /* Two charts for the two rubrics with ranked units, none for the third. */
    char *c2 = test_zip_part(out, "xl/charts/chart2.xml");
    assert_non_null(c2);
    assert_non_null(strstr(c2, "<c:f>'乡镇 (2)'!$B$4</c:f>"));
    free(c2);
    /* The third is 问题汇总图's (丙's veto is a check point lost). */
    char *c3 = test_zip_part(out, "xl/charts/chart3.xml");
    assert_non_null(c3);
    assert_non_null(strstr(c3, "<c:f>'问题汇总图'!$C$3</c:f>"));
    free(c3);
    assert_null(test_zip_part(out, "xl/charts/chart4.xml"));
    assert_cell_type(sheet(&bk, "扣分明细得分图"), "A1", KH_CELL_STRING,
                "扣分明细考核得分：所有单位均一票否决，没有可排名的得分（见“扣分明细 (2)”表）。");
    test_rbook_free(&bk);
}

/* A rubric whose title names its district and year, with an issuer. */
static void load_titled_rubric(test_fx *f, const char *issuer)
{
    kh_buf b = {0};
    kh_buf_puts(&b, "id,test-town\n"
                    "title,临桂区2020年度测试考核细则（乡镇）\n"
                    "unit_type,乡镇\n"
                    "total,10\n"
                    "year,2020\n");
    if (issuer)
        kh_buf_printf(&b, "issuer,%s\n", issuer);
    kh_buf_puts(&b, "item,points,content,check,label,kind,need,per,cap,hint\n"
                    "1,3,学习与部署,1.1,学习记录,has,,0.5,,\n"
                    "1,,,1.2,签到单,has,,0.5,,\n"
                    "2,2,会议与检查,2.1,检查次数,count,2,0.4,,\n"
                    "2,,,2.2,未参会次数,each,,0.2,,\n"
                    "3,5,事故控制,3.1,一般事故起数,each,,1,4,\n"
                    "3,,,3.2,较大事故起数,any,,,,\n"
                    "3,,,3.3,重大事故起数,veto,,,,\n");
    test_write_file(pathf(f, "rubric.csv"), kh_buf_str(&b));
    kh_buf_free(&b);
    kh_diags d = {0};
    if (kh_registry_load_file(f->reg, pathf(f, "rubric.csv"), &d) != KH_OK) {
        test_print_diags(&d);
        fail_msg("the titled rubric does not load");
    }
}

/* Two checklists (甲 perfect, 乙 missing 1.1) scored with options o, the
 * ranking written to out and read back into bk. */
static void titled_book(test_fx *f, const kh_options *o, const char *out, test_rbook *bk)
{
    f->b = kh_batch_new(f->reg, o);
    assert_non_null(f->b);
    const char *yi[7] = {"无", "有", "2", "0", "0", "0", "0"};
    write_checklist(f, "a.csv", "test-town", "甲", PERFECT, NULL);
    write_checklist(f, "b.csv", "test-town", "乙", yi, NULL);
    test_fx_add(f, "a.csv");
    test_fx_add(f, "b.csv");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    write_ok(f, out);
    test_rbook_read(out, bk);
}

/* Ready to seal: the title carries the district and year of the rubric's
 * title; 制表单位 is the rubric's issuer; every printed sheet has a title
 * row and print titles (its header row repeated on every page). */
static void titles_and_issuer(void **state)
{
    test_fx *f = *state;
    load_titled_rubric(f, "临桂区安全生产委员会办公室");
    const char *out = pathf(f, "ranking.xlsx");
    test_rbook bk;
    titled_book(f, &(kh_options){.provenance = true}, out, &bk);
    const test_rsheet *s = sheet(&bk, "乡镇");
    assert_cell_type(s, "A1", KH_CELL_STRING, "临桂区2020年度乡镇安全生产工作考核排名");
    /* Two units (rows 4-5): the note on row 7, the signatures on row 9. */
    const test_rcell *sign = test_cell_at(s, "A9");
    assert_non_null(sign);
    assert_true(strncmp(sign->text, "制表单位：临桂区安全生产委员会办公室 ",
                        strlen("制表单位：临桂区安全生产委员会办公室 ")) == 0);
    assert_non_null(strstr(sign->text, "制表日期："));
    assert_non_null(strstr(sign->text, "审核人："));
    assert_cell_type(sheet(&bk, "扣分明细"), "A1", KH_CELL_STRING,
                     "临桂区2020年度安全生产工作考核扣分明细");
    assert_cell_type(sheet(&bk, "扣分明细"), "A2", KH_CELL_STRING, "被考核单位");
    assert_cell_type(sheet(&bk, "扣分明细"), "A3", KH_CELL_STRING, "乙");
    assert_cell_type(sheet(&bk, "未通过的文件"), "A1", KH_CELL_STRING,
                     "临桂区2020年度安全生产工作考核未通过的检查表（未计入排名）");
    assert_cell_type(sheet(&bk, "来源"), "A1", KH_CELL_STRING,
                     "临桂区2020年度安全生产工作考核排名表来源");
    assert_cell_type(sheet(&bk, "来源"), "A3", KH_CELL_STRING, "类别");
    assert_cell_type(sheet(&bk, "来源"), "A4", KH_CELL_STRING, "考核细则（乡镇）");
    /* Print titles: the header row of each sheet. */
    char *wb = test_zip_part(out, "xl/workbook.xml");
    assert_non_null(wb);
    assert_non_null(strstr(wb, "'乡镇'!$3:$3</definedName>"));
    assert_non_null(strstr(wb, "'扣分明细'!$2:$2</definedName>"));
    assert_non_null(strstr(wb, "'未通过的文件'!$2:$2</definedName>"));
    assert_non_null(strstr(wb, "'来源'!$3:$3</definedName>"));
    free(wb);
    /* Every sheet on A4 (paperSize 9) with page numbers in the footer. */
    for (int i = 1; i <= 7; i++) { /* 乡镇, its chart, 扣分明细, 问题汇总(图), 未通过的文件, 来源 */
        char part[64];
        snprintf(part, sizeof part, "xl/worksheets/sheet%d.xml", i);
        assert_part_has(out, part, "paperSize=\"9\"");
        if (i != 2) /* the chart sheet's footer: its own */
            assert_part_has(out, part, "<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>");
    }
    test_rbook_free(&bk);
}

/* kh_options.issuer (kaohe rank --issuer, the page's setting) wins over
 * the rubric's; with neither, a line to fill in by hand. */
static void issuer_option_and_blank(void **state)
{
    test_fx *f = *state;
    load_titled_rubric(f, "临桂区安全生产委员会办公室");
    const char *out = pathf(f, "ranking.xlsx");
    test_rbook bk;
    char issuer[] = "临桂区应急管理局";
    titled_book(f, &(kh_options){.issuer = issuer}, out, &bk);
    issuer[0] = 'X'; /* the batch keeps its own copy */
    test_rbook_free(&bk);
    test_rbook_read(out, &bk);
    const test_rcell *sign = test_cell_at(sheet(&bk, "乡镇"), "A9");
    assert_non_null(sign);
    assert_true(strncmp(sign->text, "制表单位：临桂区应急管理局 ",
                        strlen("制表单位：临桂区应急管理局 ")) == 0);
    test_rbook_free(&bk);
    /* The same after the batch is made again: the copy, not the caller's. */
    write_ok(f, out);
    test_rbook_read(out, &bk);
    sign = test_cell_at(sheet(&bk, "乡镇"), "A9");
    assert_true(strncmp(sign->text, "制表单位：临桂区应急管理局 ",
                        strlen("制表单位：临桂区应急管理局 ")) == 0);
    test_rbook_free(&bk);
}

static void issuer_blank_line(void **state)
{
    test_fx *f = *state;
    load_titled_rubric(f, NULL);
    const char *out = pathf(f, "ranking.xlsx");
    test_rbook bk;
    titled_book(f, NULL, out, &bk);
    const test_rcell *sign = test_cell_at(sheet(&bk, "乡镇"), "A9");
    assert_non_null(sign);
    assert_true(strncmp(sign->text, "制表单位：＿＿＿＿", strlen("制表单位：＿＿＿＿")) == 0);
    test_rbook_free(&bk);
}

/* 来源: times in the machine's zone with the zone named; long paths wrap
 * (the row grows) instead of being cut. */
static void sources_local_time(void **state)
{
    test_fx *f = *state;
    load_titled_rubric(f, NULL);
    /* 2020-12-05 06:03:11 UTC: the run's time and the inputs' mtime. */
    setenv("SOURCE_DATE_EPOCH", "1607148191", 1);
    const char *out = pathf(f, "ranking.xlsx");
    test_rbook bk;
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    f->b = kh_batch_new(f->reg, &(kh_options){.provenance = true});
    const char *yi[7] = {"无", "有", "2", "0", "0", "0", "0"};
    char longname[300];
    snprintf(longname, sizeof longname, "%s", "一个很长很长的文件夹名称用来检查来源表中的路径会换行而不是被截断");
    assert_int_equal(mkdir(pathf(f, longname), 0700), 0);
    char file[400];
    snprintf(file, sizeof file, "%s/乙镇的安全生产工作考核检查表（已填写）.csv", longname);
    write_checklist(f, "a.csv", "test-town", "甲", PERFECT, NULL);
    write_checklist(f, file, "test-town", "乙", yi, NULL);
    struct timespec ts[2] = {{1607148191, 0}, {1607148191, 0}};
    assert_int_equal(utimensat(AT_FDCWD, pathf(f, "a.csv"), ts, 0), 0);
    test_fx_add(f, "a.csv");
    test_fx_add(f, file);
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    write_ok(f, out);
    test_rbook_read(out, &bk);
    const test_rsheet *s = sheet(&bk, "来源");
    assert_non_null(strstr(test_cell_at(s, "A2")->text,
                           "于 2020-12-05 14:03:11（北京时间 UTC+8） 生成"));
    assert_cell_type(s, "E3", KH_CELL_STRING, "修改时间");
    /* Row 5: a.csv (row 4 is the rubric). */
    assert_cell_type(s, "B5", KH_CELL_STRING, pathf(f, "a.csv"));
    assert_cell_type(s, "E5", KH_CELL_STRING, "2020-12-05 14:03:11（北京时间 UTC+8）");
    test_rbook_free(&bk);
    /* The long path: whole in its cell, its row two lines tall or more. */
    assert_part_has(out, "xl/worksheets/sheet7.xml", "<row r=\"6\" ht=\""); /* 来源 */
    char *x = test_zip_part(out, "xl/worksheets/sheet7.xml");
    const char *r6 = strstr(x, "<row r=\"6\" ht=\"");
    assert_true(strtod(r6 + strlen("<row r=\"6\" ht=\""), NULL) >= 34);
    free(x);

    /* Another zone: named, with its offset. */
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    write_ok(f, out);
    test_rbook_read(out, &bk);
    assert_cell_type(sheet(&bk, "来源"), "E5", KH_CELL_STRING,
                     "2020-12-05 07:03:11（Europe/Berlin UTC+1）");
    test_rbook_free(&bk);
    setenv("TZ", "UTC", 1);
    tzset();
    write_ok(f, out);
    test_rbook_read(out, &bk);
    assert_cell_type(sheet(&bk, "来源"), "E5", KH_CELL_STRING, "2020-12-05 06:03:11（UTC）");
    test_rbook_free(&bk);
    unsetenv("TZ");
    tzset();
    unsetenv("SOURCE_DATE_EPOCH");
}

/* Refusals: an input as output, a name that is no .xlsx, a missing folder.
 * Nothing is written or left behind, and an old output survives a refusal. */
static void refusals(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    const char *in = pathf(f, "1-丙.csv");
    size_t before_len;
    char *before = test_slurp(in, &before_len);
    kh_diags d = {0};

    assert_int_equal(kh_write_ranking(f->b, in, &d), KH_ERR_USAGE);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].file, in);
    /* Another spelling of the same input is refused too. */
    char other[600];
    snprintf(other, sizeof other, "%s/./1-丙.csv", f->dir);
    assert_int_equal(kh_write_ranking(f->b, other, &d), KH_ERR_USAGE);
    size_t after_len;
    char *after = test_slurp(in, &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(after);
    free(before);

    /* An input that happens to be named .xlsx is refused as well. */
    const char *t = pathf(f, "t.xlsx");
    test_write_file(t, "not really a workbook");
    test_fx_add(f, "t.xlsx");
    assert_int_equal(kh_write_ranking(f->b, t, &d), KH_ERR_USAGE);
    char *kept = test_slurp(t, NULL);
    assert_string_equal(kept, "not really a workbook");
    free(kept);

    assert_int_equal(kh_write_ranking(f->b, pathf(f, "ranking.csv"), &d), KH_ERR_USAGE);
    assert_int_equal(access(pathf(f, "ranking.csv"), F_OK), -1);
    assert_int_equal(kh_write_ranking(f->b, pathf(f, "no/such/ranking.xlsx"), &d), KH_ERR_IO);
    assert_int_equal(kh_write_ranking(f->b, "", &d), KH_ERR_USAGE);
    assert_int_equal(d.n, 6);
    for (size_t i = 0; i < d.n; i++)
        assert_int_equal(d.v[i].severity, KH_ERROR);
    assert_int_equal(test_count_tmp(f->dir), 0);
    kh_diags_clear(&d);
}

/* Regression: an input read after kh_batch_finish was appended to the
 * identities finish had sorted, and the binary search missed it when its
 * inode fell out of order (refusals failed one run in twenty).  Every one
 * of 24 late inputs must still be refused as the output. */
static void late_inputs_refused(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    char name[32];
    for (int i = 0; i < 24; i++) {
        snprintf(name, sizeof name, "late-%02d.xlsx", i);
        test_write_file(pathf(f, name), "not really a workbook");
    }
    /* Read in the reverse of their creation: inodes usually grow with it,
     * so the late identities are out of order. */
    for (int i = 23; i >= 0; i--) {
        snprintf(name, sizeof name, "late-%02d.xlsx", i);
        test_fx_add(f, name);
    }
    for (int i = 0; i < 24; i++) {
        kh_diags d = {0};
        snprintf(name, sizeof name, "late-%02d.xlsx", i);
        if (kh_write_ranking(f->b, pathf(f, name), &d) != KH_ERR_USAGE)
            fail_msg("%s, read after kh_batch_finish, was not refused as the output", name);
        kh_diags_clear(&d);
        char *kept = test_slurp(pathf(f, name), NULL);
        assert_string_equal(kept, "not really a workbook");
        free(kept);
    }
}

/* An existing output is replaced whole; the name is taken over. */
static void replaces_old_output(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    const char *out = pathf(f, "ranking.xlsx");
    test_write_file(out, "old");
    write_ok(f, out);
    char *p = test_zip_part(out, "xl/workbook.xml");
    assert_non_null(p);
    free(p);
}

/* Allocation failures: fail the Nth allocation of kaohe's allocator for
 * N = 0, 1, ... until the write succeeds.  Each failure must be a clean
 * KH_ERR_NOMEM (or an I/O error from the temporary name that could not be
 * made) with the old output untouched, no temporary file left, and no
 * leak. */
static void allocation_failures(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    const char *out = pathf(f, "ranking.xlsx");
    test_write_file(out, "old");
    kh_status st = KH_ERR_NOMEM;
    long n;
    for (n = 0; n < 100000 && st != KH_OK; n++) {
        kh_diags d = {0};
        test_alloc_start(n);
        st = kh_write_ranking(f->b, out, &d);
        kh_diags_clear(&d);
        kh_set_allocator(NULL);
        if (test_alloc.live != 0)
            fail_msg("allocation %ld failing leaks %ld blocks", n, test_alloc.live);
        if (st == KH_OK)
            break;
        if (st != KH_ERR_NOMEM && st != KH_ERR_IO)
            fail_msg("allocation %ld failing gives %s", n, kh_strerror(st));
        char *kept = test_slurp(out, NULL);
        if (strcmp(kept, "old") != 0)
            fail_msg("allocation %ld failing changed the old output", n);
        free(kept);
        assert_int_equal(test_count_tmp(f->dir), 0);
    }
    assert_int_equal(st, KH_OK);
    assert_true(n > 10);
    char *p = test_zip_part(out, "xl/workbook.xml");
    assert_non_null(p);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ranking_sheet, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(chart_sheet, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(detail_sheet, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(rejected_sheet, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(empty_lists, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(nothing_scored, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(roster_three_states, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(sheet_names, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(titles_and_issuer, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(issuer_option_and_blank, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(issuer_blank_line, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(sources_local_time, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(refusals, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(late_inputs_refused, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(replaces_old_output, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(allocation_failures, fx_setup, test_fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
