/*
 * http.c - answers (JSON, files with their Chinese names, errors), the
 * private folder each request's files live in, and the request plumbing
 * the areas share: parameters, the JSON body, the user, refusals and the
 * online form's JSON pieces (one copy, not one per area).
 */
#include "serve.h"
#include "text.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files are sent as their bytes (Windows opens in text mode otherwise). */
#ifdef O_BINARY
#define O_BINARY_FLAG O_BINARY
#else
#define O_BINARY_FLAG 0
#endif

void srv_refuse(request *q, int status, const char *why)
{
    if (!q->status) {
        q->status = status;
        q->why = kh_strdup(why);
    }
}

/* Remove folder dir and everything in it (the request's folder holds
 * files and at most one level of folders). */
void srv_remove_tree(const char *dir, int depth)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = kh_strprintf("%s/%s", dir, e->d_name);
            if (p && remove(p) != 0 && depth < 3 && kh_is_real_dir(p))
                srv_remove_tree(p, depth + 1);
            kh_free(p);
        }
        closedir(dp);
    }
    rmdir(dir);
}

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

enum MHD_Result srv_send_text(struct MHD_Connection *c, unsigned status, const char *type,
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
enum MHD_Result srv_send_json(struct MHD_Connection *c, unsigned status, cJSON *j,
                                 const char *cookie)
{
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    enum MHD_Result r = text ? srv_send_text(c, status, "application/json; charset=utf-8", text,
                                         strlen(text), cookie)
                             : MHD_NO;
    cJSON_free(text);
    return r;
}

/* {"error": why} with status. */
enum MHD_Result srv_send_error(struct MHD_Connection *c, unsigned status, const char *why)
{
    cJSON *j = cJSON_CreateObject();
    if (j && !cJSON_AddStringToObject(j, "error", why)) {
        cJSON_Delete(j);
        j = NULL;
    }
    return srv_send_json(c, status, j, NULL);
}

/* Read path whole into a new buffer (*len bytes); NULL on failure. */
char *srv_slurp(const char *path, size_t *len)
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

/* Queue r, a download of type with Content-Disposition cd (freed), as
 * 200. */
static enum MHD_Result queue_download(struct MHD_Connection *c, struct MHD_Response *r,
                                      const char *type, char *cd)
{
    add_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, cd);
    kh_free(cd);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* The file at path as a download named name. */
enum MHD_Result srv_send_file(struct MHD_Connection *c, const char *path, const char *type,
                                 const char *ascii, const char *name)
{
    size_t len = 0;
    char *body = srv_slurp(path, &len);
    char *cd = disposition(ascii, name);
    struct MHD_Response *r =
        body && cd ? MHD_create_response_from_buffer_with_free_callback(len, body, free_body)
                   : NULL;
    if (!r) {
        kh_free(body);
        kh_free(cd);
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    return queue_download(c, r, type, cd);
}

/* The file at path as a download named name, read from disk as it is
 * sent (an archive of the year may be larger than memory): the file may
 * be removed once this returns. */
enum MHD_Result srv_send_file_fd(struct MHD_Connection *c, const char *path, const char *type,
                                 const char *ascii, const char *name)
{
    int fd = open(path, O_RDONLY | O_BINARY_FLAG);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return srv_send_error(c, 500, "服务器无法读取生成的文件");
    }
    char *cd = disposition(ascii, name);
    struct MHD_Response *r = cd ? MHD_create_response_from_fd((uint64_t)sb.st_size, fd) : NULL;
    if (!r) {
        close(fd);
        kh_free(cd);
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    return queue_download(c, r, type, cd);
}

/* Each diagnostic of d as the Chinese line an office reads, into array a. */
bool srv_add_messages(cJSON *a, const kh_diags *d)
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

/* ---- what every area reads a request with and answers with ---- */

/* {"error": "title：line；line…", "messages": [line…]}: the library's
 * messages d (NULL: none) after title, with status. */
enum MHD_Result srv_send_diags(struct MHD_Connection *c, unsigned status, const char *title,
                               const kh_diags *d)
{
    cJSON *j = cJSON_CreateObject();
    cJSON *m = j ? cJSON_AddArrayToObject(j, "messages") : NULL;
    kh_buf b = {0};
    kh_buf_printf(&b, "%s", title);
    for (size_t i = 0; d && i < d->n; i++) {
        char *line = kh_diag_format_zh(&d->v[i]);
        if (line) {
            kh_buf_printf(&b, "%s%s", i ? "；" : "：", line);
            cJSON_AddItemToArray(m, cJSON_CreateString(line));
        }
        kh_free(line);
    }
    if (!m || b.oom) {
        cJSON_Delete(j);
        kh_buf_free(&b);
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    }
    cJSON_AddStringToObject(j, "error", kh_buf_str(&b));
    kh_buf_free(&b);
    return srv_send_json(c, status, j, NULL);
}

/* A failed save (st not KH_OK): 503 when memory ran out, else 500. */
enum MHD_Result srv_send_save_failure(struct MHD_Connection *c, kh_status st)
{
    return srv_send_error(c, st == KH_ERR_NOMEM ? 503 : 500,
                          st == KH_ERR_NOMEM ? "服务器内存不足：请稍后再试"
                                             : "服务器无法保存：磁盘已满或没有权限");
}

cJSON *srv_json_body(const request *q)
{
    cJSON *body = cJSON_ParseWithLength(kh_buf_str(&q->body), q->body.len);
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        return NULL;
    }
    return body;
}

const char *srv_param(struct MHD_Connection *c, const cJSON *body, const char *key)
{
    const cJSON *v = body ? cJSON_GetObjectItemCaseSensitive(body, key) : NULL;
    if (cJSON_IsString(v))
        return v->valuestring;
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

void srv_add_str_or_null(cJSON *o, const char *key, const char *v)
{
    v ? cJSON_AddStringToObject(o, key, v) : cJSON_AddNullToObject(o, key);
}

const char *srv_user(const request *q) { return q->user[0] ? q->user : "本机"; }

cJSON *srv_add_object(cJSON *a)
{
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddItemToArray(a, e)) {
        cJSON_Delete(e);
        return NULL;
    }
    return e;
}

/* ---- the online form (fill.h) as /api/fill and /api/review read and
 * answer it ---- */

cJSON *srv_fill_status_json(const kh_fill_status *st)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "state", kh_fill_state_name(st->state));
    cJSON_AddBoolToObject(o, "returned", st->returned);
    srv_add_str_or_null(o, "reason", st->reason);
    srv_add_str_or_null(o, "user", st->user);
    srv_add_str_or_null(o, "at", st->at);
    srv_add_str_or_null(o, "changed", st->changed);
    return o;
}

