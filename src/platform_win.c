/*
 * platform_win.c - the platform calls of platform.h on Windows (mingw-w64).
 * Names are UTF-8: the manifest (tools/windows/kaohe.manifest) makes UTF-8
 * the process code page, and the calls that take wide names convert.
 */
#ifdef _WIN32
#define _CRT_RAND_S /* rand_s */
#include "platform.h"
#include "common.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <io.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <direct.h>
#include <winsock2.h>
#include <windows.h>
#include <shellapi.h>

unsigned kh_cpu_count(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors > 0 ? (unsigned)si.dwNumberOfProcessors : 1;
}

const char *kh_errno_text(int e, char *buf, size_t n)
{
    if (strerror_s(buf, n, e) != 0)
        snprintf(buf, n, "error %d", e);
    return buf;
}

int kh_open_read(const char *path)
{
    return _open(path, _O_RDONLY | _O_BINARY | _O_NOINHERIT);
}

bool kh_is_terminal(int fd)
{
    return _isatty(fd) != 0;
}

bool kh_read_secret(char *buf, size_t n)
{
    fflush(stdout);
    fflush(stderr); /* the prompt (kh_console_utf8 buffers a console) */
    HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
    DWORD mode = 0;
    bool console = GetConsoleMode(h, &mode) != 0;
    if (console)
        SetConsoleMode(h, mode & ~(DWORD)ENABLE_ECHO_INPUT);
    bool ok = fgets(buf, (int)n, stdin) != NULL;
    if (console) {
        SetConsoleMode(h, mode);
        fputc('\n', stderr);
    }
    if (ok)
        buf[strcspn(buf, "\r\n")] = '\0';
    return ok;
}

unsigned kh_terminal_width(int fd)
{
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (h == INVALID_HANDLE_VALUE || !GetConsoleScreenBufferInfo(h, &info))
        return 0;
    return (unsigned)(info.srWindow.Right - info.srWindow.Left + 1);
}

size_t kh_open_file_limit(void)
{
    return (size_t)_getmaxstdio();
}

/* path as a new wide string, or NULL (errno set). */
static wchar_t *wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0) {
        errno = EILSEQ;
        return NULL;
    }
    wchar_t *w = kh_malloc((size_t)n * sizeof *w);
    if (!w) {
        errno = ENOMEM;
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
    return w;
}

bool kh_file_identity(const char *path, unsigned long long *dev, unsigned long long *ino)
{
    wchar_t *w = wide(path);
    if (!w)
        return false;
    /* BACKUP_SEMANTICS: folders open too. */
    HANDLE h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    kh_free(w);
    if (h == INVALID_HANDLE_VALUE)
        return false;
    BY_HANDLE_FILE_INFORMATION info;
    bool ok = GetFileInformationByHandle(h, &info) != 0;
    CloseHandle(h);
    if (ok) {
        *dev = info.dwVolumeSerialNumber;
        *ino = (unsigned long long)info.nFileIndexHigh << 32 | info.nFileIndexLow;
    }
    return ok;
}

bool kh_is_real_dir(const char *path)
{
    wchar_t *w = wide(path);
    if (!w)
        return false;
    DWORD a = GetFileAttributesW(w);
    kh_free(w);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY) &&
           !(a & FILE_ATTRIBUTE_REPARSE_POINT);
}

char *kh_exe_path(void)
{
    wchar_t w[32768];
    DWORD n = GetModuleFileNameW(NULL, w, sizeof w / sizeof w[0]);
    if (n == 0 || n >= sizeof w / sizeof w[0])
        return NULL;
    int len = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s = len > 0 ? malloc((size_t)len) : NULL;
    if (!s)
        return NULL;
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, len, NULL, NULL);
    for (char *p = s; *p; p++)
        if (*p == '\\')
            *p = '/';
    return s;
}

void kh_messages_language(const char *domain)
{
    (void)domain; /* GNU libintl reads $LANGUAGE itself */
}

const char *kh_memory_tmpdir(void)
{
    return NULL;
}

