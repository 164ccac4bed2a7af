/* test_rules.c - the rule engine: every kind, both caps, veto, reasons and
 * remarks on a rubric built by hand; then totals worked out on paper for
 * the real 2020 rubrics. */
#include "testutil.h"

#include "checklist.h"
#include "rubric.h"
#include "rules.h"

/* ---- building rubrics and checklists by hand ---- */

typedef struct cp_spec {
    const char *item;    /* item number; a new item starts when it changes */
    const char *points;  /* the item's points (first row of the item) */
    const char *id;
    const char *label;
    kh_kind kind;
    int64_t need;
    const char *per;     /* NULL: 0 */
    const char *cap;     /* NULL: no cap */
} cp_spec;

static kh_dec dec(const char *s)
{
    kh_dec v = 0;
    if (s && !kh_dec_parse(s, &v))
        fail_msg("bad decimal in test: %s", s);
    return v;
}

/* A rubric of n check points, allocated the way rubric.c would; freed with
 * hand_rubric_free (the test owns its layout). */
static kh_rubric *hand_rubric(const cp_spec *spec, size_t n)
{
    kh_rubric *r = kh_calloc(1, sizeof *r);
    assert_non_null(r);
    r->id = kh_strdup("hand");
    r->title = kh_strdup("手工细则");
    r->unit_type = kh_strdup("乡镇");
    r->path = kh_strdup("hand.csv");
    r->cps = kh_calloc(n, sizeof *r->cps);
    r->items = kh_calloc(n, sizeof *r->items);
    assert_non_null(r->cps);
    assert_non_null(r->items);
    r->ncps = n;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(spec[i].item, spec[i - 1].item) != 0) {
            kh_item *it = &r->items[r->nitems++];
            it->num = kh_strdup(spec[i].item);
            it->points = dec(spec[i].points);
            it->content = kh_strdup("督查内容");
            it->first = i;
            (void)kh_dec_add(r->total, it->points, &r->total); /* overflow: test only */
        }
        kh_checkpoint *cp = &r->cps[i];
        cp->id = kh_strdup(spec[i].id);
        cp->label = kh_strdup(spec[i].label);
        cp->kind = spec[i].kind;
        cp->need = spec[i].need;
        cp->per = dec(spec[i].per);
        cp->has_cap = spec[i].cap != NULL;
        cp->cap = dec(spec[i].cap);
        cp->item = r->nitems - 1;
        cp->line = (long)i + 6;
        r->items[r->nitems - 1].ncps++;
    }
    return r;
}

static void hand_rubric_free(kh_rubric *r)
{
    for (size_t i = 0; i < r->ncps; i++) {
        kh_free(r->cps[i].id);
        kh_free(r->cps[i].label);
    }
    for (size_t i = 0; i < r->nitems; i++) {
        kh_free(r->items[i].num);
        kh_free(r->items[i].content);
    }
    kh_free(r->cps);
    kh_free(r->items);
    kh_free(r->id);
    kh_free(r->title);
    kh_free(r->unit_type);
    kh_free(r->path);
    kh_free(r);
}

/* A result different from "all present, every count met, nothing
 * happened": for has, n = 0 is missing and 1 present; for the other kinds
 * n is the number entered. */
typedef struct result_spec {
    const char *id;
    int64_t n;
    const char *remark;
} result_spec;

#define MAX_RESULTS 16

/* A checklist for r with default results changed by res (terminated by a
 * NULL id).  Result cell of check point i is E(i+5). */
static kh_checklist *make_checklist(const kh_rubric *r, const result_spec *res)
{
    kh_checklist *cl = kh_calloc(1, sizeof *cl);
    assert_non_null(cl);
    cl->rubric = r;
    cl->unit = kh_strdup("两江镇");
    cl->source = kh_strdup("filled/两江镇.xlsx");
    cl->sheet = kh_strdup("检查表");
    cl->results = kh_calloc(r->ncps, sizeof *cl->results);
    assert_non_null(cl->results);
    for (size_t i = 0; i < r->ncps; i++) {
        kh_result *x = &cl->results[i];
        x->present = true;
        x->n = r->cps[i].kind == KH_KIND_COUNT ? r->cps[i].need : 0;
        x->row = (uint32_t)(i + 4); /* E(i+5) */
        x->col = 4;
    }
    for (size_t k = 0; res && res[k].id; k++) {
        size_t i = 0;
        while (i < r->ncps && strcmp(r->cps[i].id, res[k].id) != 0)
            i++;
        if (i == r->ncps)
            fail_msg("test names unknown check point %s", res[k].id);
        kh_result *x = &cl->results[i];
        if (r->cps[i].kind == KH_KIND_HAS)
            x->present = res[k].n != 0;
        else
            x->n = res[k].n;
        if (res[k].remark)
            x->remark = kh_strdup(res[k].remark);
    }
    return cl;
}

static const char *fmt(kh_dec v)
{
    static char buf[4][KH_DEC_BUFSZ];
    static int k;
    k = (k + 1) % 4;
    return kh_dec_format(v, buf[k]);
}

/* Score cl, which must succeed, with no diagnostics. */
static kh_unit *score_ok(kh_checklist *cl)
{
    kh_diags d = {0};
    kh_unit *u = (kh_unit *)0x1;
    assert_int_equal(kh_score(cl, &u, &d), KH_OK);
    assert_non_null(u);
    assert_ptr_equal(u->cl, cl);
    assert_int_equal(d.n, 0);
    assert_int_equal(u->rank, 0);
    assert_int_equal(u->order, 0);
    return u;
}

/* ---- the hand-built rubric ---- */

