/*
 * csv_in.c - CSV files into a sheet grid (see csv_in.h).  First the bytes
 * are recognised (empty, zip, OLE, UTF-16, binary), then decoded to UTF-8
 * as a whole, then parsed by libcsv in strict mode; every record is a row,
 * every field a column.  Nothing of a file with an error is returned.
 */
#include "csv_in.h"
#include "outfile.h"
#include "text.h"
#include "xlsx_in.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file whose first this many non-ASCII characters are valid UTF-8 is
 * UTF-8 even when bytes after them are not: it is damaged or mixes two
 * encodings, and reading it all as GB18030 would turn it into mojibake.
 * Real GB18030 text passes as UTF-8 for a few characters at most (图片 is
 * CD BC C6 AC, two valid UTF-8 pairs), never for this many. */
#define UTF8_EVIDENCE 16

/* libcsv's field buffer may grow to the field cap plus this slack (the
 * closing quote and spaces it keeps until the field ends, and the NUL);
 * the exact cap is checked on every field it hands over. */
#define FIELD_SLACK 4096u
#define FIELD_BUF_MAX ((size_t)KH_CSV_MAX_FIELD + FIELD_SLACK)

/* ---- messages about bytes ---- */

/* 1-based record number of the byte at off: line breaks (CRLF, LF, CR)
 * outside double quotes, counted in the raw bytes.  Quote, comma, CR and
 * LF never occur inside a UTF-8 or GB18030 multi-byte character. */
static size_t raw_row(const unsigned char *s, size_t len, size_t off)
{
    size_t row = 1;
    bool quoted = false;
    for (size_t i = 0; i < off && i < len; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (!quoted && (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n'))))
            row++;
    }
    return row;
}

/* Up to 4 bytes from off as "0xFF" or "0x81 0x30", stopping before a line
 * break, comma or quote. */
static void bad_bytes_hex(kh_buf *b, const unsigned char *s, size_t len, size_t off)
{
    size_t n = 0;
    while (off + n < len && n < 4) {
        unsigned char c = s[off + n];
        if (n && (c == '\r' || c == '\n' || c == ',' || c == '"'))
            break;
        kh_buf_printf(b, "%s0x%02X", n ? " " : "", c);
        n++;
    }
}

enum bad_kind { BAD_NEITHER, BAD_AFTER_BOM, BAD_AFTER_UTF8 };

static void report_bad_bytes(kh_diags *d, const char *path, const unsigned char *s,
                             size_t len, size_t off, enum bad_kind kind)
{
    static const char *const why[] = {
        [BAD_NEITHER] = N_("neither UTF-8 nor GB18030 text"),
        [BAD_AFTER_BOM] = N_("not valid UTF-8, although the file starts with a UTF-8 byte order mark"),
        [BAD_AFTER_UTF8] = N_("not valid UTF-8, although the text before is UTF-8 (the file is damaged "
                              "or mixes two encodings)"),
    };
    kh_buf b = {0};
    bad_bytes_hex(&b, s, len, off);
    kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                 _("row %zu, byte offset %zu: the bytes %s are %s: save the file as UTF-8 (in "
                   "Excel: Save As → CSV UTF-8)"),
                 raw_row(s, len, off), off, kh_buf_str(&b), _(why[kind]));
    if (b.oom && d)
        d->oom = true;
    kh_buf_free(&b);
}

/* ---- decoding ---- */

/* Convert GB18030 bytes to a new NUL-terminated UTF-8 buffer. */
static kh_status gb18030_to_utf8(const char *path, const unsigned char *s, size_t len,
                                 char **out, size_t *outlen, kh_diags *d)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    int e = errno;
    if (cd == (iconv_t)-1) {
        char eb[128];
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the file is not UTF-8 and this system cannot convert GB18030 (iconv: %s): "
                       "save the file as UTF-8 (in Excel: Save As → CSV UTF-8)"),
                     kh_errno_text(e, eb, sizeof eb));
        return KH_ERR_INPUT;
    }
    /* A 2-byte character becoming 3 bytes is the largest growth. */
    size_t cap = len + len / 2 + 4;
    char *buf = kh_malloc(cap + 1);
    kh_status st = buf ? KH_OK : KH_ERR_NOMEM;
    char *in = (char *)s, *o = buf;
    size_t inleft = len, oleft = cap;
    while (st == KH_OK && inleft > 0) {
        if (iconv(cd, &in, &inleft, &o, &oleft) != (size_t)-1)
            continue;
        if (errno == E2BIG) {
            size_t used = (size_t)(o - buf);
            char *nb = kh_realloc(buf, cap * 2 + 1);
            if (!nb) {
                st = KH_ERR_NOMEM;
                break;
            }
            buf = nb;
            o = buf + used;
            oleft += cap;
            cap *= 2;
        } else {
            report_bad_bytes(d, path, s, len, (size_t)((unsigned char *)in - s), BAD_NEITHER);
            st = KH_ERR_INPUT;
        }
    }
    iconv_close(cd);
    if (st != KH_OK) {
        kh_free(buf);
        return st;
    }
    *o = '\0';
    *out = buf;
    *outlen = (size_t)(o - buf);
    return KH_OK;
}

