/* xlsx_in.c - placeholder until the XLSX reader lands (issue 3). */
#include "xlsx_in.h"

#include <string.h>

bool kh_is_cfb(const void *data, size_t len)
{
    return len >= 8 && memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0;
}

kh_status kh_xlsx_read_mem(const char *path, const void *data, size_t len,
                           kh_sheet_fn fn, void *ctx, kh_diags *d)
{
    (void)data, (void)len, (void)fn, (void)ctx;
    kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("XLSX reading is not available yet"));
    return KH_ERR_INPUT;
}

kh_status kh_xlsx_read_file(const char *path, kh_sheet_fn fn, void *ctx, kh_diags *d)
{
    return kh_xlsx_read_mem(path, NULL, 0, fn, ctx, d);
}

kh_status kh_xlsx_read_first(const char *path, kh_sheet **out, kh_diags *d)
{
    *out = NULL;
    return kh_xlsx_read_mem(path, NULL, 0, NULL, NULL, d);
}
