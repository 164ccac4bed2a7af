/*
 * xlsx_zip.h - the zip container of an XLSX workbook, on minizip: entries
 * indexed once by normalised part name, parts inflated in bounded chunks
 * with size and CRC checks.  Internal to xlsx_in.c.
 *
 * Every diagnostic names the file (path) and, when the caller gave one,
 * the worksheet a part belongs to.
 */
#ifndef KH_XLSX_ZIP_H
#define KH_XLSX_ZIP_H

#include "common.h"

typedef struct kh_zip kh_zip;

/* Open the workbook at path (a file up to 1 MiB read whole, a larger one
 * from disk as needed) or in data[0..len) (not copied: it must outlive
 * the kh_zip).  Recognises
 * an empty file, OLE/CFB files (legacy .xls, encrypted workbooks), files
 * that are no zip and truncated zips, and rejects duplicate part names and
 * names with ".." segments.  KH_OK with *out set, or KH_ERR_INPUT /
 * KH_ERR_IO / KH_ERR_NOMEM with a diagnostic. */
kh_status kh_zip_open_file(const char *path, kh_zip **out, kh_diags *d);
kh_status kh_zip_open_mem(const char *path, const void *data, size_t len,
                          kh_zip **out, kh_diags *d);
void kh_zip_free(kh_zip *z);

/* A copy of untrusted text (a part name, an attribute) fit for a message:
 * invalid UTF-8 and control characters become '?', and text longer than
 * the buffer is cut with "...".  Returns buf. */
#define KH_XLSX_SHOW_BUFSZ 84
const char *kh_xlsx_show(const char *s, char buf[KH_XLSX_SHOW_BUFSZ]);

/* A part name normalised for lookup: ASCII lower case, '\' -> '/', leading
 * '/' dropped.  New string, NULL when out of memory. */
char *kh_zip_norm(const char *name);

/* The name as stored in the zip of the part with normalised name norm, or
 * NULL when there is none. */
const char *kh_zip_find(const kh_zip *z, const char *norm);

/* Start reading the part with normalised name norm (which must exist).
 * sheet (may be NULL) names the worksheet in diagnostics. */
kh_status kh_zip_part_open(kh_zip *z, const char *norm, const char *sheet,
                           kh_diags *d);

/* Inflate up to cap bytes of the open part into buf; *n = 0 at its end,
 * once its size and CRC have been checked.  The bytes inflated per part
 * (KH_XLSX_MAX_PART) and per workbook (KH_XLSX_MAX_TOTAL) are capped.  On
 * any error the part is closed. */
kh_status kh_zip_part_read(kh_zip *z, void *buf, size_t cap, size_t *n,
                           kh_diags *d);

/* The number of parts, and the normalised name of part i (in name order). */
size_t kh_zip_count(const kh_zip *z);
const char *kh_zip_norm_at(const kh_zip *z, size_t i);

/* Abandon the open part, if any. */
void kh_zip_part_close(kh_zip *z);

#endif
