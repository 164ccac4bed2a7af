/*
 * roster.c - reading a roster (单位名单, doc/formats.md §6): a table whose
 * header row has 被考核单位 and 考核细则 (a rubric id) or 单位类型 (a rubric's
 * unit type), and optionally 序号; one unit per row below it.  The file is
 * a CSV or a workbook's first sheet, opened by sheetfile.c.  Every problem
 * is reported with its cell or line, and a roster with any is refused.
 */
#include "roster.h"
#include "sheetfile.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

enum { R_SEQ, R_UNIT, R_RUBRIC, R_TYPE, NRCOLS };
static const char *const rcol_names[NRCOLS] = {"序号", "被考核单位", "考核细则", "单位类型"};

/* A problem at a cell of a workbook, or a line of a CSV file. */
static void __attribute__((format(printf, 6, 7)))
err(kh_diags *d, const char *path, bool cells, uint32_t row, uint32_t col, const char *fmt, ...)
{
    char ref[KH_CELLREF_BUFSZ];
    va_list ap;
    va_start(ap, fmt);
    if (cells)
        kh_diags_vadd(d, KH_ERROR, path, NULL, kh_cell_ref(row, col, ref), 0, fmt, ap);
    else
        kh_diags_vadd(d, KH_ERROR, path, NULL, NULL, (long)row + 1, fmt, ap);
    va_end(ap);
}

/* The column of header text t, or -1. */
static int rcol_of(const char *t)
{
    char *n = kh_norm_header(t);
    int f = -1;
    for (int i = 0; n && i < NRCOLS; i++)
        if (strcmp(n, rcol_names[i]) == 0)
            f = i;
    kh_free(n);
    return f;
}

static int by_seq(const void *pa, const void *pb)
{
    const kh_roster_entry *a = pa, *b = pb;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

void kh_roster_free(kh_roster *ro)
{
    if (!ro)
        return;
    for (size_t i = 0; i < ro->n; i++)
        kh_free(ro->v[i].unit);
    kh_free(ro->v);
    kh_free(ro->path);
    kh_free(ro);
}

/* The rubric of unit type t, when exactly one loaded rubric has it. */
static const kh_rubric *rubric_of_type(const kh_registry *reg, const char *t, size_t *nfound)
{
    const kh_rubric *found = NULL;
    *nfound = 0;
    for (size_t i = 0; i < kh_registry_count(reg); i++) {
        const kh_rubric *r = kh_registry_at(reg, i);
        if (strcmp(r->unit_type, t) == 0) {
            found = r;
            (*nfound)++;
        }
    }
    return *nfound == 1 ? found : NULL;
}

kh_status kh_roster_load(const char *path, const kh_registry *reg, kh_roster **out, kh_diags *d)
{
    *out = NULL;
    kh_sheet *s = NULL;
    kh_sheetfile_kind kind = KH_SHEETFILE_CSV;
    kh_status st = kh_sheetfile_read_first(path, &s, &kind, d);
    if (st != KH_OK)
        return st == KH_ERR_NOMEM ? st : KH_ERR_INPUT;
    bool cells = kind != KH_SHEETFILE_CSV;
    size_t nerr0 = d->n;
    kh_roster *ro = kh_calloc(1, sizeof *ro);
    if (!ro || !(ro->path = kh_strdup(path))) {
        kh_free(ro);
        kh_sheet_free(s);
        return KH_ERR_NOMEM;
    }
    size_t cap = 0;
    /* The header: the first row with a 被考核单位 cell. */
    uint32_t col[NRCOLS];
    size_t i = 0, hdr_end = s->ncells;
    uint32_t hdr_row = UINT32_MAX;
    while (i < s->ncells) {
        size_t j = i;
        while (j < s->ncells && s->cells[j].row == s->cells[i].row)
            j++;
        for (size_t k = i; k < j; k++)
            if (rcol_of(s->cells[k].text) == R_UNIT)
                hdr_row = s->cells[i].row;
        if (hdr_row != UINT32_MAX) {
            for (int f = 0; f < NRCOLS; f++)
                col[f] = UINT32_MAX;
            for (size_t k = i; k < j; k++) {
                int f = rcol_of(s->cells[k].text);
                if (f >= 0 && col[f] == UINT32_MAX)
                    col[f] = s->cells[k].col;
            }
            hdr_end = j;
            break;
        }
        i = j;
    }
    if (hdr_row == UINT32_MAX) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this roster has no header row: put 被考核单位 and 考核细则 (or 单位类型) "
                       "at the top of their columns, with 序号 if the units have an official "
                       "order"));
        st = KH_ERR_INPUT;
        goto done;
    }
    if (col[R_RUBRIC] == UINT32_MAX && col[R_TYPE] == UINT32_MAX) {
        err(d, path, cells, hdr_row, col[R_UNIT],
            _("the roster says no rubric: add a 考核细则 column (a rubric id such as %s) or a "
              "单位类型 column (乡镇, 区直单位部门)"),
            kh_registry_count(reg) ? kh_registry_at(reg, 0)->id : "lingui-2020-township");
        st = KH_ERR_INPUT;
        goto done;
    }
    for (i = hdr_end; i < s->ncells;) {
        size_t j = i;
        while (j < s->ncells && s->cells[j].row == s->cells[i].row)
            j++;
        uint32_t row = s->cells[i].row;
        const char *v[NRCOLS] = {0};
        for (size_t k = i; k < j; k++)
            for (int f = 0; f < NRCOLS; f++)
                if (s->cells[k].col == col[f])
                    v[f] = s->cells[k].text;
        i = j;
        if (!v[R_UNIT]) {
            if (v[R_RUBRIC] || v[R_TYPE])
                err(d, path, cells, row, col[R_UNIT],
                    _("this row has no unit name: fill in 被考核单位 or delete the row"));
            continue;
        }
        char *unit = kh_clean_name(v[R_UNIT]);
        if (!unit) {
            st = KH_ERR_NOMEM;
            goto done;
        }
        const kh_rubric *r = NULL;
        if (v[R_RUBRIC]) {
            r = kh_registry_find(reg, v[R_RUBRIC]);
            if (!r)
                err(d, path, cells, row, col[R_RUBRIC],
                    _("unknown rubric '%s': use an id that 'kaohe rubric list' shows"),
                    v[R_RUBRIC]);
        } else if (v[R_TYPE]) {
            size_t nfound;
            r = rubric_of_type(reg, v[R_TYPE], &nfound);
            if (!r && nfound == 0)
                err(d, path, cells, row, col[R_TYPE],
                    _("no rubric is for units of type '%s': use the type a rubric gives "
                      "('kaohe rubric list'), or a 考核细则 column"),
                    v[R_TYPE]);
            else if (!r)
                err(d, path, cells, row, col[R_TYPE],
                    _("several rubrics are for units of type '%s': name the rubric in a 考核细则 "
                      "column instead"),
                    v[R_TYPE]);
        } else {
            err(d, path, cells, row, col[R_RUBRIC] != UINT32_MAX ? col[R_RUBRIC] : col[R_TYPE],
                _("unit %s has no rubric on its row: fill in 考核细则 or 单位类型"), unit);
        }
        long seq = (long)row;
        if (v[R_SEQ]) {
            char *end;
            long n = strtol(v[R_SEQ], &end, 10);
            if (end == v[R_SEQ] || *end || n < 0)
                err(d, path, cells, row, col[R_SEQ],
                    _("序号 '%s' is not a whole number: write the unit's place in the official "
                      "order (1, 2, 3 ...)"),
                    v[R_SEQ]);
            else if (n == 0)
                err(d, path, cells, row, col[R_SEQ],
                    _("序号 0 is not a place in the official order: number the units from 1 "
                      "(1, 2, 3 ...)"));
            else
                seq = n;
        } else if (col[R_SEQ] != UINT32_MAX) {
            err(d, path, cells, row, col[R_SEQ],
                _("unit %s has no 序号: fill it in, as the other rows have"), unit);
        }
        if (r && kh_roster_find(ro, unit, r) >= 0) {
            err(d, path, cells, row, col[R_UNIT],
                _("unit %s is on the roster twice for the same rubric: delete one of the rows"),
                unit);
            r = NULL;
        }
        if (!r) {
            kh_free(unit);
            continue;
        }
        if (!kh_grow((void **)&ro->v, &cap, ro->n + 1, sizeof *ro->v)) {
            kh_free(unit);
            st = KH_ERR_NOMEM;
            goto done;
        }
        ro->v[ro->n++] = (kh_roster_entry){unit, r, seq, row};
    }
    if (d->oom) {
        st = KH_ERR_NOMEM;
    } else if (d->n > nerr0) {
        st = KH_ERR_INPUT;
    } else if (ro->n == 0) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the roster lists no unit: one row per unit below the header"));
        st = KH_ERR_INPUT;
    } else {
        qsort(ro->v, ro->n, sizeof *ro->v, by_seq);
    }
