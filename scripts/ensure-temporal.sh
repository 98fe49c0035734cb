#!/usr/bin/env bash
# Prints the path of a Temporal CLI binary, building it once into a cache outside the repository.
# Order: $WARDLINE_TEMPORAL_BIN, `temporal` on PATH, the cache, then `go install` of the pinned tag
# (later CLI tags cannot be go-installed, so v1.5.1 is pinned).
set -euo pipefail
VERSION="v1.5.1"
CACHE_DIR="${WARDLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wardline}/temporal-${VERSION}"
BIN="$CACHE_DIR/temporal"

if [ -n "${WARDLINE_TEMPORAL_BIN:-}" ]; then
  [ -x "$WARDLINE_TEMPORAL_BIN" ] || { echo "WARDLINE_TEMPORAL_BIN=$WARDLINE_TEMPORAL_BIN is not an executable" >&2; exit 1; }
  echo "$WARDLINE_TEMPORAL_BIN"; exit 0
fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
No Temporal CLI found and no Go toolchain to build one.
Either install Go (https://go.dev/dl) and run this script again, which runs
  GOBIN=$CACHE_DIR go install github.com/temporalio/cli/cmd/temporal@$VERSION
or put a 'temporal' binary on PATH, or set WARDLINE_TEMPORAL_BIN, or point TEMPORAL_ADDRESS at a running server.
MSG
  exit 1
fi
mkdir -p "$CACHE_DIR"
echo "building the Temporal CLI $VERSION into $CACHE_DIR (once; a few minutes)" >&2
# A lock keeps two concurrent first runs from building over each other.
exec 9>"$CACHE_DIR/.lock"
flock 9
if [ ! -x "$BIN" ]; then
  GOBIN="$CACHE_DIR" GOFLAGS="${GOFLAGS:--buildvcs=false}" go install "github.com/temporalio/cli/cmd/temporal@$VERSION" >&2
fi
echo "$BIN"
