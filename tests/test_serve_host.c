/*
 * test_serve_host.c - the Host check of kaohe serve (src/serve/session.c,
 * srv_host_ok) against DNS rebinding: on 127.x.x.x only this machine's
 * names; on another address only the names given (--host-name), or any
 * address in digits when listening on 0.0.0.0 with none given.  (On
 * loopback through a real server and Chromium: test_serve_reliability.sh
 * and test_serve_browser.sh; the other addresses here, so that no test
 * listens beyond 127.0.0.1.)
 */
#include "testutil.h"

#include "serve/serve.h"

static void loopback_names(void **state)
{
    (void)state;
    static const char *const ok[] = {"127.0.0.1",      "127.0.0.1:8080", "127.9.8.7:1",
                                     "localhost",      "LocalHost:8787", "[::1]",
                                     "[::1]:8080",     "127.255.255.255"};
    for (size_t i = 0; i < KH_ARRAY_LEN(ok); i++)
        assert_true(srv_host_ok(ok[i], true, NULL, 0));
    static const char *const refused[] = {
        NULL, "", "evil.example", "evil.example:8080", "127.0.0.1.evil.example",
        "localhost.evil.example", "127.0.0.1:", "127.0.0.1:80x", "127.0.0.1:123456", "[::2]",
        "[::1]x", "[::1", "128.0.0.1", "192.168.1.20", "127.0.0.1 ", ":8080", "0.0.0.0"};
    for (size_t i = 0; i < KH_ARRAY_LEN(refused); i++)
        assert_false(srv_host_ok(refused[i], true, NULL, 0));
}

static void other_address_names(void **state)
{
    (void)state;
    const char *const names[] = {"kaohe.example.org", "192.168.1.20"};
    assert_true(srv_host_ok("kaohe.example.org", false, names, 2));
    assert_true(srv_host_ok("KAOHE.Example.org:8443", false, names, 2));
    assert_true(srv_host_ok("192.168.1.20:8443", false, names, 2));
    assert_false(srv_host_ok("evil.example", false, names, 2));
    assert_false(srv_host_ok("kaohe.example.org.evil.example", false, names, 2));
    assert_false(srv_host_ok("127.0.0.1", false, names, 2));
    assert_false(srv_host_ok("localhost", false, names, 2));
    assert_false(srv_host_ok("192.168.1.21", false, names, 2));
    /* 0.0.0.0 with no name given: digits, never a name. */
    const char *const any[] = {"0.0.0.0"};
    assert_true(srv_host_ok("10.1.2.3:8443", false, any, 1));
    assert_true(srv_host_ok("127.0.0.1", false, any, 1));
    assert_false(srv_host_ok("evil.example", false, any, 1));
    assert_false(srv_host_ok("10.1.2.3.evil.example", false, any, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loopback_names),
        cmocka_unit_test(other_address_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
