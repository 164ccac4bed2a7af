/*
 * template_out.c - blank checklists (kaohe template): an XLSX workbook
 * with one protected, printable sheet per unit, or a CSV file for one unit
 * (doc/formats.md §3-4).  Also kh_path_has_ext of template_out.h; the
 * printed page is print_layout.c's.
 *
 * XLSX sheet layout (rows 1-based, columns A..H):
 *   1        the rubric title, merged A:H
 *   2..6     fields: label merged A:B, value merged C:F (考核细则 locked,
 *            被考核单位 / 考核年度 / 检查组 / 检查日期 unlocked)
 *   7        how to fill it in, merged A:H
 *   8        header 序号 督查内容 检查点 检查要点 标准分 填写说明 检查结果 备注
 *   9..      one row per check point; 序号, 督查内容, 标准分 merged over the
 *            rows of an item; results (G) and remarks (H) unlocked
 * The reader finds everything by its text, so this layout is for people.
 */
#include "template_out.h"
#include "roster.h"
#include "csv_out.h"
#include "kaohe.h"
#include "outfile.h"
#include "rubric.h"
#include "rules.h"
#include "text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool kh_path_has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && kh_ascii_eq_nocase(path + n - e, ext);
}


/* ------------------------------------------------------------------ */
/* What the template asks for each check point. */

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* The measure word X of a label ending in X数 (X one of 次 起 个 项 家 人),
 * a trailing "（…）" ignored; NULL when there is none. */
static const char *label_measure(const char *label)
{
    static const char *const words[] = {"次", "起", "个", "项", "家", "人"};
    size_t len = strlen(label);
    if (ends_with(label, len, "）")) {
        const char *open = NULL;
        for (const char *p = strstr(label, "（"); p; p = strstr(p + 1, "（"))
            open = p;
        if (open && open > label)
            len = (size_t)(open - label);
    }
    if (!ends_with(label, len, "数"))
        return NULL;
    len -= strlen("数");
    for (size_t i = 0; i < KH_ARRAY_LEN(words); i++)
        if (ends_with(label, len, words[i]))
            return words[i];
    return NULL;
}

/* The 填写说明 of a check point: what to write, then the rubric's hint.
 * New string or NULL (out of memory). */
static char *fill_text(const kh_checkpoint *cp)
{
    kh_buf b = {0};
    const char *x = label_measure(cp->label);
    switch (cp->kind) {
    case KH_KIND_HAS:
        kh_buf_puts(&b, "填“有”或“无”");
        break;
    case KH_KIND_COUNT:
        if (x)
            kh_buf_printf(&b, "填实际%s数，应不少于%lld%s", x, (long long)cp->need, x);
        else
            kh_buf_printf(&b, "填实际数量，应不少于%lld", (long long)cp->need);
        break;
    case KH_KIND_EACH:
    case KH_KIND_ANY:
    case KH_KIND_VETO:
        if (strncmp(cp->label, "未", strlen("未")) == 0 && x && strcmp(x, "次") == 0) {
            /* A count of what was NOT done (4.1 未按要求参加…次数, 6.3
             * 未按计划开展工作次数) beside counts of what was done: say
             * which it is, so that nobody writes the meetings attended. */
            size_t n = kh_label_core_len(cp->label);
            const char *tail = "次数";
            if (n >= strlen(tail) && memcmp(cp->label + n - strlen(tail), tail, strlen(tail)) == 0)
                n -= strlen(tail);
            kh_buf_puts(&b, "填“");
            kh_buf_add(&b, cp->label, n);
            kh_buf_puts(&b, "”的次数（没做到的次数，不是已做的次数），都做到了填0");
        } else if (x && strcmp(x, "起") == 0)
            kh_buf_puts(&b, "填发生起数，没有填0");
        else if (x)
            kh_buf_printf(&b, "填%s数，没有填0", x);
        else
            kh_buf_puts(&b, "填发生次数/起数，没有填0");
        break;
    }
    if (cp->hint && *cp->hint)
        kh_buf_printf(&b, "；%s", cp->hint);
    return kh_buf_steal(&b);
}

char *kh_fill_text(const kh_checkpoint *cp)
{
    return fill_text(cp);
}

