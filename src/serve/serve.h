/*
 * serve.h - what the areas of kaohe serve share: the server, one request
 * being received, one scoring run.  Internal to src/serve/.
 *
 * The areas, one file each, every one over the library and the
 * workspace, none over another area:
 *   server.c   start, stop, routing of a request to its area
 *   http.c     answers (JSON, files, errors), a request's private folder
 *              and what every area reads a request with (its parameters,
 *              its JSON body, its user) and answers with (refusals, the
 *              online form's JSON pieces)
 *   upload.c   receiving multipart parts, unpacking .zip uploads
 *   session.c  logins, sessions, the same-origin rule, the Host check
 *              and the secret of a server without accounts
 *   guard.c    the connections: a deadline for a request's head, a least
 *              rate for its body, the slowest shed when too many wait
 *   rubrics.c  the rubrics a request sees (shipped, workspace, uploaded),
 *              the workspace's roster over them, the online forms a user
 *              may see
 *   scoring.c  one scoring run over a request's or the workspace's files
 *   journal.c  the workspace's change history as the page shows it, the
 *              files found missing, the desktop starter's log
 *   ranking.c  POST /api/rank, the downloads, recording uploads
 *   blank.c    blank checklists
 *   state.c    the page's state and the workspace's settings
 *   publication.c  公示, 申诉, 复核 and 定稿
 *   evidence.c 佐证材料: a unit's attachments per check point
 *   filling.c  the online 填报 of a unit's checklist (/api/fill...)
 *   review.c   the bureau's 考评: the board, a unit's review (/api/review...)
 *   users.c    the accounts on the page (admins), fillers for the roster
 */
#ifndef KH_SERVE_H
#define KH_SERVE_H

#include "server.h"
#include "accounts.h"
#include "batch.h"
#include "fill.h"
#include "workspace.h"

#include <cJSON.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#define COOKIE "kaohe_session"

struct kh_server {
    struct MHD_Daemon *d;
    const kh_registry *reg;   /* the shipped rubrics and --rubric files */
    kh_workspace *ws;         /* or NULL */
    kh_accounts *acc;         /* or NULL: no login (this machine only) */
    kh_sessions *sess;
    bool tls;
    char *cert, *key;         /* PEM, kept while the daemon runs */
    /* One password check at a time: each takes ~75 ms and 64 MiB
     * (Argon2id), and 32 at once would be 2 GiB. */
    pthread_mutex_t login_lock;
    char url[256];            /* with ?token=... when there is a token */
    /* Who may ask (session.c): the names the Host header may give, and
     * on this machine without accounts the secret made at start. */
    bool loopback;            /* listening on 127.x.x.x */
    char **host_names;        /* accepted Host names, not on loopback */
    size_t nhost_names;
    char token[KH_SESSION_TOKEN_LEN + 1]; /* "" when not needed */
    char token_cookie[48];    /* its cookie's name, with the port */
    char *desktop_log;        /* --desktop LOG, or NULL */
    void (*on_stop)(void *);  /* after POST /api/stop was answered */
    void *on_stop_arg;
    struct srv_guard *guard;  /* guard.c */
    atomic_bool ready;        /* url and token_cookie written (they need the port) */
};

/* ---- files of a request ---- */

/* P_DROPPED: an archive's entry that could not be unpacked (the archive's
 * message says why). */
typedef enum part_kind { P_CHECKLIST, P_ZIP, P_RUBRIC, P_ROSTER, P_IGNORED, P_DROPPED } part_kind;

typedef struct saved {
    char *path;  /* where it was saved (in the request's folder) */
    char *name;  /* what the office called it: never used as a path */
    part_kind kind;
} saved;

enum { F_KIND, F_REASON, F_UNITS, F_RUBRIC, F_NAME, F_PASSWORD, F_YEAR, F_GRADES, F_QUOTA,
       F_ISSUER, F_NFIELDS };

/* Who is asking (session.c fills it in when the request starts):
 * R_ADMIN 管理员 (bureau staff; every account of a users file without
 * roles, and the page on this machine without accounts), R_REVIEWER
 * 考评员, R_FILLER 填报员 (bound to request.unit, one roster unit), or
 * R_NONE (not logged in). */
