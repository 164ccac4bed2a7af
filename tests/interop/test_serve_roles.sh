# kaohe serve's roles (issue 25): 管理员, 考评员 and 填报员 in one users
# file; one 填报员 per roster unit made in one step with its initial
# password in DIR/账号分发表.xlsx (0600) and nowhere else; the first login
# must change the password before anything is served; the admin's areas
# refused to the others; an admin resets and disables accounts.  On
# 127.0.0.1 (roles work on loopback too); only 127.0.0.1 is contacted.
. tests/interop/serve_lib.sh

ROSTER=samples/名单/单位名单.csv

# The sheet's cells as "REF<TAB>VALUE" lines.
sheet_cells() {
    "$(dirname "$KAOHE")/sheet_cells" "$1" | cut -f3,5
}

# The initial password of USER in the sheet FILE.
password_of() { # FILE USER
    sheet_cells "$1" >"$T/cells"
    row=$(awk -F'\t' -v u="$2" '$1 ~ /^B[0-9]+$/ && $2 == u {print substr($1, 2)}' "$T/cells")
    awk -F'\t' -v r="C$row" '$1 == r {print $2}' "$T/cells"
}

add_user() { # DIR NAME PASSWORD [ARGS...]
    d=$1 n=$2 p=$3
    shift 3
    printf '%s\n' "$p" | "$KAOHE" serve --add-user "$n" --workspace "$d" "$@" >"$T/add.out" 2>"$T/add.err"
}

# json_post PATH OUT JAR JSON : a JSON POST with the cookies of JAR.
json_post() {
    post "$1" "$2" -b "$3" -H 'Content-Type: application/json' --data-binary "$4"
}

login() { # NAME PASSWORD JAR -> status
    post api/login "$T/login.json" -c "$3" -F "name=$1" -F "password=$2"
}

