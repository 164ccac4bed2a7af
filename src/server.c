/*
 * server.c - kaohe serve: the browser page (a front end beside main.c),
 * on libmicrohttpd and the same library calls as the command line.
 *
 * GET  /                 the page (src/page/index.html, built in)
 * GET  /api/state        who is logged in, the rubrics, the workspace's
 *                        settings and change history
 * POST /api/login        name, password -> a session cookie
 * POST /api/logout
 * POST /api/rank         multipart: "file" parts (checklists or .zip of
 *                        them), "rubric" parts (rubric files), "roster",
 *                        "kind" + "reason" (replacing a unit's checklist
 *                        in the workspace): the ranking as JSON
 * POST /api/download?what=ranking|scoresheets|json|csv
 *                        the same upload, answered with that file
 * GET  /api/download?what=...   the same, of the workspace's checklists
 * POST /api/blank        "rubric" + "units" (one a line) or a "roster"
 *                        file: a .zip of blank checklists
 * POST /api/settings     the workspace's "year"
 *
 * Without a workspace nothing is kept: each request's files live in a
 * private folder removed when the request ends, also on errors.  With one
 * (workspace.h), accepted checklists are recorded and every answer ranks
 * all of them.
 *
 * An upload's file name never becomes a path: files are saved as
 * f0001.xlsx ... and named by what the office uploaded only in what is
 * shown (kh_batch_set_labels).  Limits are in server.h; doc/serve.md says
 * why each is what it is.
 */
#include "server.h"
#include "accounts.h"
#include "archive.h"
#include "batch.h"
#include "template_out.h"
#include "text.h"
#include "workspace.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifndef _WIN32
#include <netinet/in.h> /* struct sockaddr_in (microhttpd.h brings winsock2.h on Windows) */
#endif

#include "server_page.h"

#define COOKIE "kaohe_session"

struct kh_server {
    struct MHD_Daemon *d;
    const kh_registry *reg;   /* the shipped rubrics and --rubric files */
    kh_workspace *ws;         /* or NULL */
    kh_accounts *acc;         /* or NULL: no login (this machine only) */
    kh_sessions *sess;
    bool tls;
    char *cert, *key;         /* PEM, kept while the daemon runs */
    /* One password check at a time: each takes ~75 ms and 64 MiB
     * (Argon2id), and 32 at once would be 2 GiB. */
    pthread_mutex_t login_lock;
    char url[128];
};

/* ---- files of a request ---- */

/* P_DROPPED: an archive's entry that could not be unpacked (the archive's
 * message says why). */
typedef enum part_kind { P_CHECKLIST, P_ZIP, P_RUBRIC, P_ROSTER, P_IGNORED, P_DROPPED } part_kind;

typedef struct saved {
    char *path;  /* where it was saved (in the request's folder) */
    char *name;  /* what the office called it: never used as a path */
    part_kind kind;
} saved;

enum { F_KIND, F_REASON, F_UNITS, F_RUBRIC, F_NAME, F_PASSWORD, F_YEAR, F_NFIELDS };
static const char *const field_keys[F_NFIELDS] = {"kind",     "reason",   "units", "rubric",
                                                  "name",     "password", "year"};

/* One request being received. */
typedef struct request {
    struct MHD_PostProcessor *pp;
    char dir[4096];        /* the private folder ("" for requests without one) */
    FILE *cur;             /* the file part being written */
    saved *files;
    size_t nfiles, cap;
    size_t nchecklists;    /* files that count towards KH_SERVE_MAX_FILES */
    uint64_t bytes, cur_bytes;
    int status;            /* 0, or the HTTP status of the refusal */
    char *why;             /* the refusal, in Chinese */
    kh_buf fields[F_NFIELDS];
    kh_diags msgs;         /* what the page shows besides the result */
    char user[128];        /* the session's user ("" without accounts) */
    bool is_post;
} request;

static void refuse(request *q, int status, const char *why)
{
    if (!q->status) {
        q->status = status;
        q->why = kh_strdup(why);
    }
}

/* Remove folder dir and everything in it (the request's folder holds
 * files and at most one level of folders). */
static void remove_tree(const char *dir, int depth)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = kh_strprintf("%s/%s", dir, e->d_name);
            if (p && remove(p) != 0 && depth < 3 && kh_is_real_dir(p))
                remove_tree(p, depth + 1);
            kh_free(p);
        }
        closedir(dp);
    }
    rmdir(dir);
}

/* The kind of an uploaded file by its name's extension. */
static const char *checklist_ext(const char *name)
{
    static const char *const exts[] = {".xlsx", ".xls", ".ods", ".csv"};
    for (size_t i = 0; i < KH_ARRAY_LEN(exts); i++)
        if (kh_path_has_ext(name, exts[i]))
            return exts[i];
    return NULL;
}

