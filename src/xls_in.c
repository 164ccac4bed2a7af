/*
 * xls_in.c - the .xls reader (Excel 97-2003, BIFF8) on FreeXL: every
 * worksheet of a workbook into a sheet grid, in workbook order.
 *
 * FreeXL parses the whole file at freexl_open and keeps every worksheet's
 * cells; it refuses a worksheet whose grid would pass 256 MB itself.  On
 * top of that the file is refused past KH_XLS_MAX_FILE bytes and a
 * worksheet past Excel's limits or KH_XLSX_MAX_GRID cells, like the XLSX
 * reader; FreeXL's error codes become messages an office understands.
 * Numbers take the XLSX reader's shortest decimal, dates YYYY-MM-DD,
 * booleans (FreeXL gives them as 0 and 1) the numbers 0 and 1.
 */
#include "xls_in.h"
#include "xlsx_in.h"
#include "xlsx_num.h"
#include "text.h"

#include <errno.h>
#include <freexl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A message for a FreeXL error code. */
static const char *freexl_why(int rc)
{
    switch (rc) {
    case FREEXL_FILE_NOT_FOUND:
        return _("the file cannot be opened");
    case FREEXL_INSUFFICIENT_MEMORY:
        return _("it is too large to read (a worksheet would take more than 256 MB)");
    case FREEXL_CRAFTED_FILE:
        return _("it is damaged or crafted");
    case FREEXL_INVALID_CHARACTER:
    case FREEXL_UNSUPPORTED_CHARSET:
        return _("its text is in a character set that cannot be converted");
    case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
        return _("it holds no Excel 97-2003 workbook (it may be protected by a password, or "
                 "be another Office file)");
    default:
        return _("it is damaged or not an Excel 97-2003 workbook");
    }
}

bool kh_is_xls_name(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && kh_ascii_eq_nocase(path + n - 4, ".xls");
}

/* ---- in the child: FreeXL's cells as records ----
 *
 * FreeXL 1.0.6 (Debian 12) reads memory out of bounds on crafted files in
 * more than one place (fuzz_xls found a directory name read past its
 * field and a worksheet whose DIMENSION changes after its cells were
 * allocated), so it runs through kh_run_isolated: in a child process on
 * Linux, whose crash or runaway becomes "the file is damaged" here.  The
 * child sends what it read as records, each a tag byte then fields
 * (numbers little-endian):
 *   'O' u32 rc                 freexl_open failed with rc
 *   'P'                        the workbook is protected by a password
 *   'W' u32 i                  worksheet i cannot be read
 *   'S' u32 len, name, u32 rows, u32 cols     a worksheet begins
 *   'N' u32 row, u32 col, f64 v               a number
 *   'T' u32 row, u32 col, u8 type, u32 len, text   text (type: kh_cell_type)
 *   'E'                        the worksheet ends
 * and the parent builds sheets from them, with every limit checked there. */

static void put_u32(kh_buf *b, uint32_t v)
{
    char x[4] = {(char)(v & 0xff), (char)(v >> 8 & 0xff), (char)(v >> 16 & 0xff),
                 (char)(v >> 24 & 0xff)};
    kh_buf_add(b, x, 4);
}

static void put_f64(kh_buf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_u32(b, (uint32_t)u);
    put_u32(b, (uint32_t)(u >> 32));
}

static void put_text(kh_buf *b, const char *s)
{
    size_t n = strlen(s);
    put_u32(b, (uint32_t)n);
    kh_buf_add(b, s, n);
}

/* The cells of the active worksheet (rows x cols) as records. */
static void extract_sheet(const void *h, unsigned rows, unsigned short cols, kh_buf *out)
{
    for (unsigned r = 0; r < rows && r < KH_MAX_ROWS; r++) {
        for (unsigned short c = 0; c < cols && c < KH_MAX_COLS; c++) {
            FreeXL_CellValue v;
            if (freexl_get_cell_value(h, r, c, &v) != FREEXL_OK)
                continue;
            kh_cell_type type = KH_CELL_STRING;
            switch (v.type) {
            case FREEXL_CELL_INT:
            case FREEXL_CELL_DOUBLE:
                kh_buf_putc(out, 'N');
                put_u32(out, r);
                put_u32(out, c);
                put_f64(out, v.type == FREEXL_CELL_INT ? (double)v.value.int_value
                                                       : v.value.double_value);
                continue;
            case FREEXL_CELL_DATE:
                type = KH_CELL_DATE;
                /* fall through */
            case FREEXL_CELL_TEXT:
            case FREEXL_CELL_SST_TEXT:
            case FREEXL_CELL_DATETIME:
            case FREEXL_CELL_TIME:
                if (!v.value.text_value || !*v.value.text_value)
                    continue;
                kh_buf_putc(out, 'T');
                put_u32(out, r);
                put_u32(out, c);
                kh_buf_putc(out, (char)type);
                put_text(out, v.value.text_value);
                continue;
            default:
                continue;
            }
        }
    }
}

