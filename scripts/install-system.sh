#!/usr/bin/env bash
# Installs what bumpflow's tests and demo need on a fresh Debian machine:
# Debian packages (git, the CNCF distribution registry, reno, skopeo, chromium
# for the UI test, docker-compose to validate the stack) and the
# Temporal CLI and cosign (built from the Go module proxy, cached outside the repo).
set -euo pipefail

packages=(git docker-registry python3-reno skopeo chromium docker-compose openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-system: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || { echo "install-system: Node.js >= 20 is required, found $(node --version)" >&2; exit 1; }

temporal="$(bash "$(dirname "$0")/install-temporal-cli.sh")"
echo "install-system: Temporal CLI at $temporal" >&2

cosign="$(bash "$(dirname "$0")/install-cosign.sh")"
echo "install-system: cosign at $cosign" >&2

helm="$(bash "$(dirname "$0")/install-helm.sh")"
echo "install-system: Helm at $helm" >&2

node24="$(bash "$(dirname "$0")/install-node24.sh")"
echo "install-system: Node 24 at $node24 (CI runs part of the suite on it: scripts/test-node24.sh)" >&2