/* A new saved file of kind in q's folder; its path, or NULL (refused). */
static saved *add_saved(request *q, part_kind kind, const char *name, const char *ext)
{
    if (kind == P_CHECKLIST && ++q->nchecklists > KH_SERVE_MAX_FILES) {
        refuse(q, 413, "一次最多上传 " KH_STR(KH_SERVE_MAX_FILES) " 个检查表：请分批上传");
        return NULL;
    }
    if (!kh_grow((void **)&q->files, &q->cap, q->nfiles + 1, sizeof *q->files)) {
        refuse(q, 503, "服务器内存不足：请分批上传");
        return NULL;
    }
    static const char prefix[] = {[P_CHECKLIST] = 'f', [P_ZIP] = 'z', [P_RUBRIC] = 'r',
                                  [P_ROSTER] = 'o', [P_IGNORED] = 'x', [P_DROPPED] = 'x'};
    saved *s = &q->files[q->nfiles];
    *s = (saved){.kind = kind, .name = kh_strdup(name)};
    s->path = kind == P_IGNORED ? NULL
                                : kh_strprintf("%s/%c%04zu%s", q->dir, prefix[kind],
                                               q->nfiles + 1, ext ? ext : "");
    if (!s->name || (kind != P_IGNORED && !s->path)) {
        kh_free(s->name);
        kh_free(s->path);
        refuse(q, 503, "服务器内存不足：请分批上传");
        return NULL;
    }
    q->nfiles++;
    return s;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind, (void)content_type, (void)transfer_encoding;
    request *q = cls;
    if (q->status || !key)
        return q->status ? MHD_NO : MHD_YES;
    if (!filename) {
        /* A typed field: kept (bounded) for the answer. */
        for (int f = 0; f < F_NFIELDS; f++)
            if (strcmp(key, field_keys[f]) == 0) {
                if (q->fields[f].len + size > KH_SERVE_MAX_FIELD) {
                    refuse(q, 413, "填写的内容太长（超过 64 KiB）");
                    return MHD_NO;
                }
                kh_buf_add(&q->fields[f], data, size);
            }
        return MHD_YES;
    }
    if (off == 0) {
        if (q->cur && fclose(q->cur) != 0) {
            q->cur = NULL;
            refuse(q, 507, "服务器无法保存上传的文件：磁盘已满或没有权限");
            return MHD_NO;
        }
        q->cur = NULL;
        const char *ext = checklist_ext(filename);
        part_kind pk = P_IGNORED;
        if (strcmp(key, "rubric") == 0 && (ext || kh_path_has_ext(filename, ".csv")))
            pk = P_RUBRIC;
        else if (strcmp(key, "roster") == 0 && ext)
            pk = P_ROSTER;
        else if (strcmp(key, "file") == 0 && kh_path_has_ext(filename, ".zip"))
            pk = P_ZIP, ext = ".zip";
        else if (strcmp(key, "file") == 0 && ext)
            pk = P_CHECKLIST;
        saved *s = add_saved(q, pk, filename, ext);
        if (!s)
            return MHD_NO;
        if (pk == P_IGNORED)
            return MHD_YES; /* named on the page, not saved */
        q->cur = fopen(s->path, "wb");
        if (!q->cur) {
            refuse(q, 507, "服务器无法保存上传的文件：磁盘已满或没有权限");
            return MHD_NO;
        }
        q->cur_bytes = 0;
    }
    if (!q->cur)
        return MHD_YES;
    q->cur_bytes += size;
    if (q->cur_bytes > KH_SERVE_MAX_FILE) {
        refuse(q, 413, "有文件大于 " KH_STR(KH_SERVE_MAX_FILE_MB) " MiB：检查表不会这么大，请检查是否传错了文件");
        return MHD_NO;
    }
    if (size && fwrite(data, 1, size, q->cur) != size) {
        refuse(q, 507, "服务器无法保存上传的文件：磁盘已满或没有权限");
        return MHD_NO;
    }
    return MHD_YES;
}

/* ---- the .zip uploads ---- */

typedef struct unzip_ctx {
    request *q;
    const char *zip_name;
} unzip_ctx;

static char *place_entry(void *vctx, const char *name, bool *stop)
{
    unzip_ctx *u = vctx;
    char *shown = kh_strprintf("%s/%s", u->zip_name, name);
    const char *ext = checklist_ext(name);
    saved *s = shown ? add_saved(u->q, ext ? P_CHECKLIST : P_IGNORED, shown, ext) : NULL;
    kh_free(shown);
    if (!s) {
        *stop = true;
        return NULL;
    }
    return s->path ? kh_strdup(s->path) : NULL;
}

/* Unpack every .zip of q into checklists of q.  What an archive unpacks
 * counts against the request's limit as it comes: an archive that would
 * pass it is refused before it fills the disk. */
static void unpack_zips(request *q)
{
    size_t n = q->nfiles; /* entries are appended after these */
    for (size_t i = 0; i < n && !q->status; i++) {
        if (q->files[i].kind != P_ZIP)
            continue;
        unzip_ctx u = {.q = q, .zip_name = q->files[i].name};
        size_t before = q->nfiles, first = q->msgs.n;
        uint64_t left = q->bytes < KH_SERVE_MAX_REQUEST ? KH_SERVE_MAX_REQUEST - q->bytes : 0;
        kh_status st = kh_archive_unpack(q->files[i].path, q->files[i].name, KH_SERVE_MAX_FILE,
                                         left, place_entry, &u, &q->msgs);
        remove(q->files[i].path);
        /* An entry not unpacked whole is not there: it is not scored. */
        for (size_t k = before; k < q->nfiles; k++) {
            struct stat sb;
            if (!q->files[k].path)
                continue;
            if (stat(q->files[k].path, &sb) == 0)
                q->bytes += (uint64_t)sb.st_size;
            else
                q->files[k].kind = P_DROPPED;
        }
        if (st == KH_ERR_NOMEM) {
            refuse(q, 503, "服务器内存不足：请分批上传");
        } else if (st == KH_ERR_IO) {
            refuse(q, 507, "服务器无法解开压缩包：磁盘已满或没有权限");
        } else if (st == KH_ERR_LIMIT && q->msgs.n > first) {
            /* The archive's own words: which limit, and what to do. */
            kh_buf why = {0};
            kh_buf_printf(&why, "%s：%s", q->files[i].name, q->msgs.v[q->msgs.n - 1].msg_zh);
            refuse(q, 413, kh_buf_str(&why));
            kh_buf_free(&why);
        }
    }
}

/* ---- labels: saved path -> the name the office gave ---- */

typedef struct label_map {
    const char **path, **name;
    size_t n;
} label_map;

static const char *label_of(void *ctx, const char *path)
{
    const label_map *m = ctx;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->path[i], path) == 0)
            return m->name[i];
    return NULL;
}

/* ---- answers ---- */

static enum MHD_Result add_common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'unsafe-inline'; "
                            "style-src 'unsafe-inline'; connect-src 'self'; img-src data: blob:; "
                            "frame-ancestors 'none'; form-action 'self'");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    return MHD_YES;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *body, size_t len, const char *cookie)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    add_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (cookie)
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Send the JSON document j (freed) with status. */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, cJSON *j,
                                 const char *cookie)
{
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    enum MHD_Result r = text ? send_text(c, status, "application/json; charset=utf-8", text,
                                         strlen(text), cookie)
                             : MHD_NO;
    cJSON_free(text);
    return r;
}

/* {"error": why} with status. */
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *why)
{
    cJSON *j = cJSON_CreateObject();
    if (j && !cJSON_AddStringToObject(j, "error", why)) {
        cJSON_Delete(j);
        j = NULL;
    }
    return send_json(c, status, j, NULL);
}

/* Read path whole into a new buffer (*len bytes); NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    kh_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kh_buf_add(&b, chunk, n);
    bool ok = !ferror(f) && !b.oom;
    fclose(f);
    *len = b.len;
    char *s = kh_buf_steal(&b);
    if (!ok) {
        kh_free(s);
        return NULL;
    }
    return s;
}

/* Content-Disposition for a download named name (UTF-8): an ASCII name
 * for old clients and the real one as RFC 5987 filename*, which every
 * browser an office has uses (RFC 6266). */
static char *disposition(const char *ascii, const char *name)
{
    kh_buf b = {0};
    kh_buf_printf(&b, "attachment; filename=\"%s\"; filename*=UTF-8''", ascii);
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p))
            kh_buf_putc(&b, (char)*p);
        else
            kh_buf_printf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    return kh_buf_steal(&b);
}

