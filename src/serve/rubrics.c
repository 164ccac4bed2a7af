/*
 * rubrics.c - the rubrics one request sees, and the workspace's roster
 * over them.
 */
#include "serve.h"
#include "roster.h"
#include "rubric.h"

#include <string.h>

/* Name the rubrics of reg read from path by name (what the office
 * uploaded), in everything shown and written (来源); once every file is
 * loaded, as the registry tells files apart by their paths. */
static void name_rubrics(kh_registry *reg, const char *path, const char *name)
{
    for (size_t i = 0; i < kh_registry_count(reg); i++) {
        kh_rubric *rb = (kh_rubric *)kh_registry_at(reg, i); /* this request's own */
        if (rb->path && strcmp(rb->path, path) == 0) {
            char *n = kh_strdup(name);
            if (n) {
                kh_free(rb->path);
                rb->path = n;
            }
        }
    }
}

/* The name a kept rubric file was uploaded as ("rubric_names": one
 * "PATH<TAB>NAME" a line), or NULL. */
static char *kept_name(const char *names, const char *path)
{
    size_t n = strlen(path);
    for (const char *p = names; p && *p;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        if ((size_t)(end - p) > n && strncmp(p, path, n) == 0 && p[n] == '\t')
            return kh_strndup(p + n + 1, (size_t)(end - p) - n - 1);
        p = nl ? nl + 1 : end;
    }
    return NULL;
}

/* The shipped rubrics, the workspace's uploaded ones and those of this
 * request (each checked first, its messages kept for the page). */
kh_registry *srv_request_registry(kh_server *s, request *q, bool store)
{
    kh_registry *reg = kh_registry_new();
    if (!reg)
        return NULL;
    kh_diags d = {0};
    for (size_t i = 0; i < kh_registry_count(s->reg); i++)
        if (kh_registry_load_file(reg, kh_rubric_path(kh_registry_at(s->reg, i)), &d) != KH_OK)
            break;
    char *kept = s->ws ? kh_workspace_get(s->ws, "rubric_files") : NULL;
    size_t kept_len = kept ? strlen(kept) : 0;
    for (char *p = kept, *nl; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        kh_registry_load_file(reg, p, &d);
        if (!nl)
            break;
    }
    kh_diags_clear(&d); /* loaded before: their problems were shown then */
    for (size_t i = 0; i < q->nfiles; i++) {
        saved *f = &q->files[i];
        if (f->kind != P_RUBRIC)
            continue;
        size_t first = q->msgs.n;
        kh_status st = kh_rubric_check_file(f->path, &q->msgs);
        if (st == KH_OK)
            st = kh_registry_load_file(reg, f->path, &q->msgs);
        for (size_t k = first; k < q->msgs.n; k++)
            if (q->msgs.v[k].file && strcmp(q->msgs.v[k].file, f->path) == 0) {
                char *n = kh_strdup(f->name);
                if (n) {
                    kh_free(q->msgs.v[k].file);
                    q->msgs.v[k].file = n;
                }
            }
        if (st == KH_OK && store && s->ws) {
            char *at = NULL;
            const char *dot = strrchr(f->name, '.');
            kh_diags sd = {0};
            if (kh_workspace_store(s->ws, f->path, dot ? dot : ".csv", &at, &sd) == KH_OK) {
                char *old = kh_workspace_get(s->ws, "rubric_files");
                char *list = kh_strprintf("%s%s%s", old ? old : "", old ? "\n" : "", at);
                if (list && (!old || !strstr(old, at)))
                    kh_workspace_set(s->ws, "rubric_files", list, &sd);
                kh_free(list);
                kh_free(old);
                old = kh_workspace_get(s->ws, "rubric_names");
                char *known = kept_name(old, at);
                list = known ? NULL
                             : kh_strprintf("%s%s%s\t%s", old ? old : "", old ? "\n" : "", at,
                                            f->name);
                if (list && !strchr(f->name, '\n'))
                    kh_workspace_set(s->ws, "rubric_names", list, &sd);
                kh_free(known);
                kh_free(list);
                kh_free(old);
            }
            kh_diags_move(&q->msgs, &sd);
            kh_free(at);
        }
    }
    /* Every rubric by the name it was uploaded as. */
    char *names = s->ws ? kh_workspace_get(s->ws, "rubric_names") : NULL;
    for (char *p = kept; p && p < kept + kept_len; p += strlen(p) + 1) {
        char *name = kept_name(names, p);
        if (name)
            name_rubrics(reg, p, name);
        kh_free(name);
    }
    kh_free(names);
    kh_free(kept);
    for (size_t i = 0; i < q->nfiles; i++)
        if (q->files[i].kind == P_RUBRIC)
            name_rubrics(reg, q->files[i].path, q->files[i].name);
    return reg;
}

bool srv_request_roster(kh_server *s, request *q, kh_registry **reg, kh_roster **roster)
{
    *roster = NULL;
    *reg = srv_request_registry(s, q, false);
    if (!*reg)
        return false;
    char *path = kh_workspace_get(s->ws, "roster");
    if (path) {
        kh_diags d = {0};
        if (kh_roster_load(path, *reg, roster, &d) != KH_OK)
            *roster = NULL; /* the ranking shows what is wrong with it */
        kh_diags_clear(&d);
        kh_free(path);
    }
    return true;
}

/* The status of (unit, r) in all (sorted by rubric and unit), or NULL. */
static const kh_fill_status *status_of(const kh_fill_status *all, size_t n, const char *unit,
                                       const kh_rubric *r)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(all[mid].rubric, r->id);
        if (!cmp)
            cmp = strcmp(all[mid].unit, unit);
        if (!cmp)
            return &all[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

kh_status srv_forms_load(kh_server *s, request *q, srv_forms *f)
{
    *f = (srv_forms){0};
    if (!srv_request_roster(s, q, &f->reg, &f->roster))
        return KH_ERR_NOMEM;
    kh_diags d = {0};
    kh_status st = kh_fill_status_all(s->ws, &f->all, &f->n, &d);
    kh_diags_clear(&d);
    return st;
}

void srv_forms_free(srv_forms *f)
{
    kh_fill_statuses_free(f->all, f->n);
    kh_roster_free(f->roster);
    kh_registry_free(f->reg);
}

bool srv_next_form(const request *q, const srv_forms *f, size_t *i, const char **unit,
                   const kh_rubric **r, const kh_fill_status **fs)
{
    size_t nr = f->roster ? f->roster->n : 0;
    for (; *i < nr + f->n; ++*i) {
        size_t k = *i;
        bool on_roster = f->roster && k < nr; /* the roster's units first */
        if (on_roster) {
            *unit = f->roster->v[k].unit;
            *r = f->roster->v[k].rubric;
        } else {
            *unit = f->all[k - nr].unit;
            *r = kh_registry_find(f->reg, f->all[k - nr].rubric);
        }
        if (!*r || !srv_may_unit(q, *unit))
            continue;
        /* a form kept of a roster unit was listed with the roster */
        if (!on_roster && f->roster && kh_roster_find(f->roster, *unit, *r) >= 0)
            continue;
        *fs = status_of(f->all, f->n, *unit, *r);
        ++*i;
        return true;
    }
    return false;
}
