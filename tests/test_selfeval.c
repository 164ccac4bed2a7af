/* test_selfeval.c - 自评 beside 考评 (kh_batch_add_self): matching by
 * (rubric, unit), the differences item by item and check point by check
 * point, the scoresheet's 自评与考评 sheet and CSV table, the ranking's
 * 自评得分 and 差 columns, the JSON's "self", "self_rejected" and
 * "self_unmatched", a 自评 that does not pass or is given twice never
 * rejecting the unit's 考评, and outputs refused over a 自评 input.
 *
 * Every expected number is worked out by hand from the shipped township
 * rubric (lingui-2020-township, 40 points):
 *   考评 两江镇: 1.6 1.7 无 (0.5 each, item 1: 3 → 2), 3.1 = 1 of 2
 *        (0.2, item 3: 2 → 1.8), 17.1 = 1 一般事故 (1, item 17: 5 → 4):
 *        40 − 1 − 0.2 − 1 = 37.8
 *   自评 两江镇: everything perfect but 12.3 无 (0.5, item 12: 3 → 2.5):
 *        39.5
 *   差 (考评 − 自评) = 37.8 − 39.5 = −1.7; item 1: −1, item 3: −0.2,
 *        item 12: +0.5, item 17: −1; check points 1.6: −0.5, 3.1: −0.2,
 *        12.3: +0.5, 17.1: −1, 1.1: 0
 *   考评 临桂镇: perfect, 40, no 自评; 自评 五通镇: no 考评 (unmatched). */
#include "testutil.h"
#include "batch.h"
#include "csv_in.h"
#include "rubric.h"
#include "selfeval.h"
#include "sheet.h"

#include <cjson/cJSON.h>
#include <sys/stat.h>

#define RUBRICS "templates/rubrics"
#define TOWN "lingui-2020-township"

static int fx_setup(void **state)
{
    test_fx *f = test_fx_new("kh_self");
    if (!f)
        return -1;
    kh_diags d = {0};
    if (kh_registry_load_dir(f->reg, RUBRICS, &d) != KH_OK) {
        test_print_diags(&d);
        return -1;
    }
    mkdir(pathf(f, "in"), 0777);
    mkdir(pathf(f, "self"), 0777);
    mkdir(pathf(f, "out"), 0777);
    *state = f;
    return 0;
}

typedef struct res {
    const char *id, *result;
} res;

/* A CSV checklist of the township rubric: every check point perfect (有,
 * the count needed, 0) but those of over (ended by a NULL id). */
static void write_checklist(test_fx *f, const char *file, const char *unit, const res *over)
{
    const kh_rubric *r = kh_registry_find(f->reg, TOWN);
    assert_non_null(r);
    kh_buf b = {0};
    kh_buf_printf(&b, "考核细则,%s\n被考核单位,%s\n考核年度,2020\n\n", TOWN, unit);
    kh_buf_puts(&b, "检查点,检查要点,检查结果,备注\n");
    for (size_t i = 0; i < r->ncps; i++) {
        const kh_checkpoint *cp = &r->cps[i];
        char perfect[32];
        if (cp->kind == KH_KIND_HAS)
            strcpy(perfect, "有");
        else
            snprintf(perfect, sizeof perfect, "%lld",
                     cp->kind == KH_KIND_COUNT ? (long long)cp->need : 0LL);
        const char *result = perfect;
        for (const res *o = over; o && o->id; o++)
            if (strcmp(o->id, cp->id) == 0)
                result = o->result;
        kh_buf_printf(&b, "%s,", cp->id);
        test_csv_field(&b, cp->label);
        kh_buf_printf(&b, ",%s,\n", result);
    }
    test_write_file(pathf(f, file), kh_buf_str(&b));
    kh_buf_free(&b);
}

static const res reviewed_ljz[] = {{"1.6", "无"}, {"1.7", "无"}, {"3.1", "1"}, {"17.1", "1"},
                                   {NULL, NULL}};
static const res self_ljz[] = {{"12.3", "无"}, {NULL, NULL}};

/* The standard batch: 考评 两江镇 and 临桂镇; 自评 两江镇, 五通镇 and a
 * 自评 that does not pass (1.3 也许). */
