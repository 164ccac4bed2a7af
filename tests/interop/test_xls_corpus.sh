# The .xls differential corpus: workbooks written at test time by three
# producers (tests/tools/make-xls-corpus.py, make-xls-sheetjs.js) --
# python3-xlwt, LibreOffice (saving generated .xlsx as .xls) and SheetJS
# (BIFF8, and BIFF5 in code page 936) -- each read cell by cell like
# python3-xlrd reads it (tests/tools/xls-vs-xlrd.py over build/sheet_cells)
# and scored exactly like its .xlsx twin; under make test-windows also
# byte for byte as the Linux build scores it (KAOHE_LINUX).

BD=$(dirname "$KAOHE")

# corpus_check DIR TWINDIR N: DIR/*.xls (N of them) agree with xlrd cell by
# cell, and score like TWINDIR/*.xlsx, N units with results that differ.
corpus_check() {
    local dir=$1 twin=$2 n=$3
    [ -x "$BD/sheet_cells" ] || make -s -C "$TOP" B="$BD" "$BD/sheet_cells" >&2
    [ "$(ls "$dir"/*.xls | wc -l)" -eq "$n" ] || fail "want $n .xls in $dir: $(ls "$dir" | head)"
    [ "$(ls "$twin"/*.xlsx | wc -l)" -eq "$n" ] || fail "want $n twins in $twin"
    "$BD/sheet_cells" "$dir"/*.xls >"$T/cells.tsv" || { grep -P '\t!\t' "$T/cells.tsv" | head >&2; fail "sheet_cells"; }
    $PY tests/tools/xls-vs-xlrd.py "$T/cells.tsv" "$dir"/*.xls >"$T/cmp.log" ||
        { head -30 "$T/cmp.log" >&2; fail "kaohe and xlrd read $dir differently"; }
    tail -1 "$T/cmp.log"
    expect_exit 0 "$KAOHE" score "$twin" -o -
    cp "$T/out" "$T/twin.json"
    expect_exit 0 "$KAOHE" score "$dir" -o -
    same_scores "$T/twin.json" "$T/out" || fail "$dir scores unlike its .xlsx twins"
    # Under make test-windows KAOHE is kaohe.exe under Wine and KAOHE_LINUX
    # the Linux build: both score the very same files to the same bytes.
    if [ -n "${KAOHE_LINUX:-}" ]; then
        "$KAOHE_LINUX" score "$dir" -o - >"$T/linux.json" 2>"$T/linux.err" ||
            fail "the Linux build refused some of $dir: $(head -3 "$T/linux.err")"
        cmp -s "$T/linux.json" "$T/out" ||
            { diff "$T/linux.json" "$T/out" | head -20 >&2; fail "$dir: $KAOHE scores otherwise than the Linux build"; }
        echo "  $dir: the same bytes as the Linux build's"
    fi
    $PY - "$T/out" "$n" <<'PY'
import json, sys
u = json.load(open(sys.argv[1]))['units']
assert len(u) == int(sys.argv[2]), len(u)
totals = {x['total'] for x in u}
# the results were drawn at random: the scores differ
assert len(totals) >= min(5, len(u) // 4), sorted(totals)
print("  %d units, %d different totals" % (len(u), len(totals)))
PY
}

# python3-xlwt: 110 workbooks, a quarter in the 1904 date system, long
# strings crossing CONTINUE records, formulas (no cached values: xlwt
# writes none) on a data sheet, hidden sheets.
test_xls_corpus_xlwt() {
    $PY tests/tools/make-xls-corpus.py "$T/c" 110 0 0 1
    corpus_check "$T/c/xlwt" "$T/c/xlwt-twin" 110
    # the 1904 workbooks are there, and some SST crosses a CONTINUE
    $PY - "$T/c/xlwt" <<'PY'
import glob, struct, sys, xlrd
from xlrd import compdoc
files = sorted(glob.glob(sys.argv[1] + '/*.xls'))
assert sum(xlrd.open_workbook(f).datemode for f in files) == 28
cont = 0
for f in files[:10]:
    s = compdoc.CompDoc(open(f, 'rb').read()).get_named_stream('Workbook')
    i, prev = 0, None
    while i + 4 <= len(s):
        t, n = struct.unpack('<HH', s[i:i + 4])
        cont += t == 0x3c and prev in (0xfc, 0x3c)
        prev = t if t != 0x3c or prev in (0xfc, 0x3c) else prev
        i += 4 + n
assert cont > 10, cont
PY
}

# LibreOffice: 90 generated .xlsx (formulas with string, boolean, number,
# date and error results; TRUE()/FALSE() results) saved as .xls and, for
# the twins, as .xlsx.
test_xls_corpus_libreoffice() {
    $PY tests/tools/make-xls-corpus.py "$T/c" 0 90 0 2
    mkdir -p "$T/c/lo" "$T/c/lo-twin"
    for fmt in xls xlsx; do
        local out=$T/c/lo; [ $fmt = xlsx ] && out=$T/c/lo-twin
        timeout 600 soffice -env:UserInstallation=file://$T/lo-profile --headless \
            --convert-to $fmt --outdir "$out" "$T"/c/lo-src/*.xlsx >"$T/lo.log" 2>&1 ||
            { tail "$T/lo.log" >&2; fail "soffice --convert-to $fmt"; }
    done
    corpus_check "$T/c/lo" "$T/c/lo-twin" 90
}

# SheetJS (npm xlsx, installed into build/npm): 105 workbooks, 70 BIFF8 and
# 35 BIFF5 whose text is GBK (CODEPAGE 936).
test_xls_corpus_sheetjs() {
    local npmdir=$BD/npm
    if [ ! -f "$npmdir/node_modules/xlsx/package.json" ]; then
        mkdir -p "$npmdir"
        npm install --silent --prefix "$npmdir" --cache "$npmdir/cache" xlsx@0.18.5 >&2 ||
            fail "npm install xlsx (needs the npm registry once; then build/npm is kept)"
    fi
    $PY tests/tools/make-xls-corpus.py "$T/c" 0 0 105 3
    node tests/tools/make-xls-sheetjs.js "$T/c" "$npmdir/node_modules" || fail "SheetJS"
    corpus_check "$T/c/sheetjs" "$T/c/sheetjs-twin" 105
    $PY - "$T/c/sheetjs" <<'PY'
import glob, sys, xlrd
b5 = [f for f in glob.glob(sys.argv[1] + '/*.xls')
      if xlrd.open_workbook(f, on_demand=True).biff_version < 80]
assert len(b5) == 35, len(b5)
bk = xlrd.open_workbook(b5[0])
assert bk.codepage == 936 and bk.sheet_names()[0].startswith('sj测试镇'), (bk.codepage, bk.sheet_names())
PY
}
