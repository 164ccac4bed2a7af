/*
 * xlsx_zip.c - the zip layer of the XLSX reader (see xlsx_zip.h): one I/O
 * abstraction over memory or a FILE (streamed from disk) for minizip, an
 * index of the entries by normalised name, and bounded part reading.
 *
 * minizip and the zlib inside it allocate with the C library's malloc;
 * everything kept here goes through kh_malloc.
 */
#include "xlsx_zip.h"
#include "xlsx_in.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unzip.h>

/* Where minizip reads from: a buffer, or a file read on demand. */
typedef struct zsrc {
    FILE *f;
    const unsigned char *data;
    size_t len;
    uint64_t pos;
    int err;            /* errno of the first failed file read, or -1 */
    unsigned char *owned;  /* data, when it is a small file read whole */
} zsrc;

/* Files up to this size are read whole: minizip reads the zip directory a
 * few bytes per call, which through stdio cost more than the reading. */
#define ZIP_WHOLE_MAX (1u << 20)

typedef struct zentry {
    char *norm;         /* normalised name: the index key */
    char *name;         /* as stored in the zip */
    unz64_file_pos pos;
    uint64_t usize;     /* declared uncompressed size */
    unsigned long flag, method;  /* general purpose flags, compression method */
} zentry;

struct kh_zip {
    const char *path;
    zsrc src;
    unzFile uf;
    zentry *e;          /* sorted by norm */
    size_t n, cap;
    const zentry *cur;  /* the open part, or NULL */
    const char *sheet;  /* its worksheet, for diagnostics */
    uint64_t part_bytes, total_bytes;
};

static const unsigned char cfb_magic[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

bool kh_is_cfb(const void *data, size_t len)
{
    return len >= sizeof cfb_magic && memcmp(data, cfb_magic, sizeof cfb_magic) == 0;
}

/* ---- minizip I/O over a zsrc ---- */

static voidpf ZCALLBACK src_open(voidpf opaque, const void *filename, int mode)
{
    (void)filename, (void)mode;
    return opaque;
}

static uLong ZCALLBACK src_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    (void)opaque;
    zsrc *s = stream;
    if (s->f) {
        size_t n = fread(buf, 1, size, s->f);
        if (n < size && ferror(s->f) && !s->err)
            s->err = errno ? errno : EIO;
        s->pos += n;
        return (uLong)n;
    }
    size_t left = s->pos < s->len ? s->len - (size_t)s->pos : 0;
    size_t n = size < left ? size : left;
    if (n <= 8) {
        /* minizip reads the zip directory a field (1-4 bytes) a call. */
        unsigned char *o = buf;
        for (size_t i = 0; i < n; i++)
            o[i] = s->data[s->pos + i];
    } else {
        memcpy(buf, s->data + s->pos, n);
    }
    s->pos += n;
    return (uLong)n;
}

static uLong ZCALLBACK src_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque, (void)stream, (void)buf, (void)size;
    return 0;
}

static ZPOS64_T ZCALLBACK src_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((zsrc *)stream)->pos;
}

static long ZCALLBACK src_seek(voidpf opaque, voidpf stream, ZPOS64_T off, int origin)
{
    (void)opaque;
    zsrc *s = stream;
    uint64_t base;
    if (s->f) {
        int whence = origin == ZLIB_FILEFUNC_SEEK_SET ? SEEK_SET
                   : origin == ZLIB_FILEFUNC_SEEK_CUR ? SEEK_CUR : SEEK_END;
        if (off > INT64_MAX || fseeko(s->f, (off_t)off, whence) != 0)
            return -1;
        off_t p = ftello(s->f);
        if (p < 0)
            return -1;
        s->pos = (uint64_t)p;
        return 0;
    }
    switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
    case ZLIB_FILEFUNC_SEEK_CUR: base = s->pos; break;
    case ZLIB_FILEFUNC_SEEK_END: base = s->len; break;
    default: return -1;
    }
    if (off > s->len - base)
        return -1;
    s->pos = base + off;
    return 0;
}

