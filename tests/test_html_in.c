/* test_html_in.c - HTML tables (the "Excel" files web systems export) into
 * sheet grids: placement with colspan and rowspan, text (character
 * references, white space, <br>, tags inside cells, nested tables), what
 * is skipped (comments, script, style), encodings, limits and refusals.
 * Table-driven over pages written here. */
#include "testutil.h"
#include "html_in.h"
#include "xls_in.h"

/* One page: the cells expected ("A1=text", ...; NULL ends), or a refusal. */
typedef struct page_case {
    const char *name;
    const char *page;
    const char *cells[12];
    size_t ncells;          /* cells of the first sheet, all told */
    size_t nsheets;
    kh_status st;
    const char *says;
} page_case;

static void check_case(const page_case *c)
{
    test_rbook bk = {0};
    kh_diags d = {0};
    kh_status st = kh_html_read_mem("t.xls", c->page, strlen(c->page), test_rbook_take, &bk, &d);
    if (st != c->st) {
        test_print_diags(&d);
        fail_msg("%s: status %d, want %d", c->name, st, c->st);
    }
    if (c->says)
        assert_diags_contain(&d, c->says);
    if (st == KH_OK) {
        if (bk.n != c->nsheets)
            fail_msg("%s: %zu sheets, want %zu", c->name, bk.n, c->nsheets);
        assert_string_equal(bk.s[0].name, "表1");
        for (size_t i = 0; c->cells[i]; i++) {
            const char *eq = strchr(c->cells[i], '=');
            char ref[16];
            snprintf(ref, sizeof ref, "%.*s", (int)(eq - c->cells[i]), c->cells[i]);
            const test_rcell *x = test_cell_at(&bk.s[0], ref);
            if (!x)
                fail_msg("%s: %s is empty, want \"%s\"", c->name, ref, eq + 1);
            if (strcmp(x->text, eq + 1) != 0 || x->type != KH_CELL_STRING)
                fail_msg("%s: %s = \"%s\", want \"%s\"", c->name, ref, x->text, eq + 1);
        }
        if (bk.s[0].n != c->ncells)
            fail_msg("%s: %zu cells, want %zu", c->name, bk.s[0].n, c->ncells);
    }
    test_rbook_free(&bk);
    kh_diags_clear(&d);
}

