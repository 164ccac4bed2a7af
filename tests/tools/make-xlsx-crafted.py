#!/usr/bin/python3
"""Write the hand-made XLSX fixtures of tests/test_xlsx_in.c into
tests/data/xlsx/: XML edge cases (edge-*.xlsx) and one file per class of
hostile input (the reliability items 1-11 of tests/README.md).  Standard library only; the
output is byte-for-byte reproducible.

Usage: tests/tools/make-xlsx-crafted.py [OUTDIR]
"""
import io
import os
import struct
import sys
import warnings
import zipfile

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data", "xlsx")

SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
RT = REL + "/"
S_SML = "http://purl.oclc.org/ooxml/spreadsheetml/main"
S_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
S_RT = S_REL + "/"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
DATE = (1980, 1, 1, 0, 0, 0)

warnings.simplefilter("ignore")  # zipfile warns about duplicate names


def content_types():
    return (DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>')


def rels(items, rt=RT, prefix=""):
    """items: (id, type, target[, mode])"""
    p = prefix + ":" if prefix else ""
    x = "xmlns:%s" % prefix if prefix else "xmlns"
    out = [DECL, '<%sRelationships %s="%s">' % (p, x, PKG)]
    for it in items:
        mode = ' TargetMode="%s"' % it[3] if len(it) > 3 else ""
        out.append('<%sRelationship Id="%s" Type="%s%s" Target="%s"%s/>'
                   % (p, it[0], rt, it[1], it[2], mode))
    out.append("</%sRelationships>" % p)
    return "".join(out)


def root_rels(target="xl/workbook.xml", rt=RT):
    return rels([("rId1", "officeDocument", target)], rt)


def workbook(sheets, sml=SML, rel=REL, pr=""):
    """sheets: (name, rid or None[, extra attributes])"""
    out = [DECL, '<workbook xmlns="%s" xmlns:r="%s">' % (sml, rel), pr, "<sheets>"]
    for i, s in enumerate(sheets):
        rid = ' r:id="%s"' % s[1] if s[1] else ""
        extra = s[2] if len(s) > 2 else ""
        out.append('<sheet name="%s" sheetId="%d"%s%s/>' % (s[0], i + 1, rid, extra))
    out.append("</sheets></workbook>")
    return "".join(out)


def worksheet(body, sml=SML, dim=None):
    d = '<dimension ref="%s"/>' % dim if dim else ""
    return DECL + '<worksheet xmlns="%s">%s<sheetData>%s</sheetData></worksheet>' % (sml, d, body)


def inline(ref, text):
    """A row holding one inline string cell."""
    return '<row><c r="%s" t="inlineStr"><is><t>%s</t></is></c></row>' % (ref, text)


def write_zip(name, parts, method=zipfile.ZIP_DEFLATED):
    """parts: (name, str or bytes); written in order, fixed dates."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for pname, data in parts:
            info = zipfile.ZipInfo(pname, DATE)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            z.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return save(name, buf.getvalue())


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    return data


def simple_book(sheet_xml, extra=(), sheets=None, wb=None):
    """A minimal workbook: one sheet "S" (or sheets) plus extra parts."""
    sheets = [("S", "rId1")] if sheets is None else sheets
    parts = [("[Content_Types].xml", content_types()), ("_rels/.rels", root_rels()),
             ("xl/workbook.xml", wb or workbook(sheets)),
             ("xl/_rels/workbook.xml.rels",
              rels([("rId1", "worksheet", "worksheets/sheet1.xml"),
                    ("rId9", "sharedStrings", "sharedStrings.xml")]))]
    if sheet_xml is not None:
        parts.append(("xl/worksheets/sheet1.xml", sheet_xml))
    return parts + list(extra)


# ---- zip surgery: patch local and central headers of one entry ----

def entries(data):
    """Yield (name, local header offset, central header offset)."""
    eocd = data.rfind(b"PK\x05\x06")
    n, = struct.unpack_from("<H", data, eocd + 10)
    cd, = struct.unpack_from("<I", data, eocd + 16)
    p = cd
    for _ in range(n):
        nlen, xlen, clen = struct.unpack_from("<HHH", data, p + 28)
        lho, = struct.unpack_from("<I", data, p + 42)
        yield data[p + 46:p + 46 + nlen].decode(), lho, p
        p += 46 + nlen + xlen + clen


def patch(data, part, field, fn):
    """field: 'flag', 'method', 'crc' or 'usize'; fn maps the old value."""
    local = {"flag": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "usize": (22, "<I")}
    central = {"flag": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "usize": (24, "<I")}
    data = bytearray(data)
    for name, lho, cho in entries(bytes(data)):
        if name == part:
            for base, (off, fmt) in ((lho, local[field]), (cho, central[field])):
                old, = struct.unpack_from(fmt, data, base + off)
                struct.pack_into(fmt, data, base + off, fn(old))
    return bytes(data)


def overlap(data, part, aliases):
    """Add central directory entries named aliases (same length as part)
    that point at part's local header: one stream, many parts."""
    eocd = data.rfind(b"PK\x05\x06")
    n, = struct.unpack_from("<H", data, eocd + 10)
    size, cd = struct.unpack_from("<II", data, eocd + 12)
    central = data[cd:cd + size]
    for name, lho, cho in entries(data):
        if name == part:
            nlen, xlen, clen = struct.unpack_from("<HHH", data, cho + 28)
            rec = data[cho:cho + 46 + nlen + xlen + clen]
    for a in aliases:
        assert len(a) == len(part)
        central += rec[:46] + a.encode() + rec[46 + len(part):]
    tail = data[eocd:]
    tail = tail[:8] + struct.pack("<HHII", n + len(aliases), n + len(aliases), len(central), cd) + tail[20:]
    return data[:cd] + central + tail


# ---- edge cases: files a reader must take ----

def edge_basic():
    sst = (DECL + '<sst xmlns="%s" count="4000000000" uniqueCount="4000000000">' % SML +
           "<si><t>考核细则</t></si>"
           '<si><r><rPr><b/></rPr><t>被考核</t></r><r><t xml:space="preserve">单位 </t></r>'
           '<rPh sb="0" eb="1"><t>ヒ</t></rPh><phoneticPr fontId="1"/></si>'
           "<si><t>检查_x000D_\n结果</t></si>"
           "<si><t>a_x005F_x000D_b</t></si>"
           "<si><t/></si></sst>")
    styles = (DECL + '<styleSheet xmlns="%s"><numFmts count="3">' % SML +
              '<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
              '<numFmt numFmtId="165" formatCode="0.00_);[Red]\\(0.00\\)"/>'
              '<numFmt numFmtId="166" formatCode="&quot;day &quot;0"/></numFmts>'
              '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
              '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
              '<xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="22"/></cellXfs></styleSheet>')
    body = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
            '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><v>ignored</v><is><t>inline</t></is></c>'
            '<c r="B2" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r><rPh><t>x</t></rPh></is></c>'
            '<c r="C2" t="str"><f>A1&amp;"x"</f><v>formula text</v></c>'
            '<c r="D2" t="b"><v>1</v></c><c r="E2" t="b"><v>0</v></c>'
            '<c r="F2" t="e"><f>NA()</f><v>#N/A</v></c><c r="G2"><f>1/0</f></c></row>'
            '<row r="3"><c r="A3" s="3"/><c r="B3"><f>1+1</f><v>2</v></c><c r="C3"><v>2.0</v></c>'
            '<c r="D3"><v>1.9999999999999998</v></c><c r="E3" t="n"><v>0.30000000000000004</v></c>'
            '<c r="F3"><v>-0</v></c><c r="G3"><v>1E-5</v></c><c r="H3"><v>123456789012345678</v></c>'
            '<c r="I3"><v> 7 </v></c><c r="J3"><v>-1.5</v></c></row>'
            '<row><c><v>10</v></c><c><v>11</v></c><c r="E4"><v>12</v></c><c><v>13</v></c></row>'
            '<row r="7" spans="1:3"><c r="B7" s="1"><v>44170</v></c><c r="C7" s="2"><v>44170</v></c>'
            '<c r="D7" s="3"><v>44170</v></c><c r="E7" s="4"><v>44170</v></c>'
            '<c r="F7" s="5"><v>44170.75</v></c><c r="G7" s="1"><v>60</v></c>'
            '<c r="H7" s="1"><v>59</v></c><c r="I7" s="1"><v>61</v></c><c r="J7" s="1"><v>0.5</v></c>'
            '<c r="K7" s="99"><v>5</v></c><c r="L7" t="d"><v>2020-12-05T00:00:00Z</v></c></row>'
            '<row><c><v>1</v></c></row>'
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>corner</t></is></c></row>')
    write_zip("edge-basic.xlsx", [
        ("[Content_Types].xml", content_types()), ("_rels/.rels", root_rels()),
        ("docProps/core.xml", "<not-checked"),
        ("xl/workbook.xml", workbook([("检查表", "rId1")])),
        ("xl/_rels/workbook.xml.rels", rels([
            ("rId1", "worksheet", "worksheets/sheet1.xml"),
            ("rId2", "sharedStrings", "sharedStrings.xml"),
            ("rId3", "styles", "styles.xml"),
            ("rId4", "hyperlink", "http://example.com/", "External")])),
        ("xl/worksheets/sheet1.xml", worksheet(body, dim="A1:A1")),
        ("xl/sharedStrings.xml", sst), ("xl/styles.xml", styles)])


def edge_prefixed():
    wb = (DECL + '<x:workbook xmlns:x="%s" xmlns:relationships="%s"><x:sheets>' % (SML, REL) +
          '<x:sheet name="甲" sheetId="1" relationships:id="rId1"/>'
          '<x:sheet name="乙" sheetId="2" relationships:id="rId2"/></x:sheets></x:workbook>')
    s1 = (DECL + '<x:worksheet xmlns:x="%s" xmlns:o="urn:other"><x:sheetData>' % SML +
          '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>prefixed</x:t></x:is></x:c>'
          '<o:c r="B1"><o:v>9</o:v></o:c><x:c r="C1" s="1"><x:v>3</x:v></x:c></x:row>'
          "</x:sheetData></x:worksheet>")
    s2 = worksheet('<row r="2"><c r="B2" t="inlineStr"><is><t>second</t></is></c></row>')
    write_zip("edge-prefixed.xlsx", [
        ("[Content_Types].xml", content_types()),
        ("/_rels/.rels", rels([("rId1", "officeDocument", "xl/workbook.xml")], prefix="pr")),
        ("XL/Workbook.xml", wb),
        ("xl\\_rels\\workbook.xml.rels", rels([
            ("rId1", "worksheet", "/xl/worksheets/sheet1.xml"),
            ("rId2", "worksheet", "worksheets/../worksheets/./Sheet2.xml")])),
        ("xl\\worksheets\\SHEET1.XML", s1),
        ("xl/worksheets/sheet2.xml", s2),
        ("xl/worksheets/", b"")])


def edge_strict():
    wb = workbook([("第二", "rId2"), ("第一", "rId1", ' state="hidden"'), ("图", "rId3")],
                  S_SML, S_REL, '<workbookPr date1904="true"/>')
    styles = (DECL + '<styleSheet xmlns="%s"><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/>'
              '</cellXfs></styleSheet>' % S_SML)
    s1 = worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>one</t></is></c></row>', S_SML)
    s2 = worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>0</v></c>'
                   '<c r="C1" s="1"><v>42708</v></c><c r="D1"><v>42708</v></c></row>', S_SML)
    sst = DECL + '<sst xmlns="%s"><si><t>strict</t></si></sst>' % S_SML
    write_zip("edge-strict.xlsx", [
        ("[Content_Types].xml", content_types()),
        ("_rels/.rels", root_rels(rt=S_RT)),
        ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", rels([
            ("rId1", "worksheet", "worksheets/sheet1.xml"),
            ("rId2", "worksheet", "worksheets/sheet2.xml"),
            ("rId3", "chartsheet", "chartsheets/sheet1.xml"),
            ("rId4", "sharedStrings", "sharedStrings.xml"),
            ("rId5", "styles", "styles.xml")], S_RT)),
        ("xl/worksheets/sheet1.xml", s1), ("xl/worksheets/sheet2.xml", s2),
        ("xl/chartsheets/sheet1.xml", DECL + '<chartsheet xmlns="%s"/>' % S_SML),
        ("xl/sharedStrings.xml", sst), ("xl/styles.xml", styles)])


