# 佐证材料 and who may see them: a 填报员 sees and changes only its own
# unit's evidence - a second unit's 填报员 is refused (403) the first's
# list, each of its files by id (shown or downloaded) and their removal,
# and cannot attach to it; a 考评员 sees every unit's but changes none;
# the quota is the admin's.  Once the unit has submitted (提交) its
# checklist, its evidence is read-only until an admin returns it (退回).
. tests/interop/serve_lib.sh
. tests/interop/evidence_lib.sh

# login NAME : a session for NAME in the cookie jar $T/jar-NAME.
login() {
    code=$(curl -s -o "$T/login.json" -w '%{http_code}' -c "$T/jar-$1" -F "name=$1" \
        -F 'password=mima-2020!' "${URL}api/login")
    [ "$code" = 200 ] || fail "login $1: $code $(cat "$T/login.json")"
}

# as NAME CURL_ARGS... : curl as NAME; prints the status.
as() {
    who=$1
    shift
    curl -s -b "$T/jar-$who" -o "$T/as.out" -w '%{http_code}' "$@"
}

test_evidence_second_unit_refused() {
    mkdir -p "$T/in"
    make_evidence "$T/in"
    users_with_roles "$T/users.txt"
    start_server --workspace "$T/ws" --users "$T/users.txt"
    for u in 科长 考评员甲 两江填报 临桂填报; do login "$u"; done
    q="rubric=$RUBRIC"
    # 两江镇's own 填报员 attaches two photos and a PDF.
    code=$(as 两江填报 -F "file=@$T/in/会议照片.jpg" -F "file=@$T/in/签到单.png" -F "file=@$T/in/方案.pdf" \
        "${URL}api/evidence?unit=%E4%B8%A4%E6%B1%9F%E9%95%87&$q&cp=1.1")
    [ "$code" = 200 ] || fail "own upload: $code $(cat "$T/as.out")"
    cp "$T/as.out" "$T/own.json"
    read -r jpg png pdf < <("$PY" -c 'import json,sys; print(*[f["id"] for f in json.load(open(sys.argv[1]))["files"]])' "$T/own.json")
    lj=unit=%E4%B8%A4%E6%B1%9F%E9%95%87
    # The second unit's 填报员: 403 on the list, each file, its removal, an upload.
    code=$(as 临桂填报 "${URL}api/evidence?$lj&$q")
    [ "$code" = 403 ] || fail "list of another unit: $code"
    has_text "$T/as.out" '无权查看或修改其他单位的佐证材料'
    for id in $jpg $png $pdf; do
        for v in "" "&inline=1"; do
            code=$(as 临桂填报 "${URL}api/evidence/file?id=$id$v")
            [ "$code" = 403 ] || fail "file $id$v of another unit: $code"
            ! cmp -s "$T/as.out" "$T/in/签到单.png" || fail "the file was sent"
        done
        code=$(as 临桂填报 -H 'Content-Type: application/json' --data "{\"id\": $id}" "${URL}api/evidence/delete")
        [ "$code" = 403 ] || fail "delete $id of another unit: $code"
    done
    code=$(as 临桂填报 -F "file=@$T/in/签到单.png" "${URL}api/evidence?$lj&$q&cp=1.2")
    [ "$code" = 403 ] || fail "upload to another unit: $code"
    # Without unit=, a 填报员's own unit: 临桂镇's list is its own (empty).
    code=$(as 临桂填报 "${URL}api/evidence?$q")
    [ "$code" = 200 ] || fail "own list: $code"
    "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["unit"]=="临桂镇" and j["files"]==[], j' "$T/as.out"
    # The quota is the admin's alone.
    for u in 两江填报 考评员甲; do
        code=$(as "$u" -H 'Content-Type: application/json' --data '{"mib": 500}' "${URL}api/evidence/quota")
        [ "$code" = 403 ] || fail "$u set the quota: $code"
    done
    code=$(as 科长 -H 'Content-Type: application/json' --data '{"mib": 50}' "${URL}api/evidence/quota")
    [ "$code" = 200 ] || fail "admin quota: $code"
    # A 考评员 sees 两江镇's evidence and files, changes nothing.
    code=$(as 考评员甲 "${URL}api/evidence?$lj&$q")
    [ "$code" = 200 ] || fail "reviewer list: $code"
    "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert len(j["files"])==3 and j["readonly"] is True and j["quota"]==50<<20, j' "$T/as.out"
    code=$(as 考评员甲 "${URL}api/evidence/file?id=$png&inline=1")
    [ "$code" = 200 ] && cmp "$T/as.out" "$T/in/签到单.png" || fail "reviewer file: $code"
    code=$(as 考评员甲 -H 'Content-Type: application/json' --data "{\"id\": $png}" "${URL}api/evidence/delete")
    [ "$code" = 403 ] || fail "reviewer delete: $code"
    code=$(as 考评员甲 -F "file=@$T/in/签到单.png" "${URL}api/evidence?$lj&$q&cp=1.2")
    [ "$code" = 403 ] || fail "reviewer upload: $code"
    # The year's archive is the admin's alone.
    for u in 两江填报 考评员甲; do
        code=$(as "$u" "${URL}api/export")
        [ "$code" = 403 ] || fail "$u exported: $code"
    done
    code=$(as 科长 "${URL}api/export")
    [ "$code" = 200 ] && unzip -Z1 "$T/as.out" | grep -q '^两江镇/1.1 学习记录/签到单.png$' ||
        fail "admin export: $code"
    # The unit's own: its files, and removing one.
    code=$(as 两江填报 "${URL}api/evidence/file?id=$jpg")
    [ "$code" = 200 ] && cmp "$T/as.out" "$T/in/会议照片.jpg" || fail "own file: $code"
    code=$(as 两江填报 -H 'Content-Type: application/json' --data "{\"id\": $pdf}" "${URL}api/evidence/delete")
    [ "$code" = 200 ] || fail "own delete: $code"
    stop_server
    sqlite3 "$T/ws/journal.sqlite" "SELECT action || ' ' || user || ' ' || name FROM evidence_log ORDER BY id" >"$T/log"
    printf '添加 两江填报 会议照片.jpg\n添加 两江填报 签到单.png\n添加 两江填报 方案.pdf\n删除 两江填报 方案.pdf\n' |
        cmp - "$T/log" || fail "journal: $(cat "$T/log")"
}

