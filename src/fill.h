/*
 * fill.h - the online 填报 (a unit's 自评) and 考评 (the inspectors'
 * review) of a workspace: the record of answers typed on the page, one
 * record with the spreadsheet path (a filled checklist out, a filled
 * checklist in), scored by the engine only (doc/serve.md, "Online
 * filling").
 *
 * Per (unit, rubric) there are two sides, each one answer per check point
 * with a version number:
 *   自评 (KH_SIDE_SELF)    the unit's answers: value as typed (有/无, a
 *                          count), remark;
 *   考评 (KH_SIDE_REVIEW)  the inspectors': 同意 (the unit's answer
 *                          stands) or a changed value, and a note.
 * and one status (kh_fill_state) that says which side may change:
 *   未填报 --save 自评--> 填报中 --提交--> 已提交 --save 考评--> 考评中
 *   --考评完成--> 已考评;  退回 (admin, with a reason) from 已提交, 考评中
 *   or 已考评 --> 填报中.
 * 自评 changes only in 未填报/填报中; 考评 only in 已提交/考评中.  提交 is
 * refused after the deadline (the workspace setting KH_FILL_DEADLINE)
 * unless the form was returned (退回) since its last 提交.
 *
 * Conflicts: every change names the version it started from; when the
 * side moved on since (another tab, another 填报员), nothing is written
 * and the refusal is KH_FILL_CONFLICT (the caller reads the current
 * answers with kh_fill_get and shows them): never silently overwritten.
 *
 * On 提交 the unit's filled checklist (XLSX, kh_fill_write_xlsx) becomes
 * its current record in the workspace (kh_workspace_record, kind 自评);
 * on 考评完成 the reviewed one does (kind 考评).  Every saved field and
 * every change of status is journalled (who, when, old -> new):
 * kh_fill_journal.
 *
 * Tables (workspace_db.h): fill_forms, fill_answers, fill_status,
 * fill_journal; files written under DIR/fill/ (temporaries only: what
 * counts is stored by kh_workspace_record).  Thread-safe: the changes of
 * one process are serialised.
 */
#ifndef KH_FILL_H
#define KH_FILL_H

#include "common.h"
#include "rubric.h"
#include "rules.h"
#include "workspace.h"

typedef enum kh_fill_side {
    KH_SIDE_SELF = 0,   /* 自评 */
    KH_SIDE_REVIEW      /* 考评 */
} kh_fill_side;

/* "自评" or "考评". */
const char *kh_fill_side_name(kh_fill_side side);

typedef enum kh_fill_state {
    KH_FS_EMPTY = 0,    /* 未填报: nothing saved yet */
    KH_FS_FILLING,      /* 填报中 */
    KH_FS_SUBMITTED,    /* 已提交 */
    KH_FS_REVIEWING,    /* 考评中 */
    KH_FS_REVIEWED      /* 已考评 */
} kh_fill_state;

/* "未填报", "填报中", "已提交", "考评中", "已考评". */
const char *kh_fill_state_name(kh_fill_state s);

/* Why a change was not made (the functions return KH_OK with it, and a
 * message in d for people). */
typedef enum kh_fill_refusal {
    KH_FILL_DONE = 0,      /* made */
    KH_FILL_CONFLICT,      /* the side changed since the version named */
    KH_FILL_READONLY,      /* the status does not let this side change */
    KH_FILL_LATE,          /* 提交 after the deadline */
    KH_FILL_INCOMPLETE,    /* 提交/考评完成 with answers missing or unreadable */
    KH_FILL_BAD            /* a value the checklist reader refuses, an unknown
                              check point, a 退回 without a reason, a
                              checklist of another unit or rubric */
} kh_fill_refusal;

/* One check point's answer. */
typedef struct kh_answer {
    char *value;    /* as typed ("有", "2", "有（已提供）"); NULL: not answered
                       (考评: not changed) */
    char *remark;   /* 自评: 备注; NULL when none */
    char *note;     /* 考评: the inspector's note; NULL when none */
    bool agree;     /* 考评: 同意, the unit's answer stands */
} kh_answer;

/* One side of a (unit, rubric). */
typedef struct kh_fill {
    char *unit, *rubric;
    kh_fill_side side;
    long long version;   /* 0: never saved */
    char *user, *at;     /* the last save: account and local time
                            ("2026-12-07 10:00:00"); NULL before one */
    size_t n;            /* the rubric's check points */
    kh_answer *answers;  /* n, in rubric order */
} kh_fill;
void kh_fill_free(kh_fill *f);

