/*
 * xls_cfb.h - the Compound File (OLE2, [MS-CFB]) container of an .xls
 * workbook: header, FAT and DIFAT, directory, mini stream.  Internal to
 * xls_in.c.
 *
 * Nothing is sized from a field of the file alone: every table is as
 * large as the sectors that hold it, every sector index is checked
 * against the file, every chain is walked at most as many steps as the
 * file has sectors (a longer one loops), and a stream is never larger
 * than its chain.
 */
#ifndef KH_XLS_CFB_H
#define KH_XLS_CFB_H

#include "common.h"

typedef struct kh_cfb kh_cfb;

/* Open the compound file in data[0..len) (not copied: it must outlive the
 * kh_cfb).  KH_OK with *out set, else KH_ERR_INPUT with a diagnostic
 * naming path, or KH_ERR_NOMEM. */
kh_status kh_cfb_open(const char *path, const void *data, size_t len, kh_cfb **out,
                      kh_diags *d);
void kh_cfb_free(kh_cfb *c);

/* The directory entry of the stream called name (ASCII, any case) among
 * the root storage's children: -1 when there is none, -2 when out of
 * memory. */
long kh_cfb_find(const kh_cfb *c, const char *name);

/* The same for a child that is a stream or a storage. */
long kh_cfb_find_any(const kh_cfb *c, const char *name);

/* A copy of the stream of directory entry e in *out (kh_free it), *len
 * bytes.  KH_ERR_INPUT with a diagnostic when its chain is damaged. */
kh_status kh_cfb_read(kh_cfb *c, long e, unsigned char **out, size_t *len, kh_diags *d);

#endif
