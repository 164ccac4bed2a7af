#!/bin/bash
# make test-windows: build kaohe.exe (tools/windows/build.sh) and test it
# under Wine (Debian wine64), in a Wine prefix of its own:
#  0. the release zip's names read as Explorer reads them (UTF-8 flag on
#     every entry: tests/tools/zipnames.py, which fails on a zip that
#     Info-ZIP's `zip -X` makes of the same tree), the files README.zh-CN
#     names, Windows text files (BOM, CRLF), real dates;
#  1. the samples' ranking, JSON, scoresheets (xlsx, csv) and a blank
#     checklist are byte-identical to the Linux build's (SOURCE_DATE_EPOCH),
#     under LANG=C.UTF-8 and under LANG=zh_CN.UTF-8 (in a Chinese locale
#     the C runtime once compared sheet names in code page 936), and so are
#     the ranking and JSON of the samples saved as GBK (Excel's "CSV" on a
#     Chinese Windows); kaohe.exe's GB18030 reading of every code equals
#     the Linux build's (tests/windows/gbdump.c);
#  2. the CLI test suite runs against kaohe.exe, less the tests listed in
#     tests/windows/not-here.txt, which need Linux itself (each with why);
#  3. kaohe serve answers its page on 127.0.0.1, scores an upload into a
#     workspace as the Linux build does, and sends the ranking by its
#     Chinese name;
#  4. the .xls suites of tests/interop against kaohe.exe: the corpus of
#     three producers scores to the Linux build's bytes, hostile .xls
#     files are refused with their message, not a crash;
#  5. 启动考核.bat, 停止考核.bat and kaohe.exe double-clicked, run by Wine's
#     cmd from the unpacked zip: the page answers with its secret, a
#     second start reuses it, stop stops it, a busy port and a bad
#     workspace are shown, nothing is left running.
# About 10 minutes, most of it Wine starting once per kaohe run.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
W=$(realpath -m "${W:-build-win}")
tools/windows/build.sh "$W" >/dev/null
make -s all
version=$(sed -n 's/^#define KAOHE_VERSION "\(.*\)"$/\1/p' include/kaohe.h)
fail=0
wine=/usr/lib/wine/wine64 # Debian's wine64 keeps its loader off PATH
[ -x "$wine" ] || { echo "wine64 missing: tools/install-deps.sh windows" >&2; exit 1; }
tmp=$(mktemp -d)
# At the end, Wine's own processes of this prefix are stopped first: a
# wineserver still writing into the prefix made removing it fail.
wineserver=/usr/lib/wine/wineserver64
trap 'WINEPREFIX=$tmp/prefix $wineserver -k 2>/dev/null; WINEPREFIX=$tmp/prefix $wineserver -w 2>/dev/null; rm -rf "$tmp" || true' EXIT
export WINEPREFIX=$tmp/prefix WINEDEBUG=-all
# The wrapper the tests call as kaohe: kaohe.exe under Wine, finding the
# rubrics of this tree as the installed program finds its own.
B=$tmp/b
mkdir -p "$B"
for f in build/*; do [ "$(basename "$f")" = kaohe ] || ln -s "$top/$f" "$B/"; done
cat >"$B/kaohe" <<WRAP
#!/bin/sh
KAOHE_RUBRICS=\${KAOHE_RUBRICS:-$top/templates/rubrics} exec $wine $W/kaohe.exe "\$@"
WRAP
chmod +x "$B/kaohe"
"$B/kaohe" --version >/dev/null 2>&1 || true # the prefix is made on the first run

echo "== 0. the release zip as Explorer reads it"
zip=dist/kaohe-$version-windows-x64.zip
want=(kaohe.exe locale/zh_CN/LC_MESSAGES/kaohe.mo rubrics/NOTES.txt samples/名单/单位名单.csv
    使用说明.txt 启动考核.bat 停止考核.bat)
for f in templates/rubrics/*.csv; do want+=("rubrics/${f##*/}"); done
for f in samples/*.csv; do want+=("samples/${f##*/}"); done
if /usr/bin/python3 tests/tools/zipnames.py --strict "$zip" "${want[@]/#/kaohe-$version/}" >/dev/null; then
    echo "  ${#want[@]} names flagged UTF-8, as README.zh-CN.md names them"
else
    echo "  the release zip's names are not as Explorer should read them"; fail=1
