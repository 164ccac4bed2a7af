/*
 * rubric.c - rubric files (doc/formats.md §2) into a validated kh_rubric.
 *
 * A rubric grid is read in three parts: metadata rows (key in column A,
 * value in column B), the header row, then one row per check point.  Every
 * problem is reported with its position (FILE:LINE for CSV, FILE!CELL for
 * XLSX) before the rubric is rejected as a whole; nothing of a bad rubric
 * is kept.
 */
#include "rubric.h"
#include "provenance.h"
#include "sheetfile.h"
#include "strset.h"
#include "text.h"
#include "xlsx_in.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- names ---- */

static const char *const kind_names[] = {
    [KH_KIND_HAS] = "has", [KH_KIND_COUNT] = "count", [KH_KIND_EACH] = "each",
    [KH_KIND_ANY] = "any", [KH_KIND_VETO] = "veto",
};

const char *kh_kind_name(kh_kind k)
{
    return (unsigned)k < KH_ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

enum { M_ID, M_TITLE, M_UNIT_TYPE, M_TOTAL, M_YEAR, M_GRADES, M_QUOTA, M_ISSUER, NMETA };
static const char *const meta_names[NMETA] = {"id", "title", "unit_type", "total",
                                              "year", "grades", "quota", "issuer"};
#define NMETA_REQUIRED 4 /* id, title, unit_type, total */

enum { C_ITEM, C_POINTS, C_CONTENT, C_CHECK, C_LABEL, C_KIND, C_NEED, C_PER, C_CAP, C_HINT,
       C_NAME, C_MISSING, NCOLS };
static const char *const col_names[NCOLS] = {"item", "points", "content", "check", "label",
                                             "kind", "need", "per", "cap", "hint",
                                             "name", "missing"};
static const bool col_required[NCOLS] = {[C_ITEM] = true, [C_CHECK] = true,
                                         [C_LABEL] = true, [C_KIND] = true};

#define NO_COL UINT32_MAX
#define NONE SIZE_MAX

/* A trimmed piece of a cell's text (not NUL-terminated); n == 0 when empty. */
typedef struct span {
    const char *s;
    size_t n;
} span;

static span trimmed(const char *text)
{
    span v;
    v.s = kh_trim(text, &v.n);
    return v;
}

static bool span_is(span v, const char *name)
{
    size_t n = strlen(name);
    if (v.n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = v.s[i], b = name[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

static bool span_eq_str(span v, const char *s)
{
    return s && strlen(s) == v.n && memcmp(v.s, s, v.n) == 0;
}

/* Index of v among names[0..n) (ASCII case ignored), or -1. */
static int name_index(span v, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (span_is(v, names[i]))
            return i;
    return -1;
}

/* ---- the loader's state ---- */

typedef struct meta_entry {
    bool seen;
    uint32_t row;   /* row of the key */
    span value;     /* empty when the row has no value */
} meta_entry;

typedef struct item_aux {
    uint32_t row;     /* first row of the item */
    bool points_ok;   /* points given and valid on the first row */
} item_aux;

typedef struct loader {
    const kh_sheet *sheet;
    const char *path;
    bool is_xlsx;
    kh_diags *d;
    size_t nerr;
    bool oom;

    meta_entry meta[NMETA];
    uint32_t hdr_row;          /* NO_COL until found */
    uint32_t col[NCOLS];       /* sheet column of each field, or NO_COL */
    bool missing_said[NCOLS];  /* an absent optional column was reported */

    kh_rubric *r;
    item_aux *aux;
    size_t auxcap, itemcap, cpcap;
    size_t cur;                /* current item, or NONE */
    size_t nrows;              /* check point rows seen */
    kh_strset items, cps;      /* item numbers, check ids -> their index */
} loader;

/* Report a problem at (row, col): FILE:LINE for CSV, FILE!CELL for XLSX. */
static void __attribute__((format(printf, 4, 5)))
err_at(loader *L, uint32_t row, uint32_t col, const char *fmt, ...)
{
    char ref[KH_CELLREF_BUFSZ];
    va_list ap;
    va_start(ap, fmt);
    if (L->is_xlsx)
        kh_diags_vadd(L->d, KH_ERROR, L->path, NULL, kh_cell_ref(row, col, ref), 0, fmt, ap);
    else
        kh_diags_vadd(L->d, KH_ERROR, L->path, NULL, NULL, (long)row + 1, fmt, ap);
    va_end(ap);
    L->nerr++;
}

/* Report a problem of the file as a whole. */
static void __attribute__((format(printf, 2, 3))) err_file(loader *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kh_diags_vadd(L->d, KH_ERROR, L->path, NULL, NULL, 0, fmt, ap);
    va_end(ap);
    L->nerr++;
}

/* For messages that point elsewhere, two arguments of "%s %s": "line",
 * "6" (CSV) or "cell", "D6" (XLSX).  The word is a message of its own, so
 * that the Chinese text says 行号 6 or 单元格 D6. */
static const char *where_ref(const loader *L, uint32_t row, uint32_t col, char buf[48])
{
    char ref[KH_CELLREF_BUFSZ];
    if (L->is_xlsx)
        snprintf(buf, 48, "%s", kh_cell_ref(row, col, ref));
    else
        snprintf(buf, 48, "%lu", (unsigned long)row + 1);
    return buf;
}
#define where(L, row, col, buf) ((L)->is_xlsx ? _("cell") : _("line")), where_ref(L, row, col, buf)

#define SHOW_BUFSZ 160

/* A value fit to quote in a message: invalid UTF-8 bytes and control
 * characters become '?', and long text is cut at a character boundary. */
static const char *show(span v, char buf[SHOW_BUFSZ])
{
    size_t w = 0, i = 0, chars = 0;
    while (i < v.n && chars < 40) {
        unsigned char c = (unsigned char)v.s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (len == 0 || len > v.n - i || !kh_utf8_valid(v.s + i, len, NULL) || c < 0x20 || c == 0x7F) {
            buf[w++] = '?';
            i++;
        } else {
            memcpy(buf + w, v.s + i, len);
            w += len;
            i += len;
        }
        chars++;
    }
    if (i < v.n) {
        memcpy(buf + w, "\xe2\x80\xa6", 3); /* … */
        w += 3;
    }
    buf[w] = '\0';
    return buf;
}

/* Parse a number cell value; report what is wrong with it and return false. */
static bool parse_number(loader *L, uint32_t row, uint32_t col, const char *what, span v,
                         kh_dec *out)
{
    char sb[SHOW_BUFSZ];
    if (kh_dec_parse_n(v.s, v.n, out))
        return true;
    /* Tell "not a number" from "too many decimals" and "too large". */
    size_t i = 0, digits = 0, places = 0;
    if (i < v.n && (v.s[i] == '+' || v.s[i] == '-'))
        i++;
    for (; i < v.n && v.s[i] >= '0' && v.s[i] <= '9'; i++)
        digits++;
    if (i < v.n && v.s[i] == '.') {
        size_t last = 0;
        for (i++; i < v.n && v.s[i] >= '0' && v.s[i] <= '9'; i++) {
            digits++;
            places++;
            if (v.s[i] != '0')
                last = places;
        }
        places = last;
    }
    if (i != v.n || digits == 0)
        err_at(L, row, col, _("%s '%s' is not a number: write a number such as 2 or 0.5"), what,
               show(v, sb));
    else if (places > KH_DEC_PLACES)
        err_at(L, row, col, _("%s '%s' has more than 4 decimal places: round it to at most 4"),
               what, show(v, sb));
    else
        err_at(L, row, col, _("%s '%s' is too large: correct it"), what, show(v, sb));
    return false;
}

/* A copy of v as a string; sets L->oom and returns NULL when out of memory. */
static char *copy(loader *L, span v)
{
    char *s = kh_strndup(v.s, v.n);
    if (!s)
        L->oom = true;
    return s;
}

/* ---- metadata ---- */

/* One metadata row: cells[i..j) of row. */
static void read_meta_row(loader *L, size_t i, size_t j)
{
    const kh_cell *c = L->sheet->cells;
    uint32_t row = c[i].row;
    char sb[SHOW_BUFSZ], wb[48];
    if (c[i].col != 0) {
        err_at(L, row, c[i].col,
               _("metadata row without a key in column A: put the key (id, title, unit_type, "
                 "total, year, grades, quota or issuer) in column A and its value in column B"));
        return;
    }
    span key = trimmed(c[i].text);
    int k = name_index(key, meta_names, NMETA);
    if (k < 0) {
        err_at(L, row, 0,
               _("unknown metadata key '%s': use id, title, unit_type, total, year, grades, "
                 "quota or issuer, or start the header row with item"),
               show(key, sb));
        return;
    }
    if (L->meta[k].seen) {
        err_at(L, row, 0, _("metadata key '%s' is repeated (first on %s %s): keep one of them"),
               meta_names[k], where(L, L->meta[k].row, 0, wb));
        return;
    }
    L->meta[k].seen = true;
    L->meta[k].row = row;
    if (i + 1 < j && c[i + 1].col == 1)
        L->meta[k].value = trimmed(c[i + 1].text);
    else
        err_at(L, row, 1, _("metadata key '%s' has no value: put its value in column B"),
               meta_names[k]);
    for (size_t x = i + 1; x < j; x++) {
        if (c[x].col >= 2) {
            err_at(L, row, c[x].col,
                   _("unexpected cell after the value of '%s': a metadata row holds only a key "
                     "and a value; delete it"),
                   meta_names[k]);
            break;
        }
    }
}

static bool id_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
}

/* Check the metadata values once every metadata row is read. */
static void check_meta(loader *L, kh_dec *total, bool *total_ok)
{
    char sb[SHOW_BUFSZ];
    *total_ok = false;
    meta_entry *id = &L->meta[M_ID];
    if (id->seen && id->value.n) {
        for (size_t i = 0; i < id->value.n; i++) {
            if (!id_char(id->value.s[i])) {
                err_at(L, id->row, 1,
                       _("rubric id '%s' may only hold letters, digits, '-' and '_': rename it "
                         "(for example lingui-2021-township)"),
                       show(id->value, sb));
                break;
            }
        }
    }
    meta_entry *t = &L->meta[M_TOTAL];
    if (t->seen && t->value.n)
        *total_ok = parse_number(L, t->row, 1, "total", t->value, total);
    for (int k = 0; k < NMETA_REQUIRED; k++)
        if (!L->meta[k].seen)
            err_file(L, _("metadata key '%s' is missing: add the row '%s,...' above the header row"),
                     meta_names[k], meta_names[k]);
}

/* ---- header ---- */

/* True when row (cells[i..j)) is the header row: column A holds a column
 * name, or some cell is "item". */
static bool is_header_row(const kh_cell *c, size_t i, size_t j)
{
    if (c[i].col == 0 && name_index(trimmed(c[i].text), col_names, NCOLS) >= 0)
        return true;
    for (size_t x = i; x < j; x++)
        if (span_is(trimmed(c[x].text), "item"))
            return true;
    return false;
}

static void read_header(loader *L, size_t i, size_t j)
{
    const kh_cell *c = L->sheet->cells;
    uint32_t row = c[i].row;
    char sb[SHOW_BUFSZ], cb[8];
    for (int f = 0; f < NCOLS; f++)
        L->col[f] = NO_COL;
    for (size_t x = i; x < j; x++) {
        span name = trimmed(c[x].text);
        int f = name_index(name, col_names, NCOLS);
        if (f < 0)
            err_at(L, row, c[x].col,
                   _("unknown column '%s': the columns are item, points, content, check, label, "
                     "kind, need, per, cap, hint, name and missing; rename or delete it"),
                   show(name, sb));
        else if (L->col[f] != NO_COL)
            err_at(L, row, c[x].col, _("column '%s' appears twice (first in column %s): delete one"),
                   col_names[f], kh_col_name(L->col[f], cb));
        else
            L->col[f] = c[x].col;
    }
    for (int f = 0; f < NCOLS; f++)
        if (col_required[f] && L->col[f] == NO_COL)
            err_at(L, row, c[i].col, _("the header row has no '%s' column: add it"), col_names[f]);
}

/* An optional column that a row needs is absent: say so once, at the header. */
static void need_column(loader *L, int f, const char *why)
{
    if (L->missing_said[f])
        return;
    L->missing_said[f] = true;
    err_at(L, L->hdr_row, 0, _("the header row has no '%s' column, which %s: add it"),
           col_names[f], why);
}

/* ---- check point rows ---- */

/* Field index of sheet column col, -1 for a column ignored (its header is
 * unknown or repeated), -2 for a column without a header. */
static int field_of(const loader *L, uint32_t col)
{
    for (int f = 0; f < NCOLS; f++)
        if (L->col[f] == col)
            return f;
    return kh_sheet_get(L->sheet, L->hdr_row, col) ? -1 : -2;
}

/* Start, continue or (wrongly) resume an item for a check point row.
 * Returns the item index the check point belongs to, or NONE. */
static size_t row_item(loader *L, uint32_t row, const span *v)
{
    kh_rubric *r = L->r;
    char sb[SHOW_BUFSZ], sb2[SHOW_BUFSZ], wb[48];
    kh_dec pts;
    if (!v[C_ITEM].n) {
        err_at(L, row, L->col[C_ITEM],
               _("item number is empty: fill in the item number (the same on every row of one "
                 "item)"));
        return L->cur;
    }
    if (L->cur != NONE && span_eq_str(v[C_ITEM], r->items[L->cur].num)) {
        kh_item *it = &r->items[L->cur];
        item_aux *ax = &L->aux[L->cur];
        if (v[C_POINTS].n && parse_number(L, row, L->col[C_POINTS], "points", v[C_POINTS], &pts) &&
            ax->points_ok && pts != it->points) {
            char a[KH_DEC_BUFSZ], b[KH_DEC_BUFSZ];
            err_at(L, row, L->col[C_POINTS],
                   _("points %s differ from the %s given for item %s on %s %s: give the item's "
                     "points once, on its first row"),
                   kh_dec_format(pts, a), kh_dec_format(it->points, b), show(v[C_ITEM], sb),
                   where(L, ax->row, L->col[C_POINTS], wb));
        }
        if (v[C_CONTENT].n && !span_eq_str(v[C_CONTENT], it->content))
            err_at(L, row, L->col[C_CONTENT],
                   _("the content of item %s belongs on its first row (%s %s) only: move it there "
                     "or delete it"),
                   show(v[C_ITEM], sb), where(L, ax->row, L->col[C_CONTENT], wb));
        if (v[C_NAME].n && !span_eq_str(v[C_NAME], it->name))
            err_at(L, row, L->col[C_NAME],
                   _("the name of item %s belongs on its first row (%s %s) only: move it there "
                     "or delete it"),
                   show(v[C_ITEM], sb), where(L, ax->row, L->col[C_NAME], wb));
        return L->cur;
    }
    const size_t *seen = kh_strset_find(&L->items, v[C_ITEM].s, v[C_ITEM].n);
    if (seen) {
        size_t prev = *seen;
        err_at(L, row, L->col[C_ITEM],
               _("item %s reappears after item %s (it starts on %s %s): keep all rows of one item "
                 "together"),
               show(v[C_ITEM], sb), show(trimmed(r->items[L->cur].num), sb2),
               where(L, L->aux[prev].row, L->col[C_ITEM], wb));
        return prev;
    }

    /* A new item. */
    if (!kh_grow((void **)&r->items, &L->itemcap, r->nitems + 1, sizeof *r->items) ||
        !kh_grow((void **)&L->aux, &L->auxcap, r->nitems + 1, sizeof *L->aux)) {
        L->oom = true;
        return NONE;
    }
    kh_item *it = &r->items[r->nitems];
    *it = (kh_item){.first = r->ncps};
    L->aux[r->nitems] = (item_aux){.row = row};
    if (!(it->num = copy(L, v[C_ITEM])))
        return NONE;
    if ((v[C_CONTENT].n && !(it->content = copy(L, v[C_CONTENT]))) ||
        (v[C_NAME].n && !(it->name = copy(L, v[C_NAME])))) {
        kh_free(it->num);
        kh_free(it->content);
        return NONE;
    }
    if (!kh_strset_add(&L->items, it->num, r->nitems)) {
        kh_free(it->num);
        kh_free(it->content);
        kh_free(it->name);
        L->oom = true;
        return NONE;
    }
    size_t idx = r->nitems++;
    L->cur = idx;

    if (L->col[C_POINTS] == NO_COL) {
        need_column(L, C_POINTS, _("every item needs on its first row"));
    } else if (!v[C_POINTS].n) {
        err_at(L, row, L->col[C_POINTS],
               _("item %s has no points on its first row: put the item's full points in the "
                 "points column"),
               show(v[C_ITEM], sb));
    } else if (parse_number(L, row, L->col[C_POINTS], "points", v[C_POINTS], &pts)) {
        if (pts <= 0) {
            err_at(L, row, L->col[C_POINTS],
                   _("points %s of item %s must be greater than 0: correct them"),
                   show(v[C_POINTS], sb), show(v[C_ITEM], sb2));
        } else {
            it->points = pts;
            L->aux[idx].points_ok = true;
        }
    }
    if (L->col[C_CONTENT] == NO_COL)
        need_column(L, C_CONTENT, _("every item needs on its first row"));
    else if (!v[C_CONTENT].n)
        err_at(L, row, L->col[C_CONTENT],
               _("item %s has no content on its first row: copy the item's full text (督查内容) "
                 "into the content column"),
               show(v[C_ITEM], sb));
    return idx;
}

/* Validate the kind-dependent numbers of a check point row into cp. */
static void row_numbers(loader *L, uint32_t row, const span *v, bool kind_ok, kh_checkpoint *cp)
{
    char sb[SHOW_BUFSZ];
    const char *kn = kind_ok ? kh_kind_name(cp->kind) : NULL;
    bool uses_need = kind_ok && cp->kind == KH_KIND_COUNT;
    bool uses_per = kind_ok && cp->kind <= KH_KIND_EACH;
    bool no_per_cap = kind_ok && cp->kind >= KH_KIND_ANY;
    kh_dec x;

    /* need */
    if (v[C_NEED].n && kind_ok && !uses_need) {
        err_at(L, row, L->col[C_NEED], _("need is only for count check points, not %s: clear it"),
               kn);
    } else if (v[C_NEED].n) {
        if (parse_number(L, row, L->col[C_NEED], "need", v[C_NEED], &x)) {
            if (!kh_dec_is_int(x) || x < KH_DEC_INT(1))
                err_at(L, row, L->col[C_NEED],
                       _("need %s must be a whole number of at least 1: correct it"),
                       show(v[C_NEED], sb));
            else
                cp->need = x / KH_DEC_SCALE;
        }
    } else if (uses_need) {
        if (L->col[C_NEED] == NO_COL)
            need_column(L, C_NEED, _("count check points need"));
        else
            err_at(L, row, L->col[C_NEED],
                   _("a count check point needs 'need', the number required (e.g. 2): fill it "
                     "in"));
    }

    /* per */
    if (v[C_PER].n && no_per_cap) {
        err_at(L, row, L->col[C_PER], _("per is not used by %s check points: clear it"), kn);
    } else if (v[C_PER].n) {
        if (parse_number(L, row, L->col[C_PER], "per", v[C_PER], &x)) {
            if (x <= 0)
                err_at(L, row, L->col[C_PER], _("per %s must be greater than 0: correct it"),
                       show(v[C_PER], sb));
            else
                cp->per = x;
        }
    } else if (uses_per) {
        if (L->col[C_PER] == NO_COL)
            need_column(L, C_PER, _("has, count and each check points need"));
        else
            err_at(L, row, L->col[C_PER],
                   _("a %s check point needs 'per', the deduction per %s: fill it in"), kn,
                   cp->kind == KH_KIND_HAS     ? _("missing thing")
                   : cp->kind == KH_KIND_COUNT ? _("shortfall")
                                               : _("occurrence"));
    }

    /* cap */
    if (v[C_CAP].n && no_per_cap) {
        err_at(L, row, L->col[C_CAP], _("cap is not used by %s check points: clear it"), kn);
    } else if (v[C_CAP].n) {
        if (parse_number(L, row, L->col[C_CAP], "cap", v[C_CAP], &x)) {
            if (x <= 0) {
                err_at(L, row, L->col[C_CAP],
                       _("cap %s must be greater than 0: correct it or leave the cell empty"),
                       show(v[C_CAP], sb));
            } else {
                cp->cap = x;
                cp->has_cap = true;
            }
        }
    }
}

/* One check point row: cells[i..j) of row. */
static void read_cp_row(loader *L, size_t i, size_t j)
{
    const kh_cell *c = L->sheet->cells;
    uint32_t row = c[i].row;
    span v[NCOLS] = {{0}};
    const kh_cell *cell[NCOLS] = {0};
    bool any = false;
    char sb[SHOW_BUFSZ], wb[48];

    for (size_t x = i; x < j; x++) {
        int f = field_of(L, c[x].col);
        if (f >= 0) {
            v[f] = trimmed(c[x].text);
            cell[f] = &c[x];
            any = true;
        } else if (f == -2) {
            err_at(L, row, c[x].col,
                   _("this cell's column has no header: name the column or clear the cell"));
        }
    }
    if (!any)
        return;
    L->nrows++;

    size_t item = row_item(L, row, v);
    if (L->oom)
        return;

    kh_rubric *r = L->r;
    if (!kh_grow((void **)&r->cps, &L->cpcap, r->ncps + 1, sizeof *r->cps)) {
        L->oom = true;
        return;
    }
    kh_checkpoint *cp = &r->cps[r->ncps++];
    *cp = (kh_checkpoint){.item = item, .line = (long)row + 1};
    if (item != NONE && item == r->nitems - 1 && item == L->cur)
        r->items[item].ncps++;

    /* check id */
    if (!v[C_CHECK].n) {
        err_at(L, row, L->col[C_CHECK],
               _("check point id is empty: give every row a check id such as 7.2"));
    } else {
        const size_t *seen = kh_strset_find(&L->cps, v[C_CHECK].s, v[C_CHECK].n);
        if (seen) {
            size_t first = *seen;
            if (cell[C_CHECK]->type == KH_CELL_NUMBER && memchr(v[C_CHECK].s, '.', v[C_CHECK].n))
                err_at(L, row, L->col[C_CHECK],
                       _("check point '%s' is already defined on %s %s: give each check point its "
                         "own id (if you typed %s0, the spreadsheet made it the number %s: "
                         "format the check column as text and type it again)"),
                       show(v[C_CHECK], sb), where(L, (uint32_t)(r->cps[first].line - 1),
                                                   L->col[C_CHECK], wb), sb, sb);
            else
                err_at(L, row, L->col[C_CHECK],
                       _("check point '%s' is already defined on %s %s: give each check point its "
                         "own id"),
                       show(v[C_CHECK], sb), where(L, (uint32_t)(r->cps[first].line - 1),
                                                   L->col[C_CHECK], wb));
        } else {
            if (!(cp->id = copy(L, v[C_CHECK])))
                return;
            if (!kh_strset_add(&L->cps, cp->id, r->ncps - 1)) {
                L->oom = true;
                return;
            }
        }
    }

    /* label, hint */
    if (!v[C_LABEL].n)
        err_at(L, row, L->col[C_LABEL],
               _("the label is empty: write the short text inspectors see (e.g. 签到单)"));
    else if (!(cp->label = copy(L, v[C_LABEL])))
        return;
    if (v[C_HINT].n && !(cp->hint = copy(L, v[C_HINT])))
        return;
    if (v[C_MISSING].n && !(cp->missing = copy(L, v[C_MISSING])))
        return;

    /* kind */
    bool kind_ok = false;
    if (!v[C_KIND].n) {
        err_at(L, row, L->col[C_KIND], _("the kind is empty: use has, count, each, any or veto"));
    } else {
        int k = name_index(v[C_KIND], kind_names, (int)KH_ARRAY_LEN(kind_names));
        if (k < 0)
            err_at(L, row, L->col[C_KIND],
                   _("kind '%s' is not one of has, count, each, any, veto: correct the kind"),
                   show(v[C_KIND], sb));
        else {
            cp->kind = (kh_kind)k;
            kind_ok = true;
        }
    }
    row_numbers(L, row, v, kind_ok, cp);
    if (cp->missing && kind_ok && cp->kind != KH_KIND_HAS)
        err_at(L, row, L->col[C_MISSING],
               _("missing is only for has check points, not %s: clear it"),
               kh_kind_name(cp->kind));
}

/* ---- the whole grid ---- */

/* End (exclusive) of the row starting at cell i. */
static size_t row_end(const kh_sheet *s, size_t i)
{
    size_t j = i;
    while (j < s->ncells && s->cells[j].row == s->cells[i].row)
        j++;
    return j;
}

static void check_utf8(loader *L)
{
    for (size_t i = 0; i < L->sheet->ncells; i++) {
        const kh_cell *c = &L->sheet->cells[i];
        size_t off;
        if (!kh_utf8_valid(c->text, strlen(c->text), &off))
            err_at(L, c->row, c->col,
                   _("this cell is not valid UTF-8 text (byte %zu): save the file as UTF-8 "
                     "(in Excel: CSV UTF-8)"),
                   off + 1);
    }
}

void kh_rubric_free(kh_rubric *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nitems; i++) {
        kh_free(r->items[i].num);
        kh_free(r->items[i].content);
        kh_free(r->items[i].name);
    }
    for (size_t i = 0; i < r->ncps; i++) {
        kh_free(r->cps[i].id);
        kh_free(r->cps[i].label);
        kh_free(r->cps[i].hint);
        kh_free(r->cps[i].missing);
    }
    kh_grades_free(r->grades, r->ngrades);
    kh_free(r->year);
    kh_free(r->issuer);
    kh_free(r->items);
    kh_free(r->cps);
    kh_free(r->id);
    kh_free(r->title);
    kh_free(r->unit_type);
    kh_free(r->path);
    kh_free(r);
}

kh_status kh_rubric_from_sheet(const kh_sheet *sheet, const char *path, bool is_xlsx,
                               kh_rubric **out, kh_diags *d)
{
    *out = NULL;
    loader L = {.sheet = sheet, .path = path, .is_xlsx = is_xlsx, .d = d,
                .hdr_row = NO_COL, .cur = NONE};
    for (int f = 0; f < NCOLS; f++)
        L.col[f] = NO_COL;
    if (!(L.r = kh_calloc(1, sizeof *L.r)))
        return KH_ERR_NOMEM;

    check_utf8(&L);

    /* Find the header row first: metadata rows are the rows above it. */
    const kh_cell *c = sheet->cells;
    size_t hdr = NONE;
    for (size_t i = 0; i < sheet->ncells; i = row_end(sheet, i)) {
        if (is_header_row(c, i, row_end(sheet, i))) {
            hdr = i;
            break;
        }
    }
    size_t i = 0;
    for (; i < sheet->ncells && i != hdr; i = row_end(sheet, i)) {
        size_t j = row_end(sheet, i);
        if (hdr == NONE && c[j - 1].col >= 2) {
            /* Without a header, a wide row is where check points begin. */
            err_at(&L, c[i].row, c[i].col,
                   _("no header row above the check points: add the row "
                     "item,points,content,check,label,kind,need,per,cap,hint after the metadata"));
            break;
        }
        read_meta_row(&L, i, j);
    }
    if (hdr == NONE && i >= sheet->ncells)
        err_file(&L, _("no header row and no check points: add the row "
                       "item,points,content,check,label,kind,need,per,cap,hint after the "
                       "metadata, then one row per check point"));
    kh_dec total = 0;
    bool total_ok;
    check_meta(&L, &total, &total_ok);

    if (hdr != NONE) {
        L.hdr_row = c[hdr].row;
        read_header(&L, hdr, row_end(sheet, hdr));
        bool header_usable = true;
        for (int f = 0; f < NCOLS; f++)
            if (col_required[f] && L.col[f] == NO_COL)
                header_usable = false;
        size_t rows = 0;
        for (i = row_end(sheet, hdr); i < sheet->ncells && !L.oom; i = row_end(sheet, i)) {
            rows++;
            if (header_usable)
                read_cp_row(&L, i, row_end(sheet, i));
        }
        if (header_usable ? L.nrows == 0 : rows == 0)
            err_at(&L, L.hdr_row, c[hdr].col,
                   _("no check points after the header row: add one row per check point"));
    }

    /* The total must be the sum of the item points. */
    if (!L.oom && total_ok && L.r->nitems) {
        bool all = true, over = false;
        kh_dec sum = 0;
        for (size_t k = 0; k < L.r->nitems; k++) {
            all = all && L.aux[k].points_ok;
            over = over || !kh_dec_add(sum, L.r->items[k].points, &sum);
        }
        char a[KH_DEC_BUFSZ], b[KH_DEC_BUFSZ];
        if (all && over)
            err_at(&L, L.meta[M_TOTAL].row, 1,
                   _("the item points add up to more than kaohe can count: correct them"));
        else if (all && sum != total)
            err_at(&L, L.meta[M_TOTAL].row, 1,
                   _("total %s does not equal the sum of the item points, %s: correct the total "
                     "or the items' points"),
                   kh_dec_format(total, a), kh_dec_format(sum, b));
    }

    /* Grades and quotas, once the total is known. */
    meta_entry *gm = &L.meta[M_GRADES], *qm = &L.meta[M_QUOTA];
    if (qm->seen && !gm->seen)
        err_at(&L, qm->row, 0, _("quota without grades: add a grades row, or delete the quota"));
    if (gm->seen && gm->value.n && !L.oom) {
        char *bands = copy(&L, gm->value);
        char *quota = qm->seen && qm->value.n ? copy(&L, qm->value) : NULL;
        const char *why = NULL;
        bool in_quota = false;
        char arg[SHOW_BUFSZ] = "";
        if (bands && (quota || !(qm->seen && qm->value.n)) &&
            !kh_grades_parse(bands, quota, total_ok ? total : INT64_MAX, &L.r->grades,
                             &L.r->ngrades, &why, &in_quota, arg, sizeof arg)) {
            if (!why)
                L.oom = true;
            else
                err_at(&L, in_quota ? qm->row : gm->row, 1, why, arg);
        }
        kh_free(bands);
        kh_free(quota);
    }

    kh_status st = KH_OK;
    if (L.oom) {
        st = KH_ERR_NOMEM;
    } else if (L.nerr) {
        st = KH_ERR_RUBRIC;
    } else {
        kh_rubric *r = L.r;
        r->total = total;
        if (!(r->id = copy(&L, L.meta[M_ID].value)) ||
            !(r->title = copy(&L, L.meta[M_TITLE].value)) ||
            !(r->unit_type = copy(&L, L.meta[M_UNIT_TYPE].value)) ||
            (L.meta[M_YEAR].value.n && !(r->year = copy(&L, L.meta[M_YEAR].value))) ||
            (L.meta[M_ISSUER].value.n && !(r->issuer = copy(&L, L.meta[M_ISSUER].value))) ||
            !(r->path = kh_strdup(path ? path : "")))
            st = KH_ERR_NOMEM;
    }
    kh_strset_free(&L.items);
    kh_strset_free(&L.cps);
    kh_free(L.aux);
    if (st == KH_OK)
        *out = L.r;
    else
        kh_rubric_free(L.r);
    return st;
}

/* ---- grades ---- */

void kh_grades_free(kh_grade *g, size_t n)
{
    for (size_t i = 0; g && i < n; i++)
        kh_free(g[i].name);
    kh_free(g);
}

/* The next piece of s up to ";" or "；" (trimmed of ASCII and full-width
 * spaces), advancing *s; false at the end. */
static bool next_piece(const char **s, span *out)
{
    if (!**s)
        return false;
    const char *p = *s, *end = p;
    size_t skip = 0;
    for (;; end++) {
        if (!*end)
            break;
        if (*end == ';') {
            skip = 1;
            break;
        }
        if (strncmp(end, "；", strlen("；")) == 0) {
            skip = strlen("；");
            break;
        }
    }
    *s = end + skip;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *out = (span){p, (size_t)(end - p)};
    return true;
}

/* Copy v into arg (cut to fit). */
static void put_arg(char *arg, size_t argsz, span v)
{
    size_t n = v.n < argsz - 1 ? v.n : argsz - 1;
    memcpy(arg, v.s, n);
    arg[n] = '\0';
}

/* Find "op" (">=" or "<=", also "≥" "≤") in v: the name before it and the
 * rest after, trimmed. */
static bool split_op(span v, bool ge, span *name, span *rest)
{
    const char *ops[2] = {ge ? ">=" : "<=", ge ? "≥" : "≤"};
    for (size_t i = 0; i < v.n; i++) {
        for (int k = 0; k < 2; k++) {
            size_t ol = strlen(ops[k]);
            if (i + ol <= v.n && memcmp(v.s + i, ops[k], ol) == 0) {
                *name = (span){v.s, i};
                *rest = (span){v.s + i + ol, v.n - i - ol};
                while (name->n && name->s[name->n - 1] == ' ')
                    name->n--;
                while (rest->n && rest->s[0] == ' ')
                    rest->s++, rest->n--;
                return true;
            }
        }
    }
    return false;
}

bool kh_grades_parse(const char *bands, const char *quota, kh_dec total, kh_grade **out,
                     size_t *n, const char **why, bool *in_quota, char *arg, size_t argsz)
{
    *out = NULL;
    *n = 0;
    *why = NULL;
    *in_quota = false;
    kh_grade *g = NULL;
    size_t ng = 0, cap = 0;
    span piece, name, rest;
    const char *s = bands;
    bool last_bare = false;
    while (next_piece(&s, &piece)) {
        if (!piece.n)
            continue;
        put_arg(arg, argsz, piece);
        if (last_bare) {
            *why = _("grade band '%s' follows a band without a bound: only the last band is a "
                     "bare name (e.g. 优秀>=36;良好>=32;合格>=24;不合格)");
            goto bad;
        }
        if (!kh_grow((void **)&g, &cap, ng + 1, sizeof *g))
            goto bad;
        kh_grade *b = &g[ng];
        *b = (kh_grade){0};
        kh_dec min = 0;
        if (split_op(piece, true, &name, &rest)) {
            if (!name.n || !kh_dec_parse_n(rest.s, rest.n, &min) || min < 0) {
                *why = _("grade band '%s' is not NAME>=SCORE: write the bands from the top, e.g. "
                         "优秀>=36;良好>=32;合格>=24;不合格");
                goto bad;
            }
            if (min > total) {
                *why = _("grade band '%s' asks for more than the rubric's total: correct its "
                         "bound");
                goto bad;
            }
            if (ng && min >= g[ng - 1].min) {
                *why = _("the bound of grade band '%s' is not below the band above it: write the "
                         "bands from the top, each bound lower");
                goto bad;
            }
        } else {
            name = piece;
            last_bare = true;
        }
        for (size_t k = 0; k < ng; k++) {
            if (strlen(g[k].name) == name.n && memcmp(g[k].name, name.s, name.n) == 0) {
                put_arg(arg, argsz, name);
                *why = _("grade '%s' is named twice: give each band its own name");
                goto bad;
            }
        }
        if (!(b->name = kh_strndup(name.s, name.n)))
            goto bad;
        b->min = min;
        ng++;
    }
    if (!last_bare || ng < 2) {
        put_arg(arg, argsz, (span){bands, strlen(bands)});
        *why = _("grades '%s' need at least two bands, the last a bare name taking every other "
                 "unit (e.g. 优秀>=36;良好>=32;合格>=24;不合格)");
        goto bad;
    }
    *in_quota = true;
    for (s = quota ? quota : ""; next_piece(&s, &piece);) {
        if (!piece.n)
            continue;
        put_arg(arg, argsz, piece);
        kh_dec pct;
        if (!split_op(piece, false, &name, &rest) || !rest.n || rest.s[rest.n - 1] != '%' ||
            !kh_dec_parse_n(rest.s, rest.n - 1, &pct) || !kh_dec_is_int(pct) || pct < 0 ||
            pct > KH_DEC_INT(100)) {
            *why = _("quota '%s' is not NAME<=PERCENT%%: e.g. 优秀<=30%% (a whole number of per "
                     "cent)");
            goto bad;
        }
        size_t k = 0;
        while (k < ng && !(strlen(g[k].name) == name.n && memcmp(g[k].name, name.s, name.n) == 0))
            k++;
        if (k == ng) {
            *why = _("quota '%s' names no grade band: use one of the names in grades");
            goto bad;
        }
        if (k == ng - 1) {
            *why = _("quota '%s' is on the last band, which takes every other unit: delete it");
            goto bad;
        }
        g[k].has_quota = true;
        g[k].quota = (unsigned)(pct / KH_DEC_SCALE);
    }
    *in_quota = false;
    *out = g;
    *n = ng;
    return true;
bad:
    kh_grades_free(g, ng);
    return false;
}

/* ---- files ---- */

kh_status kh_rubric_load(const char *path, kh_rubric **out, kh_diags *d)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("cannot open the rubric file: %s: check the name and folder"),
                     strerror(errno));
        return KH_ERR_IO;
    }
    fclose(f);
    kh_sheet *sheet = NULL;
    kh_sheetfile_kind kind = KH_SHEETFILE_CSV;
    kh_status st = kh_sheetfile_read_first(path, &sheet, &kind, d);
    bool is_xlsx = kind != KH_SHEETFILE_CSV; /* cells named like B7, not lines */
    if (st == KH_OK)
        st = kh_rubric_from_sheet(sheet, path, is_xlsx, out, d);
    else if (st == KH_ERR_INPUT || st == KH_ERR_LIMIT)
        st = KH_ERR_RUBRIC;
    kh_sheet_free(sheet);
    if (st == KH_OK) {
        kh_digest dg;
        kh_file_digest(path, &dg);
        if (dg.ok)
            memcpy((*out)->sha256, dg.sha256, sizeof dg.sha256);
    }
    return st;
}

