/*
 * ods_in.c - the OpenDocument spreadsheet reader (.ods, LibreOffice, WPS)
 * on the XLSX reader's zip and XML layers (minizip + expat): every
 * table:table of content.xml into a sheet grid, in document order.
 *
 *   office:document-content / office:body / office:spreadsheet
 *     table:table table:name                      one sheet
 *       table:table-row number-rows-repeated      rows
 *         table:table-cell | covered-table-cell   cells, number-columns-repeated
 *           office:value-type + office:value / date-value / boolean-value
 *           text:p (text:s c=, text:tab, text:line-break, text:span ...)
 *
 * Repeats are where an .ods file can ask for billions of cells in a few
 * bytes: empty rows and cells only move the position (any count, nothing
 * stored); a repeated row or cell with content is stored once per repeat,
 * within Excel's grid and KH_XLSX_MAX_GRID cells a sheet, else refused
 * with the cell named.  The zip layer caps inflated bytes as for XLSX.
 */
#include "ods_in.h"
#include "text.h"
#include "xlsx_num.h"
#include "xlsx_xml.h"
#include "xlsx_zip.h"

#include <stdlib.h>
#include <string.h>

#define ODS_MIME "application/vnd.oasis.opendocument.spreadsheet"

bool kh_is_ods(const void *head, size_t n)
{
    /* The first zip entry: "mimetype", stored, holding the media type
     * (local header 30 bytes, then the name, then the data). */
    const unsigned char *h = head;
    return n >= 38 + sizeof ODS_MIME - 1 && memcmp(h, "PK\3\4", 4) == 0 &&
           memcmp(h + 30, "mimetype", 8) == 0 &&
           memcmp(h + 38, ODS_MIME, sizeof ODS_MIME - 1) == 0;
}

/* A cell of the row being read, kept until the row's repeat is known. */
typedef struct pending {
    uint64_t col;
    uint32_t repeat;
    kh_cell_type type;
    size_t off, len;   /* its text in the row's text buffer */
} pending;

typedef struct ods {
    kh_xml *x;
    locale_t cloc;
    kh_sheet_fn fn;
    void *ctx;
    kh_sheet **first;      /* read_first: keep the first sheet here */
    kh_status st;
    bool done;             /* read_first has its sheet */
    /* the sheet */
    kh_sheet *sheet;
    unsigned table_depth;  /* depth of the open table:table, 0 when none */
    uint64_t row, col;     /* position of the next row / cell */
    uint64_t stored;       /* cells stored in this sheet */
    /* the row */
    uint32_t row_repeat;
    pending *cells;
    size_t ncells, cap;
    kh_buf rowtext;
    /* the cell */
    bool in_cell;
    unsigned cell_depth;
    uint32_t col_repeat;
    kh_cell_type type;
    char *value;           /* from an attribute, or NULL: the text */
    kh_buf text;
    size_t chars;
    unsigned paragraphs;
} ods;

static const char *ods_cell_name(kh_xml *x)
{
    static _Thread_local char ref[KH_CELLREF_BUFSZ];
    ods *o = x->m;
    uint64_t r = o->row < KH_MAX_ROWS ? o->row : KH_MAX_ROWS - 1;
    uint64_t c = o->col < KH_MAX_COLS ? o->col : KH_MAX_COLS - 1;
    return kh_cell_ref((uint32_t)r, (uint32_t)c, ref);
}

static uint32_t repeat_of(kh_xml *x, const char *v, const char *name)
{
    uint32_t n = 1;
    if (v && (!kh_xml_uint(v, UINT32_MAX, &n) || n == 0)) {
        kh_xml_fail(x, KH_ERR_INPUT, NULL, _("%s is not a count of 1 or more: the file is damaged"),
                    name);
        return 0;
    }
    return n;
}

