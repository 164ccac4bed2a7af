#!/bin/bash
# Build, for one architecture, musl and every library kaohe links, as static
# archives, from the Debian 12 sources pinned in tools/debsrc.versions
# (fetched and checked by tools/debsrc.sh into $TOP/src, with its private
# apt state in $TOP/apt).
#
#   tools/static/build-deps.sh ARCH [TOP]      ARCH: amd64 | arm64
#
# TOP is the static build folder (default build-static); the output goes to
# $TOP/ARCH/musl (the C library, with a musl-gcc wrapper for the
# architecture's gcc) and $TOP/ARCH/deps/{include,lib}.  Each piece is built
# once; remove $TOP/ARCH/deps/.done-NAME to build it again.
#
# Another architecture needs one thing: a gcc for it (TRIPLE-gcc) and a musl
# that supports it.  Add a line to the case below.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
arch=${1:?usage: $0 amd64|arm64 [TOP]}
T=$(realpath -m "${2:-build-static}")
W=$T/$arch
case $arch in
    amd64) TRIPLE=x86_64-linux-gnu MUSL=x86_64-linux-musl
        kinc=(/usr/include/linux /usr/include/x86_64-linux-gnu/asm /usr/include/asm-generic) ;;
    arm64) TRIPLE=aarch64-linux-gnu MUSL=aarch64-linux-musl
        kinc=(/usr/aarch64-linux-gnu/include/linux /usr/aarch64-linux-gnu/include/asm
              /usr/aarch64-linux-gnu/include/asm-generic) ;;
    *) echo "$0: no toolchain for $arch (amd64, arm64)" >&2; exit 2 ;;
esac
command -v "$TRIPLE-gcc" >/dev/null ||
    { echo "$0: $TRIPLE-gcc missing: tools/install-deps.sh static" >&2; exit 1; }
PREFIX=$W/deps
CFLAGS_DEPS="-O2 -g0 -ffile-prefix-map=$T=."
jobs=${JOBS:-2}
mkdir -p "$PREFIX/include" "$PREFIX/lib" "$W/obj"

fetch() { "$top/tools/debsrc.sh" "$T" "$1"; }
done_mark() { touch "$PREFIX/.done-$1"; }
is_done() { [ -f "$PREFIX/.done-$1" ]; }
log() { echo "  DEP     $1 ($arch)" >&2; }

# musl, with its musl-gcc wrapper around $TRIPLE-gcc (a specs file that
# puts musl's headers, start files and libc in place of glibc's).  The
# kernel's headers are copied beside musl's: libraries include <linux/...>.
if ! is_done musl; then
    log musl
    d=$(fetch musl)
    b=$W/obj/musl-build
    rm -rf "$b" "$W/musl" && mkdir -p "$b"
    (cd "$b" && CROSS_COMPILE=$TRIPLE- CC=$TRIPLE-gcc CFLAGS="-O2 -g0" "$d/configure" --target=$MUSL \
        --prefix="$W/musl" --syslibdir="$W/musl/lib" --disable-shared --enable-wrapper=gcc \
        >configure.log 2>&1 || { tail -30 configure.log; exit 1; }
        make -j "$jobs" >make.log 2>&1 ||
            { tail -30 make.log; exit 1; }
        make install >install.log 2>&1 || { tail -30 install.log; exit 1; })
    # The wrapper: the architecture's gcc, and every link static (there is
    # no shared musl to run a dynamic program with, configure tests too).
    sed -i "s|\${REALGCC:-[^}]*}\" \"\$@\"|\${REALGCC:-$TRIPLE-gcc}\" -static \"\$@\"|" "$W/musl/bin/musl-gcc"
    grep -q -- '-static "\$@"' "$W/musl/bin/musl-gcc" || { echo "$0: musl-gcc not as expected" >&2; exit 1; }
    for k in "${kinc[@]}"; do
        cp -rL "$k" "$W/musl/include/"
    done
    done_mark musl
fi
export CC="$W/musl/bin/musl-gcc" AR=$TRIPLE-ar RANLIB=$TRIPLE-ranlib
"$CC" -v >/dev/null 2>&1 || { echo "$0: $CC does not run" >&2; exit 1; }

# lib NAME OBJDIR SOURCES...: compile and archive a static library.
lib() {
    local name=$1 obj=$2; shift 2
    mkdir -p "$obj"
    local objs=() f o
    for f in "$@"; do
        o=$obj/$(basename "${f%.c}").o
        # shellcheck disable=SC2086
        $CC $CFLAGS_DEPS $LIBCFLAGS -c -o "$o" "$f"
        objs+=("$o")
    done
    rm -f "$PREFIX/lib/lib$name.a"
    $AR rcs "$PREFIX/lib/lib$name.a" "${objs[@]}"
}

if ! is_done zlib; then
    log zlib
    d=$(fetch zlib)
    LIBCFLAGS="-I$d -DHAVE_UNISTD_H -DHAVE_STDARG_H -D_LARGEFILE64_SOURCE=1"
    lib z "$W/obj/zlib" "$d"/{adler32,compress,crc32,deflate,gzclose,gzlib,gzread,gzwrite,infback,inffast,inflate,inftrees,trees,uncompr,zutil}.c
    cp "$d/zlib.h" "$d/zconf.h" "$PREFIX/include/"
    done_mark zlib
fi

if ! is_done minizip; then
    log minizip
    d=$(fetch minizip)
    LIBCFLAGS="-I$PREFIX/include -DNOCRYPT -D_FILE_OFFSET_BITS=64"
    lib minizip "$W/obj/minizip" "$d"/{ioapi,unzip,zip}.c
    mkdir -p "$PREFIX/include/minizip"
    cp "$d"/{ioapi,unzip,zip}.h "$PREFIX/include/minizip/"
    cp "$d"/{ioapi,unzip,zip}.h "$PREFIX/include/"
    done_mark minizip
