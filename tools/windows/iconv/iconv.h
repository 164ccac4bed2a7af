/* iconv for the Windows build of kaohe: the POSIX interface over the
 * Windows code-page conversions.  Debian ships no iconv for mingw-w64;
 * kaohe's .xls reader (BIFF5 code pages) and CSV reader (GB18030) need one.
 * Conversions are of whole buffers: a call converts all of its input or
 * nothing (E2BIG when the output is too small, EILSEQ/EINVAL on bytes
 * that are not in the source code page). */
#ifndef KH_WIN_ICONV_H
#define KH_WIN_ICONV_H
#include <stddef.h>

typedef struct kh_win_iconv *iconv_t;

iconv_t iconv_open(const char *tocode, const char *fromcode);
size_t iconv(iconv_t cd, char **inbuf, size_t *inbytesleft, char **outbuf,
             size_t *outbytesleft);
int iconv_close(iconv_t cd);

#endif