static int ZCALLBACK src_close(voidpf opaque, voidpf stream)
{
    (void)opaque, (void)stream;
    return 0;
}

static int ZCALLBACK src_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((zsrc *)stream)->err != 0;
}

/* ---- names ---- */

char *kh_zip_norm(const char *name)
{
    while (*name == '/' || *name == '\\')
        name++;
    char *s = kh_strdup(name);
    if (!s)
        return NULL;
    for (char *p = s; *p; p++) {
        if (*p == '\\')
            *p = '/';
        else if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return s;
}

/* True when a normalised name has a ".." segment. */
static bool climbs(const char *s)
{
    for (const char *p = s; *p;) {
        const char *q = strchr(p, '/');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n + (q != NULL);
    }
    return false;
}

const char *kh_xlsx_show(const char *s, char buf[KH_XLSX_SHOW_BUFSZ])
{
    size_t i = 0, o = 0, len = strlen(s);
    const size_t room = KH_XLSX_SHOW_BUFSZ - 4; /* for "..." and NUL */
    while (i < len && o < room) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (n > len - i || !kh_utf8_valid(s + i, n, NULL) || c < 0x20 || c == 0x7F) {
            buf[o++] = '?';
            i++;
            continue;
        }
        if (o + n > room)
            break;
        memcpy(buf + o, s + i, n);
        o += n;
        i += n;
    }
    if (i < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* ---- opening and indexing ---- */

/* By normalised name, then in zip order: qsort is not stable, and the
 * message about two parts of one name names them in the zip's order on
 * every C library (msvcrt's qsort reversed them). */
static int entry_cmp(const void *a, const void *b)
{
    const zentry *x = a, *y = b;
    int c = strcmp(x->norm, y->norm);
    if (c)
        return c;
    return (x->pos.num_of_file > y->pos.num_of_file) - (x->pos.num_of_file < y->pos.num_of_file);
}

static kh_status damaged(const kh_zip *z, kh_diags *d)
{
    kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0,
                 _("the zip directory of this XLSX file is damaged: copy the file again "
                   "or re-save it from Excel or WPS"));
    return KH_ERR_INPUT;
}

/* Add the current entry of z->uf to the index (directories skipped). */
static kh_status index_entry(kh_zip *z, kh_diags *d)
{
    /* One read of the entry (minizip parses it a byte at a time) when its
     * name fits the buffer, a second with a buffer of its size if not. */
    unz_file_info64 fi;
    char small[256];
    if (unzGetCurrentFileInfo64(z->uf, &fi, small, sizeof small, NULL, 0, NULL, 0) != UNZ_OK)
        return damaged(z, d);
    char *name = kh_malloc(fi.size_filename + 1);
    if (!name)
        return KH_ERR_NOMEM;
    unz64_file_pos pos;
    if (fi.size_filename < sizeof small)
        memcpy(name, small, fi.size_filename);
    else if (unzGetCurrentFileInfo64(z->uf, &fi, name, fi.size_filename + 1, NULL, 0, NULL,
                                     0) != UNZ_OK) {
        kh_free(name);
        return damaged(z, d);
    }
    if (unzGetFilePos64(z->uf, &pos) != UNZ_OK) {
        kh_free(name);
        return damaged(z, d);
    }
    name[fi.size_filename] = '\0';
    char show[KH_XLSX_SHOW_BUFSZ];
    if (strlen(name) != fi.size_filename) {
        kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0,
                     _("the zip holds a part name with a NUL byte (\"%s\"): the file is crafted "
                       "or damaged; re-save it from Excel or WPS"), kh_xlsx_show(name, show));
        kh_free(name);
        return KH_ERR_INPUT;
    }
    size_t len = strlen(name);
    if (len == 0 || name[len - 1] == '/' || name[len - 1] == '\\') {
        kh_free(name);
        return KH_OK;
    }
    char *norm = kh_zip_norm(name);
    if (!norm) {
        kh_free(name);
        return KH_ERR_NOMEM;
    }
    if (climbs(norm)) {
        kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0,
                     _("the zip holds a part named \"%s\", which points outside the package "
                       "(\"..\"): the file is crafted or damaged; re-save it from Excel or WPS"),
                     kh_xlsx_show(name, show));
        kh_free(norm);
        kh_free(name);
        return KH_ERR_INPUT;
    }
    if (!kh_grow((void **)&z->e, &z->cap, z->n + 1, sizeof *z->e)) {
        kh_free(norm);
        kh_free(name);
        return KH_ERR_NOMEM;
    }
    z->e[z->n++] = (zentry){.norm = norm, .name = name, .pos = pos,
                            .usize = fi.uncompressed_size, .flag = fi.flag,
                            .method = fi.compression_method};
    return KH_OK;
}

