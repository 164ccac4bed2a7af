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
    has_text "$T/err" "unit '两江乡' (lingui-2020-township) is not on the roster $R: is it 两江镇?"
    has_text "$T/err" "unit '茶洞镇' (lingui-2020-township) is not on the roster $R, which has no unit of a name like it"
    has_text "$T/err" "四塘镇 (lingui-2020-township): on the roster, but no checklist was received"
    has_text "$T/err" "区教育局 (lingui-2020-department): on the roster, but no checklist was received"
    has_text "$T/err" "两江镇 (lingui-2020-township): on the roster, but no checklist was received"
    has_text "$T/err" "also in"  # 会仙镇 twice: both refused ...
    if grep -q "会仙镇 (lingui-2020-township): on the roster" "$T/err"; then
        fail "a unit sent twice is listed as not received"  # ... but it was received
    fi
    "$PY" - "$T/r.json" "$T/r.xlsx" <<'PY'
import json, sys, openpyxl
d = json.load(open(sys.argv[1]))
assert d['missing'] == [{'unit': '两江镇', 'rubric': 'lingui-2020-township'},
                        {'unit': '四塘镇', 'rubric': 'lingui-2020-township'},
                        {'unit': '区教育局', 'rubric': 'lingui-2020-department'}], d['missing']
assert [u['unit'] for u in d['units'] if u['rubric'] == 'lingui-2020-township'] == ['临桂镇', '六塘镇', '五通镇']
ws = openpyxl.load_workbook(sys.argv[2])['乡镇']
rows = [[c.value for c in r] for r in ws.iter_rows()]
i = [k for k, r in enumerate(rows) if r[0] == '未提交检查表的单位（未计入排名）'][0]
assert [r[1] for r in rows[i + 1:i + 3]] == ['两江镇', '四塘镇'], rows[i + 1:i + 3]
assert all(r[20] == '未提交' for r in rows[i + 1:i + 3]), rows[i + 1]  # 结果 (2 + 17 items + 合计)
note = [c for r in rows for c in r if isinstance(c, str) and c.startswith('注：')][0]
assert note.startswith('注：应考核6个，已计入3个，'), note
assert note.endswith('未提交检查表的单位列在表下。'), note
PY
    # score reports the same, with the same exit status.
    expect_exit 1 "$KAOHE" score "$T/in" --roster "$R"
    has_text "$T/err" "四塘镇 (lingui-2020-township): on the roster, but no checklist was received"
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
