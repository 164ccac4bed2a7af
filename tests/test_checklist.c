/* test_checklist.c - finding one unit's checklist in a sheet grid (doc/formats.md
 * section 4): fields, the table, results, every rejection with its cell. */
#include "testutil.h"
#include "checklist.h"
#include "rubric.h"
#include "sheet.h"

/* ------------------------------------------------------------------ */
/* A test grid: cells set by rows written as "a|b||c" (empty between bars
 * is an empty cell).  A cell "#n:2" is a number, "#b:TRUE" a boolean,
 * "#e:#N/A" an error, "#d:2020-12-05" a date. */

#define GR 420
#define GC 16

typedef struct tgrid {
    char *text[GR][GC];
    kh_cell_type type[GR][GC];
} tgrid;

static tgrid *g_new(void)
{
    tgrid *g = calloc(1, sizeof *g);
    assert_non_null(g);
    return g;
}

static void g_free(tgrid *g)
{
    for (int r = 0; r < GR; r++)
        for (int c = 0; c < GC; c++)
            free(g->text[r][c]);
    free(g);
}

/* Set one cell; NULL or "" clears it; a "#x:" prefix gives the type. */
static void g_put(tgrid *g, int r, int c, const char *text)
{
    assert_true(r < GR && c < GC);
    free(g->text[r][c]);
    g->text[r][c] = NULL;
    g->type[r][c] = KH_CELL_STRING;
    if (!text || !*text)
        return;
    if (text[0] == '#' && text[1] && text[2] == ':') {
        switch (text[1]) {
        case 'n': g->type[r][c] = KH_CELL_NUMBER; break;
        case 'b': g->type[r][c] = KH_CELL_BOOL; break;
        case 'e': g->type[r][c] = KH_CELL_ERROR; break;
        case 'd': g->type[r][c] = KH_CELL_DATE; break;
        default: fail_msg("bad type prefix in %s", text);
        }
        text += 3;
    }
    g->text[r][c] = strdup(text);
}

static void g_row(tgrid *g, int r, const char *row)
{
    for (int c = 0; c < GC; c++)
        g_put(g, r, c, NULL);
    int c = 0;
    const char *p = row;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        char *cell = strndup(p, n);
        g_put(g, r, c++, cell);
        free(cell);
        if (!bar)
            break;
        p = bar + 1;
    }
}

static kh_sheet *g_sheet(const tgrid *g, const char *name)
{
    kh_sheet *s = kh_sheet_new(name);
    assert_non_null(s);
    for (int r = 0; r < GR; r++)
        for (int c = 0; c < GC; c++)
            if (g->text[r][c])
                assert_true(kh_sheet_set(s, (uint32_t)r, (uint32_t)c, g->type[r][c],
                                         g->text[r][c], strlen(g->text[r][c])));
    kh_sheet_finish(s);
    return s;
}

/* ------------------------------------------------------------------ */
/* Rubrics: the two shipped ones, and a small one made by hand with the
 * ids 1.1, 1.10 and 1.100 (one decimal value, three ids). */

static kh_registry *reg;
static const kh_rubric *T, *D, *H, *S;

static char *xstrdup(const char *s) { return kh_strdup(s); }

/* The A1 name of a result's cell. */
static const char *cell_of(const kh_result *res)
{
    static char buf[4][KH_CELLREF_BUFSZ];
    static int k;
    k = (k + 1) % 4;
    return kh_cell_ref(res->row, res->col, buf[k]);
}

static kh_rubric *hand_rubric(void)
{
    static const struct { const char *id, *label; kh_kind kind; } cps[] = {
        {"1.1", "学习记录", KH_KIND_HAS},
        {"1.10", "制定工作措施", KH_KIND_HAS},
        {"1.100", "第三项", KH_KIND_HAS},
        {"2", "会议次数", KH_KIND_COUNT},
        {"A-1", "事故起数", KH_KIND_VETO},
    };
    kh_rubric *r = kh_calloc(1, sizeof *r);
    r->id = xstrdup("test-hand");
    r->title = xstrdup("手工细则");
    r->unit_type = xstrdup("测试");
    r->path = xstrdup("hand.csv");
    r->total = KH_DEC_INT(5);
    r->nitems = 1;
    r->items = kh_calloc(1, sizeof *r->items);
    r->items[0] = (kh_item){.num = xstrdup("1"), .points = KH_DEC_INT(5),
                            .content = xstrdup("测试"), .first = 0, .ncps = KH_ARRAY_LEN(cps)};
    r->ncps = KH_ARRAY_LEN(cps);
    r->cps = kh_calloc(r->ncps, sizeof *r->cps);
    for (size_t i = 0; i < r->ncps; i++)
        r->cps[i] = (kh_checkpoint){.id = xstrdup(cps[i].id), .label = xstrdup(cps[i].label),
                                    .kind = cps[i].kind, .need = 2, .per = KH_DEC_INT(1)};
    return r;
}

/* 1.1 and 1.10 with the same label (a rubric may repeat 签到单). */
static kh_rubric *same_label_rubric(void)
{
    static const char *const ids[] = {"1.1", "1.10", "1.2"};
    static const char *const labels[] = {"签到单", "签到单", "会议记录"};
    kh_rubric *r = kh_calloc(1, sizeof *r);
    r->id = xstrdup("test-same-label");
    r->title = xstrdup("同名检查要点");
    r->unit_type = xstrdup("测试二");
    r->path = xstrdup("same.csv");
    r->total = KH_DEC_INT(3);
    r->nitems = 1;
    r->items = kh_calloc(1, sizeof *r->items);
    r->items[0] = (kh_item){.num = xstrdup("1"), .points = KH_DEC_INT(3),
                            .content = xstrdup("测试"), .first = 0, .ncps = KH_ARRAY_LEN(ids)};
    r->ncps = KH_ARRAY_LEN(ids);
    r->cps = kh_calloc(r->ncps, sizeof *r->cps);
    for (size_t i = 0; i < r->ncps; i++)
        r->cps[i] = (kh_checkpoint){.id = xstrdup(ids[i]), .label = xstrdup(labels[i]),
                                    .kind = KH_KIND_HAS, .per = KH_DEC_INT(1)};
    return r;
}

