/*
 * sheetfile.c - opening a spreadsheet file: which reader, and the plain
 * words for the files kaohe does not read (see sheetfile.h).
 *
 * The first bytes decide: a zip whose first entry is the OpenDocument
 * spreadsheet mimetype is .ods; another zip is an XLSX workbook (its
 * reader refuses .xlsb and .docx packages by their content), a Compound File (OLE)
 * is an .xls workbook (its reader also sees a password), anything else is
 * CSV text.  The name decides only what the bytes cannot: an Office lock
 * file (~$name) holds a few bytes of the user's name, a WPS .et file is a
 * Compound File that is no Excel workbook, and a file named .xls that is
 * no Compound File is what web systems export as "Excel": CSV text is
 * read as CSV, a web page as HTML tables, an Excel 2003 XML file or an
 * Excel 2.x file is refused saying so.
 */
#include "sheetfile.h"
#include "csv_in.h"
#include "text.h"
#include "outfile.h"
#include "ods_in.h"
#include "xls_in.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool name_ends(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && kh_ascii_eq_nocase(path + n - e, ext);
}

/* The last component of path. */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
#ifdef _WIN32
    const char *b = strrchr(path, '\\');
    if (b && (!s || b > s))
        s = b;
#endif
    return s ? s + 1 : path;
}

bool kh_sheetfile_name(const char *name)
{
    if (name[0] == '.' || (name[0] == '~' && name[1] == '$'))
        return false;
    return name_ends(name, ".csv") || name_ends(name, ".xlsx") || name_ends(name, ".xlsm") ||
           name_ends(name, ".xls") || name_ends(name, ".ods");
}

void kh_sheetfile_not_sheet(kh_diags *d, const char *path, kh_not_sheet what)
{
    switch (what) {
    case KH_NOT_PDF:
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this is not a checklist but a PDF file: a printed or scanned form "
                       "cannot be scored; fill in the checklist workbook made by kaohe template "
                       "(.xlsx) and give that file"));
        break;
    case KH_NOT_WORD:
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this is not a checklist but a Word document: copy the results into the "
                       "checklist workbook made by kaohe template (.xlsx) and give that file"));
        break;
    case KH_NOT_IMAGE:
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this is not a checklist but an image: a photo or scan of a form cannot "
                       "be scored; fill in the checklist workbook made by kaohe template (.xlsx) "
                       "and give that file"));
        break;
    case KH_NOT_ZIP:
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this is not a checklist but a zip archive: unpack it and give the "
                       "checklists in it (or their folder)"));
        break;
    }
}

/* Bytes of a file or of memory, read at any offset. */
typedef struct bytes {
    FILE *f;
    const unsigned char *mem;
    size_t len;
} bytes;

static bool read_at(const bytes *b, uint64_t off, void *buf, size_t n)
{
    if (b->mem)
        return off <= b->len && n <= b->len - off && (memcpy(buf, b->mem + off, n), true);
    return fseeko(b->f, (off_t)off, SEEK_SET) == 0 && fread(buf, 1, n, b->f) == n;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether a Compound File holds a stream named WordDocument (a Word .doc)
 * in its directory, followed through the FAT sectors the header lists
 * (at most 256 directory sectors: a damaged file is left to FreeXL). */
static bool cfb_is_word(const bytes *b)
{
    unsigned char h[512];
    if (!read_at(b, 0, h, sizeof h))
        return false;
    unsigned shift = (unsigned)h[0x1E] | (unsigned)h[0x1F] << 8;
    if (shift != 9 && shift != 12)
        return false;
    uint32_t ssz = 1u << shift, per = ssz / 4;
    uint32_t sect = le32(h + 0x30);
    static const char name[] = "WordDocument";
    for (int walked = 0; walked < 256 && sect < 0xFFFFFFFAu; walked++) {
        uint64_t base = ((uint64_t)sect + 1) << shift;
        for (uint32_t e = 0; e < ssz / 128; e++) {
            unsigned char ent[128];
            if (!read_at(b, base + (uint64_t)e * 128, ent, sizeof ent))
                return false;
            unsigned nl = (unsigned)ent[0x40] | (unsigned)ent[0x41] << 8;
            if (ent[0x42] != 2 || nl != 2 * sizeof name)
                continue;
            bool same = true;
            for (size_t i = 0; i < sizeof name - 1 && same; i++)
                same = ent[2 * i] == (unsigned char)name[i] && ent[2 * i + 1] == 0;
            if (same)
                return true;
        }
        /* The next directory sector: FAT[sect], in the FAT sector the
         * header's DIFAT lists (the first 109 of them). */
        uint32_t fs = sect / per;
        if (fs >= 109)
            return false;
        uint32_t fat = le32(h + 0x4C + 4 * fs);
        unsigned char nx[4];
        if (fat >= 0xFFFFFFFAu ||
            !read_at(b, (((uint64_t)fat + 1) << shift) + 4 * (uint64_t)(sect % per), nx, 4))
            return false;
        sect = le32(nx);
    }
    return false;
}

/* What the first bytes (and, for a Compound File, its directory) say the
 * file is when it is no spreadsheet; -1 when they say nothing of the kind. */
static int not_sheet_of(const unsigned char *head, size_t n, const bytes *b)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (n >= 5 && memcmp(head, "%PDF-", 5) == 0)
        return KH_NOT_PDF;
    if ((n >= sizeof png && memcmp(head, png, sizeof png) == 0) ||
        (n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) ||
        (n >= 6 && (memcmp(head, "GIF87a", 6) == 0 || memcmp(head, "GIF89a", 6) == 0)) ||
        (n >= 4 && (memcmp(head, "II*\0", 4) == 0 || memcmp(head, "MM\0*", 4) == 0)) ||
        (n >= 12 && memcmp(head, "RIFF", 4) == 0 && memcmp(head + 8, "WEBP", 4) == 0))
        return KH_NOT_IMAGE;
    if (kh_is_cfb(head, n) && cfb_is_word(b))
        return KH_NOT_WORD;
    return -1;
}

