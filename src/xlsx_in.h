/*
 * xlsx_in.h - XLSX workbooks into sheet grids, one worksheet at a time,
 * on minizip (with a bounded inflate) and expat (streaming, namespaces).
 */
#ifndef KH_XLSX_IN_H
#define KH_XLSX_IN_H

#include "common.h"
#include "sheet.h"

#define KH_XLSX_MAX_PART     (256u << 20) /* inflated bytes of one part */
#define KH_XLSX_MAX_TOTAL    (512u << 20) /* inflated bytes of one workbook */
#define KH_XLSX_MAX_SHEETS   1000u        /* worksheets in one workbook */
#define KH_XLSX_MAX_DEPTH    64u          /* XML element nesting */
#define KH_XLSX_MAX_CELL     32767u       /* characters in one cell */
#define KH_XLSX_MAX_TOKEN    (4u << 20)   /* one XML tag, comment or PI */
#define KH_XLSX_MAX_GRID     (128u << 20) /* cells of one worksheet in memory */
#define KH_XLSX_MAX_GRIDS    (512u << 20) /* ... of all worksheets, one by one */

/* Called once per worksheet, in workbook order, with the grid filled and
 * finished (kh_sheet_finish done; sheet->name is the user-visible name).
 * The sheet is freed after the call returns: copy what you keep.  Return
 * KH_OK to go on, anything else to stop (that status is returned). */
typedef kh_status (*kh_sheet_fn)(void *ctx, const kh_sheet *sheet);

/* Read every worksheet of the workbook at path.  Problems with the file as
 * a whole (not a zip, legacy .xls, encrypted, truncated, bomb, bad XML ...)
 * are KH_ERR_INPUT with a diagnostic naming the file (and part or sheet).
 * A problem inside one worksheet's XML rejects the whole workbook.
 * Past one of the limits above (cell text, sheets, grid) the status is
 * KH_ERR_LIMIT; a file that cannot be opened or read is KH_ERR_IO.  The
 * file is read from disk part by part, never whole.  Sheets before a
 * failing one have already gone to fn: a caller that wants all or nothing
 * discards them when the status is not KH_OK.  Chart and dialog sheets
 * are skipped; hidden worksheets are read. */
kh_status kh_xlsx_read_file(const char *path, kh_sheet_fn fn, void *ctx,
                            kh_diags *d);

/* kh_xlsx_read_file, except that a workbook kaohe wrote (a ranking or a
 * scoresheet: sheetfile.h, KH_MARK_*) is not read: *mark (mark_size
 * bytes) gets what it is, "ranking" or "scoresheet", and nothing goes to
 * fn.  *mark is "" for any other workbook. */
kh_status kh_xlsx_read_file_marked(const char *path, kh_sheet_fn fn, void *ctx, char *mark,
                                   size_t mark_size, kh_diags *d);

/* The same from bytes in memory (fuzzing, tests); path names it. */
kh_status kh_xlsx_read_mem(const char *path, const void *data, size_t len,
                           kh_sheet_fn fn, void *ctx, kh_diags *d);

/* Read only the first worksheet into a new sheet (rubric files). */
kh_status kh_xlsx_read_first(const char *path, kh_sheet **out, kh_diags *d);

/* True when the first bytes look like an OLE/CFB file (.xls, encrypted). */
bool kh_is_cfb(const void *data, size_t len);

#endif
