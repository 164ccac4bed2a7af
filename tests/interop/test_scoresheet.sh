# tests/interop/test_scoresheet.sh - scoresheets (kaohe score -o DIR) read
# back by openpyxl (values, number cells, the SUM formula and its stored
# value, the veto line, print set-up) and converted by LibreOffice (CSV and
# PDF show the same numbers); the CSV twin; formula-like and path-like unit
# names; units sharing a name; an output that would replace an input.

lo_convert() {
    mkdir -p "$T/lo"
    timeout 180 soffice -env:UserInstallation=file://$T/lo-profile --headless \
        --convert-to "$2" --outdir "$T/lo" "$1" >"$T/lo.log" 2>&1 ||
        { cat "$T/lo.log" >&2; fail "soffice --convert-to $2 $1"; }
}

LO_CSV='csv:Text - txt - csv (StarCalc):44,34,76'

# mk_checklist SAMPLE OUT UNIT [CHECK=RESULT]... : a copy of a sample CSV
# checklist for UNIT with some results changed.
mk_checklist() {
    src=$1 out=$2 unit=$3
    shift 3
    "$PY" - "$TOP/samples/$src" "$out" "$unit" "$@" <<'EOF'
import csv, sys
src, out, unit, *changes = sys.argv[1:]
change = dict(c.split('=', 1) for c in changes)
rows = list(csv.reader(open(src, encoding='utf-8-sig', newline='')))
head = None
for r in rows:
    if len(r) > 1 and r[0] == '被考核单位':
        r[1] = unit
    if '检查点' in r and '检查结果' in r:
        head = r
        continue
    if head and len(r) > head.index('检查结果') and r[head.index('检查点')] in change:
        r[head.index('检查结果')] = change[r[head.index('检查点')]]
with open(out, 'w', encoding='utf-8-sig', newline='') as f:
    csv.writer(f).writerows(rows)
EOF
}

test_scoresheets_read_back_by_openpyxl() {
    expect_exit 0 "$KAOHE" score "$TOP/samples" -o "$T/ss" --format xlsx,csv,json
    [ "$(ls "$T/ss" | grep -c '\.xlsx$')" -eq 14 ] || fail "not 14 workbooks"
    [ "$(ls "$T/ss" | grep -c '\.csv$')" -eq 14 ] || fail "not 14 CSV files"
    [ -s "$T/ss/kaohe.json" ] || fail "no kaohe.json"
    "$PY" - "$T/ss" <<'EOF'
import json, os, sys, openpyxl
from openpyxl.cell.cell import TYPE_STRING, TYPE_NUMERIC, TYPE_FORMULA
out = sys.argv[1]
doc = json.load(open(os.path.join(out, 'kaohe.json'), encoding='utf-8'))
assert len(doc['units']) == 14
for u in doc['units']:
    path = os.path.join(out, u['unit'] + '.xlsx')
    wb = openpyxl.load_workbook(path)
    wv = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames == [u['unit']], wb.sheetnames
    ws, vs = wb.active, wv.active
    assert ws['A1'].value == u['unit'] + '2020年度安全生产工作考核评分表', ws['A1'].value
    assert ws['A2'].value.startswith('考核依据：临桂区2020年度'), ws['A2'].value
    veto = u['vetoed']
    # 考核结果 on row 3 for every unit; red for a vetoed one.
    line = ws['A3'].value
    assert 'A3:E3' in {str(m) for m in ws.merged_cells.ranges}
    if veto:
        assert line.startswith('考核结果：一票否决（') and line.endswith('）'), line
        assert ws['A3'].font.b and ws['A3'].font.color.rgb.endswith('C00000'), ws['A3'].font.color
    else:
        assert line == '考核结果：合计得分%s分（满分%s分）' % (u['total'], u['max']), line
    assert ws.cell(row=4, column=1).value == '被考核单位：' + u['unit']
    head_row = 6
    head = [c.value for c in ws[head_row]]
    assert head == ['序号', '督查内容', '标准分', '扣分原因', '得分情况'], head
    first = head_row + 1
    for i, item in enumerate(u['items']):
        r = ws[first + i]
        assert r[0].value == int(item['item']) and r[0].data_type == TYPE_NUMERIC
        assert r[1].value.startswith(item['item'] + '、') and r[1].alignment.wrap_text
        assert r[2].data_type == TYPE_NUMERIC and abs(r[2].value - float(item['points'])) < 1e-9
        assert (r[3].value or '') == item['reason'], (r[3].value, item['reason'])
        assert r[4].data_type == TYPE_NUMERIC and abs(r[4].value - float(item['score'])) < 1e-9
        assert r[4].number_format == 'General'
    last = first + len(u['items']) - 1
    t = ws[last + 1]
    assert t[0].value == '合计总得分'
    assert t[2].value == float(u['max']) or t[2].value == int(u['max'])
    assert t[3].value == ('一票否决' if veto else t[3].value) and t[3].value, t[3].value
    if veto:
        assert t[3].font.color.rgb.endswith('C00000')
    assert t[4].data_type == TYPE_FORMULA and t[4].value == '=SUM(E%d:E%d)' % (first, last), t[4].value
    stored = vs.cell(row=last + 1, column=5).value
    assert abs(stored - float(u['total'])) < 1e-9, (stored, u['total'])
    assert repr(float(stored)) == repr(float(u['total'])), (stored, u['total'])
    ps = ws.page_setup
    assert str(ps.paperSize) == '9' and ps.orientation == 'portrait'
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToHeight == 0
    assert ps.fitToWidth in (1, None)
    assert ws.print_title_rows == '$%d:$%d' % (head_row, head_row), ws.print_title_rows
    assert ws.freeze_panes == 'A%d' % first, ws.freeze_panes
    assert ws.column_dimensions['B'].width >= 40 and ws.column_dimensions['D'].width >= 30
EOF
}

