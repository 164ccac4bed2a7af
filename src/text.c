/*
 * text.c - UTF-8 helpers: validation, trimming, normalisation of labels,
 * headers and values (see text.h).
 */
#include "text.h"
#include "common.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

bool kh_utf8_valid(const char *str, size_t len, size_t *bad_off)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            /* ASCII runs 8 bytes at a time. */
            uint64_t w;
            while (len - i >= 8 && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080u)))
                i += 8;
            while (i < len && s[i] < 0x80)
                i++;
            continue;
        } else if (c >= 0xE0 && c <= 0xEF) {
            /* Three bytes (all of CJK) checked directly: no overlong form
             * (E0 needs A0..BF next) and no surrogate (ED needs 80..9F). */
            if (len - i < 3 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
                (c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] > 0x9F))
                goto bad;
            i += 3;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (len - i < n + 1)
            goto bad;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += n + 1;
    }
    return true;
bad:
    if (bad_off)
        *bad_off = i;
    return false;
}

size_t kh_utf8_decode(const char *str, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] < 0xE0) {
        *cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    if (s[0] < 0xF0) {
        *cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        return 3;
    }
    *cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    return 4;
}

size_t kh_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

#define IDEO_SPACE "\xe3\x80\x80" /* U+3000 */

const char *kh_trim(const char *s, size_t *len)
{
    return kh_trim_n(s, strlen(s), len);
}

const char *kh_trim_n(const char *s, size_t n, size_t *len)
{
    for (;;) {
        if (n && ascii_space((unsigned char)s[0])) {
            s++;
            n--;
        } else if (n >= 3 && memcmp(s, IDEO_SPACE, 3) == 0) {
            s += 3;
            n -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (n && ascii_space((unsigned char)s[n - 1]))
            n--;
        else if (n >= 3 && memcmp(s + n - 3, IDEO_SPACE, 3) == 0)
            n -= 3;
        else
            break;
    }
    *len = n;
    return s;
}

char *kh_norm_value(const char *s)
{
    size_t n;
    const char *t = kh_trim(s, &n);
    return kh_strndup(t, n);
}

/* Remove one trailing "：" (U+FF1A) or ":" from t[0..*n). */
static void drop_colon(const char *t, size_t *n)
{
    if (*n >= 3 && memcmp(t + *n - 3, "\xef\xbc\x9a", 3) == 0)
        *n -= 3;
    else if (*n >= 1 && t[*n - 1] == ':')
        *n -= 1;
}

char *kh_norm_label(const char *s)
{
    size_t n;
    const char *t = kh_trim(s, &n);
    drop_colon(t, &n);
    char *c = kh_strndup(t, n);
    if (!c)
        return NULL;
    t = kh_trim(c, &n);
    memmove(c, t, n);
    c[n] = '\0';
    return c;
}

char *kh_norm_header(const char *s)
{
    size_t len = strlen(s);
    char *out = kh_malloc(len + 1);
    if (!out)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        if (ascii_space((unsigned char)s[i])) {
            i++;
        } else if (len - i >= 3 && memcmp(s + i, IDEO_SPACE, 3) == 0) {
            i += 3;
        } else {
            out[w++] = s[i++];
        }
    }
    drop_colon(out, &w);
    out[w] = '\0';
    return out;
}

char *kh_fold_fullwidth(const char *s)
{
    size_t len = strlen(s);
    char *out = kh_malloc(len + 1);
    if (!out)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        /* U+FF10..U+FF19 are EF BC 90..99; U+FF0E (．) is EF BC 8E. */
        if (len - i >= 3 && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC) {
            unsigned char c = (unsigned char)s[i + 2];
            if (c >= 0x90 && c <= 0x99) {
                out[w++] = (char)('0' + (c - 0x90));
                i += 3;
                continue;
            }
            if (c == 0x8E) {
                out[w++] = '.';
                i += 3;
                continue;
            }
        }
        out[w++] = s[i++];
    }
    out[w] = '\0';
    return out;
}

bool kh_ascii_eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return *a == *b;
}

char *kh_utf8_clean(const char *s, size_t max_chars)
{
    kh_buf b = {0};
    size_t len = strlen(s), chars = 0;
    for (size_t i = 0; i < len && chars < max_chars;) {
        size_t bad;
        size_t n;
        if (kh_utf8_valid(s + i, len - i, &bad))
            bad = len - i;
        if (bad == 0) {
            kh_buf_puts(&b, "\xEF\xBF\xBD"); /* U+FFFD */
            chars++;
            i++;
            continue;
        }
        /* Copy the valid run s[i .. i+bad) up to the character limit. */
        for (size_t k = 0; k < bad && chars < max_chars; k += n) {
            unsigned cp;
            n = kh_utf8_decode(s + i + k, &cp);
            kh_buf_add(&b, s + i + k, n);
            chars++;
        }
        i += bad;
    }
    return kh_buf_steal(&b);
}

