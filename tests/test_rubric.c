/* test_rubric.c - rubric files: the shipped 2020 rubrics, every validation
 * error with its position, the registry, the description for people. */
#include "testutil.h"

#include <unistd.h>
#include "rubric.h"
#include "text.h"

#define RUBRICS "templates/rubrics"
#define BAD TEST_DATA "/rubrics"

/* A sheet from CSV text, built by hand so that the validation tests do not
 * depend on the CSV reader: fields split at ',' and rows at '\n', with
 * "..." quoting ("" inside).  Cell types are strings unless a field starts
 * with '#', which makes it a number cell (for XLSX-like grids). */
static kh_sheet *sheet_from_text(const char *text)
{
    kh_sheet *s = kh_sheet_new(NULL);
    assert_non_null(s);
    uint32_t row = 0, col = 0;
    const char *p = text;
    char field[4096];
    while (*p) {
        size_t n = 0;
        if (*p == '"') {
            for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
                if (*p == '"')
                    p++;
                field[n++] = *p;
            }
            if (*p == '"')
                p++;
        } else {
            while (*p && *p != ',' && *p != '\n')
                field[n++] = *p++;
        }
        kh_cell_type type = KH_CELL_STRING;
        const char *f = field;
        if (n && field[0] == '#') {
            type = KH_CELL_NUMBER;
            f++;
            n--;
        }
        assert_true(kh_sheet_set(s, row, col, type, f, n));
        if (*p == ',') {
            col++;
            p++;
        } else if (*p == '\n') {
            row++;
            col = 0;
            p++;
        }
    }
    kh_sheet_finish(s);
    return s;
}

/* Load CSV text as the rubric file path; returns the status. */
static kh_status load_text(const char *text, const char *path, bool is_xlsx, kh_rubric **r,
                           kh_diags *d)
{
    kh_sheet *s = sheet_from_text(text);
    kh_status st = kh_rubric_from_sheet(s, path, is_xlsx, r, d);
    kh_sheet_free(s);
    return st;
}

/* ---- the shipped rubrics ---- */

static const kh_checkpoint *cp_of(const kh_rubric *r, const char *id)
{
    long i = kh_rubric_find_cp(r, id);
    if (i < 0)
        fail_msg("no check point %s", id);
    return &r->cps[i];
}

static void assert_dec(kh_dec v, const char *expected)
{
    char b[KH_DEC_BUFSZ];
    assert_string_equal(kh_dec_format(v, b), expected);
}

/* Item, cps and points structure is consistent: items are consecutive,
 * every check point points back to its item, totals add up. */
static void assert_consistent(const kh_rubric *r)
{
    size_t next = 0;
    kh_dec sum = 0;
    for (size_t i = 0; i < r->nitems; i++) {
        assert_int_equal(r->items[i].first, next);
        assert_true(r->items[i].ncps >= 1);
        for (size_t k = 0; k < r->items[i].ncps; k++)
            assert_int_equal(r->cps[next + k].item, i);
        next += r->items[i].ncps;
        assert_true(r->items[i].points > 0);
        assert_non_null(r->items[i].content);
        sum += r->items[i].points;
    }
    assert_int_equal(next, r->ncps);
    assert_int_equal(sum, r->total);
}

