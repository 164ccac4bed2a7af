# tests/cli/test_safety.sh - outputs never harm inputs or users
# (reliability items 14-18, tests/README.md): an output path that is an input is refused and
# the input is untouched; formula-like unit names and remarks stay text;
# a ranking killed mid-write leaves the old complete file or the new
# complete one, and no temporary file.

# copy_sample OUT UNIT [REMARK] : samples/临桂镇.csv for another unit with
# check point 1.1 missing (so it has a 扣分明细 row) and REMARK as its 备注;
# written with Python's csv module so any text survives quoting.
copy_sample() {
    "$PY" - "$TOP/samples/临桂镇.csv" "$@" <<'EOF'
import csv, sys
src, out, unit, *rest = sys.argv[1:]
rows = list(csv.reader(open(src, encoding='utf-8-sig', newline='')))
head = None
for r in rows:
    if r and r[0] == '被考核单位':
        r[1] = unit
    if '检查点' in r and '检查结果' in r:
        head = r
    elif head and len(r) == len(head) and r[head.index('检查点')] == '1.1':
        r[head.index('检查结果')] = '无'
        r[head.index('备注')] = rest[0] if rest else ''
with open(out, 'w', encoding='utf-8-sig', newline='') as f:
    csv.writer(f).writerows(rows)
EOF
}

test_output_that_is_an_input_is_refused() {
    mkdir -p "$T/in"
    cp "$TOP/samples/临桂镇.csv" "$TOP/samples/会仙镇.csv" "$T/in/"
    # An .xlsx input to aim -o at.
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit 甲镇 -o "$T/in/甲镇.xlsx"
    cp "$T/in/甲镇.xlsx" "$T/keep.xlsx"
    cp "$T/in/临桂镇.csv" "$T/keep.csv"
    # The same file named directly, through another spelling, through a
    # symbolic link, and as a member of a folder input.
    ln -s "$T/in/甲镇.xlsx" "$T/link.xlsx"
    for out in "$T/in/甲镇.xlsx" "$T/in/./甲镇.xlsx" "$T/in/../in/甲镇.xlsx" "$T/link.xlsx"; do
        expect_exit 2 "$KAOHE" rank "$T/in/甲镇.xlsx" "$T/in/临桂镇.csv" -o "$out"
        has_text "$T/err" "input"
        same_file "$T/keep.xlsx" "$T/in/甲镇.xlsx"
    done
    expect_exit 2 "$KAOHE" rank "$T/in" -o "$T/in/甲镇.xlsx"
    same_file "$T/keep.xlsx" "$T/in/甲镇.xlsx"
    # A CSV input as the ranking: refused, untouched.
    expect_exit 2 "$KAOHE" rank "$T/in" -o "$T/in/临桂镇.csv"
    same_file "$T/keep.csv" "$T/in/临桂镇.csv"
    [ -z "$(find "$T" -name '*.tmp')" ] || fail "temporary files left: $(find "$T" -name '*.tmp')"
}

test_formula_like_names_stay_text() {
    mkdir -p "$T/in"
    copy_sample "$T/in/1.csv" '=1+2' '=HYPERLINK("http://example.com","点我")'
    copy_sample "$T/in/2.csv" '@SUM(A1:A9)' "+cmd|' /C calc'!A0"
    copy_sample "$T/in/3.csv" '-2+3'
    copy_sample "$T/in/4.csv" '=cmd|'"'"' /C calc'"'"'!A0'
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/rank.xlsx"
    "$PY" - "$T/rank.xlsx" <<'EOF'
import sys, zipfile, re, openpyxl
path = sys.argv[1]
wb = openpyxl.load_workbook(path)
names = {'=1+2', '@SUM(A1:A9)', '-2+3', "=cmd|' /C calc'!A0"}
ws = wb['乡镇']
got = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=2).data_type for r in range(4, 8)}
assert set(got) == names, got
assert all(t == 's' for t in got.values()), got
ds = wb['扣分明细']
units = {r[0].value for r in ds.iter_rows(min_row=3)}
assert units == names, units
remarks = {r[7].value for r in ds.iter_rows(min_row=3) if r[3].value == '1.1' and r[7].value}
assert remarks == {'=HYPERLINK("http://example.com","点我")', "+cmd|' /C calc'!A0"}, remarks
assert all(r[7].data_type == 's' for r in ds.iter_rows(min_row=3) if r[7].value)
# The only formulas in the whole workbook are the SUM totals.
z = zipfile.ZipFile(path)
for n in z.namelist():
    if n.startswith('xl/worksheets/sheet'):
        for f in re.findall(r'<f>([^<]*)</f>', z.read(n).decode()):
            assert re.fullmatch(r'SUM\([A-Z]+\d+:[A-Z]+\d+\)', f), (n, f)
EOF
}

# make_many DIR N : N township checklists (copies of a sample, one unit each).
make_many() {
    mkdir -p "$1"
    i=1
    while [ $i -le "$2" ]; do
        sed "s/^被考核单位,临桂镇/被考核单位,单位$i/" "$TOP/samples/临桂镇.csv" >"$1/u$i.csv"
        i=$((i + 1))
    done
}

# The output is the old complete file or a new complete one.
old_or_new() {
    if cmp -s "$T/old.xlsx" "$T/rank.xlsx"; then
        return 0
    fi
    "$PY" - "$T/rank.xlsx" <<'EOF' || fail "rank.xlsx is neither the old nor a complete new file"
import sys, zipfile, openpyxl
assert zipfile.ZipFile(sys.argv[1]).testzip() is None
ws = openpyxl.load_workbook(sys.argv[1], data_only=True)['乡镇']
assert ws.max_row >= 301 + 3, ws.max_row
EOF
}

