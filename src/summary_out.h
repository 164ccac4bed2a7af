/*
 * summary_out.h - the sheets 问题汇总 and 问题汇总图 of the ranking
 * workbook (doc/formats.md §4), from kh_summary (summary.h).
 */
#ifndef KH_SUMMARY_OUT_H
#define KH_SUMMARY_OUT_H

#include "batch.h"
#include "previous.h"
#include "xlsx_out.h"

#define KH_SHEET_SUMMARY "问题汇总"
#define KH_SHEET_SUMMARY_CHART "问题汇总图"

/** Add the sheets 问题汇总 (every check point of every rubric, grouped by
 * item, most units first, with the units named; with prev the change from
 * last year) and 问题汇总图 (a bar chart of the ten check points most
 * often lost) to the workbook of x, which is written row by row.  Their
 * names avoid the n names taken.  Errors are recorded in x (out of
 * memory as LXW_ERROR_MEMORY_MALLOC_FAILED). */
void kh_summary_sheets(kh_xw *x, const kh_batch *b, const kh_previous *prev,
                       char *const *taken, size_t n);

#endif
