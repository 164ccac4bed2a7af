# po2c.awk - po/zh_CN.po as a C table for src/i18n.c: one {msgid,
# msgstr} pair per translated message, the strings kept as the .po writes
# them (its quoting is C's).  Fuzzy, untranslated and obsolete entries and
# the header are left out, as msgfmt leaves them out of a .mo; a plural
# message keeps msgstr[0] (Chinese has one form).
# Usage: awk -f tools/po2c.awk po/zh_CN.po > msgs_zh.c
function flush() {
    if (id != "" && str != "" && !fuzzy)
        printf "    {%s, %s},\n", id, str
    id = ""; str = ""; fuzzy = 0; cur = ""
}
BEGIN {
    print "/* Generated from po/zh_CN.po by tools/po2c.awk: do not edit. */"
    print "#include \"i18n.h\""
    print "const kh_msg_pair kh_msgs_zh[] = {"
}
/^#~/ { next }
/^#,/ { if (id != "" || str != "") flush(); if ($0 ~ /fuzzy/) fuzzy = 1; next }
/^#/ { next }
/^msgid / {
    if (id != "" || str != "") { f = fuzzy; flush(); fuzzy = f }
    sub(/^msgid /, ""); id = ($0 == "\"\"") ? "" : $0; cur = "id"; idempty = ($0 == "\"\""); next
}
/^msgid_plural / { cur = "plural"; next }
/^msgstr(\[0\])? / {
    sub(/^msgstr(\[0\])? /, ""); str = ($0 == "\"\"") ? "" : $0; cur = "str"; next
}
/^msgstr\[[1-9]/ { cur = "other"; next }
/^"/ {
    if (cur == "id") id = (id == "" ? "" : id " ") $0
    else if (cur == "str") str = (str == "" ? "" : str " ") $0
    next
}
/^$/ { flush(); next }
END {
    flush()
    print "    {0, 0},"
    print "};"
    print "const size_t kh_nmsgs_zh = sizeof kh_msgs_zh / sizeof kh_msgs_zh[0] - 1;"
}
