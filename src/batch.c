/*
 * batch.c - a run over many inputs: expand folders, read each file with
 * the right reader, find the checklist on each sheet, score it, keep the
 * rejected ones with their messages; then reject duplicates and rank.
 */
#include "batch.h"
#include "csv_in.h"
#include "outfile.h"
#include "pool.h"
#include "selfeval.h"
#include "sheetfile.h"
#include "text.h"
#include "xlsx_in.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

kh_batch *kh_batch_new(const kh_registry *reg, const kh_options *opts)
{
    kh_batch *b = kh_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->reg = reg;
    if (opts)
        b->opts = *opts;
    /* The batch's own copy of the issuer (opts.issuer points to it). */
    if (b->opts.issuer && !(b->opts.issuer = kh_strdup(b->opts.issuer))) {
        kh_free(b);
        return NULL;
    }
    return b;
}

void kh_batch_free(kh_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nunits; i++)
        kh_unit_free(b->units[i]);
    kh_free(b->units);
    for (size_t i = 0; i < b->nfinal; i++) {
        kh_free(b->final_rubric[i]);
        kh_free(b->final_date[i]);
    }
    kh_free(b->final_rubric);
    kh_free(b->final_date);
    for (size_t i = 0; i < b->nrejected; i++) {
        kh_free(b->rejected[i].source);
        kh_free(b->rejected[i].sheet);
        kh_free(b->rejected[i].unit);
    }
    kh_free(b->rejected);
    kh_diags_clear(&b->errors);
    for (size_t i = 0; i < b->ninputs; i++)
        kh_free(b->inputs[i]);
    kh_free(b->inputs);
    kh_free(b->input_ids);
    kh_free(b->digests);
    for (size_t i = 0; i < b->ngrades; i++) {
        kh_free(b->grades[i].rubric_id);
        kh_grades_free(b->grades[i].grades, b->grades[i].n);
    }
    kh_free(b->grades);
    kh_free(b->missing);
    kh_free(b->failed);
    kh_free((char *)b->opts.issuer);
    kh_self_free(b->self);
    kh_free(b);
}

void kh_batch_set_roster(kh_batch *b, const kh_roster *ro) { b->roster = ro; }
const kh_roster *kh_batch_roster(const kh_batch *b) { return b->roster; }

void kh_batch_set_labels(kh_batch *b, const char *(*label)(void *ctx, const char *path),
                         void *ctx)
{
    b->label = label;
    b->label_ctx = ctx;
}
size_t kh_batch_missing_count(const kh_batch *b) { return b->nmissing; }
size_t kh_batch_missing_at(const kh_batch *b, size_t i) { return b->missing[i]; }
size_t kh_batch_failed_count(const kh_batch *b) { return b->nfailed; }
size_t kh_batch_failed_at(const kh_batch *b, size_t i) { return b->failed[i]; }

kh_status kh_batch_set_grades(kh_batch *b, const char *rubric_id, const char *bands,
                              const char *quota, kh_diags *d)
{
    /* Checked against the total of every rubric the bands apply to. */
    kh_dec total = INT64_MAX;
    const kh_rubric *r = NULL;
    if (rubric_id) {
        r = kh_registry_find(b->reg, rubric_id);
        if (!r) {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("grades for rubric '%s', which is not loaded: see 'kaohe rubric list'"),
                         rubric_id);
            return KH_ERR_USAGE;
        }
        total = r->total;
    } else {
        for (size_t i = 0; i < kh_registry_count(b->reg); i++)
            total = kh_dec_min(total, kh_registry_at(b->reg, i)->total);
    }
    kh_grade *g = NULL;
    size_t n = 0;
    const char *why = NULL;
    bool in_quota = false;
    char arg[128] = "";
    if (!kh_grades_parse(bands, quota, total, &g, &n, &why, &in_quota, arg, sizeof arg)) {
        if (!why)
            return KH_ERR_NOMEM;
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, why, arg);
        return KH_ERR_USAGE;
    }
    char *id = rubric_id ? kh_strdup(rubric_id) : NULL;
    if ((rubric_id && !id) ||
        !kh_grow((void **)&b->grades, &b->capgrades, b->ngrades + 1, sizeof *b->grades)) {
        kh_free(id);
        kh_grades_free(g, n);
        return KH_ERR_NOMEM;
    }
    b->grades[b->ngrades++] = (struct kh_grades_override){id, g, n};
    return KH_OK;
}

const kh_grade *kh_batch_grades_of(const kh_batch *b, const kh_rubric *r, size_t *n)
{
    /* The last one given for this rubric, else the last for every rubric,
     * else the rubric's own. */
    const struct kh_grades_override *all = NULL;
    for (size_t i = b->ngrades; i-- > 0;) {
        const struct kh_grades_override *o = &b->grades[i];
        if (o->rubric_id && strcmp(o->rubric_id, r->id) == 0) {
            *n = o->n;
            return o->grades;
        }
        if (!o->rubric_id && !all)
            all = o;
    }
    if (all) {
        *n = all->n;
        return all->grades;
    }
    *n = r->ngrades;
    return r->grades;
}

/* Grade the units of one rubric, u[0..n) in ranking order (ranks set):
 * each unit not vetoed takes the first band whose bound its total reaches;
 * then, band by band from the top, a quota moves the units past it down one
 * band, with every unit tied with the first of them (a tie is never split),
 * so the quota is never exceeded.  Vetoed units take the last band. */
