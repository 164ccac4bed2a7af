/*
 * workspace.c - the year's record on SQLite (workspace.h says what is kept
 * where and why a crash leaves it consistent).
 */
#include "workspace.h"
#include "workspace_db.h"
#include "outfile.h"
#include "provenance.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct kh_workspace {
    sqlite3 *db;
    char *dir;
    pthread_mutex_t lock;
    intptr_t held;             /* DIR/kaohe.lock, while open */
    kh_ws_missing *missing;    /* found by the check on open */
    size_t nmissing;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS files(hash TEXT PRIMARY KEY, ext TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS current(unit TEXT NOT NULL, rubric TEXT NOT NULL,"
    " hash TEXT NOT NULL REFERENCES files(hash), name TEXT NOT NULL, total TEXT NOT NULL,"
    " PRIMARY KEY(unit, rubric));"
    "CREATE TABLE IF NOT EXISTS changes(id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
    " user TEXT NOT NULL, unit TEXT NOT NULL, rubric TEXT NOT NULL, kind TEXT NOT NULL,"
    " reason TEXT, old_hash TEXT, old_total TEXT, new_hash TEXT NOT NULL,"
    " new_total TEXT NOT NULL, name TEXT NOT NULL);";

static kh_status db_error(kh_workspace *w, kh_diags *d)
{
    int code = sqlite3_errcode(w->db);
    kh_diags_add(d, KH_ERROR, w->dir, NULL, NULL, 0,
                 code == SQLITE_FULL ? _("the workspace's journal cannot be written: no space "
                                         "left on the disk")
                                     : _("the workspace's journal cannot be used: %s"),
                 sqlite3_errmsg(w->db));
    return code == SQLITE_NOMEM ? KH_ERR_NOMEM : KH_ERR_IO;
}


/* The extension a file named name is stored with (".xlsx", lower case;
 * "" when none fits), in ext. */
static const char *ext_of(const char *name, char ext[16])
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    ext[0] = '\0';
    if (dot && strlen(dot) < 16) {
        size_t i = 0;
        for (; dot[i]; i++)
            ext[i] = (char)(dot[i] >= 'A' && dot[i] <= 'Z' ? dot[i] + 32 : dot[i]);
        ext[i] = '\0';
    }
    return ext;
}

static char *path_of(const kh_workspace *w, const char *hash, const char *ext)
{
    return kh_strprintf("%s/files/%s%s", w->dir, hash, ext);
}

/* Files under DIR/files that no row names: a crash came between the file
 * and its transaction.  Removed, under the workspace's lock (no other
 * process can be storing one), and only when written before the lock was
 * taken at since_ns (older than any request that can be in flight).  A
 * file whose hash any row names (files, current, or the journal's old and
 * new hash) is never removed. */
static void sweep_unnamed(kh_workspace *w, int64_t since_ns)
{
    char *files = kh_strprintf("%s/files", w->dir);
    DIR *dp = files ? opendir(files) : NULL;
    kh_free(files);
    if (!dp)
        return;
    sqlite3_stmt *q = kh_ws_prepare(w,
                                    "SELECT 1 FROM files WHERE hash = ?1 AND ext = ?2"
                                    " UNION ALL SELECT 1 FROM current WHERE hash = ?1"
                                    " UNION ALL SELECT 1 FROM changes"
                                    " WHERE new_hash = ?1 OR old_hash = ?1 LIMIT 1",
                                    NULL, 0);
    struct dirent *e;
    while (q && (e = readdir(dp)) != NULL) {
        const char *dot = strchr(e->d_name, '.');
        if (!dot || dot - e->d_name != 64)
            continue; /* ".", "..", and the writer's hidden temporaries */
        sqlite3_bind_text(q, 1, e->d_name, 64, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, dot, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_DONE) {
            char *f = kh_strprintf("%s/files/%s", w->dir, e->d_name);
            int64_t t = f ? kh_file_mtime_ns(f) : -1;
            if (f && t >= 0 && t < since_ns)
                remove(f);
            kh_free(f);
        }
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    closedir(dp);
}

void kh_ws_missing_free(kh_ws_missing *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        kh_free(v[i].unit);
        kh_free(v[i].rubric);
        kh_free(v[i].hash);
        kh_free(v[i].name);
        kh_free(v[i].at);
    }
    kh_free(v);
}

/* The check on open: every row of the journal whose file is not in
 * DIR/files, into w->missing, and a note for each in d. */
static void check_files(kh_workspace *w, kh_diags *d)
{
    sqlite3_stmt *q = kh_ws_prepare(w,
                                    "SELECT c.unit, c.rubric, c.new_hash, f.ext, c.name, c.at"
                                    " FROM changes c LEFT JOIN files f ON f.hash = c.new_hash"
                                    " ORDER BY c.id",
                                    NULL, 0);
    if (!q)
        return;
    size_t cap = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *ext = (const char *)sqlite3_column_text(q, 3);
        const char *hash = (const char *)sqlite3_column_text(q, 2);
        char own[16];
        if (!ext) /* no files row: the extension the name gave it */
            ext = ext_of((const char *)sqlite3_column_text(q, 4), own);
        char *p = path_of(w, hash ? hash : "", ext);
        struct stat sb;
        bool there = p && stat(p, &sb) == 0;
        kh_free(p);
        if (there || !kh_grow((void **)&w->missing, &cap, w->nmissing + 1, sizeof *w->missing))
            continue;
        kh_ws_missing *m = &w->missing[w->nmissing];
        *m = (kh_ws_missing){kh_ws_col(q, 0), kh_ws_col(q, 1), kh_ws_col(q, 2), kh_ws_col(q, 4), kh_ws_col(q, 5)};
        if (!m->unit || !m->rubric || !m->hash || !m->name || !m->at) {
            kh_free(m->unit);
            kh_free(m->rubric);
            kh_free(m->hash);
            kh_free(m->name);
            kh_free(m->at);
            continue;
        }
        w->nmissing++;
        kh_diags_add(d, KH_NOTE, w->dir, NULL, NULL, 0,
                     _("the workspace's file of %s (%s, recorded %s) is missing from its "
                       "files folder: upload that checklist again"),
                     m->unit, m->name, m->at);
    }
    sqlite3_finalize(q);
}