cJSON *srv_add_checkpoint_json(cJSON *a, const kh_checkpoint *cp)
{
    cJSON *e = srv_add_object(a);
    if (!e)
        return NULL;
    cJSON_AddStringToObject(e, "id", cp->id);
    cJSON_AddStringToObject(e, "label", cp->label);
    cJSON_AddStringToObject(e, "kind", cp->kind == KH_KIND_HAS ? "has" : kh_kind_name(cp->kind));
    if (cp->kind == KH_KIND_COUNT)
        cJSON_AddNumberToObject(e, "need", (double)cp->need);
    return e;
}

int srv_new_edits(const cJSON *answers, const char *no_cp, kh_fill_edit **e, const char **why)
{
    size_t n = (size_t)cJSON_GetArraySize(answers);
    if (n > 10000) {
        *why = "请求的内容太长";
        return 413;
    }
    *e = kh_calloc(n ? n : 1, sizeof **e);
    if (!*e) {
        *why = "服务器内存不足：请稍后再试";
        return 503;
    }
    size_t k = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, answers)
    {
        const cJSON *cp = cJSON_GetObjectItemCaseSensitive(a, "cp");
        if (!cJSON_IsString(cp)) {
            kh_free(*e);
            *e = NULL;
            *why = no_cp;
            return 400;
        }
        (*e)[k++].cp = cp->valuestring;
    }
    return 0;
}

const char *srv_edit_text(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : cJSON_IsNull(v) ? "" : NULL;
}

