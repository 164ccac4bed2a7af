/*
 * journal.c - the workspace's change history, as the page shows it.
 */
#include "serve.h"

#include <string.h>

cJSON *srv_history_json(kh_server *s)
{
    cJSON *a = cJSON_CreateArray();
    if (!a || !s->ws)
        return a;
    kh_ws_change *v = NULL;
    size_t n = 0;
    kh_diags d = {0};
    if (kh_workspace_history(s->ws, &v, &n, &d) == KH_OK) {
        for (size_t i = 0; i < n; i++) {
            cJSON *e = cJSON_CreateObject();
            if (!e)
                break;
            cJSON_AddStringToObject(e, "at", v[i].at);
            cJSON_AddStringToObject(e, "user", v[i].user);
            cJSON_AddStringToObject(e, "unit", v[i].unit);
            cJSON_AddStringToObject(e, "rubric", v[i].rubric);
            cJSON_AddStringToObject(e, "kind", v[i].kind);
            v[i].reason ? cJSON_AddStringToObject(e, "reason", v[i].reason)
                        : cJSON_AddNullToObject(e, "reason");
            v[i].old_total ? cJSON_AddStringToObject(e, "old_total", v[i].old_total)
                           : cJSON_AddNullToObject(e, "old_total");
            cJSON_AddStringToObject(e, "new_total", v[i].new_total);
            v[i].old_hash ? cJSON_AddStringToObject(e, "old_sha256", v[i].old_hash)
                          : cJSON_AddNullToObject(e, "old_sha256");
            cJSON_AddStringToObject(e, "new_sha256", v[i].new_hash);
            cJSON_AddStringToObject(e, "file", v[i].name);
            cJSON_AddItemToArray(a, e);
        }
        kh_ws_changes_free(v, n);
    }
    kh_diags_clear(&d);
    return a;
}

/* The workspace's uploads that did not pass and are still open, as the
 * page lists them: the file's name, when, who, the unit and rubric named
 * in it (or null), and its messages. */
cJSON *srv_failed_uploads_json(kh_server *s)
{
    cJSON *a = cJSON_CreateArray();
    if (!a || !s->ws)
        return a;
    kh_ws_rejection *v = NULL;
    size_t n = 0;
    kh_diags d = {0};
    kh_status st = kh_workspace_rejections(s->ws, &v, &n, &d);
    kh_diags_clear(&d);
    if (st == KH_ERR_NOMEM) {
        cJSON_Delete(a);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON *m = e ? cJSON_AddArrayToObject(e, "messages") : NULL;
        if (!m) {
            cJSON_Delete(e);
            cJSON_Delete(a);
            a = NULL;
            break;
        }
        cJSON_AddStringToObject(e, "file", v[i].name);
        cJSON_AddStringToObject(e, "at", v[i].at);
        cJSON_AddStringToObject(e, "user", v[i].user);
        v[i].unit ? cJSON_AddStringToObject(e, "unit", v[i].unit) : cJSON_AddNullToObject(e, "unit");
        v[i].rubric ? cJSON_AddStringToObject(e, "rubric", v[i].rubric)
                    : cJSON_AddNullToObject(e, "rubric");
        cJSON_AddStringToObject(e, "sha256", v[i].hash);
        for (char *p = v[i].messages, *nl; p && *p; p = nl + 1) {
            nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            cJSON_AddItemToArray(m, cJSON_CreateString(p));
            if (!nl)
                break;
        }
        cJSON_AddItemToArray(a, e);
    }
    kh_ws_rejections_free(v, n);
    return a;
}

/* "desktop": {"log": LOG} when started by the desktop starter (the page
 * offers 停止), and with a workspace "missing_files": the journal's rows
 * whose file the check on open did not find (the page lists them: upload
 * those checklists again). */
void srv_add_desktop_and_missing(kh_server *s, cJSON *j)
{
    if (s->desktop_log) {
        cJSON *dk = cJSON_AddObjectToObject(j, "desktop");
        if (dk)
            cJSON_AddStringToObject(dk, "log", s->desktop_log);
    }
    if (!s->ws)
        return;
    cJSON *a = cJSON_AddArrayToObject(j, "missing_files");
    size_t n = 0;
    const kh_ws_missing *m = kh_workspace_missing(s->ws, &n);
    for (size_t i = 0; a && i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        if (!e)
            break;
        cJSON_AddStringToObject(e, "unit", m[i].unit);
        cJSON_AddStringToObject(e, "rubric", m[i].rubric);
        cJSON_AddStringToObject(e, "file", m[i].name);
        cJSON_AddStringToObject(e, "sha256", m[i].hash);
        cJSON_AddStringToObject(e, "at", m[i].at);
        cJSON_AddItemToArray(a, e);
    }
}
