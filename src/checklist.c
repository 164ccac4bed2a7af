/*
 * checklist.c - one unit's checklist found in a sheet grid (doc/formats.md §3):
 * labelled fields anywhere on the sheet, a table found by its headers, one
 * result per check point of the rubric.  Every problem of a sheet is
 * reported, each naming its cell.
 */
#include "checklist.h"
#include "strset.h"
#include "text.h"

#include <string.h>

/* Cells longer than this cannot be a field label or a column header. */
#define LABEL_MAX_BYTES 128
/* The most diagnostics one sheet gets (a sheet of a million bad rows must
 * not make a million messages). */
#define MAX_DIAGS 200
/* Quoted cell text in messages is cut to this many characters. */
#define QUOTE_MAX_CHARS 40

enum field_id { F_RUBRIC, F_UNIT, F_YEAR, F_INSPECTOR, F_DATE, NFIELDS };

/* A name a label or header is known by: Chinese, or English in any case. */
typedef struct name {
    const char *zh, *en;
} name;

static const name field_names[NFIELDS] = {
    [F_RUBRIC] = {"考核细则", "rubric"},
    [F_UNIT] = {"被考核单位", "unit"},
    [F_YEAR] = {"考核年度", "year"},
    [F_INSPECTOR] = {"检查组", "inspector"},
    [F_DATE] = {"检查日期", "date"},
};

enum col_id { C_CHECK, C_RESULT, C_LABEL, C_REMARK, NCOLS };

static const name col_names[NCOLS] = {
    [C_CHECK] = {"检查点", "check"},
    [C_RESULT] = {"检查结果", "result"},
    [C_LABEL] = {"检查要点", "label"},
    [C_REMARK] = {"备注", "remark"},
};

typedef struct field {
    const kh_cell *label;  /* first label cell found, NULL when none */
    const kh_cell *value;  /* its value cell, NULL when empty */
    char *text;            /* the value, trimmed; NULL when empty */
} field;

typedef struct reader {
    const kh_sheet *sheet;
    const char *source;
    const kh_registry *reg;
    bool blank_as_missing;
    kh_diags diags;        /* this sheet's problems */
    size_t ndiags;         /* problems reported (up to MAX_DIAGS) */
    bool nomem;
    field f[NFIELDS];
    bool have_header;
    uint32_t hrow;                 /* header row */
    uint32_t hmin, hmax;           /* the table's columns: those of its header row */
    const kh_cell *hcell[NCOLS];   /* header cells (NULL: column absent) */
    const kh_rubric *rubric;
    kh_result *results;            /* rubric->ncps */
    const kh_cell **cp_cell;       /* check cell of the row that gave each result */
    size_t *cand;                  /* scratch: candidate check points */
    kh_dec *idval;                 /* each check id's decimal value, parsed once */
    bool *idnum;                   /* whether it has one */
    /* The check ids hashed (by value where they are numbers, else by
     * text): bucket[h] is the first check point of chain h, next[k] the
     * one after k (ascending k; NONE ends a chain).  nbucket is a power
     * of two. */
    size_t *bucket, *next, nbucket;
    char **labkey;                 /* each check point's kh_loose_key, made when first needed */
} reader;

#define NONE SIZE_MAX

/* ---- diagnostics ---- */

/* Add one problem at cell, or when cell is NULL at (row, col), or for the
 * sheet as a whole when row is UINT32_MAX (NO_CELL).  Past MAX_DIAGS one
 * last message says the list was cut. */
static void problem(reader *r, const kh_cell *cell, uint32_t row, uint32_t col,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(reader *r, const kh_cell *cell, uint32_t row, uint32_t col,
                    const char *fmt, ...)
{
    if (r->ndiags > MAX_DIAGS)
        return;
    char ref[KH_CELLREF_BUFSZ];
    const char *where = NULL;
    if (cell)
        where = kh_cell_ref(cell->row, cell->col, ref);
    else if (row != UINT32_MAX)
        where = kh_cell_ref(row, col, ref);
    size_t before = r->diags.n;
    if (r->ndiags == MAX_DIAGS) {
        kh_diags_add(&r->diags, KH_ERROR, r->source, r->sheet->name, NULL, 0,
                     _("too many problems: only the first %d are listed; fix them and try again"),
                     MAX_DIAGS);
    } else {
        va_list ap;
        va_start(ap, fmt);
        kh_diags_vadd(&r->diags, KH_ERROR, r->source, r->sheet->name, where, 0, fmt, ap);
        va_end(ap);
    }
    if (r->diags.n == before)
        r->nomem = true;
    r->ndiags++;
}

#define NO_CELL NULL, UINT32_MAX, 0

/* Cell text fit for quoting in a message: at most QUOTE_MAX_CHARS
 * characters, control characters (line breaks) shown as spaces. */
static const char *quote(const char *s, kh_buf *b)
{
    kh_buf_reset(b);
    size_t chars = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80 && ++chars > QUOTE_MAX_CHARS) {
            kh_buf_puts(b, "…");
            break;
        }
        kh_buf_putc(b, c < 0x20 || c == 0x7F ? ' ' : (char)c);
    }
    return kh_buf_str(b);
}

/* Release a quote() buffer; running out of memory in it is noted. */
static void quote_done(reader *r, kh_buf *b)
{
    if (b->oom)
        r->nomem = true;
    kh_buf_free(b);
}

/* ---- results ---- */

/* Trim s, fold full-width digits and the full-width period, and write the
 * result to out (outsz bytes).  False when it does not fit. */
