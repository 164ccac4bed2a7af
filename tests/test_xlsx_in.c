/* test_xlsx_in.c - the XLSX reader: cells from real producers (LibreOffice,
 * openpyxl, libxlsxwriter), XML edge cases, one file per class of hostile
 * input, memory, and the number/date helpers.  Fixtures: tests/data/xlsx/,
 * made by tests/tools/make-xlsx-fixtures.sh. */
#include "testutil.h"
#include "sheet.h"
#include "sheetfile.h"
#include "xlsx_out.h"
#include "xlsx_in.h"
#include "xlsx_num.h"
#include "xlsx_xml.h"
#include "xlsx_zip.h"

#define X TEST_DATA "/xlsx/"

/* ---- a counting allocator: leaks, peaks, injected failures ---- */

static size_t live, peak, nallocs, fail_at_alloc;
static bool fail_once;  /* fail only allocation fail_at_alloc, not all after it */

static bool fail_now(void)
{
    if (!fail_at_alloc)
        return false;
    ++nallocs;
    return fail_once ? nallocs == fail_at_alloc : nallocs >= fail_at_alloc;
}

typedef union { size_t n; max_align_t align; } hdr;

static void *count_malloc(size_t n)
{
    if (fail_now())
        return NULL;
    hdr *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->n = n;
    live += n;
    if (live > peak)
        peak = live;
    return h + 1;
}

static void count_free(void *p)
{
    if (!p)
        return;
    hdr *h = (hdr *)p - 1;
    live -= h->n;
    free(h);
}

static void *count_realloc(void *p, size_t n)
{
    if (!p)
        return count_malloc(n);
    if (fail_now())
        return NULL;
    hdr *h = (hdr *)p - 1;
    size_t old = h->n;
    hdr *q = realloc(h, sizeof *q + n);
    if (!q)
        return NULL;
    live = live - old + n;
    q->n = n;
    if (live > peak)
        peak = live;
    return q + 1;
}

static const kh_allocator counting = {count_malloc, count_realloc, count_free};

static int use_counting(void **state)
{
    (void)state;
    live = peak = nallocs = fail_at_alloc = 0;
    kh_set_allocator(&counting);
    return 0;
}

static int use_default(void **state)
{
    (void)state;
    kh_set_allocator(NULL);
    return 0;
}

/* ---- reading a workbook into text ---- */

/* "[name]\n" then "A1 s text\n" per cell (s n b e d: the cell type); a
 * sheet of more than 100 cells as "[name] N cells\n". */
static kh_status dump_sheet(void *ctx, const kh_sheet *s)
{
    static const char types[] = "snbed";
    kh_buf *b = ctx;
    if (s->ncells > 100) {
        kh_buf_printf(b, "[%s] %zu cells\n", s->name, s->ncells);
        return KH_OK;
    }
    kh_buf_printf(b, "[%s]\n", s->name);
    for (size_t i = 0; i < s->ncells; i++) {
        char ref[KH_CELLREF_BUFSZ];
        kh_buf_printf(b, "%s %c %s\n", kh_cell_ref(s->cells[i].row, s->cells[i].col, ref),
                      types[s->cells[i].type], s->cells[i].text);
    }
    return KH_OK;
}

/* Read path from disk and (unless big, to save time) from memory; both
 * must agree.  Returns the dump (caller frees) and the status; d gets the
 * diagnostics of the file read. */
static char *read_both(const char *path, kh_status *st, kh_diags *d)
{
    kh_buf a = {0}, b = {0};
    kh_diags dm = {0};
    *st = kh_xlsx_read_file(path, dump_sheet, &a, d);
    if (strstr(path, "/bomb-"))
        return kh_buf_steal(&a);
    size_t len;
    char *data = test_slurp(path, &len);
    kh_status st2 = kh_xlsx_read_mem(path, data, len, dump_sheet, &b, &dm);
    free(data);
    assert_int_equal(*st, st2);
    assert_string_equal(kh_buf_str(&a), kh_buf_str(&b));
    assert_int_equal(d->n, dm.n);
    for (size_t i = 0; i < d->n; i++) {
        char *x = kh_diag_format(&d->v[i]), *y = kh_diag_format(&dm.v[i]);
        assert_string_equal(x, y);
        kh_free(x);
        kh_free(y);
    }
    kh_diags_clear(&dm);
    kh_buf_free(&b);
    char *s = kh_buf_steal(&a);
    assert_non_null(s);
    return s;
}

/* ---- workbooks that must be read, cell by cell ---- */