static int setup(void **state)
{
    (void)state;
    kh_diags d = {0};
    reg = kh_registry_new();
    assert_non_null(reg);
    if (kh_registry_load_dir(reg, "templates/rubrics", &d) != KH_OK) {
        test_print_diags(&d);
        return -1;
    }
    assert_int_equal(kh_registry_add(reg, hand_rubric(), &d), KH_OK);
    assert_int_equal(kh_registry_add(reg, same_label_rubric(), &d), KH_OK);
    kh_diags_clear(&d);
    T = kh_registry_find(reg, "lingui-2020-township");
    D = kh_registry_find(reg, "lingui-2020-department");
    H = kh_registry_find(reg, "test-hand");
    S = kh_registry_find(reg, "test-same-label");
    return T && D && H && S ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    kh_registry_free(reg);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The standard layout of a filled checklist:
 *   rows 1-5   考核细则 / 被考核单位 / 考核年度 / 检查组 / 检查日期 in A, value in B
 *   row 7      序号 | 检查点 | 检查要点 | 检查结果 | 备注
 *   row 8 + k  check point k of the rubric: result in D (has: 有, others: 2) */

#define STD_HDR 6
#define STD_FIRST 7

static tgrid *std_grid(const kh_rubric *rb)
{
    tgrid *g = g_new();
    char row[64];
    snprintf(row, sizeof row, "考核细则|%s", rb->id);
    g_row(g, 0, row);
    g_row(g, 1, "被考核单位|两江镇");
    g_row(g, 2, "考核年度|2020");
    g_row(g, 3, "检查组|第一组");
    g_row(g, 4, "检查日期|2020-12-05");
    g_row(g, STD_HDR, "序号|检查点|检查要点|检查结果|备注");
    for (size_t k = 0; k < rb->ncps; k++) {
        int r = STD_FIRST + (int)k;
        snprintf(row, sizeof row, "%zu", k + 1);
        g_put(g, r, 0, row);
        g_put(g, r, 1, rb->cps[k].id);
        g_put(g, r, 2, rb->cps[k].label);
        g_put(g, r, 3, rb->cps[k].kind == KH_KIND_HAS ? "有" : "2");
    }
    return g;
}

/* 0-based row of check point id in the standard layout. */
static int std_row(const kh_rubric *rb, const char *id)
{
    long k = -1;
    for (size_t i = 0; i < rb->ncps; i++)
        if (strcmp(rb->cps[i].id, id) == 0)
            k = (long)i;
    assert_true(k >= 0);
    return STD_FIRST + (int)k;
}

static long cp_index(const kh_rubric *rb, const char *id)
{
    for (size_t i = 0; i < rb->ncps; i++)
        if (strcmp(rb->cps[i].id, id) == 0)
            return (long)i;
    fail_msg("no check point %s", id);
    return -1;
}

static kh_find read_opts(const tgrid *g, const char *sheet, const char *src, bool blank,
                         kh_checklist **out, kh_diags *d)
{
    kh_sheet *s = g_sheet(g, sheet);
    kh_options o = {.blank_as_missing = blank};
    kh_status st = KH_ERR_IO;
    kh_find f = kh_checklist_read(s, src, reg, &o, out, d, &st);
    kh_sheet_free(s); /* the checklist must not point into the sheet */
    assert_int_equal(st, KH_OK);
    if (f == KH_FIND_OK) {
        assert_non_null(*out);
        assert_int_equal(d->n, 0);
    } else {
        assert_null(*out);
    }
    return f;
}

static kh_find read_csv_grid(const tgrid *g, kh_checklist **out, kh_diags *d)
{
    return read_opts(g, NULL, "t.csv", false, out, d);
}

/* Read g (as t.csv) expecting rejection with exactly these messages. */
static void expect_rejected(const tgrid *g, const char *const *msgs, size_t n)
{
    kh_checklist *cl = NULL;
    kh_diags d = {0};
    kh_find f = read_csv_grid(g, &cl, &d);
    if (f != KH_FIND_REJECTED || d.n != n)
        test_print_diags(&d);
    assert_int_equal(f, KH_FIND_REJECTED);
    assert_int_equal(d.n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(d.v[i].severity, KH_ERROR);
        assert_string_equal(d.v[i].file, "t.csv");
        assert_null(d.v[i].sheet);
        assert_diag(&d, i, msgs[i]);
    }
    kh_diags_clear(&d);
}

static kh_checklist *expect_ok(const tgrid *g)
{
    kh_checklist *cl = NULL;
    kh_diags d = {0};
    kh_find f = read_csv_grid(g, &cl, &d);
    if (f != KH_FIND_OK)
        test_print_diags(&d);
    assert_int_equal(f, KH_FIND_OK);
    kh_diags_clear(&d);
    return cl;
}

/* ------------------------------------------------------------------ */

/* The standard sheet reads completely: fields, results, cells, remarks,
 * and everything is copied (the sheet is freed before we look). */
static void reads_standard_sheet(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    g_put(g, std_row(T, "1.6"), 3, "无");
    g_put(g, std_row(T, "1.6"), 4, "\xe3\x80\x80 照片未归档 ");
    g_put(g, std_row(T, "17.1"), 3, "1");
    kh_checklist *cl = NULL;
    kh_diags d = {0};
    assert_int_equal(read_opts(g, "检查表", "乡镇A.xlsx", false, &cl, &d), KH_FIND_OK);
    assert_ptr_equal(cl->rubric, T);
    assert_string_equal(cl->unit, "两江镇");
    assert_string_equal(cl->year, "2020");
    assert_string_equal(cl->inspector, "第一组");
    assert_string_equal(cl->date, "2020-12-05");
    assert_string_equal(cl->source, "乡镇A.xlsx");
    assert_string_equal(cl->sheet, "检查表");
    long k16 = cp_index(T, "1.6"), k11 = cp_index(T, "1.1"), k171 = cp_index(T, "17.1"),
         k31 = cp_index(T, "3.1");
    assert_true(cl->results[k11].present);
    assert_null(cl->results[k11].remark);
    assert_string_equal(cell_of(&cl->results[k11]), "D8");
    assert_false(cl->results[k16].present);
    assert_string_equal(cl->results[k16].remark, "照片未归档");
    assert_string_equal(cell_of(&cl->results[k16]), "D13");
    assert_int_equal(cl->results[k171].n, 1);
    assert_string_equal(cell_of(&cl->results[k171]), "D83");
    assert_int_equal(cl->results[k31].n, 2);
    assert_string_equal(cell_of(&cl->results[k31]), "D19");
    kh_checklist_free(cl);
    kh_checklist_free(NULL);
    g_free(g);
}

/* Optional fields may be absent; a CSV has no sheet name. */
static void optional_fields_absent(void **state)
{
    (void)state;
    tgrid *g = std_grid(D);
    g_row(g, 2, "");
    g_row(g, 3, "");
    g_row(g, 4, "检查日期");  /* label without a value: empty, not an error */
    kh_checklist *cl = expect_ok(g);
    assert_string_equal(cl->unit, "两江镇");
    assert_null(cl->year);
    assert_null(cl->inspector);
    assert_null(cl->date);
    assert_null(cl->sheet);
    assert_string_equal(cl->source, "t.csv");
    kh_checklist_free(cl);
    g_free(g);
}

/* Every spelling of a has result, in a has check point's result cell. */
static void presence_spellings(void **state)
{
    (void)state;
    static const struct { const char *text; bool present; } cases[] = {
        {"有", true}, {"是", true}, {"√", true}, {"✓", true}, {"✔", true},
        {"Y", true}, {"y", true}, {"yes", true}, {"YES", true}, {"Yes", true},
        {"1", true}, {"１", true}, {"true", true}, {"TRUE", true}, {"True", true},
        {"#b:TRUE", true}, {"#n:1", true}, {" 有 ", true}, {"\xe3\x80\x80有\xe3\x80\x80", true},
        {"有\n", true},
        {"无", false}, {"否", false}, {"×", false}, {"✗", false}, {"✘", false},
        {"N", false}, {"n", false}, {"no", false}, {"NO", false}, {"No", false},
        {"0", false}, {"０", false}, {"false", false}, {"FALSE", false},
        {"#b:FALSE", false}, {"#n:0", false}, {"\xe3\x80\x80无", false},
        {"没有", false}, {"缺", false}, {"未", false}, {" 没有 ", false},
    };
    tgrid *g = std_grid(T);
    int row = std_row(T, "1.2");
    long k = cp_index(T, "1.2");
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        g_put(g, row, 3, cases[i].present ? "无" : "有"); /* the opposite first */
        g_put(g, row, 3, cases[i].text);
        kh_checklist *cl = expect_ok(g);
        if (cl->results[k].present != cases[i].present)
            fail_msg("'%s' read as %d", cases[i].text, cl->results[k].present);
        kh_checklist_free(cl);
        /* The exported parser agrees (on the text without the type). */
        const char *t = cases[i].text[0] == '#' ? cases[i].text + 3 : cases[i].text;
        bool p = !cases[i].present;
        assert_true(kh_parse_presence(t, &p));
        assert_int_equal(p, cases[i].present);
    }
    static const char *const bad[] = {"", "maybe", "有无", "2", "yess", "√√", "t", "0.0", "无。"};
    for (size_t i = 0; i < KH_ARRAY_LEN(bad); i++) {
        bool p = true;
        if (kh_parse_presence(bad[i], &p))
            fail_msg("'%s' accepted", bad[i]);
    }
    assert_false(kh_parse_presence(NULL, &(bool){false}));
    g_free(g);
}

/* A result followed by a bracketed note is that result; the note is a
 * remark, before the 备注 column's own text. */
