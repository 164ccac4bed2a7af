# What the office gives kaohe besides checklists (issue 22 §2, §4, §6):
# files that are no checklist are named for what they are, by their
# content, with what to do; kaohe's own ranking or scoresheet lying among
# the inputs is skipped with one note; a checklist may name its rubric by
# its title or unit type; rank ends with one line saying what it did.
# The messages are compared in English (in Chinese where the command says so).
export LC_ALL=C.UTF-8 LANGUAGE=

# A Word .doc: a Compound File whose directory holds a WordDocument stream
# (in the second directory sector when $2 is "far", reached through the FAT).
make_doc() {
    "$PY" - "$1" "${2:-near}" <<'PY'
import struct, sys
def entry(name, typ):
    n = name.encode('utf-16-le') + b'\0\0'
    e = n.ljust(64, b'\0') + struct.pack('<HBB', len(n), typ, 1)
    return e.ljust(128, b'\0')
far = sys.argv[2] == 'far'
hdr = bytes.fromhex('D0CF11E0A1B11AE1') + b'\0' * 16 + struct.pack('<HHHHH', 0x3E, 3, 0xFFFE, 9, 6)
hdr += b'\0' * 6 + struct.pack('<IIIIIIIII', 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
hdr += struct.pack('<I', 0) + b'\xff' * 4 * 108
# FAT: sector 0 is the FAT, the directory is sector 1 (then 2 when far).
fat = struct.pack('<III', 0xFFFFFFFD, 2 if far else 0xFFFFFFFE, 0xFFFFFFFE).ljust(512, b'\xff')
first = entry('Root Entry', 5) + entry('1Table', 2) + (entry('Data', 2) if far else entry('WordDocument', 2))
second = entry('CompObj', 2) + (entry('WordDocument', 2) if far else b'')
open(sys.argv[1], 'wb').write(hdr + fat + first.ljust(512, b'\0') + second.ljust(512, b'\0'))
PY
}

test_not_a_checklist_by_content() {
    printf '%%PDF-1.4\n%%\342\343\317\323\n1 0 obj\n' >"$T/两江镇.xlsx"     # a PDF named .xlsx
    printf '\211PNG\r\n\032\n\0\0\0\rIHDR' >"$T/photo.csv"                # a PNG named .csv
    printf '\377\330\377\340\0\020JFIF' >"$T/scan.jpg"
    make_doc "$T/form.doc"
    make_doc "$T/far.xls" far                                            # a .doc named .xls
    "$PY" - "$T" <<'PY'
import sys, zipfile
t = sys.argv[1]
with zipfile.ZipFile(t + '/form.docx', 'w') as z:
    z.writestr('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr('_rels/.rels', '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    z.writestr('word/document.xml', '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>')
with zipfile.ZipFile(t + '/all.zip', 'w') as z:
    z.writestr('两江镇.csv', 'x')
PY
    for f in 两江镇.xlsx photo.csv scan.jpg form.doc far.xls form.docx all.zip; do
        expect_exit 1 "$KAOHE" score "$T/$f"
        lacks_text "$T/err" "NUL"
        lacks_text "$T/err" "main part"
        [ "$(wc -l <"$T/err")" -eq 1 ] || fail "$f: $(cat "$T/err")"
    done
    expect_exit 1 "$KAOHE" score "$T/两江镇.xlsx" "$T/photo.csv" "$T/scan.jpg" "$T/form.doc" "$T/far.xls" "$T/form.docx" "$T/all.zip"
    has_text "$T/err" "$T/两江镇.xlsx: this is not a checklist but a PDF file: a printed or scanned form cannot be scored; fill in the checklist workbook made by kaohe template (.xlsx) and give that file"
    has_text "$T/err" "$T/photo.csv: this is not a checklist but an image:"
    has_text "$T/err" "$T/scan.jpg: this is not a checklist but an image:"
    has_text "$T/err" "$T/form.doc: this is not a checklist but a Word document: copy the results into the checklist workbook"
    has_text "$T/err" "$T/far.xls: this is not a checklist but a Word document:"
    has_text "$T/err" "$T/form.docx: this is not a checklist but a Word document:"
    has_text "$T/err" "$T/all.zip: this is not a checklist but a zip archive: unpack it and give the checklists in it"
    # The same words in Chinese, and in the JSON (which the page shows).
    expect_exit 1 env LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 "$KAOHE" score "$T/两江镇.xlsx" "$T/form.docx" "$T/all.zip" "$T/scan.jpg"
    has_text "$T/err" "$T/两江镇.xlsx：不是检查表（PDF 文件）：打印或扫描的表格无法评分"
    has_text "$T/err" "$T/form.docx：不是检查表（Word 文档）："
    has_text "$T/err" "$T/all.zip：不是检查表（zip 压缩包）：请解压后提交其中的检查表"
    has_text "$T/err" "$T/scan.jpg：不是检查表（图片）："
    expect_exit 1 "$KAOHE" score "$T/form.doc" -o -
    "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))["rejected"][0]; assert r["errors"][0].endswith("不是检查表（Word 文档）：请把检查结果填入用 kaohe template 生成的检查表工作簿（.xlsx）后提交该文件"), r; assert r["unit"] is None and r["rubric"] is None, r' "$T/out"
    # Standard input is told apart the same way.
    "$KAOHE" score - <"$T/两江镇.xlsx" >"$T/out" 2>"$T/err" && fail "a PDF on stdin was accepted"
    has_text "$T/err" "-: this is not a checklist but a PDF file"
    # A real .xls workbook is still read.
    expect_exit 0 "$KAOHE" score samples/两江镇.csv
}

# rank DIR -o DIR/排名.xlsx, twice: the second run skips the first run's
# ranking with one note (not ten messages of a broken checklist), its exit
# status unchanged, and overwrites it; a scoresheet is skipped the same way.
test_own_outputs_skipped() {
    mkdir "$T/in"
    cp samples/两江镇.csv samples/临桂镇.csv "$T/in/"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/in/排名.xlsx"
    expect_exit 0 "$KAOHE" rank "$T/in" -o "$T/in/排名.xlsx" --json "$T/r.json"
    has_text "$T/err" "kaohe: note: $T/in/排名.xlsx: this is a ranking workbook written by kaohe, skipped"
    [ "$(grep -c '排名.xlsx' "$T/err")" -eq 2 ] || fail "more than the note and the closing line: $(cat "$T/err")"
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [u["unit"] for u in d["units"]] == ["临桂镇", "两江镇"], d["units"]; assert d["rejected"] == []; assert [i["file"].rsplit("/",1)[1] for i in d["provenance"]["inputs"]] == ["两江镇.csv", "临桂镇.csv"]' "$T/r.json"
    expect_exit 0 env LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 "$KAOHE" rank "$T/in" -o "$T/in/排名.xlsx"
    has_text "$T/err" "$T/in/排名.xlsx：这是 kaohe 生成的排名表，已跳过"
    # Scoresheets written into the folder.
    expect_exit 0 "$KAOHE" score "$T/in" -o "$T/in/评分表"
    expect_exit 0 "$KAOHE" rank -r "$T/in" -o "$T/r2.xlsx"
    has_text "$T/err" "$T/in/评分表/两江镇.xlsx: this is a scoresheet written by kaohe, skipped"
    has_text "$T/err" "units ranked: 2;"
    # A ranking written before the mark is known by its 来源 and 未通过的文件 sheets.
    "$PY" - "$T/in/排名.xlsx" "$T/old.xlsx" <<'PY'
import re, sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
custom = src.read('docProps/custom.xml').decode()
assert re.search(r'name="kaohe"><vt:lpwstr>ranking</vt:lpwstr>', custom), custom
with zipfile.ZipFile(sys.argv[2], 'w') as out:
    for i in src.infolist():
        if i.filename != 'docProps/custom.xml':
            out.writestr(i, src.read(i))
PY
    expect_exit 0 "$KAOHE" score "$T/old.xlsx"
    has_text "$T/err" "this is a ranking workbook written by kaohe, skipped"
    # A blank checklist (template) is no output: it is read, and refused as unfilled.
    expect_exit 0 "$KAOHE" template lingui-2020-township --unit 两江镇 -o "$T/blank.xlsx"
    expect_exit 1 "$KAOHE" score "$T/blank.xlsx"
    lacks_text "$T/err" "skipped"
}

# Rubrics by the name people use: a checklist whose 考核细则 holds the
# rubric's title or unit type is scored against it; the terminal table
# shows the unit type.
test_rubric_named_by_title_or_unit_type() {
    sed 's/^考核细则,lingui-2020-township/考核细则,乡镇/' samples/两江镇.csv >"$T/a.csv"
    sed 's/^考核细则,lingui-2020-township/考核细则,临桂区2020年度乡（镇）党委政府和部门安全生产工作考核细则及评分标准（乡镇）/' samples/两江镇.csv >"$T/b.csv"
    expect_exit 0 "$KAOHE" score "$T/a.csv"
    has_text "$T/out" "两江镇      乡镇      36.8"
    expect_exit 0 "$KAOHE" score "$T/b.csv" -o -
    has_text "$T/out" '"rubric": "lingui-2020-township"'
}

# Issue 28: two rubric ids that differ only in case are refused when
# loaded, whichever comes first (a checklist naming CASE-X was scored
# against the first loaded).
test_rubric_ids_differing_in_case_refused() {
    sed 's/^id,.*/id,Case-X/' templates/rubrics/lingui-2020-township.csv >"$T/r1.csv"
    sed 's/^id,.*/id,case-x/' templates/rubrics/lingui-2020-township.csv >"$T/r2.csv"
    sed 's/^考核细则,lingui-2020-township/考核细则,CASE-X/' samples/两江镇.csv >"$T/cl.csv"
    expect_exit 2 "$KAOHE" score --rubric "$T/r1.csv" --rubric "$T/r2.csv" "$T/cl.csv"
    has_text "$T/err" "$T/r2.csv: rubric id 'case-x' differs only in upper and lower case from 'Case-X' of $T/r1.csv"
    lacks_text "$T/out" "36.8"
    expect_exit 2 "$KAOHE" score --rubric "$T/r2.csv" --rubric "$T/r1.csv" "$T/cl.csv"
    has_text "$T/err" "$T/r1.csv: rubric id 'Case-X' differs only in upper and lower case from 'case-x' of $T/r2.csv"
    # One of them alone: the checklist's CASE-X names it.
    expect_exit 0 "$KAOHE" score --rubric "$T/r1.csv" "$T/cl.csv" -o -
    has_text "$T/out" '"rubric": "Case-X"'
}

# rank's closing line: what it wrote and the counts; the exit status is
# that of the run (1 when a checklist did not pass).
test_rank_closing_line() {
    expect_exit 0 "$KAOHE" rank samples -o "$T/r.xlsx"
    [ "$(tail -n 1 "$T/err")" = "kaohe: $T/r.xlsx written: units ranked: 14; checklists that did not pass (未通过): 0" ] ||
        fail "closing line: $(tail -n 1 "$T/err")"
    expect_exit 1 "$KAOHE" rank samples tests/data/cli/bad.csv -o "$T/r.xlsx"
    [ "$(tail -n 1 "$T/err")" = "kaohe: $T/r.xlsx written: units ranked: 14; checklists that did not pass (未通过): 1" ] ||
        fail "closing line: $(tail -n 1 "$T/err")"
    expect_exit 0 "$KAOHE" rank -q samples -o "$T/r.xlsx"
    lacks_text "$T/err" "written"
}