/* East Asian Wide and Fullwidth ranges that matter for CJK text. */
static bool wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
           (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t kh_display_width(const char *s)
{
    size_t w = 0;
    while (*s) {
        unsigned cp;
        s += kh_utf8_decode(s, &cp);
        w += wide(cp) ? 2 : 1;
    }
    return w;
}

/* Opening and closing brackets of the notes kh_loose_key drops (after
 * NFKC, so full-width （） are already ( and )). */
static int bracket_depth_change(utf8proc_int32_t c)
{
    switch (c) {
    case '(': case '[': case 0x3010 /* 【 */: case 0x3014 /* 〔 */:
        return 1;
    case ')': case ']': case 0x3011 /* 】 */: case 0x3015 /* 〕 */:
        return -1;
    default:
        return 0;
    }
}

char *kh_loose_key(const char *s)
{
    utf8proc_uint8_t *n = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, 0, &n,
                                        UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                            UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                            UTF8PROC_IGNORE);
    if (len < 0)
        return NULL;
    char *out = kh_malloc((size_t)len + 1);
    if (!out) {
        free(n); /* utf8proc allocates with malloc */
        return NULL;
    }
    size_t w = 0;
    int depth = 0;
    for (utf8proc_ssize_t i = 0; i < len;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(n + i, len - i, &c);
        if (k <= 0)
            break;
        int d = bracket_depth_change(c);
        if (d > 0 || depth > 0) {
            depth += d;
            if (depth < 0)
                depth = 0;
            i += k;
            continue;
        }
        switch (utf8proc_category(c)) {
        case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
        case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
        case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL:
        case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF:
            break;
        default:
            memcpy(out + w, n + i, (size_t)k);
            w += (size_t)k;
        }
        i += k;
    }
    out[w] = '\0';
    free(n);
    return out;
}

char *kh_file_key(const char *s)
{
    utf8proc_uint8_t *n = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, 0, &n,
                                        UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                            UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
    if (len < 0)
        return NULL;
    /* Our own allocator's copy: callers kh_free it. */
    char *out = kh_strndup((const char *)n, (size_t)len);
    free(n);
    return out;
}

char *kh_clean_name(const char *s)
{
    utf8proc_uint8_t *n = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, 0, &n,
                                        UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (len < 0)
        return NULL;
    char *out = kh_malloc((size_t)len + 1);
    if (!out) {
        free(n);
        return NULL;
    }
    size_t w = 0;
    bool space = true; /* drops leading spaces; then one for a run */
    for (utf8proc_ssize_t i = 0; i < len;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(n + i, len - i, &c);
        if (k <= 0)
            break;
        switch (utf8proc_category(c)) {
        case UTF8PROC_CATEGORY_CF:
            break;
        case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL:
        case UTF8PROC_CATEGORY_ZP:
            if (!space)
                out[w++] = ' ';
            space = true;
            break;
        default:
            memcpy(out + w, n + i, (size_t)k);
            w += (size_t)k;
            space = false;
        }
        i += k;
    }
    if (w && out[w - 1] == ' ')
        w--;
    out[w] = '\0';
    free(n);
    return out;
}

char *kh_term_text(const char *s)
{
    kh_buf b = {0};
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &c);
        if (k <= 0) {
            kh_buf_printf(&b, "\\x%02X", (unsigned char)s[i]);
            i++;
            continue;
        }
        utf8proc_category_t cat = utf8proc_category(c);
        if (cat == UTF8PROC_CATEGORY_CC)
            kh_buf_printf(&b, "\\x%02X", (unsigned)c);
        else if (cat == UTF8PROC_CATEGORY_CF)
            kh_buf_printf(&b, "\\u{%04X}", (unsigned)c);
        else
            kh_buf_add(&b, s + i, (size_t)k);
        i += (size_t)k;
    }
    return kh_buf_steal(&b);
}

bool kh_iconv_lossy(void *cd, const void *s, size_t n, kh_buf *out, size_t max_bad)
{
    /* Three bytes of UTF-8 for each byte in is the most any code page
     * kaohe reads needs (U+FFFD included). */
    if (n > (SIZE_MAX - 16) / 3) {
        out->oom = true;
        return false;
    }
    size_t cap = 3 * n + 16, bad = 0;
    char *buf = kh_malloc(cap);
    if (!buf) {
        out->oom = true;
        return false;
    }
    iconv_t c = (iconv_t)cd;
    char *in = (char *)s;
    size_t left = n;
    iconv(c, NULL, NULL, NULL, NULL);
    while (left > 0) {
        char *o = buf;
        size_t oleft = cap;
        size_t r = iconv(c, &in, &left, &o, &oleft);
        int e = errno;
        for (const char *p = buf; p < o; p++)
            if (*p)
                kh_buf_putc(out, *p);
        if (r != (size_t)-1 || (e == E2BIG && o > buf))
            continue;
        /* A byte that does not decode, or a character cut short. */
        if (++bad > max_bad)
            break;
        kh_buf_add(out, "\xef\xbf\xbd", 3);
        in++;
        left--;
        iconv(c, NULL, NULL, NULL, NULL);
    }
    kh_free(buf);
    return bad <= max_bad;
}
