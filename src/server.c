/*
 * server.c - kaohe serve: the browser page (front end beside the writers),
 * on libmicrohttpd and the same library calls as the command line.
 *
 * GET /                the page (server_page.h), built into the binary
 * POST /api/rank       multipart/form-data, the checklists as "file" parts:
 *                      they are saved in a private folder of this request,
 *                      scored and ranked as `kaohe rank --json` would, and
 *                      the answer is JSON {"result": the ranking's JSON,
 *                      "workbook": the ranking workbook in base64}; the
 *                      folder is removed before the answer is sent, also on
 *                      errors: nothing is kept.
 *
 * Listening is on 127.0.0.1 (or ::1) only: accounts and TLS, which other
 * addresses need, are not there yet, so another address is refused.
 * Limits: KH_SERVE_MAX_FILE a file, KH_SERVE_MAX_FILES files and
 * KH_SERVE_MAX_REQUEST bytes a request, KH_SERVE_MAX_CONN connections,
 * KH_SERVE_IDLE_S seconds idle.  A refusal is a Chinese message and a 4xx.
 * An upload's file name never becomes a path: files are saved as
 * "NNNN.EXT" with the name kept for the page only.
 */
#include "server.h"
#include "batch.h"
#include "outfile.h"
#include "template_out.h"
#include "text.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifndef _WIN32
#include <netinet/in.h> /* struct sockaddr_in (microhttpd.h brings winsock2.h on Windows) */
#endif

#include "server_page.h"

struct kh_server {
    struct MHD_Daemon *d;
    const kh_registry *reg;
    char url[128];
};

/* One POST /api/rank being received. */
typedef struct upload {
    struct MHD_PostProcessor *pp;
    char dir[4096];        /* the private folder */
    FILE *cur;             /* the file part being written */
    size_t nfiles;
    uint64_t bytes, cur_bytes;
    int status;            /* 0, or the HTTP status of the refusal */
    const char *why;       /* the refusal, in Chinese */
    kh_buf names;          /* "saved\tgiven\n" per file */
} upload;

/* Remove folder dir and the files in it (no sub-folders are made). */
static void remove_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        kh_buf p = {0};
        while ((e = readdir(dp)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            p.len = 0;
            kh_buf_printf(&p, "%s/%s", dir, e->d_name);
            if (kh_buf_str(&p))
                unlink(kh_buf_str(&p));
        }
        kh_buf_free(&p);
        closedir(dp);
    }
    rmdir(dir);
}

static void refuse(upload *u, int status, const char *why)
{
    if (!u->status) {
        u->status = status;
        u->why = why;
    }
}

/* The extension kaohe reads by (".xlsx" ...) of an uploaded name, or "". */
static const char *ext_of(const char *name)
{
    static const char *const exts[] = {".xlsx", ".xls", ".ods", ".csv"};
    for (size_t i = 0; i < KH_ARRAY_LEN(exts); i++)
        if (kh_path_has_ext(name, exts[i]))
            return exts[i];
    return "";
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind, (void)content_type, (void)transfer_encoding;
    upload *u = cls;
    if (u->status)
        return MHD_NO;
    if (!key || strcmp(key, "file") != 0 || !filename)
        return MHD_YES; /* other fields: not used */
    if (off == 0) {
        if (u->cur)
            fclose(u->cur);
        u->cur = NULL;
        if (u->nfiles == KH_SERVE_MAX_FILES) {
            refuse(u, 413, "一次最多上传 " KH_STR(KH_SERVE_MAX_FILES) " 个文件：请分批上传");
            return MHD_NO;
        }
        const char *ext = ext_of(filename);
        if (!*ext) {
            /* Not a spreadsheet: noted on the page, not saved. */
            kh_buf_printf(&u->names, "-\t%s\n", filename);
            return MHD_YES;
        }
        char saved[64];
        snprintf(saved, sizeof saved, "%04zu%s", ++u->nfiles, ext);
        kh_buf p = {0};
        kh_buf_printf(&p, "%s/%s", u->dir, saved);
        u->cur = kh_buf_str(&p) ? fopen(kh_buf_str(&p), "wb") : NULL;
        kh_buf_free(&p);
        if (!u->cur) {
            refuse(u, 500, "服务器无法保存上传的文件（磁盘已满或没有权限）");
            return MHD_NO;
        }
        u->cur_bytes = 0;
        kh_buf_printf(&u->names, "%s\t%s\n", saved, filename);
    }
    if (!u->cur)
        return MHD_YES;
    u->cur_bytes += size;
    u->bytes += size;
    if (u->cur_bytes > KH_SERVE_MAX_FILE) {
        refuse(u, 413, "有文件大于 " KH_STR(KH_SERVE_MAX_FILE_MB) " MiB：检查表不会这么大，请检查是否传错了文件");
        return MHD_NO;
    }
    if (size && fwrite(data, 1, size, u->cur) != size) {
        refuse(u, 500, "服务器无法保存上传的文件（磁盘已满或没有权限）");
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'unsafe-inline'; "
                            "style-src 'unsafe-inline'; connect-src 'self'; img-src data: blob:");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Send the JSON document j (freed) with status. */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, cJSON *j)
{
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    enum MHD_Result r =
        text ? send_text(c, status, "application/json; charset=utf-8", text, strlen(text))
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
    return send_json(c, status, j);
}

