/*
 * ranking_out.c - the district ranking workbook (doc/formats.md §4-5, rank).
 *
 * Sheets, in tab order:
 *   {unit_type}        one per rubric: title rows, then 名次 · 被考核单位 ·
 *                      one column per item · 合计得分 (=SUM with its value
 *                      stored) · 结果 · 来源文件, units in ranking order,
 *                      vetoed units last without a rank, highlighted
 *   {unit_type}得分图  a bar chart of the non-vetoed units' totals, read from
 *                      the ranking sheet (so a hand edit moves the bar too)
 *   扣分明细           one row per check point that cost points (and per
 *                      veto check point that fired)
 *   未通过的文件       one row per message of a rejected input, or a line
 *                      saying there was none
 *   更正记录, 来源     the workspace's corrections; the files used
 * Every sheet prints on A4, one page wide (print_layout.c), the sheets
 * other than a ranking under a title row, with their header row repeated
 * on every page.
 */
#include "batch.h"
#include "appeal.h"
#include "provenance.h"
#include "selfeval.h"
#include "previous.h"
#include "workspace.h"
#include "outfile.h"
#include "print_layout.h"
#include "rubric.h"
#include "sheet.h"
#include "sheetfile.h"
#include "text.h"
#include "xlsx_out.h"
#include "summary_out.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SHEET_DETAIL "扣分明细"
#define SHEET_REJECTED "未通过的文件"
#define SHEET_SOURCES "来源"
#define SHEET_CHANGES "变更情况"
#define SHEET_JOURNAL "更正记录"
#define RESULT_OK "正常"
#define RESULT_VETO "一票否决"

/* Rows of a ranking sheet (0-based). */
enum { ROW_TITLE = 0, ROW_SUBTITLE = 1, ROW_HEAD = 2, ROW_FIRST = 3 };

/* The look of the workbook. */
#define COLOR_HEAD 0xD9E1F2   /* header fill: light blue-grey */
#define COLOR_VETO_FILL 0xFFC7CE
#define COLOR_VETO_FONT 0x9C0006
#define COLOR_BAR 0x4472C4

typedef struct rk {
    kh_xw x;
    const kh_batch *b;
    const kh_previous *prev;                    /* rank --previous, or NULL */
    const kh_ws_change *journal;                /* the workspace's changes, or NULL */
    size_t njournal;
    bool oom;
    lxw_format *title, *subtitle, *head, *note, *sign;
    time_t created;                             /* the run's time: 制表日期 */
    const kh_rubric *first;                     /* the first ranked rubric: the sheets' titles */
    lxw_format *center, *left, *rank;           /* ordinary rows */
    lxw_format *v_center, *v_left;              /* vetoed rows */
    lxw_format *src, *v_src;                    /* 来源文件: one line, not printed */
    /* Numbers of the ranking sheets, in the General format: it shows a
     * value with exactly the decimals it has (40, 38.6, 2.94) and keeps
     * doing so after a hand edit (a "0" format would show 1.5 as 2). */
    lxw_format *num, *total;
    lxw_format *v_num, *v_total;
    /* Deductions of 扣分明细: a format per number of decimals. */
    lxw_format *ded, *v_ded;
    char **names;                               /* sheet names taken so far */
    size_t nnames, capnames;
} rk;

/* ------------------------------------------------------------------ */
/* Formats. */

/* One Chinese font throughout (the forms' 宋体), at 10.5 pt (五号, the
 * size of official tables): printed at the scale the sheet is laid out for
 * (about nine tenths of A4 landscape), no text falls below 9 pt. */
#define RK_FONT KH_PRINT_FONT
#define RK_FONT_SIZE KH_TABLE_FONT_SIZE

static void style_font(lxw_format *f)
{
    format_set_font_name(f, RK_FONT);
    format_set_font_size(f, RK_FONT_SIZE);
}

static void style_cell(lxw_format *f)
{
    style_font(f);
    format_set_border(f, LXW_BORDER_THIN);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
}

static void style_num(lxw_format *f)
{
    style_cell(f);
    format_set_align(f, LXW_ALIGN_CENTER);
}

static void style_total(lxw_format *f)
{
    style_num(f);
    format_set_bold(f);
}

static void style_veto(lxw_format *f)
{
    format_set_bg_color(f, COLOR_VETO_FILL);
    format_set_font_color(f, COLOR_VETO_FONT);
}

static void style_v_num(lxw_format *f)
{
    style_num(f);
    style_veto(f);
}

static void style_v_total(lxw_format *f)
{
    style_total(f);
    style_veto(f);
}

static lxw_format *new_format(rk *k)
{
    lxw_format *f = workbook_add_format(k->x.wb);
    if (!f)
        kh_xw_check(&k->x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_format");
    else
        style_font(f);
    return f;
}

/* Make every format of the workbook.  On failure some are NULL, which
 * libxlsxwriter takes as the default format, and k->x.err is set. */
static void make_formats(rk *k)
{
    lxw_format *f;
    if ((f = k->title = new_format(k))) {
        format_set_bold(f);
        format_set_font_size(f, 16);
        format_set_align(f, LXW_ALIGN_CENTER);
        format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    }
    if ((f = k->subtitle = new_format(k))) {
        format_set_align(f, LXW_ALIGN_CENTER);
        format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
        format_set_text_wrap(f);
    }
    if ((f = k->head = new_format(k))) {
        style_num(f);
        format_set_bold(f);
        format_set_text_wrap(f);
        format_set_bg_color(f, COLOR_HEAD);
    }
    if ((f = k->note = new_format(k))) {
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    }
    if ((f = k->sign = new_format(k))) {
        format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    }
    if ((f = k->center = new_format(k))) {
        style_num(f);
        format_set_text_wrap(f);
    }
    if ((f = k->left = new_format(k))) {
        style_cell(f);
        format_set_text_wrap(f);
    }
    if ((f = k->rank = new_format(k))) {
        style_total(f);
        format_set_num_format(f, "0");
    }
    if ((f = k->v_center = new_format(k))) {
        style_num(f);
        style_veto(f);
        format_set_bold(f);
        format_set_text_wrap(f);
    }
    if ((f = k->v_left = new_format(k))) {
        style_cell(f);
        style_veto(f);
        format_set_text_wrap(f);
    }
    if ((f = k->src = new_format(k)))
        style_cell(f);
    if ((f = k->v_src = new_format(k))) {
        style_cell(f);
        style_veto(f);
    }
    k->num = kh_xw_format(&k->x, style_num);
    k->total = kh_xw_format(&k->x, style_total);
    k->v_num = kh_xw_format(&k->x, style_v_num);
    k->v_total = kh_xw_format(&k->x, style_v_total);
    k->ded = kh_xw_format(&k->x, style_num);
    k->v_ded = kh_xw_format(&k->x, style_v_num);
}

/* ------------------------------------------------------------------ */
/* Small helpers. */

static void set_oom(rk *k)
{
    if (!k->oom)
        kh_xw_check(&k->x, LXW_ERROR_MEMORY_MALLOC_FAILED, "kh_malloc");
    k->oom = true;
}

/* A string from a kh_buf, or NULL after marking k out of memory. */
static char *buf_take(rk *k, kh_buf *b)
{
    if (b->oom) {
        kh_buf_free(b);
        set_oom(k);
        return NULL;
    }
    return kh_buf_steal(b);
}

/* Approximate display width of s[0..len) in Excel column units: CJK and
 * full-width characters count two, others one. */
static size_t width_n(const char *s, size_t len)
{
    if (!kh_utf8_valid(s, len, NULL))
        return len;
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        i += kh_utf8_decode(s + i, &cp);
        w += cp >= 0x2E80 ? 2 : 1;
    }
    return w;
}

static size_t text_width(const char *s)
{
    return s ? width_n(s, strlen(s)) : 0;
}

/* Lines a wrapped text takes in a column of the given width (line breaks
 * in the text count too). */
static unsigned text_lines(const char *s, double width)
{
    if (!s || !*s)
        return 1;
    double usable = width > 3 ? width - 1.5 : 1.5;
    unsigned lines = 0;
    while (lines < 100) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        double w = (double)width_n(s, len);
        unsigned n = 1;
        while (n * usable < w)
            n++;
        lines += n;
        if (!nl)
            break;
        s = nl + 1;
    }
    return lines;
}

/* Height in points of a row whose tallest wrapped cell has this many
 * lines (libxlsxwriter cannot autofit, and LibreOffice does not on load). */
