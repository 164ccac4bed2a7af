/*
 * summary_out.c - 问题汇总 and 问题汇总图 in the ranking workbook.
 *
 * 问题汇总: a title row, a line saying what is counted, the heading row
 * (repeated on every printed page), then per rubric a section row and per
 * item (most units first) its row and its check points' rows (most units
 * first): 检查点 · 内容 · 失分单位数 · 考核单位数 · 占比 · 共失分 ·
 * [较上年] · 失分单位.  A4 landscape, one page wide.
 * 问题汇总图: the ten check points most often lost, as a table and a bar
 * chart reading it.
 */
#include "summary_out.h"
#include "print_layout.h"
#include "summary.h"

#include <stdlib.h>
#include <string.h>

#define SUM_FONT "宋体"
#define SUM_FONT_SIZE 10.5
#define SUM_COLOR_HEAD 0xD9E1F2
#define SUM_COLOR_ITEM 0xF2F2F2
#define SUM_COLOR_BAR 0xC0504D
#define SUM_TOP 10

enum { S_ID, S_TEXT, S_UNITS, S_TOTAL, S_SHARE, S_LOST, S_CHANGE, S_NAMES, S_NCOLS };
static const double sum_width[S_NCOLS] = {8, 34, 10, 10, 9, 9, 16, 48};

typedef struct so {
    kh_xw *x;
    lxw_format *title, *note, *head, *section, *item_l, *item_c, *left, *center;
    bool with_prev;
} so;

static void oom(so *s)
{
    kh_xw_check(s->x, LXW_ERROR_MEMORY_MALLOC_FAILED, "kh_malloc");
}

static lxw_format *fmt(so *s, bool border, bool bold, bool wrap, bool center, unsigned fill,
                       double size)
{
    lxw_format *f = workbook_add_format(s->x->wb);
    if (!f) {
        oom(s);
        return NULL;
    }
    format_set_font_name(f, SUM_FONT);
    format_set_font_size(f, size);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    if (border)
        format_set_border(f, LXW_BORDER_THIN);
    if (bold)
        format_set_bold(f);
    if (wrap)
        format_set_text_wrap(f);
    if (center)
        format_set_align(f, LXW_ALIGN_CENTER);
    if (fill)
        format_set_bg_color(f, fill);
    return f;
}

/* Display width of s in column units (CJK counts two). */
static double width_of(const char *s)
{
    if (!s || !kh_utf8_valid(s, strlen(s), NULL))
        return s ? (double)strlen(s) : 0;
    double w = 0;
    for (size_t i = 0; s[i];) {
        unsigned cp;
        i += kh_utf8_decode(s + i, &cp);
        w += cp >= 0x2E80 ? 2 : 1;
    }
    return w;
}

/* Lines s wraps to in a column of width w. */
static unsigned lines_of(const char *s, double w)
{
    double usable = w > 3 ? w - 1.5 : 1.5, t = width_of(s);
    unsigned n = 1;
    while (n * usable < t && n < 25)
        n++;
    return n;
}

/* A row of texts (NULL: blank) and numbers (nums[c] >= 0 written as a
 * number in the columns whose bit is set in isnum). */
static void put_row(so *s, lxw_worksheet *ws, lxw_row_t r, const char *const *text,
                    const size_t *nums, unsigned isnum, kh_dec lost, lxw_format *l,
                    lxw_format *c)
{
    unsigned lines = 1;
    for (int k = 0; k < S_NCOLS; k++) {
        unsigned m = text[k] ? lines_of(text[k], sum_width[k]) : 1;
        if (m > lines)
            lines = m;
    }
    double h = 4 + 15.0 * lines;
    kh_xw_check(s->x, worksheet_set_row(ws, r, h < 20 ? 20 : h > 409 ? 409 : h, NULL),
                "worksheet_set_row");
    for (int k = 0; k < S_NCOLS; k++) {
        if (k == S_CHANGE && !s->with_prev)
            continue;
        lxw_col_t col = (lxw_col_t)(k > S_CHANGE && !s->with_prev ? k - 1 : k);
        lxw_format *f = k == S_TEXT || k == S_NAMES ? l : c;
        if (isnum >> k & 1u)
            kh_xw_check(s->x, worksheet_write_number(ws, r, col, (double)nums[k], f),
                        "worksheet_write_number");
        else if (k == S_LOST)
            kh_xw_dec(s->x, ws, r, col, lost, f);
        else
            kh_xw_str(s->x, ws, r, col, text[k], f);
    }
}

