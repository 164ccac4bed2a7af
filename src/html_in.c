/*
 * html_in.c - HTML tables into sheet grids (see html_in.h).
 *
 * Not an HTML parser: a scanner that knows the few things a table needs.
 * Comments, <!...>, <?...?> and the content of <script> and <style> are
 * skipped; every other tag is read for its name (and, for td and th, its
 * colspan and rowspan) and otherwise ignored; text counts only inside a
 * cell.  Cells are placed as a spreadsheet places them: a cell spanning
 * rows keeps its columns in the rows below (span_until), so the next cell
 * of those rows moves right.  Nothing is sized from the page: the column
 * table grows to the widest row (at most KH_MAX_COLS), cell text is
 * bounded as in the XLSX reader, and every position is checked against
 * Excel's grid.
 */
#include "html_in.h"
#include "xls_in.h"
#include "text.h"

#include <iconv.h>
#include <string.h>

#define MAX_SPAN 1000u  /* colspan beyond it is clamped (as browsers do) */

typedef struct html {
    const char *path;
    kh_diags *d;
    kh_sheet_fn fn;
    void *ctx;
    const char *s;          /* the page as UTF-8 */
    size_t n, i;
    unsigned depth;         /* tables open */
    kh_sheet *sheet;        /* the outermost table being read */
    size_t nsheets, grids;
    int64_t row;            /* current row, -1 before the first */
    uint32_t col;           /* next column of the row */
    bool in_cell;
    uint32_t crow, ccol;
    kh_buf cell;
    size_t chars;
    bool space;             /* white space seen since the last text */
    uint32_t *span_until;   /* column c is taken by a rowspan up to row span_until[c] - 1 */
    size_t nspan, capspan;
    kh_status st;
} html;

static kh_status refuse(html *h, const char *why)
{
    kh_diags_add(h->d, KH_ERROR, h->path, NULL, NULL, 0,
                 _("cannot read this .xls workbook: %s: open it in Excel or WPS and save it "
                   "as .xlsx"),
                 why);
    return KH_ERR_INPUT;
}

/* ---- the page as UTF-8 ---- */

static bool lower_has(const unsigned char *s, size_t n, const char *t)
{
    size_t k = strlen(t);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && (s[i + j] | (s[i + j] >= 'A' && s[i + j] <= 'Z' ? 0x20 : 0)) ==
                            (unsigned char)t[j])
            j++;
        if (j == k)
            return true;
    }
    return false;
}

/* data as UTF-8 in out: GB18030 when the page says GBK, GB2312 or
 * GB18030 or is not UTF-8; bytes that do not decode become U+FFFD, NULs
 * are dropped. */
static kh_status to_utf8(html *h, const unsigned char *s, size_t n, kh_buf *out)
{
    size_t head = n < 4096 ? n : 4096, bad = 0;
    bool gb = lower_has(s, head, "charset=gb") || lower_has(s, head, "charset=\"gb") ||
              lower_has(s, head, "charset=x-gbk") || lower_has(s, head, "charset=cp936");
    if (!gb && !lower_has(s, head, "charset=utf-8") && !lower_has(s, head, "charset=\"utf-8"))
        gb = !kh_utf8_valid((const char *)s, n, &bad);
    if (!gb) {
        size_t i = 0;
        while (i < n) {
            if (kh_utf8_valid((const char *)s + i, n - i, &bad)) {
                bad = n - i;
            }
            for (size_t k = 0; k < bad; k++)
                if (s[i + k])
                    kh_buf_add(out, (const char *)s + i + k, 1);
            i += bad;
            if (i < n) {
                kh_buf_add(out, "\xef\xbf\xbd", 3);
                i++;
            }
        }
        return out->oom ? KH_ERR_NOMEM : KH_OK;
    }
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return refuse(h, _("its text is in a character set that cannot be converted"));
    bool ok = kh_iconv_lossy(cd, s, n, out, 4096);
    iconv_close(cd);
    if (out->oom)
        return KH_ERR_NOMEM;
    return ok ? KH_OK : refuse(h, _("its text is in a character set that cannot be converted"));
}

/* ---- cells ---- */

static size_t grid_bytes(const kh_sheet *g)
{
    return g->text_bytes + g->ncells * (sizeof *g->cells + 16);
}

/* Append text to the open cell, counting characters. */
static void cell_text(html *h, const char *t, size_t len)
{
    if (h->space && h->cell.len > 0 && h->cell.s[h->cell.len - 1] != '\n')
        kh_buf_putc(&h->cell, ' '), h->chars++;
    h->space = false;
    kh_buf_add(&h->cell, t, len);
    for (size_t k = 0; k < len; k++)
        h->chars += ((unsigned char)t[k] & 0xc0) != 0x80;
}

