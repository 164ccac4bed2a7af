#!/bin/sh
# make test-deb: install dist/kaohe_VERSION_ARCH.deb with apt-get on a fresh
# Debian 12 (a debootstrap chroot: minbase, nothing else), score the samples
# with the installed kaohe, check its version, rubrics, man pages and
# catalogue, then purge it and check that nothing of it is left.
# Root and a Debian mirror are needed.  The base system is cached in
# ${KAOHE_DEB_BASE:-/var/tmp/kaohe-deb-base} (about 2 minutes the first time).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
version=$(sed -n 's/^#define KAOHE_VERSION "\(.*\)"$/\1/p' include/kaohe.h)
deb=dist/kaohe_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || { echo "$0: $deb missing: run make deb" >&2; exit 1; }
base=${KAOHE_DEB_BASE:-/var/tmp/kaohe-deb-base}
if [ ! -x "$base/usr/bin/apt-get" ] || [ ! -f "$base/.complete" ]; then
    rm -rf "$base"
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    debootstrap --variant=minbase bookworm "$base" "$mirror" >/dev/null
    touch "$base/.complete"
fi
run=$(mktemp -d /var/tmp/kaohe-deb-run.XXXXXX)
cleanup() {
    umount "$run/proc" 2>/dev/null || true
    rm -rf "$run"
}
trap cleanup EXIT INT TERM
cp -a "$base/." "$run/"
cp /etc/resolv.conf "$run/etc/" 2>/dev/null || true
mount -t proc proc "$run/proc"
mkdir -p "$run/root/t"
cp "$deb" "$run/root/t/"
cp samples/*.csv "$run/root/t/"
# With a Chinese catalogue in the tree, the package must carry it.
zh=no
[ -f po/zh_CN.po ] && zh=yes
chroot "$run" sh -exc '
    export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
    apt-get update -qq
    apt-get install -y -qq "./root/t/'"$(basename "$deb")"'" >/dev/null
    cd /root/t
    kaohe --version | grep -qx "kaohe '"$version"'"
    kaohe rubric list | grep -q lingui-2020-township
    kaohe score *.csv >score.txt
    grep -q "^两江镇 .*lingui-2020-township" score.txt
    kaohe score *.csv -o out --format xlsx,json
    [ -s out/两江镇.xlsx ] && grep -q 两江镇 out/kaohe.json
    kaohe rank *.csv -o ranking.xlsx
    [ -s ranking.xlsx ]
    [ -f /usr/share/man/man1/kaohe.1.gz ]
    [ -f /usr/share/applications/kaohe.desktop ]
    if [ '"$zh"' = yes ]; then
        [ -f /usr/share/locale/zh_CN/LC_MESSAGES/kaohe.mo ]
        [ -f /usr/share/man/zh_CN/man1/kaohe.1.gz ]
    fi
    apt-get purge -y -qq kaohe >/dev/null
    ! command -v kaohe
    [ ! -e /usr/share/kaohe ] && [ ! -e /usr/share/doc/kaohe ] && [ ! -e /usr/bin/kaohe-desktop ]
    ! dpkg -L kaohe >/dev/null 2>&1
'
echo "installed, used and purged $deb on a fresh Debian 12"