void kh_gmtime(time_t t, struct tm *out)
{
    gmtime_s(out, &t);
}

int kh_double_click_start(void)
{
    /* A console of its own: the only process attached to it.  From cmd or
     * PowerShell there are two (the shell too); from a test or a pipe the
     * standard handles are not the console. */
    DWORD procs[4];
    if (GetConsoleProcessList(procs, 4) != 1 ||
        GetFileType(GetStdHandle(STD_INPUT_HANDLE)) != FILE_TYPE_CHAR ||
        GetFileType(GetStdHandle(STD_OUTPUT_HANDLE)) != FILE_TYPE_CHAR)
        return -1;
    wchar_t dir[MAX_PATH + 1];
    DWORD n = GetModuleFileNameW(NULL, dir, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return -1;
    wchar_t *slash = wcsrchr(dir, L'\\');
    if (!slash)
        return -1;
    *slash = L'\0';
    static const wchar_t starter[] = L"启动考核.bat";
    wchar_t bat[MAX_PATH + 32], cmd[MAX_PATH + 64];
    _snwprintf(bat, sizeof bat / sizeof *bat, L"%ls\\%ls", dir, starter);
    bat[sizeof bat / sizeof *bat - 1] = L'\0';
    if (GetFileAttributesW(bat) == INVALID_FILE_ATTRIBUTES)
        return -1;
    /* cmd /c ""PATH"": the outer quotes are cmd's, the inner the path's. */
    _snwprintf(cmd, sizeof cmd / sizeof *cmd, L"cmd.exe /c \"\"%ls\"\"", bat);
    cmd[sizeof cmd / sizeof *cmd - 1] = L'\0';
    STARTUPINFOW si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, dir, &si, &pi))
        return -1;
    CloseHandle(pi.hThread);
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 1;
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    return (int)code;
}

/* ---- the desktop start ---- */

/* a, then b, as a new string (free() it), or NULL. */
static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", a, b);
    return s;
}

char *kh_desktop_folder(bool workspace)
{
    if (!workspace) {
        const char *app = getenv("LOCALAPPDATA");
        return app && *app ? join(app, "/kaohe") : NULL;
    }
    char *exe = kh_exe_path();
    char *slash = exe ? strrchr(exe, '/') : NULL;
    char *out = NULL;
    if (slash) {
        *slash = '\0';
        out = join(exe, "/workspace");
    }
    free(exe);
    return out;
}

/* Append argument a to the command line b as CommandLineToArgvW and the C
 * runtime read it back: in quotes, backslashes before a quote doubled. */
static void quote_arg(kh_buf *b, const char *a)
{
    if (b->len)
        kh_buf_putc(b, ' ');
    if (*a && !strpbrk(a, " \t\n\v\"")) {
        kh_buf_puts(b, a);
        return;
    }
    kh_buf_putc(b, '"');
    for (const char *p = a;; p++) {
        size_t bs = 0;
        while (*p == '\\') {
            p++;
            bs++;
        }
        size_t twice = !*p || *p == '"' ? 2 * bs + (*p == '"') : bs;
        for (size_t i = 0; i < twice; i++)
            kh_buf_putc(b, '\\');
        if (!*p)
            break;
        kh_buf_putc(b, *p);
    }
    kh_buf_putc(b, '"');
}

