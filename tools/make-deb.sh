#!/bin/sh
# Build dist/kaohe_VERSION_ARCH.deb from this checkout with dpkg-deb:
# `make install PREFIX=/usr` into a staging tree, Depends computed by
# dpkg-shlibdeps from the binary's shared libraries, then lintian.
# Usage: tools/make-deb.sh [BUILD_DIR]   (make deb calls it)
# Needs dpkg-dev, fakeroot and lintian (tools/install-deps.sh deb).
#
# The static builds (tools/static/build.sh) reuse the rest on a tree they
# staged themselves: KAOHE_DEB_STAGED=1 (BUILD_DIR/stage holds `make install
# PREFIX=/usr` with a stripped static binary), KAOHE_DEB_ARCH, and
# KAOHE_DEB_PACKAGE=kaohe-static, which depends on no library, provides
# kaohe and replaces the dynamic package.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${1:-build-deb}
version=$(sed -n 's/^#define KAOHE_VERSION "\(.*\)"$/\1/p' include/kaohe.h)
[ -n "$version" ] || { echo "$0: no KAOHE_VERSION in include/kaohe.h" >&2; exit 1; }
arch=${KAOHE_DEB_ARCH:-$(dpkg --print-architecture)}
package=${KAOHE_DEB_PACKAGE:-kaohe}
stage=$B/stage
case $stage in /*) ;; *) stage=$top/$stage ;; esac
if [ -z "${KAOHE_DEB_STAGED:-}" ]; then
    rm -rf "$stage"
    mkdir -p "$stage"
    # The binary: optimised, stripped of debug info (a -dbgsym package is
    # not made), built in its own folder so that the development build stays.
    make -s B="$B" CFLAGS="-O2 -g0" PREFIX=/usr all
    make -s B="$B" CFLAGS="-O2 -g0" PREFIX=/usr DESTDIR="$stage" install
    strip --strip-unneeded --remove-section=.comment --remove-section=.note \
        "$stage/usr/bin/kaohe"
fi
rm -rf "$stage/DEBIAN"
mkdir -p "$stage/DEBIAN" dist

doc=$stage/usr/share/doc/$package
install -d "$doc"
install -m 644 packaging/copyright "$doc/copyright"
# Debian wants the changelog in its own format, compressed.
{
    printf '%s (%s) stable; urgency=medium\n\n' "$package" "$version"
    printf '  * Release %s; see /usr/share/doc/%s/CHANGELOG.md.gz.\n\n' "$version" "$package"
    printf ' -- kaohe maintainers <kaohe-maintainers@example.org>  %s\n' \
        "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n >"$doc/changelog.gz"
gzip -9n <CHANGELOG.md >"$doc/CHANGELOG.md.gz"
# Desktop entry and its starter (start the page server, open the browser).
if [ -f packaging/kaohe.desktop ]; then
    install -D -m 644 packaging/kaohe.desktop "$stage/usr/share/applications/kaohe.desktop"
    install -D -m 755 packaging/kaohe-desktop "$stage/usr/bin/kaohe-desktop"
    install -D -m 644 packaging/kaohe-desktop.1 "$stage/usr/share/man/man1/kaohe-desktop.1"
    install -D -m 644 packaging/zh_CN/kaohe-desktop.1 "$stage/usr/share/man/zh_CN/man1/kaohe-desktop.1"
fi

# Man pages are installed compressed.
find "$stage/usr/share/man" -type f -name '*.1' -exec gzip -9n {} \;

if [ "$package" = kaohe ]; then
    # Depends from the shared libraries the binary links (dpkg-shlibdeps
    # wants a debian/control to read; a minimal one in a scratch folder).
    scratch=$B/shlibs
    rm -rf "$scratch" && mkdir -p "$scratch/debian"
    printf 'Source: kaohe\n\nPackage: kaohe\nArchitecture: any\n' >"$scratch/debian/control"
    depends=$(cd "$scratch" && dpkg-shlibdeps -O "$stage/usr/bin/kaohe" 2>/dev/null |
        sed -n 's/^shlibs:Depends=//p')
    [ -n "$depends" ] || { echo "$0: dpkg-shlibdeps found no Depends" >&2; exit 1; }
    relations="Depends: $depends, xdg-utils"
    more=
else
    # Static: no library at all; the desktop starter's browser opener is
    # recommended (UOS and Kylin have it).
    relations="Recommends: xdg-utils
Provides: kaohe (= $version)
Conflicts: kaohe
Replaces: kaohe"
    more=" .
 This is the static build (musl): it uses no other package and runs on
 systems older than Debian 12, such as UOS 20 and Kylin V10.  It has no
 HTTPS: the page is for this computer (127.0.0.1)."
fi
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)

cat >"$stage/DEBIAN/control" <<EOF
Package: $package
Version: $version
Architecture: $arch
Maintainer: kaohe maintainers <kaohe-maintainers@example.org>
Installed-Size: $size
$relations
Section: utils
Priority: optional
Description: 安全生产考核评分 — score safety-assessment checklists
 kaohe turns filled-in safety-assessment checklists (XLSX, XLS, ODS, CSV)
 into scored sheets and a district ranking workbook, using a rubric and
 exact decimal arithmetic.  "kaohe serve" puts the whole job behind a
 Chinese web page for the office.
EOF
[ -z "$more" ] || printf '%s\n' "$more" >>"$stage/DEBIAN/control"
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

deb=dist/${package}_${version}_${arch}.deb
fakeroot dpkg-deb --build -Zxz --root-owner-group "$stage" "$deb" >/dev/null
echo "$deb"
# lintian: errors fail the build; warnings are printed.  A static binary is
# what kaohe-static is for, with its libraries in it (lintian calls both
# errors in a Debian package).
if [ "$package" = kaohe ] || command -v lintian >/dev/null; then
    lintian --fail-on error --suppress-tags bad-distribution-in-changes-file${KAOHE_DEB_STAGED:+,statically-linked-binary,embedded-library} "$deb" >&2
fi
