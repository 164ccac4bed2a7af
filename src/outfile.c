/*
 * outfile.c - safe outputs: temporary file beside the target renamed into
 * place, same-file checks, file names from unit names (see outfile.h).
 */
#include "outfile.h"
#include "strset.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- named temporaries ----
 *
 * Every named temporary this process makes is listed here until it is
 * renamed into place or removed, so that kh_remove_temporaries (on
 * SIGINT or SIGTERM) can remove the ones still there.  Creating, renaming
 * and removing one happen under temps_mu, so the list and the folder agree
 * whenever the cleaning thread holds it.  The name carries the process id
 * (".NAME.PID-XXXXXX.tmp"): one left by a killed run is removed by the next
 * run that writes into the same folder (sweep_stale). */
static pthread_mutex_t temps_mu = PTHREAD_MUTEX_INITIALIZER;
static char **temps;           /* own copies of the names */
static size_t ntemps, captemps;
static bool temps_closed;      /* the process is ending: make no more */
/* Folders already swept this run, by hash (no allocation that outlives a
 * call: the allocation-failure tests count every block); past the last
 * slot a folder is swept again, which is only slower. */
static uint64_t swept[64];
static size_t nswept;

/* An empty list holds no memory (the allocation-failure tests count every
 * block left). */
static void temps_trim(void)
{
    if (ntemps == 0) {
        kh_free(temps);
        temps = NULL;
        captemps = 0;
    }
}

/* Forget the temporary name path (under temps_mu). */
static void temps_drop(const char *path)
{
    for (size_t i = ntemps; i-- > 0;) {
        if (strcmp(temps[i], path) == 0) {
            kh_free(temps[i]);
            temps[i] = temps[--ntemps];
            break;
        }
    }
    temps_trim();
}

/* A temporary older than this whose process is gone was left by a kill. */
#define STALE_SECONDS (10 * 60)

/* Whether name is one of kaohe's temporaries, ".NAME.PID-XXXXXX.tmp":
 * its process id in *pid. */
static bool temp_name(const char *name, long *pid)
{
    size_t n = strlen(name);
    if (name[0] != '.' || n < 1 + 1 + 2 + 6 + 4 || strcmp(name + n - 4, ".tmp") != 0)
        return false;
    const char *x = name + n - 4 - 6;
    for (int i = 0; i < 6; i++)
        if (!((x[i] >= '0' && x[i] <= '9') || (x[i] >= 'a' && x[i] <= 'z') ||
              (x[i] >= 'A' && x[i] <= 'Z')))
            return false;
    if (x[-1] != '-')
        return false;
    const char *p = x - 1;
    long v = 0, scale = 1;
    while (p > name + 1 && p[-1] >= '0' && p[-1] <= '9' && scale < 1000000000L) {
        p--;
        v += (p[0] - '0') * scale;
        scale *= 10;
    }
    if (p == x - 1 || p[-1] != '.' || p - 1 == name)
        return false;
    *pid = v;
    return true;
}

/* Remove, once per folder and run, the temporaries of dead runs in dir
 * (under temps_mu). */
