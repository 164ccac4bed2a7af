# kaohe serve with accounts: other addresses need accounts and HTTPS (or
# --insecure-http); a login gives an HttpOnly, SameSite=Strict cookie;
# wrong passwords are rate-limited; nothing but the login is answered
# without one.  Only 127.0.0.1 is ever contacted (a server listening on
# 0.0.0.0 is reached through it).
. tests/interop/serve_lib.sh

add_user() { # FILE NAME PASSWORD
    printf '%s\n' "$3" | "$KAOHE" serve --add-user "$2" --users "$1" >"$T/add.out" 2>"$T/add.err"
}

test_serve_other_addresses_need_accounts() {
    expect_exit 2 "$KAOHE" serve --listen 0.0.0.0:0
    has_text "$T/err" "--add-user"
    add_user "$T/users.txt" 科长 'mima-2020!' || fail "add-user: $(cat "$T/add.err")"
    has_text "$T/add.out" "科长"
    grep -q '^科长:\$argon2id\$' "$T/users.txt" || fail "not an Argon2id hash: $(cat "$T/users.txt")"
    [ "$(stat -c %a "$T/users.txt")" = 600 ] || fail "users file mode $(stat -c %a "$T/users.txt")"
    expect_exit 2 "$KAOHE" serve --listen 0.0.0.0:0 --users "$T/users.txt"
    has_text "$T/err" "--tls-cert"
    # A short password is refused, the file left as it was.
    cp "$T/users.txt" "$T/before"
    add_user "$T/users.txt" 科员 short && fail "a 5-byte password was accepted"
    same_file "$T/before" "$T/users.txt"
    # Accounts and --insecure-http: it starts, on every address.
    LISTEN=0.0.0.0:0 start_server --users "$T/users.txt" --insecure-http
    code=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
    [ "$code" = 200 ] || fail "page: $code"
    stop_server
}

test_serve_login() {
    add_user "$T/users.txt" 科长 'mima-2020!' || fail "add-user: $(cat "$T/add.err")"
    start_server --users "$T/users.txt"
    # Before a login: the page and the state, nothing else.
    curl -s "${URL}api/state" >"$T/s0.json"
    has_text "$T/s0.json" '"accounts":true'
    lacks_text "$T/s0.json" '"rubrics"'
    code=$(post api/rank "$T/r0" -F "file=@samples/两江镇.csv")
    [ "$code" = 401 ] && has_text "$T/r0" '请先登录' || fail "rank without login: $code"
    code=$(post api/blank "$T/r0b" -F rubric=lingui-2020-township -F units=两江镇)
    [ "$code" = 401 ] || fail "blank without login: $code"
    # A wrong password: 401; a right one: the cookie.
    code=$(post api/login "$T/l1" -F name=科长 -F password=wrong)
    [ "$code" = 401 ] && has_text "$T/l1" '用户名或密码不对' || fail "wrong password: $code"
    code=$(post api/login "$T/l2" -D "$T/h2" -c "$T/jar" -F name=科长 -F 'password=mima-2020!')
    [ "$code" = 200 ] || fail "login: $code $(cat "$T/l2")"
    grep -qi '^set-cookie: kaohe_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict' "$T/h2" ||
        fail "cookie: $(grep -i set-cookie "$T/h2")"
    code=$(post api/rank "$T/r1" -b "$T/jar" -F "file=@samples/两江镇.csv")
    [ "$code" = 200 ] || fail "rank after login: $code"
    curl -s -b "$T/jar" "${URL}api/state" >"$T/s1.json"
    has_text "$T/s1.json" '"user":"科长"'
    # A forged cookie is no session.
    code=$(post api/rank "$T/r2" -b "kaohe_session=$(printf '%064d' 0)" -F "file=@samples/两江镇.csv")
    [ "$code" = 401 ] || fail "forged cookie: $code"
    # The login is checked for CSRF like every POST.
    code=$(post api/login "$T/l3" -H 'Origin: http://evil.example' -F name=科长 -F 'password=mima-2020!')
    [ "$code" = 403 ] || fail "cross-site login: $code"
    # Logged out: the cookie no longer works.
    code=$(post api/logout "$T/o" -b "$T/jar" -F x=)
    [ "$code" = 200 ] || fail "logout: $code"
    code=$(post api/rank "$T/r3" -b "$T/jar" -F "file=@samples/两江镇.csv")
    [ "$code" = 401 ] || fail "rank after logout: $code"
    # Five wrong passwords: refused for a while, even with the right one.
    for i in 1 2 3 4 5; do post api/login /dev/null -F name=科长 -F password=wrong$i >/dev/null; done
    code=$(post api/login "$T/l4" -F name=科长 -F 'password=mima-2020!')
    [ "$code" = 429 ] && has_text "$T/l4" '分钟后再试' || fail "rate limit: $code $(cat "$T/l4")"
    stop_server
}

test_serve_https() {
    add_user "$T/users.txt" 科长 'mima-2020!' || fail "add-user: $(cat "$T/add.err")"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || fail "openssl"
    expect_exit 2 "$KAOHE" serve --tls-cert "$T/cert.pem"
    has_text "$T/err" "--tls-key"
    LISTEN=0.0.0.0:0 start_server --users "$T/users.txt" --tls-cert "$T/cert.pem" \
        --tls-key "$T/key.pem"
    case $URL in https://*) ;; *) fail "not https: $URL" ;; esac
    code=$(curl -sk -o "$T/page" -w '%{http_code}' "$URL")
    [ "$code" = 200 ] && has_text "$T/page" 'lang="zh-CN"' || fail "https page: $code"
    code=$(post api/login "$T/l" -D "$T/h" -F name=科长 -F 'password=mima-2020!')
    [ "$code" = 200 ] || fail "https login: $code"
    grep -qi '^set-cookie: .*; Secure' "$T/h" || fail "cookie without Secure: $(grep -i set-cookie "$T/h")"
    # Plain HTTP to the HTTPS port gets no page.
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://${URL#https://}" || true)
    [ "$code" != 200 ] || fail "plain HTTP was answered"
    stop_server
}
