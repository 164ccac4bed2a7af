/* test_scoresheet_out.c - completed scoresheets: one file per unit laid
 * out as the official form (title, fields, 序号 督查内容 标准分 扣分原因
 * 得分情况, 合计总得分 as a SUM with its value stored), a vetoed unit
 * saying 一票否决, the CSV twin (BOM, CRLF, neutralised text), file names
 * from unit names (safe, unique), refusal to replace an input, atomic
 * replacement, one failing unit not stopping the others, allocation
 * failures.  Checklists are CSV files for the shipped 2020 rubrics, read by
 * the real pipeline; outputs are read back with kaohe's own readers. */
#include "testutil.h"
#include "batch.h"
#include "csv_in.h"
#include "outfile.h"
#include "rubric.h"
#include "sheet.h"
#include "xlsx_in.h"
#include "xlsx_zip.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUBRICS "templates/rubrics"

static int fx_setup(void **state)
{
    test_fx *f = test_fx_new("kh_ss");
    if (!f)
        return -1;
    kh_diags d = {0};
    if (kh_registry_load_dir(f->reg, RUBRICS, &d) != KH_OK) {
        test_print_diags(&d);
        return -1;
    }
    kh_diags_clear(&d);
    mkdir(pathf(f, "in"), 0777);
    *state = f;
    return 0;
}

/* A result different from the perfect one, with an optional remark. */
typedef struct res {
    const char *id, *result, *remark;
} res;

/* A CSV checklist for rubric id: every check point perfect (有, the count
 * needed, 0) except those in over (terminated by a NULL id).  The unit
 * name is written as is (no neutralising: that is what is tested). */
static void write_checklist(test_fx *f, const char *file, const char *id, const char *unit,
                            const res *over)
{
    const kh_rubric *r = kh_registry_find(f->reg, id);
    assert_non_null(r);
    kh_buf b = {0};
    kh_buf_printf(&b, "考核细则,%s\n被考核单位,", id);
    test_csv_field(&b, unit);
    kh_buf_puts(&b, "\n考核年度,2020\n检查组,第一组\n检查日期,2020-12-05\n\n");
    kh_buf_puts(&b, "检查点,检查要点,检查结果,备注\n");
    for (size_t i = 0; i < r->ncps; i++) {
        const kh_checkpoint *cp = &r->cps[i];
        char perfect[32];
        if (cp->kind == KH_KIND_HAS)
            strcpy(perfect, "有");
        else
            snprintf(perfect, sizeof perfect, "%lld",
                     cp->kind == KH_KIND_COUNT ? (long long)cp->need : 0LL);
        const char *result = perfect, *remark = "";
        for (const res *o = over; o && o->id; o++)
            if (strcmp(o->id, cp->id) == 0) {
                result = o->result;
                remark = o->remark ? o->remark : "";
            }
        kh_buf_printf(&b, "%s,", cp->id);
        test_csv_field(&b, cp->label);
        kh_buf_printf(&b, ",%s,", result);
        test_csv_field(&b, remark);
        kh_buf_putc(&b, '\n');
    }
    test_write_file(pathf(f, file), kh_buf_str(&b));
    kh_buf_free(&b);
}

static void finish(test_fx *f, size_t nunits)
{
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    if (kh_batch_unit_count(f->b) != nunits)
        test_print_diags(kh_batch_errors(f->b));
    assert_int_equal(kh_batch_unit_count(f->b), nunits);
}

/* The standard batch:
 *   两江镇 (township) 38.3: 1.6 1.7 missing (1), 3.1 = 1 (0.2), remark on
 *          12.3 "横幅已拆除" with 12.3 missing (0.5)
 *   区应急管理局 (department) vetoed: 15.3 = 1 "发生重大事故", which also
 *          takes item 15's 0.4; 2.1 = 3 (0.06): 3 − 0.06 − 0.4 = 2.54 */
static void standard_batch(test_fx *f)
{
    const res town[] = {{"1.6", "无", NULL}, {"1.7", "无", NULL}, {"3.1", "1", NULL},
                        {"12.3", "无", "横幅已拆除"}, {NULL, NULL, NULL}};
    const res dept[] = {{"2.1", "3", NULL}, {"15.3", "1", "发生重大事故"}, {NULL, NULL, NULL}};
    write_checklist(f, "in/a.csv", "lingui-2020-township", "两江镇", town);
    write_checklist(f, "in/b.csv", "lingui-2020-department", "区应急管理局", dept);
    test_fx_add(f, "in/a.csv");
    test_fx_add(f, "in/b.csv");
    finish(f, 2);
}

