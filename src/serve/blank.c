/*
 * blank.c - POST /api/blank: blank checklists of typed units or a roster.
 */
#include "serve.h"
#include "archive.h"
#include "template_out.h"
#include "text.h"

#include <string.h>

/* POST /api/blank: blank checklists of the units typed (with a rubric) or
 * of an uploaded roster, as one .zip. */
enum MHD_Result srv_answer_blank(kh_server *s, struct MHD_Connection *c, request *q)
{
    run r = {.reg = srv_request_registry(s, q, false)};
    if (!r.reg)
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    char *roster = NULL;
    for (size_t i = 0; i < q->nfiles && !roster; i++)
        if (q->files[i].kind == P_ROSTER)
            roster = kh_strdup(q->files[i].path);
    if (!roster) {
        /* The typed list becomes a roster (doc/formats.md §6). */
        const char *id = kh_buf_str(&q->fields[F_RUBRIC]);
        const kh_rubric *rb = kh_registry_find(r.reg, id);
        if (!rb) {
            srv_run_free(&r);
            return srv_send_error(c, 400, "请选择考核细则");
        }
        roster = kh_strprintf("%s/roster.csv", q->dir);
        FILE *f = roster ? fopen(roster, "wb") : NULL;
        size_t n = 0;
        if (f) {
            fputs("被考核单位,考核细则\n", f);
            const char *p = kh_buf_str(&q->fields[F_UNITS]);
            while (*p) {
                size_t len = strcspn(p, "\r\n");
                size_t tl = 0;
                const char *t = kh_trim_n(p, len, &tl);
                if (tl) {
                    fputc('"', f);
                    for (size_t k = 0; k < tl; k++) {
                        if (t[k] == '"')
                            fputc('"', f);
                        fputc(t[k], f);
                    }
                    fprintf(f, "\",%s\n", id);
                    n++;
                }
                p += len;
                p += strspn(p, "\r\n");
            }
        }
        if (!f || fclose(f) != 0 || n == 0) {
            kh_free(roster);
            srv_run_free(&r);
            return srv_send_error(c, n == 0 && f ? 400 : 500,
                              n == 0 && f ? "请填写被考核单位名称，每行一个"
                                          : "服务器无法生成检查表：磁盘已满或没有权限");
        }
    }
    kh_diags d = {0};
    kh_status st = kh_roster_load(roster, r.reg, &r.roster, &d);
    kh_free(roster);
    char *dir = kh_strprintf("%s/空白检查表", q->dir);
    char *zip = kh_strprintf("%s/blank.zip", q->dir);
    if (st == KH_OK)
        st = dir && zip ? kh_write_roster_templates(r.roster, dir, &d) : KH_ERR_NOMEM;
    if (st == KH_OK)
        st = kh_archive_pack(zip, dir, &d);
    enum MHD_Result ret;
    if (st == KH_OK) {
        ret = srv_send_file(c, zip, "application/zip", "blank-checklists.zip", "空白检查表.zip");
    } else {
        cJSON *j = cJSON_CreateObject();
        cJSON *m = j ? cJSON_AddArrayToObject(j, "messages") : NULL;
        if (m)
            srv_add_messages(m, &d);
        if (j)
            cJSON_AddStringToObject(j, "error", st == KH_ERR_INPUT ? "名单有误，未生成检查表"
                                                                 : "服务器无法生成检查表");
        ret = srv_send_json(c, st == KH_ERR_INPUT ? 400 : 500, j, NULL);
    }
    kh_diags_clear(&d);
    kh_free(dir);
    kh_free(zip);
    srv_run_free(&r);
    return ret;
}
