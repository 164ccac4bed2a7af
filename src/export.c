/*
 * export.c - the year of a workspace as one .zip (export.h says what is
 * in it and how the names are made).
 */
#include "export.h"
#include "appeal.h"
#include "archive.h"
#include "batch.h"
#include "evidence.h"
#include "fill.h"
#include "outfile.h"
#include "platform.h"
#include "rubric.h"
#include "strset.h"
#include "text.h"
#include "xlsx_out.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The entries of the archive being made, their names unique per folder. */
typedef struct entries {
    kh_archive_file *v;
    size_t n, cap;
    char **own;        /* names and sources made here, freed at the end */
    size_t nown, capown;
    kh_strset used;    /* kh_file_key of each name */
    char **keys;       /* the set's keys */
    size_t nkeys, capkeys;
    bool oom;
} entries;

static char *keep(entries *e, char *s)
{
    if (!s || !kh_grow((void **)&e->own, &e->capown, e->nown + 1, sizeof *e->own)) {
        kh_free(s);
        e->oom = true;
        return NULL;
    }
    return e->own[e->nown++] = s;
}

/* Add the file src as folder/name (folder may be NULL: the top), name
 * made safe and, when taken, given "(k)" before its extension. */
static void add(entries *e, const char *src, const char *folder, const char *name)
{
    char *safe = kh_safe_filename(name);
    if (!safe) {
        e->oom = true;
        return;
    }
    const char *dot = strrchr(safe, '.');
    size_t stem = dot && dot != safe ? (size_t)(dot - safe) : strlen(safe);
    char *full = NULL, *key = NULL;
    for (unsigned k = 1; !e->oom; k++) {
        kh_buf b = {0};
        if (folder)
            kh_buf_printf(&b, "%s/", folder);
        if (k == 1)
            kh_buf_puts(&b, safe);
        else
            kh_buf_printf(&b, "%.*s(%u)%s", (int)stem, safe, k, safe + stem);
        full = kh_buf_steal(&b);
        key = full ? kh_file_key(full) : NULL;
        if (!full || !key) {
            e->oom = true;
            break;
        }
        if (!kh_strset_find(&e->used, key, strlen(key)))
            break;
        kh_free(full);
        kh_free(key);
        full = key = NULL;
    }
    kh_free(safe);
    if (e->oom || !kh_grow((void **)&e->keys, &e->capkeys, e->nkeys + 1, sizeof *e->keys) ||
        !kh_strset_add(&e->used, key, 0)) {
        kh_free(full);
        kh_free(key);
        e->oom = true;
        return;
    }
    e->keys[e->nkeys++] = key;
    const char *n = keep(e, full);
    const char *s = keep(e, kh_strdup(src));
    if (!n || !s || !kh_grow((void **)&e->v, &e->cap, e->n + 1, sizeof *e->v)) {
        e->oom = true;
        return;
    }
    e->v[e->n++] = (kh_archive_file){s, n};
}

static void entries_free(entries *e)
{
    for (size_t i = 0; i < e->nown; i++)
        kh_free(e->own[i]);
    for (size_t i = 0; i < e->nkeys; i++)
        kh_free(e->keys[i]);
    kh_free(e->own);
    kh_free(e->keys);
    kh_free(e->v);
    kh_strset_free(&e->used);
}

/* ---- the folders of units ---- */

typedef struct folder {
    char *unit, *rubric; /* rubric id */
    char *name;          /* the folder, safe */
} folder;

typedef struct folders {
    folder *v;
    size_t n, cap;
    const kh_registry *reg;
} folders;

/* The folder of (unit, rubric): the unit's name, or with the rubric's
 * unit type when the unit is under another rubric too (all pairs known
 * first: see plan_folder). */
static folder *find_folder(folders *f, const char *unit, const char *rubric)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].unit, unit) == 0 && strcmp(f->v[i].rubric, rubric) == 0)
            return &f->v[i];
    return NULL;
}

static const char *folder_of(folders *f, const char *unit, const char *rubric)
{
    folder *x = find_folder(f, unit, rubric);
    return x ? x->name : NULL;
}

static bool plan_folder(folders *f, const char *unit, const char *rubric)
{
    if (find_folder(f, unit, rubric))
        return true;
    if (!kh_grow((void **)&f->v, &f->cap, f->n + 1, sizeof *f->v))
        return false;
    folder *n = &f->v[f->n];
    *n = (folder){kh_strdup(unit), kh_strdup(rubric), NULL};
    if (!n->unit || !n->rubric) {
        kh_free(n->unit);
        kh_free(n->rubric);
        return false;
    }
    f->n++;
    return true;
}

