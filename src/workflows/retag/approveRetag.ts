/**
 * Step 3 of a retag: a plan with at least one write (a copy or a repush)
 * waits for a human (the gate), until the approval timeout; a plan without
 * writes asks nothing.
 */
import type { RetagResult } from '../../shared/retag.js';
import type { RetagContext } from './retagContext.js';

export async function approveRetag(ctx: RetagContext): Promise<'approved' | 'rejected' | 'expired'> {
  if (ctx.gate.rejected()) return 'rejected';
  ctx.enter('awaiting-approval');
  const timeout = ctx.input.approvalTimeout;
  const decided = await ctx.gate.wait(
    timeout,
    `approval of the retag of ${ctx.input.path} (expires after ${timeout})`,
  );
  if (decided === 'approved') ctx.status.approvedBy = ctx.gate.decision?.by ?? 'unknown';
  return decided;
}

/** The result of a plan that was not approved: rejected (with the reason given) or expired. */
export function endUnapproved(ctx: RetagContext, decided: 'rejected' | 'expired'): RetagResult {
  const reason =
    ctx.gate.decision?.kind === 'reject'
      ? ctx.gate.decision.reason
      : `no approval within ${ctx.input.approvalTimeout}`;
  return ctx.finish(decided, { reason });
}
