/*
 * json_out.c - the machine-readable result of doc/formats.md §4-5, streamed.
 *
 * The document's shape is fixed by doc/formats.md §5 (key order included) and every
 * score is a string holding an exact decimal, so it is written directly:
 * one unit per line, strings escaped by json_str below.  Invalid UTF-8
 * (only possible in file names) becomes U+FFFD, so the output is always
 * valid JSON.
 */
#include "batch.h"
#include "xlsx_out.h"
#include "provenance.h"
#include "outfile.h"
#include "text.h"
#include "summary.h"
#include "selfeval.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A JSON string.  Runs of bytes that need no escape go out in one
 * fwrite (a call per byte was most of the time spent writing); the stream
 * is locked by kh_batch_write_json, hence the _unlocked calls. */
static void json_str(FILE *out, const char *s)
{
    if (!s) {
        fputs_unlocked("null", out);
        return;
    }
    char *clean = NULL;
    if (!kh_utf8_valid(s, strlen(s), NULL)) {
        clean = kh_utf8_clean(s, SIZE_MAX);
        if (clean)
            s = clean;
    }
    putc_unlocked('"', out);
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (;; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F)
            continue;
        if (p > run)
            fwrite_unlocked(run, 1, (size_t)(p - run), out);
        run = p + 1;
        if (!c)
            break;
        switch (c) {
        case '"': fputs_unlocked("\\\"", out); break;
        case '\\': fputs_unlocked("\\\\", out); break;
        case '\n': fputs_unlocked("\\n", out); break;
        case '\r': fputs_unlocked("\\r", out); break;
        case '\t': fputs_unlocked("\\t", out); break;
        case '\b': fputs_unlocked("\\b", out); break;
        case '\f': fputs_unlocked("\\f", out); break;
        default: fprintf(out, "\\u%04x", c); break;
        }
    }
    putc_unlocked('"', out);
    kh_free(clean);
}

static void json_dec(FILE *out, kh_dec v)
{
    char num[KH_DEC_BUFSZ];
    putc_unlocked('"', out);
    fputs_unlocked(kh_dec_format(v, num), out);
    putc_unlocked('"', out);
}

static void write_unit(FILE *out, const kh_batch *b, const kh_unit *u, bool ranked)
{
    const kh_checklist *cl = u->cl;
    const kh_rubric *r = cl->rubric;
    fputs("{\"unit\": ", out);
    json_str(out, cl->unit);
    fputs(", \"rubric\": ", out);
    json_str(out, r->id);
    fputs(", \"unit_type\": ", out);
    json_str(out, r->unit_type);
    fputs(", \"source\": ", out);
    json_str(out, cl->source);
    fputs(", \"sheet\": ", out);
    json_str(out, cl->sheet);
    fputs(", \"total\": ", out);
    json_dec(out, u->total);
    fputs(", \"max\": ", out);
    json_dec(out, r->total);
    fputs(u->vetoed ? ", \"vetoed\": true, \"rank\": " : ", \"vetoed\": false, \"rank\": ", out);
    if (ranked && u->rank > 0)
        fprintf(out, "%ld", u->rank);
    else
        fputs("null", out);
    fputs(", \"grade\": ", out);
    if (u->grade)
        json_str(out, u->grade);
    else
        fputs("null", out);
    fputs(",\n   \"items\": [", out);
    for (size_t j = 0; j < r->nitems; j++) {
        const kh_item *it = &r->items[j];
        fputs(j ? ",\n     {\"item\": " : "{\"item\": ", out);
        json_str(out, it->num);
        if (it->name) {
            fputs(", \"name\": ", out);
            json_str(out, it->name);
        }
        fputs(", \"points\": ", out);
        json_dec(out, it->points);
        fputs(", \"deduction\": ", out);
        json_dec(out, u->items[j].deduction);
        fputs(", \"score\": ", out);
        json_dec(out, u->items[j].score);
        fputs(", \"reason\": ", out);
        json_str(out, u->items[j].reason ? u->items[j].reason : "");
        fputc('}', out);
    }
    fputc(']', out);
    /* Every check point's result and cell, for comparing two runs check by
     * check (rank --previous). */
    if (u->checks) {
        fputs(",\n   \"checks\": [", out);
        for (size_t j = 0; j < r->ncps; j++) {
            const kh_checkpoint *cp = &r->cps[j];
            const kh_check *c = &u->checks[j];
            char cell[KH_CELLREF_BUFSZ];
            fputs(j ? ", {\"check\": " : "{\"check\": ", out);
            json_str(out, cp->id);
            fputs(", \"result\": ", out);
            if (cp->kind == KH_KIND_HAS)
                json_str(out, c->present ? "有" : "无");
            else
                fprintf(out, "%" PRId64, c->n);
            fputs(", \"cell\": ", out);
            json_str(out, kh_cell_ref(c->row, c->col, cell));
            fputc('}', out);
        }
        fputc(']', out);
    }
    kh_self_json_unit(out, b, u, json_str); /* 自评 beside 考评 */
    fputc('}', out);
}

