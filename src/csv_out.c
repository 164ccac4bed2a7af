/*
 * csv_out.c - CSV for spreadsheets (see csv_out.h); quoting is libcsv's.
 */
#include "csv_out.h"
#include "batch.h"
#include "outfile.h"
#include "text.h"

#include <csv.h>
#include <string.h>

void kh_csv_bom(FILE *out) { fputs("\xEF\xBB\xBF", out); }

void kh_csv_field(FILE *out, const char *s, bool first)
{
    if (!first)
        fputc(',', out);
    if (!s)
        s = "";
    char *clean = NULL;
    if (!kh_utf8_valid(s, strlen(s), NULL) && (clean = kh_utf8_clean(s, SIZE_MAX)))
        s = clean;
    if (kh_formula_like(s)) {
        kh_buf b = {0};
        kh_buf_putc(&b, '\'');
        kh_buf_puts(&b, s);
        if (!b.oom)
            csv_fwrite(out, b.s, b.len);
        kh_buf_free(&b);
    } else {
        csv_fwrite(out, s, strlen(s));
    }
    kh_free(clean);
}

void kh_csv_end_row(FILE *out) { fputs("\r\n", out); }

kh_status kh_batch_write_csv(const kh_batch *b, FILE *out)
{
    static const char *const head[] = {"unit", "rubric", "unit_type", "source", "sheet", "item",
                                       "points", "deduction", "score", "reason", "total",
                                       "result"};
    kh_csv_bom(out);
    for (size_t i = 0; i < KH_ARRAY_LEN(head); i++)
        kh_csv_field(out, head[i], i == 0);
    kh_csv_end_row(out);
    for (size_t i = 0; i < b->nunits; i++) {
        const kh_unit *u = b->units[i];
        const kh_rubric *r = u->cl->rubric;
        char total[KH_DEC_BUFSZ];
        kh_dec_format(u->total, total);
        for (size_t j = 0; j < r->nitems; j++) {
            char p[KH_DEC_BUFSZ], dd[KH_DEC_BUFSZ], sc[KH_DEC_BUFSZ];
            kh_csv_field(out, u->cl->unit, true);
            kh_csv_field(out, r->id, false);
            kh_csv_field(out, r->unit_type, false);
            kh_csv_field(out, u->cl->source, false);
            kh_csv_field(out, u->cl->sheet, false);
            kh_csv_field(out, r->items[j].num, false);
            kh_csv_field(out, kh_dec_format(r->items[j].points, p), false);
            kh_csv_field(out, kh_dec_format(u->items[j].deduction, dd), false);
            kh_csv_field(out, kh_dec_format(u->items[j].score, sc), false);
            kh_csv_field(out, u->items[j].reason, false);
            kh_csv_field(out, total, false);
            kh_csv_field(out, u->vetoed ? "一票否决" : "正常", false);
            kh_csv_end_row(out);
        }
    }
    return ferror(out) ? KH_ERR_IO : KH_OK;
}
