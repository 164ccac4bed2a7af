#!/bin/sh
# Regenerate the XLSX fixtures of tests/test_xlsx_in.c in tests/data/xlsx/:
# the hand-made ones (make-xlsx-crafted.py, standard library only) and the
# ones written by real producers: LibreOffice (from lo-checklist.fods, three
# sheets, and from lo-checklist.csv), openpyxl and libxlsxwriter.  The test
# asserts the exact cells, so look at a diff of its output after running.
# Usage: tests/tools/make-xlsx-fixtures.sh   (from anywhere)
set -eu
tools=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$tools/../data" && pwd)/xlsx
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$out"

/usr/bin/python3 "$tools/make-xlsx-crafted.py" "$out"

# LibreOffice, with a private profile so a running instance does not matter.
lo() {
    soffice -env:UserInstallation="file://$tmp/profile" --headless "$@" \
        --outdir "$tmp" >/dev/null 2>&1
}
cp "$tools/lo-checklist.fods" "$tmp/real-lo-fods.fods"
lo --convert-to xlsx "$tmp/real-lo-fods.fods"
cp "$tools/lo-checklist.csv" "$tmp/real-lo-csv.csv"
lo --infilter="CSV:44,34,76,1" --convert-to xlsx "$tmp/real-lo-csv.csv"
cp "$tmp/real-lo-fods.xlsx" "$tmp/real-lo-csv.xlsx" "$out/"

# openpyxl (Debian's, for the system python).
/usr/bin/python3 "$tools/openpyxl-fixture.py" "$out/real-openpyxl.xlsx"

# libxlsxwriter: a small C generator.
cc -std=c11 -Wall -Wextra -o "$tmp/xlsxwriter-fixture" "$tools/xlsxwriter-fixture.c" \
    $(pkg-config --cflags --libs xlsxwriter)
"$tmp/xlsxwriter-fixture" "$out/real-xlsxwriter.xlsx" "$out/real-xlsxwriter-constmem.xlsx"
echo "fixtures written to $out"
