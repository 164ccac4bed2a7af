/*
 * html_in.h - HTML tables into sheet grids: what web systems export as
 * "Excel" (.xls files that are a web page).  Only src/sheetfile.c calls
 * it, for a file named .xls whose bytes are markup.
 */
#ifndef KH_HTML_IN_H
#define KH_HTML_IN_H

#include "common.h"
#include "sheet.h"
#include "xlsx_in.h"

/* Read every table of the page in data[0..len) (at most KH_XLS_MAX_FILE
 * bytes), in page order, each a sheet named 表1, 表2 ... handed to fn.
 * Rows are <tr>, cells <td> and <th>, placed as a spreadsheet places them
 * (colspan and rowspan honoured); a cell's text is its text with the tags
 * dropped, character references decoded, white space collapsed and <br>
 * a line break.  A table inside a cell adds its text to that cell.  The
 * page is UTF-8, or GB18030 when its <meta> charset says GBK, GB2312 or
 * GB18030 or its bytes are not UTF-8.  Every cell is text.  The XLSX
 * reader's limits hold.  A page without a table is KH_ERR_INPUT with a
 * diagnostic naming path. */
kh_status kh_html_read_mem(const char *path, const void *data, size_t len, kh_sheet_fn fn,
                           void *ctx, kh_diags *d);

#endif
