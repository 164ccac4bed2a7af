# tests/cli/test_limits.sh - each of kaohe's documented input limits, end
# to end: an input at the limit is scored, one just past it is rejected
# with a message that names the limit (exit 1), and the other inputs of
# the run are still scored.  The limits are defined in src/csv_in.h,
# src/xlsx_in.h, src/sheet.h and src/checklist.h (README, "Limits").
#
# The largest cases (a 512 MiB workbook, a 128 MiB grid) are skipped when
# KAOHE_WRAP is set (make valgrind), where they would take an hour.

GOOD=samples/两江镇.csv     # scores 36.8
OTHER=samples/临桂镇.csv    # scores 38.9, scored in every run beside the case

# score_ok FILE : FILE alone scores 36.8, exit 0.
score_ok() {
    expect_exit 0 "$KAOHE" score -q "$1" "$TOP/$OTHER"
    has_text "$T/out" "36.8"
    has_text "$T/out" "38.9"
}

# score_rejected FILE TEXT : FILE is rejected with a message holding TEXT;
# the other input is still scored.
score_rejected() {
    expect_exit 1 "$KAOHE" score -q "$1" "$TOP/$OTHER"
    has_text "$T/err" "$2"
    has_text "$T/out" "38.9"
    lacks_text "$T/out" "36.8"
}

heavy() { [ -z "${KAOHE_WRAP:-}" ]; }

