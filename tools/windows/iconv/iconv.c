/* iconv over MultiByteToWideChar / WideCharToMultiByte; see iconv.h. */
#include "iconv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#define CP_UTF16LE 1200 /* not a MultiByteToWideChar code page: by hand */

struct kh_win_iconv {
    unsigned from, to;
};

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
        char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* The Windows code page of an iconv encoding name, or 0. */
static unsigned codepage(const char *name)
{
    static const struct { const char *name; unsigned cp; } names[] = {
        {"UTF-8", CP_UTF8},     {"UTF8", CP_UTF8},       {"UTF-16LE", CP_UTF16LE},
        {"GBK", 936},            {"GB2312", 936},
        {"BIG5", 950},          {"ASCII", 20127},        {"US-ASCII", 20127},
        {"ISO-8859-1", 28591},  {"LATIN1", 28591},       {"MACROMAN", 10000},
        {"MACINTOSH", 10000},
        {"SHIFT_JIS", 932},     {"EUC-KR", 51949},       {"JOHAB", 1361},
    };
    /* GB18030 is code page 54936 on Windows; Wine lacks it, and there GBK
     * (936), which GB18030 extends, is what there is. */
    if (ieq(name, "GB18030"))
        return IsValidCodePage(54936) ? 54936 : 936;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ieq(name, names[i].name))
            return names[i].cp;
    if ((name[0] == 'C' || name[0] == 'c') && (name[1] == 'P' || name[1] == 'p')) {
        char *end;
        unsigned long cp = strtoul(name + 2, &end, 10);
        if (*end == '\0' && cp > 0 && cp < 65536 && IsValidCodePage((UINT)cp))
            return (unsigned)cp;
    }
    return 0;
}

iconv_t iconv_open(const char *tocode, const char *fromcode)
{
    unsigned to = codepage(tocode), from = codepage(fromcode);
    if (!to || !from) {
        errno = EINVAL;
        return (iconv_t)-1;
    }
    iconv_t cd = malloc(sizeof *cd);
    if (!cd) {
        errno = ENOMEM;
        return (iconv_t)-1;
    }
    cd->from = from;
    cd->to = to;
    return cd;
}

int iconv_close(iconv_t cd)
{
    free(cd);
    return 0;
}

size_t iconv(iconv_t cd, char **inbuf, size_t *inbytesleft, char **outbuf,
             size_t *outbytesleft)
{
    if (!inbuf || !*inbuf || *inbytesleft == 0)
        return 0; /* no shift state to reset */
    if (*inbytesleft > INT_MAX / 2) {
        errno = E2BIG;
        return (size_t)-1;
    }
    int n = (int)*inbytesleft;
    wchar_t *w;
    int wn;
    if (cd->from == CP_UTF16LE) {
        if (n % 2) {
            errno = EINVAL;
            return (size_t)-1;
        }
        wn = n / 2;
        w = malloc((size_t)(wn ? wn : 1) * sizeof *w);
        if (!w) {
            errno = ENOMEM;
            return (size_t)-1;
        }
        memcpy(w, *inbuf, (size_t)n);
    } else {
        DWORD strict = cd->from == CP_UTF8 || cd->from == 54936 || cd->from == 936
                           ? MB_ERR_INVALID_CHARS
                           : 0;
        wn = MultiByteToWideChar(cd->from, strict, *inbuf, n, NULL, 0);
        if (wn <= 0) {
            errno = EILSEQ;
            return (size_t)-1;
        }
        w = malloc((size_t)wn * sizeof *w);
        if (!w) {
            errno = ENOMEM;
            return (size_t)-1;
        }
        MultiByteToWideChar(cd->from, strict, *inbuf, n, w, wn);
    }
    int on;
    if (cd->to == CP_UTF16LE)
        on = wn * 2;
    else
        on = WideCharToMultiByte(cd->to, 0, w, wn, NULL, 0, NULL, NULL);
    if (on < 0 || (wn > 0 && on == 0)) {
        free(w);
        errno = EILSEQ;
        return (size_t)-1;
    }
    if ((size_t)on > *outbytesleft) {
        free(w);
        errno = E2BIG;
        return (size_t)-1;
    }
    if (cd->to == CP_UTF16LE)
        memcpy(*outbuf, w, (size_t)on);
    else
        WideCharToMultiByte(cd->to, 0, w, wn, *outbuf, on, NULL, NULL);
    free(w);
    *inbuf += n;
    *inbytesleft = 0;
    *outbuf += on;
    *outbytesleft -= (size_t)on;
    return 0;
}

