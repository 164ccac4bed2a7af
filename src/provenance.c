/*
 * provenance.c - file digests for the record of a run (see provenance.h).
 */
#include "provenance.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void kh_file_digest(const char *path, kh_digest *out)
{
    *out = (kh_digest){0};
    if (!path || (path[0] == '-' && path[1] == '\0'))
        return;
    /* sodium_init is safe to call from several threads and more than once;
     * SHA-256 needs nothing it sets up but is documented to want it. */
    if (sodium_init() < 0)
        return;
    int fd = kh_open_read(path);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char buf[64 * 1024];
    int64_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            close(fd);
            return;
        }
        if (n == 0)
            break;
        crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
        total += n;
    }
    close(fd);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out->sha256, sizeof out->sha256, d, sizeof d);
    out->size = total;
    out->mtime = (int64_t)st.st_mtime;
    out->ok = true;
}

void kh_iso_time(int64_t t, char *buf, size_t n)
{
    struct tm tm;
    kh_gmtime((time_t)t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Is zone China's time zone (UTC+8 all year since 1991)? */
static bool china_zone(const char *zone)
{
    static const char *const names[] = {"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking",
                                        "Asia/Harbin", "PRC", "China Standard Time"};
    for (size_t i = 0; i < KH_ARRAY_LEN(names); i++)
        if (strcmp(zone, names[i]) == 0)
            return true;
    return false;
}

void kh_local_time(int64_t t, char *buf, size_t n)
{
    struct tm tm;
    long off = 0;
    char zone[96], when[32], utc[24];
    kh_localtime((time_t)t, &tm, &off, zone, sizeof zone);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    long a = off < 0 ? -off : off;
    if (a % 3600)
        snprintf(utc, sizeof utc, "UTC%c%ld:%02ld", off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
    else
        snprintf(utc, sizeof utc, "UTC%c%ld", off < 0 ? '-' : '+', a / 3600);
    if (china_zone(zone) && off == 8 * 3600)
        snprintf(buf, n, "%s（北京时间 %s）", when, utc);
    else if (off == 0 && (!*zone || strcmp(zone, "UTC") == 0 || strcmp(zone, "Etc/UTC") == 0 ||
                          strcmp(zone, "GMT") == 0))
        snprintf(buf, n, "%s（UTC）", when);
    else if (*zone)
        snprintf(buf, n, "%s（%s %s）", when, zone, utc);
    else
        snprintf(buf, n, "%s（%s）", when, utc);
}