done:
    kh_sheet_free(s);
    if (st == KH_OK)
        *out = ro;
    else
        kh_roster_free(ro);
    return st;
}

long kh_roster_find(const kh_roster *ro, const char *unit, const kh_rubric *r)
{
    for (size_t i = 0; i < ro->n; i++)
        if (ro->v[i].rubric == r && strcmp(ro->v[i].unit, unit) == 0)
            return (long)i;
    return -1;
}

/* The code points of s (at most max) into cp; their number. */
static size_t code_points(const char *s, uint32_t *cp, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        unsigned c;
        s += kh_utf8_decode(s, &c);
        cp[n++] = c;
    }
    return n;
}

#define NAME_MAX_CP 64

/* Levenshtein distance of two short code point strings. */
static size_t distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t row[NAME_MAX_CP + 1];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

size_t kh_roster_suggest(const kh_roster *ro, const char *unit, const kh_rubric *r, size_t max,
                         kh_buf *b)
{
    uint32_t a[NAME_MAX_CP], c[NAME_MAX_CP];
    size_t na = code_points(unit, a, NAME_MAX_CP), found = 0;
    /* Nearest first: distance 1, then 2, ... up to the bound of each. */
    for (size_t want = 1; want <= 4 && found < max; want++) {
        for (size_t i = 0; i < ro->n && found < max; i++) {
            if (ro->v[i].rubric != r)
                continue;
            size_t nc = code_points(ro->v[i].unit, c, NAME_MAX_CP);
            size_t longer = na > nc ? na : nc;
            size_t bound = longer / 3 ? longer / 3 : 1;
            if (want > bound || distance(a, na, c, nc) != want)
                continue;
            if (found++)
                kh_buf_puts(b, "、");
            kh_buf_puts(b, ro->v[i].unit);
        }
    }
    return found;
}

size_t kh_roster_count(const kh_roster *ro) { return ro->n; }
const char *kh_roster_unit(const kh_roster *ro, size_t i) { return ro->v[i].unit; }
const kh_rubric *kh_roster_rubric(const kh_roster *ro, size_t i) { return ro->v[i].rubric; }
