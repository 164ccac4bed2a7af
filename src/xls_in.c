/*
 * xls_in.c - the .xls reader (see xls_in.h): the BIFF records of the
 * Workbook stream ([MS-XLS]; "Book" in Excel 5.0/95 files) into sheet
 * grids, in workbook order.
 *
 * Only what a checklist needs is read.  The workbook globals (from the
 * first BOF to its EOF): FILEPASS (refused), CODEPAGE, DATEMODE, FORMAT
 * and XF (which cells show dates), BOUNDSHEET (where each sheet's records
 * begin) and SST with its CONTINUE records.  Each worksheet's records
 * (BOF ... EOF, charts embedded in it skipped): LABELSST, LABEL, RSTRING,
 * NUMBER, RK, MULRK, BOOLERR, FORMULA with its cached value (and the
 * STRING record after a string result).  Everything else is skipped.
 *
 * Bounds: the file is read whole (at most KH_XLS_MAX_FILE bytes) and the
 * Workbook stream copied out of it (xls_cfb.c); nothing is allocated from
 * a count in the file (the SST's string count, a string's length): tables
 * grow as their records are read, so they are bounded by the stream.  The
 * records the worksheets walk are bounded by the stream's size (sheets
 * that overlap cannot make the reader walk it a thousand times).  The
 * XLSX reader's limits hold: sheets, characters in a cell, grid bytes.
 */
#include "xls_in.h"
#include "xls_cfb.h"
#include "gb18030.h"
#include "html_in.h"
#include "xlsx_in.h"
#include "xlsx_num.h"
#include "text.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Record types. */
enum {
    R_FORMULA = 0x0006, R_EOF = 0x000a, R_DATEMODE = 0x0022, R_FILEPASS = 0x002f,
    R_CONTINUE = 0x003c, R_CODEPAGE = 0x0042, R_BOUNDSHEET = 0x0085, R_MULRK = 0x00bd,
    R_RSTRING = 0x00d6, R_XF = 0x00e0, R_SST = 0x00fc, R_LABELSST = 0x00fd,
    R_NUMBER = 0x0203, R_LABEL = 0x0204, R_BOOLERR = 0x0205, R_STRING = 0x0207,
    R_RK = 0x027e, R_FORMAT = 0x041e, R_BOF = 0x0809,
    R_BOF2 = 0x0009, R_BOF3 = 0x0209, R_BOF4 = 0x0409
};

typedef struct fmt {
    uint16_t id;
    bool date;
} fmt;

typedef struct bsheet {
    uint32_t pos;       /* stream offset of its BOF */
    unsigned dt;        /* 0 worksheet, 1 macro sheet, 2 chart, 6 VB module */
    char *name;
} bsheet;

typedef struct xls {
    const char *path;
    kh_diags *d;
    const unsigned char *s;     /* the Workbook stream */
    size_t n;
    bool biff8;                 /* else BIFF5/7: byte strings in the code page */
    unsigned codepage;
    iconv_t cd;                 /* code page -> UTF-8, opened on first use */
    bool cd_tried;
    bool date1904;
    locale_t cloc;
    kh_buf sst;                 /* shared strings, each followed by a NUL */
    size_t *sst_off;
    size_t nsst, capsst;
    uint16_t *xf;               /* number format of cell format i */
    size_t nxf, capxf;
    bool *xf_date;
    fmt *fmts;
    size_t nfmts, capfmts;
    bsheet *sheets;
    size_t nsheets, capsheets;
    kh_buf text;                /* scratch for one string */
    size_t walked;              /* bytes of worksheet records walked */
    size_t grids;
    kh_sheet *cur;
} xls;

static uint32_t u16le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t u32le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool kh_is_xls_name(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && kh_ascii_eq_nocase(path + n - 4, ".xls");
}

/* The workbook cannot be read for reason why (a msgid). */
static kh_status refuse(const char *path, const char *why, kh_diags *d)
{
    kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                 _("cannot read this .xls workbook: %s: open it in Excel or WPS and save it "
                   "as .xlsx"),
                 why);
    return KH_ERR_INPUT;
}

static kh_status damaged(xls *x)
{
    return refuse(x->path, _("a record of its workbook stream is damaged"), x->d);
}

static kh_status encrypted(const char *path, kh_diags *d)
{
    kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                 _("encrypted: remove the password in Excel or WPS and save it again"));
    return KH_ERR_INPUT;
}

/* ---- records ---- */

typedef struct rec {
    uint32_t type;
    const unsigned char *p;
    size_t len;
    size_t next;        /* offset of the record after it */
} rec;

