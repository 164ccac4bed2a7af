# Corrections and appeals on record: every check point's result and cell
# in the JSON; where every number came from (each input's and rubric's
# SHA-256, size, time, kaohe's version: JSON provenance and the 来源 sheet);
# rank --previous compares with an earlier result (变更情况).

test_json_checks_and_provenance() {
    mkdir "$T/samples"
    cp samples/两江镇.csv samples/区教育局.csv "$T/samples/"
    touch -d '2020-12-03 08:30:15 UTC' "$T/samples/两江镇.csv"
    cd "$T"
    expect_exit 0 "$KAOHE" rank samples/两江镇.csv samples/区教育局.csv -o "$T/r.xlsx" --json "$T/r.json"
    sha_in=$(sha256sum samples/两江镇.csv | cut -d' ' -f1)
    sha_rub=$(sha256sum "$TOP/templates/rubrics/lingui-2020-township.csv" | cut -d' ' -f1)
    size_in=$(stat -c %s samples/两江镇.csv)
    "$PY" - "$T/r.json" "$sha_in" "$size_in" "$sha_rub" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
u = [x for x in d['units'] if x['unit'] == '两江镇'][0]
c = {x['check']: x for x in u['checks']}
# 两江镇 has 图片 and 签到单 missing (1.6, 1.7) and one meeting of two (3.1).
assert c['1.6'] == {'check': '1.6', 'result': '无', 'cell': 'G14'}, c['1.6']
assert c['1.1']['result'] == '有' and c['3.1']['result'] == 1, (c['1.1'], c['3.1'])
assert len(u['checks']) == 79, len(u['checks'])  # the township rubric's check points
p = d['provenance']
assert p['kaohe'] == '0.2.0' and p['created'].endswith('Z'), p
i = [x for x in p['inputs'] if x['file'] == 'samples/两江镇.csv'][0]
assert i['sha256'] == sys.argv[2] and i['size'] == int(sys.argv[3]), i
# The file's time as the file system has it (touch -d above), in UTC.
assert i['modified'] == '2020-12-03T08:30:15Z', i
r = [x for x in p['rubrics'] if x['id'] == 'lingui-2020-township'][0]
assert r['sha256'] == sys.argv[4], r
PY
    # The 来源 sheet has the same digests.
    "$PY" - "$T/r.xlsx" "$sha_in" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames[-1] == '来源', wb.sheetnames
ws = wb['来源']
assert ws['A1'].value == '临桂区2020年度安全生产工作考核排名表来源', ws['A1'].value
assert ws['A2'].value.startswith('本排名表由 kaohe 0.2.0 于 '), ws['A2'].value
rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
assert ['检查表', 'samples/两江镇.csv', sys.argv[2]] in [r[:3] for r in rows], rows
assert any(r[0] == '考核细则（乡镇）' and len(r[2]) == 64 for r in rows), rows
PY
}

# An appeal: after 复核 one result is corrected and one unit renamed; the
# new ranking's 变更情况 sheet lists the changed unit with the check point
# old -> new and its cell, the unit added and the one no longer there.
test_previous_after_a_correction() {
    mkdir "$T/in"
    cp samples/*.csv "$T/in/"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r1.xlsx" --json "$T/r1.json"
    sed -i 's/^,,13.2,签到单,,,无,.*/,,13.2,签到单,,,有,复核后补交/' "$T/in/四塘镇.csv"
    sed -i 's/^被考核单位,会仙镇/被考核单位,会仙乡/' "$T/in/会仙镇.csv"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r2.xlsx" --previous "$T/r1.json"
    "$PY" - "$T/r2.xlsx" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['变更情况']
rows = [r for r in ws.iter_rows(min_row=3, values_only=True)]
assert ('四塘镇', 'lingui-2020-township', '34.8 → 35', '4 → 4', '— → —',
        '13.2 签到单：无 → 有（G67）') in rows, rows
assert any(r[0] == '会仙乡' and r[5] == '新增' for r in rows), rows
assert any(r[0] == '会仙镇' and r[2] == '38.9 → —' and r[5].startswith('不再列入') for r in rows), rows
# Nothing else changed (the ranks of the others stayed).
assert len(rows) == 3, rows
PY
    # The same result compared with itself: 无变化.
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r3.xlsx" --json "$T/r3.json"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r4.xlsx" --previous "$T/r3.json"
    "$PY" -c 'import sys, openpyxl; assert openpyxl.load_workbook(sys.argv[1])["变更情况"]["A3"].value == "无变化"' "$T/r4.xlsx" ||
        fail "a run compared with itself shows changes"
}