static void notes_as_remarks(void **state)
{
    (void)state;
    static const struct {
        const char *id, *text, *remark; /* remark: the 备注 cell */
        bool present;
        int64_t n;
        const char *want; /* the remark read */
    } cases[] = {
        {"1.2", "有（已提供）", NULL, true, 0, "已提供"},
        {"1.2", "无 (原件遗失)", NULL, false, 0, "原件遗失"},
        {"1.2", "没有（正在补办）", "见说明", false, 0, "正在补办；见说明"},
        {"1.2", "有（复印件（盖章））", NULL, true, 0, "复印件（盖章）"},
        {"1.2", "有（）", NULL, true, 0, NULL},
        {"3.1", "2（含补开1次）", NULL, false, 2, "含补开1次"},
        {"3.1", "1次 (另1次未开)", NULL, false, 1, "另1次未开"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        tgrid *g = std_grid(T);
        int row = std_row(T, cases[i].id);
        long k = cp_index(T, cases[i].id);
        g_put(g, row, 3, cases[i].text);
        g_put(g, row, 4, cases[i].remark);
        kh_checklist *cl = expect_ok(g);
        if (T->cps[k].kind == KH_KIND_HAS)
            assert_int_equal(cl->results[k].present, cases[i].present);
        else
            assert_int_equal(cl->results[k].n, cases[i].n);
        if (cases[i].want)
            assert_string_equal(cl->results[k].remark, cases[i].want);
        else
            assert_null(cl->results[k].remark);
        kh_checklist_free(cl);
        g_free(g);
    }
    /* Not a result with a note: the message quotes the whole cell. */
    static const char *const notes_only[] = {"（已提供）", "也许（待查）", "有（已提供"};
    for (size_t i = 0; i < KH_ARRAY_LEN(notes_only); i++) {
        tgrid *g = std_grid(T);
        g_put(g, std_row(T, "1.2"), 3, notes_only[i]);
        kh_buf m = {0};
        kh_buf_printf(&m, "t.csv!D%d: result '%s' for 1.2 成立领导机构 is not 有 or 无: write 有 "
                          "if the document exists, 无 if not", std_row(T, "1.2") + 1, notes_only[i]);
        const char *msgs[] = {kh_buf_str(&m)};
        expect_rejected(g, msgs, 1);
        kh_buf_free(&m);
        g_free(g);
    }
}

/* Labels compared loosely (the 1.1 / 1.10 choice) and rows that carry a
 * 检查要点 but no 检查点. */
static void loose_labels_and_label_rows(void **state)
{
    (void)state;
    /* 8.1 / 8.10 by a label without the rubric's note （无通知或方案视未开展）:
     * 27 of 40 generated workbooks were refused for this alone. */
    tgrid *g = std_grid(T);
    long k81 = cp_index(T, "8.1"), k810 = cp_index(T, "8.10");
    int r81 = std_row(T, "8.1"), r810 = std_row(T, "8.10");
    g_put(g, r81, 1, "#n:8.1");
    g_put(g, r81, 2, "春节期间安全生产大检查");
    g_put(g, r81, 3, "无");
    g_put(g, r810, 1, "#n:8.1");
    g_put(g, r810, 2, "问题闭环 管理。");
    kh_checklist *cl = expect_ok(g);
    assert_false(cl->results[k81].present);
    assert_true(cl->results[k810].present);
    kh_checklist_free(cl);
    g_free(g);

    /* An empty 检查点 with a label of exactly one check point is that one. */
    g = std_grid(T);
    long k73 = cp_index(T, "7.6");
    int r73 = std_row(T, "7.6");
    g_put(g, r73, 1, NULL);
    g_put(g, r73, 2, "存在问题 整改措施。");
    g_put(g, r73, 3, "无");
    g_put(g, r73, 4, "未复查");
    cl = expect_ok(g);
    assert_false(cl->results[k73].present);
    assert_string_equal(cl->results[k73].remark, "未复查");
    char want[16];
    snprintf(want, sizeof want, "D%d", r73 + 1);
    assert_string_equal(cell_of(&cl->results[k73]), want);
    kh_checklist_free(cl);
    /* A label several check points share (签到单: 1.7, 3.8, 13.2) needs its
     * id: the message says so, and the check point is then missing. */
    int r17 = std_row(T, "1.7");
    g_put(g, r73, 1, "7.6");
    g_put(g, r17, 1, NULL);
    kh_buf m = {0};
    kh_buf_printf(&m, "t.csv!C%d: 检查要点 '签到单' is the label of several check points (1.7、3.8、"
                      "13.2) and this row has no 检查点: write the 检查点 id of the one you mean "
                      "in this row", r17 + 1);
    const char *msgs[] = {kh_buf_str(&m), "t.csv!B7: check point 1.7 签到单 is missing: add a row "
                                          "with 检查点 1.7 and its result"};
    expect_rejected(g, msgs, 2);
    kh_buf_free(&m);
    /* A row whose label is no check point's is a note, not a check point. */
    g_put(g, r17, 1, "1.7");
    g_row(g, STD_FIRST + (int)T->ncps, "||（以上各项以原始资料为准）|有");
    cl = expect_ok(g);
    kh_checklist_free(cl);
    g_free(g);
}

/* Every accepted spelling of a number result, for each number kind. */
static void count_spellings(void **state)
{
    (void)state;
    static const struct { const char *text; int64_t n; } cases[] = {
        {"2", 2}, {"0", 0}, {"２", 2}, {"１２", 12}, {"2次", 2}, {"2起", 2}, {"2个", 2},
        {"2项", 2}, {"2家", 2}, {"2人", 2}, {"２次", 2}, {"2 次", 2}, {"2\xe3\x80\x80次", 2},
        {" 3 ", 3}, {"#n:2", 2}, {"#n:2.0", 2}, {"#n:2.00", 2}, {"#n:0", 0}, {"007", 7},
        {"1000000", 1000000}, {"-0", 0},
    };
    static const char *const ids[] = {"3.1" /* count */, "4.1" /* each */,
                                      "17.2" /* any */, "17.3" /* veto */};
    tgrid *g = std_grid(T);
    for (size_t j = 0; j < KH_ARRAY_LEN(ids); j++) {
        int row = std_row(T, ids[j]);
        long k = cp_index(T, ids[j]);
        for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
            g_put(g, row, 3, cases[i].text);
            kh_checklist *cl = expect_ok(g);
            if (cl->results[k].n != cases[i].n)
                fail_msg("'%s' for %s read as %lld", cases[i].text, ids[j],
                         (long long)cl->results[k].n);
            kh_checklist_free(cl);
        }
    }
    g_free(g);
    /* The exported parser: text vs number cell, and the limits. */
    int64_t n = -1;
    assert_true(kh_parse_count("2.0", true, &n));
    assert_int_equal(n, 2);
    assert_false(kh_parse_count("2.0", false, &n));
    assert_false(kh_parse_count("1.5", true, &n));
    assert_true(kh_parse_count("1000000", false, &n));
    assert_int_equal(n, KH_COUNT_MAX);
    assert_false(kh_parse_count("1000001", false, &n));
    assert_false(kh_parse_count("99999999999999999999999", false, &n));
    static const char *const bad[] = {"", "-1", "1.5", "两次", "2次次", "次", "abc", "2 3",
                                      "+2", "2,000", "1e3", "二", "2 times", "－1"};
    for (size_t i = 0; i < KH_ARRAY_LEN(bad); i++) {
        n = 77;
        if (kh_parse_count(bad[i], false, &n))
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal(n, 77);
    }
    assert_false(kh_parse_count(NULL, false, &n));
}

/* Every bad result: one message naming the cell, quoting the text, saying
 * what the kind accepts. */
static void result_rejections(void **state)
{
    (void)state;
    static const struct { const char *id, *text, *msg; } cases[] = {
        {"1.2", "maybe", "t.csv!D9: result 'maybe' for 1.2 成立领导机构 is not 有 or 无: "
                         "write 有 if the document exists, 无 if not"},
        {"1.2", "2", "t.csv!D9: result '2' for 1.2 成立领导机构 is not 有 or 无: "
                     "write 有 if the document exists, 无 if not"},
        {"1.2", "#n:2", "t.csv!D9: result '2' for 1.2 成立领导机构 is not 有 or 无: "
                        "write 有 if the document exists, 无 if not"},
        {"1.2", "", "t.csv!D9: the result for 1.2 成立领导机构 is empty: "
                    "write 有 if the document exists, 无 if not"},
        {"1.2", "#e:#N/A", "t.csv!D9: the result for 1.2 成立领导机构 is the spreadsheet error "
                           "value '#N/A', not a result: write 有 if the document exists, 无 if not"},
        {"3.1", "-1", "t.csv!D19: result '-1' for 3.1 召开本辖区安全生产工作会议次数 is not a "
                      "whole number ≥ 0: write the count in digits, e.g. 2"},
        {"3.1", "1.5", "t.csv!D19: result '1.5' for 3.1 召开本辖区安全生产工作会议次数 is not a "
                       "whole number ≥ 0: write the count in digits, e.g. 2"},
        {"3.1", "#n:1.5", "t.csv!D19: result '1.5' for 3.1 召开本辖区安全生产工作会议次数 is not "
                          "a whole number ≥ 0: write the count in digits, e.g. 2"},
        {"3.1", "#n:-3", "t.csv!D19: result '-3' for 3.1 召开本辖区安全生产工作会议次数 is not "
                         "a whole number ≥ 0: write the count in digits, e.g. 2"},
        {"3.1", "abc", "t.csv!D19: result 'abc' for 3.1 召开本辖区安全生产工作会议次数 is not a "
                       "whole number ≥ 0: write the count in digits, e.g. 2"},
        {"3.1", "有", "t.csv!D19: result '有' for 3.1 召开本辖区安全生产工作会议次数 is not a "
                      "whole number ≥ 0: write the count in digits, e.g. 2"},
        {"3.1", "#b:TRUE", "t.csv!D19: result 'TRUE' for 3.1 召开本辖区安全生产工作会议次数 is "
                           "not a whole number ≥ 0: write the count in digits, e.g. 2"},
        {"3.1", "2次次", "t.csv!D19: result '2次次' for 3.1 召开本辖区安全生产工作会议次数 is "
                         "not a whole number ≥ 0: write the count in digits, e.g. 2"},
        {"3.1", "两次", "t.csv!D19: result '两次' for 3.1 召开本辖区安全生产工作会议次数 is not a "
                        "whole number ≥ 0 in digits: write the count in digits, e.g. 2 instead of 两次"},
        {"3.1", "2.0", "t.csv!D19: result '2.0' for 3.1 召开本辖区安全生产工作会议次数 has a "
                       "decimal point: write the count as a whole number in digits, e.g. 2"},
        {"3.1", "2000000", "t.csv!D19: result '2000000' for 3.1 召开本辖区安全生产工作会议次数 is "
                           "implausibly large (more than 1000000): check it and write the count "
                           "in digits, e.g. 2"},
        {"3.1", "", "t.csv!D19: the result for 3.1 召开本辖区安全生产工作会议次数 is empty: "
                    "write the count in digits, e.g. 2 (0 if none)"},
        {"17.3", "#e:#DIV/0!", "t.csv!D85: the result for 17.3 重大事故起数 is the spreadsheet "
                               "error value '#DIV/0!', not a result: write the count in digits, "
                               "e.g. 2 (0 if none)"},
        {"4.1", "-2次", "t.csv!D27: result '-2次' for 4.1 未按要求参加安全生产工作会议次数（以会议签到单为准） "
                        "is not a whole number ≥ 0: write the count in digits, e.g. 2"},
        {"3.1", "十二次", "t.csv!D19: result '十二次' for 3.1 召开本辖区安全生产工作会议次数 is not "
                          "a whole number ≥ 0 in digits: write the count in digits, e.g. 2 instead of 两次"},
        /* Long text is cut in the message; a line break shows as a space. */
        {"3.1", "这一栏我不知道应该填什么\n内容，请安委办的同志帮忙看一下再说吧，谢谢大家的支持与配合",
         "t.csv!D19: result '这一栏我不知道应该填什么 内容，请安委办的同志帮忙看一下再说吧，谢谢大家的支持与…' for "
         "3.1 召开本辖区安全生产工作会议次数 is not a whole number ≥ 0: write the count in digits, e.g. 2"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        tgrid *g = std_grid(T);
        g_put(g, std_row(T, cases[i].id), 3, cases[i].text);
        expect_rejected(g, &cases[i].msg, 1);
        g_free(g);
    }
}

/* A worksheet's messages name file, sheet and cell. */
static void messages_name_the_sheet(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    g_put(g, std_row(T, "5.1"), 3, "maybe");
    kh_checklist *cl = NULL;
    kh_diags d = {0};
    assert_int_equal(read_opts(g, "检查表", "乡镇A.xlsx", false, &cl, &d), KH_FIND_REJECTED);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].sheet, "检查表");
    assert_string_equal(d.v[0].cell, "D28");
    assert_diag(&d, 0, "乡镇A.xlsx:检查表!D28: result 'maybe' for 5.1 党委主要领导带队检查次数 is "
                       "not a whole number ≥ 0: write the count in digits, e.g. 2");
    kh_diags_clear(&d);
    g_free(g);
}

