/**
 * cleanupTags: delete tags of an image repository that match patterns and are
 * older than an age, as Zuul's promote job does for `change_*` tags — with the
 * age computed correctly across days (Zuul compared `timedelta.seconds`).
 *   1 list     every tag (all pages) with its digest; created times for the matching ones
 *   2 plan     delete / keep (too young, newest kept, shares a digest, listed by an index, age unknown)
 *   3 approve  a human, when more tags than the threshold would go; `dryRun` stops after the plan
 *   4 delete   one tag at a time, each refused while a kept tag shares its digest, verified after
 * Runs as a child of the repository's queue.
 */
import { cleanupInputSchema, type CleanupRequest, type TagResult } from '../../shared/tags.js';
import { onPatch, parseInput, Patches } from '../kit/index.js';
import { createTagContext } from './tagContext.js';
import { runCleanup } from './runCleanup.js';
import { endWith } from './endWith.js';

export async function cleanupTags(raw: CleanupRequest): Promise<TagResult> {
  const input = parseInput(cleanupInputSchema, raw, 'a clean-up {image, patterns, olderThan, …}');
  // a run started before the worker decided takes the request's approveAbove, as it began
  const workerDecides = onPatch(Patches.workerApproval);
  const ctx = createTagContext('cleanup', input);
  return endWith(ctx, async () => {
    const run = await runCleanup(ctx, input, input.firstSeen, input.dryRun, {
      timeout: input.approvalTimeout,
      askWorker: workerDecides ? input.retry : undefined,
    });
    const reason =
      run.outcome === 'rejected' && ctx.gate.decision?.kind === 'reject'
        ? ctx.gate.decision.reason
        : undefined;
    return ctx.finish(run.outcome, { firstSeen: run.firstSeen, ...(reason ? { reason } : {}) });
  });
}
