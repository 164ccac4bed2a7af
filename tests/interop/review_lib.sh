# Shared by the 考评 tests (test_serve_review*.sh), sourced after
# serve_lib.sh: a workspace whose 两江镇 has submitted its 自评 online.

# JSON {unit, rubric, version, answers} of samples/两江镇.csv with the
# 自评's changes: answers_json VERSION > FILE
answers_json() {
    "$PY" - "$TOP/samples/两江镇.csv" "$1" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig')))
head = next(i for i, r in enumerate(rows) if '检查点' in r)
ki, ci = rows[head].index('检查点'), rows[head].index('检查结果')
change = {'1.6': '有', '1.7': '有', '3.1': '2'}
ans = [{'cp': r[ki], 'value': change.get(r[ki], r[ci])} for r in rows[head + 1:] if len(r) > ci and r[ki]]
print(json.dumps({'unit': '两江镇', 'rubric': 'lingui-2020-township', 'side': 'self',
                  'version': int(sys.argv[2]), 'answers': ans}, ensure_ascii=False))
PY
}

# post_json URL_PATH OUT FILE|-: a JSON POST; prints the status.
post_json() {
    curl -sk -o "$2" -w '%{http_code}' -H 'Content-Type: application/json' \
        -H "Origin: ${URL%/}" --data-binary "@$3" "${URL}${1#/}"
}

# The 自评 of 两江镇 saved and submitted (the fill helper's API).
submitted_self() {
    code=$(post api/rank "$T/roster.json" -F "roster=@samples/名单/单位名单.csv")
    [ "$code" = 200 ] || { fail "roster: $code $(head -c 300 "$T/roster.json")"; return 1; }
    answers_json 0 >"$T/self.json"
    code=$(post_json api/fill/save "$T/saved.json" "$T/self.json")
    [ "$code" = 200 ] || { fail "self save: $code $(head -c 300 "$T/saved.json")"; return 1; }
    v=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$T/saved.json")
    printf '{"unit":"两江镇","rubric":"lingui-2020-township","version":%s}' "$v" >"$T/submit.json"
    code=$(post_json api/fill/submit "$T/submitted.json" "$T/submit.json")
    [ "$code" = 200 ] || fail "submit: $code $(head -c 300 "$T/submitted.json")"
}


# With accounts (evidence_lib.sh's users_with_roles: 科长 admin, 考评员甲
# reviewer, 两江填报 and 临桂填报 fillers of 两江镇 and 临桂镇).
# login NAME : a session for NAME in the cookie jar $T/jar-NAME.
login() {
    code=$(curl -s -o "$T/login.json" -w '%{http_code}' -c "$T/jar-$1" -F "name=$1" \
        -F 'password=mima-2020!' "${URL}api/login")
    [ "$code" = 200 ] || fail "login $1: $code $(cat "$T/login.json")"
}

# as NAME CURL_ARGS... : curl as NAME, the body into $T/as.out; prints the status.
as() {
    who=$1
    shift
    curl -s -b "$T/jar-$who" -o "$T/as.out" -w '%{http_code}' "$@"
}

# as_json NAME URL_PATH FILE : a JSON POST as NAME; prints the status.
as_json() {
    as "$1" -H 'Content-Type: application/json' -H "Origin: ${URL%/}" \
        --data-binary "@$3" "${URL}${2#/}"
}

# The roster uploaded by 科长; 两江镇's 自评 saved and submitted by its
# own 填报员 (with a photo attached to 1.6 when evidence is built in).
submitted_self_by_filler() {
    code=$(as 科长 -F "roster=@samples/名单/单位名单.csv" "${URL}api/rank")
    [ "$code" = 200 ] || { fail "roster: $code $(head -c 300 "$T/as.out")"; return 1; }
    answers_json 0 >"$T/self.json"
    code=$(as_json 两江填报 api/fill/save "$T/self.json")
    [ "$code" = 200 ] || { fail "self save: $code $(head -c 300 "$T/as.out")"; return 1; }
    v=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$T/as.out")
    if [ -n "${PHOTO:-}" ]; then
        code=$(as 两江填报 -F "file=@$PHOTO" --url-query "unit=两江镇" \
            --url-query "rubric=lingui-2020-township" --url-query "cp=1.6" "${URL}api/evidence")
        [ "$code" = 200 ] || { fail "photo: $code $(head -c 300 "$T/as.out")"; return 1; }
    fi
    printf '{"unit":"两江镇","rubric":"lingui-2020-township","version":%s}' "$v" >"$T/submit.json"
    code=$(as_json 两江填报 api/fill/submit "$T/submit.json")
    [ "$code" = 200 ] || fail "submit: $code $(head -c 300 "$T/as.out")"
}
