/*
 * rubrics.c - the rubrics one request sees.
 */
#include "serve.h"

#include <string.h>

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
    for (char *p = kept, *nl; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        kh_registry_load_file(reg, p, &d);
        if (!nl)
            break;
    }
    kh_free(kept);
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
            }
            kh_diags_move(&q->msgs, &sd);
            kh_free(at);
        }
    }
    return reg;
}
