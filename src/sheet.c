/*
 * sheet.c - the in-memory grid both readers fill (see sheet.h).
 */
#include "sheet.h"
#include "common.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

kh_sheet *kh_sheet_new(const char *name)
{
    kh_sheet *s = kh_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (name && !(s->name = kh_strdup(name))) {
        kh_free(s);
        return NULL;
    }
    return s;
}

/* Cell texts are appended to blocks instead of one allocation each (a
 * malloc and a free per cell were a tenth of reading a checklist).  A
 * block is never moved, so texts keep their address; blocks double from
 * BLOCK_MIN up to BLOCK_MAX, and a text longer than that gets a block of
 * its own. */
struct kh_sheet_block {
    kh_sheet_block *next;
    size_t used, cap;
    char data[];
};

#define BLOCK_MIN (4u << 10)
#define BLOCK_MAX (64u << 10)

void kh_sheet_free(kh_sheet *s)
{
    if (!s)
        return;
    for (kh_sheet_block *b = s->blocks, *next; b; b = next) {
        next = b->next;
        kh_free(b);
    }
    kh_free(s->row_first);
    kh_free(s->cells);
    kh_free(s->name);
    kh_free(s);
}

/* A copy of text[0..len) with its NUL in s's blocks, or NULL. */
static char *block_copy(kh_sheet *s, const char *text, size_t len)
{
    kh_sheet_block *b = s->blocks;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = b ? b->cap * 2 : BLOCK_MIN;
        if (cap > BLOCK_MAX)
            cap = BLOCK_MAX;
        if (cap < len + 1)
            cap = len + 1;
        if (cap > SIZE_MAX - sizeof *b)
            return NULL;
        kh_sheet_block *nb = kh_malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->cap = cap;
        if (b && cap == len + 1) {
            /* A text of its own block: keep filling the current one. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            s->blocks = nb;
        }
        b = nb;
    }
    char *p = b->data + b->used;
    memcpy(p, text, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

/* True when text[0..len) holds only ASCII white space and U+3000. */
static bool blank(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
            i++;
        else if (len - i >= 3 && memcmp(text + i, "\xe3\x80\x80", 3) == 0)
            i += 3;
        else
            return false;
    }
    return true;
}

bool kh_sheet_set(kh_sheet *s, uint32_t row, uint32_t col, kh_cell_type type,
                  const char *text, size_t len)
{
    if (blank(text, len))
        return true;
    if (s->ncells >= UINT32_MAX ||
        !kh_grow((void **)&s->cells, &s->cap, s->ncells + 1, sizeof *s->cells))
        return false;
    char *p = block_copy(s, text, len);
    if (!p)
        return false;
    s->cells[s->ncells] = (kh_cell){.row = row, .col = col, .type = type,
                                    .seq = (uint32_t)s->ncells, .text = p};
    s->ncells++;
    s->text_bytes += len;
    return true;
}

static int cell_cmp(const void *a, const void *b)
{
    const kh_cell *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Index the rows of the sorted cells: row_first[r] is the first cell of
 * row r or a later row, for r up to the last row + 1.  Only for a grid
 * whose rows are dense enough (a single cell in row 1048576 must not take
 * 4 MiB); without the index, lookups search all cells. */
static void index_rows(kh_sheet *s)
{
    kh_free(s->row_first);
    s->row_first = NULL;
    s->nrow_first = s->nindexed = 0;
    if (s->ncells == 0)
        return;
    size_t n = (size_t)s->cells[s->ncells - 1].row + 2;
    if (n > 2 * s->ncells + 64 || !(s->row_first = kh_malloc(n * sizeof *s->row_first)))
        return;  /* too sparse, or no memory: search instead */
    size_t i = 0;
    for (size_t r = 0; r < n; r++) {
        while (i < s->ncells && s->cells[i].row < r)
            i++;
        s->row_first[r] = (uint32_t)i;
    }
    s->nrow_first = n;
    s->nindexed = s->ncells;
}

void kh_sheet_finish(kh_sheet *s)
{
    /* Readers almost always deliver cells in order: check before sorting. */
    bool sorted = true;
    for (size_t i = 1; i < s->ncells && sorted; i++)
        sorted = cell_cmp(&s->cells[i - 1], &s->cells[i]) < 0 &&
                 (s->cells[i - 1].row != s->cells[i].row || s->cells[i - 1].col != s->cells[i].col);
    if (!sorted) {
        qsort(s->cells, s->ncells, sizeof *s->cells, cell_cmp);
        /* Where a position was set twice, the later value wins (the
         * earlier text stays in its block until the sheet is freed). */
        size_t w = 0;
        for (size_t i = 0; i < s->ncells; i++) {
            if (w && s->cells[w - 1].row == s->cells[i].row &&
                s->cells[w - 1].col == s->cells[i].col)
                s->cells[w - 1] = s->cells[i];
            else
                s->cells[w++] = s->cells[i];
        }
        s->ncells = w;
    }
    index_rows(s);
}

/* Index of the first cell at or after (row, col). */
static size_t lower_bound(const kh_sheet *s, uint32_t row, uint32_t col)
{
    size_t lo = 0, hi = s->ncells;
    if (s->row_first && s->nindexed == s->ncells) {
        /* Only the cells of this row need searching. */
        if ((size_t)row + 1 >= s->nrow_first)
            return s->ncells;
        lo = s->row_first[row];
        hi = s->row_first[row + 1];
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const kh_cell *c = &s->cells[mid];
        if (c->row < row || (c->row == row && c->col < col))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const kh_cell *kh_sheet_get(const kh_sheet *s, uint32_t row, uint32_t col)
{
    size_t i = lower_bound(s, row, col);
    if (i < s->ncells && s->cells[i].row == row && s->cells[i].col == col)
        return &s->cells[i];
    return NULL;
}

const kh_cell *kh_sheet_next_right(const kh_sheet *s, uint32_t row, uint32_t col)
{
    if (col + 1 >= KH_MAX_COLS)
        return NULL;
    size_t i = lower_bound(s, row, col + 1);
    if (i < s->ncells && s->cells[i].row == row)
        return &s->cells[i];
    return NULL;
}

char *kh_col_name(uint32_t col, char *buf)
{
    char tmp[8];
    int n = 0;
    uint32_t c = col + 1;
    while (c > 0 && n < 7) {
        uint32_t r = (c - 1) % 26;
        tmp[n++] = (char)('A' + r);
        c = (c - 1) / 26;
    }
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

/* Written by hand, not with snprintf: the XLSX reader names every cell
 * it reads (a tenth of its time went to snprintf). */
char *kh_cell_ref(uint32_t row, uint32_t col, char buf[KH_CELLREF_BUFSZ])
{
    kh_col_name(col, buf);
    char *p = buf + strlen(buf);
    char digits[12];
    int n = 0;
    uint64_t r = (uint64_t)row + 1;
    do {
        digits[n++] = (char)('0' + r % 10);
        r /= 10;
    } while (r);
    while (n)
        *p++ = digits[--n];
    *p = '\0';
    return buf;
}

bool kh_cell_parse(const char *ref, uint32_t *row, uint32_t *col)
{
    const char *p = ref;
    uint64_t c = 0, r = 0;
    int nl = 0, nd = 0;
    while (*p >= 'A' && *p <= 'Z') {
        c = c * 26 + (uint64_t)(*p - 'A' + 1);
        if (++nl > 3)
            return false;
        p++;
    }
    while (*p >= '0' && *p <= '9') {
        r = r * 10 + (uint64_t)(*p - '0');
        if (++nd > 7)
            return false;
        p++;
    }
    if (*p || !nl || !nd || c == 0 || c > KH_MAX_COLS || r == 0 || r > KH_MAX_ROWS)
        return false;
    *row = (uint32_t)(r - 1);
    *col = (uint32_t)(c - 1);
    return true;
}
