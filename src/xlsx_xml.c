/*
 * xlsx_xml.c - one XLSX part through expat (see xlsx_xml.h).
 *
 * expat allocates through kh_malloc (a memory suite), gets the part in
 * 64 KiB pieces from the bounded inflater, and never resolves
 * anything outside the part: DOCTYPE stops the parser, and there is no
 * external entity handler.
 */
#include "xlsx_xml.h"
#include "xlsx_in.h"

#include <string.h>

#define CHUNK (64u << 10)
#define NS_SEP ' '

#define NS_URI(uri, ns) {uri, sizeof uri - 1, ns}
static const struct {
    const char *uri;
    size_t len;
    enum kh_ns ns;
} ns_uris[] = {
    NS_URI("http://schemas.openxmlformats.org/spreadsheetml/2006/main", KH_NS_SML),
    NS_URI("http://purl.oclc.org/ooxml/spreadsheetml/main", KH_NS_SML),
    NS_URI("http://schemas.openxmlformats.org/officeDocument/2006/relationships", KH_NS_REL),
    NS_URI("http://purl.oclc.org/ooxml/officeDocument/relationships", KH_NS_REL),
    NS_URI("http://schemas.openxmlformats.org/package/2006/relationships", KH_NS_PKG),
    NS_URI("urn:oasis:names:tc:opendocument:xmlns:office:1.0", KH_NS_ODS_OFFICE),
    NS_URI("urn:oasis:names:tc:opendocument:xmlns:table:1.0", KH_NS_ODS_TABLE),
    NS_URI("urn:oasis:names:tc:opendocument:xmlns:text:1.0", KH_NS_ODS_TEXT),
};

/* Split an expat name ("URI local" or "local") into namespace and local.
 * Every element of every part passes here: the known URIs are tried as
 * prefixes first (no scan for the separator). */
static enum kh_ns split_name(const char *name, const char **local)
{
    /* One scan for the separator, then only the URIs of that length are
     * compared (the known ones differ in length or early): the elements of
     * an .ods file's content.xml tried five OOXML URIs with strncmp each. */
    const char *sep = strchr(name, NS_SEP);
    if (!sep) {
        *local = name;
        return KH_NS_NONE;
    }
    size_t n = (size_t)(sep - name);
    *local = sep + 1;
    for (size_t i = 0; i < KH_ARRAY_LEN(ns_uris); i++)
        if (ns_uris[i].len == n && memcmp(name, ns_uris[i].uri, n) == 0)
            return ns_uris[i].ns;
    return KH_NS_OTHER;
}

/* The namespace of a known URI (len bytes), else KH_NS_OTHER. */
static enum kh_ns ns_of_uri(const char *uri, size_t len)
{
    for (size_t i = 0; i < KH_ARRAY_LEN(ns_uris); i++)
        if (ns_uris[i].len == len && memcmp(uri, ns_uris[i].uri, len) == 0)
            return ns_uris[i].ns;
    return KH_NS_OTHER;
}

/* With qnames: the namespace bound to the prefix of len bytes ("" the
 * default), innermost first; unbound: -1 (the xml and xmlns prefixes are
 * bound by XML itself, to no namespace kaohe reads). */
static int lookup_prefix(const kh_xml *x, const char *prefix, size_t len)
{
    for (size_t i = x->nbind; i-- > 0;)
        if (x->bind[i].len == len && memcmp(x->bind[i].prefix, prefix, len) == 0)
            return (int)x->bind[i].ns;
    if (len == 0)
        return KH_NS_NONE;
    if ((len == 3 && memcmp(prefix, "xml", 3) == 0) || (len == 5 && memcmp(prefix, "xmlns", 5) == 0))
        return KH_NS_OTHER;
    return -1;
}

/* An attribute's namespace and local name: with qnames its prefix
 * resolved (an unprefixed attribute is in no namespace; an unbound prefix
 * cannot occur, on_start refused the element), else split_name. */
static enum kh_ns attr_name(const kh_xml *x, const char *name, const char **local)
{
    if (!x->qnames)
        return split_name(name, local);
    const char *colon = strchr(name, ':');
    if (!colon) {
        *local = name;
        return KH_NS_NONE;
    }
    *local = colon + 1;
    int ns = lookup_prefix(x, name, (size_t)(colon - name));
    return ns < 0 ? KH_NS_OTHER : (enum kh_ns)ns;
}