/* ------------------------------------------------------------------ */
/* XLSX template. */

enum { COL_NUM, COL_CONTENT, COL_CHECK, COL_LABEL, COL_POINTS, COL_FILL, COL_RESULT,
       COL_REMARK, NCOLS };

static const double col_width[NCOLS] = {5.5, 30, 7, 20, 7, 24, 10, 16};
static const char *const col_head[NCOLS] = {"序号", "督查内容", "检查点", "检查要点",
                                            "标准分", "填写说明", "检查结果", "备注"};

#define ROW_TITLE 0
#define ROW_FIELDS 1
#define NFIELDS 5
#define ROW_NOTE (ROW_FIELDS + NFIELDS)
#define ROW_HEAD (ROW_NOTE + 1)
#define ROW_FIRST (ROW_HEAD + 1)
#define FILL_PT 10.0   /* the 填写说明 column is a little smaller */
#define INPUT_COLOR 0xFFF8DC /* the cells to fill in: a pale yellow */

typedef struct tpl_formats {
    lxw_format *title, *label, *value, *input, *note, *head;
    lxw_format *center, *text, *check, *fill, *result, *remark;
    lxw_format *points;
} tpl_formats;


static void style_points(lxw_format *f)
{
    kh_form_style_cell(f);
    format_set_align(f, LXW_ALIGN_CENTER);
}

/* A new format with the form font, or NULL (recorded in x). */
static lxw_format *new_format(kh_xw *x)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f)
        kh_xw_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_format");
    else
        kh_form_style_font(f);
    return f;
}

