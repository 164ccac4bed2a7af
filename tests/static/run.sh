#!/bin/bash
# make test-static: check the self-contained Linux builds of make linux-static.
#  1. tools/debsrc.sh writes nothing under /etc or /var/lib/apt (run with
#     them mounted read-only), and its .dsc check refuses a changed tarball;
#  2. each shipped binary (in the .deb and in the .tar.gz) is static: no
#     interpreter, no NEEDED, no GLIBC_ symbol versions, the right machine;
#     the .deb has no Depends; the .tar.gz holds what 使用说明.txt names;
#  3. messages in Chinese from the shipped .mo under LANG=zh_CN.UTF-8 (musl's
#     own gettext), English otherwise; HTTPS refused with the reason;
#  4. the CLI suite against the amd64 binary; its scoring and ranking
#     tests (test_cli.sh) against the arm64 binary under qemu-aarch64-static;
#  5. scoresheets (xlsx, csv, json), ranking (xlsx, json) and a blank
#     checklist byte-identical between amd64, arm64 (qemu) and the
#     Debian 12 build (build/kaohe), SOURCE_DATE_EPOCH set;
#  6. the amd64 .deb installs alone, scores, ranks, serves and purges in a
#     fresh Debian 12 chroot (tools/test-deb.sh; root and a mirror).
# Not part of .ci/run: it builds two toolchains' worth of libraries.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
T=$(realpath -m "${T_STATIC:-build-static}")
version=$(sed -n 's/^#define KAOHE_VERSION "\(.*\)"$/\1/p' include/kaohe.h)
qemu="qemu-aarch64-static"
command -v $qemu >/dev/null || { echo "$qemu missing: tools/install-deps.sh static" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "  FAIL: $*"; fail=1; }

echo "== 1. tools/debsrc.sh: a private apt state, checksums of the .dsc"
rm -rf "$T/debsrc-test"
if unshare -m sh -ec '
        for d in /etc /var/lib/apt /var/cache/apt; do
            mount --bind "$d" "$d" && mount -o remount,bind,ro "$d"
        done
        touch /etc/kaohe-probe 2>/dev/null && exit 3
        tools/debsrc.sh "$1" zlib' _ "$T/debsrc-test" >"$tmp/debsrc.out" 2>&1; then
    d=$(tail -1 "$tmp/debsrc.out")
    [ -f "$d/zlib.h" ] && [ -d "$d/debian" ] || bad "no zlib source in $d"
    grep -q '^deb-src .* bookworm main' "$T/debsrc-test/apt/sources.list" || bad "no deb-src list"
    echo "  zlib fetched with /etc, /var/lib/apt and /var/cache/apt read-only"
else
    cat "$tmp/debsrc.out"; bad "tools/debsrc.sh failed with /etc read-only"
fi
dsc=$(ls "$T"/debsrc-test/src/.dl/zlib_*.dsc 2>/dev/null | head -1 || true)
if [ -n "$dsc" ]; then
    mkdir "$tmp/dsc"
    cp "$(dirname "$dsc")"/zlib_* "$tmp/dsc/"
    tools/debsrc.sh --verify "$tmp/dsc/$(basename "$dsc")" >/dev/null || bad "--verify refused intact files"
    orig=$(ls "$tmp"/dsc/zlib_*.orig.tar.*)
    printf 'x' | dd of="$orig" bs=1 seek=4096 conv=notrunc 2>/dev/null
    if tools/debsrc.sh --verify "$tmp/dsc/$(basename "$dsc")" 2>"$tmp/verify.err"; then
        bad "--verify took a changed tarball"
    else
        grep -q 'SHA-256 differs' "$tmp/verify.err" || bad "--verify: $(cat "$tmp/verify.err")"
        echo "  a changed tarball is refused"
    fi
fi

