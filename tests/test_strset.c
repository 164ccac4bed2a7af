/* test_strset.c - the set of strings the rubric loader (duplicate item
 * numbers and check ids) and the scoresheet writer (file names, ASCII case
 * ignored) share: lookups by span, folding, growth, allocation failure. */
#include "testutil.h"
#include "strset.h"

static void exact_and_spans(void **state)
{
    (void)state;
    kh_strset s = {0};
    assert_null(kh_strset_find(&s, "1.1", 3));
    assert_true(kh_strset_add(&s, "1.1", 7));
    assert_true(kh_strset_add(&s, "1.10", 8));
    /* A span of a longer text: "1.1" of "1.1x", not "1.10". */
    size_t *v = kh_strset_find(&s, "1.1x", 3);
    assert_non_null(v);
    assert_int_equal(*v, 7);
    assert_int_equal(*kh_strset_find(&s, "1.10", 4), 8);
    assert_null(kh_strset_find(&s, "1.100", 5));
    assert_null(kh_strset_find(&s, "1.", 2));
    /* Case counts without fold. */
    assert_true(kh_strset_add(&s, "A-1", 1));
    assert_null(kh_strset_find(&s, "a-1", 3));
    *kh_strset_find(&s, "A-1", 3) += 1;
    assert_int_equal(*kh_strset_find(&s, "A-1", 3), 2);
    kh_strset_free(&s);
    assert_null(kh_strset_find(&s, "1.1", 3));
}

static void fold(void **state)
{
    (void)state;
    kh_strset s = {.fold = true};
    assert_true(kh_strset_add(&s, "Report.XLSX", 1));
    assert_non_null(kh_strset_find(&s, "report.xlsx", 11));
    assert_non_null(kh_strset_find(&s, "REPORT.xlsx", 11));
    /* Only ASCII letters fold. */
    assert_true(kh_strset_add(&s, "两江镇", 2));
    assert_non_null(kh_strset_find(&s, "两江镇", strlen("两江镇")));
    assert_null(kh_strset_find(&s, "Report.xlsx!", 12));
    assert_int_equal(kh_hash_bytes("AbC", 3, true), kh_hash_bytes("aBc", 3, true));
    assert_int_not_equal(kh_hash_bytes("AbC", 3, false), kh_hash_bytes("aBc", 3, false));
    kh_strset_free(&s);
}

/* Thousands of keys: the table grows and every key is still found with
 * its own value. */
static void growth(void **state)
{
    (void)state;
    enum { N = 5000 };
    static char keys[N][16];
    kh_strset s = {0};
    for (size_t i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "%zu.%zu", i / 7, i % 7);
        assert_true(kh_strset_add(&s, keys[i], i));
    }
    assert_int_equal(s.n, N);
    assert_true(s.cap >= 2 * N);
    for (size_t i = 0; i < N; i++) {
        size_t *v = kh_strset_find(&s, keys[i], strlen(keys[i]));
        assert_non_null(v);
        assert_int_equal(*v, i);
    }
    assert_null(kh_strset_find(&s, "9999.9", 6));
    kh_strset_free(&s);
}

/* A failed growth leaves the set as it was. */
static void allocation_failure(void **state)
{
    (void)state;
    static char keys[40][8];
    kh_strset s = {0};
    for (size_t i = 0; i < 32; i++) {
        snprintf(keys[i], sizeof keys[i], "k%zu", i);
        assert_true(kh_strset_add(&s, keys[i], i));
    }
    snprintf(keys[32], sizeof keys[32], "k32");
    test_alloc_start(0);
    bool added = kh_strset_add(&s, keys[32], 32);
    kh_set_allocator(NULL);
    assert_false(added);
    assert_int_equal(s.n, 32);
    assert_null(kh_strset_find(&s, "k32", 3));
    assert_int_equal(*kh_strset_find(&s, "k31", 3), 31);
    assert_true(kh_strset_add(&s, keys[32], 32));
    assert_int_equal(*kh_strset_find(&s, "k32", 3), 32);
    kh_strset_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_and_spans),
        cmocka_unit_test(fold),
        cmocka_unit_test(growth),
        cmocka_unit_test(allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
