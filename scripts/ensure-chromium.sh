#!/usr/bin/env bash
# Prints the path of a Chromium for headless tests (the topology page test). Order: $WARDLINE_CHROMIUM_BIN,
# `chromium` or `chromium-browser` on PATH, else (as root with apt-get) Debian's `chromium` package installed once.
set -euo pipefail

can_apt() { [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; }
# zh-CN labels need a CJK font or screenshots show boxes; best effort, never fatal.
ensure_cjk_font() {
  if command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ]]; then return 0; fi
  if can_apt; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >&2 || true; fi
}

if [[ -n "${WARDLINE_CHROMIUM_BIN:-}" && -x "${WARDLINE_CHROMIUM_BIN}" ]]; then
  ensure_cjk_font
  echo "${WARDLINE_CHROMIUM_BIN}"
  exit 0
fi
for name in chromium chromium-browser; do
  if path="$(command -v "$name")"; then
    ensure_cjk_font
    echo "$path"
    exit 0
  fi
done
if can_apt; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium fonts-wqy-zenhei >&2
  if path="$(command -v chromium)"; then
    echo "$path"
    exit 0
  fi
fi
echo "ensure-chromium: no chromium found; install Debian's package (sudo apt-get install chromium) or set WARDLINE_CHROMIUM_BIN" >&2
exit 1