/* Find the UTF-8 text of the file: *text points into s, or into *owned
 * (which the caller frees) after a conversion from GB18030. */
static kh_status decode(const char *path, const unsigned char *s, size_t len,
                        const char **text, size_t *tlen, char **owned, kh_diags *d)
{
    *owned = NULL;
    bool bom = len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0;
    size_t start = bom ? 3 : 0, bad;
    if (kh_utf8_valid((const char *)s + start, len - start, &bad)) {
        *text = (const char *)s + start;
        *tlen = len - start;
        return KH_OK;
    }
    bad += start;
    size_t evidence = 0;
    for (size_t i = start; i < bad; i++)
        evidence += s[i] >= 0xC0;  /* lead bytes of the valid prefix */
    if (bom || evidence >= UTF8_EVIDENCE) {
        report_bad_bytes(d, path, s, len, bad, bom ? BAD_AFTER_BOM : BAD_AFTER_UTF8);
        return KH_ERR_INPUT;
    }
    kh_status st = gb18030_to_utf8(path, s, len, owned, tlen, d);
    if (st != KH_OK)
        return st;
    *text = *owned;
    /* The GB18030 byte order mark (84 31 95 33) decodes to U+FEFF. */
    if (*tlen >= 3 && memcmp(*text, "\xEF\xBB\xBF", 3) == 0) {
        *text += 3;
        *tlen -= 3;
    }
    return KH_OK;
}

/* ---- parsing ---- */

typedef struct reader {
    const char *path;
    kh_sheet *sheet;
    kh_diags *d;
    size_t row, col;     /* 0-based position of the next field */
    size_t seg_end;      /* offset just past the segment libcsv is parsing */
    size_t last_cr;      /* offset of the CR that ended the last row, or SIZE_MAX */
    kh_status st;        /* the first error; callbacks do nothing after it */
} reader;

/* The A1 name of the current position, or NULL when it lies outside the
 * sheet. */
static const char *here(const reader *r, char buf[KH_CELLREF_BUFSZ])
{
    if (r->row >= KH_MAX_ROWS || r->col >= KH_MAX_COLS)
        return NULL;
    return kh_cell_ref((uint32_t)r->row, (uint32_t)r->col, buf);
}

static void field_too_long(reader *r)
{
    char ref[KH_CELLREF_BUFSZ];
    kh_diags_add(r->d, KH_ERROR, r->path, NULL, here(r, ref), 0,
                 _("this field is longer than %u bytes (often a quote that is never closed): "
                   "close the quote or shorten the field"),
                 KH_CSV_MAX_FIELD);
    r->st = KH_ERR_INPUT;
}

