/*
 * upload.c - receiving a request's multipart parts into its folder,
 * unpacking the .zip archives among them.  An upload's file name never
 * becomes a path: files are saved as f0001.xlsx ... and named by what the
 * office uploaded only in what is shown (kh_batch_set_labels).
 */
#include "serve.h"
#include "archive.h"
#include "template_out.h"
#include "text.h"

#include <string.h>
#include <sys/stat.h>

static const char *const field_keys[F_NFIELDS] = {
    "kind", "reason", "units", "rubric", "name", "password", "year", "grades", "quota", "issuer"};

/* The kind of an uploaded file by its name's extension. */
static const char *checklist_ext(const char *name)
{
    static const char *const exts[] = {".xlsx", ".xls", ".ods", ".csv"};
    for (size_t i = 0; i < KH_ARRAY_LEN(exts); i++)
        if (kh_path_has_ext(name, exts[i]))
            return exts[i];
    return NULL;
}

/* A new saved file of kind in q's folder; its path, or NULL (refused). */
static saved *add_saved(request *q, part_kind kind, const char *name, const char *ext)
{
    if (kind == P_CHECKLIST && ++q->nchecklists > KH_SERVE_MAX_FILES) {
        srv_refuse(q, 413, "一次最多上传 " KH_STR(KH_SERVE_MAX_FILES) " 个检查表：请分批上传");
        return NULL;
    }
    if (!kh_grow((void **)&q->files, &q->cap, q->nfiles + 1, sizeof *q->files)) {
        srv_refuse(q, 503, "服务器内存不足：请分批上传");
        return NULL;
    }
    static const char prefix[] = {[P_CHECKLIST] = 'f', [P_ZIP] = 'z', [P_RUBRIC] = 'r',
                                  [P_ROSTER] = 'o', [P_IGNORED] = 'x', [P_DROPPED] = 'x'};
    saved *s = &q->files[q->nfiles];
    *s = (saved){.kind = kind, .name = kh_strdup(name)};
    /* An Office lock file (~$name) keeps its mark, so that it is read as
     * what it is (the library says so, as on the command line). */
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    bool lock = kind == P_CHECKLIST && base[0] == '~' && base[1] == '$';
    s->path = kind == P_IGNORED ? NULL
                                : kh_strprintf("%s/%s%c%04zu%s", q->dir, lock ? "~$" : "",
                                               prefix[kind], q->nfiles + 1, ext ? ext : "");
    if (!s->name || (kind != P_IGNORED && !s->path)) {
        kh_free(s->name);
        kh_free(s->path);
        srv_refuse(q, 503, "服务器内存不足：请分批上传");
        return NULL;
    }
    q->nfiles++;
    return s;
}

enum MHD_Result srv_on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind, (void)content_type, (void)transfer_encoding;
    request *q = cls;
    if (q->status || !key)
        return q->status ? MHD_NO : MHD_YES;
    if (!filename) {
        /* A typed field: kept (bounded) for the answer. */
        for (int f = 0; f < F_NFIELDS; f++)
            if (strcmp(key, field_keys[f]) == 0) {
                if (q->fields[f].len + size > KH_SERVE_MAX_FIELD) {
                    srv_refuse(q, 413, "填写的内容太长（超过 64 KiB）");
                    return MHD_NO;
                }
                kh_buf_add(&q->fields[f], data, size);
            }
        return MHD_YES;
    }
    if (off == 0) {
        if (q->cur && fclose(q->cur) != 0) {
            q->cur = NULL;
            srv_refuse(q, 507, "服务器无法保存上传的文件：磁盘已满或没有权限");
            return MHD_NO;
        }
        q->cur = NULL;
        const char *ext = checklist_ext(filename);
        part_kind pk = P_IGNORED;
        if (strcmp(key, "rubric") == 0 && (ext || kh_path_has_ext(filename, ".csv")))
            pk = P_RUBRIC;
        else if (strcmp(key, "roster") == 0 && ext)
            pk = P_ROSTER;
        else if (strcmp(key, "file") == 0 && kh_path_has_ext(filename, ".zip"))
            pk = P_ZIP, ext = ".zip";
        else if (strcmp(key, "file") == 0)
            /* Any other file too: the library tells by its content what it
             * is, in the command line's words (不是检查表（PDF 文件）…). */
            pk = P_CHECKLIST;
        saved *s = add_saved(q, pk, filename, ext);
        if (!s)
            return MHD_NO;
        if (pk == P_IGNORED)
            return MHD_YES; /* named on the page, not saved */
        q->cur = fopen(s->path, "wb");
        if (!q->cur) {
            srv_refuse(q, 507, "服务器无法保存上传的文件：磁盘已满或没有权限");
            return MHD_NO;
        }
        q->cur_bytes = 0;
    }
    if (!q->cur)
        return MHD_YES;
    q->cur_bytes += size;
    if (q->cur_bytes > KH_SERVE_MAX_FILE) {
        srv_refuse(q, 413, "有文件大于 " KH_STR(KH_SERVE_MAX_FILE_MB) " MiB：检查表不会这么大，请检查是否传错了文件");
        return MHD_NO;
    }
    if (size && fwrite(data, 1, size, q->cur) != size) {
        srv_refuse(q, 507, "服务器无法保存上传的文件：磁盘已满或没有权限");
        return MHD_NO;
    }
    return MHD_YES;
}