/* Close the open cell, if any, into the sheet. */
static void end_cell(html *h)
{
    if (!h->in_cell || h->st != KH_OK)
        return;
    h->in_cell = false;
    char ref[KH_CELLREF_BUFSZ];
    if (h->cell.oom) {
        h->st = KH_ERR_NOMEM;
        return;
    }
    if (h->chars > KH_XLSX_MAX_CELL) {
        kh_diags_add(h->d, KH_ERROR, h->path, h->sheet->name, kh_cell_ref(h->crow, h->ccol, ref),
                     0,
                     _("the cell holds more than %u characters, more than Excel allows: "
                       "the file is damaged or crafted"),
                     KH_XLSX_MAX_CELL);
        h->st = KH_ERR_LIMIT;
        return;
    }
    size_t len = h->cell.len;
    while (len > 0 && (h->cell.s[len - 1] == ' ' || h->cell.s[len - 1] == '\n'))
        len--;
    if (!kh_sheet_set(h->sheet, h->crow, h->ccol, KH_CELL_STRING, kh_buf_str(&h->cell), len)) {
        h->st = KH_ERR_NOMEM;
        return;
    }
    size_t bytes = grid_bytes(h->sheet);
    if (bytes > KH_XLSX_MAX_GRID) {
        kh_diags_add(h->d, KH_ERROR, h->path, h->sheet->name, kh_cell_ref(h->crow, h->ccol, ref),
                     0,
                     _("the worksheet holds more than %u MiB of cells, kaohe's limit: keep "
                       "the checklist in a workbook of its own"),
                     KH_XLSX_MAX_GRID >> 20);
        h->st = KH_ERR_LIMIT;
    } else if (h->grids + bytes > KH_XLSX_MAX_GRIDS) {
        kh_diags_add(h->d, KH_ERROR, h->path, h->sheet->name, kh_cell_ref(h->crow, h->ccol, ref),
                     0,
                     _("the worksheets of this workbook hold more than %u MiB of cells, "
                       "kaohe's limit: keep the checklists in workbooks of their own"),
                     KH_XLSX_MAX_GRIDS >> 20);
        h->st = KH_ERR_LIMIT;
    }
}

/* Past the grid: the page is refused. */
static void too_far(html *h)
{
    kh_diags_add(h->d, KH_ERROR, h->path, h->sheet->name, NULL, 0,
                 _("the worksheet has more than %u rows: the file is damaged; "
                   "re-save it from Excel or WPS"),
                 KH_MAX_ROWS);
    h->st = KH_ERR_LIMIT;
}

static void start_row(html *h)
{
    end_cell(h);
    if (h->st != KH_OK)
        return;
    if (++h->row >= (int64_t)KH_MAX_ROWS)
        too_far(h);
    h->col = 0;
}

static void start_cell(html *h, uint32_t colspan, uint32_t rowspan)
{
    end_cell(h);
    if (h->st != KH_OK)
        return;
    if (h->row < 0)
        start_row(h);
    if (h->st != KH_OK)
        return;
    uint32_t r = (uint32_t)h->row;
    while (h->col < h->nspan && h->span_until[h->col] > r)
        h->col++;
    if ((uint64_t)h->col + colspan > KH_MAX_COLS) {
        kh_diags_add(h->d, KH_ERROR, h->path, h->sheet->name, NULL, 0,
                     _("row %u has more than %u cells: the file is damaged; re-save "
                       "it from Excel or WPS"),
                     r + 1, KH_MAX_COLS);
        h->st = KH_ERR_LIMIT;
        return;
    }
    if (rowspan > 1) {
        size_t need = (size_t)h->col + colspan;
        if (need > h->nspan) {
            if (!kh_grow((void **)&h->span_until, &h->capspan, need, sizeof *h->span_until)) {
                h->st = KH_ERR_NOMEM;
                return;
            }
            memset(h->span_until + h->nspan, 0, (need - h->nspan) * sizeof *h->span_until);
            h->nspan = need;
        }
        uint64_t until = (uint64_t)r + rowspan;
        for (uint32_t c = h->col; c < h->col + colspan; c++)
            h->span_until[c] = until > KH_MAX_ROWS ? KH_MAX_ROWS : (uint32_t)until;
    }
    h->in_cell = true;
    h->crow = r;
    h->ccol = h->col;
    h->col += colspan;
    kh_buf_reset(&h->cell);
    h->chars = 0;
    h->space = false;
}