static void free_body(void *p) { kh_free(p); }

/* The file at path as a download named name. */
static enum MHD_Result send_file(struct MHD_Connection *c, const char *path, const char *type,
                                 const char *ascii, const char *name)
{
    size_t len = 0;
    char *body = slurp(path, &len);
    char *cd = disposition(ascii, name);
    struct MHD_Response *r =
        body && cd ? MHD_create_response_from_buffer_with_free_callback(len, body, free_body)
                   : NULL;
    if (!r) {
        kh_free(body);
        kh_free(cd);
        return send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    add_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, cd);
    kh_free(cd);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* Each diagnostic of d as the Chinese line an office reads, into array a. */
static bool add_messages(cJSON *a, const kh_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        char *m = kh_diag_format_zh(&d->v[i]);
        bool ok = m && cJSON_AddItemToArray(a, cJSON_CreateString(m));
        kh_free(m);
        if (!ok)
            return false;
    }
    return true;
}

/* ---- the rubrics of a request ---- */

/* The shipped rubrics, the workspace's uploaded ones and those of this
 * request (each checked first, its messages kept for the page). */
static kh_registry *request_registry(kh_server *s, request *q, bool store)
{
    kh_registry *reg = kh_registry_new();
    if (!reg)
        return NULL;
    kh_diags d = {0};
    for (size_t i = 0; i < kh_registry_count(s->reg); i++)
        if (kh_registry_load_file(reg, kh_rubric_path(kh_registry_at(s->reg, i)), &d) != KH_OK)
            break;
    char *kept = s->ws ? kh_workspace_get(s->ws, "rubric_files") : NULL;
    for (char *p = kept, *nl; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        kh_registry_load_file(reg, p, &d);
        if (!nl)
            break;
    }
    kh_free(kept);
    kh_diags_clear(&d); /* loaded before: their problems were shown then */
    for (size_t i = 0; i < q->nfiles; i++) {
        saved *f = &q->files[i];
        if (f->kind != P_RUBRIC)
            continue;
        size_t first = q->msgs.n;
        kh_status st = kh_rubric_check_file(f->path, &q->msgs);
        if (st == KH_OK)
            st = kh_registry_load_file(reg, f->path, &q->msgs);
        for (size_t k = first; k < q->msgs.n; k++)
            if (q->msgs.v[k].file && strcmp(q->msgs.v[k].file, f->path) == 0) {
                char *n = kh_strdup(f->name);
                if (n) {
                    kh_free(q->msgs.v[k].file);
                    q->msgs.v[k].file = n;
                }
            }
        if (st == KH_OK && store && s->ws) {
            char *at = NULL;
            const char *dot = strrchr(f->name, '.');
            kh_diags sd = {0};
            if (kh_workspace_store(s->ws, f->path, dot ? dot : ".csv", &at, &sd) == KH_OK) {
                char *old = kh_workspace_get(s->ws, "rubric_files");
                char *list = kh_strprintf("%s%s%s", old ? old : "", old ? "\n" : "", at);
                if (list && (!old || !strstr(old, at)))
                    kh_workspace_set(s->ws, "rubric_files", list, &sd);
                kh_free(list);
                kh_free(old);
            }
            kh_diags_move(&q->msgs, &sd);
            kh_free(at);
        }
    }
    return reg;
}

/* ---- scoring ---- */

typedef struct run {
    kh_registry *reg;
    kh_batch *b;
    kh_roster *roster;
    label_map labels;
    char **ws_paths, **ws_names;
    size_t nws;
} run;

static void run_free(run *r)
{
    kh_batch_free(r->b);
    kh_roster_free(r->roster);
    kh_registry_free(r->reg);
    kh_free(r->labels.path);
    kh_free(r->labels.name);
    kh_strv_free(r->ws_paths, r->nws);
    kh_strv_free(r->ws_names, r->nws);
    *r = (run){0};
}

/* Score q's checklists (ws false) or the workspace's (ws true) into r. */
static kh_status score(kh_server *s, request *q, run *r, bool from_ws, bool full,
                       kh_diags *notes)
{
    /* The page shows totals, items and reasons; the files to download
     * also carry every check point and the inputs' SHA-256 (来源). */
    kh_options o = {.provenance = full, .keep_checks = full};
    r->b = kh_batch_new(r->reg, &o);
    if (!r->b)
        return KH_ERR_NOMEM;
    const char **inputs = NULL;
    size_t n = 0;
    if (from_ws) {
        r->ws_paths = kh_workspace_files(s->ws, &r->nws, &r->ws_names);
        if (!r->ws_paths)
            return KH_ERR_NOMEM;
        n = r->nws;
        inputs = kh_calloc(n ? n : 1, sizeof *inputs);
        r->labels.path = kh_calloc(n ? n : 1, sizeof *r->labels.path);
        r->labels.name = kh_calloc(n ? n : 1, sizeof *r->labels.name);
        if (!inputs || !r->labels.path || !r->labels.name) {
            kh_free(inputs);
            return KH_ERR_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            inputs[i] = r->ws_paths[i];
            r->labels.path[i] = r->ws_paths[i];
            r->labels.name[i] = r->ws_names[i];
        }
        r->labels.n = n;
    } else {
        inputs = kh_calloc(q->nfiles ? q->nfiles : 1, sizeof *inputs);
        r->labels.path = kh_calloc(q->nfiles ? q->nfiles : 1, sizeof *r->labels.path);
        r->labels.name = kh_calloc(q->nfiles ? q->nfiles : 1, sizeof *r->labels.name);
        if (!inputs || !r->labels.path || !r->labels.name) {
            kh_free(inputs);
            return KH_ERR_NOMEM;
        }
        for (size_t i = 0; i < q->nfiles; i++)
            if (q->files[i].kind == P_CHECKLIST && q->files[i].path) {
                inputs[n] = q->files[i].path;
                r->labels.path[n] = q->files[i].path;
                r->labels.name[n++] = q->files[i].name;
            }
        r->labels.n = n;
    }
    kh_batch_set_labels(r->b, label_of, &r->labels);
    /* The roster: this request's, else the workspace's. */
    char *roster_path = NULL;
    for (size_t i = 0; i < q->nfiles && !roster_path; i++)
        if (q->files[i].kind == P_ROSTER)
            roster_path = kh_strdup(q->files[i].path);
    if (!roster_path && s->ws)
        roster_path = kh_workspace_get(s->ws, "roster");
    kh_status st = KH_OK;
    if (roster_path) {
        st = kh_roster_load(roster_path, r->reg, &r->roster, notes);
        if (st == KH_OK)
            kh_batch_set_roster(r->b, r->roster);
        else if (st == KH_ERR_INPUT)
            st = KH_OK; /* shown; the ranking goes on without it */
        kh_free(roster_path);
    }
    if (st == KH_OK)
        st = kh_batch_add_all(r->b, inputs, n, 0, NULL, NULL, notes);
    kh_free(inputs);
    if (st == KH_OK)
        st = kh_batch_finish(r->b);
    return st;
}

