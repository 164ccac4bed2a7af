/*
 * evidence.c - 佐证材料 kept in the workspace (evidence.h says what is
 * kept where, and why a crash leaves no row without its file).
 */
#include "evidence.h"
#include "outfile.h"
#include "platform.h"
#include "provenance.h"
#include "workspace_db.h"
#include "xlsx_zip.h"

#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the type, from the bytes ---- */

/* A zip container: a Word or Excel document (its main part and the
 * content types), without macros; anything else is no evidence. */
static kh_ev_type sniff_zip(const char *path)
{
    kh_diags d = {0};
    kh_zip *z = NULL;
    kh_ev_type t = KH_EV_NONE;
    if (kh_zip_open_file(path, &z, &d) == KH_OK) {
        bool types = kh_zip_find(z, "[content_types].xml") != NULL;
        bool docx = kh_zip_find(z, "word/document.xml") != NULL;
        bool xlsx = kh_zip_find(z, "xl/workbook.xml") != NULL;
        bool macros = false;
        for (size_t i = 0; i < kh_zip_count(z) && !macros; i++) {
            const char *n = kh_zip_norm_at(z, i);
            size_t len = strlen(n);
            macros = len >= 14 && strcmp(n + len - 14, "vbaproject.bin") == 0;
        }
        if (types && !macros && docx != xlsx)
            t = docx ? KH_EV_DOCX : KH_EV_XLSX;
    }
    kh_zip_free(z);
    kh_diags_clear(&d);
    return t;
}

kh_ev_type kh_evidence_sniff(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return KH_EV_NONE;
    unsigned char h[8] = {0};
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF)
        return KH_EV_JPEG;
    if (n == 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
        return KH_EV_PNG;
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0)
        return KH_EV_PDF;
    if (n >= 4 && memcmp(h, "PK\x03\x04", 4) == 0)
        return sniff_zip(path);
    return KH_EV_NONE;
}

const char *kh_evidence_mime(kh_ev_type t)
{
    switch (t) {
    case KH_EV_JPEG: return "image/jpeg";
    case KH_EV_PNG: return "image/png";
    case KH_EV_PDF: return "application/pdf";
    case KH_EV_DOCX: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case KH_EV_XLSX: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    default: return "application/octet-stream";
    }
}

const char *kh_evidence_ext(kh_ev_type t)
{
    static const char *const ext[] = {"", ".jpg", ".png", ".pdf", ".docx", ".xlsx"};
    return (unsigned)t < KH_ARRAY_LEN(ext) ? ext[t] : "";
}

bool kh_evidence_inline(kh_ev_type t)
{
    return t == KH_EV_JPEG || t == KH_EV_PNG || t == KH_EV_PDF;
}

/* ---- the tables, and the sweep of the first use ---- */

static const char tables[] =
    "CREATE TABLE IF NOT EXISTS evidence(id INTEGER PRIMARY KEY, unit TEXT NOT NULL,"
    " rubric TEXT NOT NULL, cp TEXT NOT NULL, hash TEXT NOT NULL, type INTEGER NOT NULL,"
    " size INTEGER NOT NULL, name TEXT NOT NULL, user TEXT NOT NULL, at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS evidence_of ON evidence(unit, rubric, cp);"
    "CREATE INDEX IF NOT EXISTS evidence_hash ON evidence(hash);"
    "CREATE TABLE IF NOT EXISTS evidence_log(id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
    " user TEXT NOT NULL, unit TEXT NOT NULL, rubric TEXT NOT NULL, cp TEXT NOT NULL,"
    " action TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL, size INTEGER NOT NULL);";

static char *folder_of(kh_workspace *w) { return kh_strprintf("%s/evidence", kh_ws_dir(w)); }

static char *path_of(kh_workspace *w, const char *hash, kh_ev_type t)
{
    return kh_strprintf("%s/evidence/%s%s", kh_ws_dir(w), hash, kh_evidence_ext(t));
}

