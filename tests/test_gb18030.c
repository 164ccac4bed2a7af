/* test_gb18030.c - kaohe's GB18030 decoder (src/gb18030.c) against the C
 * library's iconv, code by code over the whole range: every single byte,
 * every two-byte code, every four-byte code (the BMP ranges, the unused
 * ranges and U+10000-U+10FFFF), and every BMP character round-tripped
 * (UTF-8 -> GB18030 by iconv -> UTF-8 by kaohe). */
#include "testutil.h"
#include "gb18030.h"

#include <errno.h>
#include <iconv.h>

static iconv_t to_ucs4, from_utf8;

static int setup(void **state)
{
    (void)state;
    to_ucs4 = iconv_open("UCS-4BE", "GB18030");
    from_utf8 = iconv_open("GB18030", "UTF-8");
    return to_ucs4 == (iconv_t)-1 || from_utf8 == (iconv_t)-1 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    iconv_close(to_ucs4);
    iconv_close(from_utf8);
    return 0;
}

/* iconv's reading of the n bytes at in: the code point, or -1. */
static long iconv_char(const unsigned char *in, size_t n)
{
    char ib[4], ob[8];
    memcpy(ib, in, n);
    char *ip = ib, *op = ob;
    size_t il = n, ol = sizeof ob;
    iconv(to_ucs4, NULL, NULL, NULL, NULL);
    if (iconv(to_ucs4, &ip, &il, &op, &ol) == (size_t)-1 || il != 0 || ol != sizeof ob - 4)
        return -1;
    const unsigned char *o = (const unsigned char *)ob;
    long cp = (long)((uint32_t)o[0] << 24 | (uint32_t)o[1] << 16 | (uint32_t)o[2] << 8 | o[3]);
    return cp >= 0xD800 && cp <= 0xDFFF ? -1 : cp;
}

/* kaohe's reading: the code point when the whole n bytes are one
 * character, else -1. */
static long kaohe_char(const unsigned char *in, size_t n)
{
    uint32_t cp = 0;
    size_t got = kh_gb18030_char(in, n, &cp);
    return got == n ? (long)cp : -1;
}

static void single_and_two_byte(void **state)
{
    (void)state;
    unsigned char b[2];
    for (unsigned c = 0; c <= 0xFF; c++) {
        b[0] = (unsigned char)c;
        assert_int_equal(kaohe_char(b, 1), iconv_char(b, 1));
    }
    size_t n = 0, wide = 0;
    for (unsigned lead = 0x81; lead <= 0xFE; lead++)
        for (unsigned t = 0x00; t <= 0xFF; t++) {
            b[0] = (unsigned char)lead;
            b[1] = (unsigned char)t;
            long want = iconv_char(b, 2), got = kaohe_char(b, 2);
            if (got != want)
                fail_msg("%02X %02X: kaohe %lX, iconv %lX", lead, t, got, want);
            n += want >= 0;
            wide += want > 0xFFFF;
        }
    assert_int_equal(n, 23940); /* every two-byte code of GB18030 */
    assert_int_equal(wide, 6);  /* FE51 FE52 FE53 FE6C FE76 FE91 */
}

static void four_byte(void **state)
{
    (void)state;
    unsigned char b[4];
    size_t n = 0, bmp = 0;
    for (unsigned b1 = 0x81; b1 <= 0xFE; b1++)
        for (unsigned b2 = 0x30; b2 <= 0x39; b2++)
            for (unsigned b3 = 0x81; b3 <= 0xFE; b3++)
                for (unsigned b4 = 0x30; b4 <= 0x39; b4++) {
                    b[0] = (unsigned char)b1, b[1] = (unsigned char)b2;
                    b[2] = (unsigned char)b3, b[3] = (unsigned char)b4;
                    long want = iconv_char(b, 4), got = kaohe_char(b, 4);
                    if (got != want)
                        fail_msg("%02X%02X%02X%02X: kaohe %lX, iconv %lX", b1, b2, b3, b4, got,
                                 want);
                    n += want >= 0;
                    bmp += want >= 0 && want <= 0xFFFF;
                }
    assert_int_equal(n - bmp, 0x100000); /* U+10000..U+10FFFF, 90308130..E3329A35 */
    assert_true(bmp > 39000);
    /* The ends of the ranges. */
    assert_int_equal(kaohe_char((const unsigned char *)"\x81\x30\x81\x30", 4), 0x80);
    assert_int_equal(kaohe_char((const unsigned char *)"\x90\x30\x81\x30", 4), 0x10000);
    assert_int_equal(kaohe_char((const unsigned char *)"\xE3\x32\x9A\x35", 4), 0x10FFFF);
    assert_int_equal(kaohe_char((const unsigned char *)"\xE3\x32\x9A\x36", 4), -1);
}

