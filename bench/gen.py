#!/usr/bin/python3
"""Write a benchmark corpus of N filled checklists (kaohe's `make bench`).

    /usr/bin/python3 bench/gen.py N DIR [--seed S] [--jobs J]

Half the checklists are XLSX workbooks written the way Excel writes them
(shared strings, a styles part with a date format, numbers as number
cells, docProps), half are CSV files: UTF-8 with BOM (quoted, as kaohe
template writes them, or as Excel's "CSV UTF-8"), UTF-8 without BOM (a
script), and GB18030 (Excel and WPS in China).  Townships and departments
are mixed; every unit gets its own findings (documents missing, counts
short, accidents, now and then a veto), remarks and result spellings, and
about one file in 200 carries a result nobody can read, so the rejected
path is part of the run.  The same N and seed always give the same bytes.

The XLSX parts are built as text and zipped with zipfile (deflate): about
a millisecond per file, so N = 20000 takes seconds, not minutes.
"""
import csv
import io
import multiprocessing
import os
import random
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUBRICS = os.path.join(HERE, '..', 'templates', 'rubrics')
TOWNSHIP = 'lingui-2020-township'
DEPARTMENT = 'lingui-2020-department'
STAMP = 'corpus.stamp'
VERSION = 4  # bump when the output changes

TOWNS = ['两江', '临桂', '会仙', '四塘', '五通', '六塘', '南边山', '中庸', '宛田', '黄沙',
         '茶洞', '庙岭', '保宁', '东山', '葡萄', '雁山', '大埠', '草坪']
TOWN_KIND = ['镇', '镇', '镇', '乡']
DEPTS = ['应急管理局', '住房和城乡建设局', '交通运输局', '教育局', '市场监督管理局',
         '农业农村局', '自然资源局', '卫生健康局', '水利局', '林业局', '公安分局',
         '生态环境分局', '文化广电体育和旅游局', '工业和信息化局', '商务局', '民政局']
REMARKS = ['资料不全', '签到单未归档', '图片缺失，已要求补充', '会议记录不规范',
           '现场检查发现隐患未整改', '台账未及时更新', '已整改', '方案未经审批',
           '检查记录缺少签字', '另附说明材料']
INSPECTORS = ['第一检查组', '第二检查组', '第三检查组', '第四检查组', '第五检查组', '第六检查组']
PRESENT = ['有'] * 12 + ['√', '是', 'Y']
MISSING = ['无'] * 12 + ['×', '否', 'N']
FULLWIDTH = str.maketrans('0123456789', '０１２３４５６７８９')
HEAD = ['序号', '督查内容', '检查点', '检查要点', '标准分', '填写说明', '检查结果', '备注']


def load_rubric(rid):
    with open(os.path.join(RUBRICS, rid + '.csv'), encoding='utf-8-sig', newline='') as f:
        rows = list(csv.reader(f))
    meta = {r[0]: r[1] for r in rows[:4]}
    start = next(i for i, r in enumerate(rows) if r and r[0] == 'item')
    head = rows[start]
    cps = [dict(zip(head, r)) for r in rows[start + 1:] if r and any(r)]
    return meta, cps


# ---- one unit's findings ----

def fill(rng, cps, bad):
    """Results of one unit: [(value, is_number, remark)] per check point."""
    q = rng.random() * 0.35
    out = []
    for cp in cps:
        kind = cp['kind']
        if kind == 'has':
            ok = rng.random() >= q * 0.6
            val, num = rng.choice(PRESENT if ok else MISSING), False
        elif kind == 'count':
            need = int(cp['need'])
            n = need if rng.random() >= q else rng.randrange(0, need)
            if rng.random() < 0.3:
                n += rng.randrange(0, 3)
            val, num = n, True
        elif kind == 'each':
            val, num = (rng.randrange(1, 4) if rng.random() < q * 0.5 else 0), True
        elif kind == 'any':
            val, num = (1 if rng.random() < 0.02 else 0), True
        else:  # veto
            val, num = (1 if rng.random() < 0.006 else 0), True
        if num and rng.random() < 0.08:
            # typed as text: "2次", "２", " 1 "
            style = rng.randrange(3)
            val, num = ('%d次' % val if style == 0 else str(val).translate(FULLWIDTH)
                        if style == 1 else ' %d ' % val), False
        remark = rng.choice(REMARKS) if rng.random() < 0.04 else ''
        out.append([val, num, remark])
    if bad:
        i = rng.randrange(len(out))
        out[i][0], out[i][1] = '不详', False
    return out