static bool fold_small(const char *s, char *out, size_t outsz)
{
    size_t n;
    const char *t = kh_trim(s, &n);
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        if (n - i >= 3 && (unsigned char)t[i] == 0xEF && (unsigned char)t[i + 1] == 0xBC &&
            (((unsigned char)t[i + 2] >= 0x90 && (unsigned char)t[i + 2] <= 0x99) ||
             (unsigned char)t[i + 2] == 0x8E)) {
            unsigned char c = (unsigned char)t[i + 2];
            if (w + 1 >= outsz)
                return false;
            out[w++] = c == 0x8E ? '.' : (char)('0' + (c - 0x90));
            i += 3;
        } else {
            if (w + 1 >= outsz)
                return false;
            out[w++] = t[i++];
        }
    }
    out[w] = '\0';
    return true;
}

bool kh_parse_presence(const char *text, bool *present)
{
    static const char *const yes[] = {"有", "是", "√", "✓", "✔", "y", "yes", "1", "true"};
    static const char *const no[] = {"无", "否", "×", "✗", "✘", "n", "no", "0", "false",
                                     "没有", "缺", "未"};
    char t[32];
    if (!text || !fold_small(text, t, sizeof t))
        return false;
    for (size_t i = 0; i < KH_ARRAY_LEN(yes); i++) {
        if (kh_ascii_eq_nocase(t, yes[i])) {
            *present = true;
            return true;
        }
    }
    for (size_t i = 0; i < KH_ARRAY_LEN(no); i++) {
        if (kh_ascii_eq_nocase(t, no[i])) {
            *present = false;
            return true;
        }
    }
    return false;
}

typedef enum count_verdict {
    COUNT_OK,
    COUNT_BAD,        /* not a number */
    COUNT_NEGATIVE,
    COUNT_FRACTION,   /* 1.5 */
    COUNT_POINT,      /* 2.0 typed as text */
    COUNT_WORDS,      /* 两次: Chinese numerals */
    COUNT_TOO_BIG     /* more than KH_COUNT_MAX */
} count_verdict;

static bool is_space_at(const char *s, size_t *adv)
{
    unsigned char c = (unsigned char)*s;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
        *adv = 1;
        return true;
    }
    if (memcmp(s, "\xe3\x80\x80", 3) == 0) {
        *adv = 3;
        return true;
    }
    return false;
}

/* True when s starts with a Chinese numeral ("两次", "三", "十二次"). */
static bool chinese_numeral(const char *s)
{
    static const char *const numerals[] = {"零", "〇", "一", "二", "两", "三", "四", "五",
                                           "六", "七", "八", "九", "十", "百", "千", "万"};
    for (size_t i = 0; i < KH_ARRAY_LEN(numerals); i++)
        if (strncmp(s, numerals[i], strlen(numerals[i])) == 0)
            return true;
    return false;
}

/* Classify a count result: digits, optional white space, at most one
 * measure word (次 起 个 项 家 人); a number cell may also be "2.0". */
static count_verdict parse_count(const char *text, bool is_number_cell, int64_t *out)
{
    static const char *const measure[] = {"次", "起", "个", "项", "家", "人"};
    char t[72];
    if (!text)
        return COUNT_BAD;
    if (!fold_small(text, t, sizeof t)) {
        size_t n;
        return chinese_numeral(kh_trim(text, &n)) ? COUNT_WORDS : COUNT_BAD;
    }
    const char *p = t;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    } else if (strncmp(p, "－", strlen("－")) == 0) {
        neg = true;
        p += strlen("－");
    }
    int64_t n = 0;
    bool big = false;
    const char *digits = p;
    for (; *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (*p - '0');
        if (n > KH_COUNT_MAX) {
            big = true;
            n = KH_COUNT_MAX + 1;
        }
    }
    if (p == digits)
        return chinese_numeral(t) ? COUNT_WORDS : COUNT_BAD;
    bool point = false, fraction = false;
    if (*p == '.') {
        point = true;
        for (p++; *p >= '0' && *p <= '9'; p++)
            fraction |= *p != '0';
    }
    size_t adv;
    while (*p && is_space_at(p, &adv))
        p += adv;
    for (size_t i = 0; *p && i < KH_ARRAY_LEN(measure); i++) {
        size_t ml = strlen(measure[i]);
        if (strncmp(p, measure[i], ml) == 0) {
            p += ml;
            break;
        }
    }
    if (*p)
        return chinese_numeral(t) ? COUNT_WORDS : COUNT_BAD;
    if (neg && (n != 0 || fraction))
        return COUNT_NEGATIVE;
    if (fraction)
        return COUNT_FRACTION;
    if (point && !is_number_cell)
        return COUNT_POINT;
    if (big)
        return COUNT_TOO_BIG;
    *out = n;
    return COUNT_OK;
}

bool kh_parse_count(const char *text, bool is_number_cell, int64_t *n)
{
    int64_t v = 0;
    if (parse_count(text, is_number_cell, &v) != COUNT_OK)
        return false;
    *n = v;
    return true;
}

/* ---- fields and headers ---- */

/* Which field label text is, or -1.  -2 when out of memory. */
/* The first character of text after white space (ASCII or U+3000) and
 * its length in bytes (0: there is none). */
static const unsigned char *first_char(const char *text, size_t *clen)
{
    const unsigned char *p = (const unsigned char *)text;
    for (;;) {
        if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
            p++;
        else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)  /* U+3000 */
            p += 3;
        else
            break;
    }
    *clen = !*p ? 0 : *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
    return p;
}

/* Whether a text whose first character is p[0..clen) may be the name zh,
 * or en in any case.  A cheap test, so that a copy is normalised only for
 * cells that may be labels or headers: every cell of a sheet is looked
 * at, and most are results, numbers and long texts. */