const kh_ws_missing *kh_workspace_missing(const kh_workspace *w, size_t *n)
{
    *n = w->nmissing;
    return w->missing;
}

kh_status kh_workspace_open(const char *dir, kh_workspace **out, kh_diags *d)
{
    *out = NULL;
    kh_workspace *w = kh_calloc(1, sizeof *w);
    if (!w || !(w->dir = kh_strdup(dir))) {
        kh_free(w);
        return KH_ERR_NOMEM;
    }
    w->held = -1;
    char *files = kh_strprintf("%s/files", dir);
    char *journal = kh_strprintf("%s/journal.sqlite", dir);
    char *lock = kh_strprintf("%s/kaohe.lock", dir);
    kh_status st = KH_OK;
    int64_t since = kh_now_ns();
    long holder = 0;
    if (!files || !journal || !lock) {
        st = KH_ERR_NOMEM;
    } else if ((kh_mkdir(dir) != 0 && errno != EEXIST) ||
               (kh_mkdir(files) != 0 && errno != EEXIST)) {
        kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0,
                     _("cannot make the workspace folder: %s"), strerror(errno));
        st = KH_ERR_IO;
    } else if ((w->held = kh_lock_take(lock, &holder)) < 0) {
        /* One writer at a time: a second server would record the same
         * unit's first upload twice, and sweep away the files the first
         * one is storing. */
        if (errno == EWOULDBLOCK && holder > 0)
            kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0,
                         _("the workspace is in use by another kaohe (process %ld): stop that "
                           "one first, or give another --workspace"),
                         holder);
        else if (errno == EWOULDBLOCK)
            kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0,
                         _("the workspace is in use by another kaohe: stop that one first, or "
                           "give another --workspace"));
        else
            kh_diags_add(d, KH_ERROR, lock, NULL, NULL, 0,
                         _("cannot lock the workspace: %s"), strerror(errno));
        st = errno == EWOULDBLOCK ? KH_ERR_USAGE : KH_ERR_IO;
    } else if (sqlite3_open_v2(journal, &w->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             NULL) != SQLITE_OK ||
             sqlite3_busy_timeout(w->db, 10000) != SQLITE_OK ||
             sqlite3_exec(w->db, schema, NULL, NULL, NULL) != SQLITE_OK)
        st = db_error(w, d);
    kh_free(files);
    kh_free(journal);
    kh_free(lock);
    if (st != KH_OK) {
        sqlite3_close(w->db);
        kh_lock_release(w->held);
        kh_free(w->dir);
        kh_free(w);
        return st;
    }
    pthread_mutex_init(&w->lock, NULL);
    sweep_unnamed(w, since);
    check_files(w, d);
    *out = w;
    return KH_OK;
}

