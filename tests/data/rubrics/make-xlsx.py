#!/usr/bin/python3
"""Regenerate the XLSX rubric fixtures of this folder (run from here).

department.xlsx      the shipped department rubric as a workbook made by
                     openpyxl: numbers as number cells, check ids as text,
                     a second sheet the loader must ignore.
bad-department.xlsx  the same with kind 'hass' in F7 and total 4 in B4.
department.xls       department.xlsx saved by LibreOffice as .xls (BIFF8).
department-libreoffice.xlsx
                     the CSV rubric converted by LibreOffice, which turns
                     the check ids 1.10 and 6.10 into the numbers 1.1 and 6.1.

Needs python3-openpyxl (/usr/bin/python3) and LibreOffice (soffice).
"""
import csv
import os
import shutil
import subprocess
import tempfile
from decimal import Decimal

import openpyxl

SRC = '../../../templates/rubrics/lingui-2020-department.csv'
NUMERIC = ('points', 'need', 'per', 'cap')


def make(dst, mutate=None):
    rows = list(csv.reader(open(SRC, encoding='utf-8-sig')))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = '细则'
    header = None
    for r, row in enumerate(rows, 1):
        if mutate:
            row = mutate(r, list(row))
        for c, v in enumerate(row, 1):
            if v == '':
                continue
            name = header[c - 1] if header else None
            if name in NUMERIC or (row[0] == 'total' and c == 2):
                d = Decimal(v)
                ws.cell(r, c, int(d) if d == d.to_integral() else float(v))
            elif name == 'item':
                ws.cell(r, c, int(v))
            else:
                ws.cell(r, c, v)
        if row and row[0] == 'item':
            header = row
    wb.create_sheet('说明').cell(1, 1, '只读第一张工作表')
    wb.save(dst)


def bad(r, row):
    if r == 7:
        row[5] = 'hass'
    if r == 4:
        row[1] = '4'
    return row


make('department.xlsx')
make('bad-department.xlsx', bad)
with tempfile.TemporaryDirectory() as tmp:
    shutil.copy(SRC, os.path.join(tmp, 'department-libreoffice.csv'))
    subprocess.run(['soffice', '--headless', '--convert-to', 'xlsx',
                    '--infilter=CSV:44,34,76,1', '--outdir', tmp,
                    os.path.join(tmp, 'department-libreoffice.csv')],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.copy(os.path.join(tmp, 'department-libreoffice.xlsx'), '.')
    # department.xls: department.xlsx (check ids as text) saved by
    # LibreOffice as Excel 97-2003, for the .xls reader.
    subprocess.run(['soffice', '--headless', '--convert-to', 'xls', '--outdir', tmp,
                    'department.xlsx'],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.copy(os.path.join(tmp, 'department.xls'), '.')
