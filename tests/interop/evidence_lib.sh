# Shared by the tests of 佐证材料 (test_evidence*.sh), after serve_lib.sh:
# evidence files made for them, uploads and lists through the API.

RUBRIC=lingui-2020-township

# make_evidence DIR : 会议照片.jpg, 签到单.png, 方案.pdf, 表格.xlsx (real
# files), evil.png (SVG), page.png (HTML), tool.exe, plain.zip.
make_evidence() {
    "$PY" - "$1" <<'PY'
import sys, zipfile, openpyxl
from PIL import Image, ImageDraw
d = sys.argv[1]
im = Image.new('RGB', (320, 240), (200, 60, 40))
ImageDraw.Draw(im).rectangle((40, 40, 280, 200), fill=(250, 250, 250))
im.save(d + '/会议照片.jpg', 'JPEG')
Image.new('RGB', (200, 300), (40, 120, 200)).save(d + '/签到单.png', 'PNG')
open(d + '/方案.pdf', 'wb').write(b'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n'
    b'2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n'
    b'3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n'
    b'trailer<</Root 1 0 R>>\n%%EOF\n')
wb = openpyxl.Workbook(); wb.active['A1'] = '台账'; wb.save(d + '/表格.xlsx')
open(d + '/evil.png', 'w').write('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>')
open(d + '/page.png', 'w').write('<!doctype html><script>fetch("/api/state")</script>')
open(d + '/tool.exe', 'wb').write(b'MZ\x90\x00' + b'\x00' * 60)
with zipfile.ZipFile(d + '/plain.zip', 'w') as z:
    z.writestr('index.html', '<script>alert(1)</script>')
PY
}

# ev_post CP OUT FILE... : upload to 两江镇's check point CP; prints the status.
ev_post() {
    cp=$1 out=$2
    shift 2
    upload_args "$@"
    curl -s -o "$out" -w '%{http_code}' "${ARGS[@]}" --url-query "unit=${UNIT:-两江镇}" \
        --url-query "rubric=$RUBRIC" --url-query "cp=$cp" "${URL}api/evidence"
}

ev_list() {
    curl -s -o "$2" -w '%{http_code}' --get --data-urlencode "unit=$1" \
        --data-urlencode "rubric=$RUBRIC" "${URL}api/evidence"
}

# users_with_roles FILE : 科长 (admin), 考评员甲 (reviewer), 两江填报 and
# 临桂填报 (fillers of 两江镇 and 临桂镇), every password 'mima-2020!'.
users_with_roles() {
    for u in 科长 考评员甲 两江填报 临桂填报; do
        printf 'mima-2020!\n' | "$KAOHE" serve --add-user "$u" --users "$1" >/dev/null ||
            fail "add-user $u"
    done
    sed -i -e 's/^\(考评员甲:.*\)$/\1:reviewer/' -e 's/^\(两江填报:.*\)$/\1:filler:unit=两江镇/' \
        -e 's/^\(临桂填报:.*\)$/\1:filler:unit=临桂镇/' "$1"
}
