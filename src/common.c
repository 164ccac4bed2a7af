/*
 * common.c - allocation through the replaceable allocator, growable
 * strings, diagnostics and the status table.
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kh_allocator alloc = {malloc, realloc, free};

void kh_set_allocator(const kh_allocator *a)
{
    if (a)
        alloc = *a;
    else
        alloc = (kh_allocator){malloc, realloc, free};
}

/* ---- memory budgets ----
 *
 * Every block carries a header: its size and the input budget it was
 * charged to.  A block costs its size and COST_EXTRA (the header and the C
 * library's own bookkeeping), so a million one-byte cells cost what they
 * take.  Each thread adds its costs to the run's total in steps of SLACK
 * (one atomic operation per megabyte, not per block); an input budget
 * (kh_budget_begin) counts the blocks of that input exactly. */
typedef struct block {
    size_t size;
    uint64_t gen; /* the input budget charged, 0 for none */
} block;
#define HDR 16
_Static_assert(sizeof(block) <= HDR, "block header");
#define COST_EXTRA (HDR + 16)
#define SLACK ((long long)1 << 20)

static long long run_used;                 /* bytes, atomic */
static size_t run_limit = KH_RUN_MEMORY;
static uint64_t next_gen;                  /* atomic */
static _Thread_local struct {
    uint64_t gen;      /* the input budget open on this thread, or 0 */
    size_t used, limit;
    int over;          /* KH_BUDGET_INPUT or KH_BUDGET_RUN once refused */
    long long pending; /* costs not yet added to run_used */
} tl;

void kh_set_run_budget(size_t bytes)
{
    run_limit = bytes;
}

size_t kh_run_budget(void)
{
    return run_limit;
}

size_t kh_run_memory(void)
{
    long long v = __atomic_load_n(&run_used, __ATOMIC_RELAXED);
    return v > 0 ? (size_t)v : 0;
}

void kh_budget_begin(size_t limit)
{
    tl.gen = __atomic_add_fetch(&next_gen, 1, __ATOMIC_RELAXED);
    tl.used = 0;
    tl.limit = limit;
    tl.over = 0;
}

int kh_budget_end(void)
{
    int over = tl.over;
    tl.gen = 0;
    tl.over = 0;
    return over;
}

/* Add the thread's pending costs to the run's total: the total. */
static long long flush_pending(void)
{
    long long now = __atomic_add_fetch(&run_used, tl.pending, __ATOMIC_RELAXED);
    tl.pending = 0;
    return now;
}

/* Charge cost to the thread's open input budget and the run: false (and
 * nothing charged) when it would pass either while an input is read. */
static bool charge(size_t cost)
{
    if (tl.gen && cost > tl.limit - tl.used) {
        tl.over = KH_BUDGET_INPUT;
        return false;
    }
    tl.pending += (long long)cost;
    if (tl.pending >= SLACK) {
        long long now = flush_pending();
        if (tl.gen && now > (long long)run_limit) {
            __atomic_sub_fetch(&run_used, (long long)cost, __ATOMIC_RELAXED);
            tl.over = KH_BUDGET_RUN;
            return false;
        }
    }
    if (tl.gen)
        tl.used += cost;
    return true;
}

static void uncharge(size_t cost, uint64_t gen)
{
    tl.pending -= (long long)cost;
    if (tl.pending <= -SLACK)
        flush_pending();
    if (gen && gen == tl.gen)
        tl.used -= cost < tl.used ? cost : tl.used;
}

void *kh_malloc(size_t size)
{
    if (size > SIZE_MAX - COST_EXTRA)
        return NULL;
    size_t cost = size + COST_EXTRA;
    if (!charge(cost))
        return NULL;
    char *p = alloc.malloc(size + HDR);
    if (!p) {
        uncharge(cost, tl.gen);
        return NULL;
    }
    *(block *)p = (block){.size = size, .gen = tl.gen};
    return p + HDR;
}

