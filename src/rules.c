/*
 * rules.c - the rule engine: one checklist in, one scored unit out
 * (doc/formats.md §2, scoring).  All arithmetic is exact kh_dec with
 * overflow checks; nothing here knows any particular rubric.
 *
 * Deductions.  For a check point with result r:
 *   has    missing -> per
 *   count  per × max(0, need − n)
 *   each   per × n
 *   any    n >= 1 -> the item's full points
 *   veto   n >= 1 -> the item's full points, and the unit is vetoed
 * then min(deduction, cap) when the check point has a cap (its deduction).
 * Item deduction = min(sum of its deductions, item points); item score =
 * points − deduction; total = sum of item scores, also for vetoed units.
 *
 * Reasons: every deduction phrase kaohe shows is made here (the
 * scoresheet, JSON, CSV and the ranking's 扣分明细 all show these words).
 * A check point "fires" when a has is missing, a count is short (k = need
 * − n > 0), or an each/any/veto has n >= 1.  {L} is its label without one
 * trailing full-width note "（…）" (unless nothing would be left), {x} a
 * deduction as kh_dec_format prints it.
 *
 *   has      its missing text: the rubric's "missing" (未与村委签订责任状),
 *            else 缺{L}
 *   count    {S}少{k}{X}（应不少于{need}{X}）
 *   each     {S}{n}{X}; 发生 before a number of 起 unless L starts with it
 *   any      as each
 *   veto     as each
 * where, for L ending in X数 (X one of 次 起 个 项 家 人), S is L without
 * X数; otherwise S = L and X is empty.
 *
 * The phrase of one check point (kh_cost.phrase, the 扣分明细 row): its text,
 * "，扣{x}分", then "（最高扣{cap}分）" when its cap cut it, and for a veto
 * "，一票否决"; the last firing check point of an item whose deductions add
 * up past its points adds "；累计扣{sum}分，本项扣完{points}分为止".
 *
 * The reason of an item (kh_item_score.reason): the missing has check
 * points of the item with the same per share one phrase, placed where the
 * first of them is: their texts joined with "、", where a 缺{L} right after
 * another 缺{L} drops its 缺 (缺图片、签到单), then "，扣{sum}分".  Every
 * other firing check point gives its own phrase as above (without the item
 * note).  Phrases are joined with "；" in rubric order; then
 * "；累计扣{sum}分，本项扣完{points}分为止" when the item's deductions add up
 * past its points; then the non-empty remarks of the item's check points,
 * as "；备注：{r1}；{r2}" ("备注：{r1}；{r2}" when nothing came before).  An
 * item with no phrase and no remark has reason "".
 *
 * veto_reason: the veto check points' texts with "，一票否决"
 * ("发生重大事故1起，一票否决"), joined with "；", or NULL.
 */
#include "rules.h"

#include <inttypes.h>
#include <string.h>

#define SEP "\xef\xbc\x9b"        /* ； */
#define ENUM_COMMA "\xe3\x80\x81" /* 、 */
#define PAREN_OPEN "\xef\xbc\x88" /* （ */
#define PAREN_CLOSE "\xef\xbc\x89" /* ） */

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Length of label without one trailing full-width parenthetical "（…）"
 * (nested ones balanced); the whole length when there is none or nothing
 * would be left. */
size_t kh_label_core_len(const char *label)
{
    size_t len = strlen(label);
    const size_t pl = strlen(PAREN_OPEN);
    if (!ends_with(label, len, PAREN_CLOSE))
        return len;
    int depth = 0;
    size_t i = len;
    while (i >= pl) {
        if (memcmp(label + i - pl, PAREN_CLOSE, pl) == 0) {
            depth++;
            i -= pl;
        } else if (memcmp(label + i - pl, PAREN_OPEN, pl) == 0) {
            depth--;
            i -= pl;
            if (depth == 0)
                return i > 0 ? i : len;
        } else {
            i--;
        }
    }
    return len;
}

/* The measure word of a label ending in X数 (X one of 次 起 个 项 家 人):
 * returns X and sets *stem_len to the length before X数; NULL otherwise. */
static const char *measure_word(const char *label, size_t core, size_t *stem_len)
{
    static const char *const words[] = {"次", "起", "个", "项", "家", "人"};
    static const char shu[] = "数";
    if (!ends_with(label, core, shu))
        return NULL;
    size_t before = core - strlen(shu);
    for (size_t i = 0; i < KH_ARRAY_LEN(words); i++) {
        if (ends_with(label, before, words[i])) {
            *stem_len = before - strlen(words[i]);
            return words[i];
        }
    }
    return NULL;
}