static void start_table(html *h)
{
    if (h->depth++ > 0) {
        h->space = true;    /* a table in a cell: its text joins the cell's */
        return;
    }
    if (h->nsheets >= KH_XLSX_MAX_SHEETS) {
        kh_diags_add(h->d, KH_ERROR, h->path, NULL, NULL, 0,
                     _("the workbook has more than %u sheets, kaohe's limit: split it "
                       "into several workbooks"),
                     KH_XLSX_MAX_SHEETS);
        h->st = KH_ERR_LIMIT;
        return;
    }
    char name[32];
    snprintf(name, sizeof name, "表%zu", h->nsheets + 1);
    if (!(h->sheet = kh_sheet_new(name))) {
        h->st = KH_ERR_NOMEM;
        return;
    }
    h->nsheets++;
    h->row = -1;
    h->col = 0;
    h->nspan = 0;
}

static void end_table(html *h)
{
    if (h->depth == 0)
        return;
    if (--h->depth > 0) {
        h->space = true;
        return;
    }
    end_cell(h);
    if (h->st == KH_OK) {
        kh_sheet_finish(h->sheet);
        h->grids += grid_bytes(h->sheet);
        h->st = h->fn(h->ctx, h->sheet);
    }
    kh_sheet_free(h->sheet);
    h->sheet = NULL;
}

/* ---- the scanner ---- */

/* The character reference at s[0..n) (after '&'), appended to out; the
 * bytes it took, or 0 when it is none kaohe knows (the '&' is text). */
static size_t entity(const char *s, size_t n, char out[8], size_t *olen)
{
    static const struct {
        const char *name;
        const char *text;
    } named[] = {{"amp;", "&"}, {"lt;", "<"}, {"gt;", ">"}, {"quot;", "\""},
                 {"apos;", "'"}, {"nbsp;", " "}, {"ensp;", " "}, {"emsp;", " "}};
    for (size_t k = 0; k < KH_ARRAY_LEN(named); k++) {
        size_t l = strlen(named[k].name);
        if (n >= l && memcmp(s, named[k].name, l) == 0) {
            strcpy(out, named[k].text);
            *olen = strlen(out);
            return l;
        }
    }
    if (n < 3 || s[0] != '#')
        return 0;
    bool hex = s[1] == 'x' || s[1] == 'X';
    size_t i = hex ? 2 : 1, digits = 0;
    uint32_t cp = 0;
    for (; i < n && digits < 8; i++, digits++) {
        char c = s[i];
        unsigned v;
        if (c >= '0' && c <= '9')
            v = (unsigned)(c - '0');
        else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            v = (unsigned)((c | 0x20) - 'a' + 10);
        else
            break;
        cp = cp * (hex ? 16 : 10) + v;
    }
    if (digits == 0 || i >= n || s[i] != ';')
        return 0;
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
        cp = 0xfffd;
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        *olen = 1;
    } else if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        *olen = 2;
    } else if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        *olen = 3;
    } else {
        o[0] = (unsigned char)(0xf0 | cp >> 18);
        o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        o[3] = (unsigned char)(0x80 | (cp & 0x3f));
        *olen = 4;
    }
    return i + 1;
}

/* Text s[0..n) of the page: into the open cell, white space collapsed. */
static void text(html *h, const char *s, size_t n)
{
    if (!h->in_cell || h->depth == 0)
        return;
    size_t i = 0;
    while (i < n && h->st == KH_OK) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
            h->space = true;
            i++;
        } else if (c == '&') {
            char e[8];
            size_t elen = 0, took = entity(s + i + 1, n - i - 1, e, &elen);
            if (took && elen == 1 && e[0] == ' ') {
                h->space = true;
            } else if (took) {
                cell_text(h, e, elen);
            } else {
                cell_text(h, "&", 1);
            }
            i += 1 + took;
        } else {
            size_t j = i;
            while (j < n && s[j] != '&' && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' &&
                   s[j] != '\n' && s[j] != '\f')
                j++;
            cell_text(h, s + i, j - i);
            i = j;
        }
        if (h->chars > KH_XLSX_MAX_CELL + 1) {
            end_cell(h);    /* says so */
            return;
        }
    }
}

/* Find t (lower case ASCII) from s[i], any case: its offset, or n. */
static size_t find_nocase(const char *s, size_t n, size_t i, const char *t)
{
    size_t k = strlen(t);
    for (; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && (s[i + j] | (s[i + j] >= 'A' && s[i + j] <= 'Z' ? 0x20 : 0)) == t[j])
            j++;
        if (j == k)
            return i;
    }
    return n;
}

