/*
 * registry.c - the set of rubrics a run knows, found by id.
 */
#include "rubric.h"
#include "outfile.h"
#include "sheetfile.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct kh_registry {
    kh_rubric **v;
    size_t n, cap;
};

kh_registry *kh_registry_new(void) { return kh_calloc(1, sizeof(kh_registry)); }

void kh_registry_free(kh_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n; i++)
        kh_rubric_free(reg->v[i]);
    kh_free(reg->v);
    kh_free(reg);
}

size_t kh_registry_count(const kh_registry *reg) { return reg->n; }

const kh_rubric *kh_registry_at(const kh_registry *reg, size_t i)
{
    return i < reg->n ? reg->v[i] : NULL;
}

const kh_rubric *kh_registry_find(const kh_registry *reg, const char *id)
{
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->v[i]->id, id) == 0)
            return reg->v[i];
    return NULL;
}

kh_status kh_registry_add(kh_registry *reg, kh_rubric *r, kh_diags *d)
{
    const kh_rubric *old = kh_registry_find(reg, r->id);
    if (old && old->path && r->path && kh_same_file(old->path, r->path)) {
        /* The same file named again (e.g. --rubric on a shipped rubric). */
        kh_rubric_free(r);
        return KH_OK;
    }
    if (old) {
        kh_diags_add(d, KH_ERROR, r->path, NULL, NULL, 0,
                     _("rubric id '%s' is already defined by %s: give each rubric its own id"),
                     r->id, old->path);
        kh_rubric_free(r);
        return KH_ERR_RUBRIC;
    }
    /* Ids equal but for case would make the 考核细则 cell ambiguous (it
     * matches ids in any case). */
    for (size_t i = 0; i < reg->n; i++) {
        if (kh_ascii_eq_nocase(reg->v[i]->id, r->id)) {
            kh_diags_add(d, KH_ERROR, r->path, NULL, NULL, 0,
                         _("rubric id '%s' differs only in upper and lower case from '%s' of %s: "
                           "give each rubric an id of its own"),
                         r->id, reg->v[i]->id, reg->v[i]->path);
            kh_rubric_free(r);
            return KH_ERR_RUBRIC;
        }
    }
    if (!kh_grow((void **)&reg->v, &reg->cap, reg->n + 1, sizeof *reg->v)) {
        kh_rubric_free(r);
        return KH_ERR_NOMEM;
    }
    reg->v[reg->n++] = r;
    return KH_OK;
}

kh_status kh_registry_load_file(kh_registry *reg, const char *path, kh_diags *d)
{
    kh_rubric *r = NULL;
    kh_status st = kh_rubric_load(path, &r, d);
    if (st != KH_OK)
        return st;
    return kh_registry_add(reg, r, d);
}


static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp((*(kh_rubric *const *)a)->id, (*(kh_rubric *const *)b)->id);
}

kh_status kh_registry_load_dir(kh_registry *reg, const char *dir, kh_diags *d)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0, _("cannot open rubric folder: %s"),
                     strerror(errno));
        return KH_ERR_IO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    kh_status st = KH_OK;
    size_t first = reg->n;
    struct dirent *e;
    while ((e = readdir(dh))) {
        if (!kh_sheetfile_name(e->d_name))
            continue;
        kh_buf p = {0};
        kh_buf_printf(&p, "%s/%s", dir, e->d_name);
        char *s = kh_buf_steal(&p);
        if (!s || !kh_grow((void **)&names, &cap, n + 1, sizeof *names)) {
            kh_free(s);
            st = KH_ERR_NOMEM;
            break;
        }
        names[n++] = s;
    }
    closedir(dh);
    if (st == KH_OK && n > 1)
        qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        if (st != KH_ERR_NOMEM) {
            kh_status s2 = kh_registry_load_file(reg, names[i], d);
            if (s2 != KH_OK && st == KH_OK)
                st = s2;
            if (s2 == KH_ERR_NOMEM)
                st = s2;
        }
        kh_free(names[i]);
    }
    kh_free(names);
    /* The rubrics of the folder in id order (ids are unique). */
    if (reg->n - first > 1)
        qsort(reg->v + first, reg->n - first, sizeof *reg->v, id_cmp);
    return st;
}
