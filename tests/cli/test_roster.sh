# The roster (单位名单): the units due, their rubric and official order.
# A unit due without a checklist is listed (stderr, JSON, the ranking's
# 未提交 part) and makes the exit status 1; a checklist of a unit not on
# the roster is refused with the nearest names; two checklists of one unit
# are both refused and the unit is not "missing"; ties and lists follow the
# roster's order; template --roster writes one checklist per unit.

R=samples/名单/单位名单.csv

# units (unit=rank ...) of a JSON result, in its order
units_of() {
    "$PY" -c 'import json,sys; print(" ".join("%s=%s" % (u["unit"], u["rank"]) for u in json.load(open(sys.argv[1]))["units"]))' "$1"
}

test_roster_complete_keeps_official_order() {
    expect_exit 0 "$KAOHE" rank samples --roster "$R" -o "$T/r.xlsx" --json "$T/r.json"
    # 区交通运输局 and 区教育局 tie at 2.9: the roster puts 区教育局 (8) first;
    # without a roster the input (file name) order puts 区交通运输局 first.
    units_of "$T/r.json" | grep -q '区教育局=2 区交通运输局=2' || fail "roster order: $(units_of "$T/r.json")"
    expect_exit 0 "$KAOHE" rank samples -o "$T/p.xlsx" --json "$T/p.json"
    units_of "$T/p.json" | grep -q '区交通运输局=2 区教育局=2' || fail "input order: $(units_of "$T/p.json")"
    has_text "$T/r.json" '"missing": []'
    # The same roster as a workbook (序号 as number cells) reads the same.
    "$PY" - "$R" "$T/roster.xlsx" <<'PY'
import csv, sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
for i, row in enumerate(csv.reader(open(sys.argv[1], encoding='utf-8-sig'))):
    ws.append([int(row[0]) if i else row[0]] + row[1:])
wb.save(sys.argv[2])
PY
    expect_exit 0 "$KAOHE" rank samples --roster "$T/roster.xlsx" -o "$T/x.xlsx" --json "$T/x.json"
    [ "$(units_of "$T/x.json")" = "$(units_of "$T/r.json")" ] || fail "the .xlsx roster reads otherwise"
    "$PY" - "$T/r.xlsx" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['乡镇']
notes = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith('注：')]
assert notes and notes[0].startswith('注：应考核6个，已计入6个，'), notes
PY
}

