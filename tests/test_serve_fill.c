/*
 * test_serve_fill.c - who may do what to a unit's online form
 * (src/serve/filling.c, srv_fill_may, over srv_may_unit): a 填报员 reads
 * and changes its own unit's 自评 only, never another unit's and never a
 * 考评; a 考评员 reads any unit and changes only the 考评; an admin does
 * everything; nobody logged in nothing.  Through a real server (where
 * today every account is an admin): tests/interop/test_serve_fill.sh.
 */
#include "testutil.h"

#include "serve/serve.h"

static request as(srv_role role, const char *unit)
{
    request q;
    memset(&q, 0, sizeof q);
    q.role = role;
    snprintf(q.unit, sizeof q.unit, "%s", unit ? unit : "");
    return q;
}

static int may(const request *q, const char *unit, srv_fill_act act)
{
    const char *why = NULL;
    int rc = srv_fill_may(q, unit, act, &why);
    if (rc)
        assert_non_null(why);
    else
        assert_null(why);
    return rc;
}

static void filler_own_unit_only(void **state)
{
    (void)state;
    request q = as(R_FILLER, "两江镇");
    assert_int_equal(may(&q, "两江镇", FA_READ), 0);
    assert_int_equal(may(&q, "两江镇", FA_SELF), 0);
    assert_int_equal(may(&q, "会仙镇", FA_READ), 403);
    assert_int_equal(may(&q, "会仙镇", FA_SELF), 403);
    assert_int_equal(may(&q, "两江镇 ", FA_READ), 403); /* byte for byte: names come cleaned */
    assert_int_equal(may(&q, "两江镇", FA_REVIEW), 403);
    assert_int_equal(may(&q, "两江镇", FA_ADMIN), 403);
    assert_int_equal(may(&q, NULL, FA_ADMIN), 403);
    const char *why = NULL;
    srv_fill_may(&q, "会仙镇", FA_READ, &why);
    assert_string_equal(why, "无权查看其他单位的材料");
    /* A 填报员 bound to no unit reads none. */
    request none = as(R_FILLER, "");
    assert_int_equal(may(&none, "两江镇", FA_READ), 403);
}

static void reviewer_and_admin(void **state)
{
    (void)state;
    request r = as(R_REVIEWER, NULL);
    assert_int_equal(may(&r, "两江镇", FA_READ), 0);
    assert_int_equal(may(&r, "会仙镇", FA_REVIEW), 0);
    assert_int_equal(may(&r, "两江镇", FA_SELF), 403);
    assert_int_equal(may(&r, "两江镇", FA_ADMIN), 403);
    request a = as(R_ADMIN, NULL);
    for (int act = FA_READ; act <= FA_ADMIN; act++)
        assert_int_equal(may(&a, "会仙镇", (srv_fill_act)act), 0);
    request n = as(R_NONE, NULL);
    assert_int_equal(may(&n, "两江镇", FA_READ), 401);
    assert_int_equal(may(&n, NULL, FA_READ), 401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filler_own_unit_only),
        cmocka_unit_test(reviewer_and_admin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