/* ---- the workspace ---- */

/* Record the units of q's run r in the workspace; what happened to each
 * goes into arrays recorded / refused. */
static kh_status record(kh_server *s, request *q, run *r, cJSON *recorded, cJSON *refused)
{
    const char *kind = kh_buf_str(&q->fields[F_KIND]);
    const char *reason = kh_buf_str(&q->fields[F_REASON]);
    const char *user = q->user[0] ? q->user : "本机";
    static const char *const kinds[] = {"申诉", "复核", "更正"};
    bool kind_ok = false;
    for (size_t i = 0; i < KH_ARRAY_LEN(kinds); i++)
        kind_ok |= strcmp(kind, kinds[i]) == 0;
    kh_batch *b = r->b;
    for (size_t i = 0; i < b->nunits; i++) {
        const kh_unit *u = b->units[i];
        const char *path = NULL;
        for (size_t k = 0; k < r->labels.n; k++)
            if (strcmp(r->labels.name[k], u->cl->source) == 0)
                path = r->labels.path[k];
        if (!path)
            continue;
        char total[KH_DEC_BUFSZ];
        kh_dec_format(u->total, total);
        kh_diags d = {0};
        /* A file that holds other units too cannot be half replaced. */
        kh_ws_entry old;
        bool found = false;
        kh_status st = kh_workspace_current(s->ws, u->cl->unit, u->cl->rubric->id, &old, &found,
                                            &d);
        if (st == KH_OK && found) {
            size_t nu = 0;
            char **units = kh_workspace_units_of(s->ws, old.hash, &nu);
            for (size_t k = 0; units && k < nu && st == KH_OK; k++) {
                bool in_upload = false;
                for (size_t m = 0; m < b->nunits && !in_upload; m++) {
                    char *key = kh_strprintf("%s\t%s", b->units[m]->cl->rubric->id,
                                             b->units[m]->cl->unit);
                    in_upload = key && strcmp(key, units[k]) == 0 &&
                                strcmp(b->units[m]->cl->source, u->cl->source) == 0;
                    kh_free(key);
                }
                if (!in_upload) {
                    kh_diags_add(&d, KH_ERROR, u->cl->source, NULL, NULL, 0,
                                 _("%s's checklist %s also holds %s: upload a file with all of "
                                   "its units to replace it"),
                                 u->cl->unit, old.name, strchr(units[k], '\t') + 1);
                    st = KH_ERR_USAGE;
                }
            }
            kh_strv_free(units, nu);
            kh_ws_entry_clear(&old);
        }
        bool changed = false;
        if (st == KH_OK)
            st = kh_workspace_record(s->ws, u->cl->unit, u->cl->rubric->id, total, path,
                                     u->cl->source, user, kind_ok ? kind : NULL,
                                     kind_ok ? reason : NULL, &changed, &d);
        cJSON *e = cJSON_CreateObject();
        if (!e || !cJSON_AddStringToObject(e, "unit", u->cl->unit) ||
            !cJSON_AddStringToObject(e, "rubric", u->cl->rubric->id) ||
            !cJSON_AddStringToObject(e, "file", u->cl->source)) {
            cJSON_Delete(e);
            kh_diags_clear(&d);
            return KH_ERR_NOMEM;
        }
        if (st == KH_OK) {
            cJSON_AddBoolToObject(e, "changed", changed);
            cJSON_AddItemToArray(recorded, e);
        } else {
            cJSON *m = cJSON_AddArrayToObject(e, "messages");
            if (m)
                add_messages(m, &d);
            cJSON_AddItemToArray(refused, e);
        }
        kh_diags_clear(&d);
        if (st == KH_ERR_NOMEM || st == KH_ERR_IO)
            return st;
    }
    return KH_OK;
}

static cJSON *history_json(kh_server *s)
{
    cJSON *a = cJSON_CreateArray();
    if (!a || !s->ws)
        return a;
    kh_ws_change *v = NULL;
    size_t n = 0;
    kh_diags d = {0};
    if (kh_workspace_history(s->ws, &v, &n, &d) == KH_OK) {
        for (size_t i = 0; i < n; i++) {
            cJSON *e = cJSON_CreateObject();
            if (!e)
                break;
            cJSON_AddStringToObject(e, "at", v[i].at);
            cJSON_AddStringToObject(e, "user", v[i].user);
            cJSON_AddStringToObject(e, "unit", v[i].unit);
            cJSON_AddStringToObject(e, "rubric", v[i].rubric);
            cJSON_AddStringToObject(e, "kind", v[i].kind);
            v[i].reason ? cJSON_AddStringToObject(e, "reason", v[i].reason)
                        : cJSON_AddNullToObject(e, "reason");
            v[i].old_total ? cJSON_AddStringToObject(e, "old_total", v[i].old_total)
                           : cJSON_AddNullToObject(e, "old_total");
            cJSON_AddStringToObject(e, "new_total", v[i].new_total);
            v[i].old_hash ? cJSON_AddStringToObject(e, "old_sha256", v[i].old_hash)
                          : cJSON_AddNullToObject(e, "old_sha256");
            cJSON_AddStringToObject(e, "new_sha256", v[i].new_hash);
            cJSON_AddStringToObject(e, "file", v[i].name);
            cJSON_AddItemToArray(a, e);
        }
        kh_ws_changes_free(v, n);
    }
    kh_diags_clear(&d);
    return a;
}

/* ---- requests ---- */

typedef enum what { W_RESULT, W_RANKING, W_SCORESHEETS, W_JSON, W_CSV } what;

static what what_of(struct MHD_Connection *c)
{
    const char *w = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "what");
    if (!w)
        return W_RESULT;
    if (strcmp(w, "ranking") == 0)
        return W_RANKING;
    if (strcmp(w, "scoresheets") == 0)
        return W_SCORESHEETS;
    if (strcmp(w, "json") == 0)
        return W_JSON;
    if (strcmp(w, "csv") == 0)
        return W_CSV;
    return W_RESULT;
}