/* The kind of path by its first bytes and name; false (with a message)
 * when kaohe reads no such file. */
static bool kind_of(const char *path, kh_sheetfile_kind *kind, kh_status *st, kh_diags *d)
{
    const char *base = base_name(path);
    if (base[0] == '~' && base[1] == '$') {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this is the lock file of a workbook open in Excel or WPS, not a "
                       "checklist: close the workbook in Excel or WPS (the lock file then goes "
                       "away) and give the workbook itself"));
        *st = KH_ERR_INPUT;
        return false;
    }
    if (name_ends(path, ".et") || name_ends(path, ".ett")) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("WPS .et workbooks cannot be read: open it in WPS, choose 文件 → 另存为 and "
                       "save it as Excel 文件 (*.xlsx)"));
        *st = KH_ERR_INPUT;
        return false;
    }
    unsigned char head[4096] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot read the file: %s"),
                     strerror(errno));
        *st = KH_ERR_IO;
        return false;
    }
    size_t n = fread(head, 1, sizeof head, f);
    bytes whole = {.f = f};
    int no = not_sheet_of(head, n, &whole);
    fclose(f);
    if (no >= 0) {
        kh_sheetfile_not_sheet(d, path, (kh_not_sheet)no);
        *st = KH_ERR_INPUT;
        return false;
    }
    if (kh_is_ods(head, n))
        *kind = KH_SHEETFILE_ODS;
    else if (n >= 4 && memcmp(head, "PK\3\4", 4) == 0)
        *kind = KH_SHEETFILE_XLSX;
    else if (kh_is_cfb(head, n) && (name_ends(path, ".xlsx") || name_ends(path, ".xlsm"))) {
        /* Excel keeps a workbook with a password as an encrypted package
         * inside a Compound File. */
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this workbook is protected by a password (or is an old .xls named "
                       ".xlsx): open it in Excel or WPS, remove the password and save it as .xlsx"));
        *st = KH_ERR_INPUT;
        return false;
    } else if (kh_is_cfb(head, n))
        *kind = KH_SHEETFILE_XLS;
    else if (name_ends(path, ".xlsx") || name_ends(path, ".xlsm"))
        *kind = KH_SHEETFILE_XLSX; /* its reader says what is wrong with it */
    else if (name_ends(path, ".xls") && kh_xls_is_web_page(head, n))
        *kind = KH_SHEETFILE_XLS; /* a web system's "Excel": HTML tables */
    else if (name_ends(path, ".xls") && kh_xls_not_ole(head, n)) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("cannot read this .xls workbook: %s: open it in Excel or WPS and save it "
                       "as .xlsx"),
                     kh_xls_not_ole(head, n));
        *st = KH_ERR_INPUT;
        return false;
    } else
        *kind = KH_SHEETFILE_CSV;
    return true;
}

/* Standard input ("-"), read once whole (at most KH_CSV_MAX_FILE bytes),
 * then the reader its first bytes call for: a pipe cannot be opened twice,
 * and the sniffer reading it first lost the reader its first bytes. */
