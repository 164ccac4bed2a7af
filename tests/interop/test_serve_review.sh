# The bureau's 考评 on kaohe serve (src/serve/review.c): the board of the
# roster's units with their status and counts, filters and search; a
# unit's review per check point with 自评分 and 考评分 from the engine; two
# answers changed with notes; a stale save refused (409) with the current
# view; 考评完成; the workspace's ranking and JSON showing the 自评 beside
# the 考评; the board under 200 ms for 200 units.
#
# Hand-computed: samples/两江镇.csv scores 36.8 (1.6 1.7 无: −1, 3.1 = 1:
# −0.2, the rest full).  The unit's 自评 claims 1.6 1.7 有 and 3.1 = 2:
# 38.  The inspector changes 1.6 and 1.7 back to 无 with notes: 考评
# 38 − 1 = 37, 差 −1, each of the two check points −0.5.

. "$TOP/tests/interop/serve_lib.sh"

. "$TOP/tests/interop/review_lib.sh"

test_serve_review_board_unit_save_done() {
    start_server --workspace "$T/ws"
    submitted_self || return 1
    curl -sk -o "$T/board.json" "${URL}api/review/board"
    curl -sk -o "$T/board2.json" "${URL}api/review/board?state=%E5%B7%B2%E6%8F%90%E4%BA%A4"
    curl -sk -o "$T/board3.json" "${URL}api/review/board?q=%E4%B8%A4%E6%B1%9F"
    curl -sk -o "$T/unit.json" "${URL}api/review/unit?unit=%E4%B8%A4%E6%B1%9F%E9%95%87&rubric=lingui-2020-township"
    "$PY" - "$T" <<'PY'
import json, sys
T = sys.argv[1]
b = json.load(open(T + '/board.json'))
assert b['total'] == 14 and len(b['units']) == 14, (b['total'], len(b['units']))
assert b['counts'] == {'未填报': 13, '填报中': 0, '已提交': 1, '考评中': 0, '已考评': 0}, b['counts']
u = {x['unit']: x for x in b['units']}
assert u['两江镇']['state'] == '已提交' and u['两江镇']['answered'] == 79 and u['两江镇']['changed'], u['两江镇']
assert u['临桂镇']['state'] == '未填报' and u['临桂镇']['changed'] is None
# the roster's order
assert [x['unit'] for x in b['units']][:2] == ['临桂镇', '两江镇']
b2 = json.load(open(T + '/board2.json'))
assert [x['unit'] for x in b2['units']] == ['两江镇'] and b2['counts'] == b['counts'], b2
assert [x['unit'] for x in json.load(open(T + '/board3.json'))['units']] == ['两江镇']
v = json.load(open(T + '/unit.json'))
assert v['status']['state'] == '已提交' and v['may']['review'] is True
assert v['self_score']['total'] == '38' and v['review_score']['total'] == '38' and v['diff'] == '0', v['self_score']
cps = {c['id']: c for it in v['items'] for c in it['cps']}
assert cps['1.6']['value'] == '有' and cps['1.6']['changed'] is False and cps['1.6']['effective'] == '有'
assert cps['3.1']['value'] == '2' and cps['3.1']['self_deduction'] == '0'
assert cps['17.1']['value'] == '2次'
open(T + '/version', 'w').write(str(v['version']))
PY
    [ $? = 0 ] || return 1
    # The inspector: 1.6 and 1.7 back to 无, with notes; 1.1 同意.
    ver=$(cat "$T/version")
    cat >"$T/rev.json" <<EOF
{"unit":"两江镇","rubric":"lingui-2020-township","version":$ver,"answers":[
 {"cp":"1.6","agree":false,"value":"无","note":"会议照片未见"},
 {"cp":"1.7","agree":false,"value":"无","note":"签到单缺失"},
 {"cp":"1.1","agree":true}]}
EOF
    code=$(post_json api/review/save "$T/rs.json" "$T/rev.json")
    [ "$code" = 200 ] || { fail "review save: $code $(head -c 300 "$T/rs.json")"; return 1; }
    # The same base version again: stale, refused with the current view.
    code=$(post_json api/review/save "$T/stale.json" "$T/rev.json")
    [ "$code" = 409 ] || fail "stale review save: $code"
    "$PY" - "$T" <<'PY'
import json, sys
T = sys.argv[1]
v = json.load(open(T + '/rs.json'))
assert v['status']['state'] == '考评中', v['status']
assert v['self_score']['total'] == '38' and v['review_score']['total'] == '37' and v['diff'] == '-1', (v['self_score'], v['review_score'], v['diff'])
it1 = v['items'][0]
assert (it1['self_score'], it1['review_score'], it1['diff']) == ('3', '2', '-1'), it1
cps = {c['id']: c for it in v['items'] for c in it['cps']}
c = cps['1.6']
assert (c['value'], c['review_value'], c['effective'], c['note'], c['changed']) == ('有', '无', '无', '会议照片未见', True), c
assert (c['self_deduction'], c['review_deduction'], c['diff']) == ('0', '0.5', '-0.5'), c
assert cps['1.7']['note'] == '签到单缺失' and cps['1.7']['diff'] == '-0.5'
assert cps['1.1']['agree'] is True and cps['1.1']['changed'] is False and cps['1.1']['diff'] == '0'
s = json.load(open(T + '/stale.json'))
assert '已被他人修改' in s['error'] and s['review_score']['total'] == '37' and s['version'] == v['version']
open(T + '/version', 'w').write(str(v['version']))
PY
    [ $? = 0 ] || return 1
    printf '{"unit":"两江镇","rubric":"lingui-2020-township","version":%s}' "$(cat "$T/version")" >"$T/done.json"
    code=$(post_json api/review/done "$T/dn.json" "$T/done.json")
    [ "$code" = 200 ] || { fail "done: $code $(head -c 300 "$T/dn.json")"; return 1; }
    # Once done: read-only; the workspace's JSON and ranking carry both.
    code=$(post_json api/review/save "$T/after.json" "$T/rev.json")
    [ "$code" = 409 ] || fail "a save after 考评完成: $code"
    curl -sk -o "$T/ws.json" "${URL}api/download?what=json"
    curl -sk -o "$T/ws.xlsx" "${URL}api/download?what=ranking"
    curl -sk -o "$T/board4.json" "${URL}api/review/board"
    "$PY" - "$T" <<'PY'
import json, sys, openpyxl
T = sys.argv[1]
d = json.load(open(T + '/dn.json'))
assert d['status']['state'] == '已考评' and d['may']['review'] is False
j = json.load(open(T + '/ws.json'))
u = {x['unit']: x for x in j['units']}
assert u['两江镇']['total'] == '37', u['两江镇']['total']
s = u['两江镇']['self']
assert s['total'] == '38' and s['diff'] == '-1', s
diff = {c['check']: c['diff'] for c in s['checks'] if c['diff'] != '0'}
assert diff == {'1.6': '-0.5', '1.7': '-0.5'}, diff
# the unit's own answers beside the inspector's (as typed online)
c = {c['check']: c for c in s['checks']}
assert (c['1.6']['result'], c['1.6']['reviewed']) == ('有', '无'), c['1.6']
assert (c['3.1']['result'], c['3.1']['reviewed'], c['17.1']['result']) == (2, 2, 2), c['3.1']
ws = openpyxl.load_workbook(T + '/ws.xlsx')['乡镇']
head = [c.value for c in ws[3]]
t = head.index('合计得分')
row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == '两江镇')
assert head[t + 1] == '自评得分' and row[t + 1] == 38 and row[t + 2] == -1, (head, row)
b = json.load(open(T + '/board4.json'))
assert b['counts']['已考评'] == 1 and b['counts']['已提交'] == 0
PY
    stop_server
}

