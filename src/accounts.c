/*
 * accounts.c - the users file, the sessions and the limit on failed
 * logins of `kaohe serve` (see accounts.h).
 */
#include "accounts.h"
#include "outfile.h"
#include "text.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

/* ---- the users file ---- */

typedef struct account {
    char *name, *hash;
} account;

struct kh_accounts {
    account *v;
    size_t n, cap;
};

/* The hash an unknown name is verified against, made once with the
 * parameters of real ones so that it costs what a real verification
 * does ("" when libsodium could not make it). */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void make_dummy(void)
{
    static const char pw[] = "not the password of anyone";
    if (sodium_init() < 0 ||
        crypto_pwhash_str(dummy_hash, pw, sizeof pw - 1, OPSLIMIT, MEMLIMIT) != 0)
        dummy_hash[0] = '\0';
}

/* Why name (len bytes) cannot be a user name (a reason msgid), or NULL. */
static const char *name_problem(const char *name, size_t len)
{
    if (len == 0)
        return N_("it is empty");
    if (len > KH_ACCOUNT_NAME_MAX)
        return N_("it is longer than 64 bytes");
    if (!kh_utf8_valid(name, len, NULL))
        return N_("it is not valid UTF-8");
    for (size_t i = 0; i < len;) {
        unsigned cp;
        i += kh_utf8_decode(name + i, &cp);
        if (cp == ':')
            return N_("it holds a colon (:)");
        /* C0, DEL and C1: they would forge lines in logs and pages. */
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
            return N_("it holds a control character");
    }
    size_t trimmed;
    kh_trim_n(name, len, &trimmed);
    /* "admin" and "admin " would look like one account. */
    if (trimmed != len)
        return N_("it starts or ends with a space");
    return NULL;
}

/* The length of a UTF-8 byte-order mark at the start of text (0 or 3):
 * Notepad writes one. */
static size_t bom_len(const kh_buf *text)
{
    return text->len >= 3 && memcmp(text->s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* The next line of text from *pos: its start and length without "\n" or
 * "\r\n"; *pos moves past its end.  False at the end of the text. */
static bool next_line(const kh_buf *text, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= text->len)
        return false;
    const char *s = text->s + *pos, *nl = memchr(s, '\n', text->len - *pos);
    size_t len = nl ? (size_t)(nl - s) : text->len - *pos;
    *pos += len + (nl != NULL);
    if (len && s[len - 1] == '\r')
        len--;
    *line = s;
    *n = len;
    return true;
}

enum { LINE_SKIP, LINE_NO_COLON, LINE_ENTRY };

/* What the line s (n bytes) is; for an entry, the length of its name. */
static int split_line(const char *s, size_t n, size_t *name_len)
{
    if (n == 0 || s[0] == '#')
        return LINE_SKIP;
    size_t blank = 0;
    while (blank < n && (s[blank] == ' ' || s[blank] == '\t'))
        blank++;
    if (blank == n)
        return LINE_SKIP;
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return LINE_NO_COLON;
    *name_len = (size_t)(colon - s);
    return LINE_ENTRY;
}

/* Whether h (n bytes) is a well-formed Argon2id hash string. */
static bool hash_ok(const char *h, size_t n)
{
    static const char prefix[] = "$argon2id$";
    if (n < sizeof prefix - 1 || n >= crypto_pwhash_STRBYTES ||
        memcmp(h, prefix, sizeof prefix - 1) != 0)
        return false;
    char z[crypto_pwhash_STRBYTES];
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)h[i] < 0x21 || (unsigned char)h[i] > 0x7E)
            return false;
    memcpy(z, h, n);
    z[n] = '\0';
    /* It parses the whole string without hashing: -1 is malformed. */
    return crypto_pwhash_str_needs_rehash(z, OPSLIMIT, MEMLIMIT) != -1;
}

static const account *find_account(const kh_accounts *a, const char *name, size_t len)
{
    for (size_t i = 0; i < a->n; i++)
        if (strlen(a->v[i].name) == len && memcmp(a->v[i].name, name, len) == 0)
            return &a->v[i];
    return NULL;
}

