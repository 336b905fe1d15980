#!/usr/bin/env bash
# Builds MinIO (the S3-compatible store the catalog's mirror upload is tested
# and benchmarked against) from the Go module proxy at a pinned version and
# caches the binary outside the repository. Prints the binary's path on
# stdout. MinIO's server is only published as pseudo-versions of its main
# branch; this is the newest the proxy served (`go list -m
# github.com/minio/minio@latest`), needing Go 1.24. src/sandbox/minio.ts pins
# the same version. The first build takes several minutes on 2 cores
# (downloads included), once per machine (CI starts it in the background; see
# install-system.sh).
#
# Licence: MinIO is AGPL-3.0. bumpflow never links, vendors or ships it: it is
# built here and run only as a separate server process on loopback by the
# tests, the demo's sandbox and the bench; the product talks to it over the
# S3 API with the AWS SDK, as it would to any S3-compatible store.
set -euo pipefail

MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
CACHE_DIR="${BUMPFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bumpflow}"
BIN="$CACHE_DIR/minio-$MINIO_VERSION/minio"
[ "${1:-}" = "--print-path" ] && { echo "$BIN"; exit 0; }

if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "install-minio: go is required to build MinIO" >&2; exit 1; }

. "$(dirname "$0")/build-lock.sh"
take_build_lock "$BIN" --version
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT
(
  # Outside any module, so `go install pkg@version` uses MinIO's own go.mod.
  cd "$build_dir"
  GOFLAGS=-mod=mod GOBIN="$build_dir/bin" CGO_ENABLED=0 \
    go install -trimpath "github.com/minio/minio@$MINIO_VERSION" >&2
)
# a rename in the cache's own directory: a test waiting for the binary never sees half of it
mv "$build_dir/bin/minio" "$BIN.new"
mv "$BIN.new" "$BIN"
echo "$BIN"