/* The record at off; false when none starts there or it is cut short. */
static bool rec_at(const xls *x, size_t off, rec *r)
{
    if (off > x->n || x->n - off < 4)
        return false;
    size_t len = u16le(x->s + off + 2);
    if (x->n - off - 4 < len)
        return false;
    r->type = u16le(x->s + off);
    r->p = x->s + off + 4;
    r->len = len;
    r->next = off + 4 + len;
    return true;
}

/* Bytes of one record and the CONTINUE records after it, read as one. */
typedef struct cont {
    const xls *x;
    const unsigned char *p, *end;
    size_t next;        /* the record after the current one; SIZE_MAX: none */
} cont;

static void cont_init(cont *c, const xls *x, const rec *r, bool more)
{
    *c = (cont){x, r->p, r->p + r->len, more ? r->next : SIZE_MAX};
}

/* Into the next record when it is a CONTINUE. */
static bool cont_more(cont *c)
{
    rec r;
    if (c->next == SIZE_MAX || !rec_at(c->x, c->next, &r) || r.type != R_CONTINUE)
        return false;
    c->p = r.p;
    c->end = r.p + r.len;
    c->next = r.next;
    return true;
}

/* n bytes to dst (NULL: skipped), across CONTINUE records. */
static bool cont_read(cont *c, unsigned char *dst, uint64_t n)
{
    while (n > 0) {
        if (c->p == c->end && !cont_more(c))
            return false;
        size_t k = (size_t)(c->end - c->p);
        if (k > n)
            k = (size_t)n;
        if (dst) {
            memcpy(dst, c->p, k);
            dst += k;
        }
        c->p += k;
        n -= k;
    }
    return true;
}

static bool cont_u16(cont *c, uint32_t *v)
{
    unsigned char b[2];
    if (!cont_read(c, b, 2))
        return false;
    *v = u16le(b);
    return true;
}

/* ---- text ---- */

static void put_cp(kh_buf *out, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | cp >> 18);
        b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
        b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    kh_buf_add(out, b, n);
}

/* One UTF-16 code unit u; *hi holds a high surrogate waiting for its
 * pair.  A lone surrogate becomes U+FFFD; U+0000 is dropped. */
static void put_u16(kh_buf *out, unsigned *hi, unsigned u)
{
    if (*hi) {
        unsigned h = *hi;
        *hi = 0;
        if (u >= 0xdc00 && u < 0xe000) {
            put_cp(out, 0x10000 + ((h - 0xd800) << 10) + (u - 0xdc00));
            return;
        }
        put_cp(out, 0xfffd);
    }
    if (u >= 0xd800 && u < 0xdc00)
        *hi = u;
    else if (u >= 0xdc00 && u < 0xe000)
        put_cp(out, 0xfffd);
    else if (u != 0)
        put_cp(out, u);
}

/* The rest of an XLUnicodeString (or an SST entry) whose cch was read:
 * its flags byte, run and phonetic sizes, cch characters (at each CONTINUE
 * boundary a new flags byte says whether they are 1 or 2 bytes wide), then
 * the runs and phonetic data skipped.  The text is appended to out. */
static bool read_chars(cont *c, uint32_t cch, kh_buf *out)
{
    unsigned char fl;
    uint32_t runs = 0;
    unsigned char ext[4] = {0};
    if (!cont_read(c, &fl, 1) || ((fl & 0x08) && !cont_u16(c, &runs)) ||
        ((fl & 0x04) && !cont_read(c, ext, 4)))
        return false;
    bool high = fl & 1;
    unsigned hi = 0;
    while (cch > 0) {
        if (c->p == c->end) {
            if (!cont_more(c))
                return false;
            if (c->p == c->end)
                continue;
            high = *c->p++ & 1;
            continue;
        }
        if (high) {
            if (c->end - c->p < 2)
                return false;
            put_u16(out, &hi, u16le(c->p));
            c->p += 2;
        } else {
            unsigned b = *c->p++;
            if (b)
                put_cp(out, b);
        }
        cch--;
    }
    if (hi)
        put_cp(out, 0xfffd);
    return cont_read(c, NULL, (uint64_t)runs * 4) && cont_read(c, NULL, u32le(ext));
}

/* The iconv name of a BIFF5 code page. */
static void codepage_name(unsigned cp, char name[16])
{
    switch (cp) {
    case 367: strcpy(name, "ASCII"); break;
    case 1200: /* BIFF8's marker: a BIFF5 writer means Windows' ANSI */
    case 32769: strcpy(name, "CP1252"); break;
    case 10000:
    case 32768: strcpy(name, "MACINTOSH"); break;
    case 65001: strcpy(name, "UTF-8"); break;
    default: snprintf(name, 16, "CP%u", cp); break;
    }
}

