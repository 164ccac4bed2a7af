/* sheet_cells.c - print every cell kaohe reads from spreadsheet files, for
 * the differential tests (tests/interop/test_xls_corpus.sh compares them
 * with python3-xlrd's reading).  One line per cell:
 *   FILE \t SHEET \t A1 \t TYPE \t TEXT
 * TYPE is s (string), n (number), b (boolean), e (error) or d (date);
 * backslash, tab and newline in SHEET and TEXT are written \\ \t \n.  A
 * file that cannot be read prints "FILE \t ! \t MESSAGE" and makes the
 * exit status 1.  Usage: sheet_cells FILE... */
#include "common.h"
#include "sheetfile.h"

#include <stdio.h>

static void put_escaped(const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", stdout);
        else if (*s == '\t')
            fputs("\\t", stdout);
        else if (*s == '\n')
            fputs("\\n", stdout);
        else if (*s == '\r')
            fputs("\\r", stdout);
        else
            putchar(*s);
    }
}

static kh_status print_sheet(void *ctx, const kh_sheet *s)
{
    static const char types[] = {'s', 'n', 'b', 'e', 'd'};
    for (size_t i = 0; i < s->ncells; i++) {
        const kh_cell *c = &s->cells[i];
        char ref[KH_CELLREF_BUFSZ];
        printf("%s\t", (const char *)ctx);
        put_escaped(s->name ? s->name : "");
        printf("\t%s\t%c\t", kh_cell_ref(c->row, c->col, ref), types[c->type]);
        put_escaped(c->text);
        putchar('\n');
    }
    return KH_OK;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        kh_diags d = {0};
        if (kh_sheetfile_read(argv[i], print_sheet, argv[i], NULL, &d) != KH_OK) {
            rc = 1;
            for (size_t k = 0; k < d.n; k++) {
                char *m = kh_diag_format(&d.v[k]);
                printf("%s\t!\t%s\n", argv[i], m ? m : "?");
                kh_free(m);
            }
        }
        kh_diags_clear(&d);
    }
    return rc;
}
