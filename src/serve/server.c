/*
 * server.c - kaohe serve: the browser page (a front end beside main.c),
 * on libmicrohttpd and the same library calls as the command line.
 * This file starts and stops the server and routes each request to the
 * area that answers it (serve.h lists the areas).
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
 * POST /api/password     JSON {"old", "new"}: one's own password
 * GET  /api/users, POST /api/users/...   the accounts (users.c)
 *
 * Without a workspace nothing is kept: each request's files live in a
 * private folder removed when the request ends, also on errors.  With one
 * (workspace.h), accepted checklists are recorded and every answer ranks
 * all of them.
 *
 * An upload's file name never becomes a path: files are saved as
 * f0001.xlsx ... and named by what the office uploaded only in what is
 * shown (kh_batch_set_labels).  Limits are in ../server.h; doc/serve.md says
 * why each is what it is.
 */
#include "serve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifndef _WIN32
#include <netinet/in.h> /* struct sockaddr_in (microhttpd.h brings winsock2.h on Windows) */
#endif

#include "outfile.h"
#include "server_page.h"

#include <sodium.h>

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
        srv_guard_head_done(c, !get);
        /* Before the port is known nobody has the address; but a client
         * guessing it gets no half-made answer. */
        if (!atomic_load_explicit(&s->ready, memory_order_acquire))
            return srv_send_error(c, 503, "服务器正在启动：请稍后再试");
        if (!srv_host_allowed(s, c))
            return srv_send_error(c, 421, "拒绝：请求所用的网址不是本服务器的（Host 不符）");
        if (!get && !is(method, "POST"))
            return srv_send_error(c, 405, "不支持的请求");
        if (get && strcmp(url, "/") == 0) {
            const char *token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
            if (token && s->token[0])
                return srv_answer_token(s, c, token);
            return srv_send_text(c, 200, "text/html; charset=utf-8", kh_server_page,
                                 sizeof kh_server_page - 1, NULL);
        }
        if (!srv_token_ok(s, c))
            return srv_send_error(c, 403, "请打开 kaohe 启动时显示的网址（其中带有口令）再使用本页");
        if (!get && !srv_same_origin(s, c))
            return srv_send_error(c, 403, "拒绝来自其他网站的请求");
        /* A body larger than a request may be is refused before it is
         * received. */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (!get && cl && (strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 15 ||
                           strtoull(cl, NULL, 10) > KH_SERVE_MAX_REQUEST + (1u << 20)))
            return srv_send_error(c, 413, "一次上传的文件合计超过 " KH_STR(KH_SERVE_MAX_REQUEST_MB) " MiB：请分批上传");
        if (!get && strcmp(url, "/api/stop") == 0) {
            if (!s->on_stop)
                return srv_send_error(c, 404, "没有这个页面");
            /* With accounts, only an admin stops the office's server. */
            if (s->acc) {
                request who = {0};
                srv_identify(s, c, &who);
                enum MHD_Result refused;
                if (srv_gate(s, c, &who, url, &refused))
                    return refused;
            }
            srv_guard_stop_after(c);
            cJSON *j = cJSON_CreateObject();
            if (j)
                cJSON_AddBoolToObject(j, "stopping", true);
            return srv_send_json(c, 200, j, NULL);
        }
        q = kh_calloc(1, sizeof *q);
        if (!q)
            return MHD_NO;
        *con_cls = q;
        q->is_post = !get;
        /* Who asks, and whether they may (session.c). */
        srv_identify(s, c, q);
        enum MHD_Result refused;
        if (srv_gate(s, c, q, url, &refused))
            return refused;
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!get && ct && strncmp(ct, "application/json", 16) == 0) {
            q->json = true; /* its bytes into q->body, below */
        } else if (!get) {
            if (!srv_request_folder(q)) {
                srv_refuse(q, 507, "服务器无法建立临时文件夹：磁盘已满或没有权限");
            } else {
                q->pp = MHD_create_post_processor(c, 64 * 1024, srv_on_part, q);
                if (!q->pp && strcmp(url, "/api/logout") != 0)
                    srv_refuse(q, 400, "请用表单提交（multipart/form-data）");
            }
        } else if (strcmp(url, "/api/download") == 0) {
            if (!s->ws)
                return srv_send_error(c, 400, "没有使用工作区：请上传检查表后再下载");
            if (!srv_request_folder(q))
                return srv_send_error(c, 507, "服务器无法建立临时文件夹：磁盘已满或没有权限");
        }
        if (get) {
            if (strcmp(url, "/api/state") == 0)
                return srv_answer_state(s, c, q);
            if (strcmp(url, "/api/download") == 0 && srv_what_of(c) != W_RESULT)
                return srv_finish(q, srv_answer_rank(s, c, q));
            if (strcmp(url, "/api/appeals") == 0)
                return srv_finish(q, srv_answer_appeals(s, c, q));
            if (strcmp(url, "/api/published") == 0)
                return srv_finish(q, srv_answer_published(s, c, q));
            if (strcmp(url, "/api/evidence") == 0)
                return srv_answer_evidence_list(s, c, q);
            if (strcmp(url, "/api/evidence/file") == 0)
                return srv_answer_evidence_file(s, c, q);
            if (strcmp(url, "/api/export") == 0)
                return srv_finish(q, srv_answer_export(s, c, q));
            if (strncmp(url, "/api/fill", 9) == 0)
                return srv_finish(q, srv_answer_fill(s, c, q, url));
            if (strncmp(url, "/api/review/", 12) == 0)
                return srv_finish(q, srv_answer_review(s, c, q, url));
            if (strcmp(url, "/api/users") == 0)
                return srv_answer_users(s, c, q);
            if (strcmp(url, "/api/users/sheet") == 0)
                return srv_answer_users_sheet(s, c, q);
            return srv_send_error(c, 404, "没有这个页面");
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        srv_guard_body(c, *upload_data_size);
        if (!q->status) {
            q->bytes += *upload_data_size;
            if (q->bytes > KH_SERVE_MAX_REQUEST)
                srv_refuse(q, 413, "一次上传的文件合计超过 " KH_STR(KH_SERVE_MAX_REQUEST_MB) " MiB：请分批上传");
            else if (q->json && q->body.len + *upload_data_size > SRV_MAX_JSON)
                srv_refuse(q, 413, "请求的内容太长");
            else if (q->json)
                kh_buf_add(&q->body, upload_data, *upload_data_size);
            else if (q->pp && MHD_post_process(q->pp, upload_data, *upload_data_size) != MHD_YES &&
                     !q->status)
                srv_refuse(q, 400, "上传的内容不完整或格式不对：请重新上传");
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    srv_guard_busy(c);
    if (q->cur) {
        if (fclose(q->cur) != 0)
            srv_refuse(q, 507, "服务器无法保存上传的文件：磁盘已满或没有权限");
        q->cur = NULL;
    }
    /* A form cut short (no closing boundary) is not a whole upload. */
    if (q->pp) {
        if (MHD_destroy_post_processor(q->pp) != MHD_YES)
            srv_refuse(q, 400, "上传的内容不完整或格式不对：请重新上传");
        q->pp = NULL;
    }
    if (!q->status && q->json && q->body.oom)
        srv_refuse(q, 507, "服务器内存不足");
    if (q->status)
        return srv_finish(q, srv_send_error(c, (unsigned)q->status, q->why));
    if (strcmp(url, "/api/login") == 0)
        return srv_finish(q, srv_answer_login(s, c, q));
    if (strcmp(url, "/api/logout") == 0)
        return srv_finish(q, srv_answer_logout(s, c));
    if (strcmp(url, "/api/rank") == 0 || strcmp(url, "/api/download") == 0)
        return srv_finish(q, srv_answer_rank(s, c, q));
    if (strcmp(url, "/api/blank") == 0)
        return srv_finish(q, srv_answer_blank(s, c, q));
    if (strcmp(url, "/api/settings") == 0)
        return srv_finish(q, srv_answer_settings(s, c, q));
    if (strcmp(url, "/api/publish") == 0 || strcmp(url, "/api/appeal") == 0 ||
        strcmp(url, "/api/appeal/decide") == 0 || strcmp(url, "/api/finalise") == 0)
        return srv_finish(q, srv_answer_publication_post(s, c, q, url));
    if (strcmp(url, "/api/evidence") == 0)
        return srv_finish(q, srv_answer_evidence_add(s, c, q));
    if (strcmp(url, "/api/evidence/delete") == 0)
        return srv_finish(q, srv_answer_evidence_delete(s, c, q));
    if (strcmp(url, "/api/evidence/quota") == 0)
        return srv_finish(q, srv_answer_evidence_quota(s, c, q));
    if (strcmp(url, "/api/password") == 0)
        return srv_finish(q, srv_answer_password(s, c, q));
    if (strncmp(url, "/api/fill", 9) == 0)
        return srv_finish(q, srv_answer_fill(s, c, q, url));
    if (strncmp(url, "/api/review/", 12) == 0)
        return srv_finish(q, srv_answer_review(s, c, q, url));
    if (strncmp(url, "/api/users/", 11) == 0)
        return srv_finish(q, srv_answer_users_change(s, c, q, url));
    return srv_finish(q, srv_send_error(c, 404, "没有这个页面"));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    kh_server *s = cls;
    srv_request_free(*con_cls);
    *con_cls = NULL;
    if (srv_guard_completed(c) && s->on_stop)
        s->on_stop(s->on_stop_arg); /* POST /api/stop, answered */
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
    char *s = srv_slurp(path, &len);
    if (!s)
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot read the file: %s"),
                     strerror(errno));
    return s;
}

