/*
 * test_appeal.c - 公示, 申诉, 复核 and 定稿 in the workspace (src/appeal.c):
 * each rule of appeal.h refused with its message and allowed where it
 * should be, the record kept across closing and reopening, the steps as
 * rows of the ranking's 更正记录.
 */
#include "testutil.h"

#include "appeal.h"

static kh_workspace *open_ws(const char *dir)
{
    kh_workspace *w = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_workspace_open(test_path(dir, "ws"), &w, &d), KH_OK);
    kh_diags_clear(&d);
    return w;
}

static void dates(void **state)
{
    (void)state;
    assert_true(kh_date_valid("2021-01-15"));
    assert_true(kh_date_valid("2020-02-29"));
    assert_false(kh_date_valid("2021-02-29"));
    assert_false(kh_date_valid("1900-02-29"));
    assert_true(kh_date_valid("2000-02-29"));
    assert_false(kh_date_valid("2021-13-01"));
    assert_false(kh_date_valid("2021-04-31"));
    assert_false(kh_date_valid("2021-1-15"));
    assert_false(kh_date_valid("2021/01/15"));
    assert_false(kh_date_valid(""));
    assert_false(kh_date_valid(NULL));
}

static void publish_appeal_decide_finalise(void **state)
{
    const char *dir = *state;
    kh_workspace *w = open_ws(dir);
    kh_diags d = {0};
    long long id = 0;
    /* Before 公示 no appeal. */
    assert_int_equal(kh_appeal_file(w, "两江镇", "t", "8.3", "资料已补齐", "lj", "2021-01-05",
                                    &id, &d),
                     KH_ERR_USAGE);
    assert_true(test_diags_contain(&d, "not published"));
    assert_int_equal(id, 0);
    kh_diags_clear(&d);
    /* A closing date in the past, or not a date: refused. */
    assert_int_equal(kh_publish(w, "t", "2021-01-04", false, "科长", "2021-01-05", &d),
                     KH_ERR_USAGE);
    assert_true(test_diags_contain(&d, "passed"));
    kh_diags_clear(&d);
    assert_int_equal(kh_publish(w, "t", "2021-1-10", false, "科长", "2021-01-05", &d),
                     KH_ERR_USAGE);
    kh_diags_clear(&d);
    assert_int_equal(kh_publish(w, "t", "2021-01-10", true, "科长", "2021-01-05", &d), KH_OK);
    kh_publication p;
    assert_int_equal(kh_publication_get(w, "t", &p, &d), KH_OK);
    assert_true(p.published);
    assert_string_equal(p.closes, "2021-01-10");
    assert_true(p.with_ranking);
    assert_string_equal(p.published_by, "科长");
    assert_null(p.final_at);
    kh_publication_clear(&p);
    assert_int_equal(kh_publication_get(w, "other", &p, &d), KH_OK);
    assert_false(p.published);
    assert_null(p.closes);
    kh_publication_clear(&p);
    /* An appeal needs its reasons. */
    assert_int_equal(kh_appeal_file(w, "两江镇", "t", "8.3", "", "lj", "2021-01-05", &id, &d),
                     KH_ERR_USAGE);
    kh_diags_clear(&d);
    assert_int_equal(kh_appeal_file(w, "两江镇", "t", "8.3", "资料已补齐", "lj", "2021-01-10",
                                    &id, &d),
                     KH_OK);
    long long first = id;
    assert_true(first > 0);
    /* One open appeal per check point; another check point is fine. */
    assert_int_equal(kh_appeal_file(w, "两江镇", "t", "8.3", "再次申诉", "lj", "2021-01-10", &id,
                                    &d),
                     KH_ERR_USAGE);
    assert_true(test_diags_contain(&d, "waiting"));
    kh_diags_clear(&d);
    assert_int_equal(kh_appeal_file(w, "两江镇", "t", "1.6", "有图片", "lj", "2021-01-08", &id,
                                    &d),
                     KH_OK);
    long long second = id;
    /* After the closing date: refused. */
    assert_int_equal(kh_appeal_file(w, "临桂镇", "t", "2.1", "理由", "lg", "2021-01-11", &id,
                                    &d),
                     KH_ERR_USAGE);
    assert_true(test_diags_contain(&d, "closing date"));
    kh_diags_clear(&d);
    /* 定稿 while open or with undecided appeals: refused. */
    assert_int_equal(kh_finalise(w, "t", "科长", "2021-01-10", &d), KH_ERR_USAGE);
    assert_true(test_diags_contain(&d, "still open"));
    kh_diags_clear(&d);
    assert_int_equal(kh_finalise(w, "t", "科长", "2021-01-11", &d), KH_ERR_USAGE);
    assert_true(test_diags_contain(&d, "2 appeals"));
    kh_diags_clear(&d);
    /* Decisions: a reason always, 改判 a result too; once each. */
    kh_appeal a;
    assert_int_equal(kh_appeal_decide(w, first, KH_APPEAL_KEPT, NULL, "", "考评员甲", &a, &d),
                     KH_ERR_USAGE);
    kh_diags_clear(&d);
    assert_int_equal(
        kh_appeal_decide(w, first, KH_APPEAL_CHANGED, "", "补齐", "考评员甲", &a, &d),
        KH_ERR_USAGE);
    kh_diags_clear(&d);
    assert_int_equal(kh_appeal_decide(w, first, KH_APPEAL_CHANGED, "有", "通知和方案已补交",
                                      "考评员甲", &a, &d),
                     KH_OK);
    assert_int_equal(a.state, KH_APPEAL_CHANGED);
    assert_string_equal(a.result, "有");
    assert_string_equal(a.unit, "两江镇");
    assert_string_equal(a.decided_by, "考评员甲");
    kh_appeal_clear(&a);
    assert_int_equal(
        kh_appeal_decide(w, first, KH_APPEAL_KEPT, NULL, "again", "考评员甲", NULL, &d),
        KH_ERR_USAGE);
    assert_true(test_diags_contain(&d, "decided already"));
    kh_diags_clear(&d);
    assert_int_equal(kh_appeal_decide(w, 999, KH_APPEAL_KEPT, NULL, "x", "科长", NULL, &d),
                     KH_ERR_USAGE);
    kh_diags_clear(&d);
    assert_int_equal(
        kh_appeal_decide(w, second, KH_APPEAL_KEPT, NULL, "图片不是本年度的", "科长", NULL, &d),
        KH_OK);
    /* Kept across closing and reopening. */
    kh_workspace_close(w);
    w = open_ws(dir);
    kh_appeal *v = NULL;
    size_t n = 0;
    assert_int_equal(kh_appeals_list(w, "t", "两江镇", &v, &n, &d), KH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, first);
    assert_string_equal(v[0].cp, "8.3");
    assert_int_equal(v[0].state, KH_APPEAL_CHANGED);
    assert_string_equal(v[0].reason, "通知和方案已补交");
    assert_int_equal(v[1].state, KH_APPEAL_KEPT);
    assert_null(v[1].result);
    /* As rows of 更正记录: filed, then decided, each. */
    kh_ws_change *c = NULL;
    size_t nc = 0;
    assert_int_equal(kh_appeals_as_changes(v, n, &c, &nc), KH_OK);
    assert_int_equal(nc, 4);
    assert_string_equal(c[0].kind, "申诉");
    assert_string_equal(c[0].reason, "检查点 8.3：资料已补齐");
    assert_string_equal(c[0].user, "lj");
    assert_string_equal(c[1].kind, "复核（改判）");
    assert_string_equal(c[1].reason, "检查点 8.3 改判为“有”：通知和方案已补交");
    assert_string_equal(c[1].user, "考评员甲");
    assert_string_equal(c[3].kind, "复核（维持）");
    assert_string_equal(c[3].reason, "检查点 1.6 维持原结果：图片不是本年度的");
    kh_ws_changes_free(c, nc);
    kh_appeals_free(v, n);
    assert_int_equal(kh_appeals_list(w, "t", "临桂镇", &v, &n, &d), KH_OK);
    assert_int_equal(n, 0);
    kh_appeals_free(v, n);
    /* 定稿 after the closing date with everything decided; then final. */
    assert_int_equal(kh_finalise(w, "t", "科长", "2021-01-11", &d), KH_OK);
    assert_int_equal(kh_publication_get(w, "t", &p, &d), KH_OK);
    assert_non_null(p.final_at);
    assert_string_equal(p.final_by, "科长");
    kh_publication_clear(&p);
    assert_int_equal(kh_finalise(w, "t", "科长", "2021-01-12", &d), KH_ERR_USAGE);
    kh_diags_clear(&d);
    assert_int_equal(kh_publish(w, "t", "2021-02-10", false, "科长", "2021-01-12", &d),
                     KH_ERR_USAGE);
    assert_true(test_diags_contain(&d, "final"));
    kh_diags_clear(&d);
    assert_int_equal(kh_diags_errors(&d), 0);
    kh_workspace_close(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates),
        cmocka_unit_test_setup_teardown(publish_appeal_decide_finalise, test_scratch_setup,
                                        test_scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
