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
    KH_SHEETFILE_ODS,
    KH_SHEETFILE_RANKING,    /* a ranking workbook kaohe wrote: not read */
    KH_SHEETFILE_SCORESHEET  /* a scoresheet kaohe wrote: not read */
} kh_sheetfile_kind;

/* Read every worksheet of path ("-": standard input, read once), in
 * order, each handed to fn (which does not keep it); *kind (may be NULL)
 * gets the kind read.  A ranking or scoresheet kaohe wrote (its mark,
 * KH_MARK_*) is KH_OK with *kind KH_SHEETFILE_RANKING or
 * KH_SHEETFILE_SCORESHEET and no sheet handed on.  A file that is no
 * spreadsheet kaohe reads (a lock file, WPS .et, .xlsb, an encrypted
 * workbook) is refused with a message saying how to save it as .xlsx. */
kh_status kh_sheetfile_read(const char *path, kh_sheet_fn fn, void *ctx,
                            kh_sheetfile_kind *kind, kh_diags *d);

/* The first worksheet of path (a CSV file's only one) in *out. */
kh_status kh_sheetfile_read_first(const char *path, kh_sheet **out, kh_sheetfile_kind *kind,
                                  kh_diags *d);

/* Files that are no checklist, told by their content. */
typedef enum kh_not_sheet {
    KH_NOT_PDF,     /* %PDF */
    KH_NOT_WORD,    /* a Word document: .doc (Compound File with a WordDocument
                       stream) or .docx (a package whose main part is
                       word/document.xml) */
    KH_NOT_IMAGE,   /* PNG, JPEG, GIF, TIFF, WebP */
    KH_NOT_ZIP      /* a zip archive that holds no workbook */
} kh_not_sheet;

/* The one message for a file that is no checklist (不是检查表（PDF 文件）：
 * and what to do), the same wherever it is found (sheetfile.c by the first
 * bytes, xlsx_in.c by a package's parts) and in every front end. */
void kh_sheetfile_not_sheet(kh_diags *d, const char *path, kh_not_sheet what);

/* What kaohe wrote into a workbook, as its custom document property
 * "kaohe" (kh_xw_mark in xlsx_out.c): a ranking or a scoresheet lying in
 * an input folder is skipped, not read as a broken checklist. */
#define KH_MARK_PROPERTY "kaohe"
#define KH_MARK_RANKING "ranking"
#define KH_MARK_SCORESHEET "scoresheet"

/* Whether a folder entry named name is read as an input: .csv, .xlsx,
 * .xlsm, .xls and .ods files, not hidden (.name) and not Office lock files
 * (~$name). */
bool kh_sheetfile_name(const char *name);

#endif
