# tests/interop/test_template.sh - blank checklists read back by openpyxl
# (fields, table, check ids as text, merged items, data validations,
# protection and unlocked cells, print set-up, panes), converted by
# LibreOffice (PDF, CSV, XLSX), and filled by a script writing only the
# result cells, then scored by kaohe.

# lo_convert FILE FORMAT : LibreOffice conversion into $T/lo/ with a
# private profile (so it runs beside a desktop LibreOffice).
lo_convert() {
    mkdir -p "$T/lo"
    timeout 180 soffice -env:UserInstallation=file://$T/lo-profile --headless \
        --convert-to "$2" --outdir "$T/lo" "$1" >"$T/lo.log" 2>&1 ||
        { cat "$T/lo.log" >&2; fail "soffice --convert-to $2 $1"; }
}

# CSV in UTF-8 (76), comma-separated (44), double quotes (34).
LO_CSV='csv:Text - txt - csv (StarCalc):44,34,76'

# fill_xlsx IN OUT [SHEET:CHECK=RESULT]... [SHEET:unit=NAME] : fill every
# result cell of every sheet of a template with the perfect result (有, the
# number required, 0), then apply the changes.  Only result cells (and
# 被考核单位 when asked) are written.
fill_xlsx() {
    "$PY" - "$@" <<'EOF'
import sys, re, openpyxl
src, out, *changes = sys.argv[1:]
wb = openpyxl.load_workbook(src)
change = {}
for c in changes:
    sheet, rest = c.split(':', 1)
    key, val = rest.split('=', 1)
    change[(sheet, key)] = val
for ws in wb.worksheets:
    head = None
    for row in ws.iter_rows():
        vals = [c.value for c in row]
        if '检查点' in vals and '检查结果' in vals:
            head = {v: i for i, v in enumerate(vals) if v}
            continue
        if vals and vals[0] == '被考核单位：' and (ws.title, 'unit') in change:
            row[2].value = change[(ws.title, 'unit')]
        if head is None:
            continue
        check = vals[head['检查点']]
        if not check:
            continue
        hint = vals[head['填写说明']]
        if hint.startswith('填“有”'):
            res = '有'
        elif hint.startswith('填实际'):
            res = int(re.search(r'不少于(\d+)', hint).group(1))
        else:
            res = 0
        val = change.get((ws.title, check), res)
        if isinstance(val, str) and val.isdigit():
            val = int(val)
        row[head['检查结果']].value = val
wb.save(out)
EOF
}

test_template_read_back_by_openpyxl() {
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit 两江镇 --unit 临桂镇 -o "$T/t.xlsx"
    "$PY" - "$T/t.xlsx" <<'EOF'
import sys, openpyxl
from openpyxl.cell.cell import TYPE_STRING, TYPE_NUMERIC
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ['两江镇', '临桂镇'], wb.sheetnames
ws = wb['两江镇']
assert ws['A1'].value.startswith('临桂区2020年度') and ws['A1'].font.b and ws['A1'].font.sz >= 14
fields = [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value) for r in range(2, 7)]
assert fields == [('考核细则：', 'lingui-2020-township'), ('被考核单位：', '两江镇'),
                  ('考核年度：', None), ('检查组：', None), ('检查日期：', None)], fields
assert wb['临桂镇']['C3'].value == '临桂镇'
head = [c.value for c in ws[8]]
assert head == ['序号', '督查内容', '检查点', '检查要点', '标准分', '填写说明', '检查结果', '备注'], head

rows = list(ws.iter_rows(min_row=9, max_row=ws.max_row))
assert len(rows) == 79, len(rows)
checks = [r[2].value for r in rows]
assert all(r[2].data_type == TYPE_STRING for r in rows)
assert checks[:7] == ['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7'], checks[:7]
assert '8.10' in checks and checks[-1] == '17.4', checks[-1]
assert ws['A9'].value == 1 and ws['A9'].data_type == TYPE_NUMERIC
assert ws['E9'].value == 3 and ws['E9'].data_type == TYPE_NUMERIC
assert ws['B9'].alignment.wrap_text and ws['D9'].alignment.wrap_text
merged = {str(m) for m in ws.merged_cells.ranges}
# 考核细则: the id (C2:D2, read back), and beside it the rubric as people
# say it (E2:F2).
assert ws['E2'].value == '乡镇检查表（编号勿改）', ws['E2'].value
assert wb['临桂镇']['E2'].value == '乡镇检查表（编号勿改）'
for want in ('A1:H1', 'A2:B2', 'C2:D2', 'E2:F2', 'C3:F3', 'A9:A15', 'B9:B15', 'E9:E15', 'A16:A19'):
    assert want in merged, (want, sorted(merged)[:20])
