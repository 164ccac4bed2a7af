# 公示, 申诉, 复核 and 定稿 through kaohe serve (src/serve/publication.c over
# src/appeal.c): each step allowed or refused by the rules, the record
# kept across a restart, 定稿 from the day after the closing date (the
# closing date moved into the past between two runs of the server).
. tests/interop/serve_lib.sh
. tests/interop/browse_lib.sh
. tests/interop/evidence_lib.sh

# closing_date_passed WS : the publication's closing date moved to
# yesterday in the stopped server's workspace, as if days had passed
# (libfaketime would do it for the plain build, but not under TSan).
closing_date_passed() {
    "$PY" - "$1/journal.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE publications SET closes = date('now', 'localtime', '-1 day')")
db.commit()
PY
}

# jpost PATH OUT JSON : POST a JSON body; prints the status.
jpost() {
    curl -s -o "$2" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$3" \
        "${URL}${1#/}"
}

test_publish_appeal_decide_finalise() {
    R=lingui-2020-township
    today=$(date +%F)
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r.json" -F "file=@samples/两江镇.csv")
    [ "$code" = 200 ] || fail "upload: $code"
    code=$(curl -s -o "$T/a0.json" -w '%{http_code}' "${URL}api/appeals?rubric=$R")
    [ "$code" = 200 ] || fail "appeals: $code $(cat "$T/a0.json")"
    "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['publication']['published'] is False and d['appeals'] == [], d" "$T/a0.json" ||
        fail "a fresh workspace has a publication: $(cat "$T/a0.json")"
    code=$(jpost api/appeal "$T/e1.json" "{\"rubric\":\"$R\",\"unit\":\"两江镇\",\"cp\":\"1.6\",\"argument\":\"资料已补齐\"}")
    [ "$code" = 409 ] && has_text "$T/e1.json" '尚未公示' || fail "an appeal before 公示: $code $(cat "$T/e1.json")"
    code=$(jpost api/publish "$T/p0.json" "{\"rubric\":\"$R\",\"closes\":\"2000-01-01\"}")
    [ "$code" = 409 ] && has_text "$T/p0.json" '截止日期已过' || fail "a past closing date: $code $(cat "$T/p0.json")"
    code=$(jpost api/publish "$T/p1.json" "{\"rubric\":\"$R\",\"closes\":\"$today\",\"with_ranking\":false}")
    [ "$code" = 200 ] || fail "publish: $code $(cat "$T/p1.json")"
    code=$(jpost api/appeal "$T/e2.json" "{\"rubric\":\"$R\",\"unit\":\"两江镇\",\"cp\":\"99.9\",\"argument\":\"x\"}")
    [ "$code" = 400 ] || fail "an appeal of a check point the rubric has not: $code"
    code=$(jpost api/appeal "$T/e3.json" "{\"rubric\":\"$R\",\"unit\":\"两江镇\",\"cp\":\"1.6\",\"argument\":\"资料已补齐\"}")
    [ "$code" = 200 ] || fail "appeal: $code $(cat "$T/e3.json")"
    id=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$T/e3.json")
    code=$(jpost api/finalise "$T/f1.json" "{\"rubric\":\"$R\"}")
    [ "$code" = 409 ] && has_text "$T/f1.json" '公示期尚未结束' || fail "定稿 while open: $code $(cat "$T/f1.json")"
    code=$(jpost api/appeal/decide "$T/d0.json" "{\"id\":$id,\"decision\":\"改判\",\"reason\":\"补交\"}")
    [ "$code" = 409 ] && has_text "$T/d0.json" '新结果' || fail "改判 without a result: $code $(cat "$T/d0.json")"
    code=$(jpost api/appeal/decide "$T/d9.json" "{\"id\":$id,\"decision\":\"改判\",\"result\":\"三次\",\"reason\":\"补交\"}")
    [ "$code" = 409 ] || fail "改判 to a result the reader refuses: $code $(cat "$T/d9.json")"
    code=$(jpost api/appeal/decide "$T/d1.json" "{\"id\":$id,\"decision\":\"改判\",\"result\":\"有\",\"reason\":\"通知和方案已补交\"}")
    [ "$code" = 200 ] || fail "decide: $code $(cat "$T/d1.json")"
    # 改判 changed the record: 两江镇 had lost 0.5 on 1.6 (图片), 36.8 -> 37.3.
    "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['total'] == '37.3' and d['state'] == '改判', d" "$T/d1.json" ||
        fail "改判 did not rescore: $(cat "$T/d1.json")"
    code=$(post api/rank "$T/rk.json" -F kind=)
    "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); u=[x for x in d['result']['units'] if x['unit']=='两江镇'][0]; assert u['total'] == '37.3', u['total']" "$T/rk.json" ||
        fail "the workspace's ranking has not the 改判"
    code=$(jpost api/appeal "$T/e4.json" "{\"rubric\":\"$R\",\"unit\":\"两江镇\",\"cp\":\"8.3\",\"argument\":\"有图片\"}")
    [ "$code" = 200 ] || fail "second appeal: $code $(cat "$T/e4.json")"
    stop_server
    # Two days later: no more appeals; 定稿 only once the second is decided.
    closing_date_passed "$T/ws"
    start_server --workspace "$T/ws"
    code=$(jpost api/appeal "$T/e5.json" "{\"rubric\":\"$R\",\"unit\":\"两江镇\",\"cp\":\"2.1\",\"argument\":\"迟到的申诉\"}")
    [ "$code" = 409 ] && has_text "$T/e5.json" '申诉期' || fail "an appeal after the closing date: $code $(cat "$T/e5.json")"
    code=$(jpost api/finalise "$T/f2.json" "{\"rubric\":\"$R\"}")
    [ "$code" = 409 ] && has_text "$T/f2.json" '1 项申诉未复核' || fail "定稿 with an open appeal: $code $(cat "$T/f2.json")"
    id2=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$T/e4.json")
    code=$(jpost api/appeal/decide "$T/d2.json" "{\"id\":$id2,\"decision\":\"维持\",\"reason\":\"图片不是本年度的\"}")
    [ "$code" = 200 ] || fail "decide the second: $code $(cat "$T/d2.json")"
    code=$(jpost api/finalise "$T/f3.json" "{\"rubric\":\"$R\"}")
    [ "$code" = 200 ] || fail "定稿: $code $(cat "$T/f3.json")"
    code=$(jpost api/publish "$T/p2.json" "{\"rubric\":\"$R\",\"closes\":\"2099-01-01\"}")
    [ "$code" = 409 ] && has_text "$T/p2.json" '已定稿' || fail "publish after 定稿: $code $(cat "$T/p2.json")"
    curl -s "${URL}api/appeals?rubric=$R" >"$T/a1.json"
    "$PY" - "$T/a1.json" <<'PY' || fail "the record after 定稿: $(cat "$T/a1.json")"
import json, sys
d = json.load(open(sys.argv[1]))
p, a = d['publication'], d['appeals']
assert p['published'] and p['final_at'] and p['open'] is False, p
assert [(x['cp'], x['state'], x['result'], x['reason'], x['decided_by']) for x in a] == [
    ('1.6', '改判', '有', '通知和方案已补交', '本机'), ('8.3', '维持', None, '图片不是本年度的', '本机')], a
assert a[0]['argument'] == '资料已补齐' and a[0]['unit'] == '两江镇', a[0]
PY
    # The ranking's 更正记录 tells the appeals' steps, in time order.
    code=$(curl -s -o "$T/ranking.xlsx" -w '%{http_code}' "${URL}api/download?what=ranking")
    [ "$code" = 200 ] || fail "GET ranking: $code"
    "$PY" - "$T/ranking.xlsx" <<'PY' || fail "the 更正记录 sheet has not the appeals"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['更正记录']
rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
got = [(r[2], r[3], r[4], r[5], r[6]) for r in rows if r[3]]
assert got == [
    ('两江镇', '申诉', '检查点 1.6：资料已补齐', '—', '—'),
    ('两江镇', '复核', '申诉改判（检查点 1.6）：通知和方案已补交', '36.8 → 37.3', got[1][4]),
    ('两江镇', '复核（改判）', '检查点 1.6 改判为“有”：通知和方案已补交', '—', '—'),
    ('两江镇', '申诉', '检查点 8.3：有图片', '—', '—'),
    ('两江镇', '复核（维持）', '检查点 8.3 维持原结果：图片不是本年度的', '—', '—')], got
PY
    # A correction after 定稿 needs its reason, as any, and says when it came.
    "$PY" - "$T/v2.csv" <<'PY'
import sys
s = open('samples/两江镇.csv', encoding='utf-8-sig').read()
i = s.index(',有')
open(sys.argv[1], 'w', encoding='utf-8').write(s[:i] + ',无' + s[i + 2:])
PY
    code=$(post api/rank "$T/r2.json" -F "file=@$T/v2.csv;filename=两江镇.csv" -F kind=更正 \
        -F "reason=定稿后发现录入错误")
    [ "$code" = 200 ] || fail "correction after 定稿: $code"
    code=$(curl -s -o "$T/ranking2.xlsx" -w '%{http_code}' "${URL}api/download?what=ranking")
    "$PY" - "$T/ranking2.xlsx" <<'PY' || fail "a correction after 定稿 is not marked so"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['更正记录']
rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4) if r[3].value]
assert rows[-1][3] == '更正（定稿后）' and rows[-1][4] == '定稿后发现录入错误', rows[-1]
assert rows[-1][5] == '37.3 → 36.3', rows[-1]
PY
    # 定稿 printed: under the ranking and in the unit's scoresheet, with its date.
    final=$(date +%Y年%-m月%-d日)
    code=$(curl -s -o "$T/ss.zip" -w '%{http_code}' "${URL}api/download?what=scoresheets")
    [ "$code" = 200 ] || fail "GET scoresheets: $code"
    "$PY" - "$T/ranking2.xlsx" "$T/ss.zip" "$final" <<'PY' || fail "定稿 is not printed on the ranking and the scoresheet"
