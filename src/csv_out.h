/*
 * csv_out.h - writing CSV for spreadsheets: fields quoted by libcsv, text
 * that a spreadsheet could take for a formula neutralised (OWASP "CSV
 * Injection": a leading ' before = + - @ tab CR LF), CRLF line ends, a
 * UTF-8 BOM at the start so Excel and WPS read it as UTF-8.
 */
#ifndef KH_CSV_OUT_H
#define KH_CSV_OUT_H

#include "common.h"

#include "decimal.h"
#include "outfile.h"

#include <stdio.h>

/* Write the UTF-8 BOM. */
void kh_csv_bom(FILE *out);
/* Write one field; first = true for the first field of a row (no comma
 * before it).  Invalid UTF-8 becomes U+FFFD.  Returns false when memory
 * ran out (the field is then written empty, so columns stay in place). */
bool kh_csv_field(FILE *out, const char *s, bool first);
/* End the row with CRLF. */
void kh_csv_end_row(FILE *out);

/* A CSV output file: fields written by csv_out.c (libcsv quoting, formula
 * neutralising, CRLF, BOM) to a temporary file beside path, renamed into
 * place by kh_csv_file_close. */
typedef struct kh_csv_file {
    FILE *f;
    kh_outfile out; /* where the bytes go until they are complete */
    const char *path; /* owned by out */
    bool first;    /* the next field starts a row */
    bool oom;      /* set by the caller when memory ran out: close fails */
} kh_csv_file;

/* Start a CSV file that will become path (the BOM is written).  KH_OK or
 * KH_ERR_IO with a diagnostic. */
kh_status kh_csv_file_open(kh_csv_file *c, const char *path, kh_diags *d);

/* A text field (NULL is empty), neutralised when formula-like. */
void kh_csv_file_text(kh_csv_file *c, const char *s);

/* A number field, exactly its decimals (40, 38.6, 0.06). */
void kh_csv_file_dec(kh_csv_file *c, kh_dec v);

/* End the current row. */
void kh_csv_file_row(kh_csv_file *c);

/* Finish: flush, close, rename into place.  On any error the temporary
 * file is removed, path is untouched and a diagnostic says why. */
kh_status kh_csv_file_close(kh_csv_file *c, kh_diags *d);

#endif
