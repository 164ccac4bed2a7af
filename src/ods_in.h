/*
 * ods_in.h - the OpenDocument spreadsheet reader (.ods: LibreOffice, WPS).
 * Only src/sheetfile.c calls it: it decides which reader opens a file.
 */
#ifndef KH_ODS_IN_H
#define KH_ODS_IN_H

#include "common.h"
#include "sheet.h"
#include "xlsx_in.h"

/* Whether the first n bytes of a file (38 + 46 are enough) are those of an
 * OpenDocument spreadsheet: a zip whose first entry is "mimetype" holding
 * application/vnd.oasis.opendocument.spreadsheet. */
bool kh_is_ods(const void *head, size_t n);

/* Read every sheet of the .ods file path (or of data[0..len)), in order,
 * each handed to fn (which does not keep it).  The limits of the XLSX
 * reader hold (inflated bytes, grid, characters a cell). */
kh_status kh_ods_read_file(const char *path, kh_sheet_fn fn, void *ctx, kh_diags *d);
kh_status kh_ods_read_mem(const char *path, const void *data, size_t len, kh_sheet_fn fn,
                          void *ctx, kh_diags *d);

/* The first sheet of the .ods file path in *out. */
kh_status kh_ods_read_first(const char *path, kh_sheet **out, kh_diags *d);

#endif