static kh_status read_stdin(kh_sheet_fn fn, void *ctx, kh_sheetfile_kind *kind, kh_diags *d)
{
    const char *name = "-";
    kh_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        if (b.len + n > KH_CSV_MAX_FILE) {
            kh_buf_free(&b);
            kh_diags_add(d, KH_ERROR, name, NULL, NULL, 0,
                         _("standard input holds more than %u MB, more than a checklist can be"),
                         (unsigned)(KH_CSV_MAX_FILE >> 20));
            return KH_ERR_LIMIT;
        }
        kh_buf_add(&b, chunk, n);
    }
    if (ferror(stdin)) {
        int e = errno;
        kh_buf_free(&b);
        kh_diags_add(d, KH_ERROR, name, NULL, NULL, 0, _("cannot read standard input: %s"),
                     strerror(e));
        return KH_ERR_IO;
    }
    if (b.oom) {
        kh_buf_free(&b);
        return KH_ERR_NOMEM;
    }
    const unsigned char *data = (const unsigned char *)kh_buf_str(&b);
    size_t len = b.len;
    kh_status st;
    bytes whole = {.mem = data, .len = len};
    int no = not_sheet_of(data, len, &whole);
    if (no >= 0) {
        *kind = KH_SHEETFILE_CSV;
        kh_sheetfile_not_sheet(d, name, (kh_not_sheet)no);
        st = KH_ERR_INPUT;
    } else if (kh_is_ods(data, len)) {
        *kind = KH_SHEETFILE_ODS;
        st = kh_ods_read_mem(name, data, len, fn, ctx, d);
    } else if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0) {
        *kind = KH_SHEETFILE_XLSX;
        st = kh_xlsx_read_mem(name, data, len, fn, ctx, d);
    } else if (kh_is_cfb(data, len)) {
        *kind = KH_SHEETFILE_XLS;
        st = kh_xls_read_mem(name, data, len, fn, ctx, d);
    } else {
        *kind = KH_SHEETFILE_CSV;
        kh_sheet *sheet = NULL;
        st = kh_csv_parse(name, data, len, &sheet, d);
        if (st == KH_OK)
            st = fn(ctx, sheet);
        kh_sheet_free(sheet);
    }
    kh_buf_free(&b);
    return st;
}

kh_status kh_sheetfile_read(const char *path, kh_sheet_fn fn, void *ctx,
                            kh_sheetfile_kind *kind, kh_diags *d)
{
    kh_sheetfile_kind k;
    kh_status st = KH_OK;
    if (strcmp(path, "-") == 0) {
        st = read_stdin(fn, ctx, &k, d);
        if (kind)
            *kind = k;
        return st;
    }
    if (!kind_of(path, &k, &st, d))
        return st;
    if (kind)
        *kind = k;
    switch (k) {
    case KH_SHEETFILE_XLSX: {
        char mark[16];
        st = kh_xlsx_read_file_marked(path, fn, ctx, mark, sizeof mark, d);
        if (st == KH_OK && kind && mark[0])
            *kind = strcmp(mark, KH_MARK_RANKING) == 0 ? KH_SHEETFILE_RANKING
                                                       : KH_SHEETFILE_SCORESHEET;
        return st;
    }
    case KH_SHEETFILE_XLS:
        return kh_xls_read_file(path, fn, ctx, d);
    case KH_SHEETFILE_ODS:
        return kh_ods_read_file(path, fn, ctx, d);
    case KH_SHEETFILE_CSV:
    case KH_SHEETFILE_RANKING:
    case KH_SHEETFILE_SCORESHEET:
        break;
    }
    kh_sheet *sheet = NULL;
    st = kh_csv_read_file(path, &sheet, d);
    if (st == KH_OK)
        st = fn(ctx, sheet);
    kh_sheet_free(sheet);
    return st;
}

kh_status kh_sheetfile_read_first(const char *path, kh_sheet **out, kh_sheetfile_kind *kind,
                                  kh_diags *d)
{
    *out = NULL;
    kh_sheetfile_kind k;
    kh_status st = KH_OK;
    if (!kind_of(path, &k, &st, d))
        return st;
    if (kind)
        *kind = k;
    switch (k) {
    case KH_SHEETFILE_XLSX:
        return kh_xlsx_read_first(path, out, d);
    case KH_SHEETFILE_XLS:
        return kh_xls_read_first(path, out, d);
    case KH_SHEETFILE_ODS:
        return kh_ods_read_first(path, out, d);
    case KH_SHEETFILE_CSV:
    case KH_SHEETFILE_RANKING:
    case KH_SHEETFILE_SCORESHEET:
        break;
    }
    return kh_csv_read_file(path, out, d);
}
