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
#include "xlsx_out.h"

#include <stdio.h>

/* Does path end in ext (".csv", ".xlsx"), ignoring ASCII case? */
bool kh_path_has_ext(const char *path, const char *ext);


#endif
