#!/bin/bash
# Cross-build, with mingw-w64, the static libraries kaohe.exe links, from
# the sources Debian 12 ships, pinned in tools/debsrc.versions and fetched
# by tools/debsrc.sh (apt-get source through a private apt configuration
# in $W/apt: nothing under /etc is changed; checksums of the .dsc
# verified).  Output: $W/deps/{include,lib}, where W is the
# first argument (default build-win).  Each library is built once; remove
# $W/deps/.done-NAME to build it again.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
W=$(realpath -m "${1:-build-win}")
HOST=x86_64-w64-mingw32
export CC=$HOST-gcc-posix AR=$HOST-ar RANLIB=$HOST-ranlib
PREFIX=$W/deps
CFLAGS_DEPS="-O2 -g0"
mkdir -p "$PREFIX/include" "$PREFIX/lib"
jobs=$(nproc)

# fetch NAME: the pinned Debian 12 source of NAME, unpacked and checked
# by tools/debsrc.sh (its private apt state in $W/apt); print its folder.
fetch() {
    "$top/tools/debsrc.sh" "$W" "$1"
}

done_mark() { touch "$PREFIX/.done-$1"; }
is_done() { [ -f "$PREFIX/.done-$1" ]; }

# lib NAME OBJDIR SOURCES...: compile and archive a static library.
lib() {
    local name=$1 obj=$2; shift 2
    mkdir -p "$obj"
    local objs=() f o
    for f in "$@"; do
        o=$obj/$(basename "${f%.c}").o
        $CC $CFLAGS_DEPS $LIBCFLAGS -c -o "$o" "$f"
        objs+=("$o")
    done
    rm -f "$PREFIX/lib/lib$name.a"
    $AR rcs "$PREFIX/lib/lib$name.a" "${objs[@]}"
}

if ! is_done zlib; then
    d=$(fetch zlib)
    LIBCFLAGS="-I$d"
    lib z "$W/obj/zlib" "$d"/{adler32,compress,crc32,deflate,gzclose,gzlib,gzread,gzwrite,infback,inffast,inflate,inftrees,trees,uncompr,zutil}.c
    cp "$d/zlib.h" "$d/zconf.h" "$PREFIX/include/"
    done_mark zlib
fi

if ! is_done minizip; then
    d=$(fetch minizip)
    LIBCFLAGS="-I$PREFIX/include -DNOCRYPT"
    lib minizip "$W/obj/minizip" "$d"/{ioapi,unzip,zip,iowin32}.c
    mkdir -p "$PREFIX/include/minizip"
    cp "$d"/{ioapi,unzip,zip,iowin32}.h "$PREFIX/include/minizip/"
    cp "$d"/{ioapi,unzip,zip,iowin32}.h "$PREFIX/include/"
    done_mark minizip
fi

if ! is_done csv; then
    d=$(fetch libcsv)
    LIBCFLAGS="-I$d"
    lib csv "$W/obj/csv" "$d/libcsv.c"
    cp "$d/csv.h" "$PREFIX/include/"
    done_mark csv
fi

# cJSON: one file (rank --previous reads an earlier result with it).
if ! is_done cjson; then
    d=$(fetch cjson)
    LIBCFLAGS="-I$d"
    lib cjson "$W/obj/cjson" "$d/cJSON.c"
    cp "$d/cJSON.h" "$PREFIX/include/"
    done_mark cjson
fi

if ! is_done utf8proc; then
    d=$(fetch utf8proc)
    LIBCFLAGS="-I$d -DUTF8PROC_STATIC"
    lib utf8proc "$W/obj/utf8proc" "$d/utf8proc.c"
    cp "$d/utf8proc.h" "$PREFIX/include/"
    done_mark utf8proc
fi

if ! is_done expat; then
    d=$(fetch expat)/expat
    # Debian's security patches test "#if XML_DTD == 1", which the CMake
    # configuration header (an empty #define) does not satisfy: define it
    # to 1 on the command line instead.
    b=$W/obj/expat-build
    rm -rf "$b"
    cmake -S "$d" -B "$b" -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_C_COMPILER="$CC" \
        -DCMAKE_RC_COMPILER=$HOST-windres -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$PREFIX" -DEXPAT_SHARED_LIBS=OFF \
        -DEXPAT_BUILD_TOOLS=OFF -DEXPAT_BUILD_EXAMPLES=OFF -DEXPAT_BUILD_TESTS=OFF \
        -DEXPAT_BUILD_DOCS=OFF -DEXPAT_BUILD_PKGCONFIG=OFF \
        -DEXPAT_DTD=OFF -DCMAKE_C_FLAGS="$CFLAGS_DEPS -DXML_DTD=1" >/dev/null
    cmake --build "$b" -j "$jobs" >/dev/null
    cmake --install "$b" >/dev/null
    [ -f "$PREFIX/lib/libexpat.a" ] || cp "$PREFIX"/lib/libexpat*.a "$PREFIX/lib/libexpat.a"
    done_mark expat
