/* test_xls_in.c - the .xls reader on crafted bytes: a Compound File and
 * the BIFF records inside it are built here (tb_* below), then read with
 * kh_xls_read_mem.  Table-driven: CFB chains that loop or leave the file,
 * truncated records, the SST split across CONTINUE records (the flags byte
 * read again at the boundary), every cell record, dates, refusals, and
 * allocation failures. */
#include "testutil.h"
#include "xls_in.h"

/* ---- byte buffers ---- */

typedef struct tb {
    unsigned char *p;
    size_t n, cap;
} tb;

static void tb_add(tb *b, const void *s, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void tb_u8(tb *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    tb_add(b, &c, 1);
}

static void tb_u16(tb *b, unsigned v)
{
    tb_u8(b, v & 0xff);
    tb_u8(b, v >> 8 & 0xff);
}

static void tb_u32(tb *b, uint32_t v)
{
    tb_u16(b, v & 0xffff);
    tb_u16(b, v >> 16);
}

static void tb_f64(tb *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    tb_u32(b, (uint32_t)u);
    tb_u32(b, (uint32_t)(u >> 32));
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = v & 0xff;
    p[1] = v >> 8 & 0xff;
    p[2] = v >> 16 & 0xff;
    p[3] = v >> 24 & 0xff;
}

/* A record: type, then its data. */
static void rec(tb *b, unsigned type, const tb *data)
{
    tb_u16(b, type);
    tb_u16(b, (unsigned)data->n);
    tb_add(b, data->p, data->n);
}

static void rec_raw(tb *b, unsigned type, const void *data, size_t n)
{
    tb_u16(b, type);
    tb_u16(b, (unsigned)n);
    tb_add(b, data, n);
}

static void bof(tb *b, unsigned vers, unsigned dt)
{
    unsigned char d[16] = {vers & 0xff, vers >> 8, dt & 0xff, dt >> 8};
    rec_raw(b, 0x0809, d, vers == 0x0600 ? 16 : 8);
}

static void eof(tb *b)
{
    rec_raw(b, 0x000a, "", 0);
}

/* A compressed (8-bit) XLUnicodeString of ASCII s. */
static void ustr(tb *b, const char *s)
{
    tb_u16(b, (unsigned)strlen(s));
    tb_u8(b, 0);
    tb_add(b, s, strlen(s));
}

/* A cell record's head: row, col, xf. */
static void cellhead(tb *d, unsigned row, unsigned col, unsigned xf)
{
    tb_u16(d, row);
    tb_u16(d, col);
    tb_u16(d, xf);
}

/* ---- a workbook: globals, one BOUNDSHEET per sheet, the sheets ---- */

typedef struct book {
    unsigned vers;      /* 0x0600 BIFF8, 0x0500 BIFF5 */
    tb globals;         /* records after the BOF, before the BOUNDSHEETs */
    tb sheet[3];        /* each sheet's records between its BOF and EOF */
    unsigned sheet_dt[3];   /* BOF dt: 0x10 worksheet, 0x20 chart */
    unsigned bs_dt[3];      /* BOUNDSHEET dt: 0 worksheet, 2 chart */
    size_t nsheets;
} book;

/* The Workbook stream of bk. */
static tb stream_of(book *bk)
{
    tb s = {0};
    bof(&s, bk->vers, 0x0005);
    tb_add(&s, bk->globals.p, bk->globals.n);
    size_t bs_at[3];
    for (size_t i = 0; i < bk->nsheets; i++) {
        tb d = {0};
        tb_u32(&d, 0);
        tb_u8(&d, 0);
        tb_u8(&d, bk->bs_dt[i]);
        char name[32];
        snprintf(name, sizeof name, "S%zu", i + 1);
        tb_u8(&d, (unsigned)strlen(name));
        if (bk->vers == 0x0600)
            tb_u8(&d, 0);
        tb_add(&d, name, strlen(name));
        bs_at[i] = s.n + 4;
        rec(&s, 0x0085, &d);
        free(d.p);
    }
    eof(&s);
    for (size_t i = 0; i < bk->nsheets; i++) {
        put32(s.p + bs_at[i], (uint32_t)s.n);
        bof(&s, bk->vers, bk->sheet_dt[i] ? bk->sheet_dt[i] : 0x0010);
        tb_add(&s, bk->sheet[i].p, bk->sheet[i].n);
        eof(&s);
    }
    return s;
}

static void book_free(book *bk)
{
    free(bk->globals.p);
    for (size_t i = 0; i < 3; i++)
        free(bk->sheet[i].p);
}

/* ---- a Compound File around a stream (version 3 unless told) ----
 *
 * Sector 0: the FAT; sector 1: the directory (root, the stream); then,
 * for a stream of 4096 bytes or more, its sectors; for a shorter one, the
 * mini FAT and the mini stream (the root's stream). */

#define END 0xfffffffeu
#define FREE 0xffffffffu

static void dirent(unsigned char *e, const char *name, unsigned type, uint32_t child,
                   uint32_t start, uint32_t size)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++)
        e[2 * i] = (unsigned char)name[i];
    e[0x40] = (unsigned char)(2 * n + 2);
    e[0x42] = (unsigned char)type;
    put32(e + 0x44, FREE);
    put32(e + 0x48, FREE);
    put32(e + 0x4c, child);
    put32(e + 0x74, start);
    put32(e + 0x78, size);
}

