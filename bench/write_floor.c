/*
 * write_floor.c - the writing floor of the benchmark: the least work any
 * program that writes its scoresheets with libxlsxwriter must do.  It
 * makes N workbooks in DIR (0.xlsx, 1.xlsx, ...; DIR is made if missing),
 * each with one worksheet of ROWS rows (default 0) holding what a
 * scoresheet's item rows hold - a number as text, a 40-character text, a
 * number, a 20-character text, a number - without any format, merged
 * cell, row height or page setting; their parts are staged where kaohe
 * stages them (TMPDIR, else /dev/shm when it is a tmpfs, else
 * libxlsxwriter's default); nothing is synced.  Every workbook
 * libxlsxwriter closes is a zip of at least nine parts (content types,
 * rels, workbook, theme, styles, document properties, the sheet), each
 * written to a temporary file and deflated, whatever the sheet holds.
 *
 *   write_floor DIR N [ROWS]
 *
 * Exit 1 when a workbook cannot be written.
 */
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <xlsxwriter.h>

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: write_floor DIR N [ROWS]\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    long rows = argc == 4 ? strtol(argv[3], NULL, 10) : 0;
    if (mkdir(argv[1], 0777) != 0 && errno != EEXIST) {
        perror(argv[1]);
        return 1;
    }
    char *tmpdir = getenv("TMPDIR");
    struct statfs fs;
    if ((!tmpdir || !*tmpdir) && statfs("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC &&
        access("/dev/shm", W_OK | X_OK) == 0)
        tmpdir = "/dev/shm";
    lxw_workbook_options opt = {.tmpdir = tmpdir};
    char path[4096];
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%ld.xlsx", argv[1], i);
        lxw_workbook *wb = workbook_new_opt(path, &opt);
        lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, NULL) : NULL;
        if (!ws) {
            fprintf(stderr, "write_floor: %s: cannot start the workbook\n", path);
            return 1;
        }
        for (long r = 0; r < rows; r++) {
            char num[24], text[200], reason[100];
            snprintf(num, sizeof num, "%ld", r + 1);
            snprintf(text, sizeof text, "第%ld项督查内容：安全生产责任制落实情况与工作台账记录", r + 1);
            snprintf(reason, sizeof reason, "缺%ld份记录，扣0.5分", i % 7 + r);
            worksheet_write_string(ws, (lxw_row_t)r, 0, num, NULL);
            worksheet_write_string(ws, (lxw_row_t)r, 1, text, NULL);
            worksheet_write_number(ws, (lxw_row_t)r, 2, 3, NULL);
            worksheet_write_string(ws, (lxw_row_t)r, 3, reason, NULL);
            worksheet_write_number(ws, (lxw_row_t)r, 4, 2.5, NULL);
        }
        lxw_error e = workbook_close(wb);
        if (e != LXW_NO_ERROR) {
            fprintf(stderr, "write_floor: %s: %s\n", path, lxw_strerror(e));
            return 1;
        }
    }
    return 0;
}
