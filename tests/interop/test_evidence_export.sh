# kaohe workspace export DIR -o X.zip: the year as one archive - the
# ranking, the journal, and per unit its checklist, scoresheet and
# evidence as UNIT/1.1 学习记录/NAME - whose Chinese names every reader
# keeps: unzip with LANG=C and zh_CN.UTF-8, 7z, Python's zipfile.  Names
# an upload gave that no file system takes are made safe and unique.
. tests/interop/serve_lib.sh
. tests/interop/evidence_lib.sh

# The names every reader unpacks from ZIP, each compared with the list
# in WANT (sorted), and every file's bytes the same in each.
unpack_everywhere() {
    z=$1 want=$2 x=$T/x
    rm -rf "$x" && mkdir -p "$x"
    for loc in C zh_CN.UTF-8; do
        env -u LC_ALL LANG=$loc unzip -q "$z" -d "$x/unzip-$loc" || fail "unzip ($loc) failed"
    done
    env -u LC_ALL LANG=C 7z x -y -o"$x/7z" "$z" >/dev/null || fail "7z failed on $z"
    "$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$z" "$x/python"
    for d in "$x"/*; do
        (cd "$d" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$T/got"
        cmp -s "$want" "$T/got" ||
            { diff "$want" "$T/got" >&2; fail "$(basename "$d") unpacked other names"; }
        while IFS= read -r f; do
            cmp -s "$x/python/$f" "$d/$f" || fail "$(basename "$d"): $f differs"
        done <"$want"
    done
}

test_evidence_export_names_everywhere() {
    mkdir -p "$T/in" "$T/in2"
    make_evidence "$T/in"
    # A second photo of the same name (other bytes).
    cp "$T/in/会议照片.jpg" "$T/in2/会议照片.jpg"
    printf 'x' >>"$T/in2/会议照片.jpg"
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r1.json" -F "file=@samples/两江镇.csv" -F "file=@samples/临桂镇.csv" \
        -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || fail "checklists: $code"
    [ "$(ev_post 1.1 "$T/a.json" "$T/in/会议照片.jpg" "$T/in/签到单.png")" = 200 ] || fail "evidence 1"
    [ "$(ev_post 1.1 "$T/a.json" "$T/in2/会议照片.jpg")" = 200 ] || fail "evidence 2"
    [ "$(ev_post 1.6 "$T/a.json" "$T/in/方案.pdf" "$T/in/表格.xlsx")" = 200 ] || fail "evidence 3"
    # Names no file system takes as they are: a path, Windows' forbidden
    # characters, a reserved device name.
    code=$(curl -s -o "$T/a.json" -w '%{http_code}' -F "file=@$T/in/签到单.png;filename=../../etc/x.png" \
        -F "file=@$T/in/方案.pdf;filename=a:b*c?.pdf" -F "file=@$T/in/方案.pdf;filename=CON.pdf" \
        --url-query unit=两江镇 --url-query "rubric=$RUBRIC" --url-query cp=2.1 "${URL}api/evidence")
    [ "$code" = 200 ] || fail "odd names: $code $(cat "$T/a.json")"
    [ "$(UNIT=临桂镇 ev_post 2.1 "$T/a.json" "$T/in/方案.pdf")" = 200 ] || fail "evidence 4"
    # An answer typed in the online form: journalled.
    code=$(curl -s -o "$T/f.json" -w '%{http_code}' -H 'Content-Type: application/json' --data \
        "{\"unit\": \"两江镇\", \"rubric\": \"$RUBRIC\", \"version\": 0, \"answers\": [{\"cp\": \"1.1\", \"value\": \"有\"}]}" \
        "${URL}api/fill/save")
    [ "$code" = 200 ] || fail "fill save: $code $(head -c 300 "$T/f.json")"
    # While the server has the workspace, the export is refused.
    expect_exit 2 "$KAOHE" workspace export "$T/ws" -o "$T/busy.zip"
    has_text "$T/err" 'in use by another kaohe'
    [ ! -e "$T/busy.zip" ] || fail "an archive written while in use"
    stop_server
    expect_exit 2 "$KAOHE" workspace export "$T/ws" -o "$T/out.tar"
    expect_exit 0 "$KAOHE" workspace export "$T/ws" -o "$T/2020年度考核.zip"
    has_text "$T/out" '2020年度考核.zip'
    LC_ALL=C sort >"$T/want" <<'EOF'
考核结果排名.xlsx
变更记录.xlsx
两江镇/两江镇.csv
两江镇/评分表.xlsx
两江镇/1.1 学习记录/会议照片.jpg
两江镇/1.1 学习记录/会议照片(2).jpg
两江镇/1.1 学习记录/签到单.png
两江镇/1.6 图片/方案.pdf
两江镇/1.6 图片/表格.xlsx
两江镇/2.1 传达学习自治区领导指示批示精神/_.._etc_x.png
两江镇/2.1 传达学习自治区领导指示批示精神/a_b_c_.pdf
两江镇/2.1 传达学习自治区领导指示批示精神/CON_.pdf
临桂镇/临桂镇.csv
临桂镇/评分表.xlsx
临桂镇/2.1 传达学习自治区领导指示批示精神/方案.pdf
EOF
    unpack_everywhere "$T/2020年度考核.zip" "$T/want"
    x=$T/x/python
    cmp "$x/两江镇/1.1 学习记录/会议照片(2).jpg" "$T/in2/会议照片.jpg"
    cmp "$x/两江镇/1.6 图片/表格.xlsx" "$T/in/表格.xlsx"
    cmp "$x/两江镇/两江镇.csv" samples/两江镇.csv
    # Every name flagged UTF-8 (bit 11); the ranking equals kaohe rank of
    # the same checklists (but for the 来源 column: their paths); the journal sheets hold every change.
    "$KAOHE" rank samples/两江镇.csv samples/临桂镇.csv -o "$T/rank.xlsx" -q
    "$PY" - "$T" <<'PY'
import sys, zipfile, openpyxl
T = sys.argv[1]
z = zipfile.ZipFile(T + '/2020年度考核.zip')
assert all(i.flag_bits & 0x800 for i in z.infolist()), [i.filename for i in z.infolist() if not i.flag_bits & 0x800]
def totals(path):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    return sorted(r[:-1] for r in ws.iter_rows(values_only=True)
                  if r and r[1] in ('两江镇', '临桂镇'))
got, want = totals(T + '/x/python/考核结果排名.xlsx'), totals(T + '/rank.xlsx')
assert got and got == want, (got, want)
wb = openpyxl.load_workbook(T + '/x/python/变更记录.xlsx')
ev = [r for r in wb['佐证材料记录'].iter_rows(min_row=2, values_only=True)]
assert len(ev) == 9 and all(r[5] == '添加' for r in ev), ev
assert ('两江镇', '2.1', '../../etc/x.png') in [(r[2], r[4], r[6]) for r in ev], ev
ch = [r for r in wb['检查表更正记录'].iter_rows(min_row=2, values_only=True)]
assert sorted(r[2] for r in ch) == ['两江镇', '临桂镇'] and all(r[4] == '首次上传' for r in ch), ch
fl = [r for r in wb['填报考评记录'].iter_rows(min_row=2, values_only=True)]
assert ('两江镇', '自评', '1.1', '答案', None, '有') in [r[2:3] + r[4:9] for r in fl], fl
ss = openpyxl.load_workbook(T + '/x/python/两江镇/评分表.xlsx').worksheets[0]
assert any('两江镇' in str(c) for r in ss.iter_rows(values_only=True) for c in r if c), 'scoresheet'
PY
}

# The same archive from the page's server (GET /api/export), named after
# the year; refused to anyone but an admin (tests/interop/test_evidence_roles.sh).
test_evidence_export_from_the_page() {
    mkdir -p "$T/in"
    make_evidence "$T/in"
    start_server --workspace "$T/ws"
    curl -s -o /dev/null -F year=2020 "${URL}api/settings"
    code=$(post api/rank "$T/r1.json" -F "file=@samples/两江镇.csv")
    [ "$code" = 200 ] || fail "checklist: $code"
    [ "$(ev_post 1.1 "$T/a.json" "$T/in/签到单.png")" = 200 ] || fail "evidence"
    code=$(curl -s -D "$T/h" -o "$T/page.zip" -w '%{http_code}' "${URL}api/export")
    [ "$code" = 200 ] || fail "export: $code $(head -c 300 "$T/page.zip")"
    tr -d '\r' <"$T/h" >"$T/hn"
    has_text "$T/hn" 'Content-Type: application/zip'
    has_text "$T/hn" "filename*=UTF-8''2020%E5%B9%B4%E5%BA%A6%E8%80%83%E6%A0%B8%E5%BD%92%E6%A1%A3.zip"
    env -u LC_ALL LANG=C unzip -Z1 "$T/page.zip" | LC_ALL=C sort >"$T/names"
    printf '%s\n' 两江镇/1.1\ 学习记录/签到单.png 两江镇/两江镇.csv 两江镇/评分表.xlsx 变更记录.xlsx \
        考核结果排名.xlsx | LC_ALL=C sort | cmp - "$T/names" || fail "names: $(cat "$T/names")"
    [ -z "$(ls -A "$T/tmp")" ] || fail "files left in TMPDIR: $(ls "$T/tmp")"
    stop_server
}
