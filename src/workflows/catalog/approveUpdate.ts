/** Step 4: the approval of the table: the gate waits for a human, until the timeout. */
import type { CatalogResult } from '../../shared/catalog.js';
import type { CatalogContext } from './catalogContext.js';

export async function approveUpdate(ctx: CatalogContext): Promise<'approved' | 'rejected' | 'expired'> {
  if (ctx.gate.rejected()) return 'rejected';
  ctx.enter('awaiting-approval');
  const timeout = ctx.input.approvalTimeout;
  const decided = await ctx.gate.wait(
    timeout,
    `approval of the update of ${ctx.input.path} (expires after ${timeout})`,
  );
  if (decided === 'approved') ctx.status.approvedBy = ctx.gate.decision?.by ?? 'unknown';
  return decided;
}

/** The result of a table that was not approved: rejected (with the reason given) or expired. */
export function endUnapproved(ctx: CatalogContext, decided: 'rejected' | 'expired'): CatalogResult {
  const decision = ctx.gate.decision;
  ctx.status.rejectedBecause =
    decision?.kind === 'reject' ? decision.reason : `no approval within ${ctx.input.approvalTimeout}`;
  return ctx.finish(decided);
}
