# kaohe start and kaohe stop (src/starter.c): the desktop start that
# 启动考核.bat, 停止考核.bat and a double-clicked kaohe.exe are thin calls
# of, here on Linux (make test-windows runs the .bat files themselves under
# Wine).  It opens the page of a kaohe serve it starts on a free port with
# the per-start secret once the page answers, opens the same page again
# while it answers, stops it on request, and never fails silently or
# leaves a server behind.  The browser is a stand-in ($BROWSER) that
# records the address; every server is on 127.0.0.1 and is stopped.

start_env() {
    export HOME=$T/home XDG_STATE_HOME=$T/state BROWSER=$T/browser
    unset XDG_DATA_HOME
    mkdir -p "$HOME"
    printf '#!/bin/sh\necho "$1" >>"%s/opened"\n' "$T" >"$T/browser"
    chmod +x "$T/browser"
    STATE=$T/state/kaohe
    trap 'p=$(cat "$STATE/pid.txt" 2>/dev/null) && kill -9 "$p" 2>/dev/null; true' EXIT
}

# servers: how many kaohe serve of this test run.
servers() {
    pgrep -f "serve --listen 127.0.0.1:[0-9]* --workspace $T/" | wc -l
}

# answers URL: the page answers with the start's secret.
answers() {
    local base=${1%%\?*} token=${1##*token=}
    [ "$(curl -s -o /dev/null -w '%{http_code}' -m 5 -H "Authorization: token $token" "${base}api/state")" = 200 ]
}

test_start_opens_reuses_and_stops() {
    start_env
    expect_exit 0 "$KAOHE" start --workspace "$T/ws"
    url=$(cat "$T/opened")
    case $url in http://127.0.0.1:[0-9]*/\?token=?*) ;; *) fail "the browser was sent '$url'" ;; esac
    # It answered when the browser was sent there (polled, not slept).
    answers "$url" || fail "$url does not answer"
    has_text "$T/out" "kaohe: the page runs at $url"
    has_text "$T/out" "kaohe: the year's record is kept in $T/ws"
    [ "$(servers)" = 1 ] || fail "$(servers) servers"
    [ -d "$T/ws" ] || fail "no workspace"
    [ "$(cat "$STATE/url.txt")" = "$url" ] || fail "url.txt"
    # A second start opens the same page again: no second server.
    expect_exit 0 "$KAOHE" start --workspace "$T/ws"
    has_text "$T/out" "kaohe: the page started before still runs: $url"
    [ "$(sort -u "$T/opened")" = "$url" ] && [ "$(wc -l <"$T/opened")" = 2 ] || fail "opened: $(cat "$T/opened")"
    [ "$(servers)" = 1 ] || fail "$(servers) servers after the second start"
    expect_exit 0 "$KAOHE" stop
    has_text "$T/out" "kaohe: the page was stopped"
    ! answers "$url" || fail "it still answers"
    [ "$(servers)" = 0 ] || fail "a server was left running"
    [ ! -e "$STATE/url.txt" ] && [ ! -e "$STATE/pid.txt" ] || fail "the state was kept"
    has_text "$STATE/serve.log" "kaohe: stopped; the workspace is in $T/ws"
    expect_exit 0 "$KAOHE" stop
    has_text "$T/out" "kaohe: the page is not running"
}

# A busy port: said with kaohe serve's own words, nothing left running.
test_start_busy_port_is_said() {
    start_env
    "$PY" -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$T/port" &
    local holder=$!
    for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
    port=$(cat "$T/port")
    expect_exit 1 "$KAOHE" start --workspace "$T/ws" --listen 127.0.0.1:"$port"
    kill "$holder"
    has_text "$T/err" "kaohe serve ended without starting the page; what it said is in $STATE/serve.log"
    has_text "$T/err" "cannot listen on 127.0.0.1:$port"
    [ ! -e "$T/opened" ] || fail "a browser was opened"
    [ "$(servers)" = 0 ] || fail "a server was left running"
    [ ! -e "$STATE/url.txt" ] || fail "url.txt kept"
}

# A workspace that cannot be opened (a file in its place): said.
test_start_bad_workspace_is_said() {
    start_env
    : >"$T/file"
    expect_exit 1 "$KAOHE" start --workspace "$T/file"
    has_text "$T/err" "kaohe serve ended without starting the page"
    has_text "$T/err" "$T/file"
    [ "$(servers)" = 0 ] || fail "a server was left running"
}

# No browser: the address is given to open by hand, the page runs.
test_start_no_browser_is_said() {
    start_env
    BROWSER=false expect_exit 1 "$KAOHE" start --workspace "$T/ws"
    has_text "$T/err" "no browser could be opened: open the address above in a browser"
    url=$(sed -n 's/^kaohe: the page runs at //p' "$T/out")
    answers "$url" || fail "the page does not answer: $(cat "$T/out")"
    expect_exit 0 "$KAOHE" stop
    [ "$(servers)" = 0 ] || fail "a server was left running"
}

test_start_listens_on_this_computer_only() {
    start_env
    expect_exit 2 "$KAOHE" start --listen 0.0.0.0:8080
    has_text "$T/err" "kaohe start listens on this computer only: --listen 127.0.0.1:PORT, not '0.0.0.0:8080'"
    expect_exit 2 "$KAOHE" stop --workspace "$T/ws"
    [ "$(servers)" = 0 ] || fail "a server was started"
}
