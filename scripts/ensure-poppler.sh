#!/usr/bin/env bash
# The tests read the reports back (S8, S16, S17: monthly report, inspection report, acceptance pack) with poppler's
# `pdftotext` and `pdftoppm`. The product itself never needs them. When missing and we are root with apt-get,
# Debian's poppler-utils is installed once, serialized with the other ensure scripts' installs by the same flock and
# apt's own lock waited for. Prints the folder holding pdftotext.
set -euo pipefail

LOCK=/var/lock/wardline-apt.lock

found() { command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; }

if [[ "${1:-}" == "--install-locked" ]]; then
  found && exit 0
  export DEBIAN_FRONTEND=noninteractive
  echo "ensure-poppler: installing poppler-utils with apt (once)" >&2
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends poppler-utils >&2
  exit 0
fi

if ! found && [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  flock "$LOCK" bash "$0" --install-locked
fi
if found; then
  dirname "$(command -v pdftotext)"
  exit 0
fi
echo "ensure-poppler: pdftotext is missing; install Debian's package (sudo apt-get install poppler-utils)" >&2
exit 1