static const cp_spec hand_spec[] = {
    {"1", "3", "1.1", "学习记录", KH_KIND_HAS, 0, "0.5", NULL},
    {"1", NULL, "1.2", "图片", KH_KIND_HAS, 0, "0.5", NULL},
    {"1", NULL, "1.3", "签到单", KH_KIND_HAS, 0, "0.5", NULL},
    {"1", NULL, "1.4", "复查记录", KH_KIND_HAS, 0, "0.2", NULL},
    {"1", NULL, "1.5", "会议记录（含纪要）", KH_KIND_HAS, 0, "0.5", NULL},
    {"2", "2", "2.1", "召开会议次数", KH_KIND_COUNT, 3, "0.2", NULL},
    {"2", NULL, "2.2", "检查企业家数", KH_KIND_COUNT, 2, "0.5", NULL},
    {"2", NULL, "2.3", "整改率", KH_KIND_COUNT, 2, "0.1", NULL},
    {"2", NULL, "2.4", "带队检查次数（以记录为准）", KH_KIND_COUNT, 1, "0.5", NULL},
    {"3", "2", "3.1", "未按要求参加会议次数（以签到单为准）", KH_KIND_EACH, 0, "0.2", "1"},
    {"3", NULL, "3.2", "一般事故起数", KH_KIND_EACH, 0, "0.5", NULL},
    {"3", NULL, "3.3", "发生火灾起数", KH_KIND_EACH, 0, "0.5", NULL},
    {"3", NULL, "3.4", "培训缺席人数", KH_KIND_EACH, 0, "0.1", NULL},
    {"3", NULL, "3.5", "违规操作", KH_KIND_EACH, 0, "0.1", NULL},
    {"3", NULL, "3.6", "缺少的台账（项）", KH_KIND_HAS, 0, "0.1", "0.05"},
    {"4", "5", "4.1", "一般事故起数", KH_KIND_EACH, 0, "1", "4"},
    {"4", NULL, "4.2", "较大事故起数", KH_KIND_ANY, 0, NULL, NULL},
    {"4", NULL, "4.3", "重大事故起数", KH_KIND_VETO, 0, NULL, NULL},
    {"4", NULL, "4.4", "特别重大事故起数", KH_KIND_VETO, 0, NULL, NULL},
    {"5", "3", "5.1", "较大事故起数", KH_KIND_ANY, 0, NULL, "2"},
    {"5", NULL, "5.2", "隐患次数", KH_KIND_EACH, 0, "0.25", NULL},
};

typedef struct kind_case {
    const char *name;
    result_spec res[MAX_RESULTS];
    size_t item;             /* index of the item checked */
    const char *deduction;
    const char *reason;
    const char *total;
    bool vetoed;
    const char *veto_reason; /* NULL: none */
} kind_case;

