# kaohe serve against what an attacker on this machine (or a page in its
# browser) would try, and what a crash leaves (issue 23): DNS rebinding
# (the Host check, the per-start secret), parallel password guesses and
# locking a user out by name, slow clients holding every connection,
# oversized and cut bodies, two servers on one workspace, request folders
# of killed servers, journal rows whose file is missing; and the desktop
# starter's --url-file, --desktop and POST /api/stop.  Every server
# listens on 127.0.0.1 (clients may come from other 127.x addresses; the
# Host rule of other addresses is tested in test_serve_host.c).
. tests/interop/serve_lib.sh

add_user() { # FILE NAME PASSWORD
    printf '%s\n' "$3" | "$KAOHE" serve --add-user "$2" --users "$1" >"$T/add.out" 2>"$T/add.err"
}

# code CURL_ARGS... : the status of a request made without the test's
# .curlrc (so without the secret unless given).
code() {
    curl -q -s -o "$T/body" -w '%{http_code}' "$@"
}

test_serve_host_check() {
    start_server
    port=${URL##*:}
    port=${port%/}
    auth="Authorization: token $TOKEN"
    # A name that was made to point at 127.0.0.1: refused, page and API.
    for h in evil.example "evil.example:$port" "127.0.0.1.evil.example" "localhost.evil.example" \
        "[::2]:$port" "127.0.0.1:x" ""; do
        [ "$(code -H "Host: $h" -H "$auth" "$URL")" = 421 ] || fail "page with Host '$h'"
        [ "$(code -H "Host: $h" -H "$auth" "${URL}api/state")" = 421 ] || fail "state with Host '$h'"
        has_text "$T/body" 'Host 不符'
    done
    [ "$(code -H "Host: evil.example" -H "$auth" -F "file=@samples/两江镇.csv" "${URL}api/rank")" = 421 ] ||
        fail "upload with a foreign Host"
    # This machine's names: answered.
    for h in "127.0.0.1:$port" 127.0.0.1 "127.9.8.7:$port" "localhost:$port" LOCALHOST "[::1]:$port"; do
        [ "$(code -H "Host: $h" -H "$auth" "${URL}api/state")" = 200 ] || fail "state with Host '$h'"
    done
    stop_server
    # On another address only the names given with --host-name count
    # (test_serve_host: no test listens beyond 127.0.0.1); a name with a
    # port is refused before anything starts.
    expect_exit 2 "$KAOHE" serve --listen 127.0.0.1:0 --host-name kaohe.example.org:8443
    has_text "$T/err" "--host-name takes a name"
}

test_serve_token() {
    start_server
    [ ${#TOKEN} = 64 ] || fail "no secret in the URL printed: $(cat "$T/serve.out")"
    has_text "$T/serve.out" "open ${URL}?token=$TOKEN in a browser"
    # Without the secret: the page (it has nothing of the workspace), and
    # 403 for every API call.
    [ "$(code "$URL")" = 200 ] || fail "the page without the secret"
    [ "$(code "${URL}api/state")" = 403 ] || fail "state without the secret"
    has_text "$T/body" 'kaohe 启动时显示的网址'
    [ "$(code -F "file=@samples/两江镇.csv" "${URL}api/rank")" = 403 ] || fail "rank without the secret"
    [ "$(code "${URL}api/download?what=json")" = 403 ] || fail "download without the secret"
    [ "$(code -H "Authorization: token $(printf '%064d' 0)" "${URL}api/state")" = 403 ] ||
        fail "a wrong secret"
    [ "$(code "${URL}?token=$(printf '%064d' 0)")" = 403 ] || fail "a wrong secret in the URL"
    # The URL with the secret: a cookie (HttpOnly, SameSite=Strict, named
    # with the port) and a redirect to /, which then works.
    [ "$(code -D "$T/h" -c "$T/jar" "$TOKEN_URL")" = 303 ] || fail "GET /?token="
    grep -qi "^location: /" "$T/h" || fail "no redirect: $(cat "$T/h")"
    port=${URL##*:}
    port=${port%/}
    grep -qi "^set-cookie: kaohe_token_$port=$TOKEN; Path=/; HttpOnly; SameSite=Strict" "$T/h" ||
        fail "cookie: $(grep -i set-cookie "$T/h")"
    [ "$(code -b "$T/jar" "${URL}api/state")" = 200 ] || fail "state with the cookie"
    [ "$(code -b "$T/jar" -F "file=@samples/两江镇.csv" "${URL}api/rank")" = 200 ] ||
        fail "rank with the cookie"
    stop_server
    # A new start, a new secret: the old cookie no longer works.
    old=$TOKEN
    start_server
    [ "$TOKEN" != "$old" ] || fail "the same secret twice"
    [ "$(code -b "kaohe_token_${URL##*:}=$old" "${URL}api/state")" = 403 ] || fail "an old secret"
    stop_server
    # With accounts the login is the secret: no token.
    add_user "$T/users.txt" 科长 'mima-2020!' || fail "add-user: $(cat "$T/add.err")"
    start_server --users "$T/users.txt"
    [ -z "$TOKEN" ] || fail "a secret with accounts"
    [ "$(code "${URL}api/state")" = 200 ] || fail "state with accounts"
    stop_server
}

test_serve_desktop_stop_and_url_file() {
    mkdir -p "$T/ws"
    start_server --workspace "$T/ws" --url-file "$T/url.txt" --desktop "$T/kaohe.log"
    [ "$(cat "$T/url.txt")" = "$TOKEN_URL" ] || fail "url file: $(cat "$T/url.txt") vs $TOKEN_URL"
    [ "$(stat -c %a "$T/url.txt")" = 600 ] || fail "url file mode $(stat -c %a "$T/url.txt")"
    case $URL in *:0/) fail "port 0 printed" ;; esac
    curl -s "${URL}api/state" >"$T/state.json"
    "$PY" - "$T" <<'PY'
import json, sys
T = sys.argv[1]
s = json.load(open(T + '/state.json'))
assert s['desktop'] == {'log': T + '/kaohe.log'}, s.get('desktop')
assert s['missing_files'] == [], s['missing_files']
PY
    # POST /api/stop needs the secret and the same origin, like every call.
    [ "$(code -X POST "${URL}api/stop")" = 403 ] || fail "stop without the secret"
    [ "$(code -X POST -H "Authorization: token $TOKEN" -H 'Origin: http://evil.example' \
        "${URL}api/stop")" = 403 ] || fail "stop from another site"
    kill -0 "$SPID" || fail "stopped by a refused request"
    code=$(post api/stop "$T/stop.json" -X POST)
    [ "$code" = 200 ] && has_text "$T/stop.json" '"stopping":true' || fail "stop: $code"
    for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$SPID" 2>/dev/null || fail "still running after /api/stop"
    trap - EXIT
    has_text "$T/serve.out" "kaohe: stopped; the workspace is in $T/ws"
    # Without --desktop there is no /api/stop.
    start_server
    [ "$(post api/stop /dev/null -X POST)" = 404 ] || fail "/api/stop without --desktop"
    stop_server
    has_text "$T/serve.out" "kaohe: stopped"
    # Ctrl-C, in Chinese.
    if locale -a 2>/dev/null | grep -qix 'zh_CN.utf-\{0,1\}8'; then
        LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 start_server --workspace "$T/ws"
        has_text "$T/serve.out" "请在浏览器中打开"
        stop_server
        has_text "$T/serve.out" "已停止；工作区在 $T/ws"
    fi
}

# Thirty wrong passwords sent at once: at most five are verified (401),
# the rest refused (429).  The name is not locked for an address that
# has not failed (only slowed); a success does not clear its address's
# failures (issue 28).
test_serve_login_lockout() {
    add_user "$T/users.txt" 科长 'mima-2020!' || fail "add-user: $(cat "$T/add.err")"
    add_user "$T/users.txt" 科员 'keyuan-2020' || fail "add-user: $(cat "$T/add.err")"
    start_server --users "$T/users.txt"
    for i in $(seq 30); do
        curl -s -o /dev/null -w '%{http_code}\n' -F name=科长 -F "password=wrong$i" \
            "${URL}api/login" >"$T/par.$i" &
    done
    wait_for_jobs() { for j in $(jobs -p); do [ "$j" = "$SPID" ] || wait "$j"; done; }
    wait_for_jobs
    n401=$(cat "$T"/par.* | grep -c 401 || true)
    n429=$(cat "$T"/par.* | grep -c 429 || true)
    [ "$n401" -le 5 ] && [ $((n401 + n429)) = 30 ] ||
        fail "30 guesses at once: $n401 verified (401), $n429 refused (429)"
    # From this address: locked, even with the right password.
    [ "$(post api/login "$T/l1" -F name=科长 -F 'password=mima-2020!')" = 429 ] &&
        has_text "$T/l1" '分钟后再试' || fail "the address was not locked"
    # The owner, from another address: in (after a short delay at most).
    code=$(curl -s --interface 127.0.0.2 -o "$T/l2" -w '%{http_code}' -F name=科长 \
        -F 'password=mima-2020!' "${URL}api/login")
    [ "$code" = 200 ] || fail "科长 locked out from an address that never failed: $code $(cat "$T/l2")"
    # Issue 28: four failures, a success with one's own account, one more
    # failure: the address has five, and is locked.
    for i in 1 2 3 4; do
        curl -s --interface 127.0.0.3 -o /dev/null -F name=科长 -F password=bad$i "${URL}api/login"
    done
    code=$(curl -s --interface 127.0.0.3 -o /dev/null -w '%{http_code}' -F name=科员 \
        -F 'password=keyuan-2020' "${URL}api/login")
    [ "$code" = 200 ] || fail "科员's own login: $code"
    code=$(curl -s --interface 127.0.0.3 -o /dev/null -w '%{http_code}' -F name=科长 \
        -F password=bad5 "${URL}api/login")
    [ "$code" = 401 ] || fail "fifth guess: $code"
    code=$(curl -s --interface 127.0.0.3 -o /dev/null -w '%{http_code}' -F name=科员 \
        -F 'password=keyuan-2020' "${URL}api/login")
    [ "$code" = 429 ] || fail "a success cleared the address's failures: $code"
    stop_server
}

# Thirty-two connections from one address each send a request's head one
# line a second, reconnecting when cut: another client's GET /api/state
# is answered within 2 s all along, and a head still coming after 10 s
# is cut.
test_serve_slowloris() {
    start_server
    "$PY" - "$URL" <<'PY' || fail "slowloris"
import socket, subprocess, sys, threading, time
url = sys.argv[1]
host, port = url.split('//')[1].rstrip('/').split(':')
# One alone, timed: its head is cut at the deadline though it drips.
lone = socket.create_connection((host, int(port)))
lone.sendall(b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n')
t0 = time.time()
lone_cut = None
try:
    while time.time() - t0 < 20:
        time.sleep(0.5)
        lone.sendall(b'X-Drip: 1\r\n')
        lone.settimeout(0.01)
        try:
            if lone.recv(1) == b'':
                break
        except socket.timeout:
            pass
except OSError:
    pass
lone_cut = time.time() - t0
print('a head still coming was cut after %.1f s' % lone_cut)
assert 9 <= lone_cut <= 13, lone_cut
# Thirty-two, reconnecting when cut, while another client asks.
stop = False
cuts = [0]
def drip():
    while not stop:
        try:
            s = socket.create_connection((host, int(port)), timeout=5)
            s.sendall(b'GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n')
            while not stop:
                time.sleep(1)
                s.sendall(b'X-Drip: 1\r\n')
        except OSError:
            cuts[0] += 1
            time.sleep(0.05)
ts = [threading.Thread(target=drip) for _ in range(32)]
for t in ts:
    t.start()
time.sleep(2)
slow = []
for i in range(12):
    t = time.time()
    r = subprocess.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '2',
                        url + 'api/state'], capture_output=True, text=True)
    took = time.time() - t
    if r.stdout != '200' or took > 2:
        slow.append((i, r.stdout, round(took, 2)))
    time.sleep(max(0, 1 - took))
stop = True
for t in ts:
    t.join()
print('drip connections cut:', cuts[0])
assert not slow, 'GET /api/state not answered within 2 s: %r' % slow
assert cuts[0] >= 24, cuts[0]
PY
    [ "$(curl -s -o /dev/null -w '%{http_code}' "${URL}api/state")" = 200 ] || fail "not serving after"
    stop_server
}

# A Content-Length above the limit is refused at once (413), before any
# of the body; a multipart body without its closing boundary is refused.
test_serve_body_limits() {
    start_server
    "$PY" - "$URL" "$TOKEN" <<'PY' || fail "body limits"
import socket, sys, time
url, token = sys.argv[1], sys.argv[2]
host, port = url.split('//')[1].rstrip('/').split(':')
def ask(head, body=b'', wait=5):
    s = socket.create_connection((host, int(port)))
    s.sendall(head + body)
    s.settimeout(wait)
    t = time.time()
    data = b''
    try:
        while b'\r\n\r\n' not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    s.close()
    return data, time.time() - t
big = (600 << 20)
head = (b'POST /api/rank HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token %s\r\n'
        b'Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n'
        % (token.encode(), big))
data, took = ask(head)
assert data.startswith(b'HTTP/1.1 413'), data[:80]
assert took < 2, took
csv = open('samples/两江镇.csv', 'rb').read()
body = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        b'Content-Type: text/csv\r\n\r\n' + csv + b'\r\n')
for cut in (body, body + b'--XyZ'):
    head = (b'POST /api/rank HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token %s\r\n'
            b'Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n'
            b'Connection: close\r\n\r\n' % (token.encode(), len(cut)))
    data, took = ask(head, cut, 20)
    assert data.startswith(b'HTTP/1.1 400'), (cut[-10:], data[:200])
whole = body + b'--XyZ--\r\n'
head = (b'POST /api/rank HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token %s\r\n'
        b'Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n'
        b'Connection: close\r\n\r\n' % (token.encode(), len(whole)))
data, took = ask(head, whole, 20)
assert data.startswith(b'HTTP/1.1 200'), data[:200]
PY
    stop_server
}

# A second server (any writer) on a workspace with a live server is
# refused, naming the other process; once that one is killed, its lock
# goes with it.
test_serve_second_server_refused() {
    start_server --workspace "$T/ws"
    first=$SPID
    expect_exit 2 timeout 20 "$KAOHE" serve --listen 127.0.0.1:0 --workspace "$T/ws"
    has_text "$T/err" "in use by another kaohe (process $first)"
    if locale -a 2>/dev/null | grep -qix 'zh_CN.utf-\{0,1\}8'; then
        LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 expect_exit 2 timeout 20 "$KAOHE" serve --listen 127.0.0.1:0 --workspace "$T/ws"
        has_text "$T/err" "进程 $first"
    fi
    [ "$(post api/rank "$T/r.json" -F "file=@samples/两江镇.csv")" = 200 ] || fail "the first stopped serving"
    kill -9 "$first"
    wait "$first" 2>/dev/null || true
    trap - EXIT
    start_server --workspace "$T/ws"
    [ "$(post api/rank "$T/r2.json" -F kind=)" = 200 ] || fail "after the holder died"
    has_text "$T/r2.json" '两江镇'
    stop_server
}

# Request folders (kaohe-serve.PID.XXXXXX) of servers no longer running
# are removed when a server starts; those of running ones are kept.
test_serve_request_folders_of_dead_servers() {
    mkdir -p "$T/tmp"
    sleep 0 &
    dead=$!
    wait "$dead"
    mkdir -p "$T/tmp/kaohe-serve.$dead.a1B2c3" "$T/tmp/kaohe-serve.$$.d4E5f6" "$T/tmp/other.x"
    cp samples/两江镇.csv "$T/tmp/kaohe-serve.$dead.a1B2c3/f0001.csv"
    start_server
    [ ! -e "$T/tmp/kaohe-serve.$dead.a1B2c3" ] || fail "a dead server's folder was kept"
    [ -e "$T/tmp/kaohe-serve.$$.d4E5f6" ] || fail "a running process's folder was removed"
    [ -e "$T/tmp/other.x" ] || fail "another folder was removed"
    # A killed server's own folders: named with its pid, removed by the next.
    head -c $((2 << 20)) /dev/urandom >"$T/slow.csv"
    curl -s -o /dev/null --limit-rate 20k -F "file=@$T/slow.csv" "${URL}api/rank" &
    CPID=$!
    for _ in $(seq 50); do
        ls "$T/tmp" | grep -q "^kaohe-serve\.$SPID\.......$" && break
        sleep 0.1
    done
    ls "$T/tmp" | grep -q "^kaohe-serve\.$SPID\.......$" || fail "no request folder named with the pid: $(ls "$T/tmp")"
    killed=$SPID
    kill -9 "$SPID"
    wait "$SPID" 2>/dev/null || true
    trap - EXIT
    wait "$CPID" 2>/dev/null || true
    ls "$T/tmp" | grep -q "^kaohe-serve\.$killed\." || fail "kill -9 left nothing to test"
    start_server
    ! ls "$T/tmp" | grep -q "^kaohe-serve\.$killed\." || fail "left after kill -9 and a restart: $(ls "$T/tmp")"
    stop_server
}

# A journal row whose file is gone from the workspace: listed at start
# (a note) and in /api/state's missing_files, for the page to show.
test_serve_missing_files_listed() {
    start_server --workspace "$T/ws"
    [ "$(post api/rank "$T/r.json" -F "file=@samples/两江镇.csv" -F "file=@samples/临桂镇.csv")" = 200 ] ||
        fail "upload"
    stop_server
    h=$(sha256sum samples/两江镇.csv | cut -c1-64)
    rm "$T/ws/files/$h.csv"
    start_server --workspace "$T/ws"
    has_text "$T/serve.err" "两江镇 (两江镇.csv, recorded"
    curl -s "${URL}api/state" >"$T/state.json"
    "$PY" - "$T/state.json" "$h" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))['missing_files']
assert [(x['unit'], x['file'], x['sha256']) for x in m] == [('两江镇', '两江镇.csv', sys.argv[2])], m
PY
    stop_server
}
