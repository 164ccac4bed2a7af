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
    char *unit; /* a filler's, else NULL */
    kh_role role;
    bool must_change, disabled;
} account;

struct kh_accounts {
    char *path; /* where they were read: changes write it */
    /* Readers (logins, each request's lookup) share it; a change swaps
     * the table under it. */
    pthread_rwlock_t lock;
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

static const char *const role_names[] = {"admin", "reviewer", "filler"};

const char *kh_role_name(kh_role r)
{
    return (unsigned)r < KH_ARRAY_LEN(role_names) ? role_names[r] : "admin";
}

bool kh_role_parse(const char *word, kh_role *r)
{
    for (size_t i = 0; word && i < KH_ARRAY_LEN(role_names); i++)
        if (strcmp(word, role_names[i]) == 0) {
            *r = (kh_role)i;
            return true;
        }
    return false;
}

/* Why text (len bytes) cannot be a name, checked as a user name
 * (colon) or as a unit: a reason msgid, or NULL. */
static const char *text_problem(const char *name, size_t len, size_t max, bool colon)
{
    if (len == 0)
        return N_("it is empty");
    if (len > max)
        return max == KH_ACCOUNT_NAME_MAX ? N_("it is longer than 64 bytes")
                                          : N_("it is longer than 255 bytes");
    if (!kh_utf8_valid(name, len, NULL))
        return N_("it is not valid UTF-8");
    for (size_t i = 0; i < len;) {
        unsigned cp;
        i += kh_utf8_decode(name + i, &cp);
        if (colon && cp == ':')
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

/* Why name (len bytes) cannot be a user name (a reason msgid), or NULL. */
static const char *name_problem(const char *name, size_t len)
{
    return text_problem(name, len, KH_ACCOUNT_NAME_MAX, true);
}

static const char *unit_problem(const char *unit, size_t len)
{
    return text_problem(unit, len, KH_ACCOUNT_UNIT_MAX, false);
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

static account *find_in(account *v, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i].name) == len && memcmp(v[i].name, name, len) == 0)
            return &v[i];
    return NULL;
}

static void account_clear(account *acc)
{
    kh_free(acc->name);
    kh_free(acc->hash);
    kh_free(acc->unit);
    *acc = (account){0};
}

/* The account of the entry s (n bytes, its name nl bytes) into *acc:
 * KH_OK; KH_ERR_INPUT with why in d (path and line: where it is), *acc
 * cleared; KH_ERR_NOMEM. */
static kh_status parse_entry(const char *s, size_t n, size_t nl, account *acc, const char *path,
                             long line, kh_diags *d)
{
    *acc = (account){.role = KH_ROLE_ADMIN};
    const char *why = name_problem(s, nl);
    if (why) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, line, _("the user name is not accepted: %s"),
                     why);
        return KH_ERR_INPUT;
    }
    const char *h = s + nl + 1, *end = s + n;
    const char *colon = memchr(h, ':', (size_t)(end - h));
    const char *hend = colon ? colon : end;
    if (!hash_ok(h, (size_t)(hend - h))) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, line, "%s",
                     _("the password hash is not an Argon2id hash (\"$argon2id$...\"): "
                       "set the user's password again"));
        return KH_ERR_INPUT;
    }
    bool have_role = false;
    kh_status st = KH_OK;
    for (const char *p = colon ? colon + 1 : end; p < end && st == KH_OK;) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        const char *w = c ? c : end;
        size_t wl = (size_t)(w - p);
        if (wl >= 5 && memcmp(p, "unit=", 5) == 0) {
            /* The rest of the line: a unit's name may hold ':'. */
            const char *u = p + 5;
            const char *uwhy = unit_problem(u, (size_t)(end - u));
            if (uwhy) {
                kh_diags_add(d, KH_ERROR, path, NULL, NULL, line, _("the unit is not accepted: %s"),
                             uwhy);
                st = KH_ERR_INPUT;
            } else if (!(acc->unit = kh_strndup(u, (size_t)(end - u)))) {
                st = KH_ERR_NOMEM;
            }
            break;
        }
        char word[32];
        kh_role r;
        snprintf(word, sizeof word, "%.*s", (int)(wl < sizeof word ? wl : sizeof word - 1), p);
        if (wl < sizeof word && kh_role_parse(word, &r) && !have_role) {
            acc->role = r;
            have_role = true;
        } else if (wl < sizeof word && strcmp(word, "change-password") == 0 && !acc->must_change) {
            acc->must_change = true;
        } else if (wl < sizeof word && strcmp(word, "disabled") == 0 && !acc->disabled) {
            acc->disabled = true;
        } else {
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, line,
                         _("'%.*s' is not an attribute of an account (admin, reviewer, filler, "
                           "change-password, disabled, unit=UNIT), or is given twice"),
                         (int)(wl > 64 ? 64 : wl), p);
            st = KH_ERR_INPUT;
        }
        p = c ? c + 1 : end;
    }
    if (st == KH_OK && acc->role == KH_ROLE_FILLER && !acc->unit) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, line, "%s",
                     _("a filler (填报员) needs its unit: add :unit=UNIT to the line"));
        st = KH_ERR_INPUT;
    }
    if (st == KH_OK && acc->role != KH_ROLE_FILLER && acc->unit) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, line, "%s",
                     _("only a filler (填报员) has a unit: remove unit= or add filler"));
        st = KH_ERR_INPUT;
    }
    if (st == KH_OK && (!(acc->name = kh_strndup(s, nl)) ||
                        !(acc->hash = kh_strndup(h, (size_t)(hend - h)))))
        st = KH_ERR_NOMEM;
    if (st != KH_OK)
        account_clear(acc);
    return st;
}