static void standard(test_fx *f, bool keep_checks)
{
    write_checklist(f, "in/两江镇.csv", "两江镇", reviewed_ljz);
    write_checklist(f, "in/临桂镇.csv", "临桂镇", NULL);
    write_checklist(f, "self/两江镇.csv", "两江镇", self_ljz);
    write_checklist(f, "self/五通镇.csv", "五通镇", NULL);
    const res bad[] = {{"1.3", "也许"}, {NULL, NULL}};
    write_checklist(f, "self/坏.csv", "六塘镇", bad);
    kh_options o = {.keep_checks = keep_checks};
    f->b = kh_batch_new(f->reg, &o);
    assert_non_null(f->b);
    test_fx_add(f, "in");
    assert_int_equal(kh_batch_add_self(f->b, pathf(f, "self"), &f->notes), KH_OK);
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    assert_int_equal(kh_batch_unit_count(f->b), 2);
    assert_int_equal(kh_batch_rejected_count(f->b), 0);
}

static const kh_unit *unit_named(const kh_batch *b, const char *name)
{
    for (size_t i = 0; i < b->nunits; i++)
        if (strcmp(b->units[i]->cl->unit, name) == 0)
            return b->units[i];
    fail_msg("no unit %s", name);
    return NULL;
}

static const char *dec(kh_dec v, char *num) { return kh_dec_format(v, num); }

static long cp_of(const kh_unit *u, const char *id)
{
    long j = kh_rubric_find_cp(u->cl->rubric, id);
    assert_true(j >= 0);
    return j;
}

static void test_match_and_differences(void **state)
{
    test_fx *f = *state;
    standard(f, true);
    char num[KH_DEC_BUFSZ], t[64];
    const kh_unit *u = unit_named(f->b, "两江镇");
    assert_non_null(u->self);
    assert_string_equal(dec(u->total, num), "37.8");
    assert_string_equal(dec(u->self->total, num), "39.5");
    assert_string_equal(dec(kh_self_total_diff(u), num), "-1.7");
    /* items 1, 3, 12, 17 (0-based 0, 2, 11, 16) */
    assert_string_equal(dec(kh_self_item_diff(u, 0), num), "-1");
    assert_string_equal(dec(kh_self_item_diff(u, 2), num), "-0.2");
    assert_string_equal(dec(kh_self_item_diff(u, 11), num), "0.5");
    assert_string_equal(dec(kh_self_item_diff(u, 16), num), "-1");
    assert_string_equal(dec(kh_self_item_diff(u, 1), num), "0");
    assert_string_equal(dec(kh_self_cp_diff(u, cp_of(u, "1.6")), num), "-0.5");
    assert_string_equal(dec(kh_self_cp_diff(u, cp_of(u, "3.1")), num), "-0.2");
    assert_string_equal(dec(kh_self_cp_diff(u, cp_of(u, "12.3")), num), "0.5");
    assert_string_equal(dec(kh_self_cp_diff(u, cp_of(u, "17.1")), num), "-1");
    assert_string_equal(dec(kh_self_cp_diff(u, cp_of(u, "1.1")), num), "0");
    assert_string_equal(kh_unit_cp_text(u, cp_of(u, "1.6"), t, sizeof t), "无（扣0.5分）");
    assert_string_equal(kh_unit_cp_text(u->self, cp_of(u, "1.6"), t, sizeof t), "有");
    assert_string_equal(kh_unit_cp_text(u, cp_of(u, "3.1"), t, sizeof t), "1（扣0.2分）");
    assert_string_equal(kh_unit_cp_text(u->self, cp_of(u, "3.1"), t, sizeof t), "2");
    assert_string_equal(kh_unit_cp_text(u, cp_of(u, "17.1"), t, sizeof t), "1（扣1分）");
    assert_string_equal(kh_unit_cp_text(u->self, cp_of(u, "12.3"), t, sizeof t),
                        "无（扣0.5分）");
    /* The ranking is the 考评's: 临桂镇 40 first, 两江镇 second. */
    const kh_unit *l = unit_named(f->b, "临桂镇");
    assert_null(l->self);
    assert_int_equal(l->rank, 1);
    assert_int_equal(u->rank, 2);
    char total[32];
    assert_true(kh_batch_self_total(f->b, TOWN, "两江镇", total));
    assert_string_equal(total, "39.5");
    assert_false(kh_batch_self_total(f->b, TOWN, "临桂镇", total));
    /* 五通镇's 自评 has no 考评; 六塘镇's did not pass. */
    assert_int_equal(kh_batch_self_unmatched_count(f->b), 1);
    const char *unit, *rubric, *source;
    kh_batch_self_unmatched_at(f->b, 0, &unit, &rubric, &source);
    assert_string_equal(unit, "五通镇");
    assert_string_equal(rubric, TOWN);
    assert_string_equal(source, pathf(f, "self/五通镇.csv"));
    assert_int_equal(kh_batch_self_rejected_count(f->b), 1);
    const kh_diags *e = kh_batch_self_errors(f->b);
    assert_int_equal(e->n, 1);
    assert_non_null(strstr(e->v[0].msg, "也许"));
}