long kh_spawn_detached(const char *const argv[], const char *log)
{
    kh_buf cmd = {0};
    for (size_t i = 0; argv[i]; i++)
        quote_arg(&cmd, argv[i]);
    wchar_t *wcmd = cmd.oom ? NULL : wide(kh_buf_str(&cmd));
    wchar_t *wexe = wide(argv[0]), *wlog = wide(log);
    kh_buf_free(&cmd);
    long pid = -1;
    int e = ENOMEM;
    HANDLE out = INVALID_HANDLE_VALUE, in = INVALID_HANDLE_VALUE;
    if (!wcmd || !wexe || !wlog)
        goto cleanup;
    for (wchar_t *p = wexe; *p; p++)
        if (*p == L'/')
            *p = L'\\';
    SECURITY_ATTRIBUTES sa = {.nLength = sizeof sa, .bInheritHandle = TRUE};
    out = CreateFileW(wlog, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                      &sa, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    in = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING,
                     0, NULL);
    e = EACCES;
    if (out == INVALID_HANDLE_VALUE || in == INVALID_HANDLE_VALUE)
        goto cleanup;
    STARTUPINFOEXW si = {.StartupInfo = {.cb = sizeof si, .dwFlags = STARTF_USESTDHANDLES,
                                         .hStdInput = in, .hStdOutput = out, .hStdError = out}};
    /* It inherits these two handles only, not the starter's own standard
     * handles (a pipe a script reads to its end would stay open while the
     * server runs).  Wine 8 keeps the starter's Unix descriptors open in
     * the child whatever the list says, so this is not tested there. */
    HANDLE only[2] = {in, out};
    SIZE_T size = 0;
    InitializeProcThreadAttributeList(NULL, 1, 0, &size);
    union { char b[256]; void *align; } attrs;
    DWORD flags = CREATE_NO_WINDOW | CREATE_NEW_PROCESS_GROUP | CREATE_UNICODE_ENVIRONMENT;
    if (size <= sizeof attrs.b &&
        InitializeProcThreadAttributeList((LPPROC_THREAD_ATTRIBUTE_LIST)attrs.b, 1, 0, &size)) {
        si.lpAttributeList = (LPPROC_THREAD_ATTRIBUTE_LIST)attrs.b;
        if (UpdateProcThreadAttribute(si.lpAttributeList, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                      only, sizeof only, NULL, NULL))
            flags |= EXTENDED_STARTUPINFO_PRESENT;
    }
    PROCESS_INFORMATION pi;
    /* A console of its own, without a window: closing the starter's
     * console does not end it, and no window stays open on the desk. */
    BOOL ok = CreateProcessW(wexe, wcmd, NULL, NULL, TRUE, flags, NULL, NULL, &si.StartupInfo, &pi);
    DWORD err = GetLastError();
    if (si.lpAttributeList)
        DeleteProcThreadAttributeList(si.lpAttributeList);
    if (!ok) {
        e = err == ERROR_FILE_NOT_FOUND ? ENOENT : EACCES;
        goto cleanup;
    }
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    pid = (long)pi.dwProcessId;
cleanup:
    if (out != INVALID_HANDLE_VALUE)
        CloseHandle(out);
    if (in != INVALID_HANDLE_VALUE)
        CloseHandle(in);
    kh_free(wcmd);
    kh_free(wexe);
    kh_free(wlog);
    if (pid < 0)
        errno = e;
    return pid;
}

int kh_process_kill(long pid)
{
    HANDLE h = pid > 0 ? OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, (DWORD)pid) : NULL;
    if (!h) {
        errno = ESRCH;
        return -1;
    }
    BOOL ok = TerminateProcess(h, 1);
    if (ok)
        WaitForSingleObject(h, 5000);
    CloseHandle(h);
    if (!ok) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

long kh_loopback_exchange(unsigned port, const char *req, size_t n, char *resp, size_t cap,
                          unsigned timeout_ms)
{
    if (cap == 0 || port == 0 || port > 65535 || n > INT_MAX)
        return -1;
    resp[0] = '\0';
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return -1;
    long got = -1;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET)
        goto done;
    DWORD tv = timeout_ms;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, (const char *)&tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((u_short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0)
        goto cleanup;
    for (size_t off = 0; off < n;) {
        int w = send(s, req + off, (int)(n - off), 0);
        if (w <= 0)
            goto cleanup;
        off += (size_t)w;
    }
    got = 0;
    while ((size_t)got < cap - 1) {
        size_t want = cap - 1 - (size_t)got;
        int r = recv(s, resp + got, want > INT_MAX ? INT_MAX : (int)want, 0);
        if (r <= 0) {
            if (r < 0 && got == 0)
                got = -1;
            break;
        }
        got += r;
    }
cleanup:
    if (got >= 0)
        resp[got] = '\0';
    closesocket(s);
done:
    WSACleanup();
    return got;
}

