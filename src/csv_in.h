/*
 * csv_in.h - CSV files (UTF-8 with or without BOM, or GB18030) into a
 * sheet grid, on libcsv in strict mode.
 */
#ifndef KH_CSV_IN_H
#define KH_CSV_IN_H

#include "common.h"
#include "sheet.h"

#define KH_CSV_MAX_FILE  (64u << 20)  /* largest CSV file read, bytes */
#define KH_CSV_MAX_FIELD (1u << 20)   /* largest field, bytes */

/* Parse CSV bytes into a new sheet (name NULL).  path names the file in
 * messages ("x.csv!E12: ...", rows and columns as a spreadsheet shows
 * them).  Encoding: BOM -> UTF-8; valid UTF-8 -> UTF-8; otherwise GB18030
 * with kaohe's own table (gb18030.h); bytes that do not decode are an error naming row and byte
 * offset.  Returns KH_OK with *out set, KH_ERR_INPUT with diagnostics, or
 * KH_ERR_NOMEM. */
kh_status kh_csv_parse(const char *path, const void *data, size_t len,
                       kh_sheet **out, kh_diags *d);

/* Read the file and kh_csv_parse it (KH_ERR_IO / KH_ERR_LIMIT for a file
 * that cannot be read or is too large, with a diagnostic). */
kh_status kh_csv_read_file(const char *path, kh_sheet **out, kh_diags *d);

#endif