/* ------------------------------------------------------------------ */
/* Reading outputs back. */

/* A scoresheet workbook: its one sheet (test_rsheet_free frees it). */
static void read_xlsx(const char *path, test_rsheet *s)
{
    test_rbook bk;
    test_rbook_read(path, &bk);
    assert_int_equal(bk.n, 1);
    *s = bk.s[0];
}

static void read_csv(const char *path, test_rsheet *s)
{
    kh_diags d = {0};
    kh_sheet *sh = NULL;
    kh_status st = kh_csv_read_file(path, &sh, &d);
    if (st != KH_OK)
        test_print_diags(&d);
    assert_int_equal(st, KH_OK);
    test_rsheet_copy(s, sh);
    kh_sheet_free(sh);
    kh_diags_clear(&d);
}

#define assert_num(s, ref, want)                                              \
    do {                                                                      \
        assert_cell((s), (ref), (want));                                      \
        assert_int_equal(test_cell_at((s), (ref))->type, KH_CELL_NUMBER);     \
    } while (0)

/* Names of the entries of dir (not . and ..), sorted, joined by "|". */
static char *list_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    char *names[256];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dp));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < 256)
            names[n++] = strdup(e->d_name);
    closedir(dp);
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            char *t = names[k];
            names[k] = names[k - 1];
            names[k - 1] = t;
        }
    kh_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        kh_buf_printf(&b, "%s%s", i ? "|" : "", names[i]);
        free(names[i]);
    }
    char *s = strdup(kh_buf_str(&b));
    kh_buf_free(&b);
    return s;
}

#define assert_dir(dir, want)                                                 \
    do {                                                                      \
        char *got_ = list_dir(dir);                                           \
        assert_string_equal(got_, (want));                                    \
        free(got_);                                                           \
    } while (0)

/* ------------------------------------------------------------------ */

static void township_xlsx(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    kh_diags d = {0};
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_XLSX, 1, &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_dir(pathf(f, "out"), "两江镇.xlsx|区应急管理局.xlsx");
    test_rsheet s;
    read_xlsx(pathf(f, "out/两江镇.xlsx"), &s);
    assert_string_equal(s.name, "两江镇");
    /* The title names the unit and the year; the rubric is the basis; the
     * result is on its own row for every unit, vetoed or not. */
    assert_cell(&s, "A1", "两江镇2020年度安全生产工作考核评分表");
    assert_cell(&s, "A2", "考核依据：临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（乡镇）");
    assert_cell(&s, "A3", "考核结果：合计得分38.3分（满分40分）");
    assert_cell(&s, "A4", "被考核单位：两江镇");
    assert_cell(&s, "C4", "考核年度：2020");
    assert_cell(&s, "A5", "检查组：第一组");
    assert_cell(&s, "C5", "检查日期：2020-12-05");
    static const char *const head[] = {"序号", "督查内容", "标准分", "扣分原因", "得分情况"};
    for (unsigned c = 0; c < 5; c++) {
        char ref[8];
        snprintf(ref, sizeof ref, "%c6", 'A' + c);
        assert_cell(&s, ref, head[c]);
    }
    /* Items on rows 7..23. */
    assert_num(&s, "A7", "1");
    assert_non_null(strstr(test_cell_at(&s, "B7")->text, "1、乡（镇）党委政府传达学习"));
    assert_num(&s, "C7", "3");
    assert_cell(&s, "D7", "缺图片、签到单，扣1分");
    assert_num(&s, "E7", "2");
    assert_cell(&s, "D9", "召开本辖区安全生产工作会议少1次（应不少于2次），扣0.2分");
    assert_num(&s, "E9", "1.8");
    assert_null(test_cell_at(&s, "D8"));
    assert_num(&s, "E8", "3");
    assert_cell(&s, "D18", "缺横幅，扣0.5分；备注：横幅已拆除");
    assert_num(&s, "E18", "2.5");
    assert_num(&s, "A23", "17");
    assert_num(&s, "E23", "5");
    /* 合计总得分: the rubric total and the stored value of the SUM. */
    assert_cell(&s, "A24", "合计总得分");
    assert_num(&s, "C24", "40");
    assert_cell(&s, "D24", "共扣1.7分");
    assert_num(&s, "E24", "38.3");
    /* Signatures below a blank row. */
    assert_cell(&s, "A26", "检查组成员签字：");
    assert_cell(&s, "C26", "被考核单位负责人签字：");
    assert_cell(&s, "A27", "日期：　　年　　月　　日");
    assert_cell(&s, "C27", "日期：　　年　　月　　日");
    /* Title, basis, result, 2 + 2 fields, header, 17 items of 4 cells and
     * 3 reasons, the 4 cells of the total row, 4 signature cells: nothing
     * else. */
    assert_int_equal(s.n, 3 + 4 + 5 + 17 * 4 + 3 + 4 + 4);
    test_rsheet_free(&s);

    char *xml = test_zip_part(pathf(f, "out/两江镇.xlsx"), "xl/worksheets/sheet1.xml");
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<f>SUM(E7:E23)</f><v>38.3</v>"));
    assert_non_null(strstr(xml, "paperSize=\"9\""));
    assert_non_null(strstr(xml, "<pageSetUpPr fitToPage=\"1\"/>"));
    assert_non_null(strstr(xml, "<mergeCell ref=\"A1:E1\"/>"));
    assert_non_null(strstr(xml, "<mergeCell ref=\"A24:B24\"/>"));
    assert_null(strstr(xml, "<sheetProtection"));
    free(xml);
    char *wb = test_zip_part(pathf(f, "out/两江镇.xlsx"), "xl/workbook.xml");
    assert_non_null(strstr(wb, "$6:$6"));
    free(wb);
    kh_diags_clear(&d);
}

