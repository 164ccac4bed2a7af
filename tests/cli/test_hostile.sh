# Reliability items 1-11 (tests/README.md) through the command: each crafted workbook of
# tests/data/xlsx/ is rejected with its own message naming the file (and the
# sheet and cell where there is one), exit status 1, no crash, no hang, and
# the good checklist of the same run is still scored.

X=tests/data/xlsx
GOOD=samples/两江镇.csv   # scores 36.8

# hostile FILE MESSAGE-FRAGMENT
hostile() {
    expect_exit 1 timeout 60 "$KAOHE" score "$X/$1" "$GOOD" -o -
    has_text "$T/err" "kaohe: $X/$1"
    has_text "$T/err" "$2"
    $PY - "$T/out" "$X/$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [(u['unit'], u['total']) for u in d['units']] == [('两江镇', '36.8')], d['units']
assert [r['source'] for r in d['rejected']] == [sys.argv[2]], d['rejected']
PY
}

test_zip_bombs() {                       # item 1
    hostile bomb-part.xlsx "inflates past the 256 MiB limit"
    hostile bomb-total.xlsx "past the 512 MiB limit"
}

test_damaged_parts() {                   # item 2
    hostile crc.xlsx "is damaged (CRC mismatch)"
}

test_ambiguous_part_names() {            # item 3
    hostile dup-case.xlsx 'two parts named "xl/workbook.xml" and "xl/Workbook.xml"'
    hostile dup-backslash.xlsx 'two parts named "xl/worksheets/sheet1.xml"'
    hostile dotdot.xlsx 'points outside the package'
}

test_truncated_legacy_encrypted() {      # item 4
    hostile truncated.xlsx "truncated or damaged"
    hostile legacy.xlsx "protected by a password (or is an old .xls named .xlsx)"
    hostile notzip.xlsx "not an XLSX workbook"
    hostile zip-encrypted.xlsx "is encrypted"
}

test_entities_and_doctype() {            # items 6, 7
    hostile billion-laughs.xlsx "contains a DOCTYPE declaration"
    hostile xxe.xlsx "contains a DOCTYPE declaration"
}

test_deep_nesting() {                    # item 8
    hostile deep.xlsx "deeper than 64 levels"
}

test_shared_string_indexes() {           # item 9
    hostile sst-range.xlsx "S!B3: shared string index 2 is out of range"
    hostile sst-negative.xlsx 'S!B3: shared string index "-1" is not a number'
    hostile sst-nan.xlsx 'S!B3: shared string index "abc" is not a number'
    hostile sst-overflow.xlsx "shared string index 99999999999999999999 is out of range"
}

test_cell_references() {                 # item 10
    hostile ref-a0.xlsx 'bad cell reference "A0"'
    hostile ref-xfe.xlsx 'bad cell reference "XFE1"'
    hostile ref-overflow.xlsx 'bad cell reference "A99999999999999999999"'
    hostile row-overflow.xlsx 'bad row number "1048577"'
}

test_truncated_xml() {                   # item 11
    hostile truncated-xml.xlsx "is not well-formed XML (line 2: no element found)"
    hostile not-wellformed.xlsx "is not well-formed XML"
}

# Regression: a workbook rejected whole after an earlier sheet was read
# printed that sheet's "sheet skipped" note first, as if part of it counted.
test_rejected_workbook_has_no_notes() {
    hostile cover-then-broken.xlsx "cover-then-broken.xlsx:检查表: part xl/worksheets/sheet2.xml is not well-formed XML"
    if grep -q "sheet skipped" "$T/err"; then fail "a note of a rejected workbook was printed"; fi
}

# A relationship whose target leaves the package (../ past its root, or
# TargetMode="External") is an error naming the relationship and the part;
# before, the worksheet was silently replaced by a guessed sheet1.xml.
test_relationship_targets_outside() {
    $PY - samples/xlsx/两江镇.xlsx "$T" <<'PY'
import sys, zipfile
src, out = sys.argv[1], sys.argv[2]
def variant(name, old, new, part='xl/_rels/workbook.xml.rels'):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(f'{out}/{name}', 'w', zipfile.ZIP_DEFLATED) as zo:
        for i in zin.infolist():
            data = zin.read(i.filename)
            if i.filename == part:
                text = data.decode()
                assert old in text, text
                data = text.replace(old, new).encode()
            zo.writestr(i, data)
variant('dotdot.xlsx', 'Target="/xl/worksheets/sheet1.xml"', 'Target="../../etc/passwd"')
variant('external.xlsx', 'Target="/xl/worksheets/sheet1.xml"',
        'Target="file:///etc/passwd" TargetMode="External"')
variant('styles-out.xlsx', 'Target="styles.xml"', 'Target="../../../styles.xml"')
PY
    for v in dotdot external styles-out; do
        expect_exit 1 "$KAOHE" score "$T/$v.xlsx" "$GOOD" -o -
        $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [u["source"] for u in d["units"]] == [sys.argv[2]], d["units"]' "$T/out" "$GOOD"
    done
    expect_exit 1 "$KAOHE" score "$T/dotdot.xlsx"
    has_text "$T/err" "$T/dotdot.xlsx:两江镇: the relationship rId1 of xl/_rels/workbook.xml.rels points outside the workbook, to \"../../etc/passwd\""
    expect_exit 1 "$KAOHE" score "$T/external.xlsx"
    has_text "$T/err" "points outside the workbook, to \"file:///etc/passwd\""
    expect_exit 1 "$KAOHE" score "$T/styles-out.xlsx"
    has_text "$T/err" "the relationship rId2 of xl/_rels/workbook.xml.rels points outside the workbook"
}