static void sweep_stale(const char *dir)
{
    uint64_t h = kh_hash_bytes(dir, strlen(dir), false);
    for (size_t i = 0; i < nswept; i++)
        if (swept[i] == h)
            return;
    if (nswept < KH_ARRAY_LEN(swept))
        swept[nswept++] = h;
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    long self = kh_process_id();
    time_t now = time(NULL);
    struct dirent *e;
    kh_buf p = {0};
    while ((e = readdir(dp)) != NULL) {
        long pid;
        if (!temp_name(e->d_name, &pid) || pid == self || kh_process_alive(pid))
            continue;
        p.len = 0;
        kh_buf_printf(&p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (kh_buf_str(&p) && stat(kh_buf_str(&p), &st) == 0 && S_ISREG(st.st_mode) &&
            now - st.st_mtime > STALE_SECONDS)
            unlink(kh_buf_str(&p));
    }
    kh_buf_free(&p);
    closedir(dp);
}

/* kh_tmp_beside under temps_mu. */
static char *tmp_beside_locked(const char *path)
{
    if (temps_closed) {
        errno = EINTR;
        return NULL;
    }
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    kh_buf b = {0};
    kh_buf_add(&b, path, dirlen);
    kh_buf_printf(&b, ".%s.%ld-XXXXXX.tmp", base, kh_process_id());
    char *tmp = kh_buf_steal(&b);
    char *dir = slash ? kh_strndup(path, dirlen > 1 ? dirlen - 1 : 1) : kh_strdup(".");
    if (!tmp || !dir || !kh_grow((void **)&temps, &captemps, ntemps + 1, sizeof *temps)) {
        kh_free(tmp);
        kh_free(dir);
        temps_trim();
        errno = ENOMEM;
        return NULL;
    }
    sweep_stale(dir);
    kh_free(dir);
    char *entry = kh_strdup(tmp);
    int fd = entry ? kh_mkstemps(tmp, 4) : -1;
    if (fd < 0) {
        int e = entry ? errno : ENOMEM;
        kh_free(tmp);
        kh_free(entry);
        temps_trim();
        errno = e;
        return NULL;
    }
    memcpy(entry, tmp, strlen(tmp) + 1);
    temps[ntemps++] = entry;
#ifndef _WIN32
    /* mkstemps makes 0600; an output is an ordinary document. */
    (void)fchmod(fd, 0666 & ~kh_umask());
#endif
    close(fd);
    return tmp;
}

char *kh_tmp_beside(const char *path)
{
    pthread_mutex_lock(&temps_mu);
    char *tmp = tmp_beside_locked(path);
    int e = errno;
    pthread_mutex_unlock(&temps_mu);
    errno = e;
    return tmp;
}

int kh_tmp_remove(const char *tmp)
{
    pthread_mutex_lock(&temps_mu);
    int r = unlink(tmp);
    int e = errno;
    temps_drop(tmp);
    pthread_mutex_unlock(&temps_mu);
    errno = e;
    return r;
}

int kh_tmp_rename(const char *tmp, const char *path)
{
    pthread_mutex_lock(&temps_mu);
    int r = kh_replace_file(tmp, path);
    int e = errno;
    if (r == 0)
        temps_drop(tmp);
    pthread_mutex_unlock(&temps_mu);
    errno = e;
    return r;
}

void kh_remove_temporaries(void)
{
    /* Held for good: the process ends next, and no other thread may make,
     * rename or remove a temporary behind the list's back meanwhile. */
    pthread_mutex_lock(&temps_mu);
    temps_closed = true;
    for (size_t i = 0; i < ntemps; i++)
        unlink(temps[i]);
    /* libxlsxwriter opens a workbook's temporary by its name when it
     * writes it (fopen "wb"), outside this lock: a worker thread that was
     * just about to may create it again after the unlink above.  A second
     * pass a moment later removes such a file (a race seen under load in
     * test_interrupted_run_leaves_no_temporaries); the anonymous files
     * used where the file system has them (O_TMPFILE) have no name. */
    kh_sleep_ms(50);
    for (size_t i = 0; i < ntemps; i++)
        unlink(temps[i]);
    ntemps = 0;
}

/* Name the anonymous file reopen path, replacing the file there: linked
 * to a fresh temporary name, then renamed over it (a kill -9 in between
 * leaves the old file complete, and a temporary the next run removes).
 * The name is not reserved first: linkat itself fails on a name taken, so
 * the window is those two calls.  0 or errno. */
static int place_anon_over(const char *reopen, const char *path)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static _Thread_local unsigned seed;
    if (!seed)
        seed = (unsigned)time(NULL) ^ (unsigned)kh_process_id() ^ (unsigned)(uintptr_t)&seed;
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    kh_buf b = {0};
    kh_buf_add(&b, path, dirlen);
    kh_buf_printf(&b, ".%s.%ld-XXXXXX.tmp", slash ? slash + 1 : path, kh_process_id());
    char *tmp = kh_buf_steal(&b);
    if (!tmp)
        return ENOMEM;
    char *x = tmp + strlen(tmp) - 4 - 6;
    int e = EEXIST;
    pthread_mutex_lock(&temps_mu);
    char *entry = kh_strdup(tmp);
    if (temps_closed || !entry || !kh_grow((void **)&temps, &captemps, ntemps + 1, sizeof *temps)) {
        e = temps_closed ? EINTR : ENOMEM;
        kh_free(entry);
        temps_trim();
    } else {
        for (int attempt = 0; attempt < 100 && e == EEXIST; attempt++) {
            for (int i = 0; i < 6; i++) {
                seed = seed * 1103515245u + 12345u;
                x[i] = chars[(seed >> 16) % (sizeof chars - 1)];
            }
            memcpy(entry, tmp, strlen(tmp) + 1);
            temps[ntemps++] = entry; /* listed before it exists */
            e = kh_anon_link(reopen, tmp) == 0 ? 0 : errno;
            if (e == 0 && kh_replace_file(tmp, path) != 0) {
                e = errno;
                unlink(tmp);
            }
            ntemps--; /* entry is ours again */
        }
        kh_free(entry);
        temps_trim();
    }
    pthread_mutex_unlock(&temps_mu);
    kh_free(tmp);
    return e;
}

