# tests/interop/test_ranking.sh - the ranking workbook read back by openpyxl
# and converted by LibreOffice (PDF and CSV): sheets, ranks with ties,
# vetoed units, numeric cells, SUM formulas and their stored values,
# 扣分明细, rejected inputs, chart, print setup, and a hand edit that
# recomputes.

# mk_checklist OUT UNIT [CHECK=RESULT]... : a copy of samples/临桂镇.csv
# (38.9 points: 8.3 and 12.3 missing) for UNIT with some results changed.
mk_checklist() {
    out=$1 unit=$2
    shift 2
    "$PY" - "$TOP/samples/临桂镇.csv" "$out" "$unit" "$@" <<'EOF'
import csv, sys
src, out, unit, *changes = sys.argv[1:]
change = dict(c.split('=', 1) for c in changes)
rows = list(csv.reader(open(src, encoding='utf-8-sig', newline='')))
head = None
for r in rows:
    if r[:2] == ['被考核单位', '临桂镇'] or (len(r) > 1 and r[0] == '被考核单位'):
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

# The standard set: ties 1, 2, 2, 4 listed in input order, a vetoed unit
# with the highest total, one rejected file.
make_inputs() {
    mkdir -p "$T/in"
    mk_checklist "$T/in/a.csv" 丁镇 1.1=无          # 38.4 -> rank 4
    mk_checklist "$T/in/b.csv" 丙镇                 # 38.9 -> rank 2 (input before 乙镇)
    mk_checklist "$T/in/c.csv" 甲镇 8.3=有 12.3=有  # 40   -> rank 1
    mk_checklist "$T/in/d.csv" 乙镇                 # 38.9 -> rank 2
    mk_checklist "$T/in/e.csv" 戊镇 8.3=有 12.3=有 17.3=1  # 35 (the veto takes item 17), vetoed -> last
    mk_checklist "$T/in/bad.csv" 坏镇 1.1=也许 2.1=
    INPUTS="$T/in/a.csv $T/in/b.csv $T/in/c.csv $T/in/d.csv $T/in/e.csv $T/in/bad.csv"
}

test_ranking_read_back_by_openpyxl() {
    make_inputs
    expect_exit 1 "$KAOHE" rank $INPUTS -o "$T/rank.xlsx" --json "$T/rank.json"
    [ -s "$T/rank.xlsx" ] || fail "no workbook"
    "$PY" - "$T/rank.xlsx" "$T/rank.json" "$T/in" <<'EOF'
import json, sys, openpyxl
from openpyxl.cell.cell import TYPE_STRING, TYPE_NUMERIC, TYPE_FORMULA
path, jpath, indir = sys.argv[1:]
wb = openpyxl.load_workbook(path)                 # formulas
wv = openpyxl.load_workbook(path, data_only=True)  # stored values
assert wb.sheetnames == ['乡镇', '乡镇得分图', '扣分明细', '问题汇总', '问题汇总图', '未通过的文件', '来源'], wb.sheetnames

ws, vs = wb['乡镇'], wv['乡镇']
assert ws['A1'].value == '临桂区2020年度乡镇安全生产工作考核排名', ws['A1'].value
assert '乡镇' in ws['A2'].value
head = [c.value for c in ws[3]]
# Each item headed by its short name (the rubric's name column) and points.
names = ['传达学习', '贯彻批示', '组织领导', '参加会议', '带队检查', '工作计划', '专项整治',
         '节日检查', '危险源监控', '隐患排查', '企业抽查', '安全生产月', '教育培训', '应急演练',
         '三年行动', '应急值班', '生产安全事故']
items = ['%s\n（%s分）' % (n, p) for n, p in
         zip(names, [3, 3, 2, 2, 2, 1, 2, 3, 2, 2, 2, 3, 1, 2, 4, 1, 5])]
assert head == ['名次', '被考核单位'] + items + ['合计得分', '结果', '来源文件'], head
T = 2 + 17  # 合计得分 column index (0-based): T

want = [(1, '甲镇', 40, '正常', 'c.csv'), (2, '丙镇', 38.9, '正常', 'b.csv'),
        (2, '乙镇', 38.9, '正常', 'd.csv'), (4, '丁镇', 38.4, '正常', 'a.csv'),
        (None, '戊镇', 35, '一票否决', 'e.csv')]
for i, (rank, unit, total, result, src) in enumerate(want):
    r = 4 + i
    row, vrow = ws[r], vs[r]
    assert row[0].value == rank, (r, row[0].value)
    if rank is not None:
        assert row[0].data_type == TYPE_NUMERIC
    assert row[1].value == unit and row[1].data_type == TYPE_STRING, (r, row[1].value)
    for c in row[2:T]:
        assert c.data_type == TYPE_NUMERIC and isinstance(c.value, (int, float)), (c.coordinate, c.value)
    f = row[T]
    assert f.data_type == TYPE_FORMULA and f.value == '=SUM(C%d:S%d)' % (r, r), f.value
    assert abs(vrow[T].value - total) < 1e-9, (r, vrow[T].value)
    assert abs(sum(c.value for c in vrow[2:T]) - total) < 1e-9
    # General shows each number with exactly its decimals, also after an edit.
    assert all(c.number_format == 'General' for c in row[2:T + 1]), [c.number_format for c in row]
    assert row[T + 1].value == result, row[T + 1].value
    assert row[T + 2].value == indir + '/' + src, row[T + 2].value
assert ws.cell(row=9, column=2).value is None

# The same totals as the JSON of the same run.
doc = json.load(open(jpath, encoding='utf-8'))
totals = {u['unit']: u['total'] for u in doc['units']}
for i, (_, unit, total, _, _) in enumerate(want):
    assert float(totals[unit]) == vs.cell(row=4 + i, column=T + 1).value, unit

# Print setup and panes.
ps = ws.page_setup
assert ps.orientation == 'landscape', ps.orientation
assert str(ps.paperSize) == '9', ps.paperSize
assert ws.sheet_properties.pageSetUpPr.fitToPage
assert ps.fitToWidth in (1, None) and ps.fitToHeight == 0, (ps.fitToWidth, ps.fitToHeight)
assert ws.print_title_rows == '$3:$3', ws.print_title_rows
assert ws.freeze_panes == 'C4', ws.freeze_panes
for name in wb.sheetnames:
    assert wb[name].page_setup.paperSize in (9, '9'), name

# The chart: a bar chart of the four ranked units on its own sheet.
cs = wb['乡镇得分图']
assert len(cs._charts) == 1, cs._charts
ch = cs._charts[0]
assert ch.tagname == 'barChart' and ch.type == 'bar', (ch.tagname, ch.type)
assert len(ch.series) == 1
s = ch.series[0]
cat = (s.cat.strRef or s.cat.numRef).f
assert cat == "'乡镇'!$B$4:$B$7", cat
assert s.val.numRef.f == "'乡镇'!$T$4:$T$7", s.val.numRef.f
cache = [float(p.v) for p in s.val.numRef.numCache.pt]
assert cache == [40, 38.9, 38.9, 38.4], cache
def text_of(title):
    return ''.join(r.t for p in title.tx.rich.p for r in (p.r or []))
assert text_of(ch.title) == '2020年度乡镇考核得分', text_of(ch.title)
assert {text_of(ch.x_axis.title), text_of(ch.y_axis.title)} == {'单位', '得分'}
assert not ws._charts

# 扣分明细: one row per check point that cost points, veto included.
ds = wb['扣分明细']
rows = [[c.value for c in r] for r in ds.iter_rows(min_row=3)]
assert ds['A1'].value == '临桂区2020年度安全生产工作考核扣分明细', ds['A1'].value
assert ds['A2'].value == '被考核单位' and ds['F2'].value == '扣分'
got = [(r[0], r[3], r[5], r[6]) for r in rows]
assert got == [
    ('丙镇', '8.3', 0.6, '未开展中秋期间安全生产大检查，扣0.6分'), ('丙镇', '12.3', 0.5, '缺横幅，扣0.5分'),
    ('乙镇', '8.3', 0.6, '未开展中秋期间安全生产大检查，扣0.6分'), ('乙镇', '12.3', 0.5, '缺横幅，扣0.5分'),
    ('丁镇', '1.1', 0.5, '缺学习记录，扣0.5分'),
    ('丁镇', '8.3', 0.6, '未开展中秋期间安全生产大检查，扣0.6分'), ('丁镇', '12.3', 0.5, '缺横幅，扣0.5分'),
    ('戊镇', '17.3', 5, '发生重大事故1起，扣5分，一票否决')], got
for r in ds.iter_rows(min_row=3):
    assert r[5].data_type == TYPE_NUMERIC and r[3].data_type == TYPE_STRING
    assert r[5].number_format == 'General', r[5].number_format  # like every number kaohe writes
assert rows[0][8].startswith(indir + '/b.csv!G'), rows[0][8]
assert ds.freeze_panes == 'B3' and ds.print_title_rows == '$2:$2', (ds.freeze_panes, ds.print_title_rows)

# 未通过的文件: the rejected file, one row per message.
js = wb['未通过的文件']
assert js['A1'].value == '临桂区2020年度安全生产工作考核未通过的检查表（未计入排名）', js['A1'].value
assert [c.value for c in js[2]] == ['文件', '工作表', '单元格', '问题及修改方法']
assert js.print_title_rows == '$2:$2', js.print_title_rows
rej = [[c.value for c in r] for r in js.iter_rows(min_row=3)]
assert len(rej) == 2, rej
assert all(r[0] == indir + '/bad.csv' and r[3] for r in rej), rej
assert sorted(r[2] for r in rej) == ['G16', 'G9'], rej
EOF
}

test_ranking_nothing_rejected_says_so() {
    mkdir -p "$T/in"
    mk_checklist "$T/in/a.csv" 甲镇
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/rank.xlsx"
    "$PY" - "$T/rank.xlsx" <<'EOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
js = wb['未通过的文件']
assert js['A3'].value == '无（全部文件已计分）', js['A3'].value
assert js.max_row == 3
EOF
    "$PY" -c "import sys, zipfile; sys.exit(0 if 'xl/charts/chart1.xml' in zipfile.ZipFile(sys.argv[1]).namelist() else 1)" "$T/rank.xlsx" || fail "no chart part"
}

test_ranking_libreoffice_pdf_and_csv() {
    make_inputs
    expect_exit 1 "$KAOHE" rank $INPUTS -o "$T/rank.xlsx"
    lo_convert "$T/rank.xlsx" pdf
    pdfinfo "$T/lo/rank.pdf" >"$T/info"
    has_text "$T/info" "(A4)"
    pdftotext -layout "$T/lo/rank.pdf" "$T/pdf.txt"
    has_text "$T/pdf.txt" "临桂区2020年度乡镇安全生产工作考核排名"
    has_text "$T/pdf.txt" "2020年度乡镇考核得分"
    has_text "$T/pdf.txt" "一票否决"
    has_text "$T/pdf.txt" "38.9"
    has_text "$T/pdf.txt" "38.4"
    # The first sheet as CSV: the same totals as the workbook stores.
    lo_convert "$T/rank.xlsx" "$LO_CSV"
    "$PY" - "$T/lo/rank.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8', errors='replace')))
got = {r[1]: (r[0], r[19], r[20]) for r in rows[3:8]}
assert got == {'甲镇': ('1', '40', '正常'), '丙镇': ('2', '38.9', '正常'),
               '乙镇': ('2', '38.9', '正常'), '丁镇': ('4', '38.4', '正常'),
               '戊镇': ('', '35', '一票否决')}, got
EOF
}

# A hand edit of an item score recomputes the total: edit with openpyxl
# (which keeps the formula but drops stored values), let LibreOffice
# calculate.
test_ranking_hand_edit_recomputes() {
    mkdir -p "$T/in"
    mk_checklist "$T/in/a.csv" 甲镇
    expect_exit 0 "$KAOHE" rank "$T/in/a.csv" -o "$T/rank.xlsx"
    "$PY" - "$T/rank.xlsx" "$T/edited.xlsx" <<'EOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['乡镇']
assert ws['C4'].value == 3 and ws['T4'].value == '=SUM(C4:S4)'
ws['C4'] = 1.5
wb.save(sys.argv[2])
EOF
    lo_convert "$T/edited.xlsx" "$LO_CSV"
    # The header cells hold line breaks (name, then points): read the CSV
    # as CSV, not by lines.
    "$PY" -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1], encoding="utf-8")))[3]; assert r[:3] == ["1", "甲镇", "1.5"] and r[19:21] == ["37.4", "正常"], r' "$T/lo/edited.csv" ||
        fail "total not recomputed"
}