/* Without kept results (kh_options.keep_checks false) the 考评 side says
 * what a check point cost only; the 自评 keeps its answers regardless. */
static void test_text_without_results(void **state)
{
    test_fx *f = *state;
    standard(f, false);
    char t[64];
    const kh_unit *u = unit_named(f->b, "两江镇");
    assert_null(u->checks);
    assert_non_null(u->self->checks);
    assert_string_equal(kh_unit_cp_text(u, cp_of(u, "1.6"), t, sizeof t), "扣0.5分");
    assert_string_equal(kh_unit_cp_text(u, cp_of(u, "1.1"), t, sizeof t), "不扣分");
    assert_string_equal(kh_unit_cp_text(u->self, cp_of(u, "1.6"), t, sizeof t), "有");
}

/* A unit's 自评 given twice: both rejected (as two 考评 would be), and
 * the unit's 考评 is still scored, without a 自评. */
static void test_self_twice(void **state)
{
    test_fx *f = *state;
    write_checklist(f, "in/两江镇.csv", "两江镇", reviewed_ljz);
    write_checklist(f, "self/a.csv", "两江镇", self_ljz);
    write_checklist(f, "self/b.csv", "两江镇", NULL);
    test_fx_add(f, "in");
    assert_int_equal(kh_batch_add_self(f->b, pathf(f, "self"), &f->notes), KH_OK);
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    assert_int_equal(kh_batch_unit_count(f->b), 1);
    assert_int_equal(kh_batch_rejected_count(f->b), 0);
    assert_null(f->b->units[0]->self);
    assert_int_equal(kh_batch_self_rejected_count(f->b), 2);
    assert_false(kh_batch_has_self(f->b));
}

/* The JSON document: "self" per unit (null without one), both lists. */
static void test_json(void **state)
{
    test_fx *f = *state;
    standard(f, true);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_non_null(m);
    assert_int_equal(kh_batch_write_json(f->b, true, m), KH_OK);
    fclose(m);
    cJSON *doc = cJSON_Parse(text);
    if (!doc)
        fail_msg("invalid JSON: %s", text);
    cJSON *units = cJSON_GetObjectItem(doc, "units");
    assert_int_equal(cJSON_GetArraySize(units), 2);
    cJSON *first = cJSON_GetArrayItem(units, 0), *second = cJSON_GetArrayItem(units, 1);
    assert_string_equal(cJSON_GetObjectItem(first, "unit")->valuestring, "临桂镇");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(first, "self")));
    assert_string_equal(cJSON_GetObjectItem(second, "total")->valuestring, "37.8");
    cJSON *s = cJSON_GetObjectItem(second, "self");
    assert_true(cJSON_IsObject(s));
    assert_string_equal(cJSON_GetObjectItem(s, "total")->valuestring, "39.5");
    assert_string_equal(cJSON_GetObjectItem(s, "diff")->valuestring, "-1.7");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(s, "vetoed")));
    cJSON *item12 = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "items"), 11);
    assert_string_equal(cJSON_GetObjectItem(item12, "item")->valuestring, "12");
    assert_string_equal(cJSON_GetObjectItem(item12, "score")->valuestring, "2.5");
    assert_string_equal(cJSON_GetObjectItem(item12, "diff")->valuestring, "0.5");
    cJSON *checks = cJSON_GetObjectItem(s, "checks"), *c;
    int seen = 0;
    cJSON_ArrayForEach(c, checks)
    {
        const char *id = cJSON_GetObjectItem(c, "check")->valuestring;
        if (strcmp(id, "1.6") == 0) {
            assert_string_equal(cJSON_GetObjectItem(c, "result")->valuestring, "有");
            assert_string_equal(cJSON_GetObjectItem(c, "deduction")->valuestring, "0");
            assert_string_equal(cJSON_GetObjectItem(c, "reviewed")->valuestring, "无");
            assert_string_equal(cJSON_GetObjectItem(c, "reviewed_deduction")->valuestring, "0.5");
            assert_string_equal(cJSON_GetObjectItem(c, "diff")->valuestring, "-0.5");
            seen++;
        } else if (strcmp(id, "3.1") == 0) {
            assert_int_equal(cJSON_GetObjectItem(c, "result")->valueint, 2);
            assert_int_equal(cJSON_GetObjectItem(c, "reviewed")->valueint, 1);
            assert_string_equal(cJSON_GetObjectItem(c, "diff")->valuestring, "-0.2");
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    assert_int_equal(cJSON_GetArraySize(checks), (int)kh_registry_find(f->reg, TOWN)->ncps);
    cJSON *rej = cJSON_GetObjectItem(doc, "self_rejected");
    assert_int_equal(cJSON_GetArraySize(rej), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(rej, 0), "unit")->valuestring,
                        "六塘镇");
    cJSON *un = cJSON_GetObjectItem(doc, "self_unmatched");
    assert_int_equal(cJSON_GetArraySize(un), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(un, 0), "unit")->valuestring,
                        "五通镇");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(un, 0), "total")->valuestring,
                        "40");
    cJSON_Delete(doc);
    free(text);
}