static void vetoed_xlsx(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    kh_diags d = {0};
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_XLSX, 1, &d), KH_OK);
    test_rsheet s;
    read_xlsx(pathf(f, "out/区应急管理局.xlsx"), &s);
    /* The same rows as an ordinary unit's: the result line says 一票否决. */
    assert_cell(&s, "A1", "区应急管理局2020年度安全生产工作考核评分表");
    assert_cell(&s, "A2", "考核依据：临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（区直单位部门）");
    assert_cell(&s, "A3", "考核结果：一票否决（发生重大事故1起）");
    assert_cell(&s, "A4", "被考核单位：区应急管理局");
    assert_cell(&s, "A6", "序号");
    assert_num(&s, "C7", "0.2");
    assert_cell(&s, "D8", "未按要求参加安全生产工作会议3次，扣0.06分");
    assert_num(&s, "E8", "0.14");
    assert_cell(&s, "D21", "发生重大事故1起，扣0.4分，一票否决；备注：发生重大事故");
    assert_num(&s, "E21", "0");
    assert_cell(&s, "A22", "合计总得分");
    assert_num(&s, "C22", "3");
    assert_cell(&s, "D22", "一票否决");
    assert_num(&s, "E22", "2.54");
    assert_cell(&s, "A24", "检查组成员签字：");
    test_rsheet_free(&s);
    char *xml = test_zip_part(pathf(f, "out/区应急管理局.xlsx"), "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(xml, "<f>SUM(E7:E21)</f><v>2.54</v>"));
    free(xml);
    kh_diags_clear(&d);
}

static void csv_twin(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    kh_diags d = {0};
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_CSV, 1, &d), KH_OK);
    assert_dir(pathf(f, "out"), "两江镇.csv|区应急管理局.csv");
    size_t len;
    char *raw = test_slurp(pathf(f, "out/区应急管理局.csv"), &len);
    assert_memory_equal(raw, "\xEF\xBB\xBF", 3);
    for (size_t i = 0; i < len; i++)
        if (raw[i] == '\n')
            assert_true(i > 0 && raw[i - 1] == '\r');
    assert_non_null(strstr(raw, "\r\n\"考核结果\",\"一票否决（发生重大事故1起）\"\r\n"));
    assert_non_null(strstr(raw, "\r\n\"合计总得分\",\"\",\"3\",\"一票否决\",\"2.54\"\r\n"));
    free(raw);
    test_rsheet s;
    read_csv(pathf(f, "out/两江镇.csv"), &s);
    assert_cell(&s, "A2", "被考核单位");
    assert_cell(&s, "B2", "两江镇");
    /* The rubric by its title, not its id. */
    assert_cell(&s, "B3", "临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（乡镇）");
    assert_cell(&s, "B6", "2020-12-05");
    assert_cell(&s, "A8", "序号");
    assert_cell(&s, "E8", "得分情况");
    assert_cell(&s, "A9", "1");
    assert_cell(&s, "C9", "3");
    assert_cell(&s, "D9", "缺图片、签到单，扣1分");
    assert_cell(&s, "E9", "2");
    assert_cell(&s, "A26", "合计总得分");
    assert_cell(&s, "C26", "40");
    assert_cell(&s, "E26", "38.3");
    test_rsheet_free(&s);
    kh_diags_clear(&d);
}

