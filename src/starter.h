/*
 * starter.h - the desktop start: kaohe start and kaohe stop, which
 * 启动考核.bat, 停止考核.bat and a double click on kaohe.exe are thin calls
 * of.  The start runs `kaohe serve` on 127.0.0.1 for this user with the
 * secret of that start in its address, waits until the page answers (not
 * a fixed pause), and gives the address to open; when the page it started
 * before still answers, that one is given again.  Nothing fails silently
 * and nothing is left running: a server that ends or does not answer in
 * time is reported with its log, and one that does not answer is stopped.
 * No Windows tool (curl.exe, tasklist) is needed, so the same runs on
 * every Windows 10/11 and under Wine.
 */
#ifndef KH_STARTER_H
#define KH_STARTER_H

#include "kaohe.h"

#include <stdbool.h>
#include <stddef.h>

/* In the state folder: the page's address (with its secret), the server's
 * process id, the server's output (the previous start's in LOG.1). */
#define KH_STARTER_URL "url.txt"
#define KH_STARTER_PID "pid.txt"
#define KH_STARTER_LOG "serve.log"

typedef struct kh_starter {
    const char *exe;        /* the kaohe program that serves */
    const char *state;      /* the state folder (made when missing) */
    const char *workspace;  /* serve --workspace */
    unsigned port;          /* 0: a free one */
    unsigned wait_s;        /* how long the page may take to answer; 0: 30 */
} kh_starter;

/* Start the page, or find the one started before still answering
 * (*reused true); its address into url (n bytes).  KH_OK; KH_ERR_IO with
 * the reason in d: the state folder cannot be made, the server cannot be
 * started, it ended without answering (a busy port, a workspace that
 * cannot be opened: its log says which), or it did not answer in time
 * (then it was stopped).  On failure no server of this start runs. */
kh_status kh_starter_start(const kh_starter *st, char *url, size_t n, bool *reused, kh_diags *d);

/* Stop the page the start gave (POST /api/stop with its secret; when it
 * does not end within five seconds, ended by force) and forget it;
 * *was_running false when no page of this user answered.  KH_OK, or
 * KH_ERR_IO with the reason in d when it could not be stopped. */
kh_status kh_starter_stop(const kh_starter *st, bool *was_running, kh_diags *d);

#endif
