# kaohe serve --workspace: the year's record survives restarts; replacing
# a unit's checklist needs a reason and is journalled; a kill -9 at any
# moment leaves the journal and the files consistent.
. tests/interop/serve_lib.sh

# A copy of samples/两江镇.csv with its first 有 turned into 无 (36.8 -> 36.3).
worse_copy() {
    "$PY" - "$1" <<'PY'
import sys
s = open('samples/两江镇.csv', encoding='utf-8-sig').read()
i = s.index(',有')
open(sys.argv[1], 'w', encoding='utf-8').write(s[:i] + ',无' + s[i + 2:])
PY
}

test_serve_workspace_keeps_the_year() {
    mkdir -p "$T/v2"
    worse_copy "$T/v2/两江镇.csv"
    start_server --workspace "$T/ws"
    code=$(post api/settings "$T/s.json" -F year=2020)
    [ "$code" = 200 ] || fail "year: $code $(cat "$T/s.json")"
    code=$(post api/settings "$T/s2.json" -F year=二〇二〇)
    [ "$code" = 400 ] && has_text "$T/s2.json" '四位数字' || fail "a bad year: $code"
    code=$(post api/rank "$T/r1.json" -F "file=@samples/两江镇.csv" -F "file=@samples/临桂镇.csv" \
        -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || fail "first upload: $code $(head -c 300 "$T/r1.json")"
    # The same unit again, changed, without a reason: refused, old kept.
    code=$(post api/rank "$T/r2.json" -F "file=@$T/v2/两江镇.csv")
    [ "$code" = 200 ] || fail "second upload: $code"
    # With a reason: recorded.
    code=$(post api/rank "$T/r3.json" -F "file=@$T/v2/两江镇.csv" -F kind=申诉 \
        -F "reason=经复核，第1项资料不全")
    [ "$code" = 200 ] || fail "replacement: $code"
    # The same file once more: nothing changes.
    code=$(post api/rank "$T/r4.json" -F "file=@$T/v2/两江镇.csv" -F kind=复核 -F reason=再传一次)
    "$PY" - "$T" <<'PY'
import json, sys
T = sys.argv[1]
r1, r2, r3, r4 = (json.load(open('%s/r%d.json' % (T, i))) for i in (1, 2, 3, 4))
tot = lambda d: {u['unit']: u['total'] for u in d['result']['units']}
assert tot(r1) == {'两江镇': '36.8', '临桂镇': '38.9'}, tot(r1)
assert len(r1['result']['missing']) == 12, r1['result'].get('missing')
assert [x['unit'] for x in r2['refused']] == ['两江镇'] and tot(r2)['两江镇'] == '36.8'
assert '申诉' in r2['refused'][0]['messages'][0] or 'appeal' in r2['refused'][0]['messages'][0]
assert tot(r3)['两江镇'] == '36.3' and r3['recorded'][0]['changed'] is True
assert r4['recorded'][0]['changed'] is False and len(r4['history']) == 3
h = r3['history'][-1]
assert (h['unit'], h['kind'], h['reason'], h['old_total'], h['new_total'], h['user']) == \
    ('两江镇', '申诉', '经复核，第1项资料不全', '36.8', '36.3', '本机'), h
first = [x for x in r1['history'] if x['unit'] == '两江镇'][0]
assert h['old_sha256'] == first['new_sha256'] != h['new_sha256']
PY
    stop_server
    # After a restart: the year, the roster, the history, the ranking.
    start_server --workspace "$T/ws"
    curl -s "${URL}api/state" >"$T/state.json"
    code=$(post api/rank "$T/r5.json" -F kind=)
    [ "$code" = 200 ] || fail "ranking the workspace: $code $(head -c 300 "$T/r5.json")"
    code=$(curl -s -o "$T/ranking.xlsx" -D "$T/h" -w '%{http_code}' "${URL}api/download?what=ranking")
    [ "$code" = 200 ] || fail "GET ranking: $code"
    has_text "$T/h" "filename*=UTF-8''"
    "$PY" - "$T" <<'PY'
import json, sys, openpyxl
T = sys.argv[1]
s, r5 = json.load(open(T + '/state.json')), json.load(open(T + '/r5.json'))
assert s['workspace'] and s['year'] == '2020' and s['roster'] is True, s
assert [h['kind'] for h in s['history']] == ['首次上传', '首次上传', '申诉'], s['history']
assert {u['unit']: u['total'] for u in r5['result']['units']} == {'两江镇': '36.3', '临桂镇': '38.9'}
assert len(r5['result']['missing']) == 12
wb = openpyxl.load_workbook(T + '/ranking.xlsx')
rows = [[c.value for c in r] for r in wb['更正记录'].iter_rows(min_row=3)]
assert len(rows) == 1 and rows[0][1:6] == ['本机', '两江镇', '申诉', '经复核，第1项资料不全', '36.8 → 36.3'], rows
src = [r[1] for r in wb['来源'].iter_rows(min_row=3, values_only=True) if r[0] == '检查表']
assert sorted(src) == ['两江镇.csv', '临桂镇.csv'], src
PY
    stop_server
}

# kill -9 while clients upload and replace: after each restart the journal
# passes SQLite's integrity check, every file it names is there with its
# hash, each unit's changes chain (old hash = the previous new one), the
# file named last is the one that counts, and the ranking served is the
# command line's ranking of those files.
test_serve_workspace_survives_kill_9() {
    mkdir -p "$T/v2"
    worse_copy "$T/v2/两江镇.csv"
    for round in 1 2 3 4 5 6; do
        start_server --workspace "$T/ws"
        "$PY" - "$URL" "$T/v2/两江镇.csv" "$round" >"$T/clients.log" 2>&1 <<'PY' &
import glob, subprocess, sys, threading
url, v2, rnd = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(glob.glob('samples/*.csv'))
def client(k):
    for i in range(1000):
        f = v2 if (i + k) % 2 else 'samples/两江镇.csv'
        args = ['curl', '-s', '-o', '/dev/null', '-F', 'file=@' + f,
                '-F', 'file=@' + files[(i * 3 + k + rnd) % len(files)],
                '-F', 'kind=复核', '-F', 'reason=第%d轮第%d次' % (rnd, i), url + 'api/rank']
        subprocess.run(args)
ts = [threading.Thread(target=client, args=(k,)) for k in range(3)]
for t in ts: t.start()
for t in ts: t.join()
PY
        CPID=$!
        # Round 1 kills at once (nothing journalled yet: the checks must
        # hold for an empty workspace too); the others at a random moment.
        [ "$round" = 1 ] || sleep "0.$((RANDOM % 9 + 1))$((round % 2))"
        kill -9 "$SPID"
        wait "$SPID" 2>/dev/null || true
        trap - EXIT
        kill "$CPID" 2>/dev/null || true
        wait "$CPID" 2>/dev/null || true
        start_server --workspace "$T/ws"
        code=$(post api/rank "$T/now.json" -F kind=)
        [ "$code" = 200 ] || fail "round $round: ranking after kill -9: $code"
        "$PY" - "$T/ws" "$T/now.json" "$KAOHE" "$T" <<'PY' || fail "round $round"
import hashlib, json, os, sqlite3, subprocess, sys
ws, now, kaohe, T = sys.argv[1:5]
db = sqlite3.connect(ws + '/journal.sqlite')
assert db.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
files = dict(db.execute('SELECT hash, ext FROM files'))
for h, ext in files.items():
    p = '%s/files/%s%s' % (ws, h, ext)
    assert hashlib.sha256(open(p, 'rb').read()).hexdigest() == h, p
# No file that no row names (the sweep on open removed them).
on_disk = {f for f in os.listdir(ws + '/files') if not f.startswith('.')}
assert on_disk == {h + e for h, e in files.items()}, on_disk ^ {h + e for h, e in files.items()}
last = {}
for unit, rubric, old, new, ot, nt in db.execute(
        'SELECT unit, rubric, old_hash, new_hash, old_total, new_total FROM changes ORDER BY id'):
    prev = last.get((unit, rubric))
    assert (old, ot) == ((prev[0], prev[1]) if prev else (None, None)), (unit, old, prev)
    last[(unit, rubric)] = (new, nt)
cur = {(u, r): (h, t) for u, r, h, t in db.execute('SELECT unit, rubric, hash, total FROM current')}
assert cur == last, (cur, last)
paths = sorted({'%s/files/%s%s' % (ws, h, files[h]) for h, _ in cur.values()})
got = {u['unit']: u['total'] for u in json.load(open(now))['result']['units']}
if paths:
    subprocess.run([kaohe, 'rank', *paths, '-o', T + '/cli.xlsx', '--json', T + '/cli.json'],
                   check=True, capture_output=True)
    cli = {u['unit']: u['total'] for u in json.load(open(T + '/cli.json'))['units']}
else:
    # The kill came before anything was journalled (a first round on a
    # loaded machine): an empty workspace ranks nothing.
    cli = {}
assert cli == got == {u: t for (u, _), (_, t) in cur.items()}, (cli, got)
print(len(cur), 'units,', db.execute('SELECT COUNT(*) FROM changes').fetchone()[0], 'changes')
PY
        stop_server
    done
}
