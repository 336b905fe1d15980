#!/usr/bin/env bash
# Builds cosign v3 (sigstore bundles stored as OCI 1.1 referrers by default)
# beside v2 (install-cosign.sh's default; the two are cached side by side).
# Prints the binary's path on stdout. v3.1.3 is the newest 3.x the Go module
# proxy serves; src/sandbox/cosign.ts pins the same version.
set -euo pipefail
exec bash "$(dirname "$0")/install-cosign.sh" v3.1.3
