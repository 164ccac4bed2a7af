/*
 * outfile.h - writing outputs safely: a temporary file in the target
 * folder renamed into place when complete, never over an input, and file
 * names made from unit names that are safe on every system.
 */
#ifndef KH_OUTFILE_H
#define KH_OUTFILE_H

#include "common.h"

/* A temporary path beside path ("DIR/.NAME.PID-XXXXXX.tmp", PID this
 * process's id) that does not exist yet; the file is created empty (mode
 * 0644 under umask) so the name is reserved.  Returns a new string or NULL
 * (errno set).  The name is listed for kh_remove_temporaries until
 * kh_tmp_rename or kh_tmp_remove is done with it.  The first call for a
 * folder also removes the temporaries there of runs that were killed (their
 * process gone, the file older than ten minutes). */
char *kh_tmp_beside(const char *path);

/* Rename the temporary tmp over path (0, or -1/errno; still listed on
 * failure), or remove it (unlink's result); either way it leaves the list. */
int kh_tmp_rename(const char *tmp, const char *path);
int kh_tmp_remove(const char *tmp);

/* kh_remove_temporaries (kaohe.h) removes every temporary still listed. */

/* An output being written.  kh_outfile_begin picks where the writer puts
 * the bytes (open_path, to hand to fopen or workbook_new): where the file
 * system allows, an anonymous file in the target folder (O_TMPFILE, seen
 * through /proc/self/fd), which vanishes if the process is killed;
 * otherwise a hidden named temporary file beside the target.  After the
 * writer has closed it, kh_outfile_commit puts it in place atomically;
 * kh_outfile_abort throws it away. */
typedef struct kh_outfile {
    char *path;       /* the final path */
    char *open_path;  /* where the writer writes */
    int fd;           /* the anonymous file, or -1 for a named temporary */
} kh_outfile;

kh_status kh_outfile_begin(kh_outfile *o, const char *path, kh_diags *d);
kh_status kh_outfile_commit(kh_outfile *o, kh_diags *d);
void kh_outfile_abort(kh_outfile *o);

/* Deferred commits: many outputs made durable with one flush.  Between
 * kh_outfile_batch_begin and kh_outfile_batch_end, kh_outfile_commit on the
 * same thread neither syncs nor names the finished file: it keeps it (an
 * anonymous file, or a named hidden temporary) and returns KH_OK.
 * kh_outfile_batch_end - or a commit that finds KH_OUTFILE_BATCH_MAX files
 * kept (fewer when the open-file limit is low) - syncs them all with one
 * syncfs per file system (an fsync of each where syncfs fails) and then
 * puts each in place as kh_outfile_commit would, in the order they were
 * committed.  The promise stays: no name ever shows a file whose bytes are
 * not on disk, and a killed process leaves no partial output (anonymous
 * files vanish; a named temporary stays a hidden .NAME.XXXXXX.tmp).  A file
 * that cannot be synced or put in place is removed and reported in d (the
 * d of the kh_outfile_commit that made the batch full, or of
 * kh_outfile_batch_end); kh_outfile_batch_end returns the worst status of
 * all of them.  Batches nest (the inner one is committed by its end). */
#define KH_OUTFILE_BATCH_MAX 256

typedef struct kh_outfile_batch {
    kh_outfile *files; /* kept, in commit order */
    size_t n, cap, max;
    kh_status st;      /* worst status of the commits done so far */
    struct kh_outfile_batch *outer;
} kh_outfile_batch;

void kh_outfile_batch_begin(kh_outfile_batch *b);
kh_status kh_outfile_batch_end(kh_outfile_batch *b, kh_diags *d);

/* The open-file limit (the soft RLIMIT_NOFILE), or SIZE_MAX when there is
 * none: kept files and writing threads hold descriptors within it. */

/* Holding commits for another thread: a writer working on a thread of
 * its own while the order of the outputs belongs to the caller's thread
 * (scoresheets written with -j).  Between kh_outfile_hold_begin and
 * kh_outfile_hold_end, kh_outfile_commit on the same thread keeps each
 * finished file in h, any number of them, without syncing or naming it.
 * kh_outfile_hold_commit, on any thread, then commits them in order as
 * kh_outfile_commit on that thread would (into its batch, if one is
 * active), and empties h; it returns KH_OK or the status of the first
 * commit that failed. */
void kh_outfile_hold_begin(kh_outfile_batch *h);
void kh_outfile_hold_end(kh_outfile_batch *h);
kh_status kh_outfile_hold_commit(kh_outfile_batch *h, kh_diags *d);

/* True when a and b name the same existing file (same device and inode),
 * or, when neither exists, the same name in the same folder (out/x.json
 * and ./out/x.json). */
bool kh_same_file(const char *a, const char *b);

/* A file name made from a unit name: no path separators, no "..", no
 * control characters, no characters Windows forbids, not a Windows
 * reserved name (CON, NUL, COM1 ...), at most 100 bytes of UTF-8.  Never
 * empty.  New string, or NULL when out of memory. */
char *kh_safe_filename(const char *name);

/* Does the text start with a character a spreadsheet could take for a
 * formula (= + - @ tab CR LF)? */
bool kh_formula_like(const char *s);

/* Create dir and any missing folder above it (like mkdir -p).  KH_OK,
 * KH_ERR_IO or KH_ERR_NOMEM. */
kh_status kh_ensure_dir(const char *dir, kh_diags *d);

#endif