static void test_pages(void **state)
{
    (void)state;
    static const page_case cases[] = {
        {"plain", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
         {"A1=a", "B1=b", "A2=c", NULL}, 3, 1, KH_OK, NULL},
        {"no closing tags, upper case, th",
         "<TABLE><TR><TH>检查点<TD>检查结果<TR><TD>1.1<TD>有</TABLE>",
         {"A1=检查点", "B1=检查结果", "A2=1.1", "B2=有", NULL}, 4, 1, KH_OK, NULL},
        {"rowspan keeps its columns in the rows below",
         "<table><tr><td rowspan=\"3\">1</td><td rowspan='2'>x</td><td>1.1</td></tr>"
         "<tr><td>1.2</td></tr><tr><td>y</td><td>1.3</td></tr><tr><td>2</td></tr></table>",
         {"A1=1", "B1=x", "C1=1.1", "C2=1.2", "B3=y", "C3=1.3", "A4=2", NULL}, 7, 1, KH_OK,
         NULL},
        {"colspan moves the next cell right",
         "<table><tr><td colspan=3>title</td><td>d</td></tr><tr><td>a</td></tr></table>",
         {"A1=title", "D1=d", "A2=a", NULL}, 3, 1, KH_OK, NULL},
        {"character references, white space, br, tags inside",
         "<table><tr><td>  a&amp;b &lt;c&gt; &#26377;&#x65E0; &nbsp;x\n\t y </td>"
         "<td>one<br>two<BR/>three</td><td><b>bo</b>ld <span>and</span> <p>p</p></td>"
         "<td>&unknown; &#0; &#xD800; 5 &lt 6</td></tr></table>",
         {"A1=a&b <c> 有无 x y", "B1=one\ntwo\nthree", "C1=bo ld and p",
          "D1=&unknown; \xef\xbf\xbd \xef\xbf\xbd 5 &lt 6", NULL},
         4, 1, KH_OK, NULL},
        {"comments, script, style and a doctype skipped",
         "<!DOCTYPE html><html><head><style>td{a:'<table>'}</style>"
         "<script>document.write(\"<table><tr><td>no</td></tr></table>\")</script></head>"
         "<body><!-- <table><tr><td>no</td></tr></table> --><p>text outside</p>"
         "<table><tr><td>yes</td></tr></table></body></html>",
         {"A1=yes", NULL}, 1, 1, KH_OK, NULL},
        {"a table inside a cell joins its text",
         "<table><tr><td>out<table><tr><td>in1</td><td>in2</td></tr></table>after</td>"
         "<td>b</td></tr></table>",
         {"A1=out in1 in2 after", "B1=b", NULL}, 2, 1, KH_OK, NULL},
        {"two tables, two sheets; an unclosed one ends with the page",
         "<table><tr><td>a</td></tr></table><table><tr><td>b",
         {"A1=a", NULL}, 1, 2, KH_OK, NULL},
        {"attributes with quotes and a '>' in them",
         "<table class=\"x>y\"><tr data-colspan='9'><td title=\"a>b\" colspan = \"2\">a</td>"
         "<td>b</td></tr></table>",
         {"A1=a", "C1=b", NULL}, 2, 1, KH_OK, NULL},
        {"a lone '<' is text", "<table><tr><td>1 < 2 <3 <</td></tr></table>",
         {"A1=1 < 2 <3 <", NULL}, 1, 1, KH_OK, NULL},
        {"blank cells are none", "<table><tr><td> </td><td>&nbsp;</td><td>x</td></tr></table>",
         {"C1=x", NULL}, 1, 1, KH_OK, NULL},
        {"no table", "<html><body><p>nothing</p></body></html>", {NULL}, 0, 0, KH_ERR_INPUT,
         "it is a web page without a table"},
        {"a row past XFD", "<table><tr><td colspan=1000>a</td><td colspan=1000>b</td>"
                           "<td colspan=1000>c</td><td colspan=1000>d</td><td colspan=1000>e"
                           "<td colspan=1000>f<td colspan=1000>g<td colspan=1000>h"
                           "<td colspan=1000>i<td colspan=1000>j<td colspan=1000>k"
                           "<td colspan=1000>l<td colspan=1000>m<td colspan=1000>n"
                           "<td colspan=1000>o<td colspan=1000>p<td colspan=1000>q</table>",
         {NULL}, 0, 0, KH_ERR_LIMIT, "has more than 16384 cells"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++)
        check_case(&cases[i]);
}

/* GB2312/GBK pages (a <meta> charset, or bytes that are not UTF-8) and
 * bytes that decode in neither. */
static void test_encodings(void **state)
{
    (void)state;
    static const struct {
        const char *page;
        const char *want;
    } cases[] = {
        {"<meta charset=gb2312><table><tr><td>\xd3\xd0\xce\xde</td></tr></table>", "有无"},
        {"<table><tr><td>\xd3\xd0\xce\xde</td></tr></table>", "有无"},
        {"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=GBK\">"
         "<table><tr><td>\xd3\xd0</td></tr></table>", "有"},
        {"<meta charset=\"utf-8\"><table><tr><td>a\xff\xfe b</td></tr></table>",
         "a\xef\xbf\xbd\xef\xbf\xbd b"},
    };
    for (size_t i = 0; i < KH_ARRAY_LEN(cases); i++) {
        test_rbook bk = {0};
        kh_diags d = {0};
        assert_int_equal(kh_html_read_mem("t.xls", cases[i].page, strlen(cases[i].page),
                                          test_rbook_take, &bk, &d),
                         KH_OK);
        assert_int_equal(bk.n, 1);
        assert_cell(&bk.s[0], "A1", cases[i].want);
        test_rbook_free(&bk);
        kh_diags_clear(&d);
    }
}

/* A cell of more than 32,767 characters is refused naming it; a rowspan
 * of a million rows takes no memory of its own. */
static void test_limits(void **state)
{
    (void)state;
    kh_buf b = {0};
    kh_buf_puts(&b, "<table><tr><td>x</td><td>");
    for (int i = 0; i < 33000; i++)
        kh_buf_putc(&b, 'a');
    kh_buf_puts(&b, "</td></tr></table>");
    test_rbook bk = {0};
    kh_diags d = {0};
    assert_int_equal(kh_html_read_mem("t.xls", b.s, b.len, test_rbook_take, &bk, &d),
                     KH_ERR_LIMIT);
    assert_diags_contain(&d, "t.xls:表1!B1: the cell holds more than 32767 characters");
    test_rbook_free(&bk);
    kh_diags_clear(&d);
    kh_buf_free(&b);

    const char *tall = "<table><tr><td rowspan=1048576>a</td><td>b</td></tr>"
                       "<tr><td>c</td></tr></table>";
    memset(&bk, 0, sizeof bk);
    assert_int_equal(kh_html_read_mem("t.xls", tall, strlen(tall), test_rbook_take, &bk, &d),
                     KH_OK);
    assert_cell(&bk.s[0], "B2", "c");
    test_rbook_free(&bk);
    kh_diags_clear(&d);
}

/* Through the .xls entry point: a file named .xls that is a web page is
 * read as one; an Excel 2003 XML file is not. */
static void test_as_xls(void **state)
{
    (void)state;
    const char *page = "\xef\xbb\xbf\n <html><table><tr><td>a</td></tr></table></html>";
    test_rbook bk = {0};
    kh_diags d = {0};
    assert_true(kh_xls_is_web_page(page, strlen(page)));
    assert_int_equal(kh_xls_read_mem("t.xls", page, strlen(page), test_rbook_take, &bk, &d),
                     KH_OK);
    assert_cell(&bk.s[0], "A1", "a");
    test_rbook_free(&bk);
    const char *x2003 = "<?xml version=\"1.0\"?><Workbook "
                        "xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"/>";
    assert_false(kh_xls_is_web_page(x2003, strlen(x2003)));
    assert_false(kh_xls_is_web_page("a,b\n", 4));
    kh_diags_clear(&d);
}

/* Every allocation failure is KH_ERR_NOMEM, with nothing leaked. */
static void test_alloc_failures(void **state)
{
    (void)state;
    const char *page = "<table><tr><td rowspan=2>1</td><td>a&amp;b</td></tr><tr><td>c</td>"
                       "</tr></table><table><tr><td>d</td></tr></table>";
    for (long k = 0;; k++) {
        test_alloc_start(k);
        test_rbook bk = {0};
        kh_diags d = {0};
        kh_status st = kh_html_read_mem("t.xls", page, strlen(page), test_rbook_take, &bk, &d);
        long calls = test_alloc.calls;
        size_t n = bk.n;
        test_rbook_free(&bk);
        kh_diags_clear(&d);
        long leaked = test_alloc.live;
        kh_set_allocator(NULL);
        if (leaked != 0)
            fail_msg("%ld blocks leaked when allocation %ld failed", leaked, k);
        if (calls <= k) {
            assert_int_equal(st, KH_OK);
            assert_int_equal(n, 2);
            break;
        }
        if (st != KH_ERR_NOMEM && !(st == KH_OK && n == 2))
            fail_msg("allocation %ld failed: status %d", k, st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_as_xls),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
