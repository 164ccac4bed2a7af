# tests/cli/test_crash_safe.sh - kaohe killed (SIGKILL) at random moments
# while it writes scoresheets and a ranking over those of an earlier run
# (reliability item 17, tests/README.md).  After every kill each output is the complete old
# file or the complete new one (what a full run writes), the inputs are
# untouched, and anything a kill leaves behind is a hidden
# .NAME.XXXXXX.tmp that no run reads.  And a full disk (file size limit)
# fails the run cleanly, leaving the earlier outputs as they were.
#
# KAOHE_KILLS (default 12, 3 under make valgrind) sets the number of kills
# per command.

# inputs DIR N : the samples plus N more township checklists.
inputs() {
    mkdir -p "$1"
    cp "$TOP"/samples/*.csv "$1/"
    i=1
    while [ "$i" -le "$2" ]; do
        sed "s/^被考核单位,临桂镇/被考核单位,单位$i/" "$TOP/samples/临桂镇.csv" >"$1/u$i.csv"
        i=$((i + 1))
    done
}

# same_output OLD NEW REF : NEW is byte for byte OLD, or the complete file
# REF of a full run (an XLSX file: a whole zip whose parts are REF's, but
# for the time stamp in docProps/core.xml).  Prints "old" or "new".
same_output() {
    if [ -e "$1" ] && cmp -s "$1" "$2"; then
        echo old
        return 0
    fi
    case $2 in
    *.xlsx)
        "$PY" - "$2" "$3" <<'EOF' && echo new
import sys, zipfile
def parts(p):
    z = zipfile.ZipFile(p)
    assert z.testzip() is None, p
    return {n: z.read(n) for n in z.namelist() if n != 'docProps/core.xml'}
got, want = parts(sys.argv[1]), parts(sys.argv[2])
if got != want:
    sys.exit('%s: parts differ from a full run: %s' % (sys.argv[1],
             sorted(n for n in set(got) | set(want) if got.get(n) != want.get(n))[:5]))
EOF
        ;;
    *) cmp -s "$2" "$3" && echo new ;;
    esac
}

# check_dir OLD NEW REF : every file of NEW is OLD's or REF's version of
# it (a file only OLD has is unchanged); hidden temporary files are listed
# in $T/left and removed.
check_dir() {
    for f in "$2"/* "$2"/.*; do
        b=$(basename "$f")
        case $b in . | .. | '*' | '.*') continue ;; esac
        [ -d "$f" ] && continue
        case $b in
        .*.tmp) echo "$f" >>"$T/left"; rm -f "$f"; continue ;;
        esac
        if [ ! -e "$3/$b" ]; then
            cmp -s "$1/$b" "$f" || fail "$f: changed, and no full run writes it"
            continue
        fi
        same_output "$1/$b" "$f" "$3/$b" >/dev/null || fail "$f is neither old nor complete new"
    done
}

# kill_at SECONDS CMD... : run CMD, SIGKILL it after SECONDS.
kill_at() {
    d=$1
    shift
    "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$d"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# A random delay in [0, max_ms) milliseconds, as seconds for sleep.
random_delay() {
    ms=$((RANDOM * 32768 + RANDOM))
    ms=$((ms % $1))
    printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# Milliseconds a command takes.
duration_ms() {
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s%N)
    echo $(((e - s) / 1000000 + 1))
}

test_killed_runs_leave_old_or_new_outputs() {
    # One creation time for every run: the ranking's 来源 sheet and the
    # JSON's provenance record it, and "new" means a full run's bytes.
    export SOURCE_DATE_EPOCH=1700000000
    kills=${KAOHE_KILLS:-12}
    [ -z "${KAOHE_WRAP:-}" ] || kills=${KAOHE_KILLS:-3} # under valgrind: slow
    inputs "$T/old-in" 40
    inputs "$T/in" 60
    # The new run differs: more units, one sample changed.
    sed -i 's/^被考核单位,两江镇/被考核单位,两江镇新/' "$T/in/两江镇.csv"
    (cd "$T/in" && sha256sum ./* >"$T/in.sha256")

    # A full run (the "new" outputs) and an earlier run (the "old" ones).
    mkdir -p "$T/ref" "$T/old"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/ref/rank.xlsx" --json "$T/ref/rank.json"
    expect_exit 0 "$KAOHE" score "$T/in" -o "$T/ref/sheets" --format xlsx,csv,json
    expect_exit 0 "$KAOHE" rank "$T/old-in" -o "$T/old/rank.xlsx" --json "$T/old/rank.json"
    expect_exit 0 "$KAOHE" score "$T/old-in" -o "$T/old/sheets" --format xlsx,csv,json
    cp -a "$T/old" "$T/dst"
    : >"$T/left"

    rank_ms=$(duration_ms "$KAOHE" rank "$T/in" -o "$T/scratch.xlsx" --json "$T/scratch.json")
    score_ms=$(duration_ms "$KAOHE" score "$T/in" -o "$T/scratch" --format xlsx,csv,json)
    seen_old=0 seen_new=0
    k=0
    while [ "$k" -lt "$kills" ]; do
        # Killed before, while and (now and then) after writing.
        kill_at "$(random_delay $((rank_ms * 5 / 4)))" \
            "$KAOHE" rank "$T/in" -o "$T/dst/rank.xlsx" --json "$T/dst/rank.json"
        for f in rank.xlsx rank.json; do
            r=$(same_output "$T/old/$f" "$T/dst/$f" "$T/ref/$f") ||
                fail "after a kill, $f is neither the old file nor a complete new one"
            [ "$r" = old ] && seen_old=$((seen_old + 1))
            [ "$r" = new ] && seen_new=$((seen_new + 1))
        done
        check_dir "$T/old" "$T/dst" "$T/ref"

        kill_at "$(random_delay $((score_ms * 5 / 4)))" \
            "$KAOHE" score "$T/in" -o "$T/dst/sheets" --format xlsx,csv,json
        check_dir "$T/old/sheets" "$T/dst/sheets" "$T/ref/sheets"

        (cd "$T/in" && sha256sum --quiet -c "$T/in.sha256") || fail "an input changed"
        rm -rf "$T/dst" && cp -a "$T/old" "$T/dst"
        k=$((k + 1))
    done
    echo "kills: $kills per command; rank.xlsx/json old $seen_old times, new $seen_new times;" \
        "temporary files left: $(wc -l <"$T/left")"
    # Left-over temporary files (a kill -9 in the instant between naming a
    # finished file and renaming it over the old one) must be hidden
    # ".NAME.PID-XXXXXX.tmp" ones, which the next run into the folder
    # removes once they are stale (cli/test_safety.sh checks that).
    while IFS= read -r f; do
        case $(basename "$f") in
        .*.[0-9]*-??????.tmp) ;;
        *) fail "left behind: $f" ;;
        esac
    done <"$T/left"
}

# A hidden temporary file left in an input folder by a killed run is not
# read: the results are those without it.
test_leftover_tmp_is_not_read() {
    inputs "$T/in" 0
    expect_exit 0 "$KAOHE" score "$T/in" -o - --format json
    cp "$T/out" "$T/want.json"
    cp "$TOP/samples/临桂镇.csv" "$T/in/.临桂镇.csv.Ab12Cd.tmp"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/in/rank.xlsx"
    cp "$T/in/rank.xlsx" "$T/in/.rank.xlsx.Xy34Zw.tmp"
    rm "$T/in/rank.xlsx"
    expect_exit 0 "$KAOHE" score "$T/in" -o - --format json
    same_file "$T/want.json" "$T/out"
}

# limited CMD... : run CMD with files limited to 8 KiB (bash's ulimit -f
# counts KiB; SIGXFSZ ignored, so a write past it fails with EFBIG, as on
# a full disk).
limited() {
    (trap '' XFSZ && ulimit -f 8 && exec "$@")
}

# A full disk: the run fails with a message (exit 1), earlier outputs stay
# as they were, nothing half-written or temporary is left.
test_disk_full_keeps_old_outputs() {
    mkdir -p "$T/d"
    expect_exit 0 "$KAOHE" rank "$TOP/samples" -o "$T/d/rank.xlsx" --json "$T/d/rank.json"
    expect_exit 0 "$KAOHE" score "$TOP/samples" -o "$T/ref" --format xlsx,csv,json
    cp -a "$T/d" "$T/old"
    expect_exit 1 limited "$KAOHE" rank "$TOP/samples" -o "$T/d/rank.xlsx" --json "$T/d/rank.json"
    has_text "$T/err" "rank.xlsx: cannot write the workbook"
    has_text "$T/err" "rank.json: cannot write the file"
    # Only kaohe's words: not libxlsxwriter's own lines.
    lacks_text "$T/err" "[ERROR]"
    lacks_text "$T/err" "workbook_close()"
    same_file "$T/old/rank.xlsx" "$T/d/rank.xlsx"
    same_file "$T/old/rank.json" "$T/d/rank.json"
    [ "$(ls -A "$T/d" | wc -l)" -eq 2 ] || fail "left in the folder: $(ls -A "$T/d")"

    # Scoresheets: those small enough are written whole, the others not at
    # all.
    expect_exit 1 limited "$KAOHE" score "$TOP/samples" -o "$T/s" --format xlsx,csv,json
    has_text "$T/err" "cannot write"
    for f in "$T/s"/* "$T/s"/.[!.]*; do
        [ -e "$f" ] || continue
        same_output "$T/none" "$f" "$T/ref/$(basename "$f")" >/dev/null || fail "$f is not whole"
    done

    expect_exit 1 limited "$KAOHE" template lingui-2020-township -o "$T/t.xlsx"
    [ ! -e "$T/t.xlsx" ] || fail "a template was left half-written"
    [ -z "$(find "$T" -name '*.tmp')" ] || fail "temporary files left: $(find "$T" -name '*.tmp')"
}

# A full staging folder for libxlsxwriter's parts (TMPDIR, else /dev/shm)
# made workbooks with empty parts that replaced good files, exit 0.  Now:
# exit 1, a message that says the disk is full and where, the old outputs
# untouched.  Full tmpfs mounts in a private mount namespace (root).
test_full_staging_folder_keeps_old_outputs() {
    mkdir -p "$T/full" "$T/o/ss"
    printf old >"$T/o/r.xlsx"
    printf old >"$T/o/ss/两江镇.xlsx"
    # A private mount namespace; in a chroot (/ no mount point) unshare
    # cannot make / private, so each mount point is made private itself
    # (a bind of the folder on itself) before a tmpfs goes over it.
    if unshare -m true 2>/dev/null; then ns="unshare -m"; else ns="unshare -m --propagation unchanged"; fi
    $ns sh -c '
        set -e
        private() { mount --bind "$1" "$1" && mount --make-private "$1"; }
        private "$1"
        mount -t tmpfs -o size=64k tmpfs "$1"
        dd if=/dev/zero of="$1/fill" bs=4k count=64 2>/dev/null || true
        TMPDIR="$1" "$2" rank samples -o "$3/r.xlsx" >"$3/rank.out" 2>"$3/rank.err" && exit 10
        TMPDIR="$1" "$2" score samples -o "$3/ss" >"$3/ss.out" 2>"$3/ss.err" && exit 11
        # and /dev/shm full, no TMPDIR
        private /dev/shm
        mount -t tmpfs -o size=64k tmpfs /dev/shm
        dd if=/dev/zero of=/dev/shm/fill bs=4k count=64 2>/dev/null || true
        env -u TMPDIR "$2" score samples/两江镇.csv -o "$3/ss" >"$3/shm.out" 2>"$3/shm.err" && exit 12
        exit 0
    ' sh "$T/full" "$KAOHE" "$T/o" || fail "a run with a full staging folder exited 0 (or unshare failed: $?)"
    [ "$(cat "$T/o/r.xlsx")" = old ] || fail "the old ranking was replaced"
    [ "$(cat "$T/o/ss/两江镇.xlsx")" = old ] || fail "the old scoresheet was replaced"
    has_text "$T/o/rank.err" "r.xlsx: cannot write the workbook: its part"
    has_text "$T/o/rank.err" "$T/full, is full (no space left on device)"
    has_text "$T/o/ss.err" "两江镇.xlsx: cannot write the workbook"
    has_text "$T/o/shm.err" "/dev/shm, is full (no space left on device)"
    lacks_text "$T/o/rank.err" "[ERROR]"
    lacks_text "$T/o/ss.err" "[ERROR]"
    [ -z "$(ls -A "$T/o/ss" | grep -v '\.xlsx$')" ] || fail "left over: $(ls -A "$T/o/ss")"
}

# A full output disk (not the staging folder): the message says so in words,
# in English and, under a Chinese locale, in Chinese; not libxlsxwriter's
# "Zip generic error ZIP_ERRNO".
test_full_output_disk_says_no_space() {
    mkdir -p "$T/out"
    if unshare -m true 2>/dev/null; then ns="unshare -m"; else ns="unshare -m --propagation unchanged"; fi
    $ns sh -c '
        set -e
        mount --bind "$1" "$1" && mount --make-private "$1"
        mount -t tmpfs -o size=64k tmpfs "$1"
        LANG=C "$2" score samples -o "$1/s" --format xlsx >"$3/en.out" 2>"$3/en.err" && exit 10
        LANG=zh_CN.UTF-8 "$2" score samples -o "$1/z" --format xlsx >"$3/zh.out" 2>"$3/zh.err" && exit 11
        exit 0
    ' sh "$T/out" "$KAOHE" "$T" || fail "a run onto a full disk exited 0 (or unshare failed: $?)"
    has_text "$T/en.err" ".xlsx: cannot write the workbook: No space left on device"
    lacks_text "$T/en.err" "cannot write the workbook: Zip generic error"
    lacks_text "$T/en.err" "[ERROR]"
    lacks_text "$T/en.err" "ZIP_ERRNO"
    lacks_text "$T/zh.err" "[ERROR]"
    if locale -a 2>/dev/null | grep -qix 'zh_CN.utf-\{0,1\}8'; then
        has_text "$T/zh.err" ".xlsx：无法写入工作簿：磁盘空间不足"
    fi
}