int kh_open_url(const char *url)
{
    wchar_t *w = wide(url);
    if (!w)
        return -1;
    HINSTANCE r = ShellExecuteW(NULL, L"open", w, NULL, NULL, SW_SHOWNORMAL);
    kh_free(w);
    return (INT_PTR)r > 32 ? 0 : -1;
}

void kh_locale_from_environment(void)
{
    /* Nothing to set: the C runtime starts in the "C" locale, and
     * libintl's gettext looks at LANGUAGE, LC_ALL, LC_MESSAGES and LANG,
     * then at the user's language, without setlocale. */
}

void kh_localtime(time_t t, struct tm *out, long *gmtoff, char *zone, size_t n)
{
    _tzset();
    /* localtime_s leaves out as it was when t is out of its range: start
     * from the epoch's fields rather than whatever the caller had. */
    *out = (struct tm){.tm_mday = 1, .tm_year = 70};
    localtime_s(out, &t);
    struct tm copy = *out;
    *gmtoff = (long)(_mkgmtime(&copy) - t);
    if (!n)
        return;
    zone[0] = '\0';
    const char *tz = getenv("TZ");
    if (tz && *tz) {
        snprintf(zone, n, "%s", tz);
        return;
    }
    DYNAMIC_TIME_ZONE_INFORMATION dz;
    if (GetDynamicTimeZoneInformation(&dz) != TIME_ZONE_ID_INVALID &&
        WideCharToMultiByte(CP_UTF8, 0, dz.TimeZoneKeyName, -1, zone, (int)n, NULL, NULL) <= 0)
        zone[0] = '\0';
}

const char *kh_temp_dir(void)
{
    static const char *const vars[] = {"TMPDIR", "TEMP", "TMP"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *t = getenv(vars[i]);
        if (t && *t)
            return t;
    }
    return ".";
}

uint64_t kh_free_space(const char *dir)
{
    ULARGE_INTEGER avail;
    wchar_t *w = wide(dir);
    bool ok = w && GetDiskFreeSpaceExW(w, &avail, NULL, NULL);
    kh_free(w);
    return ok ? (uint64_t)avail.QuadPart : 0;
}

mode_t kh_umask(void)
{
    return 0;
}

void kh_format_g15(char *buf, size_t n, double v, locale_t loc)
{
    _snprintf_l(buf, n, "%.15g", loc, v);
    if (n)
        buf[n - 1] = '\0';
}

