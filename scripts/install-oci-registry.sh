#!/usr/bin/env bash
# Builds tools/oci-registry (go-containerregistry's in-memory registry with
# the OCI 1.1 referrers API, which Debian's distribution 2.8 lacks) and caches
# the binary outside the repository, under a directory named after a hash of
# the tool's go.mod, go.sum and main.go (a change to any of them builds anew;
# src/sandbox/ociRegistry.ts computes the same name). Prints the binary's path
# on stdout. Small: well under a minute on 2 cores, module downloads included.
set -euo pipefail

src="$(cd "$(dirname "$0")/../tools/oci-registry" && pwd)"
hash="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)"
CACHE_DIR="${BUMPFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bumpflow}"
BIN="$CACHE_DIR/oci-registry-$hash/oci-registry"
[ "${1:-}" = "--print-path" ] && { echo "$BIN"; exit 0; }

if [ -x "$BIN" ] && "$BIN" -version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "install-oci-registry: go is required to build tools/oci-registry" >&2; exit 1; }

. "$(dirname "$0")/build-lock.sh"
take_build_lock "$BIN" -version
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT
# Built from a copy: -mod=mod may not write to the work tree's go.mod/go.sum.
cp "$src/go.mod" "$src/go.sum" "$src/main.go" "$build_dir/"
(
  cd "$build_dir"
  GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$build_dir/oci-registry" . >&2
)
# a rename in the cache's own directory: a test waiting for the binary never sees half of it
mv "$build_dir/oci-registry" "$BIN.new"
mv "$BIN.new" "$BIN"
echo "$BIN"
