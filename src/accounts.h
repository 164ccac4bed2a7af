/*
 * accounts.h - who may use `kaohe serve`: the users file (names and
 * Argon2id password hashes, libsodium), the sessions of those who logged
 * in (random tokens kept in memory only), and the limit on failed logins.
 * Everything here may be called from the server's connection threads.
 */
#ifndef KH_ACCOUNTS_H
#define KH_ACCOUNTS_H

#include "common.h"

#include <time.h>

/* ---- accounts ---- */

/* The users file: UTF-8 text, one account a line,
 * "NAME:HASH[:ATTRIBUTE]...", HASH the output of libsodium's
 * crypto_pwhash_str ("$argon2id$..."; opslimit and memlimit
 * crypto_pwhash_*_INTERACTIVE).  NAME is 1..KH_ACCOUNT_NAME_MAX bytes of
 * valid UTF-8 with no ':', no control character and no space (ASCII
 * white space, U+3000) at either end, and appears once.  The attributes,
 * each at most once, in any order but unit= last:
 *   admin | reviewer | filler   the role (none: admin, so that a file of
 *                               "NAME:HASH" lines is a file of admins)
 *   change-password             the password must be changed at the next
 *                               login before anything else is served
 *   disabled                    the account may not log in
 *   unit=UNIT                   a filler's roster unit, the rest of the
 *                               line (it may hold ':'); fillers only, and
 *                               every filler has one
 * Empty lines (or only spaces and tabs) and lines starting with '#' are
 * ignored; a UTF-8 byte-order mark and CRLF line ends are accepted. */
#define KH_ACCOUNT_NAME_MAX 64
#define KH_ACCOUNT_UNIT_MAX 255 /* bytes */
#define KH_PASSWORD_MIN 8 /* bytes */
#define KH_INITIAL_PASSWORD_LEN 12 /* characters of a password kaohe makes */

typedef struct kh_accounts kh_accounts;

/* What an account may do: 管理员 (bureau staff), 考评员 (inspectors),
 * 填报员 (a unit's own, bound to one roster unit). */
typedef enum kh_role { KH_ROLE_ADMIN, KH_ROLE_REVIEWER, KH_ROLE_FILLER } kh_role;

/* An account as the users file says it is (its password aside). */
typedef struct kh_account_info {
    kh_role role;
    char unit[KH_ACCOUNT_UNIT_MAX + 1]; /* KH_ROLE_FILLER: its unit; else "" */
    bool must_change;                   /* change-password */
    bool disabled;
} kh_account_info;

/* "admin", "reviewer", "filler"; kh_role_parse: the role of such a word
 * (false when it is none of them). */
const char *kh_role_name(kh_role r);
bool kh_role_parse(const char *word, kh_role *r);

/* Read the users file at path into a new *out (kh_accounts_free it).
 * KH_OK; KH_ERR_INPUT with a diagnostic per malformed line (file and line
 * number), *out NULL; KH_ERR_IO (a missing file too) or KH_ERR_NOMEM.
 * Also prepares the dummy hash of kh_accounts_verify, so the first login
 * does not pay for it.  The accounts remember path: the changes below
 * given them write that file and then change them, under a lock of
 * their own, so that any thread may read them meanwhile. */
kh_status kh_accounts_load(const char *path, kh_accounts **out, kh_diags *d);
size_t kh_accounts_count(const kh_accounts *a);
void kh_accounts_free(kh_accounts *a);

/* The account name in a: true with *info filled, false when there is
 * none (or a, name or info is NULL). */
bool kh_accounts_get(const kh_accounts *a, const char *name, kh_account_info *info);

/* fn(arg, name, info) for every account of a, in the file's order, with
 * the accounts locked for reading (fn must not change them). */
void kh_accounts_each(const kh_accounts *a,
                      void (*fn)(void *arg, const char *name, const kh_account_info *info),
                      void *arg);

