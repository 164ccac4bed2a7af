/*
 * strset.h - a set of strings, each with a value: open addressing in a
 * table kept at most half full.  The keys are owned elsewhere and must
 * outlive the set.  With fold set, keys are equal when they differ only
 * in ASCII case (file names on Windows and macOS).  Zero-initialise
 * (with fold as wanted) before use.
 */
#ifndef KH_STRSET_H
#define KH_STRSET_H

#include "common.h"

typedef struct kh_strset {
    const char **key; /* NUL-terminated; NULL = free slot */
    size_t *val;
    size_t cap, n;
    bool fold;
} kh_strset;

/* FNV-1a of s[0..n), ASCII letters folded to lower case when fold. */
uint64_t kh_hash_bytes(const char *s, size_t n, bool fold);

/* The value of the key equal to s[0..n), or NULL when there is none.  The
 * pointer is good until the next kh_strset_add. */
size_t *kh_strset_find(const kh_strset *set, const char *s, size_t n);

/* Add key with val (no equal key may be in the set).  False when out of
 * memory (the set is unchanged). */
bool kh_strset_add(kh_strset *set, const char *key, size_t val);

void kh_strset_free(kh_strset *set);

#endif