static const struct {
    const char *file, *cells;
} good[] = {
    /* LibreOffice 7.4 from lo-checklist.fods: three sheets in tab order,
     * shared strings, a line break in a cell, date formats (ISO and
     * Chinese), cached formula values (number and string), a boolean
     * typed in ODF (LibreOffice writes it as the number 1), styled empty
     * cells skipped, a sparse cell at H11. */
    {"real-lo-fods.xlsx",
     "[检查表]\n"
     "A1 s 考核细则\nB1 s 乡镇-2020\nA2 s 被考核单位：\nB2 s 两江镇\n"
     "A3 s 检查日期\nB3 d 2020-12-05\nC3 d 2021-01-31\n"
     "A5 s 检查点\nB5 s 检查\n结果\nC5 s 备注\n"
     "A6 n 1.1\nB6 s 有\nA7 s 1.10\nB7 n 2\nC7 n 4\nA8 n 2.1\nB8 n 1\nC8 s 2次\n"
     "H11 s 远处\n"
     "[第二页]\nA1 s second\nB2 n -3.25\n"
     "[Sheet 3]\nC1 n 0.1\n"},
    /* LibreOffice importing a UTF-8 CSV: 1.10 became the number 1.1, the
     * ISO date a date, TRUE a boolean; the sheet is named after the file. */
    {"real-lo-csv.xlsx",
     "[real-lo-csv]\n"
     "A1 s 考核细则\nB1 s 乡镇-2020\nA2 s 被考核单位\nB2 s 两江镇\n"
     "A3 s 检查日期\nB3 d 2020-12-05\nA4 s 检查点\nB4 s 检查结果\nC4 s 备注\n"
     "A5 n 1.1\nB5 s 有\nA6 n 1.1\nB6 n 2\nC6 s two, with comma\nA7 n 2\nB7 b TRUE\n"},
    /* openpyxl 3.0.9: inline strings, no sharedStrings part, absolute
     * targets, a moved sheet (tab order Second, 检查表, 隐藏 (hidden)),
     * dates and a datetime, 2.0 and 0.1+0.2, a formula without a cached
     * value (no cell). */
    {"real-openpyxl.xlsx",
     "[Second]\nC3 s x\n"
     "[检查表]\n"
     "A1 s 考核细则\nB1 s 乡镇-2020\nA2 s 被考核单位\nB2 s   两江镇 \n"
     "A3 s 检查日期\nB3 d 2020-12-05\nC3 d 2021-01-31\nD3 d 2020-12-05\n"
     "A5 s 检查点\nB5 s 检查结果\nA6 n 1.1\nB6 s 有\nA7 s 1.10\nB7 n 2\n"
     "A8 n 2\nB8 b TRUE\nC8 b FALSE\nD8 n 0.3\nE8 n -7\nF8 n 0.0000001\nZ100 s 远处\n"
     "[隐藏]\nA1 n 3\n"},
    /* libxlsxwriter 1.1.4: shared strings, text starting with "=" stays
     * text, dates in two formats, a formula with its cached value, booleans,
     * 1.9999999999999998, a blank formatted cell. */
    {"real-xlsxwriter.xlsx",
     "[检查表]\n"
     "A1 s 考核细则\nB1 s 乡镇-2020\nA2 s 被考核单位\nB2 s =两江镇\n"
     "A3 s 检查日期\nB3 d 2020-12-05\nC3 d 2020-12-05\nA5 s 检查点\nB5 s 检查结果\n"
     "A6 n 1.1\nB6 s 有\nA7 s 1.10\nB7 n 2\nC7 n 4\nB8 b TRUE\nC8 b FALSE\nD8 n 2\n"
     "Z100 s 远处\n"
     "[Sheet2]\nC3 n -0.5\n"},
    /* The same in constant_memory mode: inline strings. */
    {"real-xlsxwriter-constmem.xlsx",
     "[检查表]\n"
     "A1 s 考核细则\nB1 s 乡镇-2020\nA2 s 被考核单位\nB2 s =两江镇\n"
     "A3 s 检查日期\nB3 d 2020-12-05\nC3 d 2020-12-05\nA5 s 检查点\nB5 s 检查结果\n"
     "A6 n 1.1\nB6 s 有\nA7 s 1.10\nB7 n 2\nC7 n 4\nB8 b TRUE\nC8 b FALSE\nD8 n 2\n"
     "Z100 s 远处\n"
     "[Sheet2]\nC3 n -0.5\n"},
    /* Hand-made: shared strings with rich text and phonetic runs (skipped),
     * _xHHHH_ escapes, an empty string, a huge count; inlineStr with a
     * redundant <v>; str, b, e; a formula without value; 2.0,
     * 1.9999999999999998, 0.30000000000000004, -0, 1E-5, 18 digits,
     * padded; r-less rows and cells; built-in, custom and non-date formats
     * (a "day" in quotes, [Red]); Excel's 1900-02-29; a time-only 0.5; a
     * style index out of range; an ISO t="d" cell; XFD1048576; a lying
     * <dimension>. */
    {"edge-basic.xlsx",
     "[检查表]\n"
     "A1 s 考核细则\nB1 s 被考核单位 \nC1 s 检查\r\n结果\nD1 s a_x000D_b\n"
     "A2 s inline\nB2 s rich\nC2 s formula text\nD2 b TRUE\nE2 b FALSE\nF2 e #N/A\n"
     "B3 n 2\nC3 n 2\nD3 n 2\nE3 n 0.3\nF3 n 0\nG3 n 0.00001\nH3 n 123456789012346000\n"
     "I3 n 7\nJ3 n -1.5\n"
     "A4 n 10\nB4 n 11\nE4 n 12\nF4 n 13\n"
     "B7 d 2020-12-05\nC7 d 2020-12-05\nD7 n 44170\nE7 n 44170\nF7 d 2020-12-05\n"
     "G7 d 1900-02-29\nH7 d 1900-02-28\nI7 d 1900-03-01\nJ7 n 0.5\nK7 n 5\nL7 d 2020-12-05\n"
     "A8 n 1\nXFD1048576 s corner\n"},
    /* Prefixed elements (x:, pr:, relationships:id), an element of another
     * namespace ignored, upper-case and backslash part names, an absolute
     * target, a target with ./ and ../, a leading / in a zip name, a
     * directory entry, no sharedStrings and no styles. */
    {"edge-prefixed.xlsx",
     "[甲]\nA1 s prefixed\nC1 n 3\n[乙]\nB2 s second\n"},
    /* Strict namespaces and relationship types, workbook order unlike the
     * part names, a hidden sheet, a chartsheet (skipped), 1904 dates. */
    {"edge-strict.xlsx",
     "[第二]\nA1 s strict\nB1 d 1904-01-01\nC1 d 2020-12-05\nD1 n 42708\n[第一]\nA1 s one\n"},
    /* No relationships at all: the usual part names. */
    {"edge-norels.xlsx", "[A]\nA1 s no rels\nB1 d 2020-12-05\n[B]\nA1 n 2\n"},
    /* Huge count/uniqueCount and dimension: nothing sized from them. */
    {"ok.xlsx", "[S]\nA1 s x\n"},
};

