/*
 * scoresheet_out.c - completed scoresheets (kaohe score -o DIR): one file
 * per scored unit laid out as the official form (doc/formats.md §4-5).
 *
 * XLSX sheet layout (columns A..E), the same rows for every unit:
 *   两江镇2020年度安全生产工作考核评分表   title, merged A:E
 *   考核依据：the rubric title             merged A:E
 *   考核结果：合计得分…（…）                merged A:E, boxed; red for
 *                                        一票否决（…）
 *   被考核单位：… | 考核年度：…       two field rows, label and value in one
 *   检查组：…     | 检查日期：…       cell (A:B and C:E merged)
 *   序号 督查内容 标准分 扣分原因 得分情况    header, repeated on every page
 *   one row per item
 *   合计总得分 (A:B) | total points | result | =SUM(...) with its value stored
 *   (a blank row)
 *   检查组成员签字： (A:B) | 被考核单位负责人签字： (C:E)
 *   日期：  年  月  日 (A:B) | 日期：  年  月  日 (C:E)
 * The CSV file holds the same fields and table, one value per cell.
 *
 * A unit that carries its own assessment (自评, kh_batch_add_self) gets a
 * second sheet 自评与考评 (and the CSV a second table below the first):
 * 序号 考核项目／检查点 分值 自评 考评 差（考评−自评), one row per item
 * (scores), under it one per check point (the answer and what it cost,
 * "无（扣0.5分）"; 差 in points of score), then 合计得分 and, when either
 * was vetoed, 结果.  The 考核结果 line names the 自评 total too.
 */
#include "batch.h"
#include "kaohe.h"
#include "outfile.h"
#include "pool.h"
#include "selfeval.h"
#include "sheetfile.h"
#include "strset.h"
#include "template_out.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

enum { COL_NUM, COL_CONTENT, COL_POINTS, COL_REASON, COL_SCORE, NCOLS };
/* The header row (0-based), after the title, 考核依据, 考核结果 and two field rows. */
#define SS_HEAD_ROW 5

static const double col_width[NCOLS] = {5.5, 46, 7.5, 32, 9};
static const char *const col_head[NCOLS] = {"序号", "督查内容", "标准分", "扣分原因", "得分情况"};

#define VETO_COLOR 0xC00000

/* The formats of one scoresheet.  Each distinct style is made once: a
 * second format with the same properties would be merged into the first
 * by libxlsxwriter, but only after hashing it again for every cell
 * written with it.  The veto formats are made only for a vetoed unit. */
typedef struct ss_formats {
    lxw_format *title, *field, *head, *text;
    lxw_format *center; /* item numbers, points, scores, the total's result */
    lxw_format *total;  /* the 合计总得分 label and the total's numbers */
    lxw_format *veto, *result_veto;
} ss_formats;

