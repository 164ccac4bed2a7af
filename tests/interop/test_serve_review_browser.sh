# The 考评 in Chromium at 1366 × 768 (src/page/review.js): 两江镇's own
# 填报员 has submitted its 自评 with a photo on 1.6; the 考评员 logs in:
# the board with its counts and filters, the unit opened (the photo shown
# by evidence.js's widget), two answers changed with notes,
# the 考评分 from the server after each save, 考评完成; then the
# workspace's JSON and ranking with the 自评 and 考评 columns.  Screenshots
# in build/test-artifacts/test_serve_review_browser_*.
#
# Hand-computed (review_lib.sh): 两江镇's 自评 38; 1.6 and 1.7 changed to
# 无 by the inspector: 考评 37, 差 −1, each −0.5; item 1: 自评 3, 考评 2.

. "$TOP/tests/interop/serve_lib.sh"
. "$TOP/tests/interop/browse_lib.sh"
. "$TOP/tests/interop/review_lib.sh"
. "$TOP/tests/interop/evidence_lib.sh"

test_serve_review_browser_two_changes() {
    mkdir -p "$T/in"
    make_evidence "$T/in"
    users_with_roles "$T/users.txt"
    start_server --workspace "$T/ws" --users "$T/users.txt"
    for u in 科长 两江填报; do login "$u"; done
    PHOTO="$T/in/会议照片.jpg" submitted_self_by_filler || return 1
    SIZE=1366,768 browse <<'PY'
from selenium.webdriver.support.ui import Select
w = WebDriverWait(d, 60, ignored_exceptions=[StaleElementReferenceException])
def names():
    # The board's first column; read again when a redraw made a row stale.
    for _ in range(50):
        try:
            return [r.find_elements(By.TAG_NAME, "td")[0].text for r in d.find_elements(By.CSS_SELECTOR, "#rvrows tr")]
        except StaleElementReferenceException:
            time.sleep(0.2)
    raise AssertionError("the board kept changing")
def counts():
    for _ in range(50):
        try:
            return [b.text for b in d.find_elements(By.CSS_SELECTOR, "#rvcounts button")]
        except StaleElementReferenceException:
            time.sleep(0.2)
    raise AssertionError("the board kept changing")
d.get(url)
w.until(lambda d: d.find_element(By.ID, "lname").is_displayed())
d.find_element(By.ID, "lname").send_keys("考评员甲")
d.find_element(By.ID, "lpass").send_keys("mima-2020!\n")
try:
    w.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#rvrows tr"))
except Exception:
    shot("0-failed"); print(d.execute_script("return document.body.innerText.slice(0, 800)")); raise
c = counts()
assert c == ["全部 14", "未填报 13", "填报中 0", "已提交 1", "考评中 0", "已考评 0"], c
d.execute_script("document.getElementById('review').scrollIntoView()")
shot("1-board")
# The status filter and the search narrow the list.
d.find_element(By.CSS_SELECTOR, "#rvcounts button[data-state='已提交']").click()
assert names() == ["两江镇"], names()
d.find_element(By.CSS_SELECTOR, "#rvcounts button[data-state='']").click()
d.find_element(By.ID, "rvsearch").send_keys("临桂")
assert names() == ["临桂镇"], names()
d.find_element(By.ID, "rvsearch").clear()
d.find_element(By.ID, "rvsearch").send_keys("两江")
d.find_element(By.CSS_SELECTOR, "#rvrows button.rv-open").click()
w.until(lambda d: d.find_elements(By.ID, "rvtotal") and d.find_element(By.ID, "rvtotal").text == "38")
assert d.find_element(By.ID, "rvself").text == "38"
assert not d.find_elements(By.ID, "rvreturn")  # 退回 is the admin's
# The unit's photo on 1.6, through evidence.js's widget (read-only here).
w.until(lambda d: d.find_element(By.ID, "rvcp-1.6").find_elements(By.CSS_SELECTOR, "img"))
d.execute_script("arguments[0].scrollIntoView({block: 'center'})", d.find_element(By.ID, "rvcp-1.6"))
shot("2-unit")
for cp, note in (("1.6", "会议照片未见"), ("1.7", "签到单缺失")):
    row = d.find_element(By.ID, "rvcp-" + cp)
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
    Select(row.find_element(By.CSS_SELECTOR, "select.rv-choice")).select_by_visible_text("改为：无")
    row.find_element(By.CSS_SELECTOR, "input.rv-note").send_keys(note)
w.until(lambda d: d.find_element(By.ID, "rvtotal").text == "37" and "已保存" in d.find_element(By.ID, "rvsaved").text)
assert d.find_element(By.ID, "rvdiff").text == "-1", d.find_element(By.ID, "rvdiff").text
assert d.find_element(By.ID, "rvcd-1.6").text == "-0.5"
assert d.find_element(By.ID, "rvcr-1.7").text == "0.5" and d.find_element(By.ID, "rvcs-1.7").text == "0"
assert d.find_element(By.ID, "rvid-1").text == "-1"
assert d.find_element(By.ID, "rvir-1").text == "考评2" and d.find_element(By.ID, "rvis-1").text == "自评3"
assert d.find_element(By.ID, "rvstate").text == "考评中"
d.execute_script("arguments[0].scrollIntoView({block: 'center'})", d.find_element(By.ID, "rvcp-1.6"))
shot("3-two-changed")
# Reload: the inspector's answers and notes are kept.
d.get(url)
w.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#rvrows button.rv-open"))
d.find_element(By.CSS_SELECTOR, "#rvrows button.rv-open").click()
w.until(lambda d: d.find_elements(By.ID, "rvtotal") and d.find_element(By.ID, "rvtotal").text == "37")
row = d.find_element(By.ID, "rvcp-1.7")
assert Select(row.find_element(By.CSS_SELECTOR, "select.rv-choice")).first_selected_option.text == "改为：无"
assert row.find_element(By.CSS_SELECTOR, "input.rv-note").get_attribute("value") == "签到单缺失"
assert "rv-changed" in row.get_attribute("class")
d.find_element(By.ID, "rvdone").click()
w.until(lambda d: d.find_element(By.ID, "rvstate").text == "已考评")
assert not d.find_elements(By.ID, "rvdone")
assert d.find_element(By.ID, "rvcp-1.6").find_element(By.TAG_NAME, "select").get_attribute("disabled") is not None
w.until(lambda d: "已考评 1" in counts())
d.execute_script("window.scrollTo(0, 0); document.getElementById('rvunit').scrollIntoView()")
shot("4-done")
PY
    [ $? = 0 ] || return 1
    as 科长 "${URL}api/download?what=json" >/dev/null && cp "$T/as.out" "$T/ws.json"
    as 科长 "${URL}api/download?what=ranking" >/dev/null && cp "$T/as.out" "$T/ws.xlsx"
    "$PY" - "$T" <<'PY'
import json, sys, openpyxl
T = sys.argv[1]
u = {x['unit']: x for x in json.load(open(T + '/ws.json'))['units']}
s = u['两江镇']['self']
assert u['两江镇']['total'] == '37' and s['total'] == '38' and s['diff'] == '-1', (u['两江镇']['total'], s['total'])
assert {c['check']: c['diff'] for c in s['checks'] if c['diff'] != '0'} == {'1.6': '-0.5', '1.7': '-0.5'}
ws = openpyxl.load_workbook(T + '/ws.xlsx')['乡镇']
head = [c.value for c in ws[3]]
t = head.index('合计得分')
row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == '两江镇')
assert head[t + 1:t + 3] == ['自评得分', '差\n（考评−自评）'] and row[t + 1:t + 3] == (38, -1), (head, row)
PY
    stop_server
}