/* Add name to the users file at path, or replace its password (its
 * attributes kept; a new account is an admin): the other lines are kept
 * byte for byte, the file replaced atomically (outfile.h).  A new file
 * gets mode 0600, a replaced one keeps its mode.  KH_ERR_USAGE with a
 * message when name is not a valid name or password has fewer than
 * KH_PASSWORD_MIN bytes; KH_ERR_INPUT when the file, changed, would not
 * load (its messages); KH_ERR_IO, KH_ERR_NOMEM.  Calls in one process
 * are serialised; two processes writing at once may lose one change. */
kh_status kh_accounts_set_password(const char *path, const char *name, const char *password,
                                   kh_diags *d);

/* kh_accounts_set_password, and the account's role set to role (unit:
 * a filler's roster unit, required for one and refused for the others,
 * at most KH_ACCOUNT_UNIT_MAX bytes of UTF-8 without control characters;
 * compared byte for byte with the names of the records).  When live is
 * not NULL (the accounts loaded from path), they change too.  must_change:
 * the password is to be changed at the first login (one kaohe made). */
kh_status kh_accounts_add(const char *path, kh_accounts *live, const char *name,
                          const char *password, kh_role role, const char *unit, bool must_change,
                          kh_diags *d);

/* The users file a was read from. */
const char *kh_accounts_path(const kh_accounts *a);

/* Set name's password in a's file and in a; must_change: it is to be
 * changed at the next login (a reset by an admin) or not (changed by its
 * owner).  KH_ERR_USAGE when there is no such account or the password is
 * too short (messages). */
kh_status kh_accounts_change_password(kh_accounts *a, const char *name, const char *password,
                                      bool must_change, kh_diags *d);

/* Disable name's account (it may no longer log in) or enable it again.
 * KH_ERR_USAGE when there is no such account, or when it would leave no
 * enabled admin. */
kh_status kh_accounts_set_disabled(kh_accounts *a, const char *name, bool disabled,
                                   kh_diags *d);

/* An account made by kh_accounts_add_unit_users. */
typedef struct kh_new_account {
    char *unit, *name;
    char password[KH_INITIAL_PASSWORD_LEN + 1]; /* wiped by kh_new_accounts_free */
} kh_new_account;
void kh_new_accounts_free(kh_new_account *v, size_t n);

/* A password kaohe makes: KH_INITIAL_PASSWORD_LEN characters drawn
 * uniformly (randombytes_uniform) from letters and digits that cannot be
 * mistaken for one another (no 0 O o 1 l I). */
void kh_accounts_random_password(char out[KH_INITIAL_PASSWORD_LEN + 1]);

/* One filler (填报员) for each of the n units that has none yet, with a
 * random initial password to change at the first login, added to the
 * users file at path (and to live, when not NULL), all in one write.
 * Each is named after its unit when that is a valid name no account has
 * (else the name with 2, 3 ... after it, cut to fit).  The accounts made
 * in *out (*nout of them, in the units' order; kh_new_accounts_free).
 * KH_ERR_USAGE when the file has no enabled admin (someone must be able
 * to run the year), a unit is not a valid unit name (messages).  Hashing
 * takes ~75 ms an account. */
kh_status kh_accounts_add_unit_users(const char *path, kh_accounts *live,
                                     const char *const *units, size_t n, kh_new_account **out,
                                     size_t *nout, kh_diags *d);

/* True when name has an account in a and password is its password.  An
 * unknown name costs one verification too (a dummy hash), so that the
 * time taken does not tell which names exist.  Any number of threads may
 * verify at once (a disabled account verifies: the caller refuses it). */
bool kh_accounts_verify(const kh_accounts *a, const char *name, const char *password);

/* The workbook handed out to the units (账号分发表): one row per account
 * of v — 被考核单位, 用户名, 初始密码, 网址 (url, the page's address) —
 * written to path through a temporary with mode 0600 (it holds
 * passwords).  accounts_out.c. */