static bool starts_like(const unsigned char *p, size_t clen, const char *zh, const char *en)
{
    if (!clen)
        return false;
    if (clen == 1)
        return *p == (unsigned char)zh[0] || (*p | 0x20) == (unsigned char)(en[0] | 0x20);
    /* strncmp(p, zh, clen) == 0 without the call: most texts differ from
     * every name in the first byte. */
    for (size_t j = 0; j < clen; j++) {
        if (p[j] != (unsigned char)zh[j])
            return false;
        if (!zh[j])
            return true;
    }
    return true;
}

/* Which of the n names text is, after normalising it with norm, or -1.
 * -2 when out of memory. */
static int name_of(const char *text, const name *names, int n, char *(*norm)(const char *))
{
    size_t clen;
    const unsigned char *p = first_char(text, &clen);
    bool may = false;
    for (int i = 0; i < n && !may; i++)
        may = starts_like(p, clen, names[i].zh, names[i].en);
    if (!may || strlen(text) > LABEL_MAX_BYTES)
        return -1;
    char *t = norm(text);
    if (!t)
        return -2;
    int id = -1;
    for (int i = 0; i < n && id < 0; i++)
        if (strcmp(t, names[i].zh) == 0 || kh_ascii_eq_nocase(t, names[i].en))
            id = i;
    kh_free(t);
    return id;
}

static int field_of(const char *text)
{
    return name_of(text, field_names, NFIELDS, kh_norm_label);
}

/* Which column header text is, or -1.  -2 when out of memory. */
static int column_of(const char *text)
{
    return name_of(text, col_names, NCOLS, kh_norm_header);
}

/* Find the header row: the first row holding both 检查点 and 检查结果.
 * Where no row does, *half gets the first cell that holds one of them. */
static void find_header(reader *r, const kh_cell **half, int *half_col)
{
    const kh_sheet *s = r->sheet;
    *half = NULL;
    for (size_t i = 0; i < s->ncells && !r->have_header;) {
        uint32_t row = s->cells[i].row;
        size_t start = i;
        const kh_cell *first[NCOLS] = {0};
        const kh_cell *second[NCOLS] = {0};
        for (; i < s->ncells && s->cells[i].row == row; i++) {
            int c = column_of(s->cells[i].text);
            if (c == -2) {
                r->nomem = true;
                return;
            }
            if (c < 0)
                continue;
            if (!first[c])
                first[c] = &s->cells[i];
            else if (!second[c])
                second[c] = &s->cells[i];
        }
        if (first[C_CHECK] && first[C_RESULT]) {
            r->have_header = true;
            r->hrow = row;
            r->hmin = s->cells[start].col;
            r->hmax = s->cells[i - 1].col;
            memcpy(r->hcell, first, sizeof first);
            for (int c = C_CHECK; c <= C_RESULT; c++) {
                if (!second[c])
                    continue;
                char a[KH_CELLREF_BUFSZ];
                kh_cell_ref(first[c]->row, first[c]->col, a);
                problem(r, second[c], 0, 0,
                        _("the table has two %s columns (%s and here): delete or rename one of them"),
                        col_names[c].zh, a);
            }
        } else if (!*half && (first[C_CHECK] || first[C_RESULT])) {
            *half_col = first[C_CHECK] ? C_CHECK : C_RESULT;
            *half = first[*half_col];
        }
    }
}

/* True when a 检查点 cell below the header makes its row a check-point
 * row: it is not a field label (检查组： written at the bottom of the check
 * column).  -1 when out of memory. */
static int is_cp_cell(const kh_cell *c)
{
    int f = field_of(c->text);
    return f == -2 ? -1 : f < 0;
}

/* True when the row (below the header) is a check-point row: its 检查点
 * cell is not empty and is_cp_cell.  -1 when out of memory. */
static int is_cp_row(const reader *r, uint32_t row, const kh_cell **check)
{
    *check = NULL;
    if (!r->have_header || row <= r->hrow)
        return 0;
    const kh_cell *c = kh_sheet_get(r->sheet, row, r->hcell[C_CHECK]->col);
    if (!c)
        return 0;
    int cp = is_cp_cell(c);
    if (cp == 1)
        *check = c;
    return cp;
}

/* Serial numbers of 2000-01-01 .. 2099-12-31 in Excel's 1900 date system. */
#define SERIAL_MIN 36526
#define SERIAL_MAX 73050

/* A number cell in 检查日期 that the reader did not see as a date: an
 * Excel serial number in a plausible range becomes YYYY-MM-DD. */