r41 = 9 + checks.index('4.1')
assert not any(m.min_row == r41 and m.min_col == 1 for m in ws.merged_cells.ranges)

# Data validations: a 有/无 list on every has result, whole >= 0 elsewhere.
kinds = {}
for dv in ws.data_validations.dataValidation:
    for rng in dv.sqref.ranges:
        for row in range(rng.min_row, rng.max_row + 1):
            assert rng.min_col == rng.max_col == 7, str(rng)
            kinds[row] = dv
assert sorted(kinds) == list(range(9, 88)), sorted(kinds)
for i, r in enumerate(rows):
    dv = kinds[9 + i]
    hint = r[5].value
    if hint.startswith('填“有”或“无”'):
        assert dv.type == 'list' and dv.formula1 == '"有,无"', (dv.type, dv.formula1)
    else:
        assert dv.type == 'whole' and dv.operator == 'greaterThanOrEqual' and dv.formula1 == '0'
        assert dv.error and dv.errorTitle == '请填写整数' and dv.showErrorMessage
    assert dv.promptTitle == '检查点 ' + r[2].value and dv.prompt == hint, (dv.promptTitle, dv.prompt)
assert sum(1 for dv in kinds.values() if dv.type == 'list') == 69
r71 = 9 + checks.index('7.1')
assert kinds[r71].prompt == '填实际次数，应不少于2次；无专项整治方案视未开展', kinds[r71].prompt

# Protection without a password; only field values, results, remarks unlocked.
assert ws.protection.sheet and not ws.protection.password
unlocked = {c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False}
want = {'%s%d' % (col, r) for col in 'CDEF' for r in range(3, 7)}
want |= {'G%d' % r for r in range(9, 88)} | {'H%d' % r for r in range(9, 88)}
assert unlocked == want, sorted(unlocked ^ want)[:10]

# Print: A4 portrait, one page wide, header row on every page; panes.
ps = ws.page_setup
assert str(ps.paperSize) == '9' and ps.orientation == 'portrait', (ps.paperSize, ps.orientation)
assert ws.sheet_properties.pageSetUpPr.fitToPage
assert ps.fitToWidth in (1, None) and ps.fitToHeight == 0, (ps.fitToWidth, ps.fitToHeight)
assert ws.print_title_rows == '$8:$8', ws.print_title_rows
assert ws.freeze_panes == 'A9', ws.freeze_panes
widths = {c: ws.column_dimensions[c].width for c in 'ABCDEFGH'}
assert widths['B'] >= 25 and widths['D'] >= 15 and widths['F'] >= 20 and widths['G'] >= 8, widths
# Rows tall enough for the wrapped item text (7 rows share item 1).
assert sum(ws.row_dimensions[r].height for r in range(9, 16)) >= 100
# Manual page breaks only above the first row of an item (never inside its
# merged cells).
breaks = [b.id for b in ws.row_breaks.brk]
assert breaks, 'no page breaks'
for b in breaks:
    assert ws.cell(row=b + 1, column=1).value is not None, b
    assert ws.cell(row=b + 1, column=3).value.endswith('.1'), ws.cell(row=b + 1, column=3).value
EOF
}

# A template filled by a script writing only result cells scores without
# any other edit: 两江镇 with 1.6 missing and 3.1 = 1 -> 40 − 0.5 − 0.2;
# 临桂镇 with a major accident -> 40, vetoed.
test_template_filled_by_openpyxl_scores() {
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit 两江镇 --unit 临桂镇 -o "$T/t.xlsx"
    fill_xlsx "$T/t.xlsx" "$T/filled.xlsx" 两江镇:1.6=无 两江镇:3.1=1 临桂镇:17.3=1
    expect_exit 0 "$KAOHE" score "$T/filled.xlsx" -o - --format json
    "$PY" - "$T/out" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding='utf-8'))
got = [(u['unit'], u['sheet'], u['total'], u['vetoed']) for u in doc['units']]
assert got == [('两江镇', '两江镇', '39.3', False), ('临桂镇', '临桂镇', '35', True)], got
assert doc['rejected'] == [], doc['rejected']
EOF
    # The same after LibreOffice opened and saved it as XLSX.
    lo_convert "$T/filled.xlsx" xlsx
    expect_exit 0 "$KAOHE" score "$T/lo/filled.xlsx" -o - --format json
    has_text "$T/out" '"total": "39.3"'
}