static double row_height(unsigned lines, double min)
{
    double h = 4 + 15.0 * lines;
    if (h < min)
        h = min;
    return h > 409 ? 409 : h;
}

static double clamp_width(size_t w, double lo, double hi)
{
    double v = (double)w + 2;
    return v < lo ? lo : v > hi ? hi : v;
}

static void set_col(rk *k, lxw_worksheet *ws, lxw_col_t c, double width)
{
    kh_xw_check(&k->x, worksheet_set_column(ws, c, c, width, NULL), "worksheet_set_column");
}

static void set_row(rk *k, lxw_worksheet *ws, lxw_row_t r, double height)
{
    kh_xw_check(&k->x, worksheet_set_row(ws, r, height, NULL), "worksheet_set_row");
}

/* A merged range holding text (written as a string, never a formula). */
static void merge_text(rk *k, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c1, lxw_col_t c2,
                       const char *s, lxw_format *fmt)
{
    if (c2 > c1)
        kh_xw_check(&k->x, worksheet_merge_range(ws, r, c1, r, c2, "", fmt),
                    "worksheet_merge_range");
    kh_xw_str(&k->x, ws, r, c1, s ? s : "", fmt);
}

/* A new worksheet with a safe name made from want, distinct from every
 * name taken so far.  *name gets the name (owned by k).  NULL on failure
 * (recorded in k). */
/* A sheet's heading row r: the n column titles head, each column's width,
 * the row height. */
static void head_row(rk *k, lxw_worksheet *ws, lxw_row_t r, const char *const *head,
                     const double *width, lxw_col_t n, double height)
{
    set_row(k, ws, r, height);
    for (lxw_col_t c = 0; c < n; c++) {
        kh_xw_str(&k->x, ws, r, c, head[c], k->head);
        set_col(k, ws, c, width[c]);
    }
}

/* Row r of n texts (NULL: a blank cell), tall enough for the longest wrapped one;
 * the columns whose bit is set in left are aligned left, the others
 * centred. */
static void text_row(rk *k, lxw_worksheet *ws, lxw_row_t r, const char *const *text,
                     const double *width, lxw_col_t n, unsigned left)
{
    unsigned lines = 1;
    for (lxw_col_t c = 0; c < n; c++) {
        unsigned m = text[c] ? text_lines(text[c], width[c]) : 1;
        if (m > lines)
            lines = m;
    }
    set_row(k, ws, r, row_height(lines, 20));
    for (lxw_col_t c = 0; c < n; c++)
        kh_xw_str(&k->x, ws, r, c, text[c], left >> c & 1u ? k->left : k->center);
}

static lxw_worksheet *add_sheet(rk *k, const char *want, const char **name)
{
    char *n = kh_xw_sheet_name(want, k->names, k->nnames);
    if (!n || !kh_grow((void **)&k->names, &k->capnames, k->nnames + 1, sizeof *k->names)) {
        kh_free(n);
        set_oom(k);
        return NULL;
    }
    k->names[k->nnames++] = n;
    lxw_worksheet *ws = kh_xw_add_sheet(&k->x, n);
    if (!ws)
        return NULL;
    if (name)
        *name = n;
    return ws;
}

/* Reserve a sheet name without making the sheet yet (so that the fixed
 * names of the later sheets are never taken by a rubric's unit_type). */
static void reserve_name(rk *k, const char *name)
{
    char *n = kh_strdup(name);
    if (!n || !kh_grow((void **)&k->names, &k->capnames, k->nnames + 1, sizeof *k->names)) {
        kh_free(n);
        set_oom(k);
        return;
    }
    k->names[k->nnames++] = n;
}

/* Remove a reserved name again just before its sheet is made. */
static void release_name(rk *k, const char *name)
{
    for (size_t i = 0; i < k->nnames; i++) {
        if (strcmp(k->names[i], name) == 0) {
            kh_free(k->names[i]);
            memmove(k->names + i, k->names + i + 1, (k->nnames - i - 1) * sizeof *k->names);
            k->nnames--;
            return;
        }
    }
}

/* Printing: A4 landscape (or portrait), one page wide, centred, page
 * numbers in the footer. */
static void print_setup(rk *k, lxw_worksheet *ws, bool landscape, uint16_t tall)
{
    kh_print_a4(&k->x, ws, landscape, tall, &kh_margins_table);
}

/* "临桂区2020年度" of rubric rb: the district its title begins with and
 * its year, either of them left out when unknown; "" without a rubric.
 * New string, or NULL (out of memory, marked). */
static char *title_prefix(rk *k, const kh_rubric *rb)
{
    kh_buf t = {0};
    if (rb) {
        char *district = kh_rubric_district(rb);
        if (!district)
            t.oom = true;
        kh_buf_puts(&t, district ? district : "");
        kh_free(district);
        if (rb->year && *rb->year)
            kh_buf_printf(&t, "%s年度", rb->year);
    }
    kh_buf_puts(&t, "");
    return buf_take(k, &t);
}

/* Row 0 of a printed sheet other than a ranking sheet: the workbook's
 * title and what the sheet holds ("临桂区2020年度安全生产工作考核扣分明细"),
 * over columns 0..last. */
static void sheet_title(rk *k, lxw_worksheet *ws, lxw_col_t last, const char *what)
{
    char *prefix = title_prefix(k, k->first);
    kh_buf t = {0};
    kh_buf_printf(&t, "%s安全生产工作考核%s", prefix ? prefix : "", what);
    kh_free(prefix);
    char *title = buf_take(k, &t);
    kh_print_title_row(&k->x, ws, 0, 0, last, title, k->title, 30);
    kh_free(title);
}

/* "path" or "path:sheet" of a checklist. */
static char *source_text(rk *k, const kh_checklist *cl)
{
    kh_buf b = {0};
    kh_buf_puts(&b, cl->source ? cl->source : "");
    if (cl->sheet)
        kh_buf_printf(&b, ":%s", cl->sheet);
    return buf_take(k, &b);
}

/* "path:sheet!G14" or "path!G14" of a result cell. */
static char *cell_text(rk *k, const kh_checklist *cl, uint32_t row, uint32_t col)
{
    char cell[KH_CELLREF_BUFSZ];
    kh_buf b = {0};
    kh_buf_puts(&b, cl->source ? cl->source : "");
    if (cl->sheet)
        kh_buf_printf(&b, ":%s", cl->sheet);
    kh_buf_printf(&b, "!%s", kh_cell_ref(row, col, cell));
    return buf_take(k, &b);
}

/* ------------------------------------------------------------------ */
/* Ranking sheet. */

/* Column layout of a ranking sheet for rubric rb. */
typedef struct layout {
    lxw_col_t items;     /* first item column */
    lxw_col_t total;     /* 合计得分 */
    lxw_col_t self;      /* 自评得分 then 差 (考评 − 自评), when units carry a 自评;
                            else = total */
    bool selfed;
    lxw_col_t result;    /* 结果 */
    lxw_col_t grade;     /* 等次, when the units have grades; else = result */
    lxw_col_t source;    /* 来源文件 */
    bool graded;
    double unit_width, source_width;
} layout;

static layout layout_of(const kh_group *g)
{
    layout l = {0};
    l.items = 2;
    l.total = (lxw_col_t)(2 + g->rubric->nitems);
    for (size_t i = 0; i < g->n && !l.selfed; i++)
        l.selfed = g->units[i]->self != NULL;
    l.self = l.selfed ? l.total + 1 : l.total;
    l.result = l.selfed ? l.total + 3 : l.total + 1;
    l.graded = g->n > 0 && g->units[0]->grade != NULL;
    l.grade = l.graded ? l.result + 1 : l.result;
    l.source = l.grade + 1;
    return l;
}

/* Header text of item it: its short name and points, "传达学习（3分）", or
 * without a name its number, "1（3分）". */
static char *item_header(rk *k, const kh_item *it)
{
    char num[KH_DEC_BUFSZ];
    kh_buf b = {0};
    kh_buf_printf(&b, "%s\n（%s分）", it->name ? it->name : it->num ? it->num : "",
                  kh_dec_format(it->points, num));
    return buf_take(k, &b);
}