/* "{S}少{k}{X}（应不少于{need}{X}）" of a count check point short by k. */
static void phrase_count(kh_buf *b, const char *label, int64_t k, int64_t need)
{
    size_t core = kh_label_core_len(label), stem;
    const char *x = measure_word(label, core, &stem);
    kh_buf_add(b, label, x ? stem : core);
    kh_buf_printf(b, "少%" PRId64 "%s（应不少于%" PRId64 "%s）", k, x ? x : "", need,
                  x ? x : "");
}

/* "{stem}{n}{X}" of an each, any or veto check point that happened n times. */
static void phrase_each(kh_buf *b, const char *label, int64_t n)
{
    size_t core = kh_label_core_len(label), stem;
    const char *x = measure_word(label, core, &stem);
    if (!x) {
        kh_buf_add(b, label, core);
        kh_buf_printf(b, "%" PRId64, n);
        return;
    }
    static const char fasheng[] = "发生";
    if (strcmp(x, "起") == 0 && strncmp(label, fasheng, strlen(fasheng)) != 0)
        kh_buf_puts(b, fasheng);
    kh_buf_add(b, label, stem);
    kh_buf_printf(b, "%" PRId64 "%s", n, x);
}

static void phrase_deduct(kh_buf *b, kh_dec x)
{
    char num[KH_DEC_BUFSZ];
    kh_buf_printf(b, "，扣%s分", kh_dec_format(x, num));
}

/* One phrase of an item's reason while it is being built. */
typedef struct phrase {
    kh_buf text;
    bool has_group;   /* a "缺…" group, still open for more labels */
    kh_dec per;       /* has group: the per value shared */
    kh_dec sum;       /* has group: sum of its deductions */
    bool last_default; /* has group: its last text is 缺{L} */
} phrase;

static kh_status overflow(const kh_checklist *cl, const kh_checkpoint *cp,
                          const kh_result *r, kh_diags *d)
{
    char cell[KH_CELLREF_BUFSZ];
    kh_diags_add(d, KH_ERROR, cl->source, cl->sheet, kh_cell_ref(r->row, r->col, cell), 0,
                 _("the deduction of check point %s cannot be computed: the numbers are too "
                   "large; enter the real count for this check point"),
                 cp->id);
    return KH_ERR_LIMIT;
}

/* The deduction of check point cp for result r before its cap, and whether
 * it fires (*k: the shortfall of a count, else n). */
static bool cp_raw(const kh_checkpoint *cp, const kh_result *r, kh_dec points,
                   kh_dec *ded, bool *fires, int64_t *k)
{
    *ded = 0;
    *k = r->n;
    switch (cp->kind) {
    case KH_KIND_HAS:
        *fires = !r->present;
        if (*fires)
            *ded = cp->per;
        return true;
    case KH_KIND_COUNT: {
        int64_t shortfall;
        if (__builtin_sub_overflow(cp->need, r->n, &shortfall))
            return false;
        *k = shortfall > 0 ? shortfall : 0;
        *fires = *k > 0;
        return kh_dec_mul_int(cp->per, *k, ded);
    }
    case KH_KIND_EACH:
        *fires = r->n > 0;
        return *fires ? kh_dec_mul_int(cp->per, r->n, ded) : true;
    case KH_KIND_ANY:
        *fires = r->n > 0;
        if (*fires)
            *ded = points;
        return true;
    case KH_KIND_VETO:
        /* The document's one-vote veto also empties the accident item: a
         * 重大 accident cannot leave it at full marks when a lesser 较大
         * one (any) takes all of its points. */
        *fires = r->n > 0;
        if (*fires)
            *ded = points;
        return true;
    }
    *fires = false;
    return true;
}

/* The text of firing check point cp (result r, k as cp_raw gives it)
 * before its deduction: the has missing text, or the count / each phrase. */
static void phrase_text(kh_buf *b, const kh_checkpoint *cp, int64_t k)
{
    switch (cp->kind) {
    case KH_KIND_HAS:
        if (cp->missing) {
            kh_buf_puts(b, cp->missing);
        } else {
            kh_buf_puts(b, "缺");
            kh_buf_add(b, cp->label, kh_label_core_len(cp->label));
        }
        break;
    case KH_KIND_COUNT:
        phrase_count(b, cp->label, k, cp->need);
        break;
    default:
        phrase_each(b, cp->label, k);
    }
}

