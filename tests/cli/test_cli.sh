# CLI tests: the built binary on samples/ and tests/data/cli/, exit statuses,
# exact JSON, help texts, rubric commands, install.

D=tests/data/cli

test_version_and_help() {
    expect_exit 0 "$KAOHE" --version
    has_text "$T/out" "kaohe 0."
    expect_exit 0 "$KAOHE" --help
    has_text "$T/out" "usage: kaohe COMMAND"
    for c in template score rank rubric; do
        expect_exit 0 "$KAOHE" $c --help
        has_text "$T/out" "usage: kaohe $c"
    done
    expect_exit 2 "$KAOHE" frobnicate
    has_text "$T/err" "unknown command 'frobnicate'"
    expect_exit 2 "$KAOHE" score --no-such-option samples
    expect_exit 2 "$KAOHE" score
    has_text "$T/err" "no input"
    expect_exit 2 "$KAOHE" rank samples
    has_text "$T/err" "missing -o"
}

test_rubric_list_and_show() {
    expect_exit 0 "$KAOHE" rubric list
    has_text "$T/out" "lingui-2020-township	乡镇"
    has_text "$T/out" "lingui-2020-department	区直单位部门"
    expect_exit 0 "$KAOHE" rubric show lingui-2020-township
    has_text "$T/out" "17、年度内是否发生生产安全事故"
    has_text "$T/out" "一般事故起数"
    expect_exit 2 "$KAOHE" rubric show no-such-rubric
    has_text "$T/err" "unknown rubric 'no-such-rubric'"
}

test_rubric_check() {
    expect_exit 0 "$KAOHE" rubric check templates/rubrics/lingui-2020-township.csv templates/rubrics/lingui-2020-department.csv
    # Two problems in one file: both listed with their lines, exit 2.
    sed -e 's/^1,,,1.2,成立领导机构,has,,0.5,,/1,,,1.2,成立领导机构,hass,,0.5,,/' \
        -e 's/^total,40/total,41/' templates/rubrics/lingui-2020-township.csv > "$T/bad.csv"
    expect_exit 2 "$KAOHE" rubric check "$T/bad.csv"
    has_text "$T/err" "$T/bad.csv:8: "
    has_text "$T/err" "hass"
    has_text "$T/err" "41"
}

# The samples score to the totals worked out by hand in samples-expected.tsv.
test_samples_totals_and_ranks() {
    expect_exit 0 "$KAOHE" rank samples -o "$T/r.xlsx" --json "$T/r.json"
    $PY - "$T/r.json" "$D/samples-expected.tsv" <<'PY'
import json, sys
units = {u['unit']: u for u in json.load(open(sys.argv[1]))['units']}
n = 0
for line in open(sys.argv[2], encoding='utf-8'):
    if line.startswith('#') or not line.strip():
        continue
    unit, total, vetoed, rank = line.rstrip('\n').split('\t')
    u = units[unit]
    assert u['total'] == total, (unit, u['total'], total)
    assert u['vetoed'] == (vetoed == 'true'), unit
    assert u['rank'] == (None if rank == 'null' else int(rank)), (unit, u['rank'], rank)
    n += 1
assert n == 14 and len(units) == 14, (n, len(units))
PY
}

# The exact JSON of doc/formats.md §4-5, including escaping of quotes, backslashes,
# line breaks, tabs and control characters, and the rejected inputs.
test_score_json_exact() {
    expect_exit 1 "$KAOHE" score $D/escape.csv $D/bad.csv $D/blank.csv -o -
    same_file $D/expected-score.json "$T/out"
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["units"][0]["unit"]=="区\"应急\"管理局\\测试"' "$T/out"
    # Every rejected message also goes to stderr with its cell.
    has_text "$T/err" "$D/bad.csv!G11: result '也许' for 1.3"
    has_text "$T/err" "$D/bad.csv!G20: result '1.5' for 3.1"
    has_text "$T/err" "$D/bad.csv!C83: 检查点 '16.9'"
}

test_rejected_input_does_not_stop_others() {
    expect_exit 1 "$KAOHE" score $D/bad.csv samples/两江镇.csv
    has_text "$T/out" "两江镇"
    has_text "$T/out" "36.8"
    lacks_text "$T/out" "坏表镇"
}

