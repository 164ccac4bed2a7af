/*
 * scoring.c - one scoring run over a request's or the workspace's
 * checklists.
 */
#include "serve.h"

#include <stddef.h>
#include <string.h>

/* A saved path -> the name the office gave. */
static const char *label_of(void *ctx, const char *path)
{
    const label_map *m = ctx;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->path[i], path) == 0)
            return m->name[i];
    return NULL;
}

void srv_run_free(run *r)
{
    kh_batch_free(r->b);
    kh_roster_free(r->roster);
    kh_registry_free(r->reg);
    kh_free(r->labels.path);
    kh_free(r->labels.name);
    kh_strv_free(r->ws_paths, r->nws);
    kh_strv_free(r->ws_names, r->nws);
    kh_free(r->issuer);
    *r = (run){0};
}

/* The workspace's uploads that did not pass, for r's ranking of the
 * workspace: those that name a unit and rubric that have no checklist
 * that counts (a unit that sent only those is 已提交未通过), each file
 * once, appended to r's files.  A file that counts already is read as
 * such. */
static kh_status add_failed(kh_server *s, run *r)
{
    kh_ws_rejection *v = NULL;
    size_t n = 0;
    kh_diags d = {0};
    kh_status st = kh_workspace_rejections(s->ws, &v, &n, &d);
    kh_diags_clear(&d);
    if (st != KH_ERR_NOMEM && st != KH_OK)
        st = KH_OK; /* the journal unreadable: ranked without them */
    for (size_t i = 0; i < n && st == KH_OK; i++) {
        if (!v[i].unit || !v[i].rubric)
            continue;
        bool skip = false;
        for (size_t k = 0; k < r->nws && !skip; k++)
            skip = strcmp(r->ws_paths[k], v[i].path) == 0;
        kh_ws_entry e;
        bool found = false;
        if (!skip && kh_workspace_current(s->ws, v[i].unit, v[i].rubric, &e, &found, &d) == KH_OK &&
            found) {
            kh_ws_entry_clear(&e);
            skip = true;
        }
        kh_diags_clear(&d);
        if (skip)
            continue;
        size_t cap = r->nws + 1, cap2 = cap; /* the two arrays grow together */
        if (!kh_grow((void **)&r->ws_paths, &cap, r->nws + 2, sizeof *r->ws_paths) ||
            !kh_grow((void **)&r->ws_names, &cap2, r->nws + 2, sizeof *r->ws_names)) {
            st = KH_ERR_NOMEM;
            break;
        }
        r->ws_paths[r->nws] = v[i].path;
        r->ws_names[r->nws++] = v[i].name;
        r->nrefed++;
        v[i].path = v[i].name = NULL;
    }
    kh_ws_rejections_free(v, n);
    return st;
}

/* A kept rejected upload that passes now (the roster or a rubric changed
 * since) is that unit's checklist: recorded as its first, so that what is
 * ranked is what the journal says counts.  add_failed took only those of
 * units that had none. */
static kh_status record_passed(kh_server *s, request *q, run *r)
{
    const char *user = srv_user(q);
    kh_batch *b = r->b;
    for (size_t i = 0; i < b->nunits; i++) {
        const kh_unit *u = b->units[i];
        for (size_t k = r->nws - r->nrefed; k < r->nws; k++) {
            if (strcmp(r->ws_names[k], u->cl->source) != 0)
                continue;
            char total[KH_DEC_BUFSZ];
            kh_dec_format(u->total, total);
            kh_diags d = {0};
            bool changed = false;
            kh_status st = kh_workspace_record(s->ws, u->cl->unit, u->cl->rubric->id, total,
                                               r->ws_paths[k], r->ws_names[k], user, NULL, NULL,
                                               &changed, &d);
            kh_diags_clear(&d);
            if (st == KH_ERR_NOMEM || st == KH_ERR_IO)
                return st;
            break; /* KH_ERR_USAGE: it has one (recorded meanwhile) */
        }
    }
    return KH_OK;
}

/* Grade bands and quotas as the workspace keeps them ("grades", "quota":
 * one "RUBRIC=VALUE" a line, the command line's --grades and --quota
 * values) given to b: KH_OK, or the first refusal (the others given
 * still) with their messages in d; KH_ERR_NOMEM stops. */
kh_status srv_set_grades(kh_batch *b, const char *grades, const char *quota, kh_diags *d)
{
    kh_status st = KH_OK;
    for (const char *p = grades; p && *p && st != KH_ERR_NOMEM;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        char *id = eq ? kh_strndup(p, (size_t)(eq - p)) : NULL;
        char *bands = eq ? kh_strndup(eq + 1, (size_t)(end - eq - 1)) : NULL;
        char *q = NULL;
        for (const char *t = quota; id && t && *t && !q;) {
            const char *tnl = strchr(t, '\n'), *tend = tnl ? tnl : t + strlen(t);
            size_t n = strlen(id);
            if ((size_t)(tend - t) > n && strncmp(t, id, n) == 0 && t[n] == '=')
                q = kh_strndup(t + n + 1, (size_t)(tend - t - (ptrdiff_t)n - 1));
            t = tnl ? tnl + 1 : tend;
        }
        kh_status one = KH_OK;
        if (eq && (!id || !bands))
            one = KH_ERR_NOMEM;
        else if (eq)
            one = kh_batch_set_grades(b, id, bands, q, d);
        if (st == KH_OK || one == KH_ERR_NOMEM)
            st = one;
        kh_free(id);
        kh_free(bands);
        kh_free(q);
        p = nl ? nl + 1 : end;
    }
    return st;
}

