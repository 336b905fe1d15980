/**
 * Step g of a branch: the approval. The policy may let the branch go without
 * a human; otherwise it waits at the gate (expires after the timeout). An
 * approval binds to the planned digest: if the tag moved while waiting, the
 * caller re-plans and asks again.
 */
import type { Gate } from '../kit/index.js';
import { enter, type BranchContext } from './branchContext.js';

export type ApprovalOutcome = 'approved' | 'rejected' | 'expired' | 'moved';

export async function approveBranch(ctx: BranchContext, gate: Gate): Promise<ApprovalOutcome> {
  const { input, status } = ctx;
  if (input.approval?.required === false) {
    const pattern = input.approval.pattern ?? '?';
    status.approvedBy = `policy (branch pattern ${pattern} needs no approval)`;
    status.notices.push(
      `no approval needed: the approval policy's pattern ${pattern} matches ${input.branch}`,
    );
    return 'approved';
  }
  if (gate.rejected()) return 'rejected';
  enter(ctx, 'awaiting-approval');
  const decided = await gate.wait(
    input.approvalTimeout,
    `approval of ${input.branch} (expires after ${input.approvalTimeout})`,
  );
  if (decided !== 'approved') return decided;
  status.approvedBy = gate.decision?.by ?? 'unknown';

  // The tag may have moved while the branch waited: the approval was for the planned digest only.
  enter(ctx, 'resolving');
  const planned = status.newDigest!;
  const current = await ctx.step(`resolve ${ctx.image}:${input.tag} again`, () =>
    ctx.acts.resolveDigest({ ...input.image, tag: input.tag }),
  );
  if (current === planned) return 'approved';
  status.notices.push(
    `the tag ${input.tag} moved from ${planned} to ${current} while waiting: re-planned, approve again`,
  );
  return 'moved';
}
