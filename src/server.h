/*
 * server.h - kaohe serve: the page an office uses in a browser
 * (server.c says what it serves and its limits).
 */
#ifndef KH_SERVER_H
#define KH_SERVER_H

#include "common.h"

#define KH_STR_(x) #x
#define KH_STR(x) KH_STR_(x)

#define KH_SERVE_MAX_FILE_MB 32
#define KH_SERVE_MAX_FILE ((uint64_t)KH_SERVE_MAX_FILE_MB << 20)
#define KH_SERVE_MAX_REQUEST_MB 512
#define KH_SERVE_MAX_REQUEST ((uint64_t)KH_SERVE_MAX_REQUEST_MB << 20)
#define KH_SERVE_MAX_FILES 2000
#define KH_SERVE_MAX_CONN 32
#define KH_SERVE_IDLE_S 60

#endif
