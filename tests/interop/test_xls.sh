# .xls (Excel 97-2003) workbooks, made by a real producer: LibreOffice
# saves the XLSX samples and kaohe's own templates as .xls, and they score
# exactly like the originals.

# xls_of DIR FILE...: each FILE saved by LibreOffice as DIR/NAME.xls.
xls_of() {
    local out=$1; shift
    mkdir -p "$out"
    timeout 300 soffice -env:UserInstallation=file://$T/lo-profile --headless \
        --convert-to xls --outdir "$out" "$@" >"$T/lo.log" 2>&1 ||
        { cat "$T/lo.log" >&2; fail "soffice --convert-to xls"; }
}

# The whole XLSX corpus of samples/xlsx (seven workbooks, fourteen units,
# a department workbook of eight sheets) as .xls scores as it does as .xlsx.
test_xls_corpus_scores_like_xlsx() {
    xls_of "$T/xls" samples/xlsx/*.xlsx
    [ "$(ls "$T/xls" | grep -c '\.xls$')" -eq 7 ] || fail "LibreOffice made: $(ls "$T/xls")"
    expect_exit 0 "$KAOHE" score samples/xlsx -o -
    cp "$T/out" "$T/xlsx.json"
    expect_exit 0 "$KAOHE" score "$T/xls" -o -
    same_scores "$T/xlsx.json" "$T/out" || fail ".xls scores unlike .xlsx"
    has_text "$T/out" '"source": "'"$T"'/xls/区直单位部门.xls", "sheet": "区应急管理局"'
    # and the ranking of the .xls folder is the ranking of the CSV samples
    expect_exit 0 "$KAOHE" rank "$T/xls" -o "$T/r.xlsx" --json "$T/r.json"
    expect_exit 0 "$KAOHE" rank samples -o "$T/c.xlsx" --json "$T/c.json"
    same_scores "$T/c.json" "$T/r.json" || fail ".xls ranking unlike the CSV one"
}

# A blank template filled in and saved as .xls by LibreOffice: numbers as
# number cells, 有/无 as text, dates.
test_xls_template_filled() {
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit 两江镇 -o "$T/t.xlsx"
    "$PY" - "$T/t.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
head = {c.value: c.column - 1 for c in ws[8] if c.value}
for row in ws.iter_rows(min_row=9):
    cp = row[head['检查点']].value
    if not cp:
        continue
    hint = row[head['填写说明']].value or ''
    if hint.startswith('填“有”或“无”'):
        val = '无' if cp in ('1.6', '12.3') else '有'
    elif '应不少于' in hint:
        val = 2
    else:
        val = 1 if cp == '17.1' else 0
    row[head['检查结果']].value = val
wb.save(sys.argv[1])
PY
    xls_of "$T/xls" "$T/t.xlsx"
    expect_exit 0 "$KAOHE" score "$T/xls/t.xls" -o -
    # 1.6 0.5, 12.3 0.5, one ordinary accident 1: 40 - 2
    has_text "$T/out" '"total": "38"'
    has_text "$T/out" '"unit": "两江镇"'
}

# Broken .xls files are refused with a located message; the others score.
test_xls_hostile() {
    xls_of "$T/xls" samples/xlsx/两江镇.xlsx
    # on standard input too (read from memory, no copy on disk)
    "$KAOHE" score - <"$T/xls/两江镇.xls" >"$T/out" || fail ".xls on standard input"
    has_text "$T/out" "两江镇      乡镇      36.8"
    head -c 3000 "$T/xls/两江镇.xls" >"$T/truncated.xls"
    printf '\320\317\021\340\241\261\032\341' >"$T/magic-only.xls"
    head -c 100000 /dev/zero >>"$T/magic-only.xls"
    expect_exit 1 "$KAOHE" score "$T/truncated.xls" "$T/magic-only.xls" samples/四塘镇.csv
    has_text "$T/err" "$T/truncated.xls: cannot read this .xls workbook"
    has_text "$T/err" "$T/magic-only.xls: cannot read this .xls workbook"
    has_text "$T/out" "四塘镇"
    # past 32 MiB, from a file or standard input alike
    { printf '\320\317\021\340\241\261\032\341'; head -c 34000000 /dev/zero; } >"$T/big.xls"
    expect_exit 1 "$KAOHE" score "$T/big.xls" -o -
    has_text "$T/err" "the .xls file is larger than 32 MB"
    "$KAOHE" score - -o - <"$T/big.xls" >"$T/out" 2>"$T/err" && fail "34 MB on standard input read"
    has_text "$T/err" "-: the .xls file is larger than 32 MB"
}

# The hostile inputs of tests/data/regress/xls/ (FreeXL's old crashes, the
# reader's own fuzz findings) are refused with a message, one by one, and
# the good input beside them is scored.
test_xls_regress_inputs_refused() {
    for f in tests/data/regress/xls/*.xls; do
        expect_exit 1 "$KAOHE" score "$f" samples/四塘镇.csv -o -
        grep -q "cannot read this .xls workbook\|无法读取该 .xls 工作簿" "$T/err" ||
            fail "$f: no refusal: $(cat "$T/err")"
        has_text "$T/out" '"unit": "四塘镇"'
    done
}

# Files named .xls that are no Excel 97-2003 workbook, as web systems export
# them: CSV text is read as CSV, a web page as its tables (here the 两江镇
# checklist as a GB2312 page whose 序号 and 督查内容 cells span the rows of
# their item, as web exports merge them); a page without a table, an Excel
# 2003 XML file and an Excel 2.x worksheet are refused saying what they are.
test_xls_named_files_that_are_not_xls() {
    cp samples/两江镇.csv "$T/csv.xls"
    expect_exit 0 "$KAOHE" score "$T/csv.xls" -o -
    has_text "$T/out" '"total": "36.8"'
    "$PY" - "$T/web.xls" <<'PY'
import csv, html, sys
rows = list(csv.reader(open('samples/两江镇.csv', encoding='utf-8-sig')))
head = next(i for i, r in enumerate(rows) if r and r[0] == '序号')
out = ['<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
       '<style>td { border: 1px }</style></head><body><h1>导出</h1><table border=1>']
for i, r in enumerate(rows):
    if i <= head:
        out.append('<tr>' + ''.join('<td>%s</td>' % html.escape(c) for c in r) + '</tr>')
        continue
    cells = []
    if r[0]:
        n = 1
        while i + n < len(rows) and not rows[i + n][0]:
            n += 1
        cells.append('<td rowspan="%d">%s</td><td rowspan=%d>%s</td>'
                     % (n, r[0], n, html.escape(r[1]).replace('，', '，<br>', 1)))
    cells += ['<td>%s</td>' % html.escape(c).replace('有', '&#26377;') for c in r[2:]]
    out.append('<tr>\n' + ''.join(cells) + '</tr>')
out.append('</table></body></html>')
open(sys.argv[1], 'wb').write('\n'.join(out).encode('gb18030'))
PY
    expect_exit 0 "$KAOHE" score "$T/web.xls" -o -
    has_text "$T/out" '"total": "36.8"'
    has_text "$T/out" '"sheet": "表1"'
    printf '<html><body><p>登录超时</p></body></html>\n' >"$T/notable.xls"
    printf '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>\n' >"$T/x2003.xls"
    printf '\011\000\004\000\002\000\020\000\012\000\000\000' >"$T/biff2.xls"
    expect_exit 1 "$KAOHE" score "$T/notable.xls" "$T/x2003.xls" "$T/biff2.xls" samples/四塘镇.csv -o -
    has_text "$T/err" "$T/notable.xls: cannot read this .xls workbook: it is a web page without a table"
    has_text "$T/err" "$T/x2003.xls: cannot read this .xls workbook: it is an Excel 2003 XML spreadsheet"
    has_text "$T/err" "$T/biff2.xls: cannot read this .xls workbook: it is an Excel 2.x-4.0 file (BIFF2-4)"
    has_text "$T/out" '"unit": "四塘镇"'
}

# Files kaohe does not read say how to save them; a lock file says what it is.
test_lock_file_and_wps_et() {
    printf '\005张三                                      ' >"$T/~\$两江镇.xlsx"
    cp samples/两江镇.csv "$T/两江镇.et"
    expect_exit 1 "$KAOHE" score "$T/~\$两江镇.xlsx" "$T/两江镇.et" samples/四塘镇.csv
    has_text "$T/err" "lock file of a workbook open in Excel or WPS"
    has_text "$T/err" "WPS .et workbooks cannot be read: open it in WPS, choose 文件 → 另存为"
    has_text "$T/out" "四塘镇"
}

# A .xls of nearly 32 MiB (five sheets of 60,000 rows, 900,000 cells, made
# by xlwt) is read whole in bounded memory: the file, its Workbook stream,
# its shared strings and one sheet's grid at a time.
test_xls_32mib_bounded_memory() {
    $PY - "$T/big.xls" <<'PY'
import random, sys, xlwt
rng = random.Random(1)
wb = xlwt.Workbook(encoding='utf-8')
for s in range(5):
    ws = wb.add_sheet('S%d' % s)
    for r in range(60000):
        ws.write(r, 0, '文本%d-%d' % (s, r) + 'x' * rng.randint(0, 20))
        ws.write(r, 1, r * 1.5)
        ws.write(r, 2, 'y%d' % rng.randint(0, 100000))
wb.save(sys.argv[1])
PY
    local size; size=$(stat -c %s "$T/big.xls")
    [ "$size" -gt $((30 << 20)) ] && [ "$size" -le $((32 << 20)) ] || fail "size $size"
    $PY - "$KAOHE" "$T/big.xls" "$T" <<'PY'
import os, resource, subprocess, sys
kaohe, big, t = sys.argv[1:]
# Under the sanitizers (make asan, make tsan) shadow memory and the
# quarantine add their own: the bound is the plain build's, looser there.
limit = 400 if os.environ.get('ASAN_OPTIONS') or os.environ.get('TSAN_OPTIONS') else 160
p = subprocess.run([kaohe, 'score', big, 'samples/四塘镇.csv', '-o', '-'], capture_output=True, text=True)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >> 10
assert p.returncode == 1, p.returncode
assert 'no sheet of this workbook holds a checklist' in p.stderr, p.stderr
assert '"unit": "四塘镇"' in p.stdout
# the file (31 MiB) and its stream copy, the strings, one grid: about 70 MiB
assert rss < limit, (rss, limit)
print('  peak RSS %d MiB' % rss)
PY
}

# Formula results as LibreOffice saves them in .xls: TRUE()/FALSE() (what a
# TRUE typed in Calc becomes) count as 有/无 as they do in .xlsx, and an
# error result (=NA()) is refused naming the cell and the error.
test_xls_formula_results() {
    cp samples/xlsx/两江镇.xlsx "$T/t.xlsx"
    "$PY" - "$T/t.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
for row in ws.iter_rows():
    for c in row:
        if c.value == '有':
            c.value = '=TRUE()'
        elif c.value == '无':
            c.value = '=FALSE()'
wb.save(sys.argv[1])
wb.worksheets[0].title = '错误'
for row in wb.worksheets[0].iter_rows():
    for c in row:
        if c.value == '=TRUE()':
            c.value = '=NA()'
            break
    else:
        continue
    break
wb.save(sys.argv[1].replace('t.xlsx', 'e.xlsx'))
PY
    xls_of "$T/xls" "$T/t.xlsx" "$T/e.xlsx"
    # as .xls: scored like the CSV of the same checklist (36.8)
    expect_exit 0 "$KAOHE" score "$T/xls/t.xls" -o -
    has_text "$T/out" '"total": "36.8"'
    "$(dirname "$KAOHE")/sheet_cells" "$T/xls/t.xls" | grep -qP '\tb\tTRUE$' || fail "no boolean cell"
    expect_exit 1 "$KAOHE" score "$T/xls/e.xls" -o -
    has_text "$T/err" "is the spreadsheet error value '#N/A', not a result"
}