static bool is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* Files of DIR/evidence that no row names (a crash between the file and
 * its transaction, or between a removal's transaction and its file), and
 * the named temporaries of a writer that was killed.  Run under the lock
 * before this process writes any evidence, so nothing found can be one
 * being stored. */
static void sweep(kh_workspace *w)
{
    char *dir = folder_of(w);
    DIR *dp = dir ? opendir(dir) : NULL;
    if (!dp) {
        kh_free(dir);
        return;
    }
    sqlite3_stmt *q = kh_ws_prepare(w, "SELECT 1 FROM evidence WHERE hash = ?1 LIMIT 1", NULL, 0);
    struct dirent *e;
    while (q && (e = readdir(dp)) != NULL) {
        const char *n = e->d_name;
        bool tmp = n[0] == '.' && strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
        bool named = strlen(n) > 64 && n[64] == '.' && is_hex64(n);
        if (!tmp && !named)
            continue;
        bool orphan = tmp;
        if (named) {
            sqlite3_bind_text(q, 1, n, 64, SQLITE_STATIC);
            orphan = sqlite3_step(q) == SQLITE_DONE;
            sqlite3_reset(q);
        }
        if (orphan) {
            char *f = kh_strprintf("%s/%s", dir, n);
            if (f)
                remove(f);
            kh_free(f);
        }
    }
    sqlite3_finalize(q);
    closedir(dp);
    kh_free(dir);
}

/* The tables made and the folder swept, once per opening of the
 * workspace (a temporary table of the connection remembers it); the
 * caller holds the lock. */
static kh_status ready(kh_workspace *w, kh_diags *d)
{
    sqlite3_stmt *q = kh_ws_prepare(
        w, "SELECT 1 FROM temp.sqlite_master WHERE name = 'evidence_swept'", NULL, 0);
    bool done = q && sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    if (done)
        return KH_OK;
    kh_status st = kh_ws_exec(w, tables, d);
    if (st != KH_OK)
        return st;
    char *dir = folder_of(w);
    if (!dir)
        return KH_ERR_NOMEM;
    if (kh_mkdir(dir) != 0 && errno != EEXIST) {
        kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0, _("cannot make the evidence folder: %s"),
                     strerror(errno));
        kh_free(dir);
        return KH_ERR_IO;
    }
    kh_free(dir);
    sweep(w);
    return kh_ws_exec(w, "CREATE TEMP TABLE IF NOT EXISTS evidence_swept(x)", d);
}

/* ---- attachments ---- */

void kh_evidence_clear(kh_evidence *e)
{
    if (!e)
        return;
    kh_free(e->unit);
    kh_free(e->rubric);
    kh_free(e->cp);
    kh_free(e->hash);
    kh_free(e->path);
    kh_free(e->name);
    kh_free(e->user);
    kh_free(e->at);
    memset(e, 0, sizeof *e);
}

void kh_evidences_free(kh_evidence *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        kh_evidence_clear(&v[i]);
    kh_free(v);
}

#define EV_COLS "id, unit, rubric, cp, hash, type, size, name, user, at"

/* Row q (EV_COLS) into e (ctx: the workspace): KH_ERR_NOMEM, e cleared,
 * when out of memory (a kh_ws_fill_fn). */
static kh_status row_of(void *ctx, sqlite3_stmt *q, void *elem)
{
    kh_workspace *w = ctx;
    kh_evidence *e = elem;
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(q, 0);
    e->unit = kh_ws_col(q, 1);
    e->rubric = kh_ws_col(q, 2);
    e->cp = kh_ws_col(q, 3);
    e->hash = kh_ws_col(q, 4);
    int t = sqlite3_column_int(q, 5);
    e->type = t > KH_EV_NONE && t <= KH_EV_XLSX ? (kh_ev_type)t : KH_EV_NONE;
    e->size = (uint64_t)sqlite3_column_int64(q, 6);
    e->name = kh_ws_col(q, 7);
    e->user = kh_ws_col(q, 8);
    e->at = kh_ws_col(q, 9);
    e->path = e->hash ? path_of(w, e->hash, e->type) : NULL;
    if (!e->unit || !e->rubric || !e->cp || !e->hash || !e->name || !e->user || !e->at ||
        !e->path) {
        kh_evidence_clear(e);
        return KH_ERR_NOMEM;
    }
    return KH_OK;
}