/* Read path whole into b; false on failure. */
static bool slurp(const char *path, kh_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kh_buf_add(b, chunk, n);
    bool ok = !ferror(f) && !b->oom;
    fclose(f);
    return ok;
}

/* Score the uploaded files of u as `kaohe rank --json` does and answer. */
static enum MHD_Result answer_rank(kh_server *s, struct MHD_Connection *c, upload *u)
{
    if (u->nfiles == 0)
        return send_error(c, 400, "没有收到检查表：请选择 .xlsx、.xls、.ods 或 .csv 文件后再上传");
    kh_options o = {.provenance = true, .keep_checks = true};
    kh_batch *b = kh_batch_new(s->reg, &o);
    kh_diags notes = {0}, d = {0};
    kh_status st = b ? kh_batch_add(b, u->dir, &notes) : KH_ERR_NOMEM;
    if (st == KH_OK)
        st = kh_batch_finish(b);
    kh_buf book = {0}, json = {0};
    char wpath[4200], jpath[4200];
    snprintf(wpath, sizeof wpath, "%s/排名.xlsx", u->dir);
    snprintf(jpath, sizeof jpath, "%s/排名.json", u->dir);
    if (st == KH_OK)
        st = kh_write_ranking(b, wpath, &d);
    if (st == KH_OK)
        st = kh_write_json_file(b, true, jpath, &d);
    if (st == KH_OK && (!slurp(wpath, &book) || !slurp(jpath, &json)))
        st = KH_ERR_IO;
    kh_batch_free(b);
    kh_diags_clear(&notes);
    kh_diags_clear(&d);
    if (st != KH_OK) {
        kh_buf_free(&book);
        kh_buf_free(&json);
        return send_error(c, 500, st == KH_ERR_NOMEM ? "服务器内存不足：请分批上传"
                                                     : "服务器无法生成排名表");
    }
    /* The names as uploaded, for the page (the files were saved as
     * 0001.xlsx ...), the ranking's JSON as it is, the workbook in base64. */
    cJSON *j = cJSON_CreateObject();
    cJSON *files = j ? cJSON_AddArrayToObject(j, "files") : NULL;
    bool ok = files != NULL;
    const char *p = kh_buf_str(&u->names);
    while (ok && p && *p) {
        const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
        if (!tab || !nl)
            break;
        char *saved = kh_strndup(p, (size_t)(tab - p));
        char *given = kh_strndup(tab + 1, (size_t)(nl - tab - 1));
        cJSON *f = saved && given ? cJSON_CreateObject() : NULL;
        ok = f && cJSON_AddStringToObject(f, "saved", saved) &&
             cJSON_AddStringToObject(f, "name", given) && cJSON_AddItemToArray(files, f);
        if (!ok)
            cJSON_Delete(f);
        kh_free(saved);
        kh_free(given);
        p = nl + 1;
    }
    ok = ok && cJSON_AddStringToObject(j, "folder", u->dir) &&
         cJSON_AddRawToObject(j, "result", kh_buf_str(&json));
    size_t b64 = sodium_base64_encoded_len(book.len, sodium_base64_VARIANT_ORIGINAL);
    char *enc = ok ? kh_malloc(b64) : NULL;
    if (enc) {
        sodium_bin2base64(enc, b64, (const unsigned char *)kh_buf_str(&book), book.len,
                          sodium_base64_VARIANT_ORIGINAL);
        ok = cJSON_AddStringToObject(j, "workbook", enc) != NULL;
        kh_free(enc);
    } else {
        ok = false;
    }
    kh_buf_free(&book);
    kh_buf_free(&json);
    if (!ok) {
        cJSON_Delete(j);
        return send_error(c, 500, "服务器内存不足：请分批上传");
    }
    return send_json(c, 200, j);
}

