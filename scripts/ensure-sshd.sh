#!/usr/bin/env bash
# Prints the path of Debian's sshd for the SSH tests and bench (throwaway servers on loopback, never port 22).
# Order: $WARDLINE_SSHD_BIN, /usr/sbin/sshd, else (as root with apt-get) Debian's openssh-server installed once,
# without leaving its daemon started. As root, sshd needs its privilege-separation directory (/run/sshd).
set -euo pipefail

can_apt() { [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; }
privsep_dir() { if [[ "$(id -u)" == "0" && ! -d /run/sshd ]]; then install -d -m 0755 /run/sshd; fi; }

find_sshd() {
  if [[ -n "${WARDLINE_SSHD_BIN:-}" && -x "${WARDLINE_SSHD_BIN}" ]]; then echo "${WARDLINE_SSHD_BIN}"; return 0; fi
  for p in /usr/sbin/sshd "$(command -v sshd 2>/dev/null || true)"; do
    if [[ -n "$p" && -x "$p" ]] && command -v ssh-keygen >/dev/null 2>&1; then echo "$p"; return 0; fi
  done
  return 1
}

if path="$(find_sshd)"; then privsep_dir; echo "$path"; exit 0; fi
if can_apt; then
  export DEBIAN_FRONTEND=noninteractive
  # Co-workers may install at the same moment: one apt at a time, and wait for dpkg's own lock.
  (
    flock 9
    if ! find_sshd >/dev/null; then
      # A policy-rc.d that refuses every start keeps the package's daemon from coming up on port 22.
      own_policy=""
      if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && own_policy=1
      fi
      trap '[[ -n "$own_policy" ]] && rm -f /usr/sbin/policy-rc.d' EXIT
      apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
      apt-get -o DPkg::Lock::Timeout=600 install -y -qq openssh-server openssh-client >&2
    fi
  ) 9>/var/lock/wardline-apt.lock
  if path="$(find_sshd)"; then privsep_dir; echo "$path"; exit 0; fi
fi
echo "ensure-sshd: no sshd found; install Debian's package (sudo apt-get install openssh-server) or set WARDLINE_SSHD_BIN" >&2
exit 1
