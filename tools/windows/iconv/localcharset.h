/* libcharset's header, for FreeXL on Windows: see iconv.h. */
#ifndef KH_WIN_LOCALCHARSET_H
#define KH_WIN_LOCALCHARSET_H
const char *locale_charset(void);
#endif
