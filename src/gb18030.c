/*
 * gb18030.c - GB18030 decoding (gb18030.h).  One byte 00-7F is ASCII; two
 * bytes (lead 81-FE, trail 40-7E or 80-FE) are looked up in gb2; four
 * bytes (81-FE, 30-39, 81-FE, 30-39) are a linear index into runs of
 * consecutive code points (gb4: the BMP in about 200 runs, U+10000 to
 * U+10FFFF in one).  The tables are made from glibc's iconv by
 * tools/gen-gb18030.c, and tests/test_gb18030.c compares every code with
 * iconv.
 */
#include "gb18030.h"

#include "gb18030_table.h"

size_t kh_gb18030_char(const unsigned char *s, size_t len, uint32_t *cp)
{
    if (len == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] == 0x80 || s[0] == 0xFF || len < 2)
        return 0;
    unsigned lead = s[0] - 0x81u, t = s[1];
    if ((t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFE)) {
        unsigned v = gb2[lead * 190 + (t < 0x7F ? t - 0x40 : t - 0x41)];
        if (v == 0)
            return 0;
        *cp = v >= KH_GB2_WIDE && v - KH_GB2_WIDE < sizeof gb2_wide / sizeof *gb2_wide
                  ? gb2_wide[v - KH_GB2_WIDE]
                  : v;
        return 2;
    }
    if (t < 0x30 || t > 0x39 || len < 4 || s[2] < 0x81 || s[2] > 0xFE || s[3] < 0x30 ||
        s[3] > 0x39)
        return 0;
    uint32_t idx = ((lead * 10 + (t - 0x30u)) * 126 + (s[2] - 0x81u)) * 10 + (s[3] - 0x30u);
    size_t lo = 0, hi = sizeof gb4 / sizeof *gb4;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx < gb4[mid].index)
            hi = mid;
        else if (idx >= gb4[mid].index + gb4[mid].count)
            lo = mid + 1;
        else {
            *cp = gb4[mid].ucs + (idx - gb4[mid].index);
            return 4;
        }
    }
    return 0;
}

static size_t put_utf8(char *o, uint32_t c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | c >> 6);
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12);
        o[1] = (char)(0x80 | (c >> 6 & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18);
    o[1] = (char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (char)(0x80 | (c >> 6 & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

kh_status kh_gb18030_to_utf8(const unsigned char *s, size_t len, char **out, size_t *outlen,
                             size_t *bad)
{
    *out = NULL;
    /* A character at most doubles: 2 bytes to 4 (the few two-byte codes
     * beyond U+FFFF), else 2 to 3 or 4 to 4. */
    if (len > (SIZE_MAX - 1) / 2)
        return KH_ERR_NOMEM;
    char *buf = kh_malloc(len * 2 + 1);
    if (!buf)
        return KH_ERR_NOMEM;
    size_t i = 0, o = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = kh_gb18030_char(s + i, len - i, &cp);
        if (n == 0) {
            kh_free(buf);
            *bad = i;
            return KH_ERR_INPUT;
        }
        o += put_utf8(buf + o, cp);
        i += n;
    }
    buf[o] = '\0';
    *out = buf;
    *outlen = o;
    return KH_OK;
}
