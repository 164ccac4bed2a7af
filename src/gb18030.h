/*
 * gb18030.h - GB18030 (and so GBK, GB2312) text to UTF-8 with kaohe's own
 * table, generated from glibc's iconv (tools/gen-gb18030.c): the Linux
 * and Windows builds read a CSV that Excel or WPS saved as "CSV (逗号分隔)"
 * on a Chinese Windows the same way, with no iconv or Windows code page.
 */
#ifndef KH_GB18030_H
#define KH_GB18030_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

/* The character at s (len bytes available): its code point in *cp and its
 * length in bytes (1, 2 or 4), or 0 when the bytes are not a GB18030
 * character (or are cut short by len). */
size_t kh_gb18030_char(const unsigned char *s, size_t len, uint32_t *cp);

/* s[0..len) as new NUL-terminated UTF-8 in *out (kh_malloc; its length in
 * *outlen).  KH_OK; KH_ERR_INPUT with *bad the offset of the first bytes
 * that are not GB18030 (*out NULL); KH_ERR_NOMEM. */
kh_status kh_gb18030_to_utf8(const unsigned char *s, size_t len, char **out, size_t *outlen,
                             size_t *bad);

#endif
