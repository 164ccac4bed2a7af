#!/usr/bin/python3
"""Compare the cells kaohe reads from .xls files (the output of
build/sheet_cells) with python3-xlrd's reading of the same files, cell by
cell: the same sheets, the same non-empty cells, of the same kind and value.
A number matches when it is the same double at 15 significant digits; a
date cell is the date of its serial number in the workbook's date system;
booleans are TRUE/FALSE; errors their text (#N/A).  Text that is empty or
only white space is no cell (kaohe keeps none).

Usage: xls-vs-xlrd.py CELLS FILE.xls...   Prints each difference; exit 1
if there is one, and says how many files and cells agreed."""
import sys

import xlrd

WS = " \t\r\n\v\f\u3000"


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def kaohe_cells(path):
    got = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[1] == "!":
                got.setdefault(parts[0], {})["!"] = parts[2]
                continue
            fname, sheet, ref, typ, text = parts
            got.setdefault(fname, {})[(unescape(sheet), ref)] = (typ, unescape(text))
    return got


def ref(r, c):
    s = ""
    c += 1
    while c:
        c, m = divmod(c - 1, 26)
        s = chr(65 + m) + s
    return "%s%d" % (s, r + 1)


def xlrd_cells(path):
    bk = xlrd.open_workbook(path)
    want = {}
    for sh in bk.sheets():
        for r in range(sh.nrows):
            for c in range(sh.ncols):
                x = sh.cell(r, c)
                t, v = x.ctype, x.value
                if t == xlrd.XL_CELL_TEXT:
                    if v.strip(WS):
                        want[(sh.name, ref(r, c))] = ("s", v)
                elif t == xlrd.XL_CELL_NUMBER:
                    want[(sh.name, ref(r, c))] = ("n", v)
                elif t == xlrd.XL_CELL_DATE:
                    y, m, d = xlrd.xldate_as_tuple(v, bk.datemode)[:3]
                    want[(sh.name, ref(r, c))] = ("d", "%04d-%02d-%02d" % (y, m, d))
                elif t == xlrd.XL_CELL_BOOLEAN:
                    want[(sh.name, ref(r, c))] = ("b", "TRUE" if v else "FALSE")
                elif t == xlrd.XL_CELL_ERROR:
                    want[(sh.name, ref(r, c))] = ("e", xlrd.error_text_from_code[v])
    return want


def same(w, g):
    if w[0] != g[0]:
        return False
    if w[0] == "n":
        return float("%.15g" % w[1]) == float(g[1])
    return w[1] == g[1]


def main():
    got = kaohe_cells(sys.argv[1])
    bad = ncells = 0
    for path in sys.argv[2:]:
        g = got.get(path, {})
        if "!" in g:
            print("%s: kaohe refused it: %s" % (path, g["!"]))
            bad += 1
            continue
        w = xlrd_cells(path)
        for k in sorted(set(w) | set(g)):
            if k not in g:
                print("%s: %s!%s: kaohe has no cell, xlrd %r" % (path, k[0], k[1], w[k]))
                bad += 1
            elif k not in w:
                print("%s: %s!%s: kaohe %r, xlrd no cell" % (path, k[0], k[1], g[k]))
                bad += 1
            elif not same(w[k], g[k]):
                print("%s: %s!%s: kaohe %r, xlrd %r" % (path, k[0], k[1], g[k], w[k]))
                bad += 1
            else:
                ncells += 1
    print("%d files, %d cells equal, %d differences" % (len(sys.argv) - 2, ncells, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