# A template without --unit: the office types the unit name in.
test_template_without_unit_filled() {
    expect_exit 0 "$KAOHE" template lingui-2020-department -o "$T/d.xlsx"
    fill_xlsx "$T/d.xlsx" "$T/filled.xlsx" 检查表:unit=区教育局 检查表:1.10=无 检查表:2.1=2
    expect_exit 0 "$KAOHE" score "$T/filled.xlsx" -o - --format json
    has_text "$T/out" '"unit": "区教育局"'
    has_text "$T/out" '"total": "2.94"'
}

# The CSV template: BOM, CRLF, check ids as text; filled by a script it
# scores; one CSV is one unit.
test_template_csv_filled_scores() {
    expect_exit 0 "$KAOHE" template lingui-2020-department --unit 区教育局 -o "$T/d.csv"
    head -c 3 "$T/d.csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "no BOM"
    [ "$(tr -cd '\n' <"$T/d.csv" | wc -c)" = "$(tr -cd '\r' <"$T/d.csv" | wc -c)" ] || fail "not CRLF"
    has_text "$T/d.csv" '"","","1.10","制定工作措施","","填“有”或“无”","",""'
    "$PY" - "$T/d.csv" "$T/filled.csv" <<'EOF'
import csv, re, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
head = next(i for i, r in enumerate(rows) if '检查点' in r)
H = rows[head]
for r in rows[head + 1:]:
    hint = r[H.index('填写说明')]
    if hint.startswith('填“有”'):
        res = '有'
    elif hint.startswith('填实际'):
        res = re.search(r'不少于(\d+)', hint).group(1)
    else:
        res = '0'
    if r[H.index('检查点')] == '1.10':
        res = '无'
    r[H.index('检查结果')] = res
with open(sys.argv[2], 'w', encoding='utf-8-sig', newline='') as f:
    csv.writer(f).writerows(rows)
EOF
    expect_exit 0 "$KAOHE" score "$T/filled.csv" -o - --format json
    has_text "$T/out" '"unit": "区教育局"'
    has_text "$T/out" '"total": "2.98"'
    expect_exit 2 "$KAOHE" template lingui-2020-department --unit 甲 --unit 乙 -o "$T/two.csv"
    has_text "$T/err" "one unit"
    [ ! -e "$T/two.csv" ] || fail "two.csv written"
}

# LibreOffice opens the template: PDF pages with the title and check ids,
# CSV with 1.10 as written.
test_template_libreoffice() {
    expect_exit 0 "$KAOHE" template lingui-2020-department --unit 区教育局 -o "$T/d.xlsx"
    lo_convert "$T/d.xlsx" pdf
    pages=$(pdfinfo "$T/lo/d.pdf" | awk '/^Pages:/ {print $2}')
    [ "$pages" -ge 2 ] && [ "$pages" -le 4 ] || fail "$pages pages"
    pdftotext -layout "$T/lo/d.pdf" "$T/d.txt"
    has_text "$T/d.txt" "临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准"
    has_text "$T/d.txt" "1.10"
    has_text "$T/d.txt" "区教育局"
    # The header row is printed on every page.
    [ "$(grep -c '序号' "$T/d.txt")" -eq "$pages" ] || fail "header not on every page"
    lo_convert "$T/d.xlsx" "$LO_CSV"
    has_text "$T/lo/d.csv" "1.10,制定工作措施"
    has_text "$T/lo/d.csv" "被考核单位：,,区教育局"
}

# Unit names that look like formulas: text in XLSX, neutralised in CSV.
test_template_formula_like_unit_names() {
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit =1+1 --unit '@SUM(A1)' \
        --unit -2 --unit "$(printf '\tx')" -o "$T/t.xlsx"
    "$PY" - "$T/t.xlsx" <<'EOF'
import sys, openpyxl, zipfile
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ['=1+1', '@SUM(A1)', '-2', 'x'], wb.sheetnames
for name in ('=1+1', '@SUM(A1)', '-2', 'x'):
    c = wb[name]['C3']
    assert c.value == name and c.data_type == 's', (name, c.value, c.data_type)
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if n.startswith('xl/worksheets/'):
        assert b'<f>' not in z.read(n), n
EOF
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit =1+1 -o "$T/t.csv"
    has_text "$T/t.csv" "\"被考核单位\",\"'=1+1\""
}