fi
# And as unzip (in the C and a Chinese locale), bsdtar and 7z unpack it:
# the names Explorer shows, every one.
/usr/bin/python3 tests/tools/zipnames.py --strict "$zip" | grep -v '/$' | LC_ALL=C sort >"$tmp/names"
for r in unzip-C unzip-zh bsdtar 7z; do
    x=$tmp/x-$r
    mkdir -p "$x"
    case $r in
        unzip-C) env -u LC_ALL LANG=C unzip -q "$zip" -d "$x" ;;
        unzip-zh) env -u LC_ALL LANG=zh_CN.UTF-8 unzip -q "$zip" -d "$x" ;;
        bsdtar) env -u LC_ALL LANG=C.UTF-8 bsdtar -xf "$zip" -C "$x" ;;
        7z) env -u LC_ALL LANG=C 7z x -y -o"$x" "$zip" >/dev/null ;;
    esac || { echo "  $r could not unpack the release zip"; fail=1; }
    (cd "$x" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) | cmp -s - "$tmp/names" ||
        { echo "  $r unpacked other names than Explorer shows"; fail=1; }
done
rm -rf "$tmp"/x-*
echo "  unzip (C, zh_CN.UTF-8), bsdtar and 7z unpack the names Explorer shows"
# The same check refuses the zip that Info-ZIP's zip -X makes of the tree.
(cd "$W/zip" && zip -q -X -r "$tmp/infozip.zip" "kaohe-$version")
if /usr/bin/python3 tests/tools/zipnames.py "$tmp/infozip.zip" >/dev/null 2>&1; then
    echo "  the check passed a zip made by zip -X"; fail=1
fi
/usr/bin/python3 - "$zip" "kaohe-$version" <<'PY' || fail=1
import sys, time, zipfile
z, top = zipfile.ZipFile(sys.argv[1]), sys.argv[2]
for i in z.infolist():
    data = z.read(i)
    n = i.filename[len(top) + 1:]
    if n.endswith(('.csv', '.txt')):
        # Excel and WPS on a Chinese Windows read a .csv as UTF-8 only
        # with the mark; Notepad wants CRLF.
        assert data.startswith(b'\xef\xbb\xbf'), (n, data[:8])
        assert data.count(b'\n') == data.count(b'\r\n') > 0, n
    if n.endswith('.bat'):
        assert not data.startswith(b'\xef\xbb\xbf') and data.count(b'\n') == data.count(b'\r\n'), n
    assert i.date_time[0] >= 2020, (n, i.date_time)
assert z.read(top + '/samples/名单/单位名单.csv').decode('utf-8-sig').startswith('序号'), 'roster'
print('  rubrics, samples, roster and instructions with BOM and CRLF; real dates')
PY

# kaohe.exe carries its version (Explorer: Properties > Details) and icon.
/usr/bin/python3 - "$W/kaohe.exe" "$version" <<'PY' || fail=1
import struct, sys
d = open(sys.argv[1], 'rb').read()
for s in ('FileDescription', 'ProductVersion', sys.argv[2], '安全生产考核评分'):
    assert s.encode('utf-16-le') in d, 'no ' + s + ' in the version resource'
# BITMAPINFOHEADER of the 32x32 32-bit icon image (height doubled).
assert struct.pack('<IiiHH', 40, 32, 64, 1, 32) in d, 'no 32x32 icon'
print('  kaohe.exe has its version resource and icon')
PY

echo "== 1. outputs byte-identical to the Linux build's (C.UTF-8 and zh_CN.UTF-8)"
export SOURCE_DATE_EPOCH=1700000000
# One time zone for both: the ranking's 来源 sheet names the machine's zone,
# which Linux reads from /etc/localtime (Etc/UTC here: "UTC") and Wine maps
# to a Windows zone ("Greenwich Standard Time").  On a Chinese Windows
# ("China Standard Time") and Linux (Asia/Shanghai) both say 北京时间.
export TZ=UTC
# Both read the rubrics by the same name: the ranking's 来源 sheet and the
# JSON's provenance record the rubric files' paths.
export KAOHE_RUBRICS=$top/templates/rubrics
# The samples as Excel saves a CSV on a Chinese Windows: GBK.
mkdir -p "$tmp/gbk"
/usr/bin/python3 - "$tmp/gbk" <<'PY'
import glob, os, sys
for f in glob.glob('samples/*.csv'):
    b = open(f, 'rb').read()
    try:
        b = b.decode('utf-8-sig').encode('gb18030')
    except UnicodeDecodeError:
        pass
    open(os.path.join(sys.argv[1], os.path.basename(f)), 'wb').write(b)
