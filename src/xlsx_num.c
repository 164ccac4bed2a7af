/*
 * xlsx_num.c - numbers and dates of XLSX cells (see xlsx_num.h).
 */
#include "xlsx_num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool kh_xlsx_parse_number(const char *s, locale_t loc, double *out)
{
    const char *p = s;
    size_t digits = 0;
    if (*p == '-' || *p == '+')
        p++;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits++;
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    char *end;
    double v = strtod_l(s, &end, loc);
    if (*end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* A whole number below 10^15 in magnitude: what "%.15g" gives for it,
 * written without snprintf (most number cells are counts, and snprintf
 * was a tenth of reading a workbook's cells).  -0 is "0" as below. */
static bool format_whole(double v, char out[KH_XLSX_NUMBUF])
{
    if (!(v > -1e15 && v < 1e15) || v != (double)(int64_t)v)
        return false;
    int64_t n = (int64_t)v;
    char digits[20];
    int nd = 0;
    uint64_t u = n < 0 ? (uint64_t)-n : (uint64_t)n;
    do {
        digits[nd++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    char *o = out;
    if (n < 0)
        *o++ = '-';
    while (nd)
        *o++ = digits[--nd];
    *o = '\0';
    return true;
}

void kh_xlsx_format_number(double v, locale_t loc, char out[KH_XLSX_NUMBUF])
{
    if (format_whole(v, out))
        return;
    char g[40];
    kh_format_g15(g, sizeof g, v, loc);
    /* g is [-]D[.DDD][e+-XX]: take the digits, the point and the exponent
     * apart and write them out again without exponent. */
    const char *p = g;
    bool neg = *p == '-';
    if (neg)
        p++;
    char dig[24] = {0};
    int nd = 0, point = -1, exp = 0;
    for (; *p && *p != 'e'; p++) {
        if (*p == '.')
            point = nd;
        else if (nd < (int)sizeof dig - 1)
            dig[nd++] = *p;
    }
    if (*p == 'e')
        exp = atoi(p + 1);
    if (point < 0)
        point = nd;
    int intlen = point + exp;               /* digits before the point */
    while (nd > 0 && nd > intlen && dig[nd - 1] == '0')
        nd--;                               /* trailing fraction zeros */
    if (nd == 0 || (nd == 1 && dig[0] == '0')) {
        strcpy(out, "0");                   /* also -0 */
        return;
    }
    if (intlen > 31 || intlen < -30) {
        snprintf(out, KH_XLSX_NUMBUF, "%s", g);
        return;
    }
    char *o = out;
    if (neg)
        *o++ = '-';
    if (intlen <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -intlen; i++)
            *o++ = '0';
        memcpy(o, dig, (size_t)nd);
        o += nd;
    } else {
        for (int i = 0; i < intlen; i++)
            *o++ = i < nd ? dig[i] : '0';
        if (nd > intlen) {
            *o++ = '.';
            memcpy(o, dig + intlen, (size_t)(nd - intlen));
            o += nd - intlen;
        }
    }
    *o = '\0';
}

bool kh_xlsx_serial_date(double v, bool date1904, char out[KH_XLSX_NUMBUF])
{
    if (!(v >= 0 && v < 3e6))
        return false;
    long days = (long)v, z;             /* v >= 0: truncation is floor */
    if (date1904) {
        z = days - 24107;                   /* 1904-01-01 from 1970-01-01 */
    } else {
        if (days < 1)
            return false;
        if (days == 60) {
            strcpy(out, "1900-02-29");
            return true;
        }
        z = days + (days < 60) - 25569;     /* 1899-12-30 from 1970-01-01 */
    }
    /* Civil date from days since 1970-01-01 (H. Hinnant's algorithm). */
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    long y = yoe + era * 400 + (m <= 2);
    if (y > 9999)
        return false;
    snprintf(out, KH_XLSX_NUMBUF, "%04ld-%02ld-%02ld", y, m, d);
    return true;
}

bool kh_xlsx_iso_date(const char *s)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
            return false;
    int mon = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
    return mon >= 1 && mon <= 12 && day >= 1 && day <= 31 && (s[10] == '\0' || s[10] == 'T');
}

bool kh_xlsx_code_is_date(const char *c)
{
    for (; *c; c++) {
        switch (*c) {
        case '"':
            c = strchr(c + 1, '"');
            if (!c)
                return false;
            break;
        case '[':
            c = strchr(c + 1, ']');
            if (!c)
                return false;
            break;
        case '\\': case '_': case '*':
            if (c[1])
                c++;
            break;
        case 'y': case 'Y': case 'm': case 'M': case 'd': case 'D': case 'h': case 'H':
            return true;
        default:
            break;
        }
    }
    return false;
}

bool kh_xlsx_builtin_is_date(uint32_t id)
{
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
           (id >= 50 && id <= 58);
}
