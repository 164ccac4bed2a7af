/*
 * zipdir - pack a folder into a .zip with kaohe's own zip writer
 * (kh_archive_pack: UTF-8 names flagged for Windows Explorer, the Info-ZIP
 * Unicode Path field, Unix permissions, the files' own dates).  A build
 * tool, not installed: `make windows` packs the release zip with it.
 *
 *   zipdir OUT.zip DIR     entries named by their path below DIR
 */
#include "archive.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: zipdir OUT.zip DIR\n", stderr);
        return 2;
    }
    kh_diags d = {0};
    kh_status st = kh_archive_pack(argv[1], argv[2], &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "zipdir: %s: %s\n", d.v[i].file ? d.v[i].file : "", d.v[i].msg);
    kh_diags_clear(&d);
    return st == KH_OK ? 0 : 1;
}