fi

if ! is_done csv; then
    log libcsv
    d=$(fetch libcsv)
    LIBCFLAGS="-I$d"
    lib csv "$W/obj/csv" "$d/libcsv.c"
    cp "$d/csv.h" "$PREFIX/include/"
    done_mark csv
fi

if ! is_done cjson; then
    log cjson
    d=$(fetch cjson)
    LIBCFLAGS="-I$d"
    lib cjson "$W/obj/cjson" "$d/cJSON.c"
    cp "$d/cJSON.h" "$PREFIX/include/"
    done_mark cjson
fi

if ! is_done utf8proc; then
    log utf8proc
    d=$(fetch utf8proc)
    LIBCFLAGS="-I$d -DUTF8PROC_STATIC"
    lib utf8proc "$W/obj/utf8proc" "$d/utf8proc.c"
    cp "$d/utf8proc.h" "$PREFIX/include/"
    done_mark utf8proc
fi

if ! is_done expat; then
    log expat
    d=$(fetch expat)/expat
    # Debian's security patches test "#if XML_DTD == 1" (see the Windows
    # build): defined to 1 on the command line.
    b=$W/obj/expat-build
    rm -rf "$b"
    cmake -S "$d" -B "$b" -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_C_COMPILER="$CC" \
        -DCMAKE_AR="$(command -v "$AR")" -DCMAKE_RANLIB="$(command -v "$RANLIB")" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \
        -DEXPAT_SHARED_LIBS=OFF -DEXPAT_BUILD_TOOLS=OFF -DEXPAT_BUILD_EXAMPLES=OFF \
        -DEXPAT_BUILD_TESTS=OFF -DEXPAT_BUILD_DOCS=OFF -DEXPAT_BUILD_PKGCONFIG=OFF \
        -DEXPAT_DTD=OFF -DCMAKE_C_FLAGS="$CFLAGS_DEPS -DXML_DTD=1" >/dev/null
    cmake --build "$b" -j "$jobs" >/dev/null
    cmake --install "$b" >/dev/null
    done_mark expat
fi

if ! is_done xlsxwriter; then
    log libxlsxwriter
    d=$(fetch libxlsxwriter)
    LIBCFLAGS="-I$d/include -I$PREFIX/include -DUSE_SYSTEM_MINIZIP -DNOCRYPT -D_FILE_OFFSET_BITS=64"
    lib xlsxwriter "$W/obj/xlsxwriter" "$d"/src/*.c \
        "$d/third_party/tmpfileplus/tmpfileplus.c" "$d/third_party/md5/md5.c"
    cp -r "$d/include/xlsxwriter.h" "$d/include/xlsxwriter" "$PREFIX/include/"
    done_mark xlsxwriter
fi

# autotools libraries: configure --host, static only.  The host is named
# with its GNU triple (the compiler is musl-gcc all the same): older
# config.sub files in these sources do not know *-linux-musl.
autotools() {
    local name=$1 d=$2; shift 2
    local b=$W/obj/$name-build
    rm -rf "$b" && mkdir -p "$b"
    # Some Debian sources carry no generated configure (Debian runs
    # autoreconf when it builds them): make it the same way.
    [ -x "$d/configure" ] || (cd "$d" && autoreconf -fi >/dev/null 2>&1)
    # Current config.sub and config.guess, as Debian's build puts in
    # (dh_update_autotools_config): older sources' own predate aarch64.
    local f
    for f in config.sub config.guess; do
        [ ! -f "$d/$f" ] || cp /usr/share/misc/$f "$d/$f"
    done
    (cd "$b" && CFLAGS="$CFLAGS_DEPS" CPPFLAGS="-I$PREFIX/include" LDFLAGS="-L$PREFIX/lib" \
        "$d/configure" --build="$(gcc -dumpmachine)" --host=$TRIPLE --prefix="$PREFIX" \
        --enable-static --disable-shared "$@" >configure.log 2>&1 ||
            { tail -30 configure.log; exit 1; }
        make -j "$jobs" >make.log 2>&1 || { tail -30 make.log; exit 1; }
        make install >install.log 2>&1 || { tail -30 install.log; exit 1; })
}

if ! is_done sodium; then
    log libsodium
    autotools sodium "$(fetch libsodium)"
    done_mark sodium
fi

if ! is_done microhttpd; then
    log libmicrohttpd
    autotools microhttpd "$(fetch libmicrohttpd)" --disable-https --disable-doc \
        --disable-examples --disable-curl --without-gnutls --disable-nls
    done_mark microhttpd
fi

# SQLite: the one-file amalgamation is made once with the build machine's
# tools (tclsh, gcc), for every architecture; then compiled for this one.
if ! is_done sqlite3; then
    log sqlite3
    d=$(fetch sqlite3)
    b=$T/sqlite3-amalgamation
    if [ ! -f "$b/.done" ]; then
        rm -rf "$b" && mkdir -p "$b"
        (cd "$b" && CC=gcc "$d/configure" --disable-tcl >configure.log 2>&1 &&
            make CC=gcc sqlite3.c >make.log 2>&1) || { tail -30 "$b"/*.log; exit 1; }
        touch "$b/.done"
    fi
    LIBCFLAGS="-I$b -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION=1 -DSQLITE_DQS=0"
    lib sqlite3 "$W/obj/sqlite3" "$b/sqlite3.c"
    cp "$b/sqlite3.h" "$b/sqlite3ext.h" "$PREFIX/include/" 2>/dev/null || cp "$b/sqlite3.h" "$PREFIX/include/"
    done_mark sqlite3
fi

echo "musl in $W/musl, libraries in $PREFIX" >&2
