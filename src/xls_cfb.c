/*
 * xls_cfb.c - the Compound File layer of the .xls reader (see xls_cfb.h).
 *
 * Layout ([MS-CFB] 2.2-2.6): a 512-byte header, then sectors of 512
 * (version 3) or 4096 bytes (version 4); sector n starts at (n + 1) *
 * size.  The FAT chains sectors into streams; the sectors of the FAT are
 * listed by the header's 109 DIFAT slots and then a chain of DIFAT
 * sectors.  The directory is a stream of 128-byte entries (a red-black
 * tree under the root entry 0).  Streams shorter than the cutoff (4096)
 * live in the mini stream (the root entry's stream) in 64-byte mini
 * sectors chained by the mini FAT.
 *
 * Everything is read from the bytes in memory; the tables kept are as
 * long as the file has sectors, so a crafted count cannot make them
 * larger.  The last sector may be cut short (some writers do): its
 * missing bytes read as zeros.
 */
#include "xls_cfb.h"

#include <string.h>

#define FREESECT 0xffffffffu
#define ENDOFCHAIN 0xfffffffeu
#define NOSTREAM 0xffffffffu
#define MINI_SIZE 64u
#define DIR_SIZE 128u

typedef struct cfb_entry {
    uint16_t name[32];  /* UTF-16 code units, without the NUL */
    unsigned nlen;
    unsigned type;      /* 1 storage, 2 stream, 5 root */
    uint32_t left, right, child, start;
    uint64_t size;
} cfb_entry;

struct kh_cfb {
    const char *path;
    const unsigned char *data;
    size_t len;
    uint32_t ssz;           /* sector size */
    uint32_t nsec;          /* sectors in the file */
    uint32_t cutoff;        /* streams shorter than this are in the mini stream */
    uint32_t minifat_start;
    uint32_t *fat;          /* nsec entries */
    cfb_entry *dir;
    uint32_t ndir;
    uint32_t *minifat;      /* nminifat entries, read on first use */
    uint32_t nminifat;
    unsigned char *mini;    /* the mini stream, read on first use */
    size_t nmini;
    bool mini_read;
};

static uint32_t u16le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t u32le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The file cannot be read for reason why (a msgid). */
static kh_status damaged(const kh_cfb *c, const char *why, kh_diags *d)
{
    kh_diags_add(d, KH_ERROR, c->path, NULL, NULL, 0,
                 _("cannot read this .xls workbook: %s: open it in Excel or WPS and save it "
                   "as .xlsx"),
                 why);
    return KH_ERR_INPUT;
}

/* Copy n (<= ssz) bytes of sector s (< nsec) to dst; past the end of the
 * file, zeros. */
static void sector_copy(const kh_cfb *c, uint32_t s, size_t at, unsigned char *dst, size_t n)
{
    size_t off = ((size_t)s + 1) * c->ssz + at;
    size_t have = off < c->len ? c->len - off : 0;
    if (have > n)
        have = n;
    memcpy(dst, c->data + off, have);
    memset(dst + have, 0, n - have);
}

/* The u32 at index i of sector s. */
static uint32_t sector_u32(const kh_cfb *c, uint32_t s, uint32_t i)
{
    unsigned char b[4];
    sector_copy(c, s, (size_t)i * 4, b, 4);
    return u32le(b);
}

/* Walk the chain from start through table[0..n): *steps gets its length.
 * False (why set) when it leaves the table or loops: a chain of more
 * than n links must visit some link twice. */
static bool chain_len(const uint32_t *table, uint32_t n, uint32_t start, uint32_t *steps,
                      const char **why)
{
    uint32_t k = 0;
    for (uint32_t s = start; s != ENDOFCHAIN; s = table[s]) {
        if (s >= n) {
            *why = _("a sector chain of its compound file points outside the file");
            return false;
        }
        if (k == n) {
            *why = _("a sector chain of its compound file loops");
            return false;
        }
        k++;
    }
    *steps = k;
    return true;
}

/* A copy of the chain from start: regular sectors (mini false) or mini
 * sectors.  size is the stream's size as its entry says, or UINT64_MAX
 * for "all of the chain"; it must not pass the chain. */