# LibreOffice shows the same numbers: CSV export and PDF text of a normal
# and a vetoed unit.
test_scoresheets_libreoffice() {
    expect_exit 0 "$KAOHE" score "$TOP/samples" -o "$T/ss" --format xlsx,json
    for unit in 两江镇 五通镇 区应急管理局; do
        lo_convert "$T/ss/$unit.xlsx" "$LO_CSV"
        lo_convert "$T/ss/$unit.xlsx" pdf
        pdftotext -layout "$T/lo/$unit.pdf" "$T/lo/$unit.txt"
    done
    "$PY" - "$T/ss/kaohe.json" "$T/lo" <<'EOF'
import csv, json, os, sys
doc = json.load(open(sys.argv[1], encoding='utf-8'))
lo = sys.argv[2]
for u in doc['units']:
    name = u['unit']
    if not os.path.exists(os.path.join(lo, name + '.csv')):
        continue
    rows = list(csv.reader(open(os.path.join(lo, name + '.csv'), encoding='utf-8', newline='')))
    head = next(i for i, r in enumerate(rows) if r[:1] == ['序号'])
    for i, item in enumerate(u['items']):
        r = rows[head + 1 + i]
        assert r[0] == item['item'] and r[2] == item['points'] and r[4] == item['score'], (r, item)
        assert r[3] == item['reason'], (r[3], item['reason'])
    total = rows[head + 1 + len(u['items'])]
    assert total[0] == '合计总得分' and total[4] == u['total'], (total, u['total'])
    text = open(os.path.join(lo, name + '.txt'), encoding='utf-8').read()
    assert '合计总得分' in text and u['total'] in text.split('合计总得分')[1], name
    assert ('考核结果：一票否决' in text) == u['vetoed'], name
EOF
    pages=$(pdfinfo "$T/lo/两江镇.pdf" | awk '/^Pages:/ {print $2}')
    [ "$pages" -le 3 ] || fail "两江镇: $pages pages"
    [ "$(grep -c '得分情况' "$T/lo/两江镇.txt")" -eq "$pages" ] || fail "header not on every page"
}

# The CSV twin: BOM, CRLF, the same table.
test_scoresheet_csv() {
    expect_exit 0 "$KAOHE" score "$TOP/samples/五通镇.csv" -o "$T/ss" --format csv
    f="$T/ss/五通镇.csv"
    head -c 3 "$f" | od -An -tx1 | grep -q 'ef bb bf' || fail "no BOM"
    [ "$(tr -cd '\n' <"$f" | wc -c)" = "$(tr -cd '\r' <"$f" | wc -c)" ] || fail "not CRLF"
    has_text "$f" '"被考核单位","五通镇"'
    has_text "$f" '"考核结果","一票否决（'
    has_text "$f" '"合计总得分","","40","一票否决","34"'
    "$PY" - "$f" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
assert rows[0][0].startswith('临桂区2020年度')
head = next(i for i, r in enumerate(rows) if r[:1] == ['序号'])
assert rows[head] == ['序号', '督查内容', '标准分', '扣分原因', '得分情况'], rows[head]
assert len(rows) == head + 1 + 17 + 1, len(rows)
assert sum(float(r[4]) for r in rows[head + 1:head + 18]) == 34
EOF
}

