# The samples as real producers make them: the XLSX samples (kaohe template
# filled by openpyxl, samples/make-xlsx-samples.py) and CSV samples converted
# by today's LibreOffice must score exactly like the CSV samples.

test_xlsx_samples_score_like_csv() {
    expect_exit 0 "$KAOHE" score samples -o - ; cp "$T/out" "$T/csv.json"
    expect_exit 0 "$KAOHE" score samples/xlsx -o -
    same_scores "$T/csv.json" "$T/out"
    # The department workbook: 8 sheets in workbook order, the cover skipped with a note.
    has_text "$T/err" "samples/xlsx/区直单位部门.xlsx:说明: sheet skipped"
    $PY - "$T/out" samples/xlsx/区直单位部门.xlsx <<'PY'
import json, sys, openpyxl
u = json.load(open(sys.argv[1]))['units']
got = [x['sheet'] for x in u if x['source'].endswith('区直单位部门.xlsx')]
want = [n for n in openpyxl.load_workbook(sys.argv[2], read_only=True).sheetnames if n != '说明']
assert len(want) == 8 and got == want, (got, want)
PY
}

# 检查日期 typed as a date in Excel reaches the scoresheet as a date.
test_xlsx_date_field_is_a_date() {
    expect_exit 0 "$KAOHE" score samples/xlsx/两江镇.xlsx -o "$T/s" --format csv
    has_text "$T/s/两江镇.csv" "2020-12-03"
}

test_libreoffice_converted_samples_score_like_csv() {
    mkdir "$T/in" "$T/x"
    cp samples/两江镇.csv samples/六塘镇.csv samples/区卫生健康局.csv samples/区应急管理局.csv "$T/in/"
    # 六塘镇 is GB18030 (charset 76 is UTF-8, GB18030 has no number: convert it first).
    iconv -f GB18030 -t UTF-8 samples/六塘镇.csv > "$T/in/六塘镇.csv"
    (cd "$T/in" && soffice -env:UserInstallation=file://$T/lo --headless \
        --infilter='CSV:44,34,76,1' --convert-to xlsx --outdir "$T/x" ./*.csv >/dev/null 2>&1)
    [ "$(ls "$T/x" | wc -l)" = 4 ] || fail "LibreOffice made $(ls "$T/x")"
    expect_exit 0 "$KAOHE" score "$T/in" -o - ; cp "$T/out" "$T/csv.json"
    expect_exit 0 "$KAOHE" score "$T/x" -o -
    same_scores "$T/csv.json" "$T/out"
}