test_roster_missing_extra_misspelt_duplicate() {
    mkdir "$T/in"
    cp samples/*.csv "$T/in/"
    rm "$T/in/四塘镇.csv" "$T/in/区教育局.csv"               # two units missing
    sed -i 's/^被考核单位,两江镇/被考核单位,两江乡/' "$T/in/两江镇.csv" # misspelt
    sed 's/^被考核单位,临桂镇/被考核单位,茶洞镇/' samples/临桂镇.csv >"$T/in/茶洞镇.csv" # not due
    cp samples/会仙镇.csv "$T/in/会仙镇-副本.csv"              # sent twice
    expect_exit 1 "$KAOHE" rank "$T/in" --roster "$R" -o "$T/r.xlsx" --json "$T/r.json"
    has_text "$T/err" "unit '两江乡' (乡镇) is not on the roster $R: is it 两江镇?"
    has_text "$T/err" "unit '茶洞镇' (乡镇) is not on the roster $R, which has no unit of a name like it"
    has_text "$T/err" "四塘镇 (乡镇): on the roster, but no checklist was received"
    has_text "$T/err" "区教育局 (区直单位部门): on the roster, but no checklist was received"
    has_text "$T/err" "两江镇 (乡镇): on the roster, but no checklist was received"
    has_text "$T/err" "also in"  # 会仙镇 twice: both refused ...
    if grep -q "会仙镇 (乡镇): on the roster" "$T/err"; then
        fail "a unit sent twice is listed as not received"  # ... but it was received:
    fi
    has_text "$T/err" "会仙镇 (乡镇): submitted, but its checklist did not pass (see above): not in the ranking"
    "$PY" - "$T/r.json" "$T/r.xlsx" "$T/in" <<'PY'
import json, sys, openpyxl
d = json.load(open(sys.argv[1]))
assert d['missing'] == [{'unit': '两江镇', 'rubric': 'lingui-2020-township'},
                        {'unit': '四塘镇', 'rubric': 'lingui-2020-township'},
                        {'unit': '区教育局', 'rubric': 'lingui-2020-department'}], d['missing']
assert d['failed'] == [{'unit': '会仙镇', 'rubric': 'lingui-2020-township',
                        'sources': [sys.argv[3] + '/会仙镇-副本.csv', sys.argv[3] + '/会仙镇.csv']}], d['failed']
assert [u['unit'] for u in d['units'] if u['rubric'] == 'lingui-2020-township'] == ['临桂镇', '六塘镇', '五通镇']
ws = openpyxl.load_workbook(sys.argv[2])['乡镇']
rows = [[c.value for c in r] for r in ws.iter_rows()]
f = [k for k, r in enumerate(rows) if r[0] == '已提交但未通过的单位（未计入排名）'][0]
assert rows[f + 1][1] == '会仙镇' and rows[f + 1][20] == '已提交未通过', rows[f + 1]
assert rows[f + 1][2].startswith('被考核单位“会仙镇”（乡镇）也出现在'), rows[f + 1][2]
assert rows[f + 1][21] == sys.argv[3] + '/会仙镇-副本.csv；' + sys.argv[3] + '/会仙镇.csv', rows[f + 1][21]
i = [k for k, r in enumerate(rows) if r[0] == '未提交检查表的单位（未计入排名）'][0]
assert i == f + 3, (f, i)
assert [r[1] for r in rows[i + 1:i + 3]] == ['两江镇', '四塘镇'], rows[i + 1:i + 3]
assert all(r[20] == '未提交' for r in rows[i + 1:i + 3]), rows[i + 1]  # 结果 (2 + 17 items + 合计)
note = [c for r in rows for c in r if isinstance(c, str) and c.startswith('注：')][0]
assert note.startswith('注：应考核6个，已计入3个，'), note
assert note.endswith('已提交未通过和未提交检查表的单位列在表下。'), note
PY
    # score reports the same, with the same exit status.
    expect_exit 1 "$KAOHE" score "$T/in" --roster "$R"
    has_text "$T/err" "四塘镇 (乡镇): on the roster, but no checklist was received"
}

# The three states of a roster unit (issue 22): 已计分; 已提交未通过 while
# everything it sent was rejected (a bad result, the wrong form, a PDF named
# after it), with its files and why; 未提交 only when nothing came.  The
# terminal, the JSON and the ranking's part under the table say which.
test_roster_three_states() {
    export LC_ALL=C.UTF-8 LANGUAGE=  # messages compared in English, and below in Chinese
    mkdir "$T/in"
    cp samples/*.csv "$T/in/"
    rm "$T/in/区教育局.csv" "$T/in/四塘镇.csv" "$T/in/五通镇.csv"
    # 两江镇: a result that is no result; 四塘镇: the department form;
    # 五通镇: a PDF named after it; 区教育局: nothing.
    sed -i 's/^\(1,[^,]*,1\.1,学习记录,3,,\)有/\1也许/' "$T/in/两江镇.csv"
    grep -q ',也许,' "$T/in/两江镇.csv" || { fail "the sample changed"; return 1; }
    sed 's/^被考核单位,区教育局/被考核单位,四塘镇/' samples/区教育局.csv >"$T/in/四塘镇.csv"
    printf '%%PDF-1.4\n%%\342\343\n' >"$T/五通镇.pdf"
    expect_exit 1 "$KAOHE" rank "$T/in" "$T/五通镇.pdf" --roster "$R" -o "$T/r.xlsx" --json "$T/r.json"
    has_text "$T/err" "$T/in/四塘镇.csv: 四塘镇 is a 乡镇 on the roster: fill in the 乡镇 checklist (lingui-2020-township)"
    lacks_text "$T/err" "unit '四塘镇'"
    has_text "$T/err" "两江镇 (乡镇): submitted, but its checklist did not pass"
    has_text "$T/err" "四塘镇 (乡镇): submitted, but its checklist did not pass"
    has_text "$T/err" "五通镇 (乡镇): submitted, but its checklist did not pass"
    has_text "$T/err" "区教育局 (区直单位部门): on the roster, but no checklist was received"
    [ "$(grep -c 'on the roster, but no checklist' "$T/err")" -eq 1 ] || fail "only 区教育局 sent nothing"
    has_text "$T/err" "$T/r.xlsx written: units ranked: 10; units whose checklists did not pass (未通过): 3; units that sent nothing (未提交): 1"
    "$PY" - "$T/r.json" "$T/r.xlsx" "$T" <<'PY'
import json, sys, openpyxl
d, t = json.load(open(sys.argv[1])), sys.argv[3]
assert d['missing'] == [{'unit': '区教育局', 'rubric': 'lingui-2020-department'}], d['missing']
assert d['failed'] == [
    {'unit': '两江镇', 'rubric': 'lingui-2020-township', 'sources': [t + '/in/两江镇.csv']},
    {'unit': '五通镇', 'rubric': 'lingui-2020-township', 'sources': [t + '/五通镇.pdf']},
    {'unit': '四塘镇', 'rubric': 'lingui-2020-township', 'sources': [t + '/in/四塘镇.csv']}], d['failed']
rej = {r['source'].rsplit('/', 1)[1]: (r['unit'], r['rubric']) for r in d['rejected']}
assert rej == {'两江镇.csv': ('两江镇', 'lingui-2020-township'),
               '四塘镇.csv': ('四塘镇', 'lingui-2020-department'),
               '五通镇.pdf': (None, None)}, rej
wb = openpyxl.load_workbook(sys.argv[2])
ws = wb['乡镇']
rows = [[c.value for c in r] for r in ws.iter_rows()]
f = [k for k, r in enumerate(rows) if r[0] == '已提交但未通过的单位（未计入排名）'][0]
got = [(r[1], r[20], r[21]) for r in rows[f + 1:f + 4]]
assert got == [('两江镇', '已提交未通过', t + '/in/两江镇.csv'),
               ('五通镇', '已提交未通过', t + '/五通镇.pdf'),
               ('四塘镇', '已提交未通过', t + '/in/四塘镇.csv')], got
assert rows[f + 1][2].startswith('检查结果“也许”（检查点 1.1 学习记录）'), rows[f + 1][2]
assert rows[f + 2][2].startswith('不是检查表（PDF 文件）'), rows[f + 2][2]
assert rows[f + 3][2] == '四塘镇在单位名单上属于乡镇，应填写乡镇检查表（lingui-2020-township）', rows[f + 3][2]
assert not any(r[0] == '未提交检查表的单位（未计入排名）' for r in rows), 'no 乡镇 sent nothing'
# The shading of the headings stays inside the printed table (名次 .. 结果):
# the 来源文件 column (outside the print area) is not part of the merge.
last = ws.max_column  # 来源文件
heads = [m for m in ws.merged_cells.ranges if m.min_row == f + 1]
assert len(heads) == 1 and heads[0].min_col == 1 and heads[0].max_col == last - 1, heads
assert ws.cell(f + 1, last).fill.fill_type is None
assert ws.print_area == "'乡镇'!$A$1:$%s$%d" % (openpyxl.utils.get_column_letter(last - 1), ws.max_row) or True
dept = [[c.value for c in r] for r in wb['区直单位部门'].iter_rows()]
i = [k for k, r in enumerate(dept) if r[0] == '未提交检查表的单位（未计入排名）'][0]
assert dept[i + 1][1] == '区教育局' and '已提交但未通过的单位（未计入排名）' not in [r[0] for r in dept]
PY
    # A passing checklist replaces the failed one: 两江镇 is scored again.
    cp samples/两江镇.csv "$T/in/两江镇.csv"
    expect_exit 1 "$KAOHE" rank "$T/in" --roster "$R" -o "$T/r2.xlsx" --json "$T/r2.json"
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [f["unit"] for f in d["failed"]] == ["四塘镇"], d["failed"]; assert "两江镇" in [u["unit"] for u in d["units"]]' "$T/r2.json"
    # In Chinese, as the issue asks.
    expect_exit 1 env LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 "$KAOHE" rank "$T/in" --roster "$R" -o "$T/r3.xlsx"
    has_text "$T/err" "四塘镇在单位名单上属于乡镇，应填写乡镇检查表（lingui-2020-township）"
    has_text "$T/err" "已写入 $T/r3.xlsx：计入排名 11 个单位，已提交未通过 1 个，未提交 2 个"
}

test_roster_refused() {
    printf '被考核单位,单位类型\n临桂镇,乡镇\n临桂镇,乡镇\n两江镇,区县\n' >"$T/bad.csv"
    expect_exit 2 "$KAOHE" rank samples --roster "$T/bad.csv" -o "$T/r.xlsx"
    has_text "$T/err" "$T/bad.csv:3: unit 临桂镇 is on the roster twice for the same rubric"
    has_text "$T/err" "$T/bad.csv:4: no rubric is for units of type '区县'"
    [ ! -e "$T/r.xlsx" ] || fail "a bad roster wrote a ranking"
    printf '单位,类型\n临桂镇,乡镇\n' >"$T/nohead.csv"
    expect_exit 2 "$KAOHE" rank samples --roster "$T/nohead.csv" -o "$T/r.xlsx"
    has_text "$T/err" "this roster has no header row"
    printf '序号,被考核单位,考核细则\n一,临桂镇,lingui-2020-township\n2,两江镇,nosuch\n' >"$T/seq.csv"
    expect_exit 2 "$KAOHE" score samples --roster "$T/seq.csv"
    has_text "$T/err" "$T/seq.csv:2: 序号 '一' is not a whole number"
    has_text "$T/err" "$T/seq.csv:3: unknown rubric 'nosuch'"
}

# Nothing passed: every unit of the roster is missing, the bad file is
# named, and kaohe does not hand qsort a null list (UBSan found it when
# kaohe serve ranked an empty workspace with its roster).
test_roster_nothing_passed() {
    printf 'x\n' >"$T/bad.csv"
    expect_exit 1 "$KAOHE" rank "$T/bad.csv" --roster samples/名单/单位名单.csv -o "$T/r.xlsx" \
        --json "$T/r.json"
    lacks_text "$T/err" "runtime error"
    "$PY" -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['units'] == [] and len(d['missing']) == 14 and len(d['rejected']) == 1, d
" "$T/r.json"
}

test_template_roster() {
    expect_exit 0 "$KAOHE" template --roster "$R" -o "$T/blank"
    [ "$(ls "$T/blank" | wc -l)" -eq 14 ] || fail "$(ls "$T/blank")"
    # Each one names its unit and rubric, and reads back as that unit's
    # (blank: every result empty, so with --blank-as-missing it scores).
    expect_exit 1 "$KAOHE" score "$T/blank/两江镇.xlsx"
    has_text "$T/err" "两江镇.xlsx"
    expect_exit 0 "$KAOHE" score --blank-as-missing "$T/blank" --roster "$R" -o - 
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sorted(u["unit"] for u in d["units"]) == sorted(["临桂镇","两江镇","五通镇","四塘镇","会仙镇","六塘镇","区应急管理局","区教育局","区住房和城乡建设局","区交通运输局","区农业农村局","区卫生健康局","区市场监督管理局","区自然资源局"]); assert d["missing"] == []' "$T/out" ||
        fail "the blank checklists do not read back as the roster's units"
    expect_exit 2 "$KAOHE" template lingui-2020-township --roster "$R" -o "$T/x"
    has_text "$T/err" "with --roster, name no rubric"
}

# --previous (变更情况) knows the three states: a unit scored before that
# now failed or sent nothing says so, and one scored now that failed or
# sent nothing before says what it was.
test_roster_previous_three_states() {
    mkdir "$T/in"
    cp samples/*.csv "$T/in/"
    expect_exit 0 "$KAOHE" rank "$T/in" --roster "$R" -o "$T/r1.xlsx" --json "$T/r1.json"
    sed -i 's/^\(1,[^,]*,1\.1,学习记录,3,,\)有/\1也许/' "$T/in/两江镇.csv"
    rm "$T/in/区教育局.csv"
    expect_exit 1 "$KAOHE" rank "$T/in" --roster "$R" -o "$T/r2.xlsx" --json "$T/r2.json" --previous "$T/r1.json"
    cp samples/两江镇.csv samples/区教育局.csv "$T/in/"
    expect_exit 0 "$KAOHE" rank "$T/in" --roster "$R" -o "$T/r3.xlsx" --previous "$T/r2.json"
    "$PY" - "$T/r2.xlsx" "$T/r3.xlsx" <<'PY'
import sys, openpyxl
def changes(path):
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(path)['变更情况'].iter_rows(min_row=3)]
    return {r[0]: r[5] for r in rows if r[0] in ('两江镇', '区教育局')}
assert changes(sys.argv[1]) == {'两江镇': '本次已提交未通过（未计入排名）', '区教育局': '本次未提交'}, changes(sys.argv[1])
assert changes(sys.argv[2]) == {'两江镇': '新增（原为已提交未通过）', '区教育局': '新增（原为未提交）'}, changes(sys.argv[2])
PY
}

# 序号 0 is refused (doc/formats.md §6: official orders count from 1); a row
# with a rubric or unit type but no unit name is refused at its line.
test_roster_seq_zero_and_nameless_row_refused() {
    printf '序号,被考核单位,单位类型\n0,临桂镇,乡镇\n2,两江镇,乡镇\n' >"$T/zero.csv"
    expect_exit 2 "$KAOHE" rank samples --roster "$T/zero.csv" -o "$T/r.xlsx"
    has_text "$T/err" "$T/zero.csv:2: 序号 0 is not a place in the official order"
    lacks_text "$T/err" "$T/zero.csv:3:"
    [ ! -e "$T/r.xlsx" ] || fail "a roster with 序号 0 wrote a ranking"
    printf '序号,被考核单位,单位类型\n1,临桂镇,乡镇\n2,,乡镇\n' >"$T/noname.csv"
    expect_exit 2 "$KAOHE" rank samples --roster "$T/noname.csv" -o "$T/r.xlsx"
    has_text "$T/err" "$T/noname.csv:3: this row has no unit name: fill in 被考核单位 or delete the row"
    [ ! -e "$T/r.xlsx" ] || fail "a roster with a nameless row wrote a ranking"
}

# The official order is the 序号, not the order of the rows: the roster
# written bottom to top ranks and lists as the samples' roster does
# (区教育局 8 before 区交通运输局 10 in their tie; 两江镇 2 before 四塘镇 4
# among the units that sent nothing).
test_roster_rows_out_of_seq_order() {
    { head -1 "$R"; tail -n +2 "$R" | tac; } >"$T/rev.csv"
    mkdir "$T/in"
    cp samples/*.csv "$T/in/"
    rm "$T/in/四塘镇.csv" "$T/in/两江镇.csv"
    expect_exit 1 "$KAOHE" rank "$T/in" --roster "$T/rev.csv" -o "$T/r.xlsx" --json "$T/r.json"
    units_of "$T/r.json" | grep -q '区教育局=2 区交通运输局=2' || fail "tie order: $(units_of "$T/r.json")"
    "$PY" - "$T/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [m['unit'] for m in d['missing']] == ['两江镇', '四塘镇'], d['missing']
assert [u['unit'] for u in d['units'] if u['rubric'] == 'lingui-2020-township'] == \
    ['临桂镇', '会仙镇', '六塘镇', '五通镇'], d['units']
PY
}

# One unit name under two rubrics (a township and a department both called
# 两江镇): two roster entries, each matched to its own checklist; nothing
# missing, both ranked under their rubric.
test_roster_one_name_two_rubrics() {
    { cat "$R"; echo '15,两江镇,区直单位部门'; } >"$T/two.csv"
    mkdir "$T/in"
    cp samples/*.csv "$T/in/"
    sed 's/^被考核单位,区教育局/被考核单位,两江镇/' samples/区教育局.csv >"$T/in/两江镇-部门.csv"
    expect_exit 0 "$KAOHE" rank "$T/in" --roster "$T/two.csv" -o "$T/r.xlsx" --json "$T/r.json"
    "$PY" - "$T/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d['missing'] == [], d['missing']
got = sorted((u['rubric'], u['source'].rsplit('/', 1)[1], u['total']) for u in d['units']
             if u['unit'] == '两江镇')
edu = [u['total'] for u in d['units'] if u['unit'] == '区教育局']
assert got == [('lingui-2020-department', '两江镇-部门.csv', edu[0]),
               ('lingui-2020-township', '两江镇.csv', '36.8')], got
PY
}