static void upload_free(upload *u)
{
    if (!u)
        return;
    if (u->cur)
        fclose(u->cur);
    if (u->pp)
        MHD_destroy_post_processor(u->pp);
    if (u->dir[0])
        remove_dir(u->dir);
    kh_buf_free(&u->names);
    kh_free(u);
}

/* A POST from another site (a page elsewhere making the browser send to
 * 127.0.0.1) is refused: its Origin is not the host it was sent to. */
static bool same_origin(struct MHD_Connection *c)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!origin)
        return true; /* not a browser's cross-site request (curl, a form of ours) */
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    static const char scheme[] = "http://";
    return host && strncmp(origin, scheme, sizeof scheme - 1) == 0 &&
           strcmp(origin + sizeof scheme - 1, host) == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    kh_server *s = cls;
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        if (strcmp(url, "/") == 0)
            return send_text(c, 200, "text/html; charset=utf-8", kh_server_page,
                             sizeof kh_server_page - 1);
        return send_error(c, 404, "没有这个页面");
    }
    if (strcmp(method, "POST") != 0 || strcmp(url, "/api/rank") != 0)
        return send_error(c, strcmp(method, "POST") == 0 ? 404 : 405, "不支持的请求");
    upload *u = *con_cls;
    if (!u) {
        if (!same_origin(c))
            return send_error(c, 403, "拒绝来自其他网站的请求");
        u = kh_calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        const char *tmp = getenv("TMPDIR");
        snprintf(u->dir, sizeof u->dir, "%s/kaohe-serve.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!kh_mkdtemp(u->dir)) {
            u->dir[0] = '\0';
            refuse(u, 500, "服务器无法建立临时文件夹");
        } else {
            u->pp = MHD_create_post_processor(c, 64 * 1024, on_part, u);
            if (!u->pp)
                refuse(u, 400, "请用表单上传文件（multipart/form-data）");
        }
        *con_cls = u;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!u->status) {
            if (u->bytes + *upload_data_size > KH_SERVE_MAX_REQUEST)
                refuse(u, 413, "一次上传的文件合计超过 " KH_STR(KH_SERVE_MAX_REQUEST_MB) " MiB：请分批上传");
            else if (MHD_post_process(u->pp, upload_data, *upload_data_size) != MHD_YES && !u->status)
                refuse(u, 400, "上传的内容不完整或格式不对：请重新上传");
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (u->cur) {
        if (fclose(u->cur) != 0)
            refuse(u, 500, "服务器无法保存上传的文件（磁盘已满或没有权限）");
        u->cur = NULL;
    }
    if (u->status)
        return send_error(c, (unsigned)u->status, u->why);
    return answer_rank(s, c, u);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    upload_free(*con_cls);
    *con_cls = NULL;
}

/* The library never prints: libmicrohttpd's own messages are dropped
 * (what it refuses, the client hears). */
static void quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls, (void)fmt, (void)ap;
}

kh_status kh_server_start(const kh_registry *reg, const char *listen, kh_server **out,
                          kh_diags *d)
{
    *out = NULL;
    char host[64] = "127.0.0.1";
    unsigned port = 8080;
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
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (!kh_parse_ipv4(host, &ip) || (ip >> 24) != 127) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("kaohe serve listens on this machine only (127.0.0.1), not on %s: the "
                       "accounts and TLS that other addresses need are not there yet"),
                     host);
        return KH_ERR_USAGE;
    }
    sa.sin_addr.s_addr = htonl(ip);
    kh_server *s = kh_calloc(1, sizeof *s);
    if (!s)
        return KH_ERR_NOMEM;
    s->reg = reg;
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                MHD_USE_ERROR_LOG,
                            (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)KH_SERVE_MAX_CONN,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)KH_SERVE_IDLE_S,
                            MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_END);
    if (!s->d) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("cannot listen on %s:%u: is another program (or kaohe) using the port? "
                       "Give another with --listen"),
                     host, port);
        kh_free(s);
        return KH_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(s->url, sizeof s->url, "http://%s:%u/", host, info ? info->port : port);
    *out = s;
    return KH_OK;
}

const char *kh_server_url(const kh_server *s) { return s->url; }

void kh_server_stop(kh_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    kh_free(s);
}
