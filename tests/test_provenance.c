/* test_provenance.c - file digests: the known SHA-256 values, and the SHA
 * extension path (kh_sha256_fast) giving libsodium's digest for every
 * length around the block and padding boundaries and for larger files
 * read in several chunks. */
#include "testutil.h"
#include "provenance.h"

#include <stdio.h>

static void write_bytes(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void known_values(void **state)
{
    const char *path = test_path(*state, "abc");
    static const struct {
        const char *text, *sha256;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(v); i++) {
        write_bytes(path, (const unsigned char *)v[i].text, strlen(v[i].text));
        for (int fast = 0; fast < 2; fast++) {
            if (fast && !kh_sha256_fast())
                continue;
            kh_digest d;
            kh_file_digest_with(path, &d, fast);
            assert_true(d.ok);
            assert_string_equal(d.sha256, v[i].sha256);
            assert_int_equal(d.size, (int64_t)strlen(v[i].text));
        }
        kh_digest d;
        kh_file_digest(path, &d);
        assert_string_equal(d.sha256, v[i].sha256);
    }
}

/* Every length 0..300 (the padding falls in the last block or needs one
 * more), and lengths around the 64 KiB read size. */
static void fast_equals_portable(void **state)
{
    if (!kh_sha256_fast()) {
        print_message("no SHA extensions on this processor: only libsodium's path runs\n");
        return;
    }
    const size_t big = 200 * 1024 + 37;
    unsigned char *p = malloc(big);
    assert_non_null(p);
    uint32_t x = 12345;
    for (size_t i = 0; i < big; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (unsigned char)(x >> 16);
    }
    const char *path = test_path(*state, "bytes");
    static const size_t more[] = {65535, 65536, 65537, 131072 + 63, 131072 + 64, 200 * 1024 + 37};
    for (size_t k = 0; k < 301 + KH_ARRAY_LEN(more); k++) {
        size_t n = k < 301 ? k : more[k - 301];
        write_bytes(path, p, n);
        kh_digest a, b;
        kh_file_digest_with(path, &a, false);
        kh_file_digest_with(path, &b, true);
        assert_true(a.ok && b.ok);
        if (strcmp(a.sha256, b.sha256) != 0)
            fail_msg("length %zu: libsodium %s, SHA extensions %s", n, a.sha256, b.sha256);
        assert_int_equal(b.size, (int64_t)n);
    }
    free(p);
}

static void unreadable(void **state)
{
    kh_digest d;
    kh_file_digest(test_path(*state, "absent"), &d);
    assert_false(d.ok);
    kh_file_digest("-", &d);
    assert_false(d.ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(known_values, test_scratch_setup, test_scratch_teardown),
        cmocka_unit_test_setup_teardown(fast_equals_portable, test_scratch_setup,
                                        test_scratch_teardown),
        cmocka_unit_test_setup_teardown(unreadable, test_scratch_setup, test_scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