static void write_ranking_header(rk *k, lxw_worksheet *ws, const kh_group *g, layout l)
{
    const kh_rubric *rb = g->rubric;
    /* 临桂区2020年度乡镇安全生产工作考核排名: the district and the year
     * from the rubric, then its unit type. */
    char *prefix = title_prefix(k, rb);
    kh_buf t = {0};
    kh_buf_printf(&t, "%s%s安全生产工作考核排名", prefix ? prefix : "",
                  rb->unit_type ? rb->unit_type : "");
    kh_free(prefix);
    char *title = buf_take(k, &t);
    /* Title, subtitle and notes span the printed columns only: 来源文件 is
     * for whoever checks the file, not for the page handed to leaders. */
    lxw_col_t lastp = l.source - 1;
    set_row(k, ws, ROW_TITLE, 30);
    merge_text(k, ws, ROW_TITLE, 0, lastp, title, k->title);
    kh_free(title);
    set_row(k, ws, ROW_SUBTITLE, 30);
    merge_text(k, ws, ROW_SUBTITLE, 0, lastp, rb->title, k->subtitle);
    /* A short name wraps at three characters; the points on a line of
     * their own: up to four lines. */
    set_row(k, ws, ROW_HEAD, 58);

    kh_xw_str(&k->x, ws, ROW_HEAD, 0, "名次", k->head);
    kh_xw_str(&k->x, ws, ROW_HEAD, 1, "被考核单位", k->head);
    for (size_t i = 0; i < rb->nitems; i++) {
        const kh_item *it = &rb->items[i];
        char *h = item_header(k, it);
        lxw_col_t c = (lxw_col_t)(l.items + i);
        kh_xw_str(&k->x, ws, ROW_HEAD, c, h, k->head);
        set_col(k, ws, c, 7);
        kh_free(h);
        /* The item's full text (督查内容) as a note on its header. */
        if (it->content && *it->content) {
            char *note = kh_utf8_clean(it->content, 2000);
            if (!note) {
                set_oom(k);
                continue;
            }
            lxw_comment_options co = {.width = 360, .height = 200};
            kh_xw_check(&k->x, worksheet_write_comment_opt(ws, ROW_HEAD, c, note, &co),
                        "worksheet_write_comment_opt");
            kh_free(note);
        }
    }
    kh_xw_str(&k->x, ws, ROW_HEAD, l.total, "合计得分", k->head);
    if (l.selfed) {
        kh_xw_str(&k->x, ws, ROW_HEAD, l.self, "自评得分", k->head);
        kh_xw_str(&k->x, ws, ROW_HEAD, l.self + 1, "差\n（考评−自评）", k->head);
    }
    kh_xw_str(&k->x, ws, ROW_HEAD, l.result, "结果", k->head);
    if (l.graded)
        kh_xw_str(&k->x, ws, ROW_HEAD, l.grade, "等次", k->head);
    kh_xw_str(&k->x, ws, ROW_HEAD, l.source, "来源文件", k->head);
}

/* One unit's row. */
static void write_ranking_row(rk *k, lxw_worksheet *ws, lxw_row_t r, const kh_unit *u, layout l)
{
    const kh_rubric *rb = u->cl->rubric;
    bool v = u->vetoed;
    lxw_format *text = v ? k->v_center : k->center;
    char *src = source_text(k, u->cl);
    /* The unit's name sets the height; 来源文件 stays on one line (it is
     * outside the print area). */
    unsigned lines = text_lines(u->cl->unit, l.unit_width);
    set_row(k, ws, r, row_height(lines, 20));
    if (v || u->rank <= 0)
        kh_xw_str(&k->x, ws, r, 0, "", text);
    else
        kh_xw_check(&k->x, worksheet_write_number(ws, r, 0, (double)u->rank, k->rank),
                    "worksheet_write_number");
    kh_xw_str(&k->x, ws, r, 1, u->cl->unit, v ? k->v_left : k->left);
    for (size_t i = 0; i < rb->nitems; i++)
        kh_xw_dec(&k->x, ws, r, (lxw_col_t)(l.items + i), u->items[i].score,
                  v ? k->v_num : k->num);
    char a[KH_CELLREF_BUFSZ], z[KH_CELLREF_BUFSZ], formula[3 * KH_CELLREF_BUFSZ];
    if (rb->nitems > 0) {
        snprintf(formula, sizeof formula, "=SUM(%s:%s)", kh_cell_ref(r, l.items, a),
                 kh_cell_ref(r, (uint32_t)(l.total - 1), z));
        kh_xw_formula_dec(&k->x, ws, r, l.total, formula, u->total, v ? k->v_total : k->total);
    } else {
        kh_xw_dec(&k->x, ws, r, l.total, u->total, v ? k->v_total : k->total);
    }
    if (l.selfed && u->self) {
        kh_xw_dec(&k->x, ws, r, l.self, u->self->total, v ? k->v_num : k->num);
        kh_xw_dec(&k->x, ws, r, l.self + 1, kh_self_total_diff(u), v ? k->v_num : k->num);
    } else if (l.selfed) {
        kh_xw_str(&k->x, ws, r, l.self, "未自评", text);
        kh_xw_str(&k->x, ws, r, l.self + 1, "", text);
    }
    kh_xw_str(&k->x, ws, r, l.result, v ? RESULT_VETO : RESULT_OK, text);
    if (v && u->veto_reason && *u->veto_reason) {
        char *note = kh_utf8_clean(u->veto_reason, 2000);
        if (!note)
            set_oom(k);
        else
            kh_xw_check(&k->x, worksheet_write_comment(ws, r, l.result, note),
                        "worksheet_write_comment");
        kh_free(note);
    }
    if (l.graded)
        kh_xw_str(&k->x, ws, r, l.grade, u->grade, text);
    kh_xw_str(&k->x, ws, r, l.source, src, v ? k->v_src : k->src);
    kh_free(src);
}

/* The heading of a part under the table (units not in the ranking), two
 * rows below *last (which it becomes): shaded over the printed columns
 * only, like the table's own heading; 来源文件 outside them. */
static void unranked_heading(rk *k, lxw_worksheet *ws, lxw_row_t *last, layout l,
                             const char *text)
{
    *last += 2;
    set_row(k, ws, *last, 22);
    merge_text(k, ws, *last, 0, l.source - 1, text, k->head);
    kh_xw_str(&k->x, ws, *last, l.source, "", k->src);
}

/* A unit of the roster (entry e) whose checklists did not pass: its name,
 * the first problem of the first of them over the item columns (the rest
 * in 未通过的文件), 已提交未通过, and the files. */
static void failed_row(rk *k, lxw_worksheet *ws, lxw_row_t r, size_t e, layout l)
{
    const kh_batch *b = k->b;
    kh_buf why = {0}, files = {0};
    size_t nmsg = 0;
    const char *last = NULL;
    for (size_t i = 0; i < b->nrejected; i++) {
        const kh_rejected *rj = &b->rejected[i];
        if (!kh_rejected_of(b, rj, e))
            continue;
        if (!why.len && rj->n > 0 && rj->first < b->errors.n) {
            const kh_diag *dg = &b->errors.v[rj->first];
            kh_buf_puts(&why, dg->msg_zh ? dg->msg_zh : dg->msg);
        }
        nmsg += rj->n;
        if (!last || strcmp(last, rj->source) != 0) {
            kh_buf_printf(&files, "%s%s", files.len ? "；" : "", rj->source);
            last = rj->source;
        }
    }
    if (nmsg > 1)
        kh_buf_printf(&why, "（另有%zu处问题，见“%s”表）", nmsg - 1, SHEET_REJECTED);
    char *w = buf_take(k, &why), *f = buf_take(k, &files);
    const kh_roster *ro = kh_batch_roster(b);
    double width = 7.0 * (double)(l.total - l.items + 1);
    unsigned lines = text_lines(w, width), ul = text_lines(kh_roster_unit(ro, e), l.unit_width);
    set_row(k, ws, r, row_height(lines > ul ? lines : ul, 20));
    kh_xw_str(&k->x, ws, r, 0, "", k->center);
    kh_xw_str(&k->x, ws, r, 1, kh_roster_unit(ro, e), k->left);
    merge_text(k, ws, r, l.items, l.total, w, k->left);
    for (lxw_col_t c = l.total + 1; c < l.result; c++) /* 自评得分, 差 */
        kh_xw_str(&k->x, ws, r, c, "", k->center);
    kh_xw_str(&k->x, ws, r, l.result, "已提交未通过", k->center);
    for (lxw_col_t c = l.result + 1; c < l.source; c++)
        kh_xw_str(&k->x, ws, r, c, "", k->center);
    kh_xw_str(&k->x, ws, r, l.source, f, k->src);
    kh_free(w);
    kh_free(f);
}