/* The whole file at path into text.  When missing_ok, a missing file is an
 * empty text (*existed false). */
static kh_status read_all(const char *path, kh_buf *text, bool missing_ok, bool *existed,
                          kh_diags *d)
{
    char eb[128];
    FILE *f = fopen(path, "rb");
    if (existed)
        *existed = f != NULL;
    if (!f) {
        if (missing_ok && errno == ENOENT)
            return KH_OK;
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot open the file: %s"),
                     kh_errno_text(errno, eb, sizeof eb));
        return KH_ERR_IO;
    }
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        kh_buf_add(text, chunk, got);
    int e = ferror(f) ? errno : 0;
    fclose(f);
    if (e) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot read the file: %s"),
                     kh_errno_text(e, eb, sizeof eb));
        return KH_ERR_IO;
    }
    return text->oom ? KH_ERR_NOMEM : KH_OK;
}

kh_status kh_accounts_load(const char *path, kh_accounts **out, kh_diags *d)
{
    *out = NULL;
    pthread_once(&dummy_once, make_dummy);
    kh_buf text = {0};
    kh_status st = read_all(path, &text, false, NULL, d);
    kh_accounts *a = st == KH_OK ? kh_calloc(1, sizeof *a) : NULL;
    if (st == KH_OK && !a)
        st = KH_ERR_NOMEM;
    size_t pos = bom_len(&text), n, nl = 0, nbad = 0;
    const char *s;
    long line = 0;
    while (st == KH_OK && next_line(&text, &pos, &s, &n)) {
        line++;
        int kind = split_line(s, n, &nl);
        if (kind == LINE_SKIP)
            continue;
        const char *why = kind == LINE_ENTRY ? name_problem(s, nl) : NULL;
        size_t before = nbad++;
        if (kind == LINE_NO_COLON)
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, line,
                         _("the line has no colon: each line is a user name, a colon (:) "
                           "and a password hash"));
        else if (why)
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, line,
                         _("the user name is not accepted: %s"), why);
        else if (!hash_ok(s + nl + 1, n - nl - 1))
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, line,
                         _("the password hash is not an Argon2id hash (\"$argon2id$...\"): "
                           "set the user's password again"));
        else if (find_account(a, s, nl))
            /* Which of the two would count is not for kaohe to guess. */
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, line,
                         _("the user %.*s is listed twice: remove one of the lines"), (int)nl, s);
        else
            nbad = before;
        if (nbad > before)
            continue;
        account acc = {kh_strndup(s, nl), kh_strndup(s + nl + 1, n - nl - 1)};
        if (!acc.name || !acc.hash || !kh_grow((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v)) {
            kh_free(acc.name);
            kh_free(acc.hash);
            st = KH_ERR_NOMEM;
        } else {
            a->v[a->n++] = acc;
        }
    }
    kh_buf_free(&text);
    if (st == KH_OK && nbad)
        st = KH_ERR_INPUT;
    if (st != KH_OK) {
        kh_accounts_free(a);
        return st;
    }
    *out = a;
    return KH_OK;
}

size_t kh_accounts_count(const kh_accounts *a)
{
    return a ? a->n : 0;
}

void kh_accounts_free(kh_accounts *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        kh_free(a->v[i].name);
        kh_free(a->v[i].hash);
    }
    kh_free(a->v);
    kh_free(a);
}

bool kh_accounts_verify(const kh_accounts *a, const char *name, const char *password)
{
    pthread_once(&dummy_once, make_dummy);
    if (!password)
        return false;
    const account *acc = a && name ? find_account(a, name, strlen(name)) : NULL;
    bool ok = crypto_pwhash_str_verify(acc ? acc->hash : dummy_hash, password,
                                       strlen(password)) == 0;
    return ok && acc;
}

