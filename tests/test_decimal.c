/* test_decimal.c - exact decimals: parsing, shortest printing, checked
 * arithmetic, places. */
#include "testutil.h"
#include "decimal.h"

static void parse_accepts(void **state)
{
    (void)state;
    static const struct { const char *text; kh_dec v; } cases[] = {
        {"12", 120000},
        {"0.02", 200},
        {"-1.5", -15000},
        {"+3", 30000},
        {".5", 5000},
        {"-.5", -5000},
        {"3.", 30000},
        {"1.50000", 15000},
        {"0.0001", 1},
        {"-0", 0},
        {"0", 0},
        {"007.25", 72500},
        {"40", 400000},
        {"1.2340000000000000000000000", 12340},
        /* The extremes of the range: INT64_MAX and INT64_MIN ten-thousandths. */
        {"922337203685477.5807", INT64_MAX},
        {"-922337203685477.5807", -INT64_MAX},
        {"-922337203685477.5808", INT64_MIN},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        kh_dec v = 12345;
        if (!kh_dec_parse(cases[i].text, &v))
            fail_msg("\"%s\" was rejected", cases[i].text);
        if (v != cases[i].v)
            fail_msg("\"%s\" parsed as %lld, want %lld", cases[i].text, (long long)v,
                     (long long)cases[i].v);
    }
}

static void parse_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "1.23456", "1e3", "", "-", "+", ".", "-.", "1..2", " 1", "1 ", "1,5",
        "0x10", "１", "1.2.3", "--1", "+-1", "1-", "nan", "inf",
        "9223372036854775808",          /* INT64_MAX + 1 as a whole number */
        "9223372036854775807",          /* fits int64, not as ten-thousandths */
        "922337203685478",              /* whole part one past the limit */
        "922337203685477.5808",         /* INT64_MAX + 1 ten-thousandths */
        "-922337203685477.5809",        /* INT64_MIN - 1 */
        "99999999999999999999999999",
        "0.00001",
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(bad); i++) {
        kh_dec v = 777;
        if (kh_dec_parse(bad[i], &v))
            fail_msg("\"%s\" was accepted as %lld", bad[i], (long long)v);
        assert_int_equal(v, 777); /* untouched on failure */
    }
}

static void parse_n_stops_at_len(void **state)
{
    (void)state;
    kh_dec v;
    assert_true(kh_dec_parse_n("2.94xyz", 4, &v));
    assert_int_equal(v, 29400);
    assert_false(kh_dec_parse_n("2.94xyz", 5, &v));
    assert_false(kh_dec_parse_n("2", 0, &v));
}

static void format_shortest(void **state)
{
    (void)state;
    static const struct { kh_dec v; const char *text; } cases[] = {
        {400000, "40"},
        {386000, "38.6"},
        {600, "0.06"},
        {29400, "2.94"},
        {-5000, "-0.5"},
        {0, "0"},
        {1, "0.0001"},
        {-1, "-0.0001"},
        {27600, "2.76"},
        {100010, "10.001"},
        {INT64_MAX, "922337203685477.5807"},
        {INT64_MIN, "-922337203685477.5808"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        char buf[KH_DEC_BUFSZ];
        assert_string_equal(kh_dec_format(cases[i].v, buf), cases[i].text);
        /* Printing and parsing back is exact. */
        kh_dec back;
        assert_true(kh_dec_parse(buf, &back));
        assert_int_equal(back, cases[i].v);
    }
}

/* doc/formats.md's example: 0.2 − 7 × 0.02 is 0.06, never 0.06000000000000005. */
static void exact_arithmetic(void **state)
{
    (void)state;
    kh_dec points, per, d, r;
    assert_true(kh_dec_parse("0.2", &points));
    assert_true(kh_dec_parse("0.02", &per));
    assert_true(kh_dec_mul_int(per, 7, &d));
    assert_true(kh_dec_sub(points, d, &r));
    char buf[KH_DEC_BUFSZ];
    assert_string_equal(kh_dec_format(r, buf), "0.06");
    assert_int_equal(r, 600);
    /* 3 − 0.06 − 0.04 − 0.1 − 0.04 = 2.76 */
    kh_dec t = KH_DEC_INT(3);
    static const char *const ded[] = {"0.06", "0.04", "0.1", "0.04"};
    for (size_t i = 0; i < KH_ARRAY_LEN(ded); i++) {
        assert_true(kh_dec_parse(ded[i], &d));
        assert_true(kh_dec_sub(t, d, &t));
    }
    assert_string_equal(kh_dec_format(t, buf), "2.76");
    /* Ten times 0.1 is exactly 1. */
    kh_dec s = 0;
    for (int i = 0; i < 10; i++)
        assert_true(kh_dec_add(s, 1000, &s));
    assert_int_equal(s, KH_DEC_INT(1));
}

static void overflow_detected(void **state)
{
    (void)state;
    kh_dec r = 42;
    assert_true(kh_dec_add(INT64_MAX - 1, 1, &r));
    assert_int_equal(r, INT64_MAX);
    assert_false(kh_dec_add(INT64_MAX, 1, &r));
    assert_false(kh_dec_add(INT64_MIN, -1, &r));
    assert_true(kh_dec_add(INT64_MAX, INT64_MIN, &r));
    assert_int_equal(r, -1);

    assert_true(kh_dec_sub(INT64_MIN + 1, 1, &r));
    assert_int_equal(r, INT64_MIN);
    assert_false(kh_dec_sub(INT64_MIN, 1, &r));
    assert_false(kh_dec_sub(0, INT64_MIN, &r));
    assert_false(kh_dec_sub(INT64_MAX, -1, &r));

    assert_true(kh_dec_mul_int(200, 7, &r));
    assert_int_equal(r, 1400);
    assert_true(kh_dec_mul_int(200, 0, &r));
    assert_int_equal(r, 0);
    assert_true(kh_dec_mul_int(KH_DEC_INT(1), INT64_MAX / KH_DEC_SCALE, &r));
    assert_false(kh_dec_mul_int(KH_DEC_INT(1), INT64_MAX / KH_DEC_SCALE + 1, &r));
    assert_false(kh_dec_mul_int(2, INT64_MAX, &r));
    assert_false(kh_dec_mul_int(-1, INT64_MIN, &r));
    assert_false(kh_dec_mul_int(INT64_MIN, -1, &r));
}

static void places(void **state)
{
    (void)state;
    static const struct { kh_dec v; int places; } cases[] = {
        {0, 0}, {KH_DEC_INT(40), 0}, {386000, 1}, {600, 2}, {29400, 2},
        {-5000, 1}, {1, 4}, {10010, 3}, {-1, 4}, {INT64_MAX, 4}, {INT64_MIN, 4},
        {KH_DEC_INT(-922337203685477), 0},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        if (kh_dec_places(cases[i].v) != cases[i].places)
            fail_msg("kh_dec_places(%lld) = %d, want %d", (long long)cases[i].v,
                     kh_dec_places(cases[i].v), cases[i].places);
    }
    assert_true(kh_dec_is_int(KH_DEC_INT(3)));
    assert_false(kh_dec_is_int(29400));
    assert_int_equal(kh_dec_min(1, 2), 1);
    assert_int_equal(kh_dec_max(1, 2), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_accepts),
        cmocka_unit_test(parse_rejects),
        cmocka_unit_test(parse_n_stops_at_len),
        cmocka_unit_test(format_shortest),
        cmocka_unit_test(exact_arithmetic),
        cmocka_unit_test(overflow_detected),
        cmocka_unit_test(places),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