static void grade_group(kh_unit **u, size_t n, const kh_grade *g, size_t ng)
{
    if (!ng) {
        for (size_t i = 0; i < n; i++)
            u[i]->grade = NULL;
        return;
    }
    size_t ranked = 0;
    for (size_t i = 0; i < n; i++)
        ranked += !u[i]->vetoed;
    /* band[i]: the band of u[i], kept in grade (name) at the end. */
    size_t first = 0; /* the first unit of the band being looked at */
    size_t *band = kh_calloc(ranked ? ranked : 1, sizeof *band);
    if (!band) {
        /* Out of memory: no quota, bands by bound alone. */
        for (size_t i = 0; i < n; i++) {
            size_t b = 0;
            while (!u[i]->vetoed && b + 1 < ng && u[i]->total < g[b].min)
                b++;
            u[i]->grade = g[u[i]->vetoed ? ng - 1 : b].name;
        }
        return;
    }
    for (size_t i = 0; i < ranked; i++) {
        size_t b = 0;
        while (b + 1 < ng && u[i]->total < g[b].min)
            b++;
        band[i] = b;
    }
    for (size_t b = 0; b + 1 < ng; b++) {
        /* The units of band b are consecutive in ranking order. */
        while (first < ranked && band[first] < b)
            first++;
        size_t end = first;
        while (end < ranked && band[end] == b)
            end++;
        if (g[b].has_quota) {
            size_t allowed = ranked * g[b].quota / 100;
            if (end - first > allowed) {
                size_t cut = first + allowed;
                while (cut > first && u[cut - 1]->total == u[cut]->total)
                    cut--;
                for (size_t i = cut; i < end; i++)
                    band[i] = b + 1;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        u[i]->grade = g[u[i]->vetoed || i >= ranked ? ng - 1 : band[i]].name;
    kh_free(band);
}

size_t kh_batch_unit_count(const kh_batch *b) { return b->nunits; }
size_t kh_batch_rejected_count(const kh_batch *b) { return b->nrejected; }
const kh_diags *kh_batch_errors(const kh_batch *b) { return &b->errors; }

/* Record a rejected input with the diagnostics of d (moved into b), and
 * the unit and rubric it names where known (NULL). */
static kh_status reject(kh_batch *b, const char *source, const char *sheet, const char *unit,
                        const kh_rubric *rubric, kh_diags *d, size_t order)
{
    if (!kh_grow((void **)&b->rejected, &b->caprejected, b->nrejected + 1, sizeof *b->rejected))
        return KH_ERR_NOMEM;
    kh_rejected r = {.source = kh_strdup(source), .sheet = kh_strdup(sheet),
                     .unit = kh_strdup(unit), .rubric = rubric,
                     .first = b->errors.n, .order = order};
    if (!r.source || (sheet && !r.sheet) || (unit && !r.unit)) {
        kh_free(r.source);
        kh_free(r.sheet);
        kh_free(r.unit);
        return KH_ERR_NOMEM;
    }
    kh_diags_move(&b->errors, d);
    r.n = b->errors.n - r.first;
    if (b->errors.oom) {
        kh_free(r.source);
        kh_free(r.sheet);
        kh_free(r.unit);
        return KH_ERR_NOMEM;
    }
    b->rejected[b->nrejected++] = r;
    return KH_OK;
}

static kh_status add_unit(kh_batch *b, kh_unit *u)
{
    if (!kh_grow((void **)&b->units, &b->capunits, b->nunits + 1, sizeof *b->units))
        return KH_ERR_NOMEM;
    b->units[b->nunits++] = u;
    return KH_OK;
}

/* ---- reading one file ----
 *
 * Reading a file (any thread) is kept apart from committing it to the
 * batch (the caller's thread, in input order): kh_batch_add_all reads
 * files on several threads, and a workbook whose later part turns out to
 * be broken is rejected whole.  Reading touches only the registry and the
 * options, which nobody changes meanwhile. */

typedef struct file_ctx {
    const kh_registry *reg;
    const kh_options *opts;
    const char *path;
    kh_diags notes;   /* skipped sheets */
    kh_unit **units;
    size_t nunits, capunits;
    kh_batch rej;     /* rejected sheets of this file (only rejected/errors used) */
    size_t found;     /* sheets that hold a checklist */
    size_t sheets;
    kh_status rst;    /* KH_OK, KH_ERR_NOMEM, or the file is rejected as a whole (d) */
    kh_diags d;       /* why the file is rejected */
    kh_digest digest; /* with opts->provenance */
    bool skipped;     /* kaohe's own output: a note, no input */
} file_ctx;

static void file_ctx_free(file_ctx *c)
{
    for (size_t i = 0; i < c->nunits; i++)
        kh_unit_free(c->units[i]);
    kh_free(c->units);
    for (size_t i = 0; i < c->rej.nrejected; i++) {
        kh_free(c->rej.rejected[i].source);
        kh_free(c->rej.rejected[i].sheet);
        kh_free(c->rej.rejected[i].unit);
    }
    kh_free(c->rej.rejected);
    kh_diags_clear(&c->rej.errors);
    kh_diags_clear(&c->notes);
    kh_diags_clear(&c->d);
    *c = (file_ctx){0};
}

static kh_status take_sheet(void *vctx, const kh_sheet *sheet)
{
    file_ctx *c = vctx;
    kh_diags d = {0};
    kh_checklist *cl = NULL;
    kh_checklist_who who = {0};
    kh_status st = KH_OK;
    c->sheets++;
    kh_find f = kh_checklist_read_who(sheet, c->path, c->reg, c->opts, &cl, &who, &d, &st);
    if (st == KH_ERR_NOMEM) {
        kh_free(who.unit);
        kh_diags_clear(&d);
        return KH_ERR_NOMEM;
    }
    if (f == KH_FIND_NONE) {
        if (sheet->name)
            kh_diags_add(&c->notes, KH_NOTE, c->path, sheet->name, NULL, 0,
                         _("sheet skipped: it holds no checklist"));
        kh_diags_clear(&d);
        return KH_OK;
    }
    c->found++;
    if (f == KH_FIND_OK) {
        kh_unit *u = NULL;
        cl->keep_checks = c->opts->keep_checks;
        st = kh_score(cl, &u, &d);
        if (st == KH_OK) {
            u->order = c->sheets;
            if (!kh_grow((void **)&c->units, &c->capunits, c->nunits + 1, sizeof *c->units)) {
                kh_unit_free(u);
                kh_diags_clear(&d);
                return KH_ERR_NOMEM;
            }
            c->units[c->nunits++] = u;
            kh_diags_clear(&d);
            return KH_OK;
        }
        /* Read but not scored: it still names its unit and rubric. */
        who.rubric = cl->rubric;
        who.unit = cl->unit;
        cl->unit = NULL;
        kh_checklist_free(cl);
        if (st == KH_ERR_NOMEM) {
            kh_free(who.unit);
            kh_diags_clear(&d);
            return st;
        }
    }
    st = reject(&c->rej, c->path, sheet->name, who.unit, who.rubric, &d, c->sheets);
    kh_free(who.unit);
    kh_diags_clear(&d);
    return st;
}


static int id_cmp(const void *pa, const void *pb)
{
    const kh_file_id *a = pa, *b = pb;
    if (a->exists != b->exists)
        return a->exists ? -1 : 1;
    if (a->dev != b->dev)
        return a->dev < b->dev ? -1 : 1;
    return a->ino < b->ino ? -1 : a->ino > b->ino;
}

static kh_status remember_input(kh_batch *b, const char *path, const char *shown,
                                const kh_digest *dg)
{
    char *p = kh_strdup(shown);
    size_t cap = b->capinputs, cap2 = cap; /* the arrays grow together */
    if (!p || !kh_grow((void **)&b->inputs, &b->capinputs, b->ninputs + 1, sizeof *b->inputs) ||
        !kh_grow((void **)&b->input_ids, &cap, b->ninputs + 1, sizeof *b->input_ids) ||
        (b->opts.provenance &&
         !kh_grow((void **)&b->digests, &cap2, b->ninputs + 1, sizeof *b->digests))) {
        kh_free(p);
        return KH_ERR_NOMEM;
    }
    if (b->opts.provenance)
        b->digests[b->ninputs] = dg ? *dg : (kh_digest){0};
    unsigned long long dev, ino;
    kh_file_id id = {0};
    if (kh_file_identity(path, &dev, &ino))
        id = (kh_file_id){.dev = dev, .ino = ino, .exists = true};
    b->input_ids[b->ninputs] = id;
    b->inputs[b->ninputs++] = p;
    return KH_OK;
}

/* Read and score the file c->path into c (c->reg, c->opts set). */
static void read_file(file_ctx *c)
{
    const char *path = c->path;
    kh_sheetfile_kind kind = KH_SHEETFILE_CSV;
    /* The digest of the bytes about to be read (read once more: the
     * readers stream a workbook from the file). */
    if (c->opts->provenance)
        kh_file_digest(path, &c->digest);
    kh_budget_begin(KH_INPUT_MEMORY);
    kh_status rst = kh_sheetfile_read(path, take_sheet, c, &kind, &c->d);
    int over = kh_budget_end();
    if (over) {
        /* Refused by a memory budget: whatever the file gave is dropped
         * (it is rejected whole), and the message names the limit. */
        file_ctx keep = {.reg = c->reg, .opts = c->opts, .path = c->path, .digest = c->digest};
        file_ctx_free(c);
        *c = keep;
        if (over == KH_BUDGET_INPUT)
            kh_diags_add(&c->d, KH_ERROR, path, NULL, NULL, 0,
                         _("reading this file needs more than %u MiB of memory, kaohe's limit "
                           "for one input: the file is crafted or damaged, or far larger than a "
                           "checklist; re-save it from Excel or WPS"),
                         (unsigned)(KH_INPUT_MEMORY >> 20));
        else
            kh_diags_add(&c->d, KH_ERROR, path, NULL, NULL, 0,
                         _("kaohe's memory for the whole run (%u MiB) was used up while reading "
                           "this file: score fewer files at a time, or with a smaller -j"),
                         (unsigned)(kh_run_budget() >> 20));
        c->rst = c->d.oom ? KH_ERR_NOMEM : KH_ERR_LIMIT;
        return;
    }
    if (rst == KH_OK && (kind == KH_SHEETFILE_RANKING || kind == KH_SHEETFILE_SCORESHEET)) {
        /* kaohe's own output lying among the inputs (rank DIR -o DIR/排名.xlsx
         * run twice): one note, not a broken checklist. */
        kh_diags_add(&c->notes, KH_NOTE, path, NULL, NULL, 0,
                     kind == KH_SHEETFILE_RANKING
                         ? _("this is a ranking workbook written by kaohe, skipped")
                         : _("this is a scoresheet written by kaohe, skipped"));
        c->skipped = true;
        c->rst = c->notes.oom ? KH_ERR_NOMEM : KH_OK;
        return;
    }
    if (rst == KH_OK && c->found == 0) {
        if (kind == KH_SHEETFILE_CSV)
            kh_diags_add(&c->d, KH_ERROR, path, NULL, NULL, 0,
                         _("this file holds no checklist: a checklist has a 考核细则 field and a "
                           "table with 检查点 and 检查结果 columns (make one with kaohe template)"));
        else
            kh_diags_add(&c->d, KH_ERROR, path, NULL, NULL, 0,
                         _("no sheet of this workbook holds a checklist: a checklist has a 考核细则 "
                           "field and a table with 检查点 and 检查结果 columns (make one with kaohe template)"));
        rst = KH_ERR_INPUT;
    }
    c->rst = rst;
}

/* Replace *s by a copy of shown when it is path. */
static kh_status relabel_one(char **s, const char *path, const char *shown)
{
    if (!*s || strcmp(*s, path) != 0)
        return KH_OK;
    char *n = kh_strdup(shown);
    if (!n)
        return KH_ERR_NOMEM;
    kh_free(*s);
    *s = n;
    return KH_OK;
}

static kh_status relabel_diags(kh_diags *d, const char *path, const char *shown)
{
    kh_status st = KH_OK;
    for (size_t i = 0; i < d->n && st == KH_OK; i++)
        st = relabel_one(&d->v[i].file, path, shown);
    return st;
}

/* What reading c->path gave, named by shown instead (kh_batch_set_labels). */
static kh_status relabel(file_ctx *c, const char *shown)
{
    kh_status st = relabel_diags(&c->d, c->path, shown);
    if (st == KH_OK)
        st = relabel_diags(&c->notes, c->path, shown);
    if (st == KH_OK)
        st = relabel_diags(&c->rej.errors, c->path, shown);
    for (size_t i = 0; i < c->rej.nrejected && st == KH_OK; i++)
        st = relabel_one(&c->rej.rejected[i].source, c->path, shown);
    for (size_t i = 0; i < c->nunits && st == KH_OK; i++)
        st = relabel_one(&c->units[i]->cl->source, c->path, shown);
    return st;
}

/* Commit what reading c->path gave to b, in sheet order; c is emptied. */
static kh_status commit_file(kh_batch *b, file_ctx *c, kh_diags *notes)
{
    const char *shown = b->label ? b->label(b->label_ctx, c->path) : NULL;
    kh_status st = shown ? relabel(c, shown) : KH_OK;
    const char *path = c->path;
    if (shown)
        c->path = shown; /* for the rejection below */
    if (st == KH_OK && !c->skipped)
        st = remember_input(b, path, shown ? shown : path, &c->digest);
    /* The notes of a workbook rejected whole (a sheet skipped before a
     * broken one) would read as if part of it counted: they go with it. */
    if (st == KH_OK && c->rst == KH_OK)
        kh_diags_move(notes, &c->notes);
    if (st != KH_OK || c->rst == KH_ERR_NOMEM) {
        st = KH_ERR_NOMEM;
    } else if (c->rst != KH_OK) {
        /* The file as a whole is rejected: drop what its sheets gave. */
        st = reject(b, c->path, NULL, NULL, NULL, &c->d, b->next_order++);
    } else {
        size_t iu = 0, ir = 0;
        while (st == KH_OK && (iu < c->nunits || ir < c->rej.nrejected)) {
            bool take_unit = ir >= c->rej.nrejected ||
                             (iu < c->nunits && c->units[iu]->order <= c->rej.rejected[ir].order);
            if (take_unit) {
                c->units[iu]->order = b->next_order++;
                st = add_unit(b, c->units[iu]);
                if (st == KH_OK)
                    c->units[iu] = NULL;
                iu++;
            } else {
                kh_rejected *r = &c->rej.rejected[ir++];
                kh_diags sub = {0};
                for (size_t k = 0; k < r->n; k++) {
                    kh_diag *g = &c->rej.errors.v[r->first + k];
                    if (!kh_grow((void **)&sub.v, &sub.cap, sub.n + 1, sizeof *sub.v)) {
                        st = KH_ERR_NOMEM;
                        break;
                    }
                    sub.v[sub.n++] = *g;
                    *g = (kh_diag){0};
                }
                if (st == KH_OK)
                    st = reject(b, r->source, r->sheet, r->unit, r->rubric, &sub,
                                b->next_order++);
                kh_diags_clear(&sub);
            }
        }
    }
    file_ctx_free(c);
    return st;
}

/* ---- the inputs: files and folders, in order ---- */

/* One step of a run: a file to read, an input that cannot be opened (a
 * rejection made while listing), or a note (an empty folder). */
typedef enum task_kind { T_FILE, T_REJECT, T_NOTE } task_kind;

typedef struct task {
    task_kind kind;
    bool has_id;     /* T_FILE: dev and ino read */
    unsigned long long dev, ino;
    char *path;      /* the file, or the input rejected */
    kh_diags msgs;   /* T_REJECT: why; T_NOTE: the note */
    file_ctx *c;     /* T_FILE: what reading it gave (NULL: out of memory) */
} task;

typedef struct tasks {
    task *v;
    size_t n, cap;
    size_t nfiles;
    size_t *ids;      /* the T_FILE tasks with an identity by (dev, ino): open
                         addressing, index + 1 (0: free), at most half full */
    size_t idcap, nids;
} tasks;

static void tasks_free(tasks *t)
{
    for (size_t i = 0; i < t->n; i++) {
        kh_free(t->v[i].path);
        kh_diags_clear(&t->v[i].msgs);
        if (t->v[i].c)
            file_ctx_free(t->v[i].c);
        kh_free(t->v[i].c);
    }
    kh_free(t->v);
    kh_free(t->ids);
    *t = (tasks){0};
}

static size_t id_hash(unsigned long long dev, unsigned long long ino)
{
    uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15u ^ (uint64_t)dev;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9u;
    return (size_t)(h ^ h >> 29);
}

/* The T_FILE task that read (dev, ino), or NULL. */
static const task *id_find(const tasks *t, unsigned long long dev, unsigned long long ino)
{
    for (size_t i = t->idcap ? id_hash(dev, ino) & (t->idcap - 1) : 0; t->idcap;
         i = (i + 1) & (t->idcap - 1)) {
        if (!t->ids[i])
            return NULL;
        const task *k = &t->v[t->ids[i] - 1];
        if (k->dev == dev && k->ino == ino)
            return k;
    }
    return NULL;
}

/* Index task k (a T_FILE with an identity) by it: false when out of memory. */
static bool id_add(tasks *t, size_t k)
{
    if (2 * (t->nids + 1) > t->idcap) {
        size_t cap = t->idcap ? 2 * t->idcap : 256;
        size_t *ids = kh_calloc(cap, sizeof *ids);
        if (!ids)
            return false;
        for (size_t i = 0; i < t->idcap; i++)
            if (t->ids[i]) {
                const task *o = &t->v[t->ids[i] - 1];
                size_t j = id_hash(o->dev, o->ino) & (cap - 1);
                while (ids[j])
                    j = (j + 1) & (cap - 1);
                ids[j] = t->ids[i];
            }
        kh_free(t->ids);
        t->ids = ids;
        t->idcap = cap;
    }
    const task *o = &t->v[k];
    size_t j = id_hash(o->dev, o->ino) & (t->idcap - 1);
    while (t->ids[j])
        j = (j + 1) & (t->idcap - 1);
    t->ids[j] = k + 1;
    t->nids++;
    return true;
}

static kh_status task_add(tasks *t, task_kind kind, char *path, kh_diags *msgs);

/* Append a file to read, unless the same file (by identity: another
 * spelling, a link, a folder and a file in it) is already to be read:
 * then a note says it is read once.  path is taken over. */
static kh_status file_add(tasks *t, char *path)
{
    unsigned long long dev = 0, ino = 0;
    bool has_id = path && kh_file_identity(path, &dev, &ino);
    /* Looked up in a hash of the files so far: comparing with each of
     * them was 2 % of `kaohe rank` over 20,000 files. */
    const task *k = has_id ? id_find(t, dev, ino) : NULL;
    if (k) {
        kh_diags d = {0};
        kh_diags_add(&d, KH_NOTE, path, NULL, NULL, 0,
                     _("the same file as %s, given again: read once"), k->path);
        return task_add(t, T_NOTE, path, &d);
    }
    kh_status st = task_add(t, T_FILE, path, NULL);
    if (st == KH_OK) {
        t->v[t->n - 1].has_id = has_id;
        t->v[t->n - 1].dev = dev;
        t->v[t->n - 1].ino = ino;
        if (has_id && !id_add(t, t->n - 1))
            st = KH_ERR_NOMEM;
    }
    return st;
}

/* Append a task; path is taken over (freed on failure). */
static kh_status task_add(tasks *t, task_kind kind, char *path, kh_diags *msgs)
{
    if (!path || !kh_grow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v)) {
        kh_free(path);
        if (msgs)
            kh_diags_clear(msgs);
        return KH_ERR_NOMEM;
    }
    task *k = &t->v[t->n++];
    *k = (task){.kind = kind, .path = path};
    if (msgs) {
        kh_diags_move(&k->msgs, msgs);
        if (k->msgs.oom)
            return KH_ERR_NOMEM;
    }
    if (kind == T_FILE)
        t->nfiles++;
    return KH_OK;
}

/* Sub-folders deeper than this are not read (a link loop, or a mistake). */
#define MAX_FOLDER_DEPTH 16

static int entry_cmp(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp(*x + 1, *y + 1); /* past the kind mark */
}

/* The spreadsheet files of folder dir (kh_sheetfile_name), sorted by
 * name; with recursive, each sub-folder's files where the sub-folder
 * sorts (hidden folders and folder links not followed).  *nfiles counts
 * the files found. */
static kh_status list_dir(tasks *t, const char *dir, bool recursive, int depth, size_t *nfiles)
{
    char err[128];
    DIR *dh = opendir(dir);
    if (!dh) {
        kh_diags d = {0};
        kh_diags_add(&d, KH_ERROR, dir, NULL, NULL, 0, _("cannot open the folder: %s"),
                     kh_errno_text(errno, err, sizeof err));
        return task_add(t, T_REJECT, kh_strdup(dir), &d);
    }
    /* Each entry is 'f' or 'd' followed by its path. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    kh_status st = KH_OK;
    struct dirent *e;
    size_t dl = strlen(dir);
    bool slash = dl && dir[dl - 1] == '/';
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.')
            continue;
        bool file = kh_sheetfile_name(e->d_name);
        if (!file && !recursive)
            continue;
        kh_buf p = {0};
        kh_buf_printf(&p, "%c%s%s%s", 'f', dir, slash ? "" : "/", e->d_name);
        char *path = kh_buf_steal(&p);
        if (path) {
            struct stat sb;
            if (file && stat(path + 1, &sb) == 0 && S_ISREG(sb.st_mode)) {
                /* a regular file (or a link to one) */
            } else if (recursive && depth < MAX_FOLDER_DEPTH && kh_is_real_dir(path + 1)) {
                path[0] = 'd';
            } else {
                kh_free(path);
                continue;
            }
        }
        if (!path || !kh_grow((void **)&names, &cap, n + 1, sizeof *names)) {
            kh_free(path);
            st = KH_ERR_NOMEM;
            break;
        }
        names[n++] = path;
    }
    closedir(dh);
    if (n > 1)
        qsort(names, n, sizeof *names, entry_cmp);
    size_t i = 0;
    for (; i < n && st == KH_OK; i++) {
        if (names[i][0] == 'd') {
            st = list_dir(t, names[i] + 1, recursive, depth + 1, nfiles);
            kh_free(names[i]);
        } else {
            memmove(names[i], names[i] + 1, strlen(names[i]));
            st = file_add(t, names[i]);
            ++*nfiles;
        }
    }
    for (; i < n; i++)
        kh_free(names[i]);
    kh_free(names);
    return st;
}