echo "== 2. static binaries, packages without Depends"
for arch in amd64 arm64; do
    case $arch in
        amd64) machine="Advanced Micro Devices X86-64" file_m="x86-64" ;;
        arm64) machine="AArch64" file_m="ARM aarch64" ;;
    esac
    deb=dist/kaohe-static_${version}_$arch.deb
    tgz=dist/kaohe-$version-linux-$arch.tar.gz
    [ -f "$deb" ] && [ -f "$tgz" ] || { bad "$deb or $tgz missing: make linux-static"; continue; }
    x=$tmp/$arch
    mkdir -p "$x/deb"
    dpkg-deb -x "$deb" "$x/deb"
    tar -C "$x" -xzf "$tgz"
    for b in "$x/deb/usr/bin/kaohe" "$x/kaohe-$version-linux-$arch/kaohe"; do
        f=$(file -b "$b")
        case $f in *"statically linked"*) ;; *) bad "$b: $f" ;; esac
        case $f in *"$file_m"*) ;; *) bad "$b is not $file_m: $f" ;; esac
        readelf -h "$b" | grep -q "Machine: *$machine" || bad "$b: machine is not $machine"
        ! readelf -l "$b" | grep -q 'program interpreter' || bad "$b asks for an interpreter"
        ! readelf -d "$b" | grep -q NEEDED || bad "$b has NEEDED: $(readelf -d "$b" | grep NEEDED)"
        ! readelf -V "$b" | grep -q GLIBC_ || bad "$b has GLIBC_ symbol versions"
        ! strings -a "$b" | grep -q 'GLIBC_2\.' || bad "$b names a GLIBC_2 version"
    done
    ctl=$(dpkg-deb -f "$deb")
    [ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || bad "$deb: Architecture is not $arch"
    ! grep -qE '^(Pre-)?Depends:' <<<"$ctl" || bad "$deb has Depends: $(grep Depends <<<"$ctl")"
    grep -qx 'Provides: kaohe (= '"$version"')' <<<"$ctl" || bad "$deb does not provide kaohe"
    [ -f "$x/deb/usr/share/locale/zh_CN/LC_MESSAGES/kaohe.mo" ] || bad "$deb: no kaohe.mo"
    [ -f "$x/deb/usr/share/kaohe/rubrics/lingui-2020-township.csv" ] || bad "$deb: no rubrics"
    [ -f "$x/deb/usr/share/man/zh_CN/man1/kaohe.1.gz" ] || bad "$deb: no Chinese man page"
    r=$x/kaohe-$version-linux-$arch
    for p in kaohe 使用说明.txt 启动考核.sh rubrics/lingui-2020-township.csv \
        rubrics/lingui-2020-department.csv samples/两江镇.csv locale/zh_CN/LC_MESSAGES/kaohe.mo \
        man/man1/kaohe.1 man/zh_CN/man1/kaohe.1; do
        [ -e "$r/$p" ] || bad "$tgz lacks $p"
    done
    [ -x "$r/kaohe" ] && [ -x "$r/启动考核.sh" ] || bad "$tgz: kaohe or 启动考核.sh not executable"
    [ "$(tar -tzf "$tgz" | cut -d/ -f1 | sort -u)" = "kaohe-$version-linux-$arch" ] ||
        bad "$tgz: not all under kaohe-$version-linux-$arch/"
    echo "  $arch: $(stat -c %s "$x/deb/usr/bin/kaohe") bytes, static, $machine"
done

# run ARCH ARGS...: the kaohe of the unpacked .tar.gz (rubrics and locale
# found beside it, as an office finds them), arm64 under qemu.
run() {
    local arch=$1; shift
    local b=$tmp/$arch/kaohe-$version-linux-$arch/kaohe
    if [ "$arch" = arm64 ]; then $qemu "$b" "$@"; else "$b" "$@"; fi
}

echo "== 3. messages: Chinese from the shipped .mo, English otherwise; no HTTPS"
for arch in amd64 arm64; do
    [ -d "$tmp/$arch" ] || continue
    was=$fail fail=0
    out=$(LANG=zh_CN.UTF-8 LC_ALL='' LANGUAGE='' run $arch --help 2>&1 || true)
    grep -qF "用法" <<<"$out" || bad "$arch: LANG=zh_CN.UTF-8 --help is not Chinese: $(head -2 <<<"$out")"
    out=$(LANG=zh_CN.UTF-8 LC_ALL='' run $arch score /nonexistent.csv 2>&1 || true)
    LC_ALL=C.UTF-8 grep -qP '[\x{4e00}-\x{9fff}]' <<<"$out" || bad "$arch: error not in Chinese: $out"
    # LANGUAGE as GNU gettext reads it (musl's does not: kh_messages_language):
    # the first entry with a catalogue, none: English.
    out=$(LANG=zh_CN.UTF-8 LC_ALL='' LANGUAGE=fr:zh_CN:en run $arch frobnicate 2>&1 || true)
    grep -qF '未知命令' <<<"$out" || bad "$arch: LANGUAGE=fr:zh_CN:en is not Chinese: $out"
    out=$(LANG=zh_CN.UTF-8 LC_ALL='' LANGUAGE=en:zh_CN run $arch frobnicate 2>&1 || true)
    grep -qF '未知命令' <<<"$out" || bad "$arch: LANGUAGE=en:zh_CN is not Chinese (en has no catalogue): $out"
    out=$(LANG=zh_CN.UTF-8 LC_ALL='' LANGUAGE=fr:de run $arch frobnicate 2>&1 || true)
    grep -qF "unknown command" <<<"$out" || bad "$arch: LANGUAGE=fr:de is not English: $out"
    out=$(LANG=C.UTF-8 LC_ALL='' run $arch --help 2>&1 || true)
    grep -q '^usage: kaohe COMMAND' <<<"$out" || bad "$arch: LANG=C.UTF-8 --help is not English"
    # Without the .mo, English even in zh_CN: the Chinese came from the file.
    mv "$tmp/$arch/kaohe-$version-linux-$arch/locale" "$tmp/$arch/locale.away"
    out=$(LANG=zh_CN.UTF-8 LC_ALL='' run $arch --help 2>&1 || true)
    mv "$tmp/$arch/locale.away" "$tmp/$arch/kaohe-$version-linux-$arch/locale"
    if [ ! -f /usr/share/locale/zh_CN/LC_MESSAGES/kaohe.mo ] && ! grep -q '^usage: kaohe COMMAND' <<<"$out"; then
        bad "$arch: Chinese without the .mo?"
    fi
    out=$(run $arch serve --listen 127.0.0.1:1 --tls-cert /dev/null --tls-key /dev/null 2>&1 || true)
    grep -q 'no HTTPS' <<<"$out" || bad "$arch: serve --tls-cert: $out"
    [ $fail = 1 ] || echo "  $arch: zh_CN.UTF-8 in Chinese, C.UTF-8 in English, HTTPS refused with the reason"
    [ "$was" = 0 ] || fail=1
done

echo "== 4. the CLI suite: amd64 natively, test_cli.sh's scoring and ranking on arm64 (qemu)"
for arch in amd64 arm64; do
    [ -d "$T/$arch/kaohe" ] || continue
    B=$tmp/b-$arch
    mkdir -p "$B"
    for f in "$T/$arch/kaohe"/*; do [ "$(basename "$f")" = kaohe ] || ln -s "$f" "$B/"; done
    wrap=
    [ "$arch" = arm64 ] && wrap="$qemu "
    printf '#!/bin/sh\nKAOHE_RUBRICS=${KAOHE_RUBRICS:-%s} exec %s"%s" "$@"\n' \
        "$top/templates/rubrics" "$wrap" "$T/$arch/kaohe/kaohe" >"$B/kaohe"
    chmod +x "$B/kaohe"
    if [ "$arch" = amd64 ]; then
        B=$B tests/run-sh.sh tests/cli || bad "the CLI suite on the static amd64 build"
    else
        ONLY=cli B=$B tests/run-sh.sh tests/cli || bad "test_cli.sh on arm64 under qemu"
    fi
done

echo "== 5. outputs byte-identical: amd64, arm64 (qemu), Debian 12's build"
export SOURCE_DATE_EPOCH=1700000000 KAOHE_RUBRICS=$top/templates/rubrics
make -s all
for k in amd64 arm64 debian; do
    o=$tmp/out-$k
    mkdir -p "$o"
    if [ $k = debian ]; then K=(build/kaohe); elif [ $k = arm64 ]; then K=("$qemu" "$T/arm64/kaohe/kaohe"); else K=("$T/amd64/kaohe/kaohe"); fi
    "${K[@]}" rank samples -o "$o/ranking.xlsx" --json "$o/ranking.json"
    "${K[@]}" score samples -o "$o/scoresheets" --format xlsx,csv,json
    "${K[@]}" template lingui-2020-township --unit 两江镇 -o "$o/两江镇检查表.xlsx"
    "${K[@]}" template lingui-2020-department -o "$o/部门检查表.csv"
done
unset SOURCE_DATE_EPOCH KAOHE_RUBRICS
n=$(find "$tmp/out-amd64" -type f | wc -l)
for k in arm64 debian; do
    m=$(find "$tmp/out-$k" -type f | wc -l)
    [ "$n" -eq "$m" ] || bad "$n files from amd64, $m from $k"
    while IFS= read -r -d '' f; do
        rel=${f#"$tmp/out-amd64/"}
        cmp -s "$f" "$tmp/out-$k/$rel" || bad "$rel: $k differs from amd64"
    done < <(find "$tmp/out-amd64" -type f -print0)
done
[ -f "$tmp/out-amd64/scoresheets/两江镇.xlsx" ] && [ -f "$tmp/out-amd64/scoresheets/两江镇.csv" ] ||
    bad "no xlsx or csv scoresheets"
echo "  $n files each, compared"

echo "== 6. the amd64 .deb on a fresh Debian 12"
tools/test-deb.sh "dist/kaohe-static_${version}_amd64.deb" || bad "tools/test-deb.sh"

[ $fail = 0 ] && echo "test-static: all passed" || echo "test-static: FAILED"
exit $fail
