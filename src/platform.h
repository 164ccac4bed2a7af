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

/* Let $LANGUAGE pick the language of domain's messages, as GNU gettext
 * does (a list such as "zh_CN:en", the first entry with a catalogue wins,
 * none: English; ignored when the messages' locale is C), where the C
 * library's gettext does not: musl, in the static Linux builds.  Call
 * after setlocale and bindtextdomain.  Elsewhere it does nothing. */
void kh_messages_language(const char *domain);

/* A folder in memory (tmpfs) where libxlsxwriter may stage a workbook's
 * parts, or NULL: /dev/shm on Linux when it is a writable tmpfs. */
const char *kh_memory_tmpdir(void);

/* t as UTC calendar time into *out (gmtime_r; Windows: gmtime_s). */
void kh_gmtime(time_t t, struct tm *out);

/* t as the machine's local calendar time into *out (localtime_r; Windows:
 * localtime_s), *gmtoff the zone's offset east of UTC in seconds at t, and
 * the zone's name into zone (n bytes, cut to fit): the IANA name where it
 * can be found (TZ, else /etc/localtime's link, else /etc/timezone:
 * "Asia/Shanghai"), else the abbreviation ("CST"); on Windows TZ, else the
 * zone's key name ("China Standard Time").  "" when unknown; zone may be
 * NULL when n is 0. */
void kh_localtime(time_t t, struct tm *out, long *gmtoff, char *zone, size_t n);

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

/* Send this process the signal kh_on_termination waits for (SIGTERM;
 * Windows: a Ctrl-Break to its console group), so that it stops as after
 * Ctrl-C: 0, or -1/errno. */
int kh_request_termination(void);

/* An exclusive lock on the file path (created when missing, mode 0644),
 * held until kh_lock_release or the process ends (also by a crash: the
 * system drops it).  Two holders in one process conflict too (Linux: an
 * open file description lock; Windows: LockFileEx).  Taken, the file
 * holds this process's id as text.  A handle >= 0, or -1/errno:
 * EWOULDBLOCK when another holds it, whose process id *holder gets (0
 * when the file does not say). */
intptr_t kh_lock_take(const char *path, long *holder);
void kh_lock_release(intptr_t h);

/* The time the file path was last written, in nanoseconds since 1970,
 * or -1 when it cannot be read; the clock's time now, the same way. */
int64_t kh_file_mtime_ns(const char *path);
int64_t kh_now_ns(void);

/* Wait ms milliseconds (this thread only). */
void kh_sleep_ms(unsigned ms);

/* Close both directions of the connected socket s (shutdown), which
 * wakes the thread that waits on it; the socket stays open. */
void kh_socket_shutdown(intptr_t s);

/* Standard error (descriptor 2) sent to the null device from the first
 * kh_quiet_stderr_begin until its last matching kh_quiet_stderr_end
 * (counted: threads may nest them).  For libxlsxwriter, which prints its
 * own lines ("[ERROR][packager.c:...]") on stderr with no switch to stop
 * it: kaohe says what went wrong in its own words.  Whatever else is
 * written to stderr in between is lost too, so it wraps only calls during
 * which kaohe itself prints nothing.  errno is kept. */
void kh_quiet_stderr_begin(void);
void kh_quiet_stderr_end(void);

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

/* Take the language of the terminal's messages from the environment
 * (LANGUAGE, LC_ALL, LC_MESSAGES, LANG; on Windows, when none is set, the
 * user's display language, as libintl finds it).  Linux: setlocale(LC_ALL,
 * "").  Windows: the C runtime stays in the "C" locale, libintl reading the
 * environment itself: a locale such as Chinese (Simplified)_China.936
 * would make the runtime's character functions work in code page 936 on
 * kaohe's UTF-8 strings (libxlsxwriter's _stricmp then called the sheet
 * names 来源 and 乡镇 equal, and no ranking could be written). */
void kh_locale_from_environment(void);

/* Started with no arguments by a double click (Windows: the console is
 * this process's own, made for it, and standard input and output are that
 * console): run the starter beside the program, 启动考核.bat, in this
 * console as if it had been double-clicked, and return its exit status.
 * -1 when not started so or there is no starter (Linux: always -1). */
int kh_double_click_start(void);

/* ---- the desktop start (kaohe start, kaohe stop: src/starter.c) ---- */

/* A folder of this user's for the desktop start, as a new string (free()
 * it) or NULL: workspace false, where the starter keeps its state (the
 * page's address, the server's process id and log): Windows
 * %LOCALAPPDATA%\kaohe, Linux $XDG_STATE_HOME/kaohe (~/.local/state/kaohe);
 * workspace true, the default workspace: Windows the folder "workspace"
 * beside kaohe.exe (where the zip was unpacked), Linux $XDG_DATA_HOME/kaohe
 * (~/.local/share/kaohe). */
char *kh_desktop_folder(bool workspace);

/* Start the program argv[0] (a path) with the arguments argv[1..] (NULL
 * ends them) on its own, outliving this process and its console: standard
 * input the null device, standard output and error appended to the file
 * log (created 0600 when missing); Windows: no window, a console of its
 * own.  Its process id, or -1/errno. */
long kh_spawn_detached(const char *const argv[], const char *log);

/* End the process pid at once (SIGKILL; TerminateProcess): 0, or
 * -1/errno. */
int kh_process_kill(long pid);

/* Send the n bytes of req to 127.0.0.1:port and read the answer into
 * resp (cap bytes, NUL-terminated, cut to fit) until the server closes
 * the connection; each step waits at most timeout_ms.  The bytes read, or
 * -1 when nothing could be sent or read. */
long kh_loopback_exchange(unsigned port, const char *req, size_t n, char *resp, size_t cap,
                          unsigned timeout_ms);

/* Open url in the user's browser (Windows: ShellExecute; Linux: $BROWSER,
 * else xdg-open): 0, or -1 when no browser could be started. */
int kh_open_url(const char *url);

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
