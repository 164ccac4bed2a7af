/*
 * csv_out.h - writing CSV for spreadsheets: fields quoted by libcsv, text
 * that a spreadsheet could take for a formula neutralised (OWASP "CSV
 * Injection": a leading ' before = + - @ tab CR LF), CRLF line ends, a
 * UTF-8 BOM at the start so Excel and WPS read it as UTF-8.
 */
#ifndef KH_CSV_OUT_H
#define KH_CSV_OUT_H

#include "common.h"

#include <stdio.h>

/* Write the UTF-8 BOM. */
void kh_csv_bom(FILE *out);
/* Write one field; first = true for the first field of a row (no comma
 * before it).  Invalid UTF-8 becomes U+FFFD. */
void kh_csv_field(FILE *out, const char *s, bool first);
/* End the row with CRLF. */
void kh_csv_end_row(FILE *out);

#endif