/* Where the numbers came from: kaohe's version, when, each input's digest
 * and each rubric's. */
static kh_status write_provenance(const kh_batch *b, FILE *out)
{
    size_t ng = 0;
    kh_group *g = kh_batch_groups(b, &ng); /* the rubrics used, in order */
    if (!g && b->nunits)
        return KH_ERR_NOMEM;
    char when[32];
    kh_iso_time((int64_t)kh_xw_now(), when, sizeof when);
    fputs(",\n \"provenance\": {\"kaohe\": ", out);
    json_str(out, KAOHE_VERSION);
    fputs(", \"created\": ", out);
    json_str(out, when);
    fputs(",\n  \"inputs\": [", out);
    for (size_t i = 0; i < b->ninputs; i++) {
        const kh_digest *dg = &b->digests[i];
        fputs(i ? ",\n   {\"file\": " : "\n   {\"file\": ", out);
        json_str(out, b->inputs[i]);
        if (dg->ok) {
            kh_iso_time(dg->mtime, when, sizeof when);
            fputs(", \"sha256\": ", out);
            json_str(out, dg->sha256);
            fprintf(out, ", \"size\": %" PRId64 ", \"modified\": ", dg->size);
            json_str(out, when);
        } else {
            fputs(", \"sha256\": null, \"size\": null, \"modified\": null", out);
        }
        fputc('}', out);
    }
    fputs("],\n  \"rubrics\": [", out);
    for (size_t k = 0; k < ng; k++) {
        const kh_rubric *r = g[k].rubric;
        fputs(k ? ",\n   {\"id\": " : "\n   {\"id\": ", out);
        json_str(out, r->id);
        fputs(", \"file\": ", out);
        json_str(out, r->path);
        fputs(", \"sha256\": ", out);
        if (r->sha256[0])
            json_str(out, r->sha256);
        else
            fputs("null", out);
        fputc('}', out);
    }
    fputs("]}", out);
    kh_groups_free(g, ng);
    return KH_OK;
}

