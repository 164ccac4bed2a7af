#!/bin/sh
# make test-deb: install dist/kaohe_VERSION_ARCH.deb with apt-get on a fresh
# Debian 12 (a debootstrap chroot: minbase, nothing else), score the samples
# with the installed kaohe, check its version, rubrics, man pages and
# catalogue, serve the page on 127.0.0.1 and rank an upload through it,
# then purge it and check that nothing of it is left.
# Root and a Debian mirror are needed.  The base system is cached in
# ${KAOHE_DEB_BASE:-/var/tmp/kaohe-deb-base} (about 2 minutes the first time).
# Usage: tools/test-deb.sh [DEB]   (make test-static passes the static
# kaohe-static .deb, which must install without a single other package)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
version=$(sed -n 's/^#define KAOHE_VERSION "\(.*\)"$/\1/p' include/kaohe.h)
deb=${1:-dist/kaohe_${version}_$(dpkg --print-architecture).deb}
[ -f "$deb" ] || { echo "$0: $deb missing: run make deb" >&2; exit 1; }
pkg=$(dpkg-deb -f "$deb" Package)
base=${KAOHE_DEB_BASE:-/var/tmp/kaohe-deb-base}
if [ ! -x "$base/usr/bin/apt-get" ] || [ ! -f "$base/.complete" ]; then
    rm -rf "$base"
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    debootstrap --variant=minbase bookworm "$base" "$mirror" >/dev/null
    touch "$base/.complete"
fi
run=$(mktemp -d /var/tmp/kaohe-deb-run.XXXXXX)
spid=
cleanup() {
    [ -z "$spid" ] || { kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; } || true
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
    before=$(dpkg-query -W | wc -l)
    apt-get install -y -qq --no-install-recommends "./root/t/'"$(basename "$deb")"'" >/dev/null
    # The static package brings nothing else along.
    if [ '"$pkg"' = kaohe-static ]; then
        [ "$(dpkg-query -W | wc -l)" -eq $((before + 1)) ]
        [ -z "$(dpkg-query -W -f="\${Depends}\${Pre-Depends}" kaohe-static)" ]
    fi
    cd /root/t
    kaohe --version | grep -qx "kaohe '"$version"'"
    kaohe rubric list | grep -q lingui-2020-township
    kaohe score *.csv >score.txt
    grep -q "^两江镇 .*乡镇 .*36.8 .*正常" score.txt
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

'
# The page, served by the installed kaohe in the chroot (same network):
# it answers on 127.0.0.1 and ranks two uploaded checklists.
port=$((20000 + $$ % 20000))
chroot "$run" env LANG=C.UTF-8 kaohe serve --listen 127.0.0.1:$port --workspace /root/ws \
    >"$run/root/serve.log" 2>&1 &
spid=$!
ok=
for _ in $(seq 30); do
    if python3 - "$port" <<'PY' 2>/dev/null; then ok=yes; break; fi
import sys, urllib.request
page = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=2).read().decode()
sys.exit(0 if 'lang="zh-CN"' in page else 1)
PY
    sleep 1
done
[ -n "$ok" ] || { cat "$run/root/serve.log" >&2; echo "$0: the page did not answer" >&2; exit 1; }
# On 127.0.0.1 without accounts every /api call needs the secret of this
# start, which the address printed at start carries.
token=$(sed -n 's/.*?token=\([0-9a-f]*\).*/\1/p' "$run/root/serve.log" | head -1)
[ -n "$token" ] || { cat "$run/root/serve.log" >&2; echo "$0: no secret in the address printed" >&2; exit 1; }
curl -sf -H "Authorization: token $token" -F "file=@samples/两江镇.csv" -F "file=@samples/临桂镇.csv" \
    "http://127.0.0.1:$port/api/rank" >"$run/root/rank.json"
python3 - "$run/root/rank.json" <<'PY'
import json, sys
units = json.load(open(sys.argv[1]))["result"]["units"]
assert sorted(u["unit"] for u in units) == ["两江镇", "临桂镇"], units
assert sorted(u["rank"] for u in units) == [1, 2], units
PY
kill "$spid"
wait "$spid" 2>/dev/null || true
spid=
chroot "$run" sh -exc '
    export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
    apt-get purge -y -qq '"$pkg"' >/dev/null
    ! command -v kaohe
    [ ! -e /usr/share/kaohe ] && [ ! -e /usr/share/doc/'"$pkg"' ] && [ ! -e /usr/bin/kaohe-desktop ]
    ! dpkg -L '"$pkg"' >/dev/null 2>&1
'
echo "installed, used, served and purged $deb on a fresh Debian 12"