static const kind_case kind_cases[] = {
    {"nothing missing", {{NULL}}, 0, "0", "", "15", false, NULL},
    {"has: two missing of one per", {{"1.2", 0}, {"1.3", 0}}, 0, "1",
     "缺图片、签到单，扣1分", "14", false, NULL},
    /* 0.5 + 0.5 = 1 in the first group (placed at 1.1), 0.2 in the second;
     * the trailing note of 1.5 is not shown. */
    {"has: groups by per, in rubric order", {{"1.1", 0}, {"1.4", 0}, {"1.5", 0}}, 0, "1.2",
     "缺学习记录、会议记录，扣1分；缺复查记录，扣0.2分", "13.8", false, NULL},
    /* 4 × 0.5 + 0.2 = 2.2 <= 3: no item cap. */
    {"has: all missing under the item's points",
     {{"1.1", 0}, {"1.2", 0}, {"1.3", 0}, {"1.4", 0}, {"1.5", 0}}, 0, "2.2",
     "缺学习记录、图片、签到单、会议记录，扣2分；缺复查记录，扣0.2分", "12.8", false, NULL},
    {"count: met or exceeded", {{"2.1", 5}, {"2.2", 2}}, 1, "0", "", "15", false, NULL},
    /* 0.2 × (3 − 1) = 0.4 */
    {"count: 次数", {{"2.1", 1}}, 1, "0.4", "召开会议少2次（应不少于3次），扣0.4分", "14.6", false, NULL},
    {"count: 家数", {{"2.2", 1}}, 1, "0.5", "检查企业少1家（应不少于2家），扣0.5分", "14.5", false, NULL},
    {"count: no measure word", {{"2.3", 0}}, 1, "0.2", "整改率少2（应不少于2），扣0.2分", "14.8", false, NULL},
    {"count: trailing note removed", {{"2.4", 0}}, 1, "0.5", "带队检查少1次（应不少于1次），扣0.5分",
     "14.5", false, NULL},
    /* 0.6 + 1 + 0.2 + 0.5 = 2.3 > 2: the item cap. */
    {"count: item cap", {{"2.1", 0}, {"2.2", 0}, {"2.3", 0}, {"2.4", 0}}, 1, "2",
     "召开会议少3次（应不少于3次），扣0.6分；检查企业少2家（应不少于2家），扣1分；"
     "整改率少2（应不少于2），扣0.2分；带队检查少1次（应不少于1次），扣0.5分；"
     "累计扣2.3分，本项扣完2分为止",
     "13", false, NULL},
    /* 0.2 × 3 = 0.6 under the cap 1 */
    {"each: 次数", {{"3.1", 3}}, 2, "0.6", "未按要求参加会议3次，扣0.6分", "14.4", false, NULL},
    /* 0.2 × 7 = 1.4, check cap 1 */
    {"each: check cap", {{"3.1", 7}}, 2, "1", "未按要求参加会议7次，扣1分（最高扣1分）", "14", false, NULL},
    {"each: 起数 takes 发生", {{"3.2", 2}}, 2, "1", "发生一般事故2起，扣1分", "14", false, NULL},
    {"each: no second 发生", {{"3.3", 1}}, 2, "0.5", "发生火灾1起，扣0.5分", "14.5", false, NULL},
    /* 0.1 × 3 = 0.3 */
    {"each: 人数", {{"3.4", 3}}, 2, "0.3", "培训缺席3人，扣0.3分", "14.7", false, NULL},
    {"each: no measure word", {{"3.5", 2}}, 2, "0.2", "违规操作2，扣0.2分", "14.8", false, NULL},
    {"has: check cap", {{"3.6", 0}}, 2, "0.05", "缺缺少的台账，扣0.05分", "14.95", false, NULL},
    /* 0.2 × 9 = 1.8, capped 1; + 0.5 + 0.5 + 0.2 + 0.05 (capped) = 2.25 > 2 */
    {"each: item cap", {{"3.1", 9}, {"3.2", 1}, {"3.3", 1}, {"3.4", 2}, {"3.6", 0}}, 2, "2",
     "未按要求参加会议9次，扣1分（最高扣1分）；发生一般事故1起，扣0.5分；发生火灾1起，"
     "扣0.5分；培训缺席2人，扣0.2分；缺缺少的台账，扣0.05分；累计扣2.25分，本项扣完2分为止",
     "13", false, NULL},
    /* 1 × 5 = 5, cap 4 */
    {"each: beyond the cap", {{"4.1", 5}}, 3, "4", "发生一般事故5起，扣4分（最高扣4分）", "11", false, NULL},
    {"any: the item's points", {{"4.2", 1}}, 3, "5", "发生较大事故1起，扣5分", "10", false, NULL},
    /* 2 + 5 = 7 > 5 */
    {"any: with each, item cap", {{"4.1", 2}, {"4.2", 3}}, 3, "5",
     "发生一般事故2起，扣2分；发生较大事故3起，扣5分；累计扣7分，本项扣完5分为止",
     "10", false, NULL},
    {"any: check cap", {{"5.1", 1}}, 4, "2", "发生较大事故1起，扣2分（最高扣2分）", "13", false, NULL},
    /* 0.25 × 2 = 0.5 */
    {"each: quarter steps", {{"5.2", 2}}, 4, "0.5", "隐患2次，扣0.5分", "14.5", false, NULL},
    /* A veto takes the item's full points, as an any does: 15 − 0.5 − 5. */
    {"veto: the item's points, total still computed", {{"4.3", 1}, {"1.2", 0}}, 3, "5",
     "发生重大事故1起，扣5分，一票否决", "9.5", true, "发生重大事故1起，一票否决"},
    /* 1 + 5 + 5 = 11 > 5 */
    {"veto: two check points", {{"4.3", 1}, {"4.4", 2}, {"4.1", 1}}, 3, "5",
     "发生一般事故1起，扣1分；发生重大事故1起，扣5分，一票否决；"
     "发生特别重大事故2起，扣5分，一票否决；累计扣11分，本项扣完5分为止",
     "10", true, "发生重大事故1起，一票否决；发生特别重大事故2起，一票否决"},
    {"remarks after the deductions",
     {{"1.2", 0}, {"1.3", 1, "资料不全"}, {"1.5", 1, "另见附件"}}, 0, "0.5",
     "缺图片，扣0.5分；备注：资料不全；另见附件", "14.5", false, NULL},
    {"remark alone", {{"2.2", 3, "已整改"}, {"2.3", 2, ""}}, 1, "0", "备注：已整改", "15", false,
     NULL},
    {"remark after the item cap", {{"2.1", 0}, {"2.2", 0}, {"2.3", 0, "无台账"}, {"2.4", 0}}, 1,
     "2",
     "召开会议少3次（应不少于3次），扣0.6分；检查企业少2家（应不少于2家），扣1分；"
     "整改率少2（应不少于2），扣0.2分；带队检查少1次（应不少于1次），扣0.5分；"
     "累计扣2.3分，本项扣完2分为止；备注：无台账",
     "13", false, NULL},
};

static void kinds_and_caps(void **state)
{
    (void)state;
    kh_rubric *r = hand_rubric(hand_spec, KH_ARRAY_LEN(hand_spec));
    assert_int_equal(r->nitems, 5);
    assert_int_equal(r->total, KH_DEC_INT(15));
    for (size_t c = 0; c < KH_ARRAY_LEN(kind_cases); c++) {
        const kind_case *k = &kind_cases[c];
        print_message("case: %s\n", k->name);
        kh_checklist *cl = make_checklist(r, k->res);
        kh_unit *u = score_ok(cl);
        const kh_item_score *is = &u->items[k->item];
        assert_string_equal(fmt(is->deduction), k->deduction);
        assert_int_equal(is->score, r->items[k->item].points - is->deduction);
        assert_string_equal(is->reason, k->reason);
        assert_string_equal(fmt(u->total), k->total);
        assert_int_equal(u->vetoed, k->vetoed);
        if (k->veto_reason)
            assert_string_equal(u->veto_reason, k->veto_reason);
        else
            assert_null(u->veto_reason);
        /* The total is the sum of the item scores; items not named in the
         * case lose nothing unless the case changed them. */
        kh_dec sum = 0;
        for (size_t i = 0; i < r->nitems; i++) {
            assert_non_null(u->items[i].reason);
            sum += u->items[i].score;
        }
        assert_int_equal(sum, u->total);
        kh_unit_free(u);
    }
    hand_rubric_free(r);
}

