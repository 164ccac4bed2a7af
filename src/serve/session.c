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
    char token[KH_SESSION_TOKEN_LEN + 1];
    if (!kh_sessions_create(s->sess, name, token))
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    char cookie[256];
    snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
             s->tls ? "; Secure" : "");
    snprintf(q->user, sizeof q->user, "%s", name);
    cJSON *j = cJSON_CreateObject();
    if (j)
        cJSON_AddStringToObject(j, "user", name);
    return srv_send_json(c, 200, j, cookie);
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
