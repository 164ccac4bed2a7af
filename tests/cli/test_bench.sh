# tests/cli/test_bench.sh - the benchmark's path (make bench) on a tiny
# corpus, and -j / progress.  Nothing here is timed: the benchmark's own
# table is printed, never asserted.

# The floors of the benchmark, built here (make bench builds them in B).
build_floor() {
    cc -std=c11 -D_GNU_SOURCE -O1 $(pkg-config --cflags minizip expat) -o "$T/floor" \
        bench/floor.c $(pkg-config --libs minizip expat)
    cc -std=c11 -D_GNU_SOURCE -O1 $(pkg-config --cflags xlsxwriter) -o "$T/wfloor" \
        bench/write_floor.c $(pkg-config --libs xlsxwriter)
}

# The generator writes the same corpus for the same N and seed.
test_bench_corpus_repeatable() {
    $PY bench/gen.py 12 "$T/a" --jobs 1
    $PY bench/gen.py 12 "$T/b" --jobs 1
    [ "$(ls "$T/a" | grep -c '\.xlsx$')" -eq 6 ] || fail "not half XLSX"
    [ "$(ls "$T/a" | grep -c '\.csv$')" -eq 6 ] || fail "not half CSV"
    for f in "$T"/a/*.csv "$T"/a/*.xlsx; do
        same_file "$f" "$T/b/$(basename "$f")"
    done
    # GB18030 and UTF-8 CSV, townships and departments
    # a GB18030 CSV is not UTF-8 but converts from GB18030 (iconv is in
    # libc-bin, on every Debian; `file` is not)
    gb=0
    for f in "$T"/a/*.csv; do
        if ! iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 &&
            iconv -f GB18030 -t UTF-8 "$f" >/dev/null 2>&1; then
            gb=$((gb + 1))
        fi
    done
    [ "$gb" -gt 0 ] || fail "no GB18030 CSV"
    grep -l 'lingui-2020-township' "$T"/a/*.csv >/dev/null || fail "no township"
    grep -l 'lingui-2020-department' "$T"/a/*.csv >/dev/null || fail "no department"
}

# The halves of the corpus are links that work whatever the corpus was
# called (a relative name made links that pointed nowhere).
test_bench_halves_relative() {
    $PY bench/gen.py 6 "$T/c" --jobs 1
    (cd "$T" && $PY -c 'import sys; sys.path.insert(0, sys.argv[1]); import run; run.csv_half("c")' "$TOP/bench")
    [ "$(ls "$T/c-csv" | grep -c '\.csv$')" -eq 3 ] || fail "not 3 CSV links"
    for f in "$T"/c-csv/*.csv; do
        same_file "$f" "$T/c/$(basename "$f")"
    done
}

# make bench's path, N = 50: every command runs, the peer's results equal
# kaohe's (run.py exits 1 otherwise) and the table is printed.
test_bench_path_tiny() {
    build_floor
    expect_exit 0 $PY bench/run.py --kaohe "$KAOHE" --floor "$T/floor" --write-floor "$T/wfloor" \
        --n 50 --runs 2 --peer-runs 1 --jobs 3 --work "$T/w" --corpus "$T/corpus" \
        --rank-n 30 --rank-runs 1
    has_text "$T/out" "N = 50 checklists"
    # the XLSX half against its floor, the CSV half, the large ranking
    has_text "$T/out" "readers against their floors: .xlsx"
    has_text "$T/out" ".csv, 25 checklists"
    has_text "$T/out" "rank of 30 units (-j 1, 1 runs)"
    has_text "$T/out" "rank of 30 units (-j 3)"
    [ "$(ls "$T/corpus-rank30" | grep -c '\.\(csv\|xlsx\)$')" -eq 30 ] || fail "not 30 units to rank"
    has_text "$T/out" "ranking rows: yes"
    # the .xls reader beside the XLSX one, on the same workbooks saved as .xls
    has_text "$T/out" "readers, 25 checklists each: .xlsx"
    has_text "$T/out" ".xls over .xlsx:"
    has_text "$T/out" ".ods over .xlsx:"
    [ "$(ls "$T/corpus-xls" | grep -c '\.xls$')" -eq 25 ] || fail "not 25 .xls twins"
    for row in "floor" "floor for writing" "kaohe score json -j 1" "kaohe score xlsx -j 1" "kaohe rank -j 1" \
               "peer score json" "peer score xlsx" "peer rank" "kaohe score json -j 3"; do
        has_text "$T/out" "| $row"
    done
    # kaohe's and the peer's totals, read back here as well
    $PY - "$T/w/kaohe.json" "$T/w/peer.json" <<'PYEOF'
import json, sys
k, p = (json.load(open(f, encoding='utf-8')) for f in sys.argv[1:])
kt = [(u['source'], u['total'], u['vetoed']) for u in k['units']]
pt = [(u['source'], u['total'], u['vetoed']) for u in p['units']]
assert len(kt) == 50 - len(k['rejected']) and len(kt) > 40, len(kt)
assert kt == pt, [a for a, b in zip(kt, pt) if a != b][:3]
PYEOF
    [ "$(ls "$T/w/ss-kaohe" | wc -l)" -eq "$(ls "$T/w/ss-peer" | wc -l)" ] || fail "scoresheet counts differ"
    # the writing floor made one workbook per scoresheet; only the last run's outputs are left
    [ "$(ls "$T/w/ss-floor" | wc -l)" -eq "$(ls "$T/w/ss-kaohe" | wc -l)" ] || fail "floor workbooks"
    [ -z "$(ls -d "$T"/w/*.r[0-9]* 2>/dev/null)" ] || fail "runs left: $(ls -d "$T"/w/*.r[0-9]*)"
}

# Scoresheets written on many threads are made with the user's umask, and
# leave it as it was.  (Reading the umask by setting it, on 8 threads at
# once, left the process with 0: files made 0666.)
test_jobs_keep_umask() {
    $PY bench/gen.py 300 "$T/c" --jobs 1
    for run in 1 2 3; do
        (umask 027 && "$KAOHE" score -j 8 -q "$T/c" -o "$T/ss$run" -f xlsx,csv 2>/dev/null) || true
        [ "$(ls "$T/ss$run" | wc -l)" -ge 500 ] || fail "too few scoresheets in run $run"
        bad=$(find "$T/ss$run" -type f ! -perm 640 | head -3)
        [ -z "$bad" ] || fail "not made with umask 027 (-j 8, run $run): $(ls -l $bad)"
    done
}

# Many writing threads under a low open-file limit: every scoresheet is
# still written (threads are fewer rather than files failing).
test_jobs_low_open_file_limit() {
    $PY bench/gen.py 60 "$T/c" --jobs 1
    (ulimit -n 64 && "$KAOHE" score -j 8 "$T/c" -o "$T/ss" -f xlsx,csv) 2>"$T/err" \
        || { cat "$T/err" >&2; fail "kaohe failed with ulimit -n 64"; }
    [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "messages with ulimit -n 64"; }
    [ "$(ls "$T/ss" | grep -c '\.xlsx$')" -eq 60 ] || fail "not 60 workbooks"
    [ "$(ls "$T/ss" | grep -c '\.csv$')" -eq 60 ] || fail "not 60 CSV files"
}

# -j N: the same output, messages and files, in the same order, for any N.
test_jobs_same_output() {
    $PY bench/gen.py 40 "$T/c" --jobs 1
    # a file that cannot be read and a folder without checklists, among the rest
    printf 'not,a,checklist\n' >"$T/c/zz-other.csv"
    mkdir "$T/empty"
    unit=$(ls "$T/c" | grep -m1 '^000003-.*\.csv$' | sed 's/^[0-9]*-//; s/\.csv$//')
    [ -n "$unit" ] || fail "no checklist 000003 in the corpus"
    for j in 1 2 5; do
        "$KAOHE" score -j $j "$T/c" "$T/missing.csv" "$T/empty" --format json -o - \
            >"$T/j$j.json" 2>"$T/j$j.err" && fail "exit 0 with rejected inputs" || true
        # One creation time in every workbook: the files can be compared byte for byte.
        SOURCE_DATE_EPOCH=1700000000 "$KAOHE" rank -j $j "$T/c" -o "$T/r$j.xlsx" \
            --json "$T/r$j.json" 2>/dev/null || true
        mkdir -p "$T/ss$j/$unit.xlsx" # an output that cannot be put in place
        SOURCE_DATE_EPOCH=1700000000 "$KAOHE" score -j $j "$T/c" -o "$T/ss$j" -f xlsx,csv,json \
            2>"$T/ss$j.err" || true
    done
    for j in 2 5; do
        same_file "$T/j1.json" "$T/j$j.json"
        same_file "$T/j1.err" "$T/j$j.err"
        same_file "$T/r1.json" "$T/r$j.json"
        same_file "$T/r1.xlsx" "$T/r$j.xlsx"
        [ "$(ls "$T/ss1")" = "$(ls "$T/ss$j")" ] || fail "scoresheets differ with -j $j"
        for f in "$T/ss1"/*; do
            [ -d "$f" ] || same_file "$f" "$T/ss$j/${f##*/}"
        done
        sed "s|/ss1/|/ss$j/|" "$T/ss1.err" >"$T/ss1-as-$j.err"
        same_file "$T/ss1-as-$j.err" "$T/ss$j.err"
    done
    [ "$(ls "$T/ss1" | wc -l)" -ge 80 ] || fail "too few scoresheets: $(ls "$T/ss1" | wc -l)"
    has_text "$T/ss1.err" "$unit.xlsx: cannot put the finished file in place"
    has_text "$T/j1.err" "missing.csv"
    has_text "$T/j1.err" "zz-other.csv"
    has_text "$T/j1.err" "$T/empty: this folder holds no checklist file (.csv, .xlsx, .xls, .ods)"
    expect_exit 2 "$KAOHE" score -j 0 "$T/c"
    has_text "$T/err" "-j takes a number"
    expect_exit 2 "$KAOHE" score -j x "$T/c"
}

# Progress on standard error only when it is a terminal, never with --quiet.
test_progress_only_on_terminal() {
    $PY bench/gen.py 8 "$T/c" --jobs 1
    "$KAOHE" score "$T/c" --format json -o - >/dev/null 2>"$T/err"
    lacks_text "$T/err" "8/8"
    command -v script >/dev/null || return 0
    script -qec "'$KAOHE' score '$T/c' --format json -o '$T/x.json'" /dev/null >"$T/tty" 2>&1 || true
    has_text "$T/tty" "8/8"
    script -qec "'$KAOHE' score --quiet '$T/c' --format json -o '$T/x.json'" /dev/null >"$T/tty" 2>&1 || true
    lacks_text "$T/tty" "8/8"
}
