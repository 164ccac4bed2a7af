/*
 * selfeval.h - the unit's own assessment (自评) beside the reviewed result
 * (考评, what the batch scores and ranks): 自评 checklists read and scored
 * like any input, matched to the batch's units by (rubric, unit) when the
 * batch is finished, and shown beside them by the writers (doc/formats.md
 * §5, 自评与考评).  The difference is always 考评 − 自评 in points of
 * score: negative when the inspectors found less than the unit claimed.
 */
#ifndef KH_SELFEVAL_H
#define KH_SELFEVAL_H

#include "batch.h"

#include <stdio.h>

/* What a batch keeps of its 自评 checklists (kh_batch.self). */
struct kh_self {
    kh_batch *in;          /* the 自评 checklists, scored with every result kept */
    const kh_unit **unmatched; /* 自评 units without a 考评 unit (kh_batch_finish) */
    size_t nunmatched;
};

void kh_self_free(struct kh_self *s);

/* Add u, a scored 自评 (the online 填报 of a workspace: kh_fill_score),
 * to b's 自评 as kh_batch_add_self adds a file's: b takes u over (also on
 * failure, when it is freed).  Before kh_batch_finish. */
kh_status kh_batch_add_self_unit(kh_batch *b, kh_unit *u);

/* Match the 自评 units of b to its units (u->self), for kh_batch_finish,
 * after the batch's own rejections: duplicates among the 自评 checklists
 * are rejected (kh_batch_self_errors), those without a 考评 unit listed.
 * KH_OK or KH_ERR_NOMEM. */
kh_status kh_self_match(kh_batch *b);

/* Whether some unit of b carries a 自评 (outputs gain their columns). */
bool kh_batch_has_self(const kh_batch *b);

/* The deduction of check point cp (rubric index) of u: its kh_cost's,
 * 0 when it cost nothing. */
kh_dec kh_unit_cp_deduction(const kh_unit *u, size_t cp);

/* The comparison text of check point cp of u: the result as answered and
 * what it cost, "无（扣0.5分）", "1（扣0.2分）", "有"; without kept results
 * (kh_options.keep_checks) "扣0.5分" or "不扣分".  Written into buf (n
 * bytes, 64 are enough). */
const char *kh_unit_cp_text(const kh_unit *u, size_t cp, char *buf, size_t n);

/* 考评 − 自评 of item it of u (which has a self), of its total, and of
 * check point cp (自评's deduction − 考评's: in points of score). */
kh_dec kh_self_item_diff(const kh_unit *u, size_t it);
kh_dec kh_self_total_diff(const kh_unit *u);
kh_dec kh_self_cp_diff(const kh_unit *u, size_t cp);

/* JSON: u's "self" member (", \"self\": {...}" or ", \"self\": null"),
 * written only when the batch has 自评 checklists at all; and the
 * document's "self_rejected" and "self_unmatched" lists, likewise. */
void kh_self_json_unit(FILE *out, const kh_batch *b, const kh_unit *u,
                       void (*str)(FILE *, const char *));
kh_status kh_self_json_lists(FILE *out, const kh_batch *b, void (*str)(FILE *, const char *));

#endif
