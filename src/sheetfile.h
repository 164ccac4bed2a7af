/*
 * sheetfile.h - the one place that opens a spreadsheet file: it looks at
 * the file's first bytes (and, where they cannot tell, its name), picks the
 * reader (CSV, XLSX, XLS, ODS) and hands each worksheet on as a sheet grid.
 * Checklists (batch.c), rubrics (rubric.c, registry.c) and folders all go
 * through it, so every kind of file is accepted or refused alike.
 */
#ifndef KH_SHEETFILE_H
#define KH_SHEETFILE_H

#include "common.h"
#include "sheet.h"
#include "xlsx_in.h"

typedef enum kh_sheetfile_kind {
    KH_SHEETFILE_CSV,
    KH_SHEETFILE_XLSX,
    KH_SHEETFILE_XLS,
    KH_SHEETFILE_ODS
} kh_sheetfile_kind;

/* Read every worksheet of path ("-": standard input, read once), in
 * order, each handed to fn (which does not keep it); *kind (may be NULL)
 * gets the kind read.  A file that is no
 * spreadsheet kaohe reads (a lock file, WPS .et, .xlsb, an encrypted
 * workbook) is refused with a message saying how to save it as .xlsx. */
kh_status kh_sheetfile_read(const char *path, kh_sheet_fn fn, void *ctx,
                            kh_sheetfile_kind *kind, kh_diags *d);

/* The first worksheet of path (a CSV file's only one) in *out. */
kh_status kh_sheetfile_read_first(const char *path, kh_sheet **out, kh_sheetfile_kind *kind,
                                  kh_diags *d);

/* Whether a folder entry named name is read as an input: .csv, .xlsx,
 * .xlsm, .xls and .ods files, not hidden (.name) and not Office lock files
 * (~$name). */
bool kh_sheetfile_name(const char *name);

#endif
