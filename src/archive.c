/*
 * archive.c - zip archives of whole files (archive.h): unpacking an
 * uploaded .zip of checklists through the XLSX zip layer, packing outputs
 * with minizip's writer.
 */
#include "archive.h"
#include "gb18030.h"
#include "platform.h"
#include "text.h"
#include "xlsx_out.h"
#include "xlsx_zip.h"

#include <dirent.h>
#include <errno.h>
#include <minizip/zip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* name as UTF-8: as it is when valid, else read as GB18030 (what Windows
 * Explorer's "send to compressed folder" writes on a Chinese system), else
 * with the bad bytes shown as '?'.  New string, NULL when out of memory. */
static char *entry_name(const char *name)
{
    size_t len = strlen(name);
    if (kh_utf8_valid(name, len, NULL))
        return kh_strdup(name);
    char *out = NULL;
    size_t outlen, bad;
    if (kh_gb18030_to_utf8((const unsigned char *)name, len, &out, &outlen, &bad) == KH_OK)
        return out;
    char buf[KH_XLSX_SHOW_BUFSZ];
    return kh_strdup(kh_xlsx_show(name, buf));
}

/* Entries that are not an office's files: folders, and what macOS adds. */
static bool is_noise(const char *norm)
{
    size_t n = strlen(norm);
    if (n == 0 || norm[n - 1] == '/' || strncmp(norm, "__macosx/", 9) == 0)
        return true;
    const char *base = strrchr(norm, '/');
    base = base ? base + 1 : norm;
    return strncmp(base, "._", 2) == 0 || strcmp(base, ".ds_store") == 0;
}

static kh_status unpack_entry(kh_zip *z, const char *norm, const char *to, const char *as_shown,
                              const char *shown_name, uint64_t max_entry, uint64_t *left,
                              kh_diags *d)
{
    kh_status st = kh_zip_part_open(z, norm, NULL, d);
    if (st != KH_OK)
        return st;
    FILE *f = fopen(to, "wb");
    if (!f) {
        kh_zip_part_close(z);
        kh_diags_add(d, KH_ERROR, as_shown, NULL, NULL, 0, _("cannot write %s: %s"), to,
                     strerror(errno));
        return KH_ERR_IO;
    }
    char *chunk = kh_malloc(1 << 16);
    uint64_t total = 0;
    size_t n = 0;
    if (!chunk)
        st = KH_ERR_NOMEM;
    while (st == KH_OK) {
        st = kh_zip_part_read(z, chunk, 1 << 16, &n, d);
        if (st != KH_OK || n == 0)
            break;
        total += n;
        if (n > *left) {
            kh_diags_add(d, KH_ERROR, as_shown, NULL, NULL, 0,
                         _("the archive unpacks to more than a request may hold: upload its "
                           "files in several parts"));
            st = KH_ERR_LIMIT;
            break;
        }
        *left -= n;
        if (total > max_entry) {
            kh_diags_add(d, KH_ERROR, as_shown, NULL, NULL, 0,
                         _("%s in the archive is larger than %llu MiB once unpacked: a checklist "
                           "is never that large"),
                         shown_name, (unsigned long long)(max_entry >> 20));
            st = KH_ERR_LIMIT;
            break;
        }
        if (fwrite(chunk, 1, n, f) != n) {
            kh_diags_add(d, KH_ERROR, as_shown, NULL, NULL, 0, _("cannot write %s: %s"), to,
                         strerror(errno));
            st = KH_ERR_IO;
        }
    }
    kh_free(chunk);
    kh_zip_part_close(z);
    if (fclose(f) != 0 && st == KH_OK) {
        kh_diags_add(d, KH_ERROR, as_shown, NULL, NULL, 0, _("cannot write %s: %s"), to,
                     strerror(errno));
        st = KH_ERR_IO;
    }
    if (st != KH_OK)
        remove(to);
    return st;
}

/* The zip layer names the file by the path it opened (a saved name such
 * as 0003.zip); the office knows it by the name it uploaded. */
static void rename_diags(kh_diags *d, size_t first, const char *as_shown)
{
    for (size_t i = first; i < d->n; i++) {
        char *s = kh_strdup(as_shown);
        if (s) {
            kh_free(d->v[i].file);
            d->v[i].file = s;
        }
    }
}

