/*
 * workspace.h - the year's record kept by `kaohe serve --workspace DIR`:
 * every checklist that counts, the assessment's settings, and a journal of
 * every change (who, when, why, old and new file hash, old and new total).
 *
 * DIR/journal.sqlite  SQLite in WAL mode, synchronous=FULL: a transaction
 *                     that returned is on disk; one cut short by a crash
 *                     (kill -9, power) is not there at all.
 * DIR/files/HASH.EXT  the checklists, named by their SHA-256, each made
 *                     durable (kh_outfile) before the transaction that
 *                     names it: a journal row never names a missing file.
 *                     A file a crash left unnamed is removed on open.
 * DIR/kaohe.lock      the process id of the one that has it open, and a
 *                     lock the system drops when that process ends.
 *
 * Thread-safe: one connection under a mutex (the server answers each
 * request on a thread of its own).
 */
#ifndef KH_WORKSPACE_H
#define KH_WORKSPACE_H

#include "common.h"

typedef struct kh_workspace kh_workspace;

/* Open (creating when missing) the workspace in folder dir, taking its
 * lock DIR/kaohe.lock (platform.h kh_lock_take) until kh_workspace_close:
 * one writer at a time, across processes and within one.  Another holder
 * (a live server) is KH_ERR_USAGE with a message naming its process id;
 * a lock left by a process that died is free.  Under the lock, files a
 * crash left unnamed are removed (never one a row names, never one
 * written after the lock was taken), then every journal row's file is
 * checked: those missing are listed (kh_workspace_missing) and noted in
 * d (KH_NOTE). */
kh_status kh_workspace_open(const char *dir, kh_workspace **out, kh_diags *d);
void kh_workspace_close(kh_workspace *w);

/* A journal row whose file is missing from DIR/files (found on open). */
typedef struct kh_ws_missing {
    char *unit, *rubric;
    char *hash;       /* the file's SHA-256, hex */
    char *name;       /* the file's name as uploaded */
    char *at;         /* when the row was recorded */
} kh_ws_missing;
void kh_ws_missing_free(kh_ws_missing *v, size_t n);

/* The rows found missing on open (*n of them; owned by w). */
const kh_ws_missing *kh_workspace_missing(const kh_workspace *w, size_t *n);

/* Settings of the assessment ("year", "rubrics", "roster"...): the value
 * (new string) or NULL when unset; kh_workspace_set with value NULL unsets. */
char *kh_workspace_get(kh_workspace *w, const char *key);
kh_status kh_workspace_set(kh_workspace *w, const char *key, const char *value, kh_diags *d);

/* A unit's checklist as the workspace holds it. */
typedef struct kh_ws_entry {
    char *unit, *rubric;
    char *hash;       /* SHA-256 of the file, hex */
    char *path;       /* DIR/files/HASH.EXT */
    char *name;       /* the file's name as uploaded */
    char *total;      /* the unit's total when it was recorded */
} kh_ws_entry;
void kh_ws_entry_clear(kh_ws_entry *e);

/* The current entry of unit under rubric (a unit is one per rubric, as in
 * a ranking): KH_OK with *found, and e filled when found. */
kh_status kh_workspace_current(kh_workspace *w, const char *unit, const char *rubric,
                               kh_ws_entry *e, bool *found, kh_diags *d);

/* The units whose current file has hash (new array of new strings, *n),
 * as "RUBRIC\tUNIT". */
char **kh_workspace_units_of(kh_workspace *w, const char *hash, size_t *n);

/* Every distinct file that counts now, in the order they first counted:
 * paths (new array of new strings, *n) and in *names the names they were
 * uploaded as. */
char **kh_workspace_files(kh_workspace *w, size_t *n, char ***names);
void kh_strv_free(char **v, size_t n);

/* One change, as recorded and as the history shows it. */
typedef struct kh_ws_change {
    long long id;
    char *at;         /* local time, "2026-03-01 09:30:00" */
    char *user;       /* who (the account, or 本机 without accounts) */
    char *unit, *rubric;
    char *kind;       /* 首次上传, 申诉, 复核, 更正 */
    char *reason;     /* the typed reason, NULL for a first upload */
    char *old_hash, *old_total;   /* NULL for a first upload */
    char *new_hash, *new_total;
    char *name;       /* the new file's name as uploaded */
} kh_ws_change;
void kh_ws_changes_free(kh_ws_change *v, size_t n);

/* Record that unit (of rubric, scored total) now counts with the file at
 * file_path (uploaded as name), and why: the file is stored under its
 * hash, and the unit's entry and the journal row are written in one
 * transaction.  kind and reason NULL for a first upload; a unit that has a
 * file already needs a kind and a non-empty reason (else KH_ERR_USAGE).
 * The same file as the current one changes nothing (*changed false). */
kh_status kh_workspace_record(kh_workspace *w, const char *unit, const char *rubric,
                              const char *total, const char *file_path, const char *name,
                              const char *user, const char *kind, const char *reason,
                              bool *changed, kh_diags *d);

/* Store a file that is not a checklist (an uploaded rubric, a roster)
 * under its hash; *stored (new string) is its path in the workspace. */
kh_status kh_workspace_store(kh_workspace *w, const char *file_path, const char *ext,
                             char **stored, kh_diags *d);

/* The journal, oldest first (*v, *n). */
kh_status kh_workspace_history(kh_workspace *w, kh_ws_change **v, size_t *n, kh_diags *d);

/* ---- uploads that did not pass ----
 *
 * A checklist that was uploaded and rejected is kept too (its file under
 * its hash, with the name it was uploaded as, when, by whom, the unit and
 * rubric named in it where they could be read, and its messages), so that
 * a unit that sent something is never shown as having sent nothing.  It
 * stays open until the same name or the same file is uploaded again, or a
 * checklist of its unit is recorded after it (the correction of it). */
typedef struct kh_ws_rejection {
    long long id;
    char *at;         /* local time, "2026-03-01 09:30:00" */
    char *user;
    char *hash;       /* SHA-256 of the file, hex */
    char *path;       /* DIR/files/HASH.EXT */
    char *name;       /* the file's name as uploaded */
    char *unit, *rubric;   /* as named in it, or NULL when not read */
    char *messages;   /* why it did not pass, one message a line (Chinese) */
} kh_ws_rejection;
void kh_ws_rejections_free(kh_ws_rejection *v, size_t n);

/* Record that the file at file_path, uploaded as name by user, did not
 * pass, with its messages; unit and rubric (an id) may be NULL. */
kh_status kh_workspace_record_rejected(kh_workspace *w, const char *file_path, const char *name,
                                       const char *unit, const char *rubric, const char *user,
                                       const char *messages, kh_diags *d);

/* The rejected uploads still open (see above), oldest first (*v, *n). */
kh_status kh_workspace_rejections(kh_workspace *w, kh_ws_rejection **v, size_t *n, kh_diags *d);

/* The ranking workbook of b (kh_write_ranking) with a 更正记录 sheet of
 * the journal's changes v[0..n) that replaced a checklist (ranking_out.c). */
kh_status kh_write_ranking_journal(const struct kh_batch *b, const kh_ws_change *v, size_t n,
                                   const char *path, kh_diags *d);

#endif