# Last year's result (another rubric): only the share of full points and
# the rank, old -> new.
test_previous_other_rubric() {
    expect_exit 0 "$KAOHE" rank samples -o "$T/r1.xlsx" --json "$T/r1.json"
    sed 's/"rubric": "lingui-2020-township"/"rubric": "lingui-2019-township"/; s/"max": "40"/"max": "50"/' \
        "$T/r1.json" >"$T/last-year.json"
    expect_exit 0 "$KAOHE" rank samples -o "$T/r2.xlsx" --previous "$T/last-year.json"
    "$PY" - "$T/r2.xlsx" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['变更情况']
rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
r = rows['两江镇']
assert r[2] == '36.8/50（73.6%） → 36.8/40（92.0%）', r
assert r[3] == '3 → 3', r
assert r[5] == '考核细则不同（原为 lingui-2019-township）：只比较得分率和名次', r
assert '区教育局' not in rows  # same rubric, nothing changed
PY
}

test_previous_refused() {
    echo 'not json' >"$T/bad.json"
    expect_exit 2 "$KAOHE" rank samples -o "$T/r.xlsx" --previous "$T/bad.json"
    has_text "$T/err" "this is not a result kaohe wrote"
    [ ! -e "$T/r.xlsx" ] || fail "a refused run wrote the ranking"
    expect_exit 2 "$KAOHE" rank samples -o "$T/r.xlsx" --previous "$T/missing.json"
    has_text "$T/err" "cannot open the earlier result"
}

# The rows of 变更情况 as tuples (unit, rubric, total, rank, grade, checks).
changes_of() {
    "$PY" - "$1" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['变更情况']
for r in ws.iter_rows(min_row=3, values_only=True):
    print('|'.join('' if c is None else str(c) for c in r))
PY
}

# A unit left out of the new run moves the ranks of those below it: each
# unit whose rank alone changed is listed (两江镇 3 → 2), the one left out
# says 未参加本次排名.  Grades given for the first time (the earlier run had
# none): every unit's new grade is listed, — → 优秀.
test_previous_rank_or_grade_alone() {
    mkdir "$T/in"
    cp samples/*.csv "$T/in/"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r1.xlsx" --json "$T/r1.json"
    rm "$T/in/会仙镇.csv"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r2.xlsx" --previous "$T/r1.json"
    changes_of "$T/r2.xlsx" >"$T/rows"
    cat >"$T/want" <<'EOF2'
两江镇|lingui-2020-township|36.8 → 36.8|3 → 2|— → —|
四塘镇|lingui-2020-township|34.8 → 34.8|4 → 3|— → —|
六塘镇|lingui-2020-township|33.2 → 33.2|5 → 4|— → —|
会仙镇|lingui-2020-township|38.9 → —|1 → 未参加本次排名|— → —|不再列入（本次没有该单位）
EOF2
    same_file "$T/want" "$T/rows"
    cp samples/会仙镇.csv "$T/in/"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r3.xlsx" --previous "$T/r1.json" \
        --grades "lingui-2020-township=优秀>=38;良好>=36;不合格"
    changes_of "$T/r3.xlsx" >"$T/rows"
    cat >"$T/want" <<'EOF2'
临桂镇|lingui-2020-township|38.9 → 38.9|1 → 1|— → 优秀|
会仙镇|lingui-2020-township|38.9 → 38.9|1 → 1|— → 优秀|
两江镇|lingui-2020-township|36.8 → 36.8|3 → 3|— → 良好|
四塘镇|lingui-2020-township|34.8 → 34.8|4 → 4|— → 不合格|
六塘镇|lingui-2020-township|33.2 → 33.2|5 → 5|— → 不合格|
五通镇|lingui-2020-township|34 → 34|一票否决 → 一票否决|— → 不合格|
EOF2
    same_file "$T/want" "$T/rows"
}

# A unit vetoed in the earlier run says so whether it is still there (一票否决
# → 一票否决, with what changed) or gone (一票否决 → 未参加本次排名, its old grade
# 不合格 → —), never a bare — → —.
test_previous_vetoed_unit() {
    g="lingui-2020-township=优秀>=38;良好>=36;不合格"
    mkdir "$T/in"
    cp samples/*.csv "$T/in/"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r1.xlsx" --json "$T/r1.json" --grades "$g"
    sed -i 's/^,,13.2,签到单,,,有,/,,13.2,签到单,,,无,/' "$T/in/五通镇.csv"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r2.xlsx" --previous "$T/r1.json" --grades "$g"
    changes_of "$T/r2.xlsx" >"$T/rows"
    echo '五通镇|lingui-2020-township|34 → 33.8|一票否决 → 一票否决|不合格 → 不合格|13.2 签到单：有 → 无（G67）' >"$T/want"
    same_file "$T/want" "$T/rows"
    rm "$T/in/五通镇.csv"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r3.xlsx" --previous "$T/r1.json" --grades "$g"
    changes_of "$T/r3.xlsx" >"$T/rows"
    echo '五通镇|lingui-2020-township|34 → —|一票否决 → 未参加本次排名|不合格 → —|不再列入（本次没有该单位；原为一票否决）' >"$T/want"
    same_file "$T/want" "$T/rows"
}
