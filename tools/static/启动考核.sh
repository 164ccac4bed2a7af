#!/bin/sh
# 启动考核页面（本机浏览器打开）。kaohe-desktop 与本脚本在同一文件夹，
# 用的也是这里的 kaohe，不需要安装。用法与 kaohe-desktop 相同（见
# man/man1/kaohe-desktop.1）。
d=$(dirname "$(readlink -f "$0")")
PATH=$d:$PATH
export PATH
exec "$d/kaohe-desktop" "$@"
