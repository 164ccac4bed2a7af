/*
 * strset.c - a set of strings with values (see strset.h).
 */
#include "strset.h"

#include <string.h>

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

uint64_t kh_hash_bytes(const char *s, size_t n, bool fold)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        h = (h ^ (fold ? lower(c) : c)) * UINT64_C(1099511628211);
    }
    return h;
}

/* Is key (NUL-terminated) equal to s[0..n)? */
static bool key_eq(const kh_strset *set, const char *key, const char *s, size_t n)
{
    if (strlen(key) != n)
        return false;
    if (!set->fold)
        return memcmp(key, s, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)key[i]) != lower((unsigned char)s[i]))
            return false;
    return true;
}

size_t *kh_strset_find(const kh_strset *set, const char *s, size_t n)
{
    if (!set->cap)
        return NULL;
    size_t mask = set->cap - 1;
    for (size_t i = kh_hash_bytes(s, n, set->fold) & mask;; i = (i + 1) & mask) {
        if (!set->key[i])
            return NULL;
        if (key_eq(set, set->key[i], s, n))
            return &set->val[i];
    }
}

/* Put key and val in the first free slot of its chain in key/val (cap
 * slots, a power of two, not full). */
static void place(const kh_strset *set, const char **key, size_t *val, size_t cap,
                  const char *k, size_t v)
{
    size_t j = kh_hash_bytes(k, strlen(k), set->fold) & (cap - 1);
    while (key[j])
        j = (j + 1) & (cap - 1);
    key[j] = k;
    val[j] = v;
}

bool kh_strset_add(kh_strset *set, const char *key, size_t val)
{
    if ((set->n + 1) * 2 > set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 64;
        const char **nk = kh_calloc(ncap, sizeof *nk);
        size_t *nv = kh_calloc(ncap, sizeof *nv);
        if (!nk || !nv) {
            kh_free(nk);
            kh_free(nv);
            return false;
        }
        for (size_t i = 0; i < set->cap; i++)
            if (set->key[i])
                place(set, nk, nv, ncap, set->key[i], set->val[i]);
        kh_free(set->key);
        kh_free(set->val);
        set->key = nk;
        set->val = nv;
        set->cap = ncap;
    }
    place(set, set->key, set->val, set->cap, key, val);
    set->n++;
    return true;
}

void kh_strset_free(kh_strset *set)
{
    kh_free(set->key);
    kh_free(set->val);
    *set = (kh_strset){0};
}
