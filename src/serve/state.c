/*
 * state.c - GET /api/state and POST /api/settings.
 */
#include "serve.h"

#include <string.h>

enum MHD_Result srv_answer_state(kh_server *s, struct MHD_Connection *c, request *q)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return srv_send_error(c, 503, "服务器内存不足：请稍后再试");
    cJSON_AddBoolToObject(j, "accounts", s->acc != NULL);
    q->user[0] ? cJSON_AddStringToObject(j, "user", q->user) : cJSON_AddNullToObject(j, "user");
    cJSON_AddBoolToObject(j, "workspace", s->ws != NULL);
    cJSON_AddStringToObject(j, "version", KAOHE_VERSION);
    if (s->acc && !q->user[0])
        return srv_send_json(c, 200, j, NULL); /* nothing more before a login */
    cJSON *rs = cJSON_AddArrayToObject(j, "rubrics");
    kh_registry *reg = srv_request_registry(s, q, false);
    for (size_t i = 0; rs && reg && i < kh_registry_count(reg); i++) {
        const kh_rubric *rb = kh_registry_at(reg, i);
        cJSON *e = cJSON_CreateObject();
        if (!e)
            break;
        cJSON_AddStringToObject(e, "id", kh_rubric_id(rb));
        cJSON_AddStringToObject(e, "title", kh_rubric_title(rb));
        cJSON_AddStringToObject(e, "unit_type", kh_rubric_unit_type(rb));
        cJSON_AddItemToArray(rs, e);
    }
    kh_registry_free(reg);
    srv_add_desktop_and_missing(s, j);
    if (s->ws) {
        char *year = kh_workspace_get(s->ws, "year");
        char *roster = kh_workspace_get(s->ws, "roster");
        year ? cJSON_AddStringToObject(j, "year", year) : cJSON_AddNullToObject(j, "year");
        cJSON_AddBoolToObject(j, "roster", roster != NULL);
        kh_free(year);
        kh_free(roster);
        cJSON_AddItemToObject(j, "history", srv_history_json(s));
    }
    return srv_send_json(c, 200, j, NULL);
}

enum MHD_Result srv_answer_settings(kh_server *s, struct MHD_Connection *c, request *q)
{
    if (!s->ws)
        return srv_send_error(c, 400, "没有使用工作区（--workspace），设置不会保存");
    const char *year = kh_buf_str(&q->fields[F_YEAR]);
    size_t n = strlen(year);
    bool ok = n == 4;
    for (size_t i = 0; ok && i < n; i++)
        ok = year[i] >= '0' && year[i] <= '9';
    if (!ok)
        return srv_send_error(c, 400, "考核年度应为四位数字，如 2020");
    kh_diags d = {0};
    kh_status st = kh_workspace_set(s->ws, "year", year, &d);
    kh_diags_clear(&d);
    return st == KH_OK ? srv_answer_state(s, c, q)
                       : srv_send_error(c, 500, "服务器无法保存设置：磁盘已满或没有权限");
}
