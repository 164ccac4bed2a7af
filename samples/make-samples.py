#!/usr/bin/python3
"""Write the sample checklists in samples/ (CSV, as inspectors fill them).

Each unit starts from a perfect checklist (every document present, every
required count met, no accidents) and then gets the findings listed below,
so the expected scores can be worked out by hand.  Run from the top of the
source tree: /usr/bin/python3 samples/make-samples.py
"""
import csv
import io
import os

HERE = os.path.dirname(os.path.abspath(__file__))
RUBRICS = os.path.join(HERE, '..', 'templates', 'rubrics')

# unit -> (rubric, file name, inspector, date, encoding, {check: (result, remark)})
TOWNSHIPS = 'lingui-2020-township'
DEPARTMENTS = 'lingui-2020-department'
UNITS = [
    ('两江镇', TOWNSHIPS, '第一检查组', '2020-12-03', 'utf-8-sig', {
        '1.6': ('无', ''), '1.7': ('无', '签到单未归档'),
        '3.1': ('1', ''), '17.1': ('2次', '')}),
    ('临桂镇', TOWNSHIPS, '第一检查组', '2020-12-04', 'utf-8-sig', {
        '8.3': ('无', '中秋期间未开展大检查'), '12.3': ('无', '')}),
    ('会仙镇', TOWNSHIPS, '第二检查组', '2020-12-04', 'utf-8-sig', {
        '2.4': ('×', ''), '6.3': ('３', '')}),
    ('四塘镇', TOWNSHIPS, '第二检查组', '2020-12-07', 'utf-8-sig', {
        '17.2': ('1', '发生较大事故1起'), '13.2': ('无', '')}),
    ('五通镇', TOWNSHIPS, '第三检查组', '2020-12-08', 'utf-8-sig', {
        '17.3': ('1起', '发生重大事故，实行一票否决'), '9.1': ('无', '')}),
    ('六塘镇', TOWNSHIPS, '第三检查组', '2020-12-09', 'gb18030', {
        '7.1': ('0', '无专项整治方案'), '7.2': ('无', ''), '7.3': ('无', ''),
        '15.2': ('无', ''), '15.5': ('无', ''), '15.7': ('无', ''),
        '5.1': ('1', ''), '10.1': ('无', ''), '10.3': ('无', ''),
        '16.2': ('否', ''), '4.1': ('2', '缺席两次全市会议')}),
    ('区应急管理局', DEPARTMENTS, '第四检查组', '2020-12-10', 'utf-8-sig', {
        '1.6': ('无', ''), '1.7': ('无', ''), '1.8': ('1', '')}),
    ('区住房和城乡建设局', DEPARTMENTS, '第四检查组', '2020-12-10', 'utf-8-sig', {
        '3.2': ('1', ''), '8.3': ('无', ''), '8.4': ('无', '')}),
    ('区交通运输局', DEPARTMENTS, '第四检查组', '2020-12-11', 'utf-8-sig', {
        '15.1': ('1', '发生一般事故1起')}),
    ('区教育局', DEPARTMENTS, '第五检查组', '2020-12-11', 'utf-8-sig', {
        '13.5': ('无', ''), '13.6': ('无', '')}),
    ('区市场监督管理局', DEPARTMENTS, '第五检查组', '2020-12-14', 'gb18030', {
        '6.2': ('无', '清明期间未开展检查'), '10.4': ('无', '')}),
    ('区农业农村局', DEPARTMENTS, '第五检查组', '2020-12-14', 'utf-8-sig', {
        '15.2': ('1', '发生较大事故1起')}),
    ('区自然资源局', DEPARTMENTS, '第六检查组', '2020-12-15', 'utf-8-sig', {
        '15.4': ('1', '发生特别重大事故')}),
    ('区卫生健康局', DEPARTMENTS, '第六检查组', '2020-12-15', 'utf-8-sig', {
        '2.1': ('2', ''), '4.2': ('1', ''), '5.1': ('1', ''), '11.1': ('无', '')}),
]


def load_rubric(rid):
    with open(os.path.join(RUBRICS, rid + '.csv'), encoding='utf-8-sig') as f:
        rows = list(csv.reader(f))
    meta = {r[0]: r[1] for r in rows if len(r) >= 2 and r[0] in ('id', 'title', 'unit_type', 'total')}
    start = next(i for i, r in enumerate(rows) if r and r[0] == 'item')
    head = rows[start]
    cps = [dict(zip(head, r)) for r in rows[start + 1:] if r and any(r)]
    return meta, cps


def default_result(cp):
    if cp['kind'] == 'has':
        return '有'
    if cp['kind'] == 'count':
        return cp['need']
    return '0'


def write_unit(unit, rid, inspector, date, encoding, findings):
    meta, cps = load_rubric(rid)
    out = io.StringIO()
    w = csv.writer(out, lineterminator='\r\n')
    w.writerow([meta['title']])
    w.writerow(['考核细则', rid])
    w.writerow(['被考核单位', unit])
    w.writerow(['考核年度', '2020'])
    w.writerow(['检查组', inspector])
    w.writerow(['检查日期', date])
    w.writerow([])
    w.writerow(['序号', '督查内容', '检查点', '检查要点', '标准分', '填写说明', '检查结果', '备注'])
    item = None
    for cp in cps:
        first = cp['item'] != item
        item = cp['item']
        result, remark = findings.get(cp['check'], (default_result(cp), ''))
        w.writerow([cp['item'] if first else '', cp['content'] if first else '', cp['check'],
                    cp['label'], cp['points'] if first else '', cp['hint'], result, remark])
    unknown = set(findings) - {cp['check'] for cp in cps}
    assert not unknown, (unit, unknown)
    path = os.path.join(HERE, unit + '.csv')
    with open(path, 'w', encoding=encoding, newline='') as f:
        f.write(out.getvalue())


if __name__ == '__main__':
    for u in UNITS:
        write_unit(*u)