/* The file wanted of run r (written in q's folder) as a download. */
static enum MHD_Result send_output(struct MHD_Connection *c, request *q, run *r, what w,
                                   kh_server *s)
{
    kh_diags d = {0};
    kh_status st = KH_OK;
    char *path = NULL;
    static const char *const ascii[] = {"", "ranking.xlsx", "scoresheets.zip", "result.json",
                                        "result.csv"};
    static const char *const shown[] = {"", "考核排名.xlsx", "考核评分表.zip", "考核结果.json",
                                        "考核结果.csv"};
    static const char *const type[] = {
        "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip", "application/json; charset=utf-8", "text/csv; charset=utf-8"};
    path = kh_strprintf("%s/out-%s", q->dir, ascii[w]);
    if (!path)
        return send_error(c, 503, "服务器内存不足：请稍后再试");
    if (w == W_RANKING) {
        kh_ws_change *v = NULL;
        size_t n = 0;
        if (s->ws)
            st = kh_workspace_history(s->ws, &v, &n, &d);
        if (st == KH_OK)
            st = kh_write_ranking_journal(r->b, v, n, path, &d);
        kh_ws_changes_free(v, n);
    } else if (w == W_SCORESHEETS) {
        char *dir = kh_strprintf("%s/评分表", q->dir);
        st = dir ? kh_write_scoresheets(r->b, dir, KH_FMT_XLSX, 0, &d) : KH_ERR_NOMEM;
        if (st == KH_OK)
            st = kh_archive_pack(path, dir, &d);
        kh_free(dir);
    } else if (w == W_JSON) {
        st = kh_write_json_file(r->b, true, path, &d);
    } else {
        FILE *f = fopen(path, "wb");
        st = f ? kh_batch_write_csv(r->b, f) : KH_ERR_IO;
        if (f && fclose(f) != 0)
            st = KH_ERR_IO;
    }
    kh_diags_clear(&d);
    enum MHD_Result ret =
        st == KH_OK ? send_file(c, path, type[w], ascii[w], shown[w])
                    : send_error(c, st == KH_ERR_NOMEM ? 503 : 500,
                                 st == KH_ERR_NOMEM ? "服务器内存不足：请稍后再试"
                                                    : "服务器无法生成文件：磁盘已满或没有权限");
    kh_free(path);
    return ret;
}

/* The ranking JSON of run r, with what the page shows besides. */
static enum MHD_Result send_result(struct MHD_Connection *c, kh_server *s, request *q, run *r,
                                   const kh_diags *notes, cJSON *recorded, cJSON *refused)
{
    char *jpath = kh_strprintf("%s/out-result.json", q->dir);
    kh_diags d = {0};
    kh_status st = jpath ? kh_write_json_file(r->b, true, jpath, &d) : KH_ERR_NOMEM;
    kh_diags_clear(&d);
    size_t len = 0;
    char *json = st == KH_OK ? slurp(jpath, &len) : NULL;
    kh_free(jpath);
    cJSON *j = json ? cJSON_CreateObject() : NULL;
    bool ok = j && cJSON_AddRawToObject(j, "result", json);
    kh_free(json);
    cJSON *files = ok ? cJSON_AddArrayToObject(j, "ignored") : NULL;
    for (size_t i = 0; files && i < q->nfiles; i++)
        if (q->files[i].kind == P_IGNORED)
            cJSON_AddItemToArray(files, cJSON_CreateString(q->files[i].name));
    cJSON *m = ok ? cJSON_AddArrayToObject(j, "messages") : NULL;
    ok = m && add_messages(m, &q->msgs) && add_messages(m, notes);
    if (ok && recorded) {
        cJSON_AddItemToObject(j, "recorded", recorded);
        cJSON_AddItemToObject(j, "refused", refused);
        recorded = refused = NULL;
        cJSON *h = history_json(s);
        ok = h && cJSON_AddItemToObject(j, "history", h);
    }
    cJSON_Delete(recorded);
    cJSON_Delete(refused);
    if (!ok) {
        cJSON_Delete(j);
        return send_error(c, st == KH_ERR_IO ? 500 : 503,
                          st == KH_ERR_IO ? "服务器无法生成排名：磁盘已满或没有权限"
                                          : "服务器内存不足：请分批上传");
    }
    return send_json(c, 200, j, NULL);
}

/* POST /api/rank and /api/download, GET /api/download (workspace). */
static enum MHD_Result answer_rank(kh_server *s, struct MHD_Connection *c, request *q)
{
    what w = what_of(c);
    unpack_zips(q);
    if (q->status)
        return send_error(c, (unsigned)q->status, q->why);
    bool upload = q->is_post;
    size_t nchecklists = 0;
    for (size_t i = 0; i < q->nfiles; i++)
        nchecklists += q->files[i].kind == P_CHECKLIST;
    if (upload && !s->ws && nchecklists == 0) {
        cJSON *j = cJSON_CreateObject();
        cJSON *m = j ? cJSON_AddArrayToObject(j, "messages") : NULL;
        if (m)
            add_messages(m, &q->msgs);
        if (j)
            cJSON_AddStringToObject(j, "error", "没有收到检查表：请选择 .xlsx、.xls、.ods、.csv 文件"
                                                "或它们的 .zip 压缩包后再上传");
        return send_json(c, 400, j, NULL);
    }
    run r = {.reg = request_registry(s, q, upload && w == W_RESULT)};
    if (!r.reg)
        return send_error(c, 503, "服务器内存不足：请分批上传");
    kh_diags notes = {0};
    cJSON *recorded = NULL, *refused = NULL;
    kh_status st = KH_OK;
    if (upload && s->ws && w == W_RESULT) {
        /* This upload scored first; what passes is recorded; then the
         * whole workspace is ranked. */
        st = score(s, q, &r, false, false, &notes);
        recorded = cJSON_CreateArray();
        refused = cJSON_CreateArray();
        if (st == KH_OK && (!recorded || !refused))
            st = KH_ERR_NOMEM;
        if (st == KH_OK) {
            /* The roster given with the upload is kept for the year. */
            for (size_t i = 0; i < q->nfiles; i++)
                if (q->files[i].kind == P_ROSTER && r.roster) {
                    char *at = NULL;
                    if (kh_workspace_store(s->ws, q->files[i].path,
                                           strrchr(q->files[i].name, '.'), &at,
                                           &q->msgs) == KH_OK)
                        kh_workspace_set(s->ws, "roster", at, &q->msgs);
                    kh_free(at);
                }
            st = record(s, q, &r, recorded, refused);
        }
        /* This upload's rejected files stay in the messages. */
        if (st == KH_OK) {
            kh_diags_move(&q->msgs, &r.b->errors);
            kh_registry *reg = r.reg; /* kept for the ranking below */
            r.reg = NULL;
            run_free(&r);
            r.reg = reg;
        }
    }
    if (st == KH_OK)
        st = score(s, q, &r, s->ws != NULL, w != W_RESULT, &notes);
    enum MHD_Result ret;
    if (st != KH_OK) {
        cJSON_Delete(recorded);
        cJSON_Delete(refused);
        ret = send_error(c, st == KH_ERR_NOMEM ? 503 : 500,
                         st == KH_ERR_NOMEM ? "服务器内存不足：请分批上传"
                                            : "服务器无法评分：磁盘已满或没有权限");
    } else if (w == W_RESULT) {
        ret = send_result(c, s, q, &r, &notes, recorded, refused);
    } else {
        cJSON_Delete(recorded);
        cJSON_Delete(refused);
        ret = send_output(c, q, &r, w, s);
    }
    kh_diags_clear(&notes);
    run_free(&r);
    return ret;
}

