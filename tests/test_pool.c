/* test_pool.c - items worked on by several threads and finished in order
 * on the caller's thread: every item worked on once and finished once, in
 * order, whatever the number of threads; a stop ends the run; the workers
 * never run further ahead of the caller than the pool allows. */
#include "testutil.h"
#include "pool.h"

#include <stdatomic.h>
#include <time.h>

#define MAXN 1000

typedef struct counts {
    atomic_int worked[MAXN];
    int finished[MAXN];
    size_t next;           /* the item finish expects */
    size_t stop_at;        /* finish returns false for this item */
    atomic_size_t highest; /* highest item started + 1 */
    size_t highest_at_0;   /* highest when item 0 was finished */
    bool slow_first;       /* item 0 takes a while */
} counts;

static void work(void *ctx, size_t i)
{
    counts *c = ctx;
    size_t h = atomic_load(&c->highest);
    while (h < i + 1 && !atomic_compare_exchange_weak(&c->highest, &h, i + 1))
        ;
    if (i == 0 && c->slow_first) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    atomic_fetch_add(&c->worked[i], 1);
}

static bool finish(void *ctx, size_t i)
{
    counts *c = ctx;
    assert_int_equal(i, c->next);
    assert_int_equal(atomic_load(&c->worked[i]), 1);
    if (i == 0)
        c->highest_at_0 = atomic_load(&c->highest);
    c->finished[i]++;
    c->next++;
    return i != c->stop_at;
}

static counts *counts_new(void)
{
    counts *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->stop_at = SIZE_MAX;
    return c;
}

static void all_in_order(void **state)
{
    (void)state;
    static const unsigned jobs[] = {0, 1, 2, 3, 8};
    static const size_t sizes[] = {0, 1, 2, 5, 100, MAXN};
    for (size_t j = 0; j < KH_ARRAY_LEN(jobs); j++) {
        for (size_t k = 0; k < KH_ARRAY_LEN(sizes); k++) {
            size_t n = sizes[k];
            counts *c = counts_new();
            assert_int_equal(kh_pool_run(n, jobs[j], work, finish, c), n);
            assert_int_equal(c->next, n);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(atomic_load(&c->worked[i]), 1);
                assert_int_equal(c->finished[i], 1);
            }
            for (size_t i = n; i < MAXN; i++)
                assert_int_equal(atomic_load(&c->worked[i]), 0);
            free(c);
        }
    }
}

/* finish saying false ends the run: nothing is finished after it, and
 * what was worked on ahead was worked on once. */
static void stop(void **state)
{
    (void)state;
    for (unsigned jobs = 1; jobs <= 4; jobs++) {
        counts *c = counts_new();
        c->stop_at = 10;
        assert_int_equal(kh_pool_run(MAXN, jobs, work, finish, c), 11);
        assert_int_equal(c->next, 11);
        size_t worked = 0;
        for (size_t i = 0; i < MAXN; i++) {
            assert_true(atomic_load(&c->worked[i]) <= 1);
            assert_int_equal(c->finished[i], i <= 10);
            worked += (size_t)atomic_load(&c->worked[i]);
        }
        assert_true(worked >= 11);
        assert_true(worked <= 11 + jobs * KH_POOL_AHEAD);
        free(c);
    }
}

/* While item 0 is slow, the other threads stop at the horizon instead of
 * doing every other item (which they could in the 50 ms). */
static void bounded_run_ahead(void **state)
{
    (void)state;
    counts *c = counts_new();
    c->slow_first = true;
    unsigned jobs = 4;
    assert_int_equal(kh_pool_run(MAXN, jobs, work, finish, c), MAXN);
    assert_true(c->highest_at_0 <= jobs * KH_POOL_AHEAD);
    for (size_t i = 0; i < MAXN; i++)
        assert_int_equal(atomic_load(&c->worked[i]), 1);
    free(c);
}

static void thread_counts(void **state)
{
    (void)state;
    assert_int_equal(kh_pool_threads(1, 100), 1);
    assert_int_equal(kh_pool_threads(4, 100), 4);
    assert_int_equal(kh_pool_threads(4, 2), 2);
    assert_int_equal(kh_pool_threads(4, 0), 1);
    assert_int_equal(kh_pool_threads(100000, 100000), 256);
    assert_true(kh_pool_threads(0, 100) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_in_order),
        cmocka_unit_test(stop),
        cmocka_unit_test(bounded_run_ahead),
        cmocka_unit_test(thread_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
