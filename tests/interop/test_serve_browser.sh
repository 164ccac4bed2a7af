# kaohe serve in a real browser (headless Chromium through Selenium): files
# chosen in the file input, the ranking table read, a scoresheet opened,
# the ranking and blank checklists downloaded under their Chinese names and
# checked against `kaohe rank`; with a workspace and an account: the login,
# a replacement with its reason, the change history.  A unit whose name is
# HTML stays text.  Screenshots of each step are kept as test artefacts
# in BUILD/test-artifacts/TEST/ (not in git) to be looked at.  Only
# 127.0.0.1 is ever contacted.
. tests/interop/serve_lib.sh

# browse SCRIPT ARGS... : run the Python SCRIPT (standard input) with a
# Chromium driver d, downloads into $T/dl.
browse() {
    mkdir -p "$T/shots" "$T/dl"
    { cat <<'PY'
import os, sys, time
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
url, T, args = sys.argv[1], sys.argv[2], sys.argv[3:]
o = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000", "--lang=zh-CN"):
    o.add_argument(a)
# BROWSE_RESOLVE="NAME": NAME resolves to 127.0.0.1 (a DNS rebinding).
if os.environ.get("BROWSE_RESOLVE"):
    o.add_argument("--host-resolver-rules=MAP %s 127.0.0.1" % os.environ["BROWSE_RESOLVE"])
o.add_experimental_option("prefs", {"download.default_directory": T + "/dl",
                                    "download.prompt_for_download": False})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": T + "/dl"})
def shot(name):
    d.save_screenshot(T + "/shots/" + name + ".png")
def wait_file(name, timeout=30):
    p = T + "/dl/" + name
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(p) and not os.path.exists(p + ".crdownload"):
            return p
        time.sleep(0.2)
    raise AssertionError("no download %s: %s" % (name, os.listdir(T + "/dl")))
def table_rows():
    # The page redraws the tables when an answer comes: a row read during
    # a redraw is stale, and is read again.
    for _ in range(50):
        try:
            rows = [[c.text for c in r.find_elements(By.TAG_NAME, "td")]
                    for r in d.find_elements(By.CSS_SELECTOR, "table.ranking tr")]
            return {r[1]: r for r in rows if r}
        except StaleElementReferenceException:
            time.sleep(0.2)
    raise AssertionError("the ranking table kept changing")
try:
PY
      sed 's/^/    /'
      printf 'finally:\n    d.quit()\n'; } >"$T/browse.py"
    rc=0
    "$PY" "$T/browse.py" "$TOKEN_URL" "$T" "$@" || rc=$?
    art="$(dirname "$KAOHE")/test-artifacts/${FUNCNAME[1]}"
    rm -rf "$art" && mkdir -p "$art" && cp "$T"/shots/*.png "$art/" 2>/dev/null || true
    return $rc
}

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
assert units['临桂镇'][0] == '1' and units['临桂镇'][-3] == '38.9', units['临桂镇']
assert units['两江镇'][-3] == '36.8', units['两江镇']
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
assert table_rows()['两江镇'][-3] == '36.8'
shot("2-refused")
d.find_element(By.ID, "files").send_keys(args[2])
d.find_element(By.CSS_SELECTOR, "#kind option[value='申诉']").click()
d.find_element(By.ID, "reason").send_keys("经申诉，第1项按原表计")
d.find_element(By.ID, "go").click()
WebDriverWait(d, 60).until(lambda d: table_rows().get('两江镇', [''])[-3] == '36.3')
hist = d.find_element(By.ID, "hist").text
assert '申诉' in hist and '经申诉，第1项按原表计' in hist and '36.8 → 36.3' in hist and '科长' in hist, hist
shot("3-history")
# After a reload the workspace's ranking is shown again.
d.get(url)
WebDriverWait(d, 60).until(lambda d: '两江镇' in table_rows())
assert table_rows()['两江镇'][-3] == '36.3'
d.find_element(By.ID, "dl-ranking").click()
wait_file("考核排名.xlsx")
PY
    "$PY" - "$T" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1] + '/dl/考核排名.xlsx')
rows = [[c.value for c in r] for r in wb['更正记录'].iter_rows(min_row=3)]
assert rows[0][1:6] == ['科长', '两江镇', '申诉', '经申诉，第1项按原表计', '36.8 → 36.3'], rows
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