fi

if ! is_done xlsxwriter; then
    d=$(fetch libxlsxwriter)
    LIBCFLAGS="-I$d/include -I$PREFIX/include -DUSE_SYSTEM_MINIZIP -DNOCRYPT"
    lib xlsxwriter "$W/obj/xlsxwriter" "$d"/src/*.c \
        "$d/third_party/tmpfileplus/tmpfileplus.c" "$d/third_party/md5/md5.c"
    cp -r "$d/include/xlsxwriter.h" "$d/include/xlsxwriter" "$PREFIX/include/"
    done_mark xlsxwriter
fi

# iconv: Debian ships no iconv for mingw-w64 (glibc has its own).  The .xls
# reader needs one to decode BIFF5 code pages, the CSV reader GB18030; tools/windows/iconv is a small
# iconv over the Windows code-page conversions (MultiByteToWideChar).
if ! is_done iconv; then
    LIBCFLAGS="-I$top/tools/windows/iconv"
    lib iconv "$W/obj/iconv" "$top/tools/windows/iconv/iconv.c"
    cp "$top/tools/windows/iconv/iconv.h" "$top/tools/windows/iconv/localcharset.h" "$PREFIX/include/"
    lib charset "$W/obj/charset" "$top/tools/windows/iconv/localcharset.c"
    done_mark iconv
fi

# autotools libraries: configure --host, static only.
autotools() {
    local name=$1 d=$2; shift 2
    local b=$W/obj/$name-build
    rm -rf "$b" && mkdir -p "$b"
    # Some Debian sources carry no generated configure (Debian runs
    # autoreconf when it builds them): make it the same way.
    [ -x "$d/configure" ] || (cd "$d" && autoreconf -fi >/dev/null 2>&1)
    (cd "$b" && CFLAGS="$CFLAGS_DEPS" CPPFLAGS="-I$PREFIX/include" LDFLAGS="-L$PREFIX/lib" \
        "$d/configure" --host=$HOST --prefix="$PREFIX" --enable-static --disable-shared \
        "$@" >configure.log 2>&1 || { tail -30 configure.log; exit 1; }
        make -C "${SUBDIR:-.}" -j "$jobs" >make.log 2>&1 || { tail -30 make.log; exit 1; }
        make -C "${SUBDIR:-.}" install >install.log 2>&1 || { tail -30 install.log; exit 1; })
}

if ! is_done sodium; then
    d=$(fetch libsodium)
    autotools sodium "$d" --disable-ssp --enable-minimal=no
    done_mark sodium
fi

if ! is_done microhttpd; then
    d=$(fetch libmicrohttpd)
    autotools microhttpd "$d" --disable-https --disable-doc --disable-examples \
        --disable-curl --without-gnutls --disable-nls
    done_mark microhttpd
fi

# libintl (gettext's runtime half): kaohe's messages on the console.
if ! is_done intl; then
    d=$(fetch gettext)/gettext-runtime
    # Only the library: the runtime's programs need more than mingw has.
    SUBDIR=intl autotools intl "$d" --disable-java --disable-csharp --disable-c++ \
        --disable-libasprintf --disable-openmp --disable-curses \
        --with-libiconv-prefix="$PREFIX" --enable-threads=posix
    done_mark intl
fi

# SQLite: its build makes the one-file amalgamation with tclsh and host
# tools, which does not cross-configure; make sqlite3.c natively, then
# compile that one file for Windows.
if ! is_done sqlite3; then
    d=$(fetch sqlite3)
    b=$W/obj/sqlite3-native
    rm -rf "$b" && mkdir -p "$b"
    (cd "$b" && CC=gcc "$d/configure" --disable-tcl >configure.log 2>&1 &&
        make CC=gcc sqlite3.c >make.log 2>&1) || { tail -30 "$b"/*.log; exit 1; }
    LIBCFLAGS="-I$b -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION=1 -DSQLITE_DQS=0"
    lib sqlite3 "$W/obj/sqlite3" "$b/sqlite3.c"
    cp "$b/sqlite3.h" "$PREFIX/include/"
    done_mark sqlite3
fi

echo "dependencies in $PREFIX"
