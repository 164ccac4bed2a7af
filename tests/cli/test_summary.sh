# 问题汇总 on the command line: the sheet of the ranking workbook (read back
# with openpyxl), its chart sheet, the JSON section "summary", the change
# from an earlier run (--previous), and the --report option refused before
# anything is written.

# The sheet holds what was counted by hand from the samples (tests/
# test_summary.c lists the check points): item 17 of 乡镇 lost by three
# units, 12 points; 7.1 by 六塘镇, item 7 capped at 2; printable.
test_summary_sheet_and_json() {
    expect_exit 0 "$KAOHE" rank "$TOP/samples" -o "$T/r.xlsx" --json "$T/r.json" -q
    "$PY" - "$T/r.xlsx" "$T/r.json" <<'PY'
import json, sys, zipfile, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
names = wb.sheetnames
assert names.index('问题汇总') == names.index('扣分明细') + 1, names
assert names.index('问题汇总图') == names.index('问题汇总') + 1, names
ws = wb['问题汇总']
rows = [[c.value for c in r] for r in ws.iter_rows()]
assert rows[0][0] == '2020年度安全生产工作考核问题汇总', rows[0]
assert rows[2] == ['检查点', '内容', '失分单位数', '考核单位数', '占比', '共失分', '失分单位'], rows[2]
assert rows[3][0] == '乡镇（考核细则 lingui-2020-township）：考核单位 6 个，其中一票否决 1 个', rows[3]
# Items most units first: 17 first, with its check points under it.
assert rows[4] == ['第 17 项', '生产安全事故', 3, 6, '50%', 12, '两江镇、四塘镇、五通镇'], rows[4]
assert rows[5] == ['17.1', '一般事故起数', 1, 6, '17%', 2, '两江镇'], rows[5]
assert rows[8] == ['17.4', '特别重大事故起数', 0, 6, '0%', 0, None], rows[8]
by_id = {}
section = None
for r in rows[3:]:
    if r[0] and r[0].endswith('个') and r[1] is None:
        section = r[0]
    elif r[0]:
        by_id[(section[:2], r[0])] = r
assert by_id[('乡镇', '第 7 项')][2:6] == [1, 6, '17%', 2], by_id[('乡镇', '第 7 项')]
assert by_id[('乡镇', '7.1')][5] == 2 and by_id[('乡镇', '7.2')][5] == 0.4
assert by_id[('乡镇', '8.3')][1] == '中秋期间安全生产大检查（无通知或方案视未开展）'
assert by_id[('区直', '15.4')][2:] == [1, 8, '13%', 0.4, '区自然资源局'], by_id[('区直', '15.4')]
# Every check point of both rubrics is listed.
assert sum(1 for k in by_id if k[0] == '乡镇' and not k[1].startswith('第')) == 79
# Printable: A4 landscape, the heading row repeated, one page wide.
assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == 'landscape'
assert ws.print_title_rows == '$3:$3', ws.print_title_rows
assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight)
# The chart sheet: the ten check points, each lost by one unit here.
cs = wb['问题汇总图']
top = [[c.value for c in r] for r in cs.iter_rows(min_row=3, max_row=12)]
assert [r[1] for r in top][:3] == ['1.6 图片', '1.7 签到单', '2.4 制定工作措施'], top
assert all(r[2] == 1 and r[3] == 6 for r in top), top
z = zipfile.ZipFile(sys.argv[1])
charts = [n for n in z.namelist() if n.startswith('xl/charts/chart')]
assert len(charts) == 3, charts  # two 得分图 and the 问题汇总图
last = z.read('xl/charts/chart3.xml').decode()
assert "'问题汇总图'!$B$3:$B$12" in last and "'问题汇总图'!$C$3:$C$12" in last, last[:400]
# The JSON section: the same numbers.
d = json.load(open(sys.argv[2]))
s = {r['rubric']: r for r in d['summary']}
t = s['lingui-2020-township']
assert (t['units'], t['vetoed']) == (6, 1)
i17 = t['items'][0]
assert (i17['item'], i17['units'], i17['share'], i17['lost']) == ('17', 3, 50, '12'), i17
assert i17['unit_names'] == ['两江镇', '四塘镇', '五通镇']
c = {c['check']: c for it in t['items'] for c in it['checks']}
assert (c['8.3']['units'], c['8.3']['lost'], c['8.3']['unit_names']) == (1, '0.6', ['临桂镇'])
assert (c['6.3']['units'], c['6.3']['lost']) == (1, '0.6')
assert 'previous_units' not in c['8.3']
# The sheet and the JSON agree check point by check point.
for (sec, cid), r in by_id.items():
    if sec == '乡镇' and not cid.startswith('第'):
        assert (r[2], r[5]) == (c[cid]['units'], float(c[cid]['lost'])), (cid, r, c[cid])