void kh_workspace_close(kh_workspace *w)
{
    if (!w)
        return;
    sqlite3_close(w->db);
    kh_lock_release(w->held);
    kh_ws_missing_free(w->missing, w->nmissing);
    pthread_mutex_destroy(&w->lock);
    kh_free(w->dir);
    kh_free(w);
}

char *kh_ws_col(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? kh_strdup((const char *)t) : NULL;
}

char *kh_workspace_get(kh_workspace *w, const char *key)
{
    const kh_ws_arg a[] = {KH_WS_TEXT(key)};
    pthread_mutex_lock(&w->lock);
    sqlite3_stmt *q = kh_ws_prepare(w, "SELECT value FROM settings WHERE key = ?1", a, 1);
    char *v = NULL;
    if (q && sqlite3_step(q) == SQLITE_ROW)
        v = kh_ws_col(q, 0);
    sqlite3_finalize(q);
    pthread_mutex_unlock(&w->lock);
    return v;
}

kh_status kh_workspace_set(kh_workspace *w, const char *key, const char *value, kh_diags *d)
{
    const kh_ws_arg a[] = {KH_WS_TEXT(key), KH_WS_TEXT(value)};
    pthread_mutex_lock(&w->lock);
    kh_status st = KH_OK;
    if (!(value ? kh_ws_run(w, "INSERT OR REPLACE INTO settings(key, value) VALUES(?1, ?2)", a, 2)
                : kh_ws_run(w, "DELETE FROM settings WHERE key = ?1", a, 1)))
        st = db_error(w, d);
    pthread_mutex_unlock(&w->lock);
    return st;
}

void kh_ws_entry_clear(kh_ws_entry *e)
{
    kh_free(e->unit);
    kh_free(e->rubric);
    kh_free(e->hash);
    kh_free(e->path);
    kh_free(e->name);
    kh_free(e->total);
    memset(e, 0, sizeof *e);
}

/* The current entry of unit, with the lock held. */
static kh_status current_locked(kh_workspace *w, const char *unit, const char *rubric,
                                kh_ws_entry *e, bool *found, kh_diags *d)
{
    *found = false;
    memset(e, 0, sizeof *e);
    const kh_ws_arg a[] = {KH_WS_TEXT(unit), KH_WS_TEXT(rubric)};
    sqlite3_stmt *q = kh_ws_prepare(w,
                                    "SELECT c.unit, c.rubric, c.hash, f.ext, c.name, c.total"
                                    " FROM current c JOIN files f ON f.hash = c.hash"
                                    " WHERE c.unit = ?1 AND c.rubric = ?2",
                                    a, 2);
    if (!q)
        return db_error(w, d);
    int rc = sqlite3_step(q);
    kh_status st = KH_OK;
    if (rc == SQLITE_ROW) {
        *found = true;
        e->unit = kh_ws_col(q, 0);
        e->rubric = kh_ws_col(q, 1);
        e->hash = kh_ws_col(q, 2);
        e->path = path_of(w, e->hash ? e->hash : "", (const char *)sqlite3_column_text(q, 3));
        e->name = kh_ws_col(q, 4);
        e->total = kh_ws_col(q, 5);
        if (!e->unit || !e->rubric || !e->hash || !e->path || !e->name || !e->total) {
            kh_ws_entry_clear(e);
            *found = false;
            st = KH_ERR_NOMEM;
        }
    } else if (rc != SQLITE_DONE) {
        st = db_error(w, d);
    }
    sqlite3_finalize(q);
    return st;
}

