#!/usr/bin/python3
"""Write tests/data/xlsx/real-openpyxl.xlsx with openpyxl (Debian's
python3-openpyxl, hence /usr/bin/python3).  Usage: openpyxl-fixture.py OUT"""
import datetime
import sys

import openpyxl

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "检查表"
ws["A1"] = "考核细则"
ws["B1"] = "乡镇-2020"
ws["A2"] = "被考核单位"
ws["B2"] = "  两江镇 "
ws["A3"] = "检查日期"
ws["B3"] = datetime.date(2020, 12, 5)
ws["C3"] = datetime.datetime(2021, 1, 31, 18, 30)
ws["D3"] = datetime.date(2020, 12, 5)
ws["D3"].number_format = 'yyyy"年"m"月"d"日"'
ws["A5"] = "检查点"
ws["B5"] = "检查结果"
ws["A6"] = 1.1
ws["B6"] = "有"
ws["A7"] = "1.10"
ws["B7"] = 2.0
ws["C7"] = "=B7*2"          # openpyxl stores no cached value
ws["A8"] = 2
ws["B8"] = True
ws["C8"] = False
ws["D8"] = 0.1 + 0.2
ws["E8"] = -7
ws["F8"] = 1e-7
ws["Z100"] = "远处"
ws2 = wb.create_sheet("Second")
ws2["C3"] = "x"
ws3 = wb.create_sheet("隐藏")
ws3.sheet_state = "hidden"
ws3["A1"] = 3
wb.move_sheet("Second", offset=-1)   # tab order: Second, 检查表, 隐藏
wb.save(sys.argv[1])
