#!/usr/bin/python3
"""Write tests/data/xlsx-twins/: samples/xlsx/两江镇.xlsx (saved by openpyxl;
its CSV twin is samples/两江镇.csv) with the package XML rewritten the ways
other producers write it, the content unchanged.  Every variant must score
exactly like samples/两江镇.csv (tests/interop/test_xlsx_twins.sh).

openpyxl writes inline strings (t="inlineStr") and an absolute worksheet
target, so the variants that need shared strings start from "shared", the
same workbook with every inline string moved into xl/sharedStrings.xml the
way Excel writes it.

Standard library only (zipfile, re); the output is byte-for-byte
reproducible (fixed timestamps, fixed part order).

Usage: tests/tools/make-xlsx-twins.py [OUTDIR]
"""
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")
SRC = os.path.join(TOP, "samples", "xlsx", "两江镇.xlsx")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "tests", "data", "xlsx-twins")

SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
S_SML = "http://purl.oclc.org/ooxml/spreadsheetml/main"
S_RT = "http://purl.oclc.org/ooxml/officeDocument/relationships"
DATE = (1980, 1, 1, 0, 0, 0)
SHEET = "xl/worksheets/sheet1.xml"
WB = "xl/workbook.xml"
WBRELS = "xl/_rels/workbook.xml.rels"
SST = "xl/sharedStrings.xml"
UNIT = "两江镇"


def load():
    with zipfile.ZipFile(SRC) as z:
        return [(i.filename, z.read(i.filename).decode("utf-8")) for i in z.infolist()]


def get(pkg, name):
    return next(t for n, t in pkg if n == name)


def put(pkg, name, text):
    return [(n, text if n == name else t) for n, t in pkg]


def save(pkg, name):
    path = os.path.join(OUT, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, t in pkg:
            info = zipfile.ZipInfo(n, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, t.encode("utf-8"))
    print(path)


def decode_refs(s):
    """The numeric character references openpyxl writes (&#20004;) as text."""
    return re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), s)


def shared(pkg):
    """Every inline string cell becomes t="s" with its text in sharedStrings."""
    strings, index, refs = [], {}, [0]

    def cell(m):
        refs[0] += 1
        text = decode_refs(m.group(2))
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return '%s t="s"><v>%d</v></c>' % (m.group(1), index[text])

    sheet = re.sub(r'(<c [^>]*?) t="inlineStr"><is><t>(.*?)</t></is></c>', cell, get(pkg, SHEET))
    assert "inlineStr" not in sheet
    sst = ('<sst xmlns="%s" count="%d" uniqueCount="%d">' % (SML, refs[0], len(strings))
           + "".join("<si><t>%s</t></si>" % s for s in strings) + "</sst>")
    rels = get(pkg, WBRELS).replace(
        "</Relationships>",
        '<Relationship Type="%s/sharedStrings" Target="sharedStrings.xml" Id="rId9"/>'
        "</Relationships>" % RT)
    ct = get(pkg, "[Content_Types].xml").replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    pkg = put(put(put(pkg, SHEET, sheet), WBRELS, rels), "[Content_Types].xml", ct)
    return pkg + [(SST, sst)]


def x_prefix(pkg):
    """(a) Every SpreadsheetML element written x:name with xmlns:x."""
    def one(text):
        text = re.sub(r"<(/?)([A-Za-z][\w]*)(?=[\s/>])", r"<\1x:\2", text)
        return text.replace(' xmlns="%s"' % SML, ' xmlns:x="%s"' % SML, 1)
    for part in (WB, SHEET, SST):
        pkg = put(pkg, part, one(get(pkg, part)))
    return pkg


def strict(pkg):
    """(b) ISO 29500 Strict namespaces and relationship types."""
    out = []
    for n, t in pkg:
        t = t.replace(SML, S_SML).replace(RT, S_RT)
        out.append((n, t))
    return out


def targets(pkg, absolute):
    """(c) All relationship targets absolute (/xl/...), or all relative."""
    out = []
    for n, t in pkg:
        if n == "_rels/.rels":
            t = re.sub(r'Target="/?', 'Target="/' if absolute else 'Target="', t)
        elif n == WBRELS:
            t = re.sub(r'Target="(?:/xl/)?', 'Target="/xl/' if absolute else 'Target="', t)
        out.append((n, t))
    return out


