/*
 * xlsx_in.c - XLSX workbooks into sheet grids (see xlsx_in.h).
 *
 * Layers: xlsx_zip.c indexes the parts and inflates them in bounded
 * chunks; xlsx_xml.c streams one part through expat into a handler set;
 * xlsx_num.c turns numbers into text and dates.  Here: one small state
 * machine per part kind (relationships, workbook, styles, shared strings,
 * worksheet) and the discovery that ties them together.  Only the current
 * cell is held while a worksheet is read; its grid goes to the caller and
 * is freed before the next worksheet is read.
 */
#include "xlsx_in.h"
#include "sheetfile.h"
#include "xlsx_num.h"
#include "xlsx_xml.h"
#include "xlsx_zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the whole workbook shares while its worksheets are read. */
typedef struct xlsx {
    const char *path;
    kh_diags *d;
    kh_zip *z;
    locale_t cloc;      /* the C locale, for numbers */
    kh_buf sst;         /* shared strings, each followed by a NUL */
    size_t *sst_off;    /* start of string i in sst.s */
    size_t nsst, capsst;
    bool *xf_date;      /* cell format i shows a date */
    size_t nxf;
    bool date1904;
    size_t grids;       /* grid bytes of the worksheets read so far */
    char *mark;         /* NULL, or where kaohe's own mark goes (KH_MARK_*) */
    size_t mark_size;
} xlsx;

static kh_status parse(xlsx *r, const char *norm, const char *sheet, kh_xml *x)
{
    return kh_xml_parse(r->z, r->path, norm, sheet, x, r->d);
}

/* ------------------------------------------------------------------ */
/* Relationships (_rels/.rels, xl/_rels/workbook.xml.rels).
 *
 *   <Relationships>                      depth 1
 *     <Relationship Id Type Target/>     depth 2: kept unless TargetMode
 *                                        is External
 *
 * Type is reduced to its last path segment, so the transitional and the
 * Strict relationship namespaces match alike.  Target is resolved against
 * the source part's folder (or taken from the root when it starts with
 * '/'), normalised like zip names, "." and ".." segments applied. */

typedef struct rel {
    char *id;
    char *type;     /* last path segment: "worksheet", "sharedStrings" ... */
    char *target;   /* normalised part name, or NULL (outside the package) */
    char *raw;      /* the Target as written, when it leaves the package */
} rel;

typedef struct rels {
    rel *v;
    size_t n, cap;
    const char *base;  /* folder of the source part: "" or "xl/" */
} rels;

/* The normalised part name target points to from folder base; *out is
 * NULL (with KH_OK) when it leaves the package. */
static kh_status resolve_target(const char *base, const char *target, char **out)
{
    *out = NULL;
    kh_buf b = {0};
    if (target[0] != '/' && target[0] != '\\')
        kh_buf_puts(&b, base);
    kh_buf_puts(&b, target);
    char *s = b.oom ? NULL : kh_zip_norm(kh_buf_str(&b));
    kh_buf_free(&b);
    if (!s)
        return KH_ERR_NOMEM;
    size_t w = 0, len = strlen(s);
    for (size_t i = 0; i <= len;) {
        size_t j = i;
        while (j < len && s[j] != '/')
            j++;
        size_t n = j - i;
        if (n == 2 && s[i] == '.' && s[i + 1] == '.') {
            if (w == 0) {
                kh_free(s);
                return KH_OK;
            }
            size_t k = w;
            while (k > 0 && s[k - 1] != '/')
                k--;
            w = k ? k - 1 : 0;
        } else if (n > 0 && !(n == 1 && s[i] == '.')) {
            if (w)
                s[w++] = '/';
            memmove(s + w, s + i, n);
            w += n;
        }
        i = j + 1;
    }
    s[w] = '\0';
    *out = s;
    return KH_OK;
}

static void rels_free(rels *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        kh_free(rs->v[i].id);
        kh_free(rs->v[i].type);
        kh_free(rs->v[i].target);
        kh_free(rs->v[i].raw);
    }
    kh_free(rs->v);
    *rs = (rels){0};
}

static void rels_start(kh_xml *x, enum kh_ns ns, const char *local, const char **attrs)
{
    rels *rs = x->m;
    if (x->depth != 2 || !(ns == KH_NS_PKG || ns == KH_NS_NONE) ||
        strcmp(local, "Relationship") != 0)
        return;
    const char *id = kh_xml_attr(x, attrs, KH_NS_NONE, "Id"),
               *type = kh_xml_attr(x, attrs, KH_NS_NONE, "Type"),
               *target = kh_xml_attr(x, attrs, KH_NS_NONE, "Target"),
               *mode = kh_xml_attr(x, attrs, KH_NS_NONE, "TargetMode");
    if (!id || !type || !target)
        return;
    const char *slash = strrchr(type, '/');
    rel e = {kh_strdup(id), kh_strdup(slash ? slash + 1 : type), NULL, NULL};
    bool external = mode && strcmp(mode, "External") == 0;
    /* A target outside the package (External, or ../ past its root) is
     * kept without a part name: the part that uses it is refused. */
    if (!e.id || !e.type || (!external && resolve_target(rs->base, target, &e.target) != KH_OK) ||
        (!e.target && !(e.raw = kh_strdup(target))) ||
        !kh_grow((void **)&rs->v, &rs->cap, rs->n + 1, sizeof *rs->v)) {
        kh_free(e.id);
        kh_free(e.type);
        kh_free(e.target);
        kh_free(e.raw);
        kh_xml_oom(x);
        return;
    }
    rs->v[rs->n++] = e;
}

