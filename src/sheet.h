/*
 * sheet.h - the in-memory grid that both readers fill: one worksheet or
 * one CSV file as a sparse set of non-empty cells.
 *
 * Readers call kh_sheet_set for every non-empty cell in any order, then
 * kh_sheet_finish; consumers then look cells up by position.  Rows and
 * columns are 0-based here; kh_cell_ref gives the A1 name users see.
 */
#ifndef KH_SHEET_H
#define KH_SHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KH_MAX_ROWS 1048576u   /* Excel's limits: rows 1..1048576 */
#define KH_MAX_COLS 16384u     /* columns A..XFD */
#define KH_CELLREF_BUFSZ 24

typedef enum kh_cell_type {
    KH_CELL_STRING = 0, /* text as typed (every CSV cell) */
    KH_CELL_NUMBER,     /* text is the shortest decimal, e.g. "2", "1.1" */
    KH_CELL_BOOL,       /* text is "TRUE" or "FALSE" */
    KH_CELL_ERROR,      /* text is the error, e.g. "#N/A" */
    KH_CELL_DATE        /* text is YYYY-MM-DD (a date-formatted number) */
} kh_cell_type;

typedef struct kh_cell {
    uint32_t row, col;  /* 0-based */
    kh_cell_type type;
    uint32_t seq;       /* insertion order, to keep the later of two sets */
    char *text;         /* never NULL, never "" (empty cells are not kept) */
} kh_cell;

typedef struct kh_sheet_block kh_sheet_block;

typedef struct kh_sheet {
    char *name;         /* worksheet name as the user sees it; NULL for CSV */
    kh_cell *cells;     /* sorted by (row, col) after kh_sheet_finish */
    size_t ncells, cap;
    size_t text_bytes;  /* sum of text lengths, for limits */
    /* Private to sheet.c: the blocks the cell texts live in (a text is
     * never freed on its own), and the row index kh_sheet_finish builds
     * for lookups (row_first[r] is the first cell of row r or later; valid
     * while nindexed == ncells). */
    kh_sheet_block *blocks;
    uint32_t *row_first;
    size_t nrow_first, nindexed;
} kh_sheet;

/* A new empty sheet (name may be NULL).  NULL when out of memory. */
kh_sheet *kh_sheet_new(const char *name);
void kh_sheet_free(kh_sheet *s);

/* Add a cell.  text[0..len) is copied; an empty or all-white-space text is
 * not stored (returns true).  row < KH_MAX_ROWS and col < KH_MAX_COLS are
 * the caller's to check.  Returns false when out of memory. */
bool kh_sheet_set(kh_sheet *s, uint32_t row, uint32_t col, kh_cell_type type,
                  const char *text, size_t len);

/* Sort the cells; where a position was set twice the later value wins.
 * Lookups are fastest after it (a row index is built). */
void kh_sheet_finish(kh_sheet *s);

/* The cell at (row, col) or NULL when it is empty. */
const kh_cell *kh_sheet_get(const kh_sheet *s, uint32_t row, uint32_t col);

/* The first cell to the right of (row, col) in the same row, or NULL. */
const kh_cell *kh_sheet_next_right(const kh_sheet *s, uint32_t row, uint32_t col);

/* "A1" name of a 0-based position, written to buf.  Returns buf. */
char *kh_cell_ref(uint32_t row, uint32_t col, char buf[KH_CELLREF_BUFSZ]);

/* Parse an A1 reference ("E12", "$E$12" not accepted).  Returns false when
 * it is not one or lies outside A1:XFD1048576 (A0 included). */
bool kh_cell_parse(const char *ref, uint32_t *row, uint32_t *col);

/* Column letters of a 0-based column ("A", "XFD") into buf (>= 4 bytes). */
char *kh_col_name(uint32_t col, char *buf);

#endif
