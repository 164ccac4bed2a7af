# The year online, end to end in a real browser (issue 25's "done when"):
# accounts made from the roster; a unit's 填报员 logs in on a phone (390 x
# 844), changes the initial password, fills part of its form, reloads (the
# draft kept), attaches two photos and a PDF, fills the rest from its
# spreadsheet, submits; the same user is refused a second unit's form and
# evidence; a 考评员 on a desktop (1366 x 768) changes two answers with
# notes and finishes; the admin's ranking equals `kaohe rank` over the
# exported checklists, with 自评 beside 考评.  Screenshots in
# BUILD/test-artifacts/TEST/.  Only 127.0.0.1 is contacted.
. tests/interop/serve_lib.sh
. tests/interop/browse_lib.sh
. tests/interop/evidence_lib.sh

test_year_online_in_a_browser() {
    W=$T/ws
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
    [ -n "$pw" ] || fail "no initial password for 两江镇"
    mkdir -p "$T/ev" && make_evidence "$T/ev"
    start_server --workspace "$W"

    # The unit, on a phone.
    SIZE=390,844 browse "$pw" "$T/ev/会议照片.jpg" "$T/ev/签到单.png" "$T/ev/方案.pdf" \
        "$(pwd)/samples/两江镇.csv" <<'PY'
pw, photo1, photo2, pdf, sheet = args
def until(fn, t=120):
    return WebDriverWait(d, t, ignored_exceptions=[StaleElementReferenceException]).until(fn)
def shown(i):
    return d.find_element(By.ID, i).is_displayed()
def cp(i):
    return d.find_element(By.ID, "fillcp-" + i)
def press(i, v):
    b = [b for b in cp(i).find_elements(By.CSS_SELECTOR, ".fill-ctl button") if b.text == v][0]
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", b)
    b.click()
def on(i):
    return [b.text for b in cp(i).find_elements(By.CSS_SELECTOR, ".fill-ctl button.on")]
def saved():
    until(lambda d: d.find_element(By.ID, "fillsaved").text.startswith("已保存"))
d.get(url)
assert d.execute_script("return window.innerWidth") == 390
until(lambda d: shown("lname"))
d.find_element(By.ID, "lname").send_keys("两江镇")
d.find_element(By.ID, "lpass").send_keys(pw + "\n")
until(lambda d: shown("password"))
d.find_element(By.ID, "pwold").send_keys(pw)
for i in ("pwnew", "pwagain"):
    d.find_element(By.ID, i).send_keys("两江镇的新密码2020")
d.find_element(By.ID, "pwgo").click()
until(lambda d: shown("app") and d.find_elements(By.ID, "fillcp-1.1"))
shot("1-own-form")
press("1.1", "有")
press("1.2", "无")
saved()
d.get(url)
until(lambda d: d.find_elements(By.ID, "fillcp-1.1"))
until(lambda d: on("1.1") == ["有"] and on("1.2") == ["无"])
# Two photos and a PDF on 1.1, through the evidence widget's file input.
inp = cp("1.1").find_elements(By.CSS_SELECTOR, "input[type=file]")[0]
d.execute_script("arguments[0].style.display = 'block'", inp)
inp.send_keys("\n".join([photo1, photo2, pdf]))
until(lambda d: len(cp("1.1").find_elements(By.CSS_SELECTOR, ".ev-item")) == 3)
d.execute_script("arguments[0].scrollIntoView({block: 'center'})", cp("1.1"))
shot("2-evidence")
# The rest from the unit's spreadsheet, then 提交.
up = d.find_element(By.ID, "fillupload")
d.execute_script("arguments[0].className = ''", up)
up.send_keys(sheet)
until(lambda d: "已按上传的检查表填入" in d.find_element(By.ID, "fillmsg").text)
until(lambda d: d.find_element(By.ID, "fillsubmit").is_enabled())
d.find_element(By.ID, "fillsubmit").click()
until(lambda d: d.switch_to.alert)
assert "提交后不能再修改" in d.switch_to.alert.text
d.switch_to.alert.accept()
until(lambda d: d.find_element(By.ID, "fillstate").text == "已提交")
assert d.find_element(By.ID, "filltotal").text == "36.8", d.find_element(By.ID, "filltotal").text
shot("3-submitted")
# A second unit's form and evidence: refused to this user.
def status(path):
    return d.execute_async_script(
        "var cb = arguments[arguments.length - 1]; fetch(arguments[0]).then(function (r) { cb(r.status); });", path)
assert status("/api/fill?unit=" + "临桂镇") == 403
assert status("/api/evidence?unit=临桂镇&rubric=lingui-2020-township") == 403
assert status("/api/download?what=ranking") == 403
PY
    [ $? = 0 ] || fail "the unit's steps"

    # The inspector, on a desktop.
    SIZE=1366,768 browse <<'PY'
from selenium.webdriver.support.ui import Select
def until(fn, t=120):
    return WebDriverWait(d, t, ignored_exceptions=[StaleElementReferenceException]).until(fn)
d.get(url)
until(lambda d: d.find_element(By.ID, "lname").is_displayed())
d.find_element(By.ID, "lname").send_keys("考评甲")
d.find_element(By.ID, "lpass").send_keys("kaoping-2020\n")
until(lambda d: d.find_elements(By.CSS_SELECTOR, "#rvrows button.rv-open"))
d.find_element(By.ID, "rvsearch").send_keys("两江")
until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rvrows button.rv-open")) == 1)
d.find_element(By.CSS_SELECTOR, "#rvrows button.rv-open").click()
until(lambda d: d.find_elements(By.ID, "rvtotal") and d.find_element(By.ID, "rvtotal").text == "36.8")
# The unit's photos are shown to the inspector.
until(lambda d: len(d.find_element(By.ID, "rvcp-1.1").find_elements(By.CSS_SELECTOR, "img")) == 2)
for cp, note in (("1.1", "学习记录不是本年度的"), ("1.2", "领导机构文件缺少")):
    row = d.find_element(By.ID, "rvcp-" + cp)
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
    Select(row.find_element(By.CSS_SELECTOR, "select.rv-choice")).select_by_visible_text("改为：无")
    row.find_element(By.CSS_SELECTOR, "input.rv-note").send_keys(note)
until(lambda d: "已保存" in d.find_element(By.ID, "rvsaved").text and d.find_element(By.ID, "rvtotal").text == "35.8")
assert d.find_element(By.ID, "rvself").text == "36.8"
assert d.find_element(By.ID, "rvdiff").text == "-1", d.find_element(By.ID, "rvdiff").text
shot("4-reviewed")
d.find_element(By.ID, "rvdone").click()
until(lambda d: d.find_element(By.ID, "rvstate").text == "已考评")
PY
    [ $? = 0 ] || fail "the inspector's steps"

    # The admin's ranking from the page, and the year's archive.
    post api/login "$T/l.json" -c "$T/admin" -F name=科长 -F 'password=mima-2020!' >/dev/null
    code=$(post api/rank "$T/rank.json" -b "$T/admin" -F kind=)
    [ "$code" = 200 ] || fail "the workspace's ranking: $code"
    code=$(curl -s -b "$T/admin" -o "$T/year.zip" -w '%{http_code}' "${URL}api/export")
    [ "$code" = 200 ] || fail "export: $code"
    stop_server
    mkdir "$T/x" && (cd "$T/x" && "$PY" -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall()" "$T/year.zip")
    checklist=$(find "$T/x" -path '*两江镇*' -name '*.xlsx' ! -name '*评分表*' | head -1)
    [ -n "$checklist" ] || fail "no checklist of 两江镇 in the archive: $(cd "$T/x" && find . | head -20)"
    expect_exit 0 "$KAOHE" rank -q "$checklist" -o "$T/cli.xlsx" --json "$T/cli.json"
    "$PY" - "$T/rank.json" "$T/cli.json" <<'PY' || fail "the page's ranking is not kaohe rank's of the exported checklist"
import json, sys
page = json.load(open(sys.argv[1]))['result']
cli = json.load(open(sys.argv[2]))
p = {u['unit']: u for u in page['units']}
c = {u['unit']: u for u in cli['units']}
assert set(p) == set(c) == {'两江镇'}, (set(p), set(c))
assert p['两江镇']['total'] == c['两江镇']['total'] == '35.8', (p['两江镇']['total'], c['两江镇']['total'])
assert [i['reason'] for i in p['两江镇']['items']] == [i['reason'] for i in c['两江镇']['items']]
# 自评 beside 考评 in the page's ranking.
s = p['两江镇']['self']
assert s['total'] == '36.8' and s['diff'] == '-1', s
PY
}
