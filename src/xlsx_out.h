/*
 * xlsx_out.h - what every XLSX writer shares: a workbook written to a
 * temporary file and renamed into place, cell writers that never write a
 * formula from text and never write invalid UTF-8, exact decimal cells,
 * safe sheet names.  Every lxw_error is checked: the first one is kept in
 * kh_xw.err and makes kh_xw_close fail.
 */
#ifndef KH_XLSX_OUT_H
#define KH_XLSX_OUT_H

#include "common.h"
#include "decimal.h"
#include "outfile.h"
#include "text.h"

#include <time.h>
#include <xlsxwriter.h>

#define KH_XLSX_CELL_MAX 32767  /* characters in one cell */
#define KH_XLSX_SHEETNAME_MAX 31

typedef struct kh_xw {
    lxw_workbook *wb;
    kh_outfile out;   /* where the bytes go until they are complete */
    const char *path; /* final path (owned by out) */
    lxw_error err;    /* first libxlsxwriter error, LXW_NO_ERROR when none */
    const char *what; /* the call that failed first */
    char *tmpdir;     /* where libxlsxwriter stages the parts (NULL: its default; not owned) */
} kh_xw;

/* The time a workbook records as its creation: SOURCE_DATE_EPOCH (seconds
 * since 1970) when it is set, for outputs that are the same byte for byte
 * run after run; else now. */
time_t kh_xw_now(void);

/* Start a workbook that will become path, recording created as its
 * creation time.  row_by_row: libxlsxwriter's constant-memory mode (each
 * row goes to a temporary file once a later one is started, strings
 * inline: memory does not grow with the cells, but every sheet must be
 * written strictly row by row).  KH_OK, or KH_ERR_IO with a diagnostic. */
kh_status kh_xw_open(kh_xw *x, const char *path, bool row_by_row, time_t created,
                     kh_diags *d);

/* Finish: workbook_close, then rename into place.  On any error (also an
 * earlier one recorded in x->err) the temporary file is removed, path is
 * untouched, and a diagnostic says why (KH_ERR_NOMEM when libxlsxwriter ran
 * out of memory, KH_ERR_FORMAT for its other errors, KH_ERR_IO). */
kh_status kh_xw_close(kh_xw *x, kh_diags *d);

/* Mark the workbook as kaohe's own output of kind what (KH_MARK_RANKING,
 * KH_MARK_SCORESHEET of sheetfile.h), a custom document property: the
 * readers then skip it when it lies among the inputs.  Blank checklists
 * (templates) are not marked: they are inputs once filled in. */
void kh_xw_mark(kh_xw *x, const char *what);

/* Record the result of a libxlsxwriter call (keeps the first error). */
void kh_xw_check(kh_xw *x, lxw_error e, const char *what);

/* workbook_add_worksheet(x->wb, name), recording why it failed: the
 * name's own error (in use, too long, a forbidden character: as
 * workbook_validate_sheet_name says), and memory only when the name was
 * valid.  The sheet, or NULL (the error is then in x->err). */
lxw_worksheet *kh_xw_add_sheet(kh_xw *x, const char *name);

/* A text cell, always a string (never a formula, also for "=..."), with
 * invalid UTF-8 replaced by U+FFFD and cut to KH_XLSX_CELL_MAX characters.
 * NULL or "" writes a blank cell with the format (if any). */
void kh_xw_str(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
               const char *s, lxw_format *fmt);

/* A numeric cell holding v.  Give it a format with the General number
 * format (the default): General shows every kh_dec kaohe writes (at most 4
 * decimals, far below 11 digits) exactly as it is - 40, 38.6, 0.06 - and a
 * number typed over it by hand keeps its own decimals, which a fixed
 * "0.0" format would round on screen. */
void kh_xw_dec(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
               kh_dec v, lxw_format *fmt);

/* A formula with its computed value stored (so every reader shows it
 * without recalculating), like kh_xw_dec. */
void kh_xw_formula_dec(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                       const char *formula, kh_dec v, lxw_format *fmt);

/* A new format styled by style (may be NULL); NULL with x->err set when
 * out of memory (libxlsxwriter then uses its default format). */
lxw_format *kh_xw_format(kh_xw *x, void (*style)(lxw_format *));

/* A worksheet name Excel accepts, made from want: []:*?/\ and control
 * characters replaced by _,
 * no leading/trailing apostrophe, at most 31 characters, not empty, and
 * different (case-insensitively) from the n names in used (a " (2)"
 * suffix is added when needed).  New string or NULL (out of memory). */
char *kh_xw_sheet_name(const char *want, char *const *used, size_t n);

#endif
