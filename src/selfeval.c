/*
 * selfeval.c - the unit's own assessment (自评) beside the reviewed result
 * (考评).  The 自评 checklists are a batch of their own (same registry,
 * same options, every result kept), never ranked: once the main batch is
 * finished each of its units takes the 自评 unit of the same rubric and
 * name.  The writers ask here for the per check point texts and the
 * differences, so that every output says the same thing.
 */
#include "selfeval.h"
#include "text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void kh_self_free(struct kh_self *s)
{
    if (!s)
        return;
    kh_batch_free(s->in);
    kh_free(s->unmatched);
    kh_free(s);
}

/* After self_batch (below). */
static kh_batch *self_batch(kh_batch *b);

kh_status kh_batch_add_self(kh_batch *b, const char *path, kh_diags *notes)
{
    kh_batch *in = self_batch(b);
    if (!in)
        return KH_ERR_NOMEM;
    kh_batch_set_labels(in, b->label, b->label_ctx);
    return kh_batch_add(in, path, notes);
}

/* b's 自评 batch, made on first use; NULL when out of memory. */
static kh_batch *self_batch(kh_batch *b)
{
    if (!b->self) {
        struct kh_self *s = kh_calloc(1, sizeof *s);
        kh_options o = b->opts;
        o.keep_checks = true; /* the answers are shown check point by check point */
        o.issuer = NULL;
        if (!s || !(s->in = kh_batch_new(b->reg, &o))) {
            kh_free(s);
            return NULL;
        }
        b->self = s;
    }
    return b->self->in;
}

kh_status kh_batch_add_self_unit(kh_batch *b, kh_unit *u)
{
    kh_batch *in = self_batch(b);
    if (!in || !kh_grow((void **)&in->units, &in->capunits, in->nunits + 1, sizeof *in->units)) {
        kh_unit_free(u);
        return KH_ERR_NOMEM;
    }
    u->order = in->next_order++;
    in->units[in->nunits++] = u;
    return KH_OK;
}

size_t kh_batch_self_rejected_count(const kh_batch *b)
{
    return b->self ? kh_batch_rejected_count(b->self->in) : 0;
}

const kh_diags *kh_batch_self_errors(const kh_batch *b)
{
    static const kh_diags none = {0};
    return b->self ? kh_batch_errors(b->self->in) : &none;
}

size_t kh_batch_self_unmatched_count(const kh_batch *b)
{
    return b->self ? b->self->nunmatched : 0;
}

void kh_batch_self_unmatched_at(const kh_batch *b, size_t i, const char **unit,
                                const char **rubric_id, const char **source)
{
    const kh_unit *u = b->self->unmatched[i];
    *unit = u->cl->unit;
    *rubric_id = u->cl->rubric->id;
    *source = u->cl->source;
}

bool kh_batch_has_self(const kh_batch *b)
{
    for (size_t i = 0; b->self && i < b->nunits; i++)
        if (b->units[i]->self)
            return true;
    return false;
}

bool kh_batch_self_total(const kh_batch *b, const char *rubric_id, const char *unit,
                         char total[32])
{
    for (size_t i = 0; i < b->nunits; i++) {
        const kh_unit *u = b->units[i];
        if (u->self && strcmp(u->cl->rubric->id, rubric_id) == 0 &&
            strcmp(u->cl->unit, unit) == 0) {
            char num[KH_DEC_BUFSZ];
            snprintf(total, 32, "%s", kh_dec_format(u->self->total, num));
            return true;
        }
    }
    return false;
}

/* Units sorted by (rubric, unit name): a 自评 is found by binary search
 * (2,000 units: no N^2 comparisons). */
static int by_key(const void *pa, const void *pb)
{
    const kh_unit *a = *(const kh_unit *const *)pa, *b = *(const kh_unit *const *)pb;
    int c = strcmp(a->cl->rubric->id, b->cl->rubric->id);
    return c ? c : strcmp(a->cl->unit, b->cl->unit);
}

