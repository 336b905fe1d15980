/**
 * pinDigests: the references of a branch's vars file pinned by tag only
 * (`ghcr.io/vexxhost/x:tag`, in the run's scope) pinned by digest, with
 * approval and one PR. Started by `bumpflow sweep --pin`, one per branch.
 *   1 read      the vars file at the branch head: each image:tag named by tag only, with its keys
 *   2 resolve   each tag's digest now, verified as a bump verifies a new digest (resolvePins.ts);
 *               an image refused is left alone and says why
 *   3 approve   a human, at the gate (approve/reject signals for the UI, updates for the CLI)
 *   4 push      one signed-off commit on `pin-digests-<tag>`: `@sha256:<digest>` added after
 *               each tag where it stands, every other byte kept (lib/kit/digestEdit.ts addDigests)
 *   5 PR        found or created
 * Nothing to pin (or nothing verified) ends `no-op` without approval.
 * Outages wait in `blocked` for `retry`; malformed messages are refused, never fatal.
 */
import { pinInputSchema, type PinRequest, type PinResult } from '../../shared/pin.js';
import { awaitApproval, endWith, parseInput, pure, unapprovedReason } from '../kit/index.js';
import { createPinContext } from './pinContext.js';
import { readUnpinned } from './readUnpinned.js';
import { resolvePins } from './resolvePins.js';
import { openPullRequest, pushPins } from './pushPins.js';
import { pinWorkBranch } from './details.js';

export async function pinDigests(raw: PinRequest): Promise<PinResult> {
  const input = parseInput(pinInputSchema, raw, 'a pin run {targetRepo, branch, varsFile?, images?, …}');
  const ctx = createPinContext(input);
  // fixed once, so a retried push builds the identical commit
  const date = new Date().toISOString();
  const what = `the pins of ${input.varsFile} on ${input.branch}`;
  return endWith(ctx, what, async () => {
    const found = await readUnpinned(ctx);
    if (found.length === 0) return ctx.finish('no-op');
    const rows = await resolvePins(ctx);
    if (rows.length === 0) {
      ctx.status.notices.push('every image was refused: nothing to pin');
      return ctx.finish('no-op');
    }
    await ctx.step(`check that pull requests can be opened on ${input.targetRepo}`, () =>
      ctx.acts.checkForge({ repoUrl: input.targetRepo }),
    );
    ctx.status.workBranch = pure(() => pinWorkBranch(input.branch));
    const decided = await awaitApproval(ctx, input.approvalTimeout, what);
    if (decided !== 'approved') {
      ctx.status.rejectedBecause = unapprovedReason(ctx.gate, input.approvalTimeout);
      return ctx.finish(decided);
    }
    if (!(await pushPins(ctx, rows, ctx.status.workBranch, date))) return ctx.finish('no-op');
    await openPullRequest(ctx);
    return ctx.finish('pr-opened');
  });
}
