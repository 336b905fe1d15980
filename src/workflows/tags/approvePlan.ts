/**
 * The approval of a tag plan: the policy may let it go without a human
 * (say so in the notices); otherwise the gate waits, until the timeout.
 */
import type { TagResult } from '../../shared/tags.js';
import { awaitApproval, unapprovedReason } from '../kit/index.js';
import type { TagContext } from './tagContext.js';

export async function approvePlan(
  ctx: TagContext,
  approval: { required: boolean; pattern?: string | undefined },
  timeout: string,
): Promise<'approved' | 'rejected' | 'expired'> {
  if (!approval.required) {
    ctx.status.approvedBy = `policy (${approval.pattern ?? 'no rule'} needs no approval)`;
    ctx.status.notices.push(
      `no approval needed: the approval policy's rule ${approval.pattern ?? '?'} matches`,
    );
    return 'approved';
  }
  return awaitApproval(ctx, timeout, `the ${ctx.status.procedure} of ${ctx.shown}`);
}

/** The result of a plan that was not approved: rejected (with the reason given) or expired. */
export function endUnapproved(ctx: TagContext, decided: 'rejected' | 'expired', timeout: string): TagResult {
  return ctx.finish(decided, { reason: unapprovedReason(ctx.gate, timeout) });
}
