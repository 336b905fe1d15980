/** The pin run's activities, bound like the bump's (see ../kit/proxies.ts): git reads and the push, the bump's registry reads, the PR. */
import { binder } from '../kit/index.js';
import type { RetryPolicyInput } from '../../shared/bump.js';

export function pinActivitiesFor(retry: RetryPolicyInput) {
  const bind = binder(retry);
  return {
    readUnpinned: bind(
      'readUnpinned',
      'git',
      (i) => `read the references pinned by tag only in ${i.varsFile} on ${i.branch}`,
    ),
    resolveDigest: bind('resolveDigest', 'registry', (i) => `resolve ${i.registry}/${i.repository}:${i.tag}`),
    inspectImage: bind(
      'inspectImage',
      'registry',
      (i) => `read the labels of ${i.registry}/${i.repository}@${i.digest.slice(0, 19)}`,
    ),
    sourceHead: bind('sourceHead', 'git', (i) => `HEAD of ${i.branch} in ${i.sourceRepo}`),
    checkForge: bind('checkForge', 'forge', (i) => `check that pull requests can be opened on ${i.repoUrl}`),
    pushPins: bind('pushPins', 'git', (i) => `push ${i.workBranch} onto ${i.baseBranch}`),
    openPullRequest: bind('openPullRequest', 'forge', (i) => `open or find the PR ${i.head} → ${i.base}`),
  };
}
export type PinActivities = ReturnType<typeof pinActivitiesFor>;
