#!/usr/bin/python3
"""Write samples/xlsx/: the CSV samples as an office would have them in Excel.

Each township gets its own workbook; the departments share one workbook with
a sheet per department and a cover sheet (说明) that kaohe skips.  The
workbooks start as blank `kaohe template` checklists and are filled with
openpyxl the way an inspector fills them: results, remarks, the fields, and
检查日期 as a real date.  They must score exactly like the CSV samples
(tests/interop/test_samples.sh checks it).

Run from the top of the source tree after `make`:
    /usr/bin/python3 samples/make-xlsx-samples.py
"""
import csv
import datetime
import os
import subprocess
import sys
import tempfile

import openpyxl

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
KAOHE = os.environ.get('KAOHE', os.path.join(TOP, 'build', 'kaohe'))
OUT = os.path.join(TOP, 'samples', 'xlsx')


def read_csv_sample(path):
    raw = open(path, 'rb').read()
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError:
        text = raw.decode('gb18030')
    rows = list(csv.reader(text.splitlines()))
    fields = {r[0]: r[1] for r in rows if len(r) >= 2 and r[0] in
              ('考核细则', '被考核单位', '考核年度', '检查组', '检查日期')}
    head = next(i for i, r in enumerate(rows) if r and r[0] == '序号')
    results = {r[2]: (r[6], r[7]) for r in rows[head + 1:] if len(r) > 7 and r[2]}
    return fields, results


def fill(ws, fields, results):
    """Fill one template sheet: values right of the labels, results, remarks."""
    labels = {}
    check_col = result_col = remark_col = header_row = None
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                v = c.value.strip().rstrip('：:')
                if v in fields and v not in labels:
                    labels[v] = c
                if v == '检查点':
                    header_row, check_col = c.row, c.column
                elif v == '检查结果':
                    result_col = c.column
                elif v == '备注':
                    remark_col = c.column
    for label, cell in labels.items():
        if label == '考核细则':
            continue
        # The value cell is the first cell right of the label outside its merge.
        col = cell.column + 1
        while any(cell.coordinate in r and ws.cell(cell.row, col).coordinate in r
                  for r in ws.merged_cells.ranges):
            col += 1
        value = fields[label]
        if label == '检查日期':
            value = datetime.date.fromisoformat(value)
            ws.cell(cell.row, col).number_format = 'yyyy"年"m"月"d"日"'
        elif label == '考核年度':
            value = int(value)
        ws.cell(cell.row, col).value = value
    seen = 0
    for r in range(header_row + 1, ws.max_row + 1):
        check = ws.cell(r, check_col).value
        if check is None:
            continue
        result, remark = results[str(check)]
        # Numbers as an inspector types them in Excel: a number cell.
        if result.isdigit():
            result = int(result)
        ws.cell(r, result_col).value = result
        if remark:
            ws.cell(r, remark_col).value = remark
        seen += 1
    assert seen == len(results), (fields, seen, len(results))


def template(rubric, units, path):
    cmd = [KAOHE, 'template', rubric, '-o', path]
    for u in units:
        cmd += ['--unit', u]
    subprocess.run(cmd, check=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    samples = sorted(f for f in os.listdir(os.path.join(TOP, 'samples')) if f.endswith('.csv'))
    towns, depts = [], []
    for f in samples:
        fields, results = read_csv_sample(os.path.join(TOP, 'samples', f))
        (towns if fields['考核细则'] == 'lingui-2020-township' else depts).append((fields, results))
    with tempfile.TemporaryDirectory() as tmp:
        for fields, results in towns:
            unit = fields['被考核单位']
            t = os.path.join(tmp, unit + '.xlsx')
            template('lingui-2020-township', [unit], t)
            wb = openpyxl.load_workbook(t)
            fill(wb.worksheets[0], fields, results)
            wb.save(os.path.join(OUT, unit + '.xlsx'))
        t = os.path.join(tmp, 'depts.xlsx')
        template('lingui-2020-department', [f['被考核单位'] for f, _ in depts], t)
        wb = openpyxl.load_workbook(t)
        for (fields, results), ws in zip(depts, wb.worksheets):
            assert ws.title == fields['被考核单位'], ws.title
            fill(ws, fields, results)
        cover = wb.create_sheet('说明', 0)
        cover['A1'] = '2020年度区直单位部门安全生产工作考核检查表'
        cover['A3'] = '每个部门一张工作表。本页不计分。'
        wb.active = 0
        wb.save(os.path.join(OUT, '区直单位部门.xlsx'))


if __name__ == '__main__':
    sys.exit(main())