/* --blank-as-missing: empty results are missing / 0; other bad results
 * are still errors. */
static void blank_as_missing(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    g_put(g, std_row(T, "1.3"), 3, NULL);
    g_put(g, std_row(T, "3.1"), 3, NULL);
    g_put(g, std_row(T, "17.3"), 3, NULL);
    kh_checklist *cl = NULL;
    kh_diags d = {0};
    assert_int_equal(read_opts(g, NULL, "t.csv", true, &cl, &d), KH_FIND_OK);
    assert_false(cl->results[cp_index(T, "1.3")].present);
    assert_string_equal(cell_of(&cl->results[cp_index(T, "1.3")]), "D10");
    assert_int_equal(cl->results[cp_index(T, "3.1")].n, 0);
    assert_int_equal(cl->results[cp_index(T, "17.3")].n, 0);
    assert_true(cl->results[cp_index(T, "1.4")].present);
    kh_checklist_free(cl);
    /* Without the option the same sheet has three problems. */
    assert_int_equal(read_opts(g, NULL, "t.csv", false, &cl, &d), KH_FIND_REJECTED);
    assert_int_equal(d.n, 3);
    assert_string_equal(d.v[0].cell, "D10");
    assert_string_equal(d.v[1].cell, "D19");
    assert_string_equal(d.v[2].cell, "D85");
    kh_diags_clear(&d);
    /* A text that is not empty is still wrong with the option. */
    g_put(g, std_row(T, "1.3"), 3, "maybe");
    assert_int_equal(read_opts(g, NULL, "t.csv", true, &cl, &d), KH_FIND_REJECTED);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].cell, "D10");
    kh_diags_clear(&d);
    g_free(g);
}

/* Positions are free: title rows, fields on the right and below the
 * table, columns moved, extra columns, labels with colons and spaces,
 * headers with line breaks and spaces inside. */
static void free_layout(void **state)
{
    (void)state;
    tgrid *g = g_new();
    g_row(g, 0, "||临桂区2020年度乡（镇）安全生产工作考核检查表");
    g_row(g, 1, "说明：本表由检查组填写");
    g_row(g, 2, "|被考核单位：\xe3\x80\x80||  两江镇\xe3\x80\x80 |||考核细则:|lingui-2020-department");
    g_row(g, 3, "|考核年度 ：|#n:2020");
    g_row(g, 5, "填写说明|检查\n结果|督查内容|标准分| 备 注：|检 查 点|检查要点\n");
    int r = 6;
    for (size_t k = 0; k < D->ncps; k++, r++) {
        g_put(g, r, 0, "按实际填写");
        g_put(g, r, 1, D->cps[k].kind == KH_KIND_HAS ? "有" : "0");
        g_put(g, r, 2, D->items[D->cps[k].item].content);
        g_put(g, r, 3, "#n:0.2");
        g_put(g, r, 5, D->cps[k].id);
        g_put(g, r, 6, D->cps[k].label);
    }
    g_row(g, r++, "|||合计|||");            /* no check point: ignored */
    g_row(g, r++, "注：本表一式两份");       /* a note: ignored */
    g_put(g, r, 5, "检查日期：");            /* a field in the check column */
    g_put(g, r, 6, "#d:2020-12-07");
    g_put(g, 8, 8, "检查组");                 /* a box of fields right of the table */
    g_put(g, 8, 9, "第二组");
    g_put(g, 6, 4, "  台账齐全 ");           /* remark of 1.1 */
    g_put(g, 7, 4, "Date");                  /* a remark, not a field */
    g_put(g, 8, 0, "unit");                  /* a table cell, not a field */
    g_put(g, 5, 7, "检查组");                 /* header row, inside the table: no field */
    kh_checklist *cl = expect_ok(g);
    assert_ptr_equal(cl->rubric, D);
    assert_string_equal(cl->unit, "两江镇");
    assert_string_equal(cl->year, "2020");
    assert_string_equal(cl->inspector, "第二组");
    assert_string_equal(cl->date, "2020-12-07");
    assert_string_equal(cell_of(&cl->results[0]), "B7");
    assert_true(cl->results[0].present);
    assert_string_equal(cl->results[0].remark, "台账齐全");
    assert_string_equal(cl->results[1].remark, "Date");
    assert_null(cl->results[2].remark);
    long k110 = cp_index(D, "1.10");
    assert_string_equal(cell_of(&cl->results[k110]), "B16");
    kh_checklist_free(cl);
    g_free(g);
}

/* English aliases for fields and headers, any case. */
static void english_aliases(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    g_row(g, 0, "Rubric:|lingui-2020-township");
    g_row(g, 1, "UNIT|Liangjiang");
    g_row(g, 2, "year|2020");
    g_row(g, 3, "Inspector：|Team 1");
    g_row(g, 4, "DATE|#d:2020-12-05");
    g_row(g, STD_HDR, "No.|Check|LABEL|Result :|remark");
    g_put(g, std_row(T, "2.1"), 4, "ok");
    kh_checklist *cl = expect_ok(g);
    assert_string_equal(cl->unit, "Liangjiang");
    assert_string_equal(cl->inspector, "Team 1");
    assert_string_equal(cl->date, "2020-12-05");
    assert_string_equal(cl->results[cp_index(T, "2.1")].remark, "ok");
    kh_checklist_free(cl);
    g_free(g);
}

/* The rubric id is found case-insensitively when it is not exact. */
static void rubric_id_case(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    g_row(g, 0, "考核细则| Lingui-2020-TOWNSHIP ");
    kh_checklist *cl = expect_ok(g);
    assert_ptr_equal(cl->rubric, T);
    kh_checklist_free(cl);
    g_free(g);
}

/* The 考核细则 cell may hold the rubric's full title, or its unit type
 * when one rubric alone has it (issue 22); a unit type of two rubrics is
 * ambiguous, and so would be ids equal but for case, which the registry
 * refuses to load together (issue 28: find_rubric took the first). */
