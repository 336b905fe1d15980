/**
 * How a procedure with one approval waits for it and ends: the gate's wait
 * (who approved kept in the status), the reason of an unapproved end, and
 * `endWith`: its result, or — for a rejection while blocked or a typed
 * failure — a final status and a failed workflow whose failure is the typed
 * one (not "activity task failed"), so `result()` and the UI show it first.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { ErrorInfo } from '../../shared/bump.js';
import { FatalFailure } from '../../shared/failures.js';
import { Rejected } from './blockable.js';
import { errorInfo, surfaced } from './failures.js';
import type { Gate } from './gate.js';

export interface Approvable {
  gate: Gate;
  enter(state: 'awaiting-approval'): void;
  status: { approvedBy?: string | undefined };
}

/** Waits at the gate until `timeout` (a standing rejection: at once); `what` as in "approval of `what`". */
export async function awaitApproval(
  ctx: Approvable,
  timeout: string,
  what: string,
): Promise<'approved' | 'rejected' | 'expired'> {
  if (ctx.gate.rejected()) return 'rejected';
  ctx.enter('awaiting-approval');
  const decided = await ctx.gate.wait(timeout, `approval of ${what} (expires after ${timeout})`);
  if (decided === 'approved') ctx.status.approvedBy = ctx.gate.decision?.by ?? 'unknown';
  return decided;
}

/** Why a plan was not approved: the rejection's reason, or the timeout. */
export function unapprovedReason(gate: Gate, timeout: string): string {
  return gate.decision?.kind === 'reject' ? gate.decision.reason : `no approval within ${timeout}`;
}

export interface Endable<R> {
  gate: Gate;
  report(): void;
  finish(
    state: 'rejected' | 'failed',
    extra: { reason?: string | undefined; error?: ErrorInfo | undefined },
  ): R;
  /** waits for the notices told, so the end's own is not dropped with the workflow */
  settleNotices(): Promise<void>;
}

/** Runs the procedure's steps; `what` names it in a rejection's failure ("`what` was rejected while blocked"). */
export async function endWith<R>(ctx: Endable<R>, what: string, run: () => Promise<R>): Promise<R> {
  ctx.report();
  try {
    const result = await run();
    await ctx.settleNotices();
    return result;
  } catch (err) {
    if (err instanceof Rejected) {
      const reason = ctx.gate.decision?.kind === 'reject' ? ctx.gate.decision.reason : 'rejected';
      ctx.finish('rejected', { reason });
      await ctx.settleNotices();
      throw ApplicationFailure.nonRetryable(
        `${what} was rejected while blocked: ${reason}`,
        FatalFailure.Rejected,
      );
    }
    ctx.finish('failed', { error: errorInfo(err) });
    await ctx.settleNotices();
    throw surfaced(err);
  }
}
