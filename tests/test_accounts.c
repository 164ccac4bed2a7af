/* test_accounts.c - the accounts of `kaohe serve`: the users file read
 * (good files, every kind of bad line with its line number), passwords set
 * (file made 0600, then changed in place with the other lines kept),
 * verification, names refused; sessions (tokens, sliding expiry on a fake
 * clock, logout, the cap); the limit on failed logins: per address and
 * per address and name, guesses in flight counted, a name only slowed,
 * a success never clearing the address; and all of it from several
 * threads at once. */
#include "testutil.h"
#include "accounts.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>

/* ---- the users file ---- */

/* A fresh Argon2id hash of pw, as kaohe makes them. */
static void hash_of(const char *pw, char out[crypto_pwhash_STRBYTES])
{
    assert_true(sodium_init() >= 0);
    assert_int_equal(crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
}

/* The seconds a wrong password for name takes to verify: the least of
 * three tries, so that a busy machine does not make one look slow. */
static double seconds_of(const kh_accounts *a, const char *name)
{
    double best = 1e9;
    for (int i = 0; i < 3; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_false(kh_accounts_verify(a, name, "wrong password"));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (s < best)
            best = s;
    }
    return best;
}

static void load_good_file(void **state)
{
    const char *path = test_path(*state, "users");
    char h1[crypto_pwhash_STRBYTES], h2[crypto_pwhash_STRBYTES];
    hash_of("correct horse", h1);
    hash_of("两江镇的密码", h2);
    kh_buf b = {0};
    /* A byte-order mark, CRLF, a comment, an empty and a blank line. */
    kh_buf_printf(&b, "\xEF\xBB\xBF# users of kaohe serve\r\nalice:%s\r\n\n  \t\n张三:%s", h1, h2);
    test_write_file(path, kh_buf_str(&b));
    kh_buf_free(&b);

    kh_diags d = {0};
    kh_accounts *a = NULL;
    assert_int_equal(kh_accounts_load(path, &a, &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(kh_accounts_count(a), 2);
    assert_true(kh_accounts_verify(a, "alice", "correct horse"));
    assert_true(kh_accounts_verify(a, "张三", "两江镇的密码"));
    assert_false(kh_accounts_verify(a, "alice", "correct horse "));
    assert_false(kh_accounts_verify(a, "alice", "两江镇的密码")); /* another's password */
    assert_false(kh_accounts_verify(a, "Alice", "correct horse"));
    assert_false(kh_accounts_verify(a, "nobody", "correct horse"));
    assert_false(kh_accounts_verify(a, NULL, "correct horse"));
    assert_false(kh_accounts_verify(a, "alice", NULL));
    assert_false(kh_accounts_verify(NULL, "alice", "correct horse"));

    /* An unknown name takes as long as a wrong password (an Argon2id
     * verification, tens of milliseconds; a lookup alone is microseconds). */
    double known = seconds_of(a, "alice"), unknown = seconds_of(a, "nobody");
    if (unknown < known / 3)
        fail_msg("unknown name %.6f s, known name %.6f s", unknown, known);
    kh_accounts_free(a);

    /* An empty file is no accounts, not an error. */
    test_write_file(path, "");
    assert_int_equal(kh_accounts_load(path, &a, &d), KH_OK);
    assert_int_equal(kh_accounts_count(a), 0);
    assert_false(kh_accounts_verify(a, "alice", "correct horse"));
    kh_accounts_free(a);
    kh_accounts_free(NULL);
}

static void load_bad_lines(void **state)
{
    const char *path = test_path(*state, "users");
    char h[crypto_pwhash_STRBYTES];
    hash_of("password1", h);
    char long_name[KH_ACCOUNT_NAME_MAX + 2];
    memset(long_name, 'n', KH_ACCOUNT_NAME_MAX + 1);
    long_name[KH_ACCOUNT_NAME_MAX + 1] = '\0';
    kh_buf b = {0};
    kh_buf_printf(&b,
                  "# fine\n"
                  "just a name\n"        /* 2 */
                  " bob:%s\n"            /* 3 */
                  "carol:notahash\n"     /* 4 */
                  "dave:%s\n"            /* 5: fine */
                  "dave:%s\n"            /* 6 */
                  "e\x01ve:%s\n"         /* 7 */
                  "\xff\xfe:%s\n"        /* 8 */
                  "%s:%s\n"              /* 9 */
                  ":%s\n"                /* 10 */
                  "frank:$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo\n" /* 11 */
                  "grace:%.40s\n"        /* 12: cut short */
                  "henry  :%s\n",        /* 13 */
                  h, h, h, h, h, long_name, h, h, h, h);
    test_write_file(path, kh_buf_str(&b));
    kh_buf_free(&b);

    kh_diags d = {0};
    kh_accounts *a = (kh_accounts *)&d; /* must be set to NULL */
    assert_int_equal(kh_accounts_load(path, &a, &d), KH_ERR_INPUT);
    assert_null(a);
    if (d.n != 11)
        test_print_diags(&d);
    assert_int_equal(d.n, 11);
    char want[512];
#define WANT(i, line, msg)                                                    \
    snprintf(want, sizeof want, "%s:%d: %s", path, line, msg);                \
    assert_diag(&d, i, want)
    WANT(0, 2, "the line has no colon: each line is a user name, a colon (:) and a password hash");
    WANT(1, 3, "the user name is not accepted: it starts or ends with a space");
    const char *not_hash = "the password hash is not an Argon2id hash (\"$argon2id$...\"): "
                           "set the user's password again";
    WANT(2, 4, not_hash);
    WANT(3, 6, "the user dave is listed twice: remove one of the lines");
    WANT(4, 7, "the user name is not accepted: it holds a control character");
    WANT(5, 8, "the user name is not accepted: it is not valid UTF-8");
    WANT(6, 9, "the user name is not accepted: it is longer than 64 bytes");
    WANT(7, 10, "the user name is not accepted: it is empty");
    WANT(8, 11, not_hash);
    WANT(9, 12, not_hash);
    WANT(10, 13, "the user name is not accepted: it starts or ends with a space");
#undef WANT
    /* Chinese too (English until po/zh_CN.po has them). */
    assert_non_null(d.v[0].msg_zh);
    kh_diags_clear(&d);

    /* A missing file is an I/O error naming it. */
    assert_int_equal(kh_accounts_load(test_path(*state, "none"), &a, &d), KH_ERR_IO);
    assert_null(a);
    snprintf(want, sizeof want, "%s: cannot open the file: No such file or directory",
             test_path(*state, "none"));
    assert_diag(&d, 0, want);
    kh_diags_clear(&d);
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

/* The hash of name's line in the file at path (a new string), or NULL. */
static char *hash_in_file(const char *path, const char *name)
{
    char *text = test_slurp(path, NULL), *found = NULL;
    size_t n = strlen(name);
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            size_t len = nl ? (size_t)(nl - line) - n - 1 : strlen(line + n + 1);
            if (len && line[n + 1 + len - 1] == '\r')
                len--;
            assert_null(found); /* one line a name */
            found = strndup(line + n + 1, len);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return found;
}

static void set_password_creates_then_replaces(const char *dir)
{
    const char *path = test_path(dir, "users");
    kh_diags d = {0};
    /* Created, private, one line. */
    assert_int_equal(kh_accounts_set_password(path, "alice", "first password", &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(mode_of(path), 0600);
    char *h1 = hash_in_file(path, "alice");
    assert_non_null(h1);
    assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
    char *text = test_slurp(path, NULL);
    assert_int_equal(strlen(text), strlen("alice:") + strlen(h1) + 1);
    free(text);
    assert_int_equal(test_count_tmp(dir), 0);

    /* Other lines, a CRLF one and a last line without a line end. */
    char hb[crypto_pwhash_STRBYTES];
    hash_of("bob's password", hb);
    kh_buf b = {0};
    kh_buf_printf(&b, "# the office\r\nalice:%s\r\nbob:%s\n\n# end", h1, hb);
    test_write_file(path, kh_buf_str(&b));
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(kh_accounts_set_password(path, "alice", "second password", &d), KH_OK);
    char *h2 = hash_in_file(path, "alice");
    assert_non_null(h2);
    assert_string_not_equal(h1, h2);
    kh_buf want = {0};
    kh_buf_printf(&want, "# the office\r\nalice:%s\r\nbob:%s\n\n# end", h2, hb);
    text = test_slurp(path, NULL);
    assert_string_equal(text, kh_buf_str(&want));
    free(text);
    assert_int_equal(mode_of(path), 0600);

    /* A new name goes at the end, on a line of its own. */
    assert_int_equal(kh_accounts_set_password(path, "新用户", "third password", &d), KH_OK);
    char *h3 = hash_in_file(path, "新用户");
    kh_buf_printf(&want, "\n新用户:%s\n", h3);
    text = test_slurp(path, NULL);
    assert_string_equal(text, kh_buf_str(&want));
    free(text);

    /* Read back: the new password works, the old one does not. */
    kh_accounts *a = NULL;
    assert_int_equal(kh_accounts_load(path, &a, &d), KH_OK);
    assert_int_equal(kh_accounts_count(a), 3);
    assert_true(kh_accounts_verify(a, "alice", "second password"));
    assert_false(kh_accounts_verify(a, "alice", "first password"));
    assert_true(kh_accounts_verify(a, "bob", "bob's password"));
    assert_true(kh_accounts_verify(a, "新用户", "third password"));
    kh_accounts_free(a);

    /* A mode the owner chose is kept. */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(kh_accounts_set_password(path, "bob", "bob's new one", &d), KH_OK);
    assert_int_equal(mode_of(path), 0640);
    assert_int_equal(d.n, 0);
    assert_int_equal(test_count_tmp(dir), 0);
    free(h1);
    free(h2);
    free(h3);
    kh_buf_free(&b);
    kh_buf_free(&want);
    unlink(path);
}

/* Both ways kh_outfile writes: an anonymous file, and a named temporary. */
static void set_password_file(void **state)
{
    set_password_creates_then_replaces(*state);
    setenv("KAOHE_NO_ANONYMOUS_FILES", "1", 1);
    set_password_creates_then_replaces(*state);
    unsetenv("KAOHE_NO_ANONYMOUS_FILES");
}

static void set_password_refuses(void **state)
{
    const char *path = test_path(*state, "users");
    static const struct { const char *name, *reason; } bad[] = {
        {"a:b", "it holds a colon (:)"},
        {"tab\there", "it holds a control character"},
        {"line\nbreak", "it holds a control character"},
        {"del\x7f", "it holds a control character"},
        {"c1\xc2\x85", "it holds a control character"},
        {"", "it is empty"},
        {" alice", "it starts or ends with a space"},
        {"alice\xe3\x80\x80", "it starts or ends with a space"}, /* U+3000 */
        {"\xc0\xaf", "it is not valid UTF-8"},
        {"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", /* 65 */
         "it is longer than 64 bytes"},
    };
    kh_diags d = {0};
    char want[256];
    for (size_t i = 0; i < KH_ARRAY_LEN(bad); i++) {
        assert_int_equal(kh_accounts_set_password(path, bad[i].name, "long enough", &d),
                         KH_ERR_USAGE);
        snprintf(want, sizeof want, "the user name is not accepted: %s", bad[i].reason);
        assert_diag(&d, 0, want);
        kh_diags_clear(&d);
    }
    assert_int_equal(kh_accounts_set_password(path, NULL, "long enough", &d), KH_ERR_USAGE);
    kh_diags_clear(&d);
    assert_int_equal(kh_accounts_set_password(path, "alice", "7 bytes", &d), KH_ERR_USAGE);
    assert_diag(&d, 0, "the password is too short: use at least 8 letters, digits or signs");
    kh_diags_clear(&d);
    assert_int_equal(kh_accounts_set_password(path, "alice", NULL, &d), KH_ERR_USAGE);
    kh_diags_clear(&d);
    /* Nothing was written. */
    assert_int_equal(access(path, F_OK), -1);
    /* 64 bytes, 8-byte password: both just enough. */
    const char *name64 = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";
    assert_int_equal(kh_accounts_set_password(path, name64, "8 bytes!", &d), KH_OK);
    /* A folder that is not there. */
    assert_int_equal(kh_accounts_set_password(test_path(*state, "no/users"), "alice",
                                              "long enough", &d),
                     KH_ERR_IO);
    assert_true(d.n > 0);
    kh_diags_clear(&d);
}

/* ---- sessions ---- */

static time_t fake_now = 1700000000;
static time_t fake_clock(void)
{
    return fake_now;
}

static kh_sessions *new_sessions(unsigned ttl)
{
    kh_sessions *s = kh_sessions_new(ttl);
    assert_non_null(s);
    kh_sessions_set_clock(s, fake_clock);
    return s;
}

static bool is_hex_token(const char *t)
{
    return strlen(t) == KH_SESSION_TOKEN_LEN && strspn(t, "0123456789abcdef") == strlen(t);
}

static void sessions_lifecycle(void **state)
{
    (void)state;
    kh_sessions *s = new_sessions(100);
    char t1[KH_SESSION_TOKEN_LEN + 1], t2[KH_SESSION_TOKEN_LEN + 1], user[KH_ACCOUNT_NAME_MAX + 1];
    assert_true(kh_sessions_create(s, "alice", t1));
    assert_true(kh_sessions_create(s, "张三", t2));
    assert_true(is_hex_token(t1));
    assert_true(is_hex_token(t2));
    assert_string_not_equal(t1, t2);
    assert_true(kh_sessions_user(s, t1, user, sizeof user));
    assert_string_equal(user, "alice");
    assert_true(kh_sessions_user(s, t2, user, sizeof user));
    assert_string_equal(user, "张三");

    /* Sliding: each use restarts the 100 seconds. */
    fake_now += 99;
    assert_true(kh_sessions_user(s, t1, user, sizeof user));
    fake_now += 99;
    assert_true(kh_sessions_user(s, t1, user, sizeof user));
    assert_false(kh_sessions_user(s, t2, user, sizeof user)); /* unused for 198 s */
    fake_now += 100;
    assert_false(kh_sessions_user(s, t1, user, sizeof user)); /* exactly ttl: gone */
    assert_false(kh_sessions_user(s, t1, user, sizeof user));

    /* Logout; tokens that are not one. */
    assert_true(kh_sessions_create(s, "alice", t1));
    char copy[KH_SESSION_TOKEN_LEN + 1];
    memcpy(copy, t1, sizeof copy);
    copy[10] = copy[10] == 'a' ? 'b' : 'a';
    assert_false(kh_sessions_user(s, copy, user, sizeof user));
    assert_false(kh_sessions_user(s, NULL, user, sizeof user));
    assert_false(kh_sessions_user(s, "", user, sizeof user));
    copy[KH_SESSION_TOKEN_LEN - 1] = '\0';
    memcpy(copy, t1, KH_SESSION_TOKEN_LEN - 1); /* a prefix */
    assert_false(kh_sessions_user(s, copy, user, sizeof user));
    assert_false(kh_sessions_user(s, t1, user, 5)); /* "alice" needs 6 bytes */
    assert_true(kh_sessions_user(s, t1, user, 6));
    kh_sessions_end(s, copy);
    kh_sessions_end(s, NULL);
    assert_true(kh_sessions_user(s, t1, user, sizeof user));
    kh_sessions_end(s, t1);
    assert_false(kh_sessions_user(s, t1, user, sizeof user));

    /* Names a session cannot have. */
    assert_false(kh_sessions_create(s, "", t1));
    assert_false(kh_sessions_create(s, NULL, t1));
    assert_false(kh_sessions_create(
        s, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", t1));
    kh_sessions_free(s);
    kh_sessions_free(NULL);
}

static void sessions_cap(void **state)
{
    (void)state;
    kh_sessions *s = new_sessions(3600);
    static char tok[KH_SESSIONS_MAX + 1][KH_SESSION_TOKEN_LEN + 1];
    char user[KH_ACCOUNT_NAME_MAX + 1], name[16];
    for (int i = 0; i < KH_SESSIONS_MAX; i++) {
        snprintf(name, sizeof name, "u%d", i);
        assert_true(kh_sessions_create(s, name, tok[i]));
    }
    /* Session 0 used again: session 1 is now the one unused the longest. */
    assert_true(kh_sessions_user(s, tok[0], user, sizeof user));
    assert_true(kh_sessions_create(s, "last", tok[KH_SESSIONS_MAX]));
    assert_false(kh_sessions_user(s, tok[1], user, sizeof user));
    assert_true(kh_sessions_user(s, tok[0], user, sizeof user));
    assert_string_equal(user, "u0");
    for (int i = 2; i <= KH_SESSIONS_MAX; i++)
        assert_true(kh_sessions_user(s, tok[i], user, sizeof user));
    assert_string_equal(user, "last");
    kh_sessions_free(s);
}

/* ---- failed logins ---- */

/* One guess that failed (or succeeded): begun, verified, ended. */
static bool guess(kh_sessions *s, const char *addr, const char *user, bool good, unsigned *wait)
{
    unsigned delay = 0;
    if (!kh_login_begin(s, addr, user, wait, &delay))
        return false;
    kh_login_end(s, addr, user, good);
    return true;
}

static bool allowed(kh_sessions *s, const char *addr, const char *user, unsigned *wait)
{
    unsigned delay;
    if (!kh_login_begin(s, addr, user, wait, &delay))
        return false;
    kh_login_end(s, addr, user, true); /* a success: forgets the pair's and name's */
    return true;
}

static void login_limit_per_address(void **state)
{
    (void)state;
    kh_sessions *s = new_sessions(3600);
    unsigned wait = 99;
    time_t first = fake_now;
    for (int i = 0; i < KH_LOGIN_MAX_FAILS; i++) {
        char name[16];
        snprintf(name, sizeof name, "u%d", i);
        assert_true(guess(s, "10.0.0.1", name, false, &wait));
        assert_int_equal(wait, 0);
        fake_now += 10;
    }
    /* Any name from that address is refused until 15 minutes after the first. */
    assert_false(kh_login_begin(s, "10.0.0.1", "someone", &wait, NULL));
    assert_int_equal(wait, first + 900 - fake_now);
    assert_false(kh_login_begin(s, "10.0.0.1", NULL, NULL, NULL));
    /* Another address is not; nor are the names (one failure each). */
    assert_true(guess(s, "10.0.0.2", "u0", true, &wait));
    assert_int_equal(wait, 0);
    /* Time passing lets it in again. */
    fake_now = first + 899;
    assert_false(kh_login_begin(s, "10.0.0.1", "someone", &wait, NULL));
    assert_int_equal(wait, 1);
    fake_now = first + 900;
    assert_true(guess(s, "10.0.0.1", "someone", true, &wait));
    assert_int_equal(wait, 0);
    kh_sessions_free(s);
}

/* Guesses sent at once: each is counted when it starts, so only five are
 * ever verified, from one address or at one name from one address. */
static void login_limit_counts_guesses_in_flight(void **state)
{
    (void)state;
    kh_sessions *s = new_sessions(3600);
    unsigned wait, delay, go = 0;
    for (int i = 0; i < 30; i++)
        if (kh_login_begin(s, "10.0.0.9", "alice", &wait, &delay))
            go++;
    assert_int_equal(go, KH_LOGIN_MAX_FAILS);
    assert_int_equal(wait, 1); /* until one being verified ends */
    for (unsigned i = 0; i < go; i++)
        kh_login_end(s, "10.0.0.9", "alice", false);
    assert_false(kh_login_begin(s, "10.0.0.9", "bob", &wait, NULL));
    assert_int_equal(wait, 900);
    kh_sessions_free(s);
}

/* A name is never locked against an address that has not failed: those
 * guessing at it from elsewhere only slow it down (1, 2, 4 ... s, at most
 * 30), and its owner, from an address of its own, logs in. */
static void login_name_only_slowed(void **state)
{
    (void)state;
    kh_sessions *s = new_sessions(3600);
    unsigned wait, delay = 99;
    char addr[32];
    for (int i = 0; i < 100; i++) {
        snprintf(addr, sizeof addr, "192.168.%d.%d", i / 4, i % 4);
        for (int k = 0; k < KH_LOGIN_MAX_FAILS; k++)
            assert_true(guess(s, addr, "alice", false, &wait));
        /* That address at that name (and that address) is locked. */
        assert_false(kh_login_begin(s, addr, "alice", &wait, &delay));
    }
    assert_true(kh_login_begin(s, "10.7.7.7", "alice", &wait, &delay));
    assert_int_equal(wait, 0);
    assert_int_equal(delay, KH_LOGIN_NAME_DELAY_S);
    kh_login_end(s, "10.7.7.7", "alice", true);
    /* The success starts the name afresh. */
    assert_true(kh_login_begin(s, "10.7.7.8", "alice", &wait, &delay));
    assert_int_equal(delay, 0);
    kh_login_end(s, "10.7.7.8", "alice", false);
    /* The delay grows from the fifth failure in a row at the name. */
    for (int i = 0; i < 3; i++)
        assert_true(guess(s, "10.8.0.1", "carol", false, &wait));
    for (int i = 0; i < 2; i++)
        assert_true(guess(s, "10.8.0.2", "carol", false, &wait));
    unsigned want[] = {1, 2, 4, 8, 16, 30, 30};
    for (size_t i = 0; i < KH_ARRAY_LEN(want); i++) {
        snprintf(addr, sizeof addr, "10.9.0.%zu", i);
        assert_true(kh_login_begin(s, addr, "carol", &wait, &delay));
        assert_int_equal(delay, want[i]);
        kh_login_end(s, addr, "carol", false);
    }
    kh_sessions_free(s);
}

/* A success forgets the failures of the pair and of the name, never the
 * address's: an account of one's own does not buy guesses at others'. */
static void login_success_keeps_address_failures(void **state)
{
    (void)state;
    kh_sessions *s = new_sessions(3600);
    unsigned wait;
    for (int i = 0; i < KH_LOGIN_MAX_FAILS - 1; i++)
        assert_true(guess(s, "10.1.1.1", "carol", false, &wait));
    assert_true(guess(s, "10.1.1.1", "mallory", true, &wait)); /* its own account */
    assert_true(guess(s, "10.1.1.1", "carol", false, &wait));
    assert_false(kh_login_begin(s, "10.1.1.1", "dave", &wait, NULL));
    assert_false(kh_login_begin(s, "10.1.1.1", "mallory", &wait, NULL));
    /* The name carol is not locked elsewhere. */
    assert_true(allowed(s, "10.2.2.2", "carol", &wait));
    kh_sessions_free(s);
}

/* Five failures within 15 minutes, not five in all: the window slides. */
static void login_limit_window_slides(void **state)
{
    (void)state;
    kh_sessions *s = new_sessions(3600);
    unsigned wait;
    time_t t0 = fake_now;
    for (int i = 0; i < 4; i++) {
        fake_now = t0 + 100 * i; /* 0, 100, 200, 300 */
        assert_true(guess(s, "10.0.0.7", NULL, false, &wait));
    }
    fake_now = t0 + 950;
    assert_true(guess(s, "10.0.0.7", NULL, false, &wait)); /* the one at 0 is past the window */
    assert_true(kh_login_begin(s, "10.0.0.7", NULL, &wait, NULL));
    fake_now = t0 + 960;
    kh_login_end(s, "10.0.0.7", NULL, false); /* 100..960: five within 15 minutes */
    assert_false(kh_login_begin(s, "10.0.0.7", NULL, &wait, NULL));
    assert_int_equal(wait, 100 + 900 - 960);
    fake_now = t0 + 1000;
    assert_true(kh_login_begin(s, "10.0.0.7", NULL, &wait, NULL));
    kh_sessions_free(s);
}

/* Memory is bounded, and a flood of other keys does not free a locked one. */
static void login_limit_bounded(void **state)
{
    (void)state;
    kh_sessions *s = new_sessions(3600);
    unsigned wait;
    for (int i = 0; i < KH_LOGIN_MAX_FAILS; i++)
        assert_true(guess(s, "10.9.9.9", "victim", false, &wait));
    char addr[32];
    for (int i = 0; i < 3 * KH_LOGIN_KEYS_MAX; i++) {
        snprintf(addr, sizeof addr, "172.16.%d.%d", i / 256, i % 256);
        assert_true(guess(s, addr, NULL, false, &wait));
    }
    assert_false(kh_login_begin(s, "10.9.9.9", "victim", &wait, NULL));
    assert_false(kh_login_begin(s, "10.9.9.9", NULL, &wait, NULL));
    /* The latest are remembered (one failure: allowed, but counted). */
    for (int i = 0; i < KH_LOGIN_MAX_FAILS - 1; i++)
        assert_true(guess(s, addr, NULL, false, &wait));
    assert_false(kh_login_begin(s, addr, NULL, &wait, NULL));
    /* With the table full, a guess's address, pair and name are all
     * counted (making one never forgets another of the same guess). */
    for (int i = 0; i < KH_LOGIN_MAX_FAILS; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        assert_true(guess(s, "10.10.10.10", name, false, &wait));
    }
    assert_false(kh_login_begin(s, "10.10.10.10", "n9", &wait, NULL));
    kh_sessions_free(s);
}

/* ---- threads ---- */

static void *worker(void *arg)
{
    kh_sessions *s = arg;
    char tok[KH_SESSION_TOKEN_LEN + 1], user[KH_ACCOUNT_NAME_MAX + 1], addr[32];
    for (int i = 0; i < 300; i++) {
        if (!kh_sessions_create(s, "alice", tok) || !kh_sessions_user(s, tok, user, sizeof user) ||
            strcmp(user, "alice") != 0)
            return "session lost";
        snprintf(addr, sizeof addr, "10.%d.0.1", i);
        if (kh_login_begin(s, addr, "alice", NULL, NULL))
            kh_login_end(s, addr, "alice", i % 7 == 0);
        if (i % 3 == 0)
            kh_sessions_end(s, tok);
    }
    return NULL;
}

static void threads(void **state)
{
    (void)state;
    kh_sessions *s = kh_sessions_new(3600);
    assert_non_null(s);
    pthread_t t[6];
    for (size_t i = 0; i < KH_ARRAY_LEN(t); i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, s), 0);
    for (size_t i = 0; i < KH_ARRAY_LEN(t); i++) {
        void *err;
        assert_int_equal(pthread_join(t[i], &err), 0);
        assert_null(err);
    }
    kh_sessions_free(s);
}

/* ---- roles ---- */

static void load_roles(void **state)
{
    const char *path = test_path(*state, "users");
    char h[crypto_pwhash_STRBYTES];
    hash_of("password1", h);
    kh_buf b = {0};
    kh_buf_printf(&b,
                  "科长:%s\n"                                  /* an admin, as always */
                  "kp:%s:reviewer\n"
                  "tb:%s:filler:change-password:unit=两江镇:东村\n" /* ':' in a unit */
                  "old:%s:admin:disabled\r\n",
                  h, h, h, h);
    test_write_file(path, kh_buf_str(&b));
    kh_diags d = {0};
    kh_accounts *a = NULL;
    assert_int_equal(kh_accounts_load(path, &a, &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(kh_accounts_count(a), 4);
    kh_account_info i;
    assert_true(kh_accounts_get(a, "科长", &i));
    assert_int_equal(i.role, KH_ROLE_ADMIN);
    assert_string_equal(i.unit, "");
    assert_false(i.must_change);
    assert_false(i.disabled);
    assert_true(kh_accounts_get(a, "kp", &i));
    assert_int_equal(i.role, KH_ROLE_REVIEWER);
    assert_true(kh_accounts_get(a, "tb", &i));
    assert_int_equal(i.role, KH_ROLE_FILLER);
    assert_string_equal(i.unit, "两江镇:东村");
    assert_true(i.must_change);
    assert_false(i.disabled);
    assert_true(kh_accounts_get(a, "old", &i));
    assert_true(i.disabled);
    assert_int_equal(i.role, KH_ROLE_ADMIN);
    assert_false(kh_accounts_get(a, "nobody", &i));
    assert_true(kh_accounts_verify(a, "tb", "password1")); /* the hash ends at its ':' */
    kh_accounts_free(a);

    /* Attributes that are not. */
    kh_buf_reset(&b);
    kh_buf_printf(&b,
                  "a:%s:boss\n"                  /* 1 */
                  "b:%s:filler\n"                /* 2: no unit */
                  "c:%s:reviewer:unit=两江镇\n"  /* 3 */
                  "d:%s:reviewer:filler:unit=x\n" /* 4: two roles */
                  "e:%s:disabled:disabled\n"     /* 5 */
                  "f:%s:filler:unit=\n"          /* 6 */
                  "g:%s:filler:unit=x\x01y\n",   /* 7 */
                  h, h, h, h, h, h, h);
    test_write_file(path, kh_buf_str(&b));
    kh_buf_free(&b);
    assert_int_equal(kh_accounts_load(path, &a, &d), KH_ERR_INPUT);
    assert_null(a);
    if (d.n != 7)
        test_print_diags(&d);
    assert_int_equal(d.n, 7);
    char want[512];
    const char *attr = "is not an attribute of an account (admin, reviewer, filler, "
                       "change-password, disabled, unit=UNIT), or is given twice";
    snprintf(want, sizeof want, "%s:1: 'boss' %s", path, attr);
    assert_diag(&d, 0, want);
    snprintf(want, sizeof want, "%s:2: a filler (填报员) needs its unit: add :unit=UNIT to the line",
             path);
    assert_diag(&d, 1, want);
    snprintf(want, sizeof want, "%s:3: only a filler (填报员) has a unit: remove unit= or add filler",
             path);
    assert_diag(&d, 2, want);
    snprintf(want, sizeof want, "%s:4: 'filler' %s", path, attr);
    assert_diag(&d, 3, want);
    snprintf(want, sizeof want, "%s:5: 'disabled' %s", path, attr);
    assert_diag(&d, 4, want);
    snprintf(want, sizeof want, "%s:6: the unit is not accepted: it is empty", path);
    assert_diag(&d, 5, want);
    snprintf(want, sizeof want, "%s:7: the unit is not accepted: it holds a control character",
             path);
    assert_diag(&d, 6, want);
    kh_diags_clear(&d);
}

/* The line of name in the file at path (new string), or NULL. */
static char *line_in_file(const char *path, const char *name)
{
    char *text = test_slurp(path, NULL), *found = NULL;
    size_t n = strlen(name);
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            found = strndup(line, nl ? (size_t)(nl - line) : strlen(line));
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return found;
}

static void change_roles(void **state)
{
    const char *path = test_path(*state, "users");
    kh_diags d = {0};
    assert_int_equal(kh_accounts_set_password(path, "科长", "first password", &d), KH_OK);
    assert_int_equal(kh_accounts_add(path, NULL, "kp", "reviewer pw", KH_ROLE_REVIEWER, NULL, false, &d),
                     KH_OK);
    assert_int_equal(
        kh_accounts_add(path, NULL, "tb", "filler pw!", KH_ROLE_FILLER, "两江镇", false, &d), KH_OK);
    assert_int_equal(d.n, 0);
    kh_accounts *a = NULL;
    assert_int_equal(kh_accounts_load(path, &a, &d), KH_OK);
    kh_account_info i;
    assert_true(kh_accounts_get(a, "kp", &i));
    assert_int_equal(i.role, KH_ROLE_REVIEWER);
    assert_true(kh_accounts_get(a, "tb", &i));
    assert_int_equal(i.role, KH_ROLE_FILLER);
    assert_string_equal(i.unit, "两江镇");
    char *line = line_in_file(path, "tb");
    assert_non_null(strstr(line, ":filler:unit=两江镇"));
    free(line);
    line = line_in_file(path, "科长");
    assert_null(strchr(strstr(line, "$argon2id$"), ':')); /* an admin stays NAME:HASH */
    free(line);

    /* A role needs its unit, and only a filler has one. */
    assert_int_equal(kh_accounts_add(path, NULL, "x", "long enough", KH_ROLE_FILLER, NULL, false, &d),
                     KH_ERR_USAGE);
    assert_diag(&d, 0, "the unit is not accepted: it is empty");
    kh_diags_clear(&d);
    assert_int_equal(kh_accounts_add(path, NULL, "x", "long enough", KH_ROLE_ADMIN, "u", false, &d),
                     KH_ERR_USAGE);
    kh_diags_clear(&d);

    /* A new password set from the command line keeps the role. */
    assert_int_equal(kh_accounts_set_password(path, "tb", "second pw!", &d), KH_OK);
    line = line_in_file(path, "tb");
    assert_non_null(strstr(line, ":filler:unit=两江镇"));
    free(line);

    /* Changed in the server: the file and the accounts in memory. */
    assert_int_equal(kh_accounts_change_password(a, "tb", "reset pw 1", true, &d), KH_OK);
    assert_true(kh_accounts_get(a, "tb", &i));
    assert_true(i.must_change);
    assert_true(kh_accounts_verify(a, "tb", "reset pw 1"));
    assert_false(kh_accounts_verify(a, "tb", "second pw!"));
    line = line_in_file(path, "tb");
    assert_non_null(strstr(line, ":filler:change-password:unit=两江镇"));
    free(line);
    assert_int_equal(kh_accounts_change_password(a, "tb", "own password", false, &d), KH_OK);
    assert_true(kh_accounts_get(a, "tb", &i));
    assert_false(i.must_change);
    assert_int_equal(kh_accounts_change_password(a, "nobody", "own password", false, &d),
                     KH_ERR_USAGE);
    assert_diag(&d, 0, "there is no account nobody");
    kh_diags_clear(&d);
    assert_int_equal(kh_accounts_change_password(a, "tb", "short", false, &d), KH_ERR_USAGE);
    kh_diags_clear(&d);

    /* Disabled and enabled; the last enabled admin stays. */
    assert_int_equal(kh_accounts_set_disabled(a, "tb", true, &d), KH_OK);
    assert_true(kh_accounts_get(a, "tb", &i));
    assert_true(i.disabled);
    assert_true(kh_accounts_verify(a, "tb", "own password")); /* the login refuses it */
    assert_int_equal(kh_accounts_set_disabled(a, "科长", true, &d), KH_ERR_USAGE);
    assert_diag(&d, 0, "科长 is the only enabled admin: at least one must stay");
    kh_diags_clear(&d);
    assert_true(kh_accounts_get(a, "科长", &i));
    assert_false(i.disabled);
    assert_int_equal(kh_accounts_set_disabled(a, "tb", false, &d), KH_OK);
    assert_true(kh_accounts_get(a, "tb", &i));
    assert_false(i.disabled);

    /* What is in memory is what a fresh load reads. */
    kh_accounts *b = NULL;
    assert_int_equal(kh_accounts_load(path, &b, &d), KH_OK);
    assert_int_equal(kh_accounts_count(b), 3);
    assert_true(kh_accounts_verify(b, "tb", "own password"));
    assert_true(kh_accounts_get(b, "tb", &i));
    assert_false(i.must_change);
    assert_false(i.disabled);
    kh_accounts_free(b);
    kh_accounts_free(a);
    assert_int_equal(mode_of(path), 0600);
    assert_int_equal(test_count_tmp(*state), 0);
}

static void unit_users(void **state)
{
    const char *path = test_path(*state, "users");
    kh_diags d = {0};
    const char *units[] = {"两江镇", "四塘镇", "两江镇", "会仙镇"};
    kh_new_account *made = NULL;
    size_t n = 0;
    /* No admin yet: refused, nothing written. */
    assert_int_equal(kh_accounts_add_unit_users(path, NULL, units, 2, &made, &n, &d),
                     KH_ERR_USAGE);
    assert_diag(&d, 0,
                "the users file has no enabled admin: add one first (kaohe serve --add-user "
                "NAME), who then runs the year");
    kh_diags_clear(&d);
    assert_int_equal(access(path, F_OK), -1);
    assert_null(made);

    assert_int_equal(kh_accounts_set_password(path, "科长", "first password", &d), KH_OK);
    /* 四塘镇 is a name taken already (by a reviewer). */
    assert_int_equal(
        kh_accounts_add(path, NULL, "四塘镇", "reviewer pw", KH_ROLE_REVIEWER, NULL, false, &d), KH_OK);
    kh_accounts *a = NULL;
    assert_int_equal(kh_accounts_load(path, &a, &d), KH_OK);
    assert_int_equal(kh_accounts_add_unit_users(path, a, units, 3, &made, &n, &d), KH_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(n, 2); /* 两江镇 once */
    assert_string_equal(made[0].unit, "两江镇");
    assert_string_equal(made[0].name, "两江镇");
    assert_string_equal(made[1].unit, "四塘镇");
    assert_string_equal(made[1].name, "四塘镇2");
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(strlen(made[k].password), KH_INITIAL_PASSWORD_LEN);
        assert_int_equal(strspn(made[k].password, "0Oo1lI"), 0);
        assert_null(strpbrk(made[k].password, "0Oo1lI"));
        kh_account_info i;
        assert_true(kh_accounts_get(a, made[k].name, &i));
        assert_int_equal(i.role, KH_ROLE_FILLER);
        assert_string_equal(i.unit, made[k].unit);
        assert_true(i.must_change);
        assert_true(kh_accounts_verify(a, made[k].name, made[k].password));
    }
    assert_string_not_equal(made[0].password, made[1].password);
    /* The passwords are only in what was returned: not in the file. */
    char *text = test_slurp(path, NULL);
    assert_null(strstr(text, made[0].password));
    free(text);
    kh_new_accounts_free(made, n);

    /* Again with one more unit: only that one is made, the others kept. */
    char *before = line_in_file(path, "两江镇");
    assert_int_equal(kh_accounts_add_unit_users(path, a, units, 4, &made, &n, &d), KH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(made[0].unit, "会仙镇");
    char *after = line_in_file(path, "两江镇");
    assert_string_equal(before, after);
    free(before);
    free(after);
    kh_new_accounts_free(made, n);
    assert_int_equal(kh_accounts_count(a), 5);

    /* A unit too long for a name: the name cut at a character. */
    char long_unit[200] = "";
    for (int k = 0; k < 30; k++)
        strcat(long_unit, "镇");
    const char *lu[] = {long_unit};
    assert_int_equal(kh_accounts_add_unit_users(path, a, lu, 1, &made, &n, &d), KH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(strlen(made[0].name), 63); /* 21 characters of 3 bytes */
    assert_string_equal(made[0].unit, long_unit);
    kh_new_accounts_free(made, n);
    kh_new_accounts_free(NULL, 0);
    kh_accounts_free(a);

    /* A file with a broken line: its own message, not "no admin". */
    text = test_slurp(path, NULL);
    kh_buf b = {0};
    kh_buf_printf(&b, "%sbroken line\n", text);
    free(text);
    test_write_file(path, kh_buf_str(&b));
    kh_buf_free(&b);
    const char *more[] = {"新设镇"};
    assert_int_equal(kh_accounts_add_unit_users(path, NULL, more, 1, &made, &n, &d), KH_ERR_INPUT);
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.v[0].msg, "the line has no colon"));
    assert_null(made);
    kh_diags_clear(&d);
}

static void sessions_end_user(void **state)
{
    (void)state;
    kh_sessions *s = new_sessions(100);
    char t1[KH_SESSION_TOKEN_LEN + 1], t2[KH_SESSION_TOKEN_LEN + 1], t3[KH_SESSION_TOKEN_LEN + 1];
    char user[KH_ACCOUNT_NAME_MAX + 1];
    assert_true(kh_sessions_create(s, "tb", t1));
    assert_true(kh_sessions_create(s, "tb", t2));
    assert_true(kh_sessions_create(s, "kp", t3));
    kh_sessions_end_user(s, "tb", t2);
    assert_false(kh_sessions_user(s, t1, user, sizeof user));
    assert_true(kh_sessions_user(s, t2, user, sizeof user));
    assert_true(kh_sessions_user(s, t3, user, sizeof user));
    kh_sessions_end_user(s, "tb", NULL);
    assert_false(kh_sessions_user(s, t2, user, sizeof user));
    assert_true(kh_sessions_user(s, t3, user, sizeof user));
    kh_sessions_free(s);
}

/* Readers while the accounts change: every lookup sees a whole table
 * (the old or the new one), never a half-swapped one. */
typedef struct reader_arg {
    kh_accounts *a;
    atomic_int *stop;
    long seen;
} reader_arg;

static void *reader(void *p)
{
    reader_arg *r = p;
    while (!atomic_load(r->stop)) {
        kh_account_info i;
        if (!kh_accounts_get(r->a, "tb", &i) || i.role != KH_ROLE_FILLER ||
            strcmp(i.unit, "两江镇") != 0 || kh_accounts_count(r->a) != 2)
            return (void *)1;
        r->seen++;
    }
    return NULL;
}

static void changes_while_reading(void **state)
{
    const char *path = test_path(*state, "users");
    kh_diags d = {0};
    assert_int_equal(kh_accounts_set_password(path, "科长", "first password", &d), KH_OK);
    assert_int_equal(
        kh_accounts_add(path, NULL, "tb", "filler pw!", KH_ROLE_FILLER, "两江镇", true, &d), KH_OK);
    kh_accounts *a = NULL;
    assert_int_equal(kh_accounts_load(path, &a, &d), KH_OK);
    atomic_int stop = 0;
    reader_arg r[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        r[i] = (reader_arg){a, &stop, 0};
        assert_int_equal(pthread_create(&t[i], NULL, reader, &r[i]), 0);
    }
    for (int k = 0; k < 20; k++)
        assert_int_equal(kh_accounts_set_disabled(a, "tb", k % 2 == 0, &d), KH_OK);
    assert_int_equal(kh_accounts_change_password(a, "tb", "changed pw", false, &d), KH_OK);
    atomic_store(&stop, 1);
    for (int i = 0; i < 3; i++) {
        void *err;
        assert_int_equal(pthread_join(t[i], &err), 0);
        assert_null(err);
        assert_true(r[i].seen > 0);
    }
    kh_account_info i;
    assert_true(kh_accounts_get(a, "tb", &i));
    assert_false(i.disabled);
    assert_false(i.must_change);
    assert_true(kh_accounts_verify(a, "tb", "changed pw"));
    kh_accounts_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(load_good_file, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(load_bad_lines, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(set_password_file, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(set_password_refuses, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(load_roles, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(change_roles, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(unit_users, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(changes_while_reading, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test(sessions_end_user),
        cmocka_unit_test(sessions_lifecycle),
        cmocka_unit_test(sessions_cap),
        cmocka_unit_test(login_limit_per_address),
        cmocka_unit_test(login_limit_counts_guesses_in_flight),
        cmocka_unit_test(login_name_only_slowed),
        cmocka_unit_test(login_success_keeps_address_failures),
        cmocka_unit_test(login_limit_window_slides),
        cmocka_unit_test(login_limit_bounded),
        cmocka_unit_test(threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