/* The ranking sheet of group g; *nranked gets the number of non-vetoed
 * units (they come first). */
static void write_ranking(rk *k, lxw_worksheet *ws, const kh_group *g, size_t *nranked)
{
    layout l = layout_of(g);
    size_t unit_w = text_width("被考核单位"), src_w = text_width("来源文件");
    *nranked = 0;
    for (size_t i = 0; i < g->n; i++) {
        const kh_unit *u = g->units[i];
        if (!u->vetoed)
            (*nranked)++;
        size_t w = text_width(u->cl->unit);
        if (w > unit_w)
            unit_w = w;
        w = text_width(u->cl->source) + (u->cl->sheet ? 1 + text_width(u->cl->sheet) : 0);
        if (w > src_w)
            src_w = w;
    }
    l.unit_width = clamp_width(unit_w, 10, 16);
    l.source_width = clamp_width(src_w, 12, 60);
    write_ranking_header(k, ws, g, l);
    for (size_t i = 0; i < g->n; i++)
        write_ranking_row(k, ws, (lxw_row_t)(ROW_FIRST + i), g->units[i], l);
    lxw_row_t last = (lxw_row_t)(ROW_FIRST + g->n - 1);
    if (g->n == 0)
        last = ROW_HEAD;
    /* With a roster: the units due that are not in the ranking, under the
     * table in two parts (those that sent a checklist that did not pass,
     * with the file and why; those that sent nothing), and how many were
     * due. */
    const kh_roster *ro = kh_batch_roster(k->b);
    size_t due = 0, absent = 0, failed = 0;
    if (ro) {
        for (size_t i = 0; i < kh_roster_count(ro); i++)
            due += kh_roster_rubric(ro, i) == g->rubric;
        for (size_t i = 0; i < kh_batch_failed_count(k->b); i++) {
            size_t e = kh_batch_failed_at(k->b, i);
            if (kh_roster_rubric(ro, e) != g->rubric)
                continue;
            if (failed++ == 0)
                unranked_heading(k, ws, &last, l, "已提交但未通过的单位（未计入排名）");
            failed_row(k, ws, ++last, e, l);
        }
        for (size_t i = 0; i < kh_batch_missing_count(k->b); i++) {
            size_t e = kh_batch_missing_at(k->b, i);
            if (kh_roster_rubric(ro, e) != g->rubric)
                continue;
            if (absent++ == 0)
                unranked_heading(k, ws, &last, l, "未提交检查表的单位（未计入排名）");
            last++;
            set_row(k, ws, last, 20);
            kh_xw_str(&k->x, ws, last, 0, "", k->center);
            kh_xw_str(&k->x, ws, last, 1, kh_roster_unit(ro, e), k->left);
            for (lxw_col_t c = 2; c < l.result; c++)
                kh_xw_str(&k->x, ws, last, c, "", k->center);
            kh_xw_str(&k->x, ws, last, l.result, "未提交", k->center);
            for (lxw_col_t c = l.result + 1; c < l.source; c++)
                kh_xw_str(&k->x, ws, last, c, "", k->center);
            kh_xw_str(&k->x, ws, last, l.source, "", k->src);
        }
    }
    /* A note under the table for whoever prints or edits it. */
    char num[KH_DEC_BUFSZ];
    kh_buf nb = {0};
    if (ro)
        kh_buf_printf(&nb, "注：应考核%zu个，已计入%zu个，", due, g->n);
    else
        kh_buf_printf(&nb, "注：共%zu个单位，", g->n);
    kh_buf_printf(&nb,
                  "满分%s分。合计得分为各项得分之和（公式），修改某项得分后自动重算；"
                  "同分单位名次相同%s；一票否决的单位不排名次，列在最后。%s",
                  kh_dec_format(g->rubric->total, num), ro ? "，按单位名单顺序排列" : "",
                  failed && absent ? "已提交未通过和未提交检查表的单位列在表下。"
                  : failed         ? "已提交未通过的单位列在表下。"
                  : absent         ? "未提交检查表的单位列在表下。"
                                   : "");
    if (l.selfed)
        kh_buf_puts(&nb, "名次按考评（合计得分）排列；自评得分为单位自评的合计得分，差为合计得分减"
                         "自评得分。");
    char *note = buf_take(k, &nb);
    lxw_col_t lastp = l.source - 1;
    set_row(k, ws, last + 2, 30);
    merge_text(k, ws, last + 2, 0, lastp, note, k->note);
    kh_free(note);
    /* Who made the table and when (the local date), and who checked it:
     * to sign on paper.  The issuer is kh_options.issuer, else the
     * rubric's; without one a line to fill in by hand. */
    struct tm tm;
    long off;
    kh_localtime(k->created, &tm, &off, NULL, 0);
    const char *issuer = k->b->opts.issuer && *k->b->opts.issuer ? k->b->opts.issuer
                         : g->rubric->issuer && *g->rubric->issuer ? g->rubric->issuer
                                                                    : NULL;
    kh_buf sb = {0};
    if (issuer)
        kh_buf_printf(&sb, "制表单位：%s%-8s", issuer, "");
    else
        kh_buf_printf(&sb, "制表单位：%s%-4s", "＿＿＿＿＿＿＿＿＿＿＿＿", "");
    kh_buf_printf(&sb, "制表日期：%d年%d月%d日%-16s审核人：＿＿＿＿＿＿＿＿", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, "");
    const char *final = kh_batch_final_of(k->b, g->rubric->id);
    if (final) /* 定稿 (appeal.h): "2021-01-12" */
        kh_buf_printf(&sb, "%-8s定稿日期：%.4s年%d月%d日", "", final, atoi(final + 5),
                      atoi(final + 8));
    char *sign = buf_take(k, &sb);
    set_row(k, ws, last + 4, 24);
    merge_text(k, ws, last + 4, 0, lastp, sign, k->sign);
    kh_free(sign);

    set_col(k, ws, 0, 5);
    set_col(k, ws, 1, l.unit_width);
    set_col(k, ws, l.total, 7);
    if (l.selfed) {
        set_col(k, ws, l.self, 7);
        set_col(k, ws, l.self + 1, 9);
    }
    set_col(k, ws, l.result, 8);
    if (l.graded)
        set_col(k, ws, l.grade, 6);
    set_col(k, ws, l.source, l.source_width);
    worksheet_freeze_panes(ws, ROW_FIRST, 2);
    print_setup(k, ws, true, 0);
    kh_xw_check(&k->x, worksheet_repeat_rows(ws, ROW_HEAD, ROW_HEAD), "worksheet_repeat_rows");
    kh_xw_check(&k->x, worksheet_print_area(ws, 0, 0, last + 4, lastp), "worksheet_print_area");
}

/* libxlsxwriter fills a chart's copy of its data (what viewers that do
 * not calculate draw) from plain number cells only: for our SUM cells it
 * would be all zeros.  Put the computed totals there instead.  The points
 * belong to libxlsxwriter, which frees them with free(), hence calloc. */
static void cache_totals(rk *k, lxw_chart_series *s, const kh_group *g, size_t n)
{
    lxw_series_range *v = s->values;
    if (!v || !v->data_cache)
        return;
    v->ignore_cache = LXW_TRUE;
    for (size_t i = 0; i < n && i < UINT16_MAX; i++) {
        lxw_series_data_point *p = calloc(1, sizeof *p);
        if (!p) {
            kh_xw_check(&k->x, LXW_ERROR_MEMORY_MALLOC_FAILED, "chart cache");
            return;
        }
        p->number = (double)g->units[i]->total / KH_DEC_SCALE;
        STAILQ_INSERT_TAIL(v->data_cache, p, list_pointers);
        v->num_data_points++;
    }
}

/* The same for the categories, the unit names: in constant-memory mode
 * libxlsxwriter cannot read the ranking sheet back, and would leave the
 * chart without its copy of the names.  They are the names as the cells
 * hold them (cleaned as kh_xw_str cleans them). */
