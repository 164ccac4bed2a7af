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

/* The users file: UTF-8 text, one account a line, "NAME:HASH", HASH the
 * output of libsodium's crypto_pwhash_str ("$argon2id$..."; opslimit and
 * memlimit crypto_pwhash_*_INTERACTIVE).  NAME is 1..KH_ACCOUNT_NAME_MAX
 * bytes of valid UTF-8 with no ':', no control character and no space
 * (ASCII white space, U+3000) at either end, and appears once.  Empty
 * lines (or only spaces and tabs) and lines starting with '#' are
 * ignored; a UTF-8 byte-order mark and CRLF line ends are accepted. */
#define KH_ACCOUNT_NAME_MAX 64
#define KH_PASSWORD_MIN 8 /* bytes */

typedef struct kh_accounts kh_accounts;

/* Read the users file at path into a new *out (kh_accounts_free it).
 * KH_OK; KH_ERR_INPUT with a diagnostic per malformed line (file and line
 * number), *out NULL; KH_ERR_IO (a missing file too) or KH_ERR_NOMEM.
 * Also prepares the dummy hash of kh_accounts_verify, so the first login
 * does not pay for it. */
kh_status kh_accounts_load(const char *path, kh_accounts **out, kh_diags *d);
size_t kh_accounts_count(const kh_accounts *a);
void kh_accounts_free(kh_accounts *a);

/* Add name to the users file at path, or replace its password: the other
 * lines are kept byte for byte, the file replaced atomically (outfile.h).
 * A new file gets mode 0600, a replaced one keeps its mode.  KH_ERR_USAGE
 * with a message when name is not a valid name or password has fewer than
 * KH_PASSWORD_MIN bytes; KH_ERR_IO, KH_ERR_NOMEM.  Calls in one process
 * are serialised; two processes writing at once may lose one change. */
kh_status kh_accounts_set_password(const char *path, const char *name, const char *password,
                                   kh_diags *d);

/* True when name has an account in a and password is its password.  An
 * unknown name costs one verification too (a dummy hash), so that the
 * time taken does not tell which names exist.  a is only read: any number
 * of threads may verify at once. */
bool kh_accounts_verify(const kh_accounts *a, const char *name, const char *password);

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