/* An account as its line (without the line end), appended to b: admins
 * without attributes are "NAME:HASH", as they always were. */
static void format_entry(kh_buf *b, const account *acc)
{
    kh_buf_printf(b, "%s:%s", acc->name, acc->hash);
    if (acc->role != KH_ROLE_ADMIN)
        kh_buf_printf(b, ":%s", kh_role_name(acc->role));
    if (acc->must_change)
        kh_buf_printf(b, ":change-password");
    if (acc->disabled)
        kh_buf_printf(b, ":disabled");
    if (acc->unit)
        kh_buf_printf(b, ":unit=%s", acc->unit);
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

static void table_free(account *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        account_clear(&v[i]);
    kh_free(v);
}

/* The accounts of text (the users file path, for the messages) into a
 * new *out (path remembered). */
static kh_status parse_text(const char *path, const kh_buf *text, kh_accounts **out, kh_diags *d)
{
    *out = NULL;
    kh_accounts *a = kh_calloc(1, sizeof *a);
    if (!a)
        return KH_ERR_NOMEM;
    if (pthread_rwlock_init(&a->lock, NULL) != 0) {
        kh_free(a);
        return KH_ERR_NOMEM;
    }
    kh_status st = (a->path = kh_strdup(path)) ? KH_OK : KH_ERR_NOMEM;
    size_t pos = bom_len(text), n, nl = 0, nbad = 0;
    const char *s;
    long line = 0;
    while (st == KH_OK && next_line(text, &pos, &s, &n)) {
        line++;
        int kind = split_line(s, n, &nl);
        if (kind == LINE_SKIP)
            continue;
        if (kind == LINE_NO_COLON) {
            nbad++;
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, line,
                         _("the line has no colon: each line is a user name, a colon (:) "
                           "and a password hash"));
            continue;
        }
        account acc;
        kh_status pe = parse_entry(s, n, nl, &acc, path, line, d);
        if (pe == KH_ERR_NOMEM) {
            st = KH_ERR_NOMEM;
        } else if (pe != KH_OK) {
            nbad++;
        } else if (find_in(a->v, a->n, acc.name, nl)) {
            /* Which of the two would count is not for kaohe to guess. */
            nbad++;
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, line,
                         _("the user %.*s is listed twice: remove one of the lines"), (int)nl, s);
            account_clear(&acc);
        } else if (!kh_grow((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v)) {
            account_clear(&acc);
            st = KH_ERR_NOMEM;
        } else {
            a->v[a->n++] = acc;
        }
    }
    if (st == KH_OK && nbad)
        st = KH_ERR_INPUT;
    if (st != KH_OK) {
        kh_accounts_free(a);
        return st;
    }
    *out = a;
    return KH_OK;
}