static void cache_names(rk *k, lxw_chart_series *s, const kh_group *g, size_t n)
{
    lxw_series_range *c = s->categories;
    if (!c || !c->data_cache)
        return;
    c->ignore_cache = LXW_TRUE;
    c->has_string_cache = LXW_TRUE;
    for (size_t i = 0; i < n && i < UINT16_MAX; i++) {
        lxw_series_data_point *p = calloc(1, sizeof *p);
        char *name = kh_utf8_clean(g->units[i]->cl->unit, KH_XLSX_CELL_MAX);
        char *copy = name ? strdup(name) : NULL;
        kh_free(name);
        if (!p || !copy) {
            free(p);
            free(copy);
            kh_xw_check(&k->x, LXW_ERROR_MEMORY_MALLOC_FAILED, "chart cache");
            return;
        }
        p->is_string = LXW_TRUE;
        p->string = copy;
        STAILQ_INSERT_TAIL(c->data_cache, p, list_pointers);
        c->num_data_points++;
    }
}

/* The chart sheet of group g: totals of its nranked first units. */
static void write_chart(rk *k, lxw_worksheet *ws, const char *rank_sheet, const kh_group *g,
                        size_t nranked)
{
    const kh_rubric *rb = g->rubric;
    layout l = layout_of(g);
    kh_buf t = {0};
    if (rb->year)
        kh_buf_printf(&t, "%s年度", rb->year);
    kh_buf_printf(&t, "%s考核得分", rb->unit_type ? rb->unit_type : "");
    char *title = buf_take(k, &t);
    char *ctitle = title ? kh_utf8_clean(title, 200) : NULL;
    kh_free(title);
    if (!ctitle) {
        set_oom(k);
        return;
    }
    /* One line above the chart says what it shows and what it leaves out. */
    kh_buf nb = {0};
    if (nranked == 0)
        kh_buf_printf(&nb, "%s：所有单位均一票否决，没有可排名的得分（见“%s”表）。", ctitle,
                      rank_sheet);
    else
        kh_buf_printf(&nb, "%s：%zu个单位按合计得分从高到低排列；一票否决的单位不列入本图（见“%s”表）。",
                      ctitle, nranked, rank_sheet);
    char *note = buf_take(k, &nb);
    kh_xw_str(&k->x, ws, 0, 0, note, k->sign);
    kh_free(note);
    print_setup(k, ws, nranked <= 16, 1);
    if (nranked == 0) {
        kh_free(ctitle);
        return;
    }

    lxw_chart *ch = workbook_add_chart(k->x.wb, LXW_CHART_BAR);
    if (!ch) {
        kh_free(ctitle);
        kh_xw_check(&k->x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_chart");
        return;
    }
    lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
    if (!s) {
        kh_free(ctitle);
        kh_xw_check(&k->x, LXW_ERROR_MEMORY_MALLOC_FAILED, "chart_add_series");
        return;
    }
    lxw_row_t r0 = ROW_FIRST, r1 = (lxw_row_t)(ROW_FIRST + nranked - 1);
    chart_series_set_categories(s, rank_sheet, r0, 1, r1, 1);
    chart_series_set_values(s, rank_sheet, r0, l.total, r1, l.total);
    cache_totals(k, s, g, nranked);
    cache_names(k, s, g, nranked);
    chart_series_set_name(s, "合计得分");
    lxw_chart_fill fill = {.color = COLOR_BAR};
    chart_series_set_fill(s, &fill);
    chart_series_set_labels(s);
    chart_series_set_labels_position(s, LXW_CHART_LABEL_POSITION_OUTSIDE_END);
    chart_set_series_gap(ch, 60);

    chart_title_set_name(ch, ctitle);
    kh_free(ctitle);
    lxw_chart_font tf = {.name = RK_FONT, .size = 14, .bold = LXW_TRUE};
    lxw_chart_font af = {.name = RK_FONT, .size = RK_FONT_SIZE};
    chart_title_set_name_font(ch, &tf);
    chart_axis_set_name_font(ch->x_axis, &af);
    chart_axis_set_name_font(ch->y_axis, &af);
    chart_axis_set_num_font(ch->x_axis, &af);
    chart_axis_set_num_font(ch->y_axis, &af);
    chart_series_set_labels_font(s, &af);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    /* In a libxlsxwriter bar chart y_axis is the vertical category axis
     * and x_axis the horizontal value axis.  List the first rank at the
     * top and keep the values along the bottom. */
    chart_axis_set_name(ch->y_axis, "单位");
    chart_axis_set_reverse(ch->y_axis);
    chart_axis_set_crossing_max(ch->y_axis);
    chart_axis_set_name(ch->x_axis, "得分");
    chart_axis_set_min(ch->x_axis, 0);
    if (rb->total > 0)
        chart_axis_set_max(ch->x_axis, (double)rb->total / KH_DEC_SCALE);

    /* 480 × 288 pixels is the default size; grow with the units. */
    double height = 110.0 + 24.0 * (double)nranked;
    if (height < 360)
        height = 360;
    lxw_chart_options opt = {.x_offset = 0, .y_offset = 8, .x_scale = 900.0 / 480.0,
                             .y_scale = height / 288.0,
                             .object_position = LXW_OBJECT_MOVE_AND_SIZE};
    kh_xw_check(&k->x, worksheet_insert_chart_opt(ws, 1, 0, ch, &opt),
                "worksheet_insert_chart_opt");
}

/* ------------------------------------------------------------------ */
/* 扣分明细. */

enum { D_UNIT, D_TYPE, D_ITEM, D_CHECK, D_LABEL, D_DED, D_REASON, D_REMARK, D_WHERE, D_NCOLS };
static const double detail_width[D_NCOLS] = {16, 12, 9, 8, 32, 8, 26, 24, 34};

/* Rows of unit u from row *r on: its costs, in rubric order, each with
 * the engine's phrase for it. */
static void write_detail_unit(rk *k, lxw_worksheet *ws, lxw_row_t *r, const kh_unit *u)
{
    const kh_rubric *rb = u->cl->rubric;
    for (size_t j = 0; j < u->ncosts; j++) {
        const kh_cost *res = &u->costs[j];
        const kh_checkpoint *cp = &rb->cps[res->cp];
        const kh_item *it = &rb->items[cp->item];
        /* Highlight the check points that vetoed the unit. */
        bool v = cp->kind == KH_KIND_VETO && res->n > 0;
        lxw_format *c = v ? k->v_center : k->center, *lf = v ? k->v_left : k->left;
        const char *remark = kh_cost_remark(u, res);
        const char *why = kh_cost_phrase(u, res);
        char *where = cell_text(k, u->cl, res->row, res->col);
        const char *texts[D_NCOLS] = {[D_UNIT] = u->cl->unit, [D_LABEL] = cp->label,
                                      [D_REASON] = why, [D_REMARK] = remark,
                                      [D_WHERE] = where};
        unsigned lines = 1;
        for (int col = 0; col < D_NCOLS; col++) {
            unsigned n = texts[col] ? text_lines(texts[col], detail_width[col]) : 1;
            if (n > lines)
                lines = n;
        }
        set_row(k, ws, *r, row_height(lines, 20));
        kh_xw_str(&k->x, ws, *r, D_UNIT, u->cl->unit, lf);
        kh_xw_str(&k->x, ws, *r, D_TYPE, rb->unit_type, c);
        kh_xw_str(&k->x, ws, *r, D_ITEM, it->num, c);
        kh_xw_str(&k->x, ws, *r, D_CHECK, cp->id, c);
        kh_xw_str(&k->x, ws, *r, D_LABEL, cp->label, lf);
        kh_xw_dec(&k->x, ws, *r, D_DED, res->deduction, v ? k->v_ded : k->ded);
        kh_xw_str(&k->x, ws, *r, D_REASON, why, lf);
        kh_xw_str(&k->x, ws, *r, D_REMARK, remark, lf);
        kh_xw_str(&k->x, ws, *r, D_WHERE, where, lf);
        kh_free(where);
        (*r)++;
    }
}

static void write_detail(rk *k, lxw_worksheet *ws, const kh_group *groups, size_t ng)
{
    static const char *const head[D_NCOLS] = {"被考核单位", "单位类别", "考核项目", "检查点",
                                              "检查要点", "扣分", "扣分说明", "备注",
                                              "来源（文件:工作表!单元格）"};
    /* The units in the order of the ranking sheets: rubric by rubric, each
     * in ranking order, the vetoed ones last. */
    sheet_title(k, ws, D_NCOLS - 1, "扣分明细");
    head_row(k, ws, 1, head, detail_width, D_NCOLS, 30);
    lxw_row_t r = 2;
    for (size_t g = 0; g < ng; g++)
        for (size_t i = 0; i < groups[g].n; i++)
            write_detail_unit(k, ws, &r, groups[g].units[i]);
    if (r == 2) {
        merge_text(k, ws, 2, 0, D_NCOLS - 1, "无（没有扣分的检查点）", k->left);
        r = 3;
    } else {
        kh_xw_check(&k->x, worksheet_autofilter(ws, 1, 0, r - 1, D_NCOLS - 1),
                    "worksheet_autofilter");
    }
    worksheet_freeze_panes(ws, 2, 1);
    print_setup(k, ws, true, 0);
    kh_print_titles(&k->x, ws, 1, 1);
    kh_xw_check(&k->x, worksheet_print_area(ws, 0, 0, r - 1, D_NCOLS - 1), "worksheet_print_area");
}

/* ------------------------------------------------------------------ */
/* 未通过的文件. */

enum { J_FILE, J_SHEET, J_CELL, J_MSG, J_NCOLS };
static const double rejected_width[J_NCOLS] = {34, 14, 9, 80};

static void write_rejected_row(rk *k, lxw_worksheet *ws, lxw_row_t r, const char *file,
                               const char *sheet, const kh_diag *dg)
{
    const char *msg = dg ? (dg->msg_zh ? dg->msg_zh : dg->msg) : "（未记录原因）";
    unsigned lines = text_lines(msg, rejected_width[J_MSG]);
    unsigned fl = text_lines(file, rejected_width[J_FILE]);
    set_row(k, ws, r, row_height(fl > lines ? fl : lines, 20));
    kh_xw_str(&k->x, ws, r, J_FILE, file, k->left);
    kh_xw_str(&k->x, ws, r, J_SHEET, sheet, k->left);
    char cell[32] = "";
    if (dg && dg->cell)
        snprintf(cell, sizeof cell, "%s", dg->cell);
    else if (dg && dg->line > 0)
        snprintf(cell, sizeof cell, "第%ld行", dg->line);
    kh_xw_str(&k->x, ws, r, J_CELL, cell, k->center);
    kh_xw_str(&k->x, ws, r, J_MSG, msg, k->left);
}

static void write_rejected(rk *k, lxw_worksheet *ws)
{
    static const char *const head[J_NCOLS] = {"文件", "工作表", "单元格", "问题及修改方法"};
    sheet_title(k, ws, J_NCOLS - 1, "未通过的检查表（未计入排名）");
    head_row(k, ws, 1, head, rejected_width, J_NCOLS, 24);
    const kh_batch *b = k->b;
    lxw_row_t r = 2;
    for (size_t i = 0; i < b->nrejected; i++) {
        const kh_rejected *rj = &b->rejected[i];
        if (rj->n == 0) {
            write_rejected_row(k, ws, r++, rj->source, rj->sheet, NULL);
            continue;
        }
        for (size_t m = rj->first; m < rj->first + rj->n && m < b->errors.n; m++) {
            const kh_diag *dg = &b->errors.v[m];
            /* The message's own file and sheet where it names them. */
            write_rejected_row(k, ws, r++, dg->file ? dg->file : rj->source,
                               dg->sheet ? dg->sheet : rj->sheet, dg);
        }
    }
    if (r == 2) {
        merge_text(k, ws, 2, 0, J_NCOLS - 1, "无（全部文件已计分）", k->left);
        r = 3;
    }
    worksheet_freeze_panes(ws, 2, 0);
    print_setup(k, ws, true, 0);
    kh_print_titles(&k->x, ws, 1, 1);
    kh_xw_check(&k->x, worksheet_print_area(ws, 0, 0, r - 1, J_NCOLS - 1), "worksheet_print_area");
}

/* 变更情况: this run against an earlier one (rank --previous).  Same
 * rubric: each unit whose total, rank, grade or any check point's result
 * changed, with the check points old -> new and their cells.  A unit found
 * only under another rubric (another year): its share of full points and
 * its rank, old -> new.  Then the units added and those no longer there. */
enum { C_UNIT, C_RUBRIC, C_TOTAL, C_RANK, C_GRADE, C_CHECKS, C_NCOLS };
static const double changes_width[C_NCOLS] = {16, 22, 24, 12, 12, 60};

/* "38.9/40（97.3%）" of a total and full points given as decimals. */
static void share(kh_buf *b, const char *total, const char *max)
{
    kh_dec t = 0, m = 0;
    if (kh_dec_parse(total, &t) && kh_dec_parse(max, &m) && m > 0)
        kh_buf_printf(b, "%s/%s（%.1f%%）", total, max, (double)t * 100.0 / (double)m);
    else
        kh_buf_printf(b, "%s/%s", total, max);
}

static void change_row(rk *k, lxw_worksheet *ws, lxw_row_t r, const char *const *text)
{
    text_row(k, ws, r, text, changes_width, C_NCOLS, 1u << C_CHECKS | 1u << C_UNIT);
}

/* Why a unit of the roster (name, rubric id) is not scored in this run:
 * "本次已提交未通过（未计入排名）", "本次未提交", or NULL (not on the
 * roster's lists). */
static const char *unscored_state(const kh_batch *b, const char *unit, const char *rubric)
{
    const kh_roster *ro = kh_batch_roster(b);
    if (!ro)
        return NULL;
    for (size_t i = 0; i < kh_batch_failed_count(b); i++) {
        size_t e = kh_batch_failed_at(b, i);
        if (strcmp(kh_roster_unit(ro, e), unit) == 0 &&
            strcmp(kh_roster_rubric(ro, e)->id, rubric) == 0)
            return "本次已提交未通过（未计入排名）";
    }
    for (size_t i = 0; i < kh_batch_missing_count(b); i++) {
        size_t e = kh_batch_missing_at(b, i);
        if (strcmp(kh_roster_unit(ro, e), unit) == 0 &&
            strcmp(kh_roster_rubric(ro, e)->id, rubric) == 0)
            return "本次未提交";
    }
    return NULL;
}

static void write_changes(rk *k, lxw_worksheet *ws, const kh_group *groups, size_t ng)
{
    const kh_previous *p = k->prev;
    kh_buf t = {0};
    kh_buf_printf(&t, "与 %s%s%s%s 比较：列出合计得分、名次、等次或检查点结果有变化的单位，以及新增和不再列入的单位。",
                  p->path, p->created ? "（" : "", p->created ? p->created : "",
                  p->created ? "生成）" : "");
    char *line = buf_take(k, &t);
    set_row(k, ws, 0, 30);
    merge_text(k, ws, 0, 0, C_NCOLS - 1, line, k->note);
    kh_free(line);
    static const char *const head[C_NCOLS] = {"被考核单位", "考核细则", "合计得分（原 → 新）",
                                              "名次（原 → 新）", "等次（原 → 新）",
                                              "变化的检查点（原 → 新，单元格）"};
    head_row(k, ws, 1, head, changes_width, C_NCOLS, 24);
    lxw_row_t r = 2;
    bool *matched = kh_calloc(p->n ? p->n : 1, sizeof *matched);
    if (!matched) {
        set_oom(k);
        return;
    }
    char num[KH_DEC_BUFSZ];
    for (size_t g = 0; g < ng; g++) {
        for (size_t i = 0; i < groups[g].n; i++) {
            const kh_unit *u = groups[g].units[i];
            const kh_rubric *rb = u->cl->rubric;
            const kh_prev_unit *o = kh_previous_find(p, u->cl->unit, rb->id);
            bool same_rubric = o != NULL;
            if (!o)
                o = kh_previous_find(p, u->cl->unit, NULL);
            kh_buf tb = {0}, rk_ = {0}, gb = {0}, cb = {0};
            const char *total_new = kh_dec_format(u->total, num);
            bool changed = false;
            if (o) {
                matched[o - p->v] = true;
                if (same_rubric) {
                    changed = strcmp(o->total, total_new) != 0 || o->rank != u->rank ||
                              (o->grade ? !u->grade || strcmp(o->grade, u->grade) != 0
                                        : u->grade != NULL);
                    kh_buf_printf(&tb, "%s → %s", o->total, total_new);
                    /* Check point by check point, by id. */
                    for (size_t j = 0; u->checks && j < rb->ncps; j++) {
                        const kh_checkpoint *cp = &rb->cps[j];
                        char now[32];
                        if (cp->kind == KH_KIND_HAS)
                            snprintf(now, sizeof now, "%s", u->checks[j].present ? "有" : "无");
                        else
                            snprintf(now, sizeof now, "%" PRId64, u->checks[j].n);
                        const kh_prev_check *oc = NULL;
                        for (size_t m = 0; m < o->nchecks && !oc; m++)
                            if (strcmp(o->checks[m].id, cp->id) == 0)
                                oc = &o->checks[m];
                        if (!oc || strcmp(oc->result, now) == 0)
                            continue;
                        char cell[KH_CELLREF_BUFSZ];
                        kh_buf_printf(&cb, "%s%s %s：%s → %s（%s）", cb.len ? "；" : "", cp->id,
                                      cp->label, oc->result, now,
                                      kh_cell_ref(u->checks[j].row, u->checks[j].col, cell));
                        changed = true;
                    }
                } else {
                    /* Another rubric: shares of full points and ranks only. */
                    share(&tb, o->total, o->max);
                    kh_buf_puts(&tb, " → ");
                    char max[KH_DEC_BUFSZ];
                    share(&tb, total_new, kh_dec_format(rb->total, max));
                    kh_buf_printf(&cb, "考核细则不同（原为 %s）：只比较得分率和名次", o->rubric);
                    changed = true;
                }
                if (o->rank > 0)
                    kh_buf_printf(&rk_, "%ld", o->rank);
                else
                    kh_buf_puts(&rk_, o->vetoed ? "一票否决" : "—");
            } else {
                kh_buf_printf(&tb, "— → %s", total_new);
                kh_buf_puts(&rk_, "—");
                kh_prev_state was = kh_previous_state(p, u->cl->unit, rb->id);
                kh_buf_puts(&cb, was == KH_PREV_FAILED    ? "新增（原为已提交未通过）"
                                 : was == KH_PREV_MISSING ? "新增（原为未提交）"
                                                          : "新增");
                changed = true;
            }
            if (!changed) {
                kh_buf_free(&tb);
                kh_buf_free(&rk_);
                kh_buf_free(&gb);
                kh_buf_free(&cb);
                continue;
            }
            if (u->rank > 0)
                kh_buf_printf(&rk_, " → %ld", u->rank);
            else
                kh_buf_puts(&rk_, " → 一票否决");
            kh_buf_printf(&gb, "%s → %s", o && o->grade ? o->grade : "—",
                          u->grade ? u->grade : "—");
            char *texts[C_NCOLS] = {kh_strdup(u->cl->unit), kh_strdup(rb->id), buf_take(k, &tb),
                                    buf_take(k, &rk_), buf_take(k, &gb), buf_take(k, &cb)};
            change_row(k, ws, r++, (const char *const *)texts);
            for (int c = 0; c < C_NCOLS; c++)
                kh_free(texts[c]);
        }
    }
    for (size_t i = 0; i < p->n; i++) {
        if (matched[i])
            continue;
        /* Gone from this run: what it had (a rank, 一票否决, a grade) →
         * 未参加本次排名, never a bare "—" that hides a veto. */
        const kh_prev_unit *o = &p->v[i];
        kh_buf tb = {0}, rk_ = {0}, gb = {0};
        kh_buf_printf(&tb, "%s → —", o->total);
        if (o->rank > 0)
            kh_buf_printf(&rk_, "%ld → 未参加本次排名", o->rank);
        else
            kh_buf_printf(&rk_, "%s → 未参加本次排名", o->vetoed ? "一票否决" : "—");
        kh_buf_printf(&gb, "%s → —", o->grade ? o->grade : "—");
        const char *now = unscored_state(k->b, o->unit, o->rubric);
        char *texts[C_NCOLS] = {kh_strdup(o->unit), kh_strdup(o->rubric), buf_take(k, &tb),
                                buf_take(k, &rk_), buf_take(k, &gb),
                                kh_strdup(now                         ? now
                                          : o->vetoed ? "不再列入（本次没有该单位；原为一票否决）"
                                                      : "不再列入（本次没有该单位）")};
        change_row(k, ws, r++, (const char *const *)texts);
        for (int c = 0; c < C_NCOLS; c++)
            kh_free(texts[c]);
    }
    kh_free(matched);
    if (r == 2) {
        merge_text(k, ws, 2, 0, C_NCOLS - 1, "无变化", k->left);
        r = 3;
    }
    worksheet_freeze_panes(ws, 2, 1);
    print_setup(k, ws, true, 0);
    kh_xw_check(&k->x, worksheet_repeat_rows(ws, 1, 1), "worksheet_repeat_rows");
}

/* 来源: where every number came from, so that a published ranking can be
 * traced to the exact files: kaohe's version and the time of the run, each
 * rubric file's SHA-256, each input's SHA-256, size and time. */
enum { P_KIND, P_FILE, P_SHA, P_SIZE, P_TIME, P_NCOLS };
static const double sources_width[P_NCOLS] = {12, 44, 34, 10, 35};

static void write_sources(rk *k, lxw_worksheet *ws, const kh_group *groups, size_t ng)
{
    const kh_batch *b = k->b;
    char when[KH_LOCAL_TIME_BUFSZ];
    sheet_title(k, ws, P_NCOLS - 1, "排名表来源");
    kh_local_time((int64_t)k->created, when, sizeof when);
    kh_buf t = {0};
    kh_buf_printf(&t, "本排名表由 kaohe %s 于 %s 生成；下列文件的 SHA-256 可用于核对所用文件是否被改动。",
                  KAOHE_VERSION, when);
    char *line = buf_take(k, &t);
    set_row(k, ws, 1, row_height(text_lines(line, 135), 24));
    merge_text(k, ws, 1, 0, P_NCOLS - 1, line, k->note);
    kh_free(line);
    static const char *const head[P_NCOLS] = {"类别", "文件", "SHA-256", "大小（字节）", "修改时间"};
    head_row(k, ws, 2, head, sources_width, P_NCOLS, 22);
    lxw_row_t r = 3;
    /* Long paths wrap (every character of them is printed); times are the
     * machine's local time with the zone named. */
    for (size_t g = 0; g < ng; g++) {
        const kh_rubric *rb = groups[g].rubric;
        kh_buf kb = {0};
        kh_buf_printf(&kb, "考核细则（%s）", kh_rubric_name(rb));
        char *kind = buf_take(k, &kb);
        const char *text[P_NCOLS] = {kind, rb->path, rb->sha256[0] ? rb->sha256 : "（未知）", NULL,
                                     NULL};
        text_row(k, ws, r, text, sources_width, P_NCOLS, 1u << P_FILE | 1u << P_SHA);
        kh_free(kind);
        r++;
    }
    for (size_t i = 0; i < b->ninputs; i++) {
        const kh_digest *dg = b->digests ? &b->digests[i] : NULL;
        const char *text[P_NCOLS] = {"检查表", b->inputs[i], NULL, NULL, NULL};
        if (dg && dg->ok) {
            kh_local_time(dg->mtime, when, sizeof when);
            text[P_SHA] = dg->sha256;
            text[P_TIME] = when;
        } else {
            text[P_SHA] = dg ? "（未记录：文件无法再次读取，如标准输入）" : "（未记录）";
        }
        text_row(k, ws, r, text, sources_width, P_NCOLS, 1u << P_FILE | 1u << P_SHA);
        if (dg && dg->ok)
            kh_xw_check(&k->x, worksheet_write_number(ws, r, P_SIZE, (double)dg->size, k->rank),
                        "worksheet_write_number");
        r++;
    }
    worksheet_freeze_panes(ws, 3, 0);
    print_setup(k, ws, true, 0);
    kh_print_titles(&k->x, ws, 2, 2);
    kh_xw_check(&k->x, worksheet_print_area(ws, 0, 0, r - 1, P_NCOLS - 1), "worksheet_print_area");
}

/* 更正记录: from the workspace's journal (kaohe serve --workspace), every
 * checklist replaced after it first counted: when, who, why, the totals
 * and the files' SHA-256 before and after. */
enum { K_AT, K_USER, K_UNIT, K_KIND, K_REASON, K_TOTAL, K_FILES, K_NCOLS };
static const double journal_width[K_NCOLS] = {18, 10, 16, 8, 36, 16, 40};

static void write_journal(rk *k, lxw_worksheet *ws)
{
    sheet_title(k, ws, K_NCOLS - 1, "检查表更正记录");
    set_row(k, ws, 1, 30);
    merge_text(k, ws, 1, 0, K_NCOLS - 1,
               "检查表首次计入后因申诉、复核等更换的记录，以及公示期间的申诉和复核结论（来自工作区的变更日志）；文件以 SHA-256 前 12 位标识：现用文件的完整值见“来源”表，原文件仍保存在工作区。",
               k->note);
    static const char *const head[K_NCOLS] = {"时间", "操作人", "被考核单位", "类别", "原因",
                                              "合计得分（原 → 新）", "检查表（原 → 新）"};
    head_row(k, ws, 2, head, journal_width, K_NCOLS, 24);
    lxw_row_t r = 3;
    for (size_t i = 0; i < k->njournal && !k->oom; i++) {
        const kh_ws_change *c = &k->journal[i];
        if (!c->old_hash && c->new_hash)
            continue; /* a first upload is no correction */
        kh_buf t = {0}, f = {0};
        if (c->new_hash) {
            kh_buf_printf(&t, "%s → %s", c->old_total ? c->old_total : "", c->new_total);
            kh_buf_printf(&f, "%.12s → %.12s（%s）", c->old_hash, c->new_hash, c->name);
        } else { /* a step of an appeal (申诉, 复核): no file changed by it */
            kh_buf_puts(&t, "—");
            kh_buf_puts(&f, "—");
        }
        char *total = buf_take(k, &t), *files = buf_take(k, &f);
        const char *text[K_NCOLS] = {c->at, c->user, c->unit, c->kind, c->reason, total, files};
        text_row(k, ws, r, text, journal_width, K_NCOLS,
                 1u << K_REASON | 1u << K_UNIT | 1u << K_FILES);
        kh_free(total);
        kh_free(files);
        r++;
    }
    if (r == 3) {
        set_row(k, ws, r, 20);
        merge_text(k, ws, r, 0, K_NCOLS - 1, "无（没有更换过检查表，也没有申诉）", k->left);
        r++;
    }
    worksheet_freeze_panes(ws, 3, 0);
    print_setup(k, ws, true, 0);
    kh_print_titles(&k->x, ws, 2, 2);
    kh_xw_check(&k->x, worksheet_print_area(ws, 0, 0, r - 1, K_NCOLS - 1), "worksheet_print_area");
}

/* ------------------------------------------------------------------ */

static bool ends_with_xlsx(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && kh_ascii_eq_nocase(path + n - 5, ".xlsx");
}

kh_status kh_write_ranking(const kh_batch *b, const char *path, kh_diags *d)
{
    return kh_write_ranking_since(b, NULL, path, d);
}

static kh_status write_ranking_book(const kh_batch *b, const kh_previous *prev,
                                   const kh_ws_change *journal, size_t njournal,
                                   bool with_journal, const char *path, kh_diags *d);

kh_status kh_write_ranking_since(const kh_batch *b, const kh_previous *prev, const char *path,
                                 kh_diags *d)
{
    return write_ranking_book(b, prev, NULL, 0, false, path, d);
}

kh_status kh_write_ranking_journal(const kh_batch *b, const kh_ws_change *v, size_t n,
                                   const char *path, kh_diags *d)
{
    return write_ranking_book(b, NULL, v, n, true, path, d);
}

static kh_status write_ranking_book(const kh_batch *b, const kh_previous *prev,
                                   const kh_ws_change *journal, size_t njournal,
                                   bool with_journal, const char *path, kh_diags *d)
{
    if (!b || !path || !*path) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("no file name for the ranking workbook: give one with -o RANKING.xlsx"));
        return KH_ERR_USAGE;
    }
    if (!ends_with_xlsx(path)) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the ranking is an Excel workbook: give a file name ending in .xlsx"));
        return KH_ERR_USAGE;
    }
    if (kh_batch_is_input(b, path)) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this is one of the input files and would be overwritten: choose "
                       "another name for the ranking with -o"));
        return KH_ERR_USAGE;
    }
    size_t ng = 0;
    kh_group *groups = kh_batch_groups(b, &ng);
    if (!groups && b->nunits > 0)
        return KH_ERR_NOMEM;
    for (size_t g = 0; g < ng; g++) {
        /* A column per item, plus five: must fit Excel's 16384 columns. */
        if (groups[g].rubric->nitems > LXW_COL_MAX - 8) {
            kh_diags_add(d, KH_ERROR, groups[g].rubric->path, NULL, NULL, 0,
                         _("rubric %s has %zu items, more than a worksheet has columns: split it"),
                         groups[g].rubric->id, groups[g].rubric->nitems);
            kh_groups_free(groups, ng);
            return KH_ERR_LIMIT;
        }
    }

    /* Row by row (constant-memory mode): libxlsxwriter would otherwise
     * keep every cell and shared string until workbook_close (about 245 MB
     * for 20000 units).  Every sheet is therefore written strictly in row
     * order, each row's height set before its cells. */
    rk k = {.b = b, .prev = prev, .journal = journal, .njournal = njournal,
            .created = kh_xw_now()};
    kh_status st = kh_xw_open(&k.x, path, true, k.created, d);
    if (st != KH_OK) {
        kh_groups_free(groups, ng);
        return st;
    }
    kh_xw_mark(&k.x, KH_MARK_RANKING);
    make_formats(&k);
    /* The titles of the sheets other than rankings: the first ranked
     * rubric's district and year (any rubric's when none is ranked). */
    k.first = ng ? groups[0].rubric
                 : kh_registry_count(b->reg) ? kh_registry_at(b->reg, 0) : NULL;
    reserve_name(&k, SHEET_DETAIL);
    reserve_name(&k, SHEET_REJECTED);
    reserve_name(&k, SHEET_SOURCES);
    if (prev)
        reserve_name(&k, SHEET_CHANGES);
    if (with_journal)
        reserve_name(&k, SHEET_JOURNAL);

    if (ng == 0) {
        lxw_worksheet *ws = add_sheet(&k, "排名", NULL);
        if (ws) {
            set_col(&k, ws, 0, 80);
            kh_xw_str(&k.x, ws, 0, 0, "没有可排名的单位：所有输入都未通过，见“未通过的文件”表。",
                      k.left);
            print_setup(&k, ws, true, 0);
        }
    }
    for (size_t g = 0; g < ng && !k.oom; g++) {
        const char *ut = groups[g].rubric->unit_type;
        const char *rname = NULL;
        lxw_worksheet *ws = add_sheet(&k, ut && *ut ? ut : groups[g].rubric->id, &rname);
        if (!ws)
            break;
        size_t nranked = 0;
        write_ranking(&k, ws, &groups[g], &nranked);
        kh_buf cb = {0};
        kh_buf_printf(&cb, "%s得分图", ut && *ut ? ut : groups[g].rubric->id);
        char *cname = buf_take(&k, &cb);
        lxw_worksheet *cws = cname ? add_sheet(&k, cname, NULL) : NULL;
        kh_free(cname);
        if (!cws)
            break;
        write_chart(&k, cws, rname, &groups[g], nranked);
    }
    if (!k.oom) {
        release_name(&k, SHEET_DETAIL);
        lxw_worksheet *ws = add_sheet(&k, SHEET_DETAIL, NULL);
        if (ws)
            write_detail(&k, ws, groups, ng);
    }
    if (!k.oom) /* 问题汇总, 问题汇总图 */
        kh_summary_sheets(&k.x, b, prev, k.names, k.nnames);
    if (!k.oom) {
        release_name(&k, SHEET_REJECTED);
        lxw_worksheet *ws = add_sheet(&k, SHEET_REJECTED, NULL);
        if (ws)
            write_rejected(&k, ws);
    }
    if (!k.oom && prev) {
        release_name(&k, SHEET_CHANGES);
        lxw_worksheet *ws = add_sheet(&k, SHEET_CHANGES, NULL);
        if (ws)
            write_changes(&k, ws, groups, ng);
    }
    if (!k.oom && with_journal) {
        release_name(&k, SHEET_JOURNAL);
        lxw_worksheet *ws = add_sheet(&k, SHEET_JOURNAL, NULL);
        if (ws)
            write_journal(&k, ws);
    }
    if (!k.oom) {
        release_name(&k, SHEET_SOURCES);
        lxw_worksheet *ws = add_sheet(&k, SHEET_SOURCES, NULL);
        if (ws)
            write_sources(&k, ws, groups, ng);
    }

    st = kh_xw_close(&k.x, d);
    if (k.oom || (st == KH_ERR_FORMAT && k.x.err == LXW_ERROR_MEMORY_MALLOC_FAILED))
        st = KH_ERR_NOMEM;
    for (size_t i = 0; i < k.nnames; i++)
        kh_free(k.names[i]);
    kh_free(k.names);
    kh_groups_free(groups, ng);
    return st;
}
