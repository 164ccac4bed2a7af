# tests/cli/test_zh.sh - Chinese (issue 13): the catalogue is complete and
# well-formed; a Chinese locale speaks Chinese on the terminal (messages with
# their cell, --help of every command); another locale stays English; what
# is written into files for people is Chinese whatever the locale.

ZH=zh_CN.UTF-8

# The Chinese tests need the locale (tools/install-deps.sh generates it).
have_zh() {
    locale -a 2>/dev/null | grep -qix 'zh_CN.utf-\{0,1\}8' || fail "locale $ZH is not installed: run tools/install-deps.sh"
}

# Every message of the sources is in po/zh_CN.po, translated, not fuzzy,
# with the original's format directives (msgfmt --check), in the
# original's order (no %1$s: kaohe's Chinese formatter does not reorder).
test_catalogue_complete() {
    xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=T_ \
        --keyword=Z_ --keyword=ngettext:1,2 --keyword=P_:1,2 -o "$T/now.pot" "$TOP"/src/*.c "$TOP"/src/serve/*.c 2>"$T/xg" ||
        { cat "$T/xg" >&2; fail "xgettext failed"; return 1; }
    msgcmp "$TOP/po/zh_CN.po" "$T/now.pot" 2>"$T/cmp" ||
        { head -20 "$T/cmp" >&2; fail "po/zh_CN.po lacks messages of the sources: run make pot and translate them"; return 1; }
    LC_ALL=C msgfmt --check --statistics -o /dev/null "$TOP/po/zh_CN.po" 2>"$T/stat" ||
        { cat "$T/stat" >&2; fail "msgfmt --check"; return 1; }
    grep -q 'untranslated\|fuzzy' "$T/stat" && { cat "$T/stat" >&2; fail "untranslated or fuzzy messages"; return 1; }
    ! grep -n '^msgstr.*%[0-9]\$' "$TOP/po/zh_CN.po" || fail "positional directives in a translation"
}

# Chinese punctuation in Chinese text: a one-line translation has no ASCII
# ": " "; " ", " or "(" between Chinese words (the usage texts, with their
# option tables, are read by eye).
test_catalogue_punctuation() {
    "$PY" - "$TOP/po/zh_CN.po" <<'EOF'
import re, sys
bad = []
for m in re.finditer(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', open(sys.argv[1], encoding='utf-8').read()):
    mid = ''.join(re.findall(r'"(.*)"', m.group(1)))
    zh = ''.join(re.findall(r'"(.*)"', m.group(2)))
    if not zh or '\\n' in mid:
        continue
    if re.search(r'[\u4e00-\u9fff]\s*(: |; |, )|[\u4e00-\u9fff]\(', zh):
        bad.append(zh)
assert not bad, bad[:5]
EOF
}

test_messages_chinese_with_cell() {
    have_zh || return 1
    LANG=$ZH expect_exit 1 "$KAOHE" score "$TOP/tests/data/cli/bad.csv"
    has_text "$T/err" "tests/data/cli/bad.csv!G11：检查结果“也许”（检查点 1.3 年度工作计划）不是“有”或“无”：有该项资料填“有”，没有填“无”"
    has_text "$T/err" "bad.csv!C83：检查点“16.9”不属于乡镇检查表（1.1 至 17.4）"
    # main.c's own messages too.
    LANG=$ZH expect_exit 2 "$KAOHE" frobnicate
    has_text "$T/err" "kaohe: 未知命令“frobnicate”"
    LANG=$ZH expect_exit 2 "$KAOHE" rank "$TOP/samples"
    has_text "$T/err" "缺少 -o 排名表.xlsx"
    # A rejected file says plainly that it is not in the ranking.
    LANG=$ZH expect_exit 1 "$KAOHE" rank "$TOP/samples" "$TOP/tests/data/cli/bad.csv" -o "$T/排名.xlsx"
    has_text "$T/err" "kaohe: 有 1 份检查表未通过，未计入排名：问题见上方提示及 $T/排名.xlsx 的“未通过的文件”工作表"
}

# A message that points at another row says where in Chinese words too.
test_rubric_location_chinese() {
    have_zh || return 1
    sed 's/^1,,,1.2,/1,,,1.1,/' "$TOP/tests/data/rubrics/good.csv" >"$T/dup.csv"
    LANG=$ZH expect_exit 2 "$KAOHE" rubric check "$T/dup.csv"
    has_text "$T/err" "dup.csv 第 8 行：检查点“1.1”已在行号 7 定义：每个检查点应有自己的编号"
    LANG=C expect_exit 2 "$KAOHE" rubric check "$T/dup.csv"
    has_text "$T/err" "dup.csv:8: check point '1.1' is already defined on line 7"
}

test_other_locale_stays_english() {
    LANG=C expect_exit 1 "$KAOHE" score "$TOP/tests/data/cli/bad.csv"
    has_text "$T/err" "bad.csv!G11: result '也许' for 1.3 年度工作计划 is not 有 or 无"
    lacks_text "$T/err" "检查结果“也许”"
    # LANGUAGE is honoured as gettext users expect.
    have_zh || return 1
    LANGUAGE=en LANG=$ZH expect_exit 2 "$KAOHE" frobnicate
    has_text "$T/err" "unknown command 'frobnicate'"
}

test_help_chinese() {
    have_zh || return 1
    LANG=$ZH expect_exit 0 "$KAOHE" --help
    has_text "$T/out" "用法：kaohe 命令 [选项]... [参数]..."
    for c in template score rank; do
        LANG=$ZH expect_exit 0 "$KAOHE" $c --help
        has_text "$T/out" "用法：kaohe $c"
        has_text "$T/out" "显示本帮助"
    done
    LANG=$ZH expect_exit 2 "$KAOHE" rubric
    has_text "$T/err" "用法：kaohe rubric list"
}

# The 未通过的文件 sheet and the JSON errors are Chinese under LANG=C, with
# the English beside them in errors_en.
test_files_chinese_whatever_locale() {
    LC_ALL=C expect_exit 1 "$KAOHE" rank "$TOP/samples" "$TOP/tests/data/cli/bad.csv" -o "$T/r.xlsx" --json "$T/r.json"
    "$PY" - "$T/r.xlsx" "$T/r.json" <<'EOF'
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['未通过的文件']
msgs = [r[3] for r in ws.iter_rows(min_row=3, values_only=True) if r[3]]
assert any('检查结果“也许”（检查点 1.3 年度工作计划）不是“有”或“无”' in m for m in msgs), msgs
assert not any("is not 有 or 无" in m for m in msgs), msgs
d = json.load(open(sys.argv[2], encoding='utf-8'))
rej = d['rejected'][0]
assert len(rej['errors']) == len(rej['errors_en']) == len(msgs), (rej, msgs)
assert '不是“有”或“无”' in rej['errors'][0] and "is not 有 or 无" in rej['errors_en'][0], rej
EOF
}

# A count inside a message is part of the Chinese sentence, not an English
# fragment handed to it.
test_duplicate_count_chinese() {
    have_zh || return 1
    for i in 1 2 3 4 5 6; do cp "$TOP/samples/两江镇.csv" "$T/copy$i.csv"; done
    LANG=$ZH expect_exit 1 "$KAOHE" score "$T"
    has_text "$T/err" "copy1.csv：被考核单位“两江镇”（乡镇）也出现在 $T/copy2.csv, $T/copy3.csv, $T/copy4.csv 及其他 2 份检查表中："
    lacks_text "$T/err" "other checklists"
}