static bool tpl_make_formats(kh_xw *x, tpl_formats *f)
{
    lxw_format **all[] = {&f->title, &f->label, &f->value, &f->input, &f->note, &f->head,
                          &f->center, &f->text, &f->check, &f->fill, &f->result, &f->remark};
    for (size_t i = 0; i < KH_ARRAY_LEN(all); i++)
        if (!(*all[i] = new_format(x)))
            return false;
    format_set_bold(f->title);
    format_set_font_size(f->title, 16);
    format_set_align(f->title, LXW_ALIGN_CENTER);
    format_set_align(f->title, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(f->title);

    format_set_bold(f->label);
    format_set_align(f->label, LXW_ALIGN_RIGHT);
    format_set_align(f->label, LXW_ALIGN_VERTICAL_CENTER);

    lxw_format *vals[] = {f->value, f->input};
    for (size_t i = 0; i < KH_ARRAY_LEN(vals); i++) {
        format_set_bottom(vals[i], LXW_BORDER_THIN);
        format_set_align(vals[i], LXW_ALIGN_LEFT);
        format_set_align(vals[i], LXW_ALIGN_VERTICAL_CENTER);
    }
    format_set_unlocked(f->input);
    format_set_bg_color(f->input, INPUT_COLOR);
    format_set_num_format(f->input, "@"); /* what is typed stays text */

    format_set_font_size(f->note, FILL_PT);
    format_set_text_wrap(f->note);
    format_set_align(f->note, LXW_ALIGN_VERTICAL_CENTER);

    lxw_format *cells[] = {f->head, f->center, f->text, f->check, f->fill, f->result, f->remark};
    for (size_t i = 0; i < KH_ARRAY_LEN(cells); i++)
        kh_form_style_cell(cells[i]);
    format_set_bold(f->head);
    format_set_align(f->head, LXW_ALIGN_CENTER);
    format_set_bg_color(f->head, 0xD9D9D9);
    format_set_align(f->center, LXW_ALIGN_CENTER);
    format_set_align(f->check, LXW_ALIGN_CENTER);
    format_set_num_format(f->check, "@");
    format_set_font_size(f->fill, FILL_PT);
    format_set_align(f->result, LXW_ALIGN_CENTER);
    format_set_unlocked(f->result);
    format_set_bg_color(f->result, INPUT_COLOR);
    format_set_unlocked(f->remark);
    format_set_bg_color(f->remark, INPUT_COLOR);

    f->points = kh_xw_format(x, style_points);
    return x->err == LXW_NO_ERROR;
}

/* Merge rows r1..r2 of column col (a single cell is left alone). */
static void merge_rows(kh_xw *x, lxw_worksheet *ws, lxw_row_t r1, lxw_row_t r2, lxw_col_t col,
                       lxw_format *fmt)
{
    if (r2 > r1)
        kh_xw_check(x, worksheet_merge_range(ws, r1, col, r2, col, "", fmt),
                    "worksheet_merge_range");
}

/* An item number: a number cell when it is a plain whole number (so Excel
 * shows no "number stored as text" mark), else text. */
static void write_item_num(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                           const char *num, lxw_format *fmt)
{
    size_t n = strlen(num);
    bool digits = n > 0 && n < 10 && num[0] != '0';
    for (size_t i = 0; i < n && digits; i++)
        digits = num[i] >= '0' && num[i] <= '9';
    if (digits)
        kh_xw_check(x, worksheet_write_number(ws, row, col, (double)strtol(num, NULL, 10), fmt),
                    "worksheet_write_number");
    else
        kh_xw_str(x, ws, row, col, num, fmt);
}

/* The data validation of the result cell of cp: a 有/无 list for has (the
 * list literal stays short: libxlsxwriter 1.1.4 overflows on long ones),
 * a whole number >= 0 otherwise; the fill-in text as input message. */
static kh_status result_validation(kh_xw *x, lxw_worksheet *ws, lxw_row_t row,
                                   const kh_checkpoint *cp, const char *fill)
{
    static char yes[] = "有", no[] = "无";
    static char list_title[] = "请选择“有”或“无”", int_title[] = "请填写整数";
    char *list[] = {yes, no, NULL};
    kh_buf title = {0}, err = {0};
    kh_buf_printf(&title, "检查点 %s", cp->id);
    lxw_data_validation dv = {0};
    if (cp->kind == KH_KIND_HAS) {
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = list;
        dv.error_title = list_title;
        kh_buf_printf(&err, "检查点 %s（%s）：请从下拉列表中选择“有”或“无”。", cp->id,
                      cp->label);
    } else {
        dv.validate = LXW_VALIDATION_TYPE_INTEGER;
        dv.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
        dv.value_number = 0;
        dv.error_title = int_title;
        kh_buf_printf(&err,
                      "检查点 %s（%s）：请填写 0 或更大的整数，例如 0、1、2，"
                      "不要写小数、单位或文字。",
                      cp->id, cp->label);
    }
    dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    /* Excel's limits: 32 characters of title, 255 of message. */
    char *t = title.oom ? NULL : kh_utf8_clean(kh_buf_str(&title), 32);
    char *m = kh_utf8_clean(fill, 255);
    char *e = err.oom ? NULL : kh_utf8_clean(kh_buf_str(&err), 255);
    kh_buf_free(&title);
    kh_buf_free(&err);
    if (!t || !m || !e) {
        kh_free(t);
        kh_free(m);
        kh_free(e);
        return KH_ERR_NOMEM;
    }
    dv.input_title = t;
    dv.input_message = m;
    dv.error_message = e;
    kh_xw_check(x, worksheet_data_validation_cell(ws, row, COL_RESULT, &dv),
                "worksheet_data_validation_cell");
    kh_free(t);
    kh_free(m);
    kh_free(e);
    return KH_OK;
}

static void write_field(kh_xw *x, lxw_worksheet *ws, const tpl_formats *f, lxw_row_t row,
                        const char *label, const char *value, bool editable, const char *aside)
{
    lxw_format *vf = editable ? f->input : f->value;
    kh_xw_check(x, worksheet_merge_range(ws, row, COL_NUM, row, COL_CONTENT, "", f->label),
                "worksheet_merge_range");
    kh_xw_str(x, ws, row, COL_NUM, label, f->label);
    /* With aside: the value in C:D, aside (for people) in E:F. */
    kh_xw_check(x, worksheet_merge_range(ws, row, COL_CHECK, row, aside ? COL_LABEL : COL_FILL,
                                         "", vf),
                "worksheet_merge_range");
    kh_xw_str(x, ws, row, COL_CHECK, value, vf);
    if (aside) {
        kh_xw_check(x, worksheet_merge_range(ws, row, COL_POINTS, row, COL_FILL, "", f->value),
                    "worksheet_merge_range");
        kh_xw_str(x, ws, row, COL_POINTS, aside, f->value);
    }
}

/* What a person reads beside the rubric's id (which the reader needs in
 * the 考核细则 cell): "乡镇检查表（编号勿改）".  New string or NULL. */
static char *rubric_aside(const kh_rubric *r)
{
    return kh_strprintf("%s检查表（编号勿改）", kh_rubric_name(r));
}

/* The rows of the check points of item it from row first on; their
 * heights go to h[], and the first row starts a page-break group. */
static kh_status tpl_item(kh_xw *x, lxw_worksheet *ws, const tpl_formats *f, const kh_rubric *r,
                          const kh_filled *filled, size_t it, lxw_row_t first, double *h,
                          bool *starts)
{
    const kh_item *item = &r->items[it];
    lxw_row_t last = first + (lxw_row_t)item->ncps - 1;
    merge_rows(x, ws, first, last, COL_NUM, f->center);
    write_item_num(x, ws, first, COL_NUM, item->num, f->center);
    merge_rows(x, ws, first, last, COL_CONTENT, f->text);
    kh_xw_str(x, ws, first, COL_CONTENT, item->content, f->text);
    merge_rows(x, ws, first, last, COL_POINTS, f->points);
    kh_xw_dec(x, ws, first, COL_POINTS, item->points, f->points);
    starts[first] = true;

    double own = 0;
    for (size_t k = 0; k < item->ncps; k++) {
        const kh_checkpoint *cp = &r->cps[item->first + k];
        lxw_row_t rr = first + (lxw_row_t)k;
        char *fill = fill_text(cp);
        if (!fill)
            return KH_ERR_NOMEM;
        kh_xw_str(x, ws, rr, COL_CHECK, cp->id, f->check);
        kh_xw_str(x, ws, rr, COL_LABEL, cp->label, f->text);
        kh_xw_str(x, ws, rr, COL_FILL, fill, f->fill);
        const char *value = filled ? filled->values[item->first + k] : NULL;
        if (kh_filled_is_number(cp, value))
            kh_xw_check(x, worksheet_write_number(ws, rr, COL_RESULT,
                                                  (double)strtol(value, NULL, 10), f->result),
                        "worksheet_write_number");
        else
            kh_xw_str(x, ws, rr, COL_RESULT, value, f->result);
        kh_xw_str(x, ws, rr, COL_REMARK, filled ? filled->remarks[item->first + k] : NULL,
                  f->remark);
        kh_status st = result_validation(x, ws, rr, cp, fill);
        double hl = kh_form_height(kh_form_lines(cp->label, col_width[COL_LABEL],
                                                 KH_FORM_FONT_SIZE), KH_FORM_FONT_SIZE);
        double hf = kh_form_height(kh_form_lines(fill, col_width[COL_FILL], FILL_PT), FILL_PT);
        h[rr] = hl > hf ? hl : hf;
        own += h[rr];
        kh_free(fill);
        if (st != KH_OK)
            return st;
    }
    /* The merged 督查内容 must fit in the rows of its item (no spreadsheet
     * grows rows for merged text): share out what is missing. */
    double need = kh_form_height(kh_form_lines(item->content, col_width[COL_CONTENT],
                                               KH_FORM_FONT_SIZE), KH_FORM_FONT_SIZE);
    if (need > own)
        for (size_t k = 0; k < item->ncps; k++)
            h[first + k] += (need - own) / (double)item->ncps;
    return KH_OK;
}

static kh_status tpl_sheet(kh_xw *x, lxw_worksheet *ws, const tpl_formats *f, const kh_rubric *r,
                           const char *unit, const kh_filled *filled)
{
    lxw_row_t nrows = ROW_FIRST + (lxw_row_t)r->ncps;
    double *h = kh_calloc(nrows, sizeof *h);
    bool *starts = kh_calloc(nrows, sizeof *starts);
    if (!h || !starts) {
        kh_free(h);
        kh_free(starts);
        return KH_ERR_NOMEM;
    }
    double total_width = 0;
    for (lxw_col_t c = 0; c < NCOLS; c++) {
        kh_xw_check(x, worksheet_set_column(ws, c, c, col_width[c], NULL), "worksheet_set_column");
        total_width += col_width[c];
    }

    kh_xw_check(x, worksheet_merge_range(ws, ROW_TITLE, 0, ROW_TITLE, NCOLS - 1, "", f->title),
                "worksheet_merge_range");
    kh_xw_str(x, ws, ROW_TITLE, 0, r->title, f->title);
    h[ROW_TITLE] = kh_form_height(kh_form_lines(r->title, total_width, 16), 16) + 6;

    static const char *const labels[NFIELDS] = {"考核细则：", "被考核单位：", "考核年度：",
                                                "检查组：", "检查日期："};
    char *aside = rubric_aside(r);
    if (!aside) {
        kh_free(h);
        kh_free(starts);
        return KH_ERR_NOMEM;
    }
    for (lxw_row_t i = 0; i < NFIELDS; i++) {
        write_field(x, ws, f, ROW_FIELDS + i, labels[i],
                    i == 0   ? r->id
                    : i == 1 ? unit
                    : i == 2 && filled ? filled->year
                               : NULL,
                    i > 0, i == 0 ? aside : NULL);
        h[ROW_FIELDS + i] = kh_form_height(1, KH_FORM_FONT_SIZE) + 2;
    }
    kh_free(aside);

    static const char note[] =
        "填写说明：只填黄色单元格。“检查结果”按“填写说明”列填写：“有/无”从下拉列表选择，"
        "次数、起数填整数（没有填0）；需要说明的情况写在“备注”，会写入扣分原因。"
        "请勿改动检查点和检查要点。";
    kh_xw_check(x, worksheet_merge_range(ws, ROW_NOTE, 0, ROW_NOTE, NCOLS - 1, "", f->note),
                "worksheet_merge_range");
    kh_xw_str(x, ws, ROW_NOTE, 0, note, f->note);
    h[ROW_NOTE] = kh_form_height(kh_form_lines(note, total_width, FILL_PT), FILL_PT);

    for (lxw_col_t c = 0; c < NCOLS; c++)
        kh_xw_str(x, ws, ROW_HEAD, c, col_head[c], f->head);
    h[ROW_HEAD] = kh_form_height(1, KH_FORM_FONT_SIZE);

    kh_status st = KH_OK;
    lxw_row_t row = ROW_FIRST;
    for (size_t it = 0; it < r->nitems && st == KH_OK; it++) {
        st = tpl_item(x, ws, f, r, filled, it, row, h, starts);
        row += (lxw_row_t)r->items[it].ncps;
    }
    if (st == KH_OK) {
        for (lxw_row_t i = 0; i < nrows; i++)
            kh_xw_check(x, worksheet_set_row(ws, i, h[i] > 409 ? 409 : h[i], NULL),
                        "worksheet_set_row");
        kh_form_page_setup(x, ws, ROW_HEAD);
        kh_form_page_breaks(x, ws, h, starts, nrows, ROW_HEAD, col_width, NCOLS);
        /* Protected without a password: the unlocked cells stay editable,
         * and rows and columns may still be resized. */
        lxw_protection prot = {.format_columns = 1, .format_rows = 1};
        worksheet_protect(ws, NULL, &prot);
        worksheet_set_selection(ws, ROW_FIELDS + 1, COL_CHECK, ROW_FIELDS + 1, COL_CHECK);
    }
    kh_free(h);
    kh_free(starts);
    return st;
}

static kh_status tpl_xlsx(const kh_rubric *r, char *const *units, size_t nunits,
                          const kh_filled *filled, const char *path, kh_diags *d)
{
    kh_xw x;
    kh_status st = kh_xw_open(&x, path, false, kh_xw_now(), d);
    if (st != KH_OK)
        return st;
    tpl_formats f = {0};
    char **names = kh_calloc(nunits ? nunits : 1, sizeof *names);
    if (!names || !tpl_make_formats(&x, &f)) {
        st = KH_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < (nunits ? nunits : 1) && st == KH_OK; i++) {
        names[i] = kh_xw_sheet_name(nunits ? units[i] : "检查表", names, i);
        if (!names[i]) {
            st = KH_ERR_NOMEM;
            break;
        }
        lxw_worksheet *ws = kh_xw_add_sheet(&x, names[i]);
        if (!ws)
            break;
        st = tpl_sheet(&x, ws, &f, r, nunits ? units[i] : NULL, filled);
    }
done:
    if (names)
        for (size_t i = 0; i < (nunits ? nunits : 1); i++)
            kh_free(names[i]);
    kh_free(names);
    if (st != KH_OK)
        kh_xw_check(&x, LXW_ERROR_MEMORY_MALLOC_FAILED, "kh_write_template");
    return kh_xw_close(&x, d);
}

/* ------------------------------------------------------------------ */
/* CSV template: the same fields and table, one unit. */

static kh_status tpl_csv(const kh_rubric *r, const char *unit, const char *path, kh_diags *d)
{
    kh_csv_file c;
    kh_status st = kh_csv_file_open(&c, path, d);
    if (st != KH_OK)
        return st;
    kh_csv_file_text(&c, r->title);
    kh_csv_file_row(&c);
    static const char *const labels[NFIELDS] = {"考核细则", "被考核单位", "考核年度", "检查组",
                                                "检查日期"};
    const char *values[NFIELDS] = {r->id, unit, NULL, NULL, NULL};
    char *aside = rubric_aside(r);
    if (!aside)
        c.oom = true;
    for (size_t i = 0; i < NFIELDS; i++) {
        kh_csv_file_text(&c, labels[i]);
        kh_csv_file_text(&c, values[i]);
        if (i == 0)
            kh_csv_file_text(&c, aside);
        kh_csv_file_row(&c);
    }
    kh_free(aside);
    kh_csv_file_row(&c);
    for (size_t i = 0; i < NCOLS; i++)
        kh_csv_file_text(&c, col_head[i]);
    kh_csv_file_row(&c);
    for (size_t it = 0; it < r->nitems; it++) {
        const kh_item *item = &r->items[it];
        for (size_t k = 0; k < item->ncps; k++) {
            const kh_checkpoint *cp = &r->cps[item->first + k];
            char *fill = fill_text(cp);
            if (!fill) {
                c.oom = true;
                break;
            }
            /* 序号, 督查内容 and 标准分 on the first row of the item only, as
             * if merged. */
            kh_csv_file_text(&c, k ? NULL : item->num);
            kh_csv_file_text(&c, k ? NULL : item->content);
            kh_csv_file_text(&c, cp->id);
            kh_csv_file_text(&c, cp->label);
            if (k)
                kh_csv_file_text(&c, NULL);
            else
                kh_csv_file_dec(&c, item->points);
            kh_csv_file_text(&c, fill);
            kh_csv_file_text(&c, NULL);
            kh_csv_file_text(&c, NULL);
            kh_csv_file_row(&c);
            kh_free(fill);
        }
    }
    return kh_csv_file_close(&c, d);
}

/* ------------------------------------------------------------------ */

kh_status kh_write_template(const kh_rubric *r, const char *const *units, size_t nunits,
                            const char *path, kh_diags *d)
{
    if (!r || !path || (nunits && !units)) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("no rubric or output file given"));
        return KH_ERR_USAGE;
    }
    bool csv = kh_path_has_ext(path, ".csv");
    if (!csv && !kh_path_has_ext(path, ".xlsx")) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the template file name must end in .xlsx or .csv"));
        return KH_ERR_USAGE;
    }
    if (csv && nunits > 1) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("a CSV checklist holds one unit, but %zu units were given: write an "
                       ".xlsx file (one sheet per unit) or make one .csv per unit"),
                     nunits);
        return KH_ERR_USAGE;
    }
    if (r->path && kh_same_file(path, r->path)) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this is the rubric file itself: choose another output file"));
        return KH_ERR_USAGE;
    }
    /* Unit names as the reader will compare them: trimmed, not empty, each
     * once (two sheets for one unit would be scored twice). */
    kh_status st = KH_OK;
    char **names = kh_calloc(nunits ? nunits : 1, sizeof *names);
    if (!names)
        return KH_ERR_NOMEM;
    for (size_t i = 0; i < nunits && st == KH_OK; i++) {
        names[i] = kh_norm_value(units[i] ? units[i] : "");
        if (!names[i]) {
            st = KH_ERR_NOMEM;
            break;
        }
        if (!*names[i]) {
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                         _("a unit name is empty: give every --unit a name"));
            st = KH_ERR_USAGE;
        }
        for (size_t k = 0; k < i && st == KH_OK; k++) {
            if (strcmp(names[k], names[i]) == 0) {
                kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                             _("unit '%s' is given twice: give each unit once"), names[i]);
                st = KH_ERR_USAGE;
            }
        }
    }
    if (st == KH_OK)
        st = csv ? tpl_csv(r, nunits ? names[0] : NULL, path, d)
                 : tpl_xlsx(r, names, nunits, NULL, path, d);
    for (size_t i = 0; i < nunits; i++)
        kh_free(names[i]);
    kh_free(names);
    return st;
}

