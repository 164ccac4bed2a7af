# .ods (OpenDocument) spreadsheets, made by a real producer: LibreOffice
# saves the XLSX samples as .ods, and they score exactly like the originals.

ods_of() {
    local out=$1; shift
    mkdir -p "$out"
    timeout 300 soffice -env:UserInstallation=file://$T/lo-profile --headless \
        --convert-to ods --outdir "$out" "$@" >"$T/lo.log" 2>&1 ||
        { cat "$T/lo.log" >&2; fail "soffice --convert-to ods"; }
}

# The whole XLSX corpus of samples/xlsx as .ods scores as it does as .xlsx;
# a folder of .ods files ranks like the CSV samples.
test_ods_corpus_scores_like_xlsx() {
    ods_of "$T/ods" samples/xlsx/*.xlsx
    [ "$(ls "$T/ods" | grep -c '\.ods$')" -eq 7 ] || fail "LibreOffice made: $(ls "$T/ods")"
    expect_exit 0 "$KAOHE" score samples/xlsx -o -
    cp "$T/out" "$T/xlsx.json"
    expect_exit 0 "$KAOHE" score "$T/ods" -o -
    same_scores "$T/xlsx.json" "$T/out" || fail ".ods scores unlike .xlsx"
    has_text "$T/out" '"source": "'"$T"'/ods/区直单位部门.ods", "sheet": "区应急管理局"'
    expect_exit 0 "$KAOHE" rank "$T/ods" -o "$T/r.xlsx" --json "$T/r.json"
    expect_exit 0 "$KAOHE" rank samples -o "$T/c.xlsx" --json "$T/c.json"
    same_scores "$T/c.json" "$T/r.json" || fail ".ods ranking unlike the CSV one"
    # standard input too
    "$KAOHE" score - <"$T/ods/两江镇.ods" >"$T/out" || fail ".ods on standard input"
    has_text "$T/out" "两江镇      乡镇      36.8"
    # a rubric may be .ods
    ods_of "$T/rub" tests/data/rubrics/department.xlsx
    expect_exit 0 "$KAOHE" rubric check "$T/rub/department.ods"
}

# Hostile .ods: a billion repeated empty cells cost nothing; repeated cells
# with content past the grid, a cut content.xml, no content.xml are refused
# with a message naming the file; the good input still scores.
test_ods_hostile() {
    ods_of "$T/ods" samples/xlsx/两江镇.xlsx
    $PY - "$T/ods/两江镇.ods" "$T" <<'PY'
import sys, zipfile
src, out = sys.argv[1], sys.argv[2]
def variant(name, edit=None, drop=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(f'{out}/{name}', 'w') as zo:
        for i in zin.infolist():
            if i.filename == drop:
                continue
            data = zin.read(i.filename)
            if i.filename == 'content.xml' and edit:
                data = edit(data.decode()).encode()
            zo.writestr(i, data, zipfile.ZIP_STORED if i.filename == 'mimetype' else zipfile.ZIP_DEFLATED)
empty_row = ('<table:table-row table:number-rows-repeated="1000000">'
             '<table:table-cell table:number-columns-repeated="16000"/></table:table-row>')
variant('billion-empty.ods', lambda t: t.replace('</table:table>', empty_row + '</table:table>', 1))
full_row = ('<table:table-row table:number-rows-repeated="1000"><table:table-cell '
            'table:number-columns-repeated="16000" office:value-type="string"><text:p>x</text:p>'
            '</table:table-cell></table:table-row>')
variant('billion-full.ods', lambda t: t.replace('<table:table-row', full_row + '<table:table-row', 1))
variant('beyond-grid.ods', lambda t: t.replace('</table:table>', full_row.replace('"1000"', '"2000000"') + '</table:table>', 1))
variant('cut.ods', lambda t: t[:len(t) // 2])
variant('no-content.ods', drop='content.xml')
PY
    expect_exit 0 timeout 60 "$KAOHE" score "$T/billion-empty.ods"
    has_text "$T/out" "两江镇"
    for v in billion-full beyond-grid cut no-content; do
        expect_exit 1 timeout 60 "$KAOHE" score "$T/$v.ods" samples/四塘镇.csv
        has_text "$T/err" "$T/$v.ods"
        has_text "$T/out" "四塘镇"
    done
    expect_exit 1 "$KAOHE" score "$T/billion-full.ods"
    has_text "$T/err" "repeats cells with content more than"
    expect_exit 1 "$KAOHE" score "$T/beyond-grid.ods"
    has_text "$T/err" "a row lies beyond row 1048576"
    expect_exit 1 "$KAOHE" score "$T/no-content.ods"
    has_text "$T/err" "has no content.xml"
}

# kaohe resolves the namespace prefixes of content.xml itself (expat's own
# namespace processing cost 40 % of reading an .ods): any prefix bound to
# the OpenDocument URIs reads the same, a binding on an inner element holds
# there only, and an element with an unbound prefix is not well-formed.
test_ods_namespace_prefixes() {
    ods_of "$T/ods" samples/xlsx/两江镇.xlsx
    $PY - "$T/ods/两江镇.ods" "$T" <<'PY'
import re, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
def variant(name, edit):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(f'{out}/{name}', 'w') as zo:
        for i in zin.infolist():
            data = zin.read(i.filename)
            if i.filename == 'content.xml':
                data = edit(data.decode()).encode()
            zo.writestr(i, data, zipfile.ZIP_STORED if i.filename == 'mimetype' else zipfile.ZIP_DEFLATED)
# Other prefixes for table: and text: everywhere (t: and p:).
def renamed(t):
    t = t.replace('xmlns:table=', 'xmlns:t=').replace('xmlns:text=', 'xmlns:p=')
    t = re.sub(r'(</?|\s)table:', r'\1t:', t)
    return re.sub(r'(</?|\s)text:', r'\1p:', t)
variant('renamed.ods', renamed)
# The table namespace the default one inside the body, declared there.
def default_ns(t):
    uri = re.search(r'xmlns:table="([^"]*)"', t).group(1)
    body = t.index('<office:spreadsheet>')
    end = t.index('</office:spreadsheet>')
    inner = re.sub(r'(</?)table:', r'\1', t[body:end])
    inner = inner.replace('<office:spreadsheet>', '<office:spreadsheet><wrap xmlns="%s">' % uri, 1)
    return t[:body] + inner + '</wrap>' + t[end:]
variant('default-ns.ods', default_ns)
# The table prefix bound to another URI on the body: no sheet there.
variant('rebound.ods', lambda t: t.replace('<office:body>', '<office:body xmlns:table="urn:x">', 1))
# An element whose prefix nothing binds.
variant('unbound.ods', lambda t: t.replace('<office:body>', '<office:body><nope:x/>', 1))
PY
    expect_exit 0 "$KAOHE" score "$T/ods/两江镇.ods" -o -
    cp "$T/out" "$T/want.json"
    for v in renamed default-ns; do
        expect_exit 0 "$KAOHE" score "$T/$v.ods" -o -
        same_scores "$T/want.json" "$T/out" || fail "$v.ods scores unlike the original"
    done
    expect_exit 1 "$KAOHE" score "$T/rebound.ods"
    has_text "$T/err" "no sheet of this workbook holds a checklist"
    expect_exit 1 "$KAOHE" score "$T/unbound.ods"
    has_text "$T/err" "is not well-formed XML"
    has_text "$T/err" "unbound prefix"
}
