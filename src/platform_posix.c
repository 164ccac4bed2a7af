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
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
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

const char *kh_errno_text(int e, char *buf, size_t n)
{
    return strerror_r(e, buf, n); /* the GNU one: may return its own text */
}

int kh_open_read(const char *path)
{
    return open(path, O_RDONLY | O_CLOEXEC);
}

bool kh_is_terminal(int fd)
{
    return isatty(fd) == 1;
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

const char *kh_memory_tmpdir(void)
{
    static const char shm[] = "/dev/shm";
    struct statfs fs;
    if (statfs(shm, &fs) == 0 && fs.f_type == TMPFS_MAGIC && access(shm, W_OK | X_OK) == 0)
        return shm;
    return NULL;
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
#endif
