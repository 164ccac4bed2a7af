#!/bin/sh
# Replay the fuzz regression inputs (tests/data/regress/TARGET/) and the
# seed corpora through the replay builds of the fuzz targets; print one
# closing line like the other suites.  Usage: tests/fuzz/replay.sh B TARGET...
set -u
B=$1
shift
cd "$(dirname "$0")/../.."
pass=0 failn=0 failed=
for t in "$@"; do
    list=$(mktemp)
    tests/fuzz/seeds.sh "$t" >"$list"
    [ -d "tests/data/regress/$t" ] && echo "tests/data/regress/$t" >>"$list"
    # shellcheck disable=SC2046
    if out=$(tr '\n' '\0' <"$list" | xargs -0 "$B/replay_$t" 2>&1); then
        pass=$((pass + 1))
    else
        failn=$((failn + 1))
        failed="$failed $t"
        printf '%s\n' "$out" | tail -30 | sed 's/^/    /'
    fi
    rm -f "$list"
done
echo "fuzz-replay: $pass passed, $failn failed"
[ "$failn" -eq 0 ] || { echo "failing:$failed"; exit 1; }