static void text_add(ods *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        o->chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (o->chars > KH_XLSX_MAX_CELL) {
        kh_xml_fail(o->x, KH_ERR_LIMIT, NULL,
                    _("the cell holds more than %u characters, more than a spreadsheet allows: "
                      "the file is crafted or damaged"),
                    KH_XLSX_MAX_CELL);
        return;
    }
    kh_buf_add(&o->text, s, len);
    if (o->text.oom)
        kh_xml_oom(o->x);
}

static void start_sheet(ods *o, const char **attrs)
{
    const char *name = kh_xml_attr(o->x, attrs, KH_NS_ODS_TABLE, "name");
    o->sheet = kh_sheet_new(name ? name : "");
    if (!o->sheet) {
        kh_xml_oom(o->x);
        return;
    }
    o->table_depth = o->x->depth;
    o->row = o->col = o->stored = 0;
}

static void end_sheet(ods *o)
{
    kh_sheet_finish(o->sheet);
    if (o->first) {
        *o->first = o->sheet;
        o->sheet = NULL;
        o->done = true;
        o->x->err = KH_ERR_USAGE; /* stop quietly: read_zip knows it is done */
        XML_StopParser(o->x->p, XML_FALSE);
    } else {
        kh_status st = o->fn(o->ctx, o->sheet);
        kh_sheet_free(o->sheet);
        o->sheet = NULL;
        if (st != KH_OK) {
            o->st = st;
            o->x->err = st; /* its message is made: stop quietly */
            XML_StopParser(o->x->p, XML_FALSE);
        }
    }
    o->table_depth = 0;
}

static void ods_start(kh_xml *x, enum kh_ns ns, const char *local, const char **attrs)
{
    ods *o = x->m;
    if (ns == KH_NS_ODS_TABLE && strcmp(local, "table") == 0) {
        if (!o->table_depth)
            start_sheet(o, attrs);
        return;
    }
    if (!o->table_depth)
        return;
    if (ns == KH_NS_ODS_TABLE && strcmp(local, "table-row") == 0) {
        o->row_repeat = repeat_of(x, kh_xml_attr(x, attrs, KH_NS_ODS_TABLE, "number-rows-repeated"),
                                  "number-rows-repeated");
        o->col = 0;
        o->ncells = 0;
        kh_buf_reset(&o->rowtext);
        return;
    }
    if (ns == KH_NS_ODS_TABLE &&
        (strcmp(local, "table-cell") == 0 || strcmp(local, "covered-table-cell") == 0)) {
        /* One pass over the cell's attributes (every cell has several). */
        enum { A_REPEAT, A_TYPE, A_VALUE, A_DATE, A_BOOL, NA };
        static const enum kh_ns ans[NA] = {KH_NS_ODS_TABLE, KH_NS_ODS_OFFICE, KH_NS_ODS_OFFICE,
                                           KH_NS_ODS_OFFICE, KH_NS_ODS_OFFICE};
        static const char *const aname[NA] = {"number-columns-repeated", "value-type", "value",
                                              "date-value", "boolean-value"};
        const char *av[NA];
        kh_xml_attrs(x, attrs, NA, ans, aname, av);
        o->in_cell = true;
        o->cell_depth = x->depth;
        o->col_repeat = repeat_of(x, av[A_REPEAT], "number-columns-repeated");
        kh_buf_reset(&o->text);
        o->chars = 0;
        o->paragraphs = 0;
        kh_free(o->value);
        o->value = NULL;
        o->type = KH_CELL_STRING;
        const char *vt = av[A_TYPE];
        const char *v = NULL;
        if (!vt) {
            /* text only, or empty */
        } else if (!strcmp(vt, "float") || !strcmp(vt, "percentage") || !strcmp(vt, "currency")) {
            v = av[A_VALUE];
            double d;
            char num[KH_XLSX_NUMBUF];
            if (!v || !kh_xlsx_parse_number(v, o->cloc, &d)) {
                kh_xml_fail(x, KH_ERR_INPUT, NULL,
                            _("the number cell holds no number: the file is damaged; re-save it "
                              "from LibreOffice or WPS"));
                return;
            }
            kh_xlsx_format_number(d, o->cloc, num);
            o->value = kh_strdup(num);
            o->type = KH_CELL_NUMBER;
        } else if (!strcmp(vt, "date")) {
            v = av[A_DATE];
            if (v && kh_xlsx_iso_date(v)) {
                o->value = kh_strndup(v, 10);
                o->type = KH_CELL_DATE;
            }
        } else if (!strcmp(vt, "boolean")) {
            v = av[A_BOOL];
            if (v) {
                o->value = kh_strdup(!strcmp(v, "true") || !strcmp(v, "1") ? "TRUE" : "FALSE");
                o->type = KH_CELL_BOOL;
            }
        }
        if (v && o->type != KH_CELL_STRING && !o->value)
            kh_xml_oom(x);
        return;
    }
    if (!o->in_cell || ns != KH_NS_ODS_TEXT)
        return;
    /* Inside a cell's text. */
    if (strcmp(local, "p") == 0) {
        if (o->paragraphs++)
            text_add(o, "\n", 1);
    } else if (strcmp(local, "s") == 0) {
        const char *c = kh_xml_attr(x, attrs, KH_NS_ODS_TEXT, "c");
        uint32_t n = 1;
        if (c && (!kh_xml_uint(c, KH_XLSX_MAX_CELL, &n) || n == 0))
            n = KH_XLSX_MAX_CELL + 1;
        for (uint32_t i = 0; i < n && x->err == KH_OK; i++)
            text_add(o, " ", 1);
    } else if (strcmp(local, "tab") == 0) {
        text_add(o, "\t", 1);
    } else if (strcmp(local, "line-break") == 0) {
        text_add(o, "\n", 1);
    }
}