/* POST /api/blank: blank checklists of the units typed (with a rubric) or
 * of an uploaded roster, as one .zip. */
static enum MHD_Result answer_blank(kh_server *s, struct MHD_Connection *c, request *q)
{
    run r = {.reg = request_registry(s, q, false)};
    if (!r.reg)
        return send_error(c, 503, "服务器内存不足：请稍后再试");
    char *roster = NULL;
    for (size_t i = 0; i < q->nfiles && !roster; i++)
        if (q->files[i].kind == P_ROSTER)
            roster = kh_strdup(q->files[i].path);
    if (!roster) {
        /* The typed list becomes a roster (doc/formats.md §6). */
        const char *id = kh_buf_str(&q->fields[F_RUBRIC]);
        const kh_rubric *rb = kh_registry_find(r.reg, id);
        if (!rb) {
            run_free(&r);
            return send_error(c, 400, "请选择考核细则");
        }
        roster = kh_strprintf("%s/roster.csv", q->dir);
        FILE *f = roster ? fopen(roster, "wb") : NULL;
        size_t n = 0;
        if (f) {
            fputs("被考核单位,考核细则\n", f);
            const char *p = kh_buf_str(&q->fields[F_UNITS]);
            while (*p) {
                size_t len = strcspn(p, "\r\n");
                size_t tl = 0;
                const char *t = kh_trim_n(p, len, &tl);
                if (tl) {
                    fputc('"', f);
                    for (size_t k = 0; k < tl; k++) {
                        if (t[k] == '"')
                            fputc('"', f);
                        fputc(t[k], f);
                    }
                    fprintf(f, "\",%s\n", id);
                    n++;
                }
                p += len;
                p += strspn(p, "\r\n");
            }
        }
        if (!f || fclose(f) != 0 || n == 0) {
            kh_free(roster);
            run_free(&r);
            return send_error(c, n == 0 && f ? 400 : 500,
                              n == 0 && f ? "请填写被考核单位名称，每行一个"
                                          : "服务器无法生成检查表：磁盘已满或没有权限");
        }
    }
    kh_diags d = {0};
    kh_status st = kh_roster_load(roster, r.reg, &r.roster, &d);
    kh_free(roster);
    char *dir = kh_strprintf("%s/空白检查表", q->dir);
    char *zip = kh_strprintf("%s/blank.zip", q->dir);
    if (st == KH_OK)
        st = dir && zip ? kh_write_roster_templates(r.roster, dir, &d) : KH_ERR_NOMEM;
    if (st == KH_OK)
        st = kh_archive_pack(zip, dir, &d);
    enum MHD_Result ret;
    if (st == KH_OK) {
        ret = send_file(c, zip, "application/zip", "blank-checklists.zip", "空白检查表.zip");
    } else {
        cJSON *j = cJSON_CreateObject();
        cJSON *m = j ? cJSON_AddArrayToObject(j, "messages") : NULL;
        if (m)
            add_messages(m, &d);
        if (j)
            cJSON_AddStringToObject(j, "error", st == KH_ERR_INPUT ? "名单有误，未生成检查表"
                                                                 : "服务器无法生成检查表");
        ret = send_json(c, st == KH_ERR_INPUT ? 400 : 500, j, NULL);
    }
    kh_diags_clear(&d);
    kh_free(dir);
    kh_free(zip);
    run_free(&r);
    return ret;
}

static enum MHD_Result answer_state(kh_server *s, struct MHD_Connection *c, request *q)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return send_error(c, 503, "服务器内存不足：请稍后再试");
    cJSON_AddBoolToObject(j, "accounts", s->acc != NULL);
    q->user[0] ? cJSON_AddStringToObject(j, "user", q->user) : cJSON_AddNullToObject(j, "user");
    cJSON_AddBoolToObject(j, "workspace", s->ws != NULL);
    cJSON_AddStringToObject(j, "version", KAOHE_VERSION);
    if (s->acc && !q->user[0])
        return send_json(c, 200, j, NULL); /* nothing more before a login */
    cJSON *rs = cJSON_AddArrayToObject(j, "rubrics");
    kh_registry *reg = request_registry(s, q, false);
    for (size_t i = 0; rs && reg && i < kh_registry_count(reg); i++) {
        const kh_rubric *rb = kh_registry_at(reg, i);
        cJSON *e = cJSON_CreateObject();
        if (!e)
            break;
        cJSON_AddStringToObject(e, "id", kh_rubric_id(rb));
        cJSON_AddStringToObject(e, "title", kh_rubric_title(rb));
        cJSON_AddStringToObject(e, "unit_type", kh_rubric_unit_type(rb));
        cJSON_AddItemToArray(rs, e);
    }
    kh_registry_free(reg);
    if (s->ws) {
        char *year = kh_workspace_get(s->ws, "year");
        char *roster = kh_workspace_get(s->ws, "roster");
        year ? cJSON_AddStringToObject(j, "year", year) : cJSON_AddNullToObject(j, "year");
        cJSON_AddBoolToObject(j, "roster", roster != NULL);
        kh_free(year);
        kh_free(roster);
        cJSON_AddItemToObject(j, "history", history_json(s));
    }
    return send_json(c, 200, j, NULL);
}

static enum MHD_Result answer_settings(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return send_error(c, 400, "没有使用工作区（--workspace），设置不会保存");
    const char *year = kh_buf_str(&q->fields[F_YEAR]);
    size_t n = strlen(year);
    bool ok = n == 4;
    for (size_t i = 0; ok && i < n; i++)
        ok = year[i] >= '0' && year[i] <= '9';
    if (!ok)
        return send_error(c, 400, "考核年度应为四位数字，如 2020");
    kh_diags d = {0};
    kh_status st = kh_workspace_set(s->ws, "year", year, &d);
    kh_diags_clear(&d);
    return st == KH_OK ? answer_state(s, c, q)
                       : send_error(c, 500, "服务器无法保存设置：磁盘已满或没有权限");
}

/* The client's address as text, for the login rate limit. */
static void client_addr(struct MHD_Connection *c, char *buf, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, n, "?");
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const unsigned char *a =
            (const unsigned char *)&((const struct sockaddr_in *)ci->client_addr)->sin_addr;
        snprintf(buf, n, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    }
}