# Who may: without a workspace nothing; a unit's name that does not
# parse; a unit that is not known; a bad body.
test_serve_review_refusals() {
    start_server
    code=$(curl -sk -o "$T/a.json" -w '%{http_code}' "${URL}api/review/board")
    [ "$code" = 400 ] && has_text "$T/a.json" '工作区' || fail "board without a workspace: $code"
    stop_server
    start_server --workspace "$T/ws"
    code=$(curl -sk -o "$T/b.json" -w '%{http_code}' "${URL}api/review/unit?rubric=lingui-2020-township")
    [ "$code" = 400 ] || fail "no unit: $code"
    code=$(curl -sk -o "$T/c.json" -w '%{http_code}' "${URL}api/review/unit?unit=x&rubric=nope")
    [ "$code" = 400 ] && has_text "$T/c.json" '考核细则' || fail "unknown rubric: $code"
    printf '[1]' >"$T/arr.json"
    code=$(post_json api/review/save "$T/d.json" "$T/arr.json")
    [ "$code" = 400 ] || fail "not an object: $code"
    # Each answer needs its check point (more than 10000 answers: 413,
    # the check both APIs share, in test_fill.sh).
    printf '{"unit":"两江镇","rubric":"lingui-2020-township","version":0,"answers":[{"cp":"1.6","agree":true},{"agree":true}]}' >"$T/nocp.json"
    code=$(post_json api/review/save "$T/g.json" "$T/nocp.json")
    [ "$code" = 400 ] && has_text "$T/g.json" '每条考评内容都要有检查点 cp' ||
        fail "an answer without cp: $code $(cat "$T/g.json")"
    printf '{"unit":"两江镇","rubric":"lingui-2020-township","version":0,"answers":[{"cp":"1.6","value":"无"}]}' >"$T/e.json"
    # not submitted: the 考评 side is closed
    code=$(post_json api/review/save "$T/f.json" "$T/e.json")
    [ "$code" = 409 ] && has_text "$T/f.json" '不能考评' || fail "review before 提交: $code $(cat "$T/f.json")"
    code=$(curl -sk -o /dev/null -w '%{http_code}' "${URL}api/review/nothing")
    [ "$code" = 404 ] || fail "unknown route: $code"
    stop_server
}