/* The unit keeps the check points that cost points or vetoed it (its
 * costs), in rubric order, with their deduction after the cap, number read,
 * result cell and remark; the checklist's results are freed. */
static void cp_deductions(void **state)
{
    (void)state;
    kh_rubric *r = hand_rubric(hand_spec, KH_ARRAY_LEN(hand_spec));
    static const result_spec res[] = {
        {"1.4", 0, "原件遗失"}, {"2.1", 1}, {"2.2", 2, "已补"}, {"3.1", 8}, {"3.6", 0},
        {"4.1", 6}, {"4.2", 1}, {"4.3", 1}, {"5.1", 1}, {NULL},
    };
    static const struct {
        const char *id, *ded, *cell, *remark;
        int64_t n;
    } want[] = {
        {"1.4", "0.2", "E8", "原件遗失", 0},
        {"2.1", "0.4", "E10", NULL, 1},
        {"3.1", "1", "E14", NULL, 8},   /* 0.2 × 8 = 1.6, cap 1 */
        {"3.6", "0.05", "E19", NULL, 0}, /* 0.1, cap 0.05 */
        {"4.1", "4", "E20", NULL, 6},   /* 6, cap 4 */
        {"4.2", "5", "E21", NULL, 1},
        {"4.3", "5", "E22", NULL, 1},   /* a veto takes the item's points */
        {"5.1", "2", "E24", NULL, 1},   /* 3, cap 2 */
    };
    kh_checklist *cl = make_checklist(r, res);
    kh_unit *u = score_ok(cl);
    assert_null(cl->results);
    assert_int_equal(u->ncosts, KH_ARRAY_LEN(want));
    for (size_t w = 0; w < KH_ARRAY_LEN(want); w++) {
        const kh_cost *c = &u->costs[w];
        char cell[KH_CELLREF_BUFSZ];
        if (strcmp(r->cps[c->cp].id, want[w].id) != 0 || strcmp(fmt(c->deduction), want[w].ded) != 0)
            fail_msg("cost %zu: check %s deduction %s, want %s %s", w, r->cps[c->cp].id,
                     fmt(c->deduction), want[w].id, want[w].ded);
        assert_string_equal(kh_cell_ref(c->row, c->col, cell), want[w].cell);
        assert_int_equal(c->n, want[w].n);
        if (want[w].remark)
            assert_string_equal(kh_cost_remark(u, c), want[w].remark);
        else
            assert_null(kh_cost_remark(u, c));
    }
    /* Items: 0.2 | 0.4 | 1 + 0.05 | min(9, 5) | 2.  Total 15 − 8.65 = 6.35. */
    static const char *const ded[] = {"0.2", "0.4", "1.05", "5", "2"};
    for (size_t i = 0; i < KH_ARRAY_LEN(ded); i++)
        assert_string_equal(fmt(u->items[i].deduction), ded[i]);
    assert_string_equal(fmt(u->total), "6.35");
    assert_true(u->vetoed);
    /* The remark of a check point that cost nothing is in its item's reason. */
    assert_non_null(strstr(u->items[1].reason, "备注：已补"));
    kh_unit_free(u);
    kh_unit_free(NULL);
    hand_rubric_free(r);
}

/* Absurd counts overflow the arithmetic: KH_ERR_LIMIT naming the file,
 * sheet and result cell; the checklist stays the caller's. */
static void overflow_is_a_limit(void **state)
{
    (void)state;
    static const cp_spec big[] = {
        {"1", "900000000000000", "1.1", "事故起数", KH_KIND_EACH, 0, "500000000000000", NULL},
        {"1", NULL, "1.2", "隐患次数", KH_KIND_EACH, 0, "500000000000000", NULL},
        {"2", "500000000000000", "2.1", "图片", KH_KIND_HAS, 0, "1", NULL},
        {"3", "500000000000000", "3.1", "签到单", KH_KIND_HAS, 0, "1", NULL},
    };
    kh_rubric *r = hand_rubric(hand_spec, KH_ARRAY_LEN(hand_spec));
    kh_rubric *rb = hand_rubric(big, KH_ARRAY_LEN(big));
    static const struct {
        int which; /* 0: hand rubric, 1: big */
        result_spec res[3];
        const char *where;
    } cases[] = {
        /* each: 0.5 × INT64_MAX */
        {0, {{"3.2", INT64_MAX}, {NULL}}, "filled/两江镇.xlsx:检查表!E15: "},
        /* a fractional per: 0.25 × (INT64_MAX / 2) */
        {0, {{"5.2", INT64_MAX / 2}, {NULL}}, "filled/两江镇.xlsx:检查表!E25: "},
        /* 5e14 + 5e14 points overflow the sum of the item */
        {1, {{"1.1", 1}, {"1.2", 1}, {NULL}}, "filled/两江镇.xlsx:检查表!E6: "},
        /* 9e14 + 5e14: the total, at the last check point of item 2 */
        {1, {{NULL}}, "filled/两江镇.xlsx:检查表!E7: "},
        /* a negative result (never produced by the reader) */
        {0, {{"3.5", -1}, {NULL}}, "filled/两江镇.xlsx:检查表!E18: "},
    };
    for (size_t c = 0; c < KH_ARRAY_LEN(cases); c++) {
        kh_checklist *cl = make_checklist(cases[c].which ? rb : r, cases[c].res);
        kh_diags d = {0};
        kh_unit *u = (kh_unit *)0x1;
        assert_int_equal(kh_score(cl, &u, &d), KH_ERR_LIMIT);
        assert_null(u);
        assert_int_equal(d.n, 1);
        assert_diags_contain(&d, cases[c].where);
        kh_diags_clear(&d);
        kh_checklist_free(cl); /* still ours */
    }
    hand_rubric_free(rb);
    hand_rubric_free(r);
}

