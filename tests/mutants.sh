#!/bin/bash
# tests/mutants.sh - how many small, plausible bugs the fast tests catch.
#
# Each line of tests/mutants.txt is one mutant: FILE, the exact text to find
# in it (it must occur once; \n stands for a line break), its replacement
# and a one-line description, separated by tabs; an optional fifth field
# names the CLI test file expected to kill it (year for test_year.sh), run
# before the others so that a killed mutant dies early (the verdict does
# not depend on it: a mutant survives only the whole suite).  The script copies the tree (the files git knows, plus
# new ones not ignored) to a temporary folder, never touching the work tree,
# builds it and runs the fast tests once unchanged (they must pass); then for
# each mutant: applies it to the copy, builds, runs the unit tests and the
# CLI suite (stopping at the first failure), records killed or survived,
# and puts the file back.  It ends with the kill rate and the survivors.
#
# Usage: tests/mutants.sh [PATTERN]      (make mutants)
#   PATTERN           only the mutants whose "N FILE DESCRIPTION" matches
#                     (grep -E), e.g. tests/mutants.sh roster
#   MUTANTS=FILE      another list
#   MUTANTS_ASAN=1    build the copy with ASan + UBSan (as make asan): a
#                     mutant reading past an array is killed even when the
#                     read happens to give a harmless value
#   MUTANTS_GOAL=90   the kill rate (%) below which the exit status is 1
#   KEEP=1            keep the copy (its path is printed)
#   MUTANTS_BASELINE=0  skip the run of the unchanged tree (only right after
#                     the fast tests passed on this very tree)
# Exit status 0 when every mutant applied, built and the goal is met; 1
# otherwise; 2 when the unchanged tree fails its tests.  Slow: a build and
# up to the whole CLI suite per mutant; 34 mutants took 35 minutes on a
# shared 2-core machine, a survivor alone 10 (the whole suite).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
LIST=${MUTANTS:-$TOP/tests/mutants.txt}
PAT=${1:-}
GOAL=${MUTANTS_GOAL:-90}
W=$(mktemp -d "${TMPDIR:-/tmp}/kaohe-mutants.XXXXXX")
if [ -n "${KEEP:-}" ]; then
    echo "mutants: the copy is $W"
else
    trap 'rm -rf "$W"' EXIT
fi

