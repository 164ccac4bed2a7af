/*
 * summary.c - 问题汇总 computed from a finished batch (see summary.h).
 */
#include "summary.h"

#include <stdlib.h>
#include <string.h>

unsigned kh_summary_pct(size_t n, size_t total)
{
    if (!total)
        return 0;
    /* Whole numbers only: (200n + total) / (2 total) rounds half up. */
    return (unsigned)((200u * (unsigned long long)n + total) / (2u * (unsigned long long)total));
}

static void free_rubric(kh_sum_rubric *r)
{
    for (size_t i = 0; r->items && i < r->nitems; i++) {
        kh_sum_item *it = &r->items[i];
        for (size_t j = 0; it->checks && j < it->nchecks; j++)
            kh_free(it->checks[j].units);
        kh_free(it->checks);
        kh_free(it->units);
    }
    kh_free(r->items);
}

void kh_summary_free(kh_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free_rubric(&s->v[i]);
    kh_free(s->v);
    kh_free(s);
}

/* Most units first; ties in rubric order (a stable order either way). */
static int by_units_check(const void *a, const void *b)
{
    const kh_sum_check *x = a, *y = b;
    if (x->nunits != y->nunits)
        return x->nunits > y->nunits ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int by_units_item(const void *a, const void *b)
{
    const kh_sum_item *x = a, *y = b;
    if (x->nunits != y->nunits)
        return x->nunits > y->nunits ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The earlier run's units of rubric r that recorded check points: how
 * many lost points on each check point (cp_prev[j]) and each item. */
static void compare_prev(kh_sum_rubric *sr, const kh_previous *prev, size_t *cp_prev,
                         size_t *item_prev)
{
    const kh_rubric *r = sr->rubric;
    bool *hit = kh_calloc(r->nitems ? r->nitems : 1, sizeof *hit);
    for (size_t i = 0; hit && i < prev->n; i++) {
        const kh_prev_unit *pu = &prev->v[i];
        if (strcmp(pu->rubric, r->id) != 0 || !pu->nchecks)
            continue;
        sr->prev_nunits++;
        memset(hit, 0, r->nitems * sizeof *hit);
        for (size_t k = 0; k < pu->nchecks; k++) {
            long j = kh_rubric_find_cp(r, pu->checks[k].id);
            if (j < 0)
                continue;
            const kh_checkpoint *cp = &r->cps[j];
            const char *res = pu->checks[k].result;
            bool present = strcmp(res, "有") == 0;
            int64_t n = 0;
            if (cp->kind != KH_KIND_HAS) {
                char *end;
                long long v = strtoll(res, &end, 10);
                if (end == res || *end)
                    continue;
                n = v;
            } else if (!present && strcmp(res, "无") != 0) {
                continue;
            }
            if (kh_cp_costs(cp, r->items[cp->item].points, n, present)) {
                cp_prev[j]++;
                hit[cp->item] = true;
            }
        }
        for (size_t it = 0; it < r->nitems; it++)
            item_prev[it] += hit[it];
    }
    kh_free(hit);
}

/* The summary of one rubric's units (g, in ranking order). */
static kh_status summarise(kh_sum_rubric *sr, const kh_group *g, const kh_previous *prev)
{
    const kh_rubric *r = g->rubric;
    sr->rubric = r;
    sr->nunits = g->n;
    sr->nitems = r->nitems;
    sr->items = kh_calloc(r->nitems ? r->nitems : 1, sizeof *sr->items);
    size_t *cp_prev = kh_calloc(r->ncps ? r->ncps : 1, sizeof *cp_prev);
    size_t *item_prev = kh_calloc(r->nitems ? r->nitems : 1, sizeof *item_prev);
    kh_status st = KH_OK;
    if (!sr->items || !cp_prev || !item_prev) {
        st = KH_ERR_NOMEM;
        goto done;
    }
    bool with_prev = false;
    if (prev) {
        compare_prev(sr, prev, cp_prev, item_prev);
        with_prev = sr->prev_nunits > 0;
    }
    for (size_t i = 0; i < r->nitems; i++) {
        kh_sum_item *it = &sr->items[i];
        const kh_item *ri = &r->items[i];
        it->item = ri;
        it->index = i;
        it->has_prev = with_prev;
        it->prev_units = item_prev[i];
        it->checks = kh_calloc(ri->ncps, sizeof *it->checks);
        if (!it->checks) {
            st = KH_ERR_NOMEM;
            goto done;
        }
        it->nchecks = ri->ncps;
        for (size_t j = 0; j < ri->ncps; j++) {
            kh_sum_check *c = &it->checks[j];
            c->cp = &r->cps[ri->first + j];
            c->index = ri->first + j;
            c->has_prev = with_prev;
            c->prev_units = cp_prev[ri->first + j];
        }
    }
    /* Two passes over the units: the first counts (the lists are then
     * made exactly as long), the second names the units and adds up. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (size_t i = 0; i < r->nitems; i++) {
                kh_sum_item *it = &sr->items[i];
                if (it->nunits && !(it->units = kh_calloc(it->nunits, sizeof *it->units))) {
                    st = KH_ERR_NOMEM;
                    goto done;
                }
                it->nunits = 0;
                for (size_t j = 0; j < it->nchecks; j++) {
                    kh_sum_check *c = &it->checks[j];
                    if (c->nunits && !(c->units = kh_calloc(c->nunits, sizeof *c->units))) {
                        st = KH_ERR_NOMEM;
                        goto done;
                    }
                    c->nunits = 0;
                }
            }
        }
        for (size_t u = 0; u < g->n; u++) {
            const kh_unit *un = g->units[u];
            if (pass == 1)
                sr->nvetoed += un->vetoed;
            for (size_t i = 0; i < r->nitems; i++) {
                kh_sum_item *it = &sr->items[i];
                if (un->items[i].deduction == 0)
                    continue;
                if (pass == 1) {
                    it->units[it->nunits] = un;
                    if (!kh_dec_add(it->lost, un->items[i].deduction, &it->lost)) {
                        st = KH_ERR_LIMIT;
                        goto done;
                    }
                }
                it->nunits++;
            }
            size_t last_item = SIZE_MAX; /* costs come in rubric order */
            for (size_t k = 0; k < un->ncosts; k++) {
                const kh_cost *co = &un->costs[k];
                const kh_checkpoint *cp = &r->cps[co->cp];
                kh_sum_item *it = &sr->items[cp->item];
                kh_sum_check *c = &it->checks[co->cp - r->items[cp->item].first];
                if (pass == 1) {
                    c->units[c->nunits] = un;
                    if (!kh_dec_add(c->lost, co->deduction, &c->lost)) {
                        st = KH_ERR_LIMIT;
                        goto done;
                    }
                }
                c->nunits++;
                /* A veto on an item worth 0 points costs no points but
                 * counts, once. */
                if (un->items[cp->item].deduction == 0 && last_item != cp->item) {
                    if (pass == 1)
                        it->units[it->nunits] = un;
                    it->nunits++;
                }
                last_item = cp->item;
            }
        }
    }
    for (size_t i = 0; i < r->nitems; i++)
        qsort(sr->items[i].checks, sr->items[i].nchecks, sizeof *sr->items[i].checks,
              by_units_check);
    qsort(sr->items, sr->nitems, sizeof *sr->items, by_units_item);
done:
    kh_free(cp_prev);
    kh_free(item_prev);
    return st;
}

