/*
 * accounts_out.c - the workbook of the accounts made for the units
 * (账号分发表, accounts.h): one row per account, for the bureau to hand
 * each unit its name and initial password.  It holds passwords: written
 * through a temporary that is made private (0600) before any byte of it
 * is written, and kept so.
 */
#include "accounts.h"
#include "xlsx_out.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static void style_head(lxw_format *f)
{
    format_set_bold(f);
    format_set_border(f, LXW_BORDER_THIN);
    format_set_bg_color(f, 0xDDEBF7);
}

static void style_cell(lxw_format *f)
{
    format_set_border(f, LXW_BORDER_THIN);
    /* A password read aloud or typed from a print: a font that tells
     * l from 1 apart is the printer's, but text it stays. */
    format_set_num_format(f, "@");
}

kh_status kh_write_account_sheet(const char *path, const kh_new_account *v, size_t n,
                                 const char *url, kh_diags *d)
{
    kh_xw x;
    kh_status st = kh_xw_open(&x, path, false, kh_xw_now(), d);
    if (st != KH_OK)
        return st;
#ifndef _WIN32
    /* libxlsxwriter writes open_path by its name at the close: private
     * from now on. */
    if (chmod(x.out.open_path, 0600) != 0) {
        char eb[128];
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot write the file: %s"),
                     kh_errno_text(errno, eb, sizeof eb));
        lxw_workbook_free(x.wb); /* nothing written */
        kh_outfile_abort(&x.out);
        return KH_ERR_IO;
    }
#endif
    lxw_worksheet *ws = kh_xw_add_sheet(&x, Z_("Accounts"));
    lxw_format *head = kh_xw_format(&x, style_head), *cell = kh_xw_format(&x, style_cell);
    if (ws) {
        static const double widths[] = {28, 24, 18, 40};
        const char *titles[] = {Z_("Unit assessed"), Z_("User name"), Z_("Initial password"),
                                Z_("Address of the page")};
        for (lxw_col_t c = 0; c < 4; c++) {
            kh_xw_check(&x, worksheet_set_column(ws, c, c, widths[c], NULL),
                        "worksheet_set_column");
            kh_xw_str(&x, ws, 0, c, titles[c], head);
        }
        for (size_t i = 0; i < n; i++) {
            lxw_row_t r = (lxw_row_t)(i + 1);
            kh_xw_str(&x, ws, r, 0, v[i].unit, cell);
            kh_xw_str(&x, ws, r, 1, v[i].name, cell);
            kh_xw_str(&x, ws, r, 2, v[i].password, cell);
            kh_xw_str(&x, ws, r, 3, url, cell);
        }
        worksheet_freeze_panes(ws, 1, 0);
        kh_xw_str(&x, ws, (lxw_row_t)(n + 2), 0,
                  Z_("Each unit logs in with its user name and initial password, and is then "
                     "asked to choose a password of its own."),
                  NULL);
    }
    return kh_xw_close(&x, d);
}
