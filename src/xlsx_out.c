/*
 * xlsx_out.c - shared XLSX writing on libxlsxwriter (see xlsx_out.h).
 */
#include "xlsx_out.h"
#include "sheetfile.h"
#include "outfile.h"
#include "xlsx_zip.h"
#include "text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where libxlsxwriter stages each XML part of a workbook before it
 * deflates it into the zip (a file it creates and unlinks at once, ten or
 * more per workbook): TMPDIR when set, else /dev/shm when it is a tmpfs
 * we may write, else its own default (/tmp).  On a disk file system every
 * part costs an inode created and deleted - with thousands of scoresheets
 * ext4 spent more time looking past recently deleted inodes than kaohe
 * spent writing; on tmpfs nothing reaches a disk.  Not for a workbook
 * written row by row: its rows are staged there too, and on tmpfs they
 * would take memory again (about 190 MB for a ranking of 20000 units). */
static char *parts_dir(bool row_by_row)
{
    char *env = getenv("TMPDIR");
    if (env && *env)
        return env;
    if (row_by_row)
        return NULL;
    return (char *)kh_memory_tmpdir();
}

time_t kh_xw_now(void)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    if (env && *env >= '0' && *env <= '9') {
        char *end;
        errno = 0;
        long long t = strtoll(env, &end, 10);
        if (!*end && errno == 0 && (long long)(time_t)t == t)
            return (time_t)t;
    }
    return time(NULL);
}

kh_status kh_xw_open(kh_xw *x, const char *path, bool row_by_row, time_t created,
                     kh_diags *d)
{
    *x = (kh_xw){.err = LXW_NO_ERROR};
    kh_status st = kh_outfile_begin(&x->out, path, d);
    if (st != KH_OK)
        return st;
    x->path = x->out.path;
    x->tmpdir = parts_dir(row_by_row);
    lxw_workbook_options opt = {.constant_memory = row_by_row ? LXW_TRUE : LXW_FALSE,
                                .tmpdir = x->tmpdir,
                                .use_zip64 = LXW_FALSE};
    /* libxlsxwriter prints its own errors on stderr (platform.h): what
     * went wrong, kaohe says itself. */
    kh_quiet_stderr_begin();
    x->wb = workbook_new_opt(x->out.open_path, &opt);
    kh_quiet_stderr_end();
    if (!x->wb) {
        kh_outfile_abort(&x->out);
        *x = (kh_xw){0};
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot start the workbook"));
        return KH_ERR_NOMEM;
    }
    /* Given, not read from the clock at workbook_close: every workbook of
     * a run says the same time, whichever thread wrote it and when.  (A
     * zero would make libxlsxwriter take the clock.) */
    lxw_doc_properties props = {.created = created ? created : 1};
    kh_xw_check(x, workbook_set_properties(x->wb, &props), "workbook_set_properties");
    return KH_OK;
}

void kh_xw_mark(kh_xw *x, const char *what)
{
    kh_xw_check(x, workbook_set_custom_property_string(x->wb, KH_MARK_PROPERTY, what),
                "workbook_set_custom_property_string");
}

void kh_xw_check(kh_xw *x, lxw_error e, const char *what)
{
    if (e != LXW_NO_ERROR && x->err == LXW_NO_ERROR) {
        x->err = e;
        x->what = what;
    }
}

lxw_worksheet *kh_xw_add_sheet(kh_xw *x, const char *name)
{
    /* A name libxlsxwriter refuses is not memory running out: on Windows
     * in code page 936 its _stricmp called 来源 and 乡镇 the same name,
     * which was reported as "Memory error" (server out of memory). */
    lxw_error e = workbook_validate_sheet_name(x->wb, name);
    lxw_worksheet *ws = e == LXW_NO_ERROR ? workbook_add_worksheet(x->wb, name) : NULL;
    if (!ws)
        kh_xw_check(x, e != LXW_NO_ERROR ? e : LXW_ERROR_MEMORY_MALLOC_FAILED,
                    "workbook_add_worksheet");
    return ws;
}

