#!/usr/bin/env bash
# Builds Helm (to lint and render the chart under deploy/helm/bumpflow) from
# the Go module proxy at a pinned version and caches the binary outside the
# repository. Prints the binary's path on stdout. Helm is not in Debian; the
# first build takes about 10-15 minutes on 2 cores (downloads included), once
# per machine (CI starts it in the background; see install-system.sh).
set -euo pipefail

HELM_VERSION="v3.22.0"
CACHE_DIR="${BUMPFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bumpflow}"
BIN="$CACHE_DIR/helm-$HELM_VERSION/helm"
[ "${1:-}" = "--print-path" ] && { echo "$BIN"; exit 0; }

if [ -x "$BIN" ] && "$BIN" version --short >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "install-helm: go is required to build Helm" >&2; exit 1; }

. "$(dirname "$0")/build-lock.sh"
take_build_lock "$BIN" version --short
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT
(
  # Outside any module, so `go install pkg@version` uses Helm's own go.mod.
  cd "$build_dir"
  # the version Helm reports is set at link time, as Helm's own Makefile does
  GOFLAGS=-mod=mod GOBIN="$build_dir/bin" CGO_ENABLED=0 \
    go install -ldflags "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
)
# a rename in the cache's own directory: a test waiting for the binary never sees half of it
mv "$build_dir/bin/helm" "$BIN.new"
mv "$BIN.new" "$BIN"
echo "$BIN"
