#!/usr/bin/python3
"""The benchmark's peer: kaohe's job done the way a Python office script
would do it, with openpyxl (Debian's python3-openpyxl) and the csv module.

    peer.py score INPUT... -o -         the JSON result on standard output
    peer.py score INPUT... -o DIR       one XLSX scoresheet per unit in DIR
    peer.py rank  INPUT... -o R.xlsx    the ranking workbook

It reads the same rubric files (templates/rubrics/*.csv), finds the
checklist on each sheet by its labels and headers (doc/formats.md §3), scores
with the same rules in exact decimals (decimal.Decimal), writes the same
reasons, the same JSON, a scoresheet per unit laid out as the official
form, and a ranking workbook with a sheet per rubric, a bar chart, the
deduction details and the rejected inputs.  It is not a second kaohe: it
handles what the benchmark corpus holds (and says so when it meets
something it does not), with messages kept short.  Files are written as kaohe writes them: to a
temporary file, flushed to disk, renamed into place (the scoresheets in groups of 256 with one sync
per group).

Exit status as kaohe: 0 all scored, 1 some inputs rejected.
"""
import csv
import io
import json
import os
import re
import sys
from decimal import Decimal

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

HERE = os.path.dirname(os.path.abspath(__file__))
RUBRIC_DIR = os.environ.get('KAOHE_RUBRICS') or os.path.join(HERE, '..', 'templates', 'rubrics')

WS = ' \t\r\n\u3000'
FIELDS = {'考核细则': 'rubric', 'rubric': 'rubric', '被考核单位': 'unit', 'unit': 'unit',
          '考核年度': 'year', 'year': 'year', '检查组': 'inspector', 'inspector': 'inspector',
          '检查日期': 'date', 'date': 'date'}
COLUMNS = {'检查点': 'check', 'check': 'check', '检查结果': 'result', 'result': 'result',
           '检查要点': 'label', 'label': 'label', '备注': 'remark', 'remark': 'remark'}
PRESENT = {'有', '是', '√', '✓', '✔', 'y', 'yes', '1', 'true'}
MISSING = {'无', '否', '×', '✗', '✘', 'n', 'no', '0', 'false'}
MEASURES = '次起个项家人'
FULLWIDTH = str.maketrans('０１２３４５６７８９', '0123456789')
COUNT_MAX = 1000000


def fmt(d):
    """An exact decimal as kaohe prints it: 40, 38.6, 0.06."""
    s = format(d.normalize(), 'f')
    return '0' if s in ('-0', '') else s


# ---- rubrics ----

class Rubric:
    def __init__(self, path):
        with open(path, encoding='utf-8-sig', newline='') as f:
            rows = list(csv.reader(f))
        self.path = path
        meta = {}
        i = 0
        while rows[i] and rows[i][0] != 'item':
            meta[rows[i][0]] = rows[i][1]
            i += 1
        head = rows[i]
        self.id, self.title, self.unit_type = meta['id'], meta['title'], meta['unit_type']
        self.total = Decimal(meta['total'])
        self.items, self.cps = [], []
        for r in rows[i + 1:]:
            if not any(r):
                continue
            row = dict(zip(head, r))
            if not self.items or self.items[-1]['num'] != row['item']:
                self.items.append({'num': row['item'], 'points': Decimal(row['points']),
                                   'content': row['content'], 'cps': []})
            cp = {'id': row['check'], 'label': row['label'], 'kind': row['kind'],
                  'need': int(row['need']) if row['need'] else 0,
                  'per': Decimal(row['per']) if row['per'] else Decimal(0),
                  'cap': Decimal(row['cap']) if row['cap'] else None,
                  'item': len(self.items) - 1}
            self.items[-1]['cps'].append(len(self.cps))
            self.cps.append(cp)
        self.by_id = {cp['id']: k for k, cp in enumerate(self.cps)}


def load_rubrics():
    reg = {}
    for name in sorted(os.listdir(RUBRIC_DIR)):
        if name.endswith('.csv'):
            r = Rubric(os.path.join(RUBRIC_DIR, name))
            reg[r.id] = r
    return reg


# ---- readers: a sheet is {(row, col): value}, 1-based ----