/* The cell just closed: keep it in the row when it has content. */
static void end_cell(ods *o)
{
    o->in_cell = false;
    const char *t = o->value ? o->value : kh_buf_str(&o->text);
    size_t len = o->value ? strlen(o->value) : o->text.len;
    size_t tl;
    kh_trim_n(t, len, &tl);
    if (tl > 0) {
        if (o->col >= KH_MAX_COLS || o->col + o->col_repeat > KH_MAX_COLS) {
            kh_xml_fail(o->x, KH_ERR_LIMIT, NULL,
                        _("a cell lies beyond column XFD, outside the spreadsheet grid: the file "
                          "is crafted or damaged"));
            return;
        }
        if (!kh_grow((void **)&o->cells, &o->cap, o->ncells + 1, sizeof *o->cells)) {
            kh_xml_oom(o->x);
            return;
        }
        pending *p = &o->cells[o->ncells++];
        *p = (pending){.col = o->col, .repeat = o->col_repeat, .type = o->type,
                       .off = o->rowtext.len, .len = len};
        kh_buf_add(&o->rowtext, t, len);
        if (o->rowtext.oom)
            kh_xml_oom(o->x);
    }
    o->col += o->col_repeat;
}

/* The row just closed: store its cells once per repeat. */
static void end_row(ods *o)
{
    if (o->ncells > 0) {
        if (o->row >= KH_MAX_ROWS || o->row + o->row_repeat > KH_MAX_ROWS) {
            kh_xml_fail(o->x, KH_ERR_LIMIT, NULL,
                        _("a row lies beyond row 1048576, outside the spreadsheet grid: the file "
                          "is crafted or damaged"));
            return;
        }
        uint64_t per_row = 0;
        for (size_t i = 0; i < o->ncells; i++)
            per_row += o->cells[i].repeat;
        if (o->stored + per_row * o->row_repeat > KH_XLSX_MAX_GRID / 64) {
            kh_xml_fail(o->x, KH_ERR_LIMIT, NULL,
                        _("the sheet repeats cells with content more than %u times: the file is "
                          "crafted or damaged; re-save it from LibreOffice or WPS"),
                        KH_XLSX_MAX_GRID / 64);
            return;
        }
        o->stored += per_row * o->row_repeat;
        const char *base = kh_buf_str(&o->rowtext);
        for (uint32_t r = 0; r < o->row_repeat; r++)
            for (size_t i = 0; i < o->ncells; i++) {
                const pending *p = &o->cells[i];
                for (uint32_t c = 0; c < p->repeat; c++)
                    if (!kh_sheet_set(o->sheet, (uint32_t)(o->row + r), (uint32_t)(p->col + c),
                                      p->type, base + p->off, p->len)) {
                        kh_xml_oom(o->x);
                        return;
                    }
            }
    }
    o->row += o->row_repeat;
}

