/*
 * checklist.h - one unit's filled checklist, found in a sheet grid
 * (doc/formats.md §3): the labelled fields, the table, one result per check
 * point of the rubric.
 */
#ifndef KH_CHECKLIST_H
#define KH_CHECKLIST_H

#include "common.h"
#include "rubric.h"
#include "sheet.h"

/* One check point's result as read. */
typedef struct kh_result {
    bool present;          /* has: present (true) or missing (false) */
    int64_t n;             /* count, each, any, veto: the whole number */
    char *remark;          /* 备注, trimmed; NULL when empty */
    uint32_t row, col;     /* the result cell, 0-based (kh_cell_ref names it) */
} kh_result;

typedef struct kh_checklist {
    const kh_rubric *rubric;  /* not owned */
    char *unit;               /* 被考核单位 (trimmed, non-empty) */
    char *year;               /* 考核年度, or NULL */
    char *inspector;          /* 检查组, or NULL */
    char *date;               /* 检查日期, or NULL */
    char *source;             /* input path as given */
    char *sheet;              /* worksheet name; NULL for CSV */
    kh_result *results;       /* rubric->ncps, in rubric order; NULL once the
                                 checklist is scored (kh_score keeps what the
                                 outputs use in the unit) */
    bool keep_checks;         /* kh_score keeps every result in the unit */
    bool has_remark_col;      /* the table has a 备注 column: remark_col (0-based) */
    uint32_t remark_col;
} kh_checklist;

typedef enum kh_find {
    KH_FIND_NONE = 0,    /* the sheet holds no checklist (no 考核细则 field and no table) */
    KH_FIND_OK,          /* *out is a checklist */
    KH_FIND_REJECTED     /* the sheet is a checklist with errors (in d) */
} kh_find;

/* Find the checklist on sheet.  source and sheet->name name it in messages.
 * Returns KH_FIND_NONE for a sheet that holds none (a cover sheet),
 * KH_FIND_OK with *out set, or KH_FIND_REJECTED with one diagnostic per
 * problem in d.  *status gets KH_ERR_NOMEM when memory ran out (then the
 * return value is KH_FIND_REJECTED). */
kh_find kh_checklist_read(const kh_sheet *sheet, const char *source,
                          const kh_registry *reg, const kh_options *opts,
                          kh_checklist **out, kh_diags *d, kh_status *status);

/* What a rejected checklist says it is, as far as it could be read. */
typedef struct kh_checklist_who {
    char *unit;               /* 被考核单位, or NULL (free with kh_free) */
    const kh_rubric *rubric;  /* the rubric its 考核细则 names, or NULL */
} kh_checklist_who;

/* kh_checklist_read, and with KH_FIND_REJECTED the unit and rubric the
 * sheet names, where they could be read, in *who (who->unit is new). */
kh_find kh_checklist_read_who(const kh_sheet *sheet, const char *source,
                              const kh_registry *reg, const kh_options *opts,
                              kh_checklist **out, kh_checklist_who *who, kh_diags *d,
                              kh_status *status);

void kh_checklist_free(kh_checklist *c);

/* Free the results of c (c->results becomes NULL): what a scored unit
 * keeps of them is in the unit. */
void kh_checklist_drop_results(kh_checklist *c);

/* Parse a has result ("有", "无", "√", "yes", "TRUE"...).  Returns true and
 * sets *present when the text is one of the spellings of doc/formats.md §3. */
bool kh_parse_presence(const char *text, bool *present);

/* The largest count result accepted; more is implausible (a typo). */
#define KH_COUNT_MAX 1000000

/* Parse a whole number result ("2", "２", "2次", "2 次", "2.0" of a number
 * cell).  Returns true and sets *n when it is a whole number from 0 to
 * KH_COUNT_MAX. */
bool kh_parse_count(const char *text, bool is_number_cell, int64_t *n);

#endif