# Sheets of an XLSX workbook as inputs: 来源文件 names the file and the
# sheet, 扣分明细 the result cell on that sheet.
test_ranking_xlsx_sheets_as_sources() {
    expect_exit 0 "$KAOHE" template lingui-2020-department --unit 甲局 --unit 乙局 -o "$T/blank.xlsx"
    expect_exit 0 "$KAOHE" rank --blank-as-missing "$T/blank.xlsx" -o "$T/rank.xlsx"
    "$PY" - "$T/rank.xlsx" "$T/blank.xlsx" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
src = sys.argv[2]
assert wb.sheetnames == ['区直单位部门', '区直单位部门得分图', '扣分明细', '问题汇总', '问题汇总图', '未通过的文件', '来源'], wb.sheetnames
ws = wb['区直单位部门']
assert [c.value for c in ws[3]][2] == '传达学习\n（0.2分）'
rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=5)]
# Both score the same: both rank 1, in input (sheet) order.
assert [(r[0], r[1], r[-1]) for r in rows] == [(1, '甲局', src + ':甲局'), (1, '乙局', src + ':乙局')], rows
assert rows[0][-3] == '=SUM(C4:Q4)'
ds = wb['扣分明细']
first = [c.value for c in ds[3]]
assert first[:6] == ['甲局', '区直单位部门', '1', '1.1', '学习记录', 0.02], first
assert first[8] == src + ':甲局!G9', first[8]
PYEOF
}