kh_status kh_self_match(kh_batch *b)
{
    struct kh_self *s = b->self;
    kh_status st = kh_batch_finish(s->in); /* a unit's second 自评 is rejected */
    if (st != KH_OK)
        return st;
    size_t n = s->in->nunits;
    kh_unit **sorted = kh_calloc(n ? n : 1, sizeof *sorted);
    bool *used = kh_calloc(n ? n : 1, sizeof *used);
    if (!sorted || !used) {
        kh_free(sorted);
        kh_free(used);
        return KH_ERR_NOMEM;
    }
    if (n)
        memcpy(sorted, s->in->units, n * sizeof *sorted);
    if (n > 1)
        qsort(sorted, n, sizeof *sorted, by_key);
    for (size_t i = 0; i < b->nunits; i++) {
        kh_unit *u = b->units[i];
        kh_unit *const *hit = n ? bsearch(&u, sorted, n, sizeof *sorted, by_key) : NULL;
        u->self = hit ? *hit : NULL;
        if (hit)
            used[hit - sorted] = true;
    }
    /* The unmatched, in the 自评 batch's order. */
    kh_free(s->unmatched);
    s->unmatched = NULL;
    s->nunmatched = 0;
    size_t nu = 0;
    for (size_t i = 0; i < n; i++)
        nu += !used[i];
    if (nu && !(s->unmatched = kh_calloc(nu, sizeof *s->unmatched)))
        st = KH_ERR_NOMEM;
    for (size_t i = 0; st == KH_OK && i < n; i++) {
        const kh_unit *su = s->in->units[i];
        kh_unit *const *hit = bsearch(&su, sorted, n, sizeof *sorted, by_key);
        if (!used[hit - sorted])
            s->unmatched[s->nunmatched++] = su;
    }
    kh_free(sorted);
    kh_free(used);
    return st;
}