static enum MHD_Result answer_login(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->acc)
        return send_error(c, 400, "本机使用，无需登录");
    const char *name = kh_buf_str(&q->fields[F_NAME]);
    const char *password = kh_buf_str(&q->fields[F_PASSWORD]);
    char addr[64];
    client_addr(c, addr, sizeof addr);
    unsigned wait = 0;
    if (!kh_login_allowed(s->sess, addr, name, &wait)) {
        char msg[160];
        snprintf(msg, sizeof msg, "登录失败次数过多，请 %u 分钟后再试", (wait + 59) / 60);
        return send_error(c, 429, msg);
    }
    pthread_mutex_lock(&s->login_lock);
    bool good = kh_accounts_verify(s->acc, name, password);
    pthread_mutex_unlock(&s->login_lock);
    if (!good) {
        kh_login_failed(s->sess, addr, name);
        return send_error(c, 401, "用户名或密码不对");
    }
    kh_login_succeeded(s->sess, addr, name);
    char token[KH_SESSION_TOKEN_LEN + 1];
    if (!kh_sessions_create(s->sess, name, token))
        return send_error(c, 503, "服务器内存不足：请稍后再试");
    char cookie[256];
    snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
             s->tls ? "; Secure" : "");
    snprintf(q->user, sizeof q->user, "%s", name);
    cJSON *j = cJSON_CreateObject();
    if (j)
        cJSON_AddStringToObject(j, "user", name);
    return send_json(c, 200, j, cookie);
}

static enum MHD_Result answer_logout(kh_server *s, struct MHD_Connection *c)
{
    const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    if (token && s->sess)
        kh_sessions_end(s->sess, token);
    cJSON *j = cJSON_CreateObject();
    return send_json(c, 200, j, COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

static void request_free(request *q)
{
    if (!q)
        return;
    if (q->cur)
        fclose(q->cur);
    if (q->pp)
        MHD_destroy_post_processor(q->pp);
    if (q->dir[0])
        remove_tree(q->dir, 0);
    for (size_t i = 0; i < q->nfiles; i++) {
        kh_free(q->files[i].path);
        kh_free(q->files[i].name);
    }
    kh_free(q->files);
    for (int f = 0; f < F_NFIELDS; f++)
        kh_buf_free(&q->fields[f]);
    kh_diags_clear(&q->msgs);
    kh_free(q->why);
    kh_free(q);
}

/* A POST from another site (a page elsewhere making the browser send to
 * this server) is refused: its Origin is not the host it was sent to. */
static bool same_origin(kh_server *s, struct MHD_Connection *c)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!origin)
        return true; /* not a browser's cross-site request (curl, a form of ours) */
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    const char *scheme = s->tls ? "https://" : "http://";
    size_t sl = strlen(scheme);
    return host && strncmp(origin, scheme, sl) == 0 && strcmp(origin + sl, host) == 0;
}

/* The answer r is queued (every answer is in memory): the request's
 * folder goes now, before the client has it, not when the connection
 * is done. */
static enum MHD_Result finish(request *q, enum MHD_Result r)
{
    if (q->dir[0]) {
        remove_tree(q->dir, 0);
        q->dir[0] = '\0';
    }
    return r;
}

/* The request's private folder: under TMPDIR when it is set, else in
 * memory (/dev/shm) when there is room there for the largest request,
 * else under the system's temporary folder.  Uploads are transient:
 * creating and removing hundreds of files costs close to a millisecond
 * each on a disk file system, nothing on tmpfs. */
static bool request_folder(request *q)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base) {
        base = kh_memory_tmpdir();
        if (!base || kh_free_space(base) < 2 * KH_SERVE_MAX_REQUEST)
            base = kh_temp_dir();
    }
    snprintf(q->dir, sizeof q->dir, "%s/kaohe-serve.XXXXXX", base);
    if (!kh_mkdtemp(q->dir)) {
        q->dir[0] = '\0';
        return false;
    }
    return true;
}

static bool is(const char *method, const char *want) { return strcmp(method, want) == 0; }

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    kh_server *s = cls;
    request *q = *con_cls;
    if (!q) {
        bool get = is(method, "GET") || is(method, "HEAD");
        if (!get && !is(method, "POST"))
            return send_error(c, 405, "不支持的请求");
        if (get && strcmp(url, "/") == 0)
            return send_text(c, 200, "text/html; charset=utf-8", kh_server_page,
                             sizeof kh_server_page - 1, NULL);
        if (!get && !same_origin(s, c))
            return send_error(c, 403, "拒绝来自其他网站的请求");
        q = kh_calloc(1, sizeof *q);
        if (!q)
            return MHD_NO;
        *con_cls = q;
        q->is_post = !get;
        const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
        if (s->acc && token)
            kh_sessions_user(s->sess, token, q->user, sizeof q->user);
        bool open = strcmp(url, "/api/state") == 0 || strcmp(url, "/api/login") == 0 ||
                    strcmp(url, "/api/logout") == 0;
        if (s->acc && !q->user[0] && !open)
            return send_error(c, 401, "请先登录");
        if (!get) {
            if (!request_folder(q)) {
                refuse(q, 507, "服务器无法建立临时文件夹：磁盘已满或没有权限");
            } else {
                q->pp = MHD_create_post_processor(c, 64 * 1024, on_part, q);
                if (!q->pp && strcmp(url, "/api/logout") != 0)
                    refuse(q, 400, "请用表单提交（multipart/form-data）");
            }
        } else if (strcmp(url, "/api/download") == 0) {
            if (!s->ws)
                return send_error(c, 400, "没有使用工作区：请上传检查表后再下载");
            if (!request_folder(q))
                return send_error(c, 507, "服务器无法建立临时文件夹：磁盘已满或没有权限");
        }
        if (get) {
            if (strcmp(url, "/api/state") == 0)
                return answer_state(s, c, q);
            if (strcmp(url, "/api/download") == 0 && what_of(c) != W_RESULT)
                return finish(q, answer_rank(s, c, q));
            return send_error(c, 404, "没有这个页面");
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!q->status) {
            q->bytes += *upload_data_size;
            if (q->bytes > KH_SERVE_MAX_REQUEST)
                refuse(q, 413, "一次上传的文件合计超过 " KH_STR(KH_SERVE_MAX_REQUEST_MB) " MiB：请分批上传");
            else if (q->pp && MHD_post_process(q->pp, upload_data, *upload_data_size) != MHD_YES &&
                     !q->status)
                refuse(q, 400, "上传的内容不完整或格式不对：请重新上传");
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (q->cur) {
        if (fclose(q->cur) != 0)
            refuse(q, 507, "服务器无法保存上传的文件：磁盘已满或没有权限");
        q->cur = NULL;
    }
    if (q->status)
        return finish(q, send_error(c, (unsigned)q->status, q->why));
    if (strcmp(url, "/api/login") == 0)
        return finish(q, answer_login(s, c, q));
    if (strcmp(url, "/api/logout") == 0)
        return finish(q, answer_logout(s, c));
    if (strcmp(url, "/api/rank") == 0 || strcmp(url, "/api/download") == 0)
        return finish(q, answer_rank(s, c, q));
    if (strcmp(url, "/api/blank") == 0)
        return finish(q, answer_blank(s, c, q));
    if (strcmp(url, "/api/settings") == 0)
        return finish(q, answer_settings(s, c, q));
    return finish(q, send_error(c, 404, "没有这个页面"));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    request_free(*con_cls);
    *con_cls = NULL;
}

/* The library never prints: libmicrohttpd's own messages are dropped
 * (what it refuses, the client hears). */
static void quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls, (void)fmt, (void)ap;
}