kh_status kh_rubric_check_file(const char *path, kh_diags *d)
{
    kh_rubric *r = NULL;
    kh_status st = kh_rubric_load(path, &r, d);
    kh_rubric_free(r);
    return st;
}

long kh_rubric_find_cp(const kh_rubric *r, const char *id)
{
    for (size_t i = 0; i < r->ncps; i++)
        if (strcmp(r->cps[i].id, id) == 0)
            return (long)i;
    return -1;
}

const char *kh_rubric_id(const kh_rubric *r) { return r->id; }
const char *kh_rubric_title(const kh_rubric *r) { return r->title; }
const char *kh_rubric_unit_type(const kh_rubric *r) { return r->unit_type; }
const char *kh_rubric_path(const kh_rubric *r) { return r->path; }

const char *kh_rubric_name(const kh_rubric *r)
{
    if (r->unit_type && *r->unit_type)
        return r->unit_type;
    return r->title && *r->title ? r->title : r->id;
}

char *kh_rubric_district(const kh_rubric *r)
{
    const char *t = r->title ? r->title : "";
    const char *at = NULL;
    if (r->year && *r->year) {
        at = strstr(t, r->year);
    } else {
        /* No year given: the first four digits followed by 年. */
        for (const char *p = t; *p && !at; p++)
            if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
                p[2] <= '9' && p[3] >= '0' && p[3] <= '9' && strncmp(p + 4, "年", 3) == 0)
                at = p;
    }
    size_t n = at ? (size_t)(at - t) : 0;
    /* A place, not a sentence: at most 20 characters, no ASCII but
     * letters, ending in the name of an administrative division (临桂区,
     * 桂林市临桂区, 某某自治县, 某某旗). */
    static const char *const ends[] = {"省", "市", "区", "县", "旗", "州", "盟"};
    bool ok = n >= 3 && n <= 60;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c < 0x80 && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            ok = false;
    }
    bool place = false;
    for (size_t i = 0; ok && i < KH_ARRAY_LEN(ends) && !place; i++)
        place = strncmp(t + n - 3, ends[i], 3) == 0;
    return kh_strndup(t, ok && place ? n : 0);
}

