/*
 * xls_in.h - the .xls reader (Excel 97-2003 workbooks, BIFF8) on FreeXL.
 * Only src/sheetfile.c calls it: it decides which reader opens a file.
 */
#ifndef KH_XLS_IN_H
#define KH_XLS_IN_H

#include "common.h"
#include "sheet.h"
#include "xlsx_in.h"

/* Largest .xls file read: a checklist is tens of kilobytes. */
#define KH_XLS_MAX_FILE (32u << 20)

/* Read every worksheet of the .xls file path, in workbook order, each
 * handed to fn (which does not keep it).  Problems go to d with the file
 * (and worksheet, cell) they are about. */
kh_status kh_xls_read_file(const char *path, kh_sheet_fn fn, void *ctx, kh_diags *d);

/* The first worksheet of the .xls file path as a new sheet in *out. */
kh_status kh_xls_read_first(const char *path, kh_sheet **out, kh_diags *d);

/* Whether path ends in .xls (any case). */
bool kh_is_xls_name(const char *path);

#endif