/* Name every planned folder, once all are known. */
static bool name_folders(folders *f)
{
    for (size_t i = 0; i < f->n; i++) {
        bool shared = false;
        for (size_t k = 0; k < f->n && !shared; k++)
            shared = k != i && strcmp(f->v[k].unit, f->v[i].unit) == 0;
        const kh_rubric *rb = kh_registry_find(f->reg, f->v[i].rubric);
        char *want = shared ? kh_strprintf("%s-%s", f->v[i].unit,
                                           rb ? kh_rubric_name(rb) : f->v[i].rubric)
                            : kh_strdup(f->v[i].unit);
        f->v[i].name = want ? kh_safe_filename(want) : NULL;
        kh_free(want);
        if (!f->v[i].name)
            return false;
    }
    return true;
}

static void folders_free(folders *f)
{
    for (size_t i = 0; i < f->n; i++) {
        kh_free(f->v[i].unit);
        kh_free(f->v[i].rubric);
        kh_free(f->v[i].name);
    }
    kh_free(f->v);
}

/* ---- the scoring of the workspace ---- */

typedef struct labels {
    char **path, **name;
    size_t n;
} labels;

static const char *label_of(void *ctx, const char *path)
{
    const labels *l = ctx;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->path[i], path) == 0)
            return l->name[i];
    return NULL;
}

/* Grade bands and quotas as the workspace keeps them ("grades", "quota":
 * one "RUBRIC=VALUE" a line), given to b. */
static void set_grades(kh_workspace *w, kh_batch *b, kh_diags *d)
{
    char *grades = kh_workspace_get(w, "grades"), *quota = kh_workspace_get(w, "quota");
    for (const char *p = grades; p && *p;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        char *id = eq ? kh_strndup(p, (size_t)(eq - p)) : NULL;
        char *bands = eq ? kh_strndup(eq + 1, (size_t)(end - eq - 1)) : NULL;
        char *q = NULL;
        for (const char *t = quota; id && t && *t && !q;) {
            const char *tnl = strchr(t, '\n'), *tend = tnl ? tnl : t + strlen(t);
            size_t n = strlen(id);
            if ((size_t)(tend - t) > n && strncmp(t, id, n) == 0 && t[n] == '=')
                q = kh_strndup(t + n + 1, (size_t)(tend - t) - n - 1);
            t = tnl ? tnl + 1 : tend;
        }
        if (id && bands)
            kh_batch_set_grades(b, id, bands, q, d);
        kh_free(id);
        kh_free(bands);
        kh_free(q);
        p = nl ? nl + 1 : end;
    }
    kh_free(grades);
    kh_free(quota);
}

/* The shipped rubrics of reg and the workspace's own. */
static kh_registry *registry_of(kh_workspace *w, const kh_registry *reg)
{
    kh_registry *r = kh_registry_new();
    if (!r)
        return NULL;
    kh_diags d = {0};
    for (size_t i = 0; i < kh_registry_count(reg); i++)
        kh_registry_load_file(r, kh_rubric_path(kh_registry_at(reg, i)), &d);
    char *kept = kh_workspace_get(w, "rubric_files");
    for (char *p = kept, *nl; p && *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        kh_registry_load_file(r, p, &d);
        if (!nl)
            break;
    }
    kh_free(kept);
    kh_diags_clear(&d); /* checked when they were loaded first */
    return r;
}

/* ---- the journal as a workbook ---- */

static void style_head(lxw_format *f) { format_set_bold(f); }