test_killed_while_writing_leaves_old_or_new_file() {
    make_many "$T/in" 300
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/rank.xlsx"
    cp "$T/rank.xlsx" "$T/old.xlsx"
    # The new run has one unit more, so old and new differ.
    sed "s/^被考核单位,临桂镇/被考核单位,新单位/" "$TOP/samples/临桂镇.csv" >"$T/in/zz.csv"
    # Killed at once and after a while (the workbook is written to an
    # anonymous file, so there is no temporary name to wait for).  Every kill
    # must leave the old or the new file; temporary files left are collected
    # and reported at the end, so that one problem does not hide the other.
    left=
    for delay in 0 0.02 0.05 0.1 0.15 0.2 0.3 0.4 0.5 0.7; do
        "$KAOHE" rank "$T/in" -o "$T/rank.xlsx" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -9 $pid 2>/dev/null || true
        wait $pid 2>/dev/null || true
        old_or_new || fail "after a kill at $delay"
        # A kill -9 in the instant between naming the finished file and
        # renaming it over the old one leaves .rank.xlsx.PID-XXXXXX.tmp of
        # that run; once it is stale, the next run into the folder removes
        # it.  Anything else is a leak.  (PID is the process id kaohe has:
        # under Wine the Windows one, not $pid.)
        for tmp in $(find "$T" -name '*.tmp'); do
            case $(basename "$tmp") in
            .rank.xlsx.[0-9]*-??????.tmp)
                touch -d '1 hour ago' "$tmp"
                expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/rank.xlsx"
                [ ! -e "$tmp" ] || left="$left [kill at $delay: $(basename "$tmp") not swept]" ;;
            *) left="$left [kill at $delay: $(basename "$tmp")]" ;;
            esac
        done
        cp "$T/old.xlsx" "$T/rank.xlsx"
    done
    [ -z "$left" ] || fail "temporary files left after SIGKILL:$left"
}

# Ctrl-C (SIGINT) and SIGTERM end a run without temporary files.  With
# named temporaries (as on Windows, or a file system without O_TMPFILE)
# score -o DIR keeps up to 256 finished scoresheets as hidden .tmp files
# until it syncs them in one go, so a signal lands while they exist.
test_interrupted_run_leaves_no_temporaries() {
    make_many "$T/in" 600
    left=
    for sig in INT TERM; do
        for delay in 0.02 0.05 0.1 0.2; do
            rm -rf "$T/o"
            mkdir "$T/o"
            # env --default-signal: a background job of a script starts
            # with SIGINT ignored; an interactive Ctrl-C does not.
            KAOHE_NO_ANONYMOUS_FILES=1 env --default-signal=INT \
                "$KAOHE" score "$T/in" -o "$T/o" >/dev/null 2>&1 &
            pid=$!
            sleep "$delay"
            kill -s $sig $pid 2>/dev/null || true
            rc=0
            wait $pid || rc=$?
            case "$sig:$rc" in
                INT:130 | TERM:143 | *:0) ;;
                *) fail "SIG$sig at $delay: exit status $rc" ;;
            esac
            tmp=$(find "$T/o" -name '*.tmp' | head -3)
            [ -z "$tmp" ] || left="$left [SIG$sig at $delay: $(basename "$tmp")]"
            # Whatever is in place is complete.
            for f in "$T/o"/*.xlsx; do
                [ -e "$f" ] || continue
                "$PY" -c 'import sys, zipfile; assert zipfile.ZipFile(sys.argv[1]).testzip() is None' "$f" ||
                    fail "SIG$sig at $delay: $f is not a complete workbook"
            done
        done
    done
    [ -z "$left" ] || fail "temporary files left after a signal:$left"
}

# A temporary left by a run that was killed (SIGKILL between naming the
# finished file and renaming it) is removed by the next run writing into
# the folder, once its process is gone and it is ten minutes old; younger
# ones, and those of a running process, stay.
test_temporaries_of_killed_runs_are_removed() {
    mkdir -p "$T/o"
    dead=.临桂镇.xlsx.4999999-aB3xYz.tmp # above any pid_max: no such process
    young=.临桂镇.xlsx.4999999-Qq1234.tmp
    alive=.临桂镇.xlsx.1-Zz9876.tmp       # init is running
    other=.notes.txt.tmp                  # not one of kaohe's
    for f in $dead $young $alive $other; do echo partial >"$T/o/$f"; done
    touch -d '1 hour ago' "$T/o/$dead" "$T/o/$alive" "$T/o/$other"
    expect_exit 0 "$KAOHE" score "$TOP/samples/临桂镇.csv" -o "$T/o"
    [ ! -e "$T/o/$dead" ] || fail "the stale temporary of a dead run was left"
    for f in $young $alive $other; do
        [ -e "$T/o/$f" ] || fail "$f was removed"
    done
    # And the ranking's folder too (its own run, its own sweep).
    echo partial >"$T/o/.排名.xlsx.4999999-abcdef.tmp"
    touch -d '1 hour ago' "$T/o/.排名.xlsx.4999999-abcdef.tmp"
    expect_exit 0 "$KAOHE" rank "$TOP/samples" -o "$T/o/排名.xlsx"
    [ ! -e "$T/o/.排名.xlsx.4999999-abcdef.tmp" ] || fail "stale temporary beside the ranking left"
}