static char *serial_to_date(const char *text)
{
    kh_dec v;
    if (!kh_dec_parse(text, &v) || !kh_dec_is_int(v))
        return NULL;
    int64_t serial = v / KH_DEC_SCALE;
    if (serial < SERIAL_MIN || serial > SERIAL_MAX)
        return NULL;
    /* Days since 1970-01-01 (serial 25569), then civil from days. */
    int64_t z = serial - 25569 + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    kh_buf b = {0};
    kh_buf_printf(&b, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
    return kh_buf_steal(&b);
}

/* The value of field f whose label is cell lab. */
static void read_field(reader *r, int f, const kh_cell *lab)
{
    const kh_cell *v = kh_sheet_next_right(r->sheet, lab->row, lab->col);
    char *text = NULL;
    if (v) {
        int g = field_of(v->text);
        if (g == -2) {
            r->nomem = true;
            return;
        }
        if (g >= 0) {
            v = NULL;  /* the next cell is another label: this one is empty */
        } else {
            if (f == F_DATE && v->type == KH_CELL_NUMBER)
                text = serial_to_date(v->text);
            if (!text)
                text = f == F_UNIT ? kh_clean_name(v->text) : kh_norm_value(v->text);
            if (!text) {
                r->nomem = true;
                return;
            }
            if (!*text) {
                kh_free(text);
                text = NULL;
                v = NULL;
            }
        }
    }
    field *fl = &r->f[f];
    if (!fl->label) {
        fl->label = lab;
        fl->value = v;
        fl->text = text;
        return;
    }
    if (!text)
        return;  /* an empty repeat does not contradict */
    if (!fl->text) {
        fl->label = lab;
        fl->value = v;
        fl->text = text;
        return;
    }
    if (strcmp(fl->text, text) != 0) {
        char a[KH_CELLREF_BUFSZ];
        kh_buf q1 = {0}, q2 = {0};
        kh_cell_ref(fl->value->row, fl->value->col, a);
        problem(r, v, 0, 0,
                _("%s (%s) is given twice with different values, '%s' in %s and '%s' here: keep one of them"),
                field_names[f].zh, field_names[f].en, quote(fl->text, &q1), a, quote(text, &q2));
        quote_done(r, &q1);
        quote_done(r, &q2);
    }
    kh_free(text);
}

/* Read every field label on the sheet, except inside the table: the
 * columns of the header row, in the header row and the check-point rows
 * (a remark "date" is no field; a box of fields right of the table is). */
static void find_fields(reader *r)
{
    const kh_sheet *s = r->sheet;
    for (size_t i = 0; i < s->ncells && !r->nomem;) {
        uint32_t row = s->cells[i].row;
        const kh_cell *check;
        int cp = is_cp_row(r, row, &check);
        if (cp < 0) {
            r->nomem = true;
            return;
        }
        bool table = cp || (r->have_header && row == r->hrow);
        for (; i < s->ncells && s->cells[i].row == row && !r->nomem; i++) {
            if (table && s->cells[i].col >= r->hmin && s->cells[i].col <= r->hmax)
                continue;
            int f = field_of(s->cells[i].text);
            if (f == -2)
                r->nomem = true;
            else if (f >= 0)
                read_field(r, f, &s->cells[i]);
        }
    }
}

/* "a, b, c": the ids of every rubric known. */
static void known_ids(const kh_registry *reg, kh_buf *b)
{
    size_t n = kh_registry_count(reg);
    for (size_t i = 0; i < n; i++)
        kh_buf_printf(b, "%s%s", i ? ", " : "", kh_registry_at(reg, i)->id);
    if (!n)
        kh_buf_puts(b, _("none: no rubric is loaded"));
}

/* The rubric named by the 考核细则 field, with a problem when there is
 * none: its exact id; else the one id equal to it but for case; else the
 * rubric whose full title it is; else the one rubric of that unit type
 * (乡镇).  Two ids equal but for case, or a unit type of several rubrics,
 * name no rubric: the message lists them. */
static void find_rubric(reader *r)
{
    const field *fl = &r->f[F_RUBRIC];
    kh_buf ids = {0};
    known_ids(r->reg, &ids);
    if (!fl->label) {
        problem(r, NO_CELL,
                _("no 考核细则 (rubric) field: add a cell 考核细则 with the rubric id, e.g. lingui-2020-township, to its right (known rubric ids: %s)"),
                kh_buf_str(&ids));
    } else if (!fl->text) {
        problem(r, fl->label, 0, 0,
                _("考核细则 (rubric) is empty: write the rubric id in the cell to its right, one of %s"),
                kh_buf_str(&ids));
    } else {
        r->rubric = kh_registry_find(r->reg, fl->text);
        size_t n = kh_registry_count(r->reg);
        bool ambiguous = false;
        /* pass 0: ids but for case; 1: full titles; 2: unit types. */
        for (int pass = 0; !r->rubric && pass < 3; pass++) {
            size_t hits = 0;
            const kh_rubric *hit = NULL;
            kh_buf which = {0};
            for (size_t i = 0; i < n; i++) {
                const kh_rubric *x = kh_registry_at(r->reg, i);
                bool same = pass == 0   ? kh_ascii_eq_nocase(x->id, fl->text)
                            : pass == 1 ? x->title && strcmp(x->title, fl->text) == 0
                                        : x->unit_type && strcmp(x->unit_type, fl->text) == 0;
                if (!same)
                    continue;
                kh_buf_printf(&which, "%s%s", hits ? ", " : "", x->id);
                hits++;
                hit = x;
            }
            if (hits == 1) {
                r->rubric = hit;
            } else if (hits > 1) {
                kh_buf q = {0};
                if (pass == 2)
                    problem(r, fl->value, 0, 0,
                            _("考核细则 '%s' is the unit type of several rubrics (%s): write the id of the one this checklist follows"),
                            quote(fl->text, &q), kh_buf_str(&which));
                else
                    problem(r, fl->value, 0, 0,
                            _("rubric '%s' is ambiguous: it could be %s, whose ids differ only in upper and lower case; write the id exactly"),
                            quote(fl->text, &q), kh_buf_str(&which));
                quote_done(r, &q);
            }
            if (which.oom)
                r->nomem = true;
            kh_buf_free(&which);
            if (hits > 1) {
                ambiguous = true;
                break;
            }
        }
        if (!r->rubric && !ambiguous) {
            kh_buf q = {0};
            problem(r, fl->value, 0, 0,
                    _("rubric '%s' is unknown: write one of %s, or give the rubric file with --rubric FILE"),
                    quote(fl->text, &q), kh_buf_str(&ids));
            quote_done(r, &q);
        }
    }
    if (ids.oom)
        r->nomem = true;
    kh_buf_free(&ids);
}

/* ---- the table ---- */

/* The loose key of check point k's label (kh_loose_key), or NULL when
 * out of memory. */
static const char *cp_key(reader *r, size_t k)
{
    if (!r->labkey) {
        r->labkey = kh_calloc(r->rubric->ncps ? r->rubric->ncps : 1, sizeof *r->labkey);
        if (!r->labkey)
            return NULL;
    }
    if (!r->labkey[k])
        r->labkey[k] = kh_loose_key(r->rubric->cps[k].label);
    return r->labkey[k];
}

enum { LABEL_NO = 0, LABEL_CONTAINS = 1, LABEL_SAME = 2 };

/* How well a 检查要点 key (kh_loose_key of what the row says) names check
 * point k: LABEL_SAME when the keys are equal, LABEL_CONTAINS when one
 * holds the other, LABEL_NO; -1 when out of memory.  White space,
 * punctuation, full/half width and bracketed notes never matter: a label
 * written without the rubric's note （无通知或方案视未开展） is the same. */
static int label_fit(reader *r, const char *key, size_t k)
{
    const char *ck = cp_key(r, k);
    if (!ck)
        return -1;
    if (!*key || !*ck)
        return LABEL_NO;
    if (strcmp(key, ck) == 0)
        return LABEL_SAME;
    return strstr(key, ck) || strstr(ck, key) ? LABEL_CONTAINS : LABEL_NO;
}

/* The hash of a check id: its decimal value when it is a number (num),
 * else its text. */
static size_t id_hash(bool num, kh_dec v, const char *s)
{
    uint64_t h = num ? (uint64_t)v * UINT64_C(0x9E3779B97F4A7C15)
                     : kh_hash_bytes(s, strlen(s), false);
    h ^= h >> 29;
    return (size_t)h;
}

/* Hash the check ids (idnum and idval set): each row looks its 检查点 up
 * instead of comparing it with every check point.  False when out of
 * memory. */
static bool index_ids(reader *r)
{
    const kh_rubric *rb = r->rubric;
    size_t nb = 16;
    while (nb < 2 * rb->ncps)
        nb *= 2;
    r->bucket = kh_malloc((nb + rb->ncps) * sizeof *r->bucket);
    if (!r->bucket)
        return false;
    r->next = r->bucket + nb;
    r->nbucket = nb;
    for (size_t h = 0; h < nb; h++)
        r->bucket[h] = NONE;
    /* Pushed from the last, so that each chain runs in rubric order. */
    for (size_t k = rb->ncps; k-- > 0;) {
        size_t h = id_hash(r->idnum[k], r->idval[k], rb->cps[k].id) & (nb - 1);
        r->next[k] = r->bucket[h];
        r->bucket[h] = k;
    }
    return true;
}

/* Index of the check point a row's 检查点 cell names, or -1 (with a
 * problem reported).  -2 when out of memory. */
static long match_checkpoint(reader *r, const kh_cell *check)
{
    const kh_rubric *rb = r->rubric;
    /* The text trimmed and folded: on the stack when it is short (it is a
     * check id), else in a copy. */
    char small[64], *heap = NULL;
    const char *t = small;
    if (!fold_small(check->text, small, sizeof small)) {
        char *v = kh_norm_value(check->text);
        heap = v ? kh_fold_fullwidth(v) : NULL;
        kh_free(v);
        if (!heap)
            return -2;
        t = heap;
    }
    kh_dec tv = 0;
    bool tnum = kh_dec_parse(t, &tv);
    size_t nc = 0;
    /* The same text or the same decimal value; where both are numbers the
     * same text is the same value.  A text that is a number has the same
     * text as no id that is not (and the other way round): numbers match
     * numbers by value, other texts match other ids by text. */
    for (size_t k = r->bucket[id_hash(tnum, tv, t) & (r->nbucket - 1)]; k != NONE;
         k = r->next[k]) {
        if (tnum ? r->idnum[k] && r->idval[k] == tv
                 : !r->idnum[k] && strcmp(rb->cps[k].id, t) == 0)
            r->cand[nc++] = k;
    }
    long found = -1;
    kh_buf q = {0};
    if (nc == 0) {
        problem(r, check, 0, 0,
                _("检查点 '%s' is not a check point of the %s checklist (%s to %s): correct it, or clear the cell if this row is not a check point"),
                quote(t, &q), kh_rubric_name(rb), rb->ncps ? rb->cps[0].id : "", rb->ncps ? rb->cps[rb->ncps - 1].id : "");
    } else if (nc == 1) {
        found = (long)r->cand[0];
    } else {
        const kh_cell *lab = r->hcell[C_LABEL]
            ? kh_sheet_get(r->sheet, check->row, r->hcell[C_LABEL]->col) : NULL;
        char *key = lab ? kh_loose_key(lab->text) : NULL;
        if (lab && !key) {
            kh_free(heap);
            return -2;
        }
        /* The same label first; else the one label that holds (or is
         * held by) what the row says. */
        size_t hits[3] = {0};
        long best[3] = {-1, -1, -1};
        for (size_t j = 0; key && j < nc; j++) {
            int fit = label_fit(r, key, r->cand[j]);
            if (fit < 0) {
                kh_free(key);
                kh_free(heap);
                return -2;
            }
            hits[fit]++;
            best[fit] = (long)r->cand[j];
        }
        kh_free(key);
        if (hits[LABEL_SAME] == 1)
            found = best[LABEL_SAME];
        else if (hits[LABEL_SAME] == 0 && hits[LABEL_CONTAINS] == 1)
            found = best[LABEL_CONTAINS];
        if (found < 0) {
            found = -1;
            kh_buf which = {0};
            for (size_t j = 0; j < nc; j++)
                kh_buf_printf(&which, "%s%s %s", j ? (j + 1 < nc ? ", " : " or ") : "",
                              rb->cps[r->cand[j]].id, rb->cps[r->cand[j]].label);
            if (!r->hcell[C_LABEL])
                problem(r, check, 0, 0,
                        _("检查点 '%s' could be %s (a spreadsheet turns 1.10 into 1.1): add a 检查要点 column and write the label of the one you mean in this row"),
                        quote(t, &q), kh_buf_str(&which));
            else
                problem(r, check, 0, 0,
                        _("检查点 '%s' could be %s (a spreadsheet turns 1.10 into 1.1): write the label of the one you mean in this row's 检查要点 cell"),
                        quote(t, &q), kh_buf_str(&which));
            if (which.oom)
                r->nomem = true;
            kh_buf_free(&which);
        }
    }
    quote_done(r, &q);
    kh_free(heap);
    return found;
}

/* How to write a result, for messages (looked up only when one is made). */
static const char *how_to(bool has)
{
    return has ? _("write 有 if the document exists, 无 if not")
               : _("write the count in digits, e.g. 2 (0 if none)");
}

/* A result followed by a bracketed note, "有（已提供）" or "2 (含补开1次)":
 * the result (*head) and the note (*note), both new trimmed strings; false
 * (nothing made) when text does not end in a bracket that closes a note
 * after some result, or when out of memory (*oom). */
static bool split_note(const char *text, char **head, char **note, bool *oom)
{
    static const char *const open[] = {"（", "("}, *const close[] = {"）", ")"};
    size_t len;
    const char *t = kh_trim(text, &len);
    *head = *note = NULL;
    for (size_t b = 0; b < 2; b++) {
        size_t cl = strlen(close[b]), ol = strlen(open[b]);
        if (len < cl || memcmp(t + len - cl, close[b], cl) != 0)
            continue;
        /* The opening bracket that this last one closes. */
        int depth = 0;
        for (size_t i = len - cl; i-- > 0;) {
            if (i + cl <= len - cl && memcmp(t + i, close[b], cl) == 0) {
                depth++;
            } else if (i + ol <= len && memcmp(t + i, open[b], ol) == 0) {
                if (depth-- > 0)
                    continue;
                size_t hl;
                const char *h = kh_trim_n(t, i, &hl);
                if (hl == 0)
                    return false;
                size_t nl;
                const char *n = kh_trim_n(t + i + ol, len - cl - i - ol, &nl);
                *head = kh_strndup(h, hl);
                *note = kh_strndup(n, nl);
                if (!*head || !*note) {
                    kh_free(*head);
                    kh_free(*note);
                    *head = *note = NULL;
                    *oom = true;
                    return false;
                }
                return true;
            }
        }
    }
    return false;
}

/* Read the result (and remark) of check point k from row into res. */
static void read_result(reader *r, size_t k, uint32_t row, kh_result *res)
{
    const kh_checkpoint *cp = &r->rubric->cps[k];
    uint32_t col = r->hcell[C_RESULT]->col;
    const kh_cell *c = kh_sheet_get(r->sheet, row, col);
    bool has = cp->kind == KH_KIND_HAS;
    res->row = row;
    res->col = col;
    res->present = false;
    res->n = 0;
    kh_buf q = {0};
    /* "有（已提供）": the result is 有 and its note a remark. */
    char *head = NULL, *note = NULL;
    const char *text = c ? c->text : NULL;
    if (c && c->type != KH_CELL_NUMBER && c->type != KH_CELL_ERROR &&
        split_note(c->text, &head, &note, &r->nomem))
        text = head;
    if (!c) {
        if (!r->blank_as_missing)
            problem(r, NULL, row, col, _("the result for %s %s is empty: %s"), cp->id, cp->label, how_to(has));
    } else if (c->type == KH_CELL_ERROR) {
        problem(r, c, 0, 0, _("the result for %s %s is the spreadsheet error value '%s', not a result: %s"),
                cp->id, cp->label, quote(c->text, &q), how_to(has));
    } else if (has) {
        if (!kh_parse_presence(text, &res->present))
            problem(r, c, 0, 0, _("result '%s' for %s %s is not 有 or 无: %s"),
                    quote(c->text, &q), cp->id, cp->label, how_to(has));
    } else {
        switch (parse_count(text, c->type == KH_CELL_NUMBER, &res->n)) {
        case COUNT_OK:
            break;
        case COUNT_WORDS:
            problem(r, c, 0, 0,
                    _("result '%s' for %s %s is not a whole number ≥ 0 in digits: write the count in digits, e.g. 2 instead of 两次"),
                    quote(c->text, &q), cp->id, cp->label);
            break;
        case COUNT_POINT:
            problem(r, c, 0, 0,
                    _("result '%s' for %s %s has a decimal point: write the count as a whole number in digits, e.g. 2"),
                    quote(c->text, &q), cp->id, cp->label);
            break;
        case COUNT_TOO_BIG:
            problem(r, c, 0, 0,
                    _("result '%s' for %s %s is implausibly large (more than %d): check it and write the count in digits, e.g. 2"),
                    quote(c->text, &q), cp->id, cp->label, KH_COUNT_MAX);
            break;
        default:
            problem(r, c, 0, 0,
                    _("result '%s' for %s %s is not a whole number ≥ 0: write the count in digits, e.g. 2"),
                    quote(c->text, &q), cp->id, cp->label);
            break;
        }
    }
    quote_done(r, &q);
    kh_free(res->remark);
    res->remark = NULL;
    if (r->hcell[C_REMARK]) {
        const kh_cell *m = kh_sheet_get(r->sheet, row, r->hcell[C_REMARK]->col);
        if (m) {
            res->remark = kh_norm_value(m->text);
            if (!res->remark) {
                r->nomem = true;
            } else if (!*res->remark) {
                kh_free(res->remark);
                res->remark = NULL;
            }
        }
    }
    /* The result's note comes first, then the 备注 column's text. */
    if (note && *note) {
        kh_buf b = {0};
        kh_buf_puts(&b, note);
        if (res->remark)
            kh_buf_printf(&b, "；%s", res->remark);
        kh_free(res->remark);
        res->remark = kh_buf_steal(&b);
        if (!res->remark)
            r->nomem = true;
    }
    kh_free(head);
    kh_free(note);
}

/* The row of cell (its 检查点, or its 检查要点 when it has no id) gives the
 * result of check point k; a second row of k is reported, its result
 * still checked (into scratch). */
static void take_row(reader *r, size_t k, const kh_cell *cell, kh_result *scratch)
{
    const kh_rubric *rb = r->rubric;
    if (r->cp_cell[k]) {
        char a[KH_CELLREF_BUFSZ];
        kh_cell_ref(r->cp_cell[k]->row, r->cp_cell[k]->col, a);
        problem(r, cell, 0, 0,
                _("check point %s %s appears twice, in %s and here: delete one of the two rows"),
                rb->cps[k].id, rb->cps[k].label, a);
        read_result(r, k, cell->row, scratch);
        kh_free(scratch->remark);
        scratch->remark = NULL;
        return;
    }
    r->cp_cell[k] = cell;
    read_result(r, k, cell->row, &r->results[k]);
}

/* Rows with an empty 检查点 whose 检查要点 is, loosely (kh_loose_key), the
 * label of exactly one check point are that check point: offices' own
 * forms often carry no ids.  A label that several check points share
 * (签到单, 图片) needs its id, and the message says so; a row whose label
 * is no check point's is not a check-point row (a note, a heading). */
static void read_label_rows(reader *r, kh_result *scratch)
{
    const kh_rubric *rb = r->rubric;
    const kh_sheet *s = r->sheet;
    uint32_t lcol = r->hcell[C_LABEL]->col, ccol = r->hcell[C_CHECK]->col;
    for (size_t i = 0; i < s->ncells && !r->nomem; i++) {
        const kh_cell *lab = &s->cells[i];
        if (lab->row <= r->hrow || lab->col != lcol)
            continue;
        const kh_cell *check = kh_sheet_get(s, lab->row, ccol);
        size_t tl;
        if (check && (kh_trim(check->text, &tl), tl > 0))
            continue; /* an id: read_table's */
        char *key = kh_loose_key(lab->text);
        if (!key) {
            r->nomem = true;
            return;
        }
        size_t n = 0;
        long k = -1;
        kh_buf which = {0};
        for (size_t j = 0; j < rb->ncps; j++) {
            int fit = label_fit(r, key, j);
            if (fit < 0) {
                r->nomem = true;
                break;
            }
            if (fit == LABEL_SAME) {
                kh_buf_printf(&which, "%s%s", n ? "、" : "", rb->cps[j].id);
                k = (long)j;
                n++;
            }
        }
        kh_free(key);
        if (n > 1) {
            kh_buf q = {0};
            problem(r, lab, 0, 0,
                    _("检查要点 '%s' is the label of several check points (%s) and this row has no "
                      "检查点: write the 检查点 id of the one you mean in this row"),
                    quote(lab->text, &q), kh_buf_str(&which));
            quote_done(r, &q);
        }
        if (which.oom)
            r->nomem = true;
        kh_buf_free(&which);
        if (n != 1 || r->nomem)
            continue;
        take_row(r, (size_t)k, lab, scratch);
    }
}

/* Walk the check-point rows below the header. */
static void read_table(reader *r)
{
    const kh_rubric *rb = r->rubric;
    size_t ncps = rb->ncps;
    r->results = kh_calloc(ncps ? ncps : 1, sizeof *r->results);
    r->cp_cell = kh_calloc(ncps ? ncps : 1, sizeof *r->cp_cell);
    r->cand = kh_calloc(ncps ? ncps : 1, sizeof *r->cand);
    r->idval = kh_calloc(ncps ? ncps : 1, sizeof *r->idval);
    r->idnum = kh_calloc(ncps ? ncps : 1, sizeof *r->idnum);
    if (!r->results || !r->cp_cell || !r->cand || !r->idval || !r->idnum) {
        r->nomem = true;
        return;
    }
    for (size_t k = 0; k < ncps; k++)
        r->idnum[k] = kh_dec_parse(rb->cps[k].id, &r->idval[k]);
    if (!index_ids(r)) {
        r->nomem = true;
        return;
    }
    const kh_sheet *s = r->sheet;
    uint32_t ccol = r->hcell[C_CHECK]->col;
    kh_result scratch = {0};
    for (size_t i = 0; i < s->ncells && !r->nomem; i++) {
        const kh_cell *c = &s->cells[i];
        if (c->row <= r->hrow || c->col != ccol)
            continue;
        /* c is the row's 检查点 cell (is_cp_row would look it up again). */
        const kh_cell *check = c;
        int cp = is_cp_cell(c);
        if (cp < 0) {
            r->nomem = true;
            break;
        }
        if (!cp)
            continue;
        long k = match_checkpoint(r, check);
        if (k == -2) {
            r->nomem = true;
            break;
        }
        if (k < 0)
            continue;
        take_row(r, (size_t)k, check, &scratch);
    }
    if (r->hcell[C_LABEL])
        read_label_rows(r, &scratch);
    for (size_t k = 0; k < ncps && !r->nomem; k++)
        if (!r->cp_cell[k])
            problem(r, r->hcell[C_CHECK], 0, 0,
                    _("check point %s %s is missing: add a row with 检查点 %s and its result"),
                    rb->cps[k].id, rb->cps[k].label, rb->cps[k].id);
}

/* ---- the whole ---- */

static void free_results(kh_result *res, size_t n)
{
    if (!res)
        return;
    for (size_t i = 0; i < n; i++)
        kh_free(res[i].remark);
    kh_free(res);
}

void kh_checklist_drop_results(kh_checklist *c)
{
    free_results(c->results, c->rubric ? c->rubric->ncps : 0);
    c->results = NULL;
}

void kh_checklist_free(kh_checklist *c)
{
    if (!c)
        return;
    free_results(c->results, c->rubric ? c->rubric->ncps : 0);
    kh_free(c->unit);
    kh_free(c->year);
    kh_free(c->inspector);
    kh_free(c->date);
    kh_free(c->source);
    kh_free(c->sheet);
    kh_free(c);
}

/* A new checklist taking the reader's results and field values. */
static kh_checklist *build(reader *r)
{
    kh_checklist *c = kh_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->rubric = r->rubric;
    c->results = r->results;
    r->results = NULL;
    c->unit = r->f[F_UNIT].text;
    c->year = r->f[F_YEAR].text;
    c->inspector = r->f[F_INSPECTOR].text;
    c->date = r->f[F_DATE].text;
    c->has_remark_col = r->hcell[C_REMARK] != NULL;
    c->remark_col = c->has_remark_col ? r->hcell[C_REMARK]->col : 0;
    r->f[F_UNIT].text = r->f[F_YEAR].text = r->f[F_INSPECTOR].text = r->f[F_DATE].text = NULL;
    c->source = kh_strdup(r->source);
    c->sheet = kh_strdup(r->sheet->name);
    if ((r->source && !c->source) || (r->sheet->name && !c->sheet)) {
        kh_checklist_free(c);
        return NULL;
    }
    return c;
}

kh_find kh_checklist_read(const kh_sheet *sheet, const char *source,
                          const kh_registry *reg, const kh_options *opts,
                          kh_checklist **out, kh_diags *d, kh_status *status)
{
    kh_checklist_who who = {0};
    kh_find f = kh_checklist_read_who(sheet, source, reg, opts, out, &who, d, status);
    kh_free(who.unit);
    return f;
}

kh_find kh_checklist_read_who(const kh_sheet *sheet, const char *source,
                              const kh_registry *reg, const kh_options *opts,
                              kh_checklist **out, kh_checklist_who *who, kh_diags *d,
                              kh_status *status)
{
    *who = (kh_checklist_who){0};
    reader r = {.sheet = sheet, .source = source, .reg = reg,
                .blank_as_missing = opts && opts->blank_as_missing};
    kh_find verdict = KH_FIND_REJECTED;
    const kh_cell *half = NULL;
    int half_col = C_CHECK;
    bool had_oom = d->oom;
    *out = NULL;
    *status = KH_OK;

    find_header(&r, &half, &half_col);
    if (!r.nomem)
        find_fields(&r);
    if (r.nomem)
        goto done;
    if (!r.f[F_RUBRIC].label && !r.have_header) {
        verdict = KH_FIND_NONE;
        goto done;
    }
    find_rubric(&r);
    if (!r.f[F_UNIT].label)
        problem(&r, NO_CELL,
                _("no 被考核单位 (unit) field: add a cell 被考核单位 with the unit's name to its right"));
    else if (!r.f[F_UNIT].text)
        problem(&r, r.f[F_UNIT].label, 0, 0,
                _("被考核单位 (unit) is empty: write the unit's name in the cell to its right"));
    if (!r.have_header) {
        if (half)
            problem(&r, half, 0, 0,
                    _("the table header has %s but no %s column: head the check-point column 检查点 and the result column 检查结果"),
                    col_names[half_col].zh, col_names[half_col == C_CHECK ? C_RESULT : C_CHECK].zh);
        else
            problem(&r, NO_CELL,
                    _("no table: add a header row with the columns 检查点 and 检查结果 (and 检查要点, 备注), one row per check point below it"));
    }
    if (r.rubric && r.have_header)
        read_table(&r);
    if (r.nomem)
        goto done;
    if (r.ndiags == 0) {
        *out = build(&r);
        if (!*out)
            r.nomem = true;
        else
            verdict = KH_FIND_OK;
    }

done:
    if (r.nomem) {
        *status = KH_ERR_NOMEM;
        kh_diags_clear(&r.diags);
        verdict = KH_FIND_REJECTED;
    } else {
        kh_diags_move(d, &r.diags);
        if (d->oom && !had_oom)
            *status = KH_ERR_NOMEM;
        if (verdict == KH_FIND_REJECTED && *status == KH_OK) {
            who->rubric = r.rubric;
            who->unit = r.f[F_UNIT].text; /* taken */
            r.f[F_UNIT].text = NULL;
        }
    }
    kh_diags_clear(&r.diags);
    for (int i = 0; i < NFIELDS; i++)
        kh_free(r.f[i].text);
    free_results(r.results, r.rubric ? r.rubric->ncps : 0);
    kh_free(r.cp_cell);
    kh_free(r.cand);
    kh_free(r.idval);
    kh_free(r.idnum);
    kh_free(r.bucket);
    if (r.labkey)
        for (size_t k = 0; k < r.rubric->ncps; k++)
            kh_free(r.labkey[k]);
    kh_free(r.labkey);
    return verdict;
}