kh_status kh_accounts_load(const char *path, kh_accounts **out, kh_diags *d)
{
    *out = NULL;
    pthread_once(&dummy_once, make_dummy);
    kh_buf text = {0};
    kh_status st = read_all(path, &text, false, NULL, d);
    if (st == KH_OK)
        st = parse_text(path, &text, out, d);
    kh_buf_free(&text);
    return st;
}

size_t kh_accounts_count(const kh_accounts *a)
{
    if (!a)
        return 0;
    kh_accounts *m = (kh_accounts *)a; /* the lock only */
    pthread_rwlock_rdlock(&m->lock);
    size_t n = a->n;
    pthread_rwlock_unlock(&m->lock);
    return n;
}

void kh_accounts_free(kh_accounts *a)
{
    if (!a)
        return;
    table_free(a->v, a->n);
    kh_free(a->path);
    pthread_rwlock_destroy(&a->lock);
    kh_free(a);
}

static void info_of(const account *acc, kh_account_info *info)
{
    *info = (kh_account_info){.role = acc->role,
                              .must_change = acc->must_change,
                              .disabled = acc->disabled};
    if (acc->unit)
        snprintf(info->unit, sizeof info->unit, "%s", acc->unit);
}

bool kh_accounts_get(const kh_accounts *a, const char *name, kh_account_info *info)
{
    if (!a || !name || !info)
        return false;
    kh_accounts *m = (kh_accounts *)a;
    pthread_rwlock_rdlock(&m->lock);
    const account *acc = find_in(m->v, m->n, name, strlen(name));
    if (acc)
        info_of(acc, info);
    pthread_rwlock_unlock(&m->lock);
    return acc != NULL;
}

void kh_accounts_each(const kh_accounts *a,
                      void (*fn)(void *arg, const char *name, const kh_account_info *info),
                      void *arg)
{
    if (!a)
        return;
    kh_accounts *m = (kh_accounts *)a;
    pthread_rwlock_rdlock(&m->lock);
    for (size_t i = 0; i < m->n; i++) {
        kh_account_info info;
        info_of(&m->v[i], &info);
        fn(arg, m->v[i].name, &info);
    }
    pthread_rwlock_unlock(&m->lock);
}

bool kh_accounts_verify(const kh_accounts *a, const char *name, const char *password)
{
    pthread_once(&dummy_once, make_dummy);
    if (!password)
        return false;
    /* The hash copied out: the ~75 ms of verifying hold no lock. */
    char hash[crypto_pwhash_STRBYTES];
    bool known = false;
    if (a && name) {
        kh_accounts *m = (kh_accounts *)a;
        pthread_rwlock_rdlock(&m->lock);
        const account *acc = find_in(m->v, m->n, name, strlen(name));
        if (acc && strlen(acc->hash) < sizeof hash) {
            memcpy(hash, acc->hash, strlen(acc->hash) + 1);
            known = true;
        }
        pthread_rwlock_unlock(&m->lock);
    }
    bool ok = crypto_pwhash_str_verify(known ? hash : dummy_hash, password,
                                       strlen(password)) == 0;
    return ok && known;
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

/* One change of the users file (edit_users). */
typedef struct users_edit {
    const char *name; /* the account whose line change() rewrites, or NULL */
    /* Change *acc (parsed from its line; a new admin when create made
     * it): KH_OK, or a refusal with its message (cur: the file's
     * accounts before the change). */
    kh_status (*change)(account *acc, const kh_accounts *cur, void *arg, kh_diags *d);
    bool create;      /* no line of name: one is added */
    /* Lines to add at the end (each ending in "\n"), made knowing the
     * file's accounts before the change. */
    kh_status (*more)(const kh_accounts *cur, kh_buf *lines, void *arg, kh_diags *d);
    void *arg;
} users_edit;

static kh_status no_such_user(const char *name, kh_diags *d)
{
    kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, _("there is no account %s"), name);
    return KH_ERR_USAGE;
}

/* Apply e to the users file at path: the other lines kept byte for byte,
 * the result checked by loading it, written, then (live not NULL) made
 * the accounts of live. */
