#!/bin/bash
# Run every input of a fuzz corpus once through the ASan + UBSan targets
# (make fuzz-long: the long campaigns fuzz under UBSan alone for speed, so
# each input they kept is checked for memory errors and leaks here).
# Usage: tests/fuzz/recheck.sh ASAN_BUILD_DIR CORPUS_BUILD_DIR TARGET...
# A finding leaves its input in ASAN_BUILD_DIR/artifacts/TARGET/ and fails.
set -u
A=$1 C=$2
shift 2
cd "$(dirname "$0")/../.."
# A small quarantine: one process runs thousands of inputs, and the default
# 256 MiB quarantine plus fragmentation passes the 2 GiB limit on the
# largest corpora without any input using much memory.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:quarantine_size_mb=16}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "$@"; do
    art=$A/artifacts/$t log=$A/recheck-$t.log
    mkdir -p "$art"
    n=$(find "$C/corpus/$t" -type f | wc -l)
    if "$A/fuzz_$t" -runs=0 -timeout=25 -rss_limit_mb=2048 -artifact_prefix="$art/" \
        "$C/corpus/$t" >"$log" 2>&1; then
        echo "recheck $t: $n inputs of $C/corpus/$t clean under ASan + UBSan"
    else
        grep -E 'ERROR|SUMMARY|runtime error|check failed|Test unit written' "$log" | head -20
        echo "recheck $t: FAILED, log $log, inputs in $art/"
        status=1
    fi
done
exit $status