static void reads_cells(void **state)
{
    (void)state;
    for (size_t i = 0; i < KH_ARRAY_LEN(good); i++) {
        char path[256];
        snprintf(path, sizeof path, X "%s", good[i].file);
        kh_diags d = {0};
        kh_status st;
        char *got = read_both(path, &st, &d);
        if (st != KH_OK || strcmp(got, good[i].cells) != 0)
            print_error("%s:\n%s", path, got);
        assert_int_equal(st, KH_OK);
        assert_int_equal(d.n, 0);
        assert_string_equal(got, good[i].cells);
        kh_free(got);
        kh_diags_clear(&d);
    }
    assert_int_equal(live, 0);
}

static void longest_cell(void **state)
{
    (void)state;
    kh_sheet *s;
    kh_diags d = {0};
    assert_int_equal(kh_xlsx_read_first(X "cell-longest.xlsx", &s, &d), KH_OK);
    assert_int_equal(s->ncells, 1);
    assert_int_equal(strlen(s->cells[0].text), 3 * KH_XLSX_MAX_CELL);
    assert_int_equal(s->cells[0].row, 3);
    assert_int_equal(s->cells[0].col, 3);
    kh_sheet_free(s);
}

/* ---- hostile and broken files ---- */

#define RESAVE "re-save it from Excel or WPS"
#define DAMAGED ": the file is damaged; " RESAVE
#define CRAFTED ": the file is crafted or damaged; " RESAVE

