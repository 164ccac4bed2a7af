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
#include <limits.h>
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

/* Read the active worksheet (rows x cols) into a new sheet named name. */
static kh_status read_sheet(const char *path, const void *h, const char *name, unsigned rows,
                            unsigned short cols, locale_t cloc, kh_sheet **out, kh_diags *d)
{
    *out = NULL;
    if ((uint64_t)rows * cols > KH_XLSX_MAX_GRID) {
        kh_diags_add(d, KH_ERROR, path, name, NULL, 0,
                     _("the worksheet spans %u rows and %u columns, more cells than a checklist "
                       "can have: delete the unused rows and columns and save it again"),
                     rows, (unsigned)cols);
        return KH_ERR_LIMIT;
    }
    kh_sheet *s = kh_sheet_new(name);
    if (!s)
        return KH_ERR_NOMEM;
    for (unsigned r = 0; r < rows && r < KH_MAX_ROWS; r++) {
        for (unsigned short c = 0; c < cols && c < KH_MAX_COLS; c++) {
            FreeXL_CellValue v;
            if (freexl_get_cell_value(h, r, c, &v) != FREEXL_OK)
                continue;
            char num[KH_XLSX_NUMBUF];
            const char *text = NULL;
            kh_cell_type type = KH_CELL_STRING;
            switch (v.type) {
            case FREEXL_CELL_INT:
                snprintf(num, sizeof num, "%d", v.value.int_value);
                text = num;
                type = KH_CELL_NUMBER;
                break;
            case FREEXL_CELL_DOUBLE:
                kh_xlsx_format_number(v.value.double_value, cloc, num);
                text = num;
                type = KH_CELL_NUMBER;
                break;
            case FREEXL_CELL_TEXT:
            case FREEXL_CELL_SST_TEXT:
            case FREEXL_CELL_DATETIME:
            case FREEXL_CELL_TIME:
                text = v.value.text_value;
                break;
            case FREEXL_CELL_DATE:
                text = v.value.text_value;
                type = KH_CELL_DATE;
                break;
            default:
                break;
            }
            if (!text)
                continue;
            size_t len = strlen(text);
            if (kh_utf8_len(text) > KH_XLSX_MAX_CELL) {
                char ref[KH_CELLREF_BUFSZ];
                kh_diags_add(d, KH_ERROR, path, name, kh_cell_ref(r, c, ref), 0,
                             _("the cell holds more than %u characters, more than Excel allows: "
                               "the file is damaged or crafted"),
                             KH_XLSX_MAX_CELL);
                kh_sheet_free(s);
                return KH_ERR_LIMIT;
            }
            if (!kh_sheet_set(s, r, c, type, text, len)) {
                kh_sheet_free(s);
                return KH_ERR_NOMEM;
            }
        }
    }
    kh_sheet_finish(s);
    *out = s;
    return KH_OK;
}

/* FreeXL 1.0.6 (Debian 12) reads the first directory sector of the
 * Compound File and hands each entry's name to iconv with the length the
 * file states (up to 65535 bytes) from a 64-byte field: an out-of-bounds
 * read that fuzz_xls found at once.  The names are checked here first, as
 * FreeXL would read them: entries of the sector at directory_start
 * (header offset 48), sector size 512 or 4096 (offset 30), name length at
 * entry offset 64, at most 64 bytes.  False when one is longer. */
static bool cfb_names_fit(const char *path)
{
    unsigned char head[512];
    FILE *f = fopen(path, "rb");
    if (!f)
        return true; /* FreeXL says it cannot open it */
    bool ok = true;
    if (fread(head, 1, sizeof head, f) == sizeof head) {
        unsigned shift = head[30] | (unsigned)head[31] << 8;
        uint32_t dir = head[48] | (uint32_t)head[49] << 8 | (uint32_t)head[50] << 16 |
                       (uint32_t)head[51] << 24;
        size_t size = shift == 12 ? 4096 : 512;
        unsigned char block[4096];
        if (fseek(f, (long)(((uint64_t)dir + 1) * size), SEEK_SET) == 0 &&
            (uint64_t)dir + 1 < (uint64_t)LONG_MAX / size && fread(block, 1, size, f) == size) {
            for (size_t e = 0; e + 128 <= size; e += 128) {
                unsigned n = block[e + 64] | (unsigned)block[e + 65] << 8;
                if (n > 64)
                    ok = false;
            }
        }
    }
    fclose(f);
    return ok;
}

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
    if (!cfb_names_fit(path)) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("cannot read this .xls workbook: %s: open it in Excel or WPS and save it "
                       "as .xlsx"),
                     freexl_why(FREEXL_CRAFTED_FILE));
        return KH_ERR_INPUT;
    }
    const void *h = NULL;
    int rc = freexl_open(path, &h);
    if (rc != FREEXL_OK) {
        if (h)
            freexl_close(h);
        if (rc == FREEXL_INSUFFICIENT_MEMORY && errno == ENOMEM)
            return KH_ERR_NOMEM;
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("cannot read this .xls workbook: %s: open it in Excel or WPS and save it "
                       "as .xlsx"),
                     freexl_why(rc));
        return rc == FREEXL_FILE_NOT_FOUND ? KH_ERR_IO : KH_ERR_INPUT;
    }
    unsigned info = 0;
    if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
        info == FREEXL_BIFF_OBFUSCATED) {
        freexl_close(h);
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this .xls workbook is protected by a password: open it in Excel or WPS, "
                       "remove the password and save it as .xlsx"));
        return KH_ERR_INPUT;
    }
    unsigned nsheets = 0;
    freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &nsheets);
    locale_t cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!cloc) {
        freexl_close(h);
        return KH_ERR_NOMEM;
    }
    kh_status st = KH_OK;
    for (unsigned i = 0; i < nsheets && st == KH_OK; i++) {
        const char *name = NULL;
        unsigned rows = 0;
        unsigned short cols = 0;
        if (freexl_get_worksheet_name(h, (unsigned short)i, &name) != FREEXL_OK ||
            freexl_select_active_worksheet(h, (unsigned short)i) != FREEXL_OK ||
            freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK) {
            kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                         _("cannot read worksheet %u of this .xls workbook: it is damaged: open "
                           "it in Excel or WPS and save it as .xlsx"),
                         i + 1);
            st = KH_ERR_INPUT;
            break;
        }
        kh_sheet *s = NULL;
        st = read_sheet(path, h, name && *name ? name : "", rows, cols, cloc, &s, d);
        if (st == KH_OK)
            st = fn(ctx, s);
        kh_sheet_free(s);
    }
    freelocale(cloc);
    freexl_close(h);
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