def read_xlsx(path):
    """[(sheet name, cells)] of every worksheet."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = []
        for ws in wb.worksheets:
            cells = {}
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                for c, v in enumerate(row, start=1):
                    if v is None or (isinstance(v, str) and not v.strip(WS)):
                        continue
                    cells[(r, c)] = v
            out.append((ws.title, cells))
        return out
    finally:
        wb.close()


def read_csv(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data.startswith(b'\xef\xbb\xbf'):
        text = data[3:].decode('utf-8')
    else:
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError:
            text = data.decode('gb18030')
    cells = {}
    for r, row in enumerate(csv.reader(io.StringIO(text, newline=''), strict=True), start=1):
        for c, v in enumerate(row, start=1):
            if v.strip(WS):
                cells[(r, c)] = v
    return [(None, cells)]


# ---- the checklist on a sheet ----

def text_of(v):
    """What a cell shows, as text (numbers as the shortest decimal)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return 'TRUE' if v else 'FALSE'
    if hasattr(v, 'strftime'):
        return v.strftime('%Y-%m-%d')
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def norm_label(v):
    if not isinstance(v, str):
        return None
    s = v.strip(WS)
    if s.endswith(('：', ':')):
        s = s[:-1].strip(WS)
    return s


def norm_head(v):
    return re.sub('[ \t\r\n\u3000]', '', v) if isinstance(v, str) else None


def cell_name(r, c):
    return '%s%d' % (get_column_letter(c), r)


def parse_presence(v):
    if isinstance(v, bool):
        return v
    s = text_of(v).strip(WS).lower()
    if s in PRESENT:
        return True
    if s in MISSING:
        return False
    return None


