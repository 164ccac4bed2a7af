/*
 * i18n.c - the built-in Chinese catalogue: lookup by msgid, and messages
 * formatted in Chinese (see i18n.h).
 */
#include "i18n.h"
#include "common.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const kh_msg_pair **sorted; /* kh_msgs_zh by msgid, or NULL */
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int by_id(const void *a, const void *b)
{
    return strcmp((*(const kh_msg_pair *const *)a)->id, (*(const kh_msg_pair *const *)b)->id);
}

/* Sorted with the C library's allocator: the table lives as long as the
 * process, whatever allocator the program sets later. */
static void sort_table(void)
{
    const kh_msg_pair **v = malloc((kh_nmsgs_zh + 1) * sizeof *v);
    if (!v)
        return;
    for (size_t i = 0; i < kh_nmsgs_zh; i++)
        v[i] = &kh_msgs_zh[i];
    qsort(v, kh_nmsgs_zh, sizeof *v, by_id);
    sorted = v;
}

const char *kh_zh(const char *msgid)
{
    if (!msgid || !*msgid)
        return msgid;
    pthread_once(&sorted_once, sort_table);
    if (!sorted)
        return msgid;
    kh_msg_pair key = {msgid, NULL};
    const kh_msg_pair *k = &key;
    const kh_msg_pair **hit = bsearch(&k, sorted, kh_nmsgs_zh, sizeof *sorted, by_id);
    return hit && *(*hit)->zh ? (*hit)->zh : msgid;
}

/* printf's conversions as kaohe's messages use them, one at a time: the
 * directive is handed to kh_buf_printf with its argument, so that a %s
 * argument can be translated on the way.  Positional arguments (%1$s) are
 * not used: the catalogue test refuses them. */
void kh_buf_vprintf_zh(kh_buf *b, const char *fmt, va_list ap)
{
    const char *f = kh_zh(fmt);
    va_list aq;
    va_copy(aq, ap);
    while (*f) {
        const char *pct = strchr(f, '%');
        if (!pct) {
            kh_buf_puts(b, f);
            break;
        }
        kh_buf_add(b, f, (size_t)(pct - f));
        const char *p = pct + 1;
        if (*p == '%') {
            kh_buf_putc(b, '%');
            f = p + 1;
            continue;
        }
        bool star_w = false, star_p = false, precision = false;
        while (*p && strchr("-+ #0", *p))
            p++;
        if (*p == '*') {
            star_w = true;
            p++;
        }
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p == '.') {
            precision = true;
            p++;
            if (*p == '*') {
                star_p = true;
                p++;
            }
            while (*p >= '0' && *p <= '9')
                p++;
        }
        char len = 0; /* h, H (hh), l, q (ll), z, j, t, L */
        if (*p == 'h') {
            len = p[1] == 'h' ? 'H' : 'h';
            p += p[1] == 'h' ? 2 : 1;
        } else if (*p == 'l') {
            len = p[1] == 'l' ? 'q' : 'l';
            p += p[1] == 'l' ? 2 : 1;
        } else if (*p && strchr("zjtL", *p)) {
            len = *p++;
        }
        char conv = *p;
        if (!conv || (size_t)(p + 1 - pct) >= 32) {
            kh_buf_puts(b, pct);
            break;
        }
        char spec[32];
        memcpy(spec, pct, (size_t)(p + 1 - pct));
        spec[p + 1 - pct] = '\0';
        f = p + 1;
        int w = star_w ? va_arg(aq, int) : 0;
        int pr = star_p ? va_arg(aq, int) : 0;
#define EMIT(v)                                                                                   \
    do {                                                                                          \
        if (star_w && star_p)                                                                     \
            kh_buf_printf(b, spec, w, pr, v);                                                     \
        else if (star_w)                                                                          \
            kh_buf_printf(b, spec, w, v);                                                         \
        else if (star_p)                                                                          \
            kh_buf_printf(b, spec, pr, v);                                                        \
        else                                                                                      \
            kh_buf_printf(b, spec, v);                                                            \
    } while (0)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        switch (conv) {
        case 'd':
        case 'i':
            if (len == 'l')
                EMIT(va_arg(aq, long));
            else if (len == 'q')
                EMIT(va_arg(aq, long long));
            else if (len == 'z' || len == 't')
                EMIT(va_arg(aq, ptrdiff_t));
            else if (len == 'j')
                EMIT(va_arg(aq, intmax_t));
            else
                EMIT(va_arg(aq, int));
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (len == 'l')
                EMIT(va_arg(aq, unsigned long));
            else if (len == 'q')
                EMIT(va_arg(aq, unsigned long long));
            else if (len == 'z' || len == 't')
                EMIT(va_arg(aq, size_t));
            else if (len == 'j')
                EMIT(va_arg(aq, uintmax_t));
            else
                EMIT(va_arg(aq, unsigned));
            break;
        case 'c':
            EMIT(va_arg(aq, int));
            break;
        case 's': {
            const char *s = va_arg(aq, const char *);
            EMIT(precision ? s : kh_zh(s));
            break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
            if (len == 'L')
                EMIT(va_arg(aq, long double));
            else
                EMIT(va_arg(aq, double));
            break;
        case 'p':
            EMIT(va_arg(aq, void *));
            break;
        default:
            kh_buf_puts(b, pct);
            f = "";
            break;
        }
#pragma GCC diagnostic pop
#undef EMIT
    }
    va_end(aq);
}
