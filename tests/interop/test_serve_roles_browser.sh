# The first login of a unit's 填报员 in a real browser (headless Chromium
# through Selenium), on a phone (390 × 844) and a desktop (1366 × 768):
# logged in with the initial password of 账号分发表.xlsx, the page shows
# only the password change (none of the bureau's sections), refuses two
# different new passwords, takes a good one, then shows the user as
# 填报员 of its unit without the bureau's sections, also after a reload;
# the new password logs in, the initial one no longer.  On the desktop,
# the admin's 账号管理 too: the accounts listed, a password reset shown
# once.  Screenshots in BUILD/test-artifacts/TEST/.  Only 127.0.0.1.
. tests/interop/serve_lib.sh
. tests/interop/browse_lib.sh

roles_workspace() {
    W=$T/ws
    printf 'mima-2020!\n' | "$KAOHE" serve --add-user 科长 --workspace "$W" >/dev/null || fail "add-user"
    expect_exit 0 "$KAOHE" serve --workspace "$W" --add-unit-users --roster samples/名单/单位名单.csv
    "$(dirname "$KAOHE")/sheet_cells" "$W/账号分发表.xlsx" | cut -f3,5 >"$T/cells"
    PW=$(awk -F'\t' '$1 == "C3" {print $2}' "$T/cells")
    grep -qxF "B3	两江镇" "$T/cells" && [ "${#PW}" = 12 ] || fail "sheet: $(head -12 "$T/cells")"
    start_server --workspace "$W"
}

FIRST_LOGIN=$(cat <<'PY'
name, pw, new = args[0], args[1], args[2]
def shown(i):
    return d.find_element(By.ID, i).is_displayed()
def fits():
    # Nothing wider than the screen: no sideways scrolling on a phone.
    return d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
# A phone's screen as the phone has it (browse_lib.sh emulates a viewport
# narrower than headless Chromium's 500-pixel window).
w, h = (int(v) for v in os.environ.get("SIZE", "1366,768").split(","))
d.get(url)
WebDriverWait(d, 20).until(lambda d: shown("login"))
assert d.execute_script("return window.innerWidth") == w
shot("1-login")
d.find_element(By.ID, "lname").send_keys(name)
d.find_element(By.ID, "lpass").send_keys(pw)
d.find_element(By.CSS_SELECTOR, "#loginform button").click()
WebDriverWait(d, 20).until(lambda d: shown("password"))
# Only the change: no section of the bureau, no area.
assert not shown("app"), "the page is shown before the password change"
assert not shown("bureau")
seen = [s.get_attribute("id") for s in d.find_elements(By.TAG_NAME, "section") if s.is_displayed()]
assert seen == ["password"], seen
assert "请先设置新密码" in d.find_element(By.ID, "password").text
assert fits(), "wider than the screen"
shot("2-change-password")
d.find_element(By.ID, "pwold").send_keys(pw)
d.find_element(By.ID, "pwnew").send_keys(new)
d.find_element(By.ID, "pwagain").send_keys(new + "x")
d.find_element(By.ID, "pwgo").click()
assert "两次输入的新密码不一样" in d.find_element(By.ID, "pwmsg").text
shot("3-mismatch")
d.find_element(By.ID, "pwagain").clear()
d.find_element(By.ID, "pwagain").send_keys(new)
d.find_element(By.ID, "pwgo").click()
WebDriverWait(d, 20).until(lambda d: not shown("password") and shown("app"))
who = d.find_element(By.ID, "who").text
assert name in who and "填报员" in who and "两江镇" in who, who
assert not shown("bureau"), "the bureau's sections shown to a filler"
assert "密码已修改" in d.find_element(By.ID, "pwdone").text
assert fits(), "wider than the screen"
shot("4-changed")
# A reload: still logged in, nothing to change.
d.get(url)
WebDriverWait(d, 20).until(lambda d: shown("app"))
assert not shown("password") and not shown("bureau") and not shown("login")
shot("5-reloaded")
# The header's 修改密码 opens the change, 取消 closes it.
d.find_element(By.ID, "pwopen").click()
assert shown("password") and "修改密码" in d.find_element(By.ID, "password").text
d.find_element(By.CSS_SELECTOR, "#pwform button[type=button]").click()
assert not shown("password")
PY
)

check_changed() {
    grep -q '^两江镇:\$argon2id\$[^:]*:filler:unit=两江镇$' "$W/users.txt" ||
        fail "the change was not saved: $(grep 两江镇 "$W/users.txt")"
    code=$(post api/login /dev/null -F name=两江镇 -F "password=$PW")
    [ "$code" = 401 ] || fail "the initial password still logs in: $code"
    code=$(post api/login /dev/null -F name=两江镇 -F 'password=两江镇的新密码2020')
    [ "$code" = 200 ] || fail "the new password: $code"
}

test_serve_first_login_phone() {
    roles_workspace
    SIZE=390,844 browse 两江镇 "$PW" 两江镇的新密码2020 <<<"$FIRST_LOGIN" || fail "browser"
    check_changed
    stop_server
}

test_serve_first_login_desktop() {
    roles_workspace
    SIZE=1366,768 browse 两江镇 "$PW" 两江镇的新密码2020 <<<"$FIRST_LOGIN" || fail "browser"
    check_changed
    # The admin's accounts: listed, a reset shown once and refused to the
    # old password.
    SIZE=1366,768 browse <<'PY' || fail "admin browser"
def shown(i):
    return d.find_element(By.ID, i).is_displayed()
d.get(url)
WebDriverWait(d, 20).until(lambda d: shown("login"))
d.find_element(By.ID, "lname").send_keys("科长")
d.find_element(By.ID, "lpass").send_keys("mima-2020!")
d.find_element(By.CSS_SELECTOR, "#loginform button").click()
WebDriverWait(d, 20).until(lambda d: shown("accounts") and d.find_elements(By.ID, "accounttable"))
assert shown("bureau")
rows = {r.find_elements(By.TAG_NAME, "td")[0].text: [c.text for c in r.find_elements(By.TAG_NAME, "td")]
        for r in d.find_elements(By.CSS_SELECTOR, "#accounttable tr") if r.find_elements(By.TAG_NAME, "td")}
assert rows["两江镇"][1:4] == ["填报员", "两江镇", "正常"], rows["两江镇"]
assert rows["四塘镇"][1:4] == ["填报员", "四塘镇", "待改初始密码"], rows["四塘镇"]
assert rows["科长"][1] == "管理员", rows["科长"]
d.execute_script("window.confirm = function () { return true; }")
r = [r for r in d.find_elements(By.CSS_SELECTOR, "#accounttable tr") if r.text.startswith("四塘镇")][0]
r.find_element(By.XPATH, ".//button[text()='重设密码']").click()
WebDriverWait(d, 20).until(lambda d: d.find_elements(By.ID, "madetable"))
cells = [c.text for c in d.find_elements(By.CSS_SELECTOR, "#madetable td")]
assert cells[0:2] == ["四塘镇", "四塘镇"] and len(cells[2]) == 12, cells
open(T + "/reset.txt", "w").write(cells[2])
d.find_element(By.ID, "accounts").location_once_scrolled_into_view
shot("6-admin-accounts")
PY
    code=$(post api/login /dev/null -F name=四塘镇 -F "password=$(cat "$T/reset.txt")")
    [ "$code" = 200 ] || fail "the reset password shown does not log in: $code"
    stop_server
}