static kh_status write_json(const kh_batch *b, bool ranked, FILE *out)
{
    fputs("{\"units\": [", out);
    size_t written = 0;
    if (ranked) {
        size_t ng = 0;
        kh_group *g = kh_batch_groups(b, &ng);
        if (!g && b->nunits)
            return KH_ERR_NOMEM;
        for (size_t k = 0; k < ng; k++)
            for (size_t i = 0; i < g[k].n; i++) {
                fputs(written++ ? ",\n  " : "\n  ", out);
                write_unit(out, b, g[k].units[i], true);
            }
        kh_groups_free(g, ng);
    } else {
        for (size_t i = 0; i < b->nunits; i++) {
            fputs(written++ ? ",\n  " : "\n  ", out);
            write_unit(out, b, b->units[i], false);
        }
    }
    fputs("],\n \"rejected\": [", out);
    for (size_t i = 0; i < b->nrejected; i++) {
        const kh_rejected *r = &b->rejected[i];
        fputs(i ? ",\n  {\"source\": " : "\n  {\"source\": ", out);
        json_str(out, r->source);
        fputs(", \"sheet\": ", out);
        json_str(out, r->sheet);
        /* The unit and rubric it names, where they could be read. */
        fputs(", \"unit\": ", out);
        json_str(out, r->unit);
        fputs(", \"rubric\": ", out);
        json_str(out, r->rubric ? r->rubric->id : NULL);
        /* errors: Chinese, as people read them; errors_en: the same in
         * English, stable wording for programs. */
        for (int en = 0; en < 2; en++) {
            fputs(en ? "], \"errors_en\": [" : ", \"errors\": [", out);
            for (size_t k = 0; k < r->n; k++) {
                const kh_diag *g = &b->errors.v[r->first + k];
                char *msg = en ? kh_diag_format(g) : kh_diag_format_zh(g);
                if (!msg)
                    return KH_ERR_NOMEM;
                if (k)
                    fputs(", ", out);
                json_str(out, msg);
                kh_free(msg);
            }
        }
        fputs("]}", out);
    }
    fputc(']', out);
    /* With a roster: the units due that sent only checklists that did
     * not pass (with those files), and those from which nothing came. */
    if (b->roster) {
        fputs(",\n \"failed\": [", out);
        for (size_t i = 0; i < b->nfailed; i++) {
            const kh_roster_entry *e = &b->roster->v[b->failed[i]];
            fputs(i ? ",\n  {\"unit\": " : "\n  {\"unit\": ", out);
            json_str(out, e->unit);
            fputs(", \"rubric\": ", out);
            json_str(out, e->rubric->id);
            fputs(", \"sources\": [", out);
            const char *last = NULL; /* a file's sheets are listed together */
            for (size_t k = 0; k < b->nrejected; k++) {
                const kh_rejected *r = &b->rejected[k];
                if (!kh_rejected_of(b, r, b->failed[i]) ||
                    (last && strcmp(last, r->source) == 0))
                    continue;
                if (last)
                    fputs(", ", out);
                json_str(out, r->source);
                last = r->source;
            }
            fputs("]}", out);
        }
        fputc(']', out);
    }
    if (b->roster) {
        fputs(",\n \"missing\": [", out);
        for (size_t i = 0; i < b->nmissing; i++) {
            const kh_roster_entry *e = &b->roster->v[b->missing[i]];
            fputs(i ? ",\n  {\"unit\": " : "\n  {\"unit\": ", out);
            json_str(out, e->unit);
            fputs(", \"rubric\": ", out);
            json_str(out, e->rubric->id);
            fputc('}', out);
        }
        fputc(']', out);
    }
    if (kh_self_json_lists(out, b, json_str) != KH_OK)
        return KH_ERR_NOMEM;
    if (ranked && kh_summary_json(b, out, json_str) != KH_OK) /* 问题汇总 */
        return KH_ERR_NOMEM;
    if (b->opts.provenance && write_provenance(b, out) != KH_OK)
        return KH_ERR_NOMEM;
    fputs("}\n", out);
    return ferror(out) ? KH_ERR_IO : KH_OK;
}

kh_status kh_batch_write_json(const kh_batch *b, bool ranked, FILE *out)
{
    /* The stream locked once, not by every fputc: once -j has started
     * threads, each call takes the lock (20 ms instead of 3 for 2000
     * units). */
    flockfile(out);
    kh_status st = write_json(b, ranked, out);
    funlockfile(out);
    return st;
}

kh_status kh_write_json_file(const kh_batch *b, bool ranked, const char *path, kh_diags *d)
{
    if (kh_batch_is_input(b, path)) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this output would overwrite an input: choose another output name"));
        return KH_ERR_USAGE;
    }
    kh_outfile o;
    kh_status st = kh_outfile_begin(&o, path, d);
    if (st != KH_OK)
        return st;
    FILE *f = fopen(o.open_path, "wb");
    st = f ? kh_batch_write_json(b, ranked, f) : KH_ERR_IO;
    if (f && fclose(f) != 0 && st == KH_OK)
        st = KH_ERR_IO;
    if (st == KH_OK)
        return kh_outfile_commit(&o, d);
    kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot write the file: %s"),
                 st == KH_ERR_NOMEM ? kh_strerror(st) : strerror(errno));
    kh_outfile_abort(&o);
    return st;
}