# Unit names that look like formulas: strings in XLSX, neutralised in CSV.
test_scoresheet_formula_like_names() {
    mkdir "$T/in"
    mk_checklist 两江镇.csv "$T/in/1.csv" '=1+1'
    mk_checklist 两江镇.csv "$T/in/2.csv" '@SUM(A1)'
    mk_checklist 两江镇.csv "$T/in/3.csv" '-2'
    mk_checklist 两江镇.csv "$T/in/4.csv" '+3'
    expect_exit 0 "$KAOHE" score "$T/in" -o "$T/ss" --format xlsx,csv
    "$PY" - "$T/ss" <<'EOF'
import os, sys, zipfile, openpyxl
out = sys.argv[1]
for name in ('=1+1', '@SUM(A1)', '-2', '+3'):
    p = os.path.join(out, name + '.xlsx')
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == [name], wb.sheetnames
    c = wb.active['A4']
    assert c.value == '被考核单位：' + name and c.data_type == 's', c.value
    xml = zipfile.ZipFile(p).read('xl/worksheets/sheet1.xml')
    assert xml.count(b'<f>') == 1 and b'<f>SUM(' in xml
    text = open(os.path.join(out, name + '.csv'), encoding='utf-8-sig').read()
    assert '"被考核单位","\'%s"' % name in text, text[:300]
EOF
    lo_convert "$T/ss/=1+1.csv" pdf
    pdftotext "$T/lo/=1+1.pdf" - | grep -q "'=1+1" || fail "LibreOffice ran the CSV formula"
}

# Path-like unit names stay inside the output folder.
test_scoresheet_path_like_names() {
    mkdir "$T/in"
    mk_checklist 两江镇.csv "$T/in/1.csv" '../../evil'
    mk_checklist 两江镇.csv "$T/in/2.csv" 'a/b'
    mk_checklist 两江镇.csv "$T/in/3.csv" 'CON'
    mk_checklist 两江镇.csv "$T/in/4.csv" '..'
    mkdir -p "$T/x/y"
    expect_exit 0 "$KAOHE" score "$T/in" -o "$T/x/y/out"
    [ "$(ls "$T/x/y/out" | sort | tr '\n' ' ')" = "CON_.xlsx _.._evil.xlsx a_b.xlsx unit.xlsx " ] ||
        fail "files: $(ls "$T/x/y/out")"
    [ "$(ls "$T/x")" = y ] && [ "$(ls "$T/x/y")" = out ] && [ ! -e "$T/evil.xlsx" ] || fail "escaped"
}

# A township and a department of the same name: the unit type is added.
test_scoresheet_same_name() {
    mkdir "$T/in"
    mk_checklist 两江镇.csv "$T/in/1.csv" 城区
    mk_checklist 区教育局.csv "$T/in/2.csv" 城区
    expect_exit 0 "$KAOHE" score "$T/in" -o "$T/ss" --format xlsx,csv
    [ "$(ls "$T/ss" | sort | tr '\n' ' ')" = "城区-乡镇.csv 城区-乡镇.xlsx 城区-区直单位部门.csv 城区-区直单位部门.xlsx " ] ||
        fail "files: $(ls "$T/ss")"
}

# Scoring a folder into itself: the CSV outputs would replace the inputs
# and are refused; the inputs are untouched.
test_scoresheet_never_replaces_input() {
    mkdir "$T/in"
    cp "$TOP/samples/两江镇.csv" "$TOP/samples/临桂镇.csv" "$T/in/"
    cksum "$T/in/"*.csv >"$T/before"
    "$KAOHE" score "$T/in" -o "$T/in" --format xlsx,csv >"$T/ss" 2>"$T/err" && fail "exit 0"
    has_text "$T/err" "两江镇.csv: this output would replace an input file"
    cksum "$T/in/"*.csv >"$T/after"
    same_file "$T/before" "$T/after"
    [ -s "$T/in/两江镇.xlsx" ] || fail "the XLSX scoresheet was not written"
}
