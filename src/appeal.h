/*
 * appeal.h - after the inspectors score: 公示 (the results of a rubric
 * published until a closing date), 申诉 (a unit's appeal against the
 * result of one check point, with its argument), 复核 (the bureau's
 * decision on it: 维持 or 改判, with a written reason) and 定稿 (the
 * rubric's results made final once the closing date has passed).  Kept in
 * the workspace (workspace_db.h), every step with who and when.
 *
 * The rules, enforced here so that every front end keeps them:
 *   - a rubric is published at most once at a time; publishing again
 *     (a new closing date) is allowed until it is final;
 *   - a unit appeals only while its rubric is published and today is not
 *     after the closing date, and not once it is final; one open appeal
 *     per (unit, rubric, check point) at a time;
 *   - a decision needs a reason; 改判 also the new result (as a checklist
 *     result is written: 有/无, a count); an appeal is decided once;
 *   - 定稿 only after the closing date and with no appeal left open;
 *     after it nothing here changes any more (a later correction of a
 *     file is the workspace's, and shows as made after 定稿).
 * Dates are local calendar days "YYYY-MM-DD", given by the caller (today),
 * so that tests and a server agree on what today is; times of steps are
 * the local time "YYYY-MM-DD HH:MM:SS".
 */
#ifndef KH_APPEAL_H
#define KH_APPEAL_H

#include "common.h"
#include "workspace.h"

typedef struct kh_publication {
    bool published;
    char *closes;         /* the last day appeals are accepted, or NULL */
    bool with_ranking;    /* units may also see the ranking */
    char *published_at, *published_by;
    char *final_at, *final_by;   /* NULL until 定稿 */
    long long final_after;       /* the journal's last change (id) before 定稿 */
} kh_publication;
void kh_publication_clear(kh_publication *p);

/* Is s a real calendar day written "YYYY-MM-DD"? */
bool kh_date_valid(const char *s);

/* Publish rubric's results until closes (inclusive), by user, on today.
 * KH_ERR_USAGE with a message: a date not valid, closes before today, or
 * the rubric already final. */
kh_status kh_publish(kh_workspace *w, const char *rubric, const char *closes, bool with_ranking,
                     const char *user, const char *today, kh_diags *d);

/* The publication of rubric (all members NULL/false when none). */
kh_status kh_publication_get(kh_workspace *w, const char *rubric, kh_publication *p,
                             kh_diags *d);

typedef enum kh_appeal_state { KH_APPEAL_OPEN, KH_APPEAL_KEPT, KH_APPEAL_CHANGED } kh_appeal_state;

typedef struct kh_appeal {
    long long id;
    char *unit, *rubric, *cp;     /* cp: the check point's id, "8.3" */
    char *argument;               /* the unit's reasons */
    char *filed_at, *filed_by;
    kh_appeal_state state;
    char *result;                 /* 改判: the new result; else NULL */
    char *reason;                 /* the decision's reason, or NULL while open */
    char *decided_at, *decided_by;
    long long filed_after;        /* the journal's last change (id) before the */
    long long decided_after;      /* filing, the decision (0: none) */
} kh_appeal;
void kh_appeal_clear(kh_appeal *a);   /* its members freed, zeroed */
void kh_appeals_free(kh_appeal *v, size_t n);

/* File an appeal of unit against check point cp of rubric, with argument
 * (non-empty), by user, on today: *id gets its number.  KH_ERR_USAGE with
 * a message when the rules above refuse it. */
kh_status kh_appeal_file(kh_workspace *w, const char *unit, const char *rubric, const char *cp,
                         const char *argument, const char *user, const char *today,
                         long long *id, kh_diags *d);

/* Decide appeal id: KH_APPEAL_KEPT (维持) or KH_APPEAL_CHANGED (改判,
 * result the new result, non-empty), with reason (non-empty), by user.
 * KH_ERR_USAGE with a message when refused (no such appeal, decided
 * already, final, no reason or result).  *out (may be NULL) gets the
 * appeal as decided. */
kh_status kh_appeal_decide(kh_workspace *w, long long id, kh_appeal_state decision,
                           const char *result, const char *reason, const char *user,
                           kh_appeal *out, kh_diags *d);

/* The appeals of rubric (NULL: all), of unit (NULL: all units), oldest
 * first. */
kh_status kh_appeals_list(kh_workspace *w, const char *rubric, const char *unit, kh_appeal **v,
                          size_t *n, kh_diags *d);

/* 定稿: make rubric's results final, by user, on today.  KH_ERR_USAGE with
 * a message: not published, today not after the closing date, appeals
 * still open, or final already. */
kh_status kh_finalise(kh_workspace *w, const char *rubric, const char *user, const char *today,
                      kh_diags *d);

/* The appeals as rows of the ranking's 更正记录 (a 申诉 row when filed, a
 * 复核 row with 维持 or 改判 when decided), oldest first, for
 * kh_write_ranking_journal beside the file changes: kind 申诉 or
 * 复核（维持）/复核（改判）, reason the argument or the decision's reason
 * with the check point named, totals and hashes NULL, id the journal's
 * last change before the step (filed_after, decided_after). */
kh_status kh_appeals_as_changes(const kh_appeal *v, size_t n, kh_ws_change **out, size_t *nout);

/* Mark the results of rubric (an id) in b (finished) as final since date
 * ("2021-01-12"): the ranking's sheet and the scoresheets of its units
 * say 定稿 and the date.  KH_OK or KH_ERR_NOMEM. */
struct kh_batch;
kh_status kh_batch_set_final(struct kh_batch *b, const char *rubric, const char *date);

/* The date rubric's results in b are final since, or NULL. */
const char *kh_batch_final_of(const struct kh_batch *b, const char *rubric);

/* kh_batch_set_final for every rubric of b whose results are final in
 * the workspace w. */
kh_status kh_batch_mark_final(struct kh_batch *b, kh_workspace *w, kh_diags *d);

/* The workspace's journal (kh_workspace_history) with the appeals' steps
 * (kh_appeals_as_changes) merged in the order they happened (each step
 * after the journal's change it followed): what the ranking's 更正记录
 * shows.  A file change made after its rubric's 定稿 has "（定稿后）"
 * after its kind ("更正（定稿后）"). */
kh_status kh_journal_with_appeals(kh_workspace *w, kh_ws_change **v, size_t *n, kh_diags *d);

#endif
