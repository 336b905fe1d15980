#!/bin/sh
# The sequential hand-script baseline: one clone of the target repo (a fetch
# in it when it is there from an earlier run), then each branch in turn,
# with the procedure of bench/bumpBranch.sh.
#
# Everything comes from the environment (bench/variants.ts sets it):
#   TARGET_URL SOURCE_URL BRANCHES("main stable/2025.1 …") WORK (kept between runs)
#   REGISTRY (host:port, plain HTTP) REGISTRY_USER REGISTRY_PASSWORD
#   GITHUB_API_URL GITHUB_TOKEN TARGET_SLUG (owner/repo)
#   and git's own GIT_CONFIG_* (url.insteadOf to the sandbox's git server).
set -eu
. "$(dirname "$0")/bumpBranch.sh"

repo="$WORK/target"
clone_or_fetch "$repo"
cd "$repo"
for branch in $BRANCHES; do
  bump_branch "$branch" "$WORK/tmp"
done