typedef enum srv_role { R_NONE, R_ADMIN, R_REVIEWER, R_FILLER } srv_role;

/* The largest JSON body a request may send (Content-Type:
 * application/json; its bytes in request.body). */
#define SRV_MAX_JSON (1u << 20)

/* One request being received. */
typedef struct request {
    struct MHD_PostProcessor *pp;
    char dir[4096];        /* the private folder ("" for requests without one) */
    FILE *cur;             /* the file part being written */
    saved *files;
    size_t nfiles, cap;
    size_t nchecklists;    /* files that count towards KH_SERVE_MAX_FILES */
    uint64_t bytes, cur_bytes;
    int status;            /* 0, or the HTTP status of the refusal */
    char *why;             /* the refusal, in Chinese */
    kh_buf fields[F_NFIELDS];
    kh_diags msgs;         /* what the page shows besides the result */
    char user[128];        /* the session's user ("" without accounts) */
    srv_role role;         /* what user may do (see srv_role) */
    char unit[256];        /* R_FILLER: the roster unit it fills for; else "" */
    bool must_change;      /* its password must be changed before anything else */
    bool is_post;
    bool json;             /* a JSON body (not a form): in body */
    kh_buf body;           /* the JSON body, at most SRV_MAX_JSON bytes */
} request;

/* Saved path -> the name the office gave (kh_batch_set_labels). */
typedef struct label_map {
    const char **path, **name;
    size_t n;
} label_map;

/* One scoring run. */
typedef struct run {
    kh_registry *reg;
    kh_batch *b;
    kh_roster *roster;
    label_map labels;
    char **ws_paths, **ws_names;
    size_t nws;
    size_t nrefed;            /* the last nrefed of ws_paths: kept rejected uploads */
    char *issuer;             /* the workspace's 制表单位 (kh_options.issuer), or NULL */
} run;

typedef enum what { W_RESULT, W_RANKING, W_SCORESHEETS, W_JSON, W_CSV } what;

/* http.c */
void srv_refuse(request *q, int status, const char *why);
void srv_remove_tree(const char *dir, int depth);
enum MHD_Result srv_send_text(struct MHD_Connection *c, unsigned status, const char *type,
                              const char *body, size_t len, const char *cookie);
enum MHD_Result srv_send_json(struct MHD_Connection *c, unsigned status, cJSON *j,
                              const char *cookie);
enum MHD_Result srv_send_error(struct MHD_Connection *c, unsigned status, const char *why);
char *srv_slurp(const char *path, size_t *len);
enum MHD_Result srv_send_file(struct MHD_Connection *c, const char *path, const char *type,
                              const char *ascii, const char *name);
enum MHD_Result srv_send_file_fd(struct MHD_Connection *c, const char *path, const char *type,
                                 const char *ascii, const char *name);
bool srv_add_messages(cJSON *a, const kh_diags *d);
enum MHD_Result srv_send_diags(struct MHD_Connection *c, unsigned status, const char *title,
                               const kh_diags *d);
enum MHD_Result srv_send_save_failure(struct MHD_Connection *c, kh_status st);
/* The request's JSON body as an object, or NULL when it is not one
 * (the page's 400: SRV_NOT_JSON). */
cJSON *srv_json_body(const request *q);
#define SRV_NOT_JSON "请求的内容不是 JSON 对象"
/* A string of the JSON body (NULL: none), else of the query string. */
const char *srv_param(struct MHD_Connection *c, const cJSON *body, const char *key);
/* A new object, array a's last item; NULL when memory ran out. */
cJSON *srv_add_object(cJSON *a);
/* v as key's string, or null when v is NULL. */
void srv_add_str_or_null(cJSON *o, const char *key, const char *v);
/* Who a change is recorded as: the session's user, "本机" without
 * accounts. */
const char *srv_user(const request *q);
/* The online form's values (fill.h) as /api/fill and /api/review send
 * them: a unit's status {state, returned, reason, user, at, changed};
 * a check point {id, label, kind ("has" for 有无), need (of a count)}
 * added to array a (NULL when memory ran out); the engine's issues of a
 * score as o's "issues": [{cp, message}]. */