# Print-ready (golden layout, read back by openpyxl): each ranking sheet is
# A4 landscape, one page wide, its print area without 来源文件; one font
# (宋体) in every cell and chart text; printed at the scale the columns
# imply, no text falls below 9 pt; the title carries the year, the chart
# too; 制表单位 / 制表日期 / 审核人 under the table.  Scoresheets: titled
# after the unit, signature lines, the same rows whether vetoed or not.
test_print_layout() {
    expect_exit 0 "$KAOHE" rank samples -o "$T/r.xlsx"
    expect_exit 0 "$KAOHE" score samples/五通镇.csv samples/两江镇.csv -o "$T/ss"
    "$PY" - "$T/r.xlsx" "$T/ss" <<'PY'
import re, sys, zipfile, openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter
wb = openpyxl.load_workbook(sys.argv[1])
for name, title in (('乡镇', '临桂区2020年度乡镇安全生产工作考核排名'),
                    ('区直单位部门', '临桂区2020年度区直单位部门安全生产工作考核排名')):
    ws = wb[name]
    assert ws['A1'].value == title, ws['A1'].value
    head = [c.value for c in ws[3]]
    src = head.index('来源文件') + 1
    # The print area ends just before 来源文件.
    area = ws.print_area
    area = area[0] if isinstance(area, list) else area
    m = re.match(r"(?:'?[^!]*'?!)?\$A\$1:\$([A-Z]+)\$(\d+)", area)
    assert m, area
    last = column_index_from_string(m.group(1))
    assert last == src - 1, (area, src)
    ps = ws.page_setup
    assert ps.orientation == 'landscape' and ps.paperSize == 9, (ps.orientation, ps.paperSize)
    # fitToWidth 1 is the attribute's default: libxlsxwriter leaves it out.
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth in (None, 1) and ps.fitToHeight == 0, (ps.fitToWidth, ps.fitToHeight)
    # One font, none below 9 pt once the sheet is scaled to the page.
    sizes = set()
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                assert c.font.name == '宋体', (c.coordinate, c.font.name)
                sizes.add(c.font.sz)
    widths = sum(ws.column_dimensions[get_column_letter(i)].width for i in range(1, last + 1))
    # Column width units are 7 px (the default font's digit) at 96 dpi:
    # 0.75 pt a pixel.  A4 landscape 842 pt less the 0.4 in margins.
    printable = 842 - 2 * 0.4 * 72
    scale = min(1.0, printable / (widths * 7 * 0.75))
    assert min(sizes) * scale >= 9, (min(sizes), scale)
    texts = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.startswith('制表单位：') and '制表日期：' in t and '审核人：' in t for t in texts), texts[-3:]