/* n bytes of BIFF5 text in the workbook's code page, appended to out as
 * UTF-8; bytes that do not decode become U+FFFD. */
static kh_status cp_text(xls *x, const unsigned char *s, size_t n, kh_buf *out)
{
    size_t i = 0;
    while (i < n && s[i] < 0x80)
        i++;
    if (i == n) {
        for (i = 0; i < n; i++)
            if (s[i])
                kh_buf_add(out, (const char *)s + i, 1);
        return KH_OK;
    }
    /* GBK (CP936) with kaohe's own GB18030 table, as csv_in.c: the Linux
     * and Windows builds read the same bytes the same way, with no iconv
     * or Windows code page involved. */
    if (x->codepage == 936) {
        size_t bad = 0;
        for (i = 0; i < n;) {
            uint32_t cp;
            size_t len = kh_gb18030_char(s + i, n - i, &cp);
            if (len == 0) {
                if (++bad > 64)
                    return refuse(x->path,
                                  _("its text is in a character set that cannot be converted"),
                                  x->d);
                put_cp(out, 0xfffd);
                i++;
                continue;
            }
            if (cp)
                put_cp(out, cp);
            i += len;
        }
        return KH_OK;
    }
    if (!x->cd_tried) {
        char name[16];
        x->cd_tried = true;
        codepage_name(x->codepage ? x->codepage : 1252, name);
        x->cd = iconv_open("UTF-8", name);
    }
    if (x->cd == (iconv_t)-1)
        return refuse(x->path, _("its text is in a character set that cannot be converted"),
                      x->d);
    /* Text where more than a few bytes do not decode is not in this code
     * page: the workbook is refused rather than shown as U+FFFD. */
    if (!kh_iconv_lossy(x->cd, s, n, out, 64) && !out->oom)
        return refuse(x->path, _("its text is in a character set that cannot be converted"),
                      x->d);
    return KH_OK;
}

/* A string of the record: BIFF8 an XLUnicodeString (cch of lenbytes
 * bytes), BIFF5 cch code-page bytes.  Into x->text (reset first). */
static kh_status rec_string(xls *x, cont *c, unsigned lenbytes)
{
    kh_buf_reset(&x->text);
    uint32_t cch = 0;
    unsigned char b[2] = {0};
    if (!cont_read(c, b, lenbytes))
        return damaged(x);
    cch = lenbytes == 2 ? u16le(b) : b[0];
    if (x->biff8) {
        if (!read_chars(c, cch, &x->text))
            return damaged(x);
    } else {
        if ((size_t)(c->end - c->p) < cch)
            return damaged(x);
        kh_status st = cp_text(x, c->p, cch, &x->text);
        if (st != KH_OK)
            return st;
        c->p += cch;
    }
    return x->text.oom ? KH_ERR_NOMEM : KH_OK;
}

/* ---- workbook globals ---- */

static kh_status read_sst(xls *x, const rec *r)
{
    cont c;
    cont_init(&c, x, r, true);
    unsigned char head[8];
    if (!cont_read(&c, head, 8))
        return damaged(x);
    uint32_t unique = u32le(head + 4);
    kh_buf s = {0};
    kh_status st = KH_OK;
    /* The count is not trusted: strings are read while there are some. */
    while (x->nsst < unique) {
        uint32_t cch;
        if (c.p == c.end && !cont_more(&c))
            break;
        kh_buf_reset(&s);
        if (!cont_u16(&c, &cch) || !read_chars(&c, cch, &s)) {
            st = damaged(x);
            break;
        }
        if (!kh_grow((void **)&x->sst_off, &x->capsst, x->nsst + 1, sizeof *x->sst_off)) {
            st = KH_ERR_NOMEM;
            break;
        }
        x->sst_off[x->nsst++] = x->sst.len;
        kh_buf_add(&x->sst, kh_buf_str(&s), s.len);
        kh_buf_add(&x->sst, "", 1);
        if (x->sst.oom || s.oom) {
            st = KH_ERR_NOMEM;
            break;
        }
    }
    kh_buf_free(&s);
    return st;
}

static kh_status add_format(xls *x, const rec *r)
{
    if (r->len < 3)
        return damaged(x);
    cont c;
    cont_init(&c, x, r, false);
    c.p += 2;
    kh_status st = rec_string(x, &c, x->biff8 ? 2 : 1);
    if (st != KH_OK)
        return st;
    if (!kh_grow((void **)&x->fmts, &x->capfmts, x->nfmts + 1, sizeof *x->fmts))
        return KH_ERR_NOMEM;
    x->fmts[x->nfmts++] = (fmt){(uint16_t)u16le(r->p), kh_xlsx_code_is_date(kh_buf_str(&x->text))};
    return KH_OK;
}

