#!/usr/bin/env bash
# Builds cosign (the real signer the tests sign images with) from the Go
# module proxy at a pinned version and caches the binary outside the
# repository. Prints the binary's path on stdout. cosign is not in Debian;
# the build takes about 7 minutes on 2 cores, once per machine.
#   install-cosign.sh [VERSION]  v2.6.5 by default; install-cosign3.sh passes
#                                the pinned v3. Each version has its own cache
#                                directory (cosign-<version>/), side by side.
set -euo pipefail

COSIGN_VERSION="${1:-v2.6.5}"
case "$COSIGN_VERSION" in
  v2.* | v3.*) ;;
  *) echo "install-cosign: expected a version v2.x.y or v3.x.y, found ${COSIGN_VERSION@Q}" >&2; exit 1 ;;
esac
# the module path carries the major version: github.com/sigstore/cosign/v2, …/v3
COSIGN_MODULE="github.com/sigstore/cosign/${COSIGN_VERSION%%.*}"
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
    go install "$COSIGN_MODULE/cmd/cosign@$COSIGN_VERSION" >&2
)
mv "$build_dir/bin/cosign" "$BIN.new"
mv "$BIN.new" "$BIN"
echo "$BIN"
