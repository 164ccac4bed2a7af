/* fuzz_rubric.c - rubric loader: bytes -> the CSV reader, or the first
 * worksheet of the XLSX reader -> kh_rubric_from_sheet.  A rubric that
 * loads must be consistent (items cover the check points in order, ids
 * unique, total = sum of points), describe itself, join a registry, and
 * score a checklist whose results are drawn from the input bytes. */
#include "fuzz.h"
#include "zipmut.h"
#include "csv_in.h"
#include "xlsx_in.h"

#define STOP KH_ERR_USAGE /* the callback's "first sheet seen, stop" */

typedef struct first {
    kh_rubric *r;
    kh_status st;
    kh_diags d;
} first;

static kh_status take_first(void *ctx, const kh_sheet *s)
{
    first *f = ctx;
    f->st = kh_rubric_from_sheet(s, "fuzz.xlsx", true, &f->r, &f->d);
    return STOP;
}

static void check_rubric(const kh_rubric *r)
{
    FUZZ_CHECK(r->id && *r->id && r->title && r->unit_type);
    FUZZ_CHECK(r->nitems >= 1 && r->ncps >= r->nitems);
    kh_dec sum = 0;
    size_t next = 0;
    for (size_t i = 0; i < r->nitems; i++) {
        const kh_item *it = &r->items[i];
        FUZZ_CHECK(it->first == next && it->ncps >= 1);
        FUZZ_CHECK(it->points >= 0);
        next += it->ncps;
        FUZZ_CHECK(kh_dec_add(sum, it->points, &sum));
        for (size_t k = it->first; k < it->first + it->ncps; k++)
            FUZZ_CHECK(r->cps[k].item == i);
    }
    FUZZ_CHECK(next == r->ncps);
    FUZZ_CHECK(sum == r->total);
    for (size_t k = 0; k < r->ncps; k++) {
        const kh_checkpoint *c = &r->cps[k];
        FUZZ_CHECK(c->id && *c->id && c->label);
        FUZZ_CHECK(kh_rubric_find_cp(r, c->id) == (long)k);
        FUZZ_CHECK(c->per >= 0 && (!c->has_cap || c->cap >= 0));
        FUZZ_CHECK(c->kind != KH_KIND_COUNT || c->need >= 0);
    }
}

/* A checklist for r with results drawn from the bytes. */
static void score_drawn(const kh_rubric *r, const unsigned char *data, size_t len)
{
    static const int64_t counts[] = {0, 1, 2, 3, 7, 100, KH_COUNT_MAX - 1, KH_COUNT_MAX};
    kh_checklist *cl = kh_calloc(1, sizeof *cl);
    if (!cl)
        return;
    cl->rubric = r;
    cl->unit = kh_strdup("单位");
    cl->source = kh_strdup("fuzz.csv");
    cl->results = kh_calloc(r->ncps, sizeof *cl->results);
    if (!cl->unit || !cl->source || !cl->results) {
        kh_checklist_free(cl);
        return;
    }
    for (size_t k = 0; k < r->ncps; k++) {
        unsigned char b = len ? data[(k * 7919u) % len] ^ (unsigned char)k : (unsigned char)k;
        cl->results[k].present = b & 1;
        cl->results[k].n = counts[(b >> 1) & 7];
    }
    kh_diags d = {0};
    kh_unit *u = NULL;
    if (kh_score(cl, &u, &d) == KH_OK)
        fuzz_check_unit(u);
    else
        kh_checklist_free(cl);
    fuzz_check_diags(&d);
    kh_unit_free(u);
    kh_diags_clear(&d);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
    first f = {.st = KH_OK};
    bool is_xlsx = len >= 4 && memcmp(data, "PK\3\4", 4) == 0;
    if (is_xlsx) {
        kh_status st = kh_xlsx_read_mem("fuzz.xlsx", data, len, take_first, &f, &f.d);
        if (st != STOP && st != KH_OK)
            f.st = st;
        else if (st == KH_OK) { /* a workbook without a worksheet */
            FUZZ_CHECK(!f.r);
            f.st = KH_ERR_RUBRIC;
            kh_diags_add(&f.d, KH_ERROR, "fuzz.xlsx", NULL, NULL, 0, "no worksheet");
        }
    } else {
        kh_sheet *s = NULL;
        f.st = kh_csv_parse("fuzz.csv", data, len, &s, &f.d);
        if (f.st == KH_OK)
            f.st = kh_rubric_from_sheet(s, "fuzz.csv", false, &f.r, &f.d);
        kh_sheet_free(s);
    }
    fuzz_check_diags(&f.d);
    if (f.st == KH_OK && f.r) {
        FUZZ_CHECK(kh_diags_errors(&f.d) == 0);
        check_rubric(f.r);
        char *text = NULL;
        size_t tlen = 0;
        FILE *out = open_memstream(&text, &tlen);
        if (out) {
            kh_rubric_describe(f.r, out);
            fclose(out);
            FUZZ_CHECK(kh_utf8_valid(text, tlen, NULL));
            free(text);
        }
        score_drawn(f.r, data, len);
        kh_registry *reg = kh_registry_new();
        if (reg) {
            kh_status st = kh_registry_add(reg, f.r, &f.d); /* takes f.r */
            f.r = NULL;
            FUZZ_CHECK(kh_registry_count(reg) == (st == KH_OK ? 1u : 0u));
            kh_registry_free(reg);
        }
    } else {
        FUZZ_CHECK(!f.r);
        FUZZ_CHECK(f.d.n > 0 || f.st == KH_ERR_NOMEM);
    }
    kh_rubric_free(f.r);
    kh_diags_clear(&f.d);
    return 0;
}
