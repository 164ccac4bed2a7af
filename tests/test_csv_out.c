/* test_csv_out.c - CSV output: quoting, neutralising, lost memory
 * reported; the result CSV's header in the office's words. */
#include "testutil.h"
#include "csv_out.h"

static char *field(const char *s, bool *ok)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *ok = kh_csv_field(f, s, true);
    kh_csv_field(f, "x", false);
    fclose(f);
    return buf;
}

static void quoting_and_neutralising(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"两江镇", "\"两江镇\",\"x\""},
        {"a\"b", "\"a\"\"b\",\"x\""},
        {"=1+1", "\"'=1+1\",\"x\""},
        {"+1", "\"'+1\",\"x\""},
        {"-2", "\"'-2\",\"x\""},
        {"@SUM(A1)", "\"'@SUM(A1)\",\"x\""},
        {"\tx", "\"'\tx\",\"x\""},
        {"ab\xff", "\"ab\xef\xbf\xbd\",\"x\""},
        {NULL, "\"\",\"x\""},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        bool ok;
        char *got = field(cases[i].in, &ok);
        assert_true(ok);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

static int budget;
static void *failing_malloc(size_t n) { return budget-- > 0 ? malloc(n) : NULL; }
static void *failing_realloc(void *p, size_t n) { return budget-- > 0 ? realloc(p, n) : NULL; }

/* Regression: out of memory while neutralising wrote nothing at all, so
 * every later column of the row moved one to the left, silently. */
static void lost_memory_is_reported_and_keeps_columns(void **state)
{
    (void)state;
    static const kh_allocator failing = {failing_malloc, failing_realloc, free};
    budget = 0;
    kh_set_allocator(&failing);
    bool ok;
    char *got = field("=1+1", &ok);
    kh_set_allocator(NULL);
    assert_false(ok);
    assert_string_equal(got, ",\"x\"");
    free(got);
}

/* The result CSV of samples/五通镇.csv (vetoed, 34) with header h, and
 * with grade bands when bands is not NULL. */
static char *result_csv_graded(kh_csv_header h, bool plain, const char *bands)
{
    kh_registry *reg = kh_registry_new();
    kh_diags d = {0};
    assert_int_equal(kh_registry_load_file(reg, "templates/rubrics/lingui-2020-township.csv", &d),
                     KH_OK);
    kh_batch *b = kh_batch_new(reg, NULL);
    if (bands)
        assert_int_equal(kh_batch_set_grades(b, NULL, bands, NULL, &d), KH_OK);
    assert_int_equal(kh_batch_add(b, "samples/五通镇.csv", &d), KH_OK);
    assert_int_equal(kh_batch_finish(b), KH_OK);
    assert_int_equal(kh_batch_unit_count(b), 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(plain ? kh_batch_write_csv(b, f) : kh_batch_write_csv_as(b, h, f), KH_OK);
    fclose(f);
    kh_batch_free(b);
    kh_registry_free(reg);
    kh_diags_clear(&d);
    return buf;
}

static char *result_csv(kh_csv_header h, bool plain) { return result_csv_graded(h, plain, NULL); }

/* Chinese column names after a BOM (Excel and WPS read UTF-8), by default
 * and as the page offers it; the English names for scripts, no BOM. */
static void result_header(void **state)
{
    (void)state;
    static const char zh[] = "\xEF\xBB\xBF\"被考核单位\",\"考核细则\",\"单位类型\",\"来源文件\",\"工作表\","
                             "\"考核项目\",\"分值\",\"扣分\",\"得分\",\"扣分原因\",\"合计得分\",\"结果\"\r\n"
                             "\"五通镇\",\"lingui-2020-township\",\"乡镇\",\"samples/五通镇.csv\",\"\","
                             "\"1\",\"3\",\"0\",\"3\",\"\",\"34\",\"一票否决\"\r\n";
    static const char en[] = "\"unit\",\"rubric\",\"unit_type\",\"source\",\"sheet\",\"item\","
                             "\"points\",\"deduction\",\"score\",\"reason\",\"total\",\"result\"\r\n"
                             "\"五通镇\",";
    char *got = result_csv(KH_CSV_HEADER_ZH, true);
    assert_memory_equal(got, zh, strlen(zh));
    free(got);
    got = result_csv(KH_CSV_HEADER_ZH, false);
    assert_memory_equal(got, zh, strlen(zh));
    free(got);
    got = result_csv(KH_CSV_HEADER_EN, false);
    assert_memory_equal(got, en, strlen(en));
    free(got);
}

/* With grade bands, 等次 is the last column (a vetoed unit's is the last
 * band), as on the page and in the ranking; "grade" in English. */
static void grade_column(void **state)
{
    (void)state;
    static const char zh[] = "\xEF\xBB\xBF\"被考核单位\",\"考核细则\",\"单位类型\",\"来源文件\",\"工作表\","
                             "\"考核项目\",\"分值\",\"扣分\",\"得分\",\"扣分原因\",\"合计得分\",\"结果\",\"等次\"\r\n"
                             "\"五通镇\",\"lingui-2020-township\",\"乡镇\",\"samples/五通镇.csv\",\"\","
                             "\"1\",\"3\",\"0\",\"3\",\"\",\"34\",\"一票否决\",\"不合格\"\r\n";
    char *got = result_csv_graded(KH_CSV_HEADER_ZH, true, "优秀>=38;合格>=30;不合格");
    assert_memory_equal(got, zh, strlen(zh));
    free(got);
    got = result_csv_graded(KH_CSV_HEADER_EN, false, "优秀>=38;合格>=30;不合格");
    assert_non_null(strstr(got, "\"result\",\"grade\"\r\n"));
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting_and_neutralising),
        cmocka_unit_test(lost_memory_is_reported_and_keeps_columns),
        cmocka_unit_test(result_header),
        cmocka_unit_test(grade_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
