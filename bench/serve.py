"""kaohe serve in make bench (bench/README.md): 500 checklists uploaded as
one .zip, answered against `kaohe rank` of the same files (the issue asks
for at most 1.5 times its time), and 20 clients uploading 50 checklists
each at once: every answer checked, the server's peak RSS reported.

Only 127.0.0.1 is contacted.
"""
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
import uuid
import zipfile


def multipart(files, fields=()):
    """A multipart/form-data body of (name, filename, bytes) and fields."""
    b = uuid.uuid4().hex
    out = []
    for k, v in fields:
        out.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (b, k, v)).encode())
    for k, name, data in files:
        out.append(('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                    'Content-Type: application/octet-stream\r\n\r\n' % (b, k, name)).encode('utf-8'))
        out.append(data)
        out.append(b'\r\n')
    out.append(('--%s--\r\n' % b).encode())
    return b''.join(out), 'multipart/form-data; boundary=' + b


# The secret of the server started last (kaohe serve without accounts
# prints it in its URL; every API call must carry it).
TOKEN = ''


def post(port, path, body, ctype):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=600)
    c.request('POST', path, body, {'Content-Type': ctype, 'Authorization': 'token ' + TOKEN})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def start(kaohe):
    # As an office runs it: no TMPDIR, so request folders go to /dev/shm
    # when it has room (src/server.c, request_folder).
    env = dict(os.environ)
    env.pop('TMPDIR', None)
    p = subprocess.Popen([kaohe, 'serve', '--listen', '127.0.0.1:0'], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env, text=True)
    line = p.stdout.readline()
    m = re.search(r'127\.0\.0\.1:(\d+)/(?:\?token=([0-9a-f]+))?', line)
    if not m:
        p.kill()
        raise RuntimeError('kaohe serve did not start: %r' % line)
    global TOKEN
    TOKEN = m.group(2) or ''
    return p, int(m.group(1))


def peak_rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return 0


def leftovers():
    """Request folders in the places kaohe serve makes them."""
    out = []
    for d in ('/dev/shm', os.environ.get('TMPDIR') or '/tmp'):
        if os.path.isdir(d):
            out += [os.path.join(d, f) for f in os.listdir(d) if f.startswith('kaohe-serve.')]
    return out


def totals(doc):
    return sorted((u['unit'], u['rubric'], u['total'], u['vetoed']) for u in doc['units'])


def run(kaohe, corpus, work, runs):
    """Returns (lines to print, problems)."""
    problems = []
    names = sorted(f for f in os.listdir(corpus) if f.endswith(('.xlsx', '.csv')))[:500]
    files500 = os.path.join(work, 'serve-500')
    shutil.rmtree(files500, ignore_errors=True)
    os.makedirs(files500)
    for n in names:
        shutil.copy(os.path.join(corpus, n), files500)
    zpath = os.path.join(work, 'serve-500.zip')
    with zipfile.ZipFile(zpath, 'w', zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.write(os.path.join(files500, n), n)
    zdata = open(zpath, 'rb').read()
    out = os.path.join(work, 'serve-rank.xlsx')
    cli_json = os.path.join(work, 'serve-rank.json')
    subprocess.run([kaohe, 'rank', '-q', files500, '-o', out, '--json', cli_json],
                   stderr=subprocess.DEVNULL)
    want = totals(json.load(open(cli_json, encoding='utf-8')))

    p, port = start(kaohe)
    before = set(leftovers())
    try:
        rank_t, serve_t = [], []
        body, ctype = multipart([('file', 'checklists.zip', zdata)])
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([kaohe, 'rank', '-q', files500, '-o', out], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            rank_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            status, data = post(port, '/api/rank', body, ctype)
            doc = json.loads(data)
            serve_t.append(time.perf_counter() - t)
            if status != 200 or totals(doc['result']) != want:
                problems.append('serve: the zip of checklists was answered otherwise than kaohe rank')
        rk, sv = statistics.median(rank_t), statistics.median(serve_t)

        # 20 clients, 50 checklists each, all at once.
        m = len(names)
        groups = [sorted({names[(i * 23 + k) % m] for k in range(min(50, m))}) for i in range(20)]
        wants = []
        for i, g in enumerate(groups):
            d = os.path.join(work, 'serve-g%d' % i)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            for n in g:
                os.link(os.path.join(files500, n), os.path.join(d, n))
            r = subprocess.run([kaohe, 'score', '-q', d, '--format', 'json', '-o', '-'],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            wants.append(totals(json.loads(r.stdout)))
        answers = [None] * 20

        def client(i):
            b, ct = multipart([('file', n, open(os.path.join(files500, n), 'rb').read())
                               for n in groups[i]])
            st, data = post(port, '/api/rank', b, ct)
            answers[i] = (st, totals(json.loads(data)['result']) if st == 200 else data[:200])

        t = time.perf_counter()
        ts = [threading.Thread(target=client, args=(i,)) for i in range(20)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()
        many = time.perf_counter() - t
        bad = [i for i in range(20) if answers[i] is None or answers[i][0] != 200 or answers[i][1] != wants[i]]
        if bad:
            problems.append('serve: %d of 20 simultaneous clients got a wrong answer: %r'
                            % (len(bad), [answers[i] and answers[i][0] for i in bad]))
        rss = peak_rss_kib(p.pid)
        left = set(leftovers()) - before
        if left:
            problems.append('serve: %d request folders left in TMPDIR' % len(left))
    finally:
        p.terminate()
        p.wait()
    lines = [
        'serve, %d checklists as one .zip: %.3f s against kaohe rank of the same files %.3f s: '
        '%.2f× (the issue allows 1.5× for 500: %s)' % (len(names), sv, rk, sv / rk,
                                                      'met' if sv / rk <= 1.5 else 'NOT met'),
        'serve, 20 clients × 50 checklists at once: all answered correctly: %s, %.2f s in all; '
        'server peak RSS %.0f MiB (run budget 1024 MiB)' % ('yes' if not any('20 sim' in x for x in problems) else 'NO',
                                                           many, rss / 1024.0),
    ]
    # A ratio is a figure to read beside its target, as the readers' are,
    # not a mismatch: a loaded machine (or Wine) must not fail the run.
    return lines, problems