def parse_count(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        if v != int(v) or v < 0 or v > COUNT_MAX:
            return None
        return int(v)
    s = text_of(v).strip(WS).translate(FULLWIDTH)
    if s and s[-1] in MEASURES:
        s = s[:-1].rstrip(WS)
    if not s.isascii() or not s.isdigit() or int(s) > COUNT_MAX:
        return None
    return int(s)


def find_checklist(cells, reg, source, sheet):
    """None (no checklist), or (checklist dict, errors)."""
    rows = {}
    for (r, c) in sorted(cells):
        rows.setdefault(r, []).append(c)
    fields, header = {}, None
    for r in sorted(rows):
        cols = rows[r]
        for i, c in enumerate(cols):
            lab = norm_label(cells[(r, c)])
            key = FIELDS.get(lab)
            if key and key not in fields:
                fields[key] = text_of(cells[(r, cols[i + 1])]).strip(WS) if i + 1 < len(cols) else None
        if header is None:
            hc = {}
            for c in cols:
                k = COLUMNS.get(norm_head(cells[(r, c)]))
                if k and k not in hc:
                    hc[k] = c
            if 'check' in hc and 'result' in hc:
                header = (r, hc)
    if 'rubric' not in fields and header is None:
        return None
    where = '%s:%s' % (source, sheet) if sheet else source
    errors = []
    rub = reg.get(fields.get('rubric') or '')
    if rub is None:
        errors.append('%s: unknown rubric %r' % (where, fields.get('rubric')))
    if not fields.get('unit'):
        errors.append('%s: no unit name (被考核单位)' % where)
    if header is None:
        errors.append('%s: no table with 检查点 and 检查结果 columns' % where)
    if errors:
        return None, errors
    hrow, hc = header
    results = [None] * len(rub.cps)
    for r in sorted(rows):
        if r <= hrow or (r, hc['check']) not in cells:
            continue
        cv = cells[(r, hc['check'])]
        ctext = text_of(cv).strip(WS)
        cand = [ctext] if ctext in rub.by_id else []
        if not cand:
            try:
                val = Decimal(ctext)
                cand = [i for i in rub.by_id if Decimal(i) == val]
            except ArithmeticError:
                cand = []
        if len(cand) > 1 and 'label' in hc:
            lab = text_of(cells.get((r, hc['label']), '')).strip(WS)
            cand = [i for i in cand if rub.cps[rub.by_id[i]]['label'] == lab]
        if len(cand) != 1:
            errors.append('%s!%s: unknown check point %r' % (where, cell_name(r, hc['check']), ctext))
            continue
        k = rub.by_id[cand[0]]
        cp = rub.cps[k]
        rc = cell_name(r, hc['result'])
        if results[k] is not None:
            errors.append('%s!%s: check point %s repeated' % (where, rc, cp['id']))
            continue
        v = cells.get((r, hc['result']))
        remark = cells.get((r, hc['remark'])) if 'remark' in hc else None
        remark = text_of(remark).strip(WS) if remark is not None else ''
        if v is None:
            errors.append('%s!%s: empty result for %s' % (where, rc, cp['id']))
            continue
        if cp['kind'] == 'has':
            p = parse_presence(v)
            if p is None:
                errors.append('%s!%s: result %r for %s is not 有 or 无' % (where, rc, text_of(v), cp['id']))
                continue
            results[k] = (p, 0, remark, rc)
        else:
            n = parse_count(v)
            if n is None:
                errors.append('%s!%s: result %r for %s is not a whole number' % (where, rc, text_of(v), cp['id']))
                continue
            results[k] = (True, n, remark, rc)
    for k, res in enumerate(results):
        if res is None and not any(rub.cps[k]['id'] in e for e in errors):
            errors.append('%s: check point %s is missing' % (where, rub.cps[k]['id']))
    if errors:
        return None, errors
    return {'rubric': rub, 'unit': fields['unit'], 'year': fields.get('year'),
            'inspector': fields.get('inspector'), 'date': fields.get('date'),
            'source': source, 'sheet': sheet, 'results': results}, []


# ---- scoring (the rules of rules.c) ----

def label_core(label):
    """The label without one trailing full-width parenthetical."""
    if not label.endswith('）'):
        return label
    depth = 0
    for i in range(len(label) - 1, -1, -1):
        if label[i] == '）':
            depth += 1
        elif label[i] == '（':
            depth -= 1
            if depth == 0:
                return label[:i] if i > 0 else label
    return label


def measure(core):
    if core.endswith('数') and len(core) >= 2 and core[-2] in MEASURES:
        return core[-2], core[:-2]
    return None, None


def phrase_count(label, k):
    core = label_core(label)
    x, _stem = measure(core)
    return '%s少%d%s' % (core, k, x or '')


def phrase_each(label, n):
    core = label_core(label)
    x, stem = measure(core)
    if not x:
        return '%s%d' % (core, n)
    pre = '发生' if x == '起' and not label.startswith('发生') else ''
    return '%s%s%d%s' % (pre, stem, n, x)


def score(cl):
    rub = cl['rubric']
    res = cl['results']
    unit = dict(cl, items=[], cp_ded=[Decimal(0)] * len(rub.cps), vetoed=False, veto=[],
                total=Decimal(0), rank=None)
    for item in rub.items:
        phrases, total = [], Decimal(0)
        for k in item['cps']:
            cp = rub.cps[k]
            present, n, _remark, _cell = res[k]
            kind, ded, fires, kk = cp['kind'], Decimal(0), False, n
            if kind == 'has':
                fires = not present
                ded = cp['per'] if fires else ded
            elif kind == 'count':
                kk = max(0, cp['need'] - n)
                fires, ded = kk > 0, cp['per'] * kk
            elif kind == 'each':
                fires, ded = n > 0, cp['per'] * n
            elif kind == 'any':
                fires = n > 0
                ded = item['points'] if fires else ded
            else:  # veto: the item's points too
                fires = n > 0
                ded = item['points'] if fires else ded
            if cp['cap'] is not None:
                ded = min(ded, cp['cap'])
            unit['cp_ded'][k] = ded
            total += ded
            if not fires:
                continue
            if kind == 'has':
                g = next((p for p in phrases if p['group'] and p['per'] == cp['per']), None)
                if g is None:
                    g = {'group': True, 'per': cp['per'], 'sum': Decimal(0), 'labels': []}
                    phrases.append(g)
                g['labels'].append(label_core(cp['label']))
                g['sum'] += ded
                continue
            t = phrase_count(cp['label'], kk) if kind == 'count' else phrase_each(cp['label'], kk)
            if kind == 'veto':
                unit['veto'].append(t + '，一票否决')
                unit['vetoed'] = True
                t += '，扣%s分，一票否决' % fmt(ded)
            else:
                t += '，扣%s分' % fmt(ded)
            phrases.append({'group': False, 'text': t})
        ded = min(total, item['points'])
        parts = ['缺%s，扣%s分' % ('、'.join(p['labels']), fmt(p['sum'])) if p['group'] else p['text']
                 for p in phrases]
        reason = '；'.join(parts)
        if total > item['points']:
            reason += '；扣分超过本项分值，按%s分扣完为止' % fmt(item['points'])
        remarks = [res[k][2] for k in item['cps'] if res[k][2]]
        if remarks:
            reason += ('；备注：' if reason else '备注：') + '；'.join(remarks)
        sc = item['points'] - ded
        unit['items'].append({'deduction': ded, 'score': sc, 'reason': reason, 'sum': total})
        unit['total'] += sc
    return unit


# ---- a batch ----

def expand(inputs):
    files = []
    for p in inputs:
        if os.path.isdir(p):
            names = sorted(n for n in os.listdir(p)
                           if n.lower().endswith(('.csv', '.xlsx')) and not n.startswith(('.', '~$')))
            files += [os.path.join(p, n) for n in names]
        else:
            files.append(p)
    return files


def run(inputs, reg):
    units, rejected = [], []
    for path in expand(inputs):
        try:
            sheets = read_xlsx(path) if path.lower().endswith('.xlsx') else read_csv(path)
        except Exception as e:  # a file that cannot be read at all
            rejected.append({'source': path, 'sheet': None, 'errors': ['%s: %s' % (path, e)]})
            continue
        found = 0
        for name, cells in sheets:
            got = find_checklist(cells, reg, path, name)
            if got is None:
                continue
            found += 1
            cl, errors = got
            if errors:
                rejected.append({'source': path, 'sheet': name, 'errors': errors})
            else:
                units.append(score(cl))
        if not found:
            rejected.append({'source': path, 'sheet': None, 'errors': ['%s: no checklist' % path]})
    # Two checklists of one rubric and unit: both rejected.
    seen = {}
    for u in units:
        seen.setdefault((u['rubric'].id, u['unit']), []).append(u)
    dup = {k for k, v in seen.items() if len(v) > 1}
    for u in units:
        if (u['rubric'].id, u['unit']) in dup:
            rejected.append({'source': u['source'], 'sheet': u['sheet'],
                             'errors': ['%s: unit %s is in more than one checklist' % (u['source'], u['unit'])]})
    units = [u for u in units if (u['rubric'].id, u['unit']) not in dup]
    return units, rejected


def groups(units):
    """[(rubric, units in ranking order)], ranks set."""
    out = {}
    for u in units:
        out.setdefault(u['rubric'].id, (u['rubric'], []))[1].append(u)
    res = []
    for rub, us in out.values():
        ok = sorted((u for u in us if not u['vetoed']), key=lambda u: -u['total'])
        prev = None
        for i, u in enumerate(ok):
            u['rank'] = prev['rank'] if prev and prev['total'] == u['total'] else i + 1
            prev = u
        res.append((rub, ok + [u for u in us if u['vetoed']]))
    return res


def write_json(units, rejected, out, ranked=False):
    def unit_json(u):
        rub = u['rubric']
        return {'unit': u['unit'], 'rubric': rub.id, 'unit_type': rub.unit_type,
                'source': u['source'], 'sheet': u['sheet'], 'total': fmt(u['total']),
                'max': fmt(rub.total), 'vetoed': u['vetoed'], 'rank': u['rank'] if ranked else None,
                'items': [{'item': it['num'], 'points': fmt(it['points']),
                           'deduction': fmt(s['deduction']), 'score': fmt(s['score']),
                           'reason': s['reason']} for it, s in zip(rub.items, u['items'])]}
    doc = {'units': [unit_json(u) for u in units], 'rejected': rejected}
    json.dump(doc, out, ensure_ascii=False, indent=1)
    out.write('\n')


# ---- XLSX writers ----

THIN = Side(style='thin')
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = Font(name='宋体', size=11)
BOLD = Font(name='宋体', size=11, bold=True)
CENTER = Alignment(horizontal='center', vertical='center', wrap_text=True)
LEFT = Alignment(vertical='center', wrap_text=True)
GREY = PatternFill('solid', fgColor='D9D9D9')
VETO_FILL = PatternFill('solid', fgColor='FFC7CE')
VETO_FONT = Font(name='宋体', size=11, bold=True, color='9C0006')
RED = 'C00000'


def width(s):
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in s or '')