static kh_status list_input(tasks *t, const char *path, bool recursive)
{
    if (strcmp(path, "-") == 0) /* standard input, read once (sheetfile.c) */
        return task_add(t, T_FILE, kh_strdup(path), NULL);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        char err[128];
        kh_diags d = {0};
        kh_diags_add(&d, KH_ERROR, path, NULL, NULL, 0, _("cannot open: %s"),
                     kh_errno_text(errno, err, sizeof err));
        return task_add(t, T_REJECT, kh_strdup(path), &d);
    }
    if (S_ISDIR(sb.st_mode)) {
        size_t nfiles = 0;
        kh_status st = list_dir(t, path, recursive, 0, &nfiles);
        if (st == KH_OK && nfiles == 0) {
            kh_diags d = {0};
            kh_diags_add(&d, KH_ERROR, path, NULL, NULL, 0,
                         recursive ? _("this folder and its sub-folders hold no checklist file "
                                       "(.csv, .xlsx, .xls, .ods): check the folder name, or put the "
                                       "checklists in it")
                                   : _("this folder holds no checklist file (.csv, .xlsx, .xls, .ods): "
                                       "check the folder name, or give -r to read its "
                                       "sub-folders too"));
            st = task_add(t, T_REJECT, kh_strdup(path), &d);
        }
        return st;
    }
    if (!S_ISREG(sb.st_mode)) {
        /* A pipe or device could block the run or never end: refused.
         * Standard input is "-". */
        kh_diags d = {0};
        kh_diags_add(&d, KH_ERROR, path, NULL, NULL, 0,
                     _("this is not a file but a pipe or device: give the checklist file itself, "
                       "or - to read one checklist from standard input"));
        return task_add(t, T_REJECT, kh_strdup(path), &d);
    }
    return file_add(t, kh_strdup(path));
}

