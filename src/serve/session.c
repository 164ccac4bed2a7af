/*
 * session.c - logins, logouts and the same-origin rule for POSTs.
 */
#include "serve.h"

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