static kh_status write_journal(kh_workspace *w, const char *path, time_t now, kh_diags *d)
{
    kh_ws_change *c = NULL;
    kh_ev_change *e = NULL;
    size_t nc = 0, ne = 0;
    kh_status st = kh_workspace_history(w, &c, &nc, d);
    if (st == KH_OK)
        st = kh_evidence_journal(w, &e, &ne, d);
    kh_xw x;
    if (st == KH_OK)
        st = kh_xw_open(&x, path, false, now, d);
    if (st != KH_OK) {
        kh_ws_changes_free(c, nc);
        kh_ev_changes_free(e, ne);
        return st;
    }
    lxw_format *head = kh_xw_format(&x, style_head);
    lxw_worksheet *ws = kh_xw_add_sheet(&x, "检查表更正记录");
    static const char *const ch[] = {"时间", "操作人", "被考核单位", "考核细则", "类别",
                                     "原因", "原文件SHA-256", "原得分", "新文件SHA-256",
                                     "新得分", "文件名"};
    for (lxw_col_t k = 0; ws && k < KH_ARRAY_LEN(ch); k++)
        kh_xw_str(&x, ws, 0, k, ch[k], head);
    for (size_t i = 0; ws && i < nc; i++) {
        const char *v[] = {c[i].at,       c[i].user,     c[i].unit,      c[i].rubric,
                           c[i].kind,     c[i].reason,   c[i].old_hash,  c[i].old_total,
                           c[i].new_hash, c[i].new_total, c[i].name};
        for (lxw_col_t k = 0; k < KH_ARRAY_LEN(v); k++)
            kh_xw_str(&x, ws, (lxw_row_t)i + 1, k, v[k], NULL);
    }
    lxw_worksheet *es = kh_xw_add_sheet(&x, "佐证材料记录");
    static const char *const eh[] = {"时间", "操作人", "被考核单位", "考核细则", "检查点",
                                     "操作", "文件名", "字节数", "SHA-256"};
    for (lxw_col_t k = 0; es && k < KH_ARRAY_LEN(eh); k++)
        kh_xw_str(&x, es, 0, k, eh[k], head);
    for (size_t i = 0; es && i < ne; i++) {
        lxw_row_t r = (lxw_row_t)i + 1;
        const char *v[] = {e[i].at, e[i].user, e[i].unit, e[i].rubric, e[i].cp, e[i].action,
                           e[i].name};
        for (lxw_col_t k = 0; k < KH_ARRAY_LEN(v); k++)
            kh_xw_str(&x, es, r, k, v[k], NULL);
        kh_xw_check(&x, worksheet_write_number(es, r, 7, (double)e[i].size, NULL),
                    "worksheet_write_number");
        kh_xw_str(&x, es, r, 8, e[i].hash, NULL);
    }
    /* The online 填报 and 考评: every answer changed, every status. */
    kh_fill_change *f = NULL;
    size_t nf = 0;
    kh_diags fd = {0};
    if (kh_fill_journal(w, NULL, NULL, &f, &nf, &fd) != KH_OK)
        kh_diags_move(d, &fd);
    kh_diags_clear(&fd);
    lxw_worksheet *fs = kh_xw_add_sheet(&x, "填报考评记录");
    static const char *const fh[] = {"时间", "操作人", "被考核单位", "考核细则", "类别",
                                     "检查点", "项目", "原值", "新值", "原因"};
    for (lxw_col_t k = 0; fs && k < KH_ARRAY_LEN(fh); k++)
        kh_xw_str(&x, fs, 0, k, fh[k], head);
    for (size_t i = 0; fs && i < nf; i++) {
        const char *field = f[i].field;
        const char *shown = !field                       ? NULL
                            : strcmp(field, "value") == 0  ? "答案"
                            : strcmp(field, "remark") == 0 ? "备注"
                            : strcmp(field, "note") == 0   ? "考评说明"
                            : strcmp(field, "agree") == 0  ? "同意"
                            : strcmp(field, "state") == 0  ? "状态"
                                                           : field;
        const char *v[] = {f[i].at,   f[i].user, f[i].unit,      f[i].rubric,    f[i].what,
                           f[i].cp,   shown,     f[i].old_value, f[i].new_value, f[i].reason};
        for (lxw_col_t k = 0; k < KH_ARRAY_LEN(v); k++)
            kh_xw_str(&x, fs, (lxw_row_t)i + 1, k, v[k], NULL);
    }
    kh_fill_changes_free(f, nf);
    if (fs)
        kh_xw_check(&x, worksheet_set_column(fs, 0, 6, 16, NULL), "worksheet_set_column");
    if (ws)
        kh_xw_check(&x, worksheet_set_column(ws, 0, 5, 16, NULL), "worksheet_set_column");
    if (es)
        kh_xw_check(&x, worksheet_set_column(es, 0, 6, 16, NULL), "worksheet_set_column");
    kh_ws_changes_free(c, nc);
    kh_ev_changes_free(e, ne);
    return kh_xw_close(&x, d);
}

/* ---- the export ---- */

