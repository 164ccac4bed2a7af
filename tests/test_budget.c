/* test_budget.c - the memory budgets counted through the allocator: an
 * input budget refuses the allocation that would pass it and says so; what
 * is freed is given back; the run budget, shared by every thread, refuses
 * an input once the process's counted memory passes it; outside a budget
 * nothing is refused; a file over its budget is rejected by the batch with
 * a message naming the limit, and the next file is read as usual. */
#include "testutil.h"
#include "batch.h"

#include <stdio.h>

#define MIB ((size_t)1 << 20)
#define RUBRICS "templates/rubrics"
#define SAMPLES "samples"

static void input_budget_refuses_and_gives_back(void **state)
{
    (void)state;
    void *blocks[64] = {0};
    kh_budget_begin(8 * MIB);
    size_t n = 0;
    while (n < 64 && (blocks[n] = kh_malloc(MIB)) != NULL)
        n++;
    /* Each block costs a little more than a MiB: seven fit, not eight. */
    assert_int_equal(n, 7);
    /* A block given back makes room for one more. */
    kh_free(blocks[--n]);
    blocks[n] = kh_malloc(MIB);
    assert_non_null(blocks[n]);
    n++;
    /* Growth is charged too. */
    assert_null(kh_realloc(blocks[0], 2 * MIB));
    assert_int_equal(kh_budget_end(), KH_BUDGET_INPUT);
    /* The budget closed, the same allocations succeed. */
    void *big = kh_malloc(16 * MIB);
    assert_non_null(big);
    kh_free(big);
    for (size_t i = 0; i < n; i++)
        kh_free(blocks[i]);
    /* A budget that is not passed ends with 0. */
    kh_budget_begin(8 * MIB);
    void *p = kh_realloc(NULL, 100);
    p = kh_realloc(p, 7 * MIB);
    assert_non_null(p);
    p = kh_realloc(p, 10);
    assert_non_null(p);
    kh_free(p);
    assert_int_equal(kh_budget_end(), 0);
}

static void run_budget_is_shared(void **state)
{
    (void)state;
    size_t before = kh_run_budget();
    /* 32 MiB more than is counted now (within the slack of a MiB). */
    kh_set_run_budget(kh_run_memory() + 32 * MIB);
    void *blocks[256] = {0};
    size_t n = 0;
    kh_budget_begin(KH_INPUT_MEMORY);
    while (n < 256 && (blocks[n] = kh_malloc(MIB)) != NULL)
        n++;
    assert_int_equal(kh_budget_end(), KH_BUDGET_RUN);
    assert_in_range(n, 28, 34);
    /* Outside an input budget the run's memory is counted, not refused. */
    void *more = kh_malloc(64 * MIB);
    assert_non_null(more);
    kh_free(more);
    for (size_t i = 0; i < n; i++)
        kh_free(blocks[i]);
    kh_set_run_budget(before);
}

/* A CSV of some 30 million one-byte fields: past 256 MiB of cells (it took
 * 920 MB before the budgets), rejected as a whole; the sample after it is
 * scored. */
static void batch_rejects_file_over_budget(void **state)
{
    (void)state;
    test_fx *f = test_fx_new("kh-budget");
    assert_non_null(f);
    kh_diags d = {0};
    assert_int_equal(kh_registry_load_dir(f->reg, RUBRICS, &d), KH_OK);
    FILE *out = fopen(pathf(f, "big.csv"), "w");
    assert_non_null(out);
    char line[2001];
    for (int i = 0; i < 1000; i++) {
        line[2 * i] = 'a';
        line[2 * i + 1] = ',';
    }
    line[1999] = '\n';
    line[2000] = '\0';
    fputs("被考核单位,x\n", out);
    for (int i = 0; i < 31000; i++)
        fputs(line, out);
    assert_int_equal(fclose(out), 0);
    test_fx_add(f, "big.csv");
    assert_int_equal(kh_batch_add(f->b, SAMPLES "/临桂镇.csv", &f->notes), KH_OK);
    assert_int_equal(f->b->nrejected, 1);
    assert_int_equal(f->b->nunits, 1);
    const kh_diag *g = &f->b->errors.v[f->b->rejected[0].first];
    assert_non_null(strstr(g->msg, "256 MiB"));
    assert_non_null(strstr(g->msg_zh, "256 MiB"));
    assert_string_equal(g->file, pathf(f, "big.csv"));
    test_fx_teardown((void **)&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(input_budget_refuses_and_gives_back),
        cmocka_unit_test(run_budget_is_shared),
        cmocka_unit_test(batch_rejects_file_over_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