kh_status kh_archive_unpack(const char *path, const char *as_shown, uint64_t max_entry,
                            uint64_t max_total, kh_archive_place_fn place, void *ctx,
                            kh_diags *d)
{
    uint64_t left = max_total;
    size_t first = d->n;
    kh_zip *z = NULL;
    kh_status st = kh_zip_open_file(path, &z, d);
    if (st != KH_OK)
        return rename_diags(d, first, as_shown), st;
    size_t count = kh_zip_count(z);
    bool stop = false;
    for (size_t i = 0; i < count && st == KH_OK && !stop; i++) {
        const char *norm = kh_zip_norm_at(z, i);
        if (is_noise(norm))
            continue;
        char *name = entry_name(kh_zip_find(z, norm));
        char *to = name ? place(ctx, name, &stop) : NULL;
        if (!name)
            st = KH_ERR_NOMEM;
        else if (to)
            st = unpack_entry(z, norm, to, as_shown, name, max_entry, &left, d);
        kh_free(to);
        kh_free(name);
    }
    kh_zip_free(z);
    rename_diags(d, first, as_shown);
    return st;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kh_free(names[i]);
    kh_free(names);
}

/* The file names of dir not starting with '.', sorted; NULL-terminated. */
static char **list_files(const char *dir, size_t *n)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    bool ok = true;
    while (ok && (e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n + 2 > cap) {
            cap = cap ? cap * 2 : 32;
            char **g = kh_realloc(names, cap * sizeof *names);
            if (!g) {
                ok = false;
                break;
            }
            names = g;
        }
        if (!(names[(*n)++] = kh_strdup(e->d_name)))
            ok = false;
    }
    closedir(dp);
    if (!ok) {
        free_names(names, *n);
        return NULL;
    }
    if (!names && !(names = kh_calloc(1, sizeof *names)))
        return NULL;
    names[*n] = NULL;
    qsort(names, *n, sizeof *names, by_name);
    return names;
}

/* The time an entry carries: the file's own (its modification time), but
 * never later than SOURCE_DATE_EPOCH when that is set, so that the same
 * files packed again give the same archive. */
static time_t entry_time(time_t mtime)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    if (env && *env) {
        time_t sde = kh_xw_now();
        if (mtime > sde)
            return sde;
    }
    return mtime;
}

/* Version made by: Unix (3), spec 2.0.  Unix, and not MS-DOS, so that
 * Info-ZIP's unzip takes the names as they are (with the UTF-8 flag and
 * in any locale) and gives the files the permissions of external_fa. */
#define MADE_BY_UNIX ((3u << 8) | 20u)
/* General purpose flag bit 11: the name (and comment) are UTF-8. */
#define FLAG_UTF8 (1u << 11)

/* One entry: the file at src as name (UTF-8, '/' between folders), with
 * flag bit 11, which Windows Explorer, 7-Zip, bsdtar, Python and unzip
 * read as "the name is UTF-8", and no extra field.  Not the Info-ZIP
 * Unicode Path field (0x7075) nor the UTC timestamp (0x5455): Debian's
 * unzip 6.0, finding any extra field on an entry with a UTF-8 name, turns
 * the name into #Uxxxx escapes when the locale is not UTF-8 (LANG=C),
 * while without one it writes the name's bytes as they are; and every
 * reader that knows 0x7075 knows bit 11 (tests/interop/test_zip.sh). */
static bool add_file(zipFile zf, const char *src, const char *name, const struct stat *st)
{
    FILE *f = fopen(src, "rb");
    if (!f)
        return false;
    time_t t = entry_time(st->st_mtime);
    struct tm tm;
    long off;
    kh_localtime(t, &tm, &off, NULL, 0);
    zip_fileinfo zi = {0};
    zi.tmz_date.tm_sec = (uInt)tm.tm_sec;
    zi.tmz_date.tm_min = (uInt)tm.tm_min;
    zi.tmz_date.tm_hour = (uInt)tm.tm_hour;
    zi.tmz_date.tm_mday = (uInt)tm.tm_mday;
    zi.tmz_date.tm_mon = (uInt)tm.tm_mon;
    zi.tmz_date.tm_year = (uInt)tm.tm_year + 1900;
    /* A DOS date cannot say a year before 1980. */
    if (tm.tm_year < 80) {
        zi.tmz_date = (tm_zip){0, 0, 0, 1, 0, 1980};
    }
    /* Unix mode bits: a regular file, rw-r--r-- (rwxr-xr-x when it was
     * executable). */
    zi.external_fa = (uLong)(0100644u | ((st->st_mode & 0100) ? 0111u : 0u)) << 16;
    if (strlen(name) > 0xFFFF) {
        fclose(f);
        return false;
    }
    bool ok = zipOpenNewFileInZip4_64(zf, name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6, 0,
                                      -MAX_WBITS, DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY, NULL, 0,
                                      MADE_BY_UNIX, FLAG_UTF8, 0) == ZIP_OK;
    char chunk[1 << 15];
    size_t n;
    while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ok = zipWriteInFileInZip(zf, chunk, (unsigned)n) == ZIP_OK;
    ok = ok && !ferror(f);
    fclose(f);
    return zipCloseFileInZip(zf) == ZIP_OK && ok;
}

