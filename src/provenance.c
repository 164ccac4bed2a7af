/*
 * provenance.c - file digests for the record of a run (see provenance.h).
 */
#include "provenance.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
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