test_blank_as_missing() {
    expect_exit 1 "$KAOHE" score $D/blank.csv
    has_text "$T/err" "is empty"
    # 1.1 missing 0.02, 1.8 = 0 meetings: short 2 x 0.02 = 0.04; 2.9 - 0.06
    expect_exit 0 "$KAOHE" score --blank-as-missing $D/blank.csv
    has_text "$T/out" "2.84"
}

# Regression: two checklists of one unit crashed (a freed unit was named in
# the second message).  Both are rejected; the others are scored.
test_duplicate_units_rejected() {
    expect_exit 1 "$KAOHE" score $D/dup-a.csv $D/dup-b.csv samples/四塘镇.csv -o -
    $PY - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [u['unit'] for u in d['units']] == ['四塘镇'], d['units']
assert [r['source'] for r in d['rejected']] == ['tests/data/cli/dup-a.csv', 'tests/data/cli/dup-b.csv']
assert 'also in tests/data/cli/dup-b.csv' in d['rejected'][0]['errors_en'][0]
assert '也出现在 tests/data/cli/dup-b.csv 中' in d['rejected'][0]['errors'][0], d['rejected'][0]['errors']
PY
}

# Many copies of one unit: each message names three of the others and
# counts the rest (it listed every other file: n messages of n - 1 names).
test_duplicate_units_many_copies() {
    for i in 1 2 3 4 5 6; do cp samples/两江镇.csv "$T/copy$i.csv"; done
    expect_exit 1 "$KAOHE" score "$T"
    [ "$(grep -c "unit '两江镇' (乡镇) is also in" "$T/err")" -eq 6 ] ||
        fail "want one message per copy"
    has_text "$T/err" "copy1.csv: unit '两江镇' (乡镇) is also in $T/copy2.csv, $T/copy3.csv, $T/copy4.csv and 2 other checklists"
    has_text "$T/err" "copy6.csv: unit '两江镇' (乡镇) is also in $T/copy1.csv, $T/copy2.csv, $T/copy3.csv and 2 other checklists"
}