static const struct {
    const char *file;
    kh_status st;
    const char *diag;   /* the only diagnostic, formatted, without "X" */
    const char *cells;  /* sheets delivered before the failure */
} bad[] = {
    /* 1. zip bombs */
    {"bomb-part.xlsx", KH_ERR_INPUT,
     "bomb-part.xlsx:S: part xl/worksheets/sheet1.xml inflates past the 256 MiB limit: "
     "the file is damaged or not a real workbook", ""},
    {"bomb-total.xlsx", KH_ERR_INPUT,
     "bomb-total.xlsx: the parts of this workbook inflate past the 512 MiB limit: "
     "the file is damaged or not a real workbook", "[S]\n[T]\n"},
    /* 2. sizes and CRCs, zip-level encryption, other compression */
    {"crc.xlsx", KH_ERR_INPUT,
     "crc.xlsx:S: part xl/worksheets/sheet1.xml is damaged (CRC mismatch): copy the file "
     "again or " RESAVE, ""},
    {"size-long.xlsx", KH_ERR_INPUT,
     "size-long.xlsx:S: part xl/worksheets/sheet1.xml is damaged (its size differs from the "
     "size in the zip directory): copy the file again or " RESAVE, ""},
    {"size-short.xlsx", KH_ERR_INPUT,
     "size-short.xlsx:S: part xl/worksheets/sheet1.xml is damaged (CRC mismatch): copy the "
     "file again or " RESAVE, ""},
    {"zip-encrypted.xlsx", KH_ERR_INPUT,
     "zip-encrypted.xlsx:S: part xl/worksheets/sheet1.xml is encrypted: remove the password "
     "in Excel or WPS and save the workbook again", ""},
    {"zip-method.xlsx", KH_ERR_INPUT,
     "zip-method.xlsx:S: part xl/worksheets/sheet1.xml uses a compression method other than "
     "deflate: re-save the workbook from Excel or WPS", ""},
    /* 3. duplicate and escaping part names */
    {"dup-case.xlsx", KH_ERR_INPUT,
     "dup-case.xlsx: the zip holds two parts named \"xl/workbook.xml\" and "
     "\"xl/Workbook.xml\" (part names ignore case, and \\ is /)" CRAFTED, ""},
    {"dup-backslash.xlsx", KH_ERR_INPUT,
     "dup-backslash.xlsx: the zip holds two parts named \"xl/worksheets/sheet1.xml\" and "
     "\"xl\\worksheets\\sheet1.xml\" (part names ignore case, and \\ is /)" CRAFTED, ""},
    {"dotdot.xlsx", KH_ERR_INPUT,
     "dotdot.xlsx: the zip holds a part named \"xl/../../evil.xml\", which points outside "
     "the package (\"..\")" CRAFTED, ""},
    /* 4. not a zip, truncated, legacy or encrypted workbook */
    {"empty.xlsx", KH_ERR_INPUT,
     "empty.xlsx: the file is empty, not an XLSX workbook: save the workbook again from "
     "Excel or WPS", ""},
    {"notzip.xlsx", KH_ERR_INPUT,
     "notzip.xlsx: not an XLSX workbook (the file is no zip archive): save it from Excel or "
     "WPS as .xlsx", ""},
    {"truncated.xlsx", KH_ERR_INPUT,
     "truncated.xlsx: the XLSX file is truncated or damaged (its zip directory is missing): "
     "copy it again or " RESAVE, ""},
    {"legacy.xlsx", KH_ERR_INPUT,
     "legacy.xlsx: encrypted or legacy .xls workbook: open it in Excel or WPS and save as "
     ".xlsx", ""},
    /* 5. missing parts */
    {"no-workbook.xlsx", KH_ERR_INPUT,
     "no-workbook.xlsx: the file holds no workbook (no xl/workbook.xml): it is not an Excel "
     "workbook or it is damaged; save it as .xlsx from Excel or WPS", ""},
    {"docx.xlsx", KH_ERR_INPUT,
     "docx.xlsx: this is not a checklist but a Word document: copy the results into the "
     "checklist workbook made by kaohe template (.xlsx) and give that file", ""},
    {"ods.xlsx", KH_ERR_INPUT,
     "ods.xlsx: the file is an OpenDocument spreadsheet (.ods), not an XLSX workbook: save it "
     "as .xlsx from LibreOffice, WPS or Excel", ""},
    {"xlsb.xlsx", KH_ERR_INPUT,
     "xlsb.xlsx: the file is an Excel binary workbook (.xlsb), which kaohe does not read: save "
     "it as .xlsx from Excel or WPS", ""},
    {"missing-sheet.xlsx", KH_ERR_INPUT,
     "missing-sheet.xlsx:S: the worksheet's part xl/worksheets/sheet1.xml is missing" DAMAGED,
     ""},
    {"no-sheets.xlsx", KH_ERR_INPUT,
     "no-sheets.xlsx: the workbook has no worksheet: add one in Excel or WPS", ""},
    /* 6, 7. entity expansion, external entities: no DOCTYPE at all */
    {"billion-laughs.xlsx", KH_ERR_INPUT,
     "billion-laughs.xlsx: part xl/sharedStrings.xml contains a DOCTYPE declaration, which "
     "workbooks never have" CRAFTED, ""},
    {"xxe.xlsx", KH_ERR_INPUT,
     "xxe.xlsx:S: part xl/worksheets/sheet1.xml contains a DOCTYPE declaration, which "
     "workbooks never have" CRAFTED, ""},
    /* 8. nesting, XML errors, endless tokens */
    {"deep.xlsx", KH_ERR_INPUT,
     "deep.xlsx:S: part xl/worksheets/sheet1.xml nests XML elements deeper than 64 levels"
     CRAFTED, ""},
    {"not-wellformed.xlsx", KH_ERR_INPUT,
     "not-wellformed.xlsx:S: part xl/worksheets/sheet1.xml is not well-formed XML (line 4: "
     "mismatched tag)" DAMAGED, ""},
    {"long-token.xlsx", KH_ERR_INPUT,
     "long-token.xlsx:S: part xl/worksheets/sheet1.xml holds an XML tag or comment longer "
     "than 4 MiB" CRAFTED, ""},
    /* 9. shared string indexes */
    {"sst-range.xlsx", KH_ERR_INPUT,
     "sst-range.xlsx:S!B3: shared string index 2 is out of range (the workbook has 2 shared "
     "strings)" DAMAGED, ""},
    {"sst-overflow.xlsx", KH_ERR_INPUT,
     "sst-overflow.xlsx:S!B3: shared string index 99999999999999999999 is out of range (the "
     "workbook has 2 shared strings)" DAMAGED, ""},
    {"sst-negative.xlsx", KH_ERR_INPUT,
     "sst-negative.xlsx:S!B3: shared string index \"-1\" is not a number" DAMAGED, ""},
    {"sst-nan.xlsx", KH_ERR_INPUT,
     "sst-nan.xlsx:S!B3: shared string index \"abc\" is not a number" DAMAGED, ""},
    /* 10. cell references and rows */
    {"ref-a0.xlsx", KH_ERR_INPUT,
     "ref-a0.xlsx:S: bad cell reference \"A0\" (cells lie in A1:XFD1048576)" DAMAGED, ""},
    {"ref-xfe.xlsx", KH_ERR_INPUT,
     "ref-xfe.xlsx:S: bad cell reference \"XFE1\" (cells lie in A1:XFD1048576)" DAMAGED, ""},
    {"ref-overflow.xlsx", KH_ERR_INPUT,
     "ref-overflow.xlsx:S: bad cell reference \"A99999999999999999999\" (cells lie in "
     "A1:XFD1048576)" DAMAGED, ""},
    {"ref-lower.xlsx", KH_ERR_INPUT,
     "ref-lower.xlsx:S: bad cell reference \"a1\" (cells lie in A1:XFD1048576)" DAMAGED, ""},
    {"row-overflow.xlsx", KH_ERR_INPUT,
     "row-overflow.xlsx:S: bad row number \"1048577\" (rows are 1 to 1048576)" DAMAGED, ""},
    {"row-cols.xlsx", KH_ERR_INPUT,
     "row-cols.xlsx:S: row 1 has more than 16384 cells" DAMAGED, ""},
    /* 11. XML cut short in a sound zip */
    {"truncated-xml.xlsx", KH_ERR_INPUT,
     "truncated-xml.xlsx:S: part xl/worksheets/sheet1.xml is not well-formed XML (line 2: "
     "no element found)" DAMAGED, ""},
    /* a broken sheet after a sound one: the sound one was delivered */
    {"second-broken.xlsx", KH_ERR_INPUT,
     "second-broken.xlsx:T: part xl/worksheets/sheet2.xml is not well-formed XML (line 2: "
     "mismatched tag)" DAMAGED, "[S]\nA1 s x\n"},
    /* values that are no values */
    {"bad-type.xlsx", KH_ERR_INPUT, "bad-type.xlsx:S!C5: unknown cell type \"x\"" DAMAGED, ""},
    {"bad-bool.xlsx", KH_ERR_INPUT, "bad-bool.xlsx:S!C5: bad boolean value \"2\"" DAMAGED, ""},
    {"bad-number.xlsx", KH_ERR_INPUT,
     "bad-number.xlsx:S!C5: \"0x10\" stands where a number belongs" DAMAGED, ""},
    /* kaohe's limits */
    {"cell-too-long.xlsx", KH_ERR_LIMIT,
     "cell-too-long.xlsx:S!D4: a cell holds more than 32767 characters, Excel's limit: the "
     "file is damaged or not a real workbook", ""},
    {"sst-too-long.xlsx", KH_ERR_LIMIT,
     "sst-too-long.xlsx: a shared string holds more than 32767 characters, Excel's limit: "
     "the file is damaged or not a real workbook", ""},
    {"bomb-grid.xlsx", KH_ERR_LIMIT,
     "bomb-grid.xlsx:S!FAJ1: the worksheet holds more than 128 MiB of cells, kaohe's limit: "
     "keep the checklist in a workbook of its own", ""},
    {"bomb-grids.xlsx", KH_ERR_LIMIT,
     "bomb-grids.xlsx:S5!ARU1: the worksheets of this workbook hold more than 512 MiB of cells, "
     "kaohe's limit: keep the checklists in workbooks of their own",
     "[S1] 3800 cells\n[S2] 3800 cells\n[S3] 3800 cells\n[S4] 3800 cells\n"},
    {"many-sheets.xlsx", KH_ERR_LIMIT,
     "many-sheets.xlsx: the workbook has more than 1000 sheets, kaohe's limit: split it into "
     "several workbooks", ""},
};