def lines(s, w):
    usable = w - 1.5 if w > 3 else 1.5
    n = 0
    for part in (s or '').split('\n'):
        k = 1
        while k * usable < width(part):
            k += 1
        n += k
    return max(n, 1)


def height(n):
    return min(max(4 + 15.0 * n, 20), 409)


def save(wb, path, group=None):
    """As kaohe writes a file: a temporary file beside it, flushed to disk
    (fsync), then renamed into place.  With group (a list), as kaohe writes
    its scoresheets: the file is held in the group, and flush_group flushes
    the whole group with one sync before renaming its files."""
    tmp = os.path.join(os.path.dirname(path) or '.', '.~peer-%d-%s' % (os.getpid(), os.path.basename(path)))
    try:
        with open(tmp, 'wb') as f:
            wb.save(f)
            f.flush()
            if group is None:
                os.fsync(f.fileno())
        if group is None:
            os.replace(tmp, path)
        else:
            group.append((tmp, path))
            if len(group) >= 256:
                flush_group(group)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def flush_group(group):
    """One sync for the files of the group, then each renamed into place
    (kaohe: one syncfs per group of at most 256 outputs)."""
    if group:
        os.sync()
        for tmp, path in group:
            os.replace(tmp, path)
        group.clear()


def num(d):
    return int(d) if d == d.to_integral_value() else float(d)


