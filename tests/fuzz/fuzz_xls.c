/* fuzz_xls.c - .xls checklist reader: bytes -> a file (FreeXL reads from a
 * path only) -> kh_xls_read_file -> each worksheet -> checklist -> score.
 * Every cell the reader keeps is non-empty valid UTF-8 inside Excel's
 * grid; sheet names are valid UTF-8; a refusal has a message. */
#include "fuzz.h"
#include "xls_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static kh_status take_sheet(void *ctx, const kh_sheet *s)
{
    size_t *nsheets = ctx;
    (*nsheets)++;
    fuzz_check_workbook_sheet(s);
    return fuzz_score_sheet(s, "fuzz.xls");
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
    static char path[64];
    if (!path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/kh_fuzz_xls.%ld.xls", dir && *dir ? dir : "/tmp",
                 (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(fwrite(data, 1, len, f) == len);
    FUZZ_CHECK(fclose(f) == 0);
    kh_diags d = {0};
    size_t nsheets = 0;
    kh_status st = kh_xls_read_file(path, take_sheet, &nsheets, &d);
    fuzz_check_diags(&d);
    FUZZ_CHECK(st == KH_OK || d.n > 0 || st == KH_ERR_NOMEM);
    kh_diags_clear(&d);
    unlink(path);
    return 0;
}