/* "两江镇、临桂镇" of n units. */
static char *names_of(const kh_unit *const *u, size_t n)
{
    kh_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i)
            kh_buf_puts(&b, "、");
        kh_buf_puts(&b, u[i]->cl->unit);
    }
    if (b.oom) {
        kh_buf_free(&b);
        return NULL;
    }
    return kh_buf_steal(&b);
}

static void count_row(so *s, lxw_worksheet *ws, lxw_row_t r, const kh_sum_rubric *sr,
                      const char *id, const char *text, size_t n, kh_dec lost,
                      const kh_unit *const *units, bool has_prev, size_t prev, bool item)
{
    char *share = kh_strprintf("%u%%", kh_summary_pct(n, sr->nunits));
    char *change = kh_summary_change(n, prev, has_prev);
    char *names = names_of(units, n);
    if (!share || !names || (has_prev && !change))
        oom(s);
    const char *t[S_NCOLS] = {id, text, NULL, NULL, share, NULL, change, names};
    size_t nums[S_NCOLS] = {0};
    nums[S_UNITS] = n;
    nums[S_TOTAL] = sr->nunits;
    put_row(s, ws, r, t, nums, 1u << S_UNITS | 1u << S_TOTAL, lost,
            item ? s->item_l : s->left, item ? s->item_c : s->center);
    kh_free(share);
    kh_free(change);
    kh_free(names);
}

static void merged(so *s, lxw_worksheet *ws, lxw_row_t r, lxw_col_t last, const char *text,
                   lxw_format *f, double h)
{
    kh_xw_check(s->x, worksheet_set_row(ws, r, h, NULL), "worksheet_set_row");
    if (last > 0)
        kh_xw_check(s->x, worksheet_merge_range(ws, r, 0, r, last, "", f),
                    "worksheet_merge_range");
    kh_xw_str(s->x, ws, r, 0, text, f);
}

static void write_summary(so *s, lxw_worksheet *ws, const kh_summary *sum)
{
    lxw_col_t last = (lxw_col_t)(s->with_prev ? S_NCOLS - 1 : S_NCOLS - 2);
    size_t total = 0, vetoed = 0;
    for (size_t k = 0; k < sum->n; k++) {
        total += sum->v[k].nunits;
        vetoed += sum->v[k].nvetoed;
    }
    const char *year = sum->n ? sum->v[0].rubric->year : NULL;
    char *title = kh_strprintf("%s%s安全生产工作考核问题汇总", year ? year : "",
                               year ? "年度" : "");
    merged(s, ws, 0, last, title, s->title, 30);
    kh_free(title);
    char *line = kh_strprintf(
        "计入排名的单位 %zu 个（含一票否决 %zu 个），未通过和未报送的单位不计入。"
        "检查点按失分单位数从多到少排列，并归入所属项目。检查点的“共失分”为各单位在该检查点的"
        "扣分之和；项目一行的“共失分”为各单位该项目实扣分之和，已按项目分值封顶。",
        total, vetoed);
    if (!title || !line)
        oom(s);
    merged(s, ws, 1, last, line, s->note, 48);
    kh_free(line);
    static const char *const head[S_NCOLS] = {"检查点", "内容", "失分单位数", "考核单位数",
                                              "占比", "共失分", "较上年", "失分单位"};
    kh_xw_check(s->x, worksheet_set_row(ws, 2, 24, NULL), "worksheet_set_row");
    for (int k = 0, c = 0; k < S_NCOLS; k++) {
        if (k == S_CHANGE && !s->with_prev)
            continue;
        kh_xw_str(s->x, ws, 2, (lxw_col_t)c, head[k], s->head);
        kh_xw_check(s->x, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, sum_width[k], NULL),
                    "worksheet_set_column");
        c++;
    }
    lxw_row_t r = 3;
    for (size_t k = 0; k < sum->n; k++) {
        const kh_sum_rubric *sr = &sum->v[k];
        const kh_rubric *rb = sr->rubric;
        char *sec = kh_strprintf("%s（考核细则 %s）：考核单位 %zu 个，其中一票否决 %zu 个",
                                 rb->unit_type ? rb->unit_type : rb->id, rb->id, sr->nunits,
                                 sr->nvetoed);
        if (!sec)
            oom(s);
        merged(s, ws, r++, last, sec, s->section, 22);
        kh_free(sec);
        for (size_t i = 0; i < sr->nitems; i++) {
            const kh_sum_item *it = &sr->items[i];
            char *id = kh_strprintf("第 %s 项", it->item->num);
            const char *text = it->item->name ? it->item->name : it->item->content;
            char *cut = kh_utf8_clean(text ? text : "", 60);
            if (!id || !cut)
                oom(s);
            count_row(s, ws, r++, sr, id, cut, it->nunits, it->lost,
                      (const kh_unit *const *)it->units, it->has_prev, it->prev_units, true);
            kh_free(id);
            kh_free(cut);
            for (size_t j = 0; j < it->nchecks; j++) {
                const kh_sum_check *c = &it->checks[j];
                count_row(s, ws, r++, sr, c->cp->id, c->cp->label, c->nunits, c->lost,
                          (const kh_unit *const *)c->units, c->has_prev, c->prev_units, false);
            }
        }
    }
    if (!sum->n)
        merged(s, ws, r++, last, "没有计入排名的单位。", s->left, 22);
    worksheet_freeze_panes(ws, 3, 2);
    kh_print_a4(s->x, ws, true, 0, &kh_margins_table);
    kh_print_titles(s->x, ws, 2, 2);
    kh_xw_check(s->x, worksheet_print_area(ws, 0, 0, r - 1, last), "worksheet_print_area");
}