/* The tag at s[i] ('<'): acted on; returns the offset after it. */
static size_t tag(html *h, size_t i)
{
    const char *s = h->s;
    size_t n = h->n;
    if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
        size_t e = find_nocase(s, n, i + 4, "-->");
        return e < n ? e + 3 : n;
    }
    size_t j = i + 1;
    bool close = j < n && s[j] == '/';
    if (close)
        j++;
    char name[16];
    size_t k = 0;
    while (j < n && (((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z') ||
                     (k > 0 && s[j] >= '0' && s[j] <= '9'))) {
        if (k + 1 < sizeof name)
            name[k++] = (char)(s[j] | 0x20);
        else
            k = sizeof name;    /* too long for a name kaohe knows */
        j++;
    }
    if (k == 0 || k == sizeof name) {
        if (k == 0 && !(j < n && (s[j] == '!' || s[j] == '?')))
            return i + 1 < n ? (text(h, "<", 1), i + 1) : n;  /* a lone '<' is text */
        size_t e = j;
        while (e < n && s[e] != '>')
            e++;
        return e < n ? e + 1 : n;
    }
    name[k] = '\0';
    /* attributes up to '>', quoted values skipped whole */
    uint32_t colspan = 1, rowspan = 1;
    while (j < n && s[j] != '>') {
        if (s[j] == '"' || s[j] == '\'') {
            const char *q = memchr(s + j + 1, s[j], n - j - 1);
            j = q ? (size_t)(q - s) + 1 : n;
            continue;
        }
        bool cs = find_nocase(s, j + 7 <= n ? j + 7 : n, j, "colspan") == j;
        bool rs = find_nocase(s, j + 7 <= n ? j + 7 : n, j, "rowspan") == j;
        if (cs || rs) {
            size_t v = j + 7;
            while (v < n && (s[v] == ' ' || s[v] == '=' || s[v] == '"' || s[v] == '\''))
                v++;
            uint32_t x = 0;
            size_t digits = 0;
            while (v < n && s[v] >= '0' && s[v] <= '9' && digits < 7) {
                x = x * 10 + (uint32_t)(s[v] - '0');
                v++;
                digits++;
            }
            if (x >= 1) {
                if (cs)
                    colspan = x > MAX_SPAN ? MAX_SPAN : x;
                else
                    rowspan = x > KH_MAX_ROWS ? KH_MAX_ROWS : x;
            }
            if (v < n && (s[v] == '"' || s[v] == '\''))
                v++;    /* the value's closing quote */
            j = v > j + 7 ? v : j + 7;
            continue;
        }
        j++;
    }
    size_t after = j < n ? j + 1 : n;
    if (!close && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
        size_t e = find_nocase(s, n, after, strcmp(name, "script") == 0 ? "</script" : "</style");
        if (e >= n)
            return n;
        while (e < n && s[e] != '>')
            e++;
        return e < n ? e + 1 : n;
    }
    if (strcmp(name, "table") == 0) {
        if (close)
            end_table(h);
        else
            start_table(h);
    } else if (h->depth == 1 && strcmp(name, "tr") == 0) {
        if (close)
            end_cell(h);
        else
            start_row(h);
    } else if (h->depth == 1 && (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)) {
        if (close)
            end_cell(h);
        else
            start_cell(h, colspan, rowspan);
    } else if (h->in_cell && strcmp(name, "br") == 0) {
        h->space = false;
        cell_text(h, "\n", 1);
    } else if (h->in_cell) {
        h->space = true;    /* <p>, <div>, <span> ...: a word boundary at most */
    }
    return after;
}

kh_status kh_html_read_mem(const char *path, const void *data, size_t len, kh_sheet_fn fn,
                           void *ctx, kh_diags *d)
{
    html h = {.path = path, .d = d, .fn = fn, .ctx = ctx, .row = -1};
    kh_buf page = {0};
    if (len > KH_XLS_MAX_FILE) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the .xls file is larger than %u MB, more than a checklist can be: "
                       "open it in Excel or WPS and save it as .xlsx"),
                     (unsigned)(KH_XLS_MAX_FILE >> 20));
        return KH_ERR_LIMIT;
    }
    h.st = to_utf8(&h, data, len, &page);
    h.s = kh_buf_str(&page);
    h.n = page.len;
    while (h.st == KH_OK && h.i < h.n) {
        const char *lt = memchr(h.s + h.i, '<', h.n - h.i);
        size_t e = lt ? (size_t)(lt - h.s) : h.n;
        text(&h, h.s + h.i, e - h.i);
        h.i = e < h.n && h.st == KH_OK ? tag(&h, e) : h.n;
    }
    /* A table the page never closes ends with it, as in a browser. */
    while (h.st == KH_OK && h.depth > 0)
        end_table(&h);
    if (h.st == KH_OK && h.nsheets == 0)
        h.st = refuse(&h, _("it is a web page without a table"));
    kh_sheet_free(h.sheet);
    kh_buf_free(&h.cell);
    kh_buf_free(&page);
    kh_free(h.span_until);
    return h.st;
}