/* Score q's checklists (ws false) or the workspace's (ws true) into r. */
kh_status srv_score(kh_server *s, request *q, run *r, bool from_ws, bool full,
                       kh_diags *notes)
{
    /* The page shows totals, items and reasons; the files to download
     * also carry every check point and the inputs' SHA-256 (来源). */
    kh_options o = {.provenance = full, .keep_checks = full};
    if (s->ws)
        o.issuer = r->issuer = kh_workspace_get(s->ws, "issuer");
    r->b = kh_batch_new(r->reg, &o);
    if (!r->b)
        return KH_ERR_NOMEM;
    if (s->ws) {
        char *grades = kh_workspace_get(s->ws, "grades");
        char *quota = kh_workspace_get(s->ws, "quota");
        kh_status gs = srv_set_grades(r->b, grades, quota, notes);
        kh_free(grades);
        kh_free(quota);
        if (gs == KH_ERR_NOMEM)
            return gs;
    }
    const char **inputs = NULL;
    size_t n = 0;
    if (from_ws) {
        r->ws_paths = kh_workspace_files(s->ws, &r->nws, &r->ws_names);
        if (!r->ws_paths)
            return KH_ERR_NOMEM;
        kh_status fs = add_failed(s, r);
        if (fs != KH_OK)
            return fs;
        n = r->nws;
        inputs = kh_calloc(n ? n : 1, sizeof *inputs);
        r->labels.path = kh_calloc(n ? n : 1, sizeof *r->labels.path);
        r->labels.name = kh_calloc(n ? n : 1, sizeof *r->labels.name);
        if (!inputs || !r->labels.path || !r->labels.name) {
            kh_free(inputs);
            return KH_ERR_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            inputs[i] = r->ws_paths[i];
            r->labels.path[i] = r->ws_paths[i];
            r->labels.name[i] = r->ws_names[i];
        }
        r->labels.n = n;
    } else {
        inputs = kh_calloc(q->nfiles ? q->nfiles : 1, sizeof *inputs);
        r->labels.path = kh_calloc(q->nfiles ? q->nfiles : 1, sizeof *r->labels.path);
        r->labels.name = kh_calloc(q->nfiles ? q->nfiles : 1, sizeof *r->labels.name);
        if (!inputs || !r->labels.path || !r->labels.name) {
            kh_free(inputs);
            return KH_ERR_NOMEM;
        }
        for (size_t i = 0; i < q->nfiles; i++)
            if (q->files[i].kind == P_CHECKLIST && q->files[i].path) {
                inputs[n] = q->files[i].path;
                r->labels.path[n] = q->files[i].path;
                r->labels.name[n++] = q->files[i].name;
            }
        r->labels.n = n;
    }
    kh_batch_set_labels(r->b, label_of, &r->labels);
    /* The roster: this request's, else the workspace's; named in every
     * message by the name it was uploaded as. */
    char *roster_path = NULL, *roster_name = NULL;
    for (size_t i = 0; i < q->nfiles && !roster_path; i++)
        if (q->files[i].kind == P_ROSTER) {
            roster_path = kh_strdup(q->files[i].path);
            roster_name = kh_strdup(q->files[i].name);
        }
    if (!roster_path && s->ws) {
        roster_path = kh_workspace_get(s->ws, "roster");
        roster_name = kh_workspace_get(s->ws, "roster_name");
    }
    kh_status st = KH_OK;
    if (roster_path) {
        size_t first = notes->n;
        st = kh_roster_load(roster_path, r->reg, &r->roster, notes);
        const char *shown = roster_name ? roster_name : "单位名单";
        for (size_t k = first; k < notes->n; k++)
            if (notes->v[k].file && strcmp(notes->v[k].file, roster_path) == 0) {
                char *nm = kh_strdup(shown);
                if (nm) {
                    kh_free(notes->v[k].file);
                    notes->v[k].file = nm;
                }
            }
        if (st == KH_OK) {
            char *nm = kh_strdup(shown);
            if (nm) {
                kh_free(r->roster->path);
                r->roster->path = nm;
            }
            kh_batch_set_roster(r->b, r->roster);
        } else if (st == KH_ERR_INPUT) {
            st = KH_OK; /* shown; the ranking goes on without it */
        }
        kh_free(roster_path);
    }
    kh_free(roster_name);
    if (st == KH_OK)
        st = kh_batch_add_all(r->b, inputs, n, 0, NULL, NULL, notes);
    if (st == KH_OK && from_ws) /* the online 自评 beside the 考评 (review.c) */
        st = srv_review_add_selves(s, r->b, r->reg);
    kh_free(inputs);
    if (st == KH_OK)
        st = kh_batch_finish(r->b);
    if (st == KH_OK && from_ws && r->nrefed)
        st = record_passed(s, q, r);
    return st;
}
