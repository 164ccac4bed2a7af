/*
 * platform_posix.c - the platform calls of platform.h on Linux (glibc).
 */
#ifndef _WIN32
#include "platform.h"
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>
#include <linux/magic.h>

bool kh_file_identity(const char *path, unsigned long long *dev, unsigned long long *ino)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return false;
    *dev = (unsigned long long)sb.st_dev;
    *ino = (unsigned long long)sb.st_ino;
    return true;
}

bool kh_is_real_dir(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

unsigned kh_cpu_count(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? (unsigned)cpus : 1;
}

/* The C library's English text, whatever the locale: messages carry it as
 * an argument, and the catalogue translates the common ones (common.c). */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

const char *kh_errno_text(int e, char *buf, size_t n)
{
    pthread_once(&c_locale_once, make_c_locale);
    if (!c_locale) {
#ifdef __GLIBC__
        return strerror_r(e, buf, n); /* the GNU one: may return its own text */
#else
        /* musl (the static builds): the POSIX one, English in any locale */
        if (strerror_r(e, buf, n) != 0)
            snprintf(buf, n, "error %d", e);
        return buf;
#endif
    }
    snprintf(buf, n, "%s", strerror_l(e, c_locale));
    return buf;
}

int kh_open_read(const char *path)
{
    return open(path, O_RDONLY | O_CLOEXEC);
}

bool kh_is_terminal(int fd)
{
    return isatty(fd) == 1;
}

bool kh_read_secret(char *buf, size_t n)
{
    struct termios old, quiet;
    bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = fgets(buf, (int)n, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr); /* the Enter that was not echoed */
    }
    if (ok)
        buf[strcspn(buf, "\r\n")] = '\0';
    return ok;
}

unsigned kh_terminal_width(int fd)
{
    struct winsize ws;
    return ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

size_t kh_open_file_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur > SIZE_MAX)
        return SIZE_MAX;
    return (size_t)rl.rlim_cur;
}

char *kh_exe_path(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    return strdup(exe);
}

#ifndef __GLIBC__
/* Is there a catalogue of domain under dir for the locale name l (or for
 * l less its codeset and modifier, or its territory too)? */
static bool has_catalogue(const char *dir, const char *l, size_t n, const char *domain)
{
    size_t cut[3] = {n, strcspn(l, ".@"), strcspn(l, "_.@")};
    for (int i = 0; i < 3; i++) {
        char mo[PATH_MAX];
        struct stat st;
        if (cut[i] > n)
            cut[i] = n;
        if (snprintf(mo, sizeof mo, "%s/%.*s/LC_MESSAGES/%s.mo", dir, (int)cut[i], l, domain) <
                (int)sizeof mo &&
            stat(mo, &st) == 0)
            return true;
    }
    return false;
}
#endif

void kh_messages_language(const char *domain)
{
#ifdef __GLIBC__
    (void)domain; /* glibc's gettext reads $LANGUAGE itself */
#else
    const char *list = getenv("LANGUAGE");
    const char *cur = setlocale(LC_MESSAGES, NULL);
    const char *dir = bindtextdomain(domain, NULL);
    if (!list || !*list || !cur || !dir || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0)
        return;
    for (const char *l = list; *l;) {
        size_t n = strcspn(l, ":");
        char name[128];
        if (n > 0 && n < sizeof name && has_catalogue(dir, l, n, domain)) {
            memcpy(name, l, n);
            name[n] = '\0';
            setlocale(LC_MESSAGES, name);
            return;
        }
        l += n + (l[n] == ':');
    }
    setlocale(LC_MESSAGES, "C"); /* no catalogue for any: the English of the sources */
#endif
}

const char *kh_memory_tmpdir(void)
{
    static const char shm[] = "/dev/shm";
    struct statfs fs;
    if (statfs(shm, &fs) == 0 && fs.f_type == TMPFS_MAGIC && access(shm, W_OK | X_OK) == 0)
        return shm;
    return NULL;
}

void kh_gmtime(time_t t, struct tm *out)
{
    gmtime_r(&t, out);
}

int kh_double_click_start(void)
{
    return -1;
}