PY
}

# --previous: 两江镇 now has 1.6 (图片), so one unit fewer loses points on
# it than in the earlier run; 1.7 is unchanged.
test_summary_previous() {
    expect_exit 0 "$KAOHE" rank "$TOP/samples" -o "$T/old.xlsx" --json "$T/old.json" -q
    mkdir "$T/in"
    cp "$TOP"/samples/*.csv "$T/in/"
    grep -q '^,,1.6,图片,,,无,' "$T/in/两江镇.csv" || fail "the sample changed: 1.6 of 两江镇"
    sed -i 's/^,,1.6,图片,,,无,/,,1.6,图片,,,有,/' "$T/in/两江镇.csv"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/new.xlsx" --previous "$T/old.json" -q \
        --json "$T/new.json"
    # The JSON says the same as the sheet's 较上年.
    "$PY" - "$T/new.json" <<'PY' || fail "the JSON's summary has no previous_units"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
town = [r for r in s if r["rubric"] == "lingui-2020-township"][0]
assert town["previous_units"] == 6, town
items = {it["item"]: it for it in town["items"]}
checks = {c["check"]: c for it in town["items"] for c in it["checks"]}
assert checks["1.6"]["units"] == 0 and checks["1.6"]["previous_units"] == 1, checks["1.6"]
assert checks["1.7"]["units"] == 1 and checks["1.7"]["previous_units"] == 1, checks["1.7"]
assert items["1"]["previous_units"] == 1, items["1"]
PY
    "$PY" - "$T/new.xlsx" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['问题汇总']
rows = [[c.value for c in r] for r in ws.iter_rows()]
assert rows[2] == ['检查点', '内容', '失分单位数', '考核单位数', '占比', '共失分', '较上年', '失分单位'], rows[2]
town = {}
for r in rows[3:]:
    if r[0] and r[0].startswith('区直'):
        break
    if r[0]:
        town[r[0]] = r
assert town['1.6'][2] == 0 and town['1.6'][6] == '较上年少 1 个单位（上年 1 个）', town['1.6']
assert town['1.7'][2] == 1 and town['1.7'][6] == '与上年相同（1 个）', town['1.7']
assert town['第 1 项'][6] == '与上年相同（1 个）', town['第 1 项']
PY
}

# --report is checked before anything is read or written.
test_report_option_refused() {
    expect_exit 2 "$KAOHE" rank "$TOP/samples" -o "$T/r.xlsx" --report "$T/通报.doc"
    has_text "$T/err" "give a file name ending in .docx"
    [ ! -e "$T/r.xlsx" ] || fail "the ranking was written although --report was wrong"
    expect_exit 2 "$KAOHE" rank "$TOP/samples" -o "$T/r.xlsx" --json "$T/x.docx" --report "$T/x.docx"
    has_text "$T/err" "names another output"
    [ ! -e "$T/r.xlsx" ] && [ ! -e "$T/x.docx" ] || fail "outputs written after a refusal"
    LC_ALL=zh_CN.UTF-8 "$KAOHE" rank "$TOP/samples" -o "$T/r.xlsx" --report "$T/x.txt" 2>"$T/zh" && fail "accepted"
    has_text "$T/zh" "通报是 Word 文档"
}