# The value of a key of the JSON file FILE (Python expression on j).
jq_() { "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

make_workspace() {
    W=$T/ws
    add_user "$W" 科长 'mima-2020!' || fail "add-user: $(cat "$T/add.err")"
    add_user "$W" 考评甲 'kaoping-2020' --role reviewer || fail "reviewer: $(cat "$T/add.err")"
    expect_exit 0 "$KAOHE" serve --workspace "$W" --add-unit-users --roster "$ROSTER"
}

test_serve_add_unit_users_cli() {
    # No admin yet: refused, nothing made.
    expect_exit 2 "$KAOHE" serve --workspace "$T/empty" --add-unit-users --roster "$ROSTER"
    has_text "$T/err" "--add-user"
    [ ! -e "$T/empty/账号分发表.xlsx" ] || fail "a sheet without an admin"
    # Without a roster: refused with what to do.
    add_user "$T/w2" 科长 'mima-2020!' || fail "add-user"
    expect_exit 2 "$KAOHE" serve --workspace "$T/w2" --add-unit-users
    has_text "$T/err" "--roster"
    # --role without --add-user, a role that is none: usage.
    expect_exit 2 "$KAOHE" serve --workspace "$T/w2" --role reviewer
    printf 'long enough\n' | "$KAOHE" serve --add-user x --role boss --workspace "$T/w2" >/dev/null 2>"$T/err" && fail "--role boss accepted"
    has_text "$T/err" "admin, reviewer or filler"

    make_workspace
    has_text "$T/out" "14"
    sheet=$W/账号分发表.xlsx
    [ "$(stat -c %a "$sheet")" = 600 ] || fail "sheet mode $(stat -c %a "$sheet")"
    [ "$(stat -c %a "$W/users.txt")" = 600 ] || fail "users mode"
    sheet_cells "$sheet" >"$T/cells"
    for want in "A1	被考核单位" "B1	用户名" "C1	初始密码" "D1	网址" "A3	两江镇" "B3	两江镇" \
        "D3	http://127.0.0.1:8080/"; do
        grep -qxF "$want" "$T/cells" || fail "sheet lacks '$want': $(head -12 "$T/cells")"
    done
    # One filler a roster unit (14), each bound to its unit, the admin's
    # and the reviewer's lines as they were.
    [ "$(grep -c ':filler:change-password:unit=' "$W/users.txt")" = 14 ] || fail "fillers: $(cat "$W/users.txt")"
    grep -q '^两江镇:\$argon2id\$[^:]*:filler:change-password:unit=两江镇$' "$W/users.txt" || fail "两江镇's line"
    grep -q '^科长:\$argon2id\$[^:]*$' "$W/users.txt" || fail "the admin's line changed"
    grep -q '^考评甲:\$argon2id\$[^:]*:reviewer$' "$W/users.txt" || fail "the reviewer's line"
    pw=$(password_of "$sheet" 两江镇)
    [ "${#pw}" = 12 ] || fail "initial password '$pw'"
    # The password is in the sheet only.
    ! grep -rqF "$pw" "$W/users.txt" "$T/out" "$T/err" "$W/journal.sqlite" || fail "the password leaked"
    # The roster given became the workspace's: a second run uses it, makes
    # nobody new, and keeps the sheet.
    cp "$sheet" "$T/sheet1"
    expect_exit 0 "$KAOHE" serve --workspace "$W" --add-unit-users
    has_text "$T/err" "none was made"
    same_file "$T/sheet1" "$sheet"
    # A roster with one more unit: only it is made; the earlier sheet is
    # kept beside the new one.
    { cat "$ROSTER"; printf '15,新设镇,乡镇\n'; } >"$T/名单2.csv"
    expect_exit 0 "$KAOHE" serve --workspace "$W" --add-unit-users --roster "$T/名单2.csv"
    has_text "$T/out" " 1 "
    same_file "$T/sheet1" "$W/账号分发表-2.xlsx"
    sheet_cells "$sheet" >"$T/cells2"
    grep -qxF "A2	新设镇" "$T/cells2" && ! grep -q '^A3' "$T/cells2" || fail "second sheet: $(cat "$T/cells2")"
    [ "$(stat -c %a "$W/账号分发表-2.xlsx")" = 600 ] || fail "kept sheet mode"
}

test_serve_roles_first_login() {
    make_workspace
    pw=$(password_of "$W/账号分发表.xlsx" 两江镇)
    start_server --workspace "$W"
    # A filler's first login: the password must change before anything.
    code=$(login 两江镇 "$pw" "$T/tb")
    [ "$code" = 200 ] || fail "filler login: $code $(cat "$T/login.json")"
    [ "$(jq_ "$T/login.json" "j['role'], j['unit'], j['must_change_password']")" = "filler 两江镇 True" ] ||
        fail "login answer: $(cat "$T/login.json")"
    curl -s -b "$T/tb" "${URL}api/state" >"$T/s.json"
    [ "$(jq_ "$T/s.json" "j['role'], j['unit'], j['must_change_password'], 'rubrics' in j")" = "filler 两江镇 True False" ] ||
        fail "state before the change: $(cat "$T/s.json")"
    code=$(post api/rank "$T/r" -b "$T/tb" -F "file=@samples/两江镇.csv")
    [ "$code" = 403 ] && has_text "$T/r" '"code":"password_change_required"' || fail "rank before the change: $code $(cat "$T/r")"
    # Wrong old password, too short, the same: refused.
    code=$(json_post api/password "$T/p" "$T/tb" '{"old":"wrong-one","new":"new-pass-2020"}')
    [ "$code" = 401 ] || fail "wrong old password: $code"
    code=$(json_post api/password "$T/p" "$T/tb" "{\"old\":\"$pw\",\"new\":\"short\"}")
    [ "$code" = 400 ] || fail "short new password: $code"
    code=$(json_post api/password "$T/p" "$T/tb" "{\"old\":\"$pw\",\"new\":\"$pw\"}")
    [ "$code" = 400 ] || fail "same password: $code"
    code=$(json_post api/password "$T/p" "$T/tb" "{\"old\":\"$pw\",\"new\":\"两江镇的新密码\"}")
    [ "$code" = 200 ] || fail "password change: $code $(cat "$T/p")"
    [ "$(jq_ "$T/p" "j['must_change_password'], j['role']")" = "False filler" ] || fail "after the change: $(cat "$T/p")"
    # Now the filler is a filler: its state has no bureau's record...
    curl -s -b "$T/tb" "${URL}api/state" >"$T/s.json"
    [ "$(jq_ "$T/s.json" "'history' in j, 'missing_files' in j, 'rubrics' in j")" = "False False True" ] ||
        fail "filler's state: $(cat "$T/s.json")"
    # ...and the admin's areas are refused to it.
    for p in api/rank api/download api/blank api/settings api/users/reset api/users/units; do
        code=$(post "$p" "$T/r" -b "$T/tb" -F x=y)
        [ "$code" = 403 ] && has_text "$T/r" '仅管理员' || fail "filler POST $p: $code $(cat "$T/r")"
    done
    for p in "api/download?what=ranking" api/users api/users/sheet; do
        code=$(curl -s -o "$T/r" -w '%{http_code}' -b "$T/tb" "$URL$p")
        [ "$code" = 403 ] || fail "filler GET $p: $code"
    done
    # The old password no longer logs in, the new one does.
    [ "$(login 两江镇 "$pw" "$T/x")" = 401 ] || fail "old password still works"
    [ "$(login 两江镇 两江镇的新密码 "$T/x")" = 200 ] || fail "new password"
    grep -q '^两江镇:\$argon2id\$[^:]*:filler:unit=两江镇$' "$W/users.txt" || fail "change-password stayed: $(grep 两江镇 "$W/users.txt")"
    # A reviewer: the admin's areas refused too.
    [ "$(login 考评甲 kaoping-2020 "$T/kp")" = 200 ] || fail "reviewer login"
    curl -s -b "$T/kp" "${URL}api/state" >"$T/s.json"
    [ "$(jq_ "$T/s.json" "j['role'], j['unit']")" = "reviewer None" ] || fail "reviewer state: $(cat "$T/s.json")"
    for p in api/rank api/blank api/settings api/users/disable; do
        code=$(post "$p" "$T/r" -b "$T/kp" -F x=y)
        [ "$code" = 403 ] || fail "reviewer POST $p: $code"
    done
    code=$(curl -s -o "$T/r" -w '%{http_code}' -b "$T/kp" "${URL}api/download?what=ranking")
    [ "$code" = 403 ] || fail "reviewer download: $code"
    # The admin (a NAME:HASH line, as every users file had): everything.
    [ "$(login 科长 'mima-2020!' "$T/ad")" = 200 ] || fail "admin login"
    curl -s -b "$T/ad" "${URL}api/state" >"$T/s.json"
    [ "$(jq_ "$T/s.json" "j['role'], j['must_change_password'], 'history' in j")" = "admin False True" ] ||
        fail "admin state: $(cat "$T/s.json")"
    code=$(post api/rank "$T/r" -b "$T/ad" -F "file=@samples/两江镇.csv")
    [ "$code" = 200 ] || fail "admin rank: $code"
    ! grep -qF "$pw" "$T/serve.out" "$T/serve.err" "$W/journal.sqlite" || fail "a password in the logs"
    stop_server
}

test_serve_roles_admin_manages() {
    make_workspace
    pw2=$(password_of "$W/账号分发表.xlsx" 四塘镇)
    start_server --workspace "$W"
    [ "$(login 科长 'mima-2020!' "$T/ad")" = 200 ] || fail "admin login"
    curl -s -b "$T/ad" "${URL}api/users" >"$T/u.json"
    [ "$(jq_ "$T/u.json" "len(j['accounts']), [a for a in j['accounts'] if a['name']=='两江镇'][0], j['roster'], j['sheet']")" = \
        "16 {'name': '两江镇', 'role': 'filler', 'unit': '两江镇', 'disabled': False, 'must_change_password': True} True True" ] ||
        fail "accounts: $(cat "$T/u.json")"
    ! grep -q 'argon2\|"password"' "$T/u.json" || fail "hashes or passwords in the list"
    # The sheet, downloaded by the admin, is the workspace's.
    curl -s -b "$T/ad" -o "$T/dl.xlsx" "${URL}api/users/sheet"
    same_file "$W/账号分发表.xlsx" "$T/dl.xlsx"
    # A reset: a new password, shown once, to change at the next login;
    # the account's sessions end.
    [ "$(login 四塘镇 "$pw2" "$T/st")" = 200 ] || fail "四塘镇 login"
    code=$(json_post api/users/reset "$T/rs" "$T/ad" '{"name":"四塘镇"}')
    [ "$code" = 200 ] || fail "reset: $code $(cat "$T/rs")"
    new=$(jq_ "$T/rs" "j['password']")
    [ "${#new}" = 12 ] && [ "$new" != "$pw2" ] || fail "reset password '$new'"
    code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/st" "${URL}api/users")
    [ "$code" = 401 ] || fail "session after reset: $code"
    [ "$(login 四塘镇 "$pw2" "$T/st")" = 401 ] || fail "old password after reset"
    [ "$(login 四塘镇 "$new" "$T/st")" = 200 ] || fail "reset password"
    [ "$(jq_ "$T/login.json" "j['must_change_password']")" = True ] || fail "reset: no forced change"
    # Disabled: its session ends at once, its login is refused (only once
    # the password is right); enabled again: it logs in.
    code=$(json_post api/users/disable "$T/d" "$T/ad" '{"name":"四塘镇","disabled":true}')
    [ "$code" = 200 ] || fail "disable: $code $(cat "$T/d")"
    code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/st" "${URL}api/password")
    [ "$code" = 401 ] || fail "disabled session: $code"
    [ "$(login 四塘镇 "$new" "$T/st")" = 403 ] && has_text "$T/login.json" '停用' || fail "disabled login"
    [ "$(login 四塘镇 wrong-pass "$T/st")" = 401 ] || fail "disabled, wrong password"
    grep -q '^四塘镇:.*:disabled:unit=四塘镇$' "$W/users.txt" || fail "not disabled in the file"
    code=$(json_post api/users/disable "$T/d" "$T/ad" '{"name":"四塘镇","disabled":false}')
    [ "$code" = 200 ] || fail "enable: $code"
    [ "$(login 四塘镇 "$new" "$T/st")" = 200 ] || fail "enabled login"
    # Not oneself; not the last admin; not an unknown name.
    code=$(json_post api/users/disable "$T/d" "$T/ad" '{"name":"科长","disabled":true}')
    [ "$code" = 400 ] || fail "self-disable: $code"
    code=$(json_post api/users/reset "$T/d" "$T/ad" '{"name":"nobody"}')
    [ "$code" = 400 ] && has_text "$T/d" 'nobody' || fail "unknown reset: $code $(cat "$T/d")"
    # A second filler for a unit, and a reviewer, from the page.
    code=$(json_post api/users/add "$T/a" "$T/ad" '{"name":"两江镇-李四","role":"filler","unit":"两江镇"}')
    [ "$code" = 200 ] || fail "add filler: $code $(cat "$T/a")"
    p3=$(jq_ "$T/a" "j['password']")
    [ "$(login 两江镇-李四 "$p3" "$T/ls")" = 200 ] || fail "second filler login"
    [ "$(jq_ "$T/login.json" "j['unit'], j['must_change_password']")" = "两江镇 True" ] || fail "second filler"
    code=$(json_post api/users/add "$T/a" "$T/ad" '{"name":"两江镇-李四","role":"reviewer"}')
    [ "$code" = 409 ] || fail "same name again: $code"
    code=$(json_post api/users/add "$T/a" "$T/ad" '{"name":"x","role":"filler"}')
    [ "$code" = 400 ] || fail "filler without unit: $code"
    # The page's button: nobody new (every unit has one), the sheet kept.
    cp "$W/账号分发表.xlsx" "$T/sheet1"
    code=$(json_post api/users/units "$T/m" "$T/ad" '{}')
    [ "$code" = 200 ] && [ "$(jq_ "$T/m" "len(j['made']), j['sheet']")" = "0 None" ] || fail "units again: $code $(cat "$T/m")"
    same_file "$T/sheet1" "$W/账号分发表.xlsx"
    ! grep -qF "$new" "$T/serve.out" "$T/serve.err" "$W/journal.sqlite" "$W/users.txt" || fail "a password in the logs"
    stop_server
}

test_serve_roles_page_button() {
    W=$T/ws
    add_user "$W" 科长 'mima-2020!' || fail "add-user"
    start_server --workspace "$W"
    [ "$(login 科长 'mima-2020!' "$T/ad")" = 200 ] || fail "admin login"
    # No roster yet: said so.
    code=$(json_post api/users/units "$T/m" "$T/ad" '{}')
    [ "$code" = 400 ] && has_text "$T/m" '名单' || fail "units without roster: $code $(cat "$T/m")"
    # The roster uploaded with the checklists becomes the workspace's.
    code=$(post api/rank "$T/r" -b "$T/ad" -F "file=@samples/两江镇.csv" -F "roster=@$ROSTER")
    [ "$code" = 200 ] || fail "rank with roster: $code"
    code=$(json_post api/users/units "$T/m" "$T/ad" '{}')
    [ "$code" = 200 ] || fail "units: $code $(cat "$T/m")"
    [ "$(jq_ "$T/m" "len(j['made']), j['sheet'], j['made'][1]['unit'], j['made'][1]['name']")" = "14 账号分发表.xlsx 两江镇 两江镇" ] ||
        fail "made: $(cat "$T/m")"
    pw=$(jq_ "$T/m" "j['made'][1]['password']")
    [ "$(password_of "$W/账号分发表.xlsx" 两江镇)" = "$pw" ] || fail "the sheet's password differs from the page's"
    # The address in the sheet: the one the admin used.
    sheet_cells "$W/账号分发表.xlsx" | grep -qxF "D2	$URL" || fail "address: $(sheet_cells "$W/账号分发表.xlsx" | grep '^D2')"
    [ "$(stat -c %a "$W/账号分发表.xlsx")" = 600 ] || fail "sheet mode"
    [ "$(login 两江镇 "$pw" "$T/tb")" = 200 ] || fail "made filler login"
    ! grep -qF "$pw" "$T/serve.out" "$T/serve.err" "$W/journal.sqlite" "$W/users.txt" || fail "a password in the logs"
    stop_server
}

# A filler sees and changes its own unit only: a second unit's filler is
# refused (403) the first unit's form, answers, save, submit, upload and
# download on the online 填报 API (filling.c), its list of units is its
# own; the first unit's answers are untouched.  A reviewer reads any unit
# but does not change a unit's own answers.
test_serve_roles_other_unit_refused() {
    make_workspace
    pa=$(password_of "$W/账号分发表.xlsx" 两江镇)
    pb=$(password_of "$W/账号分发表.xlsx" 四塘镇)
    start_server --workspace "$W"
    [ "$(login 两江镇 "$pa" "$T/a")" = 200 ] || fail "两江镇 login"
    [ "$(json_post api/password "$T/p" "$T/a" "{\"old\":\"$pa\",\"new\":\"lj-new-pass\"}")" = 200 ] || fail "两江镇 change"
    [ "$(login 四塘镇 "$pb" "$T/b")" = 200 ] || fail "四塘镇 login"
    # Before its password change, not even its own form.
    code=$(curl -s -o "$T/r" -w '%{http_code}' -b "$T/b" "${URL}api/fill?unit=四塘镇")
    [ "$code" = 403 ] && has_text "$T/r" password_change_required || fail "form before the change: $code"
    [ "$(json_post api/password "$T/p" "$T/b" "{\"old\":\"$pb\",\"new\":\"st-new-pass\"}")" = 200 ] || fail "四塘镇 change"
    code=$(json_post api/fill/save "$T/s" "$T/a" '{"unit":"两江镇","version":0,"answers":[{"cp":"1.1","value":"无","remark":"两江镇的备注"}]}')
    [ "$code" = 200 ] || fail "两江镇 saves its own: $code $(cat "$T/s")"
    # 四塘镇's filler on 两江镇: refused everywhere.
    code=$(curl -s -o "$T/r" -w '%{http_code}' -b "$T/b" "${URL}api/fill?unit=两江镇")
    [ "$code" = 403 ] && has_text "$T/r" '无权查看其他单位的材料' && lacks_text "$T/r" '两江镇的备注' ||
        fail "other unit's form: $code $(head -c 300 "$T/r")"
    code=$(curl -s -o "$T/r" -w '%{http_code}' -b "$T/b" "${URL}api/fill/download?unit=两江镇")
    [ "$code" = 403 ] || fail "other unit's download: $code"
    code=$(json_post api/fill/save "$T/r" "$T/b" '{"unit":"两江镇","version":1,"answers":[{"cp":"1.1","value":"有"}]}')
    [ "$code" = 403 ] || fail "other unit's save: $code"
    code=$(json_post api/fill/submit "$T/r" "$T/b" '{"unit":"两江镇","version":1}')
    [ "$code" = 403 ] || fail "other unit's submit: $code"
    code=$(post "api/fill/upload?unit=两江镇&version=1" "$T/r" -b "$T/b" -F "file=@samples/两江镇.csv")
    [ "$code" = 403 ] || fail "other unit's upload: $code"
    code=$(json_post api/fill/return "$T/r" "$T/b" '{"unit":"四塘镇","reason":"x"}')
    [ "$code" = 403 ] || fail "a filler's 退回: $code"
    # Its list of units is its own; its own form opens.
    curl -s -b "$T/b" "${URL}api/fill/units" >"$T/u.json"
    [ "$(jq_ "$T/u.json" "[u['unit'] for u in j['units']]")" = "['四塘镇']" ] || fail "units: $(head -c 300 "$T/u.json")"
    code=$(curl -s -o "$T/r" -w '%{http_code}' -b "$T/b" "${URL}api/fill?unit=四塘镇")
    [ "$code" = 200 ] || fail "own form: $code"
    # 两江镇's answers untouched.
    curl -s -b "$T/a" "${URL}api/fill?unit=两江镇" >"$T/f.json"
    has_text "$T/f.json" '两江镇的备注'
    lacks_text "$T/f.json" '"value":"有"'
    # A reviewer reads 两江镇, but does not change its own answers.
    [ "$(login 考评甲 kaoping-2020 "$T/k")" = 200 ] || fail "reviewer login"
    code=$(curl -s -o "$T/r" -w '%{http_code}' -b "$T/k" "${URL}api/fill?unit=两江镇")
    [ "$code" = 200 ] || fail "reviewer reads: $code"
    code=$(json_post api/fill/save "$T/r" "$T/k" '{"unit":"两江镇","version":1,"answers":[{"cp":"1.1","value":"有"}]}')
    [ "$code" = 403 ] || fail "reviewer changes a unit's own answers: $code"
    stop_server
}

# With accounts, the desktop starter's POST /api/stop is the admin's: not
# before a login, not a filler's, not before a forced password change.
test_serve_roles_stop_is_the_admins() {
    make_workspace
    pa=$(password_of "$W/账号分发表.xlsx" 两江镇)
    start_server --workspace "$W" --desktop "$T/kaohe.log"
    code=$(post api/stop "$T/r" -X POST)
    [ "$code" = 401 ] || fail "stop without a login: $code"
    [ "$(login 两江镇 "$pa" "$T/a")" = 200 ] || fail "filler login"
    code=$(post api/stop "$T/r" -X POST -b "$T/a")
    [ "$code" = 403 ] && has_text "$T/r" password_change_required || fail "stop before the change: $code"
    [ "$(json_post api/password "$T/p" "$T/a" "{\"old\":\"$pa\",\"new\":\"lj-new-pass\"}")" = 200 ] || fail "change"
    code=$(post api/stop "$T/r" -X POST -b "$T/a")
    [ "$code" = 403 ] || fail "a filler's stop: $code"
    [ "$(login 考评甲 kaoping-2020 "$T/k")" = 200 ] || fail "reviewer login"
    code=$(post api/stop "$T/r" -X POST -b "$T/k")
    [ "$code" = 403 ] || fail "a reviewer's stop: $code"
    kill -0 "$SPID" || fail "stopped by a refused request"
    [ "$(login 科长 'mima-2020!' "$T/ad")" = 200 ] || fail "admin login"
    code=$(post api/stop "$T/r" -X POST -b "$T/ad")
    [ "$code" = 200 ] && has_text "$T/r" '"stopping":true' || fail "the admin's stop: $code"
    for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$SPID" 2>/dev/null || fail "still running after the admin's stop"
    trap - EXIT
}

# On a network address with HTTPS, as on loopback: the filler's role and
# unit, the forced change, the admin's areas refused.  (Listening on
# 0.0.0.0, reached through 127.0.0.1 only.)
test_serve_roles_over_https() {
    make_workspace
    pa=$(password_of "$W/账号分发表.xlsx" 两江镇)
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || fail "openssl"
    LISTEN=0.0.0.0:0 start_server --workspace "$W" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
    case $URL in https://*) ;; *) fail "not https: $URL" ;; esac
    [ "$(login 两江镇 "$pa" "$T/a")" = 200 ] || fail "filler login over HTTPS"
    grep -q 'Secure' "$T/a" 2>/dev/null || grep -q '#HttpOnly_127.0.0.1	FALSE	/	TRUE' "$T/a" || fail "cookie not Secure: $(cat "$T/a")"
    code=$(post api/rank "$T/r" -b "$T/a" -F "file=@samples/两江镇.csv")
    [ "$code" = 403 ] && has_text "$T/r" password_change_required || fail "rank before the change: $code"
    [ "$(json_post api/password "$T/p" "$T/a" "{\"old\":\"$pa\",\"new\":\"lj-new-pass\"}")" = 200 ] || fail "change over HTTPS"
    [ "$(jq_ "$T/p" "j['role'], j['unit']")" = "filler 两江镇" ] || fail "state: $(cat "$T/p")"
    code=$(post api/rank "$T/r" -b "$T/a" -F "file=@samples/两江镇.csv")
    [ "$code" = 403 ] && has_text "$T/r" '仅管理员' || fail "rank by a filler over HTTPS: $code"
    stop_server
}
