# 佐证材料 in a real browser (headless Chromium, tests/interop/browse_lib.sh):
# evidenceWidget(unit, rubric, cp, readOnly) as the 填报 form places it,
# on a phone (390 × 844) and a desktop (1366 × 768): two photos and a PDF
# attached, shown as thumbnails, kept across a reload; an SVG named .png
# refused with no script run (stored XSS); a photo opened on its own is a
# sandboxed document (no script, no origin); one removed.  Screenshots in
# BUILD/test-artifacts/TEST/.
. tests/interop/serve_lib.sh
. tests/interop/browse_lib.sh
. tests/interop/evidence_lib.sh

test_evidence_in_a_browser() {
    mkdir -p "$T/in"
    make_evidence "$T/in"
    start_server --workspace "$T/ws"
    SIZE=390,844 browse "$T/in/会议照片.jpg" "$T/in/签到单.png" "$T/in/方案.pdf" "$T/in/evil.png" <<'PY'
from selenium.common.exceptions import NoAlertPresentException
photo, png, pdf, evil = args
def place(ro=False):
    d.execute_script("""
      var old = document.getElementById('ev-test'); if (old) old.remove();
      var w = evidenceWidget('两江镇', 'lingui-2020-township', '1.1', arguments[0]);
      w.id = 'ev-test'; document.getElementById('app').prepend(w);
      w.querySelectorAll('input[type=file]').forEach(function (i) { i.style.display = 'block'; });
    """, ro)
def items():
    return d.find_elements(By.CSS_SELECTOR, "#ev-test .ev-item")
def thumbs_loaded():
    return d.execute_script("return Array.prototype.filter.call(document.querySelectorAll('#ev-test img.ev-thumb'),"
                            " function (i) { return i.complete && i.naturalWidth > 0; }).length")
def no_alert():
    try:
        d.switch_to.alert
        raise AssertionError("an alert opened: a script ran")
    except NoAlertPresentException:
        pass
d.get(url)
WebDriverWait(d, 20).until(lambda d: d.execute_script("return !!(window.state && window.evidenceWidget)"))
place()
WebDriverWait(d, 20).until(lambda d: "尚未上传" in d.find_element(By.ID, "ev-test").text)
inputs = d.find_elements(By.CSS_SELECTOR, "#ev-test input[type=file]")
assert inputs[0].get_attribute("multiple") == "true", "the file input takes several files"
assert inputs[1].get_attribute("capture") == "environment" and inputs[1].get_attribute("accept") == "image/*"
inputs[0].send_keys("\n".join([photo, png, pdf]))
WebDriverWait(d, 30).until(lambda d: len(items()) == 3)
WebDriverWait(d, 30).until(lambda d: thumbs_loaded() == 2)
names = [i.text for i in d.find_elements(By.CSS_SELECTOR, "#ev-test .ev-name")]
assert [n.split("（")[0] for n in names] == ["会议照片.jpg", "签到单.png", "方案.pdf"], names
assert d.execute_script("return document.querySelector('#ev-test img.ev-thumb').src").startswith("blob:")
shot("1-phone-attached")
# An SVG named .png: refused, said why, nothing run.
d.find_elements(By.CSS_SELECTOR, "#ev-test input[type=file]")[0].send_keys(evil)
WebDriverWait(d, 30).until(lambda d: "不能作为佐证材料" in d.find_element(By.CSS_SELECTOR, "#ev-test .ev-msg").text)
no_alert()
assert len(items()) == 3
shot("2-phone-refused")
# Kept across a reload.
d.get(url)
WebDriverWait(d, 20).until(lambda d: d.execute_script("return !!(window.state && window.evidenceWidget)"))
place()
WebDriverWait(d, 30).until(lambda d: len(items()) == 3 and thumbs_loaded() == 2)
ids = [i.get_attribute("data-id") for i in items()]
# Read-only: no buttons to add or remove.
place(True)
WebDriverWait(d, 30).until(lambda d: len(items()) == 3)
assert not d.find_elements(By.CSS_SELECTOR, "#ev-test .ev-remove")
assert not d.find_element(By.CSS_SELECTOR, "#ev-test .ev-tools").is_displayed()
assert all(not b.is_enabled() for b in d.find_elements(By.CSS_SELECTOR, "#ev-test button")), "a button left enabled"
place()
WebDriverWait(d, 30).until(lambda d: len(items()) == 3)
# The PDF opens in a tab of its own, from the server, sandboxed.
main = d.current_window_handle
items()[2].find_element(By.CSS_SELECTOR, "a.ev-open").click()
WebDriverWait(d, 10).until(lambda d: len(d.window_handles) == 2)
d.switch_to.window([h for h in d.window_handles if h != main][0])
WebDriverWait(d, 10).until(lambda d: "inline=1" in d.current_url)
assert d.current_url.endswith("/api/evidence/file?id=%s&inline=1" % ids[2]), d.current_url
assert d.execute_script("return document.contentType") == "application/pdf"
time.sleep(1)
shot("3-pdf-viewer")
d.close()
d.switch_to.window(main)
# A photo opened on its own: a sandboxed document, an opaque origin.
d.get(url.split("?")[0] + "api/evidence/file?id=%s&inline=1" % ids[1])
assert d.execute_script("return self.origin") == "null", "the evidence was not sandboxed"
assert d.execute_script("return document.contentType") == "image/png"
no_alert()
d.get(url)
WebDriverWait(d, 20).until(lambda d: d.execute_script("return !!(window.state && window.evidenceWidget)"))
place()
WebDriverWait(d, 30).until(lambda d: len(items()) == 3)
# Removing the PNG (after the confirmation).
items()[1].find_element(By.CSS_SELECTOR, ".ev-remove").click()
d.switch_to.alert.accept()
WebDriverWait(d, 30).until(lambda d: len(items()) == 2)
assert [i.get_attribute("data-id") for i in items()] == [ids[0], ids[2]]
shot("4-phone-removed")
# The desktop.
d.set_window_size(1366, 768)
d.get(url)
WebDriverWait(d, 20).until(lambda d: d.execute_script("return !!(window.state && window.evidenceWidget)"))
place()
WebDriverWait(d, 30).until(lambda d: len(items()) == 2 and thumbs_loaded() == 1)
shot("5-desktop")
PY
    stop_server
    sqlite3 "$T/ws/journal.sqlite" "SELECT action || ' ' || name FROM evidence_log ORDER BY id" >"$T/log"
    printf '添加 会议照片.jpg\n添加 签到单.png\n添加 方案.pdf\n删除 签到单.png\n' | cmp - "$T/log" ||
        fail "journal: $(cat "$T/log")"
}

