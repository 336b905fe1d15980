#!/bin/sh
# The parallel hand-script baseline: the best a person can script without
# orchestration. One shell pipeline per branch, all at once, each in a clone
# of its own (`--single-branch`: only that branch; a fetch in it when it is
# there from an earlier run), each doing the procedure of bench/bumpBranch.sh;
# then wait for all of them. Exit 1 when any pipeline failed (its output is
# printed). Environment: as bench/handScript.sh.
set -eu
. "$(dirname "$0")/bumpBranch.sh"

pids=''
for branch in $BRANCHES; do
  tag=$(tag_of "$branch")
  (
    clone_or_fetch "$WORK/$tag" --single-branch --branch "$branch" --no-tags
    cd "$WORK/$tag"
    bump_branch "$branch" "$WORK/tmp-$tag"
  ) >"$WORK/log-$tag" 2>&1 &
  pids="$pids $!:$tag"
done
failed=0
for entry in $pids; do
  if ! wait "${entry%%:*}"; then
    failed=1
    echo "parallel script: the pipeline of ${entry#*:} failed:" >&2
    cat "$WORK/log-${entry#*:}" >&2
  fi
done
exit "$failed"