/* The bytes of unit's stored files, the lock held. */
static kh_status used_locked(kh_workspace *w, const char *unit, uint64_t *bytes, kh_diags *d)
{
    *bytes = 0;
    const kh_ws_arg a[] = {KH_WS_TEXT(unit)};
    sqlite3_stmt *q = kh_ws_prepare(w,
                                    "SELECT COALESCE(SUM(size), 0) FROM (SELECT DISTINCT hash,"
                                    " size FROM evidence WHERE unit = ?1)",
                                    a, 1);
    if (!q || sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return kh_ws_db_error(w, d);
    }
    *bytes = (uint64_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return KH_OK;
}

/* Whether unit has the file hash already (it then costs nothing more). */
static bool unit_has(kh_workspace *w, const char *unit, const char *hash)
{
    const kh_ws_arg a[] = {KH_WS_TEXT(unit), KH_WS_TEXT(hash)};
    sqlite3_stmt *q = kh_ws_prepare(
        w, "SELECT 1 FROM evidence WHERE unit = ?1 AND hash = ?2 LIMIT 1", a, 2);
    bool has = q && sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return has;
}

uint64_t kh_evidence_quota(kh_workspace *w)
{
    char *v = kh_workspace_get(w, "evidence_quota");
    uint64_t q = 0;
    if (v && strspn(v, "0123456789") == strlen(v) && strlen(v) < 19)
        q = strtoull(v, NULL, 10);
    kh_free(v);
    return q ? q : KH_EVIDENCE_DEFAULT_QUOTA;
}

kh_status kh_evidence_set_quota(kh_workspace *w, uint64_t bytes, kh_diags *d)
{
    if (bytes && bytes < (1u << 20)) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("the evidence quota of a unit must be at least 1 MiB"));
        return KH_ERR_USAGE;
    }
    char v[32];
    snprintf(v, sizeof v, "%llu", (unsigned long long)bytes);
    return kh_workspace_set(w, "evidence_quota", bytes ? v : NULL, d);
}

kh_status kh_evidence_used(kh_workspace *w, const char *unit, uint64_t *bytes, kh_diags *d)
{
    kh_ws_lock(w);
    kh_status st = ready(w, d);
    if (st == KH_OK)
        st = used_locked(w, unit, bytes, d);
    kh_ws_unlock(w);
    return st;
}

/* Refuse a file that would take unit over quota (the lock held). */
static kh_status check_quota(kh_workspace *w, const char *unit, const char *hash, uint64_t size,
                             uint64_t quota, const char *name, kh_diags *d)
{
    uint64_t used = 0;
    kh_status st = used_locked(w, unit, &used, d);
    if (st != KH_OK || unit_has(w, unit, hash) || used + size <= quota)
        return st;
    kh_diags_add(d, KH_ERROR, name, NULL, NULL, 0,
                 _("%s's evidence would take more than its quota of %llu MiB (%llu MiB used): "
                   "remove some, or ask the bureau for more"),
                 unit, (unsigned long long)(quota >> 20), (unsigned long long)(used >> 20));
    return KH_ERR_LIMIT;
}

/* Copy src to a temporary beside to, written and synced: the caller
 * commits (puts it in place) or aborts it. */
