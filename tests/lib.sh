# tests/lib.sh - shared by the shell test scripts (CLI and interop).
# Each test file defines functions named test_*; run.sh calls each in a
# fresh temporary directory $T and counts failures.
# Variables: KAOHE (the binary, absolute), TOP (source tree), T (scratch).

# The tests compare kaohe's English messages: run kaohe in the C.UTF-8
# locale whatever the caller's (LANG=zh_CN.UTF-8 make test passes as
# LANG=C.UTF-8 does).  A test that wants another locale sets it on the
# command (test_zh.sh: LANG=zh_CN.UTF-8 "$KAOHE" ...); LC_ALL, LANGUAGE
# and LC_MESSAGES would override that, so they are unset here.
export LANG=C.UTF-8
unset LC_ALL LANGUAGE LC_MESSAGES

fail() { echo "    FAIL: $*" >&2; return 1; }

# expect_exit CODE CMD... : run CMD, keep stdout in $T/out and stderr in $T/err.
expect_exit() {
    want=$1; shift
    got=0
    "$@" >"$T/out" 2>"$T/err" || got=$?
    [ "$got" -eq "$want" ] || { sed 's/^/      stderr: /' "$T/err" | head -20 >&2; fail "exit $got, want $want: $*"; }
}

# same_file EXPECTED ACTUAL
same_file() {
    cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -40 >&2; fail "$2 differs from $1"; }
}

# has_text FILE TEXT : FILE contains TEXT (fixed string).
has_text() {
    grep -qF -- "$2" "$1" || { head -20 "$1" | sed 's/^/      /' >&2; fail "$1 lacks: $2"; }
}

lacks_text() {
    ! grep -qF -- "$2" "$1" || fail "$1 contains: $2"
}

# The Debian python with openpyxl.
PY=/usr/bin/python3

# same_scores A.json B.json: two kaohe JSON documents hold the same units
# with the same rubric, total, veto and items (reasons included).
same_scores() {
    $PY - "$1" "$2" <<'PY'
import json, sys
def key(path):
    d = json.load(open(path))
    return sorted((u['unit'], u['rubric'], u['total'], u['vetoed'],
                   json.dumps(u['items'], ensure_ascii=False)) for u in d['units'])
a, b = key(sys.argv[1]), key(sys.argv[2])
assert len(a) == len(b) and len(a) > 0, (len(a), len(b))
for x, y in zip(a, b):
    assert x == y, (x, y)
PY
}
