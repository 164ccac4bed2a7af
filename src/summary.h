/*
 * summary.h - 问题汇总: where the units of a batch lost points, check point
 * by check point and item by item (doc/formats.md §5, "summary").
 *
 * Computed from the units in the ranking: every scored unit, vetoed ones
 * included; rejected checklists and the roster's missing units are not
 * in it.  A unit loses points on a check point when the check point is
 * one of its costs (kh_cost: a deduction other than 0, or a veto that
 * fired).  Points are exact decimals:
 *   a check point's points lost  the sum of its deductions after its own
 *                                cap, before the item's cap (what the
 *                                扣分明细 rows show);
 *   an item's points lost        the sum of the item deductions, after the
 *                                item's cap (what the units really lost).
 * Sorted by units affected (most first), ties in rubric order; check
 * points are grouped under their item.
 */
#ifndef KH_SUMMARY_H
#define KH_SUMMARY_H

#include "batch.h"
#include "previous.h"

#include <stdio.h>

/* Per cent of n out of total, rounded half up (7/17 -> 41); 0 when total
 * is 0. */
unsigned kh_summary_pct(size_t n, size_t total);

typedef struct kh_sum_check {
    const kh_checkpoint *cp;
    size_t index;             /* in the rubric's cps */
    size_t nunits;            /* units that lost points on it */
    kh_dec lost;              /* points lost in all */
    const kh_unit **units;    /* those units, in ranking order (nunits) */
    bool has_prev;            /* the earlier run had units of this rubric
                                 with their check points */
    size_t prev_units;        /* then: units that lost points on it */
} kh_sum_check;

typedef struct kh_sum_item {
    const kh_item *item;
    size_t index;             /* in the rubric's items */
    size_t nunits;            /* units with a deduction on the item (or a veto) */
    kh_dec lost;              /* the item deductions added up */
    const kh_unit **units;
    kh_sum_check *checks;     /* its check points, most units first */
    size_t nchecks;
    bool has_prev;
    size_t prev_units;
} kh_sum_item;

typedef struct kh_sum_rubric {
    const kh_rubric *rubric;
    size_t nunits;            /* units assessed (in the ranking) */
    size_t nvetoed;
    size_t prev_nunits;       /* units of the earlier run with check points */
    kh_sum_item *items;       /* most units first */
    size_t nitems;
} kh_sum_rubric;

typedef struct kh_summary {
    kh_sum_rubric *v;         /* rubrics in the order of the ranking */
    size_t n;
} kh_summary;

/** The 问题汇总 of batch b (finished), compared with prev when it is not
 * NULL (units of the same rubric id whose check points it recorded).
 * KH_OK with *out set, or KH_ERR_NOMEM. */
kh_status kh_summary_new(const kh_batch *b, const kh_previous *prev, kh_summary **out);
void kh_summary_free(kh_summary *s);

/** The n check points of s lost by the most units (ties: rubric order,
 * then rubric), only those lost by at least one unit: up to n pointers
 * into s in top[], their number returned. */
size_t kh_summary_top(const kh_summary *s, const kh_sum_check **top,
                      const kh_sum_rubric **of, size_t n);

/** The line of one check point or item:
 * "8.3 中秋期间安全生产大检查：失分单位 7/17（41%），共失分 2.1 分"
 * (label without its trailing note).  New string or NULL. */
char *kh_summary_check_line(const kh_sum_rubric *r, const kh_sum_check *c);
char *kh_summary_item_line(const kh_sum_rubric *r, const kh_sum_item *it);

/** The change from the earlier run of check point c, "较上年多 2 个单位",
 * "较上年少 1 个单位", "与上年相同", or NULL when there is nothing to
 * compare (no earlier run).  New string or NULL. */
char *kh_summary_change(size_t now, size_t before, bool has_prev);

/** The JSON section "summary" (without its key): an array, one object per
 * rubric.  Written with json_str for strings; the caller locks out. */
void kh_summary_write_json(const kh_summary *s, FILE *out,
                           void (*json_str)(FILE *out, const char *s));

/** The JSON member ",\n \"summary\": [...]" of batch b, for the
 * document of kaohe rank --json (compared with the earlier run of
 * kh_batch_set_previous, if any: with previous_units).
 * KH_OK or KH_ERR_NOMEM. */
kh_status kh_summary_json(const kh_batch *b, FILE *out, void (*json_str)(FILE *out, const char *s));

#endif
