"""The online 填报 under load (bench/README.md, issue 25): kaohe serve with
a workspace on 127.0.0.1, a roster of UNITS units (两江镇 and generated
ones); 两江镇's form filled from samples/两江镇.csv and submitted; then
every other unit's user saves ROUNDS drafts (at most CONCURRENCY requests
in flight: the client is bounded, as a real office's browsers are by the
people behind them) while an inspector saves 考评 answers on 两江镇 the
whole time.  Checked: every save answered 200, none lost (each unit's
final version is ROUNDS and its last values are there; the inspector's
version is the number of its saves); the p50 / p95 / max of a draft save
reported, and the run fails when p95 reaches 300 ms.

  python3 bench/fill_load.py --kaohe build/kaohe [--units 100] [--rounds 5]
                             [--concurrency 16]

Only 127.0.0.1 is contacted.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Server:
    def __init__(self, kaohe, ws):
        self.p = subprocess.Popen([kaohe, 'serve', '--listen', '127.0.0.1:0', '--workspace', ws],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.p.stdout.readline()
        m = re.search(r'127\.0\.0\.1:(\d+)/(?:\?token=([0-9a-f]+))?', line)
        if not m:
            self.p.kill()
            raise SystemExit('kaohe serve did not start: %r' % line)
        self.port, self.token = int(m.group(1)), m.group(2) or ''

    def call(self, method, path, body=None, ctype=None):
        c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=60)
        h = {'Authorization': 'token ' + self.token}
        if ctype:
            h['Content-Type'] = ctype
        c.request(method, path, body, h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    def json(self, path, obj):
        st, data = self.call('POST', path, json.dumps(obj).encode(), 'application/json')
        return st, json.loads(data)

    def upload(self, path, field, name, data):
        b = uuid.uuid4().hex
        body = (('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                 'Content-Type: application/octet-stream\r\n\r\n' % (b, field, name)).encode()
                + data + ('\r\n--%s--\r\n' % b).encode())
        return self.call('POST', path, body, 'multipart/form-data; boundary=' + b)

    def stop(self):
        self.p.terminate()
        self.p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kaohe', required=True)
    ap.add_argument('--units', type=int, default=100)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--concurrency', type=int, default=16)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix='kaohe-fill-load.')
    s = Server(a.kaohe, os.path.join(work, 'ws'))
    try:
        units = ['两江镇'] + ['测试镇%03d' % i for i in range(1, a.units)]
        roster = '序号,被考核单位,单位类型\n' + ''.join('%d,%s,乡镇\n' % (i + 1, u) for i, u in enumerate(units))
        st, _ = s.upload('/api/rank', 'roster', 'roster.csv', roster.encode())
        assert st == 200, st
        q = urllib.parse.quote('两江镇')
        st, data = s.upload('/api/fill/upload?unit=%s&version=0' % q, 'file', '两江镇.csv',
                            open(os.path.join(TOP, 'samples', '两江镇.csv'), 'rb').read())
        assert st == 200, (st, data[:300])
        st, doc = s.json('/api/fill/submit', {'unit': '两江镇', 'version': 1})
        assert st == 200 and doc['status']['state'] == '已提交', (st, doc.get('error'))

        sem = threading.Semaphore(a.concurrency)
        lat, errors = [], []
        lock = threading.Lock()
        done = threading.Event()

        def unit_user(u):
            v = 0
            for i in range(a.rounds):
                body = {'unit': u, 'version': v, 'answers': [
                    {'cp': '1.1', 'value': '有' if i % 2 else '无'},
                    {'cp': '3.1', 'value': str(i)}, {'cp': '1.2', 'remark': '第%d次' % i}]}
                with sem:
                    t = time.time()
                    try:
                        st, doc = s.json('/api/fill/save', body)
                    except Exception as e:  # a refused connection is a lost save
                        st, doc = 0, {'error': str(e)}
                    dt = time.time() - t
                with lock:
                    lat.append(dt)
                    if st != 200:
                        errors.append((u, st, doc.get('error')))
                if st == 200:
                    v = doc['version']

        review_saves = [0]

        def inspector():
            v, i = 0, 0
            while not done.is_set():
                body = {'unit': '两江镇', 'side': 'review', 'version': v,
                        'answers': [{'cp': '1.1', 'agree': i % 2 == 0, 'value': '无',
                                     'note': '核对第%d次' % i}]}
                with sem:
                    try:
                        st, doc = s.json('/api/fill/save', body)
                    except Exception as e:
                        st, doc = 0, {'error': str(e)}
                if st != 200:
                    with lock:
                        errors.append(('考评', st, doc.get('error')))
                    break
                v = doc['version']
                review_saves[0] += 1
                i += 1

        rt = threading.Thread(target=inspector)
        ts = [threading.Thread(target=unit_user, args=(u,)) for u in units[1:]]
        t0 = time.time()
        rt.start()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        done.set()
        rt.join()
        wall = time.time() - t0

        # No lost save: each unit's last values and version are there.
        lost = []
        for u in units[1:]:
            st, data = s.call('GET', '/api/fill?unit=' + urllib.parse.quote(u))
            doc = json.loads(data)
            ans = doc['self']['answers']
            last = a.rounds - 1
            if (doc['self']['version'] != a.rounds or ans['3.1']['value'] != str(last)
                    or ans['1.2']['remark'] != '第%d次' % last):
                lost.append(u)
        st, data = s.call('GET', '/api/fill?unit=' + q)
        doc = json.loads(data)
        if doc['review']['version'] != review_saves[0] or doc['status']['state'] != '考评中':
            lost.append('考评 of 两江镇')
        lat.sort()
        p = lambda f: 1000 * lat[min(len(lat) - 1, int(len(lat) * f))]
        print('fill load: %d units x %d draft saves (%d in flight at most) and %d 考评 saves at once: '
              '%.1f s; draft save p50 %.0f ms, p95 %.0f ms, max %.0f ms; refused %d, lost %d'
              % (len(units) - 1, a.rounds, a.concurrency, review_saves[0], wall, p(.5), p(.95),
                 1000 * lat[-1], len(errors), len(lost)))
        for e in errors[:5]:
            print('  refused:', e)
        for u in lost[:5]:
            print('  lost:', u)
        return 0 if not errors and not lost and p(.95) < 300 else 1
    finally:
        s.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