static void rubric_by_name(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    g_put(g, 0, 1, T->title);
    kh_checklist *cl = expect_ok(g);
    assert_ptr_equal(cl->rubric, T);
    kh_checklist_free(cl);
    g_put(g, 0, 1, "乡镇");
    cl = expect_ok(g);
    assert_ptr_equal(cl->rubric, T);
    kh_checklist_free(cl);
    g_put(g, 0, 1, "区直单位部门"); /* the department rubric: its check points differ */
    kh_diags d = {0};
    kh_find f = read_csv_grid(g, &cl, &d);
    assert_int_equal(f, KH_FIND_REJECTED);
    assert_true(d.n > 1);
    assert_diag(&d, 1, "t.csv!B16: 检查点 '2.2' is not a check point of the 区直单位部门 checklist "
                       "(1.1 to 15.4): correct it, or clear the cell if this row is not a check "
                       "point");
    kh_diags_clear(&d);
    g_free(g);

    /* A registry of two rubrics of one unit type, and a third whose id
     * differs from one of them only in case. */
    kh_registry *two = kh_registry_new();
    assert_non_null(two);
    kh_rubric *a = hand_rubric(), *b = hand_rubric(), *c = hand_rubric();
    kh_free(b->id);
    b->id = xstrdup("test-hand-b");
    kh_free(b->title);
    b->title = xstrdup("手工细则乙");
    kh_free(c->id);
    c->id = xstrdup("TEST-Hand");
    assert_int_equal(kh_registry_add(two, a, &d), KH_OK);
    assert_int_equal(kh_registry_add(two, b, &d), KH_OK);
    assert_int_equal(kh_registry_add(two, c, &d), KH_ERR_RUBRIC);
    assert_int_equal(d.n, 1);
    assert_diag(&d, 0, "hand.csv: rubric id 'TEST-Hand' differs only in upper and lower case "
                       "from 'test-hand' of hand.csv: give each rubric an id of its own");
    kh_diags_clear(&d);
    assert_int_equal(kh_registry_count(two), 2);

    g = std_grid(kh_registry_find(two, "test-hand-b"));
    kh_sheet *s;
    kh_status st;
    static const struct { const char *cell, *id, *msg; } cases[] = {
        {"手工细则乙", "test-hand-b", NULL},
        {"TEST-HAND-B", "test-hand-b", NULL},
        {"测试", NULL,
         "t.csv!B1: 考核细则 '测试' is the unit type of several rubrics (test-hand, "
         "test-hand-b): write the id of the one this checklist follows"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        g_put(g, 0, 1, cases[i].cell);
        s = g_sheet(g, NULL);
        kh_checklist_who who = {0};
        cl = NULL;
        f = kh_checklist_read_who(s, "t.csv", two, NULL, &cl, &who, &d, &st);
        kh_sheet_free(s);
        assert_int_equal(st, KH_OK);
        if (cases[i].id) {
            assert_int_equal(f, KH_FIND_OK);
            assert_string_equal(cl->rubric->id, cases[i].id);
            assert_null(who.unit);
        } else {
            /* Rejected, but what it names is known: the unit, no rubric. */
            assert_int_equal(f, KH_FIND_REJECTED);
            assert_int_equal(d.n, 1);
            assert_diag(&d, 0, cases[i].msg);
            assert_string_equal(who.unit, "两江镇");
            assert_null(who.rubric);
        }
        kh_checklist_free(cl);
        kh_free(who.unit);
        kh_diags_clear(&d);
    }
    /* A rejected checklist whose rubric is known names it too. */
    g_put(g, 0, 1, "test-hand-b");
    g_put(g, STD_FIRST, 3, "也许");
    s = g_sheet(g, NULL);
    kh_checklist_who who = {0};
    f = kh_checklist_read_who(s, "t.csv", two, NULL, &cl, &who, &d, &st);
    kh_sheet_free(s);
    assert_int_equal(f, KH_FIND_REJECTED);
    assert_string_equal(who.unit, "两江镇");
    assert_non_null(who.rubric);
    assert_string_equal(who.rubric->id, "test-hand-b");
    kh_free(who.unit);
    kh_diags_clear(&d);
    g_free(g);
    kh_registry_free(two);
}

/* The 考核细则 cell as people write it: the rubric's full title, or its
 * unit type (one rubric alone has it); anything else is unknown. */
static void rubric_by_name_as_written(void **state)
{
    (void)state;
    static const struct { const char *cell; const kh_rubric **want; } cases[] = {
        {"考核细则|临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（乡镇）", &T},
        {"考核细则|乡镇", &T},
        {"考核细则| 乡镇 ", &T},
        {"考核细则|区直单位部门", &D},
        {"考核细则|手工细则", &H},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        tgrid *g = std_grid(*cases[i].want);
        g_row(g, 0, cases[i].cell);
        kh_checklist *cl = expect_ok(g);
        assert_ptr_equal(cl->rubric, *cases[i].want);
        kh_checklist_free(cl);
        g_free(g);
    }
    /* Part of a name is no name. */
    tgrid *g = std_grid(T);
    g_row(g, 0, "考核细则|乡");
    kh_checklist *cl = NULL;
    kh_diags d = {0};
    assert_int_equal(read_csv_grid(g, &cl, &d), KH_FIND_REJECTED);
    assert_null(cl);
    assert_true(d.n >= 1);
    assert_non_null(strstr(d.v[0].msg, "rubric '乡' is unknown"));
    kh_diags_clear(&d);
    g_free(g);
}

/* A date: a date cell's text as is; a date-formatted number the reader
 * did not recognise (an Excel serial) becomes a date; other numbers stay. */
static void date_field(void **state)
{
    (void)state;
    static const struct { const char *cell, *date; } cases[] = {
        {"#d:2020-12-05", "2020-12-05"}, {"#n:44170", "2020-12-05"}, {"#n:36526", "2000-01-01"},
        {"#n:43890", "2020-02-29"}, {"#n:73050", "2099-12-31"}, {"#n:20201205", "20201205"},
        {"#n:2020", "2020"}, {"#n:44170.5", "44170.5"}, {"2020年12月5日", "2020年12月5日"},
    };
    tgrid *g = std_grid(T);
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        g_put(g, 4, 1, cases[i].cell);
        kh_checklist *cl = expect_ok(g);
        assert_string_equal(cl->date, cases[i].date);
        kh_checklist_free(cl);
    }
    g_free(g);
}

/* A cover or instructions sheet holds no checklist: no messages. */
static void cover_sheet_is_none(void **state)
{
    (void)state;
    tgrid *g = g_new();
    g_row(g, 0, "临桂区2020年度安全生产工作考核");
    g_row(g, 2, "填表说明|每个单位一张表|检查点按细则填写");
    g_row(g, 3, "被考核单位|（见各工作表）");  /* a unit label alone does not make a checklist */
    g_row(g, 4, "检查结果|填写有或无");
    kh_checklist *cl = (kh_checklist *)1;
    kh_diags d = {0};
    assert_int_equal(read_opts(g, "说明", "乡镇A.xlsx", false, &cl, &d), KH_FIND_NONE);
    assert_int_equal(d.n, 0);
    g_free(g);
    /* An empty sheet too. */
    g = g_new();
    assert_int_equal(read_opts(g, "Sheet2", "乡镇A.xlsx", false, &cl, &d), KH_FIND_NONE);
    assert_int_equal(d.n, 0);
    g_free(g);
}