def safe_name(name):
    s = re.sub(r'[\\/:*?"<>|\x00-\x1f]', '_', name).strip(' .')
    return s or '_'


def scoresheet(u, path, group=None):
    rub = u['rubric']
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = safe_name(u['unit'])[:31]
    widths = [5.5, 46, 7.5, 32, 9]
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    r = 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
    ws.cell(r, 1, rub.title).font = Font(name='宋体', size=16, bold=True)
    ws.cell(r, 1).alignment = CENTER
    ws.row_dimensions[r].height = height(lines(rub.title, sum(widths)))
    r += 1
    if u['vetoed']:
        detail = '；'.join(v.replace('，一票否决', '') for v in u['veto'])
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
        c = ws.cell(r, 1, '考核结果：一票否决（%s）' % detail)
        c.font = Font(name='宋体', size=13, bold=True, color=RED)
        c.alignment = CENTER
        r += 1
    for left, right in ((('被考核单位', u['unit']), ('考核年度', u['year'])),
                        (('检查组', u['inspector']), ('检查日期', u['date']))):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=5)
        ws.cell(r, 1, '%s：%s' % (left[0], left[1] or '')).font = FONT
        ws.cell(r, 3, '%s：%s' % (right[0], right[1] or '')).font = FONT
        r += 1
    head = r
    for c, h in enumerate(['序号', '督查内容', '标准分', '扣分原因', '得分情况'], start=1):
        cell = ws.cell(r, c, h)
        cell.font, cell.alignment, cell.border, cell.fill = BOLD, CENTER, BOX, GREY
    r += 1
    first = r
    for it, s in zip(rub.items, u['items']):
        vals = [int(it['num']) if it['num'].isdigit() else it['num'], it['content'],
                num(it['points']), s['reason'], num(s['score'])]
        for c, v in enumerate(vals, start=1):
            cell = ws.cell(r, c, v)
            cell.font, cell.border = FONT, BOX
            cell.alignment = LEFT if c in (2, 4) else CENTER
        ws.row_dimensions[r].height = height(max(lines(it['content'], 46), lines(s['reason'], 32)))
        r += 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    ws.cell(r, 1, '合计总得分')
    ws.cell(r, 3, num(rub.total))
    ded = rub.total - u['total']
    ws.cell(r, 4, '一票否决' if u['vetoed'] else ('共扣%s分' % fmt(ded) if ded > 0 else '未扣分'))
    ws.cell(r, 5, '=SUM(E%d:E%d)' % (first, r - 1))
    for c in range(1, 6):
        cell = ws.cell(r, c)
        cell.font, cell.alignment, cell.border = BOLD, CENTER, BOX
    ws.print_title_rows = '%d:%d' % (head, head)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    save(wb, path, group)


