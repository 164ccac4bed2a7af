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

struct kh_previous {
    char *path;
    char *created;            /* the earlier run's time, or NULL */
    kh_prev_unit *v;
    size_t n;
};

/* The unit of that name (and rubric id, unless NULL), or NULL. */
const kh_prev_unit *kh_previous_find(const kh_previous *p, const char *unit, const char *rubric);

#endif
