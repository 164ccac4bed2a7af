/*
 * print_layout.h - the printed page, shared by every XLSX writer (blank
 * checklists, scoresheets, the ranking workbook): A4 set-up and margins,
 * print titles, page numbers in the footer, title rows, the fonts, and
 * the measures that size rows for wrapped Chinese text.
 */
#ifndef KH_PRINT_LAYOUT_H
#define KH_PRINT_LAYOUT_H

#include "common.h"
#include "xlsx_out.h"

#include <stdint.h>

/* The font of everything kaohe prints: the usual font of Chinese official
 * forms (LibreOffice substitutes a CJK font where it is missing). */
#define KH_PRINT_FONT "宋体"
#define KH_FORM_FONT KH_PRINT_FONT
/* Forms (checklists, scoresheets): 11 pt. */
#define KH_FORM_FONT_SIZE 11.0
/* Wide tables (the ranking workbook): 10.5 pt (五号, the size of official
 * tables), which printed at the scale of a ranking sheet stays above 9 pt. */
#define KH_TABLE_FONT_SIZE 10.5

/* Paper margins in inches. */
typedef struct kh_margins {
    double left, right, top, bottom;
} kh_margins;

/* Forms, A4 portrait; and wide tables, A4 landscape. */
extern const kh_margins kh_margins_form;
extern const kh_margins kh_margins_table;

/* Print set-up of a sheet: A4, landscape or portrait, one page wide and
 * tall pages tall (0: as many as it takes), centred across the page,
 * margins m, "第 N 页，共 M 页" in the footer.  Errors go to x. */
void kh_print_a4(kh_xw *x, lxw_worksheet *ws, bool landscape, uint16_t tall,
                 const kh_margins *m);

/* Print titles: rows first..last repeated at the top of every printed
 * page. */
void kh_print_titles(kh_xw *x, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last);

/* A title row: text (never a formula) merged over columns c1..c2 of row
 * r, height points tall, in fmt. */
void kh_print_title_row(kh_xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c1, lxw_col_t c2,
                        const char *text, lxw_format *fmt, double height);

/* A title's look: KH_PRINT_FONT, bold, pt points, centred both ways. */
void kh_print_style_title(lxw_format *f, double pt);

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

#endif