static void ods_end(kh_xml *x, enum kh_ns ns, const char *local)
{
    ods *o = x->m;
    if (!o->table_depth || x->err != KH_OK)
        return;
    if (o->in_cell && x->depth == o->cell_depth) {
        end_cell(o);
    } else if (ns == KH_NS_ODS_TABLE && strcmp(local, "table-row") == 0) {
        end_row(o);
    } else if (ns == KH_NS_ODS_TABLE && strcmp(local, "table") == 0 &&
               x->depth == o->table_depth) {
        end_sheet(o);
    }
}

static void ods_text(kh_xml *x, const char *s, int len)
{
    ods *o = x->m;
    /* Text belongs to a cell only inside its paragraphs. */
    if (o->in_cell && o->paragraphs > 0 && !o->value)
        text_add(o, s, (size_t)len);
}

static kh_status read_zip(const char *path, kh_zip *z, kh_sheet_fn fn, void *ctx, kh_sheet **first,
                          kh_diags *d)
{
    if (!kh_zip_find(z, "content.xml")) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the .ods file has no content.xml: it is damaged; re-save it from "
                       "LibreOffice or WPS"));
        kh_zip_free(z);
        return KH_ERR_INPUT;
    }
    ods o = {.fn = fn, .ctx = ctx, .first = first, .st = KH_OK};
    o.cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!o.cloc) {
        kh_zip_free(z);
        return KH_ERR_NOMEM;
    }
    kh_xml x = {.start = ods_start, .end = ods_end, .text = ods_text, .m = &o,
                .cell_name = ods_cell_name, .qnames = true};
    o.x = &x;
    kh_status st = kh_xml_parse(z, path, "content.xml", NULL, &x, d);
    if (o.done)
        st = KH_OK;
    else if (o.st != KH_OK)
        st = o.st;
    kh_sheet_free(o.sheet);
    kh_free(o.cells);
    kh_free(o.value);
    kh_buf_free(&o.rowtext);
    kh_buf_free(&o.text);
    freelocale(o.cloc);
    kh_zip_free(z);
    if (st == KH_OK && first && !*first) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("this .ods file has no sheet"));
        st = KH_ERR_INPUT;
    }
    return st;
}

kh_status kh_ods_read_file(const char *path, kh_sheet_fn fn, void *ctx, kh_diags *d)
{
    kh_zip *z;
    kh_status st = kh_zip_open_file(path, &z, d);
    return st == KH_OK ? read_zip(path, z, fn, ctx, NULL, d) : st;
}

kh_status kh_ods_read_mem(const char *path, const void *data, size_t len, kh_sheet_fn fn,
                          void *ctx, kh_diags *d)
{
    kh_zip *z;
    kh_status st = kh_zip_open_mem(path, data, len, &z, d);
    return st == KH_OK ? read_zip(path, z, fn, ctx, NULL, d) : st;
}

kh_status kh_ods_read_first(const char *path, kh_sheet **out, kh_diags *d)
{
    *out = NULL;
    kh_zip *z;
    kh_status st = kh_zip_open_file(path, &z, d);
    return st == KH_OK ? read_zip(path, z, NULL, NULL, out, d) : st;
}