static kh_status edit_users(const char *path, kh_accounts *live, const users_edit *e,
                            kh_diags *d)
{
    pthread_once(&dummy_once, make_dummy);
    pthread_mutex_lock(&file_mu);
    kh_buf text = {0}, out = {0};
    kh_accounts *cur = NULL, *fresh = NULL;
    bool existed = false, done = false;
    size_t len = e->name ? strlen(e->name) : 0;
    kh_status st = read_all(path, &text, true, &existed, d);
    /* The file as it is: what the change may look at.  A broken line
     * (a file edited by hand) is reported by the check below. */
    if (st == KH_OK) {
        kh_diags quiet = {0};
        st = parse_text(path, &text, &cur, &quiet);
        /* Lines added knowing the accounts need them all read; a change
         * of one line may mend that line (a hash set again). */
        if (st == KH_ERR_INPUT && e->more)
            kh_diags_move(d, &quiet);
        else if (st == KH_ERR_INPUT)
            st = KH_OK;
        kh_diags_clear(&quiet);
    }
    size_t pos = bom_len(&text), n, nl = 0;
    const char *s;
    kh_buf_add(&out, text.s, pos);
    while (st == KH_OK && next_line(&text, &pos, &s, &n)) {
        size_t whole = (size_t)(text.s + pos - s); /* with its line end */
        if (!e->name || split_line(s, n, &nl) != LINE_ENTRY || nl != len ||
            memcmp(s, e->name, len) != 0) {
            kh_buf_add(&out, s, whole);
        } else if (!done) {
            /* In the same place, with the same line end.  A line that does
             * not parse (a bad hash) is made again from the name. */
            account acc;
            kh_status pe = parse_entry(s, n, nl, &acc, NULL, 0, NULL);
            if (pe == KH_ERR_NOMEM)
                st = KH_ERR_NOMEM;
            else if (pe != KH_OK && !(acc.name = kh_strdup(e->name)))
                st = KH_ERR_NOMEM;
            if (st == KH_OK)
                st = e->change(&acc, cur, e->arg, d);
            if (st == KH_OK) {
                format_entry(&out, &acc);
                kh_buf_add(&out, s + n, whole - n);
            }
            account_clear(&acc);
            done = true;
        } /* else a second line of the name (a file load rejects): dropped */
    }
    if (st == KH_OK && e->name && !done) {
        if (!e->create) {
            st = no_such_user(e->name, d);
        } else {
            account acc = {.role = KH_ROLE_ADMIN, .name = kh_strdup(e->name)};
            st = acc.name ? e->change(&acc, cur, e->arg, d) : KH_ERR_NOMEM;
            if (st == KH_OK) {
                if (out.len > bom_len(&text) && out.s[out.len - 1] != '\n')
                    kh_buf_putc(&out, '\n');
                format_entry(&out, &acc);
                kh_buf_putc(&out, '\n');
            }
            account_clear(&acc);
        }
    }
    if (st == KH_OK && e->more) {
        kh_buf lines = {0};
        st = e->more(cur, &lines, e->arg, d);
        if (st == KH_OK && lines.len) {
            if (out.len > bom_len(&text) && out.s[out.len - 1] != '\n')
                kh_buf_putc(&out, '\n');
            kh_buf_add(&out, lines.s, lines.len);
        }
        if (lines.s)
            sodium_memzero(lines.s, lines.len);
        kh_buf_free(&lines);
    }
    if (st == KH_OK && out.oom)
        st = KH_ERR_NOMEM;
    /* What is written must load: a server reading it must start. */
    if (st == KH_OK)
        st = parse_text(path, &out, &fresh, d);
    /* A new file is private; a replaced one keeps what its owner chose. */
    struct stat sb;
    unsigned mode = existed && stat(path, &sb) == 0 ? (unsigned)sb.st_mode & 0777 : 0600;
    if (st == KH_OK)
        st = write_users(path, &out, mode, d);
    if (st == KH_OK && live) {
        pthread_rwlock_wrlock(&live->lock);
        account *v = live->v;
        size_t nv = live->n;
        live->v = fresh->v;
        live->n = fresh->n;
        live->cap = fresh->cap;
        fresh->v = v;
        fresh->n = fresh->cap = nv;
        pthread_rwlock_unlock(&live->lock);
    }
    pthread_mutex_unlock(&file_mu);
    kh_accounts_free(fresh);
    kh_accounts_free(cur);
    kh_buf_free(&text);
    kh_buf_free(&out);
    return st;
}

