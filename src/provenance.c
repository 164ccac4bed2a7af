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

/* ---- SHA-256 with the x86 SHA extensions ----
 *
 * libsodium's SHA-256 is portable C, about 45 instructions a byte: 8 % of
 * `kaohe rank`, which digests every input for its 来源 sheet.  Where the
 * processor has the SHA extensions (sha_ni: Intel since Ice Lake and
 * Goldmont, AMD since Zen) the blocks go through them instead, about ten
 * times faster; elsewhere libsodium as before.  Same digests either way
 * (tests/test_provenance.c compares them on many lengths). */
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define KH_SHA_NI 1

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

/* Run n 64-byte blocks of p through state h. */
__attribute__((target("sha,sse4.1"))) static void sha_ni_blocks(uint32_t h[8],
                                                                const unsigned char *p,
                                                                size_t n)
{
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i t = _mm_loadu_si128((const __m128i *)&h[0]);
    __m128i s1 = _mm_loadu_si128((const __m128i *)&h[4]);
    t = _mm_shuffle_epi32(t, 0xB1);           /* CDAB */
    s1 = _mm_shuffle_epi32(s1, 0x1B);         /* EFGH */
    __m128i s0 = _mm_alignr_epi8(t, s1, 8);   /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xF0);        /* CDGH */
    for (; n; n--, p += 64) {
        const __m128i save0 = s0, save1 = s1;
        __m128i w[4];
        for (int g = 0; g < 16; g++) {
            __m128i x;
            if (g < 4) {
                x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), swap);
            } else {
                /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at once */
                x = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
                x = _mm_add_epi32(x, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
                x = _mm_sha256msg2_epu32(x, w[(g + 3) & 3]);
            }
            w[g & 3] = x;
            __m128i m = _mm_add_epi32(x, _mm_loadu_si128((const __m128i *)&sha_k[4 * g]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, m);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    t = _mm_shuffle_epi32(s0, 0x1B);          /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);         /* DCHG */
    s0 = _mm_blend_epi16(t, s1, 0xF0);        /* DCBA */
    s1 = _mm_alignr_epi8(s1, t, 8);           /* HGFE */
    _mm_storeu_si128((__m128i *)&h[0], s0);
    _mm_storeu_si128((__m128i *)&h[4], s1);
}

typedef struct sha_ni_state {
    uint32_t h[8];
    unsigned char buf[64];
    size_t nbuf;
    uint64_t len;
} sha_ni_state;

static void sha_ni_init(sha_ni_state *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->nbuf = 0;
    s->len = 0;
}

static void sha_ni_update(sha_ni_state *s, const unsigned char *p, size_t n)
{
    s->len += n;
    if (s->nbuf) {
        size_t k = 64 - s->nbuf < n ? 64 - s->nbuf : n;
        memcpy(s->buf + s->nbuf, p, k);
        s->nbuf += k;
        p += k;
        n -= k;
        if (s->nbuf < 64)
            return;
        sha_ni_blocks(s->h, s->buf, 1);
        s->nbuf = 0;
    }
    sha_ni_blocks(s->h, p, n / 64);
    memcpy(s->buf, p + n / 64 * 64, n % 64);
    s->nbuf = n % 64;
}

static void sha_ni_final(sha_ni_state *s, unsigned char out[32])
{
    uint64_t bits = s->len * 8;
    unsigned char pad[72] = {0x80};
    size_t npad = (s->nbuf < 56 ? 56 : 120) - s->nbuf;
    for (int i = 0; i < 8; i++)
        pad[npad + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
    sha_ni_update(s, pad, npad + 8);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (unsigned char)(s->h[i] >> (24 - 8 * j));
}

static bool sha_ni_have(void)
{
    static int have = -1; /* the same answer on every thread: no lock needed */
    int h = __atomic_load_n(&have, __ATOMIC_RELAXED);
    if (h < 0) {
        /* cpuid itself, not __builtin_cpu_supports("sha"): clang before 16
         * does not know that feature name (the fuzz build is clang 14). */
        unsigned a, b, c, d;
        bool sse41 = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1);
        bool sha = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
        h = sse41 && sha;
        __atomic_store_n(&have, h, __ATOMIC_RELAXED);
    }
    return h;
}
#else
#define KH_SHA_NI 0
#endif

/* SHA-256 of the rest of fd into d; false on a read error. */
static bool digest_fd(int fd, unsigned char d[crypto_hash_sha256_BYTES], int64_t *total,
                      bool fast)
{
    crypto_hash_sha256_state h;
#if KH_SHA_NI
    sha_ni_state ni;
    if (fast)
        sha_ni_init(&ni);
    else
#endif
        crypto_hash_sha256_init(&h);
    (void)fast;
    unsigned char buf[64 * 1024];
    *total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0)
            return false;
        if (n == 0)
            break;
#if KH_SHA_NI
        if (fast)
            sha_ni_update(&ni, buf, (size_t)n);
        else
#endif
            crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
        *total += n;
    }
#if KH_SHA_NI
    if (fast)
        sha_ni_final(&ni, d);
    else
#endif
        crypto_hash_sha256_final(&h, d);
    return true;
}

void kh_file_digest_with(const char *path, kh_digest *out, bool fast)
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
    unsigned char d[crypto_hash_sha256_BYTES];
    int64_t total = 0;
    bool ok = digest_fd(fd, d, &total, fast);
    close(fd);
    if (!ok)
        return;
    sodium_bin2hex(out->sha256, sizeof out->sha256, d, sizeof d);
    out->size = total;
    out->mtime = (int64_t)st.st_mtime;
    out->ok = true;
}

bool kh_sha256_fast(void)
{
#if KH_SHA_NI
    return sha_ni_have();
#else
    return false;
#endif
}

void kh_file_digest(const char *path, kh_digest *out)
{
    kh_file_digest_with(path, out, kh_sha256_fast());
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