/* Unit names that look like formulas: text in XLSX (sheet name and field),
 * neutralised in CSV, and in remarks too. */
static void formula_like_names(void **state)
{
    test_fx *f = *state;
    static const char *const names[] = {"=1+1", "@SUM(A1)", "-2", "\t制表"};
    const res rm[] = {{"1.1", "无", "=HYPERLINK(\"http://x\")"}, {NULL, NULL, NULL}};
    for (int i = 0; i < 4; i++) {
        char file[32];
        snprintf(file, sizeof file, "in/%d.csv", i);
        write_checklist(f, file, "lingui-2020-department", names[i], rm);
        test_fx_add(f, file);
    }
    finish(f, 4);
    assert_string_equal(f->b->units[3]->cl->unit, "制表"); /* the reader trims a tab */
    assert_string_equal(f->b->units[2]->cl->unit, "-2");
    kh_diags d = {0};
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_XLSX | KH_FMT_CSV, 1, &d),
                     KH_OK);
    test_rsheet s;
    read_xlsx(pathf(f, "out/=1+1.xlsx"), &s);
    assert_string_equal(s.name, "=1+1");
    assert_cell(&s, "A1", "=1+12020年度安全生产工作考核评分表");
    assert_cell(&s, "A4", "被考核单位：=1+1");
    assert_cell(&s, "D7", "缺学习记录，扣0.02分；备注：=HYPERLINK(\"http://x\")");
    test_rsheet_free(&s);
    char *xml = test_zip_part(pathf(f, "out/=1+1.xlsx"), "xl/worksheets/sheet1.xml");
    assert_int_equal(strstr(xml, "<f>") - xml, strstr(xml, "<f>SUM(") - xml); /* the only one */
    free(xml);
    for (int i = 0; i < 3; i++) {
        char p[64];
        snprintf(p, sizeof p, "out/%s.csv", i == 0 ? "=1+1" : i == 1 ? "@SUM(A1)" : "-2");
        char *raw = test_slurp(pathf(f, p), NULL);
        char want[64];
        snprintf(want, sizeof want, "\"被考核单位\",\"'%s\"\r\n", names[i]);
        assert_non_null(strstr(raw, want));
        free(raw);
        snprintf(p, sizeof p, "out/%s.xlsx", i == 0 ? "=1+1" : i == 1 ? "@SUM(A1)" : "-2");
        read_xlsx(pathf(f, p), &s);
        snprintf(want, sizeof want, "被考核单位：%s", names[i]);
        assert_cell(&s, "A4", want);
        test_rsheet_free(&s);
    }
    kh_diags_clear(&d);
}

/* Path-like unit names become safe file names inside the folder. */
static void path_like_names(void **state)
{
    test_fx *f = *state;
    static const char *const names[] = {"../../etc/x", "a/b",     "CON",
                                        "..",          "a\\b:c", ".hidden",
                                        "两江\n镇\x01x"};
    for (int i = 0; i < 7; i++) {
        char file[32];
        snprintf(file, sizeof file, "in/%d.csv", i);
        write_checklist(f, file, "lingui-2020-township", names[i], NULL);
        test_fx_add(f, file);
    }
    finish(f, 7);
    kh_diags d = {0};
    mkdir(pathf(f, "deep"), 0777);
    mkdir(pathf(f, "deep/er"), 0777);
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "deep/er/out"), KH_FMT_XLSX, 1, &d), KH_OK);
    assert_dir(pathf(f, "deep/er/out"),
               "CON_.xlsx|_.._etc_x.xlsx|a_b.xlsx|a_b_c.xlsx|hidden.xlsx|unit.xlsx|"
               "两江 镇 x.xlsx"); /* the name is cleaned when read: controls as spaces */
    assert_dir(pathf(f, "deep/er"), "out");
    assert_dir(pathf(f, "deep"), "er");
    test_rsheet s;
    read_xlsx(pathf(f, "deep/er/out/_.._etc_x.xlsx"), &s);
    assert_cell(&s, "A4", "被考核单位：../../etc/x");
    test_rsheet_free(&s);
    /* Control characters: a readable workbook (none in the sheet name, an
     * XML attribute), the name kept in the cell. */
    read_xlsx(pathf(f, "deep/er/out/两江 镇 x.xlsx"), &s);
    assert_string_equal(s.name, "两江 镇 x");
    test_rsheet_free(&s);
    kh_diags_clear(&d);
}

