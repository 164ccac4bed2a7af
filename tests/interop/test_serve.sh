# kaohe serve: the page on 127.0.0.1, the same ranking as `kaohe rank`,
# nothing kept, refusals in Chinese with 4xx, a real browser (headless
# Chromium through Selenium) uploading through the file input.  Only
# 127.0.0.1 is ever contacted.  Screenshots stay in $T (not in git).

# start_server : kaohe serve on a free port; sets URL and SPID.  The server
# is killed when the test ends, however it ends: a server left running would
# hold the files and folders of the test (and, in a chroot, its /dev).
start_server() {
    TMPDIR="$T/tmp" "$KAOHE" serve --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err" &
    SPID=$!
    trap 'kill -9 $SPID 2>/dev/null || true' EXIT
    mkdir -p "$T/tmp"
    for _ in $(seq 50); do
        URL=$(sed -n 's/.*\(http:\/\/127\.0\.0\.1:[0-9]*\/\).*/\1/p' "$T/serve.out")
        [ -n "$URL" ] && return 0
        sleep 0.1
    done
    fail "kaohe serve did not start: $(cat "$T/serve.err")"
}

stop_server() {
    kill -INT "$SPID" 2>/dev/null || true
    rc=0
    wait "$SPID" || rc=$?
    trap - EXIT
    [ "$rc" = 130 ] || fail "Ctrl-C ended kaohe serve with status $rc"
}

test_serve_ranks_like_the_command_line() {
    mkdir -p "$T/tmp"
    start_server
    code=$(curl -s -o "$T/page.html" -w '%{http_code}' "$URL")
    [ "$code" = 200 ] || fail "GET / gave $code"
    grep -q '<html lang="zh-CN">' "$T/page.html" || fail "the page is not lang=zh-CN"
    grep -q 'http' "$T/page.html" && grep -q '<script src=\|<link ' "$T/page.html" &&
        fail "the page fetches something"
    args=()
    for f in samples/*.csv; do args+=(-F "file=@$f"); done
    code=$(curl -s "${args[@]}" -F "file=@README.md" -o "$T/resp.json" -w '%{http_code}' "${URL}api/rank")
    [ "$code" = 200 ] || fail "POST /api/rank gave $code: $(head -c 300 "$T/resp.json")"
    expect_exit 0 "$KAOHE" rank samples -o "$T/cli.xlsx" --json "$T/cli.json"
    "$PY" - "$T/resp.json" "$T/cli.json" "$T/served.xlsx" <<'PY'
import base64, json, os, sys, openpyxl
d, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = [(u['unit'], u['total'], u['rank'], u['vetoed']) for u in d['result']['units']]
want = [(u['unit'], u['total'], u['rank'], u['vetoed']) for u in c['units']]
assert got == want, (got, want)
names = {f['name']: f['saved'] for f in d['files']}
assert names['README.md'] == '-' and names['两江镇.csv'].endswith('.csv'), names
assert not os.path.exists(d['folder']), 'the upload folder was kept'
open(sys.argv[3], 'wb').write(base64.b64decode(d['workbook']))
ws = openpyxl.load_workbook(sys.argv[3])['乡镇']
cw = openpyxl.load_workbook(sys.argv[3].replace('served', 'cli'))['乡镇']
rows = lambda w: [[c.value for c in r][:20] for r in w.iter_rows(min_row=4, max_row=9)]
assert rows(ws) == rows(cw), (rows(ws), rows(cw))
PY
    [ -z "$(ls -A "$T/tmp")" ] || fail "files left in TMPDIR: $(ls "$T/tmp")"
    stop_server
}

test_serve_refusals() {
    mkdir -p "$T/tmp"
    start_server
    # No checklist at all: 400, in Chinese.
    code=$(curl -s -F "file=@README.md" -o "$T/r1" -w '%{http_code}' "${URL}api/rank")
    [ "$code" = 400 ] && grep -q '没有收到检查表' "$T/r1" || fail "no checklist: $code $(cat "$T/r1")"
    # A file past the limit (32 MiB): 413.
    head -c $((33 << 20)) /dev/zero >"$T/big.csv"
    code=$(curl -s -F "file=@$T/big.csv" -o "$T/r2" -w '%{http_code}' "${URL}api/rank")
    [ "$code" = 413 ] && grep -q 'MiB' "$T/r2" || fail "big file: $code $(cat "$T/r2")"
    # A POST that another site's page makes the browser send: 403.
    code=$(curl -s -H 'Origin: http://evil.example' -F "file=@samples/两江镇.csv" -o "$T/r3" \
        -w '%{http_code}' "${URL}api/rank")
    [ "$code" = 403 ] || fail "cross-site POST: $code"
    # An upload's name never becomes a path.
    code=$(curl -s -F "file=@samples/两江镇.csv;filename=../../escape.csv" -o "$T/r4" \
        -w '%{http_code}' "${URL}api/rank")
    [ "$code" = 200 ] || fail "a path-like name: $code"
    [ ! -e "$T/escape.csv" ] && [ ! -e "$T/tmp/escape.csv" ] || fail "the file name became a path"
    # And it still serves.
    code=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
    [ "$code" = 200 ] || fail "not serving after the refusals: $code"
    [ -z "$(ls -A "$T/tmp")" ] || fail "files left in TMPDIR: $(ls "$T/tmp")"
    stop_server
    # Anything but this machine is refused (no accounts or TLS yet).
    expect_exit 2 "$KAOHE" serve --listen 0.0.0.0:18080
    has_text "$T/err" "listens on this machine only"
}

# A real browser: the file input, the table, the download, a unit whose
# name is HTML shown as text.
test_serve_in_a_browser() {
    mkdir -p "$T/tmp" "$T/in" "$T/shots"
    cp samples/两江镇.csv samples/临桂镇.csv samples/区教育局.csv "$T/in/"
    sed 's/^被考核单位,会仙镇/被考核单位,<img src=x onerror=alert(1)>/' samples/会仙镇.csv >"$T/in/会仙镇.csv"
    start_server
    "$PY" - "$URL" "$T/shots" "$T"/in/*.csv <<'PY'
import sys
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.chrome.service import Service
url, shots, files = sys.argv[1], sys.argv[2], sys.argv[3:]
o = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
    o.add_argument(a)
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
try:
    d.get(url)
    d.save_screenshot(shots + "/1-page.png")
    d.find_element(By.ID, "files").send_keys("\n".join(files))
    d.find_element(By.ID, "go").click()
    WebDriverWait(d, 60).until(lambda d: d.find_elements(By.ID, "download"))
    d.save_screenshot(shots + "/2-results.png")
    rows = [[c.text for c in r.find_elements(By.TAG_NAME, "td")]
            for r in d.find_elements(By.CSS_SELECTOR, "table tr")]
    rows = [r for r in rows if r]
    units = {r[1]: r for r in rows}
    assert units['临桂镇'][0] == '1' and units['临桂镇'][-4] == '38.9', units['临桂镇']
    assert units['两江镇'][-4] == '36.8', units['两江镇']
    # The HTML in a unit name is text: the cell says it, no image exists.
    assert '<img src=x onerror=alert(1)>' in units, list(units)
    assert not d.find_elements(By.CSS_SELECTOR, "#out img"), 'a unit name became HTML'
    href = d.find_element(By.ID, "download").get_attribute("href")
    assert href.startswith("blob:"), href
finally:
    d.quit()
PY
    stop_server
}
