/*
 * xls_in.h - the .xls reader (Excel 97-2003 workbooks, BIFF8, and Excel
 * 5.0/95 workbooks, BIFF5/7): kaohe's own, on the Compound File layer of
 * xls_cfb.c.  Only src/sheetfile.c calls it: it decides which reader
 * opens a file.
 */
#ifndef KH_XLS_IN_H
#define KH_XLS_IN_H

#include "common.h"
#include "sheet.h"
#include "xlsx_in.h"

/* Largest .xls file read: a checklist is tens of kilobytes. */
#define KH_XLS_MAX_FILE (32u << 20)

/* Read every worksheet (visible or hidden) of the .xls file path, in
 * workbook order, each handed to fn (which does not keep it).  Numbers
 * are their shortest decimal, date-formatted numbers YYYY-MM-DD (1900 or
 * 1904 system), booleans TRUE/FALSE cells, errors error cells, formulas
 * their cached value: what the XLSX reader makes of the same cells.
 * Every limit of the XLSX reader holds.  An encrypted workbook, one of
 * Excel 2.x-4.0 (BIFF2-4), one with charts only or a damaged file is
 * refused with a diagnostic naming path: KH_ERR_INPUT, KH_ERR_LIMIT,
 * KH_ERR_IO (cannot read) or KH_ERR_NOMEM.  A web page (what web systems
 * export as "Excel") is read as HTML tables (html_in.h). */
kh_status kh_xls_read_file(const char *path, kh_sheet_fn fn, void *ctx, kh_diags *d);

/* The same from bytes in memory (standard input, fuzzing, tests); path
 * names them. */
kh_status kh_xls_read_mem(const char *path, const void *data, size_t len, kh_sheet_fn fn,
                          void *ctx, kh_diags *d);

/* The first worksheet of the .xls file path as a new sheet in *out. */
kh_status kh_xls_read_first(const char *path, kh_sheet **out, kh_diags *d);

/* Whether path ends in .xls (any case). */
bool kh_is_xls_name(const char *path);

/* What a file named .xls that is no Compound File holds, by its first
 * bytes (up to 4 KiB): NULL when it may be CSV text or a web page, else a
 * msgid naming what it is (an Excel 2003 XML spreadsheet, an Excel
 * 2.x-4.0 file, a BIFF stream without its container) for a refusal. */
const char *kh_xls_not_ole(const void *data, size_t len);

/* Whether the first bytes of a file named .xls are markup that is not an
 * Excel 2003 XML spreadsheet: a web page, which kh_xls_read_file and
 * kh_xls_read_mem read as HTML tables (html_in.h). */
bool kh_xls_is_web_page(const void *data, size_t len);

#endif
