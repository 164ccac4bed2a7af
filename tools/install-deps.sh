#!/bin/sh
# Install the Debian 12 packages kaohe needs to build and test, when missing.
# Usage: tools/install-deps.sh [build|test|deb|windows|static]
#   default test; deb: build + packaging tools; windows: the mingw-w64
#   cross-build and wine (wine, wineboot, wine cmd); static: the musl builds
#   for amd64 and arm64 (make linux-static), qemu for arm64 and debootstrap
#   for make test-static
set -eu
what=${1:-test}
build_pkgs="pkg-config libxlsxwriter-dev libcsv-dev libminizip-dev zlib1g-dev libexpat1-dev libutf8proc-dev libmicrohttpd-dev libsqlite3-dev libsodium-dev libcjson-dev gettext"
test_pkgs="$build_pkgs libcmocka-dev python3-openpyxl libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils fonts-noto-cjk valgrind clang libclang-rt-14-dev chromium chromium-driver python3-selenium python3-pil locales curl openssl tzdata unzip zip libarchive-tools p7zip-full python3-xlwt python3-xlrd nodejs npm cppcheck sqlite3"
deb_pkgs="$build_pkgs dpkg-dev fakeroot lintian debootstrap"
# make test-windows also reads the release zip with unzip, bsdtar and 7z,
# makes the .xls corpus (LibreOffice, xlwt, SheetJS through npm) and asks
# the page with curl; script (bsdutils) gives kaohe.exe a console.
windows_pkgs="$build_pkgs dpkg-dev gcc-mingw-w64-x86-64 cmake autoconf automake libtool tcl wine wine64 zip unzip libarchive-tools p7zip-full curl locales python3-openpyxl python3-xlwt python3-xlrd libreoffice-calc-nogui nodejs npm bsdutils"
# musl itself is built from its Debian source for each architecture (the
# cross gcc brings the arm64 kernel headers); qemu-user-static runs arm64.
static_pkgs="dpkg-dev fakeroot gettext gcc libc6-dev linux-libc-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross cmake autoconf automake autotools-dev libtool tcl make qemu-user-static debootstrap file binutils-aarch64-linux-gnu debian-archive-keyring"
case $what in
    build) pkgs=$build_pkgs ;;
    windows) pkgs=$windows_pkgs ;;
    static) pkgs=$static_pkgs ;;
    deb) pkgs=$deb_pkgs ;;
    test) pkgs=$test_pkgs ;;
    *) echo "usage: $0 [build|test|deb|windows|static]" >&2; exit 2 ;;
esac
missing=
for p in $pkgs; do
    # Node.js from elsewhere (a nodejs package that bundles npm, which
    # conflicts with Debian's npm) serves the SheetJS test as well.
    case $p in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
# The Chinese tests run under zh_CN.UTF-8: generated when missing.
need_locale=
if [ "$what" = test ] && ! locale -a 2>/dev/null | grep -qix 'zh_CN.utf-\{0,1\}8'; then
    need_locale=yes
fi
[ -z "$missing" ] && [ -z "$need_locale" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "$0: need root to install:$missing${need_locale:+ (and the zh_CN.UTF-8 locale)}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
    echo "installing:$missing" >&2
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
if [ -n "$need_locale" ]; then
    grep -qx 'zh_CN.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || echo 'zh_CN.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null
fi