/* libxlsxwriter in constant-memory mode cannot read the sheet back for
 * the chart's copy of its data: give it the values (freed with free()). */
static void cache(so *s, lxw_series_range *rg, const kh_sum_check *const *top, size_t n,
                  bool names)
{
    if (!rg || !rg->data_cache)
        return;
    rg->ignore_cache = LXW_TRUE;
    rg->has_string_cache = names ? LXW_TRUE : LXW_FALSE;
    for (size_t i = 0; i < n; i++) {
        lxw_series_data_point *p = calloc(1, sizeof *p);
        if (!p) {
            oom(s);
            return;
        }
        if (names) {
            char *t = kh_strprintf("%s %.*s", top[i]->cp->id,
                                   (int)kh_label_core_len(top[i]->cp->label), top[i]->cp->label);
            char *clean = t ? kh_utf8_clean(t, 200) : NULL;
            p->string = clean ? strdup(clean) : NULL;
            kh_free(t);
            kh_free(clean);
            if (!p->string) {
                free(p);
                oom(s);
                return;
            }
            p->is_string = LXW_TRUE;
        } else {
            p->number = (double)top[i]->nunits;
        }
        STAILQ_INSERT_TAIL(rg->data_cache, p, list_pointers);
        rg->num_data_points++;
    }
}

static void write_chart(so *s, lxw_worksheet *ws, const char *name, const kh_summary *sum)
{
    const kh_sum_check *top[SUM_TOP];
    const kh_sum_rubric *of[SUM_TOP];
    size_t n = kh_summary_top(sum, top, of, SUM_TOP);
    merged(s, ws, 0, 4, "失分单位最多的十个检查点", s->title, 30);
    static const char *const head[5] = {"序号", "检查点", "失分单位数", "考核单位数", "共失分"};
    static const double w[5] = {6, 46, 11, 11, 9};
    kh_xw_check(s->x, worksheet_set_row(ws, 1, 24, NULL), "worksheet_set_row");
    for (lxw_col_t c = 0; c < 5; c++) {
        kh_xw_str(s->x, ws, 1, c, head[c], s->head);
        kh_xw_check(s->x, worksheet_set_column(ws, c, c, w[c], NULL), "worksheet_set_column");
    }
    for (size_t i = 0; i < n; i++) {
        lxw_row_t r = (lxw_row_t)(2 + i);
        char *label = kh_strprintf("%s %.*s", top[i]->cp->id,
                                   (int)kh_label_core_len(top[i]->cp->label), top[i]->cp->label);
        if (!label)
            oom(s);
        kh_xw_check(s->x, worksheet_set_row(ws, r, 20, NULL), "worksheet_set_row");
        kh_xw_check(s->x, worksheet_write_number(ws, r, 0, (double)(i + 1), s->center),
                    "worksheet_write_number");
        kh_xw_str(s->x, ws, r, 1, label, s->left);
        kh_xw_check(s->x, worksheet_write_number(ws, r, 2, (double)top[i]->nunits, s->center),
                    "worksheet_write_number");
        kh_xw_check(s->x, worksheet_write_number(ws, r, 3, (double)of[i]->nunits, s->center),
                    "worksheet_write_number");
        kh_xw_dec(s->x, ws, r, 4, top[i]->lost, s->center);
        kh_free(label);
    }
    kh_print_a4(s->x, ws, false, 1, &kh_margins_form);
    if (!n) {
        kh_xw_str(s->x, ws, 2, 1, "没有单位在任何检查点失分。", s->left);
        return;
    }
    lxw_chart *ch = workbook_add_chart(s->x->wb, LXW_CHART_BAR);
    lxw_chart_series *se = ch ? chart_add_series(ch, NULL, NULL) : NULL;
    if (!se) {
        oom(s);
        return;
    }
    lxw_row_t r1 = (lxw_row_t)(2 + n - 1);
    chart_series_set_categories(se, name, 2, 1, r1, 1);
    chart_series_set_values(se, name, 2, 2, r1, 2);
    cache(s, se->categories, top, n, true);
    cache(s, se->values, top, n, false);
    chart_series_set_name(se, "失分单位数");
    lxw_chart_fill fill = {.color = SUM_COLOR_BAR};
    chart_series_set_fill(se, &fill);
    chart_series_set_labels(se);
    chart_series_set_labels_position(se, LXW_CHART_LABEL_POSITION_OUTSIDE_END);
    chart_set_series_gap(ch, 60);
    chart_title_set_name(ch, "失分单位最多的检查点");
    lxw_chart_font tf = {.name = SUM_FONT, .size = 14, .bold = LXW_TRUE};
    lxw_chart_font af = {.name = SUM_FONT, .size = SUM_FONT_SIZE};
    chart_title_set_name_font(ch, &tf);
    chart_axis_set_num_font(ch->x_axis, &af);
    chart_axis_set_num_font(ch->y_axis, &af);
    chart_axis_set_name_font(ch->x_axis, &af);
    chart_series_set_labels_font(se, &af);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    /* A bar chart's y_axis is the vertical category axis: the most lost
     * at the top. */
    chart_axis_set_reverse(ch->y_axis);
    chart_axis_set_crossing_max(ch->y_axis);
    chart_axis_set_name(ch->x_axis, "失分单位数");
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_major_unit(ch->x_axis, 1);
    lxw_chart_options opt = {.x_offset = 0, .y_offset = 10, .x_scale = 620.0 / 480.0,
                             .y_scale = (110.0 + 34.0 * (double)n) / 288.0,
                             .object_position = LXW_OBJECT_MOVE_AND_SIZE};
    kh_xw_check(s->x, worksheet_insert_chart_opt(ws, (lxw_row_t)(2 + n + 1), 0, ch, &opt),
                "worksheet_insert_chart_opt");
}