/* ---- description for people ---- */

/* Columns a code point takes on a terminal: 2 for CJK and full-width forms. */
static int cp_width(unsigned cp)
{
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

/* Closing punctuation a line should not start with (it may overhang). */
static bool closing_punct(unsigned cp)
{
    static const unsigned v[] = {0xFF09, 0x3002, 0xFF0C, 0x3001, 0xFF1B, 0xFF1A, 0x201D,
                                 0x300D, 0x300F, 0x300B, 0x3011, 0xFF01, 0xFF1F, ')', ',', '.'};
    for (size_t i = 0; i < KH_ARRAY_LEN(v); i++)
        if (v[i] == cp)
            return true;
    return false;
}

/* Append text wrapped at width columns, each line indented by indent
 * spaces; closing punctuation stays on its line (up to 2 columns over). */
static void put_wrapped(kh_buf *b, const char *text, int indent, int width)
{
    int col = 0;
    for (const char *p = text; *p;) {
        unsigned cp;
        size_t n = kh_utf8_decode(p, &cp);
        if (cp == '\n' || cp == '\r') {
            col = 0;
            kh_buf_putc(b, '\n');
            p += n;
            continue;
        }
        int w = cp_width(cp);
        if (col == 0) {
            for (int k = 0; k < indent; k++)
                kh_buf_putc(b, ' ');
            col = indent;
        } else if (col + w > width && !(closing_punct(cp) && col + w <= width + 2)) {
            kh_buf_putc(b, '\n');
            for (int k = 0; k < indent; k++)
                kh_buf_putc(b, ' ');
            col = indent;
        }
        kh_buf_add(b, p, n);
        col += w;
        p += n;
    }
    if (col)
        kh_buf_putc(b, '\n');
}

/* The rule of a check point in words, e.g. "count: need 2, each short costs 0.2". */
static void put_rule(kh_buf *b, const kh_rubric *r, const kh_checkpoint *cp)
{
    char x[KH_DEC_BUFSZ];
    switch (cp->kind) {
    case KH_KIND_HAS:
        kh_buf_printf(b, T_("has: missing costs %s"), kh_dec_format(cp->per, x));
        break;
    case KH_KIND_COUNT:
        kh_buf_printf(b, T_("count: need %lld, each short costs %s"), (long long)cp->need,
                      kh_dec_format(cp->per, x));
        break;
    case KH_KIND_EACH:
        kh_buf_printf(b, T_("each: each costs %s"), kh_dec_format(cp->per, x));
        break;
    case KH_KIND_ANY:
        kh_buf_printf(b, T_("any: any at all costs the item's %s points"),
                      kh_dec_format(r->items[cp->item].points, x));
        break;
    case KH_KIND_VETO:
        kh_buf_printf(b, T_("veto: any at all costs the item's %s points and vetoes the unit (一票否决)"),
                      kh_dec_format(r->items[cp->item].points, x));
        break;
    }
    if (cp->has_cap)
        kh_buf_printf(b, T_(", at most %s"), kh_dec_format(cp->cap, x));
}

kh_status kh_rubric_describe(const kh_rubric *r, FILE *out)
{
    kh_buf b = {0};
    char x[KH_DEC_BUFSZ];
    kh_buf_printf(&b, "%s\n", r->title);
    kh_buf_printf(&b, T_("  id:        %s\n"), r->id);
    kh_buf_printf(&b, T_("  unit type: %s\n"), r->unit_type);
    kh_buf_printf(&b, T_("  total:     %s points in %zu items, %zu check points\n"),
                  kh_dec_format(r->total, x), r->nitems, r->ncps);
    if (r->path && *r->path)
        kh_buf_printf(&b, T_("  file:      %s\n"), r->path);
    size_t idw = 0;
    for (size_t i = 0; i < r->ncps; i++)
        if (strlen(r->cps[i].id) > idw)
            idw = strlen(r->cps[i].id);
    for (size_t i = 0; i < r->nitems; i++) {
        const kh_item *it = &r->items[i];
        if (it->points == KH_DEC_INT(1))
            kh_buf_printf(&b, T_("\nItem %s, 1 point\n"), it->num);
        else
            kh_buf_printf(&b, T_("\nItem %s, %s points\n"), it->num, kh_dec_format(it->points, x));
        put_wrapped(&b, it->content, 4, 74);
        for (size_t k = it->first; k < it->first + it->ncps; k++) {
            const kh_checkpoint *cp = &r->cps[k];
            kh_buf_printf(&b, "  %-*s  %s  (", (int)idw, cp->id, cp->label);
            put_rule(&b, r, cp);
            kh_buf_puts(&b, ")\n");
            if (cp->hint) {
                /* Wrapped like the content: hints can be long. */
                kh_buf h = {0};
                kh_buf_printf(&h, T_("hint: %s"), cp->hint);
                if (h.oom)
                    b.oom = true;
                else
                    put_wrapped(&b, kh_buf_str(&h), 2 + (int)idw + 2, 74);
                kh_buf_free(&h);
            }
        }
    }
    if (b.oom) {
        kh_buf_free(&b);
        return KH_ERR_NOMEM;
    }
    size_t len = b.len, w = fwrite(kh_buf_str(&b), 1, len, out);
    kh_buf_free(&b);
    if (w != len || ferror(out))
        return KH_ERR_IO;
    return KH_OK;
}