# The admin (科长) returns (退回) the submitted 自评 with a reason: the unit
# is 填报中 again, marked 已退回 on the board, and no longer reviewable.
test_serve_review_browser_admin_returns() {
    users_with_roles "$T/users.txt"
    start_server --workspace "$T/ws" --users "$T/users.txt"
    for u in 科长 两江填报; do login "$u"; done
    submitted_self_by_filler || return 1
    SIZE=1366,768 browse <<'PY'
w = WebDriverWait(d, 60, ignored_exceptions=[StaleElementReferenceException])
d.get(url)
w.until(lambda d: d.find_element(By.ID, "lname").is_displayed())
d.find_element(By.ID, "lname").send_keys("科长")
d.find_element(By.ID, "lpass").send_keys("mima-2020!\n")
w.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#rvrows button.rv-open"))
d.find_element(By.CSS_SELECTOR, "#rvrows button.rv-open").click()
w.until(lambda d: d.find_elements(By.ID, "rvreturn"))
d.find_element(By.ID, "rvreturn").click()
w.until(lambda d: "退回原因" in d.find_element(By.ID, "rvmsg").text)
d.find_element(By.ID, "rvreason").send_keys("1.6 照片请补充")
d.find_element(By.ID, "rvreturn").click()
w.until(lambda d: d.find_element(By.ID, "rvstate").text == "填报中")
assert not d.find_elements(By.ID, "rvdone")
w.until(lambda d: any("填报中（已退回）" in r.text for r in d.find_elements(By.CSS_SELECTOR, "#rvrows tr")))
d.execute_script("document.getElementById('review').scrollIntoView()")
shot("1-returned")
PY
    [ $? = 0 ] || return 1
    code=$(as 两江填报 "${URL}api/fill?unit=%E4%B8%A4%E6%B1%9F%E9%95%87&rubric=lingui-2020-township")
    [ "$code" = 200 ] && has_text "$T/as.out" '1.6 照片请补充' || fail "the unit does not see the reason: $code"
    stop_server
}
