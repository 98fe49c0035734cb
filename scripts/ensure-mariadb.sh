#!/usr/bin/env bash
# Prints where Debian's MariaDB server tools are, one `name=path` a line: mariadbd and mariadb-install-db
# (P4/S16: the inspection tests start a throwaway MariaDB on a free loopback port with its own data folder; the
# machine's own MariaDB, if one runs, is never used or changed). Each is found as $WARDLINE_<NAME>_BIN, then on PATH
# or in /usr/sbin under Debian's or the older mysqld names. When missing and we are root with apt-get,
# mariadb-server is installed once: serialized with co-workers' installs by flock, apt's own lock waited for, and
# no daemon left started by the install.
set -euo pipefail

LOCK=/var/lock/wardline-apt.lock
POLICY=/usr/sbin/policy-rc.d
PACKAGES=(mariadb-server)
SERVICES=(mariadb)

TOOLS=(
  "mariadbd WARDLINE_MARIADBD_BIN mariadbd mysqld"
  "install_db WARDLINE_MARIADB_INSTALL_DB_BIN mariadb-install-db mysql_install_db"
)

find_tool() {
  local name="$1" var="$2"
  shift 2
  local override="${!var:-}"
  if [[ -n "$override" ]]; then
    [[ -x "$override" ]] || { echo "ensure-mariadb: $var=$override is not an executable" >&2; return 2; }
    echo "$override"
    return 0
  fi
  local candidate
  for candidate in "$@"; do
    if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
    for dir in /usr/sbin /usr/bin /usr/local/sbin; do
      if [[ -x "$dir/$candidate" ]]; then echo "$dir/$candidate"; return 0; fi
    done
  done
  return 1
}

find_all() {
  local line out=() missing=0 path
  for line in "${TOOLS[@]}"; do
    # shellcheck disable=SC2086
    set -- $line
    if path="$(find_tool "$@")"; then out+=("$1=$path"); else
      local rc=$?
      [[ $rc == 2 ]] && return 2
      missing=1
    fi
  done
  [[ $missing == 0 ]] || return 1
  printf '%s\n' "${out[@]}"
}

install_locked() {
  if find_all >/dev/null 2>&1; then return 0; fi
  export DEBIAN_FRONTEND=noninteractive
  # The package's scripts start mariadb through invoke-rc.d, which asks policy-rc.d first: 101 means "not now".
  if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    trap 'rm -f "$POLICY"' EXIT
  fi
  echo "ensure-mariadb: installing ${PACKAGES[*]} with apt (once)" >&2
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now "${SERVICES[@]}" >&2 2>/dev/null || true
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
ensure-mariadb: the MariaDB server is missing. Install Debian's package
  sudo apt-get install ${PACKAGES[*]}
(then stop the daemon the package starts if this is a test machine), or set WARDLINE_MARIADBD_BIN and
WARDLINE_MARIADB_INSTALL_DB_BIN.
MSG
exit 1
