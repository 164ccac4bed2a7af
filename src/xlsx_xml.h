/*
 * xlsx_xml.h - streaming one XLSX part through expat: namespaces matched
 * by URI, depth and DOCTYPE guards, a bound on tokens, errors as
 * diagnostics, and the text helpers the part machines share.  Internal to
 * the XLSX reader.
 */
#ifndef KH_XLSX_XML_H
#define KH_XLSX_XML_H

#include "common.h"
#include "xlsx_in.h"
#include "xlsx_zip.h"

#include <expat.h>

/* Namespaces, by URI: both the transitional and the Strict one count. */
enum kh_ns {
    KH_NS_NONE, KH_NS_SML, KH_NS_REL, KH_NS_PKG,
    KH_NS_ODS_OFFICE, KH_NS_ODS_TABLE, KH_NS_ODS_TEXT, /* OpenDocument (ods_in.c) */
    KH_NS_OTHER
};

typedef struct kh_xml kh_xml;
typedef void (*kh_xml_start_fn)(kh_xml *x, enum kh_ns ns, const char *local,
                                const char **attrs);
typedef void (*kh_xml_end_fn)(kh_xml *x, enum kh_ns ns, const char *local);
typedef void (*kh_xml_text_fn)(kh_xml *x, const char *s, int len);

/* One part being parsed.  The caller sets the handlers (any may be NULL)
 * and m; kh_xml_parse fills the rest.  In a handler, depth is that of the
 * element (the root is 1) and sheet names the worksheet or is NULL. */
struct kh_xml {
    kh_xml_start_fn start;
    kh_xml_end_fn end;
    kh_xml_text_fn text;
    void *m;                /* the machine's own state */

    const char *path;       /* the workbook file, for messages */
    kh_diags *d;
    const char *part;       /* the part's name as stored */
    const char *sheet;
    XML_Parser p;
    unsigned depth;
    XML_Index last_event;   /* byte index of the latest event */
    kh_status err;          /* set once; stops the parser */
    /* Optional, set by the caller: the name of the current cell, for the
     * messages of kh_xml_collect and kh_xml_finish_text when they are
     * given cell == NULL (so that a machine names its cell only when a
     * message needs it).  NULL: no cell is named. */
    const char *(*cell_name)(kh_xml *x);
    /* Set by the caller: expat reports names as written (prefix:local) and
     * kaohe resolves the prefixes from the xmlns attributes itself.  expat's
     * own namespace processing builds "URI local" for every prefixed name,
     * which cost 40 % of parsing an .ods content.xml, where every element
     * and attribute has a prefix.  The namespaces matched are the same. */
    bool qnames;
    /* Private: the namespace and local-name offset of the open element at
     * each depth, so that an end tag (the same name as its start tag) is
     * not split again. */
    struct {
        enum kh_ns ns;
        size_t local;
    } open[KH_XLSX_MAX_DEPTH + 1];
    /* Private, with qnames: the prefixes bound, innermost last, with the
     * depth of the element that bound each. */
    struct kh_xml_binding {
        char *prefix; /* "" for the default namespace */
        size_t len;
        enum kh_ns ns;
        unsigned depth;
    } *bind;
    size_t nbind, capbind;
};

/* Stream part norm of z (it must exist) through x's handlers.  Returns
 * KH_OK, or the first error with its diagnostic (file path, sheet). */
kh_status kh_xml_parse(kh_zip *z, const char *path, const char *norm,
                       const char *sheet, kh_xml *x, kh_diags *d);

/* Reject the part (stops the parser; later calls do nothing).  cell may
 * be NULL.  kh_xml_oom stops it with KH_ERR_NOMEM and no message. */
void kh_xml_fail(kh_xml *x, kh_status st, const char *cell, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kh_xml_oom(kh_xml *x);

/* The value of attribute local in namespace ns (KH_NS_NONE: unprefixed)
 * of the element x is at, or NULL. */
const char *kh_xml_attr(const kh_xml *x, const char **attrs, enum kh_ns ns, const char *local);

/* Several attributes in one pass over attrs: out[i] gets the value of the
 * attribute (ns[i], local[i]), or NULL. */
void kh_xml_attrs(const kh_xml *x, const char **attrs, size_t n, const enum kh_ns *ns,
                  const char *const *local, const char **out);

/* True for the SpreadsheetML element want (or the same without any
 * namespace). */
bool kh_xml_sml(enum kh_ns ns, const char *local, const char *want);

/* A whole number in [0, max]: digits only, overflow-checked. */
bool kh_xml_uint(const char *s, uint32_t max, uint32_t *out);

/* Append cell text to b counting its bytes in *chars (0 at the start of
 * a text); stops the part (KH_ERR_LIMIT) once the text cannot fit a cell
 * even after escapes are decoded: past 7 bytes a character (an escape
 * _xHHHH_ is the longest way to write one).  False after stopping. */
bool kh_xml_collect(kh_xml *x, kh_buf *b, size_t *chars, const char *s, int len,
                    const char *cell);

/* Decode the _xHHHH_ escapes of b (_x000D_ is a carriage return, _x005F_
 * an underscore) and check the cell limit (KH_XLSX_MAX_CELL characters).
 * False after stopping the part. */
bool kh_xml_finish_text(kh_xml *x, kh_buf *b, const char *cell);

/* The escape decoding alone, in place; returns the new length.  NUL and
 * surrogates are left as written. */
size_t kh_xml_decode_escapes(char *s, size_t len);

#endif