/* Score item it of cl into u (items[it], its check points' deductions
 * into ded_of), add its reason and a NUL to text, its veto phrases to
 * veto, and the phrase of each firing check point j to cph[j]. */
static kh_status score_item(const kh_checklist *cl, size_t it, kh_unit *u, kh_dec *ded_of,
                            kh_buf *cph, kh_buf *text, kh_buf *veto, kh_diags *d)
{
    const kh_rubric *rb = cl->rubric;
    const kh_item *item = &rb->items[it];
    kh_item_score *is = &u->items[it];
    kh_status st = KH_OK;
    phrase *ph = kh_calloc(item->ncps, sizeof *ph);
    if (!ph)
        return KH_ERR_NOMEM;
    size_t nph = 0, last_fired = SIZE_MAX;
    kh_dec sum = 0;
    char num[KH_DEC_BUFSZ];
    for (size_t j = item->first; j < item->first + item->ncps; j++) {
        const kh_checkpoint *cp = &rb->cps[j];
        const kh_result *r = &cl->results[j];
        kh_dec raw, ded;
        bool fires;
        int64_t k;
        if (r->n < 0) {
            char cell[KH_CELLREF_BUFSZ];
            kh_diags_add(d, KH_ERROR, cl->source, cl->sheet, kh_cell_ref(r->row, r->col, cell), 0,
                         _("the result of check point %s is negative: enter a whole number "
                           "of 0 or more"), cp->id);
            st = KH_ERR_LIMIT;
            goto done;
        }
        if (!cp_raw(cp, r, item->points, &raw, &fires, &k)) {
            st = overflow(cl, cp, r, d);
            goto done;
        }
        ded = cp->has_cap ? kh_dec_min(raw, cp->cap) : raw;
        ded_of[j] = ded;
        if (!kh_dec_add(sum, ded, &sum)) {
            st = overflow(cl, cp, r, d);
            goto done;
        }
        if (!fires)
            continue;
        last_fired = j;
        /* The check point's own phrase (扣分明细). */
        kh_buf *c = &cph[j];
        phrase_text(c, cp, k);
        size_t text_len = c->len;
        phrase_deduct(c, ded);
        if (raw > ded)
            kh_buf_printf(c, "（最高扣%s分）", kh_dec_format(cp->cap, num));
        if (cp->kind == KH_KIND_VETO)
            kh_buf_puts(c, "，一票否决");
        if (c->oom) {
            st = KH_ERR_NOMEM;
            goto done;
        }
        if (cp->kind == KH_KIND_HAS) {
            size_t g = 0;
            while (g < nph && !(ph[g].has_group && ph[g].per == cp->per))
                g++;
            if (g == nph) {
                ph[nph++] = (phrase){.has_group = true, .per = cp->per};
            } else {
                kh_buf_puts(&ph[g].text, ENUM_COMMA);
            }
            /* 缺 once for a run of default texts: 缺图片、签到单. */
            bool run = !cp->missing && ph[g].last_default;
            kh_buf_add(&ph[g].text, c->s + (run ? strlen("缺") : 0),
                       text_len - (run ? strlen("缺") : 0));
            ph[g].last_default = !cp->missing;
            if (!kh_dec_add(ph[g].sum, ded, &ph[g].sum)) {
                st = overflow(cl, cp, r, d);
                goto done;
            }
            continue;
        }
        kh_buf *t = &ph[nph++].text;
        kh_buf_add(t, c->s ? c->s : "", c->len);
        if (cp->kind == KH_KIND_VETO) {
            if (veto->len)
                kh_buf_puts(veto, SEP);
            kh_buf_add(veto, c->s ? c->s : "", text_len);
            kh_buf_puts(veto, "，一票否决");
            u->vetoed = true;
        }
    }

    is->deduction = kh_dec_min(sum, item->points);
    if (!kh_dec_sub(item->points, is->deduction, &is->score)) {
        const size_t last = item->first + item->ncps - 1;
        st = overflow(cl, &rb->cps[last], &cl->results[last], d);
        goto done;
    }

    kh_buf cut = {0};
    if (sum > item->points) {
        char pts[KH_DEC_BUFSZ];
        kh_buf_printf(&cut, SEP "累计扣%s分，本项扣完%s分为止", kh_dec_format(sum, num),
                      kh_dec_format(item->points, pts));
        if (last_fired != SIZE_MAX)
            kh_buf_add(&cph[last_fired], cut.s ? cut.s : "", cut.len);
    }
    kh_buf *reason = text;
    const size_t start = text->len;
    for (size_t g = 0; g < nph; g++) {
        if (g)
            kh_buf_puts(reason, SEP);
        kh_buf_puts(reason, kh_buf_str(&ph[g].text));
        if (ph[g].has_group)
            phrase_deduct(reason, ph[g].sum);
        if (ph[g].text.oom)
            reason->oom = true;
    }
    kh_buf_add(reason, cut.s ? cut.s : "", cut.len);
    if (cut.oom)
        reason->oom = true;
    kh_buf_free(&cut);
    bool first_remark = true;
    for (size_t j = item->first; j < item->first + item->ncps; j++) {
        const char *rm = cl->results[j].remark;
        if (!rm || !*rm)
            continue;
        if (first_remark) {
            kh_buf_puts(reason, reason->len > start ? SEP "备注：" : "备注：");
            first_remark = false;
        } else {
            kh_buf_puts(reason, SEP);
        }
        kh_buf_puts(reason, rm);
    }
    kh_buf_add(reason, "", 1);
    if (reason->oom)
        st = KH_ERR_NOMEM;

done:
    for (size_t g = 0; g < nph; g++)
        kh_buf_free(&ph[g].text);
    kh_free(ph);
    return st;
}