# csv_padded OUT SIZE : the good checklist followed by empty rows (commas
# only, which hold no cell) so that the file is exactly SIZE bytes.
csv_padded() {
    "$PY" - "$TOP/$GOOD" "$1" "$2" <<'EOF'
import sys
src, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, 'rb').read()
line = b',' * 1023 + b'\n'
left = size - len(data)
with open(out, 'wb') as f:
    f.write(data)
    f.write(line * (left // len(line)))
    f.write(b',' * (left % len(line) - 1) + b'\n' if left % len(line) else b'')
EOF
    [ "$(stat -c %s "$1")" -eq "$2" ] || fail "$1 is $(stat -c %s "$1") bytes, want $2"
}

# csv_remark OUT N : the good checklist with a remark (备注 of check point
# 1.1) of N bytes.
csv_remark() {
    "$PY" - "$TOP/$GOOD" "$1" "$2" <<'EOF'
import csv, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = list(csv.reader(open(src, encoding='utf-8-sig', newline='')))
head = None
for r in rows:
    if '检查点' in r and '检查结果' in r:
        head = r
    elif head and len(r) == len(head) and r[head.index('检查点')] == '1.1':
        r[head.index('备注')] = 'x' * n
with open(out, 'w', encoding='utf-8-sig', newline='') as f:
    csv.writer(f, lineterminator='\r\n').writerows(rows)
EOF
}

# csv_result OUT CHECK VALUE : the good checklist with the result of CHECK
# set to VALUE.
csv_result() {
    "$PY" - "$TOP/$GOOD" "$@" <<'EOF'
import csv, sys
src, out, check, value = sys.argv[1:]
rows = list(csv.reader(open(src, encoding='utf-8-sig', newline='')))
head = None
for r in rows:
    if '检查点' in r and '检查结果' in r:
        head = r
    elif head and len(r) == len(head) and r[head.index('检查点')] == check:
        r[head.index('检查结果')] = value
with open(out, 'w', encoding='utf-8-sig', newline='') as f:
    csv.writer(f, lineterminator='\r\n').writerows(rows)
EOF
}

# xlsx OUT [KEY=VALUE]... : the good checklist as a workbook of inline
# strings (one worksheet), varied by:
#   sheets=N     N - 1 more (empty) worksheets
#   pad=N        the worksheet part padded with spaces to N bytes
#   pad2=N       a second worksheet part of N bytes (spaces after the root)
#   depth=N      elements nested N deep in the worksheet (the root is 1)
#   comment=N    an XML comment of N bytes in the worksheet
#   remark=N     the remark of check point 1.1 is N characters (中)
#   grid=N       a second worksheet whose cells (one shared string of
#                32,767 bytes, repeated) take N MiB of memory as kaohe
#                counts it (text bytes + 40 a cell)
xlsx() {
    "$PY" - "$TOP/$GOOD" "$@" <<'EOF'
import csv, sys, zipfile
from xml.sax.saxutils import escape
src, out, *kv = sys.argv[1:]
o = {k: int(v) for k, v in (a.split('=') for a in kv)}
rows = list(csv.reader(open(src, encoding='utf-8-sig', newline='')))
head = None
for r in rows:
    if '检查点' in r and '检查结果' in r:
        head = r
    elif head and 'remark' in o and len(r) == len(head) and r[head.index('检查点')] == '1.1':
        r[head.index('备注')] = '中' * o['remark']

def col(c):
    s = ''
    c += 1
    while c:
        c, m = divmod(c - 1, 26)
        s = chr(65 + m) + s
    return s

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
cells = []
for i, r in enumerate(rows):
    cs = ''.join('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col(j), i + 1, escape(v))
                 for j, v in enumerate(r) if v)
    cells.append('<row r="%d">%s</row>' % (i + 1, cs))
extra = ''
if 'depth' in o:
    n = o['depth'] - 1   # below the root
    extra += '<extLst>' + '<a>' * (n - 1) + '</a>' * (n - 1) + '</extLst>'
if 'comment' in o:
    extra += '<!--' + 'c' * (o['comment'] - 7) + '-->'
ws = ('<?xml version="1.0" encoding="UTF-8"?>\n<worksheet %s><sheetData>%s</sheetData>%s</worksheet>'
      % (NS, ''.join(cells), extra)).encode()
if 'pad' in o:
    assert len(ws) <= o['pad']
    ws += b' ' * (o['pad'] - len(ws))
parts = {'xl/worksheets/sheet1.xml': ws}
nsheets = o.get('sheets', 1)
empty = ('<?xml version="1.0" encoding="UTF-8"?>\n<worksheet %s><sheetData/></worksheet>' % NS).encode()
for k in range(2, nsheets + 1):
    parts['xl/worksheets/sheet%d.xml' % k] = empty
if 'pad2' in o:
    nsheets += 1
    p = empty + b' ' * (o['pad2'] - len(empty))
    parts['xl/worksheets/sheet%d.xml' % nsheets] = p
sst = None
if 'grid' in o:
    nsheets += 1
    L = 32767
    want = o['grid'] << 20
    n = want // (L + 40) + 1
    cs = ''.join('<c r="%s1" t="s"><v>0</v></c>' % col(j) for j in range(n))
    parts['xl/worksheets/sheet%d.xml' % nsheets] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<worksheet %s><sheetData><row r="1">%s</row>'
        '</sheetData></worksheet>' % (NS, cs)).encode()
    sst = ('<?xml version="1.0" encoding="UTF-8"?>\n<sst %s><si><t>%s</t></si></sst>'
           % (NS.split(' ')[0], 'g' * L)).encode()
wb = ''.join('<sheet name="S%d" sheetId="%d" r:id="rId%d"/>' % (k, k, k)
             for k in range(1, nsheets + 1))
rels = ''.join('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/'
               '2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>' % (k, k)
               for k in range(1, nsheets + 1))
if sst:
    rels += ('<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
             '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
    parts['xl/sharedStrings.xml'] = sst
base = {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
        'ContentType="application/xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': '<?xml version="1.0" encoding="UTF-8"?>\n<workbook %s><sheets>%s</sheets>'
        '</workbook>' % (NS, wb),
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>'
        % rels,
}
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for name, data in list(base.items()) + list(parts.items()):
        z.writestr(name, data)
EOF
}

# ---- CSV ----

test_csv_file_size() {
    # KH_CSV_MAX_FILE, 64 MiB.
    csv_padded "$T/at.csv" $((64 << 20))
    score_ok "$T/at.csv"
    csv_padded "$T/past.csv" $(((64 << 20) + 1))
    score_rejected "$T/past.csv" "larger than 64 MiB"
}

test_csv_field_size() {
    # KH_CSV_MAX_FIELD, 1 MiB; the remark goes on into the reason.
    csv_remark "$T/at.csv" $((1 << 20))
    score_ok "$T/at.csv"
    expect_exit 0 "$KAOHE" score -q "$T/at.csv" -o "$T/sheets" --format xlsx,csv
    "$PY" - "$T/sheets" <<'EOF'
import glob, openpyxl, sys
# Excel's 32,767 characters a cell: the reason is cut, the file opens.
for f in glob.glob(sys.argv[1] + '/*.xlsx'):
    for ws in openpyxl.load_workbook(f).worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                assert not isinstance(v, str) or len(v) <= 32767, (f, len(v))
EOF
    csv_remark "$T/past.csv" $(((1 << 20) + 1))
    score_rejected "$T/past.csv" "1048576"
}

test_csv_rows_and_columns() {
    # KH_MAX_ROWS (1,048,576) and KH_MAX_COLS (16,384, XFD), Excel's grid.
    { cat "$TOP/$GOOD"; "$PY" -c "import sys; sys.stdout.write('\n' * (1048576 - 1 - $(wc -l <"$TOP/$GOOD")) + 'x\n')"; } >"$T/rows-at.csv"
    [ "$(wc -l <"$T/rows-at.csv")" -eq 1048576 ] || fail "rows-at.csv: $(wc -l <"$T/rows-at.csv") lines"
    score_ok "$T/rows-at.csv"
    { cat "$T/rows-at.csv"; echo y; } >"$T/rows-past.csv"
    score_rejected "$T/rows-past.csv" "1048576"
    { cat "$TOP/$GOOD"; "$PY" -c "import sys; sys.stdout.write(',' * 16383 + 'x\n')"; } >"$T/cols-at.csv"
    score_ok "$T/cols-at.csv"
    { cat "$TOP/$GOOD"; "$PY" -c "import sys; sys.stdout.write(',' * 16384 + 'x\n')"; } >"$T/cols-past.csv"
    score_rejected "$T/cols-past.csv" "16384"
}

test_count_maximum() {
    # KH_COUNT_MAX, 1,000,000: an each check point (4.1) at it deducts the
    # item's points; one more is taken for a typo.
    csv_result "$T/at.csv" 4.1 1000000
    expect_exit 0 "$KAOHE" score -q "$T/at.csv" -o - --format json
    has_text "$T/out" '"item": "4", "name": "参加会议", "points": "2", "deduction": "2", "score": "0"'
    csv_result "$T/past.csv" 4.1 1000001
    expect_exit 1 "$KAOHE" score -q "$T/past.csv"
    has_text "$T/err" "1000001"
}

# ---- XLSX ----

test_xlsx_reference_workbook() {
    # The generator's plain workbook scores like the CSV it comes from.
    xlsx "$T/plain.xlsx"
    score_ok "$T/plain.xlsx"
}

test_xlsx_longest_cell() {
    # KH_XLSX_MAX_CELL, 32,767 characters (not bytes: 中 is 3 bytes).
    xlsx "$T/at.xlsx" remark=32767
    score_ok "$T/at.xlsx"
    xlsx "$T/past.xlsx" remark=32768
    score_rejected "$T/past.xlsx" "more than 32767 characters"
}

test_xlsx_most_sheets() {
    # KH_XLSX_MAX_SHEETS, 1000 worksheets.
    xlsx "$T/at.xlsx" sheets=1000
    score_ok "$T/at.xlsx"
    xlsx "$T/past.xlsx" sheets=1001
    score_rejected "$T/past.xlsx" "more than 1000 sheets"
}

test_xlsx_xml_depth() {
    # KH_XLSX_MAX_DEPTH, 64 nested elements.
    xlsx "$T/at.xlsx" depth=64
    score_ok "$T/at.xlsx"
    xlsx "$T/past.xlsx" depth=65
    score_rejected "$T/past.xlsx" "deeper than 64 levels"
}

test_xlsx_longest_token() {
    # KH_XLSX_MAX_TOKEN, 4 MiB for one tag, comment or PI, checked after
    # each 64 KiB the parser is given: exact to within 64 KiB.
    xlsx "$T/at.xlsx" comment=$(((4 << 20) - (64 << 10)))
    score_ok "$T/at.xlsx"
    xlsx "$T/past.xlsx" comment=$(((4 << 20) + (128 << 10)))
    score_rejected "$T/past.xlsx" "longer than 4 MiB"
}

test_xlsx_largest_part() {
    # KH_XLSX_MAX_PART, 256 MiB inflated.
    heavy || return 0
    xlsx "$T/at.xlsx" pad=$((256 << 20))
    score_ok "$T/at.xlsx"
    xlsx "$T/past.xlsx" pad=$(((256 << 20) + 1))
    score_rejected "$T/past.xlsx" "inflates past the 256 MiB limit"
}

test_xlsx_workbook_total() {
    # KH_XLSX_MAX_TOTAL, 512 MiB inflated over all parts read (all but
    # [Content_Types].xml here): two worksheets, 512 MiB with the rest.
    heavy || return 0
    xlsx "$T/probe.xlsx" sheets=2
    rest=$("$PY" - "$T/probe.xlsx" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
# what kaohe reads of the workbook besides the two worksheets
print(sum(i.file_size for i in z.infolist() if i.filename not in
          ('xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', '[Content_Types].xml')))
EOF
)
    xlsx "$T/at.xlsx" pad=$((256 << 20)) pad2=$(((256 << 20) - rest))
    score_ok "$T/at.xlsx"
    xlsx "$T/past.xlsx" pad=$((256 << 20)) pad2=$(((256 << 20) - rest + 1))
    score_rejected "$T/past.xlsx" "inflate past the 512 MiB limit"
}

test_xlsx_grid() {
    # KH_XLSX_MAX_GRID, 128 MiB of cells in memory for one worksheet (a
    # small part can name one long shared string many times).
    heavy || return 0
    xlsx "$T/under.xlsx" grid=127
    score_ok "$T/under.xlsx"
    xlsx "$T/past.xlsx" grid=129
    score_rejected "$T/past.xlsx" "more than 128 MiB of cells"
}

# Memory is bounded by what is allocated, not by the input's bytes: a
# workbook whose relationships or shared strings inflate to 250 MiB of tiny
# entries, and a CSV of some 30 million one-byte fields (before the budgets
# they took 316 MiB, 456 MiB and 886 MiB, and the workbooks were accepted),
# are each refused past the 256 MiB input budget with a message naming it;
# the good checklists beside them are scored; the whole run's peak RSS stays
# below 512 MiB, whatever -j.
test_memory_budgets() {
    mkdir -p "$T/in"
    "$PY" - "$TOP/samples/xlsx/两江镇.xlsx" "$T/in" <<'EOF2'
import sys, zipfile
src, out = sys.argv[1:]
z = zipfile.ZipFile(src)
def rebuild(name, replace, extra=None):
    with zipfile.ZipFile(f'{out}/{name}', 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as o:
        for n in z.namelist():
            o.writestr(n, replace.get(n, z.read(n)))
        for n, d in (extra or {}).items():
            o.writestr(n, d)
rels = z.read('xl/_rels/workbook.xml.rels').decode()
one = ('<Relationship Id="rIdX%d" Type="http://schemas.openxmlformats.org/officeDocument/'
       '2006/relationships/theme" Target="theme/theme1.xml"/>')
cut = rels.index('<Relationship ')
rebuild('rels.xlsx', {'xl/_rels/workbook.xml.rels':
        (rels[:cut] + ''.join(one % i for i in range(1900000)) + rels[cut:]).encode()})
ss_rel = ('<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/'
          '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
ct = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
      'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
rebuild('si.xlsx', {
    'xl/_rels/workbook.xml.rels': rels.replace('</Relationships>', ss_rel).encode(),
    '[Content_Types].xml': z.read('[Content_Types].xml').decode().replace('</Types>', ct).encode()},
    {'xl/sharedStrings.xml': '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                             '2006/main">' + '<si/>' * (50 << 20) + '</sst>'})
with open(f'{out}/cells.csv', 'w') as f:
    f.write('被考核单位,x\n')
    line = ','.join(['a'] * 1000) + '\n'
    for _ in range(31000):
        f.write(line)
EOF2
    cp "$TOP/samples/临桂镇.csv" "$TOP/samples/会仙镇.csv" "$T/in/"
    for j in 1 4; do
        "$PY" - "$T/rss" "$KAOHE" score -j $j -o - "$T/in" >"$T/out.json" <<'EOF2' || true
import resource, subprocess, sys
rc = subprocess.run(sys.argv[2:], stderr=open(sys.argv[1] + '.err', 'w')).returncode
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
open(sys.argv[1], 'w').write(f'{rc} {rss}\n')
EOF2
        read -r rc rss <"$T/rss"
        [ "$rc" = 1 ] || fail "-j $j: exit $rc, want 1"
        # A sanitizer's shadow memory and quarantine are RSS of their own
        # (make asan: 922 MiB): the bound is the plain build's (make test).
        if grep -q __asan_init "$KAOHE" || grep -q __tsan_init "$KAOHE"; then
            echo "-j $j: peak RSS $rss MiB under a sanitizer, not compared with 512 MiB" >&2
        else
            [ "$rss" -lt 512 ] || fail "-j $j: peak RSS $rss MiB, not below 512 MiB"
        fi
        for f in rels.xlsx si.xlsx cells.csv; do
            grep -q "$f: reading this file needs more than 256 MiB of memory" "$T/rss.err" ||
                fail "-j $j: $f not refused by the input budget: $(cat "$T/rss.err")"
        done
        "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); u=sorted(x["unit"] for x in d["units"]); assert u==["临桂镇","会仙镇"], u' "$T/out.json" ||
            fail "-j $j: the good checklists were not scored"
        echo "-j $j: peak RSS $rss MiB" >&2
    done
}
