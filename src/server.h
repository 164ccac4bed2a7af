/*
 * server.h - kaohe serve: the page an office uses in a browser
 * (server.c says what it serves, doc/serve.md why).
 */
#ifndef KH_SERVER_H
#define KH_SERVER_H

#include "common.h"

#define KH_STR_(x) #x
#define KH_STR(x) KH_STR_(x)

/* Limits of one request; a refusal is a Chinese message and a 4xx. */
#define KH_SERVE_MAX_FILE_MB 32      /* one file, also one entry of a .zip */
#define KH_SERVE_MAX_FILE ((uint64_t)KH_SERVE_MAX_FILE_MB << 20)
#define KH_SERVE_MAX_REQUEST_MB 512  /* bytes received, and bytes unpacked */
#define KH_SERVE_MAX_REQUEST ((uint64_t)KH_SERVE_MAX_REQUEST_MB << 20)
#define KH_SERVE_MAX_FILES 2000      /* files, counting those inside a .zip */
#define KH_SERVE_MAX_FIELD (64u << 10) /* a typed field: a reason, a list of units */
#define KH_SERVE_MAX_CONN 32         /* connections at once */
#define KH_SERVE_MAX_WAITING 8       /* of them, waiting for their request's head... */
#define KH_SERVE_SLOW_HEAD_MS 500    /* ...past this long, before a new one sheds them */
#define KH_SERVE_PER_ADDRESS 8       /* of them, from one address (not on 127.x.x.x) */
#define KH_SERVE_HEAD_S 10           /* a request's line and headers: within this */
#define KH_SERVE_MIN_RATE 1024       /* bytes a second, a body's least rate... */
#define KH_SERVE_RATE_WINDOW_S 10    /* ...over each of these */
#define KH_SERVE_IDLE_S 60           /* a connection silent this long is closed */
#define KH_SERVE_SESSION_S (8 * 3600) /* a login lasts a working day of use */

#endif
