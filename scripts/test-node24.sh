#!/usr/bin/env bash
# The suite's Node-24 run in CI (the machine's Node is 20; Node 24 LTS comes
# from the npm registry, scripts/install-node24.sh): the unit tests, the
# replay of every committed history, the process launcher and git's push,
# and the bump end to end on the real dev server, registry and git. Type
# checks, lint and the slower workflow suites run once, on Node 20, in
# `npm test`: together both stay inside CI's time budget.
set -euo pipefail
cd "$(dirname "$0")/.."
node24="$(bash scripts/install-node24.sh)"
echo "test-node24: $("$node24" --version) at $node24" >&2
# npm and tsx run under the Node found first on PATH: put 24 there.
export PATH="$(dirname "$node24"):$PATH"
[ "$(node --version)" = "$("$node24" --version)" ] || { echo "test-node24: expected node on PATH to be $node24" >&2; exit 1; }
node --import tsx --test --test-reporter=tap --test-concurrency=1 \
  test/unit/*.test.ts test/replay/*.test.ts \
  test/clients/launcher.test.ts test/clients/git.push.test.ts \
  test/workflows/bump.test.ts