def file_stems(units):
    base = [safe_name(u['unit']) for u in units]
    lower = {}
    for b in base:
        lower[b.lower()] = lower.get(b.lower(), 0) + 1
    stems, used = [], set()
    for u, b in zip(units, base):
        cand = safe_name('%s-%s' % (u['unit'], u['rubric'].unit_type)) if lower[b.lower()] > 1 else b
        k, c = 2, cand
        while c.lower() in used:
            c = '%s(%d)' % (cand, k)
            k += 1
        used.add(c.lower())
        stems.append(c)
    return stems


def write_scoresheets(units, outdir):
    os.makedirs(outdir, exist_ok=True)
    group = []
    for u, stem in zip(units, file_stems(units)):
        scoresheet(u, os.path.join(outdir, stem + '.xlsx'), group)
    flush_group(group)


def cp_reason(rub, u, k, item_sum):
    cp = rub.cps[k]
    _p, n, _rm, _cell = u['results'][k]
    item = rub.items[cp['item']]
    x, _stem = measure(label_core(cp['label']))
    raw = u['cp_ded'][k]
    if cp['kind'] == 'has':
        t = '缺'
    elif cp['kind'] == 'count':
        short = max(0, cp['need'] - n)
        t, raw = '少%d%s' % (short, x or ''), cp['per'] * short
    else:
        t = '%s%d%s' % ('发生' if x == '起' else '', n, x or '')
        if cp['kind'] == 'each':
            raw = cp['per'] * n
        elif cp['kind'] == 'any':
            t += '，本项不得分'
        else:
            t += '，一票否决'
    if cp['cap'] is not None and raw > cp['cap']:
        t += '（本检查点最多扣%s分）' % fmt(cp['cap'])
    if cp['kind'] != 'veto' and item_sum > item['points']:
        t += '（本项扣分超过%s分，扣完为止）' % fmt(item['points'])
    return t


