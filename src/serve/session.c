/*
 * session.c - who may ask: the Host check (against DNS rebinding), the
 * secret of a server on this machine without accounts, logins, logouts
 * and the same-origin rule for POSTs.  doc/serve.md says why.
 */
#include "serve.h"

#include <sodium.h>
#include <string.h>
#ifndef _WIN32
#include <netinet/in.h> /* struct sockaddr_in (microhttpd.h brings winsock2.h on Windows) */
#endif

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

enum MHD_Result srv_answer_login(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->acc)
        return srv_send_error(c, 400, "本机使用，无需登录");
    const char *name = kh_buf_str(&q->fields[F_NAME]);
    const char *password = kh_buf_str(&q->fields[F_PASSWORD]);
    char addr[64];
    client_addr(c, addr, sizeof addr);
    /* The guess is counted before it is verified (accounts.h): thirty
     * sent at once are refused like thirty sent one by one. */
    unsigned wait = 0, delay = 0;
    if (!kh_login_begin(s->sess, addr, name, &wait, &delay)) {
        char msg[160];
        snprintf(msg, sizeof msg, "登录失败次数过多，请 %u 分钟后再试", (wait + 59) / 60);
        return srv_send_error(c, 429, msg);
    }
    if (delay)
        kh_sleep_ms(delay * 1000); /* the name is being guessed at: slowed */
    pthread_mutex_lock(&s->login_lock);
    bool good = kh_accounts_verify(s->acc, name, password);
    pthread_mutex_unlock(&s->login_lock);
    kh_login_end(s->sess, addr, name, good);
    if (!good)
        return srv_send_error(c, 401, "用户名或密码不对");
    kh_account_info info;
    if (!kh_accounts_get(s->acc, name, &info))
        return srv_send_error(c, 401, "用户名或密码不对"); /* removed meanwhile */
    /* Only once the password is right: a guess learns nothing. */
    if (info.disabled)
        return srv_send_error(c, 403, "该账号已停用：请联系管理员");
    char token[KH_SESSION_TOKEN_LEN + 1];
    if (!kh_sessions_create(s->sess, name, token))
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    char cookie[256];
    snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
             s->tls ? "; Secure" : "");
    sodium_memzero(token, sizeof token);
    snprintf(q->user, sizeof q->user, "%s", name);
    cJSON *j = cJSON_CreateObject();
    if (j) {
        cJSON_AddStringToObject(j, "user", name);
        cJSON_AddStringToObject(j, "role", kh_role_name(info.role));
        info.unit[0] ? cJSON_AddStringToObject(j, "unit", info.unit)
                     : cJSON_AddNullToObject(j, "unit");
        cJSON_AddBoolToObject(j, "must_change_password", info.must_change);
    }
    enum MHD_Result r = srv_send_json(c, 200, j, cookie);
    sodium_memzero(cookie, sizeof cookie);
    return r;
}

enum MHD_Result srv_answer_logout(kh_server *s, struct MHD_Connection *c)
{
    const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    if (token && s->sess)
        kh_sessions_end(s->sess, token);
    cJSON *j = cJSON_CreateObject();
    return srv_send_json(c, 200, j, COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

/* A POST from another site (a page elsewhere making the browser send to
 * this server) is refused: its Origin is not the host it was sent to. */
bool srv_same_origin(kh_server *s, struct MHD_Connection *c)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!origin)
        return true; /* not a browser's cross-site request (curl, a form of ours) */
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    const char *scheme = s->tls ? "https://" : "http://";
    size_t sl = strlen(scheme);
    return host && strncmp(origin, scheme, sl) == 0 && strcmp(origin + sl, host) == 0;
}

static bool ascii_eq_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
        if (x != y || !y)
            return false;
    }
    return true;
}

/* The Host header names this server.  A page of another site whose name
 * was made to point at 127.0.0.1 (DNS rebinding) is same-origin with
 * itself, so the browser lets it read our answers: but its requests say
 * Host: evil.example.  On 127.x.x.x, only 127.x.x.x, localhost and
 * [::1] (each with any port) are accepted; elsewhere, only the names
 * given (--host-name), or the address listened on. */
bool srv_host_allowed(kh_server *s, struct MHD_Connection *c)
{
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    return srv_host_ok(host, s->loopback, (const char *const *)s->host_names, s->nhost_names);
}