const char *kh_xml_attr(const kh_xml *x, const char **attrs, enum kh_ns ns, const char *local)
{
    for (size_t i = 0; attrs[i]; i += 2) {
        /* An attribute without a namespace is named without a separator
         * or prefix: the same text is the same name. */
        if (ns == KH_NS_NONE) {
            if (strcmp(attrs[i], local) == 0)
                return attrs[i + 1];
            continue;
        }
        const char *l;
        if (attr_name(x, attrs[i], &l) == ns && strcmp(l, local) == 0)
            return attrs[i + 1];
    }
    return NULL;
}

void kh_xml_attrs(const kh_xml *x, const char **attrs, size_t n, const enum kh_ns *ns,
                  const char *const *local, const char **out)
{
    for (size_t k = 0; k < n; k++)
        out[k] = NULL;
    for (size_t i = 0; attrs[i]; i += 2) {
        const char *l;
        enum kh_ns a = attr_name(x, attrs[i], &l);
        for (size_t k = 0; k < n; k++)
            if (a == ns[k] && !out[k] && strcmp(l, local[k]) == 0)
                out[k] = attrs[i + 1];
    }
}

bool kh_xml_sml(enum kh_ns ns, const char *local, const char *want)
{
    if (ns != KH_NS_SML && ns != KH_NS_NONE)
        return false;
    /* The names are short ("c", "v", "row"): no call to strcmp. */
    while (*want && *local == *want)
        local++, want++;
    return *local == *want;
}