void kh_locale_from_environment(void)
{
    setlocale(LC_ALL, "");
}

/* The IANA name after ".../zoneinfo/" in path, or NULL. */
static const char *zoneinfo_name(const char *path)
{
    const char *z = strstr(path, "zoneinfo/");
    return z && z[9] ? z + 9 : NULL;
}

void kh_localtime(time_t t, struct tm *out, long *gmtoff, char *zone, size_t n)
{
    tzset();
    localtime_r(&t, out);
    *gmtoff = out->tm_gmtoff;
    if (!n)
        return;
    zone[0] = '\0';
    char buf[256];
    const char *name = NULL;
    const char *tz = getenv("TZ");
    if (tz) {
        /* TZ=":Asia/Shanghai", "Asia/Shanghai", "/usr/share/zoneinfo/...",
         * or a rule such as "CST-8" (then its abbreviation below). */
        if (*tz == ':')
            tz++;
        if (*tz == '/')
            name = zoneinfo_name(tz);
        else if (strchr(tz, '/') || strcmp(tz, "UTC") == 0 || strcmp(tz, "PRC") == 0)
            name = tz;
    } else {
        ssize_t len = readlink("/etc/localtime", buf, sizeof buf - 1);
        if (len > 0) {
            buf[len] = '\0';
            name = zoneinfo_name(buf);
        } else {
            FILE *f = fopen("/etc/timezone", "re");
            if (f) {
                if (fgets(buf, sizeof buf, f)) {
                    buf[strcspn(buf, "\r\n")] = '\0';
                    name = buf[0] ? buf : NULL;
                }
                fclose(f);
            }
        }
    }
    if (!name)
        name = out->tm_zone;
    snprintf(zone, n, "%s", name ? name : "");
}

const char *kh_temp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

uint64_t kh_free_space(const char *dir)
{
    struct statfs fs;
    if (statfs(dir, &fs) != 0)
        return 0;
    return (uint64_t)fs.f_bavail * (uint64_t)fs.f_bsize;
}

/* umask(2) reads the mask only by setting it: two threads doing that at
 * once can leave the process with 0, and every file after that is made
 * 0666 (it happened with scoresheets written on 8 threads).  Linux shows
 * it in /proc/self/status (since 4.7); without that, set-and-restore. */
mode_t kh_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (f) {
        char line[256];
        unsigned v;
        while (fgets(line, sizeof line, f)) {
            if (sscanf(line, "Umask: %o", &v) == 1) {
                fclose(f);
                return (mode_t)(v & 0777);
            }
        }
        fclose(f);
    }
    mode_t um = umask(0);
    umask(um);
    return um;
}

void kh_format_g15(char *buf, size_t n, double v, locale_t loc)
{
    locale_t old = uselocale(loc);
    snprintf(buf, n, "%.15g", v);
    uselocale(old);
}

int kh_mkstemps(char *tmpl, int suffixlen)
{
    return mkstemps(tmpl, suffixlen);
}

int kh_replace_file(const char *from, const char *to)
{
    return rename(from, to);
}

int kh_mkdir(const char *path)
{
    return mkdir(path, 0777);
}

int kh_fsync(int fd)
{
    return fsync(fd);
}

int kh_fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = fd < 0 ? -1 : fsync(fd);
    if (fd >= 0) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return rc;
}