static void shipped_township(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_rubric *r = NULL;
    kh_status st = kh_rubric_load(RUBRICS "/lingui-2020-township.csv", &r, &d);
    test_print_diags(&d);
    assert_int_equal(st, KH_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(kh_rubric_id(r), "lingui-2020-township");
    assert_string_equal(kh_rubric_title(r),
                        "临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（乡镇）");
    assert_string_equal(kh_rubric_unit_type(r), "乡镇");
    assert_string_equal(kh_rubric_path(r), RUBRICS "/lingui-2020-township.csv");
    assert_int_equal(r->nitems, 17);
    assert_int_equal(r->ncps, 79); /* item 2: the document's four, 2.1 to 2.4 */
    assert_dec(r->total, "40");
    assert_consistent(r);

    static const struct { const char *id, *label; kh_kind kind; int need; const char *per, *cap; }
    cases[] = {
        {"1.1", "学习记录", KH_KIND_HAS, 0, "0.5", NULL},
        {"1.7", "签到单", KH_KIND_HAS, 0, "0.5", NULL},
        {"2.3", "贯彻落实全区安全生产工作会议精神", KH_KIND_HAS, 0, "0.5", NULL},
        {"3.1", "召开本辖区安全生产工作会议次数", KH_KIND_COUNT, 2, "0.2", NULL},
        {"3.8", "签到单", KH_KIND_HAS, 0, "0.2", NULL},
        {"4.1", "未按要求参加安全生产工作会议次数（以会议签到单为准）", KH_KIND_EACH, 0, "0.2", NULL},
        {"5.2", "政府主要领导带队检查次数", KH_KIND_COUNT, 2, "0.5", NULL},
        {"6.3", "未按计划开展工作次数", KH_KIND_EACH, 0, "0.2", NULL},
        {"7.1", "专项整治或“打非治违”行动次数（无专项整治方案视未开展）", KH_KIND_COUNT, 2, "1", NULL},
        {"7.6", "存在问题整改措施", KH_KIND_HAS, 0, "0.4", NULL},
        {"8.1", "春节期间安全生产大检查（无通知或方案视未开展）", KH_KIND_HAS, 0, "0.6", NULL},
        {"8.5", "两会期间安全生产大检查（无通知或方案视未开展）", KH_KIND_HAS, 0, "0.6", NULL},
        {"8.10", "问题闭环管理", KH_KIND_HAS, 0, "0.2", NULL},
        {"9.2", "重点危险源防范措施", KH_KIND_HAS, 0, "1", NULL},
        {"15.8", "按要求报送进展情况", KH_KIND_HAS, 0, "1", NULL},
        {"16.3", "处置情况记录", KH_KIND_HAS, 0, "0.5", NULL},
        {"17.1", "一般事故起数", KH_KIND_EACH, 0, "1", "4"},
        {"17.2", "较大事故起数", KH_KIND_ANY, 0, "0", NULL},
        {"17.3", "重大事故起数", KH_KIND_VETO, 0, "0", NULL},
        {"17.4", "特别重大事故起数", KH_KIND_VETO, 0, "0", NULL},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        const kh_checkpoint *cp = cp_of(r, cases[i].id);
        assert_string_equal(cp->label, cases[i].label);
        assert_int_equal(cp->kind, cases[i].kind);
        assert_int_equal(cp->need, cases[i].need);
        assert_dec(cp->per, cases[i].per);
        assert_int_equal(cp->has_cap, cases[i].cap != NULL);
        if (cases[i].cap)
            assert_dec(cp->cap, cases[i].cap);
    }
    assert_string_equal(cp_of(r, "4.1")->hint, "以会议签到单为准");
    assert_string_equal(cp_of(r, "8.3")->hint,
                        "无通知或方案视未开展；2020年中秋、国庆同为10月1日，当天开展的一次检查"
                        "可同时算作中秋、国庆期间的检查，两项都填“有”");
    assert_null(cp_of(r, "1.1")->hint);
    /* 1.1 and 1.10 do not exist in the township rubric, 8.1 and 8.10 do. */
    assert_int_equal(kh_rubric_find_cp(r, "8.1") + 9, kh_rubric_find_cp(r, "8.10"));
    assert_int_equal(kh_rubric_find_cp(r, "17.5"), -1);
    assert_int_equal(kh_rubric_find_cp(r, " 1.1"), -1);

    const kh_item *it = &r->items[16];
    assert_string_equal(it->num, "17");
    assert_dec(it->points, "5");
    assert_int_equal(it->ncps, 4);
    assert_true(strncmp(it->content, "17、年度内是否发生生产安全事故", strlen("17、年度内是否发生生产安全事故")) == 0);
    assert_string_equal(r->items[0].content,
                        "1、乡（镇）党委政府传达学习习近平总书记关于安全生产重要论述，以及贯彻落实全国安全生产"
                        "电视电话会议精神、全国森林草原防灭火工作电视电话会议精神制定工作措施。（有学习记录、"
                        "成立领导机构，年度工作计划、总结、会议记录、图片、签到单）得3分，每少1项扣0.5分，"
                        "扣完3分为止。");
    assert_int_equal(cp_of(r, "1.1")->line, 7); /* after id, title, unit_type, total, year, header */
    assert_string_equal(r->year, "2020");
    assert_string_equal(r->items[0].name, "传达学习");
    assert_string_equal(r->items[16].name, "生产安全事故");
    assert_null(cp_of(r, "1.1")->missing);
    assert_string_equal(cp_of(r, "3.2")->missing, "未与村委签订责任状");
    assert_string_equal(cp_of(r, "8.3")->missing, "未开展中秋期间安全生产大检查");
    assert_int_equal(r->ngrades, 0); /* the document sets no grade bands */
    kh_rubric_free(r);
    kh_diags_clear(&d);
}

static void shipped_department(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_rubric *r = NULL;
    kh_status st = kh_rubric_load(RUBRICS "/lingui-2020-department.csv", &r, &d);
    test_print_diags(&d);
    assert_int_equal(st, KH_OK);
    assert_string_equal(kh_rubric_id(r), "lingui-2020-department");
    assert_string_equal(kh_rubric_title(r),
                        "临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（区直单位部门）");
    assert_string_equal(kh_rubric_unit_type(r), "区直单位部门");
    assert_int_equal(r->nitems, 15);
    assert_int_equal(r->ncps, 73);
    assert_dec(r->total, "3");
    assert_consistent(r);
    static const struct { const char *id, *label; kh_kind kind; int need; const char *per, *cap; }
    cases[] = {
        {"1.1", "学习记录", KH_KIND_HAS, 0, "0.02", NULL},
        {"1.8", "召开本行业领域安全生产工作会议次数", KH_KIND_COUNT, 2, "0.02", NULL},
        {"1.10", "制定工作措施", KH_KIND_HAS, 0, "0.02", NULL},
        {"2.1", "未按要求参加安全生产工作会议次数（以安委办会议签到单为准）", KH_KIND_EACH, 0, "0.02", NULL},
        {"3.2", "分管领导带队检查次数", KH_KIND_COUNT, 2, "0.04", NULL},
        {"4.2", "未按计划开展执法检查次数", KH_KIND_EACH, 0, "0.02", NULL},
        {"5.1", "专项整治或“打非治违”行动次数（无专项整治方案视未开展）", KH_KIND_COUNT, 2, "0.1", NULL},
        {"6.4", "国庆期间安全生产大检查（无专项检查通知或方案视未开展）", KH_KIND_HAS, 0, "0.1", NULL},
        {"10.6", "资格许可审批材料", KH_KIND_HAS, 0, "0.02", NULL},
        {"11.1", "演练方案或脚本", KH_KIND_HAS, 0, "0.05", NULL},
        {"13.4", "执法依据", KH_KIND_HAS, 0, "0.05", NULL},
        {"14.8", "按要求报送进展情况", KH_KIND_HAS, 0, "0.05", NULL},
        {"15.1", "一般事故起数", KH_KIND_EACH, 0, "0.1", "0.4"},
        {"15.2", "较大事故起数", KH_KIND_ANY, 0, "0", NULL},
        {"15.4", "特别重大事故起数", KH_KIND_VETO, 0, "0", NULL},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        const kh_checkpoint *cp = cp_of(r, cases[i].id);
        assert_string_equal(cp->label, cases[i].label);
        assert_int_equal(cp->kind, cases[i].kind);
        assert_int_equal(cp->need, cases[i].need);
        assert_dec(cp->per, cases[i].per);
        assert_int_equal(cp->has_cap, cases[i].cap != NULL);
        if (cases[i].cap)
            assert_dec(cp->cap, cases[i].cap);
    }
    /* 1.1 and 1.10 are two check points, both of item 1. */
    assert_int_equal(kh_rubric_find_cp(r, "1.1"), 0);
    assert_int_equal(kh_rubric_find_cp(r, "1.10"), 9);
    assert_int_equal(cp_of(r, "1.10")->item, 0);
    assert_dec(r->items[5].points, "0.4");
    assert_true(strncmp(r->items[14].content, "15、年度内是否发生生产安全事故", strlen("15、年度内是否发生生产安全事故")) == 0);
    kh_rubric_free(r);
    kh_diags_clear(&d);
}

/* ---- validation: one case per problem ---- */

#define META "id,t1\ntitle,T\nunit_type,乡镇\ntotal,3\n"
#define HDR "item,points,content,check,label,kind,need,per,cap,hint\n"
/* Lines 6..10 */
#define ROWS                                                                  \
    "1,2,第一项,1.1,学习记录,has,,0.5,,\n"                                    \
    "1,,,1.2,会议次数,count,2,0.2,,\n"                                        \
    "2,1,第二项,2.1,一般事故起数,each,,0.5,1,\n"                              \
    "2,,,2.2,较大事故起数,any,,,,\n"                                          \
    "2,,,2.3,重大事故起数,veto,,,,\n"

typedef struct bad_case {
    const char *name;
    const char *text;
    bool is_xlsx;
    const char *diags[4];  /* exactly these, in this order */
} bad_case;

static const bad_case bad_cases[] = {
    {"missing key", "title,T\nunit_type,乡镇\ntotal,3\n" HDR ROWS, false,
     {"bad.csv: metadata key 'id' is missing: add the row 'id,...' above the header row"}},
    {"unknown key", META "colour,red\n" HDR ROWS, false,
     {"bad.csv:5: unknown metadata key 'colour': use id, title, unit_type, total, year, grades, "
      "quota or issuer, or start the header row with item"}},
    {"repeated issuer", META "issuer,甲\nissuer,乙\n" HDR ROWS, false,
     {"bad.csv:6: metadata key 'issuer' is repeated (first on line 5): keep one of them"}},
    {"repeated key", META "title,U\n" HDR ROWS, false,
     {"bad.csv:5: metadata key 'title' is repeated (first on line 2): keep one of them"}},
    {"key without value", "id,t1\ntitle\nunit_type,乡镇\ntotal,3\n" HDR ROWS, false,
     {"bad.csv:2: metadata key 'title' has no value: put its value in column B"}},
    {"key not in column A", "id,t1\n,title,T\nunit_type,乡镇\ntotal,3\n" HDR ROWS, false,
     {"bad.csv:2: metadata row without a key in column A: put the key (id, title, unit_type, "
      "total, year, grades, quota or issuer) in column A and its value in column B",
      "bad.csv: metadata key 'title' is missing: add the row 'title,...' above the header row"}},
    {"grades: no bare last band", META "grades,优秀>=2;合格>=1\n" HDR ROWS, false,
     {"bad.csv:5: grades '优秀>=2;合格>=1' need at least two bands, the last a bare name taking "
      "every other unit (e.g. 优秀>=36;良好>=32;合格>=24;不合格)"}},
    {"grades: bound not below", META "grades,优秀>=2;良好>=2.5;不合格\n" HDR ROWS, false,
     {"bad.csv:5: the bound of grade band '良好>=2.5' is not below the band above it: write the "
      "bands from the top, each bound lower"}},
    {"grades: above the total", META "grades,优秀>=3.5;不合格\n" HDR ROWS, false,
     {"bad.csv:5: grade band '优秀>=3.5' asks for more than the rubric's total: correct its "
      "bound"}},
    {"grades: not a number", META "grades,优秀>=很高;不合格\n" HDR ROWS, false,
     {"bad.csv:5: grade band '优秀>=很高' is not NAME>=SCORE: write the bands from the top, e.g. "
      "优秀>=36;良好>=32;合格>=24;不合格"}},
    {"grades: bare band not last", META "grades,优秀>=2;合格;不合格\n" HDR ROWS, false,
     {"bad.csv:5: grade band '不合格' follows a band without a bound: only the last band is a "
      "bare name (e.g. 优秀>=36;良好>=32;合格>=24;不合格)"}},
    {"grades: a name twice", META "grades,优秀>=2;优秀>=1;不合格\n" HDR ROWS, false,
     {"bad.csv:5: grade '优秀' is named twice: give each band its own name"}},
    {"quota: not a band", META "grades,优秀>=2;不合格\nquota,良好<=30%\n" HDR ROWS, false,
     {"bad.csv:6: quota '良好<=30%' names no grade band: use one of the names in grades"}},
    {"quota: malformed", META "grades,优秀>=2;不合格\nquota,优秀<=三成\n" HDR ROWS, false,
     {"bad.csv:6: quota '优秀<=三成' is not NAME<=PERCENT%: e.g. 优秀<=30% (a whole number of "
      "per cent)"}},
    {"quota: the last band", META "grades,优秀>=2;不合格\nquota,不合格<=50%\n" HDR ROWS, false,
     {"bad.csv:6: quota '不合格<=50%' is on the last band, which takes every other unit: delete "
      "it"}},
    {"quota without grades", META "quota,优秀<=30%\n" HDR ROWS, false,
     {"bad.csv:5: quota without grades: add a grades row, or delete the quota"}},
    {"missing on a count", META "item,points,content,check,label,kind,need,per,cap,hint,missing\n"
     "1,2,第一项,1.1,会议次数,count,2,0.2,,,未开会\n" "2,1,第二项,2.1,学习记录,has,,0.5,,,\n", false,
     {"bad.csv:6: missing is only for has check points, not count: clear it"}},
    {"cell after value", "id,t1,x\ntitle,T\nunit_type,乡镇\ntotal,3\n" HDR ROWS, false,
     {"bad.csv:1: unexpected cell after the value of 'id': a metadata row holds only a key and a "
      "value; delete it"}},
    {"id charset", "id,乡镇 2020\ntitle,T\nunit_type,乡镇\ntotal,3\n" HDR ROWS, false,
     {"bad.csv:1: rubric id '乡镇 2020' may only hold letters, digits, '-' and '_': rename it "
      "(for example lingui-2021-township)"}},
    {"total differs", "id,t1\ntitle,T\nunit_type,乡镇\ntotal,3.5\n" HDR ROWS, false,
     {"bad.csv:4: total 3.5 does not equal the sum of the item points, 3: correct the total or "
      "the items' points"}},
    {"total not a number", "id,t1\ntitle,T\nunit_type,乡镇\ntotal,四十\n" HDR ROWS, false,
     {"bad.csv:4: total '四十' is not a number: write a number such as 2 or 0.5"}},
    {"no header", META ROWS, false,
     {"bad.csv:5: no header row above the check points: add the row "
      "item,points,content,check,label,kind,need,per,cap,hint after the metadata"}},
    {"nothing but metadata", META, false,
     {"bad.csv: no header row and no check points: add the row "
      "item,points,content,check,label,kind,need,per,cap,hint after the metadata, then one row "
      "per check point"}},
    {"no check points", META HDR, false,
     {"bad.csv:5: no check points after the header row: add one row per check point"}},
    {"unknown column", META "item,points,content,check,label,kind,need,per,cap,hint,colour\n" ROWS,
     false,
     {"bad.csv:5: unknown column 'colour': the columns are item, points, content, check, label, "
      "kind, need, per, cap, hint, name and missing; rename or delete it"}},
    {"repeated column", META "item,points,content,check,label,kind,need,per,cap,hint,per\n" ROWS,
     false, {"bad.csv:5: column 'per' appears twice (first in column H): delete one"}},
    {"missing column", META "item,points,content,check,label,need,per,cap,hint\n"
                            "1,3,第一项,1.1,学习记录,,0.5,,\n",
     false, {"bad.csv:5: the header row has no 'kind' column: add it"}},
    {"missing points column", META "item,content,check,label,kind,per\n"
                                   "1,第一项,1.1,学习记录,has,0.5\n"
                                   "2,第二项,2.1,图片,has,0.5\n",
     false,
     {"bad.csv:5: the header row has no 'points' column, which every item needs on its first "
      "row: add it"}},
    {"cell without header", META HDR "1,3,第一项,1.1,学习记录,has,,0.5,,,x\n", false,
     {"bad.csv:6: this cell's column has no header: name the column or clear the cell"}},
    {"item empty", META HDR "1,3,第一项,1.1,学习记录,has,,0.5,,\n,,,1.2,图片,has,,0.5,,\n", false,
     {"bad.csv:7: item number is empty: fill in the item number (the same on every row of one "
      "item)"}},
    {"item reappears", META HDR "1,2,第一项,1.1,学习记录,has,,0.5,,\n"
                                "2,1,第二项,2.1,图片,has,,0.5,,\n"
                                "1,,,1.2,签到单,has,,0.5,,\n",
     false,
     {"bad.csv:8: item 1 reappears after item 2 (it starts on line 6): keep all rows of one item "
      "together"}},
    {"points missing", META HDR "1,,第一项,1.1,学习记录,has,,0.5,,\n1,3,,1.2,图片,has,,0.5,,\n",
     false,
     {"bad.csv:6: item 1 has no points on its first row: put the item's full points in the "
      "points column"}},
    {"points differ", META HDR "1,3,第一项,1.1,学习记录,has,,0.5,,\n1,3.0,,1.2,图片,has,,0.5,,\n"
                               "1,2,,1.3,签到单,has,,0.5,,\n",
     false,
     {"bad.csv:8: points 2 differ from the 3 given for item 1 on line 6: give the item's points "
      "once, on its first row"}},
    {"points zero", "id,t1\ntitle,T\nunit_type,乡镇\ntotal,0\n" HDR "1,0,第一项,1.1,学习记录,has,,0.5,,\n",
     false, {"bad.csv:6: points 0 of item 1 must be greater than 0: correct them"}},
    {"content missing", META HDR "1,3,,1.1,学习记录,has,,0.5,,\n1,,第一项,1.2,图片,has,,0.5,,\n",
     false,
     {"bad.csv:6: item 1 has no content on its first row: copy the item's full text (督查内容) "
      "into the content column",
      "bad.csv:7: the content of item 1 belongs on its first row (line 6) only: move it there or "
      "delete it"}},
    {"check empty", META HDR "1,3,第一项,,学习记录,has,,0.5,,\n", false,
     {"bad.csv:6: check point id is empty: give every row a check id such as 7.2"}},
    {"check repeated", META HDR "1,3,第一项,1.1,学习记录,has,,0.5,,\n1,,,1.2,图片,has,,0.5,,\n"
                                "1,,,1.1,签到单,has,,0.5,,\n",
     false,
     {"bad.csv:8: check point '1.1' is already defined on line 6: give each check point its own "
      "id"}},
    {"label empty", META HDR "1,3,第一项,1.1,,has,,0.5,,\n", false,
     {"bad.csv:6: the label is empty: write the short text inspectors see (e.g. 签到单)"}},
    {"kind empty", META HDR "1,3,第一项,1.1,学习记录,,,0.5,,\n", false,
     {"bad.csv:6: the kind is empty: use has, count, each, any or veto"}},
    {"kind unknown", META HDR "1,3,第一项,1.1,学习记录,hass,,0.5,,\n", false,
     {"bad.csv:6: kind 'hass' is not one of has, count, each, any, veto: correct the kind"}},
    {"need missing", META HDR "1,3,第一项,1.1,会议次数,count,,0.5,,\n", false,
     {"bad.csv:6: a count check point needs 'need', the number required (e.g. 2): fill it in"}},
    {"need fractional", META HDR "1,3,第一项,1.1,会议次数,count,1.5,0.5,,\n", false,
     {"bad.csv:6: need 1.5 must be a whole number of at least 1: correct it"}},
    {"need zero", META HDR "1,3,第一项,1.1,会议次数,count,0,0.5,,\n", false,
     {"bad.csv:6: need 0 must be a whole number of at least 1: correct it"}},
    {"need for has", META HDR "1,3,第一项,1.1,学习记录,has,2,0.5,,\n", false,
     {"bad.csv:6: need is only for count check points, not has: clear it"}},
    {"need column absent", META "item,points,content,check,label,kind,per\n"
                                "1,3,第一项,1.1,会议次数,count,0.5\n1,,,1.2,检查次数,count,0.5\n",
     false,
     {"bad.csv:5: the header row has no 'need' column, which count check points need: add it"}},
    {"per missing", META HDR "1,3,第一项,1.1,学习记录,has,,,,\n", false,
     {"bad.csv:6: a has check point needs 'per', the deduction per missing thing: fill it in"}},
    {"per negative", META HDR "1,3,第一项,1.1,学习记录,each,,-0.5,,\n", false,
     {"bad.csv:6: per -0.5 must be greater than 0: correct it"}},
    {"per for any", META HDR "1,3,第一项,1.1,较大事故起数,any,,1,,\n", false,
     {"bad.csv:6: per is not used by any check points: clear it"}},
    {"cap for veto", META HDR "1,3,第一项,1.1,重大事故起数,veto,,,1,\n", false,
     {"bad.csv:6: cap is not used by veto check points: clear it"}},
    {"cap zero", META HDR "1,3,第一项,1.1,学习记录,has,,0.5,0,\n", false,
     {"bad.csv:6: cap 0 must be greater than 0: correct it or leave the cell empty"}},
    {"five decimals", META HDR "1,3,第一项,1.1,学习记录,has,,0.00005,,\n", false,
     {"bad.csv:6: per '0.00005' has more than 4 decimal places: round it to at most 4"}},
    {"not a number", META HDR "1,3,第一项,1.1,学习记录,has,,半分,,\n", false,
     {"bad.csv:6: per '半分' is not a number: write a number such as 2 or 0.5"}},
    {"too large", META HDR "1,3,第一项,1.1,学习记录,has,,99999999999999999999,,\n", false,
     {"bad.csv:6: per '99999999999999999999' is too large: correct it"}},
    {"not utf-8", META HDR "1,3,第一项,1.1,学\xff,has,,0.5,,\n", false,
     {"bad.csv:6: this cell is not valid UTF-8 text (byte 4): save the file as UTF-8 (in Excel: "
      "CSV UTF-8)"}},
    /* XLSX positions are cells. */
    {"xlsx kind", META HDR "1,3,第一项,1.1,学习记录,hass,,0.5,,\n", true,
     {"bad.xlsx!F6: kind 'hass' is not one of has, count, each, any, veto: correct the kind"}},
    {"xlsx number check id", META HDR "1,3,第一项,#1.1,学习记录,has,,0.5,,\n"
                                      "1,,,#1.1,签到单,has,,0.5,,\n",
     true,
     {"bad.xlsx!D7: check point '1.1' is already defined on cell D6: give each check point its own "
      "id (if you typed 1.10, the spreadsheet made it the number 1.1: format the check column as "
      "text and type it again)"}},
    {"xlsx missing key", "title,T\nunit_type,乡镇\ntotal,3\n" HDR ROWS, true,
     {"bad.xlsx: metadata key 'id' is missing: add the row 'id,...' above the header row"}},
    {"xlsx repeated column", META "item,points,content,check,label,kind,need,per,cap,hint,per\n" ROWS,
     true, {"bad.xlsx!K5: column 'per' appears twice (first in column H): delete one"}},
};

static void bad_rubrics(void **state)
{
    (void)state;
    for (size_t i = 0; i < KH_ARRAY_LEN(bad_cases); i++) {
        const bad_case *c = &bad_cases[i];
        kh_diags d = {0};
        kh_rubric *r = (kh_rubric *)&d; /* must be reset to NULL */
        kh_status st = load_text(c->text, c->is_xlsx ? "bad.xlsx" : "bad.csv", c->is_xlsx, &r, &d);
        size_t want = 0;
        while (want < KH_ARRAY_LEN(c->diags) && c->diags[want])
            want++;
        if (st != KH_ERR_RUBRIC || d.n != want) {
            print_error("case '%s': status %d, %zu diagnostics (want %zu)\n", c->name, st, d.n, want);
            test_print_diags(&d);
        }
        assert_int_equal(st, KH_ERR_RUBRIC);
        assert_null(r);
        assert_int_equal(d.n, want);
        for (size_t k = 0; k < want; k++) {
            char *got = kh_diag_format(&d.v[k]);
            if (strcmp(got, c->diags[k]) != 0)
                print_error("case '%s', diagnostic %zu\n", c->name, k);
            assert_string_equal(got, c->diags[k]);
            kh_free(got);
        }
        kh_diags_clear(&d);
    }
}

/* The base of the bad cases is itself good: each case fails for its own
 * reason only.  Also: values are trimmed (ASCII and U+3000), names and
 * kinds ignore ASCII case, blank rows are skipped. */
static void good_small(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_rubric *r = NULL;
    assert_int_equal(load_text(META HDR ROWS, "good.csv", false, &r, &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(r->nitems, 2);
    assert_int_equal(r->ncps, 5);
    assert_string_equal(r->path, "good.csv");
    kh_rubric_free(r);

    r = NULL;
    static const char loose[] =
        "\n"
        " ID , t2 \n"
        "Title,\xe3\x80\x80T\xe3\x80\x80\n"
        "\n"
        "unit_type,乡镇\n"
        "total, 1.50 \n"
        "\n"
        "Check,Label,Kind,Per,Item,Points,Content,Cap\n"
        "1.1, 学习记录 ,HAS, 0.5 , 1 ,1.5,第一项,\n"
        "\n"
        "1.2,图片,Has,0.25,1,,,0.2\n";
    kh_status st = load_text(loose, "loose.csv", false, &r, &d);
    test_print_diags(&d);
    assert_int_equal(st, KH_OK);
    assert_string_equal(r->id, "t2");
    assert_string_equal(r->title, "T");
    assert_dec(r->total, "1.5");
    assert_int_equal(r->ncps, 2);
    assert_string_equal(r->cps[0].label, "学习记录");
    assert_int_equal(r->cps[0].line, 9);
    assert_int_equal(r->cps[1].line, 11);
    assert_true(r->cps[1].has_cap);
    assert_dec(r->cps[1].cap, "0.2");
    assert_dec(r->cps[1].per, "0.25");
    assert_null(r->cps[0].hint);
    kh_rubric_free(r);
    kh_rubric_free(NULL);
    kh_diags_clear(&d);
}

/* A rubric with several problems lists every one, in file order. */
static void many_problems(void **state)
{
    (void)state;
    static const char text[] =
        "id,bad id\n"
        "title,T\n"
        "total,4\n"
        "item,points,content,check,label,kind,need,per,cap,hint\n"
        "1,3,第一项,1.1,学习记录,hass,,0.5,,\n"
        "1,,,1.2,会议次数,count,,0.2,,\n"
        "2,1,,1.1,,veto,,1,,\n";
    kh_diags d = {0};
    kh_rubric *r = NULL;
    assert_int_equal(load_text(text, "bad.csv", false, &r, &d), KH_ERR_RUBRIC);
    assert_null(r);
    static const char *const want[] = {
        "bad.csv:1: rubric id 'bad id' may only hold letters, digits, '-' and '_': rename it (for "
        "example lingui-2021-township)",
        "bad.csv: metadata key 'unit_type' is missing: add the row 'unit_type,...' above the "
        "header row",
        "bad.csv:5: kind 'hass' is not one of has, count, each, any, veto: correct the kind",
        "bad.csv:6: a count check point needs 'need', the number required (e.g. 2): fill it in",
        "bad.csv:7: item 2 has no content on its first row: copy the item's full text (督查内容) "
        "into the content column",
        "bad.csv:7: check point '1.1' is already defined on line 5: give each check point its own "
        "id",
        "bad.csv:7: the label is empty: write the short text inspectors see (e.g. 签到单)",
        "bad.csv:7: per is not used by veto check points: clear it",
    };
    if (d.n != KH_ARRAY_LEN(want))
        test_print_diags(&d);
    assert_int_equal(d.n, KH_ARRAY_LEN(want));
    for (size_t i = 0; i < KH_ARRAY_LEN(want); i++)
        assert_diag(&d, i, want[i]);
    kh_diags_clear(&d);
}

/* ---- files ---- */

static void files(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_rubric *r = NULL;
    /* Not there. */
    assert_int_equal(kh_rubric_load(BAD "/no-such-file.csv", &r, &d), KH_ERR_IO);
    assert_null(r);
    assert_diags_contain(&d, BAD "/no-such-file.csv: cannot open the rubric file: No such file "
                             "or directory");
    kh_diags_clear(&d);
    /* An OLE compound file that holds no workbook goes to the .xls reader,
     * which says so. */
    assert_int_equal(kh_rubric_load(BAD "/legacy.xls", &r, &d), KH_ERR_RUBRIC);
    assert_int_equal(d.n, 1);
    assert_diag(&d, 0, BAD "/legacy.xls: cannot read this .xls workbook: its compound-file header "
                           "is damaged: open it in Excel or WPS and save it as .xlsx");
    kh_diags_clear(&d);
    /* The department rubric saved by LibreOffice as .xls loads. */
    assert_int_equal(kh_rubric_load(TEST_DATA "/rubrics/department.xls", &r, &d),
                     KH_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(kh_rubric_id(r), "lingui-2020-department");
    assert_int_equal(r->ncps, 73);
    assert_int_equal(kh_rubric_find_cp(r, "1.10"), kh_rubric_find_cp(r, "1.9") + 1);
    kh_rubric_free(r);
    r = NULL;
    /* A file with several problems, through the CSV reader: every one, in order. */
    assert_int_equal(kh_rubric_check_file(BAD "/several-problems.csv", &d), KH_ERR_RUBRIC);
    static const char *const want[] = {
        BAD "/several-problems.csv:7: need 'two' is not a number: write a number such as 2 or 0.5",
        BAD "/several-problems.csv:8: cap is not used by any check points: clear it",
        BAD "/several-problems.csv:10: check point '3.1' is already defined on line 9: give each "
            "check point its own id",
        BAD "/several-problems.csv:4: total 40 does not equal the sum of the item points, 6: "
            "correct the total or the items' points",
    };
    if (d.n != KH_ARRAY_LEN(want))
        test_print_diags(&d);
    assert_int_equal(d.n, KH_ARRAY_LEN(want));
    for (size_t i = 0; i < KH_ARRAY_LEN(want); i++)
        assert_diag(&d, i, want[i]);
    kh_diags_clear(&d);
    /* A good file: BOM, CRLF, a blank line, quoted fields with commas and quotes. */
    assert_int_equal(kh_rubric_load(BAD "/good.csv", &r, &d), KH_OK);
    test_print_diags(&d);
    assert_int_equal(d.n, 0);
    assert_string_equal(r->id, "good-small");
    assert_string_equal(r->title, "小规则, 测试用");
    assert_string_equal(r->items[0].content, "1、有学习记录、会议记录，每少1项扣0.5分, 扣完为止。");
    const kh_checkpoint *cp = cp_of(r, "2.1");
    assert_string_equal(cp->label, "\"打非治违\"行动次数");
    assert_int_equal(cp->line, 9);
    assert_int_equal(cp->need, 2);
    assert_dec(cp->per, "0.25");
    assert_dec(cp->cap, "0.5");
    assert_string_equal(cp_of(r, "1.2")->hint, "以会议签到单为准");
    kh_rubric_free(r);
    assert_int_equal(kh_rubric_check_file(BAD "/good.csv", &d), KH_OK);
    assert_int_equal(d.n, 0);
}

/* The XLSX form of a rubric (first sheet, numbers as number cells) loads
 * exactly like the CSV one; positions are cells. */
static void xlsx_form(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_rubric *c = NULL, *x = NULL;
    assert_int_equal(kh_rubric_load(RUBRICS "/lingui-2020-department.csv", &c, &d), KH_OK);
    assert_int_equal(kh_rubric_load(BAD "/department.xlsx", &x, &d), KH_OK);
    test_print_diags(&d);
    assert_int_equal(d.n, 0);
    assert_string_equal(x->id, c->id);
    assert_string_equal(x->title, c->title);
    assert_string_equal(x->unit_type, c->unit_type);
    assert_string_equal(x->year, "2020");
    assert_string_equal(c->year, "2020");
    assert_int_equal(x->total, c->total);
    assert_string_equal(x->path, BAD "/department.xlsx");
    assert_int_equal(x->nitems, c->nitems);
    assert_int_equal(x->ncps, c->ncps);
    for (size_t i = 0; i < c->nitems; i++) {
        assert_string_equal(x->items[i].num, c->items[i].num);
        assert_int_equal(x->items[i].points, c->items[i].points);
        assert_string_equal(x->items[i].content, c->items[i].content);
        assert_string_equal(x->items[i].name, c->items[i].name);
        assert_int_equal(x->items[i].first, c->items[i].first);
        assert_int_equal(x->items[i].ncps, c->items[i].ncps);
    }
    for (size_t i = 0; i < c->ncps; i++) {
        const kh_checkpoint *a = &x->cps[i], *b = &c->cps[i];
        assert_string_equal(a->id, b->id);
        assert_string_equal(a->label, b->label);
        assert_int_equal(a->hint == NULL, b->hint == NULL);
        if (b->hint)
            assert_string_equal(a->hint, b->hint);
        assert_int_equal(a->missing == NULL, b->missing == NULL);
        if (b->missing)
            assert_string_equal(a->missing, b->missing);
        assert_int_equal(a->kind, b->kind);
        assert_int_equal(a->need, b->need);
        assert_int_equal(a->per, b->per);
        assert_int_equal(a->has_cap, b->has_cap);
        assert_int_equal(a->cap, b->cap);
        assert_int_equal(a->item, b->item);
        assert_int_equal(a->line, b->line);
    }
    kh_rubric_free(x);
    kh_rubric_free(c);

    /* Problems are named by cell. */
    x = (kh_rubric *)&d;
    assert_int_equal(kh_rubric_load(BAD "/bad-department.xlsx", &x, &d), KH_ERR_RUBRIC);
    assert_null(x);
    if (d.n != 2)
        test_print_diags(&d);
    assert_int_equal(d.n, 2);
    assert_diag(&d, 0, BAD "/bad-department.xlsx!F7: kind 'hass' is not one of has, count, each, "
                           "any, veto: correct the kind");
    assert_diag(&d, 1, BAD "/bad-department.xlsx!B4: total 4 does not equal the sum of the item "
                           "points, 3: correct the total or the items' points");
    kh_diags_clear(&d);

    /* The CSV rubric opened in LibreOffice and saved as XLSX: 1.10 and 6.10
     * became the numbers 1.1 and 6.1, and the loader says how that happened. */
    assert_int_equal(kh_rubric_check_file(BAD "/department-libreoffice.xlsx", &d), KH_ERR_RUBRIC);
    if (d.n != 2)
        test_print_diags(&d);
    assert_int_equal(d.n, 2);
    assert_diag(&d, 0, BAD "/department-libreoffice.xlsx!D15: check point '1.1' is already "
                           "defined on cell D6: give each check point its own id (if you typed "
                           "1.10, the spreadsheet made it the number 1.1: format the check column "
                           "as text and type it again)");
    assert_diag(&d, 1, BAD "/department-libreoffice.xlsx!D36: check point '6.1' is already "
                           "defined on cell D27: give each check point its own id (if you typed "
                           "6.10, the spreadsheet made it the number 6.1: format the check column "
                           "as text and type it again)");
    kh_diags_clear(&d);
}

static void registry(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_registry *reg = kh_registry_new();
    assert_non_null(reg);
    assert_int_equal(kh_registry_load_dir(reg, RUBRICS, &d), KH_OK);
    test_print_diags(&d);
    assert_int_equal(d.n, 0);
    assert_int_equal(kh_registry_count(reg), 2);
    const kh_rubric *t = kh_registry_find(reg, "lingui-2020-township");
    const kh_rubric *dep = kh_registry_find(reg, "lingui-2020-department");
    assert_non_null(t);
    assert_non_null(dep);
    assert_string_equal(kh_rubric_unit_type(t), "乡镇");
    assert_string_equal(kh_rubric_unit_type(dep), "区直单位部门");
    assert_null(kh_registry_find(reg, "lingui-2020"));
    /* Loading the same file again changes nothing (kaohe --rubric on a
     * shipped rubric); a copy elsewhere is a duplicate id naming both files. */
    assert_int_equal(kh_registry_load_file(reg, RUBRICS "/lingui-2020-township.csv", &d), KH_OK);
    assert_int_equal(d.n, 0);
    char copy[] = "/tmp/kh-rubric-copy-XXXXXX.csv";
    int fd = mkstemps(copy, 4);
    assert_true(fd >= 0);
    size_t len;
    char *text = test_slurp(RUBRICS "/lingui-2020-township.csv", &len);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    free(text);
    assert_int_equal(kh_registry_load_file(reg, copy, &d), KH_ERR_RUBRIC);
    assert_int_equal(d.n, 1);
    char want[256];
    snprintf(want, sizeof want, "%s: rubric id 'lingui-2020-township' is already defined by "
             RUBRICS "/lingui-2020-township.csv: give each rubric its own id", copy);
    assert_diag(&d, 0, want);
    unlink(copy);
    assert_int_equal(kh_registry_count(reg), 2);
    kh_diags_clear(&d);
    /* A folder with a bad rubric: the good one loads, the bad one is named. */
    assert_int_equal(kh_registry_load_dir(reg, BAD "/folder", &d), KH_ERR_RUBRIC);
    assert_int_equal(d.n, 1);
    assert_diag(&d, 0, BAD "/folder/b-bad.csv:6: kind 'hass' is not one of has, count, each, any, "
                           "veto: correct the kind");
    assert_int_equal(kh_registry_count(reg), 3);
    assert_non_null(kh_registry_find(reg, "folder-good"));
    assert_null(kh_registry_find(reg, "folder-bad"));
    kh_diags_clear(&d);
    /* After loading a folder its rubrics are in id order, not file name order. */
    assert_int_equal(kh_registry_load_dir(reg, BAD "/by-id", &d), KH_OK);
    assert_int_equal(kh_registry_count(reg), 5);
    assert_string_equal(kh_rubric_id(kh_registry_at(reg, 0)), "lingui-2020-department");
    assert_string_equal(kh_rubric_id(kh_registry_at(reg, 3)), "alpha");
    assert_string_equal(kh_rubric_id(kh_registry_at(reg, 4)), "zeta");
    assert_string_equal(kh_rubric_path(kh_registry_at(reg, 4)), BAD "/by-id/a.csv");
    assert_null(kh_registry_at(reg, 5));
    assert_int_equal(kh_registry_load_dir(reg, "tests/data/no-such-dir", &d), KH_ERR_IO);
    assert_int_equal(d.n, 1);
    kh_diags_clear(&d);
    kh_registry_free(reg);
    kh_registry_free(NULL);
}

/* ---- description ---- */

static void describe(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_rubric *r = NULL;
    assert_int_equal(kh_rubric_load(RUBRICS "/lingui-2020-township.csv", &r, &d), KH_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(kh_rubric_describe(r, f), KH_OK);
    fclose(f);
    static const char *const lines[] = {
        "临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（乡镇）\n",
        "  id:        lingui-2020-township\n",
        "  unit type: 乡镇\n",
        "  total:     40 points in 17 items, 79 check points\n",
        "\nItem 1, 3 points\n    1、乡（镇）党委政府传达学习",
        "  1.1   学习记录  (has: missing costs 0.5)\n",
        "  3.1   召开本辖区安全生产工作会议次数  (count: need 2, each short costs 0.2)\n",
        "  4.1   未按要求参加安全生产工作会议次数（以会议签到单为准）  (each: each costs 0.2)\n"
        "        hint: 以会议签到单为准\n",
        "  17.1  一般事故起数  (each: each costs 1, at most 4)\n",
        "  17.2  较大事故起数  (any: any at all costs the item's 5 points)\n",
        "  17.3  重大事故起数  (veto: any at all costs the item's 5 points and vetoes the unit "
        "(一票否决))\n",
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(lines); i++)
        if (!strstr(buf, lines[i]))
            fail_msg("description lacks \"%s\":\n%s", lines[i], buf);
    /* Content is wrapped: no line wider than 76 columns, every word kept. */
    for (char *p = buf; *p;) {
        char *e = strchr(p, '\n');
        *e = '\0';
        if (strncmp(p, "    ", 4) == 0)
            assert_true(kh_display_width(p) <= 76);
        p = e + 1;
    }
    free(buf);
    kh_rubric_free(r);
    kh_diags_clear(&d);
}

static void kind_names(void **state)
{
    (void)state;
    static const char *const want[] = {"has", "count", "each", "any", "veto"};
    for (int k = KH_KIND_HAS; k <= KH_KIND_VETO; k++)
        assert_string_equal(kh_kind_name((kh_kind)k), want[k]);
}

/* ---- allocation failures ---- */

/* Every allocation of the loader may fail: each failure is a clean
 * KH_ERR_NOMEM with nothing leaked, and a run without failure succeeds. */
static void alloc_failures(void **state)
{
    (void)state;
    const char *texts[] = {META HDR ROWS, "id,bad id\ntitle,T\n" HDR "1,3,,1.1,,hass,,,,\n"};
    for (size_t t = 0; t < KH_ARRAY_LEN(texts); t++) {
        kh_sheet *s = sheet_from_text(texts[t]);
        long n, nomem = 0;
        for (n = 0;; n++) {
            kh_diags d = {0};
            kh_rubric *r = NULL;
            test_alloc_start(n);
            kh_status st = kh_rubric_from_sheet(s, "x.csv", false, &r, &d);
            kh_rubric_free(r);
            kh_diags_clear(&d);
            kh_set_allocator(NULL);
            assert_int_equal(test_alloc.live, 0);
            if (test_alloc.calls <= n) {
                assert_int_equal(st, t == 0 ? KH_OK : KH_ERR_RUBRIC);
                break;
            }
            assert_true(st == KH_ERR_NOMEM || st == (t == 0 ? KH_OK : KH_ERR_RUBRIC));
            nomem += st == KH_ERR_NOMEM;
        }
        assert_true(n > 10);
        assert_true(nomem > 0); /* the failures did reach the loader */
        kh_sheet_free(s);
    }
}

/* Grade bands and quotas as the rubric writes them: ";" or "；", >= or ≥,
 * bounds kept exactly, the quota on its band. */
static void grades_parsed(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_rubric *r = NULL;
    assert_int_equal(load_text(META "year,2021\ngrades,优秀>=2.5；良好 ≥ 2;不合格\nquota,优秀<=30%\n"
                               HDR ROWS, "good.csv", false, &r, &d),
                     KH_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(r->year, "2021");
    assert_int_equal(r->ngrades, 3);
    assert_string_equal(r->grades[0].name, "优秀");
    assert_dec(r->grades[0].min, "2.5");
    assert_true(r->grades[0].has_quota);
    assert_int_equal(r->grades[0].quota, 30);
    assert_string_equal(r->grades[1].name, "良好");
    assert_dec(r->grades[1].min, "2");
    assert_false(r->grades[1].has_quota);
    assert_string_equal(r->grades[2].name, "不合格");
    kh_rubric_free(r);
}

/* issuer (制表单位) is kept as written; the district is the title's text
 * before the year; the name people read is the unit type. */
static void issuer_and_district(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_rubric *r = NULL;
    assert_int_equal(load_text("id,t1\ntitle,临桂区2020年度乡（镇）考核细则\nunit_type,乡镇\n"
                               "total,3\nyear,2020\nissuer, 临桂区安全生产委员会办公室 \n" HDR ROWS,
                               "good.csv", false, &r, &d),
                     KH_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(r->issuer, "临桂区安全生产委员会办公室");
    char *district = kh_rubric_district(r);
    assert_string_equal(district, "临桂区");
    kh_free(district);
    assert_string_equal(kh_rubric_name(r), "乡镇");
    kh_rubric_free(r);
    /* No issuer; a title that starts with the year names no district. */
    assert_int_equal(load_text("id,t1\ntitle,2020年度考核细则\nunit_type,乡镇\ntotal,3\nyear,2020\n"
                               HDR ROWS, "good.csv", false, &r, &d),
                     KH_OK);
    assert_null(r->issuer);
    district = kh_rubric_district(r);
    assert_string_equal(district, "");
    kh_free(district);
    kh_rubric_free(r);
    /* Without a year row: the four digits before 年. */
    assert_int_equal(load_text("id,t1\ntitle,桂林市临桂区2021年安全考核\nunit_type,区直单位部门\n"
                               "total,3\n" HDR ROWS, "good.csv", false, &r, &d),
                     KH_OK);
    district = kh_rubric_district(r);
    assert_string_equal(district, "桂林市临桂区");
    kh_free(district);
    kh_rubric_free(r);
    /* A title with the year after words that name no place: none. */
    assert_int_equal(load_text("id,t1\ntitle,关于印发2020年度考核细则的通知，附件\nunit_type,乡镇\n"
                               "total,3\nyear,2020\n" HDR ROWS, "good.csv", false, &r, &d),
                     KH_OK);
    district = kh_rubric_district(r);
    assert_string_equal(district, "");
    kh_free(district);
    kh_rubric_free(r);
    /* The shipped township rubric. */
    assert_int_equal(kh_rubric_load(RUBRICS "/lingui-2020-township.csv", &r, &d), KH_OK);
    district = kh_rubric_district(r);
    assert_string_equal(district, "临桂区");
    kh_free(district);
    kh_rubric_free(r);
    kh_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_township),
        cmocka_unit_test(shipped_department),
        cmocka_unit_test(bad_rubrics),
        cmocka_unit_test(good_small),
        cmocka_unit_test(many_problems),
        cmocka_unit_test(files),
        cmocka_unit_test(xlsx_form),
        cmocka_unit_test(grades_parsed),
        cmocka_unit_test(issuer_and_district),
        cmocka_unit_test(registry),
        cmocka_unit_test(describe),
        cmocka_unit_test(kind_names),
        cmocka_unit_test(alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