static int rel_cmp(const void *a, const void *b)
{
    return strcmp(((const rel *)a)->id, ((const rel *)b)->id);
}

/* Parse the relationships part norm (if present) of a part in folder base;
 * sorted by id for rels_by_id. */
static kh_status read_rels(xlsx *r, const char *norm, const char *base, rels *out)
{
    *out = (rels){.base = base};
    if (!kh_zip_find(r->z, norm))
        return KH_OK;
    kh_xml x = {.start = rels_start, .m = out};
    kh_status st = parse(r, norm, NULL, &x);
    if (st != KH_OK)
        rels_free(out);
    else if (out->n)
        qsort(out->v, out->n, sizeof *out->v, rel_cmp);
    return st;
}

/* A relationship e whose target leaves the package (an External link, or
 * ../ past its root): say so, naming the part that uses it (source) and
 * the target.  True when it does (the file is then refused). */
static bool rel_outside(xlsx *r, const rel *e, const char *source, const char *sheet)
{
    if (!e || e->target)
        return false;
    char a[KH_XLSX_SHOW_BUFSZ], b[KH_XLSX_SHOW_BUFSZ];
    kh_diags_add(r->d, KH_ERROR, r->path, sheet, NULL, 0,
                 _("the relationship %s of %s points outside the workbook, to \"%s\": the "
                   "file is crafted or damaged; re-save it from Excel or WPS"),
                 kh_xlsx_show(e->id, a), source, kh_xlsx_show(e->raw ? e->raw : "", b));
    return true;
}

/* The first relationship of this type. */
static const rel *rels_of_type(const rels *rs, const char *type)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->v[i].type, type) == 0)
            return &rs->v[i];
    return NULL;
}

/* The relationship with this id. */
static const rel *rels_by_id(const rels *rs, const char *id)
{
    rel key = {.id = (char *)id};
    return rs->n ? bsearch(&key, rs->v, rs->n, sizeof *rs->v, rel_cmp) : NULL;
}

/* ------------------------------------------------------------------ */
/* Workbook (xl/workbook.xml).
 *
 *   <workbook>                           depth 1: anything else means the
 *                                        package is no spreadsheet
 *     <workbookPr date1904="1|true"/>    depth 2
 *     <sheets>                           depth 2
 *       <sheet name r:id/>               depth 3: in workbook (tab) order
 */

typedef struct wb_sheet {
    char *name;
    char *rid;      /* may be NULL */
} wb_sheet;

typedef struct wbook {
    xlsx *r;
    wb_sheet *v;
    size_t n, cap;
    bool in_sheets;
} wbook;

static void wbook_free(wbook *w)
{
    for (size_t i = 0; i < w->n; i++) {
        kh_free(w->v[i].name);
        kh_free(w->v[i].rid);
    }
    kh_free(w->v);
    *w = (wbook){0};
}