kh_status kh_summary_new(const kh_batch *b, const kh_previous *prev, kh_summary **out)
{
    *out = NULL;
    size_t ng = 0;
    kh_group *g = kh_batch_groups(b, &ng);
    if (!g && b->nunits)
        return KH_ERR_NOMEM;
    kh_summary *s = kh_calloc(1, sizeof *s);
    kh_status st = s ? KH_OK : KH_ERR_NOMEM;
    if (s && ng && !(s->v = kh_calloc(ng, sizeof *s->v)))
        st = KH_ERR_NOMEM;
    for (size_t k = 0; k < ng && st == KH_OK; k++) {
        st = summarise(&s->v[k], &g[k], prev);
        s->n = k + 1;
    }
    kh_groups_free(g, ng);
    if (st != KH_OK) {
        kh_summary_free(s);
        return st;
    }
    *out = s;
    return KH_OK;
}

size_t kh_summary_top(const kh_summary *s, const kh_sum_check **top, const kh_sum_rubric **of,
                      size_t n)
{
    size_t got = 0;
    /* Insertion into top[0..got), most units first; earlier rubrics and
     * rubric order win ties (they are offered first). */
    for (size_t k = 0; k < s->n; k++) {
        const kh_sum_rubric *r = &s->v[k];
        for (size_t i = 0; i < r->nitems; i++)
            for (size_t j = 0; j < r->items[i].nchecks; j++) {
                const kh_sum_check *c = &r->items[i].checks[j];
                if (!c->nunits)
                    continue;
                size_t at = got;
                while (at > 0 && (top[at - 1]->nunits < c->nunits ||
                                  (top[at - 1]->nunits == c->nunits && of[at - 1] == r &&
                                   top[at - 1]->index > c->index)))
                    at--;
                if (at >= n)
                    continue;
                size_t last = got < n ? got : n - 1;
                memmove(top + at + 1, top + at, (last - at) * sizeof *top);
                memmove(of + at + 1, of + at, (last - at) * sizeof *of);
                top[at] = c;
                of[at] = r;
                if (got < n)
                    got++;
            }
    }
    return got;
}

