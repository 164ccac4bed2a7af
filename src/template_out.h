/*
 * template_out.h - what the two form writers share (blank templates in
 * template_out.c, scoresheets in scoresheet_out.c): the page and cell
 * measures of a printed A4 form, and a CSV file written through libcsv
 * to a temporary name and renamed into place.  Defined in template_out.c.
 */
#ifndef KH_TEMPLATE_OUT_H
#define KH_TEMPLATE_OUT_H

#include "common.h"
#include "decimal.h"
#include "xlsx_out.h"

#include <stdio.h>

/* The font of every form cell: the usual font of Chinese official forms
 * (LibreOffice substitutes a CJK font where it is missing). */
#define KH_FORM_FONT "宋体"
#define KH_FORM_FONT_SIZE 11.0

/* Lines s takes in a wrapped cell of col_width units at size pt (at least
 * 1; explicit line breaks count). */
unsigned kh_form_lines(const char *s, double col_width, double pt);

/* Row height in points for lines lines of text at size pt. */
double kh_form_height(unsigned lines, double pt);

/* Print and view set-up of a form: A4 portrait, one page wide, header_row
 * repeated on every page and frozen below, page numbers in the footer. */
void kh_form_page_setup(kh_xw *x, lxw_worksheet *ws, lxw_row_t header_row);

/* Manual page breaks so that no group of rows (the check points of one
 * item, whose 序号 / 督查内容 / 标准分 cells are merged) is split across
 * two printed pages, as far as the page can be predicted: A4 portrait with
 * the margins of kh_form_page_setup, scaled to the width of the ncols
 * columns of widths col_width like Excel's "fit to 1 page wide".
 * height[r] is the height of row r in points for r < nrows; group_start[r]
 * is true when row r starts a group (a page may break above it).  Rows up
 * to header_row are on the first page; header_row repeats on every page.
 * LibreOffice honours the breaks; Excel ignores them under "fit to page"
 * and breaks by itself. */
void kh_form_page_breaks(kh_xw *x, lxw_worksheet *ws, const double *height,
                         const bool *group_start, lxw_row_t nrows, lxw_row_t header_row,
                         const double *col_width, size_t ncols);

/* Number formats for kh_xw_dec: one General format styled by style in
 * every slot.  General shows a score with exactly the decimals it has (40,
 * 38.6, 2.94) and keeps doing so after a hand edit, where "0" would show
 * 1.5 as 2.  A failure is recorded in x (the slots are then NULL). */
void kh_form_general_formats(kh_xw *x, void (*style)(lxw_format *),
                             lxw_format *fmts[KH_DEC_PLACES + 1]);

/* kh_xw_close, with a memory failure recorded by a cell writer reported
 * as KH_ERR_NOMEM rather than KH_ERR_FORMAT. */
kh_status kh_form_close(kh_xw *x, kh_diags *d);

/* kh_xw_sheet_name of want with its control characters (a line break
 * typed in a unit name, U+0001 ...) made "_" first: libxlsxwriter writes a
 * sheet name into an XML attribute as it is, and a control character
 * there makes the workbook unreadable.  New string or NULL. */
char *kh_form_sheet_name(const char *want, char *const *used, size_t n);

/* Does path end in ext (".csv", ".xlsx"), ignoring ASCII case? */
bool kh_path_has_ext(const char *path, const char *ext);

/* A CSV output file: fields written by csv_out.c (libcsv quoting, formula
 * neutralising, CRLF, BOM) to a temporary file beside path, renamed into
 * place by kh_csv_file_close. */
typedef struct kh_csv_file {
    FILE *f;
    char *tmp;
    char *path;
    bool first;    /* the next field starts a row */
    bool oom;      /* set by the caller when memory ran out: close fails */
} kh_csv_file;

/* Start a CSV file that will become path (the BOM is written).  KH_OK or
 * KH_ERR_IO with a diagnostic. */
kh_status kh_csv_file_open(kh_csv_file *c, const char *path, kh_diags *d);

/* A text field (NULL is empty), neutralised when formula-like. */
void kh_csv_file_text(kh_csv_file *c, const char *s);

/* A number field, exactly its decimals (40, 38.6, 0.06). */
void kh_csv_file_dec(kh_csv_file *c, kh_dec v);

/* End the current row. */
void kh_csv_file_row(kh_csv_file *c);

/* Finish: flush, close, rename into place.  On any error the temporary
 * file is removed, path is untouched and a diagnostic says why. */
kh_status kh_csv_file_close(kh_csv_file *c, kh_diags *d);

#endif
