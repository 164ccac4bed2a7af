# 佐证材料 over HTTP (src/serve/evidence.c): uploads checked by kaohe's own
# sniffing (an HTML or SVG named .png is refused: no stored XSS), files
# served as downloads or, for JPEG/PNG/PDF, inline with the sniffed type,
# nosniff and a CSP sandbox; removal; the admin's quota; and a kill -9 in
# the middle of uploads, ten times: no row without its file, and after
# reopening no file without its row.
. tests/interop/serve_lib.sh
. tests/interop/evidence_lib.sh


test_evidence_api_upload_show_remove() {
    mkdir -p "$T/in"
    make_evidence "$T/in"
    start_server --workspace "$T/ws"
    code=$(ev_post 1.1 "$T/a1.json" "$T/in/会议照片.jpg" "$T/in/签到单.png")
    [ "$code" = 200 ] || fail "upload: $code $(cat "$T/a1.json")"
    code=$(ev_post 1.6 "$T/a2.json" "$T/in/方案.pdf" "$T/in/表格.xlsx")
    [ "$code" = 200 ] || fail "upload 2: $code $(cat "$T/a2.json")"
    # Stored XSS: markup named as a picture, an executable, a bare zip.
    for f in evil.png page.png tool.exe plain.zip; do
        code=$(ev_post 1.1 "$T/x.json" "$T/in/$f")
        [ "$code" = 422 ] || fail "$f accepted: $code $(cat "$T/x.json")"
        has_text "$T/x.json" '不能作为佐证材料'
    done
    # A refused one among good ones: the good one kept, the other named.
    code=$(ev_post 1.2 "$T/a3.json" "$T/in/evil.png" "$T/in/签到单.png")
    [ "$code" = 200 ] || fail "mixed upload: $code"
    has_text "$T/a3.json" 'evil.png'
    # A check point the rubric does not have; no unit.
    code=$(ev_post 9.9 "$T/x.json" "$T/in/签到单.png")
    [ "$code" = 400 ] || fail "unknown check point: $code"
    code=$(curl -s -o "$T/x.json" -w '%{http_code}' "${URL}api/evidence?rubric=$RUBRIC")
    [ "$code" = 400 ] || fail "no unit: $code"
    code=$(ev_list 两江镇 "$T/list.json")
    [ "$code" = 200 ] || fail "list: $code"
    "$PY" - "$T" <<'PY'
import json, sys
T = sys.argv[1]
j = json.load(open(T + '/list.json'))
got = [(f['cp'], f['name'], f['type'], f['inline']) for f in j['files']]
assert got == [('1.1', '会议照片.jpg', 'image/jpeg', True), ('1.1', '签到单.png', 'image/png', True),
               ('1.2', '签到单.png', 'image/png', True),
               ('1.6', '方案.pdf', 'application/pdf', True),
               ('1.6', '表格.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', False)], got
assert j['quota'] == 200 << 20 and j['readonly'] is False and j['max_file'] == 20 << 20
# The same PNG twice counts once.
sizes = {f['hash']: f['size'] for f in j['files']}
assert j['used'] == sum(sizes.values()), j['used']
ids = {f['name'] + f['cp']: f['id'] for f in j['files']}
open(T + '/ids', 'w').write('%d %d %d %d\n' % (ids['签到单.png1.1'], ids['方案.pdf1.6'],
                                                ids['表格.xlsx1.6'], ids['签到单.png1.2']))
PY
    read -r png pdf xlsx png2 <"$T/ids"
    # A PNG shown: its sniffed type, nosniff, sandboxed; the bytes as sent.
    code=$(curl -s -D "$T/h1" -o "$T/got.png" -w '%{http_code}' "${URL}api/evidence/file?id=$png&inline=1")
    [ "$code" = 200 ] || fail "inline png: $code"
    tr -d '\r' <"$T/h1" >"$T/h1n"
    has_text "$T/h1n" 'Content-Type: image/png'
    has_text "$T/h1n" 'X-Content-Type-Options: nosniff'
    has_text "$T/h1n" 'Content-Security-Policy: sandbox'
    has_text "$T/h1n" 'Content-Disposition: inline'
    cmp "$T/got.png" "$T/in/签到单.png" || fail "the PNG changed"
    code=$(curl -s -D "$T/h2" -o "$T/got.pdf" -w '%{http_code}' "${URL}api/evidence/file?id=$pdf&inline=1")
    tr -d '\r' <"$T/h2" >"$T/h2n"
    has_text "$T/h2n" 'Content-Type: application/pdf'
    has_text "$T/h2n" 'Content-Security-Policy: sandbox'
    # An .xlsx is never shown, only downloaded, whatever is asked.
    code=$(curl -s -D "$T/h3" -o "$T/got.xlsx" -w '%{http_code}' "${URL}api/evidence/file?id=$xlsx&inline=1")
    [ "$code" = 200 ] || fail "xlsx: $code"
    tr -d '\r' <"$T/h3" >"$T/h3n"
    has_text "$T/h3n" 'Content-Disposition: attachment'
    has_text "$T/h3n" "filename*=UTF-8''%E8%A1%A8%E6%A0%BC.xlsx"
    has_text "$T/h3n" 'X-Content-Type-Options: nosniff'
    cmp "$T/got.xlsx" "$T/in/表格.xlsx"
    # Without inline=1 a PNG is a download too.
    curl -s -D "$T/h4" -o /dev/null "${URL}api/evidence/file?id=$png"
    tr -d '\r' <"$T/h4" | grep -q '^Content-Disposition: attachment' || fail "png download"
    code=$(curl -s -o /dev/null -w '%{http_code}' "${URL}api/evidence/file?id=99999")
    [ "$code" = 404 ] || fail "missing id: $code"
    code=$(curl -s -o /dev/null -w '%{http_code}' "${URL}api/evidence/file?id=1%20OR%201")
    [ "$code" = 404 ] || fail "bad id: $code"
    # Removing one of the two PNG rows keeps the file; the second takes it.
    nfiles() { find "$T/ws/evidence" -type f | wc -l; }
    [ "$(nfiles)" = 4 ] || fail "stored files: $(nfiles)"
    code=$(curl -s -o "$T/d1.json" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "{\"id\": $png}" "${URL}api/evidence/delete")
    [ "$code" = 200 ] || fail "delete: $code $(cat "$T/d1.json")"
    [ "$(nfiles)" = 4 ] || fail "a shared file removed"
    curl -s -o "$T/d2.json" -H 'Content-Type: application/json' --data "{\"id\": $png2}" \
        "${URL}api/evidence/delete"
    [ "$(nfiles)" = 3 ] || fail "the last row's file kept: $(nfiles)"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "{\"id\": $png2}" "${URL}api/evidence/delete")
    [ "$code" = 404 ] || fail "deleted twice: $code"
    # The quota: 1 MiB, then a 1.5 MiB photo is refused.
    code=$(curl -s -o "$T/q.json" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data '{"mib": 1}' "${URL}api/evidence/quota")
    [ "$code" = 200 ] || fail "quota: $code $(cat "$T/q.json")"
    "$PY" -c "import os; open('$T/in/big.pdf','wb').write(b'%PDF-1.4\n' + os.urandom(1536 * 1024))"
    code=$(ev_post 1.3 "$T/x.json" "$T/in/big.pdf")
    [ "$code" = 422 ] || fail "over the quota: $code $(cat "$T/x.json")"
    has_text "$T/x.json" '限额 1 MiB'
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        --data '{"mib": 0.5}' "${URL}api/evidence/quota")
    [ "$code" = 400 ] || fail "half a MiB: $code"
    # 21 MiB: over the 20 MiB a file.
    curl -s -o /dev/null -H 'Content-Type: application/json' --data '{"mib": 0}' "${URL}api/evidence/quota"
    "$PY" -c "open('$T/in/huge.pdf','wb').write(b'%PDF-1.4\n' + bytes(21 << 20))"
    code=$(ev_post 1.3 "$T/x.json" "$T/in/huge.pdf")
    [ "$code" = 422 ] || fail "21 MiB: $code"
    has_text "$T/x.json" '20 MiB'
    stop_server
    # The journal: who, what, when.
    sqlite3 "$T/ws/journal.sqlite" "SELECT action || ' ' || cp || ' ' || name || ' ' || user FROM evidence_log ORDER BY id" >"$T/log"
    [ "$(grep -c '^添加' "$T/log")" = 5 ] || fail "adds: $(cat "$T/log")"
    has_text "$T/log" '删除 1.1 签到单.png 本机'
    has_text "$T/log" '删除 1.2 签到单.png 本机'
}

