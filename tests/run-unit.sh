#!/bin/sh
# Run every cmocka test binary given; print one closing line with the counts.
# Usage: tests/run-unit.sh BUILD_DIR TEST...
set -u
shift
pass=0 fail=0 failed=
for t in "$@"; do
    out=$("$t" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -E '^\[  (FAILED|  ERROR)|^\[  PASSED' | sed "s|^|$(basename "$t"): |"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    pass=$((pass + ${p:-0}))
    if [ "$rc" -ne 0 ]; then
        printf '%s\n' "$out" | grep -vE '^\[ +(OK|RUN) +\]' | tail -30
        fail=$((fail + ${f:-1}))
        failed="$failed $(basename "$t")"
    fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failing:$failed"; exit 1; }
