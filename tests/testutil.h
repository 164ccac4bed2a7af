/*
 * testutil.h - what the cmocka unit tests share.
 */
#ifndef KH_TESTUTIL_H
#define KH_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Directory of the source tree's tests/ (tests run from the top). */
#define TEST_DATA "tests/data"

/* Read a whole file into a new buffer (test-only; aborts the test on
 * failure).  *len gets its length; the buffer is NUL-terminated. */
static inline char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* Assert that diagnostic i of d formats as expected. */
#define assert_diag(d, i, expected)                                           \
    do {                                                                      \
        assert_true((i) < (d)->n);                                            \
        char *got_ = kh_diag_format(&(d)->v[(i)]);                            \
        assert_non_null(got_);                                                \
        assert_string_equal(got_, (expected));                                \
        kh_free(got_);                                                        \
    } while (0)

/* True when some diagnostic of d, formatted, contains needle. */
static inline int test_diags_contain(const kh_diags *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++) {
        char *s = kh_diag_format(&d->v[i]);
        int hit = s && strstr(s, needle) != NULL;
        kh_free(s);
        if (hit)
            return 1;
    }
    return 0;
}

#define assert_diags_contain(d, needle)                                       \
    do {                                                                      \
        if (!test_diags_contain((d), (needle))) {                             \
            for (size_t i_ = 0; i_ < (d)->n; i_++) {                          \
                char *s_ = kh_diag_format(&(d)->v[i_]);                       \
                print_error("  diag: %s\n", s_);                              \
                kh_free(s_);                                                  \
            }                                                                 \
            fail_msg("no diagnostic contains \"%s\"", (needle));              \
        }                                                                     \
    } while (0)

#endif
