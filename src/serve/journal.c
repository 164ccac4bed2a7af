/*
 * journal.c - the workspace's change history, as the page shows it.
 */
#include "serve.h"


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
