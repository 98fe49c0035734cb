#!/usr/bin/env bash
# Prints the folder of a Redmine 5 installation for the PM-platform tests (S15). Order: $WARDLINE_REDMINE_DIR, else
# Debian's /usr/share/redmine, else (as root with apt-get) Debian's `redmine` + `redmine-sqlite` + `ruby-webrick`
# installed once, non-interactively. The package's own database set-up is declined through debconf: each test run
# makes its own instance under a temp folder (REDMINE_INSTANCE), so nothing of the package's default instance is used.
set -euo pipefail

found() {
  local dir="$1"
  [[ -f "$dir/config/environment.rb" && -f "$dir/Gemfile" ]] || return 1
  # Ruby 3 dropped WEBrick from the standard library; the tests serve Redmine with it.
  ruby -e 'require "webrick"' >/dev/null 2>&1 || return 1
  echo "$dir"
}

if [[ -n "${WARDLINE_REDMINE_DIR:-}" ]] && found "$WARDLINE_REDMINE_DIR"; then exit 0; fi
if command -v ruby >/dev/null 2>&1 && found /usr/share/redmine; then exit 0; fi

if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  # Co-workers may install packages at the same moment: one apt at a time, and wait for dpkg's own lock.
  (
    flock 9
    echo "redmine redmine/instances/default/dbconfig-install boolean false" | debconf-set-selections
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    # No recommends: they bring Passenger (and through it a web server daemon) that the tests do not use.
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
      redmine redmine-sqlite ruby-webrick >&2
  ) 9>/var/lock/wardline-apt.lock
  if found /usr/share/redmine; then exit 0; fi
fi
echo "ensure-redmine: no Redmine found; as root run this script (it installs Debian's redmine, redmine-sqlite and ruby-webrick) or set WARDLINE_REDMINE_DIR" >&2
exit 1
