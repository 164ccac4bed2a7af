/*
 * xlsx_num.h - numbers and dates of XLSX cells: locale-independent
 * parsing, the shortest decimal text, serial numbers to dates, and which
 * number formats show dates.  Internal to the XLSX reader.
 */
#ifndef KH_XLSX_NUM_H
#define KH_XLSX_NUM_H

#include "platform.h"
#include <stdbool.h>
#include <stdint.h>

#define KH_XLSX_NUMBUF 64

/* Parse a cell value (no surrounding space): plain decimal syntax with an
 * optional exponent; no hex, inf or nan.  loc is the C locale. */
bool kh_xlsx_parse_number(const char *s, locale_t loc, double *out);

/* The shortest decimal for v at 15 significant digits, as Excel shows
 * it: "2" for 2.0 and 1.9999999999999998, "0.3" for 0.30000000000000004,
 * "-0" as "0"; no exponent unless the number is beyond 10^+-30. */
void kh_xlsx_format_number(double v, locale_t loc, char out[KH_XLSX_NUMBUF]);

/* The date of serial number v as YYYY-MM-DD (time of day dropped).  The
 * 1900 system counts 1900-01-01 as 1 and keeps Excel's phantom 1900-02-29
 * (60); the 1904 system counts 1904-01-01 as 0.  False when v is no date
 * Excel shows (before day 1 of the system, after 9999-12-31). */
bool kh_xlsx_serial_date(double v, bool date1904, char out[KH_XLSX_NUMBUF]);

/* True when s starts with an ISO 8601 date YYYY-MM-DD, alone or followed
 * by a time ("T..."), as t="d" cells hold. */
bool kh_xlsx_iso_date(const char *s);

/* True when a custom number format code shows a date or time: a y, m, d
 * or h outside quoted text, [brackets] ([Red], [$-804], [h] elapsed
 * hours) and the one-character escapes \x, _x and *x. */
bool kh_xlsx_code_is_date(const char *code);

/* True for the built-in date and time formats: 14-22 and 45-47
 * (ECMA-376 18.8.30), 27-36 and 50-58 (East Asian locales). */
bool kh_xlsx_builtin_is_date(uint32_t id);

#endif