/* Fail the Nth allocation of kh_score: it must then fail cleanly
 * (KH_ERR_NOMEM, nothing leaked, cl still ours). */
static void allocation_failures(void **state)
{
    (void)state;
    kh_rubric *r = hand_rubric(hand_spec, KH_ARRAY_LEN(hand_spec));
    static const result_spec res[] = {
        {"1.1", 0}, {"1.2", 0, "备注一"}, {"2.1", 0}, {"3.1", 9}, {"4.2", 1}, {"4.3", 1},
        {"4.4", 1}, {NULL},
    };
    bool done = false;
    long nomem = 0;
    for (long nth = 0; !done; nth++) {
        assert_true(nth < 10000);
        kh_diags d = {0};
        kh_unit *u = NULL;
        test_alloc_start(-1);
        kh_checklist *cl = make_checklist(r, res);
        long base = test_alloc.live;
        test_alloc.fail_at = test_alloc.calls + nth;
        kh_status st = kh_score(cl, &u, &d);
        if (st == KH_OK) {
            assert_true(u->vetoed);
            kh_unit_free(u); /* frees cl too */
            done = true;
        } else {
            assert_int_equal(st, KH_ERR_NOMEM);
            nomem++;
            assert_null(u);
            assert_int_equal(test_alloc.live, base); /* nothing of the unit left */
            kh_checklist_free(cl);             /* still ours */
        }
        kh_set_allocator(NULL);
        assert_int_equal(test_alloc.live, 0);
        assert_int_equal(d.n, 0);
    }
    assert_true(nomem > 0); /* the failures did reach kh_score */
    hand_rubric_free(r);
}

/* A scored unit is one block (the unit, items, costs, text), and its
 * checks (keep_checks) one more; checks a caller gives a unit afterwards
 * (kaohe serve does, for a 自评 unit) are freed with it. */
static void unit_blocks(void **state)
{
    (void)state;
    kh_rubric *r = hand_rubric(hand_spec, KH_ARRAY_LEN(hand_spec));
    static const result_spec res[] = {
        {"1.1", 0}, {"1.2", 0, "备注一"}, {"2.1", 0}, {"3.1", 9}, {"4.2", 1}, {"4.3", 1},
        {"4.4", 1}, {NULL},
    };
    for (int keep = 0; keep < 3; keep++) {
        test_alloc_start(-1);
        kh_checklist *cl = make_checklist(r, res);
        cl->keep_checks = keep == 1;
        kh_checklist_drop_results(cl); /* what the checklist keeps once scored */
        long base = test_alloc.live;
        kh_checklist_free(cl);
        cl = make_checklist(r, res);
        cl->keep_checks = keep == 1;
        kh_unit *u = score_ok(cl);
        assert_int_equal(test_alloc.live - base, keep == 1 ? 2 : 1);
        assert_true(u->ncosts > 0);
        assert_true((char *)u->items > (char *)u && (char *)u->costs > (char *)u->items &&
                    u->text > (char *)u->costs);
        assert_true(kh_cost_phrase(u, &u->costs[0])[0] != '\0'); /* in the block's text */
        if (keep == 2) {
            assert_null(u->checks);
            u->checks = kh_calloc(r->ncps, sizeof *u->checks);
            assert_non_null(u->checks);
        }
        kh_unit_free(u); /* frees cl too */
        kh_set_allocator(NULL);
        assert_int_equal(test_alloc.live, 0);
    }
    hand_rubric_free(r);
}

/* ---- the 2020 rubrics, totals worked out on paper ---- */

static kh_rubric *load_rubric(const char *path)
{
    kh_diags d = {0};
    kh_rubric *r = NULL;
    kh_status st = kh_rubric_load(path, &r, &d);
    test_print_diags(&d);
    assert_int_equal(st, KH_OK);
    kh_diags_clear(&d);
    return r;
}

typedef struct item_want {
    const char *deduction;
    const char *reason;
} item_want;

/* Score res against r and compare every item and the total. */
static kh_unit *check_unit(const kh_rubric *r, const result_spec *res, const item_want *want,
                           size_t nwant, const char *total)
{
    assert_int_equal(r->nitems, nwant);
    kh_unit *u = score_ok(make_checklist(r, res));
    for (size_t i = 0; i < nwant; i++) {
        const char *got = fmt(u->items[i].deduction);
        if (strcmp(got, want[i].deduction) != 0 || strcmp(u->items[i].reason, want[i].reason) != 0)
            fail_msg("item %s: deduction %s, reason \"%s\"; want %s, \"%s\"", r->items[i].num,
                     got, u->items[i].reason, want[i].deduction, want[i].reason);
        assert_int_equal(u->items[i].score, r->items[i].points - u->items[i].deduction);
    }
    assert_string_equal(fmt(u->total), total);
    return u;
}

#define TOWNSHIP "templates/rubrics/lingui-2020-township.csv"
#define DEPARTMENT "templates/rubrics/lingui-2020-department.csv"

static void township_clean(void **state)
{
    (void)state;
    kh_rubric *r = load_rubric(TOWNSHIP);
    kh_unit *u = score_ok(make_checklist(r, NULL));
    assert_string_equal(fmt(u->total), "40");
    for (size_t i = 0; i < r->nitems; i++)
        assert_string_equal(u->items[i].reason, "");
    assert_false(u->vetoed);
    kh_unit_free(u);
    kh_rubric_free(r);
}