/* Read the central directory into z->e, sorted, duplicates rejected. */
static kh_status index_zip(kh_zip *z, kh_diags *d)
{
    int r = unzGoToFirstFile(z->uf);
    while (r == UNZ_OK) {
        kh_status st = index_entry(z, d);
        if (st != KH_OK)
            return st;
        r = unzGoToNextFile(z->uf);
    }
    if (r != UNZ_END_OF_LIST_OF_FILE)
        return damaged(z, d);
    if (z->n > 1)
        qsort(z->e, z->n, sizeof *z->e, entry_cmp);
    for (size_t i = 1; i < z->n; i++) {
        if (strcmp(z->e[i - 1].norm, z->e[i].norm) == 0) {
            char a[KH_XLSX_SHOW_BUFSZ], b[KH_XLSX_SHOW_BUFSZ];
            kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0,
                         _("the zip holds two parts named \"%s\" and \"%s\" (part names ignore "
                           "case, and \\ is /): the file is crafted or damaged; re-save it "
                           "from Excel or WPS"),
                         kh_xlsx_show(z->e[i - 1].name, a), kh_xlsx_show(z->e[i].name, b));
            return KH_ERR_INPUT;
        }
    }
    return KH_OK;
}

/* Common to both opens: head[0..nhead) are the first bytes of the file. */
static kh_status zip_open(kh_zip *z, const unsigned char *head, size_t nhead, kh_diags *d)
{
    if (nhead == 0) {
        kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0,
                     _("the file is empty, not an XLSX workbook: save the workbook again "
                       "from Excel or WPS"));
        return KH_ERR_INPUT;
    }
    if (kh_is_cfb(head, nhead)) {
        kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0,
                     _("encrypted or legacy .xls workbook: open it in Excel or WPS and save "
                       "as .xlsx"));
        return KH_ERR_INPUT;
    }
    bool pk = nhead >= 4 && memcmp(head, "PK\x03\x04", 4) == 0;
    zlib_filefunc64_def io = {
        .zopen64_file = src_open, .zread_file = src_read, .zwrite_file = src_write,
        .ztell64_file = src_tell, .zseek64_file = src_seek, .zclose_file = src_close,
        .zerror_file = src_error, .opaque = &z->src,
    };
    z->uf = unzOpen2_64(z->path, &io);
    if (!z->uf) {
        if (z->src.err > 0) {
            kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0, _("cannot read the file: %s"),
                         strerror(z->src.err));
            return KH_ERR_IO;
        }
        if (pk)
            kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0,
                         _("the XLSX file is truncated or damaged (its zip directory is "
                           "missing): copy it again or re-save it from Excel or WPS"));
        else
            kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0,
                         _("not an XLSX workbook (the file is no zip archive): save it from "
                           "Excel or WPS as .xlsx"));
        return KH_ERR_INPUT;
    }
    return index_zip(z, d);
}

kh_status kh_zip_open_mem(const char *path, const void *data, size_t len, kh_zip **out,
                          kh_diags *d)
{
    *out = NULL;
    kh_zip *z = kh_calloc(1, sizeof *z);
    if (!z)
        return KH_ERR_NOMEM;
    z->path = path;
    z->src = (zsrc){.data = data, .len = data ? len : 0};
    kh_status st = zip_open(z, z->src.data, z->src.len, d);
    if (st != KH_OK) {
        kh_zip_free(z);
        return st;
    }
    *out = z;
    return KH_OK;
}

