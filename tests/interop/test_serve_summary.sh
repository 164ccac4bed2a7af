# 问题汇总 on the page (issue 26): after a ranking, the page lists the check
# points lost per rubric with the engine's numbers, the same as the
# ranking's JSON "summary", units named, and bars for the ten most lost.
. tests/interop/serve_lib.sh
. tests/interop/browse_lib.sh

test_summary_on_the_page() {
    mkdir -p "$T/in"
    cp samples/两江镇.csv samples/四塘镇.csv samples/五通镇.csv samples/会仙镇.csv \
        samples/临桂镇.csv samples/六塘镇.csv "$T/in/"
    "$KAOHE" rank -q "$T"/in/*.csv -o "$T/r.xlsx" --json "$T/r.json" || fail "kaohe rank failed"
    # The lines the page must show, made from the JSON by the test.
    "$PY" - "$T/r.json" >"$T/want.txt" <<'PY' || fail "no summary in the JSON"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"][0]
assert s["units"] == 6, s["units"]
for it in s["items"]:
    for c in it["checks"]:
        if c["units"]:
            print("%s %s：失分单位 %d/%d（%d%%），共失分 %s 分" % (c["check"], c["label"], c["units"], s["units"], c["share"], c["lost"]))
PY
    grep -qx '17.3 重大事故起数：失分单位 1/6（17%），共失分 5 分' "$T/want.txt" ||
        fail "the samples' 17.3 is not as counted by hand: $(cat "$T/want.txt")"
    start_server
    browse "$T"/in/*.csv <<'PY'
d.get(url)
d.find_element(By.ID, "files").send_keys("\n".join(args))
d.find_element(By.ID, "go").click()
WebDriverWait(d, 60).until(lambda d: d.find_elements(By.ID, "summaryview"))
view = d.find_element(By.ID, "summaryview")
d.execute_script("arguments[0].querySelectorAll('details').forEach(function (x) { x.open = true; })", view)
d.execute_script("arguments[0].scrollIntoView()", view)
shot("summary")
lines = [li.text.split("\n")[0] for li in view.find_elements(By.CSS_SELECTOR, "li")]
want = open(T + "/want.txt", encoding="utf-8").read().split("\n")[:-1]
assert sorted(lines) == sorted(want), (lines, want)
li = [x for x in view.find_elements(By.CSS_SELECTOR, "li") if x.text.startswith("17.3 ")][0]
assert "失分单位：五通镇" in li.text, li.text
assert len(view.find_elements(By.CSS_SELECTOR, ".sumbar")) == min(10, len(want)), "bars"
assert "17 生产安全事故：失分单位 3/6（50%），共失分 12 分" in view.text, view.text
PY
    [ $? = 0 ] || fail "the page's 问题汇总 is not the JSON's"
    stop_server
}
