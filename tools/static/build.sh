#!/bin/bash
# make linux-static: a self-contained kaohe for each architecture (static,
# on musl; nothing of the system is used but the kernel), packed as
#   dist/kaohe-static_VERSION_ARCH.deb    (no library Depends)
#   dist/kaohe-VERSION-linux-ARCH.tar.gz  (unpack anywhere and run)
# The libraries come from tools/static/build-deps.sh (Debian 12's sources).
#
#   tools/static/build.sh [TOP [ARCH...]]   (default build-static amd64 arm64)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
T=$(realpath -m "${1:-build-static}")
shift || true
[ $# -gt 0 ] || set -- amd64 arm64
version=$(sed -n 's/^#define KAOHE_VERSION "\(.*\)"$/\1/p' include/kaohe.h)
[ -n "$version" ] || { echo "$0: no KAOHE_VERSION in include/kaohe.h" >&2; exit 1; }
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
mkdir -p dist

for arch in "$@"; do
    case $arch in
        amd64) TRIPLE=x86_64-linux-gnu ;;
        arm64) TRIPLE=aarch64-linux-gnu ;;
        *) echo "$0: no toolchain for $arch (amd64, arm64)" >&2; exit 2 ;;
    esac
    tools/static/build-deps.sh "$arch" "$T"
    W=$T/$arch
    D=$W/deps
    # The program, through the Makefile with musl's compiler and the static
    # libraries in place of pkg-config's.
    libs="-static -L$D/lib -lmicrohttpd -lsqlite3 -lsodium -lcjson -lxlsxwriter -lminizip -lz"
    libs="$libs -lexpat -lcsv -lutf8proc"
    mk=(B="$W/kaohe" CC="$W/musl/bin/musl-gcc" PREFIX=/usr
        PKG_CFLAGS="-I$D/include -I$D/include/minizip -DUTF8PROC_STATIC"
        LIBS="$libs" CFLAGS="-O2 -g0 -ffile-prefix-map=$top=.")
    echo "  MAKE    kaohe ($arch, static)" >&2
    nice make -s -j2 "${mk[@]}" all
    stage=$W/deb/stage
    rm -rf "$W/deb" && mkdir -p "$stage"
    make -s "${mk[@]}" DESTDIR="$stage" install >/dev/null
    "$TRIPLE-strip" --strip-all --remove-section=.comment --remove-section=.note \
        "$stage/usr/bin/kaohe"

    # The .deb: tools/make-deb.sh's layout and checks on the staged tree.
    KAOHE_DEB_STAGED=1 KAOHE_DEB_ARCH=$arch KAOHE_DEB_PACKAGE=kaohe-static \
        tools/make-deb.sh "$W/deb"

    # The .tar.gz: the program with everything beside it (it finds rubrics/
    # and locale/ next to itself), a starter, samples and the instructions.
    name=kaohe-$version-linux-$arch
    t=$W/tar/$name
    rm -rf "$W/tar" && mkdir -p "$t/rubrics" "$t/samples" "$t/man/man1" "$t/man/zh_CN/man1"
    cp "$stage/usr/bin/kaohe" "$t/kaohe"
    cp -r "$stage/usr/share/locale" "$t/locale"
    cp templates/rubrics/*.csv "$t/rubrics/"
    [ -f templates/rubrics/NOTES.md ] && cp templates/rubrics/NOTES.md "$t/rubrics/"
    cp samples/*.csv "$t/samples/"
    [ -d samples/名单 ] && cp -r samples/名单 "$t/samples/"
    cp doc/kaohe.1 "$t/man/man1/"
    cp doc/zh_CN/kaohe.1 "$t/man/zh_CN/man1/"
    if [ -f packaging/kaohe-desktop ]; then
        cp packaging/kaohe-desktop "$t/kaohe-desktop"
        [ -f packaging/kaohe-desktop.1 ] && cp packaging/kaohe-desktop.1 "$t/man/man1/"
    fi
    install -m 755 tools/static/启动考核.sh "$t/启动考核.sh"
    cp tools/static/使用说明.txt "$t/使用说明.txt"
    cp packaging/copyright "$t/copyright"
    out=$top/dist/$name.tar.gz
    tar -C "$W/tar" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 \
        --numeric-owner --mode=u+w,go-w,a+rX -cf - "$name" | gzip -9n >"$out"
    echo "dist/$name.tar.gz"
done
