# The online 填报 API (src/serve/filling.c) through a real server: a draft
# saved as JSON, a stale save refused with 409 and the current answers
# (nothing overwritten), 提交 refused while incomplete and after the
# deadline, a filled checklist uploaded into the form (the spreadsheet
# path and the form are one record), 提交, read-only after it, 退回 with
# a reason, the filled checklist downloaded and scored by `kaohe score`
# to the same total as the page's, the workspace's ranking counting it.
. tests/interop/serve_lib.sh

# json_post PATH OUT JSON : a JSON POST; prints the status.
json_post() {
    post "$1" "$2" -H 'Content-Type: application/json' --data "$3"
}

# jq_py FILE EXPR : print EXPR of the JSON document d in FILE.
jq_py() {
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

test_fill_needs_a_workspace() {
    start_server
    code=$(curl -s -o "$T/u.json" -w '%{http_code}' "${URL}api/fill/units")
    [ "$code" = 400 ] && has_text "$T/u.json" '工作区' || fail "without a workspace: $code"
    stop_server
}

test_fill_api() {
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r.json" -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || fail "roster: $code"
    code=$(curl -s -o "$T/units.json" -w '%{http_code}' "${URL}api/fill/units")
    [ "$code" = 200 ] || fail "units: $code"
    [ "$(jq_py "$T/units.json" "len(d['units'])")" = 14 ] || fail "units: $(head -c 300 "$T/units.json")"
    [ "$(jq_py "$T/units.json" "d['units'][1]['unit'], d['units'][1]['state']")" = "('两江镇', '未填报')" ] ||
        fail "the roster's order and status"
    # A draft: version 1, the engine's score with the rest as missing.
    code=$(json_post api/fill/save "$T/s1.json" \
        '{"unit":"两江镇","version":0,"answers":[{"cp":"1.1","value":"无","remark":"未找到"}]}')
    [ "$code" = 200 ] || fail "save: $code $(cat "$T/s1.json")"
    [ "$(jq_py "$T/s1.json" "d['version'], d['status']['state'], d['score']['unanswered']")" = "(1, '填报中', 78)" ] ||
        fail "after a save: $(head -c 300 "$T/s1.json")"
    jq_py "$T/s1.json" "d['score']['items'][0]['reason']" >"$T/reason"
    has_text "$T/reason" "备注：未找到"
    # The same version again (a second tab): 409, the current answer kept.
    code=$(json_post api/fill/save "$T/s2.json" \
        '{"unit":"两江镇","version":0,"answers":[{"cp":"1.1","value":"有"}]}')
    [ "$code" = 409 ] || fail "stale save: $code"
    [ "$(jq_py "$T/s2.json" "d['current']['self']['answers']['1.1']['value'], d['current']['self']['version']")" = "('无', 1)" ] ||
        fail "the 409's current answers: $(head -c 300 "$T/s2.json")"
    has_text "$T/s2.json" '版本 0，现为 1'
    # Bad requests.
    code=$(json_post api/fill/save "$T/b1.json" '{"unit":"两江镇","version":1,"answers":[{"cp":"99.9","value":"1"}]}')
    [ "$code" = 400 ] || fail "unknown check point: $code"
    code=$(json_post api/fill/save "$T/b2.json" '[1,2]')
    [ "$code" = 400 ] || fail "not an object: $code"
    # The answers' shape, checked before anything is saved (the version
    # stays 1 for what follows): each needs its check point, a version,
    # at most 10000 answers.
    code=$(json_post api/fill/save "$T/b4.json" \
        '{"unit":"两江镇","version":1,"answers":[{"cp":"1.1","value":"有"},{"value":"1"}]}')
    [ "$code" = 400 ] && has_text "$T/b4.json" '每条填写内容都要有检查点 cp' ||
        fail "an answer without cp: $code $(cat "$T/b4.json")"
    code=$(json_post api/fill/save "$T/b5.json" '{"unit":"两江镇","answers":[]}')
    [ "$code" = 400 ] && has_text "$T/b5.json" '请求缺少 version 或 answers' ||
        fail "no version: $code $(cat "$T/b5.json")"
    "$PY" -c 'import json; print(json.dumps({"unit": "两江镇", "version": 1, "answers": [{"cp": "1.1"}] * 10001}))' \
        >"$T/many.json"
    code=$(json_post api/fill/save "$T/b6.json" "@$T/many.json")
    [ "$code" = 413 ] && has_text "$T/b6.json" '请求的内容太长' || fail "10001 answers: $code $(cat "$T/b6.json")"
    code=$(json_post api/fill/save "$T/b3.json" '{"unit":"无此单位","rubric":"nope","version":0,"answers":[]}')
    [ "$code" = 400 ] || fail "unknown rubric: $code"
    code=$(curl -s -o /dev/null -w '%{http_code}' "${URL}api/fill/nothing")
    [ "$code" = 404 ] || fail "unknown path: $code"
    # Incomplete: 422 naming what is missing.
    code=$(json_post api/fill/submit "$T/i.json" '{"unit":"两江镇","version":1}')
    [ "$code" = 422 ] && has_text "$T/i.json" '检查点 1.2 成立领导机构 尚未填写' || fail "incomplete submit: $code"
    # A filled checklist of another unit: refused, naming it.
    code=$(post "api/fill/upload?unit=%E4%B8%A4%E6%B1%9F%E9%95%87&version=1" "$T/o.json" -F "file=@samples/临桂镇.csv")
    [ "$code" = 400 ] && has_text "$T/o.json" '临桂镇' || fail "another unit's file: $code $(cat "$T/o.json")"
    # Its own: the form holds the file's answers, scored as kaohe scores the file.
    code=$(post "api/fill/upload?unit=%E4%B8%A4%E6%B1%9F%E9%95%87&version=1" "$T/up.json" -F "file=@samples/两江镇.csv")
    [ "$code" = 200 ] || fail "upload: $code $(head -c 300 "$T/up.json")"
    expect_exit 0 "$KAOHE" score samples/两江镇.csv -o - --format json
    expected=$(jq_py "$T/out" "d['units'][0]['total']")
    [ "$(jq_py "$T/up.json" "d['score']['total'], d['score']['unanswered'], d['self']['version']")" = "('$expected', 0, 2)" ] ||
        fail "after the upload (expected $expected): $(jq_py "$T/up.json" "d['score']")"
    # The deadline passed: 提交 refused.
    code=$(json_post api/fill/deadline "$T/dl1.json" '{"deadline":"2001-01-01 08:00"}')
    [ "$code" = 200 ] || fail "deadline: $code"
    code=$(json_post api/fill/deadline "$T/dl2.json" '{"deadline":"明天"}')
    [ "$code" = 400 ] || fail "bad deadline: $code"
    code=$(json_post api/fill/submit "$T/late.json" '{"unit":"两江镇","version":2}')
    [ "$code" = 403 ] && has_text "$T/late.json" '2001-01-01 08:00:00' || fail "late submit: $code"
    json_post api/fill/deadline "$T/dl3.json" '{"deadline":""}' >/dev/null
    # 提交: recorded; read-only after.
    code=$(json_post api/fill/submit "$T/sub.json" '{"unit":"两江镇","version":2}')
    [ "$code" = 200 ] || fail "submit: $code $(head -c 300 "$T/sub.json")"
    [ "$(jq_py "$T/sub.json" "d['status']['state'], d['may']['edit'], d['may']['return']")" = "('已提交', False, True)" ] ||
        fail "after submit"
    code=$(json_post api/fill/save "$T/ro.json" '{"unit":"两江镇","version":2,"answers":[{"cp":"1.1","value":"有"}]}')
    [ "$code" = 409 ] && has_text "$T/ro.json" '当前状态下不能修改' || fail "save after submit: $code"
    code=$(curl -s -o "$T/ws.json" -w '%{http_code}' "${URL}api/download?what=json")
    [ "$code" = 200 ] || fail "ranking json: $code"
    [ "$(jq_py "$T/ws.json" "[u['total'] for u in d['units'] if u['unit'] == '两江镇']")" = "['$expected']" ] ||
        fail "the workspace's 两江镇"
    # The filled checklist downloaded: kaohe score gives the same total.
    code=$(curl -s -o "$T/filled.xlsx" -D "$T/h" -w '%{http_code}' \
        "${URL}api/fill/download?unit=%E4%B8%A4%E6%B1%9F%E9%95%87")
    [ "$code" = 200 ] || fail "download: $code"
    grep -qi "filename\*=UTF-8''%E4%B8%A4%E6%B1%9F%E9%95%87-%E6%A3%80%E6%9F%A5%E8%A1%A8.xlsx" "$T/h" ||
        fail "download name: $(cat "$T/h")"
    expect_exit 0 "$KAOHE" score "$T/filled.xlsx" -o - --format json
    [ "$(jq_py "$T/out" "d['units'][0]['total']")" = "$expected" ] || fail "kaohe score of the download"
    # 退回: a reason is needed; then the unit may change it again.
    code=$(json_post api/fill/return "$T/ret0.json" '{"unit":"两江镇","reason":" "}')
    [ "$code" = 400 ] || fail "return without a reason: $code"
    code=$(json_post api/fill/return "$T/ret.json" '{"unit":"两江镇","reason":"第1项请补充签到单"}')
    [ "$code" = 200 ] || fail "return: $code"
    [ "$(jq_py "$T/ret.json" "d['status']['state'], d['status']['reason'], d['may']['edit']")" = "('填报中', '第1项请补充签到单', True)" ] ||
        fail "after return"
    code=$(json_post api/fill/save "$T/s3.json" '{"unit":"两江镇","version":2,"answers":[{"cp":"1.1","value":"无"}]}')
    [ "$code" = 200 ] && [ "$(jq_py "$T/s3.json" "d['version']")" = 3 ] || fail "save after return: $code"
    stop_server
    # After a restart the record is there.
    start_server --workspace "$T/ws"
    code=$(curl -s -o "$T/f.json" -w '%{http_code}' "${URL}api/fill?unit=%E4%B8%A4%E6%B1%9F%E9%95%87")
    [ "$code" = 200 ] || fail "form after restart: $code"
    [ "$(jq_py "$T/f.json" "d['self']['version'], d['status']['state'], d['status']['returned']")" = "(3, '填报中', True)" ] ||
        fail "after restart: $(jq_py "$T/f.json" "d['self']['version'], d['status']")"
    stop_server
}

# kill -9 while units save drafts, one unit submits and is returned over
# and over, and an inspector saves 考评 answers (10 rounds): after each,
# the database is whole, every answer is what its journal's last row
# says, every status is its journal's last, a submitted unit has its
# record in the workspace, and no save the server acknowledged is lost.
test_fill_survives_kill_9() {
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r.json" -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || fail "roster: $code"
    code=$(post "api/fill/upload?unit=%E4%B8%A4%E6%B1%9F%E9%95%87&version=0" "$T/up.json" -F "file=@samples/两江镇.csv")
    [ "$code" = 200 ] || fail "upload: $code"
    code=$(json_post api/fill/submit "$T/sub.json" '{"unit":"两江镇","version":1}')
    [ "$code" = 200 ] || fail "submit: $code"
    stop_server
    for round in 1 2 3 4 5 6 7 8 9 10; do
        start_server --workspace "$T/ws"
        "$PY" - "$URL" "$TOKEN" "$T/acks.json" "$round" >"$T/clients.log" 2>&1 <<'PY' &
import json, sys, threading, urllib.request, urllib.parse
url, token, out, rnd = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
acks, lock = [], threading.Lock()
def call(path, obj=None, data=None, ctype='application/json'):
    body = json.dumps(obj).encode() if obj is not None else data
    req = urllib.request.Request(url + path, data=body, headers={'Content-Type': ctype, 'Authorization': 'token ' + token})
    try:
        r = urllib.request.urlopen(req, timeout=20)
        return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
def form(unit):
    return call('api/fill?unit=' + urllib.parse.quote(unit))[1]
def drafts(unit):
    v = form(unit)['self']['version']
    for i in range(1000):
        val = str((rnd * 1000 + i) % 97)
        st, d = call('api/fill/save', {'unit': unit, 'version': v, 'answers': [{'cp': '3.1', 'value': val}]})
        if st == 409 and d['current']['status']['state'] != '填报中' and d['current']['status']['state'] != '未填报':
            return
        assert st == 200, (st, d)
        v = d['version']
        with lock:
            acks.append(['self', unit, v, '3.1', val])
            if len(acks) == 1:
                open(out + '.go', 'w').close()
def cycle():
    for i in range(1000):
        f = form('临桂镇')
        if f['status']['state'] in ('未填报', '填报中'):
            data = open('samples/临桂镇.csv', 'rb').read()
            b = 'kaohekill9'
            body = ('--%s\r\nContent-Disposition: form-data; name="file"; filename="临桂镇.csv"\r\n\r\n' % b).encode() + data + ('\r\n--%s--\r\n' % b).encode()
            st, d = call('api/fill/upload?unit=' + urllib.parse.quote('临桂镇') + '&version=%d' % f['self']['version'],
                         data=body, ctype='multipart/form-data; boundary=' + b)
            st, d = call('api/fill/submit', {'unit': '临桂镇', 'version': d['self']['version']})
        else:
            st, d = call('api/fill/return', {'unit': '临桂镇', 'reason': '第%d轮第%d次' % (rnd, i)})
def review():
    v = form('两江镇')['review']['version']
    for i in range(1000):
        note = '第%d轮第%d次' % (rnd, i)
        st, d = call('api/fill/save', {'unit': '两江镇', 'side': 'review', 'version': v,
                                       'answers': [{'cp': '1.1', 'agree': False, 'value': '无', 'note': note}]})
        assert st == 200, (st, d)
        v = d['version']
        with lock:
            acks.append(['review', '两江镇', v, '1.1', note])
def safe(fn, *a):
    try:
        fn(*a)
    except Exception:
        pass  # the server was killed
ts = [threading.Thread(target=safe, args=(drafts, u)) for u in ('五通镇', '四塘镇', '会仙镇')]
ts += [threading.Thread(target=safe, args=(cycle,)), threading.Thread(target=safe, args=(review,))]
for t in ts: t.start()
for t in ts: t.join()
json.dump(acks, open(out, 'w'), ensure_ascii=False)
PY
        CPID=$!
        # Killed a random moment after the clients' first acknowledged save.
        for _ in $(seq 100); do [ -e "$T/acks.json.go" ] && break; sleep 0.05; done
        rm -f "$T/acks.json.go"
        sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
        kill -9 "$SPID"
        wait "$SPID" 2>/dev/null || true
        trap - EXIT
        wait "$CPID" || fail "round $round: clients: $(tail -5 "$T/clients.log")"
        start_server --workspace "$T/ws"
        "$PY" - "$T/ws" "$T/acks.json" "$URL" "$TOKEN" <<'PY' || fail "round $round"
import json, sqlite3, sys, urllib.request, urllib.parse
ws, acks, url, token = sys.argv[1:5]
db = sqlite3.connect(ws + '/journal.sqlite')
assert db.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
side_of = {'自评': 0, '考评': 1}
last = {}
for unit, rubric, what, cp, field, new in db.execute(
        'SELECT unit, rubric, what, cp, field, new FROM fill_journal WHERE what != ? ORDER BY id', ('状态',)):
    last[(unit, rubric, side_of[what], cp, field)] = new
rows = {}
for unit, rubric, side, cp, value, remark, note, agree in db.execute(
        'SELECT unit, rubric, side, cp, value, remark, note, agree FROM fill_answers'):
    for field, v in (('value', value), ('remark', remark), ('note', note), ('agree', str(agree))):
        rows[(unit, rubric, side, cp, field)] = v
for k, new in last.items():
    want = new if new is not None else (None if k[4] != 'agree' else '0')
    assert rows.get(k, None if k[4] != 'agree' else '0') == want, (k, rows.get(k), new)
for k, v in rows.items():
    assert v in (None, '0') or last.get(k) == v, (k, v, last.get(k))
# Each status is its journal's last, and the chain of states holds.
states = {}
for unit, rubric, old, new in db.execute(
        "SELECT unit, rubric, old, new FROM fill_journal WHERE what = '状态' ORDER BY id"):
    assert old == states.get((unit, rubric), '未填报'), (unit, old, states.get((unit, rubric)))
    states[(unit, rubric)] = new
names = ['未填报', '填报中', '已提交', '考评中', '已考评']
cur = {(u, r) for u, r in db.execute('SELECT unit, rubric FROM current')}
for unit, rubric, state in db.execute('SELECT unit, rubric, state FROM fill_status'):
    assert states[(unit, rubric)] == names[state], (unit, names[state], states[(unit, rubric)])
    if state >= 2:
        assert (unit, rubric) in cur, (unit, 'submitted without its record')
# No acknowledged save lost.
def form(unit):
    req = urllib.request.Request(url + 'api/fill?unit=' + urllib.parse.quote(unit), headers={'Authorization': 'token ' + token})
    return json.load(urllib.request.urlopen(req))
seen = {}
for side, unit, v, cp, val in json.load(open(acks)):
    seen[(side, unit)] = (v, cp, val)
for (side, unit), (v, cp, val) in seen.items():
    f = form(unit)[side]
    assert f['version'] >= v, (side, unit, f['version'], v)
    if f['version'] == v:
        a = f['answers'][cp]
        assert (a['value'] if side == 'self' else a['note']) == val, (side, unit, a, val)
print(len(seen), 'acknowledged series,', db.execute('SELECT COUNT(*) FROM fill_journal').fetchone()[0], 'journal rows')
PY
        stop_server
    done
}
