/*
 * zipmut.h - a structure-aware libFuzzer mutator for XLSX inputs.
 *
 * Byte mutations of a deflated zip almost never reach the XML parsers, and
 * a mutated stored part fails its CRC check before the worksheet reaches
 * the checklist code.  So, three times in four, a zip input is taken apart
 * (every entry inflated), one entry's bytes are mutated by libFuzzer, and
 * the zip is rebuilt with every entry stored and every size and CRC right.
 * The fourth time, and for anything that is no zip, plain byte mutation
 * (hostile containers: truncation, wrong sizes, bad CRCs).
 *
 * Only with -DKH_LIBFUZZER (the clang build of make fuzz); the replay
 * build has no mutator.
 */
#ifndef KH_ZIPMUT_H
#define KH_ZIPMUT_H
#ifdef KH_LIBFUZZER

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

#define ZM_MAX_ENTRIES 64
#define ZM_MAX_INFLATE (1u << 20)

typedef struct zm_entry {
    char name[256];
    size_t nlen;
    uint8_t *data;
    size_t len;
} zm_entry;

static unsigned zm_u16(const uint8_t *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t zm_u32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void zm_put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void zm_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static void zm_free(zm_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].data);
}

/* Inflate raw deflate data; NULL when it is broken or too large. */
static uint8_t *zm_inflate(const uint8_t *src, size_t slen, size_t *out_len)
{
    uint8_t *out = malloc(ZM_MAX_INFLATE);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (!out || inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
        free(out);
        return NULL;
    }
    zs.next_in = (Bytef *)src;
    zs.avail_in = (uInt)slen;
    zs.next_out = out;
    zs.avail_out = ZM_MAX_INFLATE;
    int rc = inflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* The entries of the local headers in data, in order.  0 when it is not a
 * zip this mutator understands (data descriptors, zip64, encryption). */
static size_t zm_parse(const uint8_t *data, size_t size, zm_entry *e)
{
    size_t pos = 0, n = 0;
    while (pos + 30 <= size && zm_u32(data + pos) == 0x04034b50 && n < ZM_MAX_ENTRIES) {
        const uint8_t *h = data + pos;
        unsigned flags = zm_u16(h + 6), method = zm_u16(h + 8);
        uint32_t csize = zm_u32(h + 18);
        size_t nlen = zm_u16(h + 26), xlen = zm_u16(h + 28);
        if ((flags & 9) || nlen == 0 || nlen >= sizeof e[n].name || (method != 0 && method != 8) ||
            pos + 30 + nlen + xlen + csize > size)
            break;
        const uint8_t *body = h + 30 + nlen + xlen;
        memcpy(e[n].name, h + 30, nlen);
        e[n].name[nlen] = '\0';
        e[n].nlen = nlen;
        if (method == 0) {
            e[n].data = malloc(csize ? csize : 1);
            if (e[n].data)
                memcpy(e[n].data, body, csize);
            e[n].len = csize;
        } else {
            e[n].data = zm_inflate(body, csize, &e[n].len);
        }
        if (!e[n].data)
            break;
        n++;
        pos += 30 + nlen + xlen + csize;
    }
    if (n == 0 || pos + 4 > size || (zm_u32(data + pos) != 0x02014b50)) {
        zm_free(e, n);
        return 0;
    }
    return n;
}

/* Write the entries as a zip of stored entries into out[0..max).  Returns
 * the length, or 0 when it does not fit. */
static size_t zm_build(const zm_entry *e, size_t n, uint8_t *out, size_t max)
{
    size_t need = 22;
    for (size_t i = 0; i < n; i++)
        need += 30 + 46 + 2 * e[i].nlen + e[i].len;
    if (need > max)
        return 0;
    uint32_t offs[ZM_MAX_ENTRIES], crcs[ZM_MAX_ENTRIES];
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t *h = out + pos;
        offs[i] = (uint32_t)pos;
        crcs[i] = (uint32_t)crc32(0, e[i].data, (uInt)e[i].len);
        memset(h, 0, 30);
        zm_put32(h, 0x04034b50);
        zm_put16(h + 4, 20);
        zm_put32(h + 14, crcs[i]);
        zm_put32(h + 18, (uint32_t)e[i].len);
        zm_put32(h + 22, (uint32_t)e[i].len);
        zm_put16(h + 26, (unsigned)e[i].nlen);
        memcpy(h + 30, e[i].name, e[i].nlen);
        memcpy(h + 30 + e[i].nlen, e[i].data, e[i].len);
        pos += 30 + e[i].nlen + e[i].len;
    }
    size_t cd = pos;
    for (size_t i = 0; i < n; i++) {
        uint8_t *h = out + pos;
        memset(h, 0, 46);
        zm_put32(h, 0x02014b50);
        zm_put16(h + 4, 20);
        zm_put16(h + 6, 20);
        zm_put32(h + 16, crcs[i]);
        zm_put32(h + 20, (uint32_t)e[i].len);
        zm_put32(h + 24, (uint32_t)e[i].len);
        zm_put16(h + 28, (unsigned)e[i].nlen);
        zm_put32(h + 42, offs[i]);
        memcpy(h + 46, e[i].name, e[i].nlen);
        pos += 46 + e[i].nlen;
    }
    uint8_t *z = out + pos;
    memset(z, 0, 22);
    zm_put32(z, 0x06054b50);
    zm_put16(z + 8, (unsigned)n);
    zm_put16(z + 10, (unsigned)n);
    zm_put32(z + 12, (uint32_t)(pos - cd));
    zm_put32(z + 16, (uint32_t)cd);
    return pos + 22;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    if (size < 4 || memcmp(data, "PK\3\4", 4) != 0 || seed % 4 == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    static zm_entry e[ZM_MAX_ENTRIES];
    size_t n = zm_parse(data, size, e);
    if (n == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    /* Mostly the XML parts; now and then a name. */
    size_t k = (seed / 4) % n;
    if ((seed / 256) % 16 == 0) {
        e[k].nlen = LLVMFuzzerMutate((uint8_t *)e[k].name, e[k].nlen, sizeof e[k].name - 1);
        if (e[k].nlen == 0)
            e[k].nlen = 1;
        e[k].name[e[k].nlen] = '\0';
    } else {
        size_t room = max_size > size ? max_size - size : 0;
        room += e[k].len + 64;
        uint8_t *p = realloc(e[k].data, room);
        if (p) {
            e[k].data = p;
            e[k].len = LLVMFuzzerMutate(p, e[k].len, room);
        }
    }
    size_t len = zm_build(e, n, data, max_size);
    zm_free(e, n);
    return len ? len : LLVMFuzzerMutate(data, size, max_size);
}

#endif
#endif