static void wbook_start(kh_xml *x, enum kh_ns ns, const char *local, const char **attrs)
{
    wbook *w = x->m;
    char show[KH_XLSX_SHOW_BUFSZ];
    if (x->depth == 1 && !kh_xml_sml(ns, local, "workbook")) {
        kh_xml_fail(x, KH_ERR_INPUT, NULL,
                    _("the file is not an Excel workbook (its main part %s is a <%s>, not a "
                      "<workbook>): save the workbook as .xlsx from Excel or WPS"),
                    kh_xlsx_show(x->part, show), local);
    } else if (x->depth == 2 && kh_xml_sml(ns, local, "workbookPr")) {
        const char *v = kh_xml_attr(x, attrs, KH_NS_NONE, "date1904");
        w->r->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (x->depth == 2 && kh_xml_sml(ns, local, "sheets")) {
        w->in_sheets = true;
    } else if (x->depth == 3 && w->in_sheets && kh_xml_sml(ns, local, "sheet")) {
        const char *name = kh_xml_attr(x, attrs, KH_NS_NONE, "name"),
                   *rid = kh_xml_attr(x, attrs, KH_NS_REL, "id");
        if (!name) {
            kh_xml_fail(x, KH_ERR_INPUT, NULL,
                        _("a sheet in part %s has no name: the file is damaged; re-save "
                          "it from Excel or WPS"),
                        kh_xlsx_show(x->part, show));
            return;
        }
        if (w->n >= KH_XLSX_MAX_SHEETS) {
            kh_xml_fail(x, KH_ERR_LIMIT, NULL,
                        _("the workbook has more than %u sheets, kaohe's limit: split it "
                          "into several workbooks"),
                        KH_XLSX_MAX_SHEETS);
            return;
        }
        wb_sheet s = {kh_strdup(name), kh_strdup(rid)};
        if (!s.name || (rid && !s.rid) ||
            !kh_grow((void **)&w->v, &w->cap, w->n + 1, sizeof *w->v)) {
            kh_free(s.name);
            kh_free(s.rid);
            kh_xml_oom(x);
            return;
        }
        w->v[w->n++] = s;
    }
}

static void wbook_end(kh_xml *x, enum kh_ns ns, const char *local)
{
    wbook *w = x->m;
    if (x->depth == 2 && kh_xml_sml(ns, local, "sheets"))
        w->in_sheets = false;
}

/* ------------------------------------------------------------------ */
/* Styles (xl/styles.xml): which cell formats show dates.
 *
 *   <styleSheet>                               depth 1
 *     <numFmts><numFmt numFmtId formatCode/>   depths 2, 3: custom formats
 *     <cellXfs><xf numFmtId/>                  depths 2, 3: cell format i
 *                                              (the s of a cell) -> format
 *
 * cellStyleXfs also holds xf elements: only those under cellXfs count.
 * Resolved after the part ends, so element order does not matter. */

typedef struct fmt {
    uint32_t id;
    uint32_t seq;   /* order in the part: a later definition wins */
    bool date;
} fmt;

typedef struct styles {
    fmt *fmts;
    size_t nfmts, capfmts;
    uint32_t *xf;     /* numFmtId of cell format i */
    size_t nxf, capxf;
    bool in_fmts, in_xfs;
} styles;

static void styles_start(kh_xml *x, enum kh_ns ns, const char *local, const char **attrs)
{
    styles *s = x->m;
    uint32_t id = 0;
    if (x->depth == 2) {
        s->in_fmts = kh_xml_sml(ns, local, "numFmts");
        s->in_xfs = kh_xml_sml(ns, local, "cellXfs");
    } else if (x->depth == 3 && s->in_fmts && kh_xml_sml(ns, local, "numFmt")) {
        const char *code = kh_xml_attr(x, attrs, KH_NS_NONE, "formatCode");
        if (!kh_xml_uint(kh_xml_attr(x, attrs, KH_NS_NONE, "numFmtId"), UINT32_MAX, &id) || !code)
            return;
        if (!kh_grow((void **)&s->fmts, &s->capfmts, s->nfmts + 1, sizeof *s->fmts)) {
            kh_xml_oom(x);
            return;
        }
        s->fmts[s->nfmts] = (fmt){id, (uint32_t)s->nfmts, kh_xlsx_code_is_date(code)};
        s->nfmts++;
    } else if (x->depth == 3 && s->in_xfs && kh_xml_sml(ns, local, "xf")) {
        if (!kh_xml_uint(kh_xml_attr(x, attrs, KH_NS_NONE, "numFmtId"), UINT32_MAX, &id))
            id = 0;
        if (!kh_grow((void **)&s->xf, &s->capxf, s->nxf + 1, sizeof *s->xf)) {
            kh_xml_oom(x);
            return;
        }
        s->xf[s->nxf++] = id;
    }
}

static void styles_end(kh_xml *x, enum kh_ns ns, const char *local)
{
    styles *s = x->m;
    (void)ns, (void)local;
    if (x->depth == 2)
        s->in_fmts = s->in_xfs = false;
}

static int fmt_cmp(const void *a, const void *b)
{
    const fmt *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int fmt_id_cmp(const void *a, const void *b)
{
    const fmt *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static kh_status read_styles(xlsx *r, const char *norm)
{
    styles s = {0};
    kh_xml x = {.start = styles_start, .end = styles_end, .m = &s};
    kh_status st = parse(r, norm, NULL, &x);
    if (st == KH_OK && s.nxf) {
        /* Sorted by id, the last definition of each id kept. */
        size_t n = 0;
        if (s.nfmts)
            qsort(s.fmts, s.nfmts, sizeof *s.fmts, fmt_cmp);
        for (size_t i = 0; i < s.nfmts; i++) {
            if (n && s.fmts[n - 1].id == s.fmts[i].id)
                n--;
            s.fmts[n++] = s.fmts[i];
        }
        r->xf_date = kh_calloc(s.nxf, sizeof *r->xf_date);
        if (!r->xf_date) {
            st = KH_ERR_NOMEM;
        } else {
            r->nxf = s.nxf;
            for (size_t i = 0; i < s.nxf; i++) {
                /* A custom format may reuse a built-in id: it wins. */
                fmt key = {.id = s.xf[i]};
                const fmt *f = n ? bsearch(&key, s.fmts, n, sizeof *s.fmts, fmt_id_cmp) : NULL;
                r->xf_date[i] = f ? f->date : kh_xlsx_builtin_is_date(s.xf[i]);
            }
        }
    }
    kh_free(s.fmts);
    kh_free(s.xf);
    return st;
}

/* ------------------------------------------------------------------ */
/* Shared strings (xl/sharedStrings.xml).
 *
 *   <sst count uniqueCount>        depth 1: the counts are not trusted
 *     <si>                         depth 2: one string, in index order
 *       <t>text</t>                depth 3: plain text
 *       <r><rPr/><t>run</t></r>    depths 3, 4: rich text runs, joined
 *       <rPh><t>reading</t></rPh>  depths 3, 4: phonetic hints, skipped
 *
 * Strings are appended to one arena as they end; nothing is allocated
 * ahead from the counts. */

typedef struct sst_m {
    xlsx *r;
    bool in_si, in_r, in_t;
    kh_buf cur;
    size_t chars;
} sst_m;

static void sst_start(kh_xml *x, enum kh_ns ns, const char *local, const char **attrs)
{
    sst_m *m = x->m;
    (void)attrs;
    if (x->depth == 2 && kh_xml_sml(ns, local, "si")) {
        m->in_si = true;
        kh_buf_reset(&m->cur);
        m->chars = 0;
    } else if (m->in_si && x->depth == 3 && kh_xml_sml(ns, local, "r")) {
        m->in_r = true;
    } else if (m->in_si && kh_xml_sml(ns, local, "t") &&
               (x->depth == 3 || (x->depth == 4 && m->in_r))) {
        m->in_t = true;
    }
}

static void sst_end(kh_xml *x, enum kh_ns ns, const char *local)
{
    sst_m *m = x->m;
    xlsx *r = m->r;
    if (m->in_t && kh_xml_sml(ns, local, "t")) {
        m->in_t = false;
    } else if (x->depth == 3 && m->in_r && kh_xml_sml(ns, local, "r")) {
        m->in_r = false;
    } else if (x->depth == 2 && m->in_si && kh_xml_sml(ns, local, "si")) {
        m->in_si = false;
        if (!kh_xml_finish_text(x, &m->cur, NULL))
            return;
        if (!kh_grow((void **)&r->sst_off, &r->capsst, r->nsst + 1, sizeof *r->sst_off)) {
            kh_xml_oom(x);
            return;
        }
        r->sst_off[r->nsst] = r->sst.len;
        kh_buf_add(&r->sst, kh_buf_str(&m->cur), m->cur.len);
        kh_buf_add(&r->sst, "", 1);
        if (r->sst.oom) {
            kh_xml_oom(x);
            return;
        }
        r->nsst++;
    }
}

static void sst_text(kh_xml *x, const char *s, int len)
{
    sst_m *m = x->m;
    if (m->in_t)
        kh_xml_collect(x, &m->cur, &m->chars, s, len, NULL);
}

static kh_status read_sst(xlsx *r, const char *norm)
{
    sst_m m = {.r = r};
    kh_xml x = {.start = sst_start, .end = sst_end, .text = sst_text, .m = &m};
    kh_status st = parse(r, norm, NULL, &x);
    kh_buf_free(&m.cur);
    return st;
}

/* ASCII white space trimmed off both ends of b, in place. */
static const char *trim_buf(kh_buf *b)
{
    if (!b->s)
        return "";
    char *s = b->s, *e = b->s + b->len;
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    *e = '\0';
    return s;
}

/* ------------------------------------------------------------------ */
/* Worksheet (xl/worksheets/sheetN.xml).
 *
 *   <worksheet>                          depth 1
 *     <sheetData>                        depth 2
 *       <row r?>                         depth 3: r, else previous + 1
 *         <c r? t? s?>                   depth 4: r, else previous col + 1
 *           <v>value</v>                 depth 5: also a formula's cache
 *           <f>formula</f>               depth 5: ignored
 *           <is>                         depth 5: t="inlineStr"
 *             <t>text</t>                depth 6
 *             <r><t>run</t></r>          depths 6, 7: joined
 *             <rPh><t/></rPh>            depths 6, 7: skipped
 *
 * One cell is held at a time and set in the grid when </c> arrives.
 * <dimension> and spans are ignored; nothing is sized from them. */

enum ctype { CT_N, CT_S, CT_STR, CT_INLINE, CT_B, CT_E, CT_D };

typedef struct ws_m {
    xlsx *r;
    kh_sheet *sheet;
    bool in_data, in_row, in_c, in_v, in_is, in_r, in_t, has_v, has_is;
    int64_t row;            /* current row, 0-based; -1 before the first */
    uint32_t next_col;      /* column of the next cell without r */
    uint32_t crow, ccol;    /* the current cell */
    char ref[KH_CELLREF_BUFSZ];  /* its name once ws_ref made it, else "" */
    enum ctype type;
    int64_t style;          /* its cell format, or -1 */
    kh_buf v, is;
    size_t vchars, ischars;
} ws_m;

/* The name of the current cell ("E12"), made only when a message needs
 * it. */
static const char *ws_ref(kh_xml *x)
{
    ws_m *m = x->m;
    if (!m->ref[0])
        kh_cell_ref(m->crow, m->ccol, m->ref);
    return m->ref;
}

static void ws_row(kh_xml *x, ws_m *m, const char **attrs)
{
    const char *rs = kh_xml_attr(x, attrs, KH_NS_NONE, "r");
    uint32_t r;
    if (rs) {
        if (!kh_xml_uint(rs, KH_MAX_ROWS, &r) || r == 0) {
            char show[KH_XLSX_SHOW_BUFSZ];
            kh_xml_fail(x, KH_ERR_INPUT, NULL,
                        _("bad row number \"%s\" (rows are 1 to %u): the file is "
                          "damaged; re-save it from Excel or WPS"),
                        kh_xlsx_show(rs, show), KH_MAX_ROWS);
            return;
        }
        m->row = (int64_t)r - 1;
    } else if (++m->row >= (int64_t)KH_MAX_ROWS) {
        kh_xml_fail(x, KH_ERR_INPUT, NULL,
                    _("the worksheet has more than %u rows: the file is damaged; "
                      "re-save it from Excel or WPS"),
                    KH_MAX_ROWS);
        return;
    }
    m->in_row = true;
    m->next_col = 0;
}

static void ws_cell(kh_xml *x, ws_m *m, const char **attrs)
{
    static const struct {
        const char *name;
        enum ctype type;
    } types[] = {
        {"n", CT_N}, {"s", CT_S}, {"str", CT_STR}, {"inlineStr", CT_INLINE},
        {"b", CT_B}, {"e", CT_E}, {"d", CT_D},
    };
    char show[KH_XLSX_SHOW_BUFSZ];
    /* r, t and s in one pass (kh_xml_attr would take three); unprefixed
     * attributes are named without a namespace separator. */
    const char *rs = NULL, *t = NULL, *s = NULL;
    for (size_t i = 0; attrs[i]; i += 2) {
        const char *a = attrs[i];
        if (a[0] && !a[1]) {
            const char **slot = a[0] == 'r' ? &rs : a[0] == 't' ? &t : a[0] == 's' ? &s : NULL;
            if (slot && !*slot)
                *slot = attrs[i + 1];
        }
    }
    if (rs) {
        if (!kh_cell_parse(rs, &m->crow, &m->ccol)) {
            kh_xml_fail(x, KH_ERR_INPUT, NULL,
                        _("bad cell reference \"%s\" (cells lie in A1:XFD1048576): the file is "
                          "damaged; re-save it from Excel or WPS"), kh_xlsx_show(rs, show));
            return;
        }
    } else {
        if (m->next_col >= KH_MAX_COLS) {
            kh_xml_fail(x, KH_ERR_INPUT, NULL,
                        _("row %u has more than %u cells: the file is damaged; re-save "
                          "it from Excel or WPS"),
                        (unsigned)m->row + 1, KH_MAX_COLS);
            return;
        }
        m->crow = (uint32_t)m->row;
        m->ccol = m->next_col;
    }
    m->next_col = m->ccol + 1;
    m->ref[0] = '\0';
    m->type = CT_N;
    if (t) {
        size_t i = 0;
        while (i < KH_ARRAY_LEN(types) &&
               (types[i].name[0] != t[0] || strcmp(types[i].name, t) != 0))
            i++;
        if (i == KH_ARRAY_LEN(types)) {
            kh_xml_fail(x, KH_ERR_INPUT, ws_ref(x),
                        _("unknown cell type \"%s\": the file is damaged; re-save it from Excel or "
                          "WPS"), kh_xlsx_show(t, show));
            return;
        }
        m->type = types[i].type;
    }
    uint32_t sv;
    m->style = kh_xml_uint(s, UINT32_MAX, &sv) ? (int64_t)sv : -1;
    m->in_c = true;
    m->has_v = m->has_is = false;
    kh_buf_reset(&m->v);
    kh_buf_reset(&m->is);
    m->vchars = m->ischars = 0;
}

static void ws_start(kh_xml *x, enum kh_ns ns, const char *local, const char **attrs)
{
    ws_m *m = x->m;
    char show[KH_XLSX_SHOW_BUFSZ];
    switch (x->depth) {
    case 1:
        if (!kh_xml_sml(ns, local, "worksheet"))
            kh_xml_fail(x, KH_ERR_INPUT, NULL,
                        _("part %s is not a worksheet (it holds \"%s\"): the file is "
                          "damaged; re-save it from Excel or WPS"),
                        kh_xlsx_show(x->part, show), local);
        break;
    case 2:
        m->in_data = kh_xml_sml(ns, local, "sheetData");
        break;
    case 3:
        if (m->in_data && kh_xml_sml(ns, local, "row"))
            ws_row(x, m, attrs);
        break;
    case 4:
        if (m->in_row && kh_xml_sml(ns, local, "c"))
            ws_cell(x, m, attrs);
        break;
    case 5:
        if (m->in_c && kh_xml_sml(ns, local, "v"))
            m->in_v = m->has_v = true;
        else if (m->in_c && kh_xml_sml(ns, local, "is"))
            m->in_is = m->has_is = true;
        break;
    case 6:
        if (m->in_is && kh_xml_sml(ns, local, "t"))
            m->in_t = true;
        else if (m->in_is && kh_xml_sml(ns, local, "r"))
            m->in_r = true;
        break;
    case 7:
        if (m->in_r && kh_xml_sml(ns, local, "t"))
            m->in_t = true;
        break;
    default:
        break;
    }
}

/* The memory a grid takes, roughly: what the grid limits count. */
static size_t grid_bytes(const kh_sheet *g)
{
    return g->text_bytes + g->ncells * (sizeof *g->cells + 16);
}

/* Set the finished cell in the grid. */
static void ws_emit(kh_xml *x, ws_m *m)
{
    xlsx *r = m->r;
    char show[KH_XLSX_SHOW_BUFSZ], num[KH_XLSX_NUMBUF];
    kh_cell_type type = KH_CELL_STRING;
    const char *text = NULL;
    size_t len = 0;
    const char *v;
    uint32_t idx;
    double d;
    switch (m->type) {
    case CT_S:
        v = trim_buf(&m->v);
        if (!*v)
            return;
        if (strspn(v, "0123456789") != strlen(v)) {
            kh_xml_fail(x, KH_ERR_INPUT, ws_ref(x),
                        _("shared string index \"%s\" is not a number: the file is damaged; "
                          "re-save it from Excel or WPS"), kh_xlsx_show(v, show));
            return;
        }
        if (!kh_xml_uint(v, UINT32_MAX, &idx) || idx >= r->nsst) {
            kh_xml_fail(x, KH_ERR_INPUT, ws_ref(x),
                        _("shared string index %s is out of range (the workbook has %zu shared "
                          "strings): the file is damaged; re-save it from Excel or WPS"),
                        kh_xlsx_show(v, show), r->nsst);
            return;
        }
        text = r->sst.s + r->sst_off[idx];
        len = (idx + 1 < r->nsst ? r->sst_off[idx + 1] : r->sst.len) - r->sst_off[idx] - 1;
        break;
    case CT_INLINE:
    case CT_STR: {
        kh_buf *b = m->type == CT_INLINE && m->has_is ? &m->is : &m->v;
        if (!kh_xml_finish_text(x, b, NULL))
            return;
        text = kh_buf_str(b);
        len = b->len;
        break;
    }
    case CT_B:
        v = trim_buf(&m->v);
        if (!*v)
            return;
        type = KH_CELL_BOOL;
        if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0) {
            text = "TRUE";
        } else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0) {
            text = "FALSE";
        } else {
            kh_xml_fail(x, KH_ERR_INPUT, ws_ref(x),
                        _("bad boolean value \"%s\": the file is damaged; re-save it from Excel or "
                          "WPS"), kh_xlsx_show(v, show));
            return;
        }
        len = strlen(text);
        break;
    case CT_E:
        type = KH_CELL_ERROR;
        text = trim_buf(&m->v);
        len = strlen(text);
        break;
    case CT_D:
        /* ISO 8601 date cells: keep the date part. */
        text = trim_buf(&m->v);
        len = strlen(text);
        if (kh_xlsx_iso_date(text)) {
            type = KH_CELL_DATE;
            len = 10;
        }
        break;
    case CT_N:
        v = trim_buf(&m->v);
        if (!*v)
            return;
        if (!kh_xlsx_parse_number(v, r->cloc, &d)) {
            kh_xml_fail(x, KH_ERR_INPUT, ws_ref(x),
                        _("\"%s\" stands where a number belongs: the file is damaged; re-save it "
                          "from Excel or WPS"), kh_xlsx_show(v, show));
            return;
        }
        if (m->style >= 0 && (size_t)m->style < r->nxf && r->xf_date[m->style] &&
            kh_xlsx_serial_date(d, r->date1904, num)) {
            type = KH_CELL_DATE;
        } else {
            type = KH_CELL_NUMBER;
            kh_xlsx_format_number(d, r->cloc, num);
        }
        text = num;
        len = strlen(num);
        break;
    }
    if (!text)
        return;
    if (!kh_sheet_set(m->sheet, m->crow, m->ccol, type, text, len)) {
        kh_xml_oom(x);
        return;
    }
    /* Shared strings let a small sheet fill a huge grid, and many sheets
     * may share one part: bound the grid and the grids. */
    size_t bytes = grid_bytes(m->sheet);
    if (bytes > KH_XLSX_MAX_GRID)
        kh_xml_fail(x, KH_ERR_LIMIT, ws_ref(x),
                    _("the worksheet holds more than %u MiB of cells, kaohe's limit: keep "
                      "the checklist in a workbook of its own"),
                    KH_XLSX_MAX_GRID >> 20);
    else if (r->grids + bytes > KH_XLSX_MAX_GRIDS)
        kh_xml_fail(x, KH_ERR_LIMIT, ws_ref(x),
                    _("the worksheets of this workbook hold more than %u MiB of cells, "
                      "kaohe's limit: keep the checklists in workbooks of their own"),
                    KH_XLSX_MAX_GRIDS >> 20);
}

static void ws_end(kh_xml *x, enum kh_ns ns, const char *local)
{
    ws_m *m = x->m;
    (void)ns, (void)local;
    switch (x->depth) {
    case 2: m->in_data = false; break;
    case 3: m->in_row = false; break;
    case 4:
        if (m->in_c)
            ws_emit(x, m);
        m->in_c = false;
        break;
    case 5: m->in_v = m->in_is = false; break;
    case 6: m->in_t = m->in_r = false; break;
    case 7: m->in_t = false; break;
    default: break;
    }
}

static void ws_text(kh_xml *x, const char *s, int len)
{
    ws_m *m = x->m;
    if (m->in_v)
        kh_xml_collect(x, &m->v, &m->vchars, s, len, NULL);
    else if (m->in_t)
        kh_xml_collect(x, &m->is, &m->ischars, s, len, NULL);
}

/* Read one worksheet part into a new finished sheet named name. */
static kh_status read_sheet(xlsx *r, const char *norm, const char *name, kh_sheet **out)
{
    *out = NULL;
    ws_m m = {.r = r, .row = -1};
    if (!(m.sheet = kh_sheet_new(name)))
        return KH_ERR_NOMEM;
    kh_xml x = {.start = ws_start, .end = ws_end, .text = ws_text, .m = &m,
                .cell_name = ws_ref};
    kh_status st = parse(r, norm, name, &x);
    kh_buf_free(&m.v);
    kh_buf_free(&m.is);
    if (st != KH_OK) {
        kh_sheet_free(m.sheet);
        return st;
    }
    kh_sheet_finish(m.sheet);
    *out = m.sheet;
    return KH_OK;
}

/* ------------------------------------------------------------------ */
/* Discovery and the public entry points. */

/* ------------------------------------------------------------------ */
/* kaohe's mark (docProps/custom.xml): a workbook kaohe wrote.
 *
 *   <Properties>                         depth 1
 *     <property name="kaohe">            depth 2
 *       <vt:lpwstr>ranking</vt:lpwstr>   depth 3
 */

typedef struct markp {
    bool in_mark, in_value;
    char value[32];
    size_t len;
} markp;

static void mark_start(kh_xml *x, enum kh_ns ns, const char *local, const char **attrs)
{
    markp *m = x->m;
    (void)ns;
    if (x->depth == 2 && strcmp(local, "property") == 0) {
        const char *n = kh_xml_attr(x, attrs, KH_NS_NONE, "name");
        m->in_mark = n && strcmp(n, KH_MARK_PROPERTY) == 0;
    } else if (x->depth == 3 && m->in_mark) {
        m->in_value = true;
    }
}

static void mark_end(kh_xml *x, enum kh_ns ns, const char *local)
{
    markp *m = x->m;
    (void)ns, (void)local;
    if (x->depth == 3)
        m->in_value = false;
    else if (x->depth == 2)
        m->in_mark = false;
}

static void mark_text(kh_xml *x, const char *s, int len)
{
    markp *m = x->m;
    if (!m->in_value)
        return;
    for (int i = 0; i < len && m->len + 1 < sizeof m->value; i++)
        m->value[m->len++] = s[i];
    m->value[m->len] = '\0';
}

/* Whether the workbook is one kaohe wrote: its mark (KH_MARK_PROPERTY),
 * else (a ranking written before the mark) the sheets 来源 and 未通过的文件
 * of a ranking.  The mark goes to r->mark.  A custom.xml that does not
 * parse is no mark (its messages are dropped). */
static kh_status find_mark(xlsx *r, const wbook *wb)
{
    if (!r->mark)
        return KH_OK;
    r->mark[0] = '\0';
    if (kh_zip_find(r->z, "docprops/custom.xml")) {
        markp m = {0};
        kh_diags quiet = {0};
        kh_xml x = {.start = mark_start, .end = mark_end, .text = mark_text, .m = &m};
        kh_status st = kh_xml_parse(r->z, r->path, "docprops/custom.xml", NULL, &x, &quiet);
        kh_diags_clear(&quiet);
        if (st == KH_ERR_NOMEM)
            return st;
        if (st == KH_OK && (strcmp(m.value, KH_MARK_RANKING) == 0 ||
                            strcmp(m.value, KH_MARK_SCORESHEET) == 0)) {
            snprintf(r->mark, r->mark_size, "%s", m.value);
            return KH_OK;
        }
    }
    bool sources = false, rejected = false;
    for (size_t i = 0; i < wb->n; i++) {
        sources |= strcmp(wb->v[i].name, "来源") == 0;
        rejected |= strcmp(wb->v[i].name, "未通过的文件") == 0;
    }
    if (sources && rejected)
        snprintf(r->mark, r->mark_size, "%s", KH_MARK_RANKING);
    return KH_OK;
}

/* The folder of a normalised part name, with its '/': "xl/" or "". */
static char *folder_of(const char *norm)
{
    const char *slash = strrchr(norm, '/');
    return kh_strndup(norm, slash ? (size_t)(slash - norm) + 1 : 0);
}

/* Find the workbook part, read its relationships, the workbook, the
 * shared strings and styles, then each worksheet in workbook order: to
 * fn, or (first not NULL) only the first worksheet into *first. */
static kh_status read_workbook(xlsx *r, kh_sheet_fn fn, void *ctx, kh_sheet **first)
{
    rels root = {0}, wbr = {0};
    wbook wb = {.r = r};
    char *wbname = NULL, *dir = NULL, *relsname = NULL;
    kh_buf b = {0};
    size_t nread = 0;

    kh_status st = read_rels(r, "_rels/.rels", "", &root);
    if (st != KH_OK)
        goto done;
    const rel *od = rels_of_type(&root, "officeDocument");
    if (rel_outside(r, od, "_rels/.rels", NULL)) {
        st = KH_ERR_INPUT;
        goto done;
    }
    wbname = kh_strdup(od && od->target && kh_zip_find(r->z, od->target) ? od->target
                                                                       : "xl/workbook.xml");
    if (!wbname) {
        st = KH_ERR_NOMEM;
        goto done;
    }
    /* A Word document, or a zip of files: no checklist, said plainly. */
    if (strcmp(wbname, "word/document.xml") == 0 ||
        (!kh_zip_find(r->z, wbname) && kh_zip_find(r->z, "word/document.xml"))) {
        kh_sheetfile_not_sheet(r->d, r->path, KH_NOT_WORD);
        st = KH_ERR_INPUT;
        goto done;
    }
    if (!kh_zip_find(r->z, wbname) && !kh_zip_find(r->z, "[content_types].xml") &&
        !kh_zip_find(r->z, "mimetype")) {
        kh_sheetfile_not_sheet(r->d, r->path, KH_NOT_ZIP);
        st = KH_ERR_INPUT;
        goto done;
    }
    size_t wblen = strlen(wbname);
    if (wblen > 4 && strcmp(wbname + wblen - 4, ".bin") == 0) {
        kh_diags_add(r->d, KH_ERROR, r->path, NULL, NULL, 0,
                     _("the file is an Excel binary workbook (.xlsb), which kaohe does not "
                       "read: save it as .xlsx from Excel or WPS"));
        st = KH_ERR_INPUT;
        goto done;
    }
    if (!kh_zip_find(r->z, wbname)) {
        if (kh_zip_find(r->z, "mimetype") && kh_zip_find(r->z, "content.xml"))
            kh_diags_add(r->d, KH_ERROR, r->path, NULL, NULL, 0,
                         _("the file is an OpenDocument spreadsheet (.ods), not an XLSX "
                           "workbook: save it as .xlsx from LibreOffice, WPS or Excel"));
        else
            kh_diags_add(r->d, KH_ERROR, r->path, NULL, NULL, 0,
                         _("the file holds no workbook (no xl/workbook.xml): it is not an "
                           "Excel workbook or it is damaged; save it as .xlsx from Excel or "
                           "WPS"));
        st = KH_ERR_INPUT;
        goto done;
    }

    /* The workbook's relationships: xl/_rels/workbook.xml.rels. */
    dir = folder_of(wbname);
    if (!dir) {
        st = KH_ERR_NOMEM;
        goto done;
    }
    kh_buf_printf(&b, "%s_rels/%s.rels", dir, wbname + strlen(dir));
    if (b.oom) {
        st = KH_ERR_NOMEM;
        goto done;
    }
    relsname = kh_buf_steal(&b);
    if (!relsname || (st = read_rels(r, relsname, dir, &wbr)) != KH_OK) {
        st = relsname ? st : KH_ERR_NOMEM;
        goto done;
    }

    kh_xml wx = {.start = wbook_start, .end = wbook_end, .m = &wb};
    if ((st = parse(r, wbname, NULL, &wx)) != KH_OK)
        goto done;
    if ((st = find_mark(r, &wb)) != KH_OK || (r->mark && r->mark[0]))
        goto done;

    /* Shared strings and styles: by relationship, else the usual names. */
    static const struct {
        const char *type, *usual;   /* usual: normalised part name in dir */
    } kinds[] = {{"sharedStrings", "sharedstrings.xml"}, {"styles", "styles.xml"}};
    for (size_t k = 0; k < KH_ARRAY_LEN(kinds); k++) {
        const rel *e = rels_of_type(&wbr, kinds[k].type);
        if (rel_outside(r, e, relsname, NULL)) {
            st = KH_ERR_INPUT;
            goto done;
        }
        kh_buf_reset(&b);
        if (e && e->target)
            kh_buf_puts(&b, e->target);
        else
            kh_buf_printf(&b, "%s%s", dir, kinds[k].usual);
        if (b.oom) {
            st = KH_ERR_NOMEM;
            goto done;
        }
        if (kh_zip_find(r->z, kh_buf_str(&b)))
            st = k == 0 ? read_sst(r, kh_buf_str(&b)) : read_styles(r, kh_buf_str(&b));
        if (st != KH_OK)
            goto done;
    }

    for (size_t i = 0; i < wb.n; i++) {
        const wb_sheet *ws = &wb.v[i];
        const rel *e = ws->rid ? rels_by_id(&wbr, ws->rid) : NULL;
        char show[KH_XLSX_SHOW_BUFSZ];
        if (e && strcmp(e->type, "worksheet") != 0)
            continue;   /* chart, dialog or macro sheet: no cells */
        if (rel_outside(r, e, relsname, ws->name)) {
            st = KH_ERR_INPUT;
            goto done;
        }
        kh_buf_reset(&b);
        if (e && e->target)
            kh_buf_puts(&b, e->target);
        else    /* no relationship: the name every producer uses */
            kh_buf_printf(&b, "%sworksheets/sheet%zu.xml", dir, i + 1);
        if (b.oom) {
            st = KH_ERR_NOMEM;
            goto done;
        }
        if (!kh_zip_find(r->z, kh_buf_str(&b))) {
            kh_diags_add(r->d, KH_ERROR, r->path, ws->name, NULL, 0,
                         _("the worksheet's part %s is missing: the file is damaged; re-save it "
                           "from Excel or WPS"), kh_xlsx_show(kh_buf_str(&b), show));
            st = KH_ERR_INPUT;
            goto done;
        }
        kh_sheet *sheet;
        if ((st = read_sheet(r, kh_buf_str(&b), ws->name, &sheet)) != KH_OK)
            goto done;
        nread++;
        r->grids += grid_bytes(sheet);
        if (first) {
            *first = sheet;
            break;
        }
        st = fn(ctx, sheet);
        kh_sheet_free(sheet);
        if (st != KH_OK)
            goto done;
    }
    if (nread == 0) {
        kh_diags_add(r->d, KH_ERROR, r->path, NULL, NULL, 0,
                     _("the workbook has no worksheet: add one in Excel or WPS"));
        st = KH_ERR_INPUT;
    }
done:
    rels_free(&root);
    rels_free(&wbr);
    wbook_free(&wb);
    kh_buf_free(&b);
    kh_free(wbname);
    kh_free(dir);
    kh_free(relsname);
    return st;
}

/* Run read_workbook over an opened zip (consumed). */
static kh_status read_zip(const char *path, kh_zip *z, kh_sheet_fn fn, void *ctx,
                          kh_sheet **first, char *mark, size_t mark_size, kh_diags *d)
{
    xlsx r = {.path = path, .d = d, .z = z, .mark = mark, .mark_size = mark_size};
    kh_status st = KH_ERR_NOMEM;
    r.cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (r.cloc)
        st = read_workbook(&r, fn, ctx, first);
    if (r.cloc)
        freelocale(r.cloc);
    kh_buf_free(&r.sst);
    kh_free(r.sst_off);
    kh_free(r.xf_date);
    kh_zip_free(z);
    return st;
}

kh_status kh_xlsx_read_mem(const char *path, const void *data, size_t len,
                           kh_sheet_fn fn, void *ctx, kh_diags *d)
{
    kh_zip *z;
    kh_status st = kh_zip_open_mem(path, data, len, &z, d);
    if (st != KH_OK)
        return st;
    return read_zip(path, z, fn, ctx, NULL, NULL, 0, d);
}

kh_status kh_xlsx_read_file(const char *path, kh_sheet_fn fn, void *ctx, kh_diags *d)
{
    kh_zip *z;
    kh_status st = kh_zip_open_file(path, &z, d);
    if (st != KH_OK)
        return st;
    return read_zip(path, z, fn, ctx, NULL, NULL, 0, d);
}

kh_status kh_xlsx_read_first(const char *path, kh_sheet **out, kh_diags *d)
{
    *out = NULL;
    kh_zip *z;
    kh_status st = kh_zip_open_file(path, &z, d);
    if (st != KH_OK)
        return st;
    return read_zip(path, z, NULL, NULL, out, NULL, 0, d);
}

kh_status kh_xlsx_read_file_marked(const char *path, kh_sheet_fn fn, void *ctx, char *mark,
                                   size_t mark_size, kh_diags *d)
{
    mark[0] = '\0';
    kh_zip *z;
    kh_status st = kh_zip_open_file(path, &z, d);
    if (st != KH_OK)
        return st;
    return read_zip(path, z, fn, ctx, NULL, mark, mark_size, d);
}