static void rejects_bad_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < KH_ARRAY_LEN(bad); i++) {
        char path[256], want[1024];
        snprintf(path, sizeof path, X "%s", bad[i].file);
        snprintf(want, sizeof want, X "%s", bad[i].diag);
        kh_diags d = {0};
        kh_status st;
        char *got = read_both(path, &st, &d);
        if (st != bad[i].st || d.n != 1)
            print_error("%s: status %d, %zu diagnostics\n", path, st, d.n);
        assert_int_equal(st, bad[i].st);
        assert_int_equal(d.n, 1);
        assert_diag(&d, 0, want);
        assert_string_equal(got, bad[i].cells);
        kh_free(got);
        kh_diags_clear(&d);
        assert_int_equal(live, 0);
    }
}

static void io_errors(void **state)
{
    (void)state;
    kh_diags d = {0};
    assert_int_equal(kh_xlsx_read_file(X "no-such-file.xlsx", dump_sheet, NULL, &d), KH_ERR_IO);
    assert_diag(&d, 0, X "no-such-file.xlsx: cannot open the file: No such file or directory");
    kh_diags_clear(&d);
    assert_int_equal(kh_xlsx_read_file(X, dump_sheet, NULL, &d), KH_ERR_IO);
    assert_diag(&d, 0, X ": cannot read the file: Is a directory");
    kh_diags_clear(&d);
    assert_int_equal(kh_xlsx_read_mem("mem.xlsx", NULL, 0, dump_sheet, NULL, &d), KH_ERR_INPUT);
    assert_diags_contain(&d, "mem.xlsx: the file is empty");
    kh_diags_clear(&d);
    kh_sheet *s = (kh_sheet *)1;
    assert_int_equal(kh_xlsx_read_first(X "legacy.xlsx", &s, &d), KH_ERR_INPUT);
    assert_null(s);
    assert_diags_contain(&d, "encrypted or legacy .xls workbook");
    kh_diags_clear(&d);
    assert_true(kh_is_cfb("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8));
    assert_false(kh_is_cfb("\xD0\xCF\x11\xE0\xA1\xB1\x1A", 7));
    assert_false(kh_is_cfb("PK\x03\x04\0\0\0\0", 8));
}

/* ---- one sheet at a time ---- */

static void read_first_sheet(void **state)
{
    (void)state;
    kh_sheet *s = NULL;
    kh_diags d = {0};
    /* The first worksheet in tab order, not sheet1.xml. */
    assert_int_equal(kh_xlsx_read_first(X "edge-strict.xlsx", &s, &d), KH_OK);
    assert_non_null(s);
    assert_string_equal(s->name, "第二");
    assert_int_equal(s->ncells, 4);
    const kh_cell *c = kh_sheet_get(s, 0, 2);
    assert_non_null(c);
    assert_int_equal(c->type, KH_CELL_DATE);
    assert_string_equal(c->text, "2020-12-05");
    kh_sheet_free(s);
    /* A broken second sheet does not matter to the first. */
    assert_int_equal(kh_xlsx_read_first(X "second-broken.xlsx", &s, &d), KH_OK);
    assert_string_equal(s->name, "S");
    assert_int_equal(s->ncells, 1);
    assert_string_equal(s->cells[0].text, "x");
    kh_sheet_free(s);
    assert_int_equal(kh_xlsx_read_first(X "no-sheets.xlsx", &s, &d), KH_ERR_INPUT);
    assert_null(s);
    assert_diags_contain(&d, "the workbook has no worksheet");
    kh_diags_clear(&d);
    assert_int_equal(live, 0);
}

static kh_status stop_after_one(void *ctx, const kh_sheet *s)
{
    int *n = ctx;
    (*n)++;
    assert_string_equal(s->name, "检查表");
    return KH_ERR_USAGE;
}

static void callback_stops(void **state)
{
    (void)state;
    int n = 0;
    kh_diags d = {0};
    assert_int_equal(kh_xlsx_read_file(X "real-lo-fods.xlsx", stop_after_one, &n, &d),
                     KH_ERR_USAGE);
    assert_int_equal(n, 1);
    assert_int_equal(d.n, 0);
    assert_int_equal(live, 0);
}

/* ---- memory ---- */

static kh_status count_cells(void *ctx, const kh_sheet *s)
{
    *(size_t *)ctx += s->ncells;
    return KH_OK;
}

/* Peak memory is the same for the 1st and the 50th file: nothing is kept
 * between reads. */
static void memory_does_not_grow(void **state)
{
    (void)state;
    size_t peaks[2], cells = 0;
    for (int run = 0; run < 50; run++) {
        peak = live;
        kh_diags d = {0};
        assert_int_equal(kh_xlsx_read_file(X "real-lo-fods.xlsx", count_cells, &cells, &d),
                         KH_OK);
        assert_int_equal(live, 0);
        if (run == 0 || run == 49)
            peaks[run != 0] = peak;
    }
    assert_int_equal(cells, 50 * 22);
    assert_int_equal(peaks[0], peaks[1]);
    /* The grid of one sheet, a chunk of expat buffer and the shared
     * strings: far below a whole inflated part. */
    assert_true(peaks[0] < 512 * 1024);
}

/* Make the Nth allocation of reading path fail (only it, or it and all
 * after it) for every N until the read gets through: each failure is
 * KH_ERR_NOMEM, never a complaint about the file, and leaks nothing. */
static void fail_each_allocation(const char *path, kh_status ok_st, bool once)
{
    fail_once = once;
    for (size_t n = 1;; n++) {
        size_t cells = 0;
        kh_diags d = {0};
        nallocs = 0;
        fail_at_alloc = n;
        kh_status st = kh_xlsx_read_file(path, count_cells, &cells, &d);
        fail_at_alloc = 0;
        bool lost = d.oom;
        kh_diags_clear(&d);
        assert_int_equal(live, 0);
        if (st == ok_st && !lost && nallocs < n)
            break;      /* no allocation failed: done */
        if (st != KH_ERR_NOMEM && st != ok_st)
            fail_msg("%s, allocation %zu failing%s: status %d", path, n, once ? " alone" : "",
                     st);
        assert_true(n < 100000);
    }
    fail_once = false;
}

static void allocation_failures(void **state)
{
    (void)state;
    static const char *const files[] = {X "edge-basic.xlsx", X "edge-strict.xlsx",
                                        X "edge-prefixed.xlsx", X "real-lo-fods.xlsx",
                                        X "real-openpyxl.xlsx"};
    for (int once = 0; once <= 1; once++) {
        for (size_t f = 0; f < KH_ARRAY_LEN(files); f++)
            fail_each_allocation(files[f], KH_OK, once);
        fail_each_allocation(X "sst-range.xlsx", KH_ERR_INPUT, once);
    }
}

/* ---- numbers, dates, escapes, names ---- */

static void numbers(void **state)
{
    (void)state;
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    assert_non_null(c);
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"2", "2"}, {"2.0", "2"}, {"1.9999999999999998", "2"}, {"1.1", "1.1"},
        {"1.10", "1.1"}, {"2020", "2020"}, {"0.30000000000000004", "0.3"}, {"-0", "0"},
        {"0", "0"}, {"-1.5", "-1.5"}, {"+3", "3"}, {".5", "0.5"}, {"5.", "5"},
        {"1E-5", "0.00001"}, {"1e+20", "100000000000000000000"}, {"123456789012345678",
        "123456789012346000"}, {"0.000123", "0.000123"}, {"1e300", "1e+300"},
        {"-2.5e-40", "-2.5e-40"}, {"44170.75", "44170.75"}, {"100", "100"},
        /* Whole numbers are written without snprintf below 10^15; at and
         * past it they take the %.15g path (rounded to 15 digits). */
        {"-7", "-7"}, {"999999999999999", "999999999999999"},
        {"-999999999999999", "-999999999999999"}, {"1000000000000000", "1000000000000000"},
        {"4503599627370497", "4503599627370500"}, {"-1e15", "-1000000000000000"},
        {"9.0", "9"}, {"-0.0", "0"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        double v;
        char out[KH_XLSX_NUMBUF];
        assert_true(kh_xlsx_parse_number(cases[i].in, c, &v));
        kh_xlsx_format_number(v, c, out);
        assert_string_equal(out, cases[i].out);
    }
    static const char *const notnum[] = {"", "-", ".", "0x10", "inf", "nan", "1e", "1e+",
                                         "--1", "1.2.3", " 1", "1 ", "1,5", "1e999", "١"};
    for (size_t i = 0; i < KH_ARRAY_LEN(notnum); i++) {
        double v;
        assert_false(kh_xlsx_parse_number(notnum[i], c, &v));
    }
    freelocale(c);
}

/* A decimal-comma locale in force changes nothing (skipped when the
 * system has no such locale). */
static void numbers_in_comma_locale(void **state)
{
    (void)state;
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8"};
    locale_t comma = (locale_t)0;
    for (size_t i = 0; i < KH_ARRAY_LEN(names) && !comma; i++)
        comma = newlocale(LC_NUMERIC_MASK, names[i], (locale_t)0);
    if (!comma)
        skip();
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t old = uselocale(comma);
    double v = 0;
    char out[KH_XLSX_NUMBUF];
    bool ok = kh_xlsx_parse_number("1.25", c, &v);
    kh_xlsx_format_number(v, c, out);
    uselocale(old);
    freelocale(comma);
    freelocale(c);
    assert_true(ok);
    assert_string_equal(out, "1.25");
}

static void dates(void **state)
{
    (void)state;
    static const struct {
        double v;
        bool d1904;
        const char *out;    /* NULL: no date */
    } cases[] = {
        {1, false, "1900-01-01"}, {59, false, "1900-02-28"}, {60, false, "1900-02-29"},
        {61, false, "1900-03-01"}, {44170, false, "2020-12-05"}, {44170.99, false, "2020-12-05"},
        {25569, false, "1970-01-01"}, {2958465, false, "9999-12-31"}, {2958466, false, NULL},
        {0, false, NULL}, {0.5, false, NULL}, {-1, false, NULL},
        {0, true, "1904-01-01"}, {0.5, true, "1904-01-01"}, {42708, true, "2020-12-05"},
        {1, true, "1904-01-02"}, {2957003, true, "9999-12-31"}, {2957004, true, NULL},
        {-1, true, NULL},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        char out[KH_XLSX_NUMBUF] = "";
        bool ok = kh_xlsx_serial_date(cases[i].v, cases[i].d1904, out);
        if (!cases[i].out) {
            assert_false(ok);
        } else {
            assert_true(ok);
            assert_string_equal(out, cases[i].out);
        }
    }
    static const struct {
        const char *code;
        bool date;
    } codes[] = {
        {"yyyy-mm-dd", true}, {"yyyy\"年\"m\"月\"d\"日\"", true}, {"[$-804]yyyy/m/d", true},
        {"[DBNum1][$-804]m\"月\"d\"日\"", true}, {"h:mm AM/PM", true}, {"mm:ss", true},
        {"D", true}, {"General", false}, {"0.00", false}, {"#,##0;[Red]-#,##0", false},
        {"\"day \"0", false}, {"0\\d", false}, {"0_d", false}, {"0*d", false},
        {"[h]", false}, {"@", false}, {"0.00E+00", false}, {"\"unterminated", false},
        {"[Red", false}, {"", false},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(codes); i++)
        assert_int_equal(kh_xlsx_code_is_date(codes[i].code), codes[i].date);
    static const uint32_t ids[] = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 31, 36, 45, 46,
                                   47, 50, 55, 58};
    for (size_t i = 0; i < KH_ARRAY_LEN(ids); i++)
        assert_true(kh_xlsx_builtin_is_date(ids[i]));
    static const uint32_t not_ids[] = {0, 1, 2, 9, 10, 11, 12, 13, 23, 26, 37, 44, 48, 49,
                                       59, 164};
    for (size_t i = 0; i < KH_ARRAY_LEN(not_ids); i++)
        assert_false(kh_xlsx_builtin_is_date(not_ids[i]));
    assert_true(kh_xlsx_iso_date("2020-12-05"));
    assert_true(kh_xlsx_iso_date("2020-12-05T10:00:00Z"));
    assert_false(kh_xlsx_iso_date("2020-13-05"));
    assert_false(kh_xlsx_iso_date("2020-12-5"));
    assert_false(kh_xlsx_iso_date("2020-12-05 10:00"));
    assert_false(kh_xlsx_iso_date("T10:00:00"));
    assert_false(kh_xlsx_iso_date(""));
}