static kh_status add_sheet(xls *x, const rec *r)
{
    if (r->len < 7)
        return damaged(x);
    if (x->nsheets >= KH_XLSX_MAX_SHEETS) {
        kh_diags_add(x->d, KH_ERROR, x->path, NULL, NULL, 0,
                     _("the workbook has more than %u sheets, kaohe's limit: split it "
                       "into several workbooks"),
                     KH_XLSX_MAX_SHEETS);
        return KH_ERR_LIMIT;
    }
    uint32_t pos = u32le(r->p);
    for (size_t i = 0; i < x->nsheets; i++)
        if (x->sheets[i].pos == pos)
            return damaged(x);  /* two sheets in one place */
    cont c;
    cont_init(&c, x, r, false);
    c.p += 6;
    kh_status st = rec_string(x, &c, 1);
    if (st != KH_OK)
        return st;
    if (!kh_grow((void **)&x->sheets, &x->capsheets, x->nsheets + 1, sizeof *x->sheets))
        return KH_ERR_NOMEM;
    char *name = kh_strndup(kh_buf_str(&x->text), x->text.len);
    if (!name)
        return KH_ERR_NOMEM;
    x->sheets[x->nsheets++] = (bsheet){pos, r->p[5], name};
    return KH_OK;
}

/* Which cell formats show dates: a FORMAT record's code (the last one of
 * an id wins), else the built-in date formats, as the XLSX reader. */
static kh_status resolve_dates(xls *x)
{
    if (!x->nxf)
        return KH_OK;
    x->xf_date = kh_calloc(x->nxf, sizeof *x->xf_date);
    if (!x->xf_date)
        return KH_ERR_NOMEM;
    for (size_t i = 0; i < x->nxf; i++) {
        size_t k = x->nfmts;
        while (k > 0 && x->fmts[k - 1].id != x->xf[i])
            k--;
        x->xf_date[i] = k ? x->fmts[k - 1].date : kh_xlsx_builtin_is_date(x->xf[i]);
    }
    return KH_OK;
}

/* The globals: from the first BOF to its EOF. */
static kh_status read_globals(xls *x, bool book)
{
    rec r;
    if (!rec_at(x, 0, &r))
        return damaged(x);
    if (r.type == R_BOF2 || r.type == R_BOF3 || r.type == R_BOF4)
        return refuse(x->path, _("it is an Excel 2.x-4.0 file (BIFF2-4), older than kaohe reads"),
                      x->d);
    if (r.type != R_BOF || r.len < 4)
        return damaged(x);
    unsigned vers = u16le(r.p), dt = u16le(r.p + 2);
    x->biff8 = vers == 0x0600 || (vers != 0x0500 && !book);
    if (dt == 0x0100)
        return refuse(x->path, _("it is an Excel 2.x-4.0 file (BIFF2-4), older than kaohe reads"),
                      x->d);
    if (dt != 0x0005)
        return damaged(x);
    size_t off = r.next;
    kh_status st = KH_OK;
    while (st == KH_OK) {
        if (!rec_at(x, off, &r)) {
            if (off < x->n)
                st = damaged(x);
            break;
        }
        off = r.next;
        switch (r.type) {
        case R_EOF:
            return resolve_dates(x);
        case R_FILEPASS:
            return encrypted(x->path, x->d);
        case R_CODEPAGE:
            if (r.len >= 2)
                x->codepage = u16le(r.p);
            break;
        case R_DATEMODE:
            if (r.len >= 2)
                x->date1904 = u16le(r.p) == 1;
            break;
        case R_XF:
            if (r.len < 4)
                return damaged(x);
            if (!kh_grow((void **)&x->xf, &x->capxf, x->nxf + 1, sizeof *x->xf))
                return KH_ERR_NOMEM;
            x->xf[x->nxf++] = (uint16_t)u16le(r.p + 2);
            break;
        case R_FORMAT:
            st = add_format(x, &r);
            break;
        case R_BOUNDSHEET:
            st = add_sheet(x, &r);
            break;
        case R_SST:
            if (x->nsst == 0)
                st = read_sst(x, &r);
            break;
        default:
            break;
        }
    }
    return st == KH_OK ? resolve_dates(x) : st;
}

/* ---- worksheets ---- */

/* The memory a grid takes, roughly: what the grid limits count (as in
 * the XLSX reader). */
static size_t grid_bytes(const kh_sheet *g)
{
    return g->text_bytes + g->ncells * (sizeof *g->cells + 16);
}

