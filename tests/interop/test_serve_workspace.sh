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
js = wb['更正记录']
assert js['A1'].value == '临桂区2020年度安全生产工作考核检查表更正记录', js['A1'].value
assert js['A3'].value == '时间' and js.print_title_rows == '$3:$3', (js['A3'].value, js.print_title_rows)
assert js.page_setup.paperSize in (9, '9') and js.page_setup.orientation == 'landscape'
rows = [[c.value for c in r] for r in js.iter_rows(min_row=4)]
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

# Does this build's library give the third state (JSON "failed") and the
# unit of a rejected file?  (kh_batch_failed_*, kh_rejected.unit)
library_knows_failed() {
    "$KAOHE" rank "$TOP/samples/临桂镇.csv" --roster "$TOP/samples/名单/单位名单.csv" \
        -o "$T/probe.xlsx" --json "$T/probe.json" >/dev/null 2>&1 || true
    grep -q '"failed"' "$T/probe.json" 2>/dev/null
}

# A checklist that did not pass is kept in the workspace with its
# messages, by the name it was uploaded as, and stays listed after a
# restart until a passing one replaces it (without a reason: it replaces
# nothing that counted).  An Office lock file gets the command line's
# message; a roster is named by its name, never by a workspace path.
test_serve_workspace_keeps_rejected_uploads() {
    mkdir -p "$T/in" "$T/fix"
    "$PY" - "$T/in/五通镇.csv" <<'PY'
import sys
s = open('samples/五通镇.csv', encoding='utf-8-sig').read()
i = s.index(',有')
open(sys.argv[1], 'w', encoding='utf-8').write(s[:i] + ',也许' + s[i + 2:])
PY
    sed 's/^被考核单位,两江镇/被考核单位,外星镇/' samples/两江镇.csv >"$T/in/外星镇.csv"
    printf 'PK\003\004locked by 科员\000\000' >"$T/in/~\$六塘镇.xlsx"
    LANG=zh_CN.UTF-8 "$KAOHE" score "$T/in/~\$六塘镇.xlsx" >/dev/null 2>"$T/cli-lock.err" || true
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r1.json" -F "file=@$T/in/五通镇.csv" -F "file=@$T/in/外星镇.csv" \
        -F "file=@samples/两江镇.csv" -F "file=@$T/in/~\$六塘镇.xlsx" \
        -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || fail "upload: $code $(head -c 300 "$T/r1.json")"
    stop_server
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r2.json" -F kind=)
    [ "$code" = 200 ] || fail "after the restart: $code"
    library_knows_failed && knows=1 || knows=0
    "$PY" - "$T" "$knows" <<'PY'
import json, re, sys
T, knows = sys.argv[1], sys.argv[2] == '1'
r1, r2 = (json.load(open('%s/r%d.json' % (T, i))) for i in (1, 2))
lock = [l for l in open(T + '/cli-lock.err', encoding='utf-8') if '~$六塘镇.xlsx' in l][0].strip()
lock = lock[lock.index('~$六塘镇.xlsx：') + len('~$六塘镇.xlsx：'):]
# The lock file: the command line's words, for this upload only.
assert [m for m in r1['messages'] if m.startswith('~$六塘镇.xlsx：')] == ['~$六塘镇.xlsx：' + lock], r1['messages']
for r in (r1, r2):
    f = {x['file']: x for x in r['failed_uploads']}
    assert sorted(f) == ['五通镇.csv', '外星镇.csv'], sorted(f)
    assert f['五通镇.csv']['messages'] == ['五通镇.csv!G9：检查结果“也许”（检查点 1.1 学习记录）不是“有”或“无”：有该项资料填“有”，没有填“无”'], f['五通镇.csv']
    assert re.match(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$', f['五通镇.csv']['at']), f['五通镇.csv']['at']
    # Named by their names: the roster's too, never a path of the server.
    msg = f['外星镇.csv']['messages'][0]
    assert msg.startswith('外星镇.csv：') and re.search('外星镇.*单位名单.csv', msg), msg
    text = json.dumps(r, ensure_ascii=False)
    assert 'files/' not in text and 'kaohe-serve' not in text and '/o0' not in text, text[:500]
    assert [u['unit'] for u in r['result']['units']] == ['两江镇']
    if knows:
        # The third state: 五通镇 sent something, it did not pass.
        assert [x['unit'] for x in r['result']['failed']] == ['五通镇'], r['result']['failed']
        assert '五通镇' not in [m['unit'] for m in r['result']['missing']]
        assert f['五通镇.csv']['unit'] == '五通镇'
    else:
        print('      note: this build of the library gives no "failed" list yet (office branch)')
PY
    # A kept rejection that names a unit with no checklist that counts is
    # read again with the workspace's checklists: the downloads list it.
    # (The library names the unit of a rejected file; set here as it does,
    # for builds whose library does not yet.)
    stop_server
    "$PY" - "$T/ws/journal.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE rejections SET unit = '五通镇', rubric = 'lingui-2020-township' WHERE name = '五通镇.csv'")
db.commit()
PY
    start_server --workspace "$T/ws"
    code=$(curl -s -o "$T/dl.json" -w '%{http_code}' "${URL}api/download?what=json")
    [ "$code" = 200 ] || fail "json: $code"
    code=$(curl -s -o "$T/dl.xlsx" -w '%{http_code}' "${URL}api/download?what=ranking")
    [ "$code" = 200 ] || fail "ranking: $code"
    "$PY" - "$T" "$knows" <<'PY'
import json, sys, openpyxl
T, knows = sys.argv[1], sys.argv[2] == '1'
j = json.load(open(T + '/dl.json'))
wt = [r for r in j['rejected'] if r['source'] == '五通镇.csv']
assert len(wt) == 1 and '也许' in wt[0]['errors'][0], j['rejected']
rows = [r for r in openpyxl.load_workbook(T + '/dl.xlsx')['未通过的文件'].iter_rows(values_only=True)]
assert any(r[0] == '五通镇.csv' for r in rows), rows
if knows:
    assert [x['unit'] for x in j['failed']] == ['五通镇'], j['failed']
PY
    # The corrected checklist replaces the failed one with no reason asked.
    code=$(post api/rank "$T/r3.json" -F "file=@samples/五通镇.csv")
    [ "$code" = 200 ] || fail "the correction: $code"
    "$PY" - "$T" <<'PY'
import json, sys
r = json.load(open(sys.argv[1] + '/r3.json'))
assert r["refused"] == [] and [(x["unit"], x["changed"]) for x in r["recorded"]] == [("五通镇", True)], (r["refused"], r["recorded"], r["messages"])
assert [x['file'] for x in r['failed_uploads']] == ['外星镇.csv'], r['failed_uploads']
assert {u['unit']: u['total'] for u in r['result']['units']} == {'两江镇': '36.8', '五通镇': '34'}
PY
    stop_server
}

