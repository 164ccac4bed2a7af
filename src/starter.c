/*
 * starter.c - the desktop start (starter.h) over the platform's process,
 * loopback and browser calls (platform.h).
 */
#include "starter.h"
#include "common.h"
#include "platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STOP_WAIT_MS 5000
#define STEP_MS 200

/* path, and the folders above it, made when missing: 0, or -1/errno. */
static int make_dirs(const char *path)
{
    char *p = kh_strdup(path);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    int rc = 0;
    size_t len = strlen(p);
    for (size_t i = 1; i <= len && rc == 0; i++) {
        if (p[i] != '/' && p[i] != '\\' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        struct stat sb;
        /* "C:" of a Windows path is no folder to make */
        if (!(i == 2 && p[1] == ':') && stat(p, &sb) != 0 && kh_mkdir(p) != 0 && errno != EEXIST)
            rc = -1;
        p[i] = c;
    }
    int e = errno;
    kh_free(p);
    errno = e;
    return rc;
}

/* The first line of the file path into buf (n bytes): false when there
 * is none. */
static bool first_line(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)n, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\r\n")] = '\0';
    return ok && buf[0];
}

/* "http://127.0.0.1:PORT/?token=SECRET": the port and the secret (token,
 * n bytes; "" when the address has none). */
static bool parse_url(const char *url, unsigned *port, char *token, size_t n)
{
    static const char head[] = "http://127.0.0.1:";
    if (strncmp(url, head, sizeof head - 1) != 0)
        return false;
    char *end;
    unsigned long p = strtoul(url + sizeof head - 1, &end, 10);
    if (end == url + sizeof head - 1 || p == 0 || p > 65535 || *end != '/')
        return false;
    *port = (unsigned)p;
    const char *t = strstr(end, "token=");
    size_t tl = t ? strspn(t + 6, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") : 0;
    if (tl >= n)
        return false;
    memcpy(token, t ? t + 6 : "", tl);
    token[tl] = '\0';
    return true;
}

/* A request of method to path of the server at url with its secret: the
 * HTTP status of the answer, or 0 when none came. */
static int ask(const char *url, const char *method, const char *path, unsigned timeout_ms)
{
    unsigned port;
    char token[128];
    if (!parse_url(url, &port, token, sizeof token))
        return 0;
    char req[512], resp[64];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%u\r\n%s%s%sContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n",
                     method, path, port, token[0] ? "Authorization: token " : "", token,
                     token[0] ? "\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof req ||
        kh_loopback_exchange(port, req, (size_t)n, resp, sizeof resp, timeout_ms) < 12)
        return 0;
    if (strncmp(resp, "HTTP/1.", 7) != 0 || resp[8] != ' ')
        return 0;
    return atoi(resp + 9);
}

/* The page at url is a kaohe serve that knows its secret. */
static bool answers(const char *url)
{
    return ask(url, "GET", "/api/state", 3000) == 200;
}

static long read_pid(const char *path)
{
    char buf[32];
    if (!first_line(path, buf, sizeof buf))
        return 0;
    long pid = strtol(buf, NULL, 10);
    return pid > 0 ? pid : 0;
}

typedef struct files {
    char *url, *pid, *log, *log1;
} files;

static bool files_of(const kh_starter *st, files *f)
{
    f->url = kh_strprintf("%s/%s", st->state, KH_STARTER_URL);
    f->pid = kh_strprintf("%s/%s", st->state, KH_STARTER_PID);
    f->log = kh_strprintf("%s/%s", st->state, KH_STARTER_LOG);
    f->log1 = kh_strprintf("%s/%s.1", st->state, KH_STARTER_LOG);
    return f->url && f->pid && f->log && f->log1;
}

static void files_free(files *f)
{
    kh_free(f->url);
    kh_free(f->pid);
    kh_free(f->log);
    kh_free(f->log1);
}

/* Forget the page: its address and process id. */
static void forget(const files *f)
{
    remove(f->url);
    remove(f->pid);
}

kh_status kh_starter_start(const kh_starter *st, char *url, size_t n, bool *reused, kh_diags *d)
{
    *reused = false;
    if (n)
        url[0] = '\0';
    files f = {0};
    kh_status rc = KH_ERR_IO;
    long pid = -1;
    if (!files_of(st, &f)) {
        rc = KH_ERR_NOMEM;
        goto cleanup;
    }
    if (make_dirs(st->state) != 0) {
        char eb[128];
        kh_diags_add(d, KH_ERROR, st->state, NULL, NULL, 0, _("cannot create the folder: %s"),
                     kh_errno_text(errno, eb, sizeof eb));
        goto cleanup;
    }
    /* The page started before for this user, when it still answers. */
    if (first_line(f.url, url, n) && answers(url)) {
        *reused = true;
        rc = KH_OK;
        goto cleanup;
    }
    forget(&f);
    kh_replace_file(f.log, f.log1);
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", st->port);
    const char *argv[] = {st->exe, "serve", "--listen", listen, "--workspace", st->workspace,
                          "--url-file", f.url, "--desktop", f.log, NULL};
    pid = kh_spawn_detached(argv, f.log);
    if (pid < 0) {
        char eb[128];
        kh_diags_add(d, KH_ERROR, st->exe, NULL, NULL, 0, _("cannot start the program: %s"),
                     kh_errno_text(errno, eb, sizeof eb));
        goto cleanup;
    }
    FILE *pf = fopen(f.pid, "wb");
    if (pf) {
        fprintf(pf, "%ld\n", pid);
        fclose(pf);
    }
    unsigned wait_ms = (st->wait_s ? st->wait_s : 30) * 1000u;
    int64_t start = kh_now_ns();
    for (;;) {
        if (first_line(f.url, url, n) && answers(url)) {
            rc = KH_OK;
            goto cleanup;
        }
        if (!kh_process_alive(pid)) {
            /* it may have written the address just before it ended */
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("kaohe serve ended without starting the page; what it said is in %s"),
                         f.log);
            break;
        }
        if ((kh_now_ns() - start) / 1000000 >= (int64_t)wait_ms) {
            kh_process_kill(pid);
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                         _("the page did not answer within %u seconds and kaohe serve was "
                           "stopped; what it said is in %s"),
                         wait_ms / 1000, f.log);
            break;
        }
        kh_sleep_ms(STEP_MS);
    }
    forget(&f);
    if (n)
        url[0] = '\0';
cleanup:
    files_free(&f);
    return rc;
}

kh_status kh_starter_stop(const kh_starter *st, bool *was_running, kh_diags *d)
{
    *was_running = false;
    files f = {0};
    kh_status rc = KH_OK;
    char url[512];
    if (!files_of(st, &f)) {
        rc = KH_ERR_NOMEM;
        goto cleanup;
    }
    long pid = read_pid(f.pid);
    if (!first_line(f.url, url, sizeof url) || !answers(url)) {
        forget(&f);
        goto cleanup;
    }
    *was_running = true;
    ask(url, "POST", "/api/stop", 3000);
    int64_t start = kh_now_ns();
    while (answers(url) || (pid && kh_process_alive(pid))) {
        if ((kh_now_ns() - start) / 1000000 >= STOP_WAIT_MS) {
            /* Still answering with this start's secret: the server of
             * the process id written at its start, ended by force. */
            if (answers(url) && (!pid || kh_process_kill(pid) != 0)) {
                kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                             _("the page did not stop (kaohe serve, process %ld)"), pid);
                rc = KH_ERR_IO;
            }
            break;
        }
        kh_sleep_ms(STEP_MS);
    }
    forget(&f);
cleanup:
    files_free(&f);
    return rc;
}