static void on_field(void *data, size_t len, void *ctx)
{
    reader *r = ctx;
    if (r->st != KH_OK)
        return;
    if (len > KH_CSV_MAX_FIELD) {
        field_too_long(r);
        return;
    }
    if (len > 0 && r->row >= KH_MAX_ROWS) {
        kh_diags_add(r->d, KH_ERROR, r->path, NULL, NULL, 0,
                     _("row %zu is beyond the last row a spreadsheet has (%u): split the file"),
                     r->row + 1, KH_MAX_ROWS);
        r->st = KH_ERR_INPUT;
        return;
    }
    if (len > 0 && r->col >= KH_MAX_COLS) {
        kh_diags_add(r->d, KH_ERROR, r->path, NULL, NULL, 0,
                     _("row %zu has a value in column %zu, beyond the last column a spreadsheet "
                       "has (XFD, %u): remove the extra commas from that row"),
                     r->row + 1, r->col + 1, KH_MAX_COLS);
        r->st = KH_ERR_INPUT;
        return;
    }
    /* '=1+1: kaohe's CSV writers put an apostrophe before text that a
     * spreadsheet would take for a formula (kh_formula_like); reading it
     * back, the apostrophe goes, so a template's unit name comes back as
     * it was given. */
    const char *text = data;
    if (len >= 2 && text[0] == '\'' && kh_formula_like(text + 1)) {
        text++;
        len--;
    }
    if (len > 0 && !kh_sheet_set(r->sheet, (uint32_t)r->row, (uint32_t)r->col, KH_CELL_STRING,
                                 text, len)) {
        r->st = KH_ERR_NOMEM;
        return;
    }
    r->col++;
}

static void on_row(int c, void *ctx)
{
    reader *r = ctx;
    if (c == '\n' && r->seg_end >= 2 && r->last_cr == r->seg_end - 2)
        return;  /* the LF of a CRLF whose CR ended the row */
    r->last_cr = c == '\r' ? r->seg_end - 1 : SIZE_MAX;
    r->row++;
    r->col = 0;
}

/* libcsv grows its field buffer through this: past the cap it refuses, so
 * a runaway field stops the parser instead of taking memory. */
static void *field_realloc(void *ptr, size_t size)
{
    return size > FIELD_BUF_MAX ? NULL : kh_realloc(ptr, size);
}

/* libcsv in strict mode reports a record end for every line break outside
 * quotes (CSV_REPALL_NL, so blank lines are rows too) but not where it
 * was.  So the text is fed one segment at a time, each ending just after a
 * CR or LF: a record end then belongs to the last byte of the segment, and
 * an LF that directly follows the CR that ended the previous record is the
 * second half of a CRLF, not a blank row.  Quoted line breaks produce no
 * record end.  After an error the rest is not fed; csv_fini and csv_free
 * run always. */
static kh_status parse(reader *r, const char *text, size_t len)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL) != 0)
        return KH_ERR_NOMEM;
    csv_set_realloc_func(&p, field_realloc);
    csv_set_free_func(&p, kh_free);
    csv_set_blk_size(&p, 4096);
    char ref[KH_CELLREF_BUFSZ];

    size_t pos = 0;
    while (pos < len && r->st == KH_OK) {
        /* The segment ends after the first CR or LF from pos. */
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *cr = memchr(text + pos, '\r', end - pos);
        if (cr)
            end = (size_t)(cr - text);
        if (end < len)
            end++;
        r->seg_end = end;
        size_t done = csv_parse(&p, text + pos, end - pos, on_field, on_row, r);
        if (done < end - pos && r->st == KH_OK) {
            int err = csv_error(&p);
            if (err == CSV_EPARSE) {
                kh_diags_add(r->d, KH_ERROR, r->path, NULL, here(r, ref), 0, "%s",
                             p.quoted ? _("text after the closing quote of a quoted field: inside "
                                          "quotes write a quote twice (\"\"), or remove the quotes "
                                          "around the field")
                                      : _("a quote (\") inside a field that does not start with "
                                          "one: put the whole field in quotes and write the quote "
                                          "twice (\"\"), or remove it"));
                r->st = KH_ERR_INPUT;
            } else if (err == CSV_ENOMEM && p.entry_pos <= KH_CSV_MAX_FIELD) {
                r->st = KH_ERR_NOMEM;
            } else {
                field_too_long(r);
            }
        }
        pos = end;
    }
    r->seg_end = len;
    if (csv_fini(&p, on_field, on_row, r) != 0 && r->st == KH_OK) {
        kh_diags_add(r->d, KH_ERROR, r->path, NULL, here(r, ref), 0,
                     _("unterminated quoted field: the quote that starts here is never closed and "
                       "runs to the end of the file: close the quote or remove it"));
        r->st = KH_ERR_INPUT;
    }
    csv_free(&p);
    return r->st;
}

/* ---- entry points ---- */

