/* replay.c - main() for the fuzz targets without libFuzzer: run each file
 * named (or each file of each folder named) through
 * LLVMFuzzerTestOneInput once.  make test builds every target with it and
 * replays tests/data/regress/TARGET/ and the seed corpora (like SQLite's
 * fuzzcheck); a crash, a failed check or a sanitizer report fails. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *nb = realloc(buf, cap);
            if (!nb) {
                fclose(f);
                free(buf);
                return 1;
            }
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    int err = ferror(f);
    fclose(f);
    if (err) {
        perror(path);
        free(buf);
        return 1;
    }
    /* An exact-size copy, so that ASan sees reads past the end. */
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_dir(const char *dir, size_t *count)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        perror(dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        char **nv = realloc(names, (n + 1) * sizeof *names);
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(l);
        if (!nv || !p) {
            free(p);
            free(nv ? nv : names);
            closedir(dh);
            return 1;
        }
        names = nv;
        snprintf(p, l, "%s/%s", dir, e->d_name);
        names[n++] = p;
    }
    closedir(dh);
    if (n)
        qsort(names, n, sizeof *names, cmp);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc |= run_dir(names[i], count);
        else if ((rc |= run_file(names[i])) == 0)
            (*count)++;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            rc |= run_dir(argv[i], &count);
        } else if ((rc |= run_file(argv[i])) == 0) {
            count++;
        }
    }
    printf("%s: %zu inputs replayed\n", argv[0], count);
    return rc;
}
