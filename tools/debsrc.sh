#!/bin/bash
# Fetch pinned Debian 12 source packages with apt-get source, through a
# private apt configuration: nothing under /etc or /var/lib/apt is written,
# and root is not needed.
#
#   tools/debsrc.sh DIR NAME...
#
#   tools/debsrc.sh --verify DSC
#
# For each NAME, the version pinned in tools/debsrc.versions ($KAOHE_DEBSRC_PINS
# to use another list) is unpacked in DIR/src/NAME-UPSTREAM, whose path is
# printed, one line per NAME.  DIR/apt holds the apt state (sources list,
# package lists, downloads); the lists are refreshed when older than a day
# or when a pinned version is not in them.
#
# What is checked: apt verifies the Sources index against the archive's
# signed Release file (debian-archive-keyring) and the .dsc and tarballs
# against the index; then, as dpkg-source does, every file the .dsc lists
# is checked against its SHA-256 and size, and the .dsc must name the pinned
# version.  A folder is unpacked once (DIR/src/.ok-NAME records the version).
#
# The mirror is the one the system's apt uses (deb.debian.org if none);
# KAOHE_DEBIAN_MIRROR and KAOHE_DEBIAN_SECURITY override it, e.g. with a
# snapshot.debian.org URL when a pinned version has left the archive.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 DIR NAME..." >&2; exit 2; }
pins=${KAOHE_DEBSRC_PINS:-$top/tools/debsrc.versions}

# field DSC NAME: the lines of a multi-line field of a .dsc.
field() {
    awk -v f="$2:" '$1 == f {on = 1; next} /^[^ ]/ {on = 0} on && NF == 3 {print}' "$1"
}

# verify DSC VERSION: what dpkg-source checks before it unpacks: the .dsc
# names VERSION, and every file it lists has the listed size and SHA-256.
verify() {
    local dsc=$1 version=$2 got sums sum size file f
    [ -f "$dsc" ] || { echo "$0: no $dsc after apt-get source" >&2; exit 1; }
    got=$(awk '$1 == "Version:" {print $2; exit}' "$dsc")
    [ "$got" = "$version" ] || { echo "$0: $dsc is version $got, pinned $version" >&2; exit 1; }
    sums=$(field "$dsc" Checksums-Sha256)
    [ -n "$sums" ] || { echo "$0: $dsc lists no Checksums-Sha256" >&2; exit 1; }
    while read -r sum size file; do
        f=$(dirname "$dsc")/$file
        [ -f "$f" ] || { echo "$0: $file (listed in $dsc) missing" >&2; exit 1; }
        [ "$(stat -c %s "$f")" = "$size" ] ||
            { echo "$0: $file: size $(stat -c %s "$f"), the .dsc says $size" >&2; exit 1; }
        [ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$sum" ] ||
            { echo "$0: $file: SHA-256 differs from the .dsc's" >&2; exit 1; }
    done <<<"$sums"
}

# tools/debsrc.sh --verify DSC: only the checks above, on files at hand.
if [ "$1" = --verify ]; then
    verify "$2" "$(awk '$1 == "Version:" {print $2; exit}' "$2")"
    echo "$2: the files it lists are intact"
    exit 0
fi
dir=$(realpath -m "$1"); shift
A=$dir/apt
SRC=$dir/src
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/sources.list.d" \
    "$A/preferences.d" "$SRC/.dl"

# The private configuration: sources, lists and caches in $A.
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || { echo "$0: $keyring missing (debian-archive-keyring)" >&2; exit 1; }
mirror=${KAOHE_DEBIAN_MIRROR:-$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' \
    /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
security=${KAOHE_DEBIAN_SECURITY:-$(awk '/^URIs:/ && $2 ~ /security/ {print $2; exit}' \
    /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}
security=${security:-http://deb.debian.org/debian-security}
opts="signed-by=$keyring"
case $mirror in *snapshot.debian.org*) opts="$opts check-valid-until=no" ;; esac
cat >"$A/sources.list.new" <<EOF
deb-src [$opts] ${mirror%/} bookworm main
deb-src [$opts] ${mirror%/} bookworm-updates main
deb-src [$opts] ${security%/} bookworm-security main
EOF
cat >"$A/apt.conf" <<EOF
Dir::Etc::SourceList "$A/sources.list";
Dir::Etc::SourceParts "$A/sources.list.d";
Dir::Etc::Preferences "$A/preferences";
Dir::Etc::PreferencesParts "$A/preferences.d";
Dir::State::Lists "$A/lists";
Dir::Cache "$A/cache";
Dir::Cache::Archives "$A/cache/archives";
APT::Sandbox::User "root";
EOF
export APT_CONFIG=$A/apt.conf
fresh=
if ! cmp -s "$A/sources.list.new" "$A/sources.list" 2>/dev/null; then
    mv "$A/sources.list.new" "$A/sources.list"
    rm -f "$A/lists/.updated"
else
    rm -f "$A/sources.list.new"
fi
update() {
    apt-get update -qq -o APT::Get::List-Cleanup=true >/dev/null ||
        { echo "$0: apt-get update of $A/sources.list failed" >&2; exit 1; }
    touch "$A/lists/.updated"
    fresh=yes
}
if [ -z "$(find "$A/lists/.updated" -mmin -1440 2>/dev/null)" ]; then
    update
fi

for name in "$@"; do
    version=$(awk -v n="$name" '$1 == n {print $2}' "$pins")
    [ -n "$version" ] || { echo "$0: no pinned version for $name in $pins" >&2; exit 1; }
    nv=${version#*:}                 # no epoch
    case $nv in *-*) up=${nv%-*} ;; *) up=$nv ;; esac
    out=$SRC/$name-$up
    if [ -d "$out" ] && [ "$(cat "$SRC/.ok-$name" 2>/dev/null)" = "$version" ]; then
        echo "$out"
        continue
    fi
    rm -rf "$out" "$SRC/.ok-$name"
    dsc=$SRC/.dl/${name}_$nv.dsc
    if ! (cd "$SRC/.dl" && apt-get source --download-only -qq "$name=$version" >/dev/null 2>&1); then
        [ -n "$fresh" ] || update
        (cd "$SRC/.dl" && apt-get source --download-only -qq "$name=$version" >/dev/null) || {
            echo "$0: $name $version is not in $mirror (bookworm, -updates, -security):" \
                "pin a version the archive has, or set KAOHE_DEBIAN_MIRROR to a snapshot" >&2
            exit 1
        }
    fi
    verify "$dsc" "$version"
    # dpkg-source checks the same again while unpacking (the uploader's
    # signature needs debian-keyring, which is not required: the archive's
    # signature covers the .dsc).
    dpkg-source --no-copy -x "$dsc" "$out" >"$SRC/.dl/$name.log" 2>&1 ||
        { cat "$SRC/.dl/$name.log" >&2; rm -rf "$out"; exit 1; }
    echo "$version" >"$SRC/.ok-$name"
    echo "$out"
done
