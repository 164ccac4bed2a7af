/*
 * template_out.h - what the two form writers share (blank templates in
 * template_out.c, scoresheets in scoresheet_out.c) besides the printed
 * page (print_layout.h): a CSV file written through libcsv to a temporary
 * name and renamed into place, and file name extensions.
 */
#ifndef KH_TEMPLATE_OUT_H
#define KH_TEMPLATE_OUT_H

#include "common.h"
#include "decimal.h"
#include "csv_out.h"
#include "print_layout.h"
#include "rubric.h"
#include "xlsx_out.h"

#include <stdio.h>

/* Does path end in ext (".csv", ".xlsx"), ignoring ASCII case? */
bool kh_path_has_ext(const char *path, const char *ext);

/* The 填写说明 of check point cp, as the template prints it: what to write
 * ("填“有”或“无”", "填实际次数，应不少于2次") and the rubric's hint.  New
 * string or NULL (out of memory). */
char *kh_fill_text(const kh_checkpoint *cp);

/* The answers of one unit (a filled checklist): values[i] and remarks[i]
 * of check point i of the rubric, each NULL when empty. */
typedef struct kh_filled {
    const char *unit;
    const char *year;           /* 考核年度, or NULL */
    char *const *values;
    char *const *remarks;
} kh_filled;

/* The blank checklist of f->unit under r (kh_write_template's XLSX, one
 * sheet) with f's year and answers in the 检查结果 and 备注 cells, at path
 * (.xlsx).  The online 填报's "下载本单位检查表" (fill.c). */
kh_status kh_write_filled(const kh_rubric *r, const kh_filled *f, const char *path, kh_diags *d);

/* Whether kh_write_filled writes value, the result of cp, as a number
 * cell (a count in plain digits) rather than text; fill.c builds the
 * same grid in memory to score it. */
bool kh_filled_is_number(const kh_checkpoint *cp, const char *value);

#endif