def unit_of(i, rng):
    """(rubric, unit name): townships and departments mixed, names unique."""
    if i % 5 in (0, 2):
        return TOWNSHIP, '%s%s%04d' % (TOWNS[i % len(TOWNS)], rng.choice(TOWN_KIND), i)
    return DEPARTMENT, '区%s%04d' % (DEPTS[i % len(DEPTS)], i)


# ---- CSV ----

def write_csv(path, meta, rid, unit, inspector, date, cps, results, variant):
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if variant == 'template' else csv.QUOTE_MINIMAL
    w = csv.writer(out, lineterminator='\n' if variant == 'script' else '\r\n', quoting=quoting)
    w.writerow([meta['title']])
    w.writerow(['考核细则', rid])
    w.writerow(['被考核单位', unit])
    w.writerow(['考核年度', '2020'])
    w.writerow(['检查组', inspector])
    w.writerow(['检查日期', date])
    w.writerow([])
    w.writerow(HEAD)
    item = None
    for cp, (val, _num, remark) in zip(cps, results):
        first = cp['item'] != item
        item = cp['item']
        w.writerow([cp['item'] if first else '', cp['content'] if first else '', cp['check'],
                    cp['label'], cp['points'] if first else '', cp['hint'], val, remark])
    enc = {'template': 'utf-8-sig', 'excel': 'utf-8-sig', 'script': 'utf-8',
           'gb18030': 'gb18030'}[variant]
    with open(path, 'w', encoding=enc, newline='') as f:
        f.write(out.getvalue())


# ---- XLSX, as Excel writes it ----

def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def col(c):
    s = ''
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="22228"/>'
    '<workbookPr defaultThemeVersion="164011"/>'
    '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12435"/></bookViews>'
    '<sheets><sheet name="检查表" sheetId="1" r:id="rId1"/></sheets>'
    '<calcPr calcId="162913"/></workbook>')
# cellXfs: 0 default, 1 title, 2 field label, 3 field value, 4 date value,
# 5 header, 6 centred number, 7 wrapped text, 8 result (unlocked), 9 remark (unlocked)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="3"><font><sz val="11"/><color theme="1"/><name val="等线"/><family val="2"/>'
    '<charset val="134"/><scheme val="minor"/></font>'
    '<font><b/><sz val="16"/><name val="宋体"/><family val="3"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color indexed="64"/></left><right style="thin"><color indexed="64"/></right>'
    '<top style="thin"><color indexed="64"/></top><bottom style="thin"><color indexed="64"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="10"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyProtection="1"><protection locked="0"/></xf>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyProtection="1"><protection locked="0"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1" applyProtection="1"><alignment horizontal="center" vertical="center"/><protection locked="0"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1" applyProtection="1"><alignment vertical="center" wrapText="1"/><protection locked="0"/></xf>'
    '</cellXfs><cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>'
    '</styleSheet>')
APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>'
    '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>工作表</vt:lpstr></vt:variant>'
    '<vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>'
    '<TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>检查表</vt:lpstr></vt:vector></TitlesOfParts>'
    '<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>'
    '<AppVersion>16.0300</AppVersion></Properties>')
CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<dc:creator>安委办</dc:creator><cp:lastModifiedBy>{who}</cp:lastModifiedBy>'
    '<dcterms:created xsi:type="dcterms:W3CDTF">2020-11-20T02:10:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{date}T08:30:00Z</dcterms:modified>'
    '</cp:coreProperties>')


