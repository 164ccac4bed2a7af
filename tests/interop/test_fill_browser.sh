# The online 填报 (src/page/fill.js) in a real browser (headless Chromium
# through Selenium), on a phone (390 x 844) and a desktop (1366 x 768):
# a unit's form filled in part, the page reloaded (the draft kept), a
# second tab's save making the first tab's stale (the conflict shown,
# nothing overwritten), every answer given, 提交 (read-only after), the
# filled checklist downloaded; the 自评分 the page showed equals `kaohe
# score` of the downloaded file and the total recorded in the workspace;
# an answer given just before a reload is kept, and one whose answer was
# lost is saved once; 退回 opens the form again.
# Screenshots in BUILD/test-artifacts/TEST/.  Only 127.0.0.1 is contacted.
. tests/interop/serve_lib.sh
. tests/interop/browse_lib.sh

fill_script() {
    cat <<'PY'
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support import expected_conditions as EC
def until(fn, t=30):
    # The form is drawn again after 提交 and a reload: an element read
    # while that happens is stale, and is looked up again.
    return WebDriverWait(d, t, ignored_exceptions=[StaleElementReferenceException]).until(fn)
def cp(i):
    return d.find_element(By.ID, "fillcp-" + i)
def click(e):
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
    e.click()
def press(i, v):
    click([b for b in cp(i).find_elements(By.CSS_SELECTOR, ".fill-ctl button") if b.text == v][0])
def typ(i, v):
    e = cp(i).find_element(By.CSS_SELECTOR, ".fill-ctl input")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
    e.clear()
    e.send_keys(v)
def saved():
    until(lambda d: d.find_element(By.ID, "fillsaved").text.startswith("已保存"))
def on(i):
    return [b.text for b in cp(i).find_elements(By.CSS_SELECTOR, ".fill-ctl button.on")]
def form():
    until(lambda d: d.find_elements(By.ID, "fillcp-1.1"))
d.get(url)
until(lambda d: d.find_elements(By.ID, "fillunit"))
Select(d.find_element(By.ID, "fillunit")).select_by_visible_text("两江镇（乡镇）— 未填报")
form()
shot("1-empty")
assert d.find_element(By.ID, "fillstate").text == "未填报"
# Nothing of the form is wider than the window (a phone scrolls down only).
wide = d.execute_script("var s = document.getElementById('fill'); return [s.scrollWidth, s.clientWidth];")
assert wide[0] <= wide[1] + 1, wide
assert "考评分" not in d.find_element(By.ID, "fillscore").text
# Part of it: 有, 无 with a remark, a count.
press("1.1", "有")
press("1.2", "无")
typ("3.1", "1")
r = cp("1.2").find_element(By.CSS_SELECTOR, ".fill-remark-input")
r.send_keys("领导机构文件未找到")
saved()
until(lambda d: d.find_element(By.ID, "fillstate").text == "填报中")
partial = d.find_element(By.ID, "filltotal").text
assert partial not in ("", "—"), partial
shot("2-part")
# Reloaded: the draft is there (the unit chosen again by itself).
d.refresh()
form()
assert on("1.1") == ["有"] and on("1.2") == ["无"], (on("1.1"), on("1.2"))
assert cp("3.1").find_element(By.CSS_SELECTOR, ".fill-ctl input").get_attribute("value") == "1"
assert cp("1.2").find_element(By.CSS_SELECTOR, ".fill-remark-input").get_attribute("value") == "领导机构文件未找到"
assert d.find_element(By.ID, "filltotal").text == partial
shot("3-reloaded")
# An answer given just before the tab goes (no time for the autosave's
# pause): sent as the page is left, there after the reload.
press("1.5", "有")
d.refresh()
form()
assert on("1.5") == ["有"], on("1.5")
# A save whose answer is lost on the way back (the server saved it): the
# page tries again, finds its own change, and is no conflict.
d.execute_script("""
var open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.open = function (m, u) { this.kUrl = u; return open.apply(this, arguments); };
XMLHttpRequest.prototype.send = function () {
  if (this.kUrl === "/api/fill/save" && !window.kDropped) {
    window.kDropped = true;
    var x = this;
    x.onload = function () { x.onerror(); };
  }
  return send.apply(this, arguments);
};""")
press("1.6", "有")
until(lambda d: d.find_element(By.ID, "fillsaved").text.startswith("保存失败"))
saved()
assert not d.find_elements(By.CSS_SELECTOR, ".fill-conflict")
assert d.execute_script("return window.kDropped") is True
d.refresh()
form()
assert on("1.6") == ["有"], on("1.6")
# A second tab saves; the first, now stale, is refused and says so.
first = d.current_window_handle
d.switch_to.new_window("tab")
d.get(url)
form()
press("1.3", "有")
saved()
shot("4-second-tab")
d.switch_to.window(first)
press("1.4", "有")
until(lambda d: d.find_elements(By.CSS_SELECTOR, ".fill-conflict"))
box = d.find_element(By.CSS_SELECTOR, ".fill-conflict").text
assert "内容已在别处修改" in box and "1.4" in box, box
shot("5-conflict")
click(d.find_element(By.ID, "fillreload"))
form()
assert on("1.3") == ["有"] and on("1.4") == [], (on("1.3"), on("1.4"))
# Every answer: 有 (1.2 stays 无), counts 2 (3.1 stays 1), occurrences 0.
for box in d.find_elements(By.CSS_SELECTOR, ".fill-cp"):
    i = box.get_attribute("id")[len("fillcp-"):]
    btns = box.find_elements(By.CSS_SELECTOR, ".fill-ctl button")
    if btns:
        if i != "1.2" and not on(i):
            press(i, "有")
    else:
        e = box.find_element(By.CSS_SELECTOR, ".fill-ctl input")
        if not e.get_attribute("value"):
            typ(i, "2" if e.get_attribute("placeholder").startswith("应不少于") else "0")
saved()
until(lambda d: "未填" not in d.find_element(By.ID, "fillscore").text)
total = d.find_element(By.ID, "filltotal").text
open(T + "/online.txt", "w").write(total)
shot("6-complete")
click(d.find_element(By.ID, "fillsubmit"))
until(EC.alert_is_present())
d.switch_to.alert.accept()
until(lambda d: d.find_element(By.ID, "fillstate").text == "已提交")
assert all(not b.is_enabled() for b in cp("1.1").find_elements(By.CSS_SELECTOR, "button"))
assert not cp("3.1").find_element(By.CSS_SELECTOR, ".fill-ctl input").is_enabled()
assert not d.find_element(By.ID, "fillsubmit").is_enabled()
shot("7-submitted")
click(d.find_element(By.ID, "filldownload"))
wait_file("两江镇-检查表.xlsx")
# The admin returns it with a reason: the unit sees it and may change again.
d.find_element(By.ID, "fillreason").send_keys("1.2 请补充领导机构文件")
click(d.find_element(By.ID, "fillreturn"))
until(lambda d: d.find_element(By.ID, "fillstate").text == "填报中")
assert "已退回修改：1.2 请补充领导机构文件" in d.find_element(By.ID, "fillbody").text
assert cp("3.1").find_element(By.CSS_SELECTOR, ".fill-ctl input").is_enabled()
shot("8-returned")
PY
}