/* ---- reading on worker threads, committing in order ---- */

typedef struct run {
    kh_batch *b;
    tasks *t;
    kh_diags *notes;
    kh_progress_fn progress;
    void *ctx;
    size_t done;   /* files committed */
    kh_status st;
} run;

/* Read task i's file into a new c (left NULL when out of memory); the
 * other kinds of task need no reading. */
static void read_task(void *arg, size_t i)
{
    run *r = arg;
    task *k = &r->t->v[i];
    if (k->kind != T_FILE)
        return;
    k->c = kh_calloc(1, sizeof *k->c);
    if (!k->c)
        return;
    *k->c = (file_ctx){.reg = r->b->reg, .opts = &r->b->opts, .path = k->path};
    read_file(k->c);
}

/* Commit task i (read already) to the batch, in input order. */
static bool commit_task(void *arg, size_t i)
{
    run *r = arg;
    task *k = &r->t->v[i];
    kh_batch *b = r->b;
    switch (k->kind) {
    case T_FILE:
        r->st = k->c ? commit_file(b, k->c, r->notes) : KH_ERR_NOMEM;
        kh_free(k->c); /* emptied by the commit */
        k->c = NULL;
        if (r->progress)
            r->progress(r->ctx, ++r->done, r->t->nfiles, k->path);
        break;
    case T_REJECT: {
        /* An input that could not be opened, named as the front end
         * knows it (kh_batch_set_labels). */
        const char *shown = b->label ? b->label(b->label_ctx, k->path) : NULL;
        r->st = shown ? relabel_diags(&k->msgs, k->path, shown) : KH_OK;
        if (r->st == KH_OK)
            r->st = reject(b, shown ? shown : k->path, NULL, NULL, NULL, &k->msgs,
                           b->next_order++);
        break;
    }
    case T_NOTE:
        kh_diags_move(r->notes, &k->msgs);
        r->st = r->notes->oom ? KH_ERR_NOMEM : KH_OK;
        break;
    }
    return r->st == KH_OK;
}