void *kh_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = kh_malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *kh_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return kh_malloc(size);
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - COST_EXTRA)
        return NULL;
    char *base = (char *)ptr - HDR;
    block h = *(block *)base;
    /* A block of an earlier input grown in this one: the growth is this
     * input's, the rest stays the earlier one's (it is not freed here). */
    if (size > h.size && !charge(size - h.size))
        return NULL;
    char *p = alloc.realloc(base, size + HDR);
    if (!p) {
        if (size > h.size)
            uncharge(size - h.size, tl.gen);
        return NULL;
    }
    if (size < h.size)
        uncharge(h.size - size, h.gen);
    ((block *)p)->size = size;
    return p + HDR;
}

void kh_free(void *ptr)
{
    if (!ptr)
        return;
    char *base = (char *)ptr - HDR;
    block h = *(block *)base;
    uncharge(h.size + COST_EXTRA, h.gen);
    alloc.free(base);
}

char *kh_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = kh_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *kh_strdup(const char *s) { return s ? kh_strndup(s, strlen(s)) : NULL; }

bool kh_grow(void **v, size_t *cap, size_t need, size_t elt)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return false;
        ncap *= 2;
    }
    if (elt && ncap > SIZE_MAX / elt)
        return false;
    void *p = kh_realloc(*v, ncap * elt);
    if (!p)
        return false;
    *v = p;
    *cap = ncap;
    return true;
}

/* ---- kh_buf ---- */

void kh_buf_add(kh_buf *b, const char *s, size_t len)
{
    if (b->oom)
        return;
    if (len > SIZE_MAX - b->len - 1 || !kh_grow((void **)&b->s, &b->cap, b->len + len + 1, 1)) {
        b->oom = true;
        return;
    }
    if (len)
        memcpy(b->s + b->len, s, len);
    b->len += len;
    b->s[b->len] = '\0';
}

void kh_buf_puts(kh_buf *b, const char *s) { kh_buf_add(b, s, strlen(s)); }
void kh_buf_putc(kh_buf *b, char c) { kh_buf_add(b, &c, 1); }