char *kh_summary_check_line(const kh_sum_rubric *r, const kh_sum_check *c)
{
    char num[KH_DEC_BUFSZ];
    return kh_strprintf("%s %.*s：失分单位 %zu/%zu（%u%%），共失分 %s 分", c->cp->id,
                        (int)kh_label_core_len(c->cp->label), c->cp->label, c->nunits,
                        r->nunits, kh_summary_pct(c->nunits, r->nunits),
                        kh_dec_format(c->lost, num));
}

char *kh_summary_item_line(const kh_sum_rubric *r, const kh_sum_item *it)
{
    char num[KH_DEC_BUFSZ];
    return kh_strprintf("第 %s 项%s%s：失分单位 %zu/%zu（%u%%），共失分 %s 分", it->item->num,
                        it->item->name ? " " : "", it->item->name ? it->item->name : "",
                        it->nunits, r->nunits, kh_summary_pct(it->nunits, r->nunits),
                        kh_dec_format(it->lost, num));
}

char *kh_summary_change(size_t now, size_t before, bool has_prev)
{
    if (!has_prev)
        return NULL;
    if (now > before)
        return kh_strprintf("较上年多 %zu 个单位（上年 %zu 个）", now - before, before);
    if (now < before)
        return kh_strprintf("较上年少 %zu 个单位（上年 %zu 个）", before - now, before);
    return kh_strprintf("与上年相同（%zu 个）", before);
}

static void json_units(FILE *out, const kh_unit *const *u, size_t n,
                       void (*json_str)(FILE *, const char *))
{
    fputs(", \"unit_names\": [", out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        json_str(out, u[i]->cl->unit);
    }
    fputc(']', out);
}

static void json_counts(FILE *out, const kh_sum_rubric *r, size_t n, kh_dec lost, bool has_prev,
                        size_t prev)
{
    char num[KH_DEC_BUFSZ];
    fprintf(out, ", \"units\": %zu, \"share\": %u, \"lost\": \"%s\"", n,
            kh_summary_pct(n, r->nunits), kh_dec_format(lost, num));
    if (has_prev)
        fprintf(out, ", \"previous_units\": %zu", prev);
}

void kh_summary_write_json(const kh_summary *s, FILE *out,
                           void (*json_str)(FILE *out, const char *s))
{
    fputc('[', out);
    for (size_t k = 0; k < s->n; k++) {
        const kh_sum_rubric *r = &s->v[k];
        fputs(k ? ",\n  {\"rubric\": " : "\n  {\"rubric\": ", out);
        json_str(out, r->rubric->id);
        fprintf(out, ", \"units\": %zu, \"vetoed\": %zu", r->nunits, r->nvetoed);
        if (r->prev_nunits)
            fprintf(out, ", \"previous_units\": %zu", r->prev_nunits);
        fputs(", \"items\": [", out);
        for (size_t i = 0; i < r->nitems; i++) {
            const kh_sum_item *it = &r->items[i];
            fputs(i ? ",\n   {\"item\": " : "\n   {\"item\": ", out);
            json_str(out, it->item->num);
            if (it->item->name) {
                fputs(", \"name\": ", out);
                json_str(out, it->item->name);
            }
            json_counts(out, r, it->nunits, it->lost, it->has_prev, it->prev_units);
            json_units(out, (const kh_unit *const *)it->units, it->nunits, json_str);
            fputs(",\n    \"checks\": [", out);
            for (size_t j = 0; j < it->nchecks; j++) {
                const kh_sum_check *c = &it->checks[j];
                fputs(j ? ",\n     {\"check\": " : "\n     {\"check\": ", out);
                json_str(out, c->cp->id);
                fputs(", \"label\": ", out);
                json_str(out, c->cp->label);
                json_counts(out, r, c->nunits, c->lost, c->has_prev, c->prev_units);
                json_units(out, (const kh_unit *const *)c->units, c->nunits, json_str);
                fputc('}', out);
            }
            fputs("]}", out);
        }
        fputs("]}", out);
    }
    fputc(']', out);
}

void kh_batch_set_previous(kh_batch *b, const kh_previous *prev) { b->prev = prev; }

kh_status kh_summary_json(const kh_batch *b, FILE *out, void (*json_str)(FILE *out, const char *s))
{
    kh_summary *s = NULL;
    kh_status st = kh_summary_new(b, b->prev, &s);
    if (st != KH_OK)
        return st;
    fputs(",\n \"summary\": ", out);
    kh_summary_write_json(s, out, json_str);
    kh_summary_free(s);
    return KH_OK;
}