/*
 * (a) A township losing points in 11 items.
 *   1  (3)  图片, 签到单 missing: 2 × 0.5                       = 1      -> 2
 *   3  (2)  meetings 1 of 2: 0.2 × 1; 领导机构 missing 0.2       = 0.4    -> 1.6
 *   4  (2)  2 meetings missed: 0.2 × 2                          = 0.4    -> 1.6
 *   5  (2)  party leader inspected 1 of 2: 0.5 × 1              = 0.5    -> 1.5
 *   6  (1)  工作总结 missing 0.2; 1 task not done 0.2           = 0.4    -> 0.6
 *   7  (2)  0 of 2 actions: 1 × 2 = 2; 检查记录, 复查记录 2 × 0.4 = 0.8;
 *           2.8 > 2, capped                                     = 2      -> 0
 *   8  (3)  清明, 两会 missing 2 × 0.6 = 1.2; 问题闭环管理 0.2   = 1.4    -> 1.6
 *   10 (2)  整改前后图片 missing                                = 0.2    -> 1.8
 *   12 (3)  横幅, 板报 missing 2 × 0.5 (with a remark)           = 1      -> 2
 *   13 (1)  remark only                                         = 0      -> 1
 *   14 (2)  演练脚本 missing                                     = 1      -> 1
 *   17 (5)  6 ordinary accidents: 1 × 6 = 6, cap 4              = 4      -> 1
 * Deductions 1 + 0.4 + 0.4 + 0.5 + 0.4 + 2 + 1.4 + 0.2 + 1 + 1 + 4 = 12.3;
 * total 40 − 12.3 = 27.7.
 */
static void township_many_items(void **state)
{
    (void)state;
    kh_rubric *r = load_rubric(TOWNSHIP);
    static const result_spec res[] = {
        {"1.6", 0}, {"1.7", 0}, {"3.1", 1}, {"3.5", 0}, {"4.1", 2}, {"5.1", 1}, {"5.2", 2},
        {"6.2", 0}, {"6.3", 1}, {"7.1", 0}, {"7.2", 0}, {"7.3", 0}, {"8.2", 0}, {"8.5", 0},
        {"8.10", 0}, {"10.3", 0}, {NULL},
    };
    result_spec all[32];
    size_t n = 0;
    for (; res[n].id; n++)
        all[n] = res[n];
    all[n++] = (result_spec){"12.3", 0, NULL};
    all[n++] = (result_spec){"12.4", 0, "板报已拆除"};
    all[n++] = (result_spec){"13.1", 1, "培训通知见附件"};
    all[n++] = (result_spec){"14.2", 0, NULL};
    all[n++] = (result_spec){"17.1", 6, NULL};
    all[n] = (result_spec){NULL};
    static const item_want want[] = {
        {"1", "缺图片、签到单，扣1分"},
        {"0", ""},
        {"0.4", "召开本辖区安全生产工作会议少1次（应不少于2次），扣0.2分；未成立领导机构，扣0.2分"},
        {"0.4", "未按要求参加安全生产工作会议2次，扣0.4分"},
        {"0.5", "党委主要领导带队检查少1次（应不少于2次），扣0.5分"},
        {"0.4", "缺工作总结，扣0.2分；未按计划开展工作1次，扣0.2分"},
        {"2", "专项整治或“打非治违”行动少2次（应不少于2次），扣2分；缺检查记录、复查记录，"
              "扣0.8分；累计扣2.8分，本项扣完2分为止"},
        {"1.4", "未开展清明期间安全生产大检查、未开展两会期间安全生产大检查，扣1.2分；"
                "未实行问题闭环管理，扣0.2分"},
        {"0", ""},
        {"0.2", "缺整改前后图片，扣0.2分"},
        {"0", ""},
        {"1", "缺横幅、板报，扣1分；备注：板报已拆除"},
        {"0", "备注：培训通知见附件"},
        {"1", "缺演练脚本，扣1分"},
        {"0", ""},
        {"0", ""},
        {"4", "发生一般事故6起，扣4分（最高扣4分）"},
    };
    kh_unit *u = check_unit(r, all, want, KH_ARRAY_LEN(want), "27.7");
    assert_string_equal(fmt(u->items[6].score), "0");
    assert_string_equal(fmt(u->items[16].score), "1");
    assert_false(u->vetoed);
    kh_unit_free(u);
    kh_rubric_free(r);
}

/*
 * (b) A department with the small steps.
 *   1 (0.2)  图片, 签到单, 与企业签订责任状 missing: 3 × 0.02     = 0.06  -> 0.14
 *   2 (0.2)  1 meeting missed: 0.02 × 1                        = 0.02  -> 0.18
 *   3 (0.2)  deputy leader inspected 1 of 2: 0.04 × 1          = 0.04  -> 0.16
 *   5 (0.2)  0 of 2 actions: 0.1 × 2 = 0.2; all 5 records missing
 *            5 × 0.02 = 0.1; 0.3 > 0.2, capped                 = 0.2   -> 0
 *   6 (0.4)  春节 missing 0.1; 检查记录 missing 0.02            = 0.12  -> 0.28
 *   8 (0.2)  检查记录, 图片 missing: 2 × 0.05                   = 0.1   -> 0.1
 * Deductions 0.06 + 0.02 + 0.04 + 0.2 + 0.12 + 0.1 = 0.54; total 3 − 0.54 = 2.46.
 */
