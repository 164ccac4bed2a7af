/*
 * rules.h - the rule engine: a checklist in, a scored unit out, with exact
 * decimal deductions and a generated reason per item (SPEC section 2,
 * Scoring rules).  No knowledge of any particular rubric.
 */
#ifndef KH_RULES_H
#define KH_RULES_H

#include "checklist.h"
#include "decimal.h"

typedef struct kh_item_score {
    kh_dec deduction;   /* after check caps and the item cap */
    kh_dec score;       /* points − deduction */
    char *reason;       /* Chinese, e.g. "缺图片、签到单，扣1分"; "" when none */
} kh_item_score;

typedef struct kh_unit {
    kh_checklist *cl;       /* owned */
    kh_dec *cp_deduction;   /* per check point, after its cap (rubric order) */
    kh_item_score *items;   /* per item (rubric order) */
    kh_dec total;           /* sum of item scores (also for vetoed units) */
    bool vetoed;
    char *veto_reason;      /* e.g. "发生重大事故1起，一票否决", or NULL */
    size_t order;           /* input order within the batch */
    long rank;              /* 1-based rank within its rubric; 0 = none */
} kh_unit;

/* Score a checklist.  On success *out owns cl.  KH_ERR_NOMEM or
 * KH_ERR_LIMIT (arithmetic overflow, with a diagnostic in d) otherwise, in
 * which case cl is still the caller's. */
kh_status kh_score(kh_checklist *cl, kh_unit **out, kh_diags *d);

void kh_unit_free(kh_unit *u);

#endif
