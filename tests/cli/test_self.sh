# 自评 beside 考评 on the command line (--self FILE, repeatable): the
# samples are the inspectors' result (考评); a 自评 copy of 两江镇 that
# claims 1.6 图片, 1.7 签到单 (0.5 each) and the second meeting of 3.1
# (0.2) scores 36.8 + 1.2 = 38; 差 = 36.8 − 38 = −1.2.  A 自评 that does
# not pass makes the exit status 1 and never rejects a 考评; one of a unit
# without a 考评 is a note.

# A copy of samples/两江镇.csv with check points changed: self_copy OUT ID=RESULT...
self_copy() {
    "$PY" - "$TOP/samples/两江镇.csv" "$@" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig')))
head = next(i for i, r in enumerate(rows) if '检查点' in r)
ki, ci = rows[head].index('检查点'), rows[head].index('检查结果')
change = dict(a.split('=', 1) for a in sys.argv[3:])
for r in rows[head + 1:]:
    if len(r) > ci and r[ki] in change:
        r[ci] = change[r[ki]]
csv.writer(open(sys.argv[2], 'w', encoding='utf-8-sig', newline='')).writerows(rows)
PY
}

test_self_rank_json_and_columns() {
    mkdir -p "$T/self"
    self_copy "$T/self/两江镇自评.csv" 1.6=有 1.7=有 3.1=2
    expect_exit 0 "$KAOHE" rank samples --self "$T/self" -o "$T/r.xlsx" --json "$T/r.json"
    "$PY" - "$T/r.json" "$T/r.xlsx" <<'PY'
import json, sys, openpyxl
d = json.load(open(sys.argv[1]))
u = {x['unit']: x for x in d['units']}
s = u['两江镇']['self']
assert u['两江镇']['total'] == '36.8' and s['total'] == '38' and s['diff'] == '-1.2', s
diff = {c['check']: (c['result'], c['reviewed'], c['diff']) for c in s['checks'] if c['diff'] != '0'}
assert diff == {'1.6': ('有', '无', '-0.5'), '1.7': ('有', '无', '-0.5'), '3.1': (2, 1, '-0.2')}, diff
assert u['临桂镇']['self'] is None
assert d['self_rejected'] == [] and d['self_unmatched'] == []
ws = openpyxl.load_workbook(sys.argv[2])['乡镇']
head = [c.value for c in ws[3]]
t = head.index('合计得分')
assert head[t + 1] == '自评得分' and head[t + 2].startswith('差'), head
row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == '两江镇')
assert row[t + 1] == 38 and abs(row[t + 2] - -1.2) < 1e-9, row
PY
}

test_self_score_scoresheet() {
    mkdir -p "$T/self"
    self_copy "$T/self/a.csv" 1.6=有 1.7=有 3.1=2
    expect_exit 0 "$KAOHE" score samples/两江镇.csv --self "$T/self/a.csv" -o "$T/ss" --format xlsx,csv
    "$PY" - "$T/ss/两江镇.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ['两江镇', '自评与考评'], wb.sheetnames
assert wb['两江镇']['A3'].value == '考核结果：合计得分36.8分（满分40分）；自评38分'
rows = {r[0]: r for r in wb['自评与考评'].iter_rows(min_row=4, values_only=True)}
assert rows['1.7'][3:] == ('有', '无（扣0.5分）', -0.5), rows['1.7']
assert rows['3.1'][3:] == ('2', '1（扣0.2分）', -0.2), rows['3.1']
assert rows['合计得分'][2:] == (40, 38, 36.8, -1.2), rows['合计得分']
PY
    has_text "$T/ss/两江镇.csv" '"合计得分","","40","38","36.8","-1.2"'
}

test_self_rejected_and_unmatched() {
    mkdir -p "$T/self"
    self_copy "$T/self/bad.csv" 1.3=也许
    cp "$TOP/samples/临桂镇.csv" "$T/self/临桂镇.csv"
    expect_exit 1 "$KAOHE" rank samples/两江镇.csv --self "$T/self" -o "$T/r.xlsx" --json "$T/r.json"
    has_text "$T/err" "bad.csv!G11: result '也许' for 1.3"
    has_text "$T/err" "the self-assessment (自评) of 临桂镇 (乡镇) has no scored checklist"
    # the 考评 of 两江镇 is ranked all the same, without a 自评
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [u["unit"] for u in d["units"]] == ["两江镇"] and d["units"][0]["self"] is None and len(d["self_rejected"]) == 1 and d["self_unmatched"][0]["unit"] == "临桂镇", d' "$T/r.json"
}

test_self_not_overwritten() {
    mkdir -p "$T/self"
    self_copy "$T/self/a.csv"
    expect_exit 2 "$KAOHE" rank samples --self "$T/self/a.csv" -o "$T/r.xlsx" --json "$T/self/a.csv"
    has_text "$T/self/a.csv" '考核细则'
}