static void department_small_steps(void **state)
{
    (void)state;
    kh_rubric *r = load_rubric(DEPARTMENT);
    static const result_spec res[] = {
        {"1.6", 0}, {"1.7", 0}, {"1.9", 0}, {"2.1", 1}, {"3.1", 2}, {"3.2", 1},
        {"5.1", 0}, {"5.2", 0}, {"5.3", 0}, {"5.4", 0}, {"5.5", 0}, {"5.6", 0},
        {"6.1", 0}, {"6.6", 0}, {"8.2", 0}, {"8.3", 0}, {NULL},
    };
    static const item_want want[] = {
        {"0.06", "缺图片、签到单、未与企业签订责任状，扣0.06分"},
        {"0.02", "未按要求参加安全生产工作会议1次，扣0.02分"},
        {"0.04", "分管领导带队检查少1次（应不少于2次），扣0.04分"},
        {"0", ""},
        {"0.2", "专项整治或“打非治违”行动少2次（应不少于2次），扣0.2分；"
                "缺检查记录、复查记录、相关图片、工作总结、存在问题整改措施，扣0.1分；"
                "累计扣0.3分，本项扣完0.2分为止"},
        {"0.12", "未开展春节期间安全生产大检查，扣0.1分；缺检查记录，扣0.02分"},
        {"0", ""},
        {"0.1", "缺检查记录、图片，扣0.1分"},
        {"0", ""}, {"0", ""}, {"0", ""}, {"0", ""}, {"0", ""}, {"0", ""}, {"0", ""},
    };
    kh_unit *u = check_unit(r, res, want, KH_ARRAY_LEN(want), "2.46");
    assert_string_equal(fmt(u->items[0].score), "0.14");
    assert_string_equal(fmt(u->items[5].score), "0.28");
    kh_unit_free(u);
    kh_rubric_free(r);
}

/*
 * (b') Item 1 of the department mixes has and count with one per: the
 * missing ones share one phrase where the first is, the count follows.
 *   1.1 学习记录 missing 0.02, 1.8 meetings 0 of 2: 0.02 × 2 = 0.04,
 *   1.10 制定工作措施 missing 0.02: 0.08 -> 0.12;  7 × 0.02 = 0.14 for
 *   every has missing plus 0.04 = 0.18 <= 0.2 (second case).
 *   Totals: 3 − 0.08 = 2.92; 3 − 0.18 = 2.82.
 */
static void department_item1_order(void **state)
{
    (void)state;
    kh_rubric *r = load_rubric(DEPARTMENT);
    static const result_spec res[] = {{"1.1", 0}, {"1.8", 0}, {"1.10", 0}, {NULL}};
    kh_unit *u = score_ok(make_checklist(r, res));
    assert_string_equal(fmt(u->items[0].deduction), "0.08");
    assert_string_equal(u->items[0].reason,
                        "缺学习记录、未制定工作措施，扣0.04分；"
                        "召开本行业领域安全生产工作会议少2次（应不少于2次），扣0.04分");
    assert_string_equal(fmt(u->total), "2.92");
    kh_unit_free(u);

    static const result_spec res2[] = {
        {"1.1", 0}, {"1.2", 0}, {"1.3", 0}, {"1.4", 0}, {"1.5", 0}, {"1.6", 0}, {"1.7", 0},
        {"1.8", 0}, {NULL},
    };
    u = score_ok(make_checklist(r, res2));
    assert_string_equal(fmt(u->items[0].deduction), "0.18");
    assert_string_equal(fmt(u->items[0].score), "0.02");
    assert_string_equal(fmt(u->total), "2.82");
    kh_unit_free(u);
    kh_rubric_free(r);
}

/*
 * (c) Vetoes.  Township: 学习记录 missing 0.5 and one 重大事故: vetoed,
 * and item 17 loses its 5 points: total 40 − 0.5 − 5 = 34.5.  Department:
 * 2 ordinary accidents 0.1 × 2 = 0.2 and one 特别重大事故 0.4: 0.6 > 0.4,
 * item 15 loses its 0.4: total 3 − 0.4 = 2.6.
 */
static void vetoes(void **state)
{
    (void)state;
    kh_rubric *t = load_rubric(TOWNSHIP);
    static const result_spec res[] = {{"1.1", 0}, {"17.3", 1}, {NULL}};
    kh_unit *u = score_ok(make_checklist(t, res));
    assert_true(u->vetoed);
    assert_string_equal(u->veto_reason, "发生重大事故1起，一票否决");
    assert_string_equal(u->items[16].reason, "发生重大事故1起，扣5分，一票否决");
    assert_string_equal(fmt(u->items[16].deduction), "5");
    assert_string_equal(fmt(u->items[16].score), "0");
    assert_string_equal(fmt(u->total), "34.5");
    kh_unit_free(u);
    kh_rubric_free(t);

    kh_rubric *dp = load_rubric(DEPARTMENT);
    static const result_spec res2[] = {{"15.1", 2}, {"15.4", 1}, {NULL}};
    u = score_ok(make_checklist(dp, res2));
    assert_true(u->vetoed);
    assert_string_equal(u->veto_reason, "发生特别重大事故1起，一票否决");
    assert_string_equal(u->items[14].reason,
                        "发生一般事故2起，扣0.2分；发生特别重大事故1起，扣0.4分，一票否决；"
                        "累计扣0.6分，本项扣完0.4分为止");
    assert_string_equal(fmt(u->items[14].score), "0");
    assert_string_equal(fmt(u->total), "2.6");
    kh_unit_free(u);
    kh_rubric_free(dp);
}

/*
 * (d) 较大事故 (any).  Township: 2 ordinary accidents 1 × 2 = 2 and one
 * 较大事故 5: 7 > 5, item 17 loses 5; total 40 − 5 = 35.  Department: two
 * 较大事故 alone: the item's 0.4; total 3 − 0.4 = 2.6; five ordinary
 * accidents alone: 0.1 × 5 = 0.5, cap 0.4, total 2.6 as well.
 */
