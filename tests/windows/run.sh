#!/bin/bash
# make test-windows: build kaohe.exe (tools/windows/build.sh) and test it
# under Wine (Debian wine64), in a Wine prefix of its own:
#  1. the samples' ranking, JSON, scoresheets (xlsx, csv) and a blank
#     checklist are byte-identical to the Linux build's (SOURCE_DATE_EPOCH);
#  2. the CLI test suite runs against kaohe.exe, less the tests listed in
#     tests/windows/not-here.txt, which need Linux itself (each with why);
#  3. kaohe serve answers its page on 127.0.0.1, scores an upload into a
#     workspace as the Linux build does, and sends the ranking by its
#     Chinese name.
# About 10 minutes, most of it Wine starting once per kaohe run.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
W=$(realpath -m "${W:-build-win}")
tools/windows/build.sh "$W" >/dev/null
make -s all
wine=/usr/lib/wine/wine64 # Debian's wine64 keeps its loader off PATH
[ -x "$wine" ] || { echo "wine64 missing: tools/install-deps.sh windows" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export WINEPREFIX=$tmp/prefix WINEDEBUG=-all
# The wrapper the tests call as kaohe: kaohe.exe under Wine, finding the
# rubrics of this tree as the installed program finds its own.
B=$tmp/b
mkdir -p "$B"
for f in build/*; do [ "$(basename "$f")" = kaohe ] || ln -s "$top/$f" "$B/"; done
cat >"$B/kaohe" <<WRAP
#!/bin/sh
KAOHE_RUBRICS=\${KAOHE_RUBRICS:-$top/templates/rubrics} exec $wine $W/kaohe.exe "\$@"
WRAP
chmod +x "$B/kaohe"
"$B/kaohe" --version >/dev/null 2>&1 || true # the prefix is made on the first run

echo "== 1. outputs byte-identical to the Linux build's"
export SOURCE_DATE_EPOCH=1700000000
fail=0
# Both read the rubrics by the same name: the ranking's 来源 sheet and the
# JSON's provenance record the rubric files' paths.
export KAOHE_RUBRICS=$top/templates/rubrics
for k in linux windows; do
    if [ $k = linux ]; then K=build/kaohe; else K=$B/kaohe; fi
    o=$tmp/$k
    mkdir -p "$o"
    "$K" rank samples -o "$o/ranking.xlsx" --json "$o/ranking.json"
    "$K" score samples -o "$o/scoresheets" --format xlsx,csv,json
    "$K" template lingui-2020-township --unit 两江镇 -o "$o/两江镇检查表.xlsx"
    "$K" template lingui-2020-department -o "$o/部门检查表.csv"
done
n=0
while IFS= read -r -d '' f; do
    rel=${f#"$tmp/linux/"}
    n=$((n + 1))
    cmp -s "$f" "$tmp/windows/$rel" || { echo "  differs: $rel"; fail=1; }
done < <(find "$tmp/linux" -type f -print0)
m=$(find "$tmp/windows" -type f | wc -l)
[ "$n" -eq "$m" ] || { echo "  $n files from Linux, $m from Windows"; fail=1; }
echo "  $n files compared"
unset SOURCE_DATE_EPOCH KAOHE_RUBRICS

echo "== 2. the CLI tests against kaohe.exe"
B=$B KAOHE_NOT_HERE=tests/windows/not-here.txt tests/run-sh.sh tests/cli || fail=1

echo "== 3. kaohe serve under Wine"
if build/kaohe serve --help >/dev/null 2>&1; then
    port=$((20000 + RANDOM % 20000))
    "$B/kaohe" serve --listen 127.0.0.1:$port --workspace "$tmp/ws" >"$tmp/serve.log" 2>&1 &
    pid=$!
    ok=0
    for _ in $(seq 60); do
        if /usr/bin/python3 - "$port" <<'PY' 2>/dev/null; then ok=1; break; fi
import sys, urllib.request
page = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=2).read().decode()
sys.exit(0 if 'lang="zh-CN"' in page else 1)
PY
        sleep 1
    done
    if [ $ok = 1 ]; then
        echo "  the page answered"
        # An upload into the workspace (files with Chinese names), the
        # ranking as the Linux build ranks them, and the workbook download.
        url=http://127.0.0.1:$port
        if curl -s -F "file=@samples/两江镇.csv" -F "file=@samples/临桂镇.csv" "$url/api/rank" >"$tmp/r.json" &&
            build/kaohe rank samples/两江镇.csv samples/临桂镇.csv -o "$tmp/l.xlsx" --json "$tmp/l.json" 2>/dev/null &&
            /usr/bin/python3 - "$tmp/r.json" "$tmp/l.json" <<'PY' &&
import json, sys
r, l = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
t = lambda us: [(u['unit'], u['total'], u['rank']) for u in us]
assert t(r['result']['units']) == t(l['units']), (r['result']['units'], l['units'])
assert [h['kind'] for h in r['history']] == ['首次上传', '首次上传'], r['history']
PY
            curl -s -D "$tmp/h" -o "$tmp/w.xlsx" "$url/api/download?what=ranking" &&
            grep -qi "filename\*=UTF-8''%E8%80%83%E6%A0%B8%E6%8E%92%E5%90%8D.xlsx" "$tmp/h"; then
            echo "  an upload was scored, recorded in the workspace and its ranking downloaded"
        else
            echo "  the upload under Wine went wrong"; head -c 400 "$tmp/r.json"; fail=1
        fi
    else
        echo "  no page"; cat "$tmp/serve.log"; fail=1
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
else
    echo "  this build has no kaohe serve"
    fail=1
fi
exit $fail