/* kh_run_isolated's function: the workbook at path (arg) as records. */
static int extract(void *arg, kh_buf *out)
{
    const void *h = NULL;
    int rc = freexl_open(arg, &h);
    if (rc != FREEXL_OK) {
        if (h)
            freexl_close(h);
        kh_buf_putc(out, 'O');
        put_u32(out, (uint32_t)-rc);
        return 0;
    }
    unsigned info = 0;
    if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
        info == FREEXL_BIFF_OBFUSCATED) {
        kh_buf_putc(out, 'P');
        freexl_close(h);
        return 0;
    }
    unsigned nsheets = 0;
    freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &nsheets);
    for (unsigned i = 0; i < nsheets; i++) {
        const char *name = NULL;
        unsigned rows = 0;
        unsigned short cols = 0;
        if (freexl_get_worksheet_name(h, (unsigned short)i, &name) != FREEXL_OK ||
            freexl_select_active_worksheet(h, (unsigned short)i) != FREEXL_OK ||
            freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK) {
            kh_buf_putc(out, 'W');
            put_u32(out, i);
            break;
        }
        kh_buf_putc(out, 'S');
        put_text(out, name ? name : "");
        put_u32(out, rows);
        put_u32(out, cols);
        /* The parent refuses a grid this large: its cells are not sent. */
        if ((uint64_t)rows * cols <= KH_XLSX_MAX_GRID)
            extract_sheet(h, rows, cols, out);
        kh_buf_putc(out, 'E');
    }
    freexl_close(h);
    return 0;
}

/* ---- in the parent: records to sheets ---- */

typedef struct records {
    const unsigned char *p, *end;
} records;

static bool get_u32(records *in, uint32_t *v)
{
    if (in->end - in->p < 4)
        return false;
    *v = in->p[0] | (uint32_t)in->p[1] << 8 | (uint32_t)in->p[2] << 16 |
         (uint32_t)in->p[3] << 24;
    in->p += 4;
    return true;
}

static bool get_bytes(records *in, uint32_t n, const char **s)
{
    if ((size_t)(in->end - in->p) < n)
        return false;
    *s = (const char *)in->p;
    in->p += n;
    return true;
}

/* Characters in the valid UTF-8 s of len bytes. */
static size_t chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

/* A message that the workbook cannot be read, for FreeXL's code rc. */
static kh_status refuse(const char *path, int rc, kh_diags *d)
{
    kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                 _("cannot read this .xls workbook: %s: open it in Excel or WPS and save it "
                   "as .xlsx"),
                 freexl_why(rc));
    return rc == FREEXL_FILE_NOT_FOUND ? KH_ERR_IO : KH_ERR_INPUT;
}

/* The cells of one worksheet's records, up to its 'E', into a new sheet. */
static kh_status read_sheet(const char *path, records *in, locale_t cloc, kh_sheet **out,
                            kh_diags *d)
{
    *out = NULL;
    uint32_t nlen, rows, cols;
    const char *nm;
    if (!get_u32(in, &nlen) || !get_bytes(in, nlen, &nm) || !get_u32(in, &rows) ||
        !get_u32(in, &cols))
        return refuse(path, FREEXL_CRAFTED_FILE, d);
    char *name = kh_strndup(nm, nlen);
    if (!name)
        return KH_ERR_NOMEM;
    if (!kh_utf8_valid(name, nlen, NULL)) {
        kh_free(name);
        return refuse(path, FREEXL_INVALID_CHARACTER, d);
    }
    kh_status st = KH_OK;
    if ((uint64_t)rows * cols > KH_XLSX_MAX_GRID) {
        kh_diags_add(d, KH_ERROR, path, name, NULL, 0,
                     _("the worksheet spans %u rows and %u columns, more cells than a checklist "
                       "can have: delete the unused rows and columns and save it again"),
                     (unsigned)rows, (unsigned)cols);
        kh_free(name);
        return KH_ERR_LIMIT;
    }
    kh_sheet *s = kh_sheet_new(name);
    if (!s) {
        kh_free(name);
        return KH_ERR_NOMEM;
    }
    for (;;) {
        if (in->p == in->end) {
            st = refuse(path, FREEXL_CRAFTED_FILE, d);
            break;
        }
        unsigned char tag = *in->p++;
        if (tag == 'E')
            break;
        uint32_t r, c;
        if ((tag != 'N' && tag != 'T') || !get_u32(in, &r) || !get_u32(in, &c) ||
            r >= KH_MAX_ROWS || c >= KH_MAX_COLS || r >= rows || c >= cols) {
            st = refuse(path, FREEXL_CRAFTED_FILE, d);
            break;
        }
        char num[KH_XLSX_NUMBUF];
        const char *text;
        uint32_t len;
        kh_cell_type type = KH_CELL_NUMBER;
        if (tag == 'N') {
            uint32_t lo, hi;
            if (!get_u32(in, &lo) || !get_u32(in, &hi)) {
                st = refuse(path, FREEXL_CRAFTED_FILE, d);
                break;
            }
            uint64_t u = (uint64_t)hi << 32 | lo;
            double v;
            memcpy(&v, &u, 8);
            kh_xlsx_format_number(v, cloc, num);
            text = num;
            len = (uint32_t)strlen(num);
        } else {
            if (in->p == in->end) {
                st = refuse(path, FREEXL_CRAFTED_FILE, d);
                break;
            }
            type = *in->p++ == KH_CELL_DATE ? KH_CELL_DATE : KH_CELL_STRING;
            if (!get_u32(in, &len) || !get_bytes(in, len, &text)) {
                st = refuse(path, FREEXL_CRAFTED_FILE, d);
                break;
            }
            if (!kh_utf8_valid(text, len, NULL)) {
                st = refuse(path, FREEXL_INVALID_CHARACTER, d);
                break;
            }
        }
        if (len == 0)
            continue;
        if (len > 4u * KH_XLSX_MAX_CELL || chars(text, len) > KH_XLSX_MAX_CELL) {
            char ref[KH_CELLREF_BUFSZ];
            kh_diags_add(d, KH_ERROR, path, name, kh_cell_ref(r, c, ref), 0,
                         _("the cell holds more than %u characters, more than Excel allows: "
                           "the file is damaged or crafted"),
                         KH_XLSX_MAX_CELL);
            st = KH_ERR_LIMIT;
            break;
        }
        if (!kh_sheet_set(s, r, c, type, text, len)) {
            st = KH_ERR_NOMEM;
            break;
        }
    }
    kh_free(name);
    if (st != KH_OK) {
        kh_sheet_free(s);
        return st;
    }
    kh_sheet_finish(s);
    *out = s;
    return KH_OK;
}