static kh_status put_cell(xls *x, uint32_t row, uint32_t col, kh_cell_type type,
                          const char *text, size_t len)
{
    char ref[KH_CELLREF_BUFSZ];
    if (col >= KH_MAX_COLS)
        return damaged(x);
    if (len > KH_XLSX_MAX_CELL) {
        size_t chars = 0;
        for (size_t i = 0; i < len; i++)
            chars += ((unsigned char)text[i] & 0xc0) != 0x80;
        if (chars > KH_XLSX_MAX_CELL) {
            kh_diags_add(x->d, KH_ERROR, x->path, x->cur->name, kh_cell_ref(row, col, ref), 0,
                         _("the cell holds more than %u characters, more than Excel allows: "
                           "the file is damaged or crafted"),
                         KH_XLSX_MAX_CELL);
            return KH_ERR_LIMIT;
        }
    }
    if (!kh_sheet_set(x->cur, row, col, type, text, len))
        return KH_ERR_NOMEM;
    size_t bytes = grid_bytes(x->cur);
    if (bytes > KH_XLSX_MAX_GRID) {
        kh_diags_add(x->d, KH_ERROR, x->path, x->cur->name, kh_cell_ref(row, col, ref), 0,
                     _("the worksheet holds more than %u MiB of cells, kaohe's limit: keep "
                       "the checklist in a workbook of its own"),
                     KH_XLSX_MAX_GRID >> 20);
        return KH_ERR_LIMIT;
    }
    if (x->grids + bytes > KH_XLSX_MAX_GRIDS) {
        kh_diags_add(x->d, KH_ERROR, x->path, x->cur->name, kh_cell_ref(row, col, ref), 0,
                     _("the worksheets of this workbook hold more than %u MiB of cells, "
                       "kaohe's limit: keep the checklists in workbooks of their own"),
                     KH_XLSX_MAX_GRIDS >> 20);
        return KH_ERR_LIMIT;
    }
    return KH_OK;
}

/* A number cell: a date when its format shows one. */
static kh_status put_number(xls *x, uint32_t row, uint32_t col, uint32_t ixfe, double v)
{
    char num[KH_XLSX_NUMBUF];
    if (!isfinite(v))
        return damaged(x);
    kh_cell_type type = KH_CELL_NUMBER;
    if (ixfe < x->nxf && x->xf_date[ixfe] && kh_xlsx_serial_date(v, x->date1904, num))
        type = KH_CELL_DATE;
    else
        kh_xlsx_format_number(v, x->cloc, num);
    return put_cell(x, row, col, type, num, strlen(num));
}

static double rk_value(uint32_t rk)
{
    double v;
    if (rk & 2) {
        v = (double)((int32_t)(rk & ~3u) / 4);
    } else {
        uint64_t u = (uint64_t)(rk & ~3u) << 32;
        memcpy(&v, &u, sizeof v);
    }
    return rk & 1 ? v / 100 : v;
}

static const char *error_text(unsigned code)
{
    switch (code) {
    case 0x00: return "#NULL!";
    case 0x07: return "#DIV/0!";
    case 0x0f: return "#VALUE!";
    case 0x17: return "#REF!";
    case 0x1d: return "#NAME?";
    case 0x24: return "#NUM!";
    case 0x2a: return "#N/A";
    default: return "#N/A";
    }
}

static kh_status put_bool_err(xls *x, uint32_t row, uint32_t col, unsigned v, bool err)
{
    const char *t = err ? error_text(v) : v ? "TRUE" : "FALSE";
    return put_cell(x, row, col, err ? KH_CELL_ERROR : KH_CELL_BOOL, t, strlen(t));
}

/* One record of a worksheet.  *pending: the cell of a formula whose
 * string result the next STRING record holds (row << 16 | col), or -1. */