kh_dec kh_unit_cp_deduction(const kh_unit *u, size_t cp)
{
    /* The costs are in rubric order. */
    size_t lo = 0, hi = u->ncosts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u->costs[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < u->ncosts && u->costs[lo].cp == cp ? u->costs[lo].deduction : 0;
}

const char *kh_unit_cp_text(const kh_unit *u, size_t cp, char *buf, size_t n)
{
    const kh_checkpoint *c = &u->cl->rubric->cps[cp];
    kh_dec ded = kh_unit_cp_deduction(u, cp);
    char num[KH_DEC_BUFSZ];
    if (!u->checks) {
        if (ded)
            snprintf(buf, n, "扣%s分", kh_dec_format(ded, num));
        else
            snprintf(buf, n, "不扣分");
        return buf;
    }
    const kh_check *k = &u->checks[cp];
    char answer[32];
    if (c->kind == KH_KIND_HAS)
        snprintf(answer, sizeof answer, "%s", k->present ? "有" : "无");
    else
        snprintf(answer, sizeof answer, "%" PRId64, k->n);
    if (ded)
        snprintf(buf, n, "%s（扣%s分）", answer, kh_dec_format(ded, num));
    else
        snprintf(buf, n, "%s", answer);
    return buf;
}

/* a − b, or 0 when it cannot be computed (scores are far below the
 * bounds of kh_dec: the engine checked every sum). */
static kh_dec minus(kh_dec a, kh_dec b)
{
    kh_dec d;
    return kh_dec_sub(a, b, &d) ? d : 0;
}

kh_dec kh_self_item_diff(const kh_unit *u, size_t it)
{
    return minus(u->items[it].score, u->self->items[it].score);
}

kh_dec kh_self_total_diff(const kh_unit *u)
{
    return minus(u->total, u->self->total);
}

kh_dec kh_self_cp_diff(const kh_unit *u, size_t cp)
{
    return minus(kh_unit_cp_deduction(u->self, cp), kh_unit_cp_deduction(u, cp));
}

/* ---- JSON ---- */

static void json_dec(FILE *out, kh_dec v)
{
    char num[KH_DEC_BUFSZ];
    fprintf(out, "\"%s\"", kh_dec_format(v, num));
}

/* The result of check point cp of u as JSON: "有"/"无", a number, or null
 * when u kept no results. */
static void json_result(FILE *out, const kh_unit *u, size_t cp,
                        void (*str)(FILE *, const char *))
{
    if (!u->checks) {
        fputs("null", out);
        return;
    }
    const kh_check *k = &u->checks[cp];
    if (u->cl->rubric->cps[cp].kind == KH_KIND_HAS)
        str(out, k->present ? "有" : "无");
    else
        fprintf(out, "%" PRId64, k->n);
}

void kh_self_json_unit(FILE *out, const kh_batch *b, const kh_unit *u,
                       void (*str)(FILE *, const char *))
{
    if (!b->self)
        return;
    const kh_unit *s = u->self;
    if (!s) {
        fputs(",\n   \"self\": null", out);
        return;
    }
    const kh_rubric *r = u->cl->rubric;
    fputs(",\n   \"self\": {\"source\": ", out);
    str(out, s->cl->source);
    fputs(", \"sheet\": ", out);
    str(out, s->cl->sheet);
    fputs(", \"total\": ", out);
    json_dec(out, s->total);
    fputs(s->vetoed ? ", \"vetoed\": true" : ", \"vetoed\": false", out);
    fputs(", \"diff\": ", out);
    json_dec(out, kh_self_total_diff(u));
    fputs(",\n    \"items\": [", out);
    for (size_t j = 0; j < r->nitems; j++) {
        fputs(j ? ", {\"item\": " : "{\"item\": ", out);
        str(out, r->items[j].num);
        fputs(", \"score\": ", out);
        json_dec(out, s->items[j].score);
        fputs(", \"diff\": ", out);
        json_dec(out, kh_self_item_diff(u, j));
        fputc('}', out);
    }
    fputs("],\n    \"checks\": [", out);
    for (size_t j = 0; j < r->ncps; j++) {
        fputs(j ? ",\n     {\"check\": " : "\n     {\"check\": ", out);
        str(out, r->cps[j].id);
        fputs(", \"result\": ", out);
        json_result(out, s, j, str);
        fputs(", \"deduction\": ", out);
        json_dec(out, kh_unit_cp_deduction(s, j));
        fputs(", \"reviewed\": ", out);
        json_result(out, u, j, str);
        fputs(", \"reviewed_deduction\": ", out);
        json_dec(out, kh_unit_cp_deduction(u, j));
        fputs(", \"diff\": ", out);
        json_dec(out, kh_self_cp_diff(u, j));
        fputc('}', out);
    }
    fputs("]}", out);
}

kh_status kh_self_json_lists(FILE *out, const kh_batch *b, void (*str)(FILE *, const char *))
{
    if (!b->self)
        return KH_OK;
    const kh_batch *in = b->self->in;
    fputs(",\n \"self_rejected\": [", out);
    for (size_t i = 0; i < in->nrejected; i++) {
        const kh_rejected *r = &in->rejected[i];
        fputs(i ? ",\n  {\"source\": " : "\n  {\"source\": ", out);
        str(out, r->source);
        fputs(", \"sheet\": ", out);
        str(out, r->sheet);
        fputs(", \"unit\": ", out);
        str(out, r->unit);
        fputs(", \"rubric\": ", out);
        str(out, r->rubric ? r->rubric->id : NULL);
        for (int en = 0; en < 2; en++) {
            fputs(en ? "], \"errors_en\": [" : ", \"errors\": [", out);
            for (size_t k = 0; k < r->n; k++) {
                const kh_diag *g = &in->errors.v[r->first + k];
                char *msg = en ? kh_diag_format(g) : kh_diag_format_zh(g);
                if (!msg)
                    return KH_ERR_NOMEM;
                if (k)
                    fputs(", ", out);
                str(out, msg);
                kh_free(msg);
            }
        }
        fputs("]}", out);
    }
    fputs("],\n \"self_unmatched\": [", out);
    for (size_t i = 0; i < b->self->nunmatched; i++) {
        const kh_unit *u = b->self->unmatched[i];
        fputs(i ? ",\n  {\"unit\": " : "\n  {\"unit\": ", out);
        str(out, u->cl->unit);
        fputs(", \"rubric\": ", out);
        str(out, u->cl->rubric->id);
        fputs(", \"source\": ", out);
        str(out, u->cl->source);
        fputs(", \"total\": ", out);
        json_dec(out, u->total);
        fputc('}', out);
    }
    fputc(']', out);
    return KH_OK;
}
