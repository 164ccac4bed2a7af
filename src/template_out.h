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
#include "csv_out.h"
#include "xlsx_out.h"

#include <stdio.h>

/* The font of every form cell: the usual font of Chinese official forms
 * (LibreOffice substitutes a CJK font where it is missing). */
#define KH_FORM_FONT "宋体"
#define KH_FORM_FONT_SIZE 11.0

/* The form's font; a bordered, vertically centred, wrapping cell in it. */
void kh_form_style_font(lxw_format *f);
void kh_form_style_cell(lxw_format *f);

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



/* Does path end in ext (".csv", ".xlsx"), ignoring ASCII case? */
bool kh_path_has_ext(const char *path, const char *ext);


#endif
