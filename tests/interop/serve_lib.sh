# Shared by the kaohe serve tests (test_serve*.sh): start and stop a
# server on 127.0.0.1 (only 127.0.0.1 is ever contacted).

# start_server [ARGS...] : kaohe serve on a free port with ARGS; sets URL
# (the page, http://127.0.0.1:PORT/), TOKEN (the secret of a server
# without accounts, or ""), TOKEN_URL (the address printed, to open in a
# browser) and SPID.  Every curl of the test then sends the secret
# ("Authorization: token ...", from a .curlrc in $T/curl; curl -q sends
# nothing).  The server is killed when the test ends, however it ends: a
# server left running would hold the files and folders of the test (and,
# in a chroot, its /dev).
start_server() {
    mkdir -p "$T/tmp" "$T/curl"
    : >"$T/serve.out"
    TMPDIR="$T/tmp" "$KAOHE" serve --listen "${LISTEN:-127.0.0.1:0}" "$@" \
        >"$T/serve.out" 2>"$T/serve.err" &
    SPID=$!
    trap 'kill -9 $SPID 2>/dev/null || true' EXIT
    for _ in $(seq 100); do
        URL=$(sed -n 's/.*\(https\{0,1\}:\/\/[0-9.]*:[0-9]*\/\).*/\1/p' "$T/serve.out" | head -1)
        if [ -n "$URL" ]; then
            # Whatever address it listens on, this machine's is used.
            URL=$(printf '%s' "$URL" | sed 's/\/\/[0-9.]*:/\/\/127.0.0.1:/')
            TOKEN=$(sed -n 's/.*?token=\([0-9a-f]*\).*/\1/p' "$T/serve.out" | head -1)
            TOKEN_URL=$URL${TOKEN:+?token=$TOKEN}
            export CURL_HOME=$T/curl
            if [ -n "$TOKEN" ]; then
                printf 'header = "Authorization: token %s"\n' "$TOKEN" >"$CURL_HOME/.curlrc"
            else
                : >"$CURL_HOME/.curlrc"
            fi
            return 0
        fi
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.1
    done
    fail "kaohe serve did not start: $(cat "$T/serve.err")"
}

# stop_server : Ctrl-C, which must end it with the status of SIGINT.
stop_server() {
    kill -INT "$SPID" 2>/dev/null || true
    rc=0
    wait "$SPID" || rc=$?
    trap - EXIT
    [ "$rc" = 130 ] || fail "Ctrl-C ended kaohe serve with status $rc"
}

# post URL_PATH OUT CURL_ARGS... : POST, the body into OUT; prints the status.
post() {
    p=$1 out=$2
    shift 2
    curl -sk -o "$out" -w '%{http_code}' "$@" "${URL}${p#/}"
}

# upload_args FILE... : -F file=@FILE for each, into array ARGS.
upload_args() {
    ARGS=()
    for f in "$@"; do ARGS+=(-F "file=@$f"); done
}