bool kh_xml_uint(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* ---- failing ---- */

void kh_xml_fail(kh_xml *x, kh_status st, const char *cell, const char *fmt, ...)
{
    if (x->err)
        return;
    x->err = st;
    va_list ap;
    va_start(ap, fmt);
    kh_diags_vadd(x->d, KH_ERROR, x->path, x->sheet, cell, 0, fmt, ap);
    va_end(ap);
    XML_StopParser(x->p, XML_FALSE);
}

void kh_xml_oom(kh_xml *x)
{
    if (!x->err) {
        x->err = KH_ERR_NOMEM;
        XML_StopParser(x->p, XML_FALSE);
    }
}

/* ---- expat handlers: bookkeeping, then the machine's handler ---- */

/* With qnames: bind the prefixes the xmlns attributes of the element just
 * opened declare (x->depth is its depth).  False after stopping. */
static bool bind_prefixes(kh_xml *x, const char **attrs)
{
    for (size_t i = 0; attrs[i]; i += 2) {
        const char *a = attrs[i];
        if (a[0] != 'x' || strncmp(a, "xmlns", 5) != 0 || (a[5] != '\0' && a[5] != ':'))
            continue;
        const char *prefix = a[5] ? a + 6 : "";
        size_t len = strlen(prefix);
        if (!kh_grow((void **)&x->bind, &x->capbind, x->nbind + 1, sizeof *x->bind)) {
            kh_xml_oom(x);
            return false;
        }
        char *copy = kh_strndup(prefix, len);
        if (!copy) {
            kh_xml_oom(x);
            return false;
        }
        const char *uri = attrs[i + 1];
        /* xmlns="" undoes a default namespace. */
        enum kh_ns ns = !*uri && !len ? KH_NS_NONE : ns_of_uri(uri, strlen(uri));
        x->bind[x->nbind++] = (struct kh_xml_binding){copy, len, ns, x->depth};
    }
    return true;
}

static void XMLCALL on_start(void *u, const XML_Char *name, const XML_Char **attrs)
{
    kh_xml *x = u;
    if (x->err)
        return;
    x->last_event = XML_GetCurrentByteIndex(x->p);
    if (++x->depth > KH_XLSX_MAX_DEPTH) {
        char show[KH_XLSX_SHOW_BUFSZ];
        kh_xml_fail(x, KH_ERR_INPUT, NULL,
                    _("part %s nests XML elements deeper than %u levels: the file is crafted or "
                      "damaged; re-save it from Excel or WPS"),
                    kh_xlsx_show(x->part, show), KH_XLSX_MAX_DEPTH);
        return;
    }
    const char *local;
    enum kh_ns ns;
    if (x->qnames) {
        if (!bind_prefixes(x, attrs))
            return;
        const char *colon = strchr(name, ':');
        size_t plen = colon ? (size_t)(colon - name) : 0;
        int bound = lookup_prefix(x, name, plen);
        if (bound < 0) {
            char show[KH_XLSX_SHOW_BUFSZ];
            kh_xml_fail(x, KH_ERR_INPUT, NULL,
                        _("part %s is not well-formed XML (line %lu: %s): the file is damaged; "
                          "re-save it from Excel or WPS"),
                        kh_xlsx_show(x->part, show), (unsigned long)XML_GetCurrentLineNumber(x->p),
                        XML_ErrorString(XML_ERROR_UNBOUND_PREFIX));
            return;
        }
        ns = (enum kh_ns)bound;
        local = colon ? colon + 1 : name;
    } else {
        ns = split_name(name, &local);
    }
    x->open[x->depth].ns = ns;
    x->open[x->depth].local = (size_t)(local - name);
    if (x->start)
        x->start(x, ns, local, attrs);
}

static void XMLCALL on_end(void *u, const XML_Char *name)
{
    kh_xml *x = u;
    if (x->err)
        return;
    x->last_event = XML_GetCurrentByteIndex(x->p);
    /* expat has checked that this end tag names the element its start tag
     * opened: split as it was there. */
    if (x->end)
        x->end(x, x->open[x->depth].ns, name + x->open[x->depth].local);
    while (x->nbind && x->bind[x->nbind - 1].depth == x->depth)
        kh_free(x->bind[--x->nbind].prefix);
    x->depth--;
}

static void XMLCALL on_text(void *u, const XML_Char *s, int len)
{
    kh_xml *x = u;
    if (x->err)
        return;
    x->last_event = XML_GetCurrentByteIndex(x->p);
    if (x->text)
        x->text(x, s, len);
}

/* Everything else (declarations, comments, processing instructions). */
static void XMLCALL on_other(void *u, const XML_Char *s, int len)
{
    (void)s, (void)len;
    kh_xml *x = u;
    x->last_event = XML_GetCurrentByteIndex(x->p);
}

static void XMLCALL on_doctype(void *u, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    kh_xml *x = u;
    char show[KH_XLSX_SHOW_BUFSZ];
    kh_xml_fail(x, KH_ERR_INPUT, NULL,
                _("part %s contains a DOCTYPE declaration, which workbooks never have: the "
                  "file is crafted or damaged; re-save it from Excel or WPS"),
                kh_xlsx_show(x->part, show));
}

/* expat's allocations, counting the failed ones: expat 2.5 reports some
 * of them as a well-formedness error (an unbound prefix when a namespace
 * binding cannot be allocated), which must not blame the file. */
static _Thread_local unsigned long xml_nomem;

static void *xml_malloc(size_t n)
{
    void *p = kh_malloc(n);
    xml_nomem += !p;
    return p;
}

static void *xml_realloc(void *ptr, size_t n)
{
    void *p = kh_realloc(ptr, n);
    xml_nomem += !p;
    return p;
}

/* The status after expat refused the input; nomem0 is xml_nomem before
 * the parse. */
static kh_status xml_failed(kh_xml *x, unsigned long nomem0)
{
    if (x->err)
        return x->err;
    enum XML_Error e = XML_GetErrorCode(x->p);
    if (e == XML_ERROR_NO_MEMORY || xml_nomem != nomem0)
        return KH_ERR_NOMEM;
    char show[KH_XLSX_SHOW_BUFSZ];
    kh_diags_add(x->d, KH_ERROR, x->path, x->sheet, NULL, 0,
                 _("part %s is not well-formed XML (line %lu: %s): the file is damaged; "
                   "re-save it from Excel or WPS"),
                 kh_xlsx_show(x->part, show), (unsigned long)XML_GetCurrentLineNumber(x->p),
                 XML_ErrorString(e));
    return KH_ERR_INPUT;
}

kh_status kh_xml_parse(kh_zip *z, const char *path, const char *norm, const char *sheet,
                       kh_xml *x, kh_diags *d)
{
    static const XML_Memory_Handling_Suite mem = {xml_malloc, xml_realloc, kh_free};
    static const XML_Char sep[] = {NS_SEP, '\0'};
    x->path = path;
    x->d = d;
    x->sheet = sheet;
    x->part = kh_zip_find(z, norm);
    x->depth = 0;
    x->last_event = 0;
    x->err = KH_OK;
    if (!x->part)
        return KH_ERR_USAGE;
    x->nbind = x->capbind = 0;
    x->bind = NULL;
    x->p = XML_ParserCreate_MM(NULL, &mem, x->qnames ? NULL : sep);
    if (!x->p)
        return KH_ERR_NOMEM;
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetDefaultHandlerExpand(x->p, on_other);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);

    /* The part is inflated into this buffer and parsed where it lies
     * (expat keeps only a token cut at the end of a chunk).  With
     * XML_GetBuffer expat held a 128 KiB buffer of its own per part, which
     * made the C library grow and trim the heap for every part: 3,600 brk
     * calls and their page faults for 2,000 checklists. */
    char buf[CHUNK];
    kh_status st = kh_zip_part_open(z, norm, sheet, d);
    uint64_t fed = 0;
    unsigned long nomem0 = xml_nomem;
    while (st == KH_OK) {
        size_t n;
        if ((st = kh_zip_part_read(z, buf, CHUNK, &n, d)) != KH_OK)
            break;
        /* n == 0 is the final call: a part cut short fails here. */
        if (XML_Parse(x->p, buf, (int)n, n == 0) != XML_STATUS_OK || x->err) {
            st = xml_failed(x, nomem0);
            break;
        }
        if (n == 0)
            break;
        fed += n;
        /* A tag, comment or PI that never ends makes expat buffer all of
         * it: bound what may pass between two events. */
        if (fed - (uint64_t)(x->last_event > 0 ? x->last_event : 0) > KH_XLSX_MAX_TOKEN) {
            char show[KH_XLSX_SHOW_BUFSZ];
            kh_diags_add(d, KH_ERROR, path, sheet, NULL, 0,
                         _("part %s holds an XML tag or comment longer than %u MiB: the file "
                           "is crafted or damaged; re-save it from Excel or WPS"),
                         kh_xlsx_show(x->part, show), KH_XLSX_MAX_TOKEN >> 20);
            st = KH_ERR_INPUT;
        }
    }
    kh_zip_part_close(z);
    XML_ParserFree(x->p);
    x->p = NULL;
    for (size_t i = 0; i < x->nbind; i++)
        kh_free(x->bind[i].prefix);
    kh_free(x->bind);
    x->bind = NULL;
    x->nbind = x->capbind = 0;
    return st;
}