/* Problems with the fields and the table's presence. */
static void field_rejections(void **state)
{
    (void)state;
    static const char *const no_rubric[] = {
        "t.csv: no 考核细则 (rubric) field: add a cell 考核细则 with the rubric id, e.g. "
        "lingui-2020-township, to its right (known rubric ids: lingui-2020-department, "
        "lingui-2020-township, test-hand, test-same-label)"};
    static const char *const empty_rubric[] = {
        "t.csv!A1: 考核细则 (rubric) is empty: write the rubric id in the cell to its right, one "
        "of lingui-2020-department, lingui-2020-township, test-hand, test-same-label"};
    static const char *const unknown_rubric[] = {
        "t.csv!B1: rubric 'lingui-2021-township' is unknown: write one of lingui-2020-department, "
        "lingui-2020-township, test-hand, test-same-label, or give the rubric file with --rubric "
        "FILE"};
    static const char *const no_unit[] = {
        "t.csv: no 被考核单位 (unit) field: add a cell 被考核单位 with the unit's name to its right"};
    static const char *const empty_unit[] = {
        "t.csv!A2: 被考核单位 (unit) is empty: write the unit's name in the cell to its right"};
    static const char *const no_table[] = {
        "t.csv: no table: add a header row with the columns 检查点 and 检查结果 (and 检查要点, "
        "备注), one row per check point below it"};
    static const char *const half_table[] = {
        "t.csv!B7: the table header has 检查点 but no 检查结果 column: head the check-point "
        "column 检查点 and the result column 检查结果"};
    static const char *const half_table2[] = {
        "t.csv!D7: the table header has 检查结果 but no 检查点 column: head the check-point "
        "column 检查点 and the result column 检查结果"};
    static const char *const twice_unit[] = {
        "t.csv!B2: 被考核单位 (unit) is given twice with different values, '会仙镇' in F1 and "
        "'两江镇' here: keep one of them"};
    static const char *const two_result_cols[] = {
        "t.csv!F7: the table has two 检查结果 columns (D7 and here): delete or rename one of them"};

    tgrid *g;
    g = std_grid(T); g_row(g, 0, ""); expect_rejected(g, no_rubric, 1); g_free(g);
    g = std_grid(T); g_row(g, 0, "考核细则："); expect_rejected(g, empty_rubric, 1); g_free(g);
    g = std_grid(T); g_row(g, 0, "考核细则|lingui-2021-township");
    expect_rejected(g, unknown_rubric, 1); g_free(g);
    g = std_grid(T); g_row(g, 1, ""); expect_rejected(g, no_unit, 1); g_free(g);
    g = std_grid(T); g_row(g, 1, "被考核单位|\xe3\x80\x80"); expect_rejected(g, empty_unit, 1); g_free(g);
    /* The next cell right of an empty field is another label, not its value. */
    g = std_grid(T); g_row(g, 1, "被考核单位||考核年度|2020"); expect_rejected(g, empty_unit, 1); g_free(g);
    g = std_grid(T); g_row(g, STD_HDR, "序号|检查点|检查要点|结果|备注");
    expect_rejected(g, half_table, 1); g_free(g);
    g = std_grid(T); g_row(g, STD_HDR, "序号|点|检查要点|检查结果|备注");
    expect_rejected(g, half_table2, 1); g_free(g);
    g = std_grid(T); g_row(g, STD_HDR, "");
    for (int r = STD_FIRST; r < STD_FIRST + (int)T->ncps; r++)
        g_row(g, r, "");
    expect_rejected(g, no_table, 1); g_free(g);
    g = std_grid(T); g_put(g, 0, 4, "被考核单位"); g_put(g, 0, 5, "会仙镇");
    expect_rejected(g, twice_unit, 1); g_free(g);
    g = std_grid(T); g_put(g, STD_HDR, 5, "检查\n结果");
    expect_rejected(g, two_result_cols, 1); g_free(g);

    /* The same value twice, or an empty repeat, is fine. */
    g = std_grid(T);
    g_put(g, 0, 6, "被考核单位：");
    g_put(g, 0, 7, " 两江镇");
    g_put(g, 1, 6, "检查日期");
    kh_checklist *cl = expect_ok(g);
    assert_string_equal(cl->unit, "两江镇");
    assert_string_equal(cl->date, "2020-12-05");
    kh_checklist_free(cl);
    g_free(g);

    /* A header alone (no 考核细则) is a checklist with an error. */
    g = std_grid(T);
    g_row(g, 0, "");
    g_row(g, 1, "");
    static const char *const both[] = {no_rubric[0], no_unit[0]};
    expect_rejected(g, both, 2);
    g_free(g);
}

/* Missing, repeated and unknown check points. */
static void checkpoint_rejections(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    int r13 = std_row(T, "1.3");
    g_row(g, r13, "");  /* 1.3 missing */
    static const char *const missing[] = {
        "t.csv!B7: check point 1.3 年度工作计划 is missing: add a row with 检查点 1.3 and its result"};
    expect_rejected(g, missing, 1);
    g_row(g, r13, "3|1.2|成立领导机构|无");  /* 1.2 twice, 1.3 missing */
    static const char *const twice[] = {
        "t.csv!B10: check point 1.2 成立领导机构 appears twice, in B9 and here: delete one of the two rows",
        "t.csv!B7: check point 1.3 年度工作计划 is missing: add a row with 检查点 1.3 and its result"};
    expect_rejected(g, twice, 2);
    g_row(g, r13, "3|1.30|年度工作计划|有");  /* 1.30 = 1.3 by value: fine */
    kh_checklist *cl = expect_ok(g);
    assert_string_equal(cell_of(&cl->results[cp_index(T, "1.3")]), "D10");
    kh_checklist_free(cl);
    g_row(g, r13, "3|1.3|年度工作计划|有");
    g_row(g, STD_FIRST + (int)T->ncps, "82|17.5|特别特别重大事故|0");
    static const char *const unknown[] = {
        "t.csv!B87: 检查点 '17.5' is not a check point of the 乡镇 checklist (1.1 to 17.4): "
        "correct it, or clear the cell if this row is not a check point"};
    expect_rejected(g, unknown, 1);
    g_row(g, STD_FIRST + (int)T->ncps, "|合计||38");
    static const char *const total[] = {
        "t.csv!B87: 检查点 '合计' is not a check point of the 乡镇 checklist (1.1 to 17.4): "
        "correct it, or clear the cell if this row is not a check point"};
    expect_rejected(g, total, 1);
    /* A 检查点 longer than the reader's stack copy (64 bytes) is folded
     * and matched alike: full-width digits and spaces around it. */
    g_row(g, STD_FIRST + (int)T->ncps, "");
    g_row(g, r13, "3|\xe3\x80\x80  \xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80"
                  "\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80"
                  "\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80"
                  "\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80"
                  "１．３\xe3\x80\x80 |年度工作计划|有");
    cl = expect_ok(g);
    assert_string_equal(cell_of(&cl->results[cp_index(T, "1.3")]), "D10");
    kh_checklist_free(cl);
    g_row(g, r13, "3|１．３０００００００００００００００００００００００００００００００|年度工作计划|有");
    cl = expect_ok(g);
    assert_string_equal(cell_of(&cl->results[cp_index(T, "1.3")]), "D10");
    kh_checklist_free(cl);
    g_row(g, r13, "3|１．３ 第三项第三项第三项第三项第三项第三项第三项|年度工作计划|有");
    static const char *const long_unknown[] = {
        "t.csv!B10: 检查点 '1.3 第三项第三项第三项第三项第三项第三项第三项' is not a check point of "
        "the 乡镇 checklist (1.1 to 17.4): correct it, or clear the cell if this row is not a "
        "check point",
        "t.csv!B7: check point 1.3 年度工作计划 is missing: add a row with 检查点 1.3 and its result"};
    expect_rejected(g, long_unknown, 2);
    g_row(g, r13, "3|1.3|年度工作计划|有");
    /* The duplicate's own result is checked too. */
    g_row(g, STD_FIRST + (int)T->ncps, "82|17.4|特别重大事故起数|maybe");
    static const char *const dup_bad[] = {
        "t.csv!B87: check point 17.4 特别重大事故起数 appears twice, in B86 and here: delete one of the two rows",
        "t.csv!D87: result 'maybe' for 17.4 特别重大事故起数 is not a whole number ≥ 0: write the "
        "count in digits, e.g. 2"};
    expect_rejected(g, dup_bad, 2);
    g_free(g);
}

/* Several problems are all reported, in sheet order, each with its cell. */
static void all_problems_at_once(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    g_row(g, 1, "");                                   /* no unit */
    g_put(g, std_row(T, "2.4"), 3, "不清楚");          /* bad result */
    g_put(g, std_row(T, "7.1"), 3, "1.5");             /* fractional count */
    g_put(g, std_row(T, "9.2"), 1, "9.9");             /* unknown id, so 9.2 missing */
    kh_checklist *cl = NULL;
    kh_diags d = {0};
    assert_int_equal(read_csv_grid(g, &cl, &d), KH_FIND_REJECTED);
    assert_int_equal(d.n, 5);
    assert_null(d.v[0].cell);
    assert_diag(&d, 1, "t.csv!D18: result '不清楚' for 2.4 制定工作措施 is not 有 or 无: write 有 if the "
                       "document exists, 无 if not");
    assert_string_equal(d.v[2].cell, "D33");
    assert_string_equal(d.v[3].cell, "B50");
    assert_diag(&d, 4, "t.csv!B7: check point 9.2 重点危险源防范措施 is missing: add a row with "
                       "检查点 9.2 and its result");
    kh_diags_clear(&d);
    /* Three distinct errors give three diagnostics. */
    g_row(g, 1, "被考核单位|两江镇");
    g_put(g, std_row(T, "9.2"), 1, "9.2");
    g_put(g, std_row(T, "1.1"), 3, NULL);
    assert_int_equal(read_csv_grid(g, &cl, &d), KH_FIND_REJECTED);
    assert_int_equal(d.n, 3);
    assert_string_equal(d.v[0].cell, "D8");
    assert_string_equal(d.v[1].cell, "D18");
    assert_string_equal(d.v[2].cell, "D33");
    kh_diags_clear(&d);
    g_free(g);
}

/* An unknown rubric still gets the other problems reported; rows are not
 * checked against a rubric nobody knows. */
static void unknown_rubric_and_more(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    g_row(g, 0, "考核细则|nope");
    g_row(g, 1, "被考核单位");
    g_put(g, std_row(T, "1.1"), 3, "maybe");
    kh_checklist *cl = NULL;
    kh_diags d = {0};
    assert_int_equal(read_csv_grid(g, &cl, &d), KH_FIND_REJECTED);
    assert_int_equal(d.n, 2);
    assert_string_equal(d.v[0].cell, "B1");
    assert_string_equal(d.v[1].cell, "A2");
    kh_diags_clear(&d);
    g_free(g);
}

