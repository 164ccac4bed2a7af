# browse(): a headless Chromium (Selenium) session for the tests of kaohe
# serve's page; sourced by tests/interop/test_*browser*.sh after
# serve_lib.sh.  Only 127.0.0.1 is ever contacted.

# browse SCRIPT ARGS... : run the Python SCRIPT (standard input) with a
# Chromium driver d, downloads into $T/dl; SIZE=W,H sets the window.
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
size = os.environ.get("SIZE", "1400,1000")
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=" + size, "--lang=zh-CN"):
    o.add_argument(a)
# BROWSE_RESOLVE="NAME": NAME resolves to 127.0.0.1 (a DNS rebinding).
if os.environ.get("BROWSE_RESOLVE"):
    o.add_argument("--host-resolver-rules=MAP %s 127.0.0.1" % os.environ["BROWSE_RESOLVE"])
o.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # d.get_log("browser"): the page's errors
o.add_experimental_option("prefs", {"download.default_directory": T + "/dl",
                                    "download.prompt_for_download": False})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": T + "/dl"})
# Headless Chromium keeps a window at least 500 pixels wide: a phone's
# narrower screen (SIZE=390,844) is the page's viewport by emulation.
_w, _h = (int(v) for v in size.split(","))
if _w < 500:
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": _w, "height": _h, "deviceScaleFactor": 1, "mobile": False})
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
