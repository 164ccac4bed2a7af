/*
 * batch.h - a run over many inputs: scored units in input order, rejected
 * inputs with their messages, ranks.  The writers read it.
 */
#ifndef KH_BATCH_H
#define KH_BATCH_H

#include "roster.h"
#include "provenance.h"
#include "common.h"
#include "rules.h"

/* A duplicate unit's message names this many of the other checklists,
 * then says how many more there are. */
#define KH_DUPLICATES_NAMED 3

/* Which file a path named when it was read (device and inode), so that
 * writers can refuse to overwrite an input without a stat per input. */
typedef struct kh_file_id {
    uint64_t dev, ino;
    bool exists;              /* false: it could not be stat()ed; compare names */
} kh_file_id;

typedef struct kh_rejected {
    char *source;      /* input path */
    char *sheet;       /* worksheet, or NULL */
    size_t first, n;   /* its messages: kh_batch.errors.v[first .. first+n) */
    size_t order;      /* input order (shared with units) */
    char *unit;                /* the unit named in it, when it could be read, or NULL */
    const kh_rubric *rubric;   /* the rubric it names, when known, or NULL */
} kh_rejected;

struct kh_batch {
    const kh_registry *reg;
    kh_options opts;
    kh_unit **units;          /* input order */
    size_t nunits, capunits;
    kh_rejected *rejected;    /* input order */
    size_t nrejected, caprejected;
    kh_diags errors;          /* messages of rejected inputs */
    char **inputs;            /* every file read (for output != input) */
    kh_digest *digests;       /* with opts.provenance: of inputs[i], when read */
    size_t ninputs, capinputs;
    kh_file_id *input_ids;    /* their identities when read (ninputs of them);
                                 the first nsorted_ids sorted by kh_batch_finish,
                                 any read later follow in input order */
    size_t nsorted_ids;
    size_t next_order;        /* order given to the next unit or rejection */
    bool finished;
    /* Grade bands given by the caller (kh_batch_set_grades), which replace
     * the rubric's: for one rubric id, or for every rubric (id NULL). */
    struct kh_grades_override {
        char *rubric_id;
        kh_grade *grades;
        size_t n;
    } *grades;
    size_t ngrades, capgrades;
    const kh_roster *roster;  /* kh_batch_set_roster, or NULL */
    const char *(*label)(void *ctx, const char *path); /* kh_batch_set_labels */
    void *label_ctx;
    size_t *missing;          /* roster entries from which nothing was received */
    size_t nmissing;
    size_t *failed;           /* roster entries that sent only checklists that
                                 did not pass (kh_rejected_of) */
    size_t nfailed;
    const kh_previous *prev;  /* what the JSON's 问题汇总 compares with, or
                                 NULL (kh_batch_set_previous; not owned) */
    struct kh_self *self;     /* kh_batch_add_self (selfeval.h), or NULL */
    char **final_rubric;      /* rubrics whose results are final (定稿) */
    char **final_date;        /* and since when, "2021-01-12" (appeal.h) */
    size_t nfinal;
};

/* Whether rejected input r is one that roster entry k sent: it names
 * the entry's unit and its rubric, or no rubric, or a rubric under which
 * the roster does not have that unit (the wrong form); or, naming no
 * unit, its file is named after the unit ("两江镇.pdf").  A batch with a
 * roster only. */
bool kh_rejected_of(const kh_batch *b, const kh_rejected *r, size_t k);

/* The grade bands that apply to rubric r in b (*n of them; 0: none). */
const kh_grade *kh_batch_grades_of(const kh_batch *b, const kh_rubric *r, size_t *n);

/* The units of one rubric in ranking order: non-vetoed by total
 * descending (input order among equals), then vetoed ones in input order.
 * Rubrics appear in order of their first unit.  Returns a new array of
 * pointers into b (caller kh_free()s it) and its length in *n; NULL with
 * *n = 0 when out of memory or empty. */
typedef struct kh_group {
    const kh_rubric *rubric;
    kh_unit **units;
    size_t n;
} kh_group;
kh_group *kh_batch_groups(const kh_batch *b, size_t *ngroups);
void kh_groups_free(kh_group *g, size_t n);

/* Name inputs in everything the batch gives (messages, sources, the
 * ranking's 来源 sheet) by label(ctx, path) instead of the path they were
 * read from, where it returns non-NULL: kaohe serve reads an upload from
 * a private folder as 0003.xlsx but the office knows it as 两江镇.xlsx.
 * label is called on the thread that calls kh_batch_add*. */
void kh_batch_set_labels(kh_batch *b, const char *(*label)(void *ctx, const char *path),
                         void *ctx);

/* The file name (without extension) kh_write_scoresheets gives each unit
 * of b, in b->units order (scoresheet_out.c): a new array of b->nunits new
 * strings, or NULL when out of memory. */
char **kh_scoresheet_stems(const kh_batch *b);

/* True when path names the same file as one of the batch's inputs. */
bool kh_batch_is_input(const kh_batch *b, const char *path);

#endif