/* The department rubric has 1.1 学习记录 and 1.10 制定工作措施 (and 6.1 /
 * 6.10); spreadsheets turn 1.10 into 1.1. */
static void one_point_ten(void **state)
{
    (void)state;
    long k11 = cp_index(D, "1.1"), k110 = cp_index(D, "1.10");
    int r11 = std_row(D, "1.1"), r110 = std_row(D, "1.10");
    static const struct { const char *check, *label; bool ok; } forms[] = {
        {"1.10", "制定工作措施", true},        /* as typed */
        {"1.1", "制定工作措施", true},         /* turned into 1.1 as text: the label wins */
        {"#n:1.1", "制定工作措施", true},      /* a number cell */
        {"1.100", "制定工作措施", true},
        {"１．１０", "制定工作措施", true},    /* full width */
        {"1.1", " 制定 工作措施\n", true},     /* white space in the label */
        /* Loosely (doc/formats.md §3: punctuation, width and a bracketed note ignored,
         * then containment). */
        {"1.1", "制定工作措施。", true},       /* punctuation */
        {"1.1", "“制定工作措施”（已补）", true}, /* quotes and a note */
        {"1.1", "制定工作措施(已补)", true},   /* a half-width note */
        {"1.1", "工作措施", true},             /* held by 制定工作措施 only */
        {"1.1", "１．１０制定工作措施情况", true}, /* holds 制定工作措施 only */
        {"1.1", "学习记录和制定工作措施", false}, /* holds both: still ambiguous */
        {"1.1", "工作计划", false},            /* label names neither */
        {"1.1", NULL, false},                  /* no label */
        {"1.10", NULL, false},                 /* even as typed: 1.1 has the same value */
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(forms); i++) {
        tgrid *g = std_grid(D);
        g_put(g, r110, 1, forms[i].check);
        g_put(g, r110, 2, forms[i].label);
        g_put(g, r110, 3, "无");
        g_put(g, r110, 4, "未制定");
        if (forms[i].ok) {
            kh_checklist *cl = expect_ok(g);
            assert_true(cl->results[k11].present);
            assert_false(cl->results[k110].present);
            assert_string_equal(cl->results[k110].remark, "未制定");
            assert_string_equal(cell_of(&cl->results[k110]), "D17");
            kh_checklist_free(cl);
        } else {
            kh_buf m = {0};
            const char *t = forms[i].check[0] == '#' ? forms[i].check + 3 : forms[i].check;
            kh_buf_printf(&m, "t.csv!B17: 检查点 '%s' could be 1.1 学习记录 or 1.10 制定工作措施 (a "
                              "spreadsheet turns 1.10 into 1.1): write the label of the one you "
                              "mean in this row's 检查要点 cell", t);
            const char *msgs[] = {kh_buf_str(&m),
                "t.csv!B7: check point 1.10 制定工作措施 is missing: add a row with 检查点 1.10 and its result"};
            expect_rejected(g, msgs, 2);
            kh_buf_free(&m);
        }
        g_free(g);
    }
    /* 1.1 itself turned into a number keeps its place by its label. */
    tgrid *g = std_grid(D);
    g_put(g, r11, 1, "#n:1.1");
    g_put(g, r110, 1, "#n:1.1");
    g_put(g, r11, 3, "有");
    g_put(g, r110, 3, "无");
    kh_checklist *cl = expect_ok(g);
    assert_true(cl->results[k11].present);
    assert_false(cl->results[k110].present);
    kh_checklist_free(cl);
    /* The label names the other candidate: the label wins both ways. */
    g_put(g, r11, 2, "制定工作措施");
    g_put(g, r110, 2, "学习记录");
    cl = expect_ok(g);
    assert_false(cl->results[k11].present);
    assert_string_equal(cell_of(&cl->results[k11]), "D17");
    assert_true(cl->results[k110].present);
    kh_checklist_free(cl);
    g_free(g);
    /* Without a 检查要点 column the message says to add one. */
    g = std_grid(D);
    for (int r = STD_HDR; r < STD_FIRST + (int)D->ncps; r++)
        g_put(g, r, 2, NULL);
    {
        kh_checklist *c2 = NULL;
        kh_diags d = {0};
        assert_int_equal(read_csv_grid(g, &c2, &d), KH_FIND_REJECTED);
        /* 1.1 / 1.10 and 6.1 / 6.10, each both ways: four rows, and nothing missing
         * reported twice. */
        assert_diag(&d, 0, "t.csv!B8: 检查点 '1.1' could be 1.1 学习记录 or 1.10 制定工作措施 (a "
                           "spreadsheet turns 1.10 into 1.1): add a 检查要点 column and write the "
                           "label of the one you mean in this row");
        assert_string_equal(d.v[1].cell, "B17");
        assert_string_equal(d.v[2].cell, "B29"); /* 6.1 */
        assert_string_equal(d.v[3].cell, "B38"); /* 6.10 */
        assert_int_equal(std_row(D, "6.1"), 28);
        assert_int_equal(std_row(D, "6.10"), 37);
        assert_int_equal(d.n, 8); /* and 1.1, 1.10, 6.1, 6.10 missing */
        kh_diags_clear(&d);
    }
    g_free(g);
    /* The township rubric has 8.1 and 8.10 but no 1.10: "1.10" there is 1.1. */
    g = std_grid(T);
    g_put(g, std_row(T, "1.1"), 1, "1.10");
    g_put(g, std_row(T, "1.1"), 2, NULL);
    g_put(g, std_row(T, "1.1"), 3, "无");
    cl = expect_ok(g);
    assert_false(cl->results[cp_index(T, "1.1")].present);
    kh_checklist_free(cl);
    g_put(g, std_row(T, "8.10"), 1, "8.1");
    g_put(g, std_row(T, "8.10"), 3, "无");
    cl = expect_ok(g);
    assert_false(cl->results[cp_index(T, "8.10")].present);
    assert_true(cl->results[cp_index(T, "8.1")].present);
    kh_checklist_free(cl);
    g_free(g);
}

/* Three ids of one value (1.1, 1.10, 1.100): the label decides; a text
 * id matches exactly. */
static void three_candidates(void **state)
{
    (void)state;
    tgrid *g = std_grid(H);
    for (int r = STD_FIRST; r < STD_FIRST + 3; r++)
        g_put(g, r, 1, "#n:1.1");
    g_put(g, STD_FIRST + 1, 3, "无");
    g_put(g, STD_FIRST + 4, 1, "a-1");  /* ids compare exactly: a-1 is not A-1 */
    static const char *const msgs[] = {
        "t.csv!B12: 检查点 'a-1' is not a check point of the 测试 checklist (1.1 to A-1): correct it, or "
        "clear the cell if this row is not a check point",
        "t.csv!B7: check point A-1 事故起数 is missing: add a row with 检查点 A-1 and its result"};
    expect_rejected(g, msgs, 2);
    g_put(g, STD_FIRST + 4, 1, "A-1");
    kh_checklist *cl = expect_ok(g);
    assert_true(cl->results[0].present);
    assert_false(cl->results[1].present);
    assert_true(cl->results[2].present);
    kh_checklist_free(cl);
    g_put(g, STD_FIRST + 2, 2, "其他");
    static const char *const three[] = {
        "t.csv!B10: 检查点 '1.1' could be 1.1 学习记录, 1.10 制定工作措施 or 1.100 第三项 (a "
        "spreadsheet turns 1.10 into 1.1): write the label of the one you mean in this row's "
        "检查要点 cell",
        "t.csv!B7: check point 1.100 第三项 is missing: add a row with 检查点 1.100 and its result"};
    expect_rejected(g, three, 2);
    g_free(g);
}

/* A sheet of endless bad rows gets a bounded number of messages. */
static void bounded_messages(void **state)
{
    (void)state;
    tgrid *g = std_grid(H);
    for (int r = STD_FIRST + 5; r < GR; r++)
        g_row(g, r, "|9.9|x|有");
    kh_checklist *cl = NULL;
    kh_diags d = {0};
    assert_int_equal(read_csv_grid(g, &cl, &d), KH_FIND_REJECTED);
    assert_int_equal(d.n, 201);
    assert_diag(&d, 200, "t.csv: too many problems: only the first 200 are listed; fix them and try again");
    kh_diags_clear(&d);
    g_free(g);
}

/* ------------------------------------------------------------------ */
/* A CSV that went through LibreOffice.  tests/data/checklist/dept-1.10.csv
 * is a filled department checklist as a script writes it (1.10 and 6.10
 * as text, their results 无 with a remark, everything else 有 / 2 / 0).
 * dept-1.10-lo.csv is the same after a round trip through LibreOffice 7.4:
 *   soffice --headless --infilter="CSV:44,34,76,1" --convert-to xlsx dept-1.10.csv
 *   soffice --headless --convert-to "csv:Text - txt - csv (StarCalc):44,34,76,1" dept-1.10.xlsx
 * which turned 1.10 into 1.1 and 6.10 into 6.1 (and quoted the text).
 * The CSV is split here by a minimal RFC 4180 reader (every cell a string,
 * as csv_in gives them) so that this test does not depend on csv_in. */