static kh_status check_name(const char *name, kh_diags *d)
{
    const char *why = name_problem(name ? name : "", name ? strlen(name) : 0);
    if (why) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, _("the user name is not accepted: %s"),
                     _(why));
        return KH_ERR_USAGE;
    }
    return KH_OK;
}

/* The Argon2id hash of password into hash, after checking its length. */
static kh_status hash_password(const char *password, char hash[crypto_pwhash_STRBYTES],
                               kh_diags *d)
{
    if (!password || strlen(password) < KH_PASSWORD_MIN) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("the password is too short: use at least %d letters, digits or signs"),
                     KH_PASSWORD_MIN);
        return KH_ERR_USAGE;
    }
    /* Hashed outside any lock: it takes a tenth of a second and 64 MiB. */
    if (sodium_init() < 0 ||
        crypto_pwhash_str(hash, password, strlen(password), OPSLIMIT, MEMLIMIT) != 0)
        return KH_ERR_NOMEM;
    return KH_OK;
}

/* What a change of an account sets. */
typedef struct set_what {
    const char *hash;  /* a new hash, or NULL */
    int must_change;   /* 1, 0, -1: kept */
    int disabled;      /* 1, 0, -1: kept */
    bool set_role;
    kh_role role;
    const char *unit;
} set_what;

static size_t enabled_admins(const kh_accounts *cur, const char *except)
{
    size_t k = 0;
    for (size_t i = 0; cur && i < cur->n; i++)
        if (cur->v[i].role == KH_ROLE_ADMIN && !cur->v[i].disabled &&
            (!except || strcmp(cur->v[i].name, except) != 0))
            k++;
    return k;
}

static kh_status apply_set(account *acc, const kh_accounts *cur, void *arg, kh_diags *d)
{
    const set_what *w = arg;
    if (w->hash) {
        char *h = kh_strdup(w->hash);
        if (!h)
            return KH_ERR_NOMEM;
        if (acc->hash)
            sodium_memzero(acc->hash, strlen(acc->hash));
        kh_free(acc->hash);
        acc->hash = h;
    }
    if (w->must_change >= 0)
        acc->must_change = w->must_change;
    if (w->set_role) {
        char *u = w->unit ? kh_strdup(w->unit) : NULL;
        if (w->unit && !u)
            return KH_ERR_NOMEM;
        kh_free(acc->unit);
        acc->unit = u;
        acc->role = w->role;
    }
    if (w->disabled >= 0)
        acc->disabled = w->disabled;
    /* Somebody must be able to run the year. */
    bool was_admin = cur && find_in(cur->v, cur->n, acc->name, strlen(acc->name)) &&
                     find_in(cur->v, cur->n, acc->name, strlen(acc->name))->role == KH_ROLE_ADMIN &&
                     !find_in(cur->v, cur->n, acc->name, strlen(acc->name))->disabled;
    if (was_admin && (acc->role != KH_ROLE_ADMIN || acc->disabled) &&
        enabled_admins(cur, acc->name) == 0) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     _("%s is the only enabled admin: at least one must stay"), acc->name);
        return KH_ERR_USAGE;
    }
    return KH_OK;
}

kh_status kh_accounts_set_password(const char *path, const char *name, const char *password,
                                   kh_diags *d)
{
    kh_status st = check_name(name, d);
    char hash[crypto_pwhash_STRBYTES];
    if (st == KH_OK)
        st = hash_password(password, hash, d);
    if (st != KH_OK)
        return st;
    set_what w = {.hash = hash, .must_change = 0, .disabled = -1};
    users_edit e = {.name = name, .change = apply_set, .create = true, .arg = &w};
    return edit_users(path, NULL, &e, d);
}

