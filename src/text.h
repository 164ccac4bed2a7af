/*
 * text.h - UTF-8 text helpers shared by the readers and the checklist:
 * validation, trimming (ASCII white space and U+3000), label and header
 * normalisation, full-width digit folding.
 */
#ifndef KH_TEXT_H
#define KH_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct kh_buf;

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates).  On
 * false, *bad_off (if not NULL) gets the offset of the first bad byte. */
bool kh_utf8_valid(const char *s, size_t len, size_t *bad_off);

/* Trim leading and trailing ASCII white space and U+3000 (ideographic
 * space).  Returns a pointer into s; *len gets the trimmed length. */
const char *kh_trim(const char *s, size_t *len);

/* kh_trim of the n bytes at s. */
const char *kh_trim_n(const char *s, size_t n, size_t *len);

/* A newly allocated copy of s trimmed (kh_trim), for comparisons of values
 * (results, check ids, unit names).  NULL when out of memory. */
char *kh_norm_value(const char *s);

/* A newly allocated copy of a field label: trimmed, then a trailing "：" or
 * ":" removed and trimmed again. */
char *kh_norm_label(const char *s);

/* A newly allocated copy of a column header: all white space removed
 * (ASCII, U+3000, line breaks) anywhere in it, and a trailing "：" or ":"
 * removed. */
char *kh_norm_header(const char *s);

/* A newly allocated copy with full-width digits ０-９ turned into 0-9 and
 * the full-width full stop/period "．" into ".". */
char *kh_fold_fullwidth(const char *s);

/* The key two labels are compared by when people write them loosely
 * (检查要点 in an office's own form): compatibility-normalised (full-width
 * letters and digits as half-width, NFKC) and case-folded by utf8proc,
 * with every bracketed note （…） (…) 【…】 [...] removed and then every white
 * space, punctuation mark and control character.  "春节期间安全生产大检查
 * （无通知或方案视未开展）" and " 春节期间 安全生产大检查。" have one key.
 * New string ("" when nothing is left) or NULL when out of memory or s is
 * not valid UTF-8. */
char *kh_loose_key(const char *s);

/* The key under which file systems that ignore case or normalisation
 * (Windows, macOS) see a file name as the same: compatibility-normalised
 * (NFKC: full-width letters as half-width, composed and decomposed forms
 * alike) and case-folded (A a Ａ ａ, Greek and Cyrillic too), by utf8proc.
 * Stricter than any one file system, so names with different keys never
 * collide anywhere.  New string, or NULL when out of memory or s is not
 * valid UTF-8. */
char *kh_file_key(const char *s);

/* A unit name as it is compared and written: Unicode NFC (utf8proc), the
 * invisible format characters removed (zero-width space, joiners, word
 * joiner, byte-order mark, bidirectional marks and controls: category
 * Cf), control characters and every other kind of space (U+00A0, U+3000
 * ...) as one ASCII space, runs of spaces as one, trimmed.  Six visually
 * identical "两江镇" are one unit.  New string, or NULL when out of memory
 * or s is not valid UTF-8. */
char *kh_clean_name(const char *s);

/* s as it may be shown on a terminal: control characters (C0, DEL, C1)
 * as \xHH and the invisible format characters that reorder or hide text
 * (bidirectional overrides and isolates, zero-width characters: category
 * Cf) as \u{HHHH}, so that a unit or file name cannot move the cursor,
 * retitle the window or forge a line.  Invalid UTF-8 bytes as \xHH.  New
 * string, or NULL when out of memory. */
char *kh_term_text(const char *s);

/* ASCII case-insensitive equality. */
bool kh_ascii_eq_nocase(const char *a, const char *b);

/* Decode one UTF-8 code point at s (valid UTF-8 assumed); returns its
 * length in bytes and stores the code point. */
size_t kh_utf8_decode(const char *s, unsigned *cp);

/* Number of code points in valid UTF-8 text. */
size_t kh_utf8_len(const char *s);

/* A copy of s with invalid UTF-8 replaced by U+FFFD, cut to max_chars
 * characters (code points).  New string or NULL when out of memory. */
char *kh_utf8_clean(const char *s, size_t max_chars);

/* Columns a terminal gives the valid UTF-8 text s (East Asian wide
 * characters count 2). */
size_t kh_display_width(const char *s);

/* Convert s[0..n) with cd (an iconv descriptor to UTF-8), appending the
 * UTF-8 to out without NULs (a cell's text is a C string).  A byte that
 * does not decode becomes U+FFFD; past max_bad of them the text is not in
 * that encoding: false (out then holds part of it).  The whole text goes
 * to iconv in one call, into room for all of it, as the Windows iconv of
 * tools/windows/ (whole buffers only) needs.  out->oom says whether
 * memory ran out. */
bool kh_iconv_lossy(void *cd, const void *s, size_t n, struct kh_buf *out, size_t max_bad);

#endif