static kh_sheet *load_csv(const char *path)
{
    char *data = test_slurp(path, NULL);
    kh_sheet *s = kh_sheet_new(NULL);
    assert_non_null(s);
    uint32_t row = 0, col = 0;
    kh_buf f = {0};
    const char *p = data;
    if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (*p) {
        kh_buf_reset(&f);
        if (*p == '"') {
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"')
                    kh_buf_putc(&f, *p++);
                else if (*p == '"')
                    break;
                else
                    kh_buf_putc(&f, *p);
            }
            assert_int_equal(*p, '"');
            p++;
        } else {
            while (*p && *p != ',' && *p != '\n' && *p != '\r')
                kh_buf_putc(&f, *p++);
        }
        assert_true(kh_sheet_set(s, row, col, KH_CELL_STRING, kh_buf_str(&f), f.len));
        if (*p == ',') {
            col++;
            p++;
        } else {
            if (*p == '\r')
                p++;
            if (*p == '\n')
                p++;
            row++;
            col = 0;
        }
    }
    kh_buf_free(&f);
    free(data);
    kh_sheet_finish(s);
    return s;
}

static void libreoffice_round_trip(void **state)
{
    (void)state;
    static const char *const files[] = {"tests/data/checklist/dept-1.10.csv",
                                        "tests/data/checklist/dept-1.10-lo.csv"};
    long k11 = cp_index(D, "1.1"), k110 = cp_index(D, "1.10");
    long k61 = cp_index(D, "6.1"), k610 = cp_index(D, "6.10");
    for (size_t i = 0; i < KH_ARRAY_LEN(files); i++) {
        kh_sheet *s = load_csv(files[i]);
        /* The round trip really did lose the 0 (else this test proves nothing). */
        const kh_cell *c = kh_sheet_get(s, 14, 1);
        assert_non_null(c);
        assert_string_equal(c->text, i ? "1.1" : "1.10");
        kh_checklist *cl = NULL;
        kh_diags d = {0};
        kh_status st;
        kh_find f = kh_checklist_read(s, files[i], reg, NULL, &cl, &d, &st);
        kh_sheet_free(s);
        if (f != KH_FIND_OK)
            test_print_diags(&d);
        assert_int_equal(f, KH_FIND_OK);
        assert_int_equal(st, KH_OK);
        assert_ptr_equal(cl->rubric, D);
        assert_string_equal(cl->unit, "区应急管理局");
        assert_string_equal(cl->date, "2020-12-05");
        assert_true(cl->results[k11].present);
        assert_string_equal(cell_of(&cl->results[k11]), "D6");
        assert_false(cl->results[k110].present);
        assert_string_equal(cell_of(&cl->results[k110]), "D15");
        assert_string_equal(cl->results[k110].remark, "未制定工作措施");
        assert_true(cl->results[k61].present);
        assert_false(cl->results[k610].present);
        assert_string_equal(cl->results[k610].remark, "未闭环");
        assert_int_equal(cl->results[cp_index(D, "1.8")].n, 2);
        kh_checklist_free(cl);
        kh_diags_clear(&d);
    }
}

/* ------------------------------------------------------------------ */
/* Allocation failure: fail the Nth allocation for N = 1, 2, ... until the
 * read completes; each time KH_ERR_NOMEM, KH_FIND_REJECTED, no checklist,
 * no leak. */

static void nomem_sheet(const tgrid *g, kh_find want)
{
    kh_sheet *s = g_sheet(g, "检查表");
    bool done = false;
    long nomem = 0;
    for (long n = 0; !done; n++) {
        kh_checklist *cl = NULL;
        kh_diags d = {0};
        kh_status st = KH_OK;
        test_alloc_start(n);
        kh_find f = kh_checklist_read(s, "x.xlsx", reg, NULL, &cl, &d, &st);
        test_alloc.fail_at = -1;
        if (st == KH_ERR_NOMEM) {
            assert_int_equal(f, KH_FIND_REJECTED);
            assert_null(cl);
            nomem++;
        } else {
            assert_int_equal(st, KH_OK);
            assert_int_equal(f, want);
            done = true;
        }
        kh_checklist_free(cl);
        kh_diags_clear(&d);
        kh_set_allocator(NULL);
        if (test_alloc.live != 0)
            fail_msg("%ld blocks leaked when allocation %ld failed", test_alloc.live, n);
        assert_true(n < 100000);
    }
    /* The run that went through allocated test_alloc.calls blocks: failing
     * each of them must have been seen as KH_ERR_NOMEM. */
    assert_true(nomem > 0 || test_alloc.calls == 0);
    assert_true(nomem > 0 || want == KH_FIND_NONE);
    kh_sheet_free(s);
}

static void out_of_memory(void **state)
{
    (void)state;
    tgrid *g = std_grid(D);
    g_put(g, std_row(D, "1.5"), 4, "备注");
    nomem_sheet(g, KH_FIND_OK);
    g_row(g, 1, "");
    g_put(g, std_row(D, "1.10"), 1, "1.1");
    g_put(g, std_row(D, "1.10"), 2, NULL);
    g_put(g, std_row(D, "3.1"), 3, "两次");
    g_put(g, std_row(D, "3.2"), 3, "#e:#N/A");
    nomem_sheet(g, KH_FIND_REJECTED);
    g_free(g);
    g = g_new();
    g_row(g, 0, "封面");
    nomem_sheet(g, KH_FIND_NONE);
    g_free(g);
}

/* 1.1 and 1.10 with the same label: a row whose 检查点 reads 1.1 (as typed,
 * or 1.10 turned into 1.1) cannot be told apart by its label and is
 * refused as ambiguous, never given to one of them silently. */
static void same_label_one_point_ten(void **state)
{
    (void)state;
    tgrid *g = std_grid(S);
    int r110 = std_row(S, "1.10");
    g_put(g, r110, 1, "#n:1.1");
    g_put(g, r110, 3, "无");
    const char *msgs[] = {
        "t.csv!B8: 检查点 '1.1' could be 1.1 签到单 or 1.10 签到单 (a spreadsheet turns 1.10 "
        "into 1.1): write the label of the one you mean in this row's 检查要点 cell",
        "t.csv!B9: 检查点 '1.1' could be 1.1 签到单 or 1.10 签到单 (a spreadsheet turns 1.10 "
        "into 1.1): write the label of the one you mean in this row's 检查要点 cell",
        "t.csv!B7: check point 1.1 签到单 is missing: add a row with 检查点 1.1 and its result",
        "t.csv!B7: check point 1.10 签到单 is missing: add a row with 检查点 1.10 and its result",
    };
    expect_rejected(g, msgs, KH_ARRAY_LEN(msgs));
    g_free(g);
}

/* A row without 检查点 is matched by a label equal to one check point's,
 * not by one holding it: an extra row 工作总结及计划 with 无 is a note of the
 * office's, not a second 1.4 工作总结, which stays as its own row says. */
static void label_row_needs_equal_label(void **state)
{
    (void)state;
    tgrid *g = std_grid(T);
    g_row(g, STD_FIRST + (int)T->ncps, "||工作总结及计划|无");
    kh_checklist *cl = expect_ok(g);
    long k14 = cp_index(T, "1.4");
    assert_true(cl->results[k14].present);
    char want[16];
    snprintf(want, sizeof want, "D%d", std_row(T, "1.4") + 1);
    assert_string_equal(cell_of(&cl->results[k14]), want);
    kh_checklist_free(cl);
    g_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_standard_sheet),
        cmocka_unit_test(optional_fields_absent),
        cmocka_unit_test(presence_spellings),
        cmocka_unit_test(count_spellings),
        cmocka_unit_test(result_rejections),
        cmocka_unit_test(messages_name_the_sheet),
        cmocka_unit_test(blank_as_missing),
        cmocka_unit_test(free_layout),
        cmocka_unit_test(english_aliases),
        cmocka_unit_test(rubric_id_case),
        cmocka_unit_test(rubric_by_name),
        cmocka_unit_test(rubric_by_name_as_written),
        cmocka_unit_test(date_field),
        cmocka_unit_test(cover_sheet_is_none),
        cmocka_unit_test(field_rejections),
        cmocka_unit_test(checkpoint_rejections),
        cmocka_unit_test(all_problems_at_once),
        cmocka_unit_test(unknown_rubric_and_more),
        cmocka_unit_test(one_point_ten),
        cmocka_unit_test(same_label_one_point_ten),
        cmocka_unit_test(label_row_needs_equal_label),
        cmocka_unit_test(notes_as_remarks),
        cmocka_unit_test(loose_labels_and_label_rows),
        cmocka_unit_test(three_candidates),
        cmocka_unit_test(bounded_messages),
        cmocka_unit_test(libreoffice_round_trip),
        cmocka_unit_test(out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