# 200 units on the roster, a few filled: the board answers in < 200 ms
# (the median of 5, measured by curl on this machine).
test_serve_review_board_200_units() {
    "$PY" - "$T/roster200.csv" <<'PY'
import sys
with open(sys.argv[1], 'w', encoding='utf-8-sig') as f:
    f.write('序号,被考核单位,单位类型\n')
    for i in range(1, 201):
        f.write('%d,测试镇%03d,乡镇\n' % (i, i))
PY
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/roster.json" -F "roster=@$T/roster200.csv")
    [ "$code" = 200 ] || { fail "roster: $code"; return 1; }
    for i in 001 050 199; do
        printf '{"unit":"测试镇%s","rubric":"lingui-2020-township","side":"self","version":0,"answers":[{"cp":"1.1","value":"有"}]}' "$i" >"$T/s$i.json"
        code=$(post_json api/fill/save "$T/o$i.json" "$T/s$i.json")
        [ "$code" = 200 ] || fail "save $i: $code $(cat "$T/o$i.json")"
    done
    for k in 1 2 3 4 5; do
        curl -sk -o "$T/board.json" -w '%{time_total}\n' "${URL}api/review/board" >>"$T/times"
    done
    "$PY" - "$T" <<'PY'
import json, sys
T = sys.argv[1]
b = json.load(open(T + '/board.json'))
assert b['total'] == 200 and len(b['units']) == 200
assert b['counts']['填报中'] == 3 and b['counts']['未填报'] == 197, b['counts']
t = sorted(float(x) for x in open(T + '/times'))
print('    board of 200 units: median %.1f ms (%s)' % (t[2] * 1000, ', '.join('%.1f' % (x * 1000) for x in t)))
assert t[2] < 0.2, t
PY
    stop_server
}

# Roles: a 填报员 is refused every /api/review request (403), its own unit
# too; a 考评员 reviews and finishes; the 考评员 cannot change the unit's
# own 自评 (the fill API, 403).
test_serve_review_roles() {
    . "$TOP/tests/interop/evidence_lib.sh"
    users_with_roles "$T/users.txt"
    start_server --workspace "$T/ws" --users "$T/users.txt"
    for u in 科长 考评员甲 两江填报 临桂填报; do login "$u"; done
    submitted_self_by_filler || return 1
    uq='unit=%E4%B8%A4%E6%B1%9F%E9%95%87&rubric=lingui-2020-township'
    for who in 两江填报 临桂填报; do
        code=$(as "$who" "${URL}api/review/board")
        [ "$code" = 403 ] && has_text "$T/as.out" '只有考评员或管理员' || fail "$who board: $code"
        code=$(as "$who" "${URL}api/review/unit?$uq")
        [ "$code" = 403 ] || fail "$who unit: $code"
        printf '{"unit":"两江镇","rubric":"lingui-2020-township","version":0,"answers":[{"cp":"1.6","value":"无"}]}' >"$T/r.json"
        code=$(as_json "$who" api/review/save "$T/r.json")
        [ "$code" = 403 ] || fail "$who save: $code"
        code=$(as_json "$who" api/review/done "$T/r.json")
        [ "$code" = 403 ] || fail "$who done: $code"
    done
    code=$(as 考评员甲 "${URL}api/review/unit?$uq")
    [ "$code" = 200 ] || { fail "reviewer unit: $code"; return 1; }
    v=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$T/as.out")
    printf '{"unit":"两江镇","rubric":"lingui-2020-township","version":%s,"answers":[{"cp":"1.6","agree":false,"value":"无","note":"照片不符"}]}' "$v" >"$T/r.json"
    code=$(as_json 考评员甲 api/review/save "$T/r.json")
    [ "$code" = 200 ] || { fail "reviewer save: $code $(head -c 300 "$T/as.out")"; return 1; }
    "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["review_score"]["total"]=="37.5" and j["review_by"]=="考评员甲", j["review_score"]; open(sys.argv[2],"w").write(str(j["version"]))' "$T/as.out" "$T/v"
    # The unit's own answers are not the inspector's to change.
    answers_json 1 >"$T/self2.json"
    code=$(as_json 考评员甲 api/fill/save "$T/self2.json")
    [ "$code" = 403 ] || fail "reviewer changed the 自评: $code"
    printf '{"unit":"两江镇","rubric":"lingui-2020-township","version":%s}' "$(cat "$T/v")" >"$T/d.json"
    code=$(as_json 考评员甲 api/review/done "$T/d.json")
    [ "$code" = 200 ] || fail "reviewer done: $code $(head -c 300 "$T/as.out")"
    has_text "$T/as.out" '"state":"已考评"'
    stop_server
}
