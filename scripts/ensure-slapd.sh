#!/usr/bin/env bash
# Prints where Debian's OpenLDAP tools are, one `name=path` a line: slapd, slapadd, slappasswd (directory sign-in,
# issue 16: the tests start a throwaway slapd on a loopback port with their own config and data folders). Each is
# found as $WARDLINE_<NAME>_BIN, then in /usr/sbin or on PATH. When one is missing and we are root with apt-get,
# Debian's `slapd` is installed once: serialized with co-workers' installs by flock, apt's own lock waited for,
# debconf told not to build the package's own directory (slapd/no_configuration), and no daemon left started.
set -euo pipefail

LOCK=/var/lock/wardline-apt.lock
POLICY=/usr/sbin/policy-rc.d
TOOLS=(slapd slapadd slappasswd)

find_tool() {
  local name="$1" var="WARDLINE_$(echo "$1" | tr '[:lower:]' '[:upper:]')_BIN"
  local override="${!var:-}"
  if [[ -n "$override" ]]; then
    [[ -x "$override" ]] || { echo "ensure-slapd: $var=$override is not an executable" >&2; return 2; }
    echo "$override"; return 0
  fi
  if [[ -x "/usr/sbin/$name" ]]; then echo "/usr/sbin/$name"; return 0; fi
  command -v "$name" 2>/dev/null || return 1
}

find_all() {
  local name path out=() rc
  for name in "${TOOLS[@]}"; do
    if path="$(find_tool "$name")"; then out+=("$name=$path"); else rc=$?; return "$rc"; fi
  done
  printf '%s\n' "${out[@]}"
}

install_locked() {
  if find_all >/dev/null 2>&1; then return 0; fi
  export DEBIAN_FRONTEND=noninteractive
  # invoke-rc.d asks policy-rc.d before starting a daemon: 101 means "not now". Only our own file is removed.
  if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    trap 'rm -f "$POLICY"' EXIT
  fi
  # No directory of the package's own (no admin password prompt, nothing under /var/lib/ldap to start).
  debconf-set-selections <<'SEL'
slapd slapd/no_configuration boolean true
slapd shared/organization string wardline-test
slapd slapd/domain string wardline.test
SEL
  echo "ensure-slapd: installing slapd with apt (once)" >&2
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends slapd >&2
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now slapd >&2 2>/dev/null || true
  fi
}

if [[ "${1:-}" == "--install-locked" ]]; then
  install_locked
  exit 0
fi

if find_all; then exit 0; else rc=$?; fi
[[ $rc == 2 ]] && exit 1
if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  flock "$LOCK" bash "$0" --install-locked
  if find_all; then exit 0; fi
fi
cat >&2 <<MSG
ensure-slapd: Debian's slapd is missing. Install it without its default directory
  echo 'slapd slapd/no_configuration boolean true' | sudo debconf-set-selections
  sudo apt-get install slapd
or set WARDLINE_SLAPD_BIN, WARDLINE_SLAPADD_BIN and WARDLINE_SLAPPASSWD_BIN.
MSG
exit 1