kh_status kh_batch_add_all(kh_batch *b, const char *const *inputs, size_t ninputs,
                           unsigned jobs, kh_progress_fn progress, void *ctx,
                           kh_diags *notes)
{
    tasks t = {0};
    kh_status st = KH_OK;
    for (size_t i = 0; i < ninputs && st == KH_OK; i++)
        st = list_input(&t, inputs[i], b->opts.recursive);
    if (st == KH_OK) {
        /* Threads for the files only: folders and refusals need none. */
        run r = {.b = b, .t = &t, .notes = notes, .progress = progress, .ctx = ctx,
                 .st = KH_OK};
        kh_pool_run(t.n, kh_pool_threads(jobs, t.nfiles), read_task, commit_task, &r);
        st = r.st;
    }
    tasks_free(&t);
    return st;
}

kh_status kh_batch_add(kh_batch *b, const char *path, kh_diags *notes)
{
    return kh_batch_add_all(b, &path, 1, 1, NULL, NULL, notes);
}

/* ---- duplicates and ranks ---- */

static int by_rubric_unit(const void *pa, const void *pb)
{
    const kh_unit *a = *(kh_unit *const *)pa, *b = *(kh_unit *const *)pb;
    int c = strcmp(a->cl->rubric->id, b->cl->rubric->id);
    if (!c)
        c = strcmp(a->cl->unit, b->cl->unit);
    if (!c)
        c = a->order < b->order ? -1 : a->order > b->order;
    return c;
}