bool kh_cp_costs(const kh_checkpoint *cp, kh_dec points, int64_t n, bool present)
{
    kh_result r = {.present = present, .n = n};
    kh_dec raw;
    bool fires;
    int64_t k;
    if (n < 0)
        return false;
    if (!cp_raw(cp, &r, points, &raw, &fires, &k))
        return true;
    kh_dec ded = cp->has_cap ? kh_dec_min(raw, cp->cap) : raw;
    return ded != 0 || (cp->kind == KH_KIND_VETO && n > 0);
}

/* Whether check point j is one of the unit's costs (kh_cost). */
static bool is_cost(const kh_checklist *cl, const kh_dec *ded, size_t j)
{
    return ded[j] != 0 || (cl->rubric->cps[j].kind == KH_KIND_VETO && cl->results[j].n > 0);
}

/* Append s and its NUL to text; the offset of s + 1 (0 for no s). */
static uint32_t text_add(kh_buf *text, const char *s)
{
    if (!s || !*s)
        return 0;
    size_t at = text->len;
    kh_buf_add(text, s, strlen(s) + 1);
    return at < UINT32_MAX ? (uint32_t)at + 1 : 0;
}

static void free_phrases(kh_buf *cph, size_t n)
{
    for (size_t j = 0; cph && j < n; j++)
        kh_buf_free(&cph[j]);
    kh_free(cph);
}

/* Free the parts of a unit being scored (kh_score's own, before the unit
 * is one block). */
static void parts_free(kh_unit *u)
{
    kh_free(u->items);
    kh_free(u->costs);
    kh_free(u->checks);
}

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

/* A scored unit is one block: the kh_unit, its item scores, its costs
 * and its strings, u->text: the item reasons one
 * after another (each with its NUL, "" being a lone NUL), the veto reason,
 * then the remarks of the costs.  Only the check points that cost points
 * or vetoed the unit are kept (u->costs); the checklist's results, which
 * were 48 bytes per check point and a block per remark, are freed.  (A
 * block each for the unit, items, costs and text cost four headers and
 * the text's slack: 20,000 units of a ranking keep these.)  u->checks
 * (keep_checks) is a block of its own, which kh_unit_free frees: a caller
 * may give a unit checks it did not have. */
