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
  const cls = (startToCloseTimeout: ActivityOptions['startToCloseTimeout']): ActivityOptions => ({
    startToCloseTimeout,
    retry: retryPolicy,
  });
  /** Each call carries a one-line summary (shown on the activity in the Temporal UI). */
  const bind =
    <K extends keyof Activities>(name: K, options: ActivityOptions, describe: (input: Parameters<Activities[K]>[0]) => string) =>
    (input: Parameters<Activities[K]>[0]): ReturnType<Activities[K]> => {
      const fn = proxyActivities<Activities>({ ...options, summary: describe(input) })[name] as unknown as (
        i: typeof input,
      ) => ReturnType<Activities[K]>;
      return fn(input);
    };
  const registry = cls('30s');
  const git = cls('3m');
  const forge = cls('20s');
  return {
    listBranches: bind('listBranches', git, (i) => `list main and stable/* of ${i.repoUrl}`),
    readPins: bind('readPins', git, (i) => `read the ${i.service} pins in ${i.varsFile} on ${i.branch}`),
    sourceHead: bind('sourceHead', git, (i) => `HEAD of ${i.branch} in ${i.sourceRepo}`),
    validateReason: bind('validateReason', git, (i) => `check the reason at source revision ${i.revision.slice(0, 12)}`),
    pushBump: bind('pushBump', git, (i) => `push ${i.workBranch} onto ${i.baseBranch}`),
    resolveDigest: bind('resolveDigest', registry, (i) => `resolve ${i.registry}/${i.repository}:${i.tag}`),
    inspectImage: bind('inspectImage', registry, (i) => `read the labels of ${i.registry}/${i.repository}@${i.digest.slice(0, 19)}`),
    openPullRequest: bind('openPullRequest', forge, (i) => `open or find the PR ${i.head} → ${i.base}`),
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