# Every row names a file that is there (at any time); after reopening and
# a first use, every file is named by a row.
check_consistent() {
    "$PY" - "$1" "$2" <<'PY'
import os, sqlite3, sys
ws, after_reopen = sys.argv[1], sys.argv[2] == 'reopened'
db = sqlite3.connect('file:%s/journal.sqlite?mode=ro' % ws, uri=True)
try:
    rows = db.execute('SELECT hash, type FROM evidence').fetchall()
    logged = db.execute("SELECT COUNT(*) FROM evidence_log WHERE action = '添加'").fetchone()[0]
except sqlite3.OperationalError:
    rows, logged = [], 0  # killed before the first upload made the tables
ext = {1: '.jpg', 2: '.png', 3: '.pdf', 4: '.docx', 5: '.xlsx'}
names = {h + ext[t] for h, t in rows}
d = ws + '/evidence'
files = set(os.listdir(d)) if os.path.isdir(d) else set()
missing = [n for n in names if n not in files]
assert not missing, ('rows without a file', missing)
assert logged == len(rows), ('journal and rows differ', logged, len(rows))
if after_reopen:
    assert files == names, ('files without a row', files - names)
print(len(rows))
PY
}

test_evidence_kill9_during_uploads() {
    mkdir -p "$T/in"
    # Distinct files (so each upload stores one), 0.5-3 MiB each.
    "$PY" - "$T/in" <<'PY'
import os, sys
for i in range(12):
    open('%s/p%02d.pdf' % (sys.argv[1], i), 'wb').write(b'%PDF-1.4\n' + os.urandom((i % 6 + 1) << 19))
PY
    total=0
    for round in $(seq 10); do
        start_server --workspace "$T/ws"
        pids=()
        for i in 0 1 2 3; do
            f=$T/in/p$(printf %02d $(((round + i * 3) % 12))).pdf
            ev_post "1.$((i + 1))" "$T/r$i.json" "$f" >/dev/null 2>&1 &
            pids+=($!)
        done
        # Anywhere from before the first byte to after the last upload;
        # round 1 at once (cut for sure), round 10 after its uploads
        # (through for sure), so that both happen whatever the timing.
        if [ "$round" = 10 ]; then
            for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
        elif [ "$round" != 1 ]; then
            sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
        fi
        kill -9 "$SPID"
        wait "$SPID" 2>/dev/null || true
        for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
        trap - EXIT
        check_consistent "$T/ws" killed >/dev/null || fail "round $round, after the kill"
        # Reopened: the first use sweeps what the crash left.
        start_server --workspace "$T/ws"
        code=$(ev_list 两江镇 "$T/l.json")
        [ "$code" = 200 ] || fail "round $round: list $code"
        n=$(check_consistent "$T/ws" reopened) || fail "round $round, reopened"
        stop_server
        total=$n
    done
    echo "rows after 10 rounds: $total"
    # Some uploads were cut by a kill, and some got through.
    [ "$total" -gt 0 ] && [ "$total" -lt 40 ] || fail "rows: $total of 40 uploads"
    # Uploads do get through between the kills.
    start_server --workspace "$T/ws"
    code=$(ev_post 1.1 "$T/last.json" "$T/in/p00.pdf")
    [ "$code" = 200 ] || fail "after the kills: $code"
    stop_server
    check_consistent "$T/ws" reopened >/dev/null
}
