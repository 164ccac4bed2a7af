/*
 * unit_users.h - one 填报员 (filler) per roster unit in one step: kaohe
 * serve --add-unit-users and the page's button.  The roster is the
 * workspace's (or a file given, which then becomes the workspace's); the
 * accounts go into the users file (accounts.h); their names and initial
 * passwords into DIR/账号分发表.xlsx (mode 0600) for the bureau to hand
 * out, and nowhere else.
 */
#ifndef KH_UNIT_USERS_H
#define KH_UNIT_USERS_H

#include "accounts.h"
#include "workspace.h"

#define KH_ACCOUNT_SHEET "账号分发表.xlsx"

/* Make the fillers of the units of ws's roster that have none yet.
 * roster_file: a roster (单位名单) to use instead, stored in ws as its
 * roster (shown as roster_name, or the file's own name); reg: the rubrics
 * known besides ws's uploaded ones (a roster names its rubrics);
 * users_path: the users file (live: its accounts loaded, or NULL); url:
 * the page's address for the sheet.  The accounts made in *out (*nout;
 * kh_new_accounts_free), and, when there are some, the workbook written
 * to *sheet (new string; NULL when none was written): DIR/账号分发表.xlsx,
 * an older one there first renamed to 账号分发表-2.xlsx (-3 ...).
 * KH_ERR_USAGE without a roster (message), or as
 * kh_accounts_add_unit_users; KH_ERR_INPUT when the roster does not
 * load (its messages); KH_ERR_IO, KH_ERR_NOMEM. */
kh_status kh_unit_users_make(kh_workspace *ws, const kh_registry *reg, const char *roster_file,
                             const char *roster_name, const char *users_path, kh_accounts *live,
                             const char *url, kh_new_account **out, size_t *nout, char **sheet,
                             kh_diags *d);

#endif