/* Two units that make the same file name: the unit type is added; still
 * the same (a second rubric of the same unit type), then "(2)". */
static void same_file_names(void **state)
{
    test_fx *f = *state;
    /* A copy of the township rubric under another id, same unit type. */
    char *text = test_slurp(RUBRICS "/lingui-2020-township.csv", NULL);
    char *id = strstr(text, "lingui-2020-township");
    assert_non_null(id);
    memcpy(id, "lingui-2020-townshiq", strlen("lingui-2020-townshiq"));
    test_write_file(pathf(f, "copy.csv"), text);
    free(text);
    kh_diags d = {0};
    assert_int_equal(kh_registry_load_file(f->reg, pathf(f, "copy.csv"), &d), KH_OK);
    write_checklist(f, "in/1.csv", "lingui-2020-township", "城区", NULL);
    write_checklist(f, "in/2.csv", "lingui-2020-department", "城区", NULL);
    write_checklist(f, "in/3.csv", "lingui-2020-townshiq", "城区", NULL);
    write_checklist(f, "in/4.csv", "lingui-2020-township", "Abc", NULL);
    write_checklist(f, "in/5.csv", "lingui-2020-department", "ABC", NULL);
    write_checklist(f, "in/6.csv", "lingui-2020-township", "两江镇", NULL);
    for (int i = 1; i <= 6; i++) {
        char file[32];
        snprintf(file, sizeof file, "in/%d.csv", i);
        test_fx_add(f, file);
    }
    finish(f, 6);
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_XLSX | KH_FMT_CSV, 1, &d),
                     KH_OK);
    assert_dir(pathf(f, "out"),
               "ABC-区直单位部门.csv|ABC-区直单位部门.xlsx|Abc-乡镇.csv|Abc-乡镇.xlsx|"
               "两江镇.csv|两江镇.xlsx|城区-乡镇(2).csv|城区-乡镇(2).xlsx|城区-乡镇.csv|"
               "城区-乡镇.xlsx|城区-区直单位部门.csv|城区-区直单位部门.xlsx");
    test_rsheet s;
    read_xlsx(pathf(f, "out/城区-乡镇(2).xlsx"), &s);
    assert_cell(&s, "A4", "被考核单位：城区");
    test_rsheet_free(&s);
    kh_diags_clear(&d);
}

/* Names that Windows (NTFS's upper-case table) or macOS see as one file:
 * full-width letters in either case, Greek and Cyrillic case, a composed
 * and a decomposed é (units apart: kaohe composes names, a name in NFD is
 * read as NFC, so here both come from different spellings of the rest). */
static void same_file_names_beyond_ascii(void **state)
{
    test_fx *f = *state;
    const char *units[] = {"ＡＢ镇", "ａｂ镇", "AB镇", "Σ镇", "σ镇", "Д镇", "д镇", "Café镇", "CAFÉ镇"};
    size_t n = sizeof units / sizeof units[0];
    for (size_t i = 0; i < n; i++) {
        char file[32];
        snprintf(file, sizeof file, "in/%zu.csv", i);
        write_checklist(f, file, "lingui-2020-township", units[i], NULL);
        test_fx_add(f, file);
    }
    finish(f, n);
    kh_diags d = {0};
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_CSV, 1, &d), KH_OK);
    assert_int_equal(d.n, 0);
    /* A shared name first takes the unit type, then "(k)". */
    assert_dir(pathf(f, "out"), "AB镇-乡镇(3).csv|CAFÉ镇-乡镇(2).csv|Café镇-乡镇.csv|Σ镇-乡镇.csv|"
                                "σ镇-乡镇(2).csv|Д镇-乡镇.csv|д镇-乡镇(2).csv|ＡＢ镇-乡镇.csv|"
                                "ａｂ镇-乡镇(2).csv");
    kh_diags_clear(&d);
}