/* Remove the staging folder and the files in it (two levels). */
static void remove_staging(const char *dir, int depth)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = kh_strprintf("%s/%s", dir, e->d_name);
            if (p && remove(p) != 0 && depth < 1)
                remove_staging(p, depth + 1);
            kh_free(p);
        }
        closedir(dp);
    }
    rmdir(dir);
}

kh_status kh_ws_export(kh_workspace *w, const kh_registry *shipped, const char *path,
                       kh_diags *d)
{
    kh_registry *reg = registry_of(w, shipped);
    if (!reg)
        return KH_ERR_NOMEM;
    kh_status st = KH_OK;
    kh_roster *roster = NULL;
    char *issuer = kh_workspace_get(w, "issuer");
    char *roster_path = kh_workspace_get(w, "roster");
    if (roster_path) {
        kh_diags rd = {0};
        if (kh_roster_load(roster_path, reg, &roster, &rd) != KH_OK)
            roster = NULL; /* ranked without it, as the page does */
        kh_diags_clear(&rd);
        kh_free(roster_path);
    }
    kh_options o = {.provenance = true, .keep_checks = true, .issuer = issuer};
    kh_batch *b = kh_batch_new(reg, &o);
    labels lb = {0};
    lb.path = kh_workspace_files(w, &lb.n, &lb.name);
    if (!b || !lb.path)
        st = KH_ERR_NOMEM;
    if (st == KH_OK) {
        set_grades(w, b, d);
        if (roster)
            kh_batch_set_roster(b, roster);
        kh_batch_set_labels(b, label_of, &lb);
        st = kh_batch_add_all(b, (const char *const *)lb.path, lb.n, 1, NULL, NULL, d);
    }
    if (st == KH_OK)
        st = kh_batch_finish(b);
    kh_evidence *ev = NULL;
    size_t nev = 0;
    if (st == KH_OK)
        st = kh_evidence_list(w, NULL, NULL, &ev, &nev, d);

    /* The folders: every unit with a checklist that counts, or evidence. */
    folders fo = {.reg = reg};
    char **units_of = NULL;
    size_t nunits_of = 0;
    for (size_t i = 0; st == KH_OK && i < lb.n; i++) {
        const char *base = strrchr(lb.path[i], '/');
        char *hash = kh_strndup(base ? base + 1 : lb.path[i], 64);
        units_of = hash ? kh_workspace_units_of(w, hash, &nunits_of) : NULL;
        kh_free(hash);
        if (!units_of) {
            st = KH_ERR_NOMEM;
            break;
        }
        for (size_t k = 0; k < nunits_of && st == KH_OK; k++) {
            char *tab = strchr(units_of[k], '\t');
            if (tab) {
                *tab = '\0';
                if (!plan_folder(&fo, tab + 1, units_of[k]))
                    st = KH_ERR_NOMEM;
                *tab = '\t';
            }
        }
        kh_strv_free(units_of, nunits_of);
    }
    for (size_t i = 0; st == KH_OK && i < nev; i++)
        if (!plan_folder(&fo, ev[i].unit, ev[i].rubric))
            st = KH_ERR_NOMEM;
    if (st == KH_OK && !name_folders(&fo))
        st = KH_ERR_NOMEM;

    /* The files made for it, in a private folder. */
    char *stage = st == KH_OK ? kh_strprintf("%s/kaohe-export-XXXXXX", kh_temp_dir()) : NULL;
    if (st == KH_OK && (!stage || !kh_mkdtemp(stage))) {
        if (stage)
            kh_diags_add(d, KH_ERROR, stage, NULL, NULL, 0,
                         _("cannot make a temporary folder: %s"), strerror(errno));
        st = stage ? KH_ERR_IO : KH_ERR_NOMEM;
        kh_free(stage);
        stage = NULL;
    }
    entries en = {0};
    time_t now = kh_xw_now();
    if (st == KH_OK) {
        kh_ws_change *c = NULL;
        size_t nc = 0;
        char *rk = kh_strprintf("%s/ranking.xlsx", stage);
        st = rk ? kh_journal_with_appeals(w, &c, &nc, d) : KH_ERR_NOMEM; /* 申诉, 复核 too */
        if (st == KH_OK)
            st = kh_batch_mark_final(b, w, d); /* 定稿 on the ranking and the scoresheets */
        if (st == KH_OK)
            st = kh_write_ranking_journal(b, c, nc, rk, d);
        if (st == KH_OK)
            add(&en, rk, NULL, "考核结果排名.xlsx");
        kh_ws_changes_free(c, nc);
        kh_free(rk);
    }
    if (st == KH_OK) {
        char *jp = kh_strprintf("%s/journal.xlsx", stage);
        st = jp ? write_journal(w, jp, now, d) : KH_ERR_NOMEM;
        if (st == KH_OK)
            add(&en, jp, NULL, "变更记录.xlsx");
        kh_free(jp);
    }
    /* Each unit's checklist and scoresheet. */
    char *ss = stage ? kh_strprintf("%s/ss", stage) : NULL;
    char **stems = NULL;
    if (st == KH_OK && b->nunits) {
        st = ss ? kh_write_scoresheets(b, ss, KH_FMT_XLSX, 1, d) : KH_ERR_NOMEM;
        if (st == KH_OK && !(stems = kh_scoresheet_stems(b)))
            st = KH_ERR_NOMEM;
    }
    for (size_t i = 0; st == KH_OK && i < b->nunits; i++) {
        const kh_checklist *cl = b->units[i]->cl;
        const char *fold = folder_of(&fo, cl->unit, cl->rubric->id);
        kh_ws_entry cur;
        bool found = false;
        if (fold && kh_workspace_current(w, cl->unit, cl->rubric->id, &cur, &found, d) == KH_OK &&
            found) {
            add(&en, cur.path, fold, cur.name);
            kh_ws_entry_clear(&cur);
        }
        char *sp = kh_strprintf("%s/%s.xlsx", ss, stems[i]);
        if (fold && sp)
            add(&en, sp, fold, "评分表.xlsx");
        kh_free(sp);
    }
    /* Checklists that count but no longer pass: kept as they are. */
    for (size_t i = 0; st == KH_OK && i < b->nrejected; i++) {
        const kh_rejected *r = &b->rejected[i];
        const char *fold = r->unit && r->rubric ? folder_of(&fo, r->unit, r->rubric->id) : NULL;
        kh_ws_entry cur;
        bool found = false;
        if (fold && kh_workspace_current(w, r->unit, r->rubric->id, &cur, &found, d) == KH_OK &&
            found) {
            add(&en, cur.path, fold, cur.name);
            kh_ws_entry_clear(&cur);
        }
    }
    /* The evidence, per check point. */
    for (size_t i = 0; st == KH_OK && i < nev; i++) {
        const char *fold = folder_of(&fo, ev[i].unit, ev[i].rubric);
        const kh_rubric *rb = kh_registry_find(reg, ev[i].rubric);
        long k = rb ? kh_rubric_find_cp(rb, ev[i].cp) : -1;
        char *cpname = k >= 0 ? kh_strprintf("%s %s", ev[i].cp, rb->cps[k].label)
                              : kh_strdup(ev[i].cp);
        char *safe = cpname ? kh_safe_filename(cpname) : NULL;
        char *sub = fold && safe ? kh_strprintf("%s/%s", fold, safe) : NULL;
        if (!sub)
            st = KH_ERR_NOMEM;
        else
            add(&en, ev[i].path, sub, ev[i].name);
        kh_free(cpname);
        kh_free(safe);
        kh_free(sub);
    }
    if (st == KH_OK && en.oom)
        st = KH_ERR_NOMEM;
    if (st == KH_OK) {
        kh_outfile out;
        st = kh_outfile_begin(&out, path, d);
        if (st == KH_OK) {
            st = kh_archive_pack_files(out.open_path, en.v, en.n, d);
            if (st == KH_OK)
                st = kh_outfile_commit(&out, d);
            else
                kh_outfile_abort(&out);
        }
    }
    entries_free(&en);
    for (size_t i = 0; stems && i < b->nunits; i++)
        kh_free(stems[i]);
    kh_free(stems);
    kh_free(ss);
    if (stage)
        remove_staging(stage, 0);
    kh_free(stage);
    folders_free(&fo);
    kh_evidences_free(ev, nev);
    kh_batch_free(b);
    kh_strv_free(lb.path, lb.n);
    kh_strv_free(lb.name, lb.n);
    kh_roster_free(roster);
    kh_registry_free(reg);
    kh_free(issuer);
    return st;
}

kh_status kh_workspace_export(const char *dir, const kh_registry *reg, const char *path,
                              kh_diags *d)
{
    kh_workspace *w = NULL;
    kh_status st = kh_workspace_open(dir, &w, d);
    if (st != KH_OK)
        return st;
    st = kh_ws_export(w, reg, path, d);
    kh_workspace_close(w);
    return st;
}
