/*
 * previous.c - an earlier result (kaohe's own JSON, doc/formats.md §5)
 * read back for rank --previous: each unit's total, rank, grade and check
 * point results.  cJSON parses it (with the C library's allocator: its
 * hooks are global, and the server builds JSON with it too); kaohe only
 * picks out what it compares.
 */
#include "previous.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON file of an earlier result may be large (20000 units with their
 * check points); past this it is not one. */
#define PREV_MAX_BYTES ((size_t)256 << 20)

static char *dup_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? kh_strdup(v->valuestring) : NULL;
}

void kh_previous_free(kh_previous *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        kh_prev_unit *u = &p->v[i];
        kh_free(u->unit);
        kh_free(u->rubric);
        kh_free(u->total);
        kh_free(u->max);
        kh_free(u->grade);
        for (size_t k = 0; k < u->nchecks; k++) {
            kh_free(u->checks[k].id);
            kh_free(u->checks[k].result);
            kh_free(u->checks[k].cell);
        }
        kh_free(u->checks);
    }
    kh_free(p->v);
    for (size_t i = 0; i < p->nabsent; i++) {
        kh_free(p->absent[i].unit);
        kh_free(p->absent[i].rubric);
    }
    kh_free(p->absent);
    kh_free(p->path);
    kh_free(p->created);
    kh_free(p);
}

kh_status kh_previous_load(const char *path, kh_previous **out, kh_diags *d)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("cannot open the earlier result: %s: give the JSON file an earlier "
                       "'kaohe rank --json' wrote"),
                     strerror(errno));
        return KH_ERR_IO;
    }
    kh_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= PREV_MAX_BYTES)
        kh_buf_add(&b, chunk, n);
    fclose(f);
    if (b.oom) {
        kh_buf_free(&b);
        return KH_ERR_NOMEM;
    }
    if (b.len > PREV_MAX_BYTES) {
        kh_buf_free(&b);
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the earlier result is larger than %u MiB: it is not a file kaohe wrote"),
                     (unsigned)(PREV_MAX_BYTES >> 20));
        return KH_ERR_LIMIT;
    }
    cJSON *root = cJSON_ParseWithLength(kh_buf_str(&b), b.len);
    kh_buf_free(&b);
    const cJSON *units = root ? cJSON_GetObjectItemCaseSensitive(root, "units") : NULL;
    if (!cJSON_IsArray(units)) {
        cJSON_Delete(root);
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this is not a result kaohe wrote (no list of units): give the JSON "
                       "file of an earlier 'kaohe rank --json'"));
        return KH_ERR_INPUT;
    }
    kh_previous *p = kh_calloc(1, sizeof *p);
    kh_status st = p && (p->path = kh_strdup(path)) ? KH_OK : KH_ERR_NOMEM;
    const cJSON *prov = root ? cJSON_GetObjectItemCaseSensitive(root, "provenance") : NULL;
    if (st == KH_OK && prov)
        p->created = dup_str(prov, "created");
    size_t cap = 0;
    const cJSON *u;
    cJSON_ArrayForEach(u, units)
    {
        if (st != KH_OK)
            break;
        if (!kh_grow((void **)&p->v, &cap, p->n + 1, sizeof *p->v)) {
            st = KH_ERR_NOMEM;
            break;
        }
        kh_prev_unit *pu = &p->v[p->n];
        *pu = (kh_prev_unit){0};
        pu->unit = dup_str(u, "unit");
        pu->rubric = dup_str(u, "rubric");
        pu->total = dup_str(u, "total");
        pu->max = dup_str(u, "max");
        pu->grade = dup_str(u, "grade");
        const cJSON *rank = cJSON_GetObjectItemCaseSensitive(u, "rank");
        pu->rank = cJSON_IsNumber(rank) ? (long)rank->valuedouble : 0;
        pu->vetoed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "vetoed"));
        if (!pu->unit || !pu->rubric || !pu->total || !pu->max) {
            kh_free(pu->unit);
            kh_free(pu->rubric);
            kh_free(pu->total);
            kh_free(pu->max);
            kh_free(pu->grade);
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                         _("unit %zu of the earlier result lacks its name, rubric or total: it "
                           "is not a file kaohe wrote"),
                         p->n + 1);
            st = KH_ERR_INPUT;
            break;
        }
        p->n++;
        const cJSON *checks = cJSON_GetObjectItemCaseSensitive(u, "checks");
        size_t nc = cJSON_IsArray(checks) ? (size_t)cJSON_GetArraySize(checks) : 0;
        if (nc) {
            pu->checks = kh_calloc(nc, sizeof *pu->checks);
            if (!pu->checks) {
                st = KH_ERR_NOMEM;
                break;
            }
        }
        const cJSON *c;
        cJSON_ArrayForEach(c, checks)
        {
            const cJSON *res = cJSON_GetObjectItemCaseSensitive(c, "result");
            char num[32] = "";
            if (cJSON_IsNumber(res))
                snprintf(num, sizeof num, "%lld", (long long)res->valuedouble);
            kh_prev_check *pc = &pu->checks[pu->nchecks];
            pc->id = dup_str(c, "check");
            pc->result = cJSON_IsString(res) ? kh_strdup(res->valuestring) : kh_strdup(num);
            pc->cell = dup_str(c, "cell");
            pu->nchecks++;
            if (!pc->id || !pc->result) {
                st = KH_ERR_NOMEM;
                break;
            }
        }
    }
    /* The roster's units it did not score ("failed" is newer: an earlier
     * run without it listed every unit not scored as missing). */
    static const struct {
        const char *key;
        kh_prev_state state;
    } lists[] = {{"failed", KH_PREV_FAILED}, {"missing", KH_PREV_MISSING}};
    size_t capabsent = 0;
    for (size_t l = 0; l < 2 && st == KH_OK; l++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, lists[l].key);
        const cJSON *e;
        cJSON_ArrayForEach(e, list)
        {
            char *unit = dup_str(e, "unit"), *rubric = dup_str(e, "rubric");
            if (!unit || !rubric ||
                !kh_grow((void **)&p->absent, &capabsent, p->nabsent + 1, sizeof *p->absent)) {
                kh_free(unit);
                kh_free(rubric);
                if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "unit")) &&
                    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "rubric")))
                    st = KH_ERR_NOMEM;
                continue; /* an entry without them is not one kaohe wrote: ignored */
            }
            p->absent[p->nabsent++] = (kh_prev_absent){unit, rubric, lists[l].state};
        }
    }
    cJSON_Delete(root);
    if (st != KH_OK) {
        kh_previous_free(p);
        return st;
    }
    *out = p;
    return KH_OK;
}

const kh_prev_unit *kh_previous_find(const kh_previous *p, const char *unit, const char *rubric)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].unit, unit) == 0 && (!rubric || strcmp(p->v[i].rubric, rubric) == 0))
            return &p->v[i];
    return NULL;
}

kh_prev_state kh_previous_state(const kh_previous *p, const char *unit, const char *rubric)
{
    for (size_t i = 0; i < p->nabsent; i++)
        if (strcmp(p->absent[i].unit, unit) == 0 && strcmp(p->absent[i].rubric, rubric) == 0)
            return p->absent[i].state;
    return KH_PREV_NONE;
}