test_score_csv_to_stdout() {
    expect_exit 0 "$KAOHE" score samples/两江镇.csv -o - --format csv
    # libcsv quotes every field; a BOM first (Excel and WPS then read
    # UTF-8), the office's column names, CRLF line ends.
    [ "$(head -c 3 "$T/out" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "no BOM"
    [ "$(head -n 1 "$T/out")" = $'\xef\xbb\xbf"被考核单位","考核细则","单位类型","来源文件","工作表","考核项目","分值","扣分","得分","扣分原因","合计得分","结果"\r' ] ||
        fail "not the Chinese header: $(head -n 1 "$T/out")"
    has_text "$T/out" '"两江镇","lingui-2020-township","乡镇","samples/两江镇.csv","","1","3","1","2","缺图片、签到单，扣1分；备注：签到单未归档","36.8","正常"'
    [ "$(grep -c $'\r$' "$T/out")" = 18 ] || fail "not CRLF"
    # For scripts: the English names, and no BOM.
    expect_exit 0 "$KAOHE" score samples/两江镇.csv -o - --format csv --csv-header en
    [ "$(head -n 1 "$T/out")" = $'"unit","rubric","unit_type","source","sheet","item","points","deduction","score","reason","total","result"\r' ] ||
        fail "not the English header without a BOM: $(head -n 1 "$T/out" | od -c | head -2)"
    has_text "$T/out" '"两江镇","lingui-2020-township","乡镇","samples/两江镇.csv","","1","3","1","2","缺图片、签到单，扣1分；备注：签到单未归档","36.8","正常"'
    expect_exit 0 "$KAOHE" score samples/两江镇.csv -o - --format csv --csv-header zh
    [ "$(head -c 3 "$T/out" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "no BOM with zh"
    expect_exit 2 "$KAOHE" score samples/两江镇.csv -o - --format csv --csv-header fr
    has_text "$T/err" "--csv-header takes zh (Chinese column names, the default) or en, not 'fr'"
    expect_exit 2 "$KAOHE" score samples/两江镇.csv -o "$T/ss" --csv-header en
    has_text "$T/err" "--csv-header applies to -o - --format csv only"
    expect_exit 2 "$KAOHE" score samples/两江镇.csv -o - --format xlsx
}

test_missing_input_is_rejected() {
    expect_exit 1 "$KAOHE" score no-such-file.csv samples/两江镇.csv
    has_text "$T/err" "no-such-file.csv: cannot open"
    has_text "$T/out" "36.8"
}

test_install_finds_rubrics_by_id() {
    make -s install PREFIX=/usr DESTDIR="$T/root" B="$(dirname "$KAOHE")" >/dev/null
    [ -x "$T/root/usr/bin/kaohe" ] || fail "binary not installed"
    [ -f "$T/root/usr/share/man/man1/kaohe.1" ] || fail "man page not installed"
    (cd "$T" && ./root/usr/bin/kaohe rubric list) > "$T/list"
    has_text "$T/list" "lingui-2020-township"
    has_text "$T/list" "lingui-2020-department"
    cp samples/两江镇.csv "$T/x.csv"
    (cd / && "$T/root/usr/bin/kaohe" score "$T/x.csv") > "$T/score"
    has_text "$T/score" "36.8"
}

# Naming a shipped rubric file again with --rubric is not a second definition;
# another file with the same id is.
test_rubric_option_same_file_and_duplicate_id() {
    expect_exit 0 "$KAOHE" score --rubric templates/rubrics/lingui-2020-township.csv samples/两江镇.csv
    has_text "$T/out" "36.8"
    cp templates/rubrics/lingui-2020-township.csv "$T/copy.csv"
    expect_exit 2 "$KAOHE" score --rubric "$T/copy.csv" samples/两江镇.csv
    has_text "$T/err" "rubric id 'lingui-2020-township' is already defined by"
}

# Regression: a shipped rubric given to template by path was "unknown"
# (its id was already taken by the shipped copy); the file given is used.
test_template_rubric_by_path() {
    expect_exit 0 "$KAOHE" template templates/rubrics/lingui-2020-township.csv -o "$T/t.csv"
    has_text "$T/t.csv" "临桂区2020年度乡（镇）党委政府"
    sed 's/^title,.*/title,改过标题的细则/' templates/rubrics/lingui-2020-township.csv >"$T/mine.csv"
    expect_exit 0 "$KAOHE" template "$T/mine.csv" -o "$T/m.csv"
    has_text "$T/m.csv" "改过标题的细则"
    expect_exit 2 "$KAOHE" template "$T/none.csv" -o "$T/n.csv"
    has_text "$T/err" "cannot open the rubric file"
    [ ! -e "$T/n.csv" ] || fail "an output for a missing rubric"
}

# Regression: a CSV template for a formula-like unit name holds '=1+1 (so
# that a spreadsheet does not run it); read back, the unit was '=1+1.
test_csv_template_formula_like_unit_round_trip() {
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit '=1+1' -o "$T/t.csv"
    has_text "$T/t.csv" "'=1+1"
    expect_exit 0 "$KAOHE" score --blank-as-missing "$T/t.csv" -o -
    $PY - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [u['unit'] for u in d['units']] == ['=1+1'], d['units']
PY
}

# Regression: -o DIR in a folder that does not exist yet failed ("make
# samples" on a fresh clone, where out/ is missing).
test_score_creates_missing_output_folders() {
    expect_exit 0 "$KAOHE" score samples/两江镇.csv -o "$T/a/b/c"
    [ -f "$T/a/b/c/两江镇.xlsx" ] || fail "no scoresheet in $T/a/b/c"
}

# -r reads sub-folders (one per township is common), depth first in name
# order; without it sub-folders are not read.  Hidden folders are skipped.
test_recursive_folders() {
    mkdir -p "$T/in/a-两江镇" "$T/in/b-临桂镇/deeper" "$T/in/.hidden"
    cp samples/两江镇.csv "$T/in/a-两江镇/"
    cp samples/临桂镇.csv "$T/in/b-临桂镇/deeper/"
    cp samples/五通镇.csv "$T/in/.hidden/"
    cp samples/四塘镇.csv "$T/in/"
    expect_exit 0 "$KAOHE" score "$T/in"
    has_text "$T/out" "四塘镇"
    lacks_text "$T/out" "两江镇"
    expect_exit 0 "$KAOHE" score -r "$T/in" -o -
    # name order, sub-folders where they sort: a-两江镇/, b-临桂镇/deeper/, 四塘镇.csv
    $PY -c 'import json,sys; print(" ".join(u["unit"] for u in json.load(open(sys.argv[1]))["units"]))' \
        "$T/out" >"$T/order"
    has_text "$T/order" "两江镇 临桂镇 四塘镇"
    [ "$(wc -w <"$T/order")" -eq 3 ] || fail "not three units: $(cat "$T/order")"
    expect_exit 0 "$KAOHE" rank --recursive "$T/in" -o "$T/r.xlsx"
}

# A folder that yields no checklist file is an error naming it (exit 1);
# the other inputs are scored.
test_empty_folder_is_an_error() {
    mkdir -p "$T/empty/sub"
    cp samples/两江镇.csv "$T/empty/sub/"
    expect_exit 1 "$KAOHE" score "$T/empty" samples/四塘镇.csv
    has_text "$T/err" "$T/empty: this folder holds no checklist file (.csv, .xlsx, .xls, .ods): check the folder name, or give -r"
    has_text "$T/out" "四塘镇"
    expect_exit 0 "$KAOHE" score -r "$T/empty"
    mkdir "$T/void"
    expect_exit 1 "$KAOHE" score -r "$T/void"
    has_text "$T/err" "$T/void: this folder and its sub-folders hold no checklist file"
}

# rank -o X --json X (however spelt) is refused: the JSON would silently
# replace the ranking.  An existing ranking is left as it was.
test_rank_json_over_ranking_refused() {
    mkdir "$T/o"
    expect_exit 2 "$KAOHE" rank samples -o "$T/o/r.xlsx" --json "$T/o/r.xlsx"
    has_text "$T/err" "--json $T/o/r.xlsx names the ranking workbook itself"
    [ ! -e "$T/o/r.xlsx" ] || fail "a file was written"
    printf old >"$T/o/r.xlsx"
    expect_exit 2 "$KAOHE" rank samples -o "$T/o/r.xlsx" --json "$T/o/../o/r.xlsx"
    [ "$(cat "$T/o/r.xlsx")" = old ] || fail "the old file changed"
    expect_exit 0 "$KAOHE" rank samples -o "$T/o/r.xlsx" --json "$T/o/r.json"
}

# A usage error writes nothing: a ranking named .txt is refused before the
# JSON (last year's, kept for --previous) is touched; so is a ranking that
# would overwrite one of the inputs.
test_rank_usage_error_writes_nothing() {
    mkdir "$T/o"
    expect_exit 2 "$KAOHE" rank samples -o "$T/o/out.txt" --json "$T/o/j.json"
    has_text "$T/err" "give a file name ending in .xlsx"
    [ -z "$(ls -A "$T/o")" ] || fail "written on a usage error: $(ls -A "$T/o")"
    printf 'last year' >"$T/o/j.json"
    cp samples/两江镇.csv "$T/o/in.xlsx"
    expect_exit 2 "$KAOHE" rank samples/临桂镇.csv "$T/o/in.xlsx" -o "$T/o/in.xlsx" --json "$T/o/j.json"
    [ "$(cat "$T/o/j.json")" = 'last year' ] || fail "the JSON was replaced on a usage error"
    cmp -s samples/两江镇.csv "$T/o/in.xlsx" || fail "the input was overwritten"
}

# Unit names are compared after NFC with invisible characters removed and
# odd spaces as one space: six visually identical 两江镇 are one unit, so
# all six are duplicates; a unit whose name only carries a zero-width
# space scores under the clean name.
test_invisible_characters_one_unit() {
    mkdir "$T/in"
    $PY - samples/两江镇.csv "$T/in" <<'PY'
import sys
src = open(sys.argv[1], encoding='utf-8-sig').read()
names = ['两江镇', '两江镇\u200b', '\ufeff两江镇', '两\u200d江镇', '两江镇\u00a0', '\u202a两江镇\u202c']
for i, n in enumerate(names):
    open(f'{sys.argv[2]}/{i}.csv', 'w', encoding='utf-8-sig').write(src.replace('被考核单位,两江镇', '被考核单位,' + n, 1))
PY
    expect_exit 1 "$KAOHE" score "$T/in" -o -
    $PY - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d['units'] == [], [u['unit'] for u in d['units']]
assert len(d['rejected']) == 6, d['rejected']
PY
    expect_exit 0 "$KAOHE" score "$T/in/1.csv" -o -
    has_text "$T/out" '"unit": "两江镇",'
}

# Untrusted text stays text on a terminal: a file name with a line break
# and an escape sequence, and a cell with one, are shown escaped; no line
# of standard error is forged.
test_terminal_escapes_untrusted_text() {
    bad="$T/x"$'\n'"kaohe: all inputs scored"$'\e'"]0;pwned"$'\a'".csv"
    printf 'not,a,checklist\n' >"$bad"
    sed 's/,1\.1,学习记录,3,,有,/,1.1,学习记录,3,,有\x1b[2J,/' samples/两江镇.csv >"$T/esc.csv"
    grep -q $'\e' "$T/esc.csv" || fail "no escape in the test file"
    expect_exit 1 "$KAOHE" score "$bad" "$T/esc.csv" samples/四塘镇.csv
    has_text "$T/err" 'x\x0Akaohe: all inputs scored\x1B]0;pwned\x07.csv'
    has_text "$T/err" 'esc.csv!G9: result '"'"'有 [2J'"'"
    ! grep -q '^kaohe: all inputs scored' "$T/err" || fail "a line was forged"
    ! grep -q $'\e' "$T/err" || fail "an escape character reached standard error"
}

# The same file given twice (a folder and a file in it, another spelling,
# a link) is read once with a note, not rejected as a duplicate of itself.
test_same_file_twice_read_once() {
    ln -s "$TOP/samples/两江镇.csv" "$T/link.csv"
    expect_exit 0 "$KAOHE" score samples samples/两江镇.csv ./samples/ "$T/link.csv" -o -
    $PY -c 'import json,sys; u=[x["unit"] for x in json.load(open(sys.argv[1]))["units"]]; assert len(u) == 14 and u.count("两江镇") == 1, u' "$T/out"
    has_text "$T/err" "note: samples/两江镇.csv: the same file as samples/两江镇.csv, given again: read once"
    has_text "$T/err" "note: $T/link.csv: the same file as samples/两江镇.csv, given again: read once"
    # two different files of one unit are still both rejected
    cp samples/两江镇.csv "$T/copy.csv"
    expect_exit 1 "$KAOHE" score samples/两江镇.csv "$T/copy.csv"
    # among many files (the files so far are looked up in a hash that
    # grows): the first, a middle one and the last given again
    mkdir "$T/many"
    for i in $(seq 100 399); do cp samples/两江镇.csv "$T/many/$i.csv"; done
    "$KAOHE" score "$T/many" "$T/many/100.csv" "$T/many/250.csv" "$T/many/399.csv" \
        "$T/copy.csv" -o - >"$T/out" 2>"$T/err" && fail "duplicate units passed"
    [ "$(grep -c 'given again: read once' "$T/err")" = 3 ] || fail "$(grep 'read once' "$T/err")"
    for i in 100 250 399; do
        has_text "$T/err" "$T/many/$i.csv: the same file as $T/many/$i.csv, given again: read once"
    done
}

# "-" reads one checklist from standard input, CSV, XLSX or XLS, opened
# once (the sniffer used to take the first bytes from a pipe); a pipe or
# device named as an input is refused at once, never blocking the others.
test_stdin_and_pipes() {
    cat samples/两江镇.csv | "$KAOHE" score - >"$T/out" 2>"$T/err" || fail "csv on stdin: $(cat "$T/err")"
    has_text "$T/out" "两江镇      乡镇      36.8"  # the rubric by its unit type
    cat samples/xlsx/两江镇.xlsx | "$KAOHE" score - -o - >"$T/out" 2>"$T/err" || fail "xlsx on stdin"
    has_text "$T/out" '"source": "-"'
    has_text "$T/out" '"total": "36.8"'
    mkfifo "$T/fifo"
    cat samples/两江镇.csv | expect_exit 1 timeout 20 "$KAOHE" score /dev/stdin "$T/fifo" samples/四塘镇.csv
    has_text "$T/err" "$T/fifo: this is not a file but a pipe or device: give the checklist file itself, or - to read"
    has_text "$T/err" "/dev/stdin: this is not a file but a pipe or device"
    has_text "$T/out" "四塘镇"
}

# Grade bands (等次): a total exactly on a bound takes that band; a quota is
# never exceeded and a tie at its boundary moves down together; a vetoed
# unit takes the last band; the grade is in the summary, the JSON, the
# ranking (a 等次 column) and the scoresheet.  Townships of samples/:
# 临桂镇 38.9, 会仙镇 38.9, 两江镇 36.8, 四塘镇 34.8, 六塘镇 33.2, 五通镇 vetoed.
test_grades() {
    grades() {
        "$PY" -c 'import json,sys; print(" ".join("%s=%s" % (u["unit"], u["grade"]) for u in json.load(open(sys.argv[1]))["units"] if u["rubric"] == "lingui-2020-township"))' "$1"
    }
    t=lingui-2020-township
    # Bounds inclusive: 36.8 is 良好 at >=36.8; 34.8 合格 at >=34.8.
    expect_exit 0 "$KAOHE" rank samples -o "$T/r.xlsx" --json "$T/r.json" \
        --grades "$t=优秀>=38.9;良好>=36.8;合格>=34.8;不合格"
    [ "$(grades "$T/r.json")" = "临桂镇=优秀 会仙镇=优秀 两江镇=良好 四塘镇=合格 六塘镇=不合格 五通镇=不合格" ] ||
        fail "bands: $(grades "$T/r.json")"
    # 40 % of 5 ranked = 2 优秀: the tied pair fits.  30 % = 1: the pair
    # is tied at the boundary and both move down to 良好.
    expect_exit 0 "$KAOHE" rank samples -o "$T/r.xlsx" --json "$T/r.json" \
        --grades "$t=优秀>=38;良好>=36;合格>=30;不合格" --quota "$t=优秀<=40%"
    [ "$(grades "$T/r.json")" = "临桂镇=优秀 会仙镇=优秀 两江镇=良好 四塘镇=合格 六塘镇=合格 五通镇=不合格" ] ||
        fail "quota 40%: $(grades "$T/r.json")"
    expect_exit 0 "$KAOHE" rank samples -o "$T/r.xlsx" --json "$T/r.json" \
        --grades "$t=优秀>=38;良好>=36;合格>=30;不合格" --quota "$t=优秀<=30%"
    [ "$(grades "$T/r.json")" = "临桂镇=良好 会仙镇=良好 两江镇=良好 四塘镇=合格 六塘镇=合格 五通镇=不合格" ] ||
        fail "quota 30%: $(grades "$T/r.json")"
    # The ranking has a 等次 column after 结果; the 2020 rubrics alone have none.
    "$PY" - "$T/r.xlsx" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['乡镇']
head = [c.value for c in ws[3]]
assert head[-3:] == ['结果', '等次', '来源文件'], head
g = head.index('等次') + 1
rows = {ws.cell(r, 2).value: ws.cell(r, g).value for r in range(4, 10)}
assert rows == {'临桂镇': '良好', '会仙镇': '良好', '两江镇': '良好', '四塘镇': '合格',
                '六塘镇': '合格', '五通镇': '不合格'}, rows
assert head[2] == '传达学习\n（3分）', head[2]
PY
    expect_exit 0 "$KAOHE" rank samples -o "$T/plain.xlsx" --json "$T/plain.json"
    has_text "$T/plain.json" '"grade": null'
    # The summary table and the scoresheet.
    expect_exit 0 "$KAOHE" score samples/临桂镇.csv --grades "$t=优秀>=38;不合格"
    has_text "$T/out" "等次"
    has_text "$T/out" "38.9      正常      优秀"
    expect_exit 0 "$KAOHE" score samples/临桂镇.csv --grades "$t=优秀>=38;不合格" -o "$T/ss"
    "$PY" -c 'import sys, openpyxl; ws = openpyxl.load_workbook(sys.argv[1]).active; assert any(c.value == "共扣1.1分，等次：优秀" for r in ws.iter_rows() for c in r)' "$T/ss/临桂镇.xlsx" ||
        fail "the scoresheet does not give the grade"
    # Refused: a bad band, a quota without bands, an unknown rubric.
    expect_exit 2 "$KAOHE" rank samples -o "$T/x.xlsx" --grades "$t=优秀>=50;不合格"
    has_text "$T/err" "asks for more than the rubric's total"
    expect_exit 2 "$KAOHE" rank samples -o "$T/x.xlsx" --quota "$t=优秀<=30%"
    has_text "$T/err" "has no --grades for the same rubric"
    expect_exit 2 "$KAOHE" rank samples -o "$T/x.xlsx" --grades "nosuch=优秀>=1;不合格"
    has_text "$T/err" "'nosuch', which is not loaded"
    [ ! -e "$T/x.xlsx" ] || fail "a refused run wrote the ranking"
}

# A quota counts the ranked units only: 5 of the 6 townships are ranked
# (五通镇 is vetoed), so 50 % is 2 优秀 (the pair at 38.9), not 3.  A band
# filled exactly to its quota at the end of the list (4 townships, none
# vetoed, 100 %) keeps every unit: nothing moves down, nothing is read past
# the last unit (make asan runs this too).
test_grades_quota_counts_ranked_units() {
    grades() {
        "$PY" -c 'import json,sys; print(" ".join("%s=%s" % (u["unit"], u["grade"]) for u in json.load(open(sys.argv[1]))["units"] if u["rubric"] == "lingui-2020-township"))' "$1"
    }
    t=lingui-2020-township
    expect_exit 0 "$KAOHE" rank samples -o "$T/r.xlsx" --json "$T/r.json" \
        --grades "$t=优秀>=30;不合格" --quota "$t=优秀<=50%"
    [ "$(grades "$T/r.json")" = "临桂镇=优秀 会仙镇=优秀 两江镇=不合格 四塘镇=不合格 六塘镇=不合格 五通镇=不合格" ] ||
        fail "quota 50% of 5 ranked: $(grades "$T/r.json")"
    mkdir "$T/in"
    cp samples/临桂镇.csv samples/会仙镇.csv samples/两江镇.csv samples/四塘镇.csv "$T/in/"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/r.xlsx" --json "$T/r.json" \
        --grades "$t=优秀>=30;不合格" --quota "$t=优秀<=100%"
    [ "$(grades "$T/r.json")" = "临桂镇=优秀 会仙镇=优秀 两江镇=优秀 四塘镇=优秀" ] ||
        fail "quota 100% filled exactly: $(grades "$T/r.json")"
}

# Bands whose bounds are equal, or rise, are refused with the band named,
# in --grades as in a rubric's grades row.
test_grades_equal_bounds_refused() {
    t=lingui-2020-township
    expect_exit 2 "$KAOHE" rank samples -o "$T/x.xlsx" --grades "$t=优秀>=36;良好>=36;不合格"
    has_text "$T/err" "the bound of grade band '良好>=36' is not below the band above it"
    expect_exit 2 "$KAOHE" rank samples -o "$T/x.xlsx" --grades "$t=优秀>=36;良好>=37;不合格"
    has_text "$T/err" "the bound of grade band '良好>=37' is not below the band above it"
    [ ! -e "$T/x.xlsx" ] || fail "a refused run wrote the ranking"
    sed 's/^grades,.*/grades,优秀>=36;良好>=36;不合格/; /^quota,/d' \
        templates/examples/township-graded.csv >"$T/eq.csv"
    expect_exit 2 "$KAOHE" rubric check "$T/eq.csv"
    has_text "$T/err" "the bound of grade band '良好>=36' is not below the band above it"
}

# Grade bands set in the rubric itself (templates/examples/township-graded.csv,
# the township rubric with grades and a 30 % quota of 优秀).
test_grades_from_rubric() {
    mkdir "$T/in"
    for f in samples/临桂镇.csv samples/会仙镇.csv samples/两江镇.csv samples/五通镇.csv; do
        sed 's/^考核细则,lingui-2020-township/考核细则,example-2020-township-graded/' "$f" >"$T/in/$(basename "$f")"
    done
    expect_exit 0 "$KAOHE" rank --rubric templates/examples/township-graded.csv "$T/in" \
        -o "$T/r.xlsx" --json "$T/r.json"
    # 3 ranked, 30 %: no 优秀 at all (0.9 rounds down); the tie at 38.9 is 良好.
    "$PY" -c 'import json,sys; g={u["unit"]: u["grade"] for u in json.load(open(sys.argv[1]))["units"]}; assert g == {"临桂镇": "良好", "会仙镇": "良好", "两江镇": "良好", "五通镇": "不合格"}, g' "$T/r.json" ||
        fail "grades from the rubric"
}

# 制表单位 from the command line, printed under each ranking sheet; the
# option belongs to rank only.
test_rank_issuer() {
    expect_exit 0 "$KAOHE" rank samples -o "$T/r.xlsx" --issuer 临桂区安全生产委员会办公室
    "$PY" - "$T/r.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for name in ('乡镇', '区直单位部门'):
    signs = [c.value for r in wb[name].iter_rows() for c in r
             if isinstance(c.value, str) and c.value.startswith('制表单位：')]
    assert len(signs) == 1 and signs[0].startswith('制表单位：临桂区安全生产委员会办公室 '), signs
PY
    expect_exit 2 "$KAOHE" score samples/两江镇.csv --issuer 某单位
    has_text "$T/err" "option '--issuer' does not apply here"
}