/* The answers of side of unit under rubric r (every check point of r, in
 * its order; empty ones for check points never saved) in *out. */
kh_status kh_fill_get(kh_workspace *w, const kh_rubric *r, const char *unit, kh_fill_side side,
                      kh_fill **out, kh_diags *d);

/* One change of one check point: each field NULL leaves it, "" clears it. */
typedef struct kh_fill_edit {
    const char *cp;       /* the check point's id */
    const char *value;
    const char *remark;   /* 自评 */
    const char *note;     /* 考评 */
    int agree;            /* 考评: 1 同意, 0 not, -1 leaves it */
} kh_fill_edit;

/* Save edits e[0..n) to side of (unit, r) as user, starting from version
 * base (that of the kh_fill the page showed).  Done: *version is the new
 * version (the same when nothing changed), status 未填报 becomes 填报中
 * (自评) and 已提交 becomes 考评中 (考评), and every changed field is
 * journalled.  Refused (nothing written, a message in d): KH_FILL_CONFLICT,
 * KH_FILL_READONLY, KH_FILL_BAD (an id not of r).  A value is saved as
 * typed even when the reader would refuse it: kh_fill_score says so. */
kh_status kh_fill_save(kh_workspace *w, const kh_rubric *r, const char *unit, kh_fill_side side,
                       long long base, const kh_fill_edit *e, size_t n, const char *user,
                       long long *version, kh_fill_refusal *why, kh_diags *d);

/* ---- status ---- */

/* The setting (kh_workspace_get) holding the deadline of 提交, local time
 * "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DD" (the end of that day). */
#define KH_FILL_DEADLINE "fill_deadline"

/* Set (or, with deadline NULL or "", remove) the deadline: KH_ERR_USAGE
 * with a message for a text that is no such date and time.  Stored as
 * "YYYY-MM-DD HH:MM:SS". */
kh_status kh_fill_set_deadline(kh_workspace *w, const char *deadline, kh_diags *d);

typedef struct kh_fill_status {
    char *unit, *rubric;
    kh_fill_state state;
    bool returned;            /* 退回 since the last 提交: may 提交 after the deadline */
    char *reason;             /* the last 退回's reason, or NULL */
    char *user, *at;          /* the last change of state, NULL for 未填报 */
    char *changed;            /* the last change of anything, NULL for none */
    long long self_version, review_version;
    size_t self_answered, review_changed; /* answered / changed check points */
} kh_fill_status;
void kh_fill_status_clear(kh_fill_status *s);
void kh_fill_statuses_free(kh_fill_status *v, size_t n);

/* The status of (unit, rubric) (未填报 with versions 0 when nothing was
 * saved). */
kh_status kh_fill_status_get(kh_workspace *w, const char *unit, const char *rubric,
                             kh_fill_status *out, kh_diags *d);

/* Every (unit, rubric) with anything saved, by rubric and unit (*v, *n);
 * the units of a roster not in it are 未填报. */
kh_status kh_fill_status_all(kh_workspace *w, kh_fill_status **v, size_t *n, kh_diags *d);

/* 提交 the 自评 of (unit, r) as user, at version base: refused when the
 * status is not 填报中 (KH_FILL_READONLY), the version moved
 * (KH_FILL_CONFLICT), after the deadline unless returned (KH_FILL_LATE),
 * or when an answer is missing or unreadable (KH_FILL_INCOMPLETE, one
 * message per check point in d).  Done: the filled checklist is recorded
 * in the workspace (kind 自评) with its total, the status is 已提交. */
kh_status kh_fill_submit(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                         const char *unit, long long base, const char *user,
                         kh_fill_refusal *why, kh_diags *d);

/* 退回 (unit, rubric) to 填报中 with reason (not empty, else KH_FILL_BAD)
 * from 已提交, 考评中 or 已考评 (else KH_FILL_READONLY).  The 考评 answers
 * stay (the next review starts from them). */
kh_status kh_fill_return(kh_workspace *w, const char *unit, const char *rubric,
                         const char *reason, const char *user, kh_fill_refusal *why,
                         kh_diags *d);

/* 考评完成 of (unit, r) as user, the 考评 side at version base: from
 * 已提交 or 考评中 (else KH_FILL_READONLY).  The reviewed checklist
 * (kh_fill_values with KH_SIDE_REVIEW) is recorded in the workspace
 * (kind 考评), the status is 已考评. */
kh_status kh_fill_review_done(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                              const char *unit, long long base, const char *user,
                              kh_fill_refusal *why, kh_diags *d);

/* ---- the checklist the answers make ---- */