void kh_summary_sheets(kh_xw *x, const kh_batch *b, const kh_previous *prev,
                       char *const *taken, size_t n)
{
    so s = {.x = x};
    kh_summary *sum = NULL;
    kh_status st = kh_summary_new(b, prev, &sum);
    if (st != KH_OK) {
        kh_xw_check(x, st == KH_ERR_NOMEM ? LXW_ERROR_MEMORY_MALLOC_FAILED : LXW_ERROR_PARAMETER_VALIDATION,
                    "问题汇总");
        return;
    }
    for (size_t k = 0; k < sum->n; k++)
        s.with_prev = s.with_prev || sum->v[k].prev_nunits > 0;
    s.title = fmt(&s, false, true, false, true, 0, 16);
    s.note = fmt(&s, false, false, true, false, 0, SUM_FONT_SIZE);
    s.head = fmt(&s, true, true, true, true, SUM_COLOR_HEAD, SUM_FONT_SIZE);
    s.section = fmt(&s, true, true, false, false, 0, 12);
    s.item_l = fmt(&s, true, true, true, false, SUM_COLOR_ITEM, SUM_FONT_SIZE);
    s.item_c = fmt(&s, true, true, true, true, SUM_COLOR_ITEM, SUM_FONT_SIZE);
    s.left = fmt(&s, true, false, true, false, 0, SUM_FONT_SIZE);
    s.center = fmt(&s, true, false, true, true, 0, SUM_FONT_SIZE);
    char *name = kh_xw_sheet_name(KH_SHEET_SUMMARY, taken, n);
    lxw_worksheet *ws = name ? workbook_add_worksheet(x->wb, name) : NULL;
    if (ws)
        write_summary(&s, ws, sum);
    char *cname = NULL;
    if (ws) {
        /* The chart sheet's name avoids the summary's too. */
        char **all = kh_calloc(n + 1, sizeof *all);
        if (all) {
            memcpy(all, taken, n * sizeof *all);
            all[n] = name;
            cname = kh_xw_sheet_name(KH_SHEET_SUMMARY_CHART, all, n + 1);
            kh_free(all);
        }
        lxw_worksheet *cws = cname ? workbook_add_worksheet(x->wb, cname) : NULL;
        if (cws)
            write_chart(&s, cws, cname, sum);
        else
            oom(&s);
    } else {
        oom(&s);
    }
    kh_free(name);
    kh_free(cname);
    kh_summary_free(sum);
}