/* The page's URL into the file path, private (0600), whole or not at
 * all: a desktop starter reads it to open the browser. */
static kh_status write_url_file(const kh_server *s, const char *path, kh_diags *d)
{
    kh_outfile o;
    kh_status st = kh_outfile_begin(&o, path, d);
    if (st != KH_OK)
        return st;
#ifndef _WIN32
    FILE *f = chmod(o.open_path, 0600) == 0 ? fopen(o.open_path, "wb") : NULL;
#else
    FILE *f = fopen(o.open_path, "wb");
#endif
    bool ok = f && fprintf(f, "%s\n", s->url) > 0;
    ok = f && fclose(f) == 0 && ok;
    if (!ok) {
        char eb[128];
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot write the file: %s"),
                     kh_errno_text(errno ? errno : EIO, eb, sizeof eb));
        kh_outfile_abort(&o);
        return KH_ERR_IO;
    }
    return kh_outfile_commit(&o, d);
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
    srv_guard_free(s->guard);
    for (size_t i = 0; i < s->nhost_names; i++)
        kh_free(s->host_names[i]);
    kh_free(s->host_names);
    kh_free(s->desktop_log);
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
    s->loopback = loopback;
    s->on_stop = cfg->desktop_log ? cfg->on_stop : NULL;
    s->on_stop_arg = cfg->on_stop_arg;
    pthread_mutex_init(&s->login_lock, NULL);
    kh_status st = KH_OK;
    /* The names the page is reached by: those given, else the address. */
    size_t nnames = cfg->nhost_names ? cfg->nhost_names : 1;
    s->host_names = kh_calloc(nnames, sizeof *s->host_names);
    for (size_t i = 0; s->host_names && i < nnames; i++) {
        const char *n = cfg->nhost_names ? cfg->host_names[i] : host;
        if (!n || !*n || strlen(n) > 253 || strpbrk(n, ":/ ")) {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("--host-name takes a name such as kaohe.example.org or an address, "
                           "without port, not '%s'"),
                         n ? n : "");
            st = KH_ERR_USAGE;
            break;
        }
        if ((s->host_names[i] = kh_strdup(n)) != NULL)
            s->nhost_names++;
    }
    if (!s->host_names || (st == KH_OK && s->nhost_names != nnames))
        st = KH_ERR_NOMEM;
    if (st == KH_OK && cfg->desktop_log && !(s->desktop_log = kh_strdup(cfg->desktop_log)))
        st = KH_ERR_NOMEM;
    if (st == KH_OK && !(s->guard = srv_guard_new()))
        st = KH_ERR_NOMEM;
    if (st == KH_OK && cfg->workspace)
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
    /* On this machine without accounts: a secret made now, in the URL
     * printed (doc/serve.md: any local program or user could otherwise
     * use the page). */
    if (st == KH_OK && loopback && !s->acc) {
        if (sodium_init() < 0) {
            st = KH_ERR_NOMEM;
        } else {
            unsigned char raw[KH_SESSION_TOKEN_LEN / 2];
            randombytes_buf(raw, sizeof raw);
            sodium_bin2hex(s->token, sizeof s->token, raw, sizeof raw);
            sodium_memzero(raw, sizeof raw);
        }
    }
    if (st == KH_OK && !srv_guard_start(s->guard))
        st = KH_ERR_NOMEM;
    if (st != KH_OK) {
        kh_server_stop(s);
        return st;
    }
    /* Request folders that servers killed on this machine left behind. */
    srv_sweep_request_folders();
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(ip);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (s->tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
        /* guard.c keeps to KH_SERVE_MAX_CONN itself, shedding the slowest
         * to let a new one in: libmicrohttpd's limit is only a backstop. */
        {MHD_OPTION_CONNECTION_LIMIT, 2 * KH_SERVE_MAX_CONN, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)srv_guard_notify, s},
        {loopback ? MHD_OPTION_END : MHD_OPTION_PER_IP_CONNECTION_LIMIT, KH_SERVE_PER_ADDRESS,
         NULL},
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
    unsigned real_port = info ? info->port : port;
    snprintf(s->url, sizeof s->url, "%s://%s:%u/%s%s", s->tls ? "https" : "http", host, real_port,
             s->token[0] ? "?token=" : "", s->token);
    /* Per port: two servers on this machine share a browser's cookies. */
    snprintf(s->token_cookie, sizeof s->token_cookie, "kaohe_token_%u", real_port);
    atomic_store_explicit(&s->ready, true, memory_order_release);
    if (cfg->url_file && (st = write_url_file(s, cfg->url_file, d)) != KH_OK) {
        kh_server_stop(s);
        return st;
    }
    *out = s;
    return KH_OK;
}

const char *kh_server_url(const kh_server *s) { return s->url; }