class Sheet:
    """Cells of one worksheet and the shared strings they use."""

    def __init__(self):
        self.rows = {}
        self.sst = {}
        self.nrefs = 0

    def s(self, r, c, text, style):
        if text == '':
            self.rows.setdefault(r, []).append((c, style, None))
            return
        k = self.sst.setdefault(text, len(self.sst))
        self.nrefs += 1
        self.rows.setdefault(r, []).append((c, style, '<c r="%s%d" s="%d" t="s"><v>%d</v></c>'
                                            % (col(c), r, style, k)))

    def n(self, r, c, num, style):
        self.rows.setdefault(r, []).append((c, style, '<c r="%s%d" s="%d"><v>%s</v></c>'
                                            % (col(c), r, style, num)))

    def xml(self, merges, heights):
        out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
               'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
               'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">',
               '<dimension ref="A1:H%d"/>' % max(self.rows),
               '<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="8" topLeftCell="A9" '
               'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="G9" sqref="G9"/>'
               '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="14.25" x14ac:dyDescent="0.2"/>'
               '<cols><col min="1" max="1" width="6.25" customWidth="1"/><col min="2" max="2" width="30.75" customWidth="1"/>'
               '<col min="3" max="3" width="7.75" customWidth="1"/><col min="4" max="4" width="20.75" customWidth="1"/>'
               '<col min="5" max="5" width="7.75" customWidth="1"/><col min="6" max="6" width="24.75" customWidth="1"/>'
               '<col min="7" max="7" width="10.75" customWidth="1"/><col min="8" max="8" width="16.75" customWidth="1"/></cols>'
               '<sheetData>']
        for r in sorted(self.rows):
            ht = heights.get(r)
            out.append('<row r="%d" spans="1:8"%s x14ac:dyDescent="0.2">'
                       % (r, ' ht="%s" customHeight="1"' % ht if ht else ''))
            for c, style, cell in sorted(self.rows[r], key=lambda t: t[0]):
                out.append(cell if cell else '<c r="%s%d" s="%d"/>' % (col(c), r, style))
            out.append('</row>')
        out.append('</sheetData><sheetProtection sheet="1" objects="1" scenarios="1"/>')
        out.append('<mergeCells count="%d">%s</mergeCells>'
                   % (len(merges), ''.join('<mergeCell ref="%s"/>' % m for m in merges)))
        out.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                   '<pageSetup paperSize="9" orientation="portrait"/></worksheet>')
        return ''.join(out)

    def sst_xml(self):
        items = sorted(self.sst.items(), key=lambda kv: kv[1])
        out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
               % (self.nrefs, len(items))]
        for text, _k in items:
            sp = ' xml:space="preserve"' if text != text.strip() else ''
            out.append('<si><t%s>%s</t></si>' % (sp, esc(text)))
        out.append('</sst>')
        return ''.join(out)


def excel_serial(date):
    import datetime
    y, m, d = map(int, date.split('-'))
    return (datetime.date(y, m, d) - datetime.date(1899, 12, 30)).days