# The same file again (any name) changes nothing and says so; another
# file for a unit that has one, without a reason, is refused naming the
# reasons the page offers.
test_serve_workspace_same_file_and_reasons() {
    mkdir -p "$T/v2"
    worse_copy "$T/v2/两江镇.csv"
    cp samples/两江镇.csv "$T/副本.csv"
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r1.json" -F "file=@samples/两江镇.csv")
    [ "$code" = 200 ] || fail "first upload: $code"
    code=$(post api/rank "$T/r2.json" -F "file=@$T/副本.csv")
    [ "$code" = 200 ] || fail "the same file: $code"
    code=$(post api/rank "$T/r3.json" -F "file=@$T/v2/两江镇.csv")
    [ "$code" = 200 ] || fail "another file: $code"
    "$PY" - "$T" <<'PY'
import json, sys
T = sys.argv[1]
r2, r3 = (json.load(open('%s/r%d.json' % (T, i))) for i in (2, 3))
assert r2['refused'] == [] and len(r2['recorded']) == 1 and r2['recorded'][0]['changed'] is False, r2
assert r2['recorded'][0]['messages'] == ['副本.csv：与已计入的文件相同，未作变更（两江镇 已计入的文件：两江镇.csv）'], r2['recorded']
assert len(r2['history']) == 1
[x] = r3['refused']
assert x['unit'] == '两江镇' and len(x['messages']) == 1, x
assert '申诉、复核、更正' in x['messages'][0] and '两江镇.csv，合计 36.8 分' in x['messages'][0], x
assert {u['unit']: u['total'] for u in r3['result']['units']} == {'两江镇': '36.8'}
PY
    # The page's drop-down offers exactly those reasons.
    curl -s "$URL" >"$T/page.html"
    [ "$(grep -o '<option value="[^"]\+">[^<]*' "$T/page.html" | sed 's/.*>//' | tr '\n' ' ')" = "申诉 复核 更正 " ] ||
        fail "the reasons offered: $(grep -o '<option value="[^"]\+">[^<]*' "$T/page.html")"
    stop_server
}

# 等次 and 制表单位 set on the page: checked with the command line's
# messages, kept in the workspace, used in the page's ranking and in the
# downloads as `kaohe rank --grades --quota` gives them.
test_serve_workspace_grades_and_issuer() {
    start_server --workspace "$T/ws"
    LANG=zh_CN.UTF-8 "$KAOHE" rank samples --grades 'lingui-2020-township=优秀>=50;差' \
        -o "$T/x.xlsx" 2>"$T/cli.err" && fail "the CLI took a bound above the total"
    code=$(post api/settings "$T/bad.json" -F kind=grades -F rubric=lingui-2020-township \
        --form-string 'grades=优秀>=50;差')
    [ "$code" = 400 ] || fail "bad bands: $code"
    code=$(post api/settings "$T/badq.json" -F kind=grades -F rubric=lingui-2020-township \
        --form-string 'grades=优秀>=38;合格' --form-string 'quota=优秀<=30')
    [ "$code" = 400 ] || fail "bad quota: $code"
    code=$(post api/settings "$T/bad2.json" -F kind=issuer -F "issuer=$(printf '%070d' 0)")
    [ "$code" = 400 ] || fail "a long issuer: $code"
    code=$(post api/settings "$T/g.json" -F kind=grades -F rubric=lingui-2020-township \
        --form-string 'grades=优秀>=38;良好>=36;合格' --form-string 'quota=优秀<=50%')
    [ "$code" = 200 ] || fail "grades: $code $(cat "$T/g.json")"
    code=$(post api/settings "$T/i.json" -F kind=issuer -F "issuer= 临桂区安全生产委员会办公室 ")
    [ "$code" = 200 ] || fail "issuer: $code $(cat "$T/i.json")"
    upload_args samples/*.csv
    code=$(post api/rank "$T/r.json" "${ARGS[@]}")
    [ "$code" = 200 ] || fail "upload: $code"
    stop_server
    start_server --workspace "$T/ws"
    for what in ranking json scoresheets; do
        code=$(curl -s -o "$T/dl-$what" -w '%{http_code}' "${URL}api/download?what=$what")
        [ "$code" = 200 ] || fail "download $what: $code"
    done
    curl -s "${URL}api/state" >"$T/state.json"
    mv "$T/dl-ranking" "$T/dl-ranking.xlsx"
    expect_exit 0 "$KAOHE" rank samples --grades 'lingui-2020-township=优秀>=38;良好>=36;合格' \
        --quota 'lingui-2020-township=优秀<=50%' -o "$T/cli.xlsx" --json "$T/cli.json"
    "$KAOHE" rank --help 2>&1 | grep -q -- '--issuer' && issuer=1 || issuer=0
    "$PY" - "$T" "$issuer" <<'PY'
import io, json, sys, zipfile, openpyxl
T, issuer = sys.argv[1], sys.argv[2] == '1'
cli_err = open(T + '/cli.err', encoding='utf-8').read().strip()
assert cli_err.startswith('kaohe: '), cli_err
bad = json.load(open(T + '/bad.json'))
assert bad['messages'] == [cli_err[len('kaohe: '):]], (bad, cli_err)
assert '百分' in json.load(open(T + '/badq.json'))['error'] or '%' in json.load(open(T + '/badq.json'))['error']
assert '60' in json.load(open(T + '/bad2.json'))['error']
s = json.load(open(T + '/state.json'))
assert s['issuer'] == '临桂区安全生产委员会办公室', s['issuer']
tw = [r for r in s['rubrics'] if r['id'] == 'lingui-2020-township'][0]
assert (tw['grades'], tw['quota']) == ('优秀>=38;良好>=36;合格', '优秀<=50%'), tw
dep = [r for r in s['rubrics'] if r['id'] == 'lingui-2020-department'][0]
assert dep['grades'] is None and dep['quota'] is None
grades = lambda units: {u['unit']: u['grade'] for u in units}
page, cli = json.load(open(T + '/r.json'))['result']['units'], json.load(open(T + '/cli.json'))['units']
assert grades(page) == grades(cli) and grades(cli)['会仙镇'] == '优秀' and grades(cli)['两江镇'] == '良好' and grades(cli)['四塘镇'] == '合格', grades(cli)
assert grades(json.load(open(T + '/dl-json'))['units']) == grades(cli)
strip = lambda v: v.split('/')[-1] if isinstance(v, str) else v
towns = {'临桂镇', '两江镇', '五通镇', '会仙镇', '六塘镇', '四塘镇'}
rows = lambda p: [[strip(c.value) for c in r] for r in openpyxl.load_workbook(p)['乡镇'].iter_rows()
                  if towns & {c.value for c in r}]
assert len(rows(T + '/cli.xlsx')) == 6
assert rows(T + '/dl-ranking.xlsx') == rows(T + '/cli.xlsx'), (rows(T + '/dl-ranking.xlsx'), rows(T + '/cli.xlsx'))
assert any('优秀' in [c for c in r] for r in rows(T + '/dl-ranking.xlsx'))
z = zipfile.ZipFile(T + '/dl-scoresheets')
ws = openpyxl.load_workbook(io.BytesIO(z.read([n for n in z.namelist() if n.startswith('会仙镇')][0]))).active
assert any('等次：优秀' in str(c.value) for r in ws.iter_rows() for c in r if c.value), 'no 等次 in the scoresheet'
if issuer:
    text = [str(c.value) for w in openpyxl.load_workbook(T + '/dl-ranking.xlsx') for r in w.iter_rows() for c in r if c.value]
    assert any('临桂区安全生产委员会办公室' in t for t in text), [t for t in text if '制表' in t]
else:
    print('      note: this build has no --issuer yet (print branch): 制表单位 not read back')
PY
    # Cleared: the rubric has no 等次 again.
    code=$(post api/settings "$T/c.json" -F kind=grades -F rubric=lingui-2020-township -F grades=)
    [ "$code" = 200 ] || fail "clearing: $code"
    "$PY" -c "import json,sys; s=json.load(open(sys.argv[1])); assert all(r['grades'] is None for r in s['rubrics']), s['rubrics']" "$T/c.json"
    stop_server
}

# Files are named by the names they were uploaded as in everything shown
# and written, with or without a workspace, before and after a restart:
# never by where the server keeps them (a request folder, files/HASH).
test_serve_names_uploaded_files() {
    mkdir -p "$T/in"
    sed 's/^id,.*/id,my-town/' templates/examples/township-graded.csv >"$T/in/我的细则.csv"
    sed 's/^考核细则,lingui-2020-township/考核细则,my-town/' samples/两江镇.csv >"$T/in/两江镇.csv"
    sed 's/^被考核单位,两江镇/被考核单位,外星镇/' samples/两江镇.csv >"$T/in/外星镇.csv"
    printf '序号,被考核单位,考核细则\n1,两江镇,my-town\n' >"$T/in/名单.csv"
    for ws in none ws; do
        if [ $ws = ws ]; then start_server --workspace "$T/ws"; else start_server; fi
        code=$(post api/rank "$T/$ws-r.json" -F "file=@$T/in/两江镇.csv" -F "file=@$T/in/外星镇.csv" \
            -F "rubric=@$T/in/我的细则.csv" -F "roster=@$T/in/名单.csv")
        [ "$code" = 200 ] || fail "$ws: upload: $code"
        if [ $ws = ws ]; then
            stop_server
            start_server --workspace "$T/ws"
            code=$(curl -s -o "$T/$ws-rank.xlsx" -w '%{http_code}' "${URL}api/download?what=ranking")
            post api/rank "$T/$ws-r2.json" -F kind= >/dev/null
        else
            code=$(post "api/download?what=ranking" "$T/$ws-rank.xlsx" -F "file=@$T/in/两江镇.csv" \
                -F "rubric=@$T/in/我的细则.csv" -F "roster=@$T/in/名单.csv")
            cp "$T/$ws-r.json" "$T/$ws-r2.json"
        fi
        [ "$code" = 200 ] || fail "$ws: ranking: $code"
        stop_server
    done
    "$PY" - "$T" <<'PY'
import json, re, sys, openpyxl
T = sys.argv[1]
for ws in ('none', 'ws'):
    for f in ('r', 'r2'):
        text = json.dumps(json.load(open('%s/%s-%s.json' % (T, ws, f))), ensure_ascii=False)
        # The roster, in the message on a unit that is not on it.
        assert re.search('外星镇[^"]*名单.csv', text), (ws, f, text[:400])
        for bad in ('files/', 'kaohe-serve', '/o0', '/r0', '/f0'):
            assert bad not in text, (ws, f, bad)
    src = [r[:2] for r in openpyxl.load_workbook('%s/%s-rank.xlsx' % (T, ws))['来源'].iter_rows(min_row=4, values_only=True)]
    assert ('考核细则（乡镇）', '我的细则.csv') in src and ('检查表', '两江镇.csv') in src, (ws, src)
PY
}

# A kept rejection that passes once the roster is corrected counts: it is
# recorded as its unit's first checklist (what is ranked is what the
# journal says counts), and is no longer listed as not passed.
test_serve_workspace_rejection_passes_after_roster_fix() {
    mkdir -p "$T/in"
    sed 's/^被考核单位,两江镇/被考核单位,外星镇/' samples/两江镇.csv >"$T/in/外星镇.csv"
    cp samples/名单/单位名单.csv "$T/in/名单.csv"
    printf '99,外星镇,乡镇\r\n' >>"$T/in/名单.csv"
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r1.json" -F "file=@$T/in/外星镇.csv" \
        -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || fail "upload: $code"
    stop_server
    # The unit named in the rejected file, as the library reads it.
    "$PY" - "$T/ws/journal.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE rejections SET unit = '外星镇', rubric = 'lingui-2020-township'")
db.commit()
PY
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r2.json" -F "roster=@$T/in/名单.csv")
    [ "$code" = 200 ] || fail "the corrected roster: $code $(head -c 300 "$T/r2.json")"
    stop_server
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r3.json" -F kind=)
    [ "$code" = 200 ] || fail "after a restart: $code"
    stop_server
    "$PY" - "$T" <<'PY'
import json, sys
T = sys.argv[1]
r1, r2, r3 = (json.load(open('%s/r%d.json' % (T, i))) for i in (1, 2, 3))
assert r1['result']['units'] == [] and [x['file'] for x in r1['failed_uploads']] == ['外星镇.csv']
for r in (r2, r3):
    assert [(u['unit'], u['total'], u['source']) for u in r['result']['units']] == [('外星镇', '36.8', '外星镇.csv')], r['result']['units']
    assert r['failed_uploads'] == [] and r['result']['rejected'] == [], (r['failed_uploads'], r['result']['rejected'])
h = r3['history']
assert [(c['unit'], c['kind'], c['file'], c['new_total']) for c in h] == [('外星镇', '首次上传', '外星镇.csv', '36.8')], h
PY
}
