/*
 * csv_out.c - CSV for spreadsheets (see csv_out.h); quoting is libcsv's.
 */
#include "csv_out.h"
#include "batch.h"
#include "outfile.h"
#include "text.h"

#include <csv.h>
#include <errno.h>
#include <string.h>

void kh_csv_bom(FILE *out) { fputs("\xEF\xBB\xBF", out); }

bool kh_csv_field(FILE *out, const char *s, bool first)
{
    if (!first)
        fputc(',', out);
    if (!s)
        s = "";
    bool ok = true;
    char *clean = NULL;
    if (!kh_utf8_valid(s, strlen(s), NULL)) {
        if (!(clean = kh_utf8_clean(s, SIZE_MAX)))
            return false;
        s = clean;
    }
    if (kh_formula_like(s)) {
        kh_buf b = {0};
        kh_buf_putc(&b, '\'');
        kh_buf_puts(&b, s);
        if (!b.oom)
            csv_fwrite(out, b.s, b.len);
        ok = !b.oom;
        kh_buf_free(&b);
    } else {
        csv_fwrite(out, s, strlen(s));
    }
    kh_free(clean);
    return ok;
}

void kh_csv_end_row(FILE *out) { fputs("\r\n", out); }

kh_status kh_csv_file_open(kh_csv_file *c, const char *path, kh_diags *d)
{
    *c = (kh_csv_file){.first = true};
    kh_status st = kh_outfile_begin(&c->out, path, d);
    if (st != KH_OK)
        return st;
    c->path = c->out.path;
    c->f = fopen(c->out.open_path, "wb");
    if (!c->f) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot write the file: %s"),
                     strerror(errno));
        kh_outfile_abort(&c->out);
        *c = (kh_csv_file){0};
        return KH_ERR_IO;
    }
    /* The BOM makes Excel and WPS read the file as UTF-8, not GBK. */
    kh_csv_bom(c->f);
    return KH_OK;
}

void kh_csv_file_text(kh_csv_file *c, const char *s)
{
    if (!kh_csv_field(c->f, s, c->first))
        c->oom = true;
    c->first = false;
}

void kh_csv_file_dec(kh_csv_file *c, kh_dec v)
{
    /* A number kaohe formatted ("-1.2": a sign, digits, a point) is no
     * formula: written as it is, a spreadsheet reads it as a number, where
     * a neutralised "'-1.2" would be text (the 差 of 自评与考评). */
    char num[KH_DEC_BUFSZ];
    if (!c->first)
        fputc(',', c->f);
    kh_dec_format(v, num);
    csv_fwrite(c->f, num, strlen(num));
    c->first = false;
}

void kh_csv_file_row(kh_csv_file *c)
{
    kh_csv_end_row(c->f);
    c->first = true;
}

kh_status kh_csv_file_close(kh_csv_file *c, kh_diags *d)
{
    if (!c->f)
        return KH_ERR_USAGE;
    kh_status st = KH_OK;
    errno = 0;
    bool bad = fflush(c->f) != 0 || ferror(c->f);
    int e = errno;
    if (fclose(c->f) != 0 && !bad) {
        bad = true;
        e = errno;
    }
    c->f = NULL;
    if (c->oom) {
        kh_diags_add(d, KH_ERROR, c->path, NULL, NULL, 0, _("out of memory while writing the file"));
        st = KH_ERR_NOMEM;
    } else if (bad) {
        kh_diags_add(d, KH_ERROR, c->path, NULL, NULL, 0, _("cannot write the file: %s"),
                     e ? strerror(e) : _("write error (is the disk full?)"));
        st = KH_ERR_IO;
    }
    if (st == KH_OK)
        st = kh_outfile_commit(&c->out, d);
    else
        kh_outfile_abort(&c->out);
    *c = (kh_csv_file){0};
    return st;
}


kh_status kh_batch_write_csv(const kh_batch *b, FILE *out)
{
    return kh_batch_write_csv_as(b, KH_CSV_HEADER_ZH, out);
}

kh_status kh_batch_write_csv_as(const kh_batch *b, kh_csv_header header, FILE *out)
{
    bool ok = true;
    /* The office's words, and a BOM so that Excel and WPS read UTF-8 (not
     * GBK); for scripts the English names and no BOM, which programs
     * reading UTF-8 would take as part of the first name. */
    static const char *const zh[] = {"被考核单位", "考核细则", "单位类型", "来源文件",
                                     "工作表", "考核项目", "分值", "扣分",
                                     "得分", "扣分原因", "合计得分", "结果"};
    static const char *const en[] = {"unit", "rubric", "unit_type", "source", "sheet", "item",
                                     "points", "deduction", "score", "reason", "total",
                                     "result"};
    _Static_assert(KH_ARRAY_LEN(zh) == KH_ARRAY_LEN(en), "one Chinese name per column");
    const char *const *head = header == KH_CSV_HEADER_EN ? en : zh;
    /* 等次 as a last column when bands apply to some unit (the rubric's
     * grades, --grades, the page's setting); without bands the columns
     * stay those above. */
    bool graded = false;
    for (size_t i = 0; i < b->nunits && !graded; i++)
        graded = b->units[i]->grade != NULL;
    if (header != KH_CSV_HEADER_EN)
        kh_csv_bom(out);
    for (size_t i = 0; i < KH_ARRAY_LEN(zh); i++)
        ok &= kh_csv_field(out, head[i], i == 0);
    if (graded)
        ok &= kh_csv_field(out, header == KH_CSV_HEADER_EN ? "grade" : "等次", false);
    kh_csv_end_row(out);
    for (size_t i = 0; i < b->nunits; i++) {
        const kh_unit *u = b->units[i];
        const kh_rubric *r = u->cl->rubric;
        char total[KH_DEC_BUFSZ];
        kh_dec_format(u->total, total);
        for (size_t j = 0; j < r->nitems; j++) {
            char p[KH_DEC_BUFSZ], dd[KH_DEC_BUFSZ], sc[KH_DEC_BUFSZ];
            ok &= kh_csv_field(out, u->cl->unit, true);
            ok &= kh_csv_field(out, r->id, false);
            ok &= kh_csv_field(out, r->unit_type, false);
            ok &= kh_csv_field(out, u->cl->source, false);
            ok &= kh_csv_field(out, u->cl->sheet, false);
            ok &= kh_csv_field(out, r->items[j].num, false);
            ok &= kh_csv_field(out, kh_dec_format(r->items[j].points, p), false);
            ok &= kh_csv_field(out, kh_dec_format(u->items[j].deduction, dd), false);
            ok &= kh_csv_field(out, kh_dec_format(u->items[j].score, sc), false);
            ok &= kh_csv_field(out, u->items[j].reason, false);
            ok &= kh_csv_field(out, total, false);
            ok &= kh_csv_field(out, u->vetoed ? "一票否决" : "正常", false);
            if (graded)
                ok &= kh_csv_field(out, u->grade ? u->grade : "", false);
            kh_csv_end_row(out);
        }
    }
    if (!ok)
        return KH_ERR_NOMEM;
    return ferror(out) ? KH_ERR_IO : KH_OK;
}