PY
for loc in C.UTF-8 zh_CN.UTF-8; do
    rm -rf "$tmp/linux" "$tmp/windows"
    for k in linux windows; do
        if [ $k = linux ]; then K=$top/build/kaohe; else K=$B/kaohe; fi
        o=$tmp/$k
        mkdir -p "$o"
        export LANG=$loc LC_ALL=
        "$K" rank samples -o "$o/ranking.xlsx" --json "$o/ranking.json" || echo "  $k: rank failed ($loc)"
        "$K" score samples -o "$o/scoresheets" --format xlsx,csv,json
        "$K" template lingui-2020-township --unit 两江镇 -o "$o/两江镇检查表.xlsx"
        "$K" template lingui-2020-department -o "$o/部门检查表.csv"
        (cd "$tmp" && "$K" rank gbk -o "$o/gbk-ranking.xlsx" --json "$o/gbk-ranking.json") ||
            echo "  $k: the GBK samples were not all scored ($loc)"
    done
    n=0
    while IFS= read -r -d '' f; do
        rel=${f#"$tmp/linux/"}
        n=$((n + 1))
        cmp -s "$f" "$tmp/windows/$rel" || { echo "  differs ($loc): $rel"; fail=1; }
    done < <(find "$tmp/linux" -type f -print0)
    m=$(find "$tmp/windows" -type f | wc -l)
    [ "$n" -eq "$m" ] || { echo "  $n files from Linux, $m from Windows ($loc)"; fail=1; }
    g=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["units"]))' "$tmp/windows/gbk-ranking.json" 2>/dev/null || echo 0)
    [ "$g" = "$(ls samples/*.csv | wc -l)" ] || { echo "  kaohe.exe scored $g of the GBK samples ($loc)"; fail=1; }
    echo "  $n files compared ($loc), $g GBK checklists scored"
done
unset SOURCE_DATE_EPOCH KAOHE_RUBRICS LANG TZ
# GB18030, every code: kaohe.exe's table reads as the Linux build's.
cc -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -O2 -o "$tmp/gbdump" tests/windows/gbdump.c src/gb18030.c
x86_64-w64-mingw32-gcc-posix -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -I"$W/deps/include" -O2 -static \
    -o "$tmp/gbdump.exe" tests/windows/gbdump.c src/gb18030.c
"$tmp/gbdump" >"$tmp/gb.linux"
$wine "$tmp/gbdump.exe" >"$tmp/gb.windows"
if cmp -s "$tmp/gb.linux" "$tmp/gb.windows"; then
    echo "  GB18030: $(($(stat -c %s "$tmp/gb.linux") / 4)) codes read alike"
else
    echo "  GB18030: kaohe.exe reads some codes otherwise"; fail=1
fi

echo "== 2. the CLI tests against kaohe.exe"
# The suite compares English messages: it runs in C.UTF-8 (the Linux suite
# too, until its tests set the locale they compare).
LANG=C.UTF-8 LC_ALL= B=$B KAOHE_NOT_HERE=tests/windows/not-here.txt tests/run-sh.sh tests/cli || fail=1

echo "== 3. kaohe serve under Wine"
if build/kaohe serve --help >/dev/null 2>&1; then
    port=$((20000 + RANDOM % 20000))
    LANG=zh_CN.UTF-8 "$B/kaohe" serve --listen 127.0.0.1:$port --workspace "$tmp/ws" >"$tmp/serve.log" 2>&1 &
    pid=$!
    ok=0
    for _ in $(seq 60); do
        if /usr/bin/python3 - "$port" <<'PY' 2>/dev/null; then ok=1; break; fi