def write_xlsx(path, meta, rid, unit, inspector, date, cps, results):
    sh = Sheet()
    sh.s(1, 0, meta['title'], 1)
    for c in range(1, 8):
        sh.s(1, c, '', 1)
    sh.s(2, 0, '考核细则', 2)
    sh.s(2, 2, rid, 3)
    sh.s(3, 0, '被考核单位', 2)
    sh.s(3, 2, unit, 3)
    sh.s(4, 0, '考核年度', 2)
    sh.n(4, 2, 2020, 3)
    sh.s(5, 0, '检查组', 2)
    sh.s(5, 2, inspector, 3)
    sh.s(6, 0, '检查日期', 2)
    sh.n(6, 2, excel_serial(date), 4)
    sh.s(7, 0, '填写说明：有无类填“有”或“无”，次数类填整数；发现的问题写在备注栏。', 7)
    for c, h in enumerate(HEAD):
        sh.s(8, c, h, 5)
    merges = ['A1:H1', 'A2:B2', 'A3:B3', 'A4:B4', 'A5:B5', 'A6:B6', 'A7:H7']
    heights = {1: '57', 7: '30'}
    r = 8
    item, first_row = None, None
    for cp, (val, num, remark) in zip(cps, results):
        r += 1
        if cp['item'] != item:
            if first_row and r - 1 > first_row:
                merges += ['A%d:A%d' % (first_row, r - 1), 'B%d:B%d' % (first_row, r - 1),
                           'E%d:E%d' % (first_row, r - 1)]
            item, first_row = cp['item'], r
            sh.n(r, 0, int(cp['item']), 6)
            sh.s(r, 1, cp['content'], 7)
            sh.n(r, 4, cp['points'], 6)
        else:
            sh.s(r, 0, '', 6)
            sh.s(r, 1, '', 7)
            sh.s(r, 4, '', 6)
        sh.s(r, 2, cp['check'], 6)
        sh.s(r, 3, cp['label'], 7)
        sh.s(r, 5, cp['hint'], 7)
        if num:
            sh.n(r, 6, val, 8)
        else:
            sh.s(r, 6, val, 8)
        sh.s(r, 7, remark, 9)
    if first_row and r > first_row:
        merges += ['A%d:A%d' % (first_row, r), 'B%d:B%d' % (first_row, r), 'E%d:E%d' % (first_row, r)]
    sheet_xml = sh.xml(merges, heights)
    parts = [('[Content_Types].xml', CONTENT_TYPES), ('_rels/.rels', ROOT_RELS),
             ('docProps/app.xml', APP), ('docProps/core.xml', CORE.format(who=inspector, date=date)),
             ('xl/workbook.xml', WORKBOOK), ('xl/_rels/workbook.xml.rels', WB_RELS),
             ('xl/styles.xml', STYLES), ('xl/sharedStrings.xml', sh.sst_xml()),
             ('xl/worksheets/sheet1.xml', sheet_xml)]
    with zipfile.ZipFile(path, 'w') as z:
        for name, text in parts:
            # a fixed time stamp: the same corpus byte for byte every time
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)


# ---- the corpus ----

_RUBRICS = {}


def rubric(rid):
    if rid not in _RUBRICS:
        _RUBRICS[rid] = load_rubric(rid)
    return _RUBRICS[rid]


CSV_VARIANTS = ['template', 'gb18030', 'excel', 'script']


def make(args):
    i, n, seed, outdir = args
    rng = random.Random(seed * 1000003 + i)
    rid, unit = unit_of(i, rng)
    meta, cps = rubric(rid)
    inspector = rng.choice(INSPECTORS)
    date = '2020-12-%02d' % rng.randrange(1, 29)
    results = fill(rng, cps, bad=rng.random() < 0.005)
    stem = os.path.join(outdir, '%06d-%s' % (i, unit))
    if i % 2 == 0:
        write_xlsx(stem + '.xlsx', meta, rid, unit, inspector, date, cps, results)
    else:
        write_csv(stem + '.csv', meta, rid, unit, inspector, date, cps, results,
                  CSV_VARIANTS[(i // 2) % len(CSV_VARIANTS)])


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('n', type=int)
    ap.add_argument('dir')
    ap.add_argument('--seed', type=int, default=2020)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    a = ap.parse_args(argv)
    want = 'gen.py v%d n=%d seed=%d\n' % (VERSION, a.n, a.seed)
    stamp = os.path.join(a.dir, STAMP)
    try:
        with open(stamp, encoding='utf-8') as f:
            if f.read() == want:
                return 0  # already there
    except OSError:
        pass
    if os.path.isdir(a.dir):
        for name in os.listdir(a.dir):
            if name.endswith(('.csv', '.xlsx')) or name == STAMP:
                os.unlink(os.path.join(a.dir, name))
    os.makedirs(a.dir, exist_ok=True)
    work = [(i, a.n, a.seed, a.dir) for i in range(a.n)]
    if a.jobs > 1 and a.n > 200:
        with multiprocessing.Pool(a.jobs) as pool:
            for _ in pool.imap_unordered(make, work, chunksize=64):
                pass
    else:
        for w in work:
            make(w)
    with open(stamp, 'w', encoding='utf-8') as f:
        f.write(want)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