/* Many units whose names make one file name (forbidden characters and
 * ASCII case): the unit type is added to each, then "(2)", "(3)" ... in
 * batch order, skipping a name another unit already has. */
static void many_clashing_names(void **state)
{
    test_fx *f = *state;
    const char *seps = "/\\:*?\"<>|_";
    char unit[64], file[64], want[128];
    size_t n = 0;
    write_checklist(f, "in/u000.csv", "lingui-2020-township", "a_b-乡镇(3)", NULL);
    test_fx_add(f, "in/u000.csv");
    for (const char *sep = seps; *sep; sep++)
        for (const char *a = "aA"; *a; a++)
            for (const char *b = "bB"; *b; b++) {
                snprintf(unit, sizeof unit, "%c%c%c", *a, *sep, *b);
                snprintf(file, sizeof file, "in/u%03zu.csv", ++n);
                write_checklist(f, file, "lingui-2020-township", unit, NULL);
                test_fx_add(f, file);
            }
    finish(f, n + 1);
    kh_diags d = {0};
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_CSV, 1, &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(f->b->units[0]->cl->unit, "a_b-乡镇(3)");
    assert_int_equal(access(pathf(f, "out/a_b-乡镇(3).csv"), F_OK), 0);
    for (size_t i = 1; i <= n; i++) {
        /* The unit's own name with its separator made safe, its case kept. */
        char *safe = kh_safe_filename(f->b->units[i]->cl->unit);
        assert_non_null(safe);
        size_t k = i == 1 ? 0 : i == 2 ? 2 : i + 1; /* (3) is taken */
        if (k)
            snprintf(want, sizeof want, "out/%s-乡镇(%zu).csv", safe, k);
        else
            snprintf(want, sizeof want, "out/%s-乡镇.csv", safe);
        kh_free(safe);
        if (access(pathf(f, want), F_OK) != 0)
            fail_msg("unit %zu (%s): no %s", i, f->b->units[i]->cl->unit, want);
        char *text = test_slurp(pathf(f, want), NULL);
        kh_buf field = {0}; /* the unit's row as the CSV writer quotes it */
        kh_buf_puts(&field, "\"被考核单位\",\"");
        for (const char *p = f->b->units[i]->cl->unit; *p; p++)
            kh_buf_puts(&field, *p == '"' ? "\"\"" : (char[]){*p, 0});
        kh_buf_puts(&field, "\"\r\n");
        if (!strstr(text, field.s))
            fail_msg("%s is not the scoresheet of %s", want, f->b->units[i]->cl->unit);
        kh_buf_free(&field);
        free(text);
    }
    DIR *dir = opendir(pathf(f, "out"));
    assert_non_null(dir);
    size_t files = 0;
    for (struct dirent *e; (e = readdir(dir));)
        files += e->d_name[0] != '.';
    closedir(dir);
    assert_int_equal(files, n + 1);
    kh_diags_clear(&d);
}

/* An output that would be an input is refused; the others are written;
 * the input is untouched. */
static void refuses_inputs(void **state)
{
    test_fx *f = *state;
    write_checklist(f, "in/两江镇.csv", "lingui-2020-township", "两江镇", NULL);
    write_checklist(f, "in/临桂镇.csv", "lingui-2020-township", "临桂镇", NULL);
    test_write_file(pathf(f, "in/kaohe.json"), "{}");
    test_fx_add(f, "in");
    finish(f, 2);
    char *before = test_slurp(pathf(f, "in/两江镇.csv"), NULL);
    kh_diags d = {0};
    kh_status st = kh_write_scoresheets(f->b, pathf(f, "in"), KH_FMT_CSV | KH_FMT_XLSX, 1, &d);
    assert_int_equal(st, KH_ERR_USAGE);
    assert_int_equal(d.n, 2);
    assert_diags_contain(&d, "in/两江镇.csv: this output would replace an input file");
    assert_diags_contain(&d, "in/临桂镇.csv: this output would replace an input file");
    char *after = test_slurp(pathf(f, "in/两江镇.csv"), NULL);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_dir(pathf(f, "in"), "kaohe.json|两江镇.csv|两江镇.xlsx|临桂镇.csv|临桂镇.xlsx");
    kh_diags_clear(&d);
}