/* Write text as the users file path, mode mode, through a temporary. */
static kh_status write_users(const char *path, const kh_buf *text, unsigned mode, kh_diags *d)
{
    kh_outfile o;
    kh_status st = kh_outfile_begin(&o, path, d);
    if (st != KH_OK)
        return st;
    /* Private before the hashes are in it, the temporary too.  (There is
     * no platform.h call for this yet; outfile.c uses fchmod the same way.) */
#ifndef _WIN32
    FILE *f = chmod(o.open_path, (mode_t)mode) == 0 ? fopen(o.open_path, "wb") : NULL;
#else
    FILE *f = fopen(o.open_path, "wb");
    (void)mode;
#endif
    int e = f ? 0 : errno ? errno : EIO;
    if (f) {
        bool ok = fwrite(text->s, 1, text->len, f) == text->len;
        ok = fclose(f) == 0 && ok;
        e = ok ? 0 : errno ? errno : EIO;
    }
    if (e) {
        char eb[128];
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot write the file: %s"),
                     kh_errno_text(e, eb, sizeof eb));
        kh_outfile_abort(&o);
        return KH_ERR_IO;
    }
    return kh_outfile_commit(&o, d);
}

/* Read, change and write the users file under one lock, so that two
 * threads of this process never lose each other's change. */
static pthread_mutex_t file_mu = PTHREAD_MUTEX_INITIALIZER;

kh_status kh_accounts_set_password(const char *path, const char *name, const char *password,
                                   kh_diags *d)
{
    size_t len = name ? strlen(name) : 0;
    const char *why = name_problem(name ? name : "", len);
    if (why) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, _("the user name is not accepted: %s"),
                     why);
        return KH_ERR_USAGE;
    }
    if (!password || strlen(password) < KH_PASSWORD_MIN) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("the password is too short: use at least %d letters, digits or signs"),
                     KH_PASSWORD_MIN);
        return KH_ERR_USAGE;
    }
    /* Hashed outside the lock: it takes a tenth of a second and 64 MiB. */
    char hash[crypto_pwhash_STRBYTES];
    if (sodium_init() < 0 ||
        crypto_pwhash_str(hash, password, strlen(password), OPSLIMIT, MEMLIMIT) != 0)
        return KH_ERR_NOMEM;

    pthread_mutex_lock(&file_mu);
    kh_buf text = {0}, out = {0};
    bool existed = false, done = false;
    kh_status st = read_all(path, &text, true, &existed, d);
    size_t pos = bom_len(&text), n, nl = 0;
    const char *s;
    kh_buf_add(&out, text.s, pos);
    while (st == KH_OK && next_line(&text, &pos, &s, &n)) {
        size_t whole = (size_t)(text.s + pos - s); /* with its line end */
        if (split_line(s, n, &nl) != LINE_ENTRY || nl != len || memcmp(s, name, len) != 0) {
            kh_buf_add(&out, s, whole);
        } else if (!done) {
            /* In the same place, with the same line end. */
            kh_buf_printf(&out, "%s:%s", name, hash);
            kh_buf_add(&out, s + n, whole - n);
            done = true;
        } /* else a second line of the name (a file load rejects): dropped */
    }
    if (st == KH_OK && !done) {
        if (out.len > bom_len(&text) && out.s[out.len - 1] != '\n')
            kh_buf_putc(&out, '\n');
        kh_buf_printf(&out, "%s:%s\n", name, hash);
    }
    if (st == KH_OK && out.oom)
        st = KH_ERR_NOMEM;
    /* A new file is private; a replaced one keeps what its owner chose. */
    struct stat sb;
    unsigned mode = existed && stat(path, &sb) == 0 ? (unsigned)sb.st_mode & 0777 : 0600;
    if (st == KH_OK)
        st = write_users(path, &out, mode, d);
    pthread_mutex_unlock(&file_mu);
    kh_buf_free(&text);
    kh_buf_free(&out);
    return st;
}

/* ---- sessions and failed logins ---- */

typedef struct session {
    char token[KH_SESSION_TOKEN_LEN]; /* hex digits, no NUL */
    char user[KH_ACCOUNT_NAME_MAX + 1];
    time_t last;   /* last use: for expiry */
    uint64_t used; /* order of use: for ending the oldest */
} session;

