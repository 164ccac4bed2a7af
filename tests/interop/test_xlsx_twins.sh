# Checklists as other producers write them score exactly like their CSV twin.
# tests/data/xlsx-twins/ holds samples/xlsx/两江镇.xlsx with its package XML
# rewritten (tests/tools/make-xlsx-twins.py); LibreOffice and libxlsxwriter
# files are made here, at test time.

# twins NAME... : each tests/data/xlsx-twins/NAME.xlsx scores like samples/两江镇.csv.
twins() {
    expect_exit 0 "$KAOHE" score samples/两江镇.csv -o - ; cp "$T/out" "$T/csv.json"
    has_text "$T/csv.json" '"两江镇"'
    for v in "$@"; do
        echo "  variant $v"
        expect_exit 0 "$KAOHE" score "tests/data/xlsx-twins/$v.xlsx" -o -
        same_scores "$T/csv.json" "$T/out" || fail "$v.xlsx scores unlike samples/两江镇.csv"
    done
}

# (e) Excel's shared strings (openpyxl, the original, writes inline strings).
test_shared_strings() { twins shared-strings; }
# (a) x:-prefixed SpreadsheetML elements; (b) Strict namespaces; both.
test_prefix_and_strict() { twins x-prefix strict strict-x-prefix; }
# (c) every relationship target absolute, or every one relative.
test_targets() { twins absolute-targets relative-targets; }
# (d) upper-case part names, in the zip and the rels, or in the zip only.
test_upper_case_names() { twins upper-case-names upper-case-zip-only; }
# (f) the unit name in rich-text runs with a phonetic run (ignored).
test_rich_text() { twins rich-text-shared rich-text-inline; }
# (g) rows and cells without r= where they follow their predecessor.
test_no_refs() { twins no-refs-inline no-refs-shared; }
# (h) <dimension ref="A1:A1"/> on a full sheet.
test_bogus_dimension() { twins bogus-dimension; }

# (i) The department workbook (a cover sheet, 8 checklists) re-saved by
# LibreOffice scores like the 8 department CSVs.
test_libreoffice_resaved_departments() {
    mkdir "$T/x"
    soffice -env:UserInstallation=file://$T/lo --headless --convert-to xlsx \
        --outdir "$T/x" samples/xlsx/区直单位部门.xlsx >/dev/null 2>&1
    [ -s "$T/x/区直单位部门.xlsx" ] || fail "LibreOffice made: $(ls "$T/x")"
    cmp -s "$T/x/区直单位部门.xlsx" samples/xlsx/区直单位部门.xlsx && fail "not re-saved"
    mkdir "$T/in"; cp samples/区*.csv "$T/in/"
    [ "$(ls "$T/in" | wc -l)" = 8 ] || fail "want 8 department CSVs: $(ls "$T/in")"
    expect_exit 0 "$KAOHE" score "$T/in" -o - ; cp "$T/out" "$T/csv.json"
    expect_exit 0 "$KAOHE" score "$T/x/区直单位部门.xlsx" -o -
    same_scores "$T/csv.json" "$T/out"
    has_text "$T/err" "说明: sheet skipped"
}

# (j) A blank form from kaohe's own writer (libxlsxwriter) reads like the
# blank CSV form: with --blank-as-missing every item is missing, nothing counted.
test_blank_template_xlsx_like_csv() {
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit 空表镇 -o "$T/t.xlsx"
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit 空表镇 -o "$T/t.csv"
    expect_exit 0 "$KAOHE" score --blank-as-missing "$T/t.csv" -o - ; cp "$T/out" "$T/csv.json"
    expect_exit 0 "$KAOHE" score --blank-as-missing "$T/t.xlsx" -o -
    same_scores "$T/csv.json" "$T/out"
    $PY - "$T/out" <<'PY'
import json, sys
u = json.load(open(sys.argv[1]))['units']
# 40 points less every has-item (missing) and count-item (0 of need) in full.
assert len(u) == 1 and u[0]['unit'] == '空表镇' and u[0]['total'] == '10.4', u
assert u[0]['items'][0]['reason'].startswith('缺'), u[0]['items'][0]
PY
}