/* Read the regular file fd of size bytes whole into a new z->src.owned
 * (z->src.data).  KH_OK, KH_ERR_NOMEM, or KH_ERR_IO with errno set. */
static kh_status read_whole(kh_zip *z, int fd, size_t size)
{
    if (!(z->src.owned = kh_malloc(size)))
        return KH_ERR_NOMEM;
    size_t len = 0;
    while (len < size) {
        ssize_t n = read(fd, z->src.owned + len, size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return KH_ERR_IO;
        if (n == 0)
            break;  /* shrank while being read: what there is */
        len += (size_t)n;
    }
    z->src.data = z->src.owned;
    z->src.len = len;
    return KH_OK;
}

kh_status kh_zip_open_file(const char *path, kh_zip **out, kh_diags *d)
{
    *out = NULL;
    kh_zip *z = kh_calloc(1, sizeof *z);
    if (!z)
        return KH_ERR_NOMEM;
    z->path = path;
    kh_status st = KH_ERR_IO;
    unsigned char head[8];
    size_t nhead;
    int fd = kh_open_read(path);
    if (fd < 0) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot open the file: %s"),
                     strerror(errno));
        goto fail;
    }
    /* A small regular file: read it whole with plain reads and read the
     * zip from memory.  Anything else (a large file, or no memory for the
     * small one) is streamed from a FILE. */
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (uint64_t)sb.st_size <= ZIP_WHOLE_MAX) {
        st = read_whole(z, fd, (size_t)sb.st_size);
        if (st == KH_ERR_IO) {
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot read the file: %s"),
                         strerror(errno ? errno : EIO));
            close(fd);
            goto fail;
        }
        if (st == KH_OK) {
            close(fd);
            nhead = z->src.len < sizeof head ? z->src.len : sizeof head;
            memcpy(head, z->src.data, nhead);
            goto parse;
        }
        kh_free(z->src.owned);
        z->src.owned = NULL;
    }
    z->src.f = fdopen(fd, "rb");
    if (!z->src.f) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot open the file: %s"),
                     strerror(errno));
        close(fd);
        st = KH_ERR_IO;
        goto fail;
    }
    nhead = fread(head, 1, sizeof head, z->src.f);
    if (ferror(z->src.f) || fseeko(z->src.f, 0, SEEK_SET) != 0) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot read the file: %s"),
                     strerror(errno ? errno : EIO));
        st = KH_ERR_IO;
        goto fail;
    }
parse:
    st = zip_open(z, head, nhead, d);
    if (st != KH_OK)
        goto fail;
    *out = z;
    return KH_OK;
fail:
    kh_zip_free(z);
    return st;
}

void kh_zip_free(kh_zip *z)
{
    if (!z)
        return;
    kh_zip_part_close(z);
    if (z->uf)
        unzClose(z->uf);
    if (z->src.f)
        fclose(z->src.f);
    kh_free(z->src.owned);
    for (size_t i = 0; i < z->n; i++) {
        kh_free(z->e[i].norm);
        kh_free(z->e[i].name);
    }
    kh_free(z->e);
    kh_free(z);
}