static kh_status sheet_record(xls *x, const rec *r, int64_t *pending)
{
    const unsigned char *p = r->p;
    uint32_t row = 0, col = 0;
    if (r->len >= 4) {
        row = u16le(p);
        col = u16le(p + 2);
    }
    int64_t was = *pending;
    switch (r->type) {
    case R_LABELSST: {
        *pending = -1;
        if (r->len < 10)
            return damaged(x);
        uint32_t i = u32le(p + 6);
        if (i >= x->nsst) {
            char a[16], ref[KH_CELLREF_BUFSZ];
            snprintf(a, sizeof a, "%u", (unsigned)i);
            kh_diags_add(x->d, KH_ERROR, x->path, x->cur->name, kh_cell_ref(row, col, ref), 0,
                         _("shared string index %s is out of range (the workbook has %zu shared "
                           "strings): the file is damaged; re-save it from Excel or WPS"),
                         a, x->nsst);
            return KH_ERR_INPUT;
        }
        const char *t = x->sst.s + x->sst_off[i];
        size_t len = (i + 1 < x->nsst ? x->sst_off[i + 1] : x->sst.len) - x->sst_off[i] - 1;
        return put_cell(x, row, col, KH_CELL_STRING, t, len);
    }
    case R_LABEL:
    case R_RSTRING: {
        *pending = -1;
        if (r->len < 8)
            return damaged(x);
        cont c;
        cont_init(&c, x, r, false);
        c.p += 6;
        kh_status st = rec_string(x, &c, 2);
        if (st != KH_OK)
            return st;
        return put_cell(x, row, col, KH_CELL_STRING, kh_buf_str(&x->text), x->text.len);
    }
    case R_NUMBER: {
        *pending = -1;
        if (r->len < 14)
            return damaged(x);
        double v;
        uint64_t u = (uint64_t)u32le(p + 6) | (uint64_t)u32le(p + 10) << 32;
        memcpy(&v, &u, sizeof v);
        return put_number(x, row, col, u16le(p + 4), v);
    }
    case R_RK:
        *pending = -1;
        if (r->len < 10)
            return damaged(x);
        return put_number(x, row, col, u16le(p + 4), rk_value(u32le(p + 6)));
    case R_MULRK:
        *pending = -1;
        if (r->len < 6)
            return damaged(x);
        for (size_t i = 0; 4 + 6 * i + 6 <= r->len - 2; i++) {
            kh_status st = put_number(x, row, col + (uint32_t)i, u16le(p + 4 + 6 * i),
                                      rk_value(u32le(p + 6 + 6 * i)));
            if (st != KH_OK)
                return st;
        }
        return KH_OK;
    case R_BOOLERR:
        *pending = -1;
        if (r->len < 8)
            return damaged(x);
        return put_bool_err(x, row, col, p[6], p[7] != 0);
    case R_FORMULA:
        *pending = -1;
        if (r->len < 20)
            return damaged(x);
        if (u16le(p + 12) == 0xffff) {
            switch (p[6]) {
            case 0: /* a string: in the STRING record that follows */
                *pending = (int64_t)row << 16 | col;
                return KH_OK;
            case 1:
                return put_bool_err(x, row, col, p[8] != 0, false);
            case 2:
                return put_bool_err(x, row, col, p[8], true);
            default: /* 3: the empty string */
                return KH_OK;
            }
        } else {
            double v;
            uint64_t u = (uint64_t)u32le(p + 6) | (uint64_t)u32le(p + 10) << 32;
            memcpy(&v, &u, sizeof v);
            return put_number(x, row, col, u16le(p + 4), v);
        }
    case R_STRING: {
        *pending = -1;
        if (was < 0)
            return KH_OK;
        cont c;
        cont_init(&c, x, r, true);
        kh_status st = rec_string(x, &c, 2);
        if (st != KH_OK)
            return st;
        return put_cell(x, (uint32_t)(was >> 16), (uint32_t)(was & 0xffff), KH_CELL_STRING,
                        kh_buf_str(&x->text), x->text.len);
    }
    default:
        return KH_OK;
    }
}

/* Read sheet i into a new finished grid in *out; *out NULL (KH_OK) when
 * it is no worksheet (a chart, a macro sheet). */
static kh_status read_sheet(xls *x, const bsheet *b, kh_sheet **out)
{
    *out = NULL;
    rec r;
    if (!rec_at(x, b->pos, &r) || r.type != R_BOF || r.len < 4)
        return damaged(x);
    if (u16le(r.p + 2) != 0x0010)
        return KH_OK;
    if (!(x->cur = kh_sheet_new(b->name)))
        return KH_ERR_NOMEM;
    size_t off = r.next;
    int64_t pending = -1;
    unsigned depth = 0;
    kh_status st = KH_OK;
    while (st == KH_OK) {
        if (!rec_at(x, off, &r)) {
            if (off < x->n)
                st = damaged(x);
            break;
        }
        /* Sheets that overlap would walk the stream again and again. */
        x->walked += r.next - off;
        if (x->walked > 2 * x->n + 4096) {
            st = damaged(x);
            break;
        }
        off = r.next;
        if (r.type == R_BOF) {
            depth++;    /* a chart inside the worksheet: skipped */
        } else if (r.type == R_EOF) {
            if (depth == 0)
                break;
            depth--;
        } else if (depth == 0) {
            st = sheet_record(x, &r, &pending);
        }
    }
    if (st != KH_OK) {
        kh_sheet_free(x->cur);
        x->cur = NULL;
        return st;
    }
    kh_sheet_finish(x->cur);
    *out = x->cur;
    x->cur = NULL;
    return KH_OK;
}

