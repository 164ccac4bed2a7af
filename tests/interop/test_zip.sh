# Every .zip kaohe writes (the page's scoresheets and blank checklists,
# the Windows release zip through build/zipdir) keeps its Chinese names in
# every reader an office or a script has: Debian's unzip in any locale
# (LANG=C too), bsdtar, 7z, Python's zipfile, and Windows Explorer's way
# of reading names (tests/tools/zipnames.py).  Needs unzip,
# libarchive-tools and p7zip-full (tools/install-deps.sh).
. tests/interop/serve_lib.sh

# extract_everywhere ZIP: unpack ZIP with every reader, in each locale it
# is used in, and compare the file names (and contents) each wrote with
# the names Explorer shows (zipnames.py --strict).
extract_everywhere() {
    z=$1 x=$T/x
    "$PY" tests/tools/zipnames.py --strict "$z" | grep -v '/$' | LC_ALL=C sort >"$T/want" ||
        fail "$z: $(cat "$T/want")"
    [ -s "$T/want" ] || fail "$z holds nothing"
    rm -rf "$x" && mkdir -p "$x"
    for loc in C C.UTF-8 zh_CN.UTF-8; do
        env -u LC_ALL LANG=$loc unzip -q "$z" -d "$x/unzip-$loc" || fail "unzip ($loc) failed on $z"
    done
    # libarchive cannot name a UTF-8 file in the C locale (it says so and
    # skips the entry, for any archive with UTF-8 names): UTF-8 locales.
    for loc in C.UTF-8 zh_CN.UTF-8; do
        mkdir -p "$x/bsdtar-$loc"
        env -u LC_ALL LANG=$loc bsdtar -xf "$z" -C "$x/bsdtar-$loc" || fail "bsdtar ($loc) failed on $z"
    done
    env -u LC_ALL LANG=C 7z x -y -o"$x/7z" "$z" >/dev/null || fail "7z failed on $z"
    "$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$z" "$x/python"
    for d in "$x"/*; do
        (cd "$d" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$T/got"
        cmp -s "$T/want" "$T/got" ||
            { diff "$T/want" "$T/got" >&2; fail "$(basename "$d") unpacked other names from $z"; }
        while IFS= read -r f; do
            cmp -s "$x/python/$f" "$d/$f" || fail "$(basename "$d"): $f differs"
        done <"$T/want"
    done
}

test_zip_page_downloads_keep_chinese_names() {
    start_server
    upload_args samples/*.csv
    code=$(post "api/download?what=scoresheets" "$T/sheets.zip" "${ARGS[@]}")
    [ "$code" = 200 ] || fail "scoresheets: $code"
    code=$(post api/blank "$T/blank.zip" -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || fail "blank checklists: $code"
    stop_server
    extract_everywhere "$T/sheets.zip"
    grep -qx '两江镇.xlsx' "$T/want" || fail "no 两江镇.xlsx in the scoresheets: $(cat "$T/want")"
    extract_everywhere "$T/blank.zip"
    grep -qx '两江镇.xlsx' "$T/want" || fail "no 两江镇.xlsx in the blank checklists: $(cat "$T/want")"
    # Each entry is dated when its file was written (now), not 1980.
    "$PY" - "$T/sheets.zip" <<'PY'
import sys, time, zipfile
now = time.localtime()
for i in zipfile.ZipFile(sys.argv[1]).infolist():
    t = time.mktime(i.date_time + (0, 0, -1))
    assert abs(t - time.time()) < 600, (i.filename, i.date_time, now)
PY
}

# A tree packed by the build's packer (the Windows release zip): folders,
# Chinese names, each file's own date, kept mode bits.
test_zip_packer_tree_dates_modes() {
    B=$(dirname "$KAOHE")
    [ -x "$B/zipdir" ] || fail "$B/zipdir missing (make $B/zipdir)"
    mkdir -p "$T/in/kaohe/samples/名单" "$T/in/kaohe/rubrics"
    cp samples/名单/单位名单.csv "$T/in/kaohe/samples/名单/"
    printf '说明\r\n' >"$T/in/kaohe/使用说明.txt"
    printf '@echo off\r\n' >"$T/in/kaohe/启动考核.bat"
    printf 'x' >"$T/in/kaohe/kaohe.exe" && chmod 755 "$T/in/kaohe/kaohe.exe"
    printf 'x' >"$T/in/kaohe/.hidden"
    cp templates/rubrics/lingui-2020-township.csv "$T/in/kaohe/rubrics/"
    TZ=Asia/Shanghai touch -d '2024-03-05 10:20:30' "$T/in/kaohe/使用说明.txt"
    TZ=Asia/Shanghai expect_exit 0 "$B/zipdir" "$T/r.zip" "$T/in"
    extract_everywhere "$T/r.zip"
    printf '%s\n' kaohe/kaohe.exe kaohe/rubrics/lingui-2020-township.csv \
        kaohe/samples/名单/单位名单.csv kaohe/使用说明.txt kaohe/启动考核.bat |
        LC_ALL=C sort | cmp -s - "$T/want" || fail "the tree packed is $(cat "$T/want")"
    # Dates and modes as unzip restores them.
    [ -x "$T/x/unzip-C/kaohe/kaohe.exe" ] || fail "kaohe.exe lost its x bit"
    [ "$(stat -c %a "$T/x/unzip-C/kaohe/使用说明.txt")" = 644 ] || fail "mode of 使用说明.txt"
    "$PY" - "$T/r.zip" <<'PY'
import sys, zipfile
i = zipfile.ZipFile(sys.argv[1]).getinfo('kaohe/使用说明.txt')
# The DOS date is local time: the packer ran with TZ=Asia/Shanghai.
assert i.date_time == (2024, 3, 5, 10, 20, 30), i.date_time
PY
    # SOURCE_DATE_EPOCH clamps later dates (a reproducible release).
    TZ=UTC SOURCE_DATE_EPOCH=1700000000 expect_exit 0 "$B/zipdir" "$T/s1.zip" "$T/in"
    sleep 1 && touch "$T/in/kaohe/kaohe.exe"
    TZ=UTC SOURCE_DATE_EPOCH=1700000000 expect_exit 0 "$B/zipdir" "$T/s2.zip" "$T/in"
    cmp -s "$T/s1.zip" "$T/s2.zip" || fail "SOURCE_DATE_EPOCH: two packings differ"
    "$PY" - "$T/s1.zip" <<'PY'
import sys, zipfile
d = {i.filename: i.date_time for i in zipfile.ZipFile(sys.argv[1]).infolist()}
assert d['kaohe/kaohe.exe'] == (2023, 11, 14, 22, 13, 20), d   # 1700000000 UTC
assert d['kaohe/使用说明.txt'] == (2024 - 1, 11, 14, 22, 13, 20) or d['kaohe/使用说明.txt'] < (2023, 11, 15), d
PY
}

# The checker itself: a zip as Info-ZIP's `zip -X` makes it (no UTF-8 flag)
# is what Explorer garbles, and zipnames.py must say so.
test_zip_checker_refuses_info_zip() {
    mkdir -p "$T/in/kaohe"
    printf 'x' >"$T/in/kaohe/使用说明.txt"
    (cd "$T/in" && LANG=C.UTF-8 zip -q -X -r "$T/x.zip" kaohe)
    ! "$PY" tests/tools/zipnames.py "$T/x.zip" >"$T/out" 2>"$T/err" || fail "zip -X passed the Explorer check"
    has_text "$T/out" 'kaohe/浣跨敤璇存槑.txt'
    has_text "$T/err" 'no UTF-8 flag'
}