bool kh_filled_is_number(const kh_checkpoint *cp, const char *value)
{
    if (cp->kind == KH_KIND_HAS || !value || !*value)
        return false;
    size_t n = strlen(value);
    if (n > 9 || (value[0] == '0' && n > 1))
        return false;
    for (size_t i = 0; i < n; i++)
        if (value[i] < '0' || value[i] > '9')
            return false;
    return true;
}

kh_status kh_write_filled(const kh_rubric *r, const kh_filled *filled, const char *path,
                          kh_diags *d)
{
    if (!r || !filled || !filled->unit || !path || !kh_path_has_ext(path, ".xlsx")) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the filled checklist is written as .xlsx, of one unit"));
        return KH_ERR_USAGE;
    }
    char *unit = kh_norm_value(filled->unit);
    if (!unit)
        return KH_ERR_NOMEM;
    kh_status st = tpl_xlsx(r, &unit, 1, filled, path, d);
    kh_free(unit);
    return st;
}

kh_status kh_write_roster_templates(const kh_roster *ro, const char *dir, kh_diags *d)
{
    kh_status st = kh_ensure_dir(dir, d);
    /* File names: the unit's safe name; when two units of the roster share
     * one (a township and a department of one name), each takes its unit
     * type too.  Names are compared as Windows and macOS see them. */
    char **stem = kh_calloc(ro->n ? ro->n : 1, sizeof *stem);
    char **key = kh_calloc(ro->n ? ro->n : 1, sizeof *key);
    if (!stem || !key)
        st = KH_ERR_NOMEM;
    for (size_t i = 0; st == KH_OK && i < ro->n; i++)
        if (!(stem[i] = kh_safe_filename(ro->v[i].unit)) || !(key[i] = kh_file_key(stem[i])))
            st = KH_ERR_NOMEM;
    for (size_t i = 0; st == KH_OK && i < ro->n; i++) {
        bool shared = false;
        for (size_t j = 0; j < ro->n && !shared; j++)
            shared = j != i && strcmp(key[i], key[j]) == 0;
        kh_buf p = {0};
        if (shared) {
            kh_buf t = {0};
            kh_buf_printf(&t, "%s-%s", ro->v[i].unit, ro->v[i].rubric->unit_type);
            char *full = kh_buf_steal(&t);
            char *safe = full ? kh_safe_filename(full) : NULL;
            kh_buf_printf(&p, "%s/%s.xlsx", dir, safe ? safe : "");
            if (!safe)
                p.oom = true;
            kh_free(full);
            kh_free(safe);
        } else {
            kh_buf_printf(&p, "%s/%s.xlsx", dir, stem[i]);
        }
        char *path = kh_buf_steal(&p);
        if (!path) {
            st = KH_ERR_NOMEM;
            break;
        }
        const char *unit = ro->v[i].unit;
        kh_status s1 = kh_write_template(ro->v[i].rubric, &unit, 1, path, d);
        kh_free(path);
        if (s1 == KH_ERR_NOMEM)
            st = s1;
        else if (s1 != KH_OK && st == KH_OK)
            st = s1;
    }
    for (size_t i = 0; i < ro->n; i++) {
        if (stem)
            kh_free(stem[i]);
        if (key)
            kh_free(key[i]);
    }
    kh_free(stem);
    kh_free(key);
    return st;
}