def edge_norels():
    sst = DECL + '<sst xmlns="%s"><si><t>no rels</t></si></sst>' % SML
    styles = (DECL + '<styleSheet xmlns="%s"><cellXfs><xf/><xf numFmtId="14"/></cellXfs>'
              '</styleSheet>' % SML)
    write_zip("edge-norels.xlsx", [
        ("[Content_Types].xml", content_types()),
        ("xl/workbook.xml", workbook([("A", None), ("B", None)])),
        ("xl/worksheets/sheet1.xml", worksheet('<row><c t="s"><v>0</v></c><c s="1"><v>44170</v></c></row>')),
        ("xl/worksheets/sheet2.xml", worksheet('<row><c><v>2</v></c></row>')),
        ("xl/sharedStrings.xml", sst), ("xl/styles.xml", styles)])


# ---- hostile files, by reliability item ----

def hostile():
    ok_sheet = worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>')
    base = write_zip("ok.xlsx", simple_book(ok_sheet))

    # 1. zip bombs: one part past 256 MiB; parts that together pass 512 MiB
    #    (three central directory entries share one 200 MiB stream).
    def bomb(mib, sheets):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            parts = [("[Content_Types].xml", content_types()), ("_rels/.rels", root_rels()),
                     ("xl/workbook.xml", workbook(sheets)),
                     ("xl/_rels/workbook.xml.rels",
                      rels([("rId%d" % (i + 1), "worksheet", "worksheets/sheet%d.xml" % (i + 1))
                            for i in range(len(sheets))]))]
            for pname, data in parts:
                info = zipfile.ZipInfo(pname, DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
            info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w") as f:
                f.write(('<worksheet xmlns="%s"><sheetData>' % SML).encode())
                blank = b" " * (1 << 20)
                for _ in range(mib):
                    f.write(blank)
                f.write(b"</sheetData></worksheet>")
        return buf.getvalue()

    save("bomb-part.xlsx", bomb(257, [("S", "rId1")]))
    data = bomb(200, [("S", "rId1"), ("T", "rId2"), ("U", "rId3")])
    save("bomb-total.xlsx", overlap(data, "xl/worksheets/sheet1.xml",
                                    ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"]))

    # 2. sizes and CRCs that do not match the data.
    save("crc.xlsx", patch(base, "xl/worksheets/sheet1.xml", "crc", lambda v: v ^ 1))
    save("size-long.xlsx", patch(base, "xl/worksheets/sheet1.xml", "usize", lambda v: v + 10))
    save("size-short.xlsx", patch(base, "xl/worksheets/sheet1.xml", "usize", lambda v: v - 10))
    save("zip-encrypted.xlsx", patch(base, "xl/worksheets/sheet1.xml", "flag", lambda v: v | 1))
    save("zip-method.xlsx", patch(base, "xl/worksheets/sheet1.xml", "method", lambda v: 12))

    # 3. ambiguous or escaping part names.
    write_zip("dup-case.xlsx", simple_book(ok_sheet, [("xl/Workbook.xml", workbook([("S", "rId1")]))]))
    write_zip("dup-backslash.xlsx", simple_book(ok_sheet, [("xl\\worksheets\\sheet1.xml", ok_sheet)]))
    write_zip("dotdot.xlsx", simple_book(ok_sheet, [("xl/../../evil.xml", "<evil/>")]))

    # 4. not a workbook at all, cut short, or an OLE file named .xlsx.
    save("empty.xlsx", b"")
    save("notzip.xlsx", "考核细则,乡镇\n".encode())
    save("truncated.xlsx", base[:len(base) // 2])
    save("legacy.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))

    # 5. missing parts.
    write_zip("no-workbook.xlsx", [("[Content_Types].xml", content_types()),
                                   ("docProps/core.xml", "<x/>")])
    write_zip("docx.xlsx", [("[Content_Types].xml", content_types()),
                            ("_rels/.rels", root_rels("word/document.xml")),
                            ("word/document.xml", DECL + '<w:document xmlns:w="urn:w"/>')])
    write_zip("ods.xlsx", [("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
                           ("content.xml", "<office:document-content/>")], zipfile.ZIP_STORED)
    write_zip("xlsb.xlsx", [("[Content_Types].xml", content_types()),
                            ("_rels/.rels", root_rels("xl/workbook.bin")),
                            ("xl/workbook.bin", b"\x83\x01\x00\x80")])
    write_zip("missing-sheet.xlsx", simple_book(None))
    write_zip("no-sheets.xlsx", simple_book(None, sheets=[]))

    # 6, 7. entity expansion and external entities: any DOCTYPE.
    lol = ('<?xml version="1.0"?>\n<!DOCTYPE sst [\n<!ENTITY a "aaaaaaaaaa">\n' +
           "".join('<!ENTITY %s "%s">\n' % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10)
                   for i in range(9)) +
           ']>\n<sst xmlns="%s"><si><t>&j;</t></si></sst>' % SML)
    write_zip("billion-laughs.xlsx", simple_book(ok_sheet, [("xl/sharedStrings.xml", lol)]))
    xxe = ('<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
           + worksheet('<row><c t="inlineStr"><is><t>&e;</t></is></c></row>')[len(DECL):])
    write_zip("xxe.xlsx", simple_book(xxe))

    # 8. deep nesting.
    write_zip("deep.xlsx", simple_book(worksheet("<x>" * 100 + "</x>" * 100)))
    write_zip("not-wellformed.xlsx", simple_book(
        DECL + '<worksheet xmlns="%s">\n<sheetData>\n<row></c></sheetData></worksheet>' % SML))
    # A cover sheet (skipped with a note), then a broken sheet: the workbook
    # is rejected whole, and the cover's note must not be printed.
    write_zip("cover-then-broken.xlsx", [
        ("[Content_Types].xml", content_types()), ("_rels/.rels", root_rels()),
        ("xl/workbook.xml", workbook([("封面", "rId1"), ("检查表", "rId2")])),
        ("xl/_rels/workbook.xml.rels",
         rels([("rId1", "worksheet", "worksheets/sheet1.xml"),
               ("rId2", "worksheet", "worksheets/sheet2.xml")])),
        ("xl/worksheets/sheet1.xml", worksheet(inline("A1", "说明"))),
        ("xl/worksheets/sheet2.xml",
         DECL + '<worksheet xmlns="%s"><sheetData>' % SML + inline("A1", "x"))])

    # 9. shared string indexes.
    sst2 = DECL + '<sst xmlns="%s" count="2" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>' % SML
    for name, v in (("sst-range", "2"), ("sst-negative", "-1"), ("sst-nan", "abc"),
                    ("sst-overflow", "99999999999999999999")):
        write_zip(name + ".xlsx", simple_book(
            worksheet('<row r="3"><c r="B3" t="s"><v>%s</v></c></row>' % v),
            [("xl/sharedStrings.xml", sst2)]))

    # 10. cell references and row numbers.
    for name, body in (("ref-a0", '<row><c r="A0"><v>1</v></c></row>'),
                       ("ref-xfe", '<row><c r="XFE1"><v>1</v></c></row>'),
                       ("ref-overflow", '<row><c r="A99999999999999999999"><v>1</v></c></row>'),
                       ("ref-lower", '<row><c r="a1"><v>1</v></c></row>'),
                       ("row-overflow", '<row r="1048577"><c><v>1</v></c></row>'),
                       ("row-cols", "<row>" + "<c><v>1</v></c>" * 16385 + "</row>"),
                       ("bad-type", '<row><c r="C5" t="x"><v>1</v></c></row>'),
                       ("bad-bool", '<row><c r="C5" t="b"><v>2</v></c></row>'),
                       ("bad-number", '<row><c r="C5"><v>0x10</v></c></row>')):
        write_zip(name + ".xlsx", simple_book(worksheet(body, dim="A1:XFD1048576")))

    # 11. XML cut short inside a sound zip.
    write_zip("truncated-xml.xlsx", simple_book(ok_sheet[:len(ok_sheet) - 30]))

    # A sound first sheet, a broken second one.
    write_zip("second-broken.xlsx", [
        ("[Content_Types].xml", content_types()), ("_rels/.rels", root_rels()),
        ("xl/workbook.xml", workbook([("S", "rId1"), ("T", "rId2")])),
        ("xl/_rels/workbook.xml.rels", rels([("rId1", "worksheet", "worksheets/sheet1.xml"),
                                             ("rId2", "worksheet", "worksheets/sheet2.xml")])),
        ("xl/worksheets/sheet1.xml", ok_sheet),
        ("xl/worksheets/sheet2.xml", worksheet('<row><c r="B2"><v>1</c></row>'))])

    # Other limits: a cell past 32767 characters, a shared string too, a
    # comment past 4 MiB, 1001 sheets.
    write_zip("cell-too-long.xlsx", simple_book(worksheet(inline("D4", "x" * 32768))))
    write_zip("cell-longest.xlsx", simple_book(worksheet(inline("D4", "字" * 32767))))
    write_zip("sst-too-long.xlsx", simple_book(ok_sheet, [(
        "xl/sharedStrings.xml", DECL + '<sst xmlns="%s"><si><t>%s</t></si></sst>' % (SML, "y" * 32768))]))
    write_zip("bomb-grid.xlsx", simple_book(
        worksheet("<row>" + '<c t="s"><v>0</v></c>' * 5000 + "</row>"),
        [("xl/sharedStrings.xml", DECL + '<sst xmlns="%s"><si><t>%s</t></si></sst>' % (SML, "z" * 32767))]))
    write_zip("bomb-grids.xlsx", simple_book(
        worksheet("<row>" + '<c t="s"><v>0</v></c>' * 3800 + "</row>"),
        [("xl/sharedStrings.xml", DECL + '<sst xmlns="%s"><si><t>%s</t></si></sst>' % (SML, "z" * 32767))],
        wb=workbook([("S%d" % i, "rId1") for i in range(1, 6)])))
    write_zip("long-token.xlsx", simple_book(worksheet("<!--" + "c" * (5 << 20) + "-->")))
    write_zip("many-sheets.xlsx", simple_book(ok_sheet, wb=workbook(
        [("S%d" % i, "rId1") for i in range(1001)])))


def main():
    os.makedirs(OUT, exist_ok=True)
    edge_basic()
    edge_prefixed()
    edge_strict()
    edge_norels()
    hostile()


if __name__ == "__main__":
    main()
