# kaohe serve over HTTP (curl): the same ranking and files as `kaohe rank`,
# .zip uploads, downloads with Chinese names, blank checklists, nothing
# kept without a workspace, every limit refused in Chinese with a 4xx while
# others are served.  Only 127.0.0.1 is ever contacted.
. tests/interop/serve_lib.sh

test_serve_ranks_like_the_command_line() {
    start_server
    code=$(curl -s -o "$T/page.html" -w '%{http_code}' "$URL")
    [ "$code" = 200 ] || fail "GET / gave $code"
    has_text "$T/page.html" '<html lang="zh-CN">'
    # Nothing is fetched from elsewhere: no script, style or image source.
    ! grep -Eq '<(script|link|img|iframe)[^>]+(src|href)=' "$T/page.html" ||
        fail "the page fetches something"
    # What came from a user or a file is set as text, never parsed as HTML.
    ! grep -Eq 'innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(' "$T/page.html" ||
        fail "the page turns text into HTML"
    upload_args samples/*.csv
    code=$(post api/rank "$T/resp.json" "${ARGS[@]}" -F "file=@README.md")
    [ "$code" = 200 ] || fail "POST /api/rank gave $code: $(head -c 300 "$T/resp.json")"
    expect_exit 0 "$KAOHE" rank samples -o "$T/cli.xlsx" --json "$T/cli.json"
    "$PY" - "$T/resp.json" "$T/cli.json" <<'PY'
import json, sys
d, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
key = lambda u: (u['unit'], u['total'], u['rank'], u['vetoed'], u['grade'], json.dumps(u['items']))
assert [key(u) for u in d['result']['units']] == [key(u) for u in c['units']]
# Sources are the names uploaded, not where the server kept them.
assert {u['source'] for u in d['result']['units']} == {u['source'][len('samples/'):] for u in c['units']}
# A file that is no checklist is read and refused as the command line
# refuses it (not set aside by its name).
assert d['ignored'] == [], d['ignored']
assert [r['source'] for r in d['result']['rejected']] == ['README.md'], d['result']['rejected']
assert 'recorded' not in d and 'history' not in d
PY
    # Every download: the ranking (its sheets as the command line's), the
    # scoresheets, JSON and CSV, each with its Chinese name (RFC 5987).
    for what in ranking scoresheets json csv; do
        code=$(post "api/download?what=$what" "$T/dl-$what" -D "$T/h-$what" "${ARGS[@]}")
        [ "$code" = 200 ] || fail "download $what: $code $(head -c 200 "$T/dl-$what")"
    done
    mv "$T/dl-ranking" "$T/dl-ranking.xlsx"
    has_text "$T/h-ranking" "filename*=UTF-8''%E8%80%83%E6%A0%B8%E6%8E%92%E5%90%8D.xlsx" # 考核排名
    has_text "$T/h-scoresheets" "filename*=UTF-8''%E8%80%83%E6%A0%B8%E8%AF%84%E5%88%86%E8%A1%A8.zip"
    has_text "$T/h-json" 'filename="result.json"'
    expect_exit 0 "$KAOHE" score samples -o "$T/sheets"
    "$KAOHE" score samples -o - --format csv >"$T/cli.csv"
    "$PY" - "$T" <<'PY'
import json, os, sys, zipfile, openpyxl
T = sys.argv[1]
# The same rows, but for 来源文件: the name uploaded, not samples/NAME.
strip = lambda v: v.replace('samples/', '') if isinstance(v, str) else v
rows = lambda p, s: [[strip(c.value) for c in r] for r in openpyxl.load_workbook(p)[s].iter_rows(min_row=3, max_row=20)]
for s in ('乡镇', '区直单位部门'):
    assert rows(T + '/dl-ranking.xlsx', s) == rows(T + '/cli.xlsx', s), s
z = zipfile.ZipFile(T + '/dl-scoresheets')
names = sorted(i.filename for i in z.infolist())
assert names == sorted(os.listdir(T + '/sheets')), (names, os.listdir(T + '/sheets'))
assert all(i.flag_bits & 0x800 for i in z.infolist()), 'names not marked UTF-8'
a = z.read('两江镇评分表.xlsx') if '两江镇评分表.xlsx' in names else z.read(names[0])
assert a[:2] == b'PK'
j, c = json.load(open(T + '/dl-json')), json.load(open(T + '/cli.json'))
for u in c['units']:
    u['source'] = strip(u['source'])
assert j['units'] == c['units']
# The page's CSV in the office's words, with a BOM for Excel and WPS.
raw = open(T + '/dl-csv', 'rb').read()
assert raw.startswith('\ufeff"被考核单位","考核细则","单位类型","来源文件"'.encode()), raw[:80]
got = open(T + '/dl-csv', encoding='utf-8-sig').read().replace('samples/', '')
want = open(T + '/cli.csv', encoding='utf-8-sig').read().replace('samples/', '')
assert got.splitlines()[0] == want.splitlines()[0] and len(got.splitlines()) == len(want.splitlines())
PY
    [ -z "$(ls -A "$T/tmp")" ] || fail "files left in TMPDIR: $(ls "$T/tmp")"
    stop_server
}

# A .zip of the checklists (in a folder, with a name Windows wrote in
# GB18030) ranks as the files do; a bomb is refused with 413.
test_serve_zip_uploads() {
    start_server
    "$PY" - "$T" <<'PY'
import glob, os, sys, zipfile
T = sys.argv[1]
with zipfile.ZipFile(T + '/s.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    for f in sorted(glob.glob('samples/*.csv')):
        name = os.path.basename(f)
        if name == '两江镇.csv':
            name = 'XXXXXX.csv'  # replaced below by its GB18030 bytes
        z.write(f, '上报材料/' + name if name != 'XXXXXX.csv' else name)
    z.writestr('__MACOSX/._x.csv', b'junk')
    z.writestr('说明.txt', '不是检查表')
data = open(T + '/s.zip', 'rb').read()
gb = '两江镇.csv'.encode('gb18030')
assert len(gb) == len(b'XXXXXX.csv')
open(T + '/s.zip', 'wb').write(data.replace(b'XXXXXX.csv', gb))
# A bomb: one entry of 40 MiB of zeros (40 KB packed).
with zipfile.ZipFile(T + '/bomb.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('两江镇.csv', b'\0' * (40 << 20))
PY
    code=$(post api/rank "$T/zip.json" -F "file=@$T/s.zip")
    [ "$code" = 200 ] || fail "zip upload: $code $(head -c 300 "$T/zip.json")"
    expect_exit 0 "$KAOHE" rank samples -o "$T/cli.xlsx" --json "$T/cli.json"
    "$PY" - "$T/zip.json" "$T/cli.json" <<'PY'
import json, sys
d, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
key = lambda u: (u['unit'], u['total'], u['rank'])
assert [key(u) for u in d['result']['units']] == [key(u) for u in c['units']]
src = {u['unit']: u['source'] for u in d['result']['units']}
assert src['两江镇'] == 's.zip/两江镇.csv', src['两江镇']
assert src['临桂镇'] == 's.zip/上报材料/临桂镇.csv', src['临桂镇']
assert d['ignored'] == ['s.zip/说明.txt'], d['ignored']
PY
    code=$(post api/rank "$T/bomb.json" -F "file=@$T/bomb.zip")
    [ "$code" = 413 ] || fail "zip bomb: $code $(cat "$T/bomb.json")"
    has_text "$T/bomb.json" '解开后大于 32 MiB'
    # A damaged .zip is named with the reason; the others still count.
    head -c 3000 "$T/s.zip" >"$T/cut.zip"
    code=$(post api/rank "$T/cut.json" -F "file=@$T/cut.zip" -F "file=@samples/临桂镇.csv")
    [ "$code" = 200 ] || fail "a damaged zip with a good file: $code"
    "$PY" - "$T/cut.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [u['unit'] for u in d['result']['units']] == ['临桂镇']
assert any(m.startswith('cut.zip') for m in d['messages']), d['messages']
PY
    [ -z "$(ls -A "$T/tmp")" ] || fail "files left in TMPDIR: $(ls "$T/tmp")"
    stop_server
}

# Blank checklists for units typed in, or for a roster: one .xlsx each, in
# a .zip named in Chinese; a unit name that is HTML is only a name.
test_serve_blank_checklists() {
    start_server
    code=$(post api/blank "$T/blank.zip" -D "$T/h" -F rubric=lingui-2020-township \
        -F $'units=两江镇\r\n临桂镇\n\n  <img src=x onerror=alert(1)>  \n')
    [ "$code" = 200 ] || fail "blank: $code $(head -c 300 "$T/blank.zip")"
    has_text "$T/h" "filename*=UTF-8''%E7%A9%BA%E7%99%BD%E6%A3%80%E6%9F%A5%E8%A1%A8.zip" # 空白检查表
    "$PY" - "$T/blank.zip" "$T" <<'PY'
import sys, zipfile, openpyxl
z = zipfile.ZipFile(sys.argv[1])
names = sorted(z.namelist())
assert len(names) == 3 and '两江镇.xlsx' in names and '临桂镇.xlsx' in names, names
z.extract('两江镇.xlsx', sys.argv[2])
ws = openpyxl.load_workbook(sys.argv[2] + '/两江镇.xlsx').worksheets[0]
cells = [c.value for r in ws.iter_rows(max_row=6) for c in r if c.value]
assert '两江镇' in cells and 'lingui-2020-township' in cells, cells
PY
    code=$(post api/blank "$T/r.zip" -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || fail "blank from a roster: $code"
    n=$("$PY" -c "import sys,zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))" "$T/r.zip")
    [ "$n" = 14 ] || fail "a roster of 14 units gave $n checklists"
    code=$(post api/blank "$T/e.json" -F rubric=lingui-2020-township -F units=)
    [ "$code" = 400 ] && has_text "$T/e.json" '请填写被考核单位名称' || fail "no units: $code"
    code=$(post api/blank "$T/e2.json" -F rubric=nonesuch -F units=两江镇)
    [ "$code" = 400 ] && has_text "$T/e2.json" '请选择考核细则' || fail "no rubric: $code"
    stop_server
}

# An uploaded rubric is checked with `rubric check`'s messages and used.
test_serve_uploaded_rubric() {
    start_server
    sed 's/^id,lingui-2020-township$/id,office-2021-township/' \
        templates/rubrics/lingui-2020-township.csv >"$T/office.csv"
    grep -q '^id,office-2021-township' "$T/office.csv" || fail "the rubric's id line moved"
    sed 's/lingui-2020-township/office-2021-township/' samples/两江镇.csv >"$T/两江镇.csv"
    code=$(post api/rank "$T/r.json" -F "rubric=@$T/office.csv" -F "file=@$T/两江镇.csv")
    [ "$code" = 200 ] || fail "an uploaded rubric: $code $(head -c 300 "$T/r.json")"
    "$PY" -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert [(u['unit'], u['rubric'], u['total']) for u in d['result']['units']] == [('两江镇', 'office-2021-township', '36.8')], d['result']
" "$T/r.json"
    printf 'id,bad\ntitle,x\n' >"$T/bad.csv"
    code=$(post api/rank "$T/b.json" -F "rubric=@$T/bad.csv" -F "file=@samples/临桂镇.csv")
    [ "$code" = 200 ] || fail "a bad rubric beside a good checklist: $code"
    "$KAOHE" rubric check "$T/bad.csv" >/dev/null 2>"$T/check.err" || true
    "$PY" - "$T/b.json" "$T/check.err" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
msgs = [m for m in d['messages'] if m.startswith('bad.csv')]
assert msgs, d['messages']
# The same problems as `kaohe rubric check` finds (its lines name the path).
assert len(msgs) >= 1 and any('bad.csv' in l for l in open(sys.argv[2]))
PY
    stop_server
}

test_serve_refusals() {
    start_server
    # A body that does not come (1 KiB/s at least) is cut after 10 s
    # (checked last).
    "$PY" - "${URL}" "$TOKEN" >"$T/idle" 2>&1 <<'PY' &
import socket, sys, time
host, port = sys.argv[1].split('//')[1].rstrip('/').split(':')
s = socket.create_connection((host, int(port)))
s.sendall(b'POST /api/rank HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token %s\r\n'
          b'Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 100\r\n\r\n'
          % sys.argv[2].encode())
t = time.time()
s.settimeout(120)
try:
    data = s.recv(100)
except Exception as e:
    data = b'!'
print('closed after %d s' % (time.time() - t) if data == b'' else 'open: %r' % data)
PY
    IPID=$!
    # No file at all: 400, in Chinese; a file that is no checklist is read
    # and refused in the command line's words.
    code=$(post api/rank "$T/r1" -F "kind=x")
    [ "$code" = 400 ] && has_text "$T/r1" '没有收到检查表' || fail "no checklist: $code"
    printf '请各单位于12月5日前报送\n' >"$T/通知.txt"
    code=$(post api/rank "$T/r1" -F "file=@$T/通知.txt")
    [ "$code" = 200 ] && has_text "$T/r1" '通知.txt：该文件中没有检查表' || fail "通知.txt: $code $(head -c 300 "$T/r1")"
    # A file past the limit (32 MiB): 413.
    head -c $((33 << 20)) /dev/zero >"$T/big.csv"
    code=$(post api/rank "$T/r2" -F "file=@$T/big.csv")
    [ "$code" = 413 ] && has_text "$T/r2" '32 MiB' || fail "big file: $code $(cat "$T/r2")"
    # More files than a request may hold: 413.
    "$PY" - "$T/many.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for i in range(2001):
        z.writestr('%04d.csv' % i, 'x')
PY
    code=$(post api/rank "$T/r3" -F "file=@$T/many.zip")
    [ "$code" = 413 ] && has_text "$T/r3" '2000' || fail "2001 files: $code $(cat "$T/r3")"
    # An archive that unpacks to more than a request may hold (512 MiB):
    # 413 once the limit is passed, not after filling the disk.
    "$PY" - "$T/huge.zip" <<'PY'
import sys, zipfile
zero = bytes(31 << 20)
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for i in range(17):
        z.writestr('%02d.csv' % i, zero)
PY
    code=$(post api/rank "$T/r3b" -F "file=@$T/huge.zip")
    [ "$code" = 413 ] && has_text "$T/r3b" '压缩包解开后超过一次上传的上限（512 MiB）' || fail "17 x 31 MiB: $code $(cat "$T/r3b")"
    # A typed field past 64 KiB: 413.
    head -c 70000 /dev/zero | tr '\0' 'x' >"$T/long"
    code=$(post api/blank "$T/r4" -F rubric=lingui-2020-township -F "units=<$T/long")
    [ "$code" = 413 ] && has_text "$T/r4" '64 KiB' || fail "long field: $code"
    # A POST that another site's page makes the browser send: 403.
    code=$(post api/rank "$T/r5" -H 'Origin: http://evil.example' -F "file=@samples/两江镇.csv")
    [ "$code" = 403 ] && has_text "$T/r5" '拒绝来自其他网站的请求' || fail "cross-site POST: $code"
    # The same host with another port is another site too.
    code=$(post api/rank "$T/r6" -H 'Origin: http://127.0.0.1:1' -F "file=@samples/两江镇.csv")
    [ "$code" = 403 ] || fail "another port's POST: $code"
    # An upload's name never becomes a path.
    code=$(post api/rank "$T/r7" -F "file=@samples/两江镇.csv;filename=../../escape.csv")
    [ "$code" = 200 ] || fail "a path-like name: $code"
    [ ! -e "$T/escape.csv" ] && [ ! -e "$T/tmp/escape.csv" ] && [ ! -e escape.csv ] ||
        fail "the file name became a path"
    # Not a form, a method or a page it has: 4xx in Chinese.
    code=$(post api/rank "$T/r8" -H 'Content-Type: application/json' --data '{}')
    [ "$code" = 400 ] || fail "not a form: $code"
    code=$(curl -s -X PUT -o "$T/r9" -w '%{http_code}' "${URL}api/rank")
    [ "$code" = 405 ] && has_text "$T/r9" '不支持的请求' || fail "PUT: $code"
    code=$(curl -s -o "$T/r10" -w '%{http_code}' "${URL}etc/passwd")
    [ "$code" = 404 ] || fail "unknown page: $code"
    # Without a workspace there is nothing to download by GET.
    code=$(curl -s -o "$T/r11" -w '%{http_code}' "${URL}api/download?what=ranking")
    [ "$code" = 400 ] || fail "GET download without a workspace: $code"
    # More connections than allowed (32): the server holds no more than
    # that (the oldest waiting are shed), and a prompt client is served
    # while they are open.
    "$PY" - "$URL" "$SPID" <<'PY'
import os, socket, subprocess, sys, time
host, port = sys.argv[1].split('//')[1].rstrip('/').split(':')
socks = [socket.create_connection((host, int(port))) for _ in range(40)]
for s in socks:
    s.sendall(b'GET / HTTP/1.1\r\n')
time.sleep(1)
fds = os.listdir('/proc/%s/fd' % sys.argv[2])
n = sum(os.readlink('/proc/%s/fd/%s' % (sys.argv[2], f)).startswith('socket:') for f in fds)
r = subprocess.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '2',
                    sys.argv[1] + 'api/state'], capture_output=True, text=True)
for s in socks:
    s.close()
# 32 connections, the listening socket, the idle one above, and the
# daemon's own signalling pair.
assert 32 <= n <= 36, 'the server holds %d sockets' % n
assert r.stdout == '200', 'not served while 40 wait: %r' % r.stdout
PY
    sleep 1
    code=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
    [ "$code" = 200 ] || fail "not serving after the refusals: $code"
    wait $IPID
    grep -Eq 'closed after (9|1[0-3]) s' "$T/idle" || fail "idle connection: $(cat "$T/idle")"
    [ -z "$(ls -A "$T/tmp")" ] || fail "files left in TMPDIR: $(ls "$T/tmp")"
    stop_server
}

# Files that are no checklist, uploaded, get the command line's words,
# found by their content (a PDF, an image, a .docx, a text file, whatever
# their names), and the ranking goes on without them; a .zip with no
# checklist in it says so.
test_serve_not_checklists_in_cli_words() {
    printf '%%PDF-1.4\n%%...\n' >"$T/两江镇签到单.pdf"
    printf '\x89PNG\r\n\x1a\n0000' >"$T/照片.png"
    cp "$T/两江镇签到单.pdf" "$T/看起来像表格.xlsx"
    "$PY" - "$T" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + '/材料.zip', 'w') as z:
    z.writestr('说明.txt', '没有检查表')
    z.writestr('签到单.pdf', b'%PDF-1.4\n')
PY
    expect_exit 1 "$KAOHE" score "$T/两江镇签到单.pdf" "$T/照片.png" "$T/看起来像表格.xlsx"
    start_server
    code=$(post api/rank "$T/r.json" -F "file=@$T/两江镇签到单.pdf" -F "file=@$T/照片.png" \
        -F "file=@$T/看起来像表格.xlsx" -F "file=@samples/两江镇.csv" -F "file=@$T/材料.zip")
    [ "$code" = 200 ] || fail "upload: $code $(head -c 300 "$T/r.json")"
    "$PY" - "$T/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
res = d['result']
assert [u['unit'] for u in res['units']] == ['两江镇'], res['units']
errs = {r['source']: r['errors'] for r in res['rejected']}
pdf = '两江镇签到单.pdf：不是检查表（PDF 文件）：打印或扫描的表格无法评分，请填写用 kaohe template 生成的检查表工作簿（.xlsx）后提交该文件'
assert errs['两江镇签到单.pdf'] == [pdf], errs
assert errs['看起来像表格.xlsx'][0].startswith('看起来像表格.xlsx：不是检查表（PDF 文件）'), errs
assert errs['照片.png'][0].startswith('照片.png：不是检查表（图片）：照片或扫描件无法评分'), errs
assert any(m.startswith('材料.zip：不是检查表（压缩包里没有') for m in d['messages']), d['messages']
PY
    stop_server
}
