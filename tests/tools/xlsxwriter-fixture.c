/*
 * xlsxwriter-fixture.c - writes the libxlsxwriter fixtures of
 * tests/test_xlsx_in.c (built and run by make-xlsx-fixtures.sh).
 * Usage: xlsxwriter-fixture OUT.xlsx OUT-constmem.xlsx
 */
#include <stdio.h>
#include <xlsxwriter.h>

#define CHECK(e)                                                              \
    do {                                                                      \
        lxw_error err_ = (e);                                                 \
        if (err_ != LXW_NO_ERROR) {                                           \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,                \
                    lxw_strerror(err_));                                      \
            return 1;                                                         \
        }                                                                     \
    } while (0)

static int fill(lxw_workbook *wb)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "检查表");
    lxw_worksheet *ws2 = workbook_add_worksheet(wb, "Sheet2");
    lxw_format *date = workbook_add_format(wb);
    lxw_format *cn_date = workbook_add_format(wb);
    if (!ws || !ws2 || !date || !cn_date)
        return 1;
    format_set_num_format(date, "yyyy-mm-dd");
    format_set_num_format(cn_date, "[$-804]yyyy\"年\"m\"月\"d\"日\";@");
    lxw_datetime when = {2020, 12, 5, 0, 0, 0};
    CHECK(worksheet_write_string(ws, 0, 0, "考核细则", NULL));
    CHECK(worksheet_write_string(ws, 0, 1, "乡镇-2020", NULL));
    CHECK(worksheet_write_string(ws, 1, 0, "被考核单位", NULL));
    CHECK(worksheet_write_string(ws, 1, 1, "=两江镇", NULL));
    CHECK(worksheet_write_string(ws, 2, 0, "检查日期", NULL));
    CHECK(worksheet_write_datetime(ws, 2, 1, &when, date));
    CHECK(worksheet_write_datetime(ws, 2, 2, &when, cn_date));
    CHECK(worksheet_write_string(ws, 4, 0, "检查点", NULL));
    CHECK(worksheet_write_string(ws, 4, 1, "检查结果", NULL));
    CHECK(worksheet_write_number(ws, 5, 0, 1.1, NULL));
    CHECK(worksheet_write_string(ws, 5, 1, "有", NULL));
    CHECK(worksheet_write_string(ws, 6, 0, "1.10", NULL));
    CHECK(worksheet_write_number(ws, 6, 1, 2.0, NULL));
    CHECK(worksheet_write_formula_num(ws, 6, 2, "=B7*2", NULL, 4));
    CHECK(worksheet_write_boolean(ws, 7, 1, 1, NULL));
    CHECK(worksheet_write_boolean(ws, 7, 2, 0, NULL));
    CHECK(worksheet_write_number(ws, 7, 3, 1.9999999999999998, NULL));
    CHECK(worksheet_write_blank(ws, 8, 0, date));
    CHECK(worksheet_write_string(ws, 99, 25, "远处", NULL));
    CHECK(worksheet_write_number(ws2, 2, 2, -0.5, NULL));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s OUT.xlsx OUT-constmem.xlsx\n", argv[0]);
        return 2;
    }
    for (int i = 1; i <= 2; i++) {
        lxw_workbook_options opts = {.constant_memory = i == 2};
        lxw_workbook *wb = workbook_new_opt(argv[i], &opts);
        if (!wb || fill(wb) != 0)
            return 1;
        CHECK(workbook_close(wb));
    }
    return 0;
}
