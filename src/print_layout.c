/*
 * print_layout.c - the printed page shared by the XLSX writers (see
 * print_layout.h).
 */
#include "print_layout.h"
#include "text.h"

#include <string.h>

const kh_margins kh_margins_form = {0.5, 0.5, 0.6, 0.7};
const kh_margins kh_margins_table = {0.4, 0.4, 0.5, 0.6};

void kh_print_a4(kh_xw *x, lxw_worksheet *ws, bool landscape, uint16_t tall,
                 const kh_margins *m)
{
    if (landscape)
        worksheet_set_landscape(ws);
    else
        worksheet_set_portrait(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, tall);
    worksheet_center_horizontally(ws);
    worksheet_set_margins(ws, m->left, m->right, m->top, m->bottom);
    kh_xw_check(x, worksheet_set_footer(ws, "&C第 &P 页，共 &N 页"), "worksheet_set_footer");
}

void kh_print_titles(kh_xw *x, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last)
{
    kh_xw_check(x, worksheet_repeat_rows(ws, first, last), "worksheet_repeat_rows");
}

void kh_print_title_row(kh_xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c1, lxw_col_t c2,
                        const char *text, lxw_format *fmt, double height)
{
    kh_xw_check(x, worksheet_set_row(ws, r, height > 409 ? 409 : height, NULL),
                "worksheet_set_row");
    if (c2 > c1)
        kh_xw_check(x, worksheet_merge_range(ws, r, c1, r, c2, "", fmt), "worksheet_merge_range");
    kh_xw_str(x, ws, r, c1, text ? text : "", fmt);
}

void kh_print_style_title(lxw_format *f, double pt)
{
    format_set_font_name(f, KH_PRINT_FONT);
    format_set_font_size(f, pt);
    format_set_bold(f);
    format_set_align(f, LXW_ALIGN_CENTER);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(f);
}

/* Is code point cp shown full width (about two digits wide)? */
static bool wide_cp(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
}

/* Width of one code point in column units at size pt.  A column unit is
 * 7 pixels at 96 dpi (a digit of Calibri 11, Excel's default font); an
 * 11 pt 宋体 character is 15 pixels.  LibreOffice without Calibri's metric
 * twin (Carlito) makes columns wider, so text there needs fewer lines. */
static double cp_width(unsigned cp, double pt)
{
    return (wide_cp(cp) ? 2.15 : 1.15) * pt / KH_FORM_FONT_SIZE;
}

/* The code point at s[*i] (U+FFFD for a byte that starts no valid
 * sequence), advancing *i. */
static unsigned next_cp(const char *s, size_t len, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (n > len - *i || !kh_utf8_valid(s + *i, n, NULL)) {
        (*i)++;
        return 0xFFFD;
    }
    unsigned cp;
    *i += kh_utf8_decode(s + *i, &cp);
    return cp;
}

unsigned kh_form_lines(const char *s, double col_width, double pt)
{
    /* Room for text: the cell's width less its padding. */
    double room = col_width - 1.0;
    if (room < 1)
        room = 1;
    unsigned lines = 1;
    double cur = 0;
    size_t len = s ? strlen(s) : 0;
    /* Checked once, the text is decoded without a check per character. */
    bool valid = len && kh_utf8_valid(s, len, NULL);
    for (size_t i = 0; i < len;) {
        unsigned cp;
        if (valid)
            i += kh_utf8_decode(s + i, &cp);
        else
            cp = next_cp(s, len, &i);
        if (cp == '\n') {
            lines++;
            cur = 0;
            continue;
        }
        double w = cp_width(cp, pt);
        if (cur > 0 && cur + w > room) {
            lines++;
            cur = 0;
        }
        cur += w;
    }
    return lines;
}

double kh_form_height(unsigned lines, double pt)
{
    /* Noto Sans CJK needs about 1.45 em per line; a little air above and
     * below.  Excel's row height limit is 409 points. */
    double h = lines * pt * 1.45 + 5;
    return h > 409 ? 409 : h;
}

void kh_form_page_setup(kh_xw *x, lxw_worksheet *ws, lxw_row_t header_row)
{
    kh_print_a4(x, ws, false, 0, &kh_margins_form);
    kh_print_titles(x, ws, header_row, header_row);
    worksheet_freeze_panes(ws, header_row + 1, 0);
}

/* The printable area of kh_form_page_setup in points: A4 (8.27 x 11.69
 * inches) less the margins. */
#define PAGE_W_PT ((8.27 - kh_margins_form.left - kh_margins_form.right) * 72)
#define PAGE_H_PT ((11.69 - kh_margins_form.top - kh_margins_form.bottom) * 72)

void kh_form_page_breaks(kh_xw *x, lxw_worksheet *ws, const double *height,
                         const bool *group_start, lxw_row_t nrows, lxw_row_t header_row,
                         const double *col_width, size_t ncols)
{
    /* Excel's fit-to-width scale: whole percent, the columns' pixel widths
     * (7 per unit plus 5 of padding at 96 dpi) into the printable width. */
    double px = 0;
    for (size_t c = 0; c < ncols; c++)
        px += (double)(long)(col_width[c] * 7 + 5);
    double scale = px > 0 ? (double)(long)(100 * PAGE_W_PT * 96 / 72 / px) / 100 : 1;
    if (scale > 1)
        scale = 1;
    if (scale < 0.1)
        scale = 0.1;
    /* A little room for rounding and for the printer's own margins. */
    double page = PAGE_H_PT / scale * 0.97;
    lxw_row_t *breaks = kh_calloc((size_t)nrows + 1, sizeof *breaks);
    if (!breaks) {
        kh_xw_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "kh_form_page_breaks");
        return;
    }
    size_t nbreaks = 0;
    double used = 0;
    for (lxw_row_t r = 0; r < nrows;) {
        lxw_row_t end = r + 1;
        while (end < nrows && !(end > header_row && group_start[end]))
            end++;
        double h = 0;
        for (lxw_row_t k = r; k < end; k++)
            h += height[k];
        if (r > header_row && used + h > page && used > height[header_row] && nbreaks < 1023) {
            breaks[nbreaks++] = r;
            used = height[header_row];
        }
        used += h;
        r = end;
    }
    if (nbreaks)
        kh_xw_check(x, worksheet_set_h_pagebreaks(ws, breaks), "worksheet_set_h_pagebreaks");
    kh_free(breaks);
}

void kh_form_style_font(lxw_format *f)
{
    format_set_font_name(f, KH_FORM_FONT);
    format_set_font_size(f, KH_FORM_FONT_SIZE);
}

void kh_form_style_cell(lxw_format *f)
{
    kh_form_style_font(f);
    format_set_border(f, LXW_BORDER_THIN);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(f);
}
