#!/usr/bin/python3
"""Make the .xls differential corpus of tests/interop/test_xls_corpus.sh.

Every workbook holds a checklist (samples/两江镇.csv with its unit renamed
and its results drawn at random: 有/无 as text, booleans, numbers, counts
with a measure word, formulas where the producer keeps their results, the
inspection date as a date cell) and a data sheet of random cells (Chinese
and long text, SST strings that cross CONTINUE records, numbers, dates,
booleans, formulas, errors), sometimes a hidden sheet.  Three producers:

  xlwt/NNN.xls       python3-xlwt (BIFF8; dates, 1904 mode in some, long
                     strings); its twin xlwt-twin/NNN.xlsx by openpyxl
  lo-src/NNN.xlsx    openpyxl, for LibreOffice to save as .xls and as
                     .xlsx (the twin) in the test
  sheetjs.json       the workbooks for tests/tools/make-xls-sheetjs.js
                     (SheetJS: BIFF8, and BIFF5 in code page 936)

Usage: tests/tools/make-xls-corpus.py OUTDIR NXLWT NLO NSHEETJS [SEED]
Deterministic for a seed.
"""
import csv
import datetime
import json
import os
import random
import sys

import openpyxl
import xlwt

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")
CSV = os.path.join(TOP, "samples", "两江镇.csv")

HAN = "安全生产检查记录会议学习领导机构年度工作计划总结图片签到单有无是否测试镇村委学校企业责任状应急管理局"


def load_rows():
    with open(CSV, encoding="utf-8-sig") as f:
        return [row for row in csv.reader(f)]


ROWS = load_rows()
HEAD = next(i for i, r in enumerate(ROWS) if r and r[0] == "序号")
RESULT = ROWS[HEAD].index("检查结果")


def rtext(rng, lo, hi):
    n = rng.randint(lo, hi)
    return "".join(rng.choice(HAN) if rng.random() < 0.6 else rng.choice("abcXYZ0123 -_")
                   for _ in range(n)).strip() or "x"


def checklist(rng, unit, formulas):
    """The checklist rows: lists of cells; a cell is None or a dict."""
    out = []
    for i, row in enumerate(ROWS):
        cells = []
        for j, v in enumerate(row):
            if i == 1 and j == 1 or (i > HEAD and j == RESULT) or i == 5 and j == 1:
                cells.append(None)  # filled below
            elif v == "":
                cells.append(None)
            elif i > HEAD and j in (0, 4) and v.replace(".", "").isdigit():
                cells.append({"t": "n", "v": float(v) if "." in v else int(v)})
            else:
                cells.append({"t": "s", "v": v})
        if i == 2:
            cells[1] = {"t": "s", "v": unit}
        if i == 1:
            cells[1] = {"t": "s", "v": row[1]}
        if i == 5:
            d = datetime.date(2020, rng.randint(1, 12), rng.randint(1, 28))
            cells[1] = {"t": "d", "v": d.isoformat()}
            if formulas and rng.random() < 0.3:
                cells[1] = {"t": "f", "f": "DATE(%d,%d,%d)" % (d.year, d.month, d.day),
                            "vt": "d", "v": d.isoformat()}
        if i > HEAD:
            v = row[RESULT]
            if v in ("有", "无"):
                k = rng.random()
                yes = rng.random() < 0.8
                if k < 0.35:
                    c = {"t": "s", "v": "有" if yes else "无"}
                elif k < 0.6:
                    c = {"t": "b", "v": yes}
                elif k < 0.7:
                    c = {"t": "s", "v": "是" if yes else "否"}
                elif k < 0.8:
                    c = {"t": "n", "v": 1 if yes else 0}
                elif formulas and k < 0.9:
                    c = {"t": "f", "f": "TRUE()" if yes else "FALSE()", "vt": "b", "v": yes}
                elif formulas:
                    c = {"t": "f", "f": 'IF(1>0,"%s","x")' % ("有" if yes else "无"),
                         "vt": "s", "v": "有" if yes else "无"}
                else:
                    c = {"t": "s", "v": "有" if yes else "无"}
            elif v == "":
                c = None
            else:
                n = rng.randint(0, 4)
                k = rng.random()
                if k < 0.6:
                    c = {"t": "n", "v": n}
                elif k < 0.75:
                    c = {"t": "s", "v": "%d次" % n}
                elif formulas:
                    c = {"t": "f", "f": "%d+0" % n, "vt": "n", "v": n}
                else:
                    c = {"t": "n", "v": float(n)}
            cells[RESULT] = c
        out.append(cells)
    return out