/* Every BMP character (but the surrogates): iconv writes it as GB18030,
 * kaohe reads it back.  glibc cannot write a few private-use characters
 * (the ones GB18030-2005 moved to real characters): those only. */
static void bmp_round_trip(void **state)
{
    (void)state;
    size_t n = 0, pua = 0;
    for (uint32_t c = 1; c <= 0xFFFF; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        char u[4], g[8];
        size_t ul = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        if (ul == 1)
            u[0] = (char)c;
        else if (ul == 2)
            u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F));
        else
            u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | (c >> 6 & 0x3F)),
            u[2] = (char)(0x80 | (c & 0x3F));
        char *ip = u, *op = g;
        size_t il = ul, ol = sizeof g;
        iconv(from_utf8, NULL, NULL, NULL, NULL);
        if (iconv(from_utf8, &ip, &il, &op, &ol) == (size_t)-1) {
            if (c < 0xE000 || c > 0xF8FF)
                fail_msg("iconv cannot write U+%04X as GB18030", (unsigned)c);
            pua++;
            continue;
        }
        uint32_t back = 0;
        size_t len = sizeof g - ol;
        if (kh_gb18030_char((const unsigned char *)g, len, &back) != len || back != c)
            fail_msg("U+%04X: %zu bytes from iconv read back as U+%04X", (unsigned)c, len,
                     (unsigned)back);
        n++;
    }
    assert_int_equal(n + pua, 0xFFFF - 0x800);
    assert_true(pua <= 32);
}

/* Whole texts: GBK as Excel saves a CSV on a Chinese Windows (临桂 is
 * C1 D9 B9 F0), and the offset of the first bytes that do not decode. */
static void texts(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0, bad = 0;
    const char gbk[] = "\xC1\xD9\xB9\xF0\xD5\xF2,3\r\n\x81\x30\x81\x30\x95\x32\x82\x36";
    assert_int_equal(kh_gb18030_to_utf8((const unsigned char *)gbk, sizeof gbk - 1, &out, &len,
                                        &bad),
                     KH_OK);
    assert_string_equal(out, "临桂镇,3\r\n\xC2\x80\xF0\xA0\x80\x80"); /* U+0080 U+20000 */
    assert_int_equal(len, strlen(out));
    kh_free(out);
    const char cut[] = "ab\xC1\xD9\xC1";
    assert_int_equal(kh_gb18030_to_utf8((const unsigned char *)cut, 5, &out, &len, &bad),
                     KH_ERR_INPUT);
    assert_null(out);
    assert_int_equal(bad, 4);
    assert_int_equal(kh_gb18030_to_utf8((const unsigned char *)"a\x80" "b", 3, &out, &len, &bad),
                     KH_ERR_INPUT);
    assert_int_equal(bad, 1);
    /* Six wide two-byte codes: 2 bytes become 4. */
    assert_int_equal(kh_gb18030_to_utf8((const unsigned char *)"\xFE\x51", 2, &out, &len, &bad),
                     KH_OK);
    assert_string_equal(out, "\xF0\xA0\x82\x87"); /* U+20087 */
    kh_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_and_two_byte),
        cmocka_unit_test(four_byte),
        cmocka_unit_test(bmp_round_trip),
        cmocka_unit_test(texts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