bool srv_host_ok(const char *host, bool loopback, const char *const *names, size_t nnames)
{
    if (!host || !*host)
        return false;
    size_t len = strlen(host), name_len = len;
    const char *port = NULL;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close)
            return false;
        name_len = (size_t)(close - host) + 1;
        if (close[1] == ':')
            port = close + 2;
        else if (close[1])
            return false;
    } else {
        const char *colon = strchr(host, ':');
        if (colon) {
            name_len = (size_t)(colon - host);
            port = colon + 1;
        }
    }
    if (port) {
        size_t pl = strlen(port);
        if (pl == 0 || pl > 5 || strspn(port, "0123456789") != pl)
            return false;
    }
    if (name_len == 0 || name_len >= 256)
        return false;
    char name[256];
    memcpy(name, host, name_len);
    name[name_len] = '\0';
    if (loopback) {
        uint32_t ip;
        return (name_len == 9 && ascii_eq_nocase(name, "localhost", 9)) ||
               strcmp(name, "[::1]") == 0 || (kh_parse_ipv4(name, &ip) && (ip >> 24) == 127);
    }
    uint32_t ip;
    for (size_t i = 0; i < nnames; i++) {
        if (strlen(names[i]) == name_len && ascii_eq_nocase(name, names[i], name_len))
            return true;
        /* Listening on every address (0.0.0.0) with no name given: any
         * address given as digits, which no one can point elsewhere. */
        if (strcmp(names[i], "0.0.0.0") == 0 && kh_parse_ipv4(name, &ip))
            return true;
    }
    return false;
}

/* A secret equal to the server's, compared in constant time. */
static bool same_token(const kh_server *s, const char *t, size_t n)
{
    return s->token[0] && t && n == KH_SESSION_TOKEN_LEN &&
           sodium_memcmp(t, s->token, KH_SESSION_TOKEN_LEN) == 0;
}

/* The request carries the server's secret (when it has one): its
 * cookie, or "Authorization: token SECRET" (a script, curl). */
bool srv_token_ok(kh_server *s, struct MHD_Connection *c)
{
    if (!s->token[0])
        return true;
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, s->token_cookie);
    if (cookie && same_token(s, cookie, strlen(cookie)))
        return true;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    return auth && strncmp(auth, "token ", 6) == 0 && same_token(s, auth + 6, strlen(auth + 6));
}

/* GET /?token=SECRET: the secret becomes a cookie (HttpOnly: no script
 * reads it; SameSite=Strict: no other site's request carries it), and
 * the browser is sent to / so that the secret leaves the address bar. */
enum MHD_Result srv_answer_token(kh_server *s, struct MHD_Connection *c, const char *token)
{
    if (!same_token(s, token, strlen(token)))
        return srv_send_text(c, 403, "text/plain; charset=utf-8",
                             "网址中的口令不对：请打开 kaohe 启动时显示的网址。\n",
                             strlen("网址中的口令不对：请打开 kaohe 启动时显示的网址。\n"),
                             NULL);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    char cookie[160];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict", s->token_cookie,
             s->token);
    MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, "/");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_SEE_OTHER, r);
    MHD_destroy_response(r);
    return ret;
}

bool srv_may_unit(const request *q, const char *unit)
{
    if (q->role == R_ADMIN || q->role == R_REVIEWER)
        return true;
    return q->role == R_FILLER && unit && q->unit[0] && strcmp(unit, q->unit) == 0;
}

bool srv_is_staff(const request *q) { return q->role == R_ADMIN || q->role == R_REVIEWER; }

const char *srv_role_name(srv_role r)
{
    switch (r) {
    case R_ADMIN: return "admin";
    case R_REVIEWER: return "reviewer";
    case R_FILLER: return "filler";
    default: return NULL;
    }
}

void srv_identify(kh_server *s, struct MHD_Connection *c, request *q)
{
    q->role = R_NONE;
    q->unit[0] = '\0';
    q->must_change = false;
    /* Without accounts the page is this machine's own: the admin's. */
    if (!s->acc) {
        q->role = R_ADMIN;
        return;
    }
    const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    if (!token || !kh_sessions_user(s->sess, token, q->user, sizeof q->user)) {
        q->user[0] = '\0';
        return;
    }
    /* The account as it is now: disabled, or its role changed, since the
     * login, it counts at once. */
    kh_account_info info;
    if (!kh_accounts_get(s->acc, q->user, &info) || info.disabled ||
        (info.role == KH_ROLE_FILLER && strlen(info.unit) >= sizeof q->unit)) {
        kh_sessions_end(s->sess, token);
        q->user[0] = '\0';
        return;
    }
    q->role = info.role == KH_ROLE_FILLER     ? R_FILLER
              : info.role == KH_ROLE_REVIEWER ? R_REVIEWER
                                              : R_ADMIN;
    if (q->role == R_FILLER)
        snprintf(q->unit, sizeof q->unit, "%s", info.unit);
    q->must_change = info.must_change;
}