/* The folder part of path ("." when there is none), as a new string. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return kh_strdup(".");
    if (slash == path)
        return kh_strdup("/");
    return kh_strndup(path, (size_t)(slash - path));
}

kh_status kh_outfile_begin(kh_outfile *o, const char *path, kh_diags *d)
{
    *o = (kh_outfile){.fd = -1};
    o->path = kh_strdup(path);
    char *dir = o->path ? dir_of(path) : NULL;
    if (!dir) {
        kh_free(o->path);
        *o = (kh_outfile){.fd = -1};
        return KH_ERR_NOMEM;
    }
    pthread_mutex_lock(&temps_mu);
    sweep_stale(dir);
    pthread_mutex_unlock(&temps_mu);
    int fd = kh_anon_create(dir, &o->open_path);
    kh_free(dir);
    if (fd >= 0) {
        o->fd = fd;
        return KH_OK;
    }
    if (errno == ENOMEM) {
        kh_free(o->path);
        *o = (kh_outfile){.fd = -1};
        return KH_ERR_NOMEM;
    }
    o->open_path = kh_tmp_beside(path);
    if (!o->open_path) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot create a file beside it: %s"),
                     strerror(errno));
        kh_free(o->path);
        *o = (kh_outfile){.fd = -1};
        return KH_ERR_IO;
    }
    return KH_OK;
}

void kh_outfile_abort(kh_outfile *o)
{
    if (o->fd >= 0)
        close(o->fd);
    else if (o->open_path)
        kh_tmp_remove(o->open_path);
    kh_free(o->open_path);
    kh_free(o->path);
    *o = (kh_outfile){.fd = -1};
}

/* Forget o (the file itself is not touched). */
static void outfile_release(kh_outfile *o)
{
    if (o->fd >= 0)
        close(o->fd);
    kh_free(o->open_path);
    kh_free(o->path);
    *o = (kh_outfile){.fd = -1};
}

/* Put o, finished and synced, in place; o is released either way. */
static kh_status outfile_place(kh_outfile *o, kh_diags *d)
{
    int e = 0;
    if (o->fd < 0) {
        if (kh_tmp_rename(o->open_path, o->path) != 0) {
            e = errno;
            kh_tmp_remove(o->open_path);
        }
    } else if (kh_anon_link(o->open_path, o->path) != 0) {
        /* Straight at the target when there is none yet, else over it. */
        e = errno == EEXIST ? place_anon_over(o->open_path, o->path) : errno;
    }
    if (e)
        kh_diags_add(d, KH_ERROR, o->path, NULL, NULL, 0,
                     _("cannot put the finished file in place: %s"), strerror(e));
    outfile_release(o);
    return e ? KH_ERR_IO : KH_OK;
}

/* A synced file failed: say so and throw it away. */
static kh_status outfile_sync_failed(kh_outfile *o, int e, kh_diags *d)
{
    kh_diags_add(d, KH_ERROR, o->path, NULL, NULL, 0, _("cannot write the file: %s"),
                 strerror(e));
    kh_outfile_abort(o);
    return KH_ERR_IO;
}

/* fsync the file of o (opened by name for a named temporary): 0 or errno. */
static int outfile_fsync(const kh_outfile *o)
{
    if (o->fd >= 0)
        return kh_fsync(o->fd) == 0 ? 0 : errno;
    return kh_fsync_path(o->open_path) == 0 ? 0 : errno;
}

/* The batch each thread's kh_outfile_commit keeps files in, if any. */
static _Thread_local kh_outfile_batch *active_batch;