static kh_status check_role_unit(kh_role role, const char *unit, kh_diags *d)
{
    if ((unsigned)role >= KH_ARRAY_LEN(role_names))
        return KH_ERR_USAGE;
    if (role == KH_ROLE_FILLER) {
        const char *why = unit_problem(unit ? unit : "", unit ? strlen(unit) : 0);
        if (why) {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, _("the unit is not accepted: %s"),
                         _(why));
            return KH_ERR_USAGE;
        }
    } else if (unit && *unit) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0,
                     "%s", _("only a filler (填报员) has a unit: remove unit= or add filler"));
        return KH_ERR_USAGE;
    }
    return KH_OK;
}

const char *kh_accounts_path(const kh_accounts *a)
{
    return a ? a->path : NULL;
}

kh_status kh_accounts_add(const char *path, kh_accounts *live, const char *name,
                          const char *password, kh_role role, const char *unit, bool must_change,
                          kh_diags *d)
{
    kh_status st = check_name(name, d);
    if (st == KH_OK)
        st = check_role_unit(role, unit, d);
    char hash[crypto_pwhash_STRBYTES];
    if (st == KH_OK)
        st = hash_password(password, hash, d);
    if (st != KH_OK)
        return st;
    set_what w = {.hash = hash, .must_change = must_change, .disabled = -1, .set_role = true,
                  .role = role, .unit = role == KH_ROLE_FILLER ? unit : NULL};
    users_edit e = {.name = name, .change = apply_set, .create = true, .arg = &w};
    return edit_users(path, live, &e, d);
}

kh_status kh_accounts_change_password(kh_accounts *a, const char *name, const char *password,
                                      bool must_change, kh_diags *d)
{
    if (!a || !name || !kh_accounts_get(a, name, &(kh_account_info){0}))
        return no_such_user(name ? name : "", d);
    char hash[crypto_pwhash_STRBYTES];
    kh_status st = hash_password(password, hash, d);
    if (st != KH_OK)
        return st;
    set_what w = {.hash = hash, .must_change = must_change, .disabled = -1};
    users_edit e = {.name = name, .change = apply_set, .arg = &w};
    return edit_users(a->path, a, &e, d);
}

kh_status kh_accounts_set_disabled(kh_accounts *a, const char *name, bool disabled,
                                   kh_diags *d)
{
    if (!a || !name)
        return no_such_user(name ? name : "", d);
    set_what w = {.must_change = -1, .disabled = disabled};
    users_edit e = {.name = name, .change = apply_set, .arg = &w};
    return edit_users(a->path, a, &e, d);
}

void kh_new_accounts_free(kh_new_account *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++) {
        kh_free(v[i].unit);
        kh_free(v[i].name);
    }
    sodium_memzero(v, n * sizeof *v);
    kh_free(v);
}