static int by_order(const void *pa, const void *pb)
{
    const kh_unit *a = *(kh_unit *const *)pa, *b = *(kh_unit *const *)pb;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int rejected_by_order(const void *pa, const void *pb)
{
    const kh_rejected *a = pa, *b = pb;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Where a unit is, for messages: "file" or "file:sheet". */
static void where(kh_buf *w, const kh_unit *u)
{
    kh_buf_puts(w, u->cl->source);
    if (u->cl->sheet)
        kh_buf_printf(w, ":%s", u->cl->sheet);
}

/* Reject every unit whose (rubric, unit name) pair occurs more than once. */
static kh_status reject_duplicates(kh_batch *b)
{
    if (b->nunits < 2)
        return KH_OK;
    kh_unit **v = kh_calloc(b->nunits, sizeof *v);
    if (!v)
        return KH_ERR_NOMEM;
    memcpy(v, b->units, b->nunits * sizeof *v);
    qsort(v, b->nunits, sizeof *v, by_rubric_unit);
    kh_status st = KH_OK;
    size_t keep = 0;
    for (size_t i = 0; i < b->nunits && st == KH_OK;) {
        size_t j = i + 1;
        while (j < b->nunits && strcmp(v[i]->cl->rubric->id, v[j]->cl->rubric->id) == 0 &&
               strcmp(v[i]->cl->unit, v[j]->cl->unit) == 0)
            j++;
        if (j - i == 1) {
            v[keep++] = v[i];
        } else {
            for (size_t k = i; k < j && st == KH_OK; k++) {
                /* The first few others by name (each message of a group of
                 * n copies would otherwise list n - 1 files). */
                kh_buf others = {0};
                size_t shown = 0;
                for (size_t m = i; m < j && shown < KH_DUPLICATES_NAMED; m++) {
                    if (m == k)
                        continue;
                    if (others.len)
                        kh_buf_puts(&others, ", ");
                    where(&others, v[m]);
                    shown++;
                }
                kh_diags d = {0};
                if (j - i - 1 > shown)
                    kh_diags_add(&d, KH_ERROR, v[k]->cl->source, v[k]->cl->sheet, NULL, 0,
                                 _("unit '%s' (%s) is also in %s and %zu other checklists: a "
                                   "unit is scored once per rubric, remove or rename all but "
                                   "one of the checklists"),
                                 v[k]->cl->unit, kh_rubric_name(v[k]->cl->rubric),
                                 kh_buf_str(&others), j - i - 1 - shown);
                else
                    kh_diags_add(&d, KH_ERROR, v[k]->cl->source, v[k]->cl->sheet, NULL, 0,
                                 _("unit '%s' (%s) is also in %s: a unit is scored once per "
                                   "rubric, remove or rename one of the checklists"),
                                 v[k]->cl->unit, kh_rubric_name(v[k]->cl->rubric),
                                 kh_buf_str(&others));
                kh_buf_free(&others);
                st = reject(b, v[k]->cl->source, v[k]->cl->sheet, v[k]->cl->unit,
                            v[k]->cl->rubric, &d, v[k]->order);
                kh_diags_clear(&d);
            }
            /* Free only after every message of the group names the others
             * (and not at all when a rejection failed: b->units keeps them). */
            for (size_t k = i; k < j && st == KH_OK; k++) {
                kh_unit_free(v[k]);
                v[k] = NULL;
            }
        }
        i = j;
    }
    if (st == KH_OK) {
        qsort(v, keep, sizeof *v, by_order);
        memcpy(b->units, v, keep * sizeof *v);
        b->nunits = keep;
        if (b->nrejected > 1)
            qsort(b->rejected, b->nrejected, sizeof *b->rejected, rejected_by_order);
    }
    kh_free(v);
    return st;
}

/* The first entry of the roster for unit under any rubric, or -1. */
static long roster_find_any(const kh_roster *ro, const char *unit)
{
    for (size_t k = 0; k < ro->n; k++)
        if (strcmp(ro->v[k].unit, unit) == 0)
            return (long)k;
    return -1;
}

/* With a roster: reject the units not on it, saying under which rubric
 * the roster has the unit when it is another (the wrong form), else
 * naming the nearest names it has. */
static kh_status apply_roster(kh_batch *b)
{
    const kh_roster *ro = b->roster;
    kh_status st = KH_OK;
    size_t keep = 0;
    for (size_t i = 0; i < b->nunits; i++) {
        kh_unit *u = b->units[i];
        long k = st == KH_OK ? kh_roster_find(ro, u->cl->unit, u->cl->rubric) : 0;
        if (k >= 0) {
            u->roster_pos = (size_t)k;
            b->units[keep++] = u;
            continue;
        }
        kh_buf near = {0};
        kh_diags d = {0};
        long other = roster_find_any(ro, u->cl->unit);
        if (other >= 0) {
            const kh_rubric *due = ro->v[other].rubric;
            kh_diags_add(&d, KH_ERROR, u->cl->source, u->cl->sheet, NULL, 0,
                         _("%s is a %s on the roster: fill in the %s checklist (%s)"),
                         u->cl->unit, kh_rubric_name(due), kh_rubric_name(due), due->id);
        } else if (kh_roster_suggest(ro, u->cl->unit, u->cl->rubric, 3, &near)) {
            kh_diags_add(&d, KH_ERROR, u->cl->source, u->cl->sheet, NULL, 0,
                         _("unit '%s' (%s) is not on the roster %s: is it %s? Correct the unit's "
                           "name on the checklist or on the roster"),
                         u->cl->unit, kh_rubric_name(u->cl->rubric), ro->path,
                         kh_buf_str(&near));
        } else {
            kh_diags_add(&d, KH_ERROR, u->cl->source, u->cl->sheet, NULL, 0,
                         _("unit '%s' (%s) is not on the roster %s, which has no unit of a name "
                           "like it for this rubric: add it to the roster if it is due"),
                         u->cl->unit, kh_rubric_name(u->cl->rubric), ro->path);
        }
        kh_buf_free(&near);
        if (near.oom)
            d.oom = true;
        st = reject(b, u->cl->source, u->cl->sheet, u->cl->unit, u->cl->rubric, &d, u->order);
        kh_diags_clear(&d);
        if (st == KH_OK)
            kh_unit_free(u);
        else
            b->units[keep++] = u;
    }
    b->nunits = keep;
    if (st == KH_OK && b->nrejected > 1)
        qsort(b->rejected, b->nrejected, sizeof *b->rejected, rejected_by_order);
    return st;
}

/* The last component of path without its extension: "两江镇" of
 * "in/两江镇.pdf"; its length in *n. */
static const char *stem(const char *path, size_t *n)
{
    const char *s = strrchr(path, '/');
#ifdef _WIN32
    const char *bs = strrchr(path, '\\');
    if (bs && (!s || bs > s))
        s = bs;
#endif
    s = s ? s + 1 : path;
    const char *dot = strrchr(s, '.');
    *n = dot && dot > s ? (size_t)(dot - s) : strlen(s);
    return s;
}

bool kh_rejected_of(const kh_batch *b, const kh_rejected *r, size_t k)
{
    const kh_roster *ro = b->roster;
    const kh_roster_entry *e = &ro->v[k];
    if (!r->unit) {
        size_t n;
        const char *s = stem(r->source, &n);
        return n == strlen(e->unit) && memcmp(s, e->unit, n) == 0;
    }
    if (strcmp(r->unit, e->unit) != 0)
        return false;
    return !r->rubric || r->rubric == e->rubric || kh_roster_find(ro, r->unit, r->rubric) < 0;
}

/* With a roster, after the rejections: each entry is scored (a unit has
 * its place), failed (it sent something, all rejected) or missing
 * (nothing of it was received). */
static kh_status roster_states(kh_batch *b)
{
    const kh_roster *ro = b->roster;
    unsigned char *state = kh_calloc(ro->n ? ro->n : 1, 1); /* 0 missing, 1 failed, 2 scored */
    if (!state)
        return KH_ERR_NOMEM;
    for (size_t i = 0; i < b->nunits; i++)
        state[b->units[i]->roster_pos] = 2;
    size_t nf = 0, nm = 0;
    for (size_t k = 0; k < ro->n; k++) {
        for (size_t i = 0; state[k] == 0 && i < b->nrejected; i++)
            if (kh_rejected_of(b, &b->rejected[i], k))
                state[k] = 1;
        nf += state[k] == 1;
        nm += state[k] == 0;
    }
    b->missing = kh_calloc(nm ? nm : 1, sizeof *b->missing);
    b->failed = kh_calloc(nf ? nf : 1, sizeof *b->failed);
    if (!b->missing || !b->failed) {
        kh_free(state);
        return KH_ERR_NOMEM;
    }
    for (size_t k = 0; k < ro->n; k++) {
        if (state[k] == 0)
            b->missing[b->nmissing++] = k;
        else if (state[k] == 1)
            b->failed[b->nfailed++] = k;
    }
    kh_free(state);
    return KH_OK;
}

static int by_rank(const void *pa, const void *pb)
{
    const kh_unit *a = *(kh_unit *const *)pa, *b = *(kh_unit *const *)pb;
    if (a->vetoed != b->vetoed)
        return a->vetoed ? 1 : -1;
    if (!a->vetoed && a->total != b->total)
        return a->total > b->total ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

kh_group *kh_batch_groups(const kh_batch *b, size_t *ngroups)
{
    *ngroups = 0;
    kh_group *g = NULL;
    size_t ng = 0, cap = 0;
    for (size_t i = 0; i < b->nunits; i++) {
        const kh_rubric *r = b->units[i]->cl->rubric;
        size_t k = 0;
        while (k < ng && g[k].rubric != r)
            k++;
        if (k == ng) {
            if (!kh_grow((void **)&g, &cap, ng + 1, sizeof *g)) {
                kh_groups_free(g, ng);
                return NULL;
            }
            g[ng++] = (kh_group){.rubric = r};
        }
        g[k].n++;
    }
    for (size_t k = 0; k < ng; k++) {
        size_t n = g[k].n;
        g[k].units = kh_calloc(n, sizeof *g[k].units);
        if (!g[k].units) {
            kh_groups_free(g, ng);
            return NULL;
        }
        g[k].n = 0;
        for (size_t i = 0; i < b->nunits; i++)
            if (b->units[i]->cl->rubric == g[k].rubric)
                g[k].units[g[k].n++] = b->units[i];
        qsort(g[k].units, g[k].n, sizeof *g[k].units, by_rank);
    }
    *ngroups = ng;
    return g;
}

void kh_groups_free(kh_group *g, size_t n)
{
    if (!g)
        return;
    for (size_t k = 0; k < n; k++)
        kh_free(g[k].units);
    kh_free(g);
}

kh_status kh_batch_finish(kh_batch *b)
{
    if (b->finished)
        return KH_OK;
    kh_status st = b->roster ? apply_roster(b) : KH_OK;
    if (st == KH_OK)
        st = reject_duplicates(b);
    if (st == KH_OK && b->roster)
        st = roster_states(b);
    if (st != KH_OK)
        return st;
    if (b->roster && b->nunits > 0) {
        /* The roster's order from now on: lists, and ties in the ranking.
         * (No units: units is NULL, which qsort may not be given.) */
        for (size_t i = 0; i < b->nunits; i++)
            b->units[i]->order = b->units[i]->roster_pos;
        qsort(b->units, b->nunits, sizeof *b->units, by_order);
    }
    size_t ng;
    kh_group *g = kh_batch_groups(b, &ng);
    if (!g && b->nunits)
        return KH_ERR_NOMEM;
    /* Competition ranking: equal totals share a rank, the next rank skips
     * (1, 2, 2, 4); vetoed units have none. */
    for (size_t k = 0; k < ng; k++) {
        for (size_t i = 0; i < g[k].n; i++) {
            kh_unit *u = g[k].units[i];
            if (u->vetoed)
                u->rank = 0;
            else if (i > 0 && g[k].units[i - 1]->total == u->total)
                u->rank = g[k].units[i - 1]->rank;
            else
                u->rank = (long)i + 1;
        }
        size_t nb;
        const kh_grade *bands = kh_batch_grades_of(b, g[k].rubric, &nb);
        grade_group(g[k].units, g[k].n, bands, nb);
    }
    kh_groups_free(g, ng);
    if (b->self && (st = kh_self_match(b)) != KH_OK)
        return st;
    /* For kh_batch_is_input: the inputs' identities in order. */
    if (b->ninputs > 1)
        qsort(b->input_ids, b->ninputs, sizeof *b->input_ids, id_cmp);
    b->nsorted_ids = b->ninputs;
    b->finished = true;
    return KH_OK;
}

/* As kh_same_file() against every input, but with one stat(): the inputs'
 * identities were taken when they were read.  A path that does not exist
 * is an input only when it is spelt as one (which then no longer exists). */
bool kh_batch_is_input(const kh_batch *b, const char *path)
{
    if (b->self && kh_batch_is_input(b->self->in, path))
        return true;
    unsigned long long dev, ino;
    if (!kh_file_identity(path, &dev, &ino)) {
        for (size_t i = 0; i < b->ninputs; i++)
            if (strcmp(b->inputs[i], path) == 0)
                return true;
        return false;
    }
    kh_file_id key = {.dev = dev, .ino = ino, .exists = true};
    if (b->nsorted_ids &&
        bsearch(&key, b->input_ids, b->nsorted_ids, sizeof key, id_cmp) != NULL)
        return true;
    /* Inputs read after kh_batch_finish sorted the others. */
    for (size_t i = b->nsorted_ids; i < b->ninputs; i++)
        if (id_cmp(&key, &b->input_ids[i]) == 0)
            return true;
    return false;
}

/* ---- the summary for a person ---- */

static void put_padded(FILE *out, const char *s, size_t width)
{
    fputs(s, out);
    for (size_t w = kh_display_width(s); w < width; w++)
        fputc(' ', out);
}

kh_status kh_batch_write_summary(const kh_batch *b, FILE *out)
{
    /* Rubrics by the name a person knows (乡镇), not by their id. */
    size_t wu = kh_display_width("被考核单位"), wr = kh_display_width("考核细则");
    for (size_t i = 0; i < b->nunits; i++) {
        size_t w = kh_display_width(b->units[i]->cl->unit);
        if (w > wu)
            wu = w;
        w = kh_display_width(kh_rubric_name(b->units[i]->cl->rubric));
        if (w > wr)
            wr = w;
    }
    bool graded = false;
    for (size_t i = 0; i < b->nunits && !graded; i++)
        graded = b->units[i]->grade != NULL;
    put_padded(out, "被考核单位", wu + 2);
    put_padded(out, "考核细则", wr + 2);
    put_padded(out, "合计得分", 10);
    fputs(graded ? "结果      等次\n" : "结果\n", out);
    for (size_t i = 0; i < b->nunits; i++) {
        const kh_unit *u = b->units[i];
        char num[KH_DEC_BUFSZ];
        put_padded(out, u->cl->unit, wu + 2);
        put_padded(out, kh_rubric_name(u->cl->rubric), wr + 2);
        put_padded(out, kh_dec_format(u->total, num), 10);
        if (graded) {
            put_padded(out, u->vetoed ? "一票否决" : "正常", 10);
            fputs(u->grade ? u->grade : "", out);
        } else {
            fputs(u->vetoed ? "一票否决" : "正常", out);
        }
        fputc('\n', out);
    }
    return ferror(out) ? KH_ERR_IO : KH_OK;
}