/* The areas only the bureau's admins use: uploading and ranking, the
 * downloads, blank checklists, the settings, the accounts, stopping the
 * server. */
static bool admin_only(const char *url)
{
    static const char *const exact[] = {"/api/rank",     "/api/download", "/api/blank",
                                        "/api/settings", "/api/users",    "/api/stop"};
    for (size_t i = 0; i < KH_ARRAY_LEN(exact); i++)
        if (strcmp(url, exact[i]) == 0)
            return true;
    return strncmp(url, "/api/users/", 11) == 0;
}

bool srv_gate(kh_server *s, struct MHD_Connection *c, request *q, const char *url,
              enum MHD_Result *answer)
{
    bool open = strcmp(url, "/api/state") == 0 || strcmp(url, "/api/login") == 0 ||
                strcmp(url, "/api/logout") == 0;
    if (s->acc && !q->user[0] && !open) {
        *answer = srv_send_error(c, 401, "请先登录");
        return true;
    }
    /* A password to change first (a new or reset account): nothing else
     * until it is, but the state (which says so), the change, a logout. */
    if (q->must_change && !open && strcmp(url, "/api/password") != 0) {
        cJSON *j = cJSON_CreateObject();
        if (j) {
            cJSON_AddStringToObject(j, "error", "请先修改初始密码");
            cJSON_AddStringToObject(j, "code", "password_change_required");
        }
        *answer = srv_send_json(c, 403, j, NULL);
        return true;
    }
    if (admin_only(url) && q->role != R_ADMIN) {
        *answer = srv_send_error(c, 403, "无权使用此功能：仅管理员可用");
        return true;
    }
    return false;
}

/* POST /api/password, JSON {"old": ..., "new": ...}: the user's own
 * password changed (which ends a forced change); its other sessions end. */
enum MHD_Result srv_answer_password(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->acc)
        return srv_send_error(c, 400, "本机使用，无需登录");
    cJSON *in = q->json ? cJSON_ParseWithLength(kh_buf_str(&q->body), q->body.len) : NULL;
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(in, "old");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(in, "new");
    if (!cJSON_IsString(o) || !cJSON_IsString(n)) {
        cJSON_Delete(in);
        return srv_send_error(c, 400, "请填写原密码和新密码");
    }
    const char *old = o->valuestring, *pw = n->valuestring;
    enum MHD_Result r;
    char addr[64];
    client_addr(c, addr, sizeof addr);
    unsigned wait = 0, delay = 0;
    if (strlen(pw) < KH_PASSWORD_MIN) {
        r = srv_send_error(c, 400, "新密码太短：至少 " KH_STR(KH_PASSWORD_MIN) " 个字母、数字或符号");
    } else if (strcmp(old, pw) == 0) {
        r = srv_send_error(c, 400, "新密码不能与原密码相同");
    } else if (!kh_login_begin(s->sess, addr, q->user, &wait, &delay)) {
        /* The old password is a guess like a login's. */
        char msg[160];
        snprintf(msg, sizeof msg, "失败次数过多，请 %u 分钟后再试", (wait + 59) / 60);
        r = srv_send_error(c, 429, msg);
    } else {
        if (delay)
            kh_sleep_ms(delay * 1000);
        pthread_mutex_lock(&s->login_lock);
        bool good = kh_accounts_verify(s->acc, q->user, old);
        pthread_mutex_unlock(&s->login_lock);
        kh_login_end(s->sess, addr, q->user, good);
        kh_diags d = {0};
        kh_status st = good ? kh_accounts_change_password(s->acc, q->user, pw, false, &d)
                            : KH_ERR_USAGE;
        kh_diags_clear(&d);
        if (!good) {
            r = srv_send_error(c, 401, "原密码不对");
        } else if (st != KH_OK) {
            r = srv_send_error(c, 500, "无法保存新密码：磁盘已满或没有权限");
        } else {
            const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
            kh_sessions_end_user(s->sess, q->user, token);
            q->must_change = false;
            r = srv_answer_state(s, c, q);
        }
    }
    /* What was typed goes nowhere else. */
    if (o->valuestring)
        sodium_memzero(o->valuestring, strlen(o->valuestring));
    if (n->valuestring)
        sodium_memzero(n->valuestring, strlen(n->valuestring));
    sodium_memzero(q->body.s, q->body.len);
    cJSON_Delete(in);
    return r;
}