/* ---- entry points ---- */

/* The workbook in stream s[0..n) (taken: freed here). */
static kh_status read_stream(const char *path, unsigned char *s, size_t n, bool book,
                             kh_sheet_fn fn, void *ctx, kh_sheet **first, kh_diags *d)
{
    xls x = {.path = path, .d = d, .s = s, .n = n, .cd = (iconv_t)-1};
    kh_status st = KH_ERR_NOMEM;
    x.cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (x.cloc)
        st = read_globals(&x, book);
    size_t nread = 0, ncharts = 0;
    for (size_t i = 0; st == KH_OK && i < x.nsheets; i++) {
        if (x.sheets[i].dt != 0) {
            ncharts += x.sheets[i].dt == 2;
            continue;
        }
        kh_sheet *sheet = NULL;
        if ((st = read_sheet(&x, &x.sheets[i], &sheet)) != KH_OK || !sheet)
            continue;
        nread++;
        x.grids += grid_bytes(sheet);
        if (first) {
            *first = sheet;
            break;
        }
        st = fn(ctx, sheet);
        kh_sheet_free(sheet);
    }
    if (st == KH_OK && nread == 0) {
        if (ncharts)
            st = refuse(path, _("it holds charts only, no worksheet"), d);
        else {
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                         _("this .xls workbook has no worksheet"));
            st = KH_ERR_INPUT;
        }
    }
    if (x.cloc)
        freelocale(x.cloc);
    if (x.cd != (iconv_t)-1)
        iconv_close(x.cd);
    kh_buf_free(&x.sst);
    kh_buf_free(&x.text);
    kh_free(x.sst_off);
    kh_free(x.xf);
    kh_free(x.xf_date);
    kh_free(x.fmts);
    for (size_t i = 0; i < x.nsheets; i++)
        kh_free(x.sheets[i].name);
    kh_free(x.sheets);
    kh_free(s);
    return st;
}

static kh_status too_large(const char *path, kh_diags *d)
{
    kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                 _("the .xls file is larger than %u MB, more than a checklist can be: "
                   "open it in Excel or WPS and save it as .xlsx"),
                 (unsigned)(KH_XLS_MAX_FILE >> 20));
    return KH_ERR_LIMIT;
}

/* The compound file in data[0..len); owned (may be NULL) is freed as soon
 * as the Workbook stream has been copied out of it. */
static kh_status read_cfb(const char *path, const void *data, size_t len, void *owned,
                          kh_sheet_fn fn, void *ctx, kh_sheet **first, kh_diags *d)
{
    kh_cfb *c = NULL;
    unsigned char *s = NULL;
    size_t n = 0;
    bool book = false;
    kh_status st = kh_cfb_open(path, data, len, &c, d);
    if (st == KH_OK) {
        long e = kh_cfb_find(c, "Workbook"), enc = -1;
        if (e == -1 && (e = kh_cfb_find(c, "Book")) >= 0)
            book = true;
        if (e == -1)
            enc = kh_cfb_find_any(c, "EncryptedPackage");
        if (e == -2 || enc == -2)
            st = KH_ERR_NOMEM;
        else if (e >= 0)
            st = kh_cfb_read(c, e, &s, &n, d);
        else if (enc >= 0)
            st = encrypted(path, d);
        else
            st = refuse(path,
                        _("it holds no Excel 97-2003 workbook (it may be protected by a password, "
                          "or be another Office file)"),
                        d);
    }
    kh_cfb_free(c);
    kh_free(owned);
    if (st != KH_OK) {
        kh_free(s);
        return st;
    }
    return read_stream(path, s, n, book, fn, ctx, first, d);
}

/* kh_html_read_mem's callback for kh_xls_read_first: a copy of the first
 * table (the reader frees the sheet it hands over). */
static kh_status keep_first(void *ctx, const kh_sheet *sheet)
{
    kh_sheet **out = ctx;
    if (*out)
        return KH_OK;
    kh_sheet *c = kh_sheet_new(sheet->name);
    if (!c)
        return KH_ERR_NOMEM;
    for (size_t i = 0; i < sheet->ncells; i++) {
        const kh_cell *x = &sheet->cells[i];
        if (!kh_sheet_set(c, x->row, x->col, x->type, x->text, strlen(x->text))) {
            kh_sheet_free(c);
            return KH_ERR_NOMEM;
        }
    }
    kh_sheet_finish(c);
    *out = c;
    return KH_OK;
}

