#!/usr/bin/env bash
# Prints the folder holding a Temporal server built for PostgreSQL: `server` (the all-in-one server binary),
# `sql` (temporal-sql-tool, which creates and migrates its databases) and `schema/` (the module's
# schema/postgresql/v12 folders). Built once from the Go module proxy into a cache outside the repository
# (about 3.5 min on 2 cores; 122 + 55 MiB). Used by `npm run start:server` and the benches' PostgreSQL topology.
# $WARDLINE_TEMPORAL_SERVER_DIR points at a folder with the same three entries instead.
set -euo pipefail
VERSION="v1.29.1"
MODULE="go.temporal.io/server"
CACHE_DIR="${WARDLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wardline}/temporal-server-${VERSION}"

complete() { [ -x "$1/server" ] && [ -x "$1/sql" ] && [ -f "$1/schema/temporal/schema.sql" ] && [ -d "$1/schema/visibility/versioned" ]; }

if [ -n "${WARDLINE_TEMPORAL_SERVER_DIR:-}" ]; then
  complete "$WARDLINE_TEMPORAL_SERVER_DIR" || { echo "WARDLINE_TEMPORAL_SERVER_DIR=$WARDLINE_TEMPORAL_SERVER_DIR lacks server, sql or schema/" >&2; exit 1; }
  echo "$WARDLINE_TEMPORAL_SERVER_DIR"; exit 0
fi
if complete "$CACHE_DIR"; then echo "$CACHE_DIR"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
No Temporal server build in $CACHE_DIR and no Go toolchain to make one.
Install Go (https://go.dev/dl) and run this script again; it runs
  GOBIN=$CACHE_DIR go install $MODULE/cmd/server@$VERSION $MODULE/cmd/tools/sql@$VERSION
Or set WARDLINE_TEMPORAL_SERVER_DIR to a folder with server, sql and schema/ (schema/postgresql/v12 of the module),
or point TEMPORAL_ADDRESS at a running Temporal server.
MSG
  exit 1
fi
mkdir -p "$CACHE_DIR"
# A lock keeps two concurrent first runs from building over each other.
exec 9>"$CACHE_DIR/.lock"
flock 9
if ! complete "$CACHE_DIR"; then
  echo "building Temporal server $VERSION (server, sql) into $CACHE_DIR (once; about 3.5 minutes)" >&2
  GOBIN="$CACHE_DIR" GOFLAGS="${GOFLAGS:--buildvcs=false}" go install "$MODULE/cmd/server@$VERSION" "$MODULE/cmd/tools/sql@$VERSION" >&2
  # The schema folders ship in the module; copied beside the binaries so the cache does not depend on Go's module cache.
  MODDIR="$(GOFLAGS=-mod=mod go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [ -d "$MODDIR/schema/postgresql/v12" ] || { echo "schema/postgresql/v12 not found in $MODDIR" >&2; exit 1; }
  rm -rf "$CACHE_DIR/schema.tmp"
  cp -R "$MODDIR/schema/postgresql/v12" "$CACHE_DIR/schema.tmp"
  chmod -R u+w "$CACHE_DIR/schema.tmp"
  rm -rf "$CACHE_DIR/schema"
  mv "$CACHE_DIR/schema.tmp" "$CACHE_DIR/schema"
fi
echo "$CACHE_DIR"