/* Sync every kept file of b, then put each in place; b is left empty. */
static void batch_flush(kh_outfile_batch *b, kh_diags *d)
{
    /* One syncfs per file system writes back every kept file's bytes and
     * commits the journal once, where an fsync per file waits for one
     * journal commit each.  Where syncfs fails (or is missing), each file
     * is fsynced, which reports exactly the files that failed. */
    bool each = false;
    dev_t synced[4];
    size_t nsynced = 0;
    for (size_t i = 0; i < b->n && !each; i++) {
        kh_outfile *o = &b->files[i];
        int fd = o->fd >= 0 ? o->fd : kh_open_read(o->open_path);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            each = true;
        } else {
            bool seen = false;
            for (size_t k = 0; k < nsynced && !seen; k++)
                seen = synced[k] == st.st_dev;
            if (!seen && (nsynced == KH_ARRAY_LEN(synced) || kh_syncfs(fd) != 0))
                each = true;
            else if (!seen)
                synced[nsynced++] = st.st_dev;
        }
        if (fd >= 0 && fd != o->fd)
            close(fd);
    }
    for (size_t i = 0; i < b->n; i++) {
        kh_outfile *o = &b->files[i];
        int e = each ? outfile_fsync(o) : 0;
        kh_status st = e ? outfile_sync_failed(o, e, d) : outfile_place(o, d);
        if (st != KH_OK)
            b->st = KH_ERR_IO;
    }
    b->n = 0;
}

void kh_outfile_batch_begin(kh_outfile_batch *b)
{
    *b = (kh_outfile_batch){.st = KH_OK, .outer = active_batch};
    /* Kept anonymous files hold a descriptor each: leave most of the
     * open-file limit to the rest of the program. */
    size_t max = kh_open_file_limit() / 4;
    if (max > KH_OUTFILE_BATCH_MAX)
        max = KH_OUTFILE_BATCH_MAX;
    b->max = max ? max : 1;
    active_batch = b;
}

kh_status kh_outfile_batch_end(kh_outfile_batch *b, kh_diags *d)
{
    batch_flush(b, d);
    kh_free(b->files);
    if (active_batch == b)
        active_batch = b->outer;
    kh_status st = b->st;
    *b = (kh_outfile_batch){.st = KH_OK};
    return st;
}

/* Keep o in the active batch b (o is emptied); false when out of memory
 * (o is untouched, to be committed at once). */
static bool batch_keep(kh_outfile_batch *b, kh_outfile *o, kh_diags *d)
{
    if (b->n == b->max)
        batch_flush(b, d);
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        if (cap > b->max)
            cap = b->max;
        kh_outfile *f = kh_realloc(b->files, cap * sizeof *f);
        if (!f)
            return false;
        b->files = f;
        b->cap = cap;
    }
    b->files[b->n++] = *o;
    *o = (kh_outfile){.fd = -1};
    return true;
}

kh_status kh_outfile_commit(kh_outfile *o, kh_diags *d)
{
    if (active_batch && batch_keep(active_batch, o, d))
        return KH_OK;
    int e = outfile_fsync(o);
    return e ? outfile_sync_failed(o, e, d) : outfile_place(o, d);
}

void kh_outfile_hold_begin(kh_outfile_batch *h)
{
    *h = (kh_outfile_batch){.st = KH_OK, .outer = active_batch, .max = SIZE_MAX};
    active_batch = h;
}

void kh_outfile_hold_end(kh_outfile_batch *h)
{
    if (active_batch == h)
        active_batch = h->outer;
    h->outer = NULL;
}

kh_status kh_outfile_hold_commit(kh_outfile_batch *h, kh_diags *d)
{
    kh_status st = h->st;
    for (size_t i = 0; i < h->n; i++) {
        kh_status s = kh_outfile_commit(&h->files[i], d);
        if (st == KH_OK)
            st = s;
    }
    kh_free(h->files);
    *h = (kh_outfile_batch){.st = KH_OK};
    return st;
}

bool kh_same_file(const char *a, const char *b)
{
    unsigned long long da, ia, db, ib;
    bool ea = kh_file_identity(a, &da, &ia), eb = kh_file_identity(b, &db, &ib);
    if (ea && eb)
        return da == db && ia == ib;
    if (ea || eb)
        return false;
    if (strcmp(a, b) == 0)
        return true;
    /* Neither exists yet (two outputs to be made): the same name in the
     * same folder, however the folder is spelt (out/x, ./out/x). */
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    const char *na = sa ? sa + 1 : a, *nb = sb ? sb + 1 : b;
    if (strcmp(na, nb) != 0)
        return false;
    char *pa = sa ? kh_strndup(a, (size_t)(sa - a) + 1) : kh_strdup(".");
    char *pb = sb ? kh_strndup(b, (size_t)(sb - b) + 1) : kh_strdup(".");
    bool same = pa && pb && kh_file_identity(pa, &da, &ia) && kh_file_identity(pb, &db, &ib) &&
                da == db && ia == ib;
    kh_free(pa);
    kh_free(pb);
    return same;
}