(cd "$TOP" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$W" ||
    { echo "mutants: cannot copy the tree to $W" >&2; exit 2; }

MAKEARGS=(B=build)
if [ -n "${MUTANTS_ASAN:-}" ]; then
    MAKEARGS+=(OPT=-O1 "SAN=-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all")
    export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
    export LSAN_OPTIONS=suppressions=$W/tests/fuzz/lsan.supp
fi
UNITS=$(cd "$W" && ls tests/test_*.c | sed 's|^tests/|build/|; s|\.c$||')

build() {
    # shellcheck disable=SC2086
    (cd "$W" && nice make -s -j2 "${MAKEARGS[@]}" all $UNITS) >"$W/.build.log" 2>&1
}

# unit TEST...: run these unit test binaries; prints the first that fails.
unit() {
    for t in "$@"; do
        (cd "$W" && timeout 600 nice "./$t") >"$W/.unit.log" 2>&1 || { basename "$t"; return 1; }
    done
}

# fast_tests [FIRST]: the fast tests on the copy; prints what failed first,
# status 0 when all passed.  So that most mutants die early: the unit tests
# over a minute (SLOW) run last, and FIRST (a CLI test file's prefix, the
# list's fifth field) before the CLI suite.
SLOW="build/test_alloc_fail build/test_template_out"
fast_tests() {
    # shellcheck disable=SC2046
    unit $(printf '%s\n' $UNITS | grep -vxF "$(printf '%s\n' $SLOW)") || return 1
    if [ -n "${1:-}" ]; then cli "$1" || return 1; fi
    cli "" || return 1
    # shellcheck disable=SC2086
    unit $SLOW
}

# cli PREFIX: the CLI tests tests/cli/test_PREFIX*.sh (all when empty),
# stopping at the first failure, which it prints.
cli() {
    if [ -n "$1" ] && ! ls "$W/tests/cli/test_$1"*.sh >/dev/null 2>&1; then
        echo "no CLI test file test_$1*.sh" >&2
        return 0
    fi
    if ! (cd "$W" && ONLY=$1 FAIL_FAST=1 B=build timeout 1800 nice tests/run-sh.sh tests/cli) >"$W/.cli.log" 2>&1; then
        sed -n 's/^  FAIL \(.*\): \(.*\)/\1:\2/p' "$W/.cli.log" | head -1 | grep . || echo "cli (timeout)"
        return 1
    fi
}

# apply FILE FIND REPLACE: replace the one occurrence of FIND in FILE.
apply() {
    python3 - "$W/$1" "$2" "$3" <<'PY'
import sys
path, find, repl = sys.argv[1:]
# "\n" in the list stands for a line break (a mutant over two lines).
find, repl = find.replace('\\n', '\n'), repl.replace('\\n', '\n')
text = open(path, encoding='utf-8').read()
n = text.count(find)
if n != 1:
    print('text found %d times' % n)
    sys.exit(1)
open(path, 'w', encoding='utf-8').write(text.replace(find, repl))
PY
}

echo "mutants: building and testing the unchanged tree in $W"
build || { tail -20 "$W/.build.log"; echo "mutants: the unchanged tree does not build" >&2; exit 2; }
if [ "${MUTANTS_BASELINE:-1}" = 0 ]; then
    echo "mutants: MUTANTS_BASELINE=0: the unchanged tree's tests not run"
elif first=$(fast_tests); then :; else
    echo "mutants: the unchanged tree fails its tests ($first): fix that first" >&2
    exit 2
fi

n=0 tried=0 killed=0 survived=0 broken=0
survivors= problems=
# The list on descriptor 3: the builds and tests get /dev/null as input.
while IFS=$'\t' read -r -u 3 file find repl desc hint || [ -n "${file:-}" ]; do
    case $file in ''|'#'*) continue ;; esac
    n=$((n + 1))
    if [ -n "$PAT" ] && ! printf '%s %s %s\n' "$n" "$file" "$desc" | grep -qE -- "$PAT"; then
        continue
    fi
    tried=$((tried + 1))
    tag=$(printf '%3d %-20s %s' "$n" "$file" "$desc")
    cp -p "$W/$file" "$W/.orig" || { echo "    no such file: $file"; continue; }
    if ! why=$(apply "$file" "$find" "$repl"); then
        echo "NOT APPLIED $tag: $why"
        broken=$((broken + 1))
        problems="$problems\n  $n $file: $why: $find"
        continue
    fi
    if ! build; then
        echo "NO BUILD    $tag"
        broken=$((broken + 1))
        problems="$problems\n  $n $file: the mutant does not build: $(grep -m1 error: "$W/.build.log")"
    elif by=$(fast_tests "${hint:-}"); then
        echo "SURVIVED    $tag"
        survived=$((survived + 1))
        survivors="$survivors\n  $n $file: $desc"
    else
        echo "killed      $tag  (by $by)"
        killed=$((killed + 1))
    fi
    cp -p "$W/.orig" "$W/$file" && touch "$W/$file"
done 3<"$LIST" </dev/null

counted=$((killed + survived))
rate=0
[ "$counted" -eq 0 ] || rate=$((killed * 100 / counted))
echo "mutants: $killed killed of $counted ($rate %), $survived survived, $broken not applied or not built ($(date -u +%F))"
[ -z "$survivors" ] || printf 'survivors:%b\n' "$survivors"
[ -z "$problems" ] || printf 'to correct in %s:%b\n' "$LIST" "$problems"
[ "$broken" -eq 0 ] && [ "$rate" -ge "$GOAL" ] && [ "$counted" -gt 0 ]
