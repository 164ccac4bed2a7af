#!/bin/sh
# Print the seed files of a fuzz target, one per line, from the top of the
# tree: the real-producer fixtures and hostile files of tests/data/, the
# samples, the shipped rubrics and tests/fuzz/seeds/TARGET/.  The zip
# bombs are left out: each run of one inflates hundreds of MiB (their own
# tests cover them).  Usage: tests/fuzz/seeds.sh csv|xlsx|xls|ods|rubric|score
set -eu
cd "$(dirname "$0")/../.."
# find over those of the folders that exist
ffind() {
    dirs=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        [ -d "$1" ] && dirs="$dirs $1"
        shift
    done
    shift
    # shellcheck disable=SC2086
    [ -z "$dirs" ] || find $dirs -type f "$@"
}
csv() {
    ffind tests/data samples templates/rubrics tests/fuzz/seeds/csv -- -name '*.csv' \
        ! -path 'tests/data/regress/*'
}
xlsx() {
    ffind tests/data tests/fuzz/seeds/xlsx -- \( -name '*.xlsx' -o -name '*.xls' \) \
        ! -name 'bomb-*' ! -path 'tests/data/regress/*'
}
ods() {
    ffind tests/data tests/fuzz/seeds/ods -- -name '*.ods' ! -path 'tests/data/regress/*'
}
xls() {
    ffind tests/data tests/fuzz/seeds/xls -- -name '*.xls' ! -path 'tests/data/regress/*'
}
case ${1:-} in
csv) csv ;;
xlsx) xlsx ;;
xls) xls ;;
ods) ods ;;
rubric)
    ffind templates/rubrics tests/data/rubrics tests/fuzz/seeds/rubric --
    ffind tests/data/xlsx -- ! -name 'bomb-*' ;;
score) csv; xlsx; xls; ods ;;
*) echo "usage: $0 csv|xlsx|xls|ods|rubric|score" >&2; exit 2 ;;
esac | LC_ALL=C sort