/* The results of side as a checklist has them, per check point of r
 * (new arrays of n = r->ncps strings, each NULL when empty): 自评 its
 * values and remarks; 考评 the inspectors' value where they changed it,
 * else the unit's, and the inspector's note as remark where there is one,
 * else the unit's remark. */
kh_status kh_fill_values(kh_workspace *w, const kh_rubric *r, const char *unit,
                         kh_fill_side side, char ***values, char ***remarks, kh_diags *d);
void kh_fill_values_free(char **values, char **remarks, size_t n);

/* An answer the checklist reader refuses, or a missing one. */
typedef struct kh_fill_issue {
    size_t cp;      /* index in the rubric */
    char *msg;      /* as the reader says it, in English */
    char *msg_zh;   /* and in Chinese */
} kh_fill_issue;

typedef struct kh_fill_scored {
    kh_unit *unit;        /* the engine's score (empty results as missing / 0),
                             NULL when an answer cannot be read */
    size_t unanswered;    /* check points without a value */
    kh_fill_issue *issues;/* values the reader refuses (rubric order) */
    size_t nissues;
} kh_fill_scored;
void kh_fill_scored_clear(kh_fill_scored *s);

/* Score values/remarks (n = r->ncps, as kh_fill_values gives them) of
 * unit the way `kaohe score` scores the filled checklist: the same grid
 * the XLSX holds, read by the checklist reader (reg must hold r), scored
 * by kh_score.  KH_OK also when values are refused (then out->unit is
 * NULL and out->issues says why); KH_ERR_NOMEM / KH_ERR_LIMIT else. */
kh_status kh_fill_score_values(const kh_registry *reg, const kh_rubric *r, const char *unit,
                               const char *year, char *const *values, char *const *remarks,
                               kh_fill_scored *out, kh_diags *d);

/* kh_fill_values and kh_fill_score_values of side of (unit, r), with
 * the workspace's year. */
kh_status kh_fill_score(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                        const char *unit, kh_fill_side side, kh_fill_scored *out, kh_diags *d);

/* The filled checklist of side of (unit, r) as XLSX at path: the blank
 * template (kaohe template) with the workspace's year and the answers
 * (kh_fill_values) in its 检查结果 and 备注 cells. */
kh_status kh_fill_write_xlsx(kh_workspace *w, const kh_rubric *r, const char *unit,
                             kh_fill_side side, const char *path, kh_diags *d);

/* Fill the 自评 of (unit, r) from a filled checklist file at path (any
 * format kaohe reads, read by sheetfile.c and the checklist reader, empty
 * results left unanswered), as a save from version base: every check
 * point's value (the cell's text) and remark set.  KH_FILL_BAD with the
 * reader's messages when the file holds no checklist of unit under r;
 * else as kh_fill_save. */
kh_status kh_fill_from_file(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                            const char *unit, const char *path, long long base,
                            const char *user, long long *version, kh_fill_refusal *why,
                            kh_diags *d);

/* ---- journal ---- */

typedef struct kh_fill_change {
    long long id;
    char *at, *user, *unit, *rubric;
    char *what;      /* "自评", "考评" (an answer's field) or "状态" */
    char *cp;        /* the check point, NULL for 状态 */
    char *field;     /* "value", "remark", "note", "agree"; "state" */
    char *old_value, *new_value;  /* NULL when empty; 状态: the states' names */
    char *reason;    /* 状态 by 退回: its reason; else NULL */
} kh_fill_change;
void kh_fill_changes_free(kh_fill_change *v, size_t n);

/* The journal of (unit, rubric), or of everything when unit is NULL,
 * oldest first. */
kh_status kh_fill_journal(kh_workspace *w, const char *unit, const char *rubric,
                          kh_fill_change **v, size_t *n, kh_diags *d);

/* ---- a result corrected (申诉改判) ---- */

/* The current checklist of (unit, r) in the workspace, read again, with
 * the result of check point cp replaced by value (its remark and every
 * other result kept), written as a filled XLSX (kh_write_filled), scored,
 * and recorded as the unit's current checklist by user with kind and
 * reason (kh_workspace_record).  *total (new) is the new total.
 * KH_ERR_USAGE with a message: no such check point, no current
 * checklist, a value the reader refuses.  The online 考评 answers, if
 * any, are left as they were: the record is the corrected checklist. */
kh_status kh_fill_correct_current(kh_workspace *w, const kh_registry *reg, const kh_rubric *r,
                                  const char *unit, const char *cp, const char *value,
                                  const char *user, const char *kind, const char *reason,
                                  char **total, kh_diags *d);

#endif