static char *read_pem(const char *path, kh_diags *d)
{
    size_t len = 0;
    char *s = slurp(path, &len);
    if (!s)
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot read the file: %s"),
                     strerror(errno));
    return s;
}

kh_status kh_server_add_user(const char *path, const char *name, const char *password,
                             kh_diags *d)
{
    return kh_accounts_set_password(path, name, password, d);
}

void kh_server_stop(kh_server *s)
{
    if (!s)
        return;
    if (s->d)
        MHD_stop_daemon(s->d);
    kh_workspace_close(s->ws);
    kh_accounts_free(s->acc);
    kh_sessions_free(s->sess);
    kh_free(s->cert);
    kh_free(s->key);
    pthread_mutex_destroy(&s->login_lock);
    kh_free(s);
}

kh_status kh_server_start(const kh_registry *reg, const kh_server_config *cfg,
                          kh_server **out, kh_diags *d)
{
    static const kh_server_config none = {0};
    if (!cfg)
        cfg = &none;
    *out = NULL;
    char host[64] = "127.0.0.1";
    unsigned port = 8080;
    const char *listen = cfg->listen;
    if (listen && *listen) {
        const char *colon = strrchr(listen, ':');
        char *end = NULL;
        unsigned long p = colon ? strtoul(colon + 1, &end, 10) : 0;
        size_t hl = colon ? (size_t)(colon - listen) : 0;
        if (!colon || !end || *end || p > 65535 || hl == 0 || hl >= sizeof host) {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("--listen takes ADDRESS:PORT, e.g. 127.0.0.1:8080, not '%s'"), listen);
            return KH_ERR_USAGE;
        }
        memcpy(host, listen, hl);
        host[hl] = '\0';
        port = (unsigned)p;
    }
    uint32_t ip = 0;
    if (!kh_parse_ipv4(host, &ip)) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("--listen takes an IPv4 address such as 127.0.0.1 or 192.168.1.20, not "
                       "'%s'"),
                     host);
        return KH_ERR_USAGE;
    }
    bool loopback = (ip >> 24) == 127;
    if ((cfg->tls_cert != NULL) != (cfg->tls_key != NULL)) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("HTTPS needs both --tls-cert and --tls-key"));
        return KH_ERR_USAGE;
    }
    kh_server *s = kh_calloc(1, sizeof *s);
    if (!s)
        return KH_ERR_NOMEM;
    s->reg = reg;
    s->tls = cfg->tls_cert != NULL;
    pthread_mutex_init(&s->login_lock, NULL);
    kh_status st = KH_OK;
    if (cfg->workspace)
        st = kh_workspace_open(cfg->workspace, &s->ws, d);
    char *users = NULL;
    if (st == KH_OK && cfg->users) {
        users = kh_strdup(cfg->users);
    } else if (st == KH_OK && cfg->workspace) {
        users = kh_strprintf("%s/users.txt", cfg->workspace);
        struct stat sb;
        if (users && stat(users, &sb) != 0) {
            kh_free(users);
            users = NULL;
        }
    }
    if (st == KH_OK && users) {
        st = kh_accounts_load(users, &s->acc, d);
        if (st == KH_OK && kh_accounts_count(s->acc) == 0) {
            kh_diags_add(d, KH_ERROR, users, NULL, NULL, 0,
                         _("the users file has no account: add one with kaohe serve "
                           "--add-user NAME"));
            st = KH_ERR_USAGE;
        }
        if (st == KH_OK && !(s->sess = kh_sessions_new(KH_SERVE_SESSION_S)))
            st = KH_ERR_NOMEM;
    }
    kh_free(users);
    if (st == KH_OK && !loopback && (!s->acc || (!s->tls && !cfg->insecure_http))) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     !s->acc ? _("listening on %s lets other computers in: it needs accounts "
                                 "(kaohe serve --add-user NAME, then --users FILE or a "
                                 "workspace's users.txt)")
                             : _("listening on %s lets other computers in: give --tls-cert and "
                                 "--tls-key for HTTPS, or --insecure-http to send passwords "
                                 "unencrypted on a network you trust"),
                     host);
        st = KH_ERR_USAGE;
    }
    if (st == KH_OK && s->tls) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("this build of kaohe has no HTTPS: listen on 127.0.0.1, or put it "
                           "behind a web server that does HTTPS"));
            st = KH_ERR_USAGE;
        } else if (!(s->cert = read_pem(cfg->tls_cert, d)) ||
                   !(s->key = read_pem(cfg->tls_key, d))) {
            st = KH_ERR_IO;
        }
    }
    if (st != KH_OK) {
        kh_server_stop(s);
        return st;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(ip);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (s->tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
        {MHD_OPTION_CONNECTION_LIMIT, KH_SERVE_MAX_CONN, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, KH_SERVE_IDLE_S, NULL},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)quiet_log, NULL},
        {s->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, s->key},
        {s->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert},
        {MHD_OPTION_END, 0, NULL},
    };
    s->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_ARRAY,
                            opts, MHD_OPTION_END);
    if (!s->d) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     s->tls ? _("cannot listen on %s:%u: the port is taken, or the certificate "
                                "and key given are not a matching PEM pair")
                            : _("cannot listen on %s:%u: is another program (or kaohe) using "
                                "the port? Give another with --listen"),
                     host, port);
        kh_server_stop(s);
        return KH_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(s->url, sizeof s->url, "%s://%s:%u/", s->tls ? "https" : "http", host,
             info ? info->port : port);
    *out = s;
    return KH_OK;
}

const char *kh_server_url(const kh_server *s) { return s->url; }
