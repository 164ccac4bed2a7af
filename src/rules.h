/*
 * rules.h - the rule engine: a checklist in, a scored unit out, with exact
 * decimal deductions and a generated reason per item (doc/formats.md §2,
 * scoring).  No knowledge of any particular rubric.
 */
#ifndef KH_RULES_H
#define KH_RULES_H

#include "checklist.h"
#include "decimal.h"

/* Length of label without one trailing full-width note "（…）" (nested
 * ones balanced): the label as reasons and fill-in texts show it. */
size_t kh_label_core_len(const char *label);

typedef struct kh_item_score {
    kh_dec deduction;   /* after check caps and the item cap */
    kh_dec score;       /* points − deduction */
    char *reason;       /* Chinese, e.g. "缺图片、签到单，扣1分"; "" when none
                           (in the unit's text) */
} kh_item_score;

/* A check point that cost points (a deduction other than 0) or vetoed the
 * unit: what the ranking's 扣分明细 shows of it.  A scored unit keeps these
 * only; the others cost nothing and their remarks are in the reasons. */
typedef struct kh_cost {
    kh_dec deduction;   /* after its cap */
    int64_t n;          /* the whole number read (count, each, any, veto) */
    uint32_t cp;        /* index of the check point (rubric order) */
    uint32_t row, col;  /* the result cell, 0-based */
    uint32_t remark;    /* 备注: offset in the unit's text + 1; 0 when none */
    uint32_t phrase;    /* what it cost in words (rules.c), offset + 1 */
} kh_cost;

/* One check point's result as read (kept with kh_checklist.keep_checks):
 * 16 bytes, as every unit of a run keeps one per check point. */
typedef struct kh_check {
    int64_t n;              /* count, each, any, veto: the whole number */
    uint32_t row;           /* the result cell, 0-based */
    uint16_t col;           /* (< KH_MAX_COLS) */
    bool present;           /* has: present */
} kh_check;
_Static_assert(KH_MAX_COLS <= UINT16_MAX + 1u, "kh_check.col");

typedef struct kh_unit {
    kh_checklist *cl;       /* owned (its results are freed once scored) */
    kh_item_score *items;   /* per item (rubric order) */
    kh_cost *costs;         /* rubric order */
    size_t ncosts;
    char *text;             /* one block holding every string below */
    kh_dec total;           /* sum of item scores (also for vetoed units) */
    bool vetoed;
    char *veto_reason;      /* e.g. "发生重大事故1起，一票否决", or NULL (in text) */
    size_t order;           /* input order within the batch */
    long rank;              /* 1-based rank within its rubric; 0 = none */
    const char *grade;      /* 等次 (kh_batch_finish), or NULL when no bands apply */
    const char *final;      /* 定稿 since ("2021-01-12"; kh_batch_set_final), or NULL */
    size_t roster_pos;      /* its entry on the batch's roster (kh_batch_finish) */
    kh_check *checks;       /* every check point's result (rubric order), or NULL */
    const struct kh_unit *self; /* the unit's own 自评 (selfeval.h), or NULL; not owned */
} kh_unit;

/* The phrase of cost c of u: "缺签到单，扣0.2分", "发生一般事故6起，扣4分
 * （最高扣4分）" ("" for none). */
static inline const char *kh_cost_phrase(const kh_unit *u, const kh_cost *c)
{
    return c->phrase ? u->text + c->phrase - 1 : "";
}

/* The remark of cost c of u, or NULL. */
static inline const char *kh_cost_remark(const kh_unit *u, const kh_cost *c)
{
    return c->remark ? u->text + c->remark - 1 : NULL;
}

/* Score a checklist.  On success *out owns cl (whose results it has
 * freed: the unit keeps its costs instead).  KH_ERR_NOMEM or
 * KH_ERR_LIMIT (arithmetic overflow, with a diagnostic in d) otherwise, in
 * which case cl is still the caller's. */
kh_status kh_score(kh_checklist *cl, kh_unit **out, kh_diags *d);

void kh_unit_free(kh_unit *u);

/* Whether check point cp of an item worth points costs points (or vetoes)
 * for the result n (count, each, any, veto) or present (has): the test
 * that makes a check point one of a unit's costs, for results read back
 * from an earlier run (问题汇总 compared with last year).  A result too
 * large to compute costs points. */
bool kh_cp_costs(const kh_checkpoint *cp, kh_dec points, int64_t n, bool present);

#endif