# After 提交 the unit's evidence is frozen; an admin's 退回 opens it again.
test_evidence_frozen_after_submit() {
    mkdir -p "$T/in"
    make_evidence "$T/in"
    users_with_roles "$T/users.txt"
    start_server --workspace "$T/ws" --users "$T/users.txt"
    login 两江填报
    login 科长
    lj="unit=%E4%B8%A4%E6%B1%9F%E9%95%87&rubric=$RUBRIC"
    code=$(as 两江填报 -F "file=@$T/in/签到单.png" "${URL}api/evidence?$lj&cp=1.1")
    [ "$code" = 200 ] || fail "upload: $code"
    id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"][0]["id"])' "$T/as.out")
    # Every check point answered from a filled checklist, then 提交.
    code=$(as 两江填报 -F "file=@samples/两江镇.csv" "${URL}api/fill/upload?$lj&version=0")
    [ "$code" = 200 ] || fail "fill upload: $code $(head -c 300 "$T/as.out")"
    version=$("$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j.get("version", j.get("self", {}).get("version", "")))' "$T/as.out")
    code=$(as 两江填报 -H 'Content-Type: application/json' \
        --data "{\"unit\": \"两江镇\", \"rubric\": \"$RUBRIC\", \"version\": $version}" "${URL}api/fill/submit")
    [ "$code" = 200 ] || fail "submit: $code $(head -c 300 "$T/as.out")"
    code=$(as 两江填报 -F "file=@$T/in/会议照片.jpg" "${URL}api/evidence?$lj&cp=1.1")
    [ "$code" = 409 ] || fail "upload after 提交: $code"
    has_text "$T/as.out" '已提交'
    code=$(as 两江填报 -H 'Content-Type: application/json' --data "{\"id\": $id}" "${URL}api/evidence/delete")
    [ "$code" = 409 ] || fail "delete after 提交: $code"
    code=$(as 两江填报 "${URL}api/evidence?$lj")
    "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["readonly"] is True and len(j["files"])==1, j' "$T/as.out"
    # 退回 with a reason: open again.
    code=$(as 科长 -H 'Content-Type: application/json' \
        --data "{\"unit\": \"两江镇\", \"rubric\": \"$RUBRIC\", \"reason\": \"会议照片不清楚\"}" "${URL}api/fill/return")
    [ "$code" = 200 ] || fail "return: $code $(head -c 300 "$T/as.out")"
    code=$(as 两江填报 -F "file=@$T/in/会议照片.jpg" "${URL}api/evidence?$lj&cp=1.1")
    [ "$code" = 200 ] || fail "upload after 退回: $code $(cat "$T/as.out")"
    stop_server
}