/* Without kh_batch_add_self the JSON is as before: no "self" anywhere. */
static void test_json_without_self(void **state)
{
    test_fx *f = *state;
    write_checklist(f, "in/两江镇.csv", "两江镇", reviewed_ljz);
    test_fx_add(f, "in");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_int_equal(kh_batch_write_json(f->b, true, m), KH_OK);
    fclose(m);
    assert_null(strstr(text, "\"self"));
    free(text);
}

/* The ranking sheet: 自评得分 and 差 after 合计得分. */
static void test_ranking_columns(void **state)
{
    test_fx *f = *state;
    standard(f, true);
    kh_diags d = {0};
    const char *path = pathf(f, "out/排名.xlsx");
    assert_int_equal(kh_write_ranking(f->b, path, &d), KH_OK);
    test_rbook bk;
    test_rbook_read(path, &bk);
    const test_rsheet *s = &bk.s[0];
    /* 名次, 被考核单位, 17 items (C..S), 合计得分 T, 自评得分 U, 差 V, 结果 W */
    assert_cell(s, "T3", "合计得分");
    assert_cell(s, "U3", "自评得分");
    assert_cell(s, "V3", "差\n（考评−自评）");
    assert_cell(s, "W3", "结果");
    assert_cell(s, "B4", "临桂镇");
    assert_cell(s, "U4", "未自评");
    assert_cell(s, "W4", "正常");
    assert_cell(s, "B5", "两江镇");
    assert_cell(s, "A5", "2");
    assert_cell(s, "T5", "37.8");
    assert_cell_type(s, "U5", KH_CELL_NUMBER, "39.5");
    assert_cell_type(s, "V5", KH_CELL_NUMBER, "-1.7");
    assert_cell(s, "W5", "正常");
    test_rbook_free(&bk);
    kh_diags_clear(&d);
}

/* The scoresheet: 自评与考评 sheet, the 考核结果 line, the CSV table whose
 * negative 差 are numbers (not neutralised as formulas). */
static void test_scoresheet(void **state)
{
    test_fx *f = *state;
    standard(f, true);
    kh_diags d = {0};
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_XLSX | KH_FMT_CSV, 1, &d),
                     KH_OK);
    test_rbook bk;
    test_rbook_read(pathf(f, "out/两江镇.xlsx"), &bk);
    assert_int_equal(bk.n, 2);
    assert_cell(&bk.s[0], "A3", "考核结果：合计得分37.8分（满分40分）；自评39.5分");
    const test_rsheet *s = &bk.s[1];
    assert_string_equal(s->name, "自评与考评");
    assert_cell(s, "A1", "两江镇自评与考评对照");
    assert_cell(s, "A3", "序号");
    assert_cell(s, "F3", "差（考评−自评）");
    /* row 4: item 1; rows 5-11: 1.1-1.7 */
    assert_cell(s, "A4", "1");
    assert_cell(s, "B4", "传达学习");
    assert_cell(s, "C4", "3");
    assert_cell(s, "D4", "3");
    assert_cell(s, "E4", "2");
    assert_cell_type(s, "F4", KH_CELL_NUMBER, "-1");
    assert_cell(s, "A10", "1.6");
    assert_cell(s, "D10", "有");
    assert_cell(s, "E10", "无（扣0.5分）");
    assert_cell_type(s, "F10", KH_CELL_NUMBER, "-0.5");
    test_rbook_free(&bk);
    /* 临桂镇 has no 自评: one sheet, the line as before. */
    test_rbook_read(pathf(f, "out/临桂镇.xlsx"), &bk);
    assert_int_equal(bk.n, 1);
    assert_cell(&bk.s[0], "A3", "考核结果：合计得分40分（满分40分）");
    test_rbook_free(&bk);

    char *csv = test_slurp(pathf(f, "out/两江镇.csv"), NULL);
    assert_non_null(strstr(csv, "\"1.6\",\"图片\",\"\",\"有\",\"无（扣0.5分）\",\"-0.5\"\r\n"));
    assert_non_null(strstr(csv, "\"12\",\"安全生产月\",\"3\",\"2.5\",\"3\",\"0.5\"\r\n"));
    assert_non_null(strstr(csv, "\"合计得分\",\"\",\"40\",\"39.5\",\"37.8\",\"-1.7\"\r\n"));
    free(csv);
    kh_diags_clear(&d);
}

