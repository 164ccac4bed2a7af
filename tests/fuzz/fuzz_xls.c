/* fuzz_xls.c - .xls checklist reader, in process: bytes ->
 * kh_xls_read_mem -> each worksheet -> checklist -> score.  Every cell the
 * reader keeps is non-empty valid UTF-8 of at most Excel's characters
 * inside Excel's grid; sheet names are valid UTF-8; a refusal has a
 * message. */
#include "fuzz.h"
#include "xls_in.h"

static kh_status take_sheet(void *ctx, const kh_sheet *s)
{
    size_t *nsheets = ctx;
    (*nsheets)++;
    FUZZ_CHECK(*nsheets <= KH_XLSX_MAX_SHEETS);
    fuzz_check_workbook_sheet(s);
    return fuzz_score_sheet(s, "fuzz.xls");
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
    kh_diags d = {0};
    size_t nsheets = 0;
    kh_status st = kh_xls_read_mem("fuzz.xls", data, len, take_sheet, &nsheets, &d);
    fuzz_check_diags(&d);
    FUZZ_CHECK(st == KH_OK || d.n > 0 || st == KH_ERR_NOMEM);
    kh_diags_clear(&d);
    return 0;
}
