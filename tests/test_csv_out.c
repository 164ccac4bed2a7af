/* test_csv_out.c - CSV output: quoting, neutralising, lost memory reported. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting_and_neutralising),
        cmocka_unit_test(lost_memory_is_reported_and_keeps_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
