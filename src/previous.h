/*
 * previous.h - an earlier result read back (rank --previous): what the
 * 变更情况 sheet compares with this run (doc/formats.md §5).
 */
#ifndef KH_PREVIOUS_H
#define KH_PREVIOUS_H

#include "common.h"

typedef struct kh_prev_check {
    char *id, *result, *cell; /* "3.1", "2" or "有", "G20" (cell may be NULL) */
} kh_prev_check;

typedef struct kh_prev_unit {
    char *unit, *rubric;
    char *total, *max;        /* exact decimals as written */
    char *grade;              /* or NULL */
    long rank;                /* 0: none (vetoed) */
    bool vetoed;
    kh_prev_check *checks;    /* as the earlier run wrote them (may be none) */
    size_t nchecks;
} kh_prev_unit;

/* A roster unit the earlier run did not score: it sent only checklists
 * that did not pass (its "failed" list) or nothing ("missing"). */
typedef enum kh_prev_state { KH_PREV_NONE = 0, KH_PREV_FAILED, KH_PREV_MISSING } kh_prev_state;

typedef struct kh_prev_absent {
    char *unit, *rubric;
    kh_prev_state state;
} kh_prev_absent;

struct kh_previous {
    char *path;
    char *created;            /* the earlier run's time, or NULL */
    kh_prev_unit *v;
    size_t n;
    kh_prev_absent *absent;   /* failed and missing units (a run with a roster) */
    size_t nabsent;
};

/* The unit of that name (and rubric id, unless NULL), or NULL. */
const kh_prev_unit *kh_previous_find(const kh_previous *p, const char *unit, const char *rubric);

/* Whether the earlier run listed unit (of rubric id rubric) as failed or
 * missing, or KH_PREV_NONE. */
kh_prev_state kh_previous_state(const kh_previous *p, const char *unit, const char *rubric);

#endif
