/**
 * How a tag procedure ends: its result, or — for a rejection while blocked or
 * a typed failure — a final status and a failed workflow whose failure is the
 * typed one (not "activity task failed"), so `result()` and the UI show it.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import type { TagResult } from '../../shared/tags.js';
import { errorInfo, Rejected, surfaced } from '../kit/index.js';
import type { TagContext } from './tagContext.js';

export async function endWith(ctx: TagContext, run: () => Promise<TagResult>): Promise<TagResult> {
  ctx.report();
  try {
    return await run();
  } catch (err) {
    if (err instanceof Rejected) {
      const reason = ctx.gate.decision?.kind === 'reject' ? ctx.gate.decision.reason : 'rejected';
      ctx.status.rejectedBecause = reason;
      ctx.finish('rejected', { reason });
      throw ApplicationFailure.nonRetryable(
        `the ${ctx.status.procedure} of ${ctx.shown} was rejected while blocked: ${reason}`,
        FatalFailure.Rejected,
      );
    }
    ctx.finish('failed', { error: errorInfo(err) });
    throw surfaced(err);
  }
}