static kh_status chain_read(kh_cfb *c, bool mini, uint32_t start, uint64_t size,
                            unsigned char **out, size_t *len, kh_diags *d)
{
    *out = NULL;
    *len = 0;
    const uint32_t *table = mini ? c->minifat : c->fat;
    uint32_t n = mini ? c->nminifat : c->nsec, unit = mini ? MINI_SIZE : c->ssz, steps = 0;
    const char *why = NULL;
    if (size == 0)
        return KH_OK;
    if (!chain_len(table, n, start, &steps, &why))
        return damaged(c, why, d);
    uint64_t have = (uint64_t)steps * unit;
    if (size == UINT64_MAX)
        size = have;
    if (size > have)
        return damaged(c, _("a stream of its compound file is shorter than its directory says"),
                       d);
    if (mini && (uint64_t)n * MINI_SIZE > c->nmini) {
        /* Every mini sector of the chain must lie inside the mini stream. */
        for (uint32_t s = start, k = 0; k < steps; s = table[s], k++)
            if (((uint64_t)s + 1) * MINI_SIZE > c->nmini)
                return damaged(c, _("a sector chain of its compound file points outside the file"),
                               d);
    }
    unsigned char *buf = kh_malloc(size ? (size_t)size : 1);
    if (!buf)
        return KH_ERR_NOMEM;
    size_t done = 0;
    for (uint32_t s = start; done < size; s = table[s]) {
        size_t k = size - done < unit ? (size_t)(size - done) : unit;
        if (mini)
            memcpy(buf + done, c->mini + (size_t)s * MINI_SIZE, k);
        else
            sector_copy(c, s, 0, buf + done, k);
        done += k;
    }
    *out = buf;
    *len = (size_t)size;
    return KH_OK;
}

/* The FAT: the sectors the DIFAT lists, as many as the file needs. */
static kh_status read_fat(kh_cfb *c, const unsigned char *h, kh_diags *d)
{
    uint32_t per = c->ssz / 4;
    uint32_t need = c->nsec / per + (c->nsec % per != 0);
    c->fat = kh_malloc(((size_t)c->nsec + 1) * sizeof *c->fat);
    if (!c->fat)
        return KH_ERR_NOMEM;
    for (uint32_t i = 0; i < c->nsec; i++)
        c->fat[i] = FREESECT;
    uint32_t got = 0;
    /* One FAT sector's entries into the table. */
#define TAKE(fs)                                                                         \
    do {                                                                                 \
        uint32_t fs_ = (fs);                                                             \
        if (fs_ >= c->nsec)                                                              \
            return damaged(c, _("its compound file lists a FAT sector outside the file"), \
                           d);                                                           \
        for (uint32_t j = 0; j < per && (size_t)got * per + j < c->nsec; j++)           \
            c->fat[(size_t)got * per + j] = sector_u32(c, fs_, j);                       \
        got++;                                                                           \
    } while (0)
    for (uint32_t i = 0; i < 109 && got < need; i++) {
        uint32_t fs = u32le(h + 0x4c + 4 * i);
        if (fs == FREESECT || fs == ENDOFCHAIN)
            break;
        TAKE(fs);
    }
    uint32_t ds = u32le(h + 0x44), steps = 0;
    while (got < need && ds != ENDOFCHAIN && ds != FREESECT) {
        if (ds >= c->nsec)
            return damaged(c, _("a sector chain of its compound file points outside the file"), d);
        if (++steps > c->nsec)
            return damaged(c, _("a sector chain of its compound file loops"), d);
        for (uint32_t i = 0; i + 1 < per && got < need; i++) {
            uint32_t fs = sector_u32(c, ds, i);
            if (fs == FREESECT || fs == ENDOFCHAIN)
                break;
            TAKE(fs);
        }
        ds = sector_u32(c, ds, per - 1);
    }
#undef TAKE
    /* Sectors no FAT sector covers are free: chains through them fail. */
    return KH_OK;
}

static kh_status read_dir(kh_cfb *c, uint32_t start, kh_diags *d)
{
    unsigned char *buf;
    size_t len;
    kh_status st = chain_read(c, false, start, UINT64_MAX, &buf, &len, d);
    if (st != KH_OK)
        return st;
    c->ndir = (uint32_t)(len / DIR_SIZE);
    if (c->ndir == 0) {
        kh_free(buf);
        return damaged(c, _("its compound file has no directory"), d);
    }
    c->dir = kh_calloc(c->ndir, sizeof *c->dir);
    if (!c->dir) {
        kh_free(buf);
        return KH_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < c->ndir; i++) {
        const unsigned char *p = buf + (size_t)i * DIR_SIZE;
        cfb_entry *e = &c->dir[i];
        unsigned nbytes = u16le(p + 0x40);
        e->nlen = nbytes >= 2 && nbytes <= 64 ? nbytes / 2 - 1 : 0;
        for (unsigned k = 0; k < e->nlen; k++)
            e->name[k] = (uint16_t)u16le(p + 2 * k);
        e->type = p[0x42];
        e->left = u32le(p + 0x44);
        e->right = u32le(p + 0x48);
        e->child = u32le(p + 0x4c);
        e->start = u32le(p + 0x74);
        /* Version 3 writers may leave junk in the high half of the size. */
        e->size = c->ssz == 512 ? u32le(p + 0x78)
                                : (uint64_t)u32le(p + 0x78) | (uint64_t)u32le(p + 0x7c) << 32;
    }
    kh_free(buf);
    if (c->dir[0].type != 5)
        return damaged(c, _("its compound file has no root entry"), d);
    return KH_OK;
}