/* The file of version v (3: 512-byte sectors, 4: 4096-byte sectors). */
static tb cfb_of_v(const unsigned char *s, size_t n, const char *name, int v)
{
    static const unsigned char magic[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
    const size_t ssz = v == 4 ? 4096 : 512;
    bool mini = n < 4096;
    size_t nsec_stream = mini ? (n + 63) / 64 * 64 : n;
    size_t nsec = 2 + (mini ? 1 : 0) + (nsec_stream + ssz - 1) / ssz;
    assert_true(nsec <= ssz / 4);
    tb f = {0};
    unsigned char h[512] = {0};
    memcpy(h, magic, 8);
    h[0x18] = 0x3e;
    h[0x1a] = (unsigned char)v;
    h[0x1c] = 0xfe;
    h[0x1d] = 0xff;
    h[0x1e] = v == 4 ? 12 : 9;
    h[0x20] = 6;
    put32(h + 0x2c, 1);         /* FAT sectors */
    put32(h + 0x30, 1);         /* first directory sector */
    put32(h + 0x38, 4096);
    put32(h + 0x3c, mini ? 2 : END);
    put32(h + 0x40, mini ? 1 : 0);
    put32(h + 0x44, END);
    for (int i = 0; i < 109; i++)
        put32(h + 0x4c + 4 * i, FREE);
    put32(h + 0x4c, 0);
    tb_add(&f, h, 512);
    while (f.n < ssz)
        tb_u8(&f, 0);
    unsigned char *sec = malloc(ssz);
    assert_non_null(sec);
    /* FAT */
    memset(sec, 0xff, ssz);
    put32(sec, 0xfffffffdu);
    put32(sec + 4, END);
    uint32_t first = mini ? 3 : 2;
    if (mini)
        put32(sec + 8, END);
    for (uint32_t k = first; k < nsec; k++)
        put32(sec + 4 * k, k + 1 < nsec ? k + 1 : END);
    tb_add(&f, sec, ssz);
    /* directory: the root, the stream, the rest empty */
    memset(sec, 0, ssz);
    dirent(sec, "Root Entry", 5, 1, mini ? first : END, mini ? (uint32_t)nsec_stream : 0);
    dirent(sec + 128, name, 2, FREE, mini ? 0 : first, (uint32_t)n);
    for (size_t e = 2; e < ssz / 128; e++) {
        put32(sec + 128 * e + 0x44, FREE);
        put32(sec + 128 * e + 0x48, FREE);
        put32(sec + 128 * e + 0x4c, FREE);
    }
    tb_add(&f, sec, ssz);
    if (mini) {
        memset(sec, 0xff, ssz);
        uint32_t m = (uint32_t)(nsec_stream / 64);
        for (uint32_t k = 0; k < m; k++)
            put32(sec + 4 * k, k + 1 < m ? k + 1 : END);
        tb_add(&f, sec, ssz);
    }
    free(sec);
    tb_add(&f, s, n);
    while (f.n < (nsec + 1) * ssz)
        tb_u8(&f, 0);
    return f;
}

static tb cfb_of(const unsigned char *s, size_t n, const char *name)
{
    return cfb_of_v(s, n, name, 3);
}

/* ---- reading ---- */

typedef struct result {
    kh_status st;
    test_rbook bk;
    kh_diags d;
} result;

static void read_bytes(const tb *f, result *r)
{
    memset(r, 0, sizeof *r);
    r->st = kh_xls_read_mem("t.xls", f->p, f->n, test_rbook_take, &r->bk, &r->d);
}

static void result_free(result *r)
{
    test_rbook_free(&r->bk);
    kh_diags_clear(&r->d);
}

/* Read bk as a compound file (padded past 4096 bytes when big). */
static void read_book(book *bk, bool big, result *r)
{
    tb s = stream_of(bk);
    while (big && s.n < 5000)
        tb_u8(&s, 0);   /* padding after the last EOF: never read */
    tb f = cfb_of(s.p, s.n, "Workbook");
    read_bytes(&f, r);
    free(s.p);
    free(f.p);
}

/* ---- cells ---- */

static void put_sst(tb *g, int split)
{
    /* Three strings: "plain", a rich "rich" with one run and a phonetic
     * block, and "中文ab" in UTF-16; with split, the third string's
     * characters are cut by a CONTINUE whose flags byte switches width. */
    tb d = {0};
    tb_u32(&d, 3);
    tb_u32(&d, 3);
    ustr(&d, "plain");
    tb_u16(&d, 4);
    tb_u8(&d, 0x0c);        /* rich and phonetic */
    tb_u16(&d, 1);
    tb_u32(&d, 6);
    tb_add(&d, "rich", 4);
    tb_u32(&d, 0x00010000);  /* the run */
    tb_add(&d, "phonet", 6);
    tb_u16(&d, 4);
    tb_u8(&d, 1);
    tb_u16(&d, 0x4e2d);
    tb_u16(&d, 0x6587);
    if (split) {
        rec(g, 0x00fc, &d);
        tb c = {0};
        tb_u8(&c, 0);           /* the rest compressed */
        tb_add(&c, "ab", 2);
        rec(g, 0x003c, &c);
        free(c.p);
    } else {
        tb_u16(&d, 'a');
        tb_u16(&d, 'b');
        rec(g, 0x00fc, &d);
    }
    free(d.p);
}

static void globals_dates(tb *g, bool d1904)
{
    tb d = {0};
    tb_u16(&d, d1904);
    rec(g, 0x0022, &d);
    d.n = 0;
    /* format 164: a custom date; XF 0 general, 1 built-in 14, 2 custom 164 */
    tb_u16(&d, 164);
    ustr(&d, "yyyy\"年\"m\"月\"d\"日\"");
    rec(g, 0x041e, &d);
    unsigned fmts[3] = {0, 14, 164};
    for (int i = 0; i < 3; i++) {
        d.n = 0;
        tb_u16(&d, 0);
        tb_u16(&d, fmts[i]);
        for (int k = 0; k < 16; k++)
            tb_u8(&d, 0);
        rec(g, 0x00e0, &d);
    }
    free(d.p);
}

static void cell_records(tb *s)
{
    tb d = {0};
#define CELL(type, ...) do { d.n = 0; __VA_ARGS__; rec(s, type, &d); } while (0)
    CELL(0x00fd, cellhead(&d, 0, 0, 0); tb_u32(&d, 0));                 /* A1 sst 0 */
    CELL(0x00fd, cellhead(&d, 0, 1, 0); tb_u32(&d, 1));                 /* B1 sst 1 */
    CELL(0x00fd, cellhead(&d, 0, 2, 0); tb_u32(&d, 2));                 /* C1 sst 2 */
    CELL(0x0203, cellhead(&d, 1, 0, 0); tb_f64(&d, 0.1 + 0.2));         /* A2 */
    CELL(0x027e, cellhead(&d, 1, 1, 0); tb_u32(&d, (uint32_t)(-5 * 4) | 2)); /* B2 -5 */
    CELL(0x027e, cellhead(&d, 1, 2, 0); tb_u32(&d, (1234u << 2) | 3));   /* C2 12.34 */
    CELL(0x00bd, tb_u16(&d, 2); tb_u16(&d, 0);                          /* A3:C3 */
         tb_u16(&d, 0); tb_u32(&d, (7u << 2) | 2);
         tb_u16(&d, 1); tb_u32(&d, (44000u << 2) | 2);
         tb_u16(&d, 2); tb_u32(&d, (44000u << 2) | 2);
         tb_u16(&d, 2));
    CELL(0x0205, cellhead(&d, 3, 0, 0); tb_u8(&d, 1); tb_u8(&d, 0));    /* A4 TRUE */
    CELL(0x0205, cellhead(&d, 3, 1, 0); tb_u8(&d, 0); tb_u8(&d, 0));    /* B4 FALSE */
    CELL(0x0205, cellhead(&d, 3, 2, 0); tb_u8(&d, 0x2a); tb_u8(&d, 1)); /* C4 #N/A */
    /* FORMULA: A5 number, B5 boolean, C5 error, D5 string (STRING after a
     * SHRFMLA), E5 empty string */
    CELL(0x0006, cellhead(&d, 4, 0, 0); tb_f64(&d, 2.5); tb_u16(&d, 0); tb_u32(&d, 0);
         tb_u16(&d, 0));
    unsigned char special[4][8] = {{1, 0, 1, 0, 0, 0, 0xff, 0xff}, {2, 0, 0x07, 0, 0, 0, 0xff, 0xff},
                                   {0, 0, 0, 0, 0, 0, 0xff, 0xff}, {3, 0, 0, 0, 0, 0, 0xff, 0xff}};
    for (unsigned k = 0; k < 4; k++) {
        CELL(0x0006, cellhead(&d, 4, k + 1, 0); tb_add(&d, special[k], 8); tb_u16(&d, 0);
             tb_u32(&d, 0); tb_u16(&d, 0));
        if (k == 2) {
            CELL(0x04bc, tb_u32(&d, 0));
            CELL(0x0207, ustr(&d, "formula text"));
        }
    }
    /* a STRING with no formula before it: ignored */
    CELL(0x0207, ustr(&d, "stray"));
    CELL(0x0204, cellhead(&d, 5, 0, 0); ustr(&d, "label"));              /* A6 */
    /* an embedded chart's records: skipped */
    bof(s, 0x0600, 0x0020);
    CELL(0x0203, cellhead(&d, 9, 9, 0); tb_f64(&d, 99));
    eof(s);
#undef CELL
    free(d.p);
}

/* Every cell record, the SST plain, rich and split, in a stream in the
 * mini stream and in regular sectors. */
static void test_cells(void **state)
{
    (void)state;
    for (int split = 0; split < 2; split++) {
        for (int big = 0; big < 2; big++) {
            book bk = {.vers = 0x0600, .nsheets = 1};
            globals_dates(&bk.globals, false);
            put_sst(&bk.globals, split);
            cell_records(&bk.sheet[0]);
            result r;
            read_book(&bk, big, &r);
            if (r.st != KH_OK)
                test_print_diags(&r.d);
            assert_int_equal(r.st, KH_OK);
            assert_int_equal(r.bk.n, 1);
            const test_rsheet *s = &r.bk.s[0];
            assert_string_equal(s->name, "S1");
            assert_cell_type(s, "A1", KH_CELL_STRING, "plain");
            assert_cell_type(s, "B1", KH_CELL_STRING, "rich");
            assert_cell_type(s, "C1", KH_CELL_STRING, "中文ab");
            assert_cell_type(s, "A2", KH_CELL_NUMBER, "0.3");
            assert_cell_type(s, "B2", KH_CELL_NUMBER, "-5");
            assert_cell_type(s, "C2", KH_CELL_NUMBER, "12.34");
            assert_cell_type(s, "A3", KH_CELL_NUMBER, "7");
            assert_cell_type(s, "B3", KH_CELL_DATE, "2020-06-18");
            assert_cell_type(s, "C3", KH_CELL_DATE, "2020-06-18");
            assert_cell_type(s, "A4", KH_CELL_BOOL, "TRUE");
            assert_cell_type(s, "B4", KH_CELL_BOOL, "FALSE");
            assert_cell_type(s, "C4", KH_CELL_ERROR, "#N/A");
            assert_cell_type(s, "A5", KH_CELL_NUMBER, "2.5");
            assert_cell_type(s, "B5", KH_CELL_BOOL, "TRUE");
            assert_cell_type(s, "C5", KH_CELL_ERROR, "#DIV/0!");
            assert_cell_type(s, "D5", KH_CELL_STRING, "formula text");
            assert_null(test_cell_at(s, "E5"));
            assert_cell_type(s, "A6", KH_CELL_STRING, "label");
            assert_null(test_cell_at(s, "J10"));
            assert_int_equal(s->n, 17);
            result_free(&r);
            book_free(&bk);
        }
    }
}

/* A version 4 compound file (4096-byte sectors), the stream in regular
 * sectors and in the mini stream. */
static void test_cfb_version4(void **state)
{
    (void)state;
    for (int big = 0; big < 2; big++) {
        book bk = {.vers = 0x0600, .nsheets = 1};
        put_sst(&bk.globals, 1);
        cell_records(&bk.sheet[0]);
        tb s = stream_of(&bk);
        while (big && s.n < 9000)
            tb_u8(&s, 0);
        tb f = cfb_of_v(s.p, s.n, "Workbook", 4);
        result r;
        read_bytes(&f, &r);
        if (r.st != KH_OK)
            test_print_diags(&r.d);
        assert_int_equal(r.st, KH_OK);
        assert_cell_type(&r.bk.s[0], "C1", KH_CELL_STRING, "中文ab");
        assert_cell_type(&r.bk.s[0], "D5", KH_CELL_STRING, "formula text");
        result_free(&r);
        free(s.p);
        free(f.p);
        book_free(&bk);
    }
}

/* DATEMODE 1: serial 0 is 1904-01-01. */
static void test_dates_1904(void **state)
{
    (void)state;
    book bk = {.vers = 0x0600, .nsheets = 1};
    globals_dates(&bk.globals, true);
    tb d = {0};
    cellhead(&d, 0, 0, 1);
    tb_f64(&d, 42538);      /* 2020-06-18 in the 1904 system */
    rec(&bk.sheet[0], 0x0203, &d);
    free(d.p);
    result r;
    read_book(&bk, false, &r);
    assert_int_equal(r.st, KH_OK);
    assert_cell_type(&r.bk.s[0], "A1", KH_CELL_DATE, "2020-06-18");
    result_free(&r);
    book_free(&bk);
}

/* BIFF5: LABEL and the sheet name in the CODEPAGE's encoding (GBK). */
static void test_biff5_gbk(void **state)
{
    (void)state;
    book bk = {.vers = 0x0500, .nsheets = 1};
    tb d = {0};
    tb_u16(&d, 936);
    rec(&bk.globals, 0x0042, &d);
    d.n = 0;
    cellhead(&d, 0, 0, 0);
    tb_u16(&d, 6);
    tb_add(&d, "\xd3\xd0\xce\xde\xb2\xe2", 6);  /* 有无测 in GBK */
    rec(&bk.sheet[0], 0x0204, &d);
    d.n = 0;
    cellhead(&d, 0, 1, 0);
    tb_u16(&d, 5);
    tb_add(&d, "\0\xd3\xd0\0a", 5);   /* NULs are dropped (fuzz_xls) */
    rec(&bk.sheet[0], 0x0204, &d);
    d.n = 0;
    cellhead(&d, 0, 2, 0);
    tb_u16(&d, 6);
    /* GB18030's four-byte codes (U+20000, U+E5E5) read with kaohe's own
     * table, as the CSV reader does, and not a code page of the system */
    tb_add(&d, "\x95\x32\x82\x36\xa3\xa0", 6);
    rec(&bk.sheet[0], 0x0204, &d);
    free(d.p);
    tb s = stream_of(&bk);
    tb f = cfb_of(s.p, s.n, "Book");
    result r;
    read_bytes(&f, &r);
    if (r.st != KH_OK)
        test_print_diags(&r.d);
    assert_int_equal(r.st, KH_OK);
    assert_cell_type(&r.bk.s[0], "A1", KH_CELL_STRING, "有无测");
    assert_cell_type(&r.bk.s[0], "B1", KH_CELL_STRING, "有a");
    assert_cell_type(&r.bk.s[0], "C1", KH_CELL_STRING, "\xf0\xa0\x80\x80\xee\x97\xa5");
    result_free(&r);
    free(s.p);
    free(f.p);
    book_free(&bk);
}

/* BIFF5 text where most bytes do not decode in its code page: refused,
 * not shown as a row of U+FFFD; a few bad bytes are U+FFFD. */
static void test_biff5_bad_bytes(void **state)
{
    (void)state;
    for (int many = 0; many < 2; many++) {
        book bk = {.vers = 0x0500, .nsheets = 1};
        tb d = {0};
        tb_u16(&d, 936);
        rec(&bk.globals, 0x0042, &d);
        d.n = 0;
        cellhead(&d, 0, 0, 0);
        size_t nbad = many ? 200 : 3;
        tb_u16(&d, (unsigned)(nbad + 2));
        tb_add(&d, "\xd3\xd0", 2);
        for (size_t i = 0; i < nbad; i++)
            tb_u8(&d, 0xff);
        rec(&bk.sheet[0], 0x0204, &d);
        free(d.p);
        tb s = stream_of(&bk);
        tb f = cfb_of(s.p, s.n, "Book");
        result r;
        read_bytes(&f, &r);
        if (many) {
            assert_int_equal(r.st, KH_ERR_INPUT);
            assert_diags_contain(&r.d, "its text is in a character set that cannot be converted");
        } else {
            assert_int_equal(r.st, KH_OK);
            assert_cell_type(&r.bk.s[0], "A1", KH_CELL_STRING,
                             "有\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
        }
        result_free(&r);
        free(s.p);
        free(f.p);
        book_free(&bk);
    }
}

/* ---- refusals ---- */

typedef struct refusal {
    const char *name;
    void (*make)(book *bk);
    kh_status st;
    const char *says;
} refusal;

static void mk_filepass(book *bk)
{
    rec_raw(&bk->globals, 0x002f, "\1\0\1\0\1\0", 6);
}

static void mk_chart_only(book *bk)
{
    bk->bs_dt[0] = 2;
    bk->sheet_dt[0] = 0x20;
}

static void mk_short_labelsst(book *bk)
{
    rec_raw(&bk->sheet[0], 0x00fd, "\0\0\0\0\0\0\0", 7);
}

static void mk_sst_index(book *bk)
{
    tb d = {0};
    cellhead(&d, 0, 0, 0);
    tb_u32(&d, 5);
    rec(&bk->sheet[0], 0x00fd, &d);
    free(d.p);
}

static void mk_sst_cut(book *bk)
{
    /* an SST whose string claims 100 characters but has 3, no CONTINUE */
    tb d = {0};
    tb_u32(&d, 1);
    tb_u32(&d, 1);
    tb_u16(&d, 100);
    tb_u8(&d, 0);
    tb_add(&d, "abc", 3);
    rec(&bk->globals, 0x00fc, &d);
    free(d.p);
}

static void mk_sst_huge_count(book *bk)
{
    /* a count of four billion strings and none: nothing is sized from it */
    tb d = {0};
    tb_u32(&d, 0xffffffffu);
    tb_u32(&d, 0xffffffffu);
    rec(&bk->globals, 0x00fc, &d);
    free(d.p);
    mk_sst_index(bk);
}

static void mk_col_out(book *bk)
{
    tb d = {0};
    cellhead(&d, 0, 20000, 0);
    tb_f64(&d, 1);
    rec(&bk->sheet[0], 0x0203, &d);
    free(d.p);
}

static void mk_nan(book *bk)
{
    tb d = {0};
    cellhead(&d, 0, 0, 0);
    tb_u32(&d, 0);
    tb_u32(&d, 0x7ff80000u);
    rec(&bk->sheet[0], 0x0203, &d);
    free(d.p);
}

static void mk_no_sheet(book *bk)
{
    bk->nsheets = 0;
}

static void test_refusals(void **state)
{
    (void)state;
    static const refusal cases[] = {
        {"FILEPASS", mk_filepass, KH_ERR_INPUT,
         "encrypted: remove the password in Excel or WPS and save it again"},
        {"charts only", mk_chart_only, KH_ERR_INPUT, "it holds charts only, no worksheet"},
        {"LABELSST cut short", mk_short_labelsst, KH_ERR_INPUT,
         "a record of its workbook stream is damaged"},
        {"SST index out of range", mk_sst_index, KH_ERR_INPUT, "shared string index 5 is out of range"},
        {"SST string cut short", mk_sst_cut, KH_ERR_INPUT,
         "a record of its workbook stream is damaged"},
        {"SST count of 4e9", mk_sst_huge_count, KH_ERR_INPUT, "(the workbook has 0 shared strings)"},
        {"column past XFD", mk_col_out, KH_ERR_INPUT, "a record of its workbook stream is damaged"},
        {"NaN number", mk_nan, KH_ERR_INPUT, "a record of its workbook stream is damaged"},
        {"no worksheet", mk_no_sheet, KH_ERR_INPUT, "this .xls workbook has no worksheet"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        book bk = {.vers = 0x0600, .nsheets = 1};
        cases[i].make(&bk);
        result r;
        read_book(&bk, i & 1, &r);
        if (r.st != cases[i].st)
            fail_msg("%s: status %d, want %d", cases[i].name, r.st, cases[i].st);
        assert_diags_contain(&r.d, cases[i].says);
        result_free(&r);
        book_free(&bk);
    }
}

/* ---- the compound file, damaged ---- */

typedef struct cfb_case {
    const char *name;
    size_t off;         /* where in the file */
    uint32_t v;         /* the u32 written there */
    const char *says;
} cfb_case;

static void test_cfb_damage(void **state)
{
    (void)state;
    book bk = {.vers = 0x0600, .nsheets = 1};
    cell_records(&bk.sheet[0]);
    put_sst(&bk.globals, 1);
    tb s = stream_of(&bk);
    while (s.n < 5000)
        tb_u8(&s, 0);
    tb good = cfb_of(s.p, s.n, "Workbook");
    /* FAT entry k of the stream's first sector (2) at 512 + 4 * k */
    static const cfb_case cases[] = {
        {"stream chain loops", 512 + 4 * 5, 3, "a sector chain of its compound file loops"},
        {"stream chain to itself", 512 + 4 * 2, 2, "a sector chain of its compound file loops"},
        {"sector past the file", 512 + 4 * 3, 9999,
         "a sector chain of its compound file points outside the file"},
        {"free sector in a chain", 512 + 4 * 3, FREE,
         "a sector chain of its compound file points outside the file"},
        {"stream size past its chain", 1024 + 128 + 0x78, 900000,
         "a stream of its compound file is shorter than its directory says"},
        {"directory chain loops", 512 + 4 * 1, 1, "a sector chain of its compound file loops"},
        {"directory outside", 0x30, 77777,
         "a sector chain of its compound file points outside the file"},
        {"FAT sector outside", 0x4c, 5000, "its compound file lists a FAT sector outside the file"},
        {"no root entry", 1024 + 0x40, 0x00010016, "its compound file has no root entry"},
        {"sector shift", 0x1c, 0x0007fffe, "its compound-file header is damaged"},
        {"no Workbook stream", 1024 + 128, 'X', "it holds no Excel 97-2003 workbook"},
        {"DIFAT chain not needed: not followed", 0x44, 0, NULL},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        tb f = {0};
        tb_add(&f, good.p, good.n);
        put32(f.p + cases[i].off, cases[i].v);
        if (!cases[i].says) {
            /* the header's DIFAT slots full, the DIFAT chain from sector 0
             * (the FAT, whose last entry is 0xffffffff): ends */
            put32(f.p + 0x48, 1);
        }
        result r;
        read_bytes(&f, &r);
        if (cases[i].says) {
            if (r.st != KH_ERR_INPUT)
                fail_msg("%s: status %d", cases[i].name, r.st);
            assert_diags_contain(&r.d, cases[i].says);
        } else {
            assert_int_equal(r.st, KH_OK);
        }
        result_free(&r);
        free(f.p);
    }
    /* cut short anywhere: refused or read, never past the bytes */
    for (size_t n = 0; n < good.n; n += 97) {
        tb f = {0};
        tb_add(&f, good.p, n);
        result r;
        read_bytes(&f, &r);
        assert_true(r.st == KH_OK || r.d.n > 0);
        result_free(&r);
        free(f.p);
    }
    free(s.p);
    free(good.p);
    book_free(&bk);
}

/* A BIFF4 workbook in a compound file, and files named .xls that are no
 * compound file. */
static void test_not_biff8(void **state)
{
    (void)state;
    tb s = {0};
    rec_raw(&s, 0x0409, "\0\0\x10\0\0\0", 6);
    eof(&s);
    tb f = cfb_of(s.p, s.n, "Book");
    result r;
    read_bytes(&f, &r);
    assert_int_equal(r.st, KH_ERR_INPUT);
    assert_diags_contain(&r.d, "Excel 2.x-4.0 file (BIFF2-4)");
    result_free(&r);
    free(s.p);
    free(f.p);
    assert_non_null(strstr(kh_xls_not_ole("\x09\x00\x04\x00\x02\x00\x10\x00", 8), "BIFF2-4"));
    /* a web page is read (html_in.c), not refused */
    assert_null(kh_xls_not_ole("\xef\xbb\xbf <html><table>", 20));
    assert_true(kh_xls_is_web_page("\xef\xbb\xbf <html><table>", 20));
    const char *x2003 = "<?xml version=\"1.0\"?>\n<Workbook "
                        "xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">";
    assert_non_null(strstr(kh_xls_not_ole(x2003, strlen(x2003)), "XML spreadsheet"));
    assert_null(kh_xls_not_ole("a,b,c\n1,2,3\n", 12));
    assert_null(kh_xls_not_ole("", 0));
}

/* Every allocation failure is KH_ERR_NOMEM, with nothing leaked. */
static void test_alloc_failures(void **state)
{
    (void)state;
    book bk = {.vers = 0x0600, .nsheets = 2};
    globals_dates(&bk.globals, false);
    put_sst(&bk.globals, 1);
    cell_records(&bk.sheet[0]);
    cell_records(&bk.sheet[1]);
    tb s = stream_of(&bk);
    tb f = cfb_of(s.p, s.n, "Workbook");
    for (long k = 0;; k++) {
        test_alloc_start(k);
        result r;
        read_bytes(&f, &r);
        long calls = test_alloc.calls;
        kh_status st = r.st;
        size_t nsheets = r.bk.n, ncells = nsheets == 2 ? r.bk.s[0].n + r.bk.s[1].n : 0;
        result_free(&r);
        long leaked = test_alloc.live;
        kh_set_allocator(NULL);
        if (leaked != 0)
            fail_msg("%ld blocks leaked when allocation %ld failed", leaked, k);
        if (calls <= k) {
            /* no allocation failed: the whole workbook */
            assert_int_equal(st, KH_OK);
            assert_int_equal(nsheets, 2);
            break;
        }
        /* A failure is KH_ERR_NOMEM, or one handled without loss (the
         * sheet's row index is only a speed-up). */
        if (st != KH_ERR_NOMEM && !(st == KH_OK && nsheets == 2 && ncells == 34))
            fail_msg("allocation %ld failed: status %d, want KH_ERR_NOMEM", k, st);
    }
    free(s.p);
    free(f.p);
    book_free(&bk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_cfb_version4),
        cmocka_unit_test(test_dates_1904),
        cmocka_unit_test(test_biff5_gbk),
        cmocka_unit_test(test_biff5_bad_bytes),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_cfb_damage),
        cmocka_unit_test(test_not_biff8),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