/* ---- the .zip uploads ---- */

typedef struct unzip_ctx {
    request *q;
    const char *zip_name;
} unzip_ctx;

static char *place_entry(void *vctx, const char *name, bool *stop)
{
    unzip_ctx *u = vctx;
    char *shown = kh_strprintf("%s/%s", u->zip_name, name);
    const char *ext = checklist_ext(name);
    saved *s = shown ? add_saved(u->q, ext ? P_CHECKLIST : P_IGNORED, shown, ext) : NULL;
    kh_free(shown);
    if (!s) {
        *stop = true;
        return NULL;
    }
    return s->path ? kh_strdup(s->path) : NULL;
}

/* Unpack every .zip of q into checklists of q.  What an archive unpacks
 * counts against the request's limit as it comes: an archive that would
 * pass it is refused before it fills the disk. */
void srv_unpack_zips(request *q)
{
    size_t n = q->nfiles; /* entries are appended after these */
    for (size_t i = 0; i < n && !q->status; i++) {
        if (q->files[i].kind != P_ZIP)
            continue;
        unzip_ctx u = {.q = q, .zip_name = q->files[i].name};
        size_t before = q->nfiles, first = q->msgs.n;
        uint64_t left = q->bytes < KH_SERVE_MAX_REQUEST ? KH_SERVE_MAX_REQUEST - q->bytes : 0;
        kh_status st = kh_archive_unpack(q->files[i].path, q->files[i].name, KH_SERVE_MAX_FILE,
                                         left, place_entry, &u, &q->msgs);
        remove(q->files[i].path);
        /* An entry not unpacked whole is not there: it is not scored. */
        for (size_t k = before; k < q->nfiles; k++) {
            struct stat sb;
            if (!q->files[k].path)
                continue;
            if (stat(q->files[k].path, &sb) == 0)
                q->bytes += (uint64_t)sb.st_size;
            else
                q->files[k].kind = P_DROPPED;
        }
        if (st == KH_ERR_NOMEM) {
            srv_refuse(q, 503, "服务器内存不足：请分批上传");
        } else if (st == KH_ERR_IO) {
            srv_refuse(q, 507, "服务器无法解开压缩包：磁盘已满或没有权限");
        } else if (st == KH_ERR_LIMIT && q->msgs.n > first) {
            /* The archive's own words: which limit, and what to do. */
            kh_buf why = {0};
            kh_buf_printf(&why, "%s：%s", q->files[i].name, q->msgs.v[q->msgs.n - 1].msg_zh);
            srv_refuse(q, 413, kh_buf_str(&why));
            kh_buf_free(&why);
        } else if (st == KH_OK) {
            size_t found = 0;
            for (size_t k = before; k < q->nfiles; k++)
                found += q->files[k].kind == P_CHECKLIST;
            if (!found)
                kh_diags_add(&q->msgs, KH_ERROR, q->files[i].name, NULL, NULL, 0,
                             _("this archive holds no checklist (no .xlsx, .xls, .ods or .csv "
                               "file): put the filled checklists in it, or upload them as "
                               "they are"));
        }
    }
}
