/*
 * write_floor.c - the writing floor of the benchmark: the least work any
 * program that writes its scoresheets with libxlsxwriter must do.  It
 * makes N workbooks of one empty worksheet each in DIR (0.xlsx, 1.xlsx,
 * ...; DIR is made if missing), staging their parts where kaohe does (TMPDIR, else /dev/shm when
 * it is a tmpfs, else libxlsxwriter's default); nothing is synced.  Every
 * workbook libxlsxwriter closes is a zip of nine parts (content types,
 * rels, workbook, theme, styles, document properties, the sheet), each
 * written to a temporary file and deflated, whatever the sheet holds.
 *
 *   write_floor DIR N
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
    if (argc != 3) {
        fprintf(stderr, "usage: write_floor DIR N\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
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
        if (!wb || !workbook_add_worksheet(wb, NULL)) {
            fprintf(stderr, "write_floor: %s: cannot start the workbook\n", path);
            return 1;
        }
        lxw_error e = workbook_close(wb);
        if (e != LXW_NO_ERROR) {
            fprintf(stderr, "write_floor: %s: %s\n", path, lxw_strerror(e));
            return 1;
        }
    }
    return 0;
}
