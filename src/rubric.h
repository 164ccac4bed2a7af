/*
 * rubric.h - a rubric in memory (doc/formats.md §2) and its loader.
 *
 * A rubric is data: items worth points, each with check points of one of
 * five kinds.  The loader validates a whole file and rejects it with every
 * problem listed; the engine (rules.c) knows nothing of any rubric.
 */
#ifndef KH_RUBRIC_H
#define KH_RUBRIC_H

#include "common.h"
#include "decimal.h"
#include "sheet.h"

typedef enum kh_kind {
    KH_KIND_HAS = 0,  /* present / missing: missing costs per */
    KH_KIND_COUNT,    /* n >= 0: per × max(0, need − n) */
    KH_KIND_EACH,     /* n >= 0: per × n */
    KH_KIND_ANY,      /* n >= 1: the item's full points */
    KH_KIND_VETO      /* n >= 1: the unit is vetoed */
} kh_kind;

/* "has", "count", ... */
const char *kh_kind_name(kh_kind k);

typedef struct kh_checkpoint {
    char *id;        /* "7.2", unique in the rubric */
    char *label;     /* what the inspector sees, e.g. "签到单" */
    char *hint;      /* fill-in guidance, or NULL */
    char *missing;   /* has only: how its absence reads ("未与村委签订责任状"),
                        or NULL for "缺" + label */
    kh_kind kind;
    int64_t need;    /* count only: the number required */
    kh_dec per;      /* has, count, each: deduction per missing / short / occurrence */
    kh_dec cap;      /* the most this check point deducts; valid if has_cap */
    bool has_cap;
    size_t item;     /* index of its item in kh_rubric.items */
    long line;       /* where it was defined (1-based row of the file) */
} kh_checkpoint;

typedef struct kh_item {
    char *num;       /* item number as printed: "1", "17" */
    kh_dec points;   /* full points */
    char *content;   /* 督查内容, the full text */
    char *name;      /* short name for column headings ("组织领导"), or NULL */
    size_t first;    /* index of its first check point in kh_rubric.cps */
    size_t ncps;     /* number of check points (>= 1) */
} kh_item;

/* A grade band (等次): units with at least min points (the last band: any
 * total, and every vetoed unit), at most quota per cent of the units
 * ranked when has_quota. */
typedef struct kh_grade {
    char *name;      /* "优秀" */
    kh_dec min;      /* inclusive; unused for the last band */
    bool has_quota;
    unsigned quota;  /* per cent, 0-100 */
} kh_grade;

struct kh_rubric {
    char *id;
    char *title;
    char *unit_type;
    char *year;      /* "2020", or NULL */
    char *issuer;    /* 制表单位 printed on the ranking, or NULL */
    kh_dec total;
    kh_grade *grades; /* from the top; the last has no bound */
    size_t ngrades;   /* 0: the rubric sets no grades */
    kh_item *items;
    size_t nitems;
    kh_checkpoint *cps;
    size_t ncps;
    char *path;      /* file it was loaded from */
    char sha256[65]; /* of that file (kh_rubric_load), "" when unknown */
};

/* Load and validate a rubric from a sheet grid (CSV or XLSX first sheet).
 * path names the file in messages; is_xlsx selects FILE!CELL (true) or
 * FILE:LINE (false) positions.  On success *out is a new rubric; otherwise
 * KH_ERR_RUBRIC with every problem in d (or KH_ERR_NOMEM). */
kh_status kh_rubric_from_sheet(const kh_sheet *sheet, const char *path,
                               bool is_xlsx, kh_rubric **out, kh_diags *d);

/* Read a rubric file (.csv or .xlsx by its content) and validate it. */
kh_status kh_rubric_load(const char *path, kh_rubric **out, kh_diags *d);

void kh_rubric_free(kh_rubric *r);

/* Add r to reg, which takes ownership of it (also on failure, when r is
 * freed).  An id already in reg is KH_ERR_RUBRIC with a diagnostic naming
 * both files. */
kh_status kh_registry_add(kh_registry *reg, kh_rubric *r, kh_diags *d);

/* Parse grade bands ("优秀>=36;良好>=32;合格>=24;不合格", ";" or "；"
 * between bands) and optional quotas ("优秀<=30%", may be NULL) into *out
 * and *n (kh_grades_free them).  total bounds the scores.  On a problem:
 * false, with *why an English message with one %s (the part at fault, in
 * arg) and *in_quota telling which text it is in; *why NULL when out of
 * memory. */
bool kh_grades_parse(const char *bands, const char *quota, kh_dec total, kh_grade **out,
                     size_t *n, const char **why, bool *in_quota, char *arg, size_t argsz);
void kh_grades_free(kh_grade *g, size_t n);

/* The rubric as a person calls it: its unit type (乡镇), else its title,
 * else its id.  Messages and terminal tables name rubrics by it; the id
 * stays in JSON and in the 考核细则 cell. */
const char *kh_rubric_name(const kh_rubric *r);

/* Index of the check point with this exact id, or -1. */
long kh_rubric_find_cp(const kh_rubric *r, const char *id);

/* The district (or county, city) the rubric's title begins with, the
 * text before its year: "临桂区" of "临桂区2020年度乡（镇）…考核细则…".
 * A new string, "" when the title names none before a year, NULL when
 * out of memory. */
char *kh_rubric_district(const kh_rubric *r);

#endif
