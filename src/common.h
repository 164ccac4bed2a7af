/*
 * common.h - what every module of libkaohe uses: allocation through the
 * replaceable allocator, the message macro, and a growable string.
 */
#ifndef KH_COMMON_H
#define KH_COMMON_H

#include "kaohe.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Text for people is written in English in the code and marked for the
 * catalogue (po/, gettext domain "kaohe"; see i18n.h):
 *   _()  a message (diagnostic format, or a reason handed to one): its
 *        English msgid; kh_diags_add makes it English and Chinese;
 *   N_() the same, in a static table;
 *   T_() text printed for the terminal (rubric show, the score table):
 *        translated as the locale says (dgettext);
 *   Z_() text written into a file for people: Chinese. */
#include <libintl.h>

#include "i18n.h"
#include "platform.h"
#define _(s) (s)
#define N_(s) (s)
#define T_(s) dgettext("kaohe", s)
#define Z_(s) kh_zh(s)

#define KH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *kh_malloc(size_t size);
void *kh_calloc(size_t n, size_t size);  /* overflow-checked */
void *kh_realloc(void *ptr, size_t size);
/* kh_free is public (kaohe.h).  Every block of these carries a header:
 * free them with kh_free only, never free(). */

/* Memory budgets, counted through the allocator above (what kaohe, expat
 * and libcsv allocate; zlib's own memory is not counted).
 * Between kh_budget_begin and kh_budget_end on one thread (one input
 * read and scored), an allocation fails when the blocks allocated since
 * would pass limit bytes, or the whole process's would pass the run
 * budget (kh_set_run_budget, KH_RUN_MEMORY unless set); kh_budget_end says
 * whether that happened and which budget refused.  Outside a budget the
 * run's memory is counted but nothing is refused. */
#define KH_INPUT_MEMORY ((size_t)256 << 20)
#define KH_RUN_MEMORY ((size_t)1024 << 20)
enum { KH_BUDGET_INPUT = 1, KH_BUDGET_RUN = 2 };
void kh_budget_begin(size_t limit);
int kh_budget_end(void);
void kh_set_run_budget(size_t bytes);
size_t kh_run_budget(void);
size_t kh_run_memory(void); /* bytes counted now, to within a MiB a thread */
char *kh_strdup(const char *s);                /* NULL in -> NULL out */
char *kh_strndup(const char *s, size_t n);
/* Grow *v (of *cap elements of size elt) so it holds at least need elements.
 * Returns false (leaving *v intact) when out of memory or on overflow. */
bool kh_grow(void **v, size_t *cap, size_t need, size_t elt);

/* A growable NUL-terminated string.  Zero-initialise; kh_buf_free releases.
 * After an allocation failure the buffer is marked (oom) and further
 * appends do nothing, so callers check once at the end. */
typedef struct kh_buf {
    char *s;
    size_t len, cap;
    bool oom;
} kh_buf;

void kh_buf_add(kh_buf *b, const char *s, size_t len);
void kh_buf_puts(kh_buf *b, const char *s);
void kh_buf_putc(kh_buf *b, char c);
void kh_buf_printf(kh_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void kh_buf_vprintf(kh_buf *b, const char *fmt, va_list ap);
void kh_buf_reset(kh_buf *b);            /* length 0, memory kept */
char *kh_buf_steal(kh_buf *b);           /* returns s ("" if empty), resets */
/* A new string formatted as printf does, or NULL when out of memory. */
char *kh_strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kh_buf_free(kh_buf *b);
static inline const char *kh_buf_str(const kh_buf *b) { return b->s ? b->s : ""; }

/* Diagnostics (kaohe.h has the list type). */
void kh_diags_add(kh_diags *d, kh_severity sev, const char *file,
                  const char *sheet, const char *cell, long line,
                  const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void kh_diags_vadd(kh_diags *d, kh_severity sev, const char *file,
                   const char *sheet, const char *cell, long line,
                   const char *fmt, va_list ap);
/* Move all diagnostics of src to the end of dst (src is left empty). */
void kh_diags_move(kh_diags *dst, kh_diags *src);

#endif