kh_status kh_write_account_sheet(const char *path, const kh_new_account *v, size_t n,
                                 const char *url, kh_diags *d);

/* ---- sessions ---- */

/* A session is a random token (32 bytes from randombytes_buf, as 64 hex
 * digits) kept in memory only, ended after ttl seconds without use (each
 * use restarts the count).  At most KH_SESSIONS_MAX are live: a new one
 * past that ends the one unused the longest.  All calls lock s. */
#define KH_SESSION_TOKEN_LEN 64
#define KH_SESSIONS_MAX 1000

typedef struct kh_sessions kh_sessions;

/* A new session table (NULL when out of memory or libsodium cannot start). */
kh_sessions *kh_sessions_new(unsigned ttl_s);
void kh_sessions_free(kh_sessions *s);

/* Where s reads the time (seconds); NULL: time().  For tests. */
void kh_sessions_set_clock(kh_sessions *s, time_t (*now)(void));

/* Start a session for user (1..KH_ACCOUNT_NAME_MAX bytes): its token in
 * token; false when out of memory or user is too long. */
bool kh_sessions_create(kh_sessions *s, const char *user, char token[KH_SESSION_TOKEN_LEN + 1]);

/* The user of the live session token, copied into user (n bytes), the
 * session's time restarted: true; false when there is none (ended,
 * expired, never made) or the name does not fit in n.  Tokens are
 * compared in constant time (sodium_memcmp). */
bool kh_sessions_user(kh_sessions *s, const char *token, char *user, size_t n);

/* End the session token (logging out); nothing when there is none. */
void kh_sessions_end(kh_sessions *s, const char *token);

/* End every session of user but the one of token keep (may be NULL): its
 * password was changed or reset, or it was disabled. */
void kh_sessions_end_user(kh_sessions *s, const char *user, const char *keep);

/* ---- the limit on failed logins ----
 *
 * A guess is counted before it is verified (kh_login_begin reserves it,
 * kh_login_end settles it), so guesses sent at once count like guesses
 * sent one by one: at most KH_LOGIN_MAX_FAILS guesses from one address,
 * and from one address at one name, are verified within
 * KH_LOGIN_WINDOW_S seconds, whatever the concurrency.  Past that, that
 * address (or that address at that name) is refused until the oldest of
 * those failures is KH_LOGIN_WINDOW_S old.
 *
 * A name alone is never locked (anyone knowing it could lock its owner
 * out): after KH_LOGIN_MAX_FAILS failures in a row at one name, from
 * anywhere, each further guess at it waits 1, 2, 4 ... seconds, at most
 * KH_LOGIN_NAME_DELAY_S, before it is verified; an address that has not
 * failed is only slowed.  A success starts the name and the pair afresh,
 * never the address.  At most KH_LOGIN_KEYS_MAX addresses, pairs and
 * names are remembered: past that the one unused the longest is
 * forgotten, those still refusing logins last, those being verified
 * never. */
#define KH_LOGIN_MAX_FAILS 5
#define KH_LOGIN_WINDOW_S (15 * 60)
#define KH_LOGIN_NAME_DELAY_S 30
#define KH_LOGIN_KEYS_MAX 4096

/* May addr (any text naming the client; NULL: not counted) guess user's
 * password (NULL: not counted)?  When so: true, the guess is counted as
 * being verified until kh_login_end, and *delay_s (if not NULL) gets the
 * seconds to wait before verifying it (0 mostly).  When not: false, and
 * *wait_s (if not NULL) gets the seconds until it may. */
bool kh_login_begin(kh_sessions *s, const char *addr, const char *user, unsigned *wait_s,
                    unsigned *delay_s);

/* The guess kh_login_begin allowed was verified: it failed, or it
 * succeeded, which forgets the failures of that pair and of that name
 * (not those of the address). */
void kh_login_end(kh_sessions *s, const char *addr, const char *user, bool succeeded);

#endif
