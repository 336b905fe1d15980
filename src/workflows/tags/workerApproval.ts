/**
 * The worker decides whether a tag plan waits for a human (issue 20, item 1).
 * A request to the repository's queue may be typed by a person, and a
 * procedure started by hand, so what a request says of approval only ever
 * makes it stricter: the plan waits when the worker's rule (its config file's
 * `promotion.approval`, read by the `workerTagApproval` local activity) or
 * the request asks for it; a clean-up waits above the lower of the two
 * `approveAbove`. The decision and its reason go to the status and notices.
 * Runs started before this (Patches.workerApproval) decide as they began.
 */
import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { RetryPolicyInput } from '../../shared/bump.js';
import type { TagContext } from './tagContext.js';
import { parseDuration } from '../../lib/kit/duration.js';

/** What approvePlan takes: whether to wait, and the rule that let a plan go without a human. */
export interface ApprovalNeed {
  required: boolean;
  pattern?: string | undefined;
}

function workerTagApproval(retry: RetryPolicyInput, summary: string) {
  return proxyLocalActivities<Activities>({
    startToCloseTimeout: '10s',
    retry: {
      initialInterval: parseDuration(retry.initialInterval),
      maximumInterval: parseDuration(retry.maximumInterval),
      backoffCoefficient: 2,
      maximumAttempts: retry.maximumAttempts,
    },
    summary,
  }).workerTagApproval;
}

async function askWorker(ctx: TagContext, retry: RetryPolicyInput, tags: string[]) {
  const name = `read the worker's approval rule for ${ctx.shown}${tags.length ? `:${tags.join(',')}` : ''}`;
  return ctx.step(name, () => workerTagApproval(retry, name)({ image: ctx.shown, tags }));
}

/**
 * The approval a promotion or rollback of `tags` needs: the request's
 * (`requested`) unless the worker's rule asks for more. Records why.
 */
export async function strictestApproval(
  ctx: TagContext,
  retry: RetryPolicyInput,
  requested: ApprovalNeed,
  tags: string[],
): Promise<ApprovalNeed> {
  const worker = await askWorker(ctx, retry, tags);
  const required = worker.required || requested.required;
  const why = worker.required
    ? `approval required by worker rule ${worker.rule}`
    : requested.required
      ? `approval required by the request (worker rule ${worker.rule} needs none)`
      : `no approval needed by worker rule ${worker.rule}`;
  ctx.status.approvalPolicy = { required, why };
  if (required) ctx.status.notices.push(why);
  return required ? { required } : { required, pattern: worker.rule };
}

/**
 * Whether a clean-up deleting `count` tags waits for a human: above the lower
 * of the request's `approveAbove` and the worker's `cleanup.approveAbove`.
 * Records why.
 */
export async function cleanupNeedsApproval(
  ctx: TagContext,
  retry: RetryPolicyInput,
  requested: number,
  count: number,
): Promise<boolean> {
  const worker = await askWorker(ctx, retry, []);
  const byWorker = count > worker.approveAbove;
  const required = byWorker || count > requested;
  const rule =
    worker.rule === 'no config file at the worker'
      ? `${worker.rule} (every clean-up waits)`
      : `cleanup.approveAbove ${worker.approveAbove}`;
  const why = byWorker
    ? `approval required by worker rule ${rule}: ${count} tags to delete`
    : required
      ? `approval required by the request (approveAbove ${requested}; worker rule ${rule}): ${count} tags to delete`
      : `no approval needed: ${count} tags to delete, not above worker rule ${rule} nor the request's ${requested}`;
  ctx.status.approvalPolicy = { required, why };
  ctx.status.notices.push(why);
  return required;
}