def write_ranking(units, rejected, path):
    gs = groups(units)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for rub, us in gs:
        ws = wb.create_sheet(rub.unit_type)
        ncol = 2 + len(rub.items) + 3
        tc, rc, sc = 3 + len(rub.items), 4 + len(rub.items), 5 + len(rub.items)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
        ws.cell(1, 1, '%s安全生产工作考核排名' % rub.unit_type).font = Font(name='宋体', size=16, bold=True)
        ws.cell(1, 1).alignment = CENTER
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
        ws.cell(2, 1, rub.title).alignment = CENTER
        heads = ['名次', '被考核单位'] + ['%s（%s分）' % (it['num'], fmt(it['points'])) for it in rub.items] \
            + ['合计得分', '结果', '来源文件']
        for c, h in enumerate(heads, start=1):
            cell = ws.cell(3, c, h)
            cell.font, cell.alignment, cell.border = BOLD, CENTER, BOX
            cell.fill = PatternFill('solid', fgColor='D9E1F2')
            if 3 <= c < tc:
                cell.comment = Comment(rub.items[c - 3]['content'], 'kaohe', width=360, height=200)
        r = 4
        for u in us:
            v = u['vetoed']
            ws.cell(r, 1, None if v else u['rank'])
            ws.cell(r, 2, u['unit'])
            for i, s in enumerate(u['items']):
                ws.cell(r, 3 + i, num(s['score']))
            ws.cell(r, tc, '=SUM(%s%d:%s%d)' % (get_column_letter(3), r, get_column_letter(tc - 1), r))
            ws.cell(r, rc, '一票否决' if v else '正常')
            if v:
                ws.cell(r, rc).comment = Comment('；'.join(u['veto']), 'kaohe')
            ws.cell(r, sc, u['source'] + (':' + u['sheet'] if u['sheet'] else ''))
            for c in range(1, ncol + 1):
                cell = ws.cell(r, c)
                cell.border = BOX
                cell.alignment = LEFT if c in (2, sc) else CENTER
                if v:
                    cell.fill, cell.font = VETO_FILL, VETO_FONT
            ws.row_dimensions[r].height = height(max(lines(u['unit'], 24), lines(ws.cell(r, sc).value, 36)))
            r += 1
        ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=ncol)
        ws.cell(r + 1, 1, '注：共%d个单位，满分%s分。合计得分为各项得分之和（公式），修改某项得分后自动重算；'
                '同分单位名次相同；一票否决的单位不排名次，列在最后。' % (len(us), fmt(rub.total)))
        ws.freeze_panes = 'C4'
        ws.print_title_rows = '3:3'
        ws.page_setup.orientation = 'landscape'
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        # the chart of the ranked units' totals
        nranked = sum(1 for u in us if not u['vetoed'])
        cs = wb.create_sheet('%s得分图' % rub.unit_type)
        ch = BarChart()
        ch.type = 'bar'
        ch.title = '%s考核得分' % rub.unit_type
        ch.y_axis.title, ch.x_axis.title = '得分', '单位'
        ch.x_axis.scaling.orientation = 'maxMin'
        ch.y_axis.scaling.min, ch.y_axis.scaling.max = 0, float(rub.total)
        ch.legend = None
        if nranked:
            ch.add_data(Reference(ws, min_col=tc, min_row=4, max_row=3 + nranked), titles_from_data=False)
            ch.set_categories(Reference(ws, min_col=2, min_row=4, max_row=3 + nranked))
        ch.width, ch.height = 24, max(9.5, (110 + 24 * nranked) / 38)
        cs.add_chart(ch, 'A2')
    # 扣分明细
    ws = wb.create_sheet('扣分明细')
    head = ['被考核单位', '单位类别', '考核项目', '检查点', '检查要点', '扣分', '扣分说明', '备注',
            '来源（文件:工作表!单元格）']
    for c, h in enumerate(head, start=1):
        cell = ws.cell(1, c, h)
        cell.font, cell.alignment, cell.border = BOLD, CENTER, BOX
    r = 2
    for rub, us in gs:
        for u in us:
            for it, s in zip(rub.items, u['items']):
                for k in it['cps']:
                    cp = rub.cps[k]
                    veto = cp['kind'] == 'veto' and u['results'][k][1] > 0
                    if u['cp_ded'][k] <= 0 and not veto:
                        continue
                    where = u['source'] + (':' + u['sheet'] if u['sheet'] else '') + '!' + u['results'][k][3]
                    vals = [u['unit'], rub.unit_type, it['num'], cp['id'], cp['label'],
                            num(u['cp_ded'][k]), cp_reason(rub, u, k, s['sum']), u['results'][k][2], where]
                    for c, v in enumerate(vals, start=1):
                        cell = ws.cell(r, c, v)
                        cell.border = BOX
                        cell.alignment = LEFT
                    r += 1
    ws.auto_filter.ref = 'A1:I%d' % max(r - 1, 1)
    ws.freeze_panes = 'B2'
    # 未通过的文件
    ws = wb.create_sheet('未通过的文件')
    for c, h in enumerate(['文件', '工作表', '单元格', '问题及修改方法'], start=1):
        ws.cell(1, c, h).font = BOLD
    r = 2
    for rj in rejected:
        for e in rj['errors']:
            ws.cell(r, 1, rj['source'])
            ws.cell(r, 2, rj['sheet'])
            ws.cell(r, 4, e)
            r += 1
    if r == 2:
        ws.cell(2, 1, '无（全部文件已计分）')
    save(wb, path)


def main(argv):
    if len(argv) < 4 or argv[0] not in ('score', 'rank') or '-o' not in argv:
        sys.stderr.write(__doc__)
        return 2
    cmd = argv[0]
    i = argv.index('-o')
    out = argv[i + 1]
    inputs = argv[1:i] + argv[i + 2:]
    reg = load_rubrics()
    units, rejected = run(inputs, reg)
    for rj in rejected:
        for e in rj['errors']:
            sys.stderr.write('peer: %s\n' % e)
    if cmd == 'rank':
        write_ranking(units, rejected, out)
    elif out == '-':
        write_json(units, rejected, sys.stdout)
    else:
        write_scoresheets(units, out)
    return 1 if rejected else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
