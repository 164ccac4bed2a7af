/*
 * unit_users.c - one filler per roster unit (unit_users.h).
 */
#include "unit_users.h"
#include "roster.h"
#include "workspace_db.h"

#include <stdio.h>
#include <string.h>

/* reg's rubrics and ws's uploaded ones, in a registry of their own. */
static kh_registry *rubrics_of(kh_workspace *ws, const kh_registry *reg)
{
    kh_registry *all = kh_registry_new();
    if (!all)
        return NULL;
    kh_diags quiet = {0}; /* loaded before: their problems were shown then */
    for (size_t i = 0; reg && i < kh_registry_count(reg); i++) {
        const char *p = kh_rubric_path(kh_registry_at(reg, i));
        if (p)
            kh_registry_load_file(all, p, &quiet);
    }
    char *kept = kh_workspace_get(ws, "rubric_files");
    for (char *p = kept, *nl; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        kh_registry_load_file(all, p, &quiet);
        if (!nl)
            break;
    }
    kh_free(kept);
    kh_diags_clear(&quiet);
    return all;
}

/* The roster given, stored as ws's; else ws's.  *ro loaded. */
static kh_status load_roster(kh_workspace *ws, const kh_registry *reg, const char *file,
                             const char *name, kh_roster **ro, kh_diags *d)
{
    *ro = NULL;
    if (file) {
        kh_status st = kh_roster_load(file, reg, ro, d);
        if (st != KH_OK)
            return st;
        const char *base = strrchr(file, '/');
        const char *dot = strrchr(file, '.');
        char *at = NULL;
        st = kh_workspace_store(ws, file, dot && (!base || dot > base) ? dot : ".csv", &at, d);
        if (st == KH_OK)
            st = kh_workspace_set(ws, "roster", at, d);
        if (st == KH_OK)
            st = kh_workspace_set(ws, "roster_name", name ? name : base ? base + 1 : file, d);
        kh_free(at);
        return st;
    }
    char *path = kh_workspace_get(ws, "roster");
    if (!path) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, "%s",
                     _("the workspace has no roster (单位名单): give one with --roster FILE, "
                       "or upload it on the page first"));
        return KH_ERR_USAGE;
    }
    kh_status st = kh_roster_load(path, reg, ro, d);
    kh_free(path);
    return st;
}

/* A free name for the sheet's older copy: DIR/账号分发表-K.xlsx. */
static char *older_name(const char *dir)
{
    for (unsigned k = 2; k < 10000; k++) {
        char *p = kh_strprintf("%s/账号分发表-%u.xlsx", dir, k);
        FILE *f = p ? fopen(p, "rb") : NULL;
        if (!f)
            return p;
        fclose(f);
        kh_free(p);
    }
    return NULL;
}

kh_status kh_unit_users_make(kh_workspace *ws, const kh_registry *reg, const char *roster_file,
                             const char *roster_name, const char *users_path, kh_accounts *live,
                             const char *url, kh_new_account **out, size_t *nout, char **sheet,
                             kh_diags *d)
{
    *out = NULL;
    *nout = 0;
    *sheet = NULL;
    kh_registry *all = rubrics_of(ws, reg);
    kh_roster *ro = NULL;
    kh_status st = all ? load_roster(ws, all, roster_file, roster_name, &ro, d) : KH_ERR_NOMEM;
    const char **units = st == KH_OK ? kh_calloc(ro->n ? ro->n : 1, sizeof *units) : NULL;
    size_t n = 0;
    if (st == KH_OK && !units)
        st = KH_ERR_NOMEM;
    /* Each unit once (a roster may list one under two rubrics), in the
     * roster's order. */
    for (size_t i = 0; st == KH_OK && i < ro->n; i++) {
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(units[k], ro->v[i].unit) == 0;
        if (!seen)
            units[n++] = ro->v[i].unit;
    }
    if (st == KH_OK)
        st = kh_accounts_add_unit_users(users_path, live, units, n, out, nout, d);
    if (st == KH_OK && *nout == 0)
        kh_diags_add(d, KH_NOTE, NULL, NULL, NULL, 0, "%s",
                     _("every unit of the roster has a filler account already: none was made"));
    char *path = st == KH_OK && *nout ? kh_strprintf("%s/" KH_ACCOUNT_SHEET, kh_ws_dir(ws)) : NULL;
    if (st == KH_OK && *nout && !path)
        st = KH_ERR_NOMEM;
    if (path) {
        /* The sheet of an earlier run is kept: its units may not have
         * had theirs yet. */
        FILE *f = fopen(path, "rb");
        if (f) {
            fclose(f);
            char *older = older_name(kh_ws_dir(ws));
            if (!older || rename(path, older) != 0) {
                kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, "%s",
                             _("cannot keep the earlier sheet of accounts: rename or move it, "
                               "then make the accounts' sheet again"));
                st = KH_ERR_IO;
            }
            kh_free(older);
        }
        if (st == KH_OK)
            st = kh_write_account_sheet(path, *out, *nout, url, d);
        if (st == KH_OK) {
            *sheet = path;
        } else {
            /* The accounts are made: their passwords, shown nowhere,
             * are to be reset. */
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("%zu filler accounts were made but their sheet was not written: "
                           "reset their passwords on the page (账号管理)"),
                         *nout);
            kh_free(path);
        }
    }
    kh_free(units);
    kh_roster_free(ro);
    kh_registry_free(all);
    return st;
}
