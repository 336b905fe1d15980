#!/usr/bin/env bash
# Installs what bumpflow's tests and demo need on a fresh Debian machine:
# Debian packages (git, the CNCF distribution registry, reno, skopeo, chromium
# for the UI test, docker-compose to validate the stack) and the OCI 1.1
# registry of tools/oci-registry, the Temporal CLI, cosign v2 and v3, MinIO
# (the image mirror's S3 store; AGPL-3.0, only ever run as a separate test
# server process, never linked or shipped) and Helm (built from the Go module
# proxy) and Node 24 (from the npm registry), cached outside the repo.
#   --builds-in-background  start the Go builds (OCI registry, Temporal CLI, cosign v2 and v3, MinIO, Helm:
#                         10-15 minutes on a fresh machine, mostly module
#                         downloads and compiling) and return without waiting:
#                         CI type-checks, lints and runs the first tests
#                         meanwhile; the first test that needs a tool runs its
#                         install script, which waits for the build under way
#                         (each script holds a lock on its binary while it builds)
set -euo pipefail
in_background=0
[ "${1:-}" = "--builds-in-background" ] && in_background=1

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

# The Go builds and the Node 24 download run side by side (most of a fresh machine's time is module
# downloads); each prints its binary's path, and any failure fails the install.
here="$(dirname "$0")"
tools=(oci-registry temporal-cli cosign cosign3 minio helm node24)
if [ "$in_background" -eq 1 ]; then
  tools=(node24)
  # by when the tests need them: the OCI registry first (a minute's build; the registry tests run on
  # it), the Temporal CLI (nearly every test), cosign v2 then v3 (the signature tests), MinIO (the
  # image mirror's tests), Helm last (the chart's test ends the run): the later, the lower its priority
  for entry in oci-registry:2 temporal-cli:5 cosign:10 cosign3:12 minio:14 helm:19; do
    tool="${entry%%:*}"
    log="${TMPDIR:-/tmp}/bumpflow-install-$tool.log"
    # detached, so it outlives this script
    setsid nice -n "${entry##*:}" bash "$here/install-$tool.sh" >"$log" 2>&1 </dev/null &
    echo "install-system: building $tool in the background (log: $log)" >&2
  done
fi
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
pids=()
for tool in "${tools[@]}"; do
  bash "$here/install-$tool.sh" >"$logs/$tool.out" 2>"$logs/$tool.err" &
  pids+=("$!")
done
failed=0
i=0
for tool in "${tools[@]}"; do
  if wait "${pids[$i]}"; then
    echo "install-system: $tool at $(cat "$logs/$tool.out")" >&2
  else
    echo "install-system: installing $tool failed:" >&2
    cat "$logs/$tool.err" >&2
    failed=1
  fi
  i=$((i + 1))
done
[ "$failed" -eq 0 ] || exit 1
