/*
 * workspace_db.h - for the library modules that keep their own part of the
 * year's record in the workspace (the online 填报 and 考评, evidence):
 * the workspace's SQLite connection, its lock and its folder.  Internal to
 * the library; the front ends use workspace.h and those modules' headers.
 *
 * Rules for a module using it: create its tables with CREATE TABLE IF NOT
 * EXISTS on first use (kh_ws_exec), hold kh_ws_lock around every statement
 * sequence that must not interleave with another thread's, write files
 * under its own folder of kh_ws_dir (never DIR/files, which the open-time
 * sweep owns), and report SQLite errors through kh_ws_db_error.  Its
 * statements go through kh_ws_prepare, kh_ws_run and kh_ws_rows.
 */
#ifndef KH_WORKSPACE_DB_H
#define KH_WORKSPACE_DB_H

#include "workspace.h"

#include <sqlite3.h>

sqlite3 *kh_ws_db(kh_workspace *w);
const char *kh_ws_dir(const kh_workspace *w);
void kh_ws_lock(kh_workspace *w);
void kh_ws_unlock(kh_workspace *w);

/* Run sql (any number of statements) on w's connection, the caller holding
 * the lock: KH_OK, or the error with a diagnostic in d (disk full said so). */
kh_status kh_ws_exec(kh_workspace *w, const char *sql, kh_diags *d);

/* The diagnostic for the connection's last error into d; its status
 * (KH_ERR_NOMEM when SQLite ran out of memory, else KH_ERR_IO). */
kh_status kh_ws_db_error(kh_workspace *w, kh_diags *d);

/* One parameter of a statement: a text (NULL binds NULL), or with is_num
 * the integer num.  KH_WS_TEXT(s) and KH_WS_NUM(v) make them. */
typedef struct kh_ws_arg {
    const char *text;
    long long num;
    bool is_num;
} kh_ws_arg;
#define KH_WS_TEXT(s) ((kh_ws_arg){.text = (s)})
#define KH_WS_NUM(v) ((kh_ws_arg){.num = (v), .is_num = true})

/* sql (one statement) prepared on w's connection with args[0..n) bound
 * to ?1..?n in order, the caller holding the lock; texts are not copied
 * and must outlive the statement.  NULL when it fails, the error left on
 * the connection for kh_ws_db_error. */
sqlite3_stmt *kh_ws_prepare(kh_workspace *w, const char *sql, const kh_ws_arg *args, size_t n);

/* sql with args (kh_ws_prepare) stepped once to its end and finalized:
 * true, or false with the error left for kh_ws_db_error. */
bool kh_ws_run(kh_workspace *w, const char *sql, const kh_ws_arg *args, size_t n);

/* Called for each row of a query: KH_OK to go on, else the status that
 * ends it. */
typedef kh_status kh_ws_row_fn(void *ctx, sqlite3_stmt *q);

/* Every row of the query sql with args (kh_ws_prepare) to row(ctx, q),
 * the caller holding the lock: KH_OK, the first other status row gave,
 * or the error with a diagnostic in d (kh_ws_db_error). */
kh_status kh_ws_rows(kh_workspace *w, const char *sql, const kh_ws_arg *args, size_t n,
                     kh_ws_row_fn *row, void *ctx, kh_diags *d);

/* Fills elem, one element of an array, from row q: KH_OK to go on. */
typedef kh_status kh_ws_fill_fn(void *ctx, sqlite3_stmt *q, void *elem);

/* kh_ws_rows appending a row to the array *v of *count elements of size
 * bytes each (grown as kh_grow does): the new element zeroed, counted,
 * then filled by fill(ctx, q, elem), so that the caller's free function
 * also frees what a failing fill left in it.  KH_ERR_NOMEM when the
 * array cannot grow. */
kh_status kh_ws_rows_into(kh_workspace *w, const char *sql, const kh_ws_arg *args, size_t n,
                          void **v, size_t *count, size_t size, kh_ws_fill_fn *fill, void *ctx,
                          kh_diags *d);

/* A copy of column i of q's current row as text (NULL for SQL NULL or
 * out of memory); the caller frees it. */
char *kh_ws_col(sqlite3_stmt *q, int i);

#endif
