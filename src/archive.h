/*
 * archive.h - zip archives of whole files, on minizip: unpacking a .zip of
 * filled checklists that an office uploads (kaohe serve), and packing
 * outputs (every scoresheet, blank checklists) into one .zip to download.
 *
 * Unpacking reads through the XLSX reader's zip layer (xlsx_zip.h), so an
 * uploaded archive has the same bomb limits as a workbook: sizes and CRCs
 * checked, inflated bytes capped per entry and per archive, ".." names and
 * duplicate names refused.
 */
#ifndef KH_ARCHIVE_H
#define KH_ARCHIVE_H

#include "common.h"

/* Where to put one entry of the archive being unpacked.  name is the
 * entry's path inside the archive as UTF-8 (names that are not UTF-8 are
 * read as GB18030: Windows' own "compressed folder" writes them so); the
 * callback returns a new path (kh_malloc) to write the entry to, or NULL to
 * skip it.  It may set *stop to end the unpacking (a limit reached). */
typedef char *(*kh_archive_place_fn)(void *ctx, const char *name, bool *stop);

/* Unpack the archive at path: every entry that is a file (not a folder,
 * not macOS's __MACOSX/ or ._ files) is offered to place, and written
 * where it says, at most max_entry inflated bytes each and max_total in
 * all (both below the zip layer's own caps).  KH_OK, or KH_ERR_INPUT (not
 * a zip, damaged), KH_ERR_LIMIT (an entry over max_entry, or the whole
 * over max_total: the last diagnostic says which, in words for the page),
 * KH_ERR_IO / KH_ERR_NOMEM, with a diagnostic naming the archive as shown
 * (as_shown).  An entry that was not unpacked whole is removed. */
kh_status kh_archive_unpack(const char *path, const char *as_shown, uint64_t max_entry,
                            uint64_t max_total, kh_archive_place_fn place, void *ctx,
                            kh_diags *d);

/* Pack every file of folder dir, and of the folders in it, whose name does
 * not start with '.' into a new zip at path, in name order, named by their
 * path below dir ('/' between folders).  Every entry says its name is
 * UTF-8 (flag bit 11; archive.c says why no extra field), is made by Unix
 * with its file's permissions, and carries its file's modification time
 * (local time), clamped to SOURCE_DATE_EPOCH when that is set (identical
 * inputs, identical archive).  KH_OK, or KH_ERR_IO with a
 * diagnostic. */
kh_status kh_archive_pack(const char *path, const char *dir, kh_diags *d);

/* One entry of a zip packed from a file: the file at src as name (UTF-8,
 * '/' between folders). */
typedef struct kh_archive_file {
    const char *src;
    const char *name;
} kh_archive_file;

/* Pack the n files, in order, into a new zip at path, each entry as
 * kh_archive_pack writes them (UTF-8 flag, Unix permissions, the file's
 * time): a zip of files from many folders under names of the caller's
 * (kaohe workspace export).  KH_OK, or KH_ERR_IO with a diagnostic (path
 * then removed). */
kh_status kh_archive_pack_files(const char *path, const kh_archive_file *files, size_t n,
                                kh_diags *d);

/* One entry of a zip written from memory: its name (UTF-8) and bytes. */
typedef struct kh_archive_part {
    const char *name;
    const char *data;
    size_t len;
} kh_archive_part;

/* Write the n parts, in order, deflated, into a new zip at path (a
 * writer's open_path: the caller puts it in place), with UTF-8 names and
 * the time SOURCE_DATE_EPOCH when set: the container of an OOXML document
 * (report_out.c).  KH_OK, or KH_ERR_IO with a diagnostic naming
 * as_shown; a partial file is the caller's to throw away. */
kh_status kh_archive_write_parts(const char *path, const char *as_shown,
                                 const kh_archive_part *parts, size_t n, kh_diags *d);

#endif
