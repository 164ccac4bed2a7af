#!/bin/bash
# Run libFuzzer targets for a while each (make fuzz).
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
# FUZZ_MAXLEN=N caps the input size (default 64 KiB for csv, 256 KiB for
# the zip targets); smaller inputs run many times faster.
#
# Each target fuzzes BUILD_DIR/corpus/TARGET (kept between runs), seeded
# from tests/fuzz/seeds.sh TARGET.  A crash, leak, timeout (25 s) or
# out-of-memory (2 GiB) leaves its input in BUILD_DIR/artifacts/TARGET/ and
# fails the run: minimise it (BUILD_DIR/fuzz_TARGET -minimize_crash=1 FILE),
# fix the bug and keep the input in tests/data/regress/TARGET/ so that make
# test replays it.  Executions per run are appended to
# BUILD_DIR/fuzz-stats.tsv (date, target, seconds, executions).
set -u
B=$1 secs=$2
shift 2
cd "$(dirname "$0")/../.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/fuzz/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "$@"; do
    corpus=$B/corpus/$t seeds=$B/seeds/$t art=$B/artifacts/$t
    mkdir -p "$corpus" "$art"
    rm -rf "$seeds" && mkdir -p "$seeds"
    tests/fuzz/seeds.sh "$t" | while IFS= read -r f; do
        cp "$f" "$seeds/$(printf '%s' "$f" | tr '/' '_')"
    done
    case $t in
    csv) max=65536 dict=tests/fuzz/csv.dict ;;
    xls) max=262144 dict=tests/fuzz/xls.dict ;;
    *) max=262144 dict=tests/fuzz/xlsx.dict ;;
    esac
    max=${FUZZ_MAXLEN:-$max}
    log=$B/fuzz-$t.log
    echo "fuzz $t: ${secs}s, corpus $corpus"
    "$B/fuzz_$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -max_len="$max" \
        -dict="$dict" -artifact_prefix="$art/" -print_final_stats=1 "$corpus" "$seeds" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$secs" "${execs:-0}" >>"$B/fuzz-stats.tsv"
    total=$(awk -F'\t' -v t="$t" '$2 == t { n += $4 } END { print n + 0 }' "$B/fuzz-stats.tsv")
    echo "fuzz $t: ${execs:-0} executions ($total in all runs in $B)"
    if [ "$rc" -ne 0 ]; then
        grep -E 'ERROR|SUMMARY|runtime error|check failed|Test unit written' "$log" | head -20
        echo "fuzz $t: FAILED (exit $rc), log $log, inputs in $art/"
        status=1
    fi
done
exit $status