/* An output over a 自评 input is refused like one over an input. */
static void test_output_over_self_refused(void **state)
{
    test_fx *f = *state;
    standard(f, true);
    kh_diags d = {0};
    assert_true(kh_batch_is_input(f->b, pathf(f, "self/两江镇.csv")));
    assert_int_equal(kh_write_json_file(f->b, true, pathf(f, "self/两江镇.csv"), &d),
                     KH_ERR_USAGE);
    char *text = test_slurp(pathf(f, "self/两江镇.csv"), NULL);
    assert_non_null(strstr(text, "考核细则"));
    free(text);
    kh_diags_clear(&d);
}

/* A vetoed 考评 beside a clean 自评: 结果 row in the comparison. */
static void test_veto_row(void **state)
{
    test_fx *f = *state;
    const res veto[] = {{"17.3", "1"}, {NULL, NULL}};
    write_checklist(f, "in/两江镇.csv", "两江镇", veto);
    write_checklist(f, "self/两江镇.csv", "两江镇", NULL);
    test_fx_add(f, "in");
    assert_int_equal(kh_batch_add_self(f->b, pathf(f, "self"), &f->notes), KH_OK);
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    const kh_unit *u = f->b->units[0];
    assert_true(u->vetoed);
    char num[KH_DEC_BUFSZ];
    /* 17.3 takes item 17's 5 points: 35, and the 自评 40. */
    assert_string_equal(dec(kh_self_total_diff(u), num), "-5");
    kh_diags d = {0};
    assert_int_equal(kh_write_scoresheets(f->b, pathf(f, "out"), KH_FMT_CSV, 1, &d), KH_OK);
    char *csv = test_slurp(pathf(f, "out/两江镇.csv"), NULL);
    assert_non_null(strstr(csv, "\"结果\",\"\",\"\",\"正常\",\"一票否决\"\r\n"));
    free(csv);
    kh_diags_clear(&d);
}

/* A scored unit handed over (the workspace's online 自评) is matched as
 * a file's would be; one of an unknown unit is unmatched. */
static void test_add_self_unit(void **state)
{
    test_fx *f = *state;
    write_checklist(f, "in/两江镇.csv", "两江镇", reviewed_ljz);
    write_checklist(f, "self/两江镇.csv", "两江镇", self_ljz);
    write_checklist(f, "self/五通镇.csv", "五通镇", NULL);
    test_fx_add(f, "in");
    /* Score the 自评 checklists in a batch of their own, then hand the
     * units over (kh_batch_add_self_unit takes them). */
    kh_batch *other = kh_batch_new(f->reg, NULL);
    assert_int_equal(kh_batch_add(other, pathf(f, "self"), &f->notes), KH_OK);
    assert_int_equal(other->nunits, 2);
    for (size_t i = 0; i < other->nunits; i++)
        assert_int_equal(kh_batch_add_self_unit(f->b, other->units[i]), KH_OK);
    other->nunits = 0;
    kh_batch_free(other);
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    const kh_unit *u = f->b->units[0];
    assert_non_null(u->self);
    char num[KH_DEC_BUFSZ];
    assert_string_equal(dec(kh_self_total_diff(u), num), "-1.7");
    assert_int_equal(kh_batch_self_unmatched_count(f->b), 1);
    const char *unit, *rubric, *source;
    kh_batch_self_unmatched_at(f->b, 0, &unit, &rubric, &source);
    assert_string_equal(unit, "五通镇");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_match_and_differences, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(test_text_without_results, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(test_self_twice, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(test_json, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(test_json_without_self, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(test_ranking_columns, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(test_scoresheet, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(test_output_over_self_refused, fx_setup,
                                        test_fx_teardown),
        cmocka_unit_test_setup_teardown(test_veto_row, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(test_add_self_unit, fx_setup, test_fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