static void escapes_and_names(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"a_x000D_b", "a\rb"}, {"_x005F_x000D_", "_x000D_"}, {"_x4E2D_", "中"},
        {"_x00e9_", "é"}, {"_x0000_", "_x0000_"}, {"_xD800_", "_xD800_"}, {"_x12G4_", "_x12G4_"},
        {"_x000D", "_x000D"}, {"plain", "plain"}, {"", ""}, {"a_b_x0041_", "a_bA"},
        {"中文_x0041_中", "中文A中"}, {"x_", "x_"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        char buf[64];
        strcpy(buf, cases[i].in);
        buf[kh_xml_decode_escapes(buf, strlen(buf))] = '\0';
        assert_string_equal(buf, cases[i].out);
    }
    static const struct {
        const char *in, *out;
    } names[] = {
        {"xl/workbook.xml", "xl/workbook.xml"}, {"/XL/Workbook.XML", "xl/workbook.xml"},
        {"xl\\worksheets\\Sheet1.xml", "xl/worksheets/sheet1.xml"}, {"\\/x", "x"},
        {"文件/A.xml", "文件/a.xml"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(names); i++) {
        char *n = kh_zip_norm(names[i].in);
        assert_string_equal(n, names[i].out);
        kh_free(n);
    }
    char show[KH_XLSX_SHOW_BUFSZ];
    assert_string_equal(kh_xlsx_show("a\x01\xff" "b", show), "a??b");
    char longname[300];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    kh_xlsx_show(longname, show);
    assert_int_equal(strlen(show), KH_XLSX_SHOW_BUFSZ - 1);
    assert_string_equal(show + KH_XLSX_SHOW_BUFSZ - 4, "...");
}

