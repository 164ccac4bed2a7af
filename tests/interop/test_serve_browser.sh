# kaohe serve in a real browser (headless Chromium through Selenium): files
# chosen in the file input, the ranking table read, a scoresheet opened,
# the ranking and blank checklists downloaded under their Chinese names and
# checked against `kaohe rank`; with a workspace and an account: the login,
# a replacement with its reason, the change history.  A unit whose name is
# HTML stays text.  Screenshots of each step are kept as test artefacts
# in BUILD/test-artifacts/TEST/ (not in git) to be looked at.  Only
# 127.0.0.1 is ever contacted.
. tests/interop/serve_lib.sh
. tests/interop/browse_lib.sh

test_serve_in_a_browser() {
    mkdir -p "$T/in"
    cp samples/两江镇.csv samples/临桂镇.csv samples/区教育局.csv "$T/in/"
    sed 's/^被考核单位,会仙镇/被考核单位,<img src=x onerror=alert(1)>/' samples/会仙镇.csv >"$T/in/会仙镇.csv"
    grep -q '<img src=x' "$T/in/会仙镇.csv" || fail "the HTML unit name was not made"
    start_server
    browse "$T"/in/*.csv <<'PY'
d.get(url)
shot("1-page")
assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
d.find_element(By.ID, "files").send_keys("\n".join(args))
d.find_element(By.ID, "go").click()
WebDriverWait(d, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.ranking"))
shot("2-results")
units = table_rows()
assert units['临桂镇'][0] == '1' and units['临桂镇'][2] == '38.9', units['临桂镇']
assert units['两江镇'][2] == '36.8', units['两江镇']
# The HTML in a unit name is text: the cell says it, no image exists.
assert '<img src=x onerror=alert(1)>' in units, list(units)
assert not d.find_elements(By.CSS_SELECTOR, "main img"), 'a unit name became HTML'
# A unit's scoresheet.
[r for r in d.find_elements(By.CSS_SELECTOR, "table.ranking tr") if '两江镇' in r.text][0].click()
sheet = d.find_element(By.ID, "sheet")
assert '两江镇 考核评分表' in sheet.text and '合计' in sheet.text, sheet.text
shot("3-scoresheet")
# Downloads, named by the server (filename*).
d.find_element(By.ID, "dl-ranking").click()
wait_file("考核排名.xlsx")
d.find_element(By.ID, "units").send_keys("两江镇\n临桂镇\n")
d.find_element(By.ID, "blank").click()
wait_file("空白检查表.zip")
shot("4-downloads")
PY
    expect_exit 0 "$KAOHE" rank "$T"/in/*.csv -o "$T/cli.xlsx"
    "$PY" - "$T" <<'PY'
import sys, zipfile, openpyxl
T = sys.argv[1]
strip = lambda v: v.split('/')[-1] if isinstance(v, str) else v
rows = lambda p: [[strip(c.value) for c in r] for r in openpyxl.load_workbook(p)['乡镇'].iter_rows(min_row=3, max_row=8)]
assert rows(T + '/dl/考核排名.xlsx') == rows(T + '/cli.xlsx')
assert sorted(zipfile.ZipFile(T + '/dl/空白检查表.zip').namelist()) == ['两江镇.xlsx', '临桂镇.xlsx']
PY
    [ -z "$(ls -A "$T/tmp")" ] || fail "files left in TMPDIR: $(ls "$T/tmp")"
    stop_server
}

test_serve_workspace_in_a_browser() {
    printf 'mima-2020!\n' | "$KAOHE" serve --add-user 科长 --workspace "$T/ws" >/dev/null ||
        fail "add-user"
    mkdir -p "$T/v2"
    "$PY" - "$T/v2/两江镇.csv" <<'PY'
import sys
s = open('samples/两江镇.csv', encoding='utf-8-sig').read()
i = s.index(',有')
open(sys.argv[1], 'w', encoding='utf-8').write(s[:i] + ',无' + s[i + 2:])
PY
    start_server --workspace "$T/ws"
    browse "$TOP/samples/两江镇.csv" "$TOP/samples/临桂镇.csv" "$T/v2/两江镇.csv" <<'PY'
d.get(url)
WebDriverWait(d, 20).until(lambda d: d.find_element(By.ID, "login").is_displayed())
shot("1-login")
d.find_element(By.ID, "lname").send_keys("科长")
d.find_element(By.ID, "lpass").send_keys("wrong-password")
d.find_element(By.CSS_SELECTOR, "#loginform button").click()
WebDriverWait(d, 20).until(lambda d: '用户名或密码不对' in d.find_element(By.ID, "lmsg").text)
d.find_element(By.ID, "lpass").clear()
d.find_element(By.ID, "lpass").send_keys("mima-2020!")
d.find_element(By.CSS_SELECTOR, "#loginform button").click()
WebDriverWait(d, 20).until(lambda d: d.find_element(By.ID, "app").is_displayed())
assert '科长' in d.find_element(By.ID, "who").text
d.find_element(By.ID, "files").send_keys("\n".join(args[:2]))
d.find_element(By.ID, "go").click()
WebDriverWait(d, 60).until(lambda d: '两江镇' in table_rows())
# The changed checklist: refused without a reason, taken with one.
d.find_element(By.ID, "files").send_keys(args[2])
d.find_element(By.ID, "go").click()
WebDriverWait(d, 60).until(lambda d: '未替换原检查表' in d.find_element(By.ID, "out").text)
assert table_rows()['两江镇'][2] == '36.8'
shot("2-refused")
d.find_element(By.ID, "files").send_keys(args[2])
d.find_element(By.CSS_SELECTOR, "#kind option[value='申诉']").click()
d.find_element(By.ID, "reason").send_keys("经申诉，第1项按原表计")
d.find_element(By.ID, "go").click()
WebDriverWait(d, 60).until(lambda d: table_rows().get('两江镇', ['', '', ''])[2] == '36.3')
hist = d.find_element(By.ID, "hist").text
assert '申诉' in hist and '经申诉，第1项按原表计' in hist and '36.8 → 36.3' in hist and '科长' in hist, hist
shot("3-history")
# After a reload the workspace's ranking is shown again.
d.get(url)
WebDriverWait(d, 60).until(lambda d: '两江镇' in table_rows())
assert table_rows()['两江镇'][2] == '36.3'
d.find_element(By.ID, "dl-ranking").click()
wait_file("考核排名.xlsx")
PY
    "$PY" - "$T" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1] + '/dl/考核排名.xlsx')
rows = [[c.value for c in r] for r in wb['更正记录'].iter_rows(min_row=4)]
assert rows[0][1:6] == ['科长', '两江镇', '申诉', '经申诉，第1项按原表计', '36.8 → 36.3'], rows
PY
    stop_server
}

# Does this build's library give the third state (JSON "failed")?
library_knows_failed() {
    "$KAOHE" rank "$TOP/samples/临桂镇.csv" --roster "$TOP/samples/名单/单位名单.csv" \
        -o "$T/probe.xlsx" --json "$T/probe.json" >/dev/null 2>&1 || true
    grep -q '"failed"' "$T/probe.json" 2>/dev/null
}

# The page on an office's 1366 x 768 screen, with a workspace: before
# anything is scored it says so (no 评分完成, downloads inactive); the
# totals, 结果 and 等次 of a 17-item ranking are in view without scrolling
# sideways, a vetoed row's 一票否决 too; the roster's units in their
# states; a file that did not pass stays listed after a reload and the
# next upload; 等次 set on the page show in the ranking; rubrics are named
# in Chinese, never by id.
test_serve_page_at_1366() {
    mkdir -p "$T/in"
    "$PY" - "$T/in/六塘镇.csv" <<'PY'
import sys
s = open('samples/六塘镇.csv', encoding='gb18030').read()  # as Excel saves it
i = s.index(',有')
open(sys.argv[1], 'w', encoding='utf-8').write(s[:i] + ',也许' + s[i + 2:])
PY
    library_knows_failed && knows=1 || knows=0
    start_server --workspace "$T/ws"
    SIZE=1366,768 browse "$knows" "$TOP/samples/名单/单位名单.csv" "$T/in/六塘镇.csv" \
        "$TOP/samples/两江镇.csv" "$TOP/samples/五通镇.csv" "$TOP/samples/临桂镇.csv" \
        "$TOP/samples/会仙镇.csv" "$TOP/samples/区教育局.csv" <<'PY'
knows, roster, broken, good, edu = args[0] == '1', args[1], args[2], args[3:7], args[7]
d.get(url)
assert d.execute_script("return window.innerWidth") <= 1366
status = lambda: d.find_element(By.ID, "status").text
WebDriverWait(d, 30).until(lambda d: status() != "" and "正在" not in status())
d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "go"))
shot("1-nothing-scored")
assert '还没有计分的检查表' in d.find_element(By.ID, "summary").text
assert status() == "还没有计分的检查表", status()
assert "评分完成" not in d.find_element(By.TAG_NAME, "body").text
buttons = d.find_elements(By.CSS_SELECTOR, "#downloads button")
assert len(buttons) == 4 and all(not b.is_enabled() for b in buttons), [b.is_enabled() for b in buttons]
# Each rubric once, by its Chinese name, the township's first; no ids.
opts = [o.text for o in d.find_elements(By.CSS_SELECTOR, "#blankrubric option")]
assert opts == ["临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（乡镇）",
                "临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（区直单位部门）"], opts
assert "lingui-" not in d.find_element(By.TAG_NAME, "body").text
# The roster, one checklist that does not pass and five that do.
d.find_element(By.ID, "rosterfile").send_keys(roster)
d.find_element(By.ID, "files").send_keys("\n".join([broken] + good))
d.find_element(By.ID, "go").click()
WebDriverWait(d, 60).until(lambda d: '五通镇' in table_rows())
assert status() == "评分完成", status()
assert all(b.is_enabled() for b in d.find_elements(By.CSS_SELECTOR, "#downloads button"))
def in_view(e):
    r = d.execute_script("var r = arguments[0].getBoundingClientRect();"
                         "return [r.left, r.right, window.innerWidth];", e)
    return r[0] >= 0 and r[1] <= r[2], r
def check_columns():
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), \
        "the page scrolls sideways"
    heads = d.find_elements(By.CSS_SELECTOR, "table.ranking th")
    for name in ("名次", "被考核单位", "合计得分", "结果", "等次"):
        th = [h for h in heads if h.text == name][0]
        ok, r = in_view(th)
        assert ok, (name, r)
    row = [r for r in d.find_elements(By.CSS_SELECTOR, "table.ranking tr") if '五通镇' in r.text][0]
    cell = row.find_elements(By.TAG_NAME, "td")[3]
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
    ok, r = in_view(cell)
    assert cell.text == "一票否决" and ok, (cell.text, r)
check_columns()
shot("2-ranking")
units = table_rows()
assert units['两江镇'][2:5] == ['36.8', '正常', ''], units['两江镇']
assert units['五通镇'][2:4] == ['34', '一票否决'], units['五通镇']
# The roster's units: scored above, the one that failed, the ones not sent.
missing = d.find_element(By.ID, "missingunits").text.split("\n")
assert missing[0].startswith('乡镇（') and '四塘镇' in missing[0], missing
assert missing[1].startswith('区直单位部门（8个）：区应急管理局、区教育局、'), missing
if knows:
    failed = [r.text for r in d.find_elements(By.CSS_SELECTOR, "#failedunits tr")][1:]
    assert len(failed) == 1 and failed[0].startswith('六塘镇 乡镇 已提交未通过，未计入排名 六塘镇.csv') \
        and '“也许”' in failed[0], failed
    assert missing[0] == '乡镇（1个）：四塘镇', missing
else:
    print('      note: this build of the library gives no "failed" list yet (office branch)')
def failed_files():
    return d.find_element(By.ID, "failedfiles").text
assert '六塘镇.csv' in failed_files() and '未计入排名' in failed_files() and '“也许”' in failed_files(), failed_files()
d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "missingunits"))
shot("3-failed")
assert "lingui-" not in d.find_element(By.TAG_NAME, "body").text
# After a reload, and after the next upload, it is still listed.
d.get(url)
WebDriverWait(d, 60).until(lambda d: '五通镇' in table_rows())
assert '六塘镇.csv' in failed_files() and '“也许”' in failed_files(), failed_files()
d.find_element(By.ID, "files").send_keys(edu)
d.find_element(By.ID, "go").click()
WebDriverWait(d, 60).until(lambda d: '区教育局' in table_rows())
assert '六塘镇.csv' in failed_files() and '“也许”' in failed_files(), failed_files()
# 等次 set on the page: a mistake refused in the command line's words,
# then the bands in the ranking.
from selenium.webdriver.support.ui import Select
d.execute_script("document.getElementById('settings').open = true")
Select(d.find_element(By.ID, "graderubric")).select_by_value("lingui-2020-township")
d.find_element(By.ID, "grades").send_keys("优秀>=50;差")
d.find_element(By.ID, "savegrades").click()
WebDriverWait(d, 20).until(lambda d: d.find_element(By.ID, "gradesmsg").text)
assert '高于考核细则的总分' in d.find_element(By.ID, "gradesmsg").text, d.find_element(By.ID, "gradesmsg").text
d.find_element(By.ID, "grades").clear()
d.find_element(By.ID, "grades").send_keys("优秀>=38;良好>=36;合格")
d.find_element(By.ID, "savegrades").click()
WebDriverWait(d, 60).until(lambda d: table_rows().get('两江镇', [''] * 5)[4] == '良好')
units = table_rows()
assert (units['会仙镇'][4], units['临桂镇'][4], units['五通镇'][4]) == ('优秀', '优秀', '合格'), units
check_columns()
shot("4-grades")
# 制表单位, kept for the downloads.
d.find_element(By.ID, "issuer").send_keys("临桂区安全生产委员会办公室")
d.find_element(By.ID, "saveissuer").click()
WebDriverWait(d, 20).until(lambda d: d.find_element(By.ID, "issuermsg").text == "已保存")
# Started by the desktop starter (state.desktop): a 停止 button and the
# log; files the workspace misses (state.missing_files) are listed.
d.execute_script("state.desktop = {log: '/home/科员/kaohe.log'};"
                 "state.missing_files = ['两江镇.csv']; layout();")
assert d.find_element(By.ID, "stop").is_displayed()
assert '日志：/home/科员/kaohe.log' in d.find_element(By.ID, "desk").text
assert '两江镇.csv' in d.find_element(By.ID, "missingfiles").text
d.execute_script("window.scrollTo(0, 0)")
shot("5-desktop")
# The page's three states as the library gives them (JSON "failed", here
# put into the last answer): the unit that sent a file that did not
# pass is listed with its file and why, not as 未提交.
d.execute_script("""var doc = JSON.parse(JSON.stringify(lastDoc));
  doc.result.failed = [{unit: '六塘镇', rubric: 'lingui-2020-township', sources: ['六塘镇.csv']}];
  doc.result.missing = doc.result.missing.filter(function (m) { return m.unit !== '六塘镇'; });
  showResult(doc);""")
failed = [r.text for r in d.find_elements(By.CSS_SELECTOR, "#failedunits tr")]
assert failed[1].startswith('六塘镇 乡镇 已提交未通过，未计入排名 六塘镇.csv') and '“也许”' in failed[1], failed
assert d.find_element(By.ID, "missingunits").text.split("\n")[0] == '乡镇（1个）：四塘镇'
assert '已计分 5 个单位；已提交未通过 1 个，未提交 8 个' in d.find_element(By.ID, "summary").text, d.find_element(By.ID, "summary").text
d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "failedunits"))
shot("6-three-states")
PY
    stop_server
}

# DNS rebinding in a browser: a site's name made to resolve to 127.0.0.1
# reaches the server but is refused (421), with or without the secret;
# the URL printed (with the secret) gives an HttpOnly cookie the page's
# script cannot read, and its calls work; without it they are 403.
test_serve_browser_host_and_secret() {
    start_server
    port=${URL##*:}
    port=${port%/}
    BROWSE_RESOLVE=evil.example browse "$port" "$TOKEN" <<'PY'
port, token = args
fetch_status = "var cb = arguments[arguments.length - 1];" \
    "fetch('/api/state').then(r => cb(r.status)).catch(e => cb(String(e)));"
# First the page without the secret: its calls are refused.
d.get(url.split('?')[0])
assert d.execute_async_script(fetch_status) == 403
# The rebinding site: refused whatever it asks, the secret too.
for u in ("http://evil.example:%s/" % port, "http://evil.example:%s/?token=%s" % (port, token),
          "http://evil.example:%s/api/state" % port):
    d.get(u)
    body = d.find_element(By.TAG_NAME, "body").text
    assert 'Host 不符' in body, (u, body)
shot("1-rebinding-refused")
# The URL printed: cookie, redirect to /, the calls answered.
d.get(url)
WebDriverWait(d, 20).until(lambda d: d.current_url.rstrip('/').endswith(':' + port))
assert 'token' not in d.current_url, d.current_url
assert token not in d.execute_script("return document.cookie"), 'the script sees the secret'
assert d.execute_async_script(fetch_status) == 200
shot("2-with-the-secret")
PY
    stop_server
}

# The lockout in a browser: thirty wrong passwords sent at once by the
# page's origin are five verified at most; the login form then says to
# wait, even for the right password.
test_serve_browser_lockout() {
    printf 'mima-2020!\n' | "$KAOHE" serve --add-user 科长 --users "$T/users.txt" >/dev/null ||
        fail "add-user"
    start_server --users "$T/users.txt"
    browse <<'PY'
d.get(url)
WebDriverWait(d, 20).until(lambda d: d.find_element(By.ID, "login").is_displayed())
codes = d.execute_async_script("""
var cb = arguments[arguments.length - 1], all = [];
for (var i = 0; i < 30; i++) {
  var f = new FormData(); f.append('name', '科长'); f.append('password', 'wrong' + i);
  all.push(fetch('/api/login', {method: 'POST', body: f}).then(r => r.status));
}
Promise.all(all).then(cb);""")
assert codes.count(401) <= 5 and codes.count(401) + codes.count(429) == 30, codes
d.find_element(By.ID, "lname").send_keys("科长")
d.find_element(By.ID, "lpass").send_keys("mima-2020!")
d.find_element(By.CSS_SELECTOR, "#loginform button").click()
WebDriverWait(d, 20).until(lambda d: '登录失败次数过多' in d.find_element(By.ID, "lmsg").text)
assert not d.find_element(By.ID, "app").is_displayed()
shot("1-locked")
PY
    stop_server
}