/* An existing output is replaced; a unit that cannot be written does not
 * stop the others; the worst status is returned. */
static void replace_and_failures(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    mkdir(pathf(f, "out"), 0777);
    test_write_file(pathf(f, "out/区应急管理局.xlsx"), "old");
    mkdir(pathf(f, "out/两江镇.xlsx"), 0777); /* rename onto a folder fails */
    kh_diags d = {0};
    kh_status st = kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_XLSX | KH_FMT_CSV, 1, &d);
    assert_int_equal(st, KH_ERR_IO);
    assert_int_equal(d.n, 1);
    assert_diags_contain(&d, "out/两江镇.xlsx: cannot put the finished file in place");
    assert_dir(pathf(f, "out"), "两江镇.csv|两江镇.xlsx|区应急管理局.csv|区应急管理局.xlsx");
    test_rsheet s;
    read_xlsx(pathf(f, "out/区应急管理局.xlsx"), &s);
    assert_cell(&s, "D22", "一票否决");
    test_rsheet_free(&s);
    kh_diags_clear(&d);

    /* The folder is a file: nothing can be written. */
    test_write_file(pathf(f, "plain"), "x");
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "plain"), KH_FMT_XLSX, 1, &d), KH_ERR_IO);
    assert_diags_contain(&d, "plain: output folder exists but is not a folder");
    kh_diags_clear(&d);
    /* No folder given. */
    assert_int_equal(kh_write_scoresheets(f->b, "", KH_FMT_XLSX, 1, &d), KH_ERR_USAGE);
    kh_diags_clear(&d);
}

/* KH_FMT_JSON writes DIR/kaohe.json; no formats means XLSX. */
static void json_and_default(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    kh_diags d = {0};
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_JSON, 1, &d), KH_OK);
    assert_dir(pathf(f, "out"), "kaohe.json");
    char *json = test_slurp(pathf(f, "out/kaohe.json"), NULL);
    assert_non_null(strstr(json, "\"38.3\""));
    assert_non_null(strstr(json, "\"2.54\""));
    free(json);
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out2"), 0, 1, &d), KH_OK);
    assert_dir(pathf(f, "out2"), "两江镇.xlsx|区应急管理局.xlsx");
    kh_diags_clear(&d);
}

/* The first bytes of part norm of the workbook at path, as a string. */
static char *read_part(const char *path, const char *norm)
{
    kh_diags d = {0};
    kh_zip *z = NULL;
    assert_int_equal(kh_zip_open_file(path, &z, &d), KH_OK);
    assert_int_equal(kh_zip_part_open(z, norm, NULL, &d), KH_OK);
    static char buf[4096];
    size_t len = 0, n;
    do {
        assert_int_equal(kh_zip_part_read(z, buf + len, sizeof buf - 1 - len, &n, &d), KH_OK);
        len += n;
    } while (n && len < sizeof buf - 1);
    kh_zip_part_close(z);
    kh_zip_free(z);
    buf[len] = '\0';
    return buf;
}

/* Written on several threads, the files are the same byte for byte as on
 * one (SOURCE_DATE_EPOCH fixes the creation time every workbook records),
 * and the messages come in the same order: unit order. */