/* ---- text ---- */

static void too_long(kh_xml *x, const char *cell)
{
    if (!cell && x->cell_name)
        cell = x->cell_name(x);
    kh_xml_fail(x, KH_ERR_LIMIT, cell,
                x->sheet ? _("a cell holds more than %u characters, Excel's limit: the file is "
                             "damaged or not a real workbook")
                         : _("a shared string holds more than %u characters, Excel's limit: "
                             "the file is damaged or not a real workbook"),
                KH_XLSX_MAX_CELL);
}

bool kh_xml_collect(kh_xml *x, kh_buf *b, size_t *chars, const char *s, int len,
                    const char *cell)
{
    /* A cell's character takes at most 7 bytes here (an escape, 7 ASCII
     * characters for 1): past that, no decoding helps.  Bytes, not code
     * points, are counted: the same bound without a pass over the text. */
    *chars += (size_t)len;
    if (*chars > 7 * (size_t)KH_XLSX_MAX_CELL) {
        too_long(x, cell);
        return false;
    }
    kh_buf_add(b, s, (size_t)len);
    if (b->oom) {
        kh_xml_oom(x);
        return false;
    }
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t kh_xml_decode_escapes(char *s, size_t len)
{
    /* Nothing moves before the first underscore (most texts have none). */
    const char *u = memchr(s, '_', len);
    if (!u)
        return len;
    size_t w = (size_t)(u - s);
    for (size_t i = w; i < len;) {
        if (len - i >= 7 && s[i] == '_' && s[i + 1] == 'x' && s[i + 6] == '_') {
            unsigned cp = 0;
            int k = 2;
            for (int h; k < 6 && (h = hexval(s[i + k])) >= 0; k++)
                cp = cp << 4 | (unsigned)h;
            if (k == 6 && cp && (cp < 0xD800 || cp > 0xDFFF)) {
                if (cp < 0x80) {
                    s[w++] = (char)cp;
                } else if (cp < 0x800) {
                    s[w++] = (char)(0xC0 | cp >> 6);
                    s[w++] = (char)(0x80 | (cp & 0x3F));
                } else {
                    s[w++] = (char)(0xE0 | cp >> 12);
                    s[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    s[w++] = (char)(0x80 | (cp & 0x3F));
                }
                i += 7;
                continue;
            }
        }
        s[w++] = s[i++];
    }
    return w;
}

bool kh_xml_finish_text(kh_xml *x, kh_buf *b, const char *cell)
{
    if (!b->s)
        return true;
    b->len = kh_xml_decode_escapes(b->s, b->len);
    b->s[b->len] = '\0';
    /* No more characters than bytes: count them only when it matters. */
    size_t chars = 0;
    if (b->len > KH_XLSX_MAX_CELL)
        for (size_t i = 0; i < b->len; i++)
            chars += ((unsigned char)b->s[i] & 0xC0) != 0x80;
    if (chars > KH_XLSX_MAX_CELL) {
        too_long(x, cell);
        return false;
    }
    return true;
}
