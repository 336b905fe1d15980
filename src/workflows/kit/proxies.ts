/**
 * Activity proxies per class, declared once: timeouts, heartbeats and retries
 * by what an activity touches. Long git and registry calls heartbeat, so a
 * lost worker or a lost task is noticed in seconds, not at the end of the
 * start-to-close timeout. Each call carries a one-line summary for the UI.
 */
import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { RetryPolicyInput } from '../../shared/bump.js';
import { parseDuration } from '../../lib/kit/duration.js';

type Input<K extends keyof Activities> = Parameters<Activities[K]>[0];
type Output<K extends keyof Activities> = ReturnType<Activities[K]>;

/**
 * Timeouts per class of activity. With a `heartbeatTimeout` the activity
 * heartbeats while it runs (src/activities/kit/wrap.ts beats for every activity
 * scheduled with one), so a lost worker is noticed within it: the forge's too
 * (PR find/create, the access check, the audit release), not only after 30 s.
 */
export const activityClasses = {
  registry: { startToCloseTimeout: '2m', heartbeatTimeout: '10s' },
  git: { startToCloseTimeout: '5m', heartbeatTimeout: '10s' },
  forge: { startToCloseTimeout: '30s', heartbeatTimeout: '10s' },
  /** an image file of GBs streamed to an S3 mirror: long, heartbeating its progress (a retry resumes it) */
  upload: { startToCloseTimeout: '6h', heartbeatTimeout: '30s' },
} satisfies Record<string, ActivityOptions>;
export type ActivityClass = keyof typeof activityClasses;

/**
 * Short reads (list, resolve, inspect, check) may run as local activities: each
 * is one marker in history instead of three events and a workflow task, and
 * several run inside one workflow task. Writes (push, PR) stay ordinary
 * activities, heartbeating, so a lost worker is noticed while they run.
 */
export const localReadClasses = {
  registry: { startToCloseTimeout: '2m' },
  git: { startToCloseTimeout: '5m' },
  forge: { startToCloseTimeout: '30s' },
  upload: { startToCloseTimeout: '6h' },
} satisfies Record<ActivityClass, LocalActivityOptions>;

/** Binds activities by name to their class's options and a one-line summary for the UI. */
export function binder(retry: RetryPolicyInput, options: { local?: boolean } = {}) {
  const retryPolicy = {
    initialInterval: parseDuration(retry.initialInterval),
    maximumInterval: parseDuration(retry.maximumInterval),
    backoffCoefficient: 2,
    maximumAttempts: retry.maximumAttempts,
  };
  return <K extends keyof Activities>(name: K, cls: ActivityClass, describe: (input: Input<K>) => string) =>
    (input: Input<K>): Output<K> => {
      const summary = describe(input);
      const proxies = options.local
        ? proxyLocalActivities<Activities>({ ...localReadClasses[cls], retry: retryPolicy, summary })
        : proxyActivities<Activities>({ ...activityClasses[cls], retry: retryPolicy, summary });
      const fn = proxies[name] as unknown as (i: Input<K>) => Output<K>;
      return fn(input);
    };
}

/** The bump's activities; with `localReads` its reads run as local activities (pushes and PRs never do). */
export function activitiesFor(retry: RetryPolicyInput, options: { localReads?: boolean } = {}) {
  const bind = binder(retry, { local: options.localReads === true });
  const write = binder(retry);
  return {
    listBranches: bind('listBranches', 'git', (i) => `list main and stable/* of ${i.repoUrl}`),
    readPins: bind('readPins', 'git', (i) => `read the ${i.service} pins in ${i.varsFile} on ${i.branch}`),
    sourceHead: bind('sourceHead', 'git', (i) => `HEAD of ${i.branch} in ${i.sourceRepo}`),
    validateReason: bind(
      'validateReason',
      'git',
      (i) => `check the reason at source revision ${i.revision.slice(0, 12)}`,
    ),
    pushBump: write('pushBump', 'git', (i) => `push ${i.workBranch} onto ${i.baseBranch}`),
    resolveDigest: bind('resolveDigest', 'registry', (i) => `resolve ${i.registry}/${i.repository}:${i.tag}`),
    inspectImage: bind(
      'inspectImage',
      'registry',
      (i) => `read the labels of ${i.registry}/${i.repository}@${i.digest.slice(0, 19)}`,
    ),
    checkForge: bind('checkForge', 'forge', (i) => `check that pull requests can be opened on ${i.repoUrl}`),
    openPullRequest: write('openPullRequest', 'forge', (i) => `open or find the PR ${i.head} → ${i.base}`),
  };
}
export type BumpActivities = ReturnType<typeof activitiesFor>;