import io, sys, zipfile, openpyxl
final = sys.argv[3]
wb = openpyxl.load_workbook(sys.argv[1])
cells = [c.value for ws in wb for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
assert any(('定稿日期：' + final) in v for v in cells), [v for v in cells if '制表' in v]
z = zipfile.ZipFile(sys.argv[2])
name = [n for n in z.namelist() if '两江镇' in n][0]
ws = openpyxl.load_workbook(io.BytesIO(z.read(name))).active
vals = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
assert any(v.startswith('考核结果：') and v.endswith('（%s定稿）' % final) for v in vals), [v for v in vals if v.startswith('考核结果')]
PY
    stop_server
}

# The bureau's side on the page: 公示 with a closing date, an appeal (sent
# as the unit would), 改判 with its reason, and, once the closing date has passed, 定稿.
test_appeal_flow_in_a_browser() {
    R=lingui-2020-township
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r.json" -F "file=@samples/两江镇.csv")
    [ "$code" = 200 ] || fail "upload: $code"
    browse "$(date +%F)" <<'PY'
from selenium.webdriver.support.ui import Select
d.get(url)
try:
    WebDriverWait(d, 60).until(lambda d: d.find_elements(By.ID, "appealstatus"))
except Exception:
    shot("0-timeout"); print(d.get_log("browser")); raise
assert "尚未公示" in d.find_element(By.ID, "appealstatus").text
box = d.find_element(By.ID, "appealcloses")
d.execute_script("arguments[0].value = arguments[1]", box, args[0])
d.find_element(By.ID, "appealpublish").click()
from selenium.common.exceptions import StaleElementReferenceException as Stale
WebDriverWait(d, 30, ignored_exceptions=[Stale]).until(lambda d: "公示中" in d.find_element(By.ID, "appealstatus").text)
d.execute_script("document.getElementById('appeal').scrollIntoView()")
shot("1-published")
PY
    [ $? = 0 ] || fail "publishing on the page"
    code=$(curl -s -o "$T/e.json" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "{\"rubric\":\"$R\",\"unit\":\"两江镇\",\"cp\":\"8.3\",\"argument\":\"通知和方案已补交\"}" "${URL}api/appeal")
    [ "$code" = 200 ] || fail "appeal: $code $(cat "$T/e.json")"
    browse <<'PY'
from selenium.webdriver.support.ui import Select
d.get(url)
WebDriverWait(d, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.appeals tr"))
rows = d.find_elements(By.CSS_SELECTOR, "table.appeals tr")
assert len(rows) == 2 and "两江镇" in rows[1].text and "8.3" in rows[1].text and "待复核" in rows[1].text, rows[1].text
Select(rows[1].find_element(By.TAG_NAME, "select")).select_by_value("改判")
ins = rows[1].find_elements(By.TAG_NAME, "input")
ins[0].send_keys("有")
ins[1].send_keys("经核实资料齐全")
d.execute_script("document.getElementById('appeal').scrollIntoView()")
shot("2-deciding")
rows[1].find_element(By.TAG_NAME, "button").click()
from selenium.common.exceptions import StaleElementReferenceException as Stale
WebDriverWait(d, 30, ignored_exceptions=[Stale]).until(lambda d: "改判为“有”：经核实资料齐全" in d.find_element(By.CSS_SELECTOR, "table.appeals").text)
d.find_element(By.ID, "appealfinal").click()
WebDriverWait(d, 30, ignored_exceptions=[Stale]).until(lambda d: "公示期尚未结束" in d.find_element(By.ID, "appealmsg").text)
PY
    [ $? = 0 ] || fail "deciding on the page"
    stop_server
    closing_date_passed "$T/ws"
    start_server --workspace "$T/ws"
    browse <<'PY'
d.get(url)
WebDriverWait(d, 30).until(lambda d: d.find_elements(By.ID, "appealfinal"))
assert "待定稿" in d.find_element(By.ID, "appealstatus").text, d.find_element(By.ID, "appealstatus").text
d.find_element(By.ID, "appealfinal").click()
from selenium.common.exceptions import StaleElementReferenceException as Stale
WebDriverWait(d, 30, ignored_exceptions=[Stale]).until(lambda d: "已定稿" in d.find_element(By.ID, "appealstatus").text)
assert not d.find_elements(By.ID, "appealpublish")
d.execute_script("document.getElementById('appeal').scrollIntoView()")
shot("3-final")
PY
    [ $? = 0 ] || fail "定稿 on the page"
    stop_server
}

# With roles: a 填报员 sees only its unit's published result, appeals only
# for its unit, decides nothing; a 考评员 decides but neither publishes nor
# appeals.
test_appeal_roles() {
    R=lingui-2020-township W=$T/ws
    for a in "科长 mima-2020!" "考评甲 kaoping-2020 --role reviewer"; do
        set -- $a
        n=$1 p=$2
        shift 2
        printf '%s\n' "$p" | "$KAOHE" serve --add-user "$n" --workspace "$W" "$@" >/dev/null 2>"$T/add.err" ||
            fail "add-user $n: $(cat "$T/add.err")"
    done
    expect_exit 0 "$KAOHE" serve --workspace "$W" --add-unit-users --roster samples/名单/单位名单.csv
    "$(dirname "$KAOHE")/sheet_cells" "$W/账号分发表.xlsx" | cut -f3,5 >"$T/cells"
    row=$(awk -F'\t' '$1 ~ /^B[0-9]+$/ && $2 == "两江镇" {print substr($1, 2)}' "$T/cells")
    pw=$(awk -F'\t' -v r="C$row" '$1 == r {print $2}' "$T/cells")
    start_server --workspace "$W"
    login() { post api/login "$T/login.json" -c "$3" -F "name=$1" -F "password=$2"; }
    as() { # JAR PATH OUT JSON
        post "$2" "$3" -b "$1" -H 'Content-Type: application/json' --data-binary "$4"
    }
    [ "$(login 科长 'mima-2020!' "$T/admin")" = 200 ] || fail "admin login"
    [ "$(login 考评甲 kaoping-2020 "$T/rev")" = 200 ] || fail "reviewer login"
    [ "$(login 两江镇 "$pw" "$T/lj")" = 200 ] || fail "filler login: $(cat "$T/login.json")"
    code=$(as "$T/lj" api/password "$T/pw.json" "{\"old\":\"$pw\",\"new\":\"两江镇的新密码\"}")
    [ "$code" = 200 ] || fail "password change: $code"
    code=$(post api/rank "$T/r.json" -b "$T/admin" -F "file=@samples/两江镇.csv" -F "file=@samples/临桂镇.csv")
    [ "$code" = 200 ] || fail "upload: $code"
    # Before 公示 a unit sees nothing.
    code=$(curl -s -o "$T/p0.json" -w '%{http_code}' -b "$T/lj" "${URL}api/published?rubric=$R")
    [ "$code" = 403 ] || fail "published before 公示: $code"
    code=$(as "$T/lj" api/publish "$T/x.json" "{\"rubric\":\"$R\",\"closes\":\"$(date +%F)\"}")
    [ "$code" = 403 ] || fail "a filler published: $code"
    code=$(as "$T/rev" api/publish "$T/x.json" "{\"rubric\":\"$R\",\"closes\":\"$(date +%F)\"}")
    [ "$code" = 403 ] || fail "a reviewer published: $code"
    code=$(as "$T/admin" api/publish "$T/x.json" "{\"rubric\":\"$R\",\"closes\":\"$(date +%F)\"}")
    [ "$code" = 200 ] || fail "publish: $code $(cat "$T/x.json")"
    curl -s -b "$T/lj" "${URL}api/published?rubric=$R" >"$T/p1.json"
    "$PY" - "$T/p1.json" <<'PY' || fail "the filler's published view: $(head -c 400 "$T/p1.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert [u['unit'] for u in d['units']] == ['两江镇'], [u['unit'] for u in d['units']]
assert d['units'][0]['total'] == '36.8' and d['ranking'] is None, d['ranking']
assert any(i['reason'].startswith('缺图片') for i in d['units'][0]['items'])
PY
    code=$(as "$T/lj" api/appeal "$T/x.json" "{\"rubric\":\"$R\",\"unit\":\"临桂镇\",\"cp\":\"1.6\",\"argument\":\"替别人申诉\"}")
    [ "$code" = 403 ] || fail "a filler appealed for another unit: $code"
    code=$(as "$T/rev" api/appeal "$T/x.json" "{\"rubric\":\"$R\",\"unit\":\"两江镇\",\"cp\":\"1.6\",\"argument\":\"x\"}")
    [ "$code" = 403 ] || fail "a reviewer appealed: $code"
    code=$(as "$T/lj" api/appeal "$T/a.json" "{\"rubric\":\"$R\",\"unit\":\"两江镇\",\"cp\":\"1.6\",\"argument\":\"图片已补交\"}")
    [ "$code" = 200 ] || fail "the filler's appeal: $code $(cat "$T/a.json")"
    id=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$T/a.json")
    code=$(as "$T/lj" api/appeal/decide "$T/x.json" "{\"id\":$id,\"decision\":\"维持\",\"reason\":\"自己说了算\"}")
    [ "$code" = 403 ] || fail "a filler decided: $code"
    code=$(as "$T/admin" api/appeal "$T/x.json" "{\"rubric\":\"$R\",\"unit\":\"临桂镇\",\"cp\":\"2.1\",\"argument\":\"代为申诉\"}")
    [ "$code" = 200 ] || fail "an admin appealed for a unit: $code"
    curl -s -b "$T/lj" "${URL}api/appeals?rubric=$R" >"$T/l1.json"
    curl -s -b "$T/rev" "${URL}api/appeals?rubric=$R" >"$T/l2.json"
    "$PY" - "$T/l1.json" "$T/l2.json" <<'PY' || fail "who sees which appeals"
import json, sys
mine, all_ = (json.load(open(p))['appeals'] for p in sys.argv[1:3])
assert [a['unit'] for a in mine] == ['两江镇'], mine
assert sorted(a['unit'] for a in all_) == ['两江镇', '临桂镇'], all_
PY
    # The appeal's files: its unit's 填报员 only, and only while it is open.
    mkdir -p "$T/ev" && make_evidence "$T/ev"
    code=$(post "api/appeal/evidence?id=$id" "$T/x.json" -b "$T/rev" -F "file=@$T/ev/签到单.png")
    [ "$code" = 403 ] || fail "a reviewer attached to an appeal: $code"
    code=$(post "api/appeal/evidence?id=$id" "$T/x.json" -b "$T/lj" -F "file=@$T/ev/evil.png")
    [ "$code" = 422 ] || fail "an SVG named .png attached to an appeal: $code $(cat "$T/x.json")"
    code=$(post "api/appeal/evidence?id=$id" "$T/x.json" -b "$T/lj" -F "file=@$T/ev/签到单.png")
    [ "$code" = 200 ] || fail "the filler's appeal file: $code $(cat "$T/x.json")"
    code=$(as "$T/rev" api/appeal/decide "$T/d.json" "{\"id\":$id,\"decision\":\"改判\",\"result\":\"有\",\"reason\":\"已补交\"}")
    [ "$code" = 200 ] || fail "the reviewer decided: $code $(cat "$T/d.json")"
    code=$(post "api/appeal/evidence?id=$id" "$T/x.json" -b "$T/lj" -F "file=@$T/ev/方案.pdf")
    [ "$code" = 409 ] || fail "a file attached to a decided appeal: $code"
    curl -s -b "$T/lj" "${URL}api/published?rubric=$R" >"$T/p2.json"
    "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['units'][0]['total'] == '37.3', d['units'][0]['total']" "$T/p2.json" ||
        fail "the unit does not see the 改判"
    stop_server
}

# A unit's 填报员 on a phone (390 × 844): its published scoresheet with the
# reasons, an appeal filed from the page, then the decision shown.
test_appeal_unit_in_a_browser() {
    R=lingui-2020-township W=$T/ws
    printf 'mima-2020!\n' | "$KAOHE" serve --add-user 科长 --workspace "$W" >/dev/null 2>&1 || fail "add-user"
    printf 'liangjiang-2020\n' | "$KAOHE" serve --add-user 两江镇 --role filler --unit 两江镇 \
        --workspace "$W" >/dev/null 2>"$T/add.err" || fail "add filler: $(cat "$T/add.err")"
    start_server --workspace "$W"
    post api/login "$T/l.json" -c "$T/admin" -F name=科长 -F 'password=mima-2020!' >/dev/null
    code=$(post api/rank "$T/r.json" -b "$T/admin" -F "file=@samples/两江镇.csv" -F "file=@samples/临桂镇.csv")
    [ "$code" = 200 ] || fail "upload: $code"
    code=$(post api/publish "$T/p.json" -b "$T/admin" -H 'Content-Type: application/json' \
        --data-binary "{\"rubric\":\"$R\",\"closes\":\"$(date +%F)\"}")
    [ "$code" = 200 ] || fail "publish: $code $(cat "$T/p.json")"
    mkdir -p "$T/ev" && make_evidence "$T/ev"
    SIZE=390,844 browse "$T/ev/签到单.png" "$T/ev/方案.pdf" <<'PY'
d.get(url)
assert d.execute_script("return window.innerWidth") == 390
WebDriverWait(d, 30).until(lambda d: d.find_element(By.ID, "lname").is_displayed())
d.find_element(By.ID, "lname").send_keys("两江镇")
d.find_element(By.ID, "lpass").send_keys("liangjiang-2020")
d.find_element(By.CSS_SELECTOR, "#loginform button").click()
WebDriverWait(d, 60).until(lambda d: d.find_elements(By.ID, "appealform"))
sec = d.find_element(By.ID, "appeal")
# Its total, but no rank: the ranking is not published.
assert sec.find_element(By.TAG_NAME, "h3").text == "两江镇 考核得分：36.8", sec.find_element(By.TAG_NAME, "h3").text
# The scoresheet fits the phone's width, its reasons listed under it.
assert d.execute_script("""
    var r = arguments[0].getBoundingClientRect().right <= 391;
    return r && Array.from(arguments[0].querySelectorAll("table.published")).every(function (t) {
        var box = t.parentNode;
        return box.getBoundingClientRect().right <= 391 && box.scrollWidth <= box.clientWidth + 1; });""", sec), \
    "the section is wider than the phone"
reasons = [li.text for li in sec.find_elements(By.CSS_SELECTOR, "ul.reasons li")]
assert "1 传达学习：缺图片、签到单，扣1分；备注：签到单未归档" in reasons, reasons
assert "临桂镇" not in sec.text, "another unit's result is shown"
d.execute_script("arguments[0].scrollIntoView()", sec)
shot("1-published")
from selenium.webdriver.support.ui import Select
Select(d.find_element(By.ID, "appealcp")).select_by_value("1.6")
d.find_element(By.ID, "appealargument").send_keys("会议图片已补交")
d.find_element(By.ID, "appealfiles").send_keys(args[0] + "\n" + args[1])
d.find_element(By.ID, "appealsend").click()
from selenium.common.exceptions import StaleElementReferenceException as Stale
try:
    WebDriverWait(d, 30, ignored_exceptions=[Stale]).until(
        lambda d: "等待复核" in d.find_element(By.CSS_SELECTOR, "table.appeals").text)
    links = [a.text for a in d.find_elements(By.CSS_SELECTOR, "table.appeals a")]
    assert sorted(links) == ["方案.pdf", "签到单.png"], links
    assert "申诉和材料已提交" in d.find_element(By.ID, "appealmsg").text
except Exception:
    shot("2-timeout"); print("MSG", d.find_element(By.ID, "appealmsg").text, d.find_element(By.ID, "appealstatus").text); raise
d.execute_script("document.getElementById('appeal').scrollIntoView()")
shot("2-appealed")
PY
    [ $? = 0 ] || fail "the unit's appeal on the page"
    curl -s -b "$T/admin" "${URL}api/appeals?rubric=$R" >"$T/a.json"
    "$PY" -c "import json,sys; a=json.load(open(sys.argv[1]))['appeals']; assert [(x['unit'],x['cp'],x['argument'],x['filed_by'],sorted(f['name'] for f in x['evidence'])) for x in a] == [('两江镇','1.6','会议图片已补交','两江镇',['方案.pdf','签到单.png'])], a" "$T/a.json" ||
        fail "the appeal as recorded: $(cat "$T/a.json")"
    # The files are the bytes sent, shown to the bureau by the evidence route.
    eid=$("$PY" -c "import json,sys; a=json.load(open(sys.argv[1]))['appeals'][0]; print([f['id'] for f in a['evidence'] if f['name']=='方案.pdf'][0])" "$T/a.json")
    curl -s -b "$T/admin" -o "$T/got.pdf" "${URL}api/evidence/file?id=$eid"
    cmp -s "$T/got.pdf" "$T/ev/方案.pdf" || fail "the appeal's PDF is not the one sent"
    stop_server
}