static void jobs_same_output(void **state)
{
    test_fx *f = *state;
    enum { NU = 12 };
    for (int i = 0; i < NU; i++) {
        char file[32], unit[32], count[8];
        snprintf(file, sizeof file, "in/u%02d.csv", i);
        snprintf(unit, sizeof unit, "单位%02d", i);
        snprintf(count, sizeof count, "%d", i % 4);
        const res town[] = {{"3.1", count, NULL}, {i % 3 ? "1.6" : "1.7", "无", "缺"},
                            {NULL, NULL, NULL}};
        const res dept[] = {{"2.1", count, NULL}, {NULL, NULL, NULL}};
        write_checklist(f, file, i % 2 ? "lingui-2020-department" : "lingui-2020-township",
                        unit, i % 2 ? dept : town);
        test_fx_add(f, file);
    }
    finish(f, NU);
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    static const unsigned jobs[] = {1, 3};
    kh_diags d[2] = {{0}};
    for (size_t k = 0; k < 2; k++) {
        char dir[16];
        snprintf(dir, sizeof dir, "out%u", jobs[k]);
        mkdir(pathf(f, dir), 0777);
        /* Two outputs that cannot be put in place (a folder is there). */
        char bad[64];
        snprintf(bad, sizeof bad, "%s/单位03.xlsx", dir);
        mkdir(pathf(f, bad), 0777);
        snprintf(bad, sizeof bad, "%s/单位10.csv", dir);
        mkdir(pathf(f, bad), 0777);
        assert_int_equal(kh_write_scoresheets(f->b, pathf(f, dir), KH_FMT_XLSX | KH_FMT_CSV,
                                              jobs[k], &d[k]),
                         KH_ERR_IO);
    }
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(d[0].n, 2);
    assert_int_equal(d[1].n, 2);
    for (size_t i = 0; i < d[0].n; i++) {
        const char *a = strstr(d[0].v[i].file, "out1/"), *b = strstr(d[1].v[i].file, "out3/");
        assert_non_null(a);
        assert_non_null(b);
        assert_string_equal(a + 5, b + 5);
        assert_string_equal(d[0].v[i].msg, d[1].v[i].msg);
    }
    assert_non_null(strstr(d[0].v[0].file, "单位03.xlsx"));
    assert_non_null(strstr(d[0].v[1].file, "单位10.csv"));
    size_t files = 0;
    for (int i = 0; i < NU; i++) {
        for (int x = 0; x < 2; x++) {
            char a[64], b[64];
            snprintf(a, sizeof a, "out1/单位%02d.%s", i, x ? "csv" : "xlsx");
            snprintf(b, sizeof b, "out3/单位%02d.%s", i, x ? "csv" : "xlsx");
            struct stat st;
            if (stat(pathf(f, a), &st) == 0 && S_ISDIR(st.st_mode))
                continue;
            size_t la, lb;
            char *ca = test_slurp(pathf(f, a), &la), *cb = test_slurp(pathf(f, b), &lb);
            assert_true(la > 100);
            assert_int_equal(la, lb);
            assert_memory_equal(ca, cb, la);
            free(ca);
            free(cb);
            files++;
        }
    }
    assert_int_equal(files, 2 * NU - 2);
    test_rsheet s;
    read_xlsx(pathf(f, "out3/单位05.xlsx"), &s);
    assert_cell(&s, "A4", "被考核单位：单位05");
    test_rsheet_free(&s);
    const char *core = read_part(pathf(f, "out3/单位05.xlsx"), "docprops/core.xml");
    assert_non_null(strstr(core, "<dcterms:created xsi:type=\"dcterms:W3CDTF\">"
                                 "2023-11-14T22:13:20Z</dcterms:created>"));
    kh_diags_clear(&d[0]);
    kh_diags_clear(&d[1]);
}

/* ------------------------------------------------------------------ */

static void allocation_failures(void **state)
{
    test_fx *f = *state;
    standard_batch(f);
    mkdir(pathf(f, "out"), 0777);
    kh_status st = KH_ERR_NOMEM;
    long n, failed = 0;
    /* Until a run makes fewer allocations than the one failing: some
     * failures have a fallback and still succeed. */
    for (n = 0; n < 100000; n++) {
        kh_diags d = {0};
        test_alloc_start(n);
        st = kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_XLSX | KH_FMT_CSV, 1, &d);
        kh_diags_clear(&d);
        kh_set_allocator(NULL);
        if (test_alloc.live != 0)
            fail_msg("allocation %ld failing leaks %ld blocks", n, test_alloc.live);
        assert_int_equal(test_count_tmp(pathf(f, "out")), 0);
        if (test_alloc.calls <= n)
            break;
        if (st != KH_OK && st != KH_ERR_NOMEM && st != KH_ERR_IO)
            fail_msg("allocation %ld failing gives %s", n, kh_strerror(st));
        failed += st != KH_OK;
    }
    assert_int_equal(st, KH_OK);
    assert_true(failed > 10);
    test_rsheet s;
    read_xlsx(pathf(f, "out/两江镇.xlsx"), &s);
    assert_num(&s, "E24", "38.3");
    test_rsheet_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(township_xlsx, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(vetoed_xlsx, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(csv_twin, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(formula_like_names, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(path_like_names, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(many_clashing_names, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(same_file_names, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(same_file_names_beyond_ascii, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(refuses_inputs, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(replace_and_failures, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(json_and_default, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(jobs_same_output, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(allocation_failures, fx_setup, test_fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