bool kh_same_output(const char *a, const char *b)
{
    return kh_same_file(a, b);
}

bool kh_formula_like(const char *s)
{
    return s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' ||
                 *s == '\r' || *s == '\n');
}

/* Names Windows reserves, with or without an extension. */
static bool reserved_name(const char *s, size_t n)
{
    static const char *const names[] = {"CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3",
                                        "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1",
                                        "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8",
                                        "LPT9"};
    const char *dot = memchr(s, '.', n);
    size_t stem = dot ? (size_t)(dot - s) : n;
    for (size_t i = 0; i < KH_ARRAY_LEN(names); i++) {
        size_t ln = strlen(names[i]);
        if (stem == ln) {
            bool eq = true;
            for (size_t k = 0; k < ln && eq; k++) {
                char c = s[k];
                if (c >= 'a' && c <= 'z')
                    c = (char)(c - 'a' + 'A');
                eq = c == names[i][k];
            }
            if (eq)
                return true;
        }
    }
    return false;
}

#define KH_NAME_MAX_BYTES 100

char *kh_safe_filename(const char *name)
{
    kh_buf b = {0};
    size_t len = name ? strlen(name) : 0;
    bool valid = name && kh_utf8_valid(name, len, NULL);
    for (size_t i = 0; valid && i < len;) {
        unsigned cp;
        size_t n = kh_utf8_decode(name + i, &cp);
        bool bad = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
                   (cp < 0x80 && strchr("/\\:*?\"<>|", (int)cp) != NULL);
        if (b.len + n > KH_NAME_MAX_BYTES)
            break;
        if (bad)
            kh_buf_putc(&b, '_');
        else
            kh_buf_add(&b, name + i, n);
        i += n;
    }
    if (!valid)
        kh_buf_puts(&b, "unit");
    /* No leading dots or spaces (hidden files, ".."), no trailing dots or
     * spaces (Windows drops them). */
    char *s = b.s;
    size_t n = b.len;
    if (s) {
        size_t lead = 0;
        while (lead < n && (s[lead] == '.' || s[lead] == ' '))
            lead++;
        memmove(s, s + lead, n - lead);
        n -= lead;
        while (n && (s[n - 1] == '.' || s[n - 1] == ' '))
            n--;
        s[n] = '\0';
        b.len = n;
    }
    if (!b.oom && n == 0)
        kh_buf_puts(&b, "unit");
    else if (!b.oom && reserved_name(b.s, b.len)) {
        /* Windows reserves the stem whatever follows: "con.txt" -> "con_.txt". */
        const char *dot = strchr(b.s, '.');
        size_t stem = dot ? (size_t)(dot - b.s) : b.len;
        kh_buf r = {0};
        kh_buf_add(&r, b.s, stem);
        kh_buf_putc(&r, '_');
        kh_buf_puts(&r, b.s + stem);
        kh_buf_free(&b);
        return kh_buf_steal(&r);
    }
    return kh_buf_steal(&b);
}

kh_status kh_ensure_dir(const char *dir, kh_diags *d)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return KH_OK;
        kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0,
                     _("output folder exists but is not a folder: choose another -o"));
        return KH_ERR_IO;
    }
    /* Create the missing folders along the path, like mkdir -p. */
    char *p = kh_strdup(dir);
    if (!p)
        return KH_ERR_NOMEM;
    kh_status rc = KH_OK;
    for (char *q = p + 1;; q++) {
        if (*q != '/' && *q != '\0')
            continue;
        char c = *q;
        *q = '\0';
        if (kh_mkdir(p) != 0 && errno != EEXIST) {
            kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0, _("cannot create the output folder: %s"),
                         strerror(errno));
            rc = KH_ERR_IO;
            break;
        }
        *q = c;
        if (!c)
            break;
    }
    kh_free(p);
    return rc;
}