def data_sheet(rng, long_strings, formulas, errors):
    rows = []
    for r in range(rng.randint(5, 25)):
        row = []
        for c in range(rng.randint(1, 8)):
            k = rng.random()
            if k < 0.1:
                row.append(None)
            elif k < 0.35:
                row.append({"t": "s", "v": rtext(rng, 1, 40)})
            elif k < 0.5:
                row.append({"t": "n", "v": rng.randint(-100000, 100000)})
            elif k < 0.62:
                row.append({"t": "n", "v": round(rng.uniform(-1e6, 1e6), rng.randint(0, 6))})
            elif k < 0.66:
                row.append({"t": "n", "v": rng.choice([123456789012, 0.1, 1e-7, 2 ** 40, -0.5])})
            elif k < 0.76:
                d = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 35000))
                row.append({"t": "d", "v": d.isoformat()})
            elif k < 0.84:
                row.append({"t": "b", "v": rng.random() < 0.5})
            elif k < 0.92 and formulas:
                a, b = rng.randint(1, 99), rng.randint(1, 99)
                kind = rng.choice("nsbe" if errors else "nsb")
                if kind == "n":
                    row.append({"t": "f", "f": "%d*%d" % (a, b), "vt": "n", "v": a * b})
                elif kind == "s":
                    row.append({"t": "f", "f": '"%s"&"%d"' % ("值", a), "vt": "s", "v": "值%d" % a})
                elif kind == "b":
                    row.append({"t": "f", "f": "%d>%d" % (a, b), "vt": "b", "v": a > b})
                else:
                    row.append({"t": "f", "f": "1/0", "vt": "e", "v": "#DIV/0!"})
            else:
                row.append({"t": "s", "v": rtext(rng, 1, 8)})
        rows.append(row)
    if long_strings:
        for _ in range(rng.randint(1, 3)):
            # 2 bytes a character in UTF-16: past 8224 bytes crosses a CONTINUE
            rows.append([{"t": "s", "v": rtext(rng, 3000, 9000)}])
        # many short strings: the SST itself spans CONTINUE records
        rows.append([{"t": "s", "v": "串%d-%s" % (i, rtext(rng, 5, 30))} for i in range(200)])
    return rows


def book(rng, unit, producer):
    formulas = producer != "xlwt"
    sheets = [{"name": unit, "rows": checklist(rng, unit, formulas)},
              {"name": "数据", "rows": data_sheet(rng, producer in ("xlwt", "sheetjs"),
                                                 producer != "xlwt", producer != "xlwt")}]
    if rng.random() < 0.3:
        sheets.append({"name": "隐藏", "hidden": True, "rows": data_sheet(rng, False, False, False)})
    return sheets


# ---- writers ----

def to_date(s):
    return datetime.date.fromisoformat(s)


def write_openpyxl(sheets, path, d1904=False):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if d1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    for sh in sheets:
        ws = wb.create_sheet(sh["name"])
        if sh.get("hidden"):
            ws.sheet_state = "hidden"
        for r, row in enumerate(sh["rows"], 1):
            for c, cell in enumerate(row, 1):
                if cell is None:
                    continue
                t, v = cell["t"], cell.get("v")
                x = ws.cell(row=r, column=c)
                if t == "d":
                    x.value = to_date(v)
                    x.number_format = "yyyy-mm-dd"
                elif t == "f":
                    x.value = "=" + cell["f"]
                    if cell["vt"] == "d":
                        x.number_format = "yyyy-mm-dd"
                else:
                    x.value = v
    wb.save(path)


def write_xlwt(sheets, path, d1904):
    wb = xlwt.Workbook(encoding="utf-8")
    wb.dates_1904 = d1904
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for sh in sheets:
        ws = wb.add_sheet(sh["name"])
        if sh.get("hidden"):
            ws.visibility = 1
        for r, row in enumerate(sh["rows"]):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                t, v = cell["t"], cell.get("v")
                if t == "d":
                    ws.write(r, c, datetime.datetime.combine(to_date(v), datetime.time()),
                             date_style)
                elif t == "f":
                    ws.write(r, c, xlwt.Formula(cell["f"]))
                else:
                    ws.write(r, c, v)
    wb.save(path)


def main():
    out = sys.argv[1]
    nx, nl, ns = (int(a) for a in sys.argv[2:5])
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 24)
    for d in ("xlwt", "xlwt-twin", "lo-src"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    for i in range(nx):
        sheets = book(rng, "xlwt测试镇%03d" % i, "xlwt")
        d1904 = i % 4 == 1
        write_xlwt(sheets, os.path.join(out, "xlwt", "%03d.xls" % i), d1904)
        write_openpyxl(sheets, os.path.join(out, "xlwt-twin", "%03d.xlsx" % i), d1904)
    for i in range(nl):
        sheets = book(rng, "lo测试镇%03d" % i, "lo")
        write_openpyxl(sheets, os.path.join(out, "lo-src", "%03d.xlsx" % i))
    books = []
    for i in range(ns):
        kind = "biff5" if i % 3 == 2 else "biff8"
        # BIFF5 strings are byte strings of at most 255 characters
        sheets = book(rng, "sj测试镇%03d" % i, "sheetjs" if kind == "biff8" else "sheetjs5")
        books.append({"name": "%03d" % i, "type": kind, "sheets": sheets})
    with open(os.path.join(out, "sheetjs.json"), "w", encoding="utf-8") as f:
        json.dump(books, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
