/*
 * floor.c - the parsing floor of the benchmark: the least work any reader
 * of the corpus must do.  For every .xlsx it inflates the parts kaohe
 * reads (_rels/.rels, xl/workbook.xml, its rels, styles, shared strings,
 * worksheets) with minizip and runs expat (namespaces on, as kaohe) with
 * empty handlers over them; every .csv is only read into memory.  Nothing
 * is kept, scored or written.
 *
 *   floor INPUT...      (files, or folders of .csv/.xlsx files)
 *
 * Prints "files N xml-bytes N csv-bytes N" on standard output; exit 1 when
 * a file cannot be read or parsed.
 */
#include <dirent.h>
#include <expat.h>
#include <minizip/unzip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define CHUNK (64 * 1024)

static unsigned long long nfiles, xml_bytes, csv_bytes;
static char buf[CHUNK];

static void XMLCALL on_start(void *u, const XML_Char *name, const XML_Char **attrs)
{
    (void)u, (void)name, (void)attrs;
}

static void XMLCALL on_end(void *u, const XML_Char *name)
{
    (void)u, (void)name;
}

static void XMLCALL on_text(void *u, const XML_Char *s, int len)
{
    (void)u, (void)s, (void)len;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The parts a reader of the checklist must parse. */
static int wanted(const char *name)
{
    static const char *const fixed[] = {"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                        "xl/styles.xml", "xl/sharedStrings.xml"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcasecmp(name, fixed[i]) == 0)
            return 1;
    return strncasecmp(name, "xl/worksheets/", 14) == 0 && !strchr(name + 14, '/') &&
           ends_with(name, ".xml");
}

static int parse_part(unzFile z, const char *path, const char *name)
{
    if (unzOpenCurrentFile(z) != UNZ_OK) {
        fprintf(stderr, "floor: %s: cannot open part %s\n", path, name);
        return -1;
    }
    XML_Parser p = XML_ParserCreateNS(NULL, '\x01');
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    int n, rc = 0;
    while ((n = unzReadCurrentFile(z, buf, sizeof buf)) > 0) {
        xml_bytes += (unsigned)n;
        if (XML_Parse(p, buf, n, 0) != XML_STATUS_OK) {
            rc = -1;
            break;
        }
    }
    if (n < 0 || (rc == 0 && XML_Parse(p, "", 0, 1) != XML_STATUS_OK))
        rc = -1;
    if (unzCloseCurrentFile(z) != UNZ_OK)
        rc = -1;
    if (rc)
        fprintf(stderr, "floor: %s: bad part %s\n", path, name);
    XML_ParserFree(p);
    return rc;
}

static int do_xlsx(const char *path)
{
    unzFile z = unzOpen64(path);
    if (!z) {
        fprintf(stderr, "floor: %s: not a zip\n", path);
        return -1;
    }
    int rc = 0;
    char name[512];
    for (int e = unzGoToFirstFile(z); e == UNZ_OK && rc == 0; e = unzGoToNextFile(z)) {
        if (unzGetCurrentFileInfo64(z, NULL, name, sizeof name, NULL, 0, NULL, 0) != UNZ_OK)
            rc = -1;
        else if (wanted(name))
            rc = parse_part(z, path, name);
    }
    unzClose(z);
    return rc;
}

static int do_csv(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    /* Into memory, as kaohe reads it. */
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0) {
        fclose(f);
        return -1;
    }
    char *data = malloc((size_t)sb.st_size + 1);
    size_t n = data ? fread(data, 1, (size_t)sb.st_size, f) : 0;
    csv_bytes += n;
    free(data);
    fclose(f);
    return data ? 0 : -1;
}

static int do_file(const char *path)
{
    nfiles++;
    if (ends_with(path, ".xlsx"))
        return do_xlsx(path);
    return do_csv(path);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int do_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !(ends_with(e->d_name, ".csv") || ends_with(e->d_name, ".xlsx")))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            names = realloc(names, cap * sizeof *names);
            if (!names)
                return -1;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (do_file(names[i]) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            perror(argv[i]);
            rc = 1;
        } else if (S_ISDIR(sb.st_mode) ? do_dir(argv[i]) : do_file(argv[i])) {
            rc = 1;
        }
    }
    printf("files %llu xml-bytes %llu csv-bytes %llu\n", nfiles, xml_bytes, csv_bytes);
    return rc;
}