kh_status kh_score(kh_checklist *cl, kh_unit **out, kh_diags *d)
{
    *out = NULL;
    const kh_rubric *rb = cl->rubric;
    kh_status st = KH_ERR_NOMEM;
    kh_buf text = {0}, veto = {0};
    kh_unit tmp = {0}, *u = &tmp;   /* scored here, then copied into its block */
    char *blk = NULL;
    kh_dec *ded = kh_calloc(rb->ncps ? rb->ncps : 1, sizeof *ded);
    kh_buf *cph = kh_calloc(rb->ncps ? rb->ncps : 1, sizeof *cph); /* cost phrases */
    size_t *at = kh_calloc(rb->nitems + 1, sizeof *at); /* offsets of the reasons */
    if (!ded || !at || !cph)
        goto fail;
    u->items = kh_calloc(rb->nitems ? rb->nitems : 1, sizeof *u->items);
    if (!u->items)
        goto fail;
    for (size_t it = 0; it < rb->nitems; it++) {
        at[it] = text.len;
        st = score_item(cl, it, u, ded, cph, &text, &veto, d);
        if (st != KH_OK)
            goto fail;
        if (!kh_dec_add(u->total, u->items[it].score, &u->total)) {
            const kh_item *item = &rb->items[it];
            const size_t last = item->first + item->ncps - 1;
            st = overflow(cl, &rb->cps[last], &cl->results[last], d);
            goto fail;
        }
    }
    st = KH_ERR_NOMEM;
    at[rb->nitems] = text.len;
    if (u->vetoed)
        kh_buf_add(&text, kh_buf_str(&veto), veto.len + 1);
    if (veto.oom)
        text.oom = true;
    for (size_t j = 0; j < rb->ncps; j++)
        u->ncosts += is_cost(cl, ded, j);
    if (u->ncosts) {
        u->costs = kh_calloc(u->ncosts, sizeof *u->costs);
        if (!u->costs)
            goto fail;
    }
    for (size_t j = 0, c = 0; j < rb->ncps; j++) {
        if (!is_cost(cl, ded, j))
            continue;
        const kh_result *r = &cl->results[j];
        u->costs[c++] = (kh_cost){.deduction = ded[j], .n = r->n, .cp = (uint32_t)j,
                                  .row = r->row, .col = r->col,
                                  .remark = text_add(&text, r->remark),
                                  .phrase = text_add(&text, kh_buf_str(&cph[j]))};
        if (cph[j].oom)
            text.oom = true;
    }
    if (cl->keep_checks) {
        u->checks = kh_calloc(rb->ncps ? rb->ncps : 1, sizeof *u->checks);
        if (!u->checks)
            goto fail;
        for (size_t j = 0; j < rb->ncps; j++) {
            const kh_result *r = &cl->results[j];
            u->checks[j] = (kh_check){.n = r->n, .row = r->row, .col = (uint16_t)r->col,
                                      .present = r->present};
        }
    }
    if (text.oom || text.len >= UINT32_MAX)
        goto fail;
    const size_t ni = rb->nitems ? rb->nitems : 1;
    const size_t oi = ALIGN8(sizeof *u), oc = oi + ALIGN8(ni * sizeof *u->items),
                 ot = oc + ALIGN8(u->ncosts * sizeof *u->costs);
    blk = kh_malloc(ot + text.len + 1);
    if (!blk)
        goto fail;
    kh_unit *nu = (kh_unit *)(void *)blk;
    *nu = tmp;
    nu->items = memcpy(blk + oi, tmp.items, ni * sizeof *u->items);
    nu->costs = u->ncosts ? memcpy(blk + oc, tmp.costs, u->ncosts * sizeof *u->costs) : NULL;
    nu->text = memcpy(blk + ot, kh_buf_str(&text), text.len + 1);
    tmp.checks = NULL; /* now nu's */
    parts_free(&tmp);
    u = nu;
    for (size_t it = 0; it < rb->nitems; it++)
        u->items[it].reason = u->text + at[it];
    if (u->vetoed)
        u->veto_reason = u->text + at[rb->nitems];
    kh_buf_free(&text);
    kh_buf_free(&veto);
    free_phrases(cph, rb->ncps);
    kh_free(ded);
    kh_free(at);
    kh_checklist_drop_results(cl);
    u->cl = cl;
    *out = u;
    return KH_OK;

fail:
    kh_buf_free(&text);
    kh_buf_free(&veto);
    free_phrases(cph, rb->ncps);
    kh_free(ded);
    kh_free(at);
    parts_free(&tmp); /* cl stays the caller's */
    return st;
}

void kh_unit_free(kh_unit *u)
{
    if (!u)
        return;
    kh_checklist_free(u->cl);
    kh_free(u->checks);
    kh_free(u); /* its items, costs and text are in its block */
}
