# packaging/kaohe-desktop, the Linux desktop starter: it opens the page of
# a kaohe serve it starts on a free port (with the per-start secret), uses
# the one it started before when that still answers, stops it on request,
# and never fails silently or leaves a server behind when it gives up.
# The browser, zenity and notify-send are fakes on PATH that record what
# they were asked; every server is on 127.0.0.1 and is stopped.

# desktop_env: a home of its own, fakes on PATH, kaohe as the program.
desktop_env() {
    export HOME=$T/home
    unset XDG_DATA_HOME XDG_STATE_HOME KAOHE_WORKSPACE KAOHE_PORT BROWSER WAYLAND_DISPLAY
    export DISPLAY=:99 KAOHE=$KAOHE KAOHE_WAIT=20
    mkdir -p "$HOME" "$T/bin"
    for f in xdg-open zenity notify-send; do
        printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/%s.calls"\n' "$T" "$f" >"$T/bin/$f"
        chmod +x "$T/bin/$f"
    done
    PATH=$T/bin:$PATH
    STATE=$HOME/.local/state/kaohe
    trap 'p=$(cat "$STATE/pid" 2>/dev/null) && kill -9 "$p" 2>/dev/null; true' EXIT
}

# no_server_left: no kaohe serve of this test's home is running.
no_server_left() {
    ! pgrep -f "serve --listen 127.0.0.1:.* --workspace $HOME/" >/dev/null ||
        fail "a kaohe serve was left running: $(pgrep -af "workspace $HOME/")"
}

test_desktop_opens_the_page_and_stops() {
    desktop_env
    expect_exit 0 packaging/kaohe-desktop
    url=$(cat "$T/xdg-open.calls")
    case $url in http://127.0.0.1:[0-9]*/*) ;; *) fail "the browser was sent '$url'" ;; esac
    [ "$url" != "http://127.0.0.1:8787/" ] || fail "a fixed port"
    # The page answered when the browser was sent there (polled, not slept).
    code=$(curl -s -L -c "$T/cj" -b "$T/cj" -o /dev/null -w '%{http_code}' "$url")
    [ "$code" = 200 ] || fail "GET $url: $code"
    [ "$(stat -c %a "$STATE")" = 700 ] || fail "the state folder is open to others"
    [ -d "$HOME/.local/share/kaohe" ] || fail "no workspace in ~/.local/share/kaohe"
    pid=$(cat "$STATE/pid")
    kill -0 "$pid" || fail "the server is not running"
    # A second start opens the same page, no second server.
    expect_exit 0 packaging/kaohe-desktop
    [ "$(wc -l <"$T/xdg-open.calls")" = 2 ] || fail "second start: $(cat "$T/xdg-open.calls")"
    [ "$(sed -n 2p "$T/xdg-open.calls")" = "$url" ] || fail "the second start opened another page"
    [ "$(cat "$STATE/pid")" = "$pid" ] || fail "a second server was started"
    [ ! -e "$T/zenity.calls" ] || fail "an error was shown: $(cat "$T/zenity.calls")"
    expect_exit 0 packaging/kaohe-desktop --stop
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null || fail "--stop left the server running"
    if [ -e "$STATE/pid" ] || [ -e "$STATE/url" ]; then fail "--stop left its files"; fi
    # After a stop (or a crash), a start starts a new server.
    expect_exit 0 packaging/kaohe-desktop
    [ "$(cat "$STATE/pid")" != "$pid" ] || fail "no new server"
    expect_exit 0 packaging/kaohe-desktop --stop
    no_server_left
}

test_desktop_busy_port_is_shown() {
    desktop_env
    "$PY" -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$T/port" &
    holder=$!
    for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
    KAOHE_PORT=$(cat "$T/port") expect_exit 1 packaging/kaohe-desktop
    kill "$holder"
    has_text "$T/zenity.calls" '考核页面未能启动'
    has_text "$T/zenity.calls" "$(cat "$T/port")" # kaohe's own words name the port
    [ ! -e "$T/xdg-open.calls" ] || fail "a browser was opened"
    no_server_left
}

test_desktop_workspace_cannot_be_opened() {
    desktop_env
    : >"$T/afile"
    KAOHE_WORKSPACE=$T/afile/ws expect_exit 1 packaging/kaohe-desktop
    has_text "$T/zenity.calls" "无法打开工作文件夹 $T/afile/ws"
    # A workspace kaohe itself refuses (its record is not one): kaohe's
    # words are shown, nothing is left running.
    mkdir -p "$T/ws" && printf 'not a database, not at all: %0400d' 0 >"$T/ws/journal.sqlite"
    rm -f "$T/zenity.calls"
    KAOHE_WORKSPACE=$T/ws expect_exit 1 packaging/kaohe-desktop
    has_text "$T/zenity.calls" '考核页面未能启动'
    [ "$(wc -l <"$T/zenity.calls")" -gt 1 ] || fail "no words from kaohe: $(cat "$T/zenity.calls")"
    [ ! -e "$T/xdg-open.calls" ] || fail "a browser was opened"
    no_server_left
}

test_desktop_no_browser_no_display() {
    desktop_env
    rm "$T/bin/xdg-open"
    # No xdg-open anywhere: PATH without /usr/bin's (kaohe by its path).
    mkdir -p "$T/sys"
    for c in sh cat mkdir mv rm sed grep head tail tr sleep curl kill env stat; do
        p=$(command -v $c) && ln -sf "$p" "$T/sys/$c"
    done
    PATH=$T/bin:$T/sys expect_exit 0 packaging/kaohe-desktop
    has_text "$T/zenity.calls" '无法自动打开浏览器'
    has_text "$T/zenity.calls" "$(cat "$STATE/url")"
    # No display at all: the terminal says it.
    rm -f "$T/zenity.calls"
    PATH=$T/bin:$T/sys DISPLAY='' expect_exit 0 packaging/kaohe-desktop
    [ ! -e "$T/zenity.calls" ] || fail "zenity without a display"
    has_text "$T/notify-send.calls" '无法自动打开浏览器'
    has_text "$T/err" "$(cat "$STATE/url")"
    expect_exit 0 packaging/kaohe-desktop --stop
    no_server_left
}

test_desktop_gives_up_and_stops_its_server() {
    desktop_env
    # A kaohe that listens but whose page never answers.
    cat >"$T/bin/slowkaohe" <<'SH'
#!/bin/sh
[ "$2" = --help ] && exit 0
exec sleep 30
SH
    chmod +x "$T/bin/slowkaohe"
    KAOHE=slowkaohe KAOHE_WAIT=1 expect_exit 1 packaging/kaohe-desktop
    has_text "$T/zenity.calls" '秒内没有响应，已停止'
    [ ! -e "$STATE/pid" ] || fail "pid file left"
    ! pgrep -fx "sleep 30" >/dev/null || fail "the server was left running"
}