/* The entries' time: SOURCE_DATE_EPOCH when set, else now. */
static zip_fileinfo entry_info(void)
{
    zip_fileinfo zi = {0};
    struct tm tm;
    kh_gmtime(kh_xw_now(), &tm);
    zi.tmz_date.tm_sec = (uInt)tm.tm_sec;
    zi.tmz_date.tm_min = (uInt)tm.tm_min;
    zi.tmz_date.tm_hour = (uInt)tm.tm_hour;
    zi.tmz_date.tm_mday = (uInt)tm.tm_mday;
    zi.tmz_date.tm_mon = (uInt)tm.tm_mon;
    zi.tmz_date.tm_year = (uInt)tm.tm_year + 1900;
    return zi;
}

kh_status kh_archive_write_parts(const char *path, const char *as_shown,
                                 const kh_archive_part *parts, size_t n, kh_diags *d)
{
    zip_fileinfo zi = entry_info();
    errno = 0;
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    bool ok = zf != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        ok = zipOpenNewFileInZip4_64(zf, parts[i].name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                     6, 0, -MAX_WBITS, DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY, NULL,
                                     0, 0, 1u << 11, 0) == ZIP_OK;
        size_t off = 0;
        while (ok && off < parts[i].len) {
            size_t chunk = parts[i].len - off > (1u << 20) ? (1u << 20) : parts[i].len - off;
            ok = zipWriteInFileInZip(zf, parts[i].data + off, (unsigned)chunk) == ZIP_OK;
            off += chunk;
        }
        ok = zipCloseFileInZip(zf) == ZIP_OK && ok;
    }
    if (zf && zipClose(zf, NULL) != ZIP_OK)
        ok = false;
    if (!ok) {
        kh_diags_add(d, KH_ERROR, as_shown, NULL, NULL, 0, _("cannot write the archive: %s"),
                     strerror(errno ? errno : EIO));
        return KH_ERR_IO;
    }
    return KH_OK;
}

/* Add the files of dir (its folders walked too, depth at most 16) as
 * prefix/NAME, in name order. */
static bool add_dir(zipFile zf, const char *dir, const char *prefix, int depth)
{
    size_t n = 0;
    char **names = list_files(dir, &n);
    if (!names)
        return false;
    bool ok = depth < 16;
    for (size_t i = 0; ok && i < n; i++) {
        char *src = kh_strprintf("%s/%s", dir, names[i]);
        char *name = *prefix ? kh_strprintf("%s/%s", prefix, names[i]) : kh_strdup(names[i]);
        struct stat st;
        ok = src && name && stat(src, &st) == 0;
        if (ok && S_ISDIR(st.st_mode))
            ok = add_dir(zf, src, name, depth + 1);
        else if (ok && S_ISREG(st.st_mode))
            ok = add_file(zf, src, name, &st);
        kh_free(src);
        kh_free(name);
    }
    free_names(names, n);
    return ok;
}

kh_status kh_archive_pack(const char *path, const char *dir, kh_diags *d)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        kh_diags_add(d, KH_ERROR, dir, NULL, NULL, 0, _("cannot read the folder: %s"),
                     strerror(errno));
        return KH_ERR_IO;
    }
    closedir(dp);
    errno = 0;
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    bool ok = zf != NULL && add_dir(zf, dir, "", 0);
    int e = errno;
    if (zf && zipClose(zf, NULL) != ZIP_OK)
        ok = false;
    if (!ok) {
        remove(path);
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot write the archive: %s"),
                     strerror(e ? e : EIO));
        return KH_ERR_IO;
    }
    return KH_OK;
}

kh_status kh_archive_pack_files(const char *path, const kh_archive_file *files, size_t n,
                                kh_diags *d)
{
    errno = 0;
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    bool ok = zf != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        struct stat st;
        ok = stat(files[i].src, &st) == 0 && S_ISREG(st.st_mode) &&
             add_file(zf, files[i].src, files[i].name, &st);
    }
    int e = errno;
    if (zf && zipClose(zf, NULL) != ZIP_OK)
        ok = false;
    if (!ok) {
        remove(path);
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0, _("cannot write the archive: %s"),
                     strerror(e ? e : EIO));
        return KH_ERR_IO;
    }
    return KH_OK;
}