static kh_status write_temp(const char *src, const char *to, kh_outfile *o, kh_diags *d)
{
    kh_status st = kh_outfile_begin(o, to, d);
    if (st != KH_OK)
        return st;
    FILE *in = fopen(src, "rb");
    FILE *out = in ? fopen(o->open_path, "wb") : NULL;
    bool ok = in && out;
    char chunk[1 << 15];
    size_t n;
    while (ok && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
        ok = fwrite(chunk, 1, n, out) == n;
    ok = ok && !ferror(in) && fflush(out) == 0 && kh_fsync(fileno(out)) == 0;
    int e = errno;
    if (out && fclose(out) != 0)
        ok = false;
    if (in)
        fclose(in);
    if (!ok) {
        kh_outfile_abort(o);
        kh_diags_add(d, KH_ERROR, to, NULL, NULL, 0, _("cannot write %s: %s"), to,
                     strerror(e ? e : EIO));
        return KH_ERR_IO;
    }
    return KH_OK;
}

/* The journal's line of one change, inside the caller's transaction. */
static bool log_change(kh_workspace *w, const kh_evidence *e, const char *user,
                       const char *action)
{
    const kh_ws_arg a[] = {KH_WS_TEXT(user),   KH_WS_TEXT(e->unit), KH_WS_TEXT(e->rubric),
                           KH_WS_TEXT(e->cp),  KH_WS_TEXT(action),  KH_WS_TEXT(e->name),
                           KH_WS_TEXT(e->hash), KH_WS_NUM((long long)e->size)};
    return kh_ws_run(w,
                     "INSERT INTO evidence_log(at, user, unit, rubric, cp, action, name, hash,"
                     " size) VALUES(datetime('now', 'localtime'), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                     a, KH_ARRAY_LEN(a));
}

/* Remove the stored file hash at path when no row names it (the lock
 * held; in doubt it stays, for the next sweep). */
static void drop_if_unused(kh_workspace *w, const char *hash, const char *path)
{
    const kh_ws_arg a[] = {KH_WS_TEXT(hash)};
    sqlite3_stmt *q = kh_ws_prepare(w, "SELECT 1 FROM evidence WHERE hash = ?1 LIMIT 1", a, 1);
    bool used = !q || sqlite3_step(q) != SQLITE_DONE;
    sqlite3_finalize(q);
    if (!used)
        remove(path);
}

static kh_status get_locked(kh_workspace *w, long long id, kh_evidence *e, bool *found,
                            kh_diags *d)
{
    *found = false;
    memset(e, 0, sizeof *e);
    const kh_ws_arg a[] = {KH_WS_NUM(id)};
    sqlite3_stmt *q = kh_ws_prepare(w, "SELECT " EV_COLS " FROM evidence WHERE id = ?1", a, 1);
    if (!q)
        return kh_ws_db_error(w, d);
    int rc = sqlite3_step(q);
    kh_status st = KH_OK;
    if (rc == SQLITE_ROW)
        st = row_of(w, q, e) == KH_OK ? (*found = true, KH_OK) : KH_ERR_NOMEM;
    else if (rc != SQLITE_DONE)
        st = kh_ws_db_error(w, d);
    sqlite3_finalize(q);
    return st;
}

kh_status kh_evidence_add(kh_workspace *w, const char *unit, const char *rubric, const char *cp,
                          const char *file_path, const char *name, const char *user,
                          kh_evidence *out, kh_diags *d)
{
    if (out)
        memset(out, 0, sizeof *out);
    struct stat sb;
    if (stat(file_path, &sb) != 0) {
        kh_diags_add(d, KH_ERROR, name, NULL, NULL, 0, _("cannot read the file: %s"),
                     strerror(errno));
        return KH_ERR_IO;
    }
    if ((uint64_t)sb.st_size > KH_EVIDENCE_MAX_FILE) {
        kh_diags_add(d, KH_ERROR, name, NULL, NULL, 0,
                     _("a file of evidence may be at most %d MiB: make the photo or scan "
                       "smaller"),
                     KH_EVIDENCE_MAX_FILE_MB);
        return KH_ERR_LIMIT;
    }
    kh_ev_type type = kh_evidence_sniff(file_path);
    if (type == KH_EV_NONE) {
        kh_diags_add(d, KH_ERROR, name, NULL, NULL, 0,
                     _("this file is not accepted as evidence: only photos (JPEG, PNG), PDF "
                       "and Word or Excel documents (.docx, .xlsx) are, whatever the name "
                       "says"));
        return KH_ERR_INPUT;
    }
    kh_digest dg;
    kh_file_digest(file_path, &dg);
    if (!dg.ok || dg.size != sb.st_size) {
        kh_diags_add(d, KH_ERROR, name, NULL, NULL, 0, _("cannot read the file: %s"),
                     strerror(errno ? errno : EIO));
        return KH_ERR_IO;
    }
    uint64_t quota = kh_evidence_quota(w);
    char *to = path_of(w, dg.sha256, type);
    if (!to)
        return KH_ERR_NOMEM;
    /* Before any byte is written: the tables and the sweep (ready), and
     * a refusal that needs no copy. */
    kh_ws_lock(w);
    kh_status st = ready(w, d);
    if (st == KH_OK)
        st = check_quota(w, unit, dg.sha256, (uint64_t)dg.size, quota, name, d);
    kh_ws_unlock(w);
    kh_outfile o;
    if (st == KH_OK)
        st = write_temp(file_path, to, &o, d);
    if (st != KH_OK) {
        kh_free(to);
        return st;
    }
    kh_ws_lock(w);
    /* In place under the lock (a removal of the same file cannot come
     * between), then the row: the file is on disk before any row names it. */
    struct stat tb;
    if (stat(to, &tb) == 0 && (uint64_t)tb.st_size == (uint64_t)dg.size) {
        kh_outfile_abort(&o);
    } else {
        st = kh_outfile_commit(&o, d);
    }
    bool began = false;
    if (st == KH_OK) {
        if (sqlite3_exec(kh_ws_db(w), "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            st = kh_ws_db_error(w, d);
        else
            began = true;
    }
    if (st == KH_OK)
        st = check_quota(w, unit, dg.sha256, (uint64_t)dg.size, quota, name, d);
    kh_evidence e = {.unit = (char *)unit, .rubric = (char *)rubric, .cp = (char *)cp,
                     .hash = dg.sha256, .name = (char *)name, .type = type,
                     .size = (uint64_t)dg.size};
    if (st == KH_OK) {
        const kh_ws_arg a[] = {KH_WS_TEXT(unit),      KH_WS_TEXT(rubric), KH_WS_TEXT(cp),
                               KH_WS_TEXT(dg.sha256), KH_WS_TEXT(name),   KH_WS_TEXT(user),
                               KH_WS_NUM((int)type),  KH_WS_NUM((long long)dg.size)};
        bool ok = kh_ws_run(w,
                            "INSERT INTO evidence(unit, rubric, cp, hash, name, user, type, size,"
                            " at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                            " datetime('now', 'localtime'))",
                            a, KH_ARRAY_LEN(a));
        long long id = sqlite3_last_insert_rowid(kh_ws_db(w));
        ok = ok && log_change(w, &e, user, "添加");
        ok = ok && sqlite3_exec(kh_ws_db(w), "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
        if (!ok) {
            st = kh_ws_db_error(w, d);
        } else {
            began = false;
            bool found = false;
            kh_status gs = out ? get_locked(w, id, out, &found, d) : KH_OK;
            if (gs != KH_OK)
                st = gs;
            else if (out && !found)
                st = kh_ws_db_error(w, d);
        }
    }
    if (began)
        sqlite3_exec(kh_ws_db(w), "ROLLBACK", NULL, NULL, NULL);
    if (st != KH_OK)
        drop_if_unused(w, dg.sha256, to);
    kh_ws_unlock(w);
    kh_free(to);
    return st;
}

kh_status kh_evidence_list(kh_workspace *w, const char *unit, const char *rubric,
                           kh_evidence **v, size_t *n, kh_diags *d)
{
    *v = NULL;
    *n = 0;
    const kh_ws_arg a[] = {KH_WS_TEXT(unit), KH_WS_TEXT(rubric)};
    kh_ws_lock(w);
    kh_status st = ready(w, d);
    if (st == KH_OK)
        st = kh_ws_rows_into(w,
                             "SELECT " EV_COLS " FROM evidence WHERE (?1 IS NULL OR unit = ?1)"
                             " AND (?2 IS NULL OR rubric = ?2) ORDER BY unit, rubric, cp, id",
                             a, 2, (void **)v, n, sizeof **v, row_of, w, d);
    kh_ws_unlock(w);
    if (st != KH_OK) {
        kh_evidences_free(*v, *n);
        *v = NULL;
        *n = 0;
    }
    return st;
}

kh_status kh_evidence_get(kh_workspace *w, long long id, kh_evidence *e, bool *found,
                          kh_diags *d)
{
    kh_ws_lock(w);
    kh_status st = ready(w, d);
    if (st == KH_OK)
        st = get_locked(w, id, e, found, d);
    else
        *found = false, memset(e, 0, sizeof *e);
    kh_ws_unlock(w);
    return st;
}

kh_status kh_evidence_remove(kh_workspace *w, long long id, const char *user, bool *found,
                             kh_diags *d)
{
    *found = false;
    kh_ws_lock(w);
    kh_evidence e = {0};
    kh_status st = ready(w, d);
    if (st == KH_OK)
        st = get_locked(w, id, &e, found, d);
    if (st != KH_OK || !*found) {
        kh_ws_unlock(w);
        return st;
    }
    sqlite3 *db = kh_ws_db(w);
    const kh_ws_arg a[] = {KH_WS_NUM(id)};
    bool ok = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
    bool began = ok;
    ok = ok && kh_ws_run(w, "DELETE FROM evidence WHERE id = ?1", a, 1);
    ok = ok && log_change(w, &e, user, "删除");
    ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) {
        st = kh_ws_db_error(w, d);
        if (began)
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    } else {
        /* The row is gone; the file too when nothing else uses it (a crash
         * before this leaves it to the next sweep). */
        drop_if_unused(w, e.hash, e.path);
    }
    kh_ws_unlock(w);
    kh_evidence_clear(&e);
    return st;
}

void kh_ev_changes_free(kh_ev_change *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        kh_free(v[i].at);
        kh_free(v[i].user);
        kh_free(v[i].unit);
        kh_free(v[i].rubric);
        kh_free(v[i].cp);
        kh_free(v[i].action);
        kh_free(v[i].name);
        kh_free(v[i].hash);
    }
    kh_free(v);
}

/* A row of evidence_log into elem (a kh_ws_fill_fn). */
static kh_status change_of(void *ctx, sqlite3_stmt *q, void *elem)
{
    (void)ctx;
    kh_ev_change *c = elem;
    *c = (kh_ev_change){sqlite3_column_int64(q, 0), kh_ws_col(q, 1), kh_ws_col(q, 2), kh_ws_col(q, 3),
                        kh_ws_col(q, 4), kh_ws_col(q, 5), kh_ws_col(q, 6), kh_ws_col(q, 7), kh_ws_col(q, 8),
                        (uint64_t)sqlite3_column_int64(q, 9)};
    if (!c->at || !c->user || !c->unit || !c->rubric || !c->cp || !c->action || !c->name ||
        !c->hash)
        return KH_ERR_NOMEM;
    return KH_OK;
}

kh_status kh_evidence_journal(kh_workspace *w, kh_ev_change **v, size_t *n, kh_diags *d)
{
    *v = NULL;
    *n = 0;
    kh_ws_lock(w);
    kh_status st = ready(w, d);
    if (st == KH_OK)
        st = kh_ws_rows_into(w,
                             "SELECT id, at, user, unit, rubric, cp, action, name, hash, size"
                             " FROM evidence_log ORDER BY id",
                             NULL, 0, (void **)v, n, sizeof **v, change_of, NULL, d);
    kh_ws_unlock(w);
    if (st != KH_OK) {
        kh_ev_changes_free(*v, *n);
        *v = NULL;
        *n = 0;
    }
    return st;
}