static void any_accident(void **state)
{
    (void)state;
    kh_rubric *t = load_rubric(TOWNSHIP);
    static const result_spec res[] = {{"17.1", 2}, {"17.2", 1}, {NULL}};
    kh_unit *u = score_ok(make_checklist(t, res));
    assert_false(u->vetoed);
    assert_null(u->veto_reason);
    assert_string_equal(fmt(u->items[16].deduction), "5");
    assert_string_equal(fmt(u->items[16].score), "0");
    assert_string_equal(u->items[16].reason,
                        "发生一般事故2起，扣2分；发生较大事故1起，扣5分；"
                        "累计扣7分，本项扣完5分为止");
    assert_string_equal(fmt(u->total), "35");
    kh_unit_free(u);
    kh_rubric_free(t);

    kh_rubric *dp = load_rubric(DEPARTMENT);
    static const result_spec res2[] = {{"15.2", 2}, {NULL}};
    u = score_ok(make_checklist(dp, res2));
    assert_string_equal(u->items[14].reason, "发生较大事故2起，扣0.4分");
    assert_string_equal(fmt(u->total), "2.6");
    kh_unit_free(u);
    static const result_spec res3[] = {{"15.1", 5}, {NULL}};
    u = score_ok(make_checklist(dp, res3));
    assert_string_equal(u->items[14].reason, "发生一般事故5起，扣0.4分（最高扣0.4分）");
    assert_string_equal(fmt(u->total), "2.6");
    kh_unit_free(u);
    kh_rubric_free(dp);
}

/* The phrase of each cost (the ranking's 扣分明细 row) and the item reason
 * come from the same words.  Township item 3 (0.2 each): 3.2 and 3.5 read
 * as the rubric's missing texts, 3.6 and 3.7 as 缺 once for the run: 0.8.
 * Item 7: 7.1 short by 2 (1 each) = 2, 7.2 0.4: 2.4 > 2, the note on the
 * last firing check point.  17.1: 6 ordinary accidents, 6 > cap 4. */
static void cost_phrases(void **state)
{
    (void)state;
    kh_rubric *r = load_rubric(TOWNSHIP);
    static const result_spec res[] = {{"3.2", 0}, {"3.5", 0}, {"3.6", 0}, {"3.7", 0},
                                      {"7.1", 0}, {"7.2", 0}, {"17.1", 6}, {NULL}};
    kh_unit *u = score_ok(make_checklist(r, res));
    assert_string_equal(u->items[2].reason,
                        "未与村委签订责任状、未成立领导机构、缺会议记录、图片，扣0.8分");
    assert_string_equal(u->items[6].reason,
                        "专项整治或“打非治违”行动少2次（应不少于2次），扣2分；缺检查记录，扣0.4分；"
                        "累计扣2.4分，本项扣完2分为止");
    static const char *const want[][2] = {
        {"3.2", "未与村委签订责任状，扣0.2分"},
        {"3.5", "未成立领导机构，扣0.2分"},
        {"3.6", "缺会议记录，扣0.2分"},
        {"3.7", "缺图片，扣0.2分"},
        {"7.1", "专项整治或“打非治违”行动少2次（应不少于2次），扣2分"},
        {"7.2", "缺检查记录，扣0.4分；累计扣2.4分，本项扣完2分为止"},
        {"17.1", "发生一般事故6起，扣4分（最高扣4分）"},
    };
    assert_int_equal(u->ncosts, KH_ARRAY_LEN(want));
    for (size_t i = 0; i < u->ncosts; i++) {
        assert_string_equal(r->cps[u->costs[i].cp].id, want[i][0]);
        assert_string_equal(kh_cost_phrase(u, &u->costs[i]), want[i][1]);
    }
    kh_unit_free(u);
    kh_rubric_free(r);
}

/* A label made only of a bracketed note (a rubric writing its check point
 * as "（签到单）") keeps its text in the reason and the cost phrase: only a
 * note after some other text is dropped. */
static void note_only_label(void **state)
{
    (void)state;
    static const cp_spec spec[] = {
        {"1", "2", "1.1", "（签到单）", KH_KIND_HAS, 0, "0.5", NULL},
        {"1", NULL, "1.2", "会议记录（含纪要）", KH_KIND_HAS, 0, "0.5", NULL},
    };
    kh_rubric *r = hand_rubric(spec, KH_ARRAY_LEN(spec));
    static const result_spec res[] = {{"1.1", 0}, {NULL}};
    kh_unit *u = score_ok(make_checklist(r, res));
    assert_string_equal(u->items[0].reason, "缺（签到单），扣0.5分");
    assert_int_equal(u->ncosts, 1);
    assert_string_equal(kh_cost_phrase(u, &u->costs[0]), "缺（签到单），扣0.5分");
    kh_unit_free(u);
    static const result_spec res2[] = {{"1.2", 0}, {NULL}};
    u = score_ok(make_checklist(r, res2));
    assert_string_equal(u->items[0].reason, "缺会议记录，扣0.5分");
    kh_unit_free(u);
    hand_rubric_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds_and_caps),
        cmocka_unit_test(cp_deductions),
        cmocka_unit_test(overflow_is_a_limit),
        cmocka_unit_test(allocation_failures),
        cmocka_unit_test(unit_blocks),
        cmocka_unit_test(township_clean),
        cmocka_unit_test(township_many_items),
        cmocka_unit_test(department_small_steps),
        cmocka_unit_test(department_item1_order),
        cmocka_unit_test(vetoes),
        cmocka_unit_test(any_accident),
        cmocka_unit_test(cost_phrases),
        cmocka_unit_test(note_only_label),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