static const zentry *find(const kh_zip *z, const char *norm)
{
    size_t lo = 0, hi = z->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(z->e[mid].norm, norm);
        if (c == 0)
            return &z->e[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t kh_zip_count(const kh_zip *z)
{
    return z->n;
}

const char *kh_zip_norm_at(const kh_zip *z, size_t i)
{
    return i < z->n ? z->e[i].norm : NULL;
}

const char *kh_zip_find(const kh_zip *z, const char *norm)
{
    const zentry *e = find(z, norm);
    return e ? e->name : NULL;
}

/* ---- reading parts ---- */

/* A diagnostic about the current part: "part NAME <what>". */
static kh_status part_error(kh_zip *z, kh_status st, kh_diags *d, const char *what)
{
    char show[KH_XLSX_SHOW_BUFSZ];
    kh_diags_add(d, KH_ERROR, z->path, z->sheet, NULL, 0, _("part %s %s"),
                 kh_xlsx_show(z->cur->name, show), what);
    kh_zip_part_close(z);
    return st;
}

kh_status kh_zip_part_open(kh_zip *z, const char *norm, const char *sheet, kh_diags *d)
{
    kh_zip_part_close(z);
    const zentry *e = find(z, norm);
    if (!e)
        return KH_ERR_USAGE;
    z->cur = e;
    z->sheet = sheet;
    z->part_bytes = 0;
    /* The entry's flags and method were taken when it was indexed. */
    if (unzGoToFilePos64(z->uf, &e->pos) != UNZ_OK) {
        z->cur = NULL;
        return damaged(z, d);
    }
    if (e->flag & 1)
        return part_error(z, KH_ERR_INPUT, d,
                          _("is encrypted: remove the password in Excel or WPS and save the "
                            "workbook again"));
    if (e->method != 0 && e->method != Z_DEFLATED)
        return part_error(z, KH_ERR_INPUT, d,
                          _("uses a compression method other than deflate: re-save the "
                            "workbook from Excel or WPS"));
    if (unzOpenCurrentFile(z->uf) != UNZ_OK)
        return part_error(z, KH_ERR_INPUT, d,
                          _("is damaged (its local header does not match the zip directory): "
                            "copy the file again or re-save it from Excel or WPS"));
    return KH_OK;
}

kh_status kh_zip_part_read(kh_zip *z, void *buf, size_t cap, size_t *n, kh_diags *d)
{
    *n = 0;
    if (!z->cur)
        return KH_ERR_USAGE;
    if (cap > (1u << 30))
        cap = 1u << 30;
    int r = unzReadCurrentFile(z->uf, buf, (unsigned)cap);
    if (r < 0) {
        if (z->src.err > 0) {
            int e = z->src.err;
            kh_zip_part_close(z);
            kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0, _("cannot read the file: %s"),
                         strerror(e));
            return KH_ERR_IO;
        }
        return part_error(z, KH_ERR_INPUT, d,
                          _("is damaged (its compressed data is corrupt or cut short): copy "
                            "the file again or re-save it from Excel or WPS"));
    }
    if (r == 0) {
        if (z->part_bytes != z->cur->usize)
            return part_error(z, KH_ERR_INPUT, d,
                              _("is damaged (its size differs from the size in the zip "
                                "directory): copy the file again or re-save it from Excel or "
                                "WPS"));
        int c = unzCloseCurrentFile(z->uf);
        if (c != UNZ_OK)
            return part_error(z, KH_ERR_INPUT, d,
                              c == UNZ_CRCERROR
                                  ? _("is damaged (CRC mismatch): copy the file again or "
                                      "re-save it from Excel or WPS")
                                  : _("is damaged: copy the file again or re-save it from "
                                      "Excel or WPS"));
        z->cur = NULL;
        return KH_OK;
    }
    z->part_bytes += (uint64_t)r;
    z->total_bytes += (uint64_t)r;
    if (z->part_bytes > KH_XLSX_MAX_PART) {
        char show[KH_XLSX_SHOW_BUFSZ];
        kh_diags_add(d, KH_ERROR, z->path, z->sheet, NULL, 0,
                     _("part %s inflates past the %u MiB limit: the file is damaged or not a "
                       "real workbook"),
                     kh_xlsx_show(z->cur->name, show), KH_XLSX_MAX_PART >> 20);
        kh_zip_part_close(z);
        return KH_ERR_INPUT;
    }
    if (z->total_bytes > KH_XLSX_MAX_TOTAL) {
        kh_zip_part_close(z);
        kh_diags_add(d, KH_ERROR, z->path, NULL, NULL, 0,
                     _("the parts of this workbook inflate past the %u MiB limit: the file is "
                       "damaged or not a real workbook"), KH_XLSX_MAX_TOTAL >> 20);
        return KH_ERR_INPUT;
    }
    *n = (size_t)r;
    return KH_OK;
}

void kh_zip_part_close(kh_zip *z)
{
    if (z && z->cur) {
        unzCloseCurrentFile(z->uf);
        z->cur = NULL;
    }
}
