#!/bin/bash
# Run the test_* functions of every tests/DIR/test_*.sh; print one closing
# line "SUITE: N passed, N failed".  Usage: tests/run-sh.sh DIR
set -u
dir=$1
suite=$(basename "$dir")
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$TOP/$B ;; esac
export TOP KAOHE="$B/kaohe"
# KAOHE_WRAP="valgrind ..." runs every kaohe of the tests under that
# command (make valgrind).  KAOHE then names a folder that mirrors the
# build folder (so tests that use "$(dirname "$KAOHE")" as B still work)
# with a script in place of the binary.
if [ -n "${KAOHE_WRAP:-}" ]; then
    W=$(mktemp -d)
    trap 'rm -rf "$W"' EXIT
    for f in "$B"/*; do
        [ "$(basename "$f")" = kaohe ] || ln -s "$f" "$W/"
    done
    printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$KAOHE_WRAP" "$B/kaohe" >"$W/kaohe"
    chmod +x "$W/kaohe"
    KAOHE=$W/kaohe
fi
# KAOHE_NOT_HERE names a file of "FILE.sh:test_name  reason" lines: tests
# that cannot run on the platform under test (make test-windows lists the
# ones that need Linux itself); they are counted and named, not run.
pass=0 failn=0 failed= notrun=0
# ONLY=serve runs only test_serve*.sh (a quicker loop while working).
for f in "$dir"/test_${ONLY:-}*.sh; do
    [ -e "$f" ] || continue
    for t in $(bash -c ". '$TOP/tests/lib.sh'; . '$f'; declare -F" | awk '{print $3}' | grep '^test_'); do
        if [ -n "${KAOHE_NOT_HERE:-}" ] && grep -q "^$(basename "$f"):$t " "$KAOHE_NOT_HERE"; then
            notrun=$((notrun + 1))
            continue
        fi
        T=$(mktemp -d)
        # A child bash of its own, so that errexit holds inside the test.
        if (cd "$TOP" && T=$T bash -e -c '. tests/lib.sh; . "$1"; "$2"' _ "$f" "$t") >"$T.log" 2>&1; then
            pass=$((pass + 1))
        else
            failn=$((failn + 1))
            failed="$failed $(basename "$f"):$t"
            echo "  FAIL $(basename "$f"): $t"
            sed 's/^/    /' "$T.log" | tail -30
        fi
        rm -rf "$T" "$T.log"
        # FAIL_FAST=1 stops at the first failure (tests/mutants.sh).
        [ "$failn" -eq 0 ] || [ -z "${FAIL_FAST:-}" ] || break 2
    done
done
if [ "$notrun" -gt 0 ]; then
    echo "$suite: $pass passed, $failn failed, $notrun not run here (${KAOHE_NOT_HERE})"
else
    echo "$suite: $pass passed, $failn failed"
fi
[ "$failn" -eq 0 ] || { echo "failing:$failed"; exit 1; }
