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
 * sweep owns), and report SQLite errors through kh_ws_db_error.
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

#endif