void srv_add_fill_deadline(cJSON *o, kh_server *s)
{
    char *dl = kh_workspace_get(s->ws, KH_FILL_DEADLINE);
    srv_add_str_or_null(o, "deadline", dl);
    kh_free(dl);
}

void srv_add_fill_issues(cJSON *o, const kh_rubric *r, const kh_fill_scored *sc)
{
    cJSON *is = cJSON_AddArrayToObject(o, "issues");
    for (size_t i = 0; is && i < sc->nissues; i++) {
        cJSON *e = srv_add_object(is);
        if (!e)
            break;
        cJSON_AddStringToObject(e, "cp", r->cps[sc->issues[i].cp].id);
        cJSON_AddStringToObject(e, "message", sc->issues[i].msg_zh);
    }
}

void srv_request_free(request *q)
{
    if (!q)
        return;
    if (q->cur)
        fclose(q->cur);
    if (q->pp)
        MHD_destroy_post_processor(q->pp);
    if (q->dir[0])
        srv_remove_tree(q->dir, 0);
    for (size_t i = 0; i < q->nfiles; i++) {
        kh_free(q->files[i].path);
        kh_free(q->files[i].name);
    }
    kh_free(q->files);
    for (int f = 0; f < F_NFIELDS; f++)
        kh_buf_free(&q->fields[f]);
    kh_buf_free(&q->body);
    kh_diags_clear(&q->msgs);
    kh_free(q->why);
    kh_free(q);
}

/* The answer r is queued (every answer is in memory): the request's
 * folder goes now, before the client has it, not when the connection
 * is done. */
enum MHD_Result srv_finish(request *q, enum MHD_Result r)
{
    if (q->dir[0]) {
        srv_remove_tree(q->dir, 0);
        q->dir[0] = '\0';
    }
    return r;
}

/* The request's private folder: under TMPDIR when it is set, else in
 * memory (/dev/shm) when there is room there for the largest request,
 * else under the system's temporary folder.  Uploads are transient:
 * creating and removing hundreds of files costs close to a millisecond
 * each on a disk file system, nothing on tmpfs.  Named
 * kaohe-serve.PID.XXXXXX: a server that starts removes those of servers
 * no longer running (srv_sweep_request_folders). */
bool srv_request_folder(request *q)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base) {
        base = kh_memory_tmpdir();
        if (!base || kh_free_space(base) < 2 * KH_SERVE_MAX_REQUEST)
            base = kh_temp_dir();
    }
    snprintf(q->dir, sizeof q->dir, "%s/kaohe-serve.%ld.XXXXXX", base, kh_process_id());
    if (!kh_mkdtemp(q->dir)) {
        q->dir[0] = '\0';
        return false;
    }
    return true;
}

/* The process id in a request folder's name "kaohe-serve.PID.XXXXXX",
 * or 0 when it is not one. */
static long folder_pid(const char *name)
{
    static const char prefix[] = "kaohe-serve.";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return 0;
    const char *p = name + sizeof prefix - 1;
    char *end = NULL;
    long pid = strtol(p, &end, 10);
    if (end == p || *end != '.' || strlen(end + 1) != 6 || pid <= 0)
        return 0;
    return pid;
}

/* Remove the request folders that servers no longer running left (a
 * kill -9, a power cut) in each place srv_request_folder may use: the
 * checklists of an earlier upload must not stay on the machine. */
void srv_sweep_request_folders(void)
{
    const char *bases[3] = {getenv("TMPDIR"), kh_memory_tmpdir(), kh_temp_dir()};
    long self = kh_process_id();
    for (size_t b = 0; b < 3; b++) {
        if (!bases[b] || !*bases[b])
            continue;
        DIR *dp = opendir(bases[b]);
        if (!dp)
            continue;
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            long pid = folder_pid(e->d_name);
            if (pid == 0 || pid == self || kh_process_alive(pid))
                continue;
            char *p = kh_strprintf("%s/%s", bases[b], e->d_name);
            if (p && kh_is_real_dir(p))
                srv_remove_tree(p, 0);
            kh_free(p);
        }
        closedir(dp);
    }
}