/* Whether the workbook libxlsxwriter just wrote at path is whole: every
 * XML part inflates to a non-empty text that ends with '>'.  libxlsxwriter
 * stages each part in a temporary file and does not notice when writing
 * it failed (a full TMPDIR or /dev/shm): the workbook then closes "fine"
 * with empty or cut parts, and would have replaced a good file. */
static bool package_whole(const char *path, char *bad, size_t badsz)
{
    kh_diags d = {0};
    kh_zip *z = NULL;
    snprintf(bad, badsz, "%s", ""); /* a zip that does not open: no part to name */
    bool ok = kh_zip_open_file(path, &z, &d) == KH_OK;
    char buf[16384];
    for (size_t i = 0; ok && i < kh_zip_count(z); i++) {
        const char *name = kh_zip_norm_at(z, i);
        size_t len = strlen(name);
        if (!(len > 4 && (strcmp(name + len - 4, ".xml") == 0 || strcmp(name + len - 5, ".rels") == 0)))
            continue;
        snprintf(bad, badsz, "%s", name);
        ok = kh_zip_part_open(z, name, NULL, &d) == KH_OK;
        size_t total = 0, n = 0;
        char last = 0;
        while (ok && (ok = kh_zip_part_read(z, buf, sizeof buf, &n, &d) == KH_OK) && n > 0) {
            total += n;
            for (size_t k = n; k-- > 0;)
                if (buf[k] != ' ' && buf[k] != '\n' && buf[k] != '\r' && buf[k] != '\t') {
                    last = buf[k];
                    break;
                }
        }
        ok = ok && total > 0 && last == '>';
    }
    if (ok)
        bad[0] = '\0';
    kh_zip_free(z);
    kh_diags_clear(&d);
    return ok;
}

kh_status kh_xw_close(kh_xw *x, kh_diags *d)
{
    kh_status st = KH_OK;
    if (!x->wb)
        return KH_ERR_USAGE;
    errno = 0;
    kh_quiet_stderr_begin();
    lxw_error e = workbook_close(x->wb);
    int sys = errno;
    kh_quiet_stderr_end();
    x->wb = NULL;
    if (x->err != LXW_NO_ERROR) {
        kh_diags_add(d, KH_ERROR, x->path, NULL, NULL, 0, _("cannot write the workbook (%s: %s)"),
                     x->what ? x->what : "?", lxw_strerror(x->err));
        st = x->err == LXW_ERROR_MEMORY_MALLOC_FAILED ? KH_ERR_NOMEM : KH_ERR_FORMAT;
    } else if (e != LXW_NO_ERROR) {
        /* libxlsxwriter's zip errors say "ZIP_ERRNO"; the system's error
         * says what happened ("No space left on device"). */
        char eb[128];
        kh_diags_add(d, KH_ERROR, x->path, NULL, NULL, 0, _("cannot write the workbook: %s"),
                     sys && e >= LXW_ERROR_ZIP_FILE_OPERATION && e <= LXW_ERROR_ZIP_CLOSE
                         ? kh_errno_text(sys, eb, sizeof eb)
                         : lxw_strerror(e));
        st = KH_ERR_IO;
    }
    char bad[256];
    if (st == KH_OK && !package_whole(x->out.open_path, bad, sizeof bad)) {
        const char *dir = x->tmpdir ? x->tmpdir : "/tmp";
        kh_diags_add(d, KH_ERROR, x->path, NULL, NULL, 0,
                     _("cannot write the workbook: its part %s came out empty or cut short, most "
                       "likely because the folder where its parts are staged, %s, is full (no "
                       "space left on device): free space there or set TMPDIR to a folder with "
                       "room; the old file, if any, is kept"),
                     bad[0] ? bad : "?", dir);
        st = KH_ERR_IO;
    }
    if (st == KH_OK)
        st = kh_outfile_commit(&x->out, d);
    else
        kh_outfile_abort(&x->out);
    x->path = NULL;
    return st;
}