static bool ss_make_formats(kh_xw *x, ss_formats *f, bool vetoed)
{
    lxw_format **all[] = {&f->title,  &f->field, &f->head, &f->text,
                          &f->center, &f->total, &f->veto, &f->result_veto};
    size_t n = KH_ARRAY_LEN(all);
    for (size_t i = 0; i < n; i++) {
        *all[i] = workbook_add_format(x->wb);
        if (!*all[i]) {
            kh_xw_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_format");
            return false;
        }
        kh_form_style_font(*all[i]);
    }
    format_set_bold(f->title);
    format_set_font_size(f->title, 16);
    format_set_align(f->title, LXW_ALIGN_CENTER);
    format_set_align(f->title, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(f->title);

    format_set_align(f->field, LXW_ALIGN_LEFT);
    format_set_align(f->field, LXW_ALIGN_VERTICAL_CENTER);

    lxw_format *cells[] = {f->head, f->text, f->center, f->total};
    for (size_t i = 0; i < KH_ARRAY_LEN(cells); i++)
        kh_form_style_cell(cells[i]);
    format_set_bold(f->head);
    format_set_align(f->head, LXW_ALIGN_CENTER);
    format_set_bg_color(f->head, 0xD9D9D9);
    format_set_align(f->center, LXW_ALIGN_CENTER);
    format_set_bold(f->total);
    format_set_align(f->total, LXW_ALIGN_CENTER);

    /* The 考核结果 line, boxed: red for a vetoed unit. */
    format_set_bold(f->veto);
    format_set_font_size(f->veto, 13);
    format_set_align(f->veto, LXW_ALIGN_CENTER);
    format_set_align(f->veto, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(f->veto);
    format_set_border(f->veto, LXW_BORDER_MEDIUM);
    if (!vetoed)
        return true;
    format_set_font_color(f->veto, VETO_COLOR);
    format_set_border_color(f->veto, VETO_COLOR);

    kh_form_style_cell(f->result_veto);
    format_set_align(f->result_veto, LXW_ALIGN_CENTER);
    format_set_bold(f->result_veto);
    format_set_font_color(f->result_veto, VETO_COLOR);
    return true;
}

/* An item number: a number cell when it is a plain whole number, else text. */
static void write_item_num(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, const char *num,
                           lxw_format *fmt)
{
    size_t n = strlen(num);
    if (n > 0 && n < 10 && num[0] != '0' && strspn(num, "0123456789") == n)
        kh_xw_check(x, worksheet_write_number(ws, row, COL_NUM, (double)strtol(num, NULL, 10), fmt),
                    "worksheet_write_number");
    else
        kh_xw_str(x, ws, row, COL_NUM, num, fmt);
}

/* "label：value" (value may be NULL).  New string or NULL. */
static char *field_text(const char *label, const char *value)
{
    kh_buf b = {0};
    kh_buf_printf(&b, "%s：%s", label, value ? value : "");
    return kh_buf_steal(&b);
}

/* The veto phrases of a unit without their "，一票否决" (the line says it
 * once): "发生重大事故1起，一票否决" -> "发生重大事故1起".  New string. */
static char *veto_detail(const char *reason)
{
    static const char tail[] = "，一票否决";
    kh_buf b = {0};
    const char *p = reason ? reason : "";
    for (const char *q; (q = strstr(p, tail)); p = q + strlen(tail))
        kh_buf_add(&b, p, (size_t)(q - p));
    kh_buf_puts(&b, p);
    return kh_buf_steal(&b);
}

/* What the total row says in the 扣分原因 column.  New string or NULL. */
static char *total_result(const kh_unit *u)
{
    const kh_rubric *r = u->cl->rubric;
    kh_buf b = {0};
    kh_dec ded = 0;
    if (!kh_dec_sub(r->total, u->total, &ded))
        ded = 0;
    char num[KH_DEC_BUFSZ];
    if (u->vetoed)
        kh_buf_puts(&b, "一票否决");
    else if (ded > 0)
        kh_buf_printf(&b, "共扣%s分", kh_dec_format(ded, num));
    else
        kh_buf_puts(&b, "未扣分");
    if (u->grade)
        kh_buf_printf(&b, "，等次：%s", u->grade);
    return kh_buf_steal(&b);
}

static void merge(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t c1, lxw_col_t c2,
                  const char *text, lxw_format *fmt)
{
    kh_xw_check(x, worksheet_merge_range(ws, row, c1, row, c2, "", fmt), "worksheet_merge_range");
    kh_xw_str(x, ws, row, c1, text, fmt);
}

/* text across the whole width of row, at pt points; its height. */
static double full_row(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, const char *text,
                       lxw_format *fmt, double width, double pt)
{
    merge(x, ws, row, 0, NCOLS - 1, text, fmt);
    return kh_form_height(kh_form_lines(text, width, pt), pt);
}

/* The cells of the scoresheet of u; row heights into h. */
static kh_status ss_rows(kh_xw *x, lxw_worksheet *ws, const ss_formats *f, const kh_unit *u,
                         double *h)
{
    const kh_checklist *cl = u->cl;
    const kh_rubric *r = cl->rubric;
    double total_width = 0;
    for (lxw_col_t c = 0; c < NCOLS; c++) {
        kh_xw_check(x, worksheet_set_column(ws, c, c, col_width[c], NULL), "worksheet_set_column");
        total_width += col_width[c];
    }
    lxw_row_t row = 0;
    /* The title names the unit and the year (the checklist's 考核年度, else
     * the rubric's). */
    const char *year = cl->year && *cl->year ? cl->year : r->year;
    kh_buf tb = {0};
    kh_buf_puts(&tb, cl->unit);
    if (year && *year) {
        size_t yl = strlen(year);
        kh_buf_puts(&tb, year);
        if (yl < strlen("年度") || strcmp(year + yl - strlen("年度"), "年度") != 0)
            kh_buf_puts(&tb, yl >= strlen("年") && strcmp(year + yl - strlen("年"), "年") == 0
                                 ? "度" : "年度");
    }
    kh_buf_puts(&tb, "安全生产工作考核评分表");
    char *title = kh_buf_steal(&tb);
    if (!title)
        return KH_ERR_NOMEM;
    h[row] = full_row(x, ws, row, title, f->title, total_width, 16) + 6;
    kh_free(title);
    row++;
    char *basis = field_text("考核依据", r->title);
    if (!basis)
        return KH_ERR_NOMEM;
    h[row] = full_row(x, ws, row, basis, f->field, total_width, KH_FORM_FONT_SIZE);
    kh_free(basis);
    row++;

    /* 考核结果: the same row for every unit. */
    {
        kh_buf b = {0};
        char num[KH_DEC_BUFSZ], max[KH_DEC_BUFSZ];
        bool got = true;
        if (u->vetoed) {
            char *detail = veto_detail(u->veto_reason);
            got = detail != NULL;
            if (detail && *detail)
                kh_buf_printf(&b, "考核结果：一票否决（%s）", detail);
            else
                kh_buf_puts(&b, "考核结果：一票否决");
            kh_free(detail);
        } else {
            kh_buf_printf(&b, "考核结果：合计得分%s分（满分%s分）", kh_dec_format(u->total, num),
                          kh_dec_format(r->total, max));
        }
        if (u->grade)
            kh_buf_printf(&b, "，等次：%s", u->grade);
        if (u->self)
            kh_buf_printf(&b, "；自评%s分", kh_dec_format(u->self->total, num));
        if (u->final) /* 定稿 (appeal.h) */
            kh_buf_printf(&b, "（%.4s年%d月%d日定稿）", u->final, atoi(u->final + 5),
                          atoi(u->final + 8));
        char *line = got ? kh_buf_steal(&b) : NULL;
        kh_buf_free(&b);
        if (!line)
            return KH_ERR_NOMEM;
        h[row] = full_row(x, ws, row, line, f->veto, total_width, 13) + 4;
        kh_free(line);
        row++;
    }

    const char *labels[4] = {"被考核单位", "考核年度", "检查组", "检查日期"};
    const char *values[4] = {cl->unit, cl->year, cl->inspector, cl->date};
    for (int i = 0; i < 4; i += 2) {
        char *left = field_text(labels[i], values[i]);
        char *right = field_text(labels[i + 1], values[i + 1]);
        if (left && right) {
            merge(x, ws, row, COL_NUM, COL_CONTENT, left, f->field);
            merge(x, ws, row, COL_POINTS, COL_SCORE, right, f->field);
            unsigned nl = kh_form_lines(left, col_width[COL_NUM] + col_width[COL_CONTENT],
                                        KH_FORM_FONT_SIZE);
            unsigned nr = kh_form_lines(right,
                                        col_width[COL_POINTS] + col_width[COL_REASON] +
                                            col_width[COL_SCORE],
                                        KH_FORM_FONT_SIZE);
            h[row] = kh_form_height(nl > nr ? nl : nr, KH_FORM_FONT_SIZE);
        }
        kh_free(left);
        kh_free(right);
        if (!left || !right)
            return KH_ERR_NOMEM;
        row++;
    }

    lxw_row_t head = row++;
    for (lxw_col_t c = 0; c < NCOLS; c++)
        kh_xw_str(x, ws, head, c, col_head[c], f->head);
    h[head] = kh_form_height(1, KH_FORM_FONT_SIZE);

    lxw_row_t first = row;
    for (size_t it = 0; it < r->nitems; it++, row++) {
        const kh_item *item = &r->items[it];
        const kh_item_score *is = &u->items[it];
        write_item_num(x, ws, row, item->num, f->center);
        kh_xw_str(x, ws, row, COL_CONTENT, item->content, f->text);
        kh_xw_dec(x, ws, row, COL_POINTS, item->points, f->center);
        kh_xw_str(x, ws, row, COL_REASON, is->reason, f->text);
        kh_xw_dec(x, ws, row, COL_SCORE, is->score, f->center);
        unsigned lc = kh_form_lines(item->content, col_width[COL_CONTENT], KH_FORM_FONT_SIZE);
        unsigned lr = kh_form_lines(is->reason, col_width[COL_REASON], KH_FORM_FONT_SIZE);
        h[row] = kh_form_height(lc > lr ? lc : lr, KH_FORM_FONT_SIZE);
    }

    /* 合计总得分: the total points, the result, and the sum of the item
     * scores as a formula whose value is stored (readers that do not
     * recalculate show it; hand edits in Excel recompute). */
    merge(x, ws, row, COL_NUM, COL_CONTENT, "合计总得分", f->total);
    kh_xw_dec(x, ws, row, COL_POINTS, r->total, f->total);
    char *res = total_result(u);
    if (!res)
        return KH_ERR_NOMEM;
    kh_xw_str(x, ws, row, COL_REASON, res, u->vetoed ? f->result_veto : f->center);
    kh_free(res);
    char range[LXW_MAX_CELL_RANGE_LENGTH], formula[LXW_MAX_CELL_RANGE_LENGTH + 8];
    if (r->nitems) {
        lxw_rowcol_to_range(range, first, COL_SCORE, row - 1, COL_SCORE);
        snprintf(formula, sizeof formula, "=SUM(%s)", range);
        kh_xw_formula_dec(x, ws, row, COL_SCORE, formula, u->total, f->total);
    } else {
        kh_xw_dec(x, ws, row, COL_SCORE, u->total, f->total);
    }
    h[row] = kh_form_height(1, KH_FORM_FONT_SIZE) + 4;
    row++;

    /* Signatures, below a blank row. */
    h[row++] = kh_form_height(1, KH_FORM_FONT_SIZE);
    static const char *const sign[2][2] = {{"检查组成员签字：", "被考核单位负责人签字："},
                                           {"日期：　　年　　月　　日", "日期：　　年　　月　　日"}};
    for (int i = 0; i < 2; i++, row++) {
        merge(x, ws, row, COL_NUM, COL_CONTENT, sign[i][0], f->field);
        merge(x, ws, row, COL_POINTS, COL_SCORE, sign[i][1], f->field);
        h[row] = kh_form_height(1, KH_FORM_FONT_SIZE) + 14;
    }
    return KH_OK;
}

static kh_status ss_sheet(kh_xw *x, lxw_worksheet *ws, const ss_formats *f, const kh_unit *u)
{
    const kh_checklist *cl = u->cl;
    const kh_rubric *r = cl->rubric;
    /* Row heights in points.  No manual page breaks: an item is one row,
     * and a printed page never splits a row. */
    lxw_row_t nrows = SS_HEAD_ROW + 1 + (lxw_row_t)r->nitems + 1 + 3;
    double *h = kh_calloc(nrows, sizeof *h);
    kh_status st = h ? KH_OK : KH_ERR_NOMEM;
    if (st == KH_OK)
        st = ss_rows(x, ws, f, u, h);
    if (st == KH_OK) {
        for (lxw_row_t i = 0; i < nrows; i++)
            kh_xw_check(x, worksheet_set_row(ws, i, h[i] > 409 ? 409 : h[i], NULL),
                        "worksheet_set_row");
        kh_form_page_setup(x, ws, SS_HEAD_ROW);
    }
    kh_free(h);
    return st;
}

/* ---- 自评与考评 ---- */

enum { SC_NUM, SC_LABEL, SC_POINTS, SC_SELF, SC_REVIEWED, SC_DIFF, SC_NCOLS };
static const double sc_width[SC_NCOLS] = {6, 40, 6, 16, 16, 10};
static const char *const sc_head[SC_NCOLS] = {"序号", "考核项目／检查点", "分值", "自评", "考评",
                                              "差（考评−自评）"};
#define SC_SHEET "自评与考评"

/* The label of an item in the comparison: its short name, else its text. */
static const char *sc_item_label(const kh_item *it)
{
    return it->name && *it->name ? it->name : it->content;
}

static kh_status sc_sheet(kh_xw *x, lxw_worksheet *ws, const ss_formats *f, const kh_unit *u)
{
    const kh_rubric *r = u->cl->rubric;
    const kh_unit *s = u->self;
    double width = 0;
    for (lxw_col_t c = 0; c < SC_NCOLS; c++) {
        kh_xw_check(x, worksheet_set_column(ws, c, c, sc_width[c], NULL), "worksheet_set_column");
        width += sc_width[c];
    }
    kh_buf tb = {0};
    kh_buf_printf(&tb, "%s自评与考评对照", u->cl->unit);
    char *title = kh_buf_steal(&tb);
    kh_buf sb = {0};
    kh_buf_printf(&sb, "自评来源：%s%s%s", s->cl->source, s->cl->sheet ? "：" : "",
                  s->cl->sheet ? s->cl->sheet : "");
    char *src = kh_buf_steal(&sb);
    if (!title || !src) {
        kh_free(title);
        kh_free(src);
        return KH_ERR_NOMEM;
    }
    lxw_row_t row = 0;
    kh_xw_check(x, worksheet_merge_range(ws, row, 0, row, SC_NCOLS - 1, "", f->title),
                "worksheet_merge_range");
    kh_xw_str(x, ws, row, 0, title, f->title);
    kh_xw_check(x, worksheet_set_row(ws, row, kh_form_height(kh_form_lines(title, width, 16), 16) + 6,
                                     NULL), "worksheet_set_row");
    row++;
    kh_xw_check(x, worksheet_merge_range(ws, row, 0, row, SC_NCOLS - 1, "", f->field),
                "worksheet_merge_range");
    kh_xw_str(x, ws, row, 0, src, f->field);
    kh_free(title);
    kh_free(src);
    row++;
    lxw_row_t head = row++;
    for (lxw_col_t c = 0; c < SC_NCOLS; c++)
        kh_xw_str(x, ws, head, c, sc_head[c], f->head);
    char text[2][64];
    for (size_t it = 0; it < r->nitems; it++) {
        const kh_item *item = &r->items[it];
        write_item_num(x, ws, row, item->num, f->total);
        const char *label = sc_item_label(item);
        kh_xw_str(x, ws, row, SC_LABEL, label, f->text);
        kh_xw_dec(x, ws, row, SC_POINTS, item->points, f->total);
        kh_xw_dec(x, ws, row, SC_SELF, s->items[it].score, f->total);
        kh_xw_dec(x, ws, row, SC_REVIEWED, u->items[it].score, f->total);
        kh_xw_dec(x, ws, row, SC_DIFF, kh_self_item_diff(u, it), f->total);
        kh_xw_check(x, worksheet_set_row(ws, row,
                                         kh_form_height(kh_form_lines(label, sc_width[SC_LABEL],
                                                                      KH_FORM_FONT_SIZE),
                                                        KH_FORM_FONT_SIZE), NULL),
                    "worksheet_set_row");
        row++;
        for (size_t j = item->first; j < item->first + item->ncps; j++, row++) {
            const kh_checkpoint *cp = &r->cps[j];
            kh_xw_str(x, ws, row, SC_NUM, cp->id, f->center);
            kh_xw_str(x, ws, row, SC_LABEL, cp->label, f->text);
            kh_xw_str(x, ws, row, SC_POINTS, "", f->center);
            kh_xw_str(x, ws, row, SC_SELF, kh_unit_cp_text(s, j, text[0], sizeof text[0]),
                      f->center);
            kh_xw_str(x, ws, row, SC_REVIEWED, kh_unit_cp_text(u, j, text[1], sizeof text[1]),
                      f->center);
            kh_xw_dec(x, ws, row, SC_DIFF, kh_self_cp_diff(u, j), f->center);
            unsigned lines = kh_form_lines(cp->label, sc_width[SC_LABEL], KH_FORM_FONT_SIZE);
            kh_xw_check(x, worksheet_set_row(ws, row, kh_form_height(lines, KH_FORM_FONT_SIZE),
                                             NULL), "worksheet_set_row");
        }
    }
    kh_xw_check(x, worksheet_merge_range(ws, row, SC_NUM, row, SC_LABEL, "", f->total),
                "worksheet_merge_range");
    kh_xw_str(x, ws, row, SC_NUM, "合计得分", f->total);
    kh_xw_dec(x, ws, row, SC_POINTS, r->total, f->total);
    kh_xw_dec(x, ws, row, SC_SELF, s->total, f->total);
    kh_xw_dec(x, ws, row, SC_REVIEWED, u->total, f->total);
    kh_xw_dec(x, ws, row, SC_DIFF, kh_self_total_diff(u), f->total);
    row++;
    if (u->vetoed || s->vetoed) {
        kh_xw_check(x, worksheet_merge_range(ws, row, SC_NUM, row, SC_POINTS, "", f->total),
                    "worksheet_merge_range");
        kh_xw_str(x, ws, row, SC_NUM, "结果", f->total);
        kh_xw_str(x, ws, row, SC_SELF, s->vetoed ? "一票否决" : "正常", f->center);
        kh_xw_str(x, ws, row, SC_REVIEWED, u->vetoed ? "一票否决" : "正常", f->center);
        kh_xw_str(x, ws, row, SC_DIFF, "", f->center);
    }
    kh_form_page_setup(x, ws, head);
    return KH_OK;
}

static kh_status ss_xlsx(const kh_unit *u, const char *path, time_t created, kh_diags *d)
{
    kh_xw x;
    kh_status st = kh_xw_open(&x, path, false, created, d);
    if (st != KH_OK)
        return st;
    kh_xw_mark(&x, KH_MARK_SCORESHEET);
    ss_formats f = {0};
    char *name = kh_xw_sheet_name(u->cl->unit, NULL, 0);
    if (!name || !ss_make_formats(&x, &f, u->vetoed)) {
        st = KH_ERR_NOMEM;
    } else {
        lxw_worksheet *ws = kh_xw_add_sheet(&x, name);
        if (ws)
            st = ss_sheet(&x, ws, &f, u);
        /* The unit's own name cannot be 自评与考评 and also a sheet name
         * beside it: then the second is "自评与考评 (2)". */
        char *used[1] = {name};
        char *sname = u->self && st == KH_OK ? kh_xw_sheet_name(SC_SHEET, used, 1) : NULL;
        lxw_worksheet *sws = sname ? kh_xw_add_sheet(&x, sname) : NULL;
        if (sws)
            st = sc_sheet(&x, sws, &f, u);
        else if (u->self && st == KH_OK && !sname)
            st = KH_ERR_NOMEM;
        kh_free(sname);
    }
    kh_free(name);
    if (st != KH_OK)
        kh_xw_check(&x, LXW_ERROR_MEMORY_MALLOC_FAILED, "kh_write_scoresheets");
    return kh_xw_close(&x, d);
}

static kh_status ss_csv(const kh_unit *u, const char *path, time_t created, kh_diags *d)
{
    (void)created; /* a CSV file records no time */
    const kh_checklist *cl = u->cl;
    const kh_rubric *r = cl->rubric;
    kh_csv_file c;
    kh_status st = kh_csv_file_open(&c, path, d);
    if (st != KH_OK)
        return st;
    kh_csv_file_text(&c, r->title);
    kh_csv_file_row(&c);
    /* The rubric as a person reads it, its title, as the XLSX twin's
     * 考核依据 (the id is in the JSON). */
    const char *labels[] = {"被考核单位", "考核细则", "考核年度", "检查组", "检查日期"};
    const char *values[] = {cl->unit, r->title, cl->year, cl->inspector, cl->date};
    for (size_t i = 0; i < KH_ARRAY_LEN(labels); i++) {
        kh_csv_file_text(&c, labels[i]);
        kh_csv_file_text(&c, values[i]);
        kh_csv_file_row(&c);
    }
    if (u->grade) {
        kh_csv_file_text(&c, "等次");
        kh_csv_file_text(&c, u->grade);
        kh_csv_file_row(&c);
    }
    if (u->vetoed) {
        char *detail = veto_detail(u->veto_reason);
        kh_buf b = {0};
        if (detail && *detail)
            kh_buf_printf(&b, "一票否决（%s）", detail);
        else
            kh_buf_puts(&b, "一票否决");
        bool got = detail != NULL;
        kh_free(detail);
        char *line = got ? kh_buf_steal(&b) : NULL;
        kh_buf_free(&b);
        if (!line)
            c.oom = true;
        kh_csv_file_text(&c, "考核结果");
        kh_csv_file_text(&c, line);
        kh_csv_file_row(&c);
        kh_free(line);
    }
    kh_csv_file_row(&c);
    for (size_t i = 0; i < NCOLS; i++)
        kh_csv_file_text(&c, col_head[i]);
    kh_csv_file_row(&c);
    for (size_t it = 0; it < r->nitems; it++) {
        const kh_item *item = &r->items[it];
        kh_csv_file_text(&c, item->num);
        kh_csv_file_text(&c, item->content);
        kh_csv_file_dec(&c, item->points);
        kh_csv_file_text(&c, u->items[it].reason);
        kh_csv_file_dec(&c, u->items[it].score);
        kh_csv_file_row(&c);
    }
    char *res = total_result(u);
    if (!res)
        c.oom = true;
    kh_csv_file_text(&c, "合计总得分");
    kh_csv_file_text(&c, NULL);
    kh_csv_file_dec(&c, r->total);
    kh_csv_file_text(&c, res);
    kh_csv_file_dec(&c, u->total);
    kh_csv_file_row(&c);
    kh_free(res);
    if (u->self) {
        /* 自评与考评: the second table (see the top of this file). */
        const kh_unit *s = u->self;
        char text[2][64];
        kh_csv_file_row(&c);
        kh_csv_file_text(&c, SC_SHEET);
        kh_csv_file_text(&c, s->cl->source);
        kh_csv_file_row(&c);
        for (size_t i = 0; i < SC_NCOLS; i++)
            kh_csv_file_text(&c, sc_head[i]);
        kh_csv_file_row(&c);
        for (size_t it = 0; it < r->nitems; it++) {
            const kh_item *item = &r->items[it];
            kh_csv_file_text(&c, item->num);
            kh_csv_file_text(&c, sc_item_label(item));
            kh_csv_file_dec(&c, item->points);
            kh_csv_file_dec(&c, s->items[it].score);
            kh_csv_file_dec(&c, u->items[it].score);
            kh_csv_file_dec(&c, kh_self_item_diff(u, it));
            kh_csv_file_row(&c);
            for (size_t j = item->first; j < item->first + item->ncps; j++) {
                kh_csv_file_text(&c, r->cps[j].id);
                kh_csv_file_text(&c, r->cps[j].label);
                kh_csv_file_text(&c, NULL);
                kh_csv_file_text(&c, kh_unit_cp_text(s, j, text[0], sizeof text[0]));
                kh_csv_file_text(&c, kh_unit_cp_text(u, j, text[1], sizeof text[1]));
                kh_csv_file_dec(&c, kh_self_cp_diff(u, j));
                kh_csv_file_row(&c);
            }
        }
        kh_csv_file_text(&c, "合计得分");
        kh_csv_file_text(&c, NULL);
        kh_csv_file_dec(&c, r->total);
        kh_csv_file_dec(&c, s->total);
        kh_csv_file_dec(&c, u->total);
        kh_csv_file_dec(&c, kh_self_total_diff(u));
        kh_csv_file_row(&c);
        if (u->vetoed || s->vetoed) {
            kh_csv_file_text(&c, "结果");
            kh_csv_file_text(&c, NULL);
            kh_csv_file_text(&c, NULL);
            kh_csv_file_text(&c, s->vetoed ? "一票否决" : "正常");
            kh_csv_file_text(&c, u->vetoed ? "一票否决" : "正常");
            kh_csv_file_row(&c);
        }
    }
    return kh_csv_file_close(&c, d);
}

/* The file name stem of every unit, in batch order: its safe name; when
 * two units would share one (a township and a department of the same
 * name), "<name>-<unit_type>"; still shared, then "(2)", "(3)" ...  Names
 * are compared by kh_file_key (case, full and half width, normalisation:
 * what Windows and macOS file systems ignore), in hash sets (N units:
 * N log N at worst, not N^2 comparisons).
 * New array of new strings, or NULL (out of memory). */
static char **file_stems(const kh_batch *b)
{
    size_t n = b->nunits;
    char **base = kh_calloc(n ? n : 1, sizeof *base);
    char **stem = kh_calloc(n ? n : 1, sizeof *stem);
    /* The keys the sets hold (a set's keys live elsewhere): each unit's
     * safe name's, and its stem's. */
    char **bkey = kh_calloc(n ? n : 1, sizeof *bkey);
    char **skey = kh_calloc(n ? n : 1, sizeof *skey);
    /* How many units have each safe name; the stems given so far. */
    kh_strset bases = {0}, used = {0};
    bool ok = base && stem && bkey && skey;
    for (size_t i = 0; ok && i < n; i++) {
        ok = (base[i] = kh_safe_filename(b->units[i]->cl->unit)) != NULL &&
             (bkey[i] = kh_file_key(base[i])) != NULL;
        size_t *count = ok ? kh_strset_find(&bases, bkey[i], strlen(bkey[i])) : NULL;
        if (count)
            (*count)++;
        else if (ok)
            ok = kh_strset_add(&bases, bkey[i], 1);
    }
    for (size_t i = 0; ok && i < n; i++) {
        const kh_checklist *cl = b->units[i]->cl;
        bool shared = *kh_strset_find(&bases, bkey[i], strlen(bkey[i])) > 1;
        char *cand;
        if (shared) {
            kh_buf nb = {0};
            kh_buf_printf(&nb, "%s-%s", cl->unit, cl->rubric->unit_type);
            char *full = kh_buf_steal(&nb);
            cand = full ? kh_safe_filename(full) : NULL;
            kh_free(full);
        } else {
            cand = kh_strdup(base[i]);
        }
        char *key = cand ? kh_file_key(cand) : NULL;
        if (!key) {
            kh_free(cand);
            ok = false;
            break;
        }
        /* Taken: "(k)" after the first choice, for the first k not taken.
         * The first choice's count in used remembers the last k given, so
         * m units of one name cost m tries, not m^2 / 2.  "(k)" is ASCII,
         * so its key is the choice's key followed by "(k)". */
        size_t *last = kh_strset_find(&used, key, strlen(key));
        if (last) {
            size_t k = *last ? *last + 1 : 2;
            char *kk = NULL;
            for (;; k++) {
                kh_buf nb = {0};
                kh_buf_printf(&nb, "%s(%zu)", key, k);
                kk = kh_buf_steal(&nb);
                if (!kk || !kh_strset_find(&used, kk, strlen(kk)))
                    break;
                kh_free(kk);
            }
            *last = k;
            kh_buf nb = {0};
            kh_buf_printf(&nb, "%s(%zu)", cand, k);
            kh_free(cand);
            kh_free(key);
            cand = kh_buf_steal(&nb);
            key = kk;
            if (!cand || !key) {
                kh_free(cand);
                kh_free(key);
                ok = false;
                break;
            }
        }
        stem[i] = cand;
        skey[i] = key;
        if (!kh_strset_add(&used, key, 0)) {
            ok = false;
            break;
        }
    }
    kh_strset_free(&bases);
    kh_strset_free(&used);
    for (size_t i = 0; bkey && skey && base && i < n; i++) {
        kh_free(base[i]);
        kh_free(bkey[i]);
        kh_free(skey[i]);
    }
    kh_free(base);
    kh_free(bkey);
    kh_free(skey);
    if (!ok) {
        for (size_t i = 0; stem && i < n; i++)
            kh_free(stem[i]);
        kh_free(stem);
        return NULL;
    }
    return stem;
}

/* dir/name+ext.  New string or NULL. */
static char *join_path(const char *dir, const char *name, const char *ext)
{
    kh_buf b = {0};
    size_t dl = strlen(dir);
    kh_buf_puts(&b, dir);
    if (dl && dir[dl - 1] != '/')
        kh_buf_putc(&b, '/');
    kh_buf_puts(&b, name);
    kh_buf_puts(&b, ext);
    return kh_buf_steal(&b);
}

/* Which of two statuses is worse: out of memory, then I/O and format
 * failures, then refusals. */
static kh_status worse(kh_status a, kh_status b)
{
    static const int weight[KH_STATUS_COUNT] = {
        [KH_OK] = 0,        [KH_ERR_USAGE] = 1,  [KH_ERR_INPUT] = 1, [KH_ERR_RUBRIC] = 1,
        [KH_ERR_LIMIT] = 2, [KH_ERR_FORMAT] = 3, [KH_ERR_IO] = 4,    [KH_ERR_NOMEM] = 5};
    if ((unsigned)a >= KH_STATUS_COUNT)
        return a;
    if ((unsigned)b >= KH_STATUS_COUNT)
        return b;
    return weight[b] > weight[a] ? b : a;
}

/* Refuse an output path that is one of the batch's inputs. */
static bool refuse_input(const kh_batch *b, const char *path, kh_diags *d)
{
    if (!kh_batch_is_input(b, path))
        return false;
    kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                 _("this output would replace an input file: write the results to another "
                   "folder with -o"));
    return true;
}

/* What writing one unit gave, kept until the caller's thread takes it in
 * unit order: its finished files (not yet committed) and its messages. */
typedef struct ss_out {
    kh_outfile_batch held;
    kh_diags d;
    kh_status st;
} ss_out;

/* One kh_write_scoresheets run. */
typedef struct ss_run {
    const kh_batch *b;
    const char *dir;
    unsigned formats;
    time_t created; /* one creation time for every workbook of the run */
    char **stems;   /* the file name of each unit, without extension */
    ss_out *out;    /* one per unit */
    kh_diags *d;
    kh_status worst;
} ss_run;

static const struct {
    unsigned fmt;
    const char *ext;
    kh_status (*write)(const kh_unit *, const char *, time_t, kh_diags *);
} ss_kinds[] = {{KH_FMT_XLSX, ".xlsx", ss_xlsx}, {KH_FMT_CSV, ".csv", ss_csv}};

/* Write unit i's files, on any thread: everything it makes stays in
 * out[i].  Safe beside other threads doing the same: the batch is only
 * read, and libxlsxwriter keeps all state in its workbook but for two
 * things every thread sets alike - the seed of its temporary-file names
 * (a name taken twice is retried) and the gmtime result it formats the
 * creation time from (every workbook of the run converts the same time). */
static void ss_work(void *arg, size_t i)
{
    ss_run *r = arg;
    ss_out *o = &r->out[i];
    kh_outfile_hold_begin(&o->held);
    o->st = KH_OK;
    for (size_t k = 0; k < KH_ARRAY_LEN(ss_kinds); k++) {
        if (!(r->formats & ss_kinds[k].fmt))
            continue;
        kh_status st;
        char *path = join_path(r->dir, r->stems[i], ss_kinds[k].ext);
        if (!path)
            st = KH_ERR_NOMEM;
        else if (refuse_input(r->b, path, &o->d))
            st = KH_ERR_USAGE;
        else
            st = ss_kinds[k].write(r->b->units[i], path, r->created, &o->d);
        o->st = worse(o->st, st);
        kh_free(path);
    }
    kh_outfile_hold_end(&o->held);
}

/* Take unit i's files and messages, in unit order, on the caller's
 * thread: the messages come out as they would on one thread, and the
 * files go into the caller's batch of commits. */
static bool ss_finish(void *arg, size_t i)
{
    ss_run *r = arg;
    ss_out *o = &r->out[i];
    kh_diags_move(r->d, &o->d);
    r->worst = worse(r->worst, o->st);
    r->worst = worse(r->worst, kh_outfile_hold_commit(&o->held, r->d));
    return true;
}

/* Threads for writing n units: as kh_pool_threads, but within the
 * open-file limit.  A writing thread holds the files of up to
 * KH_POOL_AHEAD finished units (two each, XLSX and CSV) and about five
 * while it writes (the output, libxlsxwriter's zip and staged part);
 * the batch of commits keeps up to a quarter of the limit.  The threads
 * get half of it.  (On 8 threads with a limit of 64, workbooks failed
 * with "Too many open files".) */
static unsigned writer_threads(unsigned jobs, size_t n)
{
    unsigned t = kh_pool_threads(jobs, n);
    size_t max = kh_open_file_limit() / 2 / (2 * KH_POOL_AHEAD + 5);
    if (t > max)
        t = max > 1 ? (unsigned)max : 1;
    return t;
}

char **kh_scoresheet_stems(const kh_batch *b) { return file_stems(b); }

kh_status kh_write_scoresheets(const kh_batch *b, const char *dir, unsigned formats,
                               unsigned jobs, kh_diags *d)
{
    if (!b || !dir || !*dir) {
        kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0, _("no output folder given: use -o DIR"));
        return KH_ERR_USAGE;
    }
    if (!(formats & (KH_FMT_XLSX | KH_FMT_CSV | KH_FMT_JSON)))
        formats = KH_FMT_XLSX;
    kh_status st = kh_ensure_dir(dir, d);
    if (st != KH_OK)
        return st;
    ss_run r = {.b = b, .dir = dir, .formats = formats, .created = kh_xw_now(), .d = d,
                .worst = KH_OK};
    r.stems = file_stems(b);
    r.out = kh_calloc(b->nunits ? b->nunits : 1, sizeof *r.out);
    if (!r.stems || !r.out) {
        for (size_t i = 0; r.stems && i < b->nunits; i++)
            kh_free(r.stems[i]);
        kh_free(r.stems);
        kh_free(r.out);
        return KH_ERR_NOMEM;
    }
    /* Every file is synced with one flush per batch of files before any
     * is named (see kh_outfile_batch_begin): an fsync each cost more than
     * writing the scoresheet. */
    kh_outfile_batch ob;
    kh_outfile_batch_begin(&ob);
    kh_pool_run(b->nunits, writer_threads(jobs, b->nunits), ss_work, ss_finish, &r);
    kh_status worst = r.worst;
    if (formats & KH_FMT_JSON) {
        char *path = join_path(dir, "kaohe", ".json");
        if (!path)
            st = KH_ERR_NOMEM;
        else if (refuse_input(b, path, d))
            st = KH_ERR_USAGE;
        else
            st = kh_write_json_file(b, false, path, d);
        worst = worse(worst, st);
        kh_free(path);
    }
    worst = worse(worst, kh_outfile_batch_end(&ob, d));
    for (size_t i = 0; i < b->nunits; i++)
        kh_free(r.stems[i]);
    kh_free(r.stems);
    kh_free(r.out);
    return worst;
}