kh_status kh_workspace_current(kh_workspace *w, const char *unit, const char *rubric,
                               kh_ws_entry *e, bool *found, kh_diags *d)
{
    pthread_mutex_lock(&w->lock);
    kh_status st = current_locked(w, unit, rubric, e, found, d);
    pthread_mutex_unlock(&w->lock);
    return st;
}

void kh_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        kh_free(v[i]);
    kh_free(v);
}

/* Every row of query sql (one text column, ?1 bound to arg when not
 * NULL), into a new array. */
static char **strings(kh_workspace *w, const char *sql, const char *arg, size_t *n)
{
    *n = 0;
    const kh_ws_arg a[] = {KH_WS_TEXT(arg)};
    pthread_mutex_lock(&w->lock);
    sqlite3_stmt *q = kh_ws_prepare(w, sql, a, arg ? 1 : 0);
    char **v = NULL;
    size_t cap = 0;
    bool ok = q != NULL;
    int rc;
    while (ok && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n + 1 >= cap) {
            cap = cap ? 2 * cap : 16;
            char **g = kh_realloc(v, cap * sizeof *v);
            if (!g) {
                ok = false;
                break;
            }
            v = g;
        }
        char *s = kh_ws_col(q, 0);
        if (!s)
            ok = false;
        else
            v[(*n)++] = s;
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&w->lock);
    if (!ok) {
        kh_strv_free(v, *n);
        *n = 0;
        return NULL;
    }
    if (!v)
        v = kh_calloc(1, sizeof *v);
    return v;
}

char **kh_workspace_units_of(kh_workspace *w, const char *hash, size_t *n)
{
    return strings(w, "SELECT rubric || char(9) || unit FROM current WHERE hash = ?1 ORDER BY 1",
                   hash, n);
}

char **kh_workspace_files(kh_workspace *w, size_t *n, char ***names)
{
    *n = 0;
    *names = NULL;
    char **paths = NULL, **nv = NULL;
    size_t cap = 0;
    pthread_mutex_lock(&w->lock);
    /* In the order the files first counted, so that ties rank as they
     * were uploaded, run after run. */
    sqlite3_stmt *q = kh_ws_prepare(w,
                                    "SELECT c.hash, f.ext, MIN(c.name) FROM current c"
                                    " JOIN files f ON f.hash = c.hash"
                                    " GROUP BY c.hash ORDER BY MIN(f.rowid)",
                                    NULL, 0);
    bool ok = q != NULL;
    int rc;
    while (ok && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        size_t cap2 = cap;
        if (!kh_grow((void **)&paths, &cap, *n + 2, sizeof *paths) ||
            !kh_grow((void **)&nv, &cap2, *n + 2, sizeof *nv)) {
            ok = false;
            break;
        }
        paths[*n] = path_of(w, (const char *)sqlite3_column_text(q, 0),
                            (const char *)sqlite3_column_text(q, 1));
        nv[*n] = kh_ws_col(q, 2);
        if (!paths[*n] || !nv[*n]) {
            kh_free(paths[*n]);
            kh_free(nv[*n]);
            ok = false;
            break;
        }
        (*n)++;
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&w->lock);
    if (ok && !paths) {
        paths = kh_calloc(1, sizeof *paths);
        nv = kh_calloc(1, sizeof *nv);
        ok = paths && nv;
    }
    if (!ok) {
        kh_strv_free(paths, *n);
        kh_strv_free(nv, *n);
        *n = 0;
        return NULL;
    }
    *names = nv;
    return paths;
}

/* Store file_path under its hash in DIR/files (durable before it returns);
 * *hash gets the hex digest. */
