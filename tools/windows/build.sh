#!/bin/bash
# make windows: cross-build a static 64-bit kaohe.exe with mingw-w64 and
# pack dist/kaohe-VERSION-windows-x64.zip.  The libraries come from
# tools/windows/build-deps.sh (Debian's sources).  Usage:
#   tools/windows/build.sh [BUILD_DIR]       (default build-win)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
W=$(realpath -m "${1:-build-win}")
HOST=x86_64-w64-mingw32
CC=$HOST-gcc-posix
tools/windows/build-deps.sh "$W"
D=$W/deps
version=$(sed -n 's/^#define KAOHE_VERSION "\(.*\)"$/\1/p' include/kaohe.h)

# The same sources as the Linux build; formats are checked there (mingw's
# printf attribute does not know %zu, which its C99 printf does).
CFLAGS="-std=c11 -O2 -g0 -D_GNU_SOURCE -D__USE_MINGW_ANSI_STDIO=1 -DUTF8PROC_STATIC
 -DLXW_STATIC -DSODIUM_STATIC -DKH_DATADIR=\"rubrics\" -DKH_LOCALEDIR=\"locale\" -Iinclude -Isrc -I$D/include
 -Wall -Wextra -Werror -Wno-format -Wno-missing-field-initializers"
mkdir -p "$W/obj/kaohe" "$W/gen"
# The page of kaohe serve, built in (Makefile: the same rule).
awk -v name=kh_server_page -v areas="$(LC_ALL=C ls src/page/*.js 2>/dev/null | tr '\n' ' ')" \
    -f tools/embed.awk src/page/index.html >"$W/gen/server_page.h"
CFLAGS="$CFLAGS -I$W/gen"
objs=()
for f in src/*.c src/serve/*.c; do
    o=$W/obj/kaohe/$(basename "${f%.c}").o
    if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find src include -name '*.h' -newer "$o")" ] ||
        { [ "$f" = src/serve/server.c ] && [ src/page/index.html -nt "$o" ]; }; then
        echo "  CC      $f (windows)"
        # shellcheck disable=SC2086
        $CC $CFLAGS -c -o "$o" "$f"
    fi
    objs+=("$o")
done
# The built-in Chinese catalogue (src/i18n.c) and the .mo for the console.
awk -f tools/po2c.awk po/zh_CN.po >"$W/obj/kaohe/msgs_zh.c"
# shellcheck disable=SC2086
$CC $CFLAGS -c -o "$W/obj/kaohe/msgs_zh.o" "$W/obj/kaohe/msgs_zh.c"
objs+=("$W/obj/kaohe/msgs_zh.o")
mkdir -p "$W/locale/zh_CN/LC_MESSAGES"
msgfmt --check -o "$W/locale/zh_CN/LC_MESSAGES/kaohe.mo" po/zh_CN.po

# The manifest: UTF-8 as the process code page (file names such as
# 两江镇.xlsx through the narrow calls), long paths, Windows 10 and later.
# The icon and the version resource (Explorer: Properties > Details).
/usr/bin/python3 tools/windows/make-icon.py "$W/gen/kaohe.ico"
IFS=. read -r v1 v2 v3 <<<"$version"
printf '#define KH_VER %s,%s,%s,0\n#define KH_VERSTR "%s"\n' "${v1:-0}" "${v2:-0}" "${v3:-0}" \
    "$version" >"$W/gen/kaohe-version.h"
$HOST-windres -c 65001 -I tools/windows -I "$W/gen" tools/windows/kaohe.rc -O coff \
    -o "$W/obj/kaohe/kaohe.res.o"
objs+=("$W/obj/kaohe/kaohe.res.o")
echo "  LINK    $W/kaohe.exe"
$CC -static -s -o "$W/kaohe.exe" "${objs[@]}" -L"$D/lib" \
    -lmicrohttpd -lsqlite3 -lsodium -lcjson -lxlsxwriter -lminizip -lz -lexpat -lcsv \
    -lutf8proc -lintl -liconv -lws2_32 -lbcrypt -ladvapi32 -lshell32 -lpthread

# The zip an office unpacks: the program, the rubrics and samples (with
# the sample roster README.zh-CN.md uses), the Chinese instructions and
# the starters.  Text files a person may open in Excel, WPS or Notepad
# (rubrics, samples, roster, instructions) are UTF-8 with a byte-order
# mark and CRLF, which Chinese Windows reads right (without the mark Excel
# reads a .csv as GBK); kaohe reads them either way.  The .bat files are
# CRLF without a mark (cmd would run the mark).
z=$W/zip/kaohe-$version
rm -rf "$W/zip" && mkdir -p "$z/rubrics" "$z/samples/名单"
cp -p "$W/kaohe.exe" "$z/"
cp -rp "$W/locale" "$z/"
windows_text() {
    { head -c 3 "$1" | cmp -s - <(printf '\357\273\277') || printf '\357\273\277'; sed 's/\r*$/\r/' "$1"; } >"$2"
    touch -r "$1" "$2"
}
for f in templates/rubrics/*.csv; do windows_text "$f" "$z/rubrics/$(basename "$f")"; done
[ -f templates/rubrics/NOTES.md ] && windows_text templates/rubrics/NOTES.md "$z/rubrics/NOTES.txt"
for f in samples/*.csv; do windows_text "$f" "$z/samples/$(basename "$f")"; done
windows_text samples/名单/单位名单.csv "$z/samples/名单/单位名单.csv"
windows_text tools/windows/使用说明.txt "$z/使用说明.txt"
for f in tools/windows/*.bat; do
    sed 's/\r*$/\r/' "$f" >"$z/$(basename "$f")"
    touch -r "$f" "$z/$(basename "$f")"
done
# Written with kaohe's own zip writer (build/zipdir, kh_archive_pack), not
# Info-ZIP's zip: every name flagged UTF-8, so that Explorer on a Chinese
# Windows shows 使用说明.txt and not 浣跨敤璇存槑.txt; each file keeps its
# date (clamped to SOURCE_DATE_EPOCH when that is set).
make -s -C "$top" B=build build/zipdir
mkdir -p dist
out=$top/dist/kaohe-$version-windows-x64.zip
rm -f "$out"
"$top/build/zipdir" "$out" "$W/zip"
echo "$out"
