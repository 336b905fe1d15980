/**
 * Workflow-side plumbing shared by both workflows: activity proxies per
 * class of activity (timeouts and retries declared once) and the conversion
 * of typed errors into Temporal failures. Deterministic code only.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, TimeoutFailure, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { BumpflowError, toApplicationFailure } from '../shared/failures.js';
import type { ErrorInfo, RetryPolicyInput } from '../shared/messages.js';

/** Proxies per class: the registry and the forge answer fast; git may clone. */
export function activitiesFor(retry: RetryPolicyInput, options: { untilDone?: boolean } = {}) {
  const retryPolicy = {
    initialInterval: retry.initialInterval,
    maximumInterval: retry.maximumInterval,
    backoffCoefficient: 2,
    // The parent's planning steps have no `blocked` state: they retry outages until they end
    // (the UI shows the pending activity's attempts and last failure); fatal failures still stop at once.
    ...(options.untilDone ? {} : { maximumAttempts: retry.maximumAttempts }),
  };
  const cls = (startToCloseTimeout: ActivityOptions['startToCloseTimeout'], summary: string): ActivityOptions => ({
    startToCloseTimeout,
    retry: retryPolicy,
    summary,
  });
  const registry = proxyActivities<Activities>(cls('30s', 'registry'));
  const git = proxyActivities<Activities>(cls('3m', 'git'));
  const forge = proxyActivities<Activities>(cls('20s', 'forge'));
  return {
    listBranches: git.listBranches,
    readPins: git.readPins,
    sourceHead: git.sourceHead,
    validateReason: git.validateReason,
    pushBump: git.pushBump,
    resolveDigest: registry.resolveDigest,
    inspectImage: registry.inspectImage,
    openPullRequest: forge.openPullRequest,
  };
}

/** Runs pure code whose typed errors must fail the workflow, not its task. */
export function pure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BumpflowError) throw toApplicationFailure(err);
    throw err;
  }
}

/** A failure that no retry can fix (as opposed to an outage that outlasted the retry budget). */
export function isFatal(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

export function errorInfo(err: unknown): ErrorInfo {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  if (cause instanceof TimeoutFailure) return { type: 'Timeout', message: `timed out (${cause.timeoutType})` };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}