import sys, urllib.request
page = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=2).read().decode()
sys.exit(0 if 'lang="zh-CN"' in page else 1)
PY
        sleep 1
    done
    if [ $ok = 1 ]; then
        echo "  the page answered"
        # An upload into the workspace (files with Chinese names), the
        # ranking as the Linux build ranks them, and the workbook download.
        # On 127.0.0.1 without accounts each /api call needs the secret of
        # this start, which the address printed at start carries.
        url=http://127.0.0.1:$port
        token=$(sed -n 's/.*?token=\([0-9a-f]*\).*/\1/p' "$tmp/serve.log" | head -1)
        auth="Authorization: token $token"
        if [ -n "$token" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/state")" = 403 ] &&
            curl -s -H "$auth" -F "file=@samples/两江镇.csv" -F "file=@samples/临桂镇.csv" "$url/api/rank" >"$tmp/r.json" &&
            build/kaohe rank samples/两江镇.csv samples/临桂镇.csv -o "$tmp/l.xlsx" --json "$tmp/l.json" 2>/dev/null &&
            /usr/bin/python3 - "$tmp/r.json" "$tmp/l.json" <<'PY' &&
import json, sys
r, l = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
t = lambda us: [(u['unit'], u['total'], u['rank']) for u in us]
assert t(r['result']['units']) == t(l['units']), (r['result']['units'], l['units'])
assert [h['kind'] for h in r['history']] == ['首次上传', '首次上传'], r['history']
PY
            curl -s -H "$auth" -D "$tmp/h" -o "$tmp/w.xlsx" "$url/api/download?what=ranking" &&
            grep -qi "filename\*=UTF-8''%E8%80%83%E6%A0%B8%E6%8E%92%E5%90%8D.xlsx" "$tmp/h"; then
            echo "  without the start's secret refused; with it an upload was scored, recorded in the workspace and its ranking downloaded"
        else
            echo "  the upload under Wine went wrong"; head -c 400 "$tmp/r.json"; fail=1
        fi
    else
        echo "  no page"; cat "$tmp/serve.log"; fail=1
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
else
    echo "  this build has no kaohe serve"
    fail=1
fi

echo "== 4. .xls under Wine: three producers' corpus as on Linux, hostile files refused"
# tests/interop's .xls suites against kaohe.exe: the differential corpus
# (test_xls_corpus.sh: ~305 workbooks of LibreOffice, xlwt and SheetJS,
# each scored by kaohe.exe like its .xlsx twin and, with KAOHE_LINUX, to
# the very bytes the Linux build writes for it), and test_xls.sh: the
# hostile inputs of tests/data/regress/xls/ and made ones (truncated, bare
# header, 34 MB, encrypted, BIFF2, web pages and CSV named .xls) refused
# with their message and exit status 1, not a crash.
make -s build/sheet_cells
mkdir -p build/npm # SheetJS, installed once (the npm registry) and kept
[ -e "$B/npm" ] || ln -s "$top/build/npm" "$B/npm"
[ -e "$B/sheet_cells" ] || ln -s "$top/build/sheet_cells" "$B/sheet_cells"
LANG=C.UTF-8 LC_ALL= SOURCE_DATE_EPOCH=1700000000 KAOHE_LINUX=$top/build/kaohe \
    KAOHE_RUBRICS=$top/templates/rubrics ONLY=xls B=$B KAOHE_NOT_HERE=tests/windows/not-here.txt \
    tests/run-sh.sh tests/interop || fail=1