void kh_buf_vprintf(kh_buf *b, const char *fmt, va_list ap)
{
    if (b->oom)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if (!kh_grow((void **)&b->s, &b->cap, b->len + (size_t)n + 1, 1)) {
        b->oom = true;
        return;
    }
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void kh_buf_printf(kh_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kh_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void kh_buf_reset(kh_buf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

char *kh_strprintf(const char *fmt, ...)
{
    kh_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    kh_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return kh_buf_steal(&b);
}

char *kh_buf_steal(kh_buf *b)
{
    char *s = b->s;
    if (!s && !b->oom)
        s = kh_strdup("");
    if (b->oom) {
        kh_free(s);
        s = NULL;
    }
    *b = (kh_buf){0};
    return s;
}

void kh_buf_free(kh_buf *b)
{
    kh_free(b->s);
    *b = (kh_buf){0};
}

/* ---- diagnostics ---- */

void kh_diags_vadd(kh_diags *d, kh_severity sev, const char *file,
                   const char *sheet, const char *cell, long line,
                   const char *fmt, va_list ap)
{
    if (!d)
        return;
    if (!kh_grow((void **)&d->v, &d->cap, d->n + 1, sizeof *d->v)) {
        d->oom = true;
        return;
    }
    kh_buf msg = {0}, zh = {0};
    va_list aq;
    va_copy(aq, ap);
    kh_buf_vprintf(&msg, fmt, ap);
    kh_buf_vprintf_zh(&zh, fmt, aq);
    va_end(aq);
    kh_diag g = {.severity = sev, .line = line};
    g.file = kh_strdup(file);
    g.sheet = kh_strdup(sheet);
    g.cell = kh_strdup(cell);
    bool oom = msg.oom || zh.oom;
    g.msg = kh_buf_steal(&msg);
    g.msg_zh = kh_buf_steal(&zh);
    if ((file && !g.file) || (sheet && !g.sheet) || (cell && !g.cell) || !g.msg || !g.msg_zh ||
        oom) {
        kh_free(g.file);
        kh_free(g.sheet);
        kh_free(g.cell);
        kh_free(g.msg);
        kh_free(g.msg_zh);
        d->oom = true;
        return;
    }
    d->v[d->n++] = g;
}

void kh_diags_add(kh_diags *d, kh_severity sev, const char *file,
                  const char *sheet, const char *cell, long line,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kh_diags_vadd(d, sev, file, sheet, cell, line, fmt, ap);
    va_end(ap);
}

void kh_diags_move(kh_diags *dst, kh_diags *src)
{
    if (!src->n) {
        dst->oom |= src->oom;
        return;
    }
    if (!kh_grow((void **)&dst->v, &dst->cap, dst->n + src->n, sizeof *dst->v)) {
        dst->oom = true;
        kh_diags_clear(src);
        return;
    }
    memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
    dst->n += src->n;
    dst->oom |= src->oom;
    kh_free(src->v);
    *src = (kh_diags){0};
}

void kh_diags_clear(kh_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        kh_free(d->v[i].file);
        kh_free(d->v[i].sheet);
        kh_free(d->v[i].cell);
        kh_free(d->v[i].msg);
        kh_free(d->v[i].msg_zh);
    }
    kh_free(d->v);
    *d = (kh_diags){0};
}

size_t kh_diags_errors(const kh_diags *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += d->v[i].severity == KH_ERROR;
    return n;
}

/* "FILE:SHEET!CELL: msg" in English, "FILE:SHEET!CELL：msg" in Chinese. */
static char *format_diag(const kh_diag *g, bool zh)
{
    kh_buf b = {0};
    if (g->file)
        kh_buf_puts(&b, g->file);
    if (g->sheet)
        kh_buf_printf(&b, "%s%s", g->file ? ":" : "", g->sheet);
    if (g->cell)
        kh_buf_printf(&b, "!%s", g->cell);
    else if (g->line > 0)
        kh_buf_printf(&b, zh ? " 第 %ld 行" : ":%ld", g->line);
    if (b.len)
        kh_buf_puts(&b, zh ? "：" : ": ");
    const char *m = zh && g->msg_zh ? g->msg_zh : g->msg;
    kh_buf_puts(&b, m ? m : "");
    return kh_buf_steal(&b);
}

char *kh_diag_format(const kh_diag *g)
{
    return format_diag(g, false);
}

char *kh_diag_format_zh(const kh_diag *g)
{
    return format_diag(g, true);
}

/* The C library's texts of the errors a user can act on, as
 * kh_errno_text gives them (glibc's, in English), so that the catalogue
 * translates them where a message carries one as an argument. */
static const char *const errno_texts[] __attribute__((unused)) = {
    N_("No space left on device"),   N_("Disk quota exceeded"),
    N_("Permission denied"),         N_("No such file or directory"),
    N_("Read-only file system"),     N_("Input/output error"),
    N_("File exists"),               N_("Not a directory"),
    N_("Is a directory"),            N_("Too many open files"),
    N_("File name too long"),        N_("Operation not permitted"),
};

/* ---- status texts: one per kh_status, in order (tests check the count) ---- */

static const char *const status_text[] = {
    [KH_OK] = N_("success"),
    [KH_ERR_NOMEM] = N_("out of memory"),
    [KH_ERR_IO] = N_("input/output error"),
    [KH_ERR_INPUT] = N_("input rejected"),
    [KH_ERR_RUBRIC] = N_("invalid rubric"),
    [KH_ERR_USAGE] = N_("usage error"),
    [KH_ERR_LIMIT] = N_("limit exceeded"),
    [KH_ERR_FORMAT] = N_("output format error"),
};

_Static_assert(KH_ARRAY_LEN(status_text) == KH_STATUS_COUNT,
               "status_text must have one entry per kh_status");

const char *kh_strerror(kh_status s)
{
    if ((unsigned)s >= KH_STATUS_COUNT || !status_text[s])
        return _("unknown error");
    return _(status_text[s]);
}
