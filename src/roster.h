/*
 * roster.h - the roster (单位名单): the units an assessment is due for, each
 * with its rubric and its place in the official order (doc/formats.md §6).
 */
#ifndef KH_ROSTER_H
#define KH_ROSTER_H

#include "common.h"
#include "rubric.h"

typedef struct kh_roster_entry {
    char *unit;              /* cleaned as checklist unit names are (kh_clean_name) */
    const kh_rubric *rubric; /* owned by the registry */
    long seq;                /* 序号, or the row's place when the column is absent */
    uint32_t row;            /* the row it came from, 0-based */
} kh_roster_entry;

struct kh_roster {
    char *path;
    kh_roster_entry *v;      /* in official order: by 序号, then by row */
    size_t n;
};

/* The index of the entry for unit (a cleaned name) of rubric r, or -1. */
long kh_roster_find(const kh_roster *ro, const char *unit, const kh_rubric *r);

/* Up to max names of entries of rubric r nearest to unit (edit distance
 * over characters, at most a third of the longer name and at least 1),
 * nearest first, joined with "、" into b; the number found. */
size_t kh_roster_suggest(const kh_roster *ro, const char *unit, const kh_rubric *r, size_t max,
                         kh_buf *b);

#endif