# In the 填报 form (src/page/fill.js places a widget under each check
# point): 两江镇's 填报员 logs in on a phone, attaches two photos and a PDF
# to 1.1 and sees them; the desktop shows the same.
test_evidence_in_the_fill_form() {
    mkdir -p "$T/in"
    make_evidence "$T/in"
    users_with_roles "$T/users.txt"
    start_server --workspace "$T/ws" --users "$T/users.txt"
    curl -s -o /dev/null -c "$T/jar" -F name=科长 -F 'password=mima-2020!' "${URL}api/login"
    code=$(curl -s -o "$T/r.json" -w '%{http_code}' -b "$T/jar" \
        -F "roster=@samples/名单/单位名单.csv" -F kind= "${URL}api/rank")
    [ "$code" = 200 ] || fail "roster: $code $(head -c 300 "$T/r.json")"
    SIZE=390,844 browse "$T/in/会议照片.jpg" "$T/in/签到单.png" "$T/in/方案.pdf" <<'PY'
d.get(url)
d.find_element(By.ID, "lname").send_keys("两江填报")
d.find_element(By.ID, "lpass").send_keys("mima-2020!\n")
cp = WebDriverWait(d, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[id='fillcp-1.1'] .evidence"))[0]
WebDriverWait(d, 30).until(lambda d: "尚未上传" in cp.text)
d.execute_script("arguments[0].scrollIntoView(); arguments[0].querySelectorAll('input[type=file]')"
                 ".forEach(function (i) { i.style.display = 'block'; })", cp)
cp.find_elements(By.CSS_SELECTOR, "input[type=file]")[0].send_keys("\n".join(args))
items = lambda: cp.find_elements(By.CSS_SELECTOR, ".ev-item")
WebDriverWait(d, 30).until(lambda d: len(items()) == 3)
WebDriverWait(d, 30).until(lambda d: d.execute_script(
    "return Array.prototype.filter.call(arguments[0].querySelectorAll('img.ev-thumb'),"
    " function (i) { return i.complete && i.naturalWidth > 0; }).length", cp) == 2)
# Only 1.1 has them.
other = d.find_element(By.CSS_SELECTOR, "[id='fillcp-1.2'] .evidence")
assert not other.find_elements(By.CSS_SELECTOR, ".ev-item"), other.text
d.execute_script("arguments[0].scrollIntoView({block: 'center'})", cp)
shot("1-phone-form")
d.set_window_size(1366, 768)
d.execute_script("arguments[0].scrollIntoView({block: 'center'})", cp)
shot("2-desktop-form")
PY
    stop_server
    sqlite3 "$T/ws/journal.sqlite" "SELECT cp || ' ' || user || ' ' || name FROM evidence ORDER BY id" >"$T/rows"
    printf '1.1 两江填报 会议照片.jpg\n1.1 两江填报 签到单.png\n1.1 两江填报 方案.pdf\n' | cmp - "$T/rows" ||
        fail "rows: $(cat "$T/rows")"
}