/* An address ("a" + it), an address and a user name ("p" + address +
 * "\n" + name) or a user name ("u" + it), with its latest failed logins
 * and the logins being verified now.  Longer keys are cut: only names no
 * account can have merge. */
#define KEY_MAX (2 * KH_ACCOUNT_NAME_MAX + 32)
typedef struct tracked {
    char key[KEY_MAX];
    time_t fails[KH_LOGIN_MAX_FAILS]; /* the latest failures, oldest first */
    unsigned n;
    unsigned inflight; /* reserved by kh_login_begin, not yet ended */
    unsigned streak;   /* failures since the last quiet window (names) */
    uint64_t used;
} tracked;

struct kh_sessions {
    pthread_mutex_t mu;
    unsigned ttl;
    time_t (*now)(void);
    uint64_t tick; /* counts uses, to tell which is oldest within a second */
    session *v;
    size_t n, cap;
    tracked *k;
    size_t nk, capk;
};

static time_t wall_clock(void)
{
    return time(NULL);
}

kh_sessions *kh_sessions_new(unsigned ttl_s)
{
    if (sodium_init() < 0)
        return NULL;
    kh_sessions *s = kh_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        kh_free(s);
        return NULL;
    }
    s->ttl = ttl_s;
    s->now = wall_clock;
    return s;
}

void kh_sessions_free(kh_sessions *s)
{
    if (!s)
        return;
    if (s->v)
        sodium_memzero(s->v, s->cap * sizeof *s->v);
    kh_free(s->v);
    kh_free(s->k);
    pthread_mutex_destroy(&s->mu);
    kh_free(s);
}

void kh_sessions_set_clock(kh_sessions *s, time_t (*now)(void))
{
    pthread_mutex_lock(&s->mu);
    s->now = now ? now : wall_clock;
    pthread_mutex_unlock(&s->mu);
}

/* A clock set back (wall time) counts as no time passed. */
static bool expired(const kh_sessions *s, const session *x, time_t now)
{
    return now > x->last && (uint64_t)(now - x->last) >= s->ttl;
}

static void drop_session(kh_sessions *s, size_t i)
{
    s->v[i] = s->v[--s->n];
    sodium_memzero(&s->v[s->n], sizeof s->v[s->n]);
}

bool kh_sessions_create(kh_sessions *s, const char *user, char token[KH_SESSION_TOKEN_LEN + 1])
{
    size_t len = user ? strlen(user) : 0;
    token[0] = '\0';
    if (len == 0 || len > KH_ACCOUNT_NAME_MAX)
        return false;
    unsigned char raw[KH_SESSION_TOKEN_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, KH_SESSION_TOKEN_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    pthread_mutex_lock(&s->mu);
    time_t now = s->now();
    for (size_t i = s->n; i-- > 0;)
        if (expired(s, &s->v[i], now))
            drop_session(s, i);
    session *x = NULL;
    if (s->n == KH_SESSIONS_MAX) {
        x = &s->v[0];
        for (size_t i = 1; i < s->n; i++)
            if (s->v[i].used < x->used)
                x = &s->v[i];
    } else if (kh_grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v)) {
        x = &s->v[s->n++];
    }
    if (x) {
        memcpy(x->token, token, KH_SESSION_TOKEN_LEN);
        memcpy(x->user, user, len + 1);
        x->last = now;
        x->used = ++s->tick;
    } else {
        sodium_memzero(token, KH_SESSION_TOKEN_LEN + 1);
    }
    pthread_mutex_unlock(&s->mu);
    return x != NULL;
}

/* The session of token (under s->mu), or -1.  Every session is compared,
 * in constant time, so the time taken says nothing about the token. */
static long find_session(const kh_sessions *s, const char *token)
{
    if (!token || strlen(token) != KH_SESSION_TOKEN_LEN)
        return -1;
    long hit = -1;
    for (size_t i = 0; i < s->n; i++)
        if (sodium_memcmp(s->v[i].token, token, KH_SESSION_TOKEN_LEN) == 0)
            hit = (long)i;
    return hit;
}