void kh_accounts_random_password(char out[KH_INITIAL_PASSWORD_LEN + 1])
{
    /* 54 characters: 12 of them are 69 bits. */
    static const char set[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    if (sodium_init() < 0) {
        out[0] = '\0';
        return;
    }
    for (int i = 0; i < KH_INITIAL_PASSWORD_LEN; i++)
        out[i] = set[randombytes_uniform((uint32_t)(sizeof set - 1))];
    out[KH_INITIAL_PASSWORD_LEN] = '\0';
}

typedef struct unit_users {
    const char *const *units;
    size_t n;
    kh_new_account *made;
    size_t nmade;
} unit_users;

static bool name_taken(const kh_accounts *cur, const unit_users *u, const char *name)
{
    if (cur && find_in(cur->v, cur->n, name, strlen(name)))
        return true;
    for (size_t i = 0; i < u->nmade; i++)
        if (strcmp(u->made[i].name, name) == 0)
            return true;
    return false;
}

static bool unit_has_filler(const kh_accounts *cur, const unit_users *u, const char *unit)
{
    for (size_t i = 0; cur && i < cur->n; i++)
        if (cur->v[i].role == KH_ROLE_FILLER && cur->v[i].unit &&
            strcmp(cur->v[i].unit, unit) == 0)
            return true;
    for (size_t i = 0; i < u->nmade; i++)
        if (strcmp(u->made[i].unit, unit) == 0)
            return true;
    return false;
}

/* A free name for unit's filler: the unit's own name, else with 2, 3 ...
 * after it; cut (at a character) to fit.  New string or NULL. */
static char *name_for(const kh_accounts *cur, const unit_users *u, const char *unit)
{
    for (unsigned k = 1; k < 1000; k++) {
        char tail[8] = "";
        if (k > 1)
            snprintf(tail, sizeof tail, "%u", k);
        size_t room = KH_ACCOUNT_NAME_MAX - strlen(tail), len = strlen(unit);
        if (len > room) {
            len = room;
            while (len && ((unsigned char)unit[len] & 0xC0) == 0x80)
                len--;
        }
        char *name = kh_strprintf("%.*s%s", (int)len, unit, tail);
        if (!name)
            return NULL;
        if (!name_problem(name, strlen(name)) && !name_taken(cur, u, name))
            return name;
        kh_free(name);
    }
    return NULL;
}

static kh_status add_unit_lines(const kh_accounts *cur, kh_buf *lines, void *arg, kh_diags *d)
{
    unit_users *u = arg;
    if (enabled_admins(cur, NULL) == 0) {
        kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, "%s",
                     _("the users file has no enabled admin: add one first (kaohe serve "
                       "--add-user NAME), who then runs the year"));
        return KH_ERR_USAGE;
    }
    if (!(u->made = kh_calloc(u->n ? u->n : 1, sizeof *u->made)))
        return KH_ERR_NOMEM;
    for (size_t i = 0; i < u->n; i++) {
        const char *unit = u->units[i];
        if (unit_has_filler(cur, u, unit))
            continue;
        kh_new_account *x = &u->made[u->nmade];
        char hash[crypto_pwhash_STRBYTES];
        kh_accounts_random_password(x->password);
        if (!(x->unit = kh_strdup(unit)) || !(x->name = name_for(cur, u, unit)) ||
            !x->password[0] ||
            crypto_pwhash_str(hash, x->password, strlen(x->password), OPSLIMIT, MEMLIMIT) != 0) {
            kh_free(x->unit);
            kh_free(x->name);
            *x = (kh_new_account){0};
            return KH_ERR_NOMEM;
        }
        u->nmade++;
        account acc = {.name = x->name, .hash = hash, .unit = x->unit,
                       .role = KH_ROLE_FILLER, .must_change = true};
        format_entry(lines, &acc);
        kh_buf_putc(lines, '\n');
    }
    (void)d;
    return lines->oom ? KH_ERR_NOMEM : KH_OK;
}

kh_status kh_accounts_add_unit_users(const char *path, kh_accounts *live,
                                     const char *const *units, size_t n, kh_new_account **out,
                                     size_t *nout, kh_diags *d)
{
    *out = NULL;
    *nout = 0;
    for (size_t i = 0; i < n; i++) {
        const char *why = unit_problem(units[i] ? units[i] : "", units[i] ? strlen(units[i]) : 0);
        if (why) {
            kh_diags_add(d, KH_ERROR, NULL, NULL, NULL, 0, _("the unit is not accepted: %s"),
                         _(why));
            return KH_ERR_USAGE;
        }
    }
    unit_users u = {.units = units, .n = n};
    users_edit e = {.more = add_unit_lines, .arg = &u};
    kh_status st = edit_users(path, live, &e, d);
    if (st != KH_OK) {
        kh_new_accounts_free(u.made, u.nmade);
        return st;
    }
    *out = u.made;
    *nout = u.nmade;
    return KH_OK;
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

void kh_sessions_end_user(kh_sessions *s, const char *user, const char *keep)
{
    pthread_mutex_lock(&s->mu);
    long k = keep ? find_session(s, keep) : -1;
    char kept[KH_SESSION_TOKEN_LEN];
    if (k >= 0)
        memcpy(kept, s->v[k].token, sizeof kept);
    for (size_t i = s->n; i-- > 0;)
        if (strcmp(s->v[i].user, user) == 0 &&
            (k < 0 || sodium_memcmp(s->v[i].token, kept, KH_SESSION_TOKEN_LEN) != 0))
            drop_session(s, i);
    sodium_memzero(kept, sizeof kept);
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
