/*
 * scoring.c - one scoring run over a request's or the workspace's
 * checklists.
 */
#include "serve.h"

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
    *r = (run){0};
}

/* Score q's checklists (ws false) or the workspace's (ws true) into r. */
kh_status srv_score(kh_server *s, request *q, run *r, bool from_ws, bool full,
                       kh_diags *notes)
{
    /* The page shows totals, items and reasons; the files to download
     * also carry every check point and the inputs' SHA-256 (来源). */
    kh_options o = {.provenance = full, .keep_checks = full};
    r->b = kh_batch_new(r->reg, &o);
    if (!r->b)
        return KH_ERR_NOMEM;
    const char **inputs = NULL;
    size_t n = 0;
    if (from_ws) {
        r->ws_paths = kh_workspace_files(s->ws, &r->nws, &r->ws_names);
        if (!r->ws_paths)
            return KH_ERR_NOMEM;
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
    /* The roster: this request's, else the workspace's. */
    char *roster_path = NULL;
    for (size_t i = 0; i < q->nfiles && !roster_path; i++)
        if (q->files[i].kind == P_ROSTER)
            roster_path = kh_strdup(q->files[i].path);
    if (!roster_path && s->ws)
        roster_path = kh_workspace_get(s->ws, "roster");
    kh_status st = KH_OK;
    if (roster_path) {
        st = kh_roster_load(roster_path, r->reg, &r->roster, notes);
        if (st == KH_OK)
            kh_batch_set_roster(r->b, r->roster);
        else if (st == KH_ERR_INPUT)
            st = KH_OK; /* shown; the ranking goes on without it */
        kh_free(roster_path);
    }
    if (st == KH_OK)
        st = kh_batch_add_all(r->b, inputs, n, 0, NULL, NULL, notes);
    kh_free(inputs);
    if (st == KH_OK)
        st = kh_batch_finish(r->b);
    return st;
}
