/*
 * test_serve_roles.c - who may see which unit (src/serve/session.c):
 * srv_may_unit, the rule every area checks on a request naming a unit
 * (admins and reviewers any unit, a filler its own only, byte for byte,
 * nobody else), and srv_is_staff.
 */
#include "testutil.h"

#include "serve/serve.h"

static request as(srv_role role, const char *unit)
{
    request q = {.role = role};
    snprintf(q.unit, sizeof q.unit, "%s", unit);
    return q;
}

static void may_unit(void **state)
{
    (void)state;
    request admin = as(R_ADMIN, ""), reviewer = as(R_REVIEWER, "");
    request a = as(R_FILLER, "两江镇"), none = as(R_NONE, ""), unbound = as(R_FILLER, "");
    assert_true(srv_may_unit(&admin, "两江镇"));
    assert_true(srv_may_unit(&admin, "四塘镇"));
    assert_true(srv_may_unit(&reviewer, "四塘镇"));
    assert_true(srv_may_unit(&a, "两江镇"));
    assert_false(srv_may_unit(&a, "四塘镇"));
    assert_false(srv_may_unit(&a, "两江镇 "));     /* byte for byte */
    assert_false(srv_may_unit(&a, "两江"));        /* not a prefix */
    assert_false(srv_may_unit(&a, "两江镇人民政府")); /* nor longer */
    assert_false(srv_may_unit(&a, ""));
    assert_false(srv_may_unit(&a, NULL));
    assert_false(srv_may_unit(&none, "两江镇"));
    assert_false(srv_may_unit(&unbound, ""));
    assert_false(srv_may_unit(&unbound, "两江镇"));
}

static void staff(void **state)
{
    (void)state;
    request q = as(R_ADMIN, "");
    assert_true(srv_is_staff(&q));
    q.role = R_REVIEWER;
    assert_true(srv_is_staff(&q));
    q.role = R_FILLER;
    assert_false(srv_is_staff(&q));
    q.role = R_NONE;
    assert_false(srv_is_staff(&q));
    assert_string_equal(srv_role_name(R_ADMIN), "admin");
    assert_string_equal(srv_role_name(R_REVIEWER), "reviewer");
    assert_string_equal(srv_role_name(R_FILLER), "filler");
    assert_null(srv_role_name(R_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(may_unit),
        cmocka_unit_test(staff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