void kh_xw_str(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
               const char *s, lxw_format *fmt)
{
    if (!s || !*s) {
        if (fmt)
            kh_xw_check(x, worksheet_write_blank(ws, row, col, fmt), "worksheet_write_blank");
        return;
    }
    /* Most texts are valid and short: written as they are, without the
     * copy (a text of at most KH_XLSX_CELL_MAX bytes has at most as many
     * characters). */
    size_t len = strlen(s);
    if (len <= KH_XLSX_CELL_MAX && kh_utf8_valid(s, len, NULL)) {
        kh_xw_check(x, worksheet_write_string(ws, row, col, s, fmt), "worksheet_write_string");
        return;
    }
    char *clean = kh_utf8_clean(s, KH_XLSX_CELL_MAX);
    if (!clean) {
        kh_xw_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "kh_utf8_clean");
        return;
    }
    kh_xw_check(x, worksheet_write_string(ws, row, col, clean, fmt), "worksheet_write_string");
    kh_free(clean);
}

static double dec_to_double(kh_dec v)
{
    /* Only for handing a number to the XLSX file: the exact value is kept
     * in the decimal, and a value of at most 4 decimals and 15 digits comes
     * back from the double as exactly the same decimal. */
    return (double)v / KH_DEC_SCALE;
}

void kh_xw_dec(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, kh_dec v,
               lxw_format *fmt)
{
    kh_xw_check(x, worksheet_write_number(ws, row, col, dec_to_double(v), fmt),
                "worksheet_write_number");
}

void kh_xw_formula_dec(kh_xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                       const char *formula, kh_dec v, lxw_format *fmt)
{
    kh_xw_check(x, worksheet_write_formula_num(ws, row, col, formula, fmt, dec_to_double(v)),
                "worksheet_write_formula_num");
}

lxw_format *kh_xw_format(kh_xw *x, void (*style)(lxw_format *))
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f)
        kh_xw_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_format");
    else if (style)
        style(f);
    return f;
}

static bool name_used(const char *name, char *const *used, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* Excel compares sheet names case-insensitively; ASCII folding is
         * what matters for the names kaohe makes. */
        if (kh_ascii_eq_nocase(name, used[i]))
            return true;
    }
    return false;
}

char *kh_xw_sheet_name(const char *want, char *const *used, size_t n)
{
    char *base = kh_utf8_clean(want ? want : "", KH_XLSX_SHEETNAME_MAX);
    if (!base)
        return NULL;
    /* Forbidden characters, and control characters, which make a workbook
     * that Excel, openpyxl and LibreOffice refuse to open. */
    for (char *p = base; *p; p++)
        if (strchr("[]:*?/\\", *p) || (unsigned char)*p < 0x20 || *p == 0x7F)
            *p = '_';
    /* No apostrophe at either end, not empty, not Excel's reserved "History". */
    size_t len = strlen(base);
    while (len && base[len - 1] == '\'')
        base[--len] = '\0';
    size_t lead = 0;
    while (base[lead] == '\'')
        lead++;
    memmove(base, base + lead, len - lead + 1);
    if (!*base || kh_ascii_eq_nocase(base, "History")) {
        kh_free(base);
        base = kh_strdup("Sheet");
        if (!base)
            return NULL;
    }
    if (!name_used(base, used, n))
        return base;
    for (unsigned k = 2;; k++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, " (%u)", k);
        size_t room = KH_XLSX_SHEETNAME_MAX - strlen(suffix);
        char *stem = kh_utf8_clean(base, room);
        kh_buf b = {0};
        if (stem)
            kh_buf_puts(&b, stem);
        else
            b.oom = true;
        kh_free(stem);
        kh_buf_puts(&b, suffix);
        char *cand = kh_buf_steal(&b);
        if (!cand) {
            kh_free(cand);
            kh_free(base);
            return NULL;
        }
        if (!name_used(cand, used, n)) {
            kh_free(base);
            return cand;
        }
        kh_free(cand);
    }
}