kh_status kh_cfb_open(const char *path, const void *data, size_t len, kh_cfb **out,
                      kh_diags *d)
{
    static const unsigned char magic[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
    *out = NULL;
    kh_cfb *c = kh_calloc(1, sizeof *c);
    if (!c)
        return KH_ERR_NOMEM;
    c->path = path;
    c->data = data;
    c->len = len;
    const unsigned char *h = data;
    kh_status st;
    if (len < 512 || memcmp(h, magic, 8) != 0 || u16le(h + 0x1c) != 0xfffe ||
        (u16le(h + 0x1e) != 9 && u16le(h + 0x1e) != 12) || u16le(h + 0x20) != 6) {
        st = damaged(c, _("its compound-file header is damaged"), d);
        goto fail;
    }
    c->ssz = 1u << u16le(h + 0x1e);
    if (len <= c->ssz) {
        st = damaged(c, _("its compound-file header is damaged"), d);
        goto fail;
    }
    size_t nsec = (len - c->ssz + c->ssz - 1) / c->ssz;
    c->nsec = nsec > 0xfffffff0u ? 0xfffffff0u : (uint32_t)nsec;
    c->cutoff = u32le(h + 0x38);
    c->minifat_start = u32le(h + 0x3c);
    if ((st = read_fat(c, h, d)) != KH_OK || (st = read_dir(c, u32le(h + 0x30), d)) != KH_OK)
        goto fail;
    *out = c;
    return KH_OK;
fail:
    kh_cfb_free(c);
    return st;
}

void kh_cfb_free(kh_cfb *c)
{
    if (!c)
        return;
    kh_free(c->fat);
    kh_free(c->dir);
    kh_free(c->minifat);
    kh_free(c->mini);
    kh_free(c);
}

/* Whether entry e is called name (ASCII, any case). */
static bool name_is(const cfb_entry *e, const char *name)
{
    size_t n = strlen(name);
    if (e->nlen != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned a = e->name[i], b = (unsigned char)name[i];
        if (a >= 'A' && a <= 'Z')
            a += 32;
        if (b >= 'A' && b <= 'Z')
            b += 32;
        if (a != b)
            return false;
    }
    return true;
}

/* The root's child called name of type type (0: any), -1 when there is
 * none, -2 when out of memory.  The tree
 * is walked with a stack and a visited mark, so a crafted tree with
 * cycles ends. */
static long find_child(const kh_cfb *c, const char *name, unsigned type)
{
    uint32_t *stack = kh_malloc((size_t)c->ndir * sizeof *stack);
    unsigned char *seen = kh_calloc(c->ndir, 1);
    long found = -1;
    size_t top = 0;
    if (!stack || !seen) {
        found = -2;
        goto done;
    }
    if (c->dir[0].child < c->ndir)
        stack[top++] = c->dir[0].child;
    while (top > 0 && found < 0) {
        uint32_t i = stack[--top];
        if (seen[i])
            continue;
        seen[i] = 1;
        const cfb_entry *e = &c->dir[i];
        if ((type ? e->type == type : e->type == 1 || e->type == 2) && name_is(e, name))
            found = (long)i;
        if (e->left < c->ndir && !seen[e->left] && top < c->ndir)
            stack[top++] = e->left;
        if (e->right < c->ndir && !seen[e->right] && top < c->ndir)
            stack[top++] = e->right;
    }
done:
    kh_free(stack);
    kh_free(seen);
    return found;
}

long kh_cfb_find(const kh_cfb *c, const char *name)
{
    return find_child(c, name, 2);
}

long kh_cfb_find_any(const kh_cfb *c, const char *name)
{
    return find_child(c, name, 0);
}

/* The mini FAT and the mini stream, once. */
static kh_status read_mini(kh_cfb *c, kh_diags *d)
{
    if (c->mini_read)
        return KH_OK;
    unsigned char *buf = NULL;
    size_t len = 0;
    kh_status st = KH_OK;
    if (c->minifat_start != ENDOFCHAIN && c->minifat_start != FREESECT)
        st = chain_read(c, false, c->minifat_start, UINT64_MAX, &buf, &len, d);
    if (st != KH_OK)
        return st;
    c->nminifat = (uint32_t)(len / 4);
    c->minifat = kh_malloc(((size_t)c->nminifat + 1) * sizeof *c->minifat);
    if (!c->minifat) {
        kh_free(buf);
        return KH_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < c->nminifat; i++)
        c->minifat[i] = u32le(buf + 4 * (size_t)i);
    kh_free(buf);
    const cfb_entry *root = &c->dir[0];
    if (root->start != ENDOFCHAIN && root->start != FREESECT)
        st = chain_read(c, false, root->start, root->size, &c->mini, &c->nmini, d);
    if (st == KH_OK)
        c->mini_read = true;
    return st;
}

kh_status kh_cfb_read(kh_cfb *c, long e, unsigned char **out, size_t *len, kh_diags *d)
{
    *out = NULL;
    *len = 0;
    const cfb_entry *x = &c->dir[e];
    if (x->size < c->cutoff) {
        kh_status st = read_mini(c, d);
        if (st != KH_OK)
            return st;
        return chain_read(c, true, x->start, x->size, out, len, d);
    }
    return chain_read(c, false, x->start, x->size, out, len, d);
}