int kh_mkstemps(char *tmpl, int suffixlen)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t len = strlen(tmpl);
    if (suffixlen < 0 || len < (size_t)suffixlen + 6) {
        errno = EINVAL;
        return -1;
    }
    char *x = tmpl + len - suffixlen - 6;
    if (memcmp(x, "XXXXXX", 6) != 0) {
        errno = EINVAL;
        return -1;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        for (int i = 0; i < 6; i++) {
            unsigned r;
            if (rand_s(&r) != 0)
                r = (unsigned)GetTickCount() * 2654435761u + (unsigned)i;
            x[i] = chars[r % (sizeof chars - 1)];
        }
        int fd = _open(tmpl, _O_RDWR | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT,
                       _S_IREAD | _S_IWRITE);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

int kh_replace_file(const char *from, const char *to)
{
    wchar_t *wf = wide(from), *wt = wf ? wide(to) : NULL;
    int rc = -1;
    if (wf && wt) {
        if (MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
            rc = 0;
        } else {
            DWORD e = GetLastError();
            errno = e == ERROR_ACCESS_DENIED || e == ERROR_SHARING_VIOLATION ? EACCES
                    : e == ERROR_DISK_FULL                                  ? ENOSPC
                    : e == ERROR_PATH_NOT_FOUND || e == ERROR_FILE_NOT_FOUND ? ENOENT
                                                                             : EIO;
        }
    }
    kh_free(wf);
    kh_free(wt);
    return rc;
}

int kh_mkdir(const char *path)
{
    return _mkdir(path);
}

int kh_fsync(int fd)
{
    return _commit(fd);
}

int kh_fsync_path(const char *path)
{
    int fd = _open(path, _O_WRONLY | _O_BINARY | _O_NOINHERIT);
    int rc = fd < 0 ? -1 : _commit(fd);
    if (fd >= 0) {
        int e = errno;
        _close(fd);
        errno = e;
    }
    return rc;
}

int kh_anon_create(const char *dir, char **reopen)
{
    (void)dir;
    *reopen = NULL;
    errno = ENOTSUP;
    return -1;
}

int kh_anon_link(const char *reopen, const char *path)
{
    (void)reopen;
    (void)path;
    errno = ENOTSUP;
    return -1;
}

int kh_syncfs(int fd)
{
    (void)fd;
    errno = ENOTSUP;
    return -1;
}

void kh_console_utf8(void)
{
    SetConsoleOutputCP(CP_UTF8);
    SetConsoleCP(CP_UTF8);
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY); /* messages end in \n as on Linux */
    _setmode(_fileno(stdin), _O_BINARY);
    /* A console stream is unbuffered in the C runtime: each byte of a
     * Chinese character reached the console in a write of its own, and
     * the console (Wine's; older Windows 10 too) showed U+FFFD for each.
     * Buffered, a message goes in whole; it is written at the end, when
     * flushed (progress, prompts, kaohe serve's lines are), or when full. */
    if (GetFileType(GetStdHandle(STD_OUTPUT_HANDLE)) == FILE_TYPE_CHAR)
        setvbuf(stdout, NULL, _IOFBF, 1 << 13);
    if (GetFileType(GetStdHandle(STD_ERROR_HANDLE)) == FILE_TYPE_CHAR)
        setvbuf(stderr, NULL, _IOFBF, 1 << 13);
}

void kh_wait_for_termination(void)
{
    for (;;)
        Sleep(INFINITE);
}

char *kh_mkdtemp(char *tmpl)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t len = strlen(tmpl);
    if (len < 6 || memcmp(tmpl + len - 6, "XXXXXX", 6) != 0) {
        errno = EINVAL;
        return NULL;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        for (int i = 0; i < 6; i++) {
            unsigned r;
            if (rand_s(&r) != 0)
                r = (unsigned)GetTickCount() * 2654435761u + (unsigned)i;
            tmpl[len - 6 + i] = chars[r % (sizeof chars - 1)];
        }
        if (_mkdir(tmpl) == 0)
            return tmpl;
        if (errno != EEXIST)
            return NULL;
    }
    errno = EEXIST;
    return NULL;
}

bool kh_parse_ipv4(const char *s, uint32_t *addr)
{
    unsigned a, b, c, d;
    char end;
    if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &end) != 4 || a > 255 || b > 255 ||
        c > 255 || d > 255)
        return false;
    *addr = (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
    return true;
}

long kh_process_id(void)
{
    return (long)GetCurrentProcessId();
}

bool kh_process_alive(long pid)
{
    HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
    if (!h)
        return GetLastError() != ERROR_INVALID_PARAMETER;
    DWORD w = WaitForSingleObject(h, 0);
    CloseHandle(h);
    return w == WAIT_TIMEOUT;
}

static void (*termination_cleanup)(void);

/* Runs on a thread of the system's: clean up, then let the default
 * handler end the process. */
static BOOL WINAPI termination_handler(DWORD type)
{
    (void)type;
    termination_cleanup();
    return FALSE;
}

int kh_on_termination(void (*cleanup)(void))
{
    termination_cleanup = cleanup;
    if (SetConsoleCtrlHandler(termination_handler, TRUE))
        return 0;
    errno = EINVAL;
    return -1;
}

/* No signal to send oneself: the cleanup runs here, then the process
 * ends as Ctrl-C ends it. */
int kh_request_termination(void)
{
    if (termination_cleanup)
        termination_cleanup();
    ExitProcess(STATUS_CONTROL_C_EXIT);
    return 0;
}