def upper(pkg, rels_too):
    """(d) Part names upper-cased in the zip, all but the two names a reader
    must find by themselves ([Content_Types].xml, _rels/.rels); also in the
    rels and content types when rels_too, otherwise only the zip names
    differ in case from the names the rels give."""
    out = []
    for n, t in pkg:
        if rels_too:
            t = re.sub(r'(Target|PartName)="([^"]*)"',
                       lambda m: '%s="%s"' % (m.group(1), m.group(2).upper()), t)
        out.append((n if n in ("[Content_Types].xml", "_rels/.rels") else n.upper(), t))
    return out


def rich_unit(pkg):
    """(f) The unit name as a rich-text shared string: two runs with their own
    formatting and a phonetic run that must not be read."""
    si = ('<si><r><rPr><b/><sz val="11"/><rFont val="宋体"/></rPr><t>两</t></r>'
          '<r><rPr><sz val="11"/></rPr><t xml:space="preserve">江镇</t></r>'
          '<rPh sb="0" eb="3"><t>リャンジャンチン</t></rPh>'
          '<phoneticPr fontId="1" type="noConversion"/></si>')
    sst = get(pkg, SST)
    assert sst.count("<si><t>%s</t></si>" % UNIT) == 1
    return put(pkg, SST, sst.replace("<si><t>%s</t></si>" % UNIT, si))


def rich_inline_unit(pkg):
    """(f) The same rich text as an inline string."""
    sheet = get(pkg, SHEET)
    old = '<is><t>%s</t></is>' % "".join("&#%d;" % ord(c) for c in UNIT)
    assert sheet.count(old) == 1
    new = ('<is><r><rPr><b/></rPr><t>两</t></r><r><t>江镇</t></r>'
           '<rPh sb="0" eb="3"><t>リャンジャンチン</t></rPh></is>')
    return put(pkg, SHEET, sheet.replace(old, new))


def col_num(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def no_refs(pkg):
    """(g) r= dropped from rows and cells that follow their predecessor."""
    sheet = get(pkg, SHEET)
    prev_row = 0

    def row(m):
        nonlocal prev_row
        attrs, body = m.group(1), m.group(2)
        r = int(re.search(r' r="(\d+)"', attrs).group(1))
        if r == prev_row + 1:
            attrs = re.sub(r' r="\d+"', "", attrs, count=1)
        prev_row = r
        prev_col = 0

        def cell(c):
            nonlocal prev_col
            col = col_num(c.group(1))
            prev = prev_col
            prev_col = col
            return "<c" if col == prev + 1 else c.group(0)
        body = re.sub(r'<c r="([A-Z]+)\d+"', cell, body)
        return "<row%s>%s</row>" % (attrs, body)

    sheet2 = re.sub(r"<row([^>]*)>(.*?)</row>", row, sheet)
    assert sheet2.count(" r=\"") < sheet.count(" r=\"") / 2 and "<row ht=" in sheet2
    return put(pkg, SHEET, sheet2)


def bogus_dimension(pkg):
    """(h) The dimension WPS writes: A1:A1 whatever the sheet holds."""
    sheet = get(pkg, SHEET)
    sheet2 = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:A1"/>', sheet)
    assert sheet2 != sheet
    return put(pkg, SHEET, sheet2)


def main():
    os.makedirs(OUT, exist_ok=True)
    orig = load()
    sh = shared(orig)
    save(sh, "shared-strings.xlsx")                    # (e), see the docstring
    save(x_prefix(sh), "x-prefix.xlsx")                # (a)
    save(strict(sh), "strict.xlsx")                    # (b)
    save(strict(x_prefix(sh)), "strict-x-prefix.xlsx")  # (a)+(b)
    save(targets(sh, True), "absolute-targets.xlsx")   # (c)
    save(targets(sh, False), "relative-targets.xlsx")  # (c)
    save(upper(sh, True), "upper-case-names.xlsx")     # (d)
    save(upper(sh, False), "upper-case-zip-only.xlsx")  # (d) zip and rels differ in case
    save(rich_unit(sh), "rich-text-shared.xlsx")       # (f)
    save(rich_inline_unit(orig), "rich-text-inline.xlsx")  # (f)
    save(no_refs(orig), "no-refs-inline.xlsx")         # (g)
    save(no_refs(sh), "no-refs-shared.xlsx")           # (g)
    save(bogus_dimension(sh), "bogus-dimension.xlsx")  # (h)


if __name__ == "__main__":
    main()
