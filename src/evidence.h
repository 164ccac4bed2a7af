/*
 * evidence.h - 佐证材料: the files a unit attaches to a check point of its
 * checklist (photos of meetings, scanned 签到单, PDF plans, .docx/.xlsx),
 * kept in the workspace beside the year's record (workspace_db.h).
 *
 * DIR/evidence/HASH.EXT  each file once, named by its SHA-256 and the
 *                        extension of the type kaohe found in its bytes
 *                        (never the uploaded name's: that is kept for
 *                        display and download only).
 * tables evidence,       one row per attachment (unit, rubric, check
 *   evidence_log         point, file, name, who, when) and the journal of
 *                        every attachment added or removed.
 *
 * Crash safety: a file is written to a temporary, synced and renamed
 * into place before the transaction that names it (no row ever names a
 * missing file); a removal deletes the row first and the file after.  A
 * file a crash left without a row is removed at the first use of the
 * evidence of a workspace opened by this process (under the workspace's
 * lock, before this process writes any).
 *
 * Accepted types, by their bytes: JPEG, PNG, PDF, and zip containers that
 * are Word (.docx) or Excel (.xlsx) documents without macros.  Anything
 * else - HTML, SVG, executables, other zips - is refused, whatever its
 * name says.  A file is at most KH_EVIDENCE_MAX_FILE bytes; a unit's
 * files together at most its quota (the workspace's setting
 * "evidence_quota", bytes; KH_EVIDENCE_DEFAULT_QUOTA when unset).
 *
 * Thread-safe as the workspace is (its lock around every statement).
 */
#ifndef KH_EVIDENCE_H
#define KH_EVIDENCE_H

#include "workspace.h"

#define KH_EVIDENCE_MAX_FILE_MB 20
#define KH_EVIDENCE_MAX_FILE ((uint64_t)KH_EVIDENCE_MAX_FILE_MB << 20)
#define KH_EVIDENCE_DEFAULT_QUOTA_MB 200
#define KH_EVIDENCE_DEFAULT_QUOTA ((uint64_t)KH_EVIDENCE_DEFAULT_QUOTA_MB << 20)

/* The types of evidence kaohe accepts (KH_EV_NONE: refused). */
typedef enum kh_ev_type { KH_EV_NONE, KH_EV_JPEG, KH_EV_PNG, KH_EV_PDF, KH_EV_DOCX, KH_EV_XLSX } kh_ev_type;

/* The type of the file at path, from its bytes alone (its name is not
 * looked at): KH_EV_NONE for anything not accepted, also for a file that
 * cannot be read. */
kh_ev_type kh_evidence_sniff(const char *path);

/* Its media type ("image/png"), its extension (".png"), and whether a
 * browser may show it (JPEG, PNG, PDF) rather than only download it. */
const char *kh_evidence_mime(kh_ev_type t);
const char *kh_evidence_ext(kh_ev_type t);
bool kh_evidence_inline(kh_ev_type t);

/* One attachment. */
typedef struct kh_evidence {
    long long id;
    char *unit, *rubric;
    char *cp;          /* the check point's id, "1.1" */
    char *hash;        /* SHA-256 of the file, hex */
    char *path;        /* DIR/evidence/HASH.EXT */
    char *name;        /* the name it was uploaded as: for display only */
    kh_ev_type type;
    uint64_t size;
    char *user;        /* who attached it */
    char *at;          /* when, local time "2026-03-01 09:30:00" */
} kh_evidence;
void kh_evidence_clear(kh_evidence *e);
void kh_evidences_free(kh_evidence *v, size_t n);

/* Attach the file at file_path (uploaded as name, by user) to check point
 * cp of unit under rubric.  KH_OK with *out filled (out may be NULL);
 * KH_ERR_INPUT when its type is not accepted, KH_ERR_LIMIT when it is
 * larger than KH_EVIDENCE_MAX_FILE or would take the unit over its quota
 * (a diagnostic in d saying which, in words for the page); KH_ERR_IO,
 * KH_ERR_NOMEM.  The same file attached twice is two attachments of one
 * stored file. */
kh_status kh_evidence_add(kh_workspace *w, const char *unit, const char *rubric, const char *cp,
                          const char *file_path, const char *name, const char *user,
                          kh_evidence *out, kh_diags *d);

/* The attachments of unit under rubric (rubric NULL: every rubric;
 * unit NULL: every unit), by check point then in the order attached. */
kh_status kh_evidence_list(kh_workspace *w, const char *unit, const char *rubric,
                           kh_evidence **v, size_t *n, kh_diags *d);

/* The attachment id: KH_OK with *found, and e filled when found. */
kh_status kh_evidence_get(kh_workspace *w, long long id, kh_evidence *e, bool *found,
                          kh_diags *d);

/* Remove the attachment id (journalled as user's): its file goes too when
 * no other attachment uses it.  KH_OK with *found false when there is no
 * such attachment. */
kh_status kh_evidence_remove(kh_workspace *w, long long id, const char *user, bool *found,
                             kh_diags *d);

/* The bytes unit's attachments take (each stored file counted once), and
 * the quota a unit has. */
kh_status kh_evidence_used(kh_workspace *w, const char *unit, uint64_t *bytes, kh_diags *d);
uint64_t kh_evidence_quota(kh_workspace *w);
/* Set the quota (bytes, at least 1 MiB; 0 returns to the default). */
kh_status kh_evidence_set_quota(kh_workspace *w, uint64_t bytes, kh_diags *d);

/* One line of the evidence journal. */
typedef struct kh_ev_change {
    long long id;
    char *at, *user;
    char *unit, *rubric, *cp;
    char *action;      /* 添加 or 删除 */
    char *name, *hash;
    uint64_t size;
} kh_ev_change;
void kh_ev_changes_free(kh_ev_change *v, size_t n);

/* The evidence journal, oldest first. */
kh_status kh_evidence_journal(kh_workspace *w, kh_ev_change **v, size_t *n, kh_diags *d);

#endif