z = zipfile.ZipFile(sys.argv[1])
charts = [z.read(n).decode() for n in z.namelist() if n.startswith('xl/charts/chart')]
assert any('2020年度乡镇考核得分' in c for c in charts), 'chart title without the year'
assert all('typeface="宋体"' in c for c in charts)
# Scoresheets: the same rows for a vetoed unit (五通镇) and another.
rows = {}
for unit in ('五通镇', '两江镇'):
    ws = openpyxl.load_workbook('%s/%s.xlsx' % (sys.argv[2], unit)).active
    assert ws['A1'].value == unit + '2020年度安全生产工作考核评分表', ws['A1'].value
    assert ws['A3'].value.startswith('考核结果：'), ws['A3'].value
    assert ws['A6'].value == '序号'
    assert ws['A24'].value == '合计总得分'
    assert ws['A26'].value == '检查组成员签字：' and ws['C26'].value == '被考核单位负责人签字：'
    assert ws.print_title_rows == '$6:$6', ws.print_title_rows
    rows[unit] = ws.max_row
assert rows['五通镇'] == rows['两江镇'] == 27, rows
PY
}

# Ready to seal: the title names the district and year; 制表单位 is the
# --issuer (else the rubric's issuer, else a line to fill in); every
# printed sheet has a title row and print titles; 扣分明细 follows the
# ranking's order rubric by rubric; 来源 wraps long paths and shows local
# times with the zone named.  Read back by openpyxl and printed by
# LibreOffice.
test_ranking_ready_to_seal() {
    long="$T/一个很长很长的文件夹名称用来检查来源表中的路径会完整显示而不是被截断"
    mkdir -p "$long"
    cp samples/*.csv "$long/"
    touch -d '2020-12-05 06:03:11 UTC' "$long"/*.csv
    TZ=Asia/Shanghai SOURCE_DATE_EPOCH=1607148191 expect_exit 0 "$KAOHE" rank "$long" \
        -o "$T/rank.xlsx" --issuer 临桂区安全生产委员会办公室
    "$PY" - "$T/rank.xlsx" "$long" <<'EOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
long = sys.argv[2]
assert wb.sheetnames == ['乡镇', '乡镇得分图', '区直单位部门', '区直单位部门得分图', '扣分明细',
                         '问题汇总', '问题汇总图', '未通过的文件', '来源'], wb.sheetnames
for name in ('乡镇', '区直单位部门'):
    ws = wb[name]
    assert ws['A1'].value == '临桂区2020年度%s安全生产工作考核排名' % name, ws['A1'].value
    signs = [c.value for r in ws.iter_rows() for c in r
             if isinstance(c.value, str) and c.value.startswith('制表单位：')]
    assert len(signs) == 1, signs
    assert signs[0].startswith('制表单位：临桂区安全生产委员会办公室 '), signs
    assert '制表日期：2020年12月5日' in signs[0], signs  # 14:03 Beijing time
# Title rows and print titles on every printed sheet.
want = {'乡镇': '$3:$3', '区直单位部门': '$3:$3', '扣分明细': '$2:$2', '未通过的文件': '$2:$2',
        '来源': '$3:$3'}
titles = {'扣分明细': '临桂区2020年度安全生产工作考核扣分明细',
          '未通过的文件': '临桂区2020年度安全生产工作考核未通过的检查表（未计入排名）',
          '来源': '临桂区2020年度安全生产工作考核排名表来源'}
for name, rows in want.items():
    ws = wb[name]
    assert ws.print_title_rows == rows, (name, ws.print_title_rows)
    ps = ws.page_setup
    assert ps.paperSize in (9, '9') and ps.orientation == 'landscape', (name, ps.paperSize, ps.orientation)
    assert ws.oddFooter.center.text == '第 &P 页，共 &N 页', (name, ws.oddFooter.center.text)
    if name in titles:
        assert ws['A1'].value == titles[name], (name, ws['A1'].value)
        assert ws['A1'].font.b and ws['A1'].font.name == '宋体', name
# 扣分明细: the units in the ranking's order, townships first, each
# rubric's vetoed units after its ranked ones.
order = []
for name in ('乡镇', '区直单位部门'):
    for r in wb[name].iter_rows(min_row=4, values_only=True):
        if not r[1] or str(r[1]).startswith('注'):
            break
        order.append(r[1])
units = []
for r in wb['扣分明细'].iter_rows(min_row=3, values_only=True):
    if r[0] and (not units or units[-1] != r[0]):
        units.append(r[0])
assert len(units) == len(set(units)), units
assert units == [u for u in order if u in units], (units, order)
assert units.index('五通镇') < units.index('区教育局'), units  # vetoed, but a township
# 来源: whole paths, wrapped; local time with the zone named.
ws = wb['来源']
assert ws['A2'].value.startswith('本排名表由 kaohe 0.2.0 于 2020-12-05 14:03:11（北京时间 UTC+8） 生成'), ws['A2'].value
assert [c.value for c in ws[3]] == ['类别', '文件', 'SHA-256', '大小（字节）', '修改时间']
rows = [r for r in ws.iter_rows(min_row=4) if r[0].value == '检查表']
assert len(rows) == 14, len(rows)
for r in rows:
    assert r[1].value.startswith(long + '/') and r[1].value.endswith('.csv'), r[1].value
    assert r[1].alignment.wrap_text and r[2].alignment.wrap_text, r[1].coordinate
    assert r[4].value == '2020-12-05 14:03:11（北京时间 UTC+8）', r[4].value
    assert r[4].alignment.wrap_text
    assert ws.row_dimensions[r[0].row].height >= 34, ws.row_dimensions[r[0].row].height
EOF
    # Printed: the issuer, the district's title, the zone; nothing cut.
    lo_convert "$T/rank.xlsx" pdf
    pdftotext "$T/lo/rank.pdf" "$T/pdf.txt"
    has_text "$T/pdf.txt" "临桂区2020年度乡镇安全生产工作考核排名"
    has_text "$T/pdf.txt" "制表单位：临桂区安全生产委员会办公室"
    has_text "$T/pdf.txt" "临桂区2020年度安全生产工作考核排名表来源"
    has_text "$T/pdf.txt" "北京时间"
    # The folder's name is printed whole, over as many lines as it takes.
    tr -d '\n ' <"$T/pdf.txt" >"$T/flat.txt"
    has_text "$T/flat.txt" "一个很长很长的文件夹名称用来检查来源表中的路径会完整显示而不是被截断/两江镇.csv"

    # Another zone is named with its offset; no issuer: a line to fill in.
    TZ=Europe/Berlin SOURCE_DATE_EPOCH=1607148191 expect_exit 0 "$KAOHE" rank samples/两江镇.csv \
        -o "$T/r2.xlsx"
    "$PY" - "$T/r2.xlsx" <<'EOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['来源']
assert '于 2020-12-05 07:03:11（Europe/Berlin UTC+1） 生成' in ws['A2'].value, ws['A2'].value
signs = [c.value for r in wb['乡镇'].iter_rows() for c in r
         if isinstance(c.value, str) and c.value.startswith('制表单位：')]
assert signs and signs[0].startswith('制表单位：＿＿＿＿'), signs
EOF
}