/* The byte locked, far past the process id written at the start (a
 * locked range cannot be read by others on Windows). */
#define LOCK_AT 0x7FFFFFF0u

intptr_t kh_lock_take(const char *path, long *holder)
{
    *holder = 0;
    wchar_t *w = wide(path);
    if (!w)
        return -1;
    HANDLE h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    kh_free(w);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EACCES;
        return -1;
    }
    OVERLAPPED at = {.Offset = LOCK_AT};
    if (!LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &at)) {
        char buf[32] = "";
        DWORD n = 0;
        if (ReadFile(h, buf, sizeof buf - 1, &n, NULL) && n > 0) {
            buf[n] = '\0';
            *holder = strtol(buf, NULL, 10);
        }
        CloseHandle(h);
        errno = EWOULDBLOCK;
        return -1;
    }
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%lu\n", (unsigned long)GetCurrentProcessId());
    DWORD n = 0;
    OVERLAPPED start = {0};
    if (!WriteFile(h, buf, (DWORD)len, &n, &start) || n != (DWORD)len) {
        CloseHandle(h);
        errno = EIO;
        return -1;
    }
    LARGE_INTEGER end = {.QuadPart = len};
    SetFilePointerEx(h, end, NULL, FILE_BEGIN);
    SetEndOfFile(h);
    return (intptr_t)h;
}

void kh_lock_release(intptr_t h)
{
    if (h >= 0)
        CloseHandle((HANDLE)h);
}

/* FILETIME counts 100 ns from 1601. */
static int64_t filetime_ns(FILETIME ft)
{
    uint64_t t = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
    return (int64_t)(t - 116444736000000000ull) * 100;
}

int64_t kh_file_mtime_ns(const char *path)
{
    wchar_t *w = wide(path);
    WIN32_FILE_ATTRIBUTE_DATA a;
    bool ok = w && GetFileAttributesExW(w, GetFileExInfoStandard, &a);
    kh_free(w);
    return ok ? filetime_ns(a.ftLastWriteTime) : -1;
}

int64_t kh_now_ns(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return filetime_ns(ft);
}

void kh_sleep_ms(unsigned ms)
{
    Sleep(ms);
}

void kh_socket_shutdown(intptr_t s)
{
    shutdown((SOCKET)s, SD_BOTH);
}

static CRITICAL_SECTION quiet_cs;
static INIT_ONCE quiet_once = INIT_ONCE_STATIC_INIT;
static unsigned quiet_depth;
static int quiet_saved = -1;

static BOOL CALLBACK quiet_init(PINIT_ONCE once, PVOID p, PVOID *ctx)
{
    (void)once, (void)p, (void)ctx;
    InitializeCriticalSection(&quiet_cs);
    return TRUE;
}

void kh_quiet_stderr_begin(void)
{
    int e = errno;
    InitOnceExecuteOnce(&quiet_once, quiet_init, NULL, NULL);
    EnterCriticalSection(&quiet_cs);
    if (quiet_depth++ == 0) {
        fflush(stderr);
        int null = _open("NUL", _O_WRONLY);
        quiet_saved = null >= 0 ? _dup(2) : -1;
        if (quiet_saved >= 0 && _dup2(null, 2) != 0) {
            _close(quiet_saved);
            quiet_saved = -1;
        }
        if (null >= 0)
            _close(null);
    }
    LeaveCriticalSection(&quiet_cs);
    errno = e;
}

void kh_quiet_stderr_end(void)
{
    int e = errno;
    InitOnceExecuteOnce(&quiet_once, quiet_init, NULL, NULL);
    EnterCriticalSection(&quiet_cs);
    if (quiet_depth > 0 && --quiet_depth == 0 && quiet_saved >= 0) {
        fflush(stderr);
        _dup2(quiet_saved, 2);
        _close(quiet_saved);
        quiet_saved = -1;
    }
    LeaveCriticalSection(&quiet_cs);
    errno = e;
}
#endif
