#!/usr/bin/python3
"""The benchmark behind `make bench`: one run, one table.

    /usr/bin/python3 bench/run.py --kaohe build/kaohe --floor build/bench/floor
                                  [--n 2000] [--runs 5] [--peer-runs 3] [--work DIR]

1. Writes (or reuses) a corpus of N checklists with bench/gen.py in
   bench/corpus/nN.
2. Times whole processes, several runs each, taking turns so that a busy
   machine slows them alike:
     floor         bench/floor: inflate + expat with empty handlers, CSVs read
     score json    kaohe score -j 1 --format json -o -
     score xlsx    kaohe score -j 1 -o DIR            (XLSX scoresheets)
     rank          kaohe rank  -j 1 -o RANKING.xlsx
     write floor   bench/write_floor: libxlsxwriter making as many workbooks
                   as kaohe writes scoresheets, each with as many rows of
                   cells as they have items, but no formats, merged cells,
                   row heights or page settings
   the same three with -j J (J = online CPUs) to show the parallel speed-up,
   and the openpyxl peer (bench/peer.py) doing the same three jobs.
3. Checks the peer against kaohe: the same units in the same order with
   the same totals, vetoes and item scores, the same rejected files, the
   same scoresheet file names with the same scores, the same ranking
   sheets (ranks, units, item scores).  Any difference fails the run
   (exit 1) after printing it.
4. Prints the table: median wall time and spread (min-max) of each
   command, its median CPU time (user + system), throughput in checklists
   per second, kaohe against the peer (how many times faster) and against
   the floor (how many times the floor's time it takes: the parsing floor
   for score json, both floors together for score xlsx), by wall time and
   in brackets by CPU time (steadier on a busy machine), peak RSS.

Times are wall-clock seconds of the whole process (start-up included);
peak RSS is the child's maximum resident set as GNU time (/usr/bin/time)
reports it.  No target is asserted:
the numbers are reported as measured.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = '/usr/bin/python3'


TIME = '/usr/bin/time'


def run_once(argv, stdout_path=None, rss_file=None):
    """(wall seconds, CPU seconds, peak RSS in KiB, exit status) of one
    process (CPU: user + system, its children included).

    The peak RSS comes from GNU time when it is there: the ru_maxrss of a
    child forked from this Python process would count the Python process
    it was copied from (Linux keeps the high-water mark across exec)."""
    out = open(stdout_path, 'wb') if stdout_path else subprocess.DEVNULL
    use_time = rss_file and os.access(TIME, os.X_OK)
    if use_time:
        argv = [TIME, '-f', '%M', '-o', rss_file] + argv
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _pid, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        rc = os.waitstatus_to_exitcode(status)
    finally:
        if stdout_path:
            out.close()
    rss, cpu = ru.ru_maxrss, ru.ru_utime + ru.ru_stime
    if use_time:
        with open(rss_file, encoding='ascii') as f:
            lines = f.read().split()
        # GNU time reports "Command exited with non-zero status N" first.
        rss = int(lines[-1])
    return wall, cpu, rss, rc


def remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


class Cmd:
    """A command timed `runs` times.  With dest, the argument OUT of argv is
    replaced by a path of its own for every run (dest.r1, dest.r2 ..., the
    number before dest's extension if it has one):
    outputs are not deleted before the next run but all at the end, and
    the last run's becomes dest (for the checks).  Deleting thousands of
    files just before a run would make that run pay for it: ext4 without
    a journal (as on the machine of bench/README.md) looks past every
    recently deleted inode each time it allocates one, so a run writing N
    files after N were deleted costs O(N^2) in the kernel, peer and kaohe
    alike."""

    def __init__(self, key, label, argv, runs, out=None, dest=None, ok=(0, 1)):
        self.key, self.label, self.argv, self.runs = key, label, argv, runs
        self.out, self.dest, self.ok = out, dest, ok
        self.walls, self.cpus, self.rss = [], [], 0
        self.rss_file = None
        self.made = []

    def run(self):
        argv = self.argv
        if self.dest:
            root, ext = os.path.splitext(self.dest)
            path = '%s.r%d%s' % (root, len(self.made) + 1, ext)
            remove(path)  # left by an earlier bench
            self.made.append(path)
            argv = [path if a == 'OUT' else a for a in argv]
        wall, cpu, rss, rc = run_once(argv, self.out, self.rss_file)
        if rc not in self.ok:
            sys.exit('bench: %s exited with %d: %s' % (self.label, rc, ' '.join(argv)))
        self.walls.append(wall)
        self.cpus.append(cpu)
        self.rss = max(self.rss, rss)

    def tidy(self):
        """Keep the last run's output as dest, remove the others."""
        if not self.made:
            return
        remove(self.dest)
        os.rename(self.made[-1], self.dest)
        for path in self.made[:-1]:
            remove(path)
        self.made = []

    @property
    def median(self):
        return statistics.median(self.walls)

    @property
    def cpu(self):
        return statistics.median(self.cpus)


# ---- checks: the peer must agree with kaohe ----

def check_json(kj, pj, problems):
    k, p = json.load(open(kj, encoding='utf-8')), json.load(open(pj, encoding='utf-8'))
    if len(k['units']) != len(p['units']):
        problems.append('units: kaohe %d, peer %d' % (len(k['units']), len(p['units'])))
    reasons = 0
    for a, b in zip(k['units'], p['units']):
        for key in ('unit', 'rubric', 'source', 'total', 'vetoed'):
            if a[key] != b[key]:
                problems.append('%s: %s kaohe %r, peer %r' % (a['source'], key, a[key], b[key]))
        for x, y in zip(a['items'], b['items']):
            for key in ('item', 'deduction', 'score'):
                if x[key] != y[key]:
                    problems.append('%s item %s: %s kaohe %r, peer %r'
                                    % (a['source'], x['item'], key, x[key], y[key]))
            reasons += x['reason'] != y['reason']
    ks = [r['source'] for r in k['rejected']]
    ps = [r['source'] for r in p['rejected']]
    if ks != ps:
        problems.append('rejected files differ: kaohe %s, peer %s' % (ks[:5], ps[:5]))
    return len(k['units']), len(ks), reasons


def sheet_rows(path, data_only):
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def num(v):
    from decimal import Decimal
    return None if v is None else Decimal(str(v)).normalize()


def check_scoresheets(kdir, pdir, problems, sample=20):
    kn, pn = sorted(os.listdir(kdir)), sorted(os.listdir(pdir))
    if kn != pn:
        problems.append('scoresheet files differ: %d kaohe, %d peer, e.g. %s'
                        % (len(kn), len(pn), sorted(set(kn) ^ set(pn))[:3]))
        return
    for name in random.Random(1).sample(kn, min(sample, len(kn))):
        ks = next(iter(sheet_rows(os.path.join(kdir, name), True).values()))
        ps = next(iter(sheet_rows(os.path.join(pdir, name), True).values()))
        # 得分情况 (column E) of the item rows; the peer's total is a formula
        # without a stored value, so the totals are checked through the items.
        kscores = [num(r[4]) for r in ks if r and isinstance(r[0], int)]
        pscores = [num(r[4]) for r in ps if r and isinstance(r[0], int)]
        if kscores != pscores:
            problems.append('scoresheet %s: item scores differ' % name)


def check_ranking(kpath, ppath, problems):
    k, p = sheet_rows(kpath, True), sheet_rows(ppath, True)
    ranked = [t for t in k if not t.endswith('得分图') and t not in ('扣分明细', '未通过的文件', '来源', '变更情况', '问题汇总', '问题汇总图')]
    for title in ranked:
        if title not in p:
            problems.append('ranking sheet %s missing from the peer' % title)
            continue
        # rank, unit, item scores (the totals are formulas in the peer)
        krows = [[r[0], r[1]] + [num(v) for v in r[2:-3]] for r in k[title][3:] if r and r[1]]
        prows = [[r[0], r[1]] + [num(v) for v in r[2:-3]] for r in p[title][3:] if r and r[1]]
        krows = [r for r in krows if not str(r[1]).startswith('注：')]
        prows = [r for r in prows if not str(r[1]).startswith('注：')]
        if krows != prows:
            bad = next((i for i, (a, b) in enumerate(zip(krows, prows)) if a != b), None)
            problems.append('ranking sheet %s differs (%d rows kaohe, %d peer; first at row %s)'
                            % (title, len(krows), len(prows), bad))
    # The rows below the header row (kaohe's sheet has a title row above it).
    def below_head(rows):
        i = next((i for i, r in enumerate(rows) if r and r[0] == '被考核单位'), -1)
        return rows[i + 1:]
    kd, pd = below_head(k.get('扣分明细', [])), below_head(p.get('扣分明细', []))
    if len(kd) != len(pd):
        problems.append('扣分明细: %d rows kaohe, %d peer' % (len(kd), len(pd)))


# ---- the table ----

def fmt_rss(kib):
    return '%.1f' % (kib / 1024.0)


def table(n, rows, floor, wfloor, peers, jobs):
    head = ['command', 'runs', 'median s', 'spread s', 'CPU s', 'checklists/s',
            'speed vs peer (CPU)', 'time vs floor (CPU)', 'peak RSS MiB']
    lines = []
    for c in rows:
        vs_peer = vs_floor = ''
        peer = peers.get(c.key)
        if peer is not None and c is not peer:
            vs_peer = '%.1f× (%.1f×)' % (peer.median / c.median, peer.cpu / c.cpu)
        if c.key == 'json' and c not in peers.values():
            vs_floor = '%.2f× (%.2f×)' % (c.median / floor.median, c.cpu / floor.cpu)
        elif c.key == 'xlsx' and c not in peers.values():
            # Reading and writing: against both floors together.
            vs_floor = '%.2f× (%.2f×)' % (c.median / (floor.median + wfloor.median),
                                          c.cpu / (floor.cpu + wfloor.cpu))
        lines.append([c.label, str(len(c.walls)), '%.3f' % c.median,
                      '%.3f–%.3f' % (min(c.walls), max(c.walls)), '%.3f' % c.cpu,
                      '%.0f' % (n / c.median), vs_peer, vs_floor, fmt_rss(c.rss)])
    w = [max(len(head[i]), *(len(l[i]) for l in lines)) for i in range(len(head))]
    out = ['| ' + ' | '.join(h.ljust(w[i]) for i, h in enumerate(head)) + ' |',
           '|' + '|'.join('-' * (x + 2) for x in w) + '|']
    for l in lines:
        out.append('| ' + ' | '.join(v.ljust(w[i]) for i, v in enumerate(l)) + ' |')
    return '\n'.join(out)


def twin(corpus, ext):
    """The corpus's .xlsx files (links in CORPUS-xlsx) and the same saved by
    LibreOffice as .EXT (CORPUS-EXT), made once.  The links name their
    targets by absolute path (a relative one would resolve from the links'
    folder)."""
    corpus = os.path.abspath(corpus)
    xlsx_dir, out_dir = corpus + '-xlsx', corpus + '-' + ext
    names = sorted(f for f in os.listdir(corpus) if f.endswith('.xlsx'))
    if not os.path.exists(os.path.join(xlsx_dir, '.done')):
        shutil.rmtree(xlsx_dir, ignore_errors=True)
        os.makedirs(xlsx_dir)
        for f in names:
            os.symlink(os.path.join(corpus, f), os.path.join(xlsx_dir, f))
        open(os.path.join(xlsx_dir, '.done'), 'w').close()
    if not os.path.exists(os.path.join(out_dir, '.done')):
        shutil.rmtree(out_dir, ignore_errors=True)
        os.makedirs(out_dir)
        profile = 'file://' + os.path.abspath(out_dir + '.lo')
        # In batches: one soffice given 300 files stopped after 247 of
        # them, silently and with status 0.
        for i in range(0, len(names), 100):
            subprocess.run(['soffice', '-env:UserInstallation=' + profile, '--headless',
                            '--convert-to', ext, '--outdir', out_dir]
                           + [os.path.join(corpus, f) for f in names[i:i + 100]],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        made = [f for f in os.listdir(out_dir) if f.endswith('.' + ext)]
        if len(made) != len(names):
            raise RuntimeError('LibreOffice made %d of %d .%s twins' % (len(made), len(names), ext))
        shutil.rmtree(out_dir + '.lo', ignore_errors=True)
        open(os.path.join(out_dir, '.done'), 'w').close()
    return xlsx_dir, out_dir


def csv_half(corpus):
    """The corpus's CSV checklists as links in CORPUS-csv (made once),
    by absolute path as twin()'s."""
    corpus = os.path.abspath(corpus)
    out = corpus + '-csv'
    if not os.path.exists(os.path.join(out, '.done')):
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        for f in sorted(os.listdir(corpus)):
            if f.endswith('.csv'):
                os.symlink(os.path.join(corpus, f), os.path.join(out, f))
        open(os.path.join(out, '.done'), 'w').close()
    return out


def main(argv):
    ap = argparse.ArgumentParser(description='kaohe benchmark (make bench)')
    ap.add_argument('--kaohe', required=True)
    ap.add_argument('--floor', required=True)
    ap.add_argument('--write-floor', required=True)
    ap.add_argument('--n', type=int, default=int(os.environ.get('N', 2000)))
    ap.add_argument('--runs', type=int, default=int(os.environ.get('RUNS', 5)))
    ap.add_argument('--peer-runs', type=int, default=int(os.environ.get('PEER_RUNS', 3)))
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1,
                    help='the -j of the parallel rows (default: online CPUs)')
    ap.add_argument('--work', default=os.path.join(HERE, '..', 'build', 'bench'))
    ap.add_argument('--corpus', help='default: bench/corpus/nN')
    ap.add_argument('--rank-n', type=int, default=int(os.environ.get('RANK_N', 20000)),
                    help='units of the large ranking row (RANK_N; 0: no such row)')
    ap.add_argument('--rank-runs', type=int, default=int(os.environ.get('RANK_RUNS', 3)))
    a = ap.parse_args(argv)

    kaohe, floor_bin = os.path.abspath(a.kaohe), os.path.abspath(a.floor)
    wfloor_bin = os.path.abspath(a.write_floor)
    work = os.path.abspath(a.work)
    corpus = a.corpus or os.path.join(HERE, 'corpus', 'n%d' % a.n)
    os.makedirs(work, exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run([PY, os.path.join(HERE, 'gen.py'), str(a.n), corpus], check=True)
    print('bench: corpus of %d checklists in %s (%.1f s)' % (a.n, os.path.relpath(corpus),
                                                          time.perf_counter() - t0), flush=True)
    peer = [PY, os.path.join(HERE, 'peer.py')]
    W = lambda name: os.path.join(work, name)  # noqa: E731
    k1 = [kaohe, 'score', '-q', '-j', '1']
    # The writing floor makes as many workbooks as kaohe writes scoresheets,
    # with as many rows of cells as they have items.
    run_once(k1 + [corpus, '--format', 'json', '-o', '-'], W('kaohe.json'))
    with open(W('kaohe.json'), encoding='utf-8') as f:
        units = json.load(f)['units']
    nsheets = len(units)
    rows = round(sum(len(u['items']) for u in units) / max(nsheets, 1))
    cmds = [
        Cmd('floor', 'floor (inflate+expat, read CSV)', [floor_bin, corpus], a.runs),
        Cmd('wfloor', 'floor for writing (same cells, no styles)',
            [wfloor_bin, 'OUT', str(nsheets), str(rows)], a.runs, dest=W('ss-floor')),
        Cmd('json', 'kaohe score json -j 1', k1 + [corpus, '--format', 'json', '-o', '-'], a.runs,
            out=W('kaohe.json')),
        Cmd('xlsx', 'kaohe score xlsx -j 1', k1 + [corpus, '-o', 'OUT'], a.runs,
            dest=W('ss-kaohe')),
        Cmd('rank', 'kaohe rank -j 1', [kaohe, 'rank', '-q', '-j', '1', corpus, '-o', 'OUT'],
            a.runs, dest=W('rank-kaohe.xlsx')),
    ]
    if a.jobs > 1:
        j = str(a.jobs)
        cmds += [
            Cmd('json', 'kaohe score json -j %s' % j,
                [kaohe, 'score', '-q', '-j', j, corpus, '--format', 'json', '-o', '-'], a.runs,
                out=W('kaohe-j.json')),
            Cmd('xlsx', 'kaohe score xlsx -j %s' % j, [kaohe, 'score', '-q', '-j', j, corpus, '-o', 'OUT'],
                a.runs, dest=W('ss-j')),
            Cmd('rank', 'kaohe rank -j %s' % j, [kaohe, 'rank', '-q', '-j', j, corpus, '-o', 'OUT'],
                a.runs, dest=W('rank-j.xlsx')),
        ]
    peers = {
        'json': Cmd('json', 'peer score json (openpyxl)', peer + ['score', corpus, '-o', '-'], a.peer_runs,
                    out=W('peer.json')),
        'xlsx': Cmd('xlsx', 'peer score xlsx (openpyxl)', peer + ['score', corpus, '-o', 'OUT'],
                    a.peer_runs, dest=W('ss-peer')),
        'rank': Cmd('rank', 'peer rank (openpyxl)', peer + ['rank', corpus, '-o', 'OUT'],
                    a.peer_runs, dest=W('rank-peer.xlsx')),
    }
    # The readers side by side: the corpus's XLSX checklists, and the same
    # workbooks saved by LibreOffice as .xls (made once, kept beside the
    # corpus), each read and scored to JSON.
    xlsx_dir, xls_dir = twin(corpus, 'xls')
    _, ods_dir = twin(corpus, 'ods')
    csv_dir = csv_half(corpus)
    readers = [
        Cmd('rd-floor', 'floor of the XLSX half', [floor_bin, xlsx_dir], a.runs),
        Cmd('rd-csv', 'kaohe score json -j 1, the CSV half', k1 + [csv_dir, '--format', 'json', '-o', '-'],
            a.runs, out=W('rd-csv.json')),
        Cmd('rd-xlsx', 'kaohe score json -j 1, the XLSX half', k1 + [xlsx_dir, '--format', 'json', '-o', '-'],
            a.runs, out=W('rd-xlsx.json')),
        Cmd('rd-xls', 'kaohe score json -j 1, the same as .xls', k1 + [xls_dir, '--format', 'json', '-o', '-'],
            a.runs, out=W('rd-xls.json')),
        Cmd('rd-ods', 'kaohe score json -j 1, the same as .ods', k1 + [ods_dir, '--format', 'json', '-o', '-'],
            a.runs, out=W('rd-ods.json')),
    ]
    everything = cmds + list(peers.values()) + readers
    for i, c in enumerate(everything):
        c.rss_file = W('rss-%d.txt' % i)

    run_once([floor_bin, corpus])  # warm the page cache
    for i in range(max(a.runs, a.peer_runs)):
        for c in everything:
            if i < c.runs:
                c.run()
        print('bench: round %d of %d done' % (i + 1, max(a.runs, a.peer_runs)), file=sys.stderr, flush=True)

    for c in everything:
        c.tidy()
    problems = []
    nunits, nrej, reasons = check_json(W('kaohe.json'), W('peer.json'), problems)
    if a.jobs > 1 and open(W('kaohe.json'), 'rb').read() != open(W('kaohe-j.json'), 'rb').read():
        problems.append('kaohe -j %d printed other JSON than -j 1' % a.jobs)
    check_scoresheets(W('ss-kaohe'), W('ss-peer'), problems)
    check_ranking(W('rank-kaohe.xlsx'), W('rank-peer.xlsx'), problems)

    def scores(path):
        with open(path, encoding='utf-8') as f:
            return sorted((u['unit'], u['rubric'], u['total'], u['vetoed'],
                           json.dumps(u['items'], ensure_ascii=False)) for u in json.load(f)['units'])
    if scores(W('rd-xlsx.json')) != scores(W('rd-xls.json')):
        problems.append('the .xls twins of the XLSX checklists score differently')
    if scores(W('rd-xlsx.json')) != scores(W('rd-ods.json')):
        problems.append('the .ods twins of the XLSX checklists score differently')
    floor, wfloor = cmds[0], cmds[1]
    rows = cmds[:5] + list(peers.values()) + cmds[5:]
    print()
    print('N = %d checklists (%d scored, %d rejected on purpose), %d CPUs; kaohe runs %d, peer runs %d'
          % (a.n, nunits, nrej, os.cpu_count() or 1, a.runs, a.peer_runs))
    print(table(a.n, rows, floor, wfloor, peers, a.jobs))
    if a.jobs > 1:
        for key in ('json', 'xlsx', 'rank'):
            one = next(c for c in cmds if c.key == key)
            par = next(c for c in cmds[5:] if c.key == key)
            print('-j %d over -j 1, %s: %.2f×' % (a.jobs, key, one.median / par.median))
    rf, rc, rx, rs, ro = readers
    nx = len([f for f in os.listdir(xlsx_dir) if f.endswith('.xlsx')])
    nc = len([f for f in os.listdir(csv_dir) if f.endswith('.csv')])
    print('readers, %d checklists each: .xlsx %.3f s (%.2f ms each), .xls %.3f s (%.2f ms each), '
          '.ods %.3f s (%.2f ms each); .xls over .xlsx: %.2f× wall (%.2f× CPU); '
          '.ods over .xlsx: %.2f× wall (%.2f× CPU)'
          % (nx, rx.median, 1000 * rx.median / max(nx, 1), rs.median, 1000 * rs.median / max(nx, 1),
             ro.median, 1000 * ro.median / max(nx, 1),
             rs.median / rx.median, rs.cpu / max(rx.cpu, 1e-9),
             ro.median / rx.median, ro.cpu / max(rx.cpu, 1e-9)))
    # Per checklist: the XLSX half against its own floor (target 1.3×), the
    # CSV half against the XLSX half (1.2×), .ods (2×) and .xls (1.5×) above.
    per = lambda c, n: c.median / max(n, 1), lambda c, n: c.cpu / max(n, 1)  # noqa: E731
    print('readers against their floors: .xlsx %.2f× the floor of the same %d files wall (%.2f× CPU; '
          'floor %.3f s); .csv, %d checklists, %.2f ms each: %.2f× .xlsx per checklist wall (%.2f× CPU)'
          % (rx.median / rf.median, nx, rx.cpu / max(rf.cpu, 1e-9), rf.median, nc,
             1000 * rc.median / max(nc, 1), per[0](rc, nc) / per[0](rx, nx),
             per[1](rc, nc) / max(per[1](rx, nx), 1e-12)))
    if a.rank_n:
        # The province-sized ranking: RANK_N units (bench/corpus/nRANK_N),
        # kaohe rank -j 1 and the parsing floor of the same files in turns.
        big = (corpus + '-rank%d' % a.rank_n) if a.corpus else os.path.join(HERE, 'corpus', 'n%d' % a.rank_n)
        subprocess.run([PY, os.path.join(HERE, 'gen.py'), str(a.rank_n), big], check=True)
        bf = Cmd('big-floor', 'floor', [floor_bin, big], a.rank_runs)
        br = Cmd('big-rank', 'rank', [kaohe, 'rank', '-q', '-j', '1', big, '-o', 'OUT'], a.rank_runs,
                 dest=W('rank-big.xlsx'))
        bj = Cmd('big-rank-j', 'rank -j', [kaohe, 'rank', '-q', '-j', str(a.jobs), big, '-o', 'OUT'],
                 a.rank_runs, dest=W('rank-big-j.xlsx'))
        bf.rss_file, br.rss_file, bj.rss_file = W('rss-bf.txt'), W('rss-br.txt'), W('rss-bj.txt')
        for i in range(a.rank_runs):
            bf.run()
            br.run()
            if a.jobs > 1:
                bj.run()
        for c in (br, bj):
            c.tidy()
            remove(c.dest)
        print('rank of %d units (-j 1, %d runs): %.2f s wall median (%.2f–%.2f), %.2f s CPU, peak RSS '
              '%.1f MiB; the parsing floor of the same files %.2f s wall, %.2f s CPU: rank %.2f× the floor '
              '(%.2f× CPU)'
              % (a.rank_n, a.rank_runs, br.median, min(br.walls), max(br.walls), br.cpu,
                 br.rss / 1024.0, bf.median, bf.cpu, br.median / bf.median, br.cpu / max(bf.cpu, 1e-9)))
        if a.jobs > 1:
            print('rank of %d units (-j %d): %.2f s wall median (%.2f–%.2f), %.2f s CPU, peak RSS %.1f MiB'
                  % (a.rank_n, a.jobs, bj.median, min(bj.walls), max(bj.walls), bj.cpu, bj.rss / 1024.0))
    sys.path.insert(0, HERE)
    import serve
    lines, more = serve.run(kaohe, corpus, work, a.runs)
    for line in lines:
        print(line)
    problems += more
    print('peer vs kaohe: same units, totals, vetoes, item scores, rejected files, scoresheet files '
          'and ranking rows: %s' % ('yes' if not problems else 'NO'))
    if reasons:
        print('note: %d item reasons worded differently by the peer (not an error)' % reasons)
    if problems:
        for p in problems[:30]:
            print('bench: MISMATCH: %s' % p, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
