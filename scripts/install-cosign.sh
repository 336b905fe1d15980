#!/usr/bin/env bash
# Builds cosign (the real signer the tests sign images with) from the Go
# module proxy at a pinned version and caches the binary outside the
# repository. Prints the binary's path on stdout. cosign is not in Debian;
# the build takes about 7 minutes on 2 cores, once per machine.
set -euo pipefail

COSIGN_VERSION="v2.6.5"
CACHE_DIR="${BUMPFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bumpflow}"
BIN="$CACHE_DIR/cosign-$COSIGN_VERSION/cosign"

if [ -x "$BIN" ] && "$BIN" version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "install-cosign: go is required to build cosign" >&2; exit 1; }

. "$(dirname "$0")/build-lock.sh"
take_build_lock "$BIN" version
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT
(
  # Outside any module, so `go install pkg@version` uses cosign's own go.mod.
  cd "$build_dir"
  GOFLAGS=-mod=mod GOBIN="$build_dir/bin" CGO_ENABLED=0 \
    go install "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION" >&2
)
mv "$build_dir/bin/cosign" "$BIN.new"
mv "$BIN.new" "$BIN"
echo "$BIN"