bool kh_sessions_user(kh_sessions *s, const char *token, char *user, size_t n)
{
    pthread_mutex_lock(&s->mu);
    time_t now = s->now();
    long i = find_session(s, token);
    if (i >= 0 && expired(s, &s->v[i], now)) {
        drop_session(s, (size_t)i);
        i = -1;
    }
    bool ok = i >= 0 && strlen(s->v[i].user) < n;
    if (ok) {
        memcpy(user, s->v[i].user, strlen(s->v[i].user) + 1);
        s->v[i].last = now;
        s->v[i].used = ++s->tick;
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void kh_sessions_end(kh_sessions *s, const char *token)
{
    pthread_mutex_lock(&s->mu);
    long i = find_session(s, token);
    if (i >= 0)
        drop_session(s, (size_t)i);
    pthread_mutex_unlock(&s->mu);
}

enum { K_ADDR, K_PAIR, K_NAME, K_N };

/* The keys of addr and user: address, pair, name ("" where one of them is
 * NULL: not counted). */
static void login_keys(const char *addr, const char *user, char keys[K_N][KEY_MAX])
{
    keys[K_ADDR][0] = keys[K_PAIR][0] = keys[K_NAME][0] = '\0';
    if (addr)
        snprintf(keys[K_ADDR], KEY_MAX, "a%s", addr);
    if (addr && user)
        snprintf(keys[K_PAIR], KEY_MAX, "p%s\n%s", addr, user);
    if (user)
        snprintf(keys[K_NAME], KEY_MAX, "u%s", user);
}

static tracked *find_key(kh_sessions *s, const char *key)
{
    for (size_t i = 0; i < s->nk; i++)
        if (strcmp(s->k[i].key, key) == 0)
            return &s->k[i];
    return NULL;
}

/* Failures of t within the window before now. */
static unsigned recent(const tracked *t, time_t now)
{
    unsigned r = 0;
    for (unsigned i = 0; i < t->n; i++)
        if (now < t->fails[i] || now - t->fails[i] < KH_LOGIN_WINDOW_S)
            r++; /* a clock set back counts them as recent */
    return r;
}

/* Seconds until the address or pair t lets a guess through again (0: it
 * does now): its recent failures and the guesses being verified are
 * KH_LOGIN_MAX_FAILS. */
static unsigned blocked_for(const tracked *t, time_t now)
{
    unsigned r = recent(t, now);
    if (r + t->inflight < KH_LOGIN_MAX_FAILS)
        return 0;
    if (t->inflight > 0 || r == 0)
        return 1; /* one being verified ends within a second or so */
    time_t until = t->fails[t->n - r] + KH_LOGIN_WINDOW_S;
    if (now >= until)
        return 1;
    /* A clock set back does not lock anyone out for longer than a window. */
    return until - now > KH_LOGIN_WINDOW_S ? KH_LOGIN_WINDOW_S : (unsigned)(until - now);
}

/* The delay of a guess at the name t: none for its first
 * KH_LOGIN_MAX_FAILS failures (and guesses being verified) in a row, then
 * 1, 2, 4 ... seconds, at most KH_LOGIN_NAME_DELAY_S. */
static unsigned name_delay(const tracked *t, time_t now)
{
    unsigned k = t->inflight;
    if (t->n && (now < t->fails[t->n - 1] || now - t->fails[t->n - 1] < KH_LOGIN_WINDOW_S))
        k += t->streak;
    if (k < KH_LOGIN_MAX_FAILS)
        return 0;
    k -= KH_LOGIN_MAX_FAILS;
    return k >= 5 ? KH_LOGIN_NAME_DELAY_S
                  : (1u << k) < KH_LOGIN_NAME_DELAY_S ? 1u << k : KH_LOGIN_NAME_DELAY_S;
}

static bool forgettable(const tracked *t, time_t now)
{
    return t->inflight == 0 && (t->n == 0 || (now >= t->fails[t->n - 1] &&
                                              now - t->fails[t->n - 1] >= KH_LOGIN_WINDOW_S));
}

/* The tracked key, made when missing: a fresh slot, or, when
 * KH_LOGIN_KEYS_MAX are tracked, one with nothing in the window, else the
 * one unused the longest among those not refusing logins, else among all;
 * never one being verified nor one used after since (made for the same
 * guess).  NULL when none can be had.  It may move the
 * others (the table grows): look them up again after. */
static tracked *get_key(kh_sessions *s, const char *key, time_t now, uint64_t since)
{
    if (!*key)
        return NULL;
    tracked *t = find_key(s, key);
    if (t) {
        t->used = ++s->tick;
        return t;
    }
    if (s->nk < KH_LOGIN_KEYS_MAX) {
        if (kh_grow((void **)&s->k, &s->capk, s->nk + 1, sizeof *s->k))
            t = &s->k[s->nk++];
    } else {
        bool t_blocks = true;
        for (size_t i = 0; i < s->nk; i++) {
            tracked *c = &s->k[i];
            if (c->inflight || c->used > since)
                continue; /* being verified, or made for this same guess */
            if (forgettable(c, now)) {
                t = c;
                break;
            }
            bool blocks = blocked_for(c, now) > 0;
            if (!t || (t_blocks && !blocks) || (blocks == t_blocks && c->used < t->used)) {
                t = c;
                t_blocks = blocks;
            }
        }
    }
    if (t) {
        memset(t, 0, sizeof *t);
        t->used = ++s->tick;
        memcpy(t->key, key, strnlen(key, KEY_MAX - 1)); /* keys are made that long at most */
    }
    return t;
}

bool kh_login_begin(kh_sessions *s, const char *addr, const char *user, unsigned *wait_s,
                    unsigned *delay_s)
{
    char keys[K_N][KEY_MAX];
    login_keys(addr, user, keys);
    unsigned wait = 0, delay = 0;
    pthread_mutex_lock(&s->mu);
    time_t now = s->now();
    /* Made first, then looked up: making one may move the others. */
    uint64_t since = s->tick;
    for (int i = 0; i < K_N; i++)
        get_key(s, keys[i], now, since);
    tracked *t[K_N];
    for (int i = 0; i < K_N; i++) {
        t[i] = *keys[i] ? find_key(s, keys[i]) : NULL;
        if (t[i])
            t[i]->used = ++s->tick;
    }
    for (int i = K_ADDR; i <= K_PAIR; i++) {
        unsigned w = t[i] ? blocked_for(t[i], now) : 0;
        if (w > wait)
            wait = w;
    }
    if (wait == 0) {
        if (t[K_NAME])
            delay = name_delay(t[K_NAME], now);
        for (int i = 0; i < K_N; i++)
            if (t[i])
                t[i]->inflight++;
    }
    pthread_mutex_unlock(&s->mu);
    if (wait_s)
        *wait_s = wait;
    if (delay_s)
        *delay_s = delay;
    return wait == 0;
}

void kh_login_end(kh_sessions *s, const char *addr, const char *user, bool succeeded)
{
    char keys[K_N][KEY_MAX];
    login_keys(addr, user, keys);
    pthread_mutex_lock(&s->mu);
    time_t now = s->now();
    for (int i = 0; i < K_N; i++) {
        tracked *t = *keys[i] ? find_key(s, keys[i]) : NULL;
        if (!t)
            continue; /* out of memory at the start: this one goes uncounted */
        if (t->inflight)
            t->inflight--;
        t->used = ++s->tick;
        if (succeeded) {
            /* The pair and the name start afresh; the address keeps its
             * failures (one account of one's own must not buy guesses at
             * others'). */
            if (i != K_ADDR)
                t->n = t->streak = 0;
            continue;
        }
        if (t->n && now >= t->fails[t->n - 1] &&
            now - t->fails[t->n - 1] >= KH_LOGIN_WINDOW_S)
            t->streak = 0;
        if (t->n == KH_LOGIN_MAX_FAILS)
            memmove(t->fails, t->fails + 1, --t->n * sizeof *t->fails);
        t->fails[t->n++] = now;
        t->streak++;
    }
    pthread_mutex_unlock(&s->mu);
}
