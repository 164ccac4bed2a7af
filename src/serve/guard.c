/*
 * guard.c - the connections, so that slow clients cannot starve the rest
 * (a slowloris: connections that send a request's head a line every few
 * seconds, each holding a slot, all 32 of them).
 *
 * Every connection is known from the moment it is accepted
 * (MHD_OPTION_NOTIFY_CONNECTION) and in one of three phases:
 *   head   until its request line and headers are in (on_request's first
 *          call); at most KH_SERVE_HEAD_S seconds, counted from the
 *          connection or from the end of its previous request
 *   body   while a POST's body comes: at least KH_SERVE_MIN_RATE bytes a
 *          second over every KH_SERVE_RATE_WINDOW_S seconds
 *   busy   answered by kaohe (scoring may take long): no deadline
 * A connection past its deadline is shut down (shutdown(2)): the thread
 * libmicrohttpd gives it wakes to a closed socket and ends it.  A watch
 * thread looks four times a second.
 *
 * And when a new connection comes while KH_SERVE_MAX_CONN are open, the
 * one that has waited longest in its head is shut down at once (when
 * none waits, the new one is): a client that sends its request promptly
 * gets a slot, however many slow ones there are.  When
 * KH_SERVE_MAX_WAITING or more are in their head, a new connection also
 * sheds the oldest of them if it has waited KH_SERVE_SLOW_HEAD_MS (a
 * burst of prompt clients, a browser's six connections, is left alone).  (libmicrohttpd's own limit, above ours, refuses a connection
 * before anyone hears of it; so it is set higher and this is the limit.)
 * Libmicrohttpd 0.9.75 has no deadline for a request's head: its
 * connection timeout counts from the last byte received.
 */
#include "serve.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum phase { PH_HEAD, PH_BODY, PH_BUSY } phase;

typedef struct conn {
    struct MHD_Connection *c;
    intptr_t fd;
    phase ph;
    int64_t since;          /* ms: the phase began */
    uint64_t bytes;         /* of the body so far */
    int64_t window_at;      /* ms: the rate window began... */
    uint64_t window_bytes;  /* ...with so many bytes */
    bool cut;               /* shut down by the guard */
    bool stop_after;        /* POST /api/stop: stop once answered */
    struct srv_guard *g;
    struct conn *prev, *next;
} conn;

struct srv_guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t watcher;
    bool watching, quit;
    conn *head;
    size_t n;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* With g->mu held. */
static void cut(conn *k)
{
    if (!k->cut) {
        k->cut = true;
        kh_socket_shutdown(k->fd);
    }
}

static void *watch(void *arg)
{
    struct srv_guard *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->quit) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->cv, &g->mu, &until);
        int64_t now = now_ms();
        for (conn *k = g->head; k; k = k->next) {
            if (k->cut)
                continue;
            if (k->ph == PH_HEAD && now - k->since > KH_SERVE_HEAD_S * 1000) {
                cut(k);
            } else if (k->ph == PH_BODY && now - k->window_at >= KH_SERVE_RATE_WINDOW_S * 1000) {
                if (k->bytes - k->window_bytes <
                    (uint64_t)KH_SERVE_MIN_RATE * KH_SERVE_RATE_WINDOW_S) {
                    cut(k);
                } else {
                    k->window_at = now;
                    k->window_bytes = k->bytes;
                }
            }
        }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

struct srv_guard *srv_guard_new(void)
{
    struct srv_guard *g = kh_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    return g;
}

bool srv_guard_start(struct srv_guard *g)
{
    g->watching = pthread_create(&g->watcher, NULL, watch, g) == 0;
    return g->watching;
}

/* After the daemon stopped (no connection is left). */
void srv_guard_free(struct srv_guard *g)
{
    if (!g)
        return;
    if (g->watching) {
        pthread_mutex_lock(&g->mu);
        g->quit = true;
        pthread_cond_signal(&g->cv);
        pthread_mutex_unlock(&g->mu);
        pthread_join(g->watcher, NULL);
    }
    while (g->head) {
        conn *k = g->head;
        g->head = k->next;
        kh_free(k);
    }
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    kh_free(g);
}