# Run the form in a browser of SIZE; check the score against the CLI's.
# The screenshots go to test-artifacts/NAME.
fill_in_browser() {
    start_server --workspace "$T/ws"
    code=$(post api/rank "$T/r.json" -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || fail "roster: $code $(head -c 300 "$T/r.json")"
    fill_script | browse || fail "the browser steps failed"
    art="$(dirname "$KAOHE")/test-artifacts"
    rm -rf "${art:?}/$1" && mv "$art/fill_in_browser" "$art/$1"
    online=$(cat "$T/online.txt")
    expect_exit 0 "$KAOHE" score "$T/dl/两江镇-检查表.xlsx" -o - --format json
    "$PY" - "$T/out" "$online" <<'PY'
import json, sys
units = json.load(open(sys.argv[1]))['units']
assert len(units) == 1 and units[0]['unit'] == '两江镇', units
assert units[0]['total'] == sys.argv[2], (units[0]['total'], sys.argv[2])
PY
    # The submitted checklist is the workspace's record of the unit.
    code=$(curl -s -o "$T/ws.json" -w '%{http_code}' "${URL}api/download?what=json")
    [ "$code" = 200 ] || fail "download json: $code"
    "$PY" - "$T/ws.json" "$online" <<'PY'
import json, sys
u = [u for u in json.load(open(sys.argv[1]))['units'] if u['unit'] == '两江镇']
assert len(u) == 1 and u[0]['total'] == sys.argv[2], u
PY
    stop_server
}

test_fill_browser_phone() {
    SIZE=390,844 fill_in_browser test_fill_browser_phone
}

test_fill_browser_desktop() {
    SIZE=1366,768 fill_in_browser test_fill_browser_desktop
}
