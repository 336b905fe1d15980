#!/usr/bin/env bash
# Builds the Temporal CLI from the Go module proxy and caches the binary
# outside the repository. Prints the binary's path on stdout.
#
# The CLI module cannot be `go install`ed directly: its go.mod replaces
# github.com/temporalio/cli/cliext with ./cliext. A throwaway module of ours
# requires the CLI and pins cliext to the pseudo-version of that nested
# module at the tag's commit.
set -euo pipefail

CLI_VERSION="v1.8.2"
CLIEXT_VERSION="v0.0.0-20260731000218-c579925f193f"
CACHE_DIR="${BUMPFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bumpflow}"
BIN="$CACHE_DIR/temporal-cli-$CLI_VERSION/temporal"

if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "install-temporal-cli: go is required to build the Temporal CLI" >&2; exit 1; }

. "$(dirname "$0")/build-lock.sh"
take_build_lock "$BIN" --version
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT
cat >"$build_dir/go.mod" <<MOD
module bumpflow.local/temporal-cli-build

go 1.26

require github.com/temporalio/cli $CLI_VERSION

replace github.com/temporalio/cli/cliext => github.com/temporalio/cli/cliext $CLIEXT_VERSION
MOD
cat >"$build_dir/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/temporalio/cli/cmd/temporal"
GO
(
  cd "$build_dir"
  GOFLAGS=-mod=mod go mod tidy -e >&2 || true
  GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$BIN.tmp" github.com/temporalio/cli/cmd/temporal >&2
)
mv "$BIN.tmp" "$BIN"
echo "$BIN"