/* Recognise files that are not CSV text at all. */
static kh_status check_kind(const char *path, const unsigned char *s, size_t len, kh_diags *d)
{
    const char *msg = NULL;
    bool bom = len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0;
    if (len == (bom ? 3u : 0u))
        msg = _("the file is empty: check that this is the file you meant and that it was saved "
                "with its contents");
    else if (len >= 4 && memcmp(s, "PK\3\4", 4) == 0)
        msg = _("this is an XLSX workbook with a .csv name: rename it to .xlsx");
    else if (kh_is_cfb(s, len))
        msg = _("this is an old .xls or an encrypted Excel workbook, not CSV text: open it in "
                "Excel or WPS and save it as CSV UTF-8 or as .xlsx without a password");
    else if (len >= 2 && (memcmp(s, "\xFF\xFE", 2) == 0 || memcmp(s, "\xFE\xFF", 2) == 0))
        msg = _("this is UTF-16 text (Excel's \"Unicode Text\"), not CSV: save the file as "
                "UTF-8 (in Excel: Save As → CSV UTF-8)");
    if (msg) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, "%s", msg);
        return KH_ERR_INPUT;
    }
    const unsigned char *nul = memchr(s, 0, len);
    if (nul) {
        size_t off = (size_t)(nul - s);
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("row %zu, byte offset %zu: a NUL byte, which CSV text never holds (this is "
                       "a binary file or UTF-16 text): save the file as UTF-8 (in Excel: Save As "
                       "→ CSV UTF-8)"),
                     raw_row(s, len, off), off);
        return KH_ERR_INPUT;
    }
    return KH_OK;
}

kh_status kh_csv_parse(const char *path, const void *data, size_t len,
                       kh_sheet **out, kh_diags *d)
{
    *out = NULL;
    const unsigned char *s = data;
    if (len > KH_CSV_MAX_FILE) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the file is larger than %u MiB, the limit for a CSV file: split it"),
                     KH_CSV_MAX_FILE >> 20);
        return KH_ERR_LIMIT;
    }
    kh_status st = check_kind(path, s, len, d);
    if (st != KH_OK)
        return st;

    const char *text;
    size_t tlen;
    char *owned;
    st = decode(path, s, len, &text, &tlen, &owned, d);
    if (st != KH_OK)
        return st;

    reader r = {.path = path, .d = d, .last_cr = SIZE_MAX, .sheet = kh_sheet_new(NULL)};
    if (!r.sheet)
        st = KH_ERR_NOMEM;
    else
        st = parse(&r, text, tlen);
    kh_free(owned);
    if (st == KH_OK && r.sheet->ncells == 0) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the file holds only blank lines, spaces or commas: check that this is the "
                       "file you meant and that it was saved with its contents"));
        st = KH_ERR_INPUT;
    }
    if (st != KH_OK) {
        kh_sheet_free(r.sheet);
        return st;
    }
    kh_sheet_finish(r.sheet);
    *out = r.sheet;
    return KH_OK;
}

kh_status kh_csv_read_file(const char *path, kh_sheet **out, kh_diags *d)
{
    *out = NULL;
    /* Plain reads, not stdio: one fstat, no FILE buffer copied through. */
    int fd = kh_open_read(path);
    if (fd < 0) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot open the file: %s"), strerror(errno));
        return KH_ERR_IO;
    }
    /* Read at most one byte past the limit, so a file that is too large
     * (or grows while being read) is recognised without reading it all. */
    size_t limit = (size_t)KH_CSV_MAX_FILE + 1, want = 1 << 16;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        want = (uintmax_t)sb.st_size < limit ? (size_t)sb.st_size + 1 : limit;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    kh_status st = KH_OK;
    for (;;) {
        if (len == cap) {
            if (len == limit) {
                kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                             _("the file is larger than %u MiB, the limit for a CSV file: split it"),
                             KH_CSV_MAX_FILE >> 20);
                st = KH_ERR_LIMIT;
                break;
            }
            size_t ncap = cap ? (cap > limit / 2 ? limit : cap * 2) : want;
            char *nb = kh_realloc(buf, ncap);
            if (!nb) {
                st = KH_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot read the file: %s"),
                         strerror(errno));
            st = KH_ERR_IO;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (st == KH_OK)
        st = kh_csv_parse(path, buf, len, out, d);
    kh_free(buf);
    return st;
}
