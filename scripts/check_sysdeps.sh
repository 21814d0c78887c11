#!/usr/bin/env bash
# Says which Debian packages printing and browser tests need and are missing, and how to install
# them. Only prints: `make run` still serves the admin without them.
missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_font() { fc-list 2>/dev/null | grep -q "$1"; }
have_lib libharfbuzz-subset.so || missing+=(libharfbuzz-subset0)
have_lib libpango-1.0.so || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
have_font "Noto Serif CJK" || missing+=(fonts-noto-cjk)
have_font "LXGW WenKai" || missing+=(fonts-lxgw-wenkai)
command -v chromium >/dev/null || missing+=(chromium)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "缺少系统软件包 (missing system packages): ${missing[*]}"
  echo "  在 Debian/Ubuntu 上安装: sudo apt-get install -y ${missing[*]}"
  echo "  (PDF 需要字体与 harfbuzz-subset；浏览器测试需要 chromium；Word/Excel 版式测试需要 LibreOffice)"
fi
exit 0
