/* test_sheet.c - the in-memory grid, cell references, text helpers, statuses. */
#include "testutil.h"
#include "sheet.h"
#include "text.h"

static void cell_refs(void **state)
{
    (void)state;
    char b[KH_CELLREF_BUFSZ];
    static const struct { uint32_t row, col; const char *ref; } cases[] = {
        {0, 0, "A1"}, {11, 4, "E12"}, {0, 25, "Z1"}, {0, 26, "AA1"},
        {0, 701, "ZZ1"}, {0, 702, "AAA1"}, {1048575, 16383, "XFD1048576"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        assert_string_equal(kh_cell_ref(cases[i].row, cases[i].col, b), cases[i].ref);
        uint32_t r, c;
        assert_true(kh_cell_parse(cases[i].ref, &r, &c));
        assert_int_equal(r, cases[i].row);
        assert_int_equal(c, cases[i].col);
    }
    static const char *bad[] = {"A0", "XFE1", "A1048577", "1", "A", "", "a1",
                                "A99999999999999999999", "AAAA1", "A1x"};
    for (size_t i = 0; i < KH_ARRAY_LEN(bad); i++) {
        uint32_t r, c;
        assert_false(kh_cell_parse(bad[i], &r, &c));
    }
}

static void grid_lookup(void **state)
{
    (void)state;
    kh_sheet *s = kh_sheet_new("检查表");
    assert_non_null(s);
    /* Out of order, a blank cell, and one position set twice. */
    assert_true(kh_sheet_set(s, 2, 3, KH_CELL_STRING, "late", 4));
    assert_true(kh_sheet_set(s, 0, 0, KH_CELL_STRING, "考核细则", strlen("考核细则")));
    assert_true(kh_sheet_set(s, 0, 5, KH_CELL_STRING, "x", 1));
    assert_true(kh_sheet_set(s, 0, 2, KH_CELL_STRING, " \xe3\x80\x80 ", 5));
    assert_true(kh_sheet_set(s, 2, 3, KH_CELL_NUMBER, "2", 1));
    kh_sheet_finish(s);
    assert_int_equal(s->ncells, 3);
    assert_null(kh_sheet_get(s, 0, 2));
    const kh_cell *c = kh_sheet_next_right(s, 0, 0);
    assert_non_null(c);
    assert_string_equal(c->text, "x");
    c = kh_sheet_get(s, 2, 3);
    assert_non_null(c);
    assert_string_equal(c->text, "2");
    assert_int_equal(c->type, KH_CELL_NUMBER);
    assert_null(kh_sheet_next_right(s, 0, 5));
    kh_sheet_free(s);
    kh_sheet_free(NULL);
}

/* Many cells in many rows (texts spread over several blocks, one longer
 * than a block), set out of order with a position set twice: every cell
 * is found with its own text, empty positions are not. */
static void grid_many_cells(void **state)
{
    (void)state;
    kh_sheet *s = kh_sheet_new(NULL);
    assert_non_null(s);
    char text[64];
    char *big = malloc(200000);
    memset(big, 'b', 199999);
    big[199999] = '\0';
    for (uint32_t row = 300; row-- > 0;) {
        for (uint32_t col = 0; col < 20; col += 1 + row % 3) {
            int n = snprintf(text, sizeof text, "r%uc%u%s", row, col, row % 7 ? "" : "-long-text");
            assert_true(kh_sheet_set(s, row, col, KH_CELL_STRING, text, (size_t)n));
        }
        if (row == 150)
            assert_true(kh_sheet_set(s, row, 25, KH_CELL_STRING, big, strlen(big)));
    }
    assert_true(kh_sheet_set(s, 10, 0, KH_CELL_NUMBER, "again", 5));
    kh_sheet_finish(s);
    for (uint32_t row = 0; row < 302; row++) {
        for (uint32_t col = 0; col < 22; col++) {
            const kh_cell *c = kh_sheet_get(s, row, col);
            if (row >= 300 || col >= 20 || col % (1 + row % 3)) {
                assert_null(c);
                continue;
            }
            assert_non_null(c);
            assert_int_equal(c->row, row);
            assert_int_equal(c->col, col);
            if (row == 10 && col == 0) {
                assert_string_equal(c->text, "again");
                continue;
            }
            snprintf(text, sizeof text, "r%uc%u%s", row, col, row % 7 ? "" : "-long-text");
            assert_string_equal(c->text, text);
        }
    }
    const kh_cell *c = kh_sheet_next_right(s, 150, 19);
    assert_non_null(c);
    assert_int_equal(c->col, 25);
    assert_string_equal(c->text, big);
    assert_null(kh_sheet_next_right(s, 150, 25));
    assert_null(kh_sheet_next_right(s, 299, 19));
    kh_sheet_free(s);
    free(big);
}

/* A sparse grid (a cell in the last row) and one that grows after
 * kh_sheet_finish: the lookups search without a row index. */
static void grid_sparse(void **state)
{
    (void)state;
    kh_sheet *s = kh_sheet_new(NULL);
    assert_true(kh_sheet_set(s, 0, 0, KH_CELL_STRING, "first", 5));
    assert_true(kh_sheet_set(s, KH_MAX_ROWS - 1, KH_MAX_COLS - 1, KH_CELL_STRING, "last", 4));
    kh_sheet_finish(s);
    assert_string_equal(kh_sheet_get(s, 0, 0)->text, "first");
    assert_string_equal(kh_sheet_get(s, KH_MAX_ROWS - 1, KH_MAX_COLS - 1)->text, "last");
    assert_null(kh_sheet_get(s, 5, 0));
    assert_null(kh_sheet_next_right(s, 0, 0));
    kh_sheet_free(s);

    s = kh_sheet_new(NULL);
    for (uint32_t r = 0; r < 5; r++)
        assert_true(kh_sheet_set(s, r, 1, KH_CELL_STRING, "v", 1));
    kh_sheet_finish(s);
    assert_non_null(kh_sheet_get(s, 4, 1));
    assert_true(kh_sheet_set(s, 7, 2, KH_CELL_STRING, "w", 1)); /* past the index */
    assert_string_equal(kh_sheet_get(s, 7, 2)->text, "w");
    assert_null(kh_sheet_get(s, 6, 2));
    assert_string_equal(kh_sheet_next_right(s, 7, 0)->text, "w");
    kh_sheet_free(s);
}

static void text_helpers(void **state)
{
    (void)state;
    char *s = kh_norm_label("\xe3\x80\x80 被考核单位：");
    assert_string_equal(s, "被考核单位");
    kh_free(s);
    s = kh_norm_label("unit: ");
    assert_string_equal(s, "unit");
    kh_free(s);
    s = kh_norm_header("检查 结果\n");
    assert_string_equal(s, "检查结果");
    kh_free(s);
    s = kh_fold_fullwidth("２次");
    assert_string_equal(s, "2次");
    kh_free(s);
    size_t off = 99;
    assert_true(kh_utf8_valid("两江镇", strlen("两江镇"), NULL));
    assert_false(kh_utf8_valid("ab\xC0\xAF", 4, &off)); /* overlong */
    assert_int_equal(off, 2);
    assert_false(kh_utf8_valid("\xED\xA0\x80", 3, NULL)); /* surrogate */
    assert_false(kh_utf8_valid("\xE4\xB8", 2, &off));     /* truncated */
    assert_int_equal(off, 0);
    /* Past an ASCII run read 8 bytes at a time, the offset is exact. */
    static const struct {
        const char *s;
        size_t bad;  /* SIZE_MAX: valid */
    } utf8[] = {
        {"abcdefghijklmnop两江镇qrstuvw", SIZE_MAX}, {"abcdefghijk\xE4\xB8", 11},
        {"abcdefghijklmnopq\xE0\x80\x80", 17}, {"abcdefgh\xE0\xA0\x80", SIZE_MAX},
        {"12345678\xED\x9F\xBF\xED\xA0\x80", 11}, {"\xEF\xBF\xBF" "abcdefgh\x80", 11},
        {"abcdefgh\xF0\x9F\x98\x80", SIZE_MAX}, {"abcdefgh\xE4\x41\x80", 8},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(utf8); i++) {
        off = 99;
        bool ok = kh_utf8_valid(utf8[i].s, strlen(utf8[i].s), &off);
        assert_int_equal(ok, utf8[i].bad == SIZE_MAX);
        if (!ok)
            assert_int_equal(off, utf8[i].bad);
    }
    assert_int_equal(kh_utf8_len("两江a"), 3);
}

static void status_table(void **state)
{
    (void)state;
    for (int i = 0; i < KH_STATUS_COUNT; i++) {
        assert_non_null(kh_strerror((kh_status)i));
        assert_string_not_equal(kh_strerror((kh_status)i), "unknown error");
    }
    assert_string_equal(kh_strerror(KH_STATUS_COUNT), "unknown error");
}

static void diag_format(void **state)
{
    (void)state;
    kh_diags d = {0};
    kh_diags_add(&d, KH_ERROR, "x.csv", NULL, "E12", 0, "bad %d", 1);
    kh_diags_add(&d, KH_ERROR, "乡镇.xlsx", "两江镇", "G14", 0, "bad");
    kh_diags_add(&d, KH_ERROR, "r.csv", NULL, NULL, 7, "bad");
    kh_diags_add(&d, KH_NOTE, "a.xlsx", "封面", NULL, 0, "skipped");
    assert_diag(&d, 0, "x.csv!E12: bad 1");
    assert_diag(&d, 1, "乡镇.xlsx:两江镇!G14: bad");
    assert_diag(&d, 2, "r.csv:7: bad");
    assert_diag(&d, 3, "a.xlsx:封面: skipped");
    assert_int_equal(kh_diags_errors(&d), 3);
    kh_diags_clear(&d);
    assert_int_equal(d.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cell_refs),
        cmocka_unit_test(grid_lookup),
        cmocka_unit_test(grid_many_cells),
        cmocka_unit_test(grid_sparse),
        cmocka_unit_test(text_helpers),
        cmocka_unit_test(status_table),
        cmocka_unit_test(diag_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