int kh_anon_create(const char *dir, char **reopen)
{
    *reopen = NULL;
    /* KAOHE_NO_ANONYMOUS_FILES: named temporaries, as on Windows or a file
     * system without O_TMPFILE (for tests, and a way round a /proc that the
     * writer cannot reopen through). */
    const char *no = getenv("KAOHE_NO_ANONYMOUS_FILES");
    if (no && *no && strcmp(no, "0") != 0) {
        errno = ENOTSUP;
        return -1;
    }
    /* The kernel applies the umask (or the folder's default ACL). */
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    kh_buf b = {0};
    kh_buf_printf(&b, "/proc/self/fd/%d", fd);
    *reopen = kh_buf_steal(&b);
    /* The writer must be able to reopen it through /proc. */
    if (!*reopen || access(*reopen, W_OK) != 0) {
        int e = *reopen ? errno : ENOMEM;
        kh_free(*reopen);
        *reopen = NULL;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int kh_anon_link(const char *reopen, const char *path)
{
    return linkat(AT_FDCWD, reopen, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

int kh_syncfs(int fd)
{
    return syncfs(fd);
}

void kh_console_utf8(void)
{
}

void kh_wait_for_termination(void)
{
    for (;;)
        pause();
}

char *kh_mkdtemp(char *tmpl)
{
    return mkdtemp(tmpl);
}

bool kh_parse_ipv4(const char *s, uint32_t *addr)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return false;
    *addr = ntohl(a.s_addr);
    return true;
}

long kh_process_id(void)
{
    return (long)getpid();
}

bool kh_process_alive(long pid)
{
    return pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

int kh_request_termination(void)
{
    return kill(getpid(), SIGTERM);
}

/* ---- locks, times, sockets, stderr ---- */

intptr_t kh_lock_take(const char *path, long *holder)
{
    *holder = 0;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
#ifdef F_OFD_SETLK
    int rc = fcntl(fd, F_OFD_SETLK, &fl);
    if (rc != 0 && errno == EINVAL) /* a kernel before 3.15 */
        rc = fcntl(fd, F_SETLK, &fl);
#else
    int rc = fcntl(fd, F_SETLK, &fl);
#endif
    if (rc != 0) {
        int e = errno == EACCES ? EWOULDBLOCK : errno;
        if (e == EWOULDBLOCK) {
            char buf[32] = "";
            ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
            if (n > 0) {
                buf[n] = '\0';
                *holder = strtol(buf, NULL, 10);
            }
        }
        close(fd);
        errno = e;
        return -1;
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

void kh_lock_release(intptr_t h)
{
    if (h >= 0)
        close((int)h);
}

int64_t kh_file_mtime_ns(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    return (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
}

int64_t kh_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void kh_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void kh_socket_shutdown(intptr_t s)
{
    shutdown((int)s, SHUT_RDWR);
}

static pthread_mutex_t quiet_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned quiet_depth;
static int quiet_saved = -1;

void kh_quiet_stderr_begin(void)
{
    int e = errno;
    pthread_mutex_lock(&quiet_mu);
    if (quiet_depth++ == 0) {
        fflush(stderr);
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        quiet_saved = null >= 0 ? fcntl(2, F_DUPFD_CLOEXEC, 3) : -1;
        if (quiet_saved >= 0 && dup2(null, 2) < 0) {
            close(quiet_saved);
            quiet_saved = -1;
        }
        if (null >= 0)
            close(null);
    }
    pthread_mutex_unlock(&quiet_mu);
    errno = e;
}

void kh_quiet_stderr_end(void)
{
    int e = errno;
    pthread_mutex_lock(&quiet_mu);
    if (quiet_depth > 0 && --quiet_depth == 0 && quiet_saved >= 0) {
        fflush(stderr);
        dup2(quiet_saved, 2);
        close(quiet_saved);
        quiet_saved = -1;
    }
    pthread_mutex_unlock(&quiet_mu);
    errno = e;
}

/* ---- the desktop start ---- */

char *kh_desktop_folder(bool workspace)
{
    const char *xdg = getenv(workspace ? "XDG_DATA_HOME" : "XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char *out = NULL;
    if (xdg && xdg[0] == '/')
        return asprintf(&out, "%s/kaohe", xdg) < 0 ? NULL : out;
    if (home && *home)
        return asprintf(&out, "%s/%s", home,
                        workspace ? ".local/share/kaohe" : ".local/state/kaohe") < 0 ? NULL : out;
    return NULL;
}

/* In a child of fork: the signals kh_on_termination blocked unblocked,
 * standard streams in, out, err; then argv run.  Only async-signal-safe
 * calls. */
static void exec_child(const char *const argv[], int in, int out, int err)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if ((in >= 0 && dup2(in, 0) < 0) || (out >= 0 && dup2(out, 1) < 0) ||
        (err >= 0 && dup2(err, 2) < 0))
        _exit(127);
    execvp(argv[0], (char *const *)argv);
    _exit(127);
}

long kh_spawn_detached(const char *const argv[], const char *log)
{
    int logfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int p[2] = {-1, -1};
    long pid = -1;
    int e = 0;
    if (logfd < 0 || nul < 0 || pipe2(p, O_CLOEXEC) != 0) {
        e = errno;
        goto cleanup;
    }
    /* Twice forked, in a session of its own: init is its parent, no
     * zombie stays behind, and no terminal's hangup reaches it. */
    pid_t c = fork();
    if (c < 0) {
        e = errno;
        goto cleanup;
    }
    if (c == 0) {
        setsid();
        pid_t g = fork();
        if (g == 0)
            exec_child(argv, nul, logfd, logfd);
        long v = g;
        _exit(write(p[1], &v, sizeof v) == (ssize_t)sizeof v && g > 0 ? 0 : 1);
    }
    close(p[1]);
    p[1] = -1;
    long v = -1;
    ssize_t r;
    while ((r = read(p[0], &v, sizeof v)) < 0 && errno == EINTR)
        ;
    int status;
    while (waitpid(c, &status, 0) < 0 && errno == EINTR)
        ;
    if (r == (ssize_t)sizeof v && v > 0)
        pid = v;
    else
        e = EAGAIN;
cleanup:
    if (logfd >= 0)
        close(logfd);
    if (nul >= 0)
        close(nul);
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
    if (pid < 0)
        errno = e;
    return pid;
}

int kh_process_kill(long pid)
{
    if (pid <= 0) {
        errno = EINVAL;
        return -1;
    }
    return kill((pid_t)pid, SIGKILL);
}

long kh_loopback_exchange(unsigned port, const char *req, size_t n, char *resp, size_t cap,
                          unsigned timeout_ms)
{
    if (cap == 0 || port == 0 || port > 65535)
        return -1;
    resp[0] = '\0';
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct timeval tv = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    long got = -1;
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0)
        goto cleanup;
    for (size_t off = 0; off < n;) {
        ssize_t w = send(s, req + off, n - off, MSG_NOSIGNAL);
        if (w <= 0)
            goto cleanup;
        off += (size_t)w;
    }
    got = 0;
    for (;;) {
        ssize_t r = recv(s, resp + got, cap - 1 - (size_t)got, 0);
        if (r <= 0) {
            if (r < 0 && got == 0)
                got = -1;
            break;
        }
        got += r;
        if ((size_t)got == cap - 1)
            break;
    }
cleanup:
    if (got >= 0)
        resp[got] = '\0';
    close(s);
    return got;
}

int kh_open_url(const char *url)
{
    const char *browser = getenv("BROWSER");
    const char *argv[] = {browser && *browser ? browser : "xdg-open", url, NULL};
    int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t c = fork();
    if (c == 0)
        exec_child(argv, nul, nul, nul);
    if (nul >= 0)
        close(nul);
    if (c < 0)
        return -1;
    int status;
    while (waitpid(c, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ---- termination ---- */

static void (*termination_cleanup)(void);
static sigset_t termination_signals;

static void *termination_thread(void *arg)
{
    (void)arg;
    int sig = 0;
    while (sigwait(&termination_signals, &sig) != 0)
        ;
    termination_cleanup();
    /* End as the signal would: its default action, on this thread, the
     * only one where it is not blocked. */
    signal(sig, SIG_DFL);
    pthread_sigmask(SIG_UNBLOCK, &termination_signals, NULL);
    raise(sig);
    _exit(128 + sig);
    return NULL;
}

int kh_on_termination(void (*cleanup)(void))
{
    termination_cleanup = cleanup;
    sigemptyset(&termination_signals);
    sigaddset(&termination_signals, SIGINT);
    sigaddset(&termination_signals, SIGTERM);
    sigaddset(&termination_signals, SIGHUP);
    int e = pthread_sigmask(SIG_BLOCK, &termination_signals, NULL);
    pthread_t t;
    if (e == 0)
        e = pthread_create(&t, NULL, termination_thread, NULL);
    if (e == 0) {
        pthread_detach(t);
        return 0;
    }
    pthread_sigmask(SIG_UNBLOCK, &termination_signals, NULL);
    errno = e;
    return -1;
}
#endif