/* The bytes of a file named .xls: a compound file, or a web page. */
static kh_status read_bytes(const char *path, const void *data, size_t len, void *owned,
                            kh_sheet_fn fn, void *ctx, kh_sheet **first, kh_diags *d)
{
    if (len > KH_XLS_MAX_FILE) {
        kh_free(owned);
        return too_large(path, d);
    }
    if (kh_is_cfb(data, len) || !kh_xls_is_web_page(data, len))
        return read_cfb(path, data, len, owned, fn, ctx, first, d);
    kh_status st = first ? kh_html_read_mem(path, data, len, keep_first, first, d)
                         : kh_html_read_mem(path, data, len, fn, ctx, d);
    kh_free(owned);
    if (st != KH_OK && first) {
        kh_sheet_free(*first);
        *first = NULL;
    }
    return st;
}

kh_status kh_xls_read_mem(const char *path, const void *data, size_t len, kh_sheet_fn fn,
                          void *ctx, kh_diags *d)
{
    return read_bytes(path, data, len, NULL, fn, ctx, NULL, d);
}

/* The file at path, read whole into one block of its size (at most
 * KH_XLS_MAX_FILE bytes). */
static kh_status slurp(const char *path, unsigned char **out, size_t *len, kh_diags *d)
{
    *out = NULL;
    *len = 0;
    char eb[128];
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot read the file: %s"),
                     kh_errno_text(errno, eb, sizeof eb));
        if (f)
            fclose(f);
        return KH_ERR_IO;
    }
    if (sb.st_size < 0 || (uint64_t)sb.st_size > KH_XLS_MAX_FILE) {
        fclose(f);
        return too_large(path, d);
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *buf = kh_malloc(n + 1);
    if (!buf) {
        fclose(f);
        return KH_ERR_NOMEM;
    }
    /* One byte more than its size: a file that grew meanwhile is read as
     * it was. */
    size_t got = fread(buf, 1, n + 1, f);
    if (ferror(f)) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot read the file: %s"),
                     kh_errno_text(errno, eb, sizeof eb));
        fclose(f);
        kh_free(buf);
        return KH_ERR_IO;
    }
    fclose(f);
    *out = buf;
    *len = got < n ? got : n;
    return KH_OK;
}

static kh_status read_path(const char *path, kh_sheet_fn fn, void *ctx, kh_sheet **first,
                           kh_diags *d)
{
    unsigned char *data;
    size_t len;
    kh_status st = slurp(path, &data, &len, d);
    if (st != KH_OK)
        return st;
    return read_bytes(path, data, len, data, fn, ctx, first, d);
}

kh_status kh_xls_read_file(const char *path, kh_sheet_fn fn, void *ctx, kh_diags *d)
{
    return read_path(path, fn, ctx, NULL, d);
}

kh_status kh_xls_read_first(const char *path, kh_sheet **out, kh_diags *d)
{
    *out = NULL;
    return read_path(path, NULL, NULL, out, d);
}

/* Whether s[0..n) holds the text t. */
static bool holds(const unsigned char *s, size_t n, const char *t)
{
    size_t k = strlen(t);
    for (size_t i = 0; i + k <= n; i++)
        if (s[i] == (unsigned char)t[0] && memcmp(s + i, t, k) == 0)
            return true;
    return false;
}

const char *kh_xls_not_ole(const void *data, size_t len)
{
    const unsigned char *p = data;
    /* A BOF record: 09 00, 09 02, 09 04 (Excel 2.x-4.0) or 09 08 (BIFF5/8). */
    if (len >= 4 && p[0] == 0x09 && (p[1] == 0 || p[1] == 2 || p[1] == 4 || p[1] == 8) &&
        p[3] == 0 && p[2] <= 20)
        return p[1] == 8 ? _("it is a bare Excel worksheet stream without its compound file")
                         : _("it is an Excel 2.x-4.0 file (BIFF2-4), older than kaohe reads");
    /* Text: skip a byte order mark and white space, look at the markup. */
    size_t i = 0;
    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        i = 3;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i >= len || p[i] != '<')
        return NULL;
    size_t n = len - i < 4096 ? len - i : 4096;
    if (holds(p + i, n, "urn:schemas-microsoft-com:office:spreadsheet") &&
        !holds(p + i, n, "<html") && !holds(p + i, n, "<HTML"))
        return _("it is an Excel 2003 XML spreadsheet, not an Excel 97-2003 workbook");
    return NULL;    /* a web page: kh_xls_is_web_page */
}

bool kh_xls_is_web_page(const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0;
    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        i = 3;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i < len && p[i] == '<' && !kh_xls_not_ole(data, len);
}