cJSON *srv_fill_status_json(const kh_fill_status *st);
cJSON *srv_add_checkpoint_json(cJSON *a, const kh_checkpoint *cp);
/* One edit per item of the array answers in *e (kh_free it), its check
 * point (the item's "cp") set: 0, or with *why 413 (more than 10000
 * items), 503, or 400 no_cp (an item without a string "cp"). */
int srv_new_edits(const cJSON *answers, const char *no_cp, kh_fill_edit **e, const char **why);
/* An edit's text from the JSON value v: its string; "" for null, which
 * clears as "" does; NULL (leave it) when absent. */
const char *srv_edit_text(const cJSON *v);
/* The workspace's 填报 deadline as o's "deadline" (null: none). */
void srv_add_fill_deadline(cJSON *o, kh_server *s);
void srv_add_fill_issues(cJSON *o, const kh_rubric *r, const kh_fill_scored *sc);
void srv_request_free(request *q);
enum MHD_Result srv_finish(request *q, enum MHD_Result r);
bool srv_request_folder(request *q);

/* upload.c */
enum MHD_Result srv_on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                            const char *filename, const char *content_type,
                            const char *transfer_encoding, const char *data, uint64_t off,
                            size_t size);
void srv_unpack_zips(request *q);

/* session.c */
enum MHD_Result srv_answer_login(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_logout(kh_server *s, struct MHD_Connection *c);
bool srv_same_origin(kh_server *s, struct MHD_Connection *c);
bool srv_host_allowed(kh_server *s, struct MHD_Connection *c);
/* The rule of srv_host_allowed for the Host header host: on loopback,
 * 127.x.x.x, localhost, [::1]; else one of names ("0.0.0.0": any IPv4
 * address); any port or none. */
bool srv_host_ok(const char *host, bool loopback, const char *const *names, size_t nnames);
bool srv_token_ok(kh_server *s, struct MHD_Connection *c);
/* May q's user see and change unit's record?  Admins and reviewers any
 * unit; a 填报员 only its own (request.unit, compared byte for byte). */
bool srv_may_unit(const request *q, const char *unit);
/* Is q's user bureau staff (管理员 or 考评员)? */
bool srv_is_staff(const request *q);
enum MHD_Result srv_answer_token(kh_server *s, struct MHD_Connection *c, const char *token);
/* Who is asking: q->user, q->role, q->unit, q->must_change from the
 * session cookie and the account as it is now (a disabled or removed
 * account is no one: its session ends). */
void srv_identify(kh_server *s, struct MHD_Connection *c, request *q);
/* The access rules by URL, checked when a request starts: a login first
 * (401), a forced password change first (403 with "code":
 * "password_change_required"), the admins' areas (403).  True when
 * refused, with the answer in *answer. */
bool srv_gate(kh_server *s, struct MHD_Connection *c, request *q, const char *url,
              enum MHD_Result *answer);
/* "admin", "reviewer", "filler", or NULL for R_NONE. */
const char *srv_role_name(srv_role r);
enum MHD_Result srv_answer_password(kh_server *s, struct MHD_Connection *c, request *q);

/* guard.c */
struct srv_guard *srv_guard_new(void);
void srv_guard_free(struct srv_guard *g);
bool srv_guard_start(struct srv_guard *g);
void srv_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
void srv_guard_head_done(struct MHD_Connection *c, bool body);
void srv_guard_body(struct MHD_Connection *c, size_t n);
void srv_guard_busy(struct MHD_Connection *c);
bool srv_guard_completed(struct MHD_Connection *c);
void srv_guard_stop_after(struct MHD_Connection *c);

/* http.c: request folders of servers that are no longer running */
void srv_sweep_request_folders(void);

/* rubrics.c */
kh_registry *srv_request_registry(kh_server *s, request *q, bool store);
/* The rubrics of the request (srv_request_registry, not stored) in *reg
 * and the workspace's roster over them in *roster (NULL without one or
 * when it does not load: the ranking shows why).  False when memory ran
 * out. */
bool srv_request_roster(kh_server *s, request *q, kh_registry **reg, kh_roster **roster);
/* What a list of the online forms needs: the request's rubrics, the
 * workspace's roster over them (NULL: none) and every form's status
 * (kh_fill_status_all's, sorted by rubric and unit). */
typedef struct srv_forms {
    kh_registry *reg;
    kh_roster *roster;
    kh_fill_status *all;
    size_t n;
} srv_forms;
/* Load f (srv_request_roster, kh_fill_status_all; the messages of a
 * status that cannot be read are dropped): KH_OK, KH_ERR_NOMEM, or the
 * status read's failure.  srv_forms_free f whatever it returned. */
kh_status srv_forms_load(kh_server *s, request *q, srv_forms *f);
void srv_forms_free(srv_forms *f);
/* The online forms (unit, rubric) of f q's user may see, each once: the
 * roster's in its order, then those with a record only (a unit not, or
 * no longer, on the roster).  *i starts at 0; each call gives the next
 * form in *unit, *r and *fs (NULL: nothing saved yet), false after the
 * last. */
bool srv_next_form(const request *q, const srv_forms *f, size_t *i, const char **unit,
                   const kh_rubric **r, const kh_fill_status **fs);

/* scoring.c */
void srv_run_free(run *r);
kh_status srv_score(kh_server *s, request *q, run *r, bool from_ws, bool full, kh_diags *notes);
kh_status srv_set_grades(kh_batch *b, const char *grades, const char *quota, kh_diags *d);

/* journal.c */
cJSON *srv_history_json(kh_server *s);
cJSON *srv_failed_uploads_json(kh_server *s);
void srv_add_desktop_and_missing(kh_server *s, cJSON *j);

/* ranking.c */
what srv_what_of(struct MHD_Connection *c);
enum MHD_Result srv_answer_rank(kh_server *s, struct MHD_Connection *c, request *q);

/* blank.c */
enum MHD_Result srv_answer_blank(kh_server *s, struct MHD_Connection *c, request *q);

/* state.c */
enum MHD_Result srv_answer_state(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_settings(kh_server *s, struct MHD_Connection *c, request *q);

/* publication.c */
enum MHD_Result srv_answer_appeals(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_published(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_publication_post(kh_server *s, struct MHD_Connection *c, request *q,
                                            const char *url);
enum MHD_Result srv_answer_appeal_evidence(kh_server *s, struct MHD_Connection *c, request *q);

/* evidence.c */
enum MHD_Result srv_answer_evidence_list(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_evidence_add(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_evidence_file(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_evidence_delete(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_evidence_quota(kh_server *s, struct MHD_Connection *c, request *q);
/* GET /api/export: the year as one .zip (export.h), for an admin. */
enum MHD_Result srv_answer_export(kh_server *s, struct MHD_Connection *c, request *q);
/* filling.c */
/* Every /api/fill... request (GETs at head time, POSTs once received);
 * url is the request's path. */
enum MHD_Result srv_answer_fill(kh_server *s, struct MHD_Connection *c, request *q,
                                const char *url);
/* What a /api/fill request does to a unit's form: read it, change the
 * unit's 自评 (a 填报员 of the unit or an admin), change the 考评 (staff),
 * an admin's act (退回, the deadline). */
typedef enum srv_fill_act { FA_READ, FA_SELF, FA_REVIEW, FA_ADMIN } srv_fill_act;
/* May q's user do act on unit's form (unit NULL: on none in particular)?
 * 0, or the HTTP status (401, 403) with *why in Chinese. */
int srv_fill_may(const request *q, const char *unit, srv_fill_act act, const char **why);
/* users.c */
enum MHD_Result srv_answer_users(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_users_sheet(kh_server *s, struct MHD_Connection *c, request *q);
enum MHD_Result srv_answer_users_change(kh_server *s, struct MHD_Connection *c, request *q,
                                        const char *url);

/* review.c */
/* Every /api/review... request (GETs at head time, POSTs once received);
 * url is the request's path. */
enum MHD_Result srv_answer_review(kh_server *s, struct MHD_Connection *c, request *q,
                                  const char *url);
/* The online 自评 of every unit whose 考评 is done, beside it in b (the
 * workspace's ranking): kh_batch_add_self_unit.  Before kh_batch_finish. */
kh_status srv_review_add_selves(kh_server *s, kh_batch *b, const kh_registry *reg);

#endif
