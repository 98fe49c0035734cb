#!/usr/bin/env bash
# Prints where Debian's monitoring tools are, one `name=path` a line: prometheus, promtool, alertmanager, amtool,
# node_exporter (P2: Wardline sits beside the Prometheus the hospital already runs; the tests start throwaway ones).
# Each is found as $WARDLINE_<NAME>_BIN, then on PATH under Debian's or upstream's name. When one is missing and we
# are root with apt-get, Debian's prometheus, prometheus-alertmanager and prometheus-node-exporter are installed once:
# serialized with co-workers' installs by flock, apt's own lock waited for, and no daemon left started by the install.
set -euo pipefail

LOCK=/var/lock/wardline-apt.lock
POLICY=/usr/sbin/policy-rc.d
PACKAGES=(prometheus prometheus-alertmanager prometheus-node-exporter)
SERVICES=(prometheus prometheus-alertmanager prometheus-node-exporter)

# name, override variable, candidate binaries in order
TOOLS=(
  "prometheus WARDLINE_PROMETHEUS_BIN prometheus"
  "promtool WARDLINE_PROMTOOL_BIN promtool"
  "alertmanager WARDLINE_ALERTMANAGER_BIN prometheus-alertmanager alertmanager"
  "amtool WARDLINE_AMTOOL_BIN amtool"
  "node_exporter WARDLINE_NODE_EXPORTER_BIN prometheus-node-exporter node_exporter"
)

find_tool() {
  local name="$1" var="$2"
  shift 2
  local override="${!var:-}"
  if [[ -n "$override" ]]; then
    [[ -x "$override" ]] || { echo "ensure-monitoring: $var=$override is not an executable" >&2; return 2; }
    echo "$override"
    return 0
  fi
  local candidate
  for candidate in "$@"; do
    if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
  done
  return 1
}

# Prints every tool as name=path; returns 1 when one is missing (2 when an override is wrong).
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

# Runs under the shared apt lock (see below). A co-worker may have installed the packages while we waited.
install_locked() {
  if find_all >/dev/null 2>&1; then return 0; fi
  export DEBIAN_FRONTEND=noninteractive
  # Package scripts start their daemons through invoke-rc.d / deb-systemd-invoke, which ask policy-rc.d first:
  # 101 means "not now". Only a policy file we wrote ourselves is removed afterwards.
  if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    trap 'rm -f "$POLICY"' EXIT
  fi
  echo "ensure-monitoring: installing ${PACKAGES[*]} with apt (once)" >&2
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
  # Where systemd runs, the units were also enabled for the next boot: a test machine wants none of them.
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
ensure-monitoring: Prometheus, Alertmanager or node_exporter is missing. Install Debian's packages
  sudo apt-get install ${PACKAGES[*]}
(then stop the daemons the packages start if this is a test machine), or set WARDLINE_PROMETHEUS_BIN,
WARDLINE_PROMTOOL_BIN, WARDLINE_ALERTMANAGER_BIN, WARDLINE_AMTOOL_BIN and WARDLINE_NODE_EXPORTER_BIN.
MSG
exit 1
