/* fuzz_csv.c - CSV checklist reader: bytes -> kh_csv_parse -> checklist ->
 * score.  Every cell the reader keeps is non-empty valid UTF-8 inside
 * Excel's grid, sorted by position. */
#include "fuzz.h"
#include "csv_in.h"

void fuzz_check_sheet(const kh_sheet *s);

void fuzz_check_sheet(const kh_sheet *s)
{
    for (size_t i = 0; i < s->ncells; i++) {
        const kh_cell *c = &s->cells[i];
        FUZZ_CHECK(c->text && *c->text);
        FUZZ_CHECK(kh_utf8_valid(c->text, strlen(c->text), NULL));
        FUZZ_CHECK(c->row < KH_MAX_ROWS && c->col < KH_MAX_COLS);
        if (i > 0) {
            const kh_cell *p = &s->cells[i - 1];
            FUZZ_CHECK(p->row < c->row || (p->row == c->row && p->col < c->col));
        }
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
    kh_sheet *s = NULL;
    kh_diags d = {0};
    kh_status st = kh_csv_parse("fuzz.csv", data, len, &s, &d);
    fuzz_check_diags(&d);
    if (st == KH_OK) {
        FUZZ_CHECK(s && d.n == 0);
        fuzz_check_sheet(s);
        fuzz_score_sheet(s, "fuzz.csv");
    } else {
        FUZZ_CHECK(!s && (d.n > 0 || st == KH_ERR_NOMEM));
    }
    kh_sheet_free(s);
    kh_diags_clear(&d);
    return 0;
}
