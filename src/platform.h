/*
 * platform.h - the calls that differ between Linux (platform_posix.c) and
 * Windows (platform_win.c).  Nothing else in kaohe calls the operating
 * system past ISO C and the POSIX file calls that mingw-w64 also has
 * (open, read, close, stat, opendir).  Paths are UTF-8 on both: on Windows
 * the executable's manifest makes UTF-8 the process's code page (Windows
 * 10 1903 and later), so the narrow calls take UTF-8 names.
 */
#ifndef KH_PLATFORM_H
#define KH_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#ifdef _WIN32
#include <locale.h>
/* The C library's own spellings of what glibc calls *_unlocked and
 * locale_t. */
typedef _locale_t locale_t;
#define fputs_unlocked(s, f) fputs(s, f)
#define putc_unlocked(c, f) _putc_nolock(c, f)
#define fwrite_unlocked(p, s, n, f) fwrite(p, s, n, f)
#define flockfile(f) _lock_file(f)
#define funlockfile(f) _unlock_file(f)
#define strtod_l(s, e, l) _strtod_l(s, e, l)
#define freelocale(l) _free_locale(l)
#define LC_ALL_MASK 0
#define newlocale(mask, name, base) ((void)(mask), (void)(base), _create_locale(LC_ALL, name))
#ifndef O_CLOEXEC
#define O_CLOEXEC 0x80 /* _O_NOINHERIT */
#endif
#else
#include <locale.h>
#endif

/* The identity of the file path (device and file number; on Windows the
 * volume serial and file index, since stat gives no inode there): true,
 * or false when it cannot be read. */
bool kh_file_identity(const char *path, unsigned long long *dev, unsigned long long *ino);

/* Whether path is a folder itself, not a link (or junction) to one. */
bool kh_is_real_dir(const char *path);

/* Processors online (at least 1). */
unsigned kh_cpu_count(void);

/* The message of errno value e, thread-safe, in buf (returned). */
const char *kh_errno_text(int e, char *buf, size_t n);

/* Open path for reading, binary, not inherited: a descriptor or -1/errno. */
int kh_open_read(const char *path);

/* Is fd a terminal; its width in columns (0 when unknown). */
bool kh_is_terminal(int fd);
unsigned kh_terminal_width(int fd);

/* The open-file limit, or SIZE_MAX when there is none to speak of. */
size_t kh_open_file_limit(void);

/* The running program's own path, / as separator (free() it), or NULL. */
char *kh_exe_path(void);

/* A folder in memory (tmpfs) where libxlsxwriter may stage a workbook's
 * parts, or NULL: /dev/shm on Linux when it is a writable tmpfs. */
const char *kh_memory_tmpdir(void);

/* t as UTC calendar time into *out (gmtime_r; Windows: gmtime_s). */
void kh_gmtime(time_t t, struct tm *out);

/* The folder for temporary files: TMPDIR (Windows: TEMP, TMP) when set,
 * else /tmp (Windows: the current folder). */
const char *kh_temp_dir(void);

/* Bytes free to an unprivileged user in the file system of dir, or 0 when
 * unknown. */
uint64_t kh_free_space(const char *dir);

/* The process's file-creation mask (0 where there is none). */
mode_t kh_umask(void);

/* "%.15g" of v in the locale loc (the C locale for numbers in files). */
void kh_format_g15(char *buf, size_t n, double v, locale_t loc);

/* Create a new empty file from the template tmpl, whose last suffixlen
 * bytes follow "XXXXXX" (as mkstemps): a descriptor, or -1/errno. */
int kh_mkstemps(char *tmpl, int suffixlen);

/* Put the file from in the place of to, replacing it atomically (rename;
 * MoveFileExW with MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH):
 * 0, or -1/errno. */
int kh_replace_file(const char *from, const char *to);

/* Make the folder path (0777 less the umask): 0, or -1/errno. */
int kh_mkdir(const char *path);

/* Write fd's data to the disk: 0, or -1/errno. */
int kh_fsync(int fd);

/* Write the data of the file path to the disk (opened as the system needs
 * for that: Windows flushes only through a writable handle): 0, or
 * -1/errno. */
int kh_fsync_path(const char *path);

/* An anonymous file in folder dir that kh_link_anon can name later
 * (Linux O_TMPFILE), with a path to reopen it by in *reopen (kh_free it):
 * a descriptor, or -1/errno (ENOTSUP where there are none). */
int kh_anon_create(const char *dir, char **reopen);

/* Give the anonymous file reopen (from kh_anon_create) the name path;
 * 0, or -1/errno (EEXIST when path exists). */
int kh_anon_link(const char *reopen, const char *path);

/* Write back the whole file system of fd at once (Linux syncfs): 0, or
 * -1/errno (ENOTSUP where there is no such call: fsync each file). */
int kh_syncfs(int fd);

/* Make a new private folder from the template tmpl ending in "XXXXXX"
 * (mkdtemp): tmpl, or NULL/errno. */
char *kh_mkdtemp(char *tmpl);

/* A dotted IPv4 address ("127.0.0.1") in host byte order: false when s is
 * not one. */
bool kh_parse_ipv4(const char *s, uint32_t *addr);

/* This process's id; whether the process pid is running on this machine
 * (true when it cannot be told). */
long kh_process_id(void);
bool kh_process_alive(long pid);

/* Run cleanup and end the process as the signal would when SIGINT,
 * SIGTERM or SIGHUP arrives (Windows: Ctrl-C, Ctrl-Break, the console
 * closing).  On Linux the signals are blocked in the calling thread and
 * every thread it starts, and one thread of its own waits for them, so
 * cleanup runs as ordinary code (it may lock mutexes).  Call it before any
 * thread starts.  0, or -1/errno. */
int kh_on_termination(void (*cleanup)(void));

/* Read one line into buf (n bytes, NUL-terminated, line break dropped)
 * from standard input; when it is a terminal, without showing what is
 * typed (a password).  false at the end of input. */
bool kh_read_secret(char *buf, size_t n);

/* Wait until the process is ended by a signal (kh_on_termination). */
void kh_wait_for_termination(void);

/* Standard streams as kaohe writes them (Windows: the console shows UTF-8,
 * and standard output is binary, so that -o - gives the same bytes as on
 * Linux, not \n turned into \r\n); nothing elsewhere. */
void kh_console_utf8(void);

/* KH_SANITIZED: built with AddressSanitizer, ThreadSanitizer or
 * MemorySanitizer (gcc says so with __SANITIZE_*__, clang with
 * __has_feature), which reserve terabytes of address space. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KH_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define KH_SANITIZED 1
#endif
#endif

#endif