/* ---- files that are no checklist, and kaohe's own outputs ---- */

static kh_status count_sheet(void *ctx, const kh_sheet *sheet)
{
    (void)sheet;
    ++*(int *)ctx;
    return KH_OK;
}

/* Write n bytes to dir/name; its path. */
static const char *put_bytes(const char *dir, const char *name, const void *data, size_t n)
{
    const char *path = test_path(dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* A PDF, images and a Word .doc are told by their first bytes (and, for
 * the .doc, its Compound File directory), whatever their names, each with
 * its one message; the sniffing reads no sheet.  A workbook kaohe marked
 * as its own output is read as no sheet, its kind saying what it is. */
static void not_sheets_and_marks(void **state)
{
    const char *dir = *state;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0};
    static const unsigned char jpg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'};
    /* A minimal Compound File: header, FAT (sector 0), directory (sector
     * 1) with the root and a stream named WordDocument. */
    static unsigned char doc[512 * 3];
    memset(doc, 0, sizeof doc);
    memcpy(doc, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    doc[0x1A] = 0x3E, doc[0x1C] = 0xFE, doc[0x1D] = 0xFF, doc[0x1E] = 9, doc[0x20] = 6;
    doc[0x2C] = 1;                          /* one FAT sector */
    doc[0x30] = 1;                          /* the directory at sector 1 */
    memset(doc + 0x4C, 0xFF, 4 * 109);
    memset(doc + 0x4C, 0, 4);               /* the FAT at sector 0 */
    memset(doc + 512, 0xFF, 512);
    memcpy(doc + 512, "\xFD\xFF\xFF\xFF\xFE\xFF\xFF\xFF", 8);
    static const char *const names[2] = {"Root Entry", "WordDocument"};
    for (int e = 0; e < 2; e++) {
        unsigned char *ent = doc + 1024 + 128 * e;
        size_t n = strlen(names[e]);
        for (size_t i = 0; i < n; i++)
            ent[2 * i] = (unsigned char)names[e][i];
        ent[0x40] = (unsigned char)(2 * n + 2);
        ent[0x42] = e ? 2 : 5;
    }
    struct {
        const char *name;
        const void *data;
        size_t n;
        const char *msg;
    } cases[] = {
        {"a.xlsx", "%PDF-1.7\n%\xE2\xE3", 12,
         "this is not a checklist but a PDF file: a printed or scanned form cannot be scored; "
         "fill in the checklist workbook made by kaohe template (.xlsx) and give that file"},
        {"b.csv", png, sizeof png, "this is not a checklist but an image: a photo or scan of a "
         "form cannot be scored; fill in the checklist workbook made by kaohe template (.xlsx) "
         "and give that file"},
        {"c.jpg", jpg, sizeof jpg, "this is not a checklist but an image:"},
        {"d.xls", doc, sizeof doc, "this is not a checklist but a Word document: copy the "
         "results into the checklist workbook made by kaohe template (.xlsx) and give that file"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        const char *path = put_bytes(dir, cases[i].name, cases[i].data, cases[i].n);
        kh_diags d = {0};
        int nsheets = 0;
        assert_int_equal(kh_sheetfile_read(path, count_sheet, &nsheets, NULL, &d), KH_ERR_INPUT);
        assert_int_equal(nsheets, 0);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.v[0].file, path);
        assert_non_null(strstr(d.v[0].msg, cases[i].msg));
        kh_diags_clear(&d);
    }
    /* The same Compound File without the WordDocument stream is left to
     * the .xls reader (which refuses it for its own reasons). */
    doc[1024 + 128] = 'X';
    const char *path = put_bytes(dir, "e.xls", doc, sizeof doc);
    kh_diags d = {0};
    int nsheets = 0;
    kh_sheetfile_read(path, count_sheet, &nsheets, NULL, &d);
    assert_true(d.n >= 1);
    assert_null(strstr(d.v[0].msg, "Word document"));
    kh_diags_clear(&d);

    /* Workbooks kaohe writes: marked ones are not read; unmarked are. */
    static const char *const marks[] = {KH_MARK_RANKING, KH_MARK_SCORESHEET, NULL};
    static const kh_sheetfile_kind kinds[] = {KH_SHEETFILE_RANKING, KH_SHEETFILE_SCORESHEET,
                                              KH_SHEETFILE_XLSX};
    for (size_t i = 0; i < KH_ARRAY_LEN(marks); i++) {
        path = test_path(dir, "out.xlsx");
        kh_xw x = {0};
        assert_int_equal(kh_xw_open(&x, path, false, 1, &d), KH_OK);
        if (marks[i])
            kh_xw_mark(&x, marks[i]);
        lxw_worksheet *ws = workbook_add_worksheet(x.wb, "排名");
        kh_xw_str(&x, ws, 0, 0, "考核细则", NULL);
        assert_int_equal(kh_xw_close(&x, &d), KH_OK);
        kh_sheetfile_kind kind = KH_SHEETFILE_CSV;
        nsheets = 0;
        assert_int_equal(kh_sheetfile_read(path, count_sheet, &nsheets, &kind, &d), KH_OK);
        assert_int_equal(d.n, 0);
        assert_int_equal(kind, kinds[i]);
        assert_int_equal(nsheets, marks[i] ? 0 : 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_cells, use_counting, use_default),
        cmocka_unit_test(longest_cell),
        cmocka_unit_test_setup_teardown(rejects_bad_files, use_counting, use_default),
        cmocka_unit_test(io_errors),
        cmocka_unit_test_setup_teardown(read_first_sheet, use_counting, use_default),
        cmocka_unit_test_setup_teardown(callback_stops, use_counting, use_default),
        cmocka_unit_test_setup_teardown(memory_does_not_grow, use_counting, use_default),
        cmocka_unit_test_setup_teardown(allocation_failures, use_counting, use_default),
        cmocka_unit_test(numbers),
        cmocka_unit_test(numbers_in_comma_locale),
        cmocka_unit_test(dates),
        cmocka_unit_test(escapes_and_names),
        cmocka_unit_test_setup_teardown(not_sheets_and_marks, test_scratch_setup,
                                        test_scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