echo "== 5. the starters under Wine: 启动考核.bat, 停止考核.bat, kaohe.exe double-clicked"
# As unpacked from the release zip.  Wine opens a web address with
# winebrowser, which runs xdg-open: here a stand-in that records it.
app=$tmp/app
mkdir -p "$app" "$tmp/unixbin"
(cd "$app" && unzip -q "$top/$zip")
app=$app/kaohe-$version
printf '#!/bin/sh\necho "$1" >>%s/opened\n' "$tmp" >"$tmp/unixbin/xdg-open"
chmod +x "$tmp/unixbin/xdg-open"
touch "$tmp/opened"
# The starter's state folder, %LOCALAPPDATA%\kaohe of the prefix's user.
state=$(find "$WINEPREFIX/drive_c/users" -maxdepth 3 -path '*/AppData/Local' | head -1)/kaohe
# bat NAME [ARG...]: run the .bat as Explorer would (cmd /c), no keyboard.
bat() {
    (cd "$app" && PATH=$tmp/unixbin:$PATH LANG=zh_CN.UTF-8 LC_ALL= timeout 120 \
        $wine cmd /c "$@" </dev/null >"$tmp/bat.out" 2>&1)
}
# servers: the kaohe.exe serve processes started from this app folder.
servers() { pgrep -f "$app/kaohe.exe serve" | wc -l; }
# answers URL: the page answers with the start's secret.
answers() {
    local base=${1%%\?*} token=${1##*token=}
    [ "$(curl -s -o /dev/null -w '%{http_code}' -m 5 -H "Authorization: token $token" "${base}api/state")" = 200 ]
}
ok5=1
if bat 启动考核.bat && url=$(tail -1 "$tmp/opened") && [ -n "$url" ] && answers "$url" &&
    [ "$(servers)" = 1 ] && grep -q "考核页面已启动" "$tmp/bat.out"; then
    echo "  启动考核.bat: the page answers, opened in the browser with its secret"
else
    echo "  启动考核.bat did not start the page"; cat "$tmp/bat.out"; ok5=0
fi
if bat 启动考核.bat && [ "$(tail -1 "$tmp/opened")" = "$url" ] && [ "$(wc -l <"$tmp/opened")" = 2 ] &&
    [ "$(servers)" = 1 ] && grep -q "之前启动的考核页面仍在运行" "$tmp/bat.out"; then
    echo "  a second start opens the same page again, no second server"
else
    echo "  the second start did not reuse the page"; cat "$tmp/bat.out"; ok5=0
fi
if bat 停止考核.bat && ! answers "$url" && [ "$(servers)" = 0 ] && [ ! -e "$state/url.txt" ] &&
    grep -q "考核页面已停止" "$tmp/bat.out"; then
    echo "  停止考核.bat stopped it; nothing left running"
else
    echo "  停止考核.bat did not stop the page"; cat "$tmp/bat.out"; ok5=0
fi
bat 停止考核.bat && grep -q "考核页面未在运行" "$tmp/bat.out" || { echo "  stop twice"; ok5=0; }
# A busy port: said, with kaohe serve's own words, and nothing left running.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
holder=$!
sleep 0.5
if ! bat 启动考核.bat --listen 127.0.0.1:$port && grep -q "无法在 127.0.0.1:$port 上监听" "$tmp/bat.out" &&
    grep -q "按任意键" "$tmp/bat.out" && [ "$(servers)" = 0 ] && [ ! -e "$state/url.txt" ]; then
    echo "  a busy port is shown (and the window waits for a key); nothing left running"
else
    echo "  the busy port went unsaid"; cat "$tmp/bat.out"; ok5=0
fi
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
# A workspace that cannot be opened: a file in its place.
: >"$tmp/not-a-folder"
if ! bat 启动考核.bat --workspace "$tmp/not-a-folder" && grep -q "工作区" "$tmp/bat.out" &&
    [ "$(servers)" = 0 ]; then
    echo "  a workspace that cannot be opened is shown"
else
    echo "  the bad workspace went unsaid"; cat "$tmp/bat.out"; ok5=0
fi
# kaohe.exe double-clicked: a console of its own (here a terminal, which
# Wine makes the process's console): the page starts as by 启动考核.bat,
# its Chinese messages whole on the console.
: >"$tmp/opened"
(cd "$app" && PATH=$tmp/unixbin:$PATH LANG=zh_CN.UTF-8 LC_ALL= timeout 120 \
    script -qec "$wine $app/kaohe.exe" /dev/null </dev/null >"$tmp/dc.out" 2>&1) || true
url=$(tail -1 "$tmp/opened")
if [ -n "$url" ] && answers "$url" && [ "$(servers)" = 1 ] && grep -q "考核页面已启动" "$tmp/dc.out" &&
    ! grep -q $'\xef\xbf\xbd' "$tmp/dc.out"; then
    echo "  kaohe.exe double-clicked started the page"
else
    echo "  kaohe.exe double-clicked did not start the page"; cat -v "$tmp/dc.out" | head -20; ok5=0
fi
(cd "$app" && LANG=C.UTF-8 timeout 60 $wine kaohe.exe stop </dev/null >/dev/null 2>&1) || ok5=0
# From a script or a pipe, no arguments is the usage, exit 2.
rc=0
(cd "$app" && LANG=C.UTF-8 timeout 60 $wine kaohe.exe </dev/null >"$tmp/u.out" 2>&1) || rc=$?
[ $rc = 2 ] && grep -q "usage: kaohe COMMAND" "$tmp/u.out" || { echo "  no arguments from a pipe: $rc"; ok5=0; }
[ "$(servers)" = 0 ] || { echo "  a kaohe.exe serve was left running"; ok5=0; }
[ $ok5 = 1 ] || fail=1
exit $fail
