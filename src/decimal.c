/*
 * decimal.c - exact decimal arithmetic in ten-thousandths (see decimal.h).
 */
#include "decimal.h"

#include <stdio.h>
#include <string.h>

bool kh_dec_parse_n(const char *s, size_t len, kh_dec *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    uint64_t whole = 0;
    bool any_whole = false;
    int nfrac = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, any_whole = true) {
        whole = whole * 10 + (uint64_t)(s[i] - '0');
        if (whole > (uint64_t)INT64_MAX / KH_DEC_SCALE)
            return false;
    }
    uint64_t frac = 0;
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (nfrac < KH_DEC_PLACES) {
                frac = frac * 10 + (uint64_t)(s[i] - '0');
                nfrac++;
            } else if (s[i] != '0') {
                return false;  /* more than 4 significant decimals */
            }
        }
    }
    if (i != len || (!any_whole && nfrac == 0))
        return false;
    for (int k = nfrac; k < KH_DEC_PLACES; k++)
        frac *= 10;
    uint64_t v = whole * KH_DEC_SCALE + frac;
    /* The range is that of int64_t: INT64_MIN (as kh_dec_format prints it)
     * parses too. */
    if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return false;
    if (neg)
        *out = v > (uint64_t)INT64_MAX ? INT64_MIN : -(kh_dec)v;
    else
        *out = (kh_dec)v;
    return true;
}

bool kh_dec_parse(const char *s, kh_dec *out) { return kh_dec_parse_n(s, strlen(s), out); }

/* Digits written by hand, not with snprintf: every score of every output
 * goes through here. */
char *kh_dec_format(kh_dec v, char buf[KH_DEC_BUFSZ])
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t whole = a / KH_DEC_SCALE, frac = a % KH_DEC_SCALE;
    char *p = buf;
    if (v < 0)
        *p++ = '-';
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    while (n)
        *p++ = digits[--n];
    if (frac) {
        *p++ = '.';
        for (uint64_t unit = KH_DEC_SCALE / 10; frac; unit /= 10) {
            *p++ = (char)('0' + frac / unit);
            frac %= unit;
        }
    }
    *p = '\0';
    return buf;
}

bool kh_dec_add(kh_dec a, kh_dec b, kh_dec *out) { return !__builtin_add_overflow(a, b, out); }
bool kh_dec_sub(kh_dec a, kh_dec b, kh_dec *out) { return !__builtin_sub_overflow(a, b, out); }
bool kh_dec_mul_int(kh_dec a, int64_t n, kh_dec *out) { return !__builtin_mul_overflow(a, n, out); }

int kh_dec_places(kh_dec v)
{
    int p = KH_DEC_PLACES;
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (p > 0 && a % 10 == 0) {
        a /= 10;
        p--;
    }
    return p;
}