void srv_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    kh_server *s = cls;
    struct srv_guard *g = s->guard;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn *k = *socket_context;
        if (!k)
            return;
        pthread_mutex_lock(&g->mu);
        if (k->prev)
            k->prev->next = k->next;
        else
            g->head = k->next;
        if (k->next)
            k->next->prev = k->prev;
        g->n--;
        pthread_mutex_unlock(&g->mu);
        kh_free(k);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    conn *k = kh_calloc(1, sizeof *k);
    if (!k || !ci) {
        /* Not watched, so not let in: a socket it cannot cut. */
        kh_free(k);
        if (ci)
            kh_socket_shutdown((intptr_t)ci->connect_fd);
        return;
    }
    k->c = c;
    k->g = g;
    k->fd = (intptr_t)ci->connect_fd;
    k->ph = PH_HEAD;
    k->since = now_ms();
    pthread_mutex_lock(&g->mu);
    size_t waiting = 0;
    conn *oldest = NULL;
    for (conn *o = g->head; o; o = o->next) {
        if (o->cut || o->ph != PH_HEAD)
            continue;
        waiting++;
        if (!oldest || o->since < oldest->since)
            oldest = o;
    }
    size_t open = g->n + 1;
    for (conn *o = g->head; o; o = o->next)
        open -= o->cut; /* going already */
    if (open > KH_SERVE_MAX_CONN) {
        if (oldest)
            cut(oldest); /* the slowest makes room */
        else
            cut(k);      /* all busy: this one is refused */
    } else if (waiting >= KH_SERVE_MAX_WAITING && oldest &&
               k->since - oldest->since >= KH_SERVE_SLOW_HEAD_MS) {
        cut(oldest);     /* too many slow heads: the slowest goes */
    }
    k->next = g->head;
    if (g->head)
        g->head->prev = k;
    g->head = k;
    g->n++;
    pthread_mutex_unlock(&g->mu);
    *socket_context = k;
}

static conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* c's connection enters phase ph (a new phase restarts its clock). */
static void set_phase(struct MHD_Connection *c, phase ph)
{
    conn *k = conn_of(c);
    if (!k)
        return;
    pthread_mutex_lock(&k->g->mu);
    int64_t now = now_ms();
    if (k->ph != ph || ph == PH_HEAD) {
        k->ph = ph;
        k->since = now;
        if (ph == PH_BODY) {
            k->bytes = k->window_bytes = 0;
            k->window_at = now;
        }
    }
    pthread_mutex_unlock(&k->g->mu);
}

void srv_guard_head_done(struct MHD_Connection *c, bool body)
{
    set_phase(c, body ? PH_BODY : PH_BUSY);
}

void srv_guard_busy(struct MHD_Connection *c)
{
    set_phase(c, PH_BUSY);
}

void srv_guard_body(struct MHD_Connection *c, size_t n)
{
    conn *k = conn_of(c);
    if (!k)
        return;
    pthread_mutex_lock(&k->g->mu);
    k->bytes += n;
    pthread_mutex_unlock(&k->g->mu);
}

void srv_guard_stop_after(struct MHD_Connection *c)
{
    conn *k = conn_of(c);
    if (k) {
        pthread_mutex_lock(&k->g->mu);
        k->stop_after = true;
        pthread_mutex_unlock(&k->g->mu);
    }
}

/* A request of c was answered: the connection waits for the head of its
 * next one (keep-alive), against the clock again.  True when the answer
 * was to POST /api/stop. */
bool srv_guard_completed(struct MHD_Connection *c)
{
    conn *k = conn_of(c);
    if (!k)
        return false;
    set_phase(c, PH_HEAD);
    pthread_mutex_lock(&k->g->mu);
    bool stop = k->stop_after;
    k->stop_after = false;
    pthread_mutex_unlock(&k->g->mu);
    return stop;
}
