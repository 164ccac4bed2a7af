# The 通报 draft (rank --report): LibreOffice Writer opens the .docx and
# converts it to PDF; the text of the PDF carries the ranking's numbers
# (every unit's rank, total and grade as the JSON has them, the counts,
# the vetoed units, the five check points of 问题汇总, the units that did
# not submit); each page renders to PNG (kept in build/test-artifacts/).

test_report_opens_in_libreoffice() {
    mkdir "$T/in"
    # Without 四塘镇: the roster names it as not submitted.
    for f in "$TOP"/samples/*.csv; do
        case $f in *四塘镇.csv) ;; *) cp "$f" "$T/in/" ;; esac
    done
    # Exit 1: a unit of the roster sent nothing (the outputs are written).
    expect_exit 1 "$KAOHE" rank "$T/in" --roster "$TOP/samples/名单/单位名单.csv" \
        --grades 'lingui-2020-township=优秀>=38;良好>=34;合格>=24;不合格' \
        -o "$T/r.xlsx" --json "$T/r.json" --report "$T/考核情况通报.docx" -q
    [ -s "$T/考核情况通报.docx" ] || fail "no report"
    (cd "$T" && timeout 180 soffice -env:UserInstallation=file://$T/lo-profile --headless \
        --convert-to pdf 考核情况通报.docx) >"$T/lo.log" 2>&1 ||
        { cat "$T/lo.log" >&2; fail "soffice --convert-to pdf"; }
    [ -s "$T/考核情况通报.pdf" ] || { cat "$T/lo.log" >&2; fail "no PDF"; }
    pdftotext -layout "$T/考核情况通报.pdf" "$T/report.txt"
    "$PY" - "$T/report.txt" "$T/r.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
flat = re.sub(r'\s+', '', text)   # lines wrap anywhere in Chinese text
d = json.load(open(sys.argv[2]))
units = d['units']
assert '关于2020年度安全生产工作考核情况的通报' in flat, flat[:200]
n, vetoed = len(units), [u for u in units if u['vetoed']]
missing = [m['unit'] for m in d['missing']]
assert missing == ['四塘镇'], missing
assert f'应考核单位{n + 1}个，计入排名的单位{n}个' in flat, flat[:600]
assert f'其中一票否决{len(vetoed)}个；未报送检查表的单位1个' in flat
assert '单位名单上有1个单位未报送检查表：四塘镇。' in flat
# Every unit's row of the ranking table: rank (or 一票否决), name, total,
# grade, as the JSON gives them.
for u in units:
    rank = str(u['rank']) if u['rank'] else '一票否决'
    row = rf"{rank}\s+{re.escape(u['unit'])}\s+{re.escape(u['total'])}"
    if u['grade'] and u['rubric'] == 'lingui-2020-township':
        row += rf"\s+{u['grade']}"
    assert re.search(row, text), (row, text[:2000])
for u in vetoed:
    assert u['unit'] + '（' in flat
# The five check points of 问题汇总, with their counts as the JSON has them.
found = re.findall(r'(\d)\.检查点(\d+\.\d+)[^：]*：失分单位(\d+)/(\d+)（(\d+)%），共失分([\d.]+)分', flat)
assert [f[0] for f in found] == ['1', '2', '3', '4', '5'], found
bycheck = {(r['rubric'], c['check']): (c, r) for r in d['summary'] for it in r['items'] for c in it['checks']}
for _, cid, k, total, pct, lost in found:
    c, r = bycheck[('lingui-2020-township', cid)]
    assert (int(k), int(total), lost) == (c['units'], r['units'], c['lost']), (cid, k, total, lost, c)
    assert int(pct) == c['share']
PY
    pdftoppm -r 60 -png "$T/考核情况通报.pdf" "$T/page"
    [ -s "$T/page-1.png" ] || fail "no PNG of page 1"
    art="$(dirname "$KAOHE")/test-artifacts/report"
    mkdir -p "$art" && cp "$T"/page-*.png "$art/"
}
