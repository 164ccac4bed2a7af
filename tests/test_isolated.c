/* test_isolated.c - kh_run_isolated, the box FreeXL runs in: what the
 * function wrote comes back whole when it returns; a crash, a runaway
 * loop or an allocation past the limit is a crash reported to the caller,
 * which goes on; a failure keeps what was written. */
#include "testutil.h"
#include "platform.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static int writes(void *arg, kh_buf *out)
{
    /* More than a pipe holds at once, with a NUL inside. */
    size_t n = *(size_t *)arg;
    for (size_t i = 0; i < n; i++)
        kh_buf_putc(out, (char)(i % 251));
    return 0;
}

static void output_comes_back_whole(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 65536, 300000};
    for (size_t k = 0; k < KH_ARRAY_LEN(sizes); k++) {
        kh_buf out = {0};
        size_t n = sizes[k];
        assert_int_equal(kh_run_isolated(writes, &n, 64, 10, &out), KH_ISOLATED_OK);
        assert_int_equal(out.len, n);
        for (size_t i = 0; i < n; i++)
            assert_int_equal((unsigned char)out.s[i], i % 251);
        kh_buf_free(&out);
    }
}

static int fails(void *arg, kh_buf *out)
{
    (void)arg;
    kh_buf_puts(out, "why");
    return 7;
}

static void failure_keeps_output(void **state)
{
    (void)state;
    kh_buf out = {0};
    assert_int_equal(kh_run_isolated(fails, NULL, 64, 10, &out), KH_ISOLATED_FAILED);
    assert_string_equal(kh_buf_str(&out), "why");
    kh_buf_free(&out);
}

#ifndef _WIN32
static int crashes(void *arg, kh_buf *out)
{
    (void)arg;
    kh_buf_puts(out, "half");
    raise(SIGSEGV);
    return 0;
}

static int spins(void *arg, kh_buf *out)
{
    (void)arg;
    (void)out;
    volatile unsigned long n = 0;
    for (;;)
        n++;
    return 0;
}

static void crash_and_runaway_are_reported(void **state)
{
    (void)state;
    kh_buf out = {0};
    assert_int_equal(kh_run_isolated(crashes, NULL, 64, 10, &out), KH_ISOLATED_CRASHED);
    assert_int_equal(out.len, 0);
    /* One second of CPU, then SIGXCPU. */
    assert_int_equal(kh_run_isolated(spins, NULL, 64, 1, &out), KH_ISOLATED_CRASHED);
    assert_int_equal(out.len, 0);
    /* This process carries on. */
    size_t n = 10;
    assert_int_equal(kh_run_isolated(writes, &n, 64, 10, &out), KH_ISOLATED_OK);
    assert_int_equal(out.len, 10);
    kh_buf_free(&out);
}

#ifndef KH_SANITIZED
static int allocates(void *arg, kh_buf *out)
{
    size_t mb = *(size_t *)arg;
    /* Touch every page, so that it is really used. */
    char *p = malloc(mb << 20);
    if (!p)
        return 1;
    memset(p, 1, mb << 20);
    kh_buf_putc(out, p[mb]);
    free(p);
    return 0;
}

static void memory_is_bounded(void **state)
{
    (void)state;
    kh_buf out = {0};
    size_t small = 16, big = 256;
    assert_int_equal(kh_run_isolated(allocates, &small, 64, 10, &out), KH_ISOLATED_OK);
    /* 256 MiB asked, 64 allowed: malloc fails in the child. */
    assert_int_equal(kh_run_isolated(allocates, &big, 64, 10, &out), KH_ISOLATED_FAILED);
    kh_buf_free(&out);
}
#endif
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(output_comes_back_whole),
        cmocka_unit_test(failure_keeps_output),
#ifndef _WIN32
        cmocka_unit_test(crash_and_runaway_are_reported),
#ifndef KH_SANITIZED
        cmocka_unit_test(memory_is_bounded),
#endif
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
