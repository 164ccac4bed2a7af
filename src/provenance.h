/*
 * provenance.h - where every number came from: the SHA-256, size and
 * modification time of the files a run read (libsodium's SHA-256), so that a
 * published ranking can be traced to the exact files (doc/formats.md §5).
 */
#ifndef KH_PROVENANCE_H
#define KH_PROVENANCE_H

#include "common.h"

typedef struct kh_digest {
    bool ok;             /* false: the file could not be read again (standard input) */
    char sha256[65];     /* lower-case hex */
    int64_t size;        /* bytes */
    int64_t mtime;       /* seconds since 1970, UTC */
} kh_digest;

/* Read path and fill *out (out->ok false when it cannot be read). */
void kh_file_digest(const char *path, kh_digest *out);

/* kh_file_digest through the processor's SHA extensions (fast, when
 * kh_sha256_fast()) or libsodium's portable SHA-256: the same digest. */
void kh_file_digest_with(const char *path, kh_digest *out, bool fast);

/* Whether this processor has the SHA extensions kh_file_digest uses. */
bool kh_sha256_fast(void);

/* "2026-12-04T03:40:00Z" of t into buf (at least 21 bytes). */
void kh_iso_time(int64_t t, char *buf, size_t n);

/* t in the machine's time zone with the zone named, for people:
 * "2020-12-05 14:03:11（北京时间 UTC+8）" in China's zone (Asia/Shanghai
 * and its aliases, Windows' "China Standard Time"), else the zone's name
 * and offset, "2020-12-05 07:03:11（Europe/Berlin UTC+1）",
 * "…（UTC）", or the offset alone when the zone has no name.  buf should
 * hold KH_LOCAL_TIME_BUFSZ bytes. */
#define KH_LOCAL_TIME_BUFSZ 160
void kh_local_time(int64_t t, char *buf, size_t n);

#endif