static kh_status store_file(kh_workspace *w, const char *file_path, const char *ext,
                            char hash[65], char **stored, kh_diags *d)
{
    kh_digest dg;
    kh_file_digest(file_path, &dg);
    if (!dg.ok) {
        kh_diags_add(d, KH_ERROR, file_path, NULL, NULL, 0, _("cannot read the file: %s"),
                     strerror(errno));
        return KH_ERR_IO;
    }
    memcpy(hash, dg.sha256, 65);
    char *to = path_of(w, hash, ext);
    if (!to)
        return KH_ERR_NOMEM;
    struct stat sb;
    kh_status st = KH_OK;
    if (stat(to, &sb) != 0 || sb.st_size != dg.size) {
        kh_outfile o;
        st = kh_outfile_begin(&o, to, d);
        FILE *in = st == KH_OK ? fopen(file_path, "rb") : NULL;
        FILE *out = in ? fopen(o.open_path, "wb") : NULL;
        if (st == KH_OK) {
            bool ok = in && out;
            char chunk[1 << 15];
            size_t n;
            while (ok && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
                ok = fwrite(chunk, 1, n, out) == n;
            ok = ok && !ferror(in);
            if (out && fclose(out) != 0)
                ok = false;
            if (in)
                fclose(in);
            if (!ok) {
                kh_outfile_abort(&o);
                kh_diags_add(d, KH_ERROR, to, NULL, NULL, 0, _("cannot write %s: %s"), to,
                             strerror(errno));
                st = KH_ERR_IO;
            } else {
                st = kh_outfile_commit(&o, d);
            }
        }
    }
    if (st == KH_OK && stored)
        *stored = to;
    else
        kh_free(to);
    return st;
}

kh_status kh_workspace_store(kh_workspace *w, const char *file_path, const char *ext,
                             char **stored, kh_diags *d)
{
    char hash[65];
    *stored = NULL;
    kh_status st = store_file(w, file_path, ext, hash, stored, d);
    if (st != KH_OK)
        return st;
    const kh_ws_arg a[] = {KH_WS_TEXT(hash), KH_WS_TEXT(ext)};
    pthread_mutex_lock(&w->lock);
    if (!kh_ws_run(w, "INSERT OR IGNORE INTO files(hash, ext) VALUES(?1, ?2)", a, 2)) {
        st = db_error(w, d);
        kh_free(*stored);
        *stored = NULL;
    }
    pthread_mutex_unlock(&w->lock);
    return st;
}

kh_status kh_workspace_record(kh_workspace *w, const char *unit, const char *rubric,
                              const char *total, const char *file_path, const char *name,
                              const char *user, const char *kind, const char *reason,
                              bool *changed, kh_diags *d)
{
    *changed = false;
    char ext[16];
    ext_of(name, ext);
    char hash[65];
    kh_status st = store_file(w, file_path, ext, hash, NULL, d);
    if (st != KH_OK)
        return st;
    pthread_mutex_lock(&w->lock);
    /* Read, decide and write in one immediate transaction: between a read
     * outside it and the write, another connection could record the same
     * unit, and its first upload would be replaced without a reason. */
    kh_ws_entry old = {0};
    bool found = false, began = false;
    if (sqlite3_exec(w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        st = db_error(w, d);
    else
        began = true;
    if (st == KH_OK)
        st = current_locked(w, unit, rubric, &old, &found, d);
    bool same = st == KH_OK && found && strcmp(old.hash, hash) == 0; /* nothing to record */
    if (st == KH_OK && !same && found && (!kind || !*kind || !reason || !*reason)) {
        kh_diags_add(d, KH_ERROR, name, NULL, NULL, 0,
                     _("%s already has a checklist in this assessment (%s, total %s): to "
                       "replace it, say why (appeal or review) and upload it again"),
                     unit, old.name, old.total);
        st = KH_ERR_USAGE;
    }
    if (st == KH_OK && !same) {
        const kh_ws_arg fargs[] = {KH_WS_TEXT(hash), KH_WS_TEXT(ext)};
        const kh_ws_arg cargs[] = {KH_WS_TEXT(unit), KH_WS_TEXT(rubric), KH_WS_TEXT(hash),
                                   KH_WS_TEXT(name), KH_WS_TEXT(total)};
        const kh_ws_arg jargs[] = {KH_WS_TEXT(user),
                                   KH_WS_TEXT(unit),
                                   KH_WS_TEXT(rubric),
                                   KH_WS_TEXT(found ? kind : "首次上传"),
                                   KH_WS_TEXT(found ? reason : NULL),
                                   KH_WS_TEXT(found ? old.hash : NULL),
                                   KH_WS_TEXT(found ? old.total : NULL),
                                   KH_WS_TEXT(hash),
                                   KH_WS_TEXT(total),
                                   KH_WS_TEXT(name)};
        bool ok = kh_ws_run(w, "INSERT OR IGNORE INTO files(hash, ext) VALUES(?1, ?2)", fargs, 2);
        ok = ok && kh_ws_run(w,
                             "INSERT OR REPLACE INTO current(unit, rubric, hash, name, total)"
                             " VALUES(?1, ?2, ?3, ?4, ?5)",
                             cargs, 5);
        ok = ok && kh_ws_run(w,
                             "INSERT INTO changes(at, user, unit, rubric, kind, reason,"
                             " old_hash, old_total, new_hash, new_total, name)"
                             " VALUES(datetime('now', 'localtime'), ?1, ?2, ?3, ?4, ?5, ?6,"
                             " ?7, ?8, ?9, ?10)",
                             jargs, 10);
        ok = ok && sqlite3_exec(w->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
        began = !ok;
        if (!ok)
            st = db_error(w, d);
        else
            *changed = true;
    }
    if (began)
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
    if (found)
        kh_ws_entry_clear(&old);
    pthread_mutex_unlock(&w->lock);
    return st;
}

void kh_ws_changes_free(kh_ws_change *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        kh_ws_change *c = &v[i];
        kh_free(c->at);
        kh_free(c->user);
        kh_free(c->unit);
        kh_free(c->rubric);
        kh_free(c->kind);
        kh_free(c->reason);
        kh_free(c->old_hash);
        kh_free(c->old_total);
        kh_free(c->new_hash);
        kh_free(c->new_total);
        kh_free(c->name);
    }
    kh_free(v);
}

/* A row of changes into elem (a kh_ws_fill_fn). */
static kh_status change_of(void *ctx, sqlite3_stmt *q, void *elem)
{
    (void)ctx;
    kh_ws_change *c = elem;
    c->id = sqlite3_column_int64(q, 0);
    c->at = kh_ws_col(q, 1);
    c->user = kh_ws_col(q, 2);
    c->unit = kh_ws_col(q, 3);
    c->rubric = kh_ws_col(q, 4);
    c->kind = kh_ws_col(q, 5);
    c->reason = kh_ws_col(q, 6);
    c->old_hash = kh_ws_col(q, 7);
    c->old_total = kh_ws_col(q, 8);
    c->new_hash = kh_ws_col(q, 9);
    c->new_total = kh_ws_col(q, 10);
    c->name = kh_ws_col(q, 11);
    if (!c->at || !c->user || !c->unit || !c->rubric || !c->kind || !c->new_hash ||
        !c->new_total || !c->name)
        return KH_ERR_NOMEM;
    return KH_OK;
}

kh_status kh_workspace_history(kh_workspace *w, kh_ws_change **v, size_t *n, kh_diags *d)
{
    *v = NULL;
    *n = 0;
    pthread_mutex_lock(&w->lock);
    kh_status st = kh_ws_rows_into(w,
                                   "SELECT id, at, user, unit, rubric, kind, reason, old_hash,"
                                   " old_total, new_hash, new_total, name FROM changes ORDER BY id",
                                   NULL, 0, (void **)v, n, sizeof **v, change_of, NULL, d);
    pthread_mutex_unlock(&w->lock);
    if (st != KH_OK) {
        kh_ws_changes_free(*v, *n);
        *v = NULL;
        *n = 0;
    }
    return st;
}

/* ---- uploads that did not pass (workspace.h) ---- */

/* The table of rejected uploads, made when first needed.  after_change:
 * the last change recorded before it, so that only changes after it
 * close it. */
static bool rejections_table(kh_workspace *w)
{
    return sqlite3_exec(w->db,
                        "CREATE TABLE IF NOT EXISTS rejections(id INTEGER PRIMARY KEY,"
                        " at TEXT NOT NULL, user TEXT NOT NULL,"
                        " hash TEXT NOT NULL REFERENCES files(hash), name TEXT NOT NULL,"
                        " unit TEXT, rubric TEXT, messages TEXT NOT NULL,"
                        " after_change INTEGER NOT NULL)",
                        NULL, NULL, NULL) == SQLITE_OK;
}

kh_status kh_workspace_record_rejected(kh_workspace *w, const char *file_path, const char *name,
                                       const char *unit, const char *rubric, const char *user,
                                       const char *messages, kh_diags *d)
{
    const char *dot = strrchr(name, '.');
    char ext[16] = "";
    if (dot && strlen(dot) < sizeof ext)
        for (size_t i = 0; dot[i]; i++)
            ext[i] = (char)(dot[i] >= 'A' && dot[i] <= 'Z' ? dot[i] + 32 : dot[i]);
    char hash[65];
    kh_status st = store_file(w, file_path, ext, hash, NULL, d);
    if (st != KH_OK)
        return st;
    pthread_mutex_lock(&w->lock);
    const kh_ws_arg fargs[] = {KH_WS_TEXT(hash), KH_WS_TEXT(ext)};
    const kh_ws_arg rargs[] = {KH_WS_TEXT(user), KH_WS_TEXT(hash),   KH_WS_TEXT(name),
                               KH_WS_TEXT(unit), KH_WS_TEXT(rubric), KH_WS_TEXT(messages)};
    bool ok = rejections_table(w) &&
              sqlite3_exec(w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
    ok = ok && kh_ws_run(w, "INSERT OR IGNORE INTO files(hash, ext) VALUES(?1, ?2)", fargs, 2);
    ok = ok && kh_ws_run(w,
                         "INSERT INTO rejections(at, user, hash, name, unit, rubric, messages,"
                         " after_change) VALUES(datetime('now', 'localtime'), ?1, ?2, ?3, ?4,"
                         " ?5, ?6, (SELECT COALESCE(MAX(id), 0) FROM changes))",
                         rargs, 6);
    ok = ok && sqlite3_exec(w->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) {
        st = db_error(w, d);
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&w->lock);
    return st;
}

void kh_ws_rejections_free(kh_ws_rejection *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        kh_ws_rejection *r = &v[i];
        kh_free(r->at);
        kh_free(r->user);
        kh_free(r->hash);
        kh_free(r->path);
        kh_free(r->name);
        kh_free(r->unit);
        kh_free(r->rubric);
        kh_free(r->messages);
    }
    kh_free(v);
}

/* A row of the open rejections into elem (ctx: the workspace; a
 * kh_ws_fill_fn). */
static kh_status rejection_of(void *ctx, sqlite3_stmt *q, void *elem)
{
    kh_workspace *w = ctx;
    kh_ws_rejection *r = elem;
    r->id = sqlite3_column_int64(q, 0);
    r->at = kh_ws_col(q, 1);
    r->user = kh_ws_col(q, 2);
    r->hash = kh_ws_col(q, 3);
    r->path = r->hash ? path_of(w, r->hash, (const char *)sqlite3_column_text(q, 4)) : NULL;
    r->name = kh_ws_col(q, 5);
    r->unit = kh_ws_col(q, 6);
    r->rubric = kh_ws_col(q, 7);
    r->messages = kh_ws_col(q, 8);
    if (!r->at || !r->user || !r->hash || !r->path || !r->name || !r->messages ||
        (sqlite3_column_type(q, 6) != SQLITE_NULL && !r->unit) ||
        (sqlite3_column_type(q, 7) != SQLITE_NULL && !r->rubric))
        return KH_ERR_NOMEM;
    return KH_OK;
}

kh_status kh_workspace_rejections(kh_workspace *w, kh_ws_rejection **v, size_t *n, kh_diags *d)
{
    *v = NULL;
    *n = 0;
    pthread_mutex_lock(&w->lock);
    /* A workspace where nothing was rejected yet has no table (and one
     * on a read-only disk gets none). */
    sqlite3_stmt *t = kh_ws_prepare(w,
                                    "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                    " AND name = 'rejections'",
                                    NULL, 0);
    bool exists = t && sqlite3_step(t) == SQLITE_ROW;
    sqlite3_finalize(t);
    if (!exists) {
        pthread_mutex_unlock(&w->lock);
        return KH_OK;
    }
    /* Open: no later upload of the same name or file, no later change
     * of its unit (of its rubric, when known), of that name or file. */
    kh_status st = kh_ws_rows_into(
        w,
        "SELECT r.id, r.at, r.user, r.hash, f.ext, r.name, r.unit, r.rubric, r.messages"
        " FROM rejections r JOIN files f ON f.hash = r.hash"
        " WHERE NOT EXISTS (SELECT 1 FROM rejections l WHERE l.id > r.id"
        "   AND (l.name = r.name OR l.hash = r.hash))"
        " AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.id > r.after_change"
        "   AND (c.name = r.name OR c.new_hash = r.hash OR (r.unit IS NOT NULL"
        "   AND c.unit = r.unit AND (r.rubric IS NULL OR c.rubric = r.rubric))))"
        " ORDER BY r.id",
        NULL, 0, (void **)v, n, sizeof **v, rejection_of, w, d);
    pthread_mutex_unlock(&w->lock);
    if (st != KH_OK) {
        kh_ws_rejections_free(*v, *n);
        *v = NULL;
        *n = 0;
    }
    return st;
}

/* ---- for the modules of workspace_db.h ---- */

sqlite3 *kh_ws_db(kh_workspace *w) { return w->db; }
const char *kh_ws_dir(const kh_workspace *w) { return w->dir; }
void kh_ws_lock(kh_workspace *w) { pthread_mutex_lock(&w->lock); }
void kh_ws_unlock(kh_workspace *w) { pthread_mutex_unlock(&w->lock); }
kh_status kh_ws_db_error(kh_workspace *w, kh_diags *d) { return db_error(w, d); }

kh_status kh_ws_exec(kh_workspace *w, const char *sql, kh_diags *d)
{
    return sqlite3_exec(w->db, sql, NULL, NULL, NULL) == SQLITE_OK ? KH_OK : db_error(w, d);
}

sqlite3_stmt *kh_ws_prepare(kh_workspace *w, const char *sql, const kh_ws_arg *args, size_t n)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(w->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const kh_ws_arg *a = &args[i];
        int rc = a->is_num ? sqlite3_bind_int64(q, (int)i + 1, a->num)
                 : a->text ? sqlite3_bind_text(q, (int)i + 1, a->text, -1, SQLITE_STATIC)
                           : sqlite3_bind_null(q, (int)i + 1);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(q);
            return NULL;
        }
    }
    return q;
}

bool kh_ws_run(kh_workspace *w, const char *sql, const kh_ws_arg *args, size_t n)
{
    sqlite3_stmt *q = kh_ws_prepare(w, sql, args, n);
    bool ok = q && sqlite3_step(q) == SQLITE_DONE;
    sqlite3_finalize(q);
    return ok;
}

kh_status kh_ws_rows(kh_workspace *w, const char *sql, const kh_ws_arg *args, size_t n,
                     kh_ws_row_fn *row, void *ctx, kh_diags *d)
{
    sqlite3_stmt *q = kh_ws_prepare(w, sql, args, n);
    if (!q)
        return db_error(w, d);
    kh_status st = KH_OK;
    int rc = SQLITE_DONE;
    while (st == KH_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
        st = row(ctx, q);
    if (st == KH_OK && rc != SQLITE_DONE)
        st = db_error(w, d);
    sqlite3_finalize(q);
    return st;
}

typedef struct rows_into {
    void **v;
    size_t *count, cap, size;
    kh_ws_fill_fn *fill;
    void *ctx;
} rows_into;

static kh_status take_into(void *ctx, sqlite3_stmt *q)
{
    rows_into *x = ctx;
    if (!kh_grow(x->v, &x->cap, *x->count + 1, x->size))
        return KH_ERR_NOMEM;
    void *e = (char *)*x->v + *x->count * x->size;
    memset(e, 0, x->size);
    (*x->count)++;
    return x->fill(x->ctx, q, e);
}

kh_status kh_ws_rows_into(kh_workspace *w, const char *sql, const kh_ws_arg *args, size_t n,
                          void **v, size_t *count, size_t size, kh_ws_fill_fn *fill, void *ctx,
                          kh_diags *d)
{
    rows_into x = {v, count, *count, size, fill, ctx};
    return kh_ws_rows(w, sql, args, n, take_into, &x, d);
}