/* How much FreeXL may allocate past what the child inherits, and for how
 * long it may compute: a checklist needs a few megabytes and milliseconds. */
#define XLS_CHILD_MB 512u
#define XLS_CHILD_SECONDS 20u

kh_status kh_xls_read_file(const char *path, kh_sheet_fn fn, void *ctx, kh_diags *d)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && (uint64_t)sb.st_size > KH_XLS_MAX_FILE) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the .xls file is larger than %u MB, more than a checklist can be: open it "
                       "in Excel or WPS and save it as .xlsx"),
                     (unsigned)(KH_XLS_MAX_FILE >> 20));
        return KH_ERR_LIMIT;
    }
    kh_buf recs = {0};
    int how = kh_run_isolated(extract, (void *)path, XLS_CHILD_MB, XLS_CHILD_SECONDS, &recs);
    if (how == KH_ISOLATED_NOMEM) {
        kh_buf_free(&recs);
        return KH_ERR_NOMEM;
    }
    if (how == KH_ISOLATED_SYSTEM) {
        char eb[128];
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("cannot start reading this .xls workbook: %s"),
                     kh_errno_text(errno, eb, sizeof eb));
        kh_buf_free(&recs);
        return KH_ERR_IO;
    }
    if (how != KH_ISOLATED_OK) {
        kh_buf_free(&recs);
        return refuse(path, FREEXL_CRAFTED_FILE, d);
    }
    locale_t cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!cloc) {
        kh_buf_free(&recs);
        return KH_ERR_NOMEM;
    }
    records in = {(const unsigned char *)kh_buf_str(&recs),
                  (const unsigned char *)kh_buf_str(&recs) + recs.len};
    kh_status st = KH_OK;
    while (st == KH_OK && in.p < in.end) {
        unsigned char tag = *in.p++;
        uint32_t v;
        if (tag == 'O' && get_u32(&in, &v)) {
            st = refuse(path, -(int)v, d);
        } else if (tag == 'P') {
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                         _("this .xls workbook is protected by a password: open it in Excel or "
                           "WPS, remove the password and save it as .xlsx"));
            st = KH_ERR_INPUT;
        } else if (tag == 'W' && get_u32(&in, &v)) {
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                         _("cannot read worksheet %u of this .xls workbook: it is damaged: open "
                           "it in Excel or WPS and save it as .xlsx"),
                         (unsigned)v + 1);
            st = KH_ERR_INPUT;
        } else if (tag == 'S') {
            kh_sheet *s = NULL;
            st = read_sheet(path, &in, cloc, &s, d);
            if (st == KH_OK)
                st = fn(ctx, s);
            kh_sheet_free(s);
        } else {
            st = refuse(path, FREEXL_CRAFTED_FILE, d);
        }
    }
    freelocale(cloc);
    kh_buf_free(&recs);
    return st;
}

/* kh_xls_read_first's callback: keep the first sheet. */
static kh_status keep_first(void *ctx, const kh_sheet *sheet)
{
    kh_sheet **out = ctx;
    if (*out)
        return KH_OK;
    /* The caller frees the sheet it passed: copy it. */
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

kh_status kh_xls_read_first(const char *path, kh_sheet **out, kh_diags *d)
{
    *out = NULL;
    kh_status st = kh_xls_read_file(path, keep_first, out, d);
    if (st != KH_OK) {
        kh_sheet_free(*out);
        *out = NULL;
    } else if (!*out) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("this .xls workbook has no worksheet"));
        st = KH_ERR_INPUT;
    }
    return st;
}
