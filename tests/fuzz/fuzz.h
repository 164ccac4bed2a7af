/*
 * fuzz.h - shared by the libFuzzer targets of tests/fuzz/: the shipped
 * rubrics loaded once, and the checks every target makes on what the
 * library hands back (a crash is not the only failure: a score out of its
 * bounds or a message that is not UTF-8 is one too, and aborts).
 *
 * The same targets build two ways: with clang -fsanitize=fuzzer (make
 * fuzz) and with replay.c, a main() that runs files through
 * LLVMFuzzerTestOneInput (make test replays tests/data/regress/ and the
 * seed corpora).
 */
#ifndef KH_FUZZ_H
#define KH_FUZZ_H

#include "batch.h"
#include "checklist.h"
#include "common.h"
#include "rubric.h"
#include "rules.h"
#include "text.h"
#include "xlsx_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_RUBRICS
#define FUZZ_RUBRICS "templates/rubrics"
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* The shipped rubrics ($KAOHE_RUBRICS or FUZZ_RUBRICS), loaded on first
 * use and kept for the whole run. */
static inline const kh_registry *fuzz_registry(void)
{
    static kh_registry *reg;
    if (!reg) {
        const char *dir = getenv("KAOHE_RUBRICS");
        kh_diags d = {0};
        reg = kh_registry_new();
        if (!reg || kh_registry_load_dir(reg, dir && *dir ? dir : FUZZ_RUBRICS, &d) != KH_OK ||
            kh_registry_count(reg) == 0) {
            fprintf(stderr, "fuzz: cannot load the rubrics of %s\n", dir ? dir : FUZZ_RUBRICS);
            abort();
        }
        kh_diags_clear(&d);
    }
    return reg;
}

/* Every diagnostic has a message, and its strings are valid UTF-8. */
static inline void fuzz_check_diags(const kh_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const kh_diag *g = &d->v[i];
        FUZZ_CHECK(g->msg && *g->msg);
        FUZZ_CHECK(kh_utf8_valid(g->msg, strlen(g->msg), NULL));
        FUZZ_CHECK(!g->sheet || kh_utf8_valid(g->sheet, strlen(g->sheet), NULL));
        FUZZ_CHECK(!g->cell || kh_utf8_valid(g->cell, strlen(g->cell), NULL));
        char *s = kh_diag_format(g);
        FUZZ_CHECK(s);
        kh_free(s);
    }
}

/* A sheet a workbook reader made: a valid UTF-8 name, every cell non-empty
 * valid UTF-8 of at most Excel's characters inside Excel's grid, cells in
 * row and column order. */
static inline void fuzz_check_workbook_sheet(const kh_sheet *s)
{
    FUZZ_CHECK(s->name && kh_utf8_valid(s->name, strlen(s->name), NULL));
    for (size_t i = 0; i < s->ncells; i++) {
        const kh_cell *c = &s->cells[i];
        FUZZ_CHECK(c->text && *c->text);
        FUZZ_CHECK(kh_utf8_valid(c->text, strlen(c->text), NULL));
        FUZZ_CHECK(kh_utf8_len(c->text) <= KH_XLSX_MAX_CELL);
        FUZZ_CHECK(c->row < KH_MAX_ROWS && c->col < KH_MAX_COLS);
        if (i > 0) {
            const kh_cell *p = &s->cells[i - 1];
            FUZZ_CHECK(p->row < c->row || (p->row == c->row && p->col < c->col));
        }
    }
}

/* A scored unit obeys doc/formats.md §2: every item's deduction lies in
 * [0, points], score = points - deduction, total = sum of scores (so
 * 0 <= total <= the rubric's total), a veto reason exactly when vetoed. */
static inline void fuzz_check_unit(const kh_unit *u)
{
    const kh_rubric *r = u->cl->rubric;
    kh_dec sum = 0;
    FUZZ_CHECK(u->cl->unit && *u->cl->unit);
    FUZZ_CHECK(kh_utf8_valid(u->cl->unit, strlen(u->cl->unit), NULL));
    for (size_t i = 0; i < r->nitems; i++) {
        const kh_item_score *s = &u->items[i];
        FUZZ_CHECK(s->deduction >= 0 && s->deduction <= r->items[i].points);
        FUZZ_CHECK(s->score == r->items[i].points - s->deduction);
        FUZZ_CHECK(s->reason && kh_utf8_valid(s->reason, strlen(s->reason), NULL));
        sum += s->score;
    }
    for (size_t i = 0; i < u->ncosts; i++) {
        FUZZ_CHECK(u->costs[i].deduction >= 0 && u->costs[i].cp < r->ncps);
        FUZZ_CHECK(i == 0 || u->costs[i - 1].cp < u->costs[i].cp);
    }
    FUZZ_CHECK(sum == u->total);
    FUZZ_CHECK(u->total >= 0 && u->total <= r->total);
    FUZZ_CHECK(u->vetoed == (u->veto_reason != NULL));
}

/* Find and score the checklist on sheet, checking what comes back. */
static inline kh_status fuzz_score_sheet(const kh_sheet *sheet, const char *source)
{
    kh_diags d = {0};
    kh_checklist *cl = NULL;
    kh_status st = KH_OK;
    kh_options opts = {.blank_as_missing = sheet->ncells & 1};
    kh_find f = kh_checklist_read(sheet, source, fuzz_registry(), &opts, &cl, &d, &st);
    fuzz_check_diags(&d);
    if (f == KH_FIND_OK) {
        FUZZ_CHECK(cl && st == KH_OK);
        kh_unit *u = NULL;
        st = kh_score(cl, &u, &d);
        if (st == KH_OK)
            fuzz_check_unit(u);
        else
            kh_checklist_free(cl);
        kh_unit_free(u);
        fuzz_check_diags(&d);
    } else {
        FUZZ_CHECK(!cl);
        FUZZ_CHECK(f == KH_FIND_NONE || d.n > 0 || st == KH_ERR_NOMEM);
    }
    kh_diags_clear(&d);
    return st == KH_ERR_NOMEM ? st : KH_OK;
}

#endif
