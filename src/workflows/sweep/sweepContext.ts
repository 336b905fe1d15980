/**
 * What the sweep's steps share: the status (UI details, search attributes,
 * the `status` query) and its activities. Reads are short and many at once,
 * but a registry batch can take a while: they heartbeat.
 */
import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../../activities/index.js';
import { Procedure, State, Target } from '../../shared/searchAttributes.js';
import { createReporter } from '../kit/index.js';
import { sweepStatusQuery, type SweepInput, type SweepState, type SweepStatus } from './sweepInput.js';
import { sweepDetails } from './sweepDetails.js';
import { parseDuration } from '../../lib/kit/duration.js';
import { describeScope } from '../../lib/sweep/scope.js';

export interface SweepContext {
  input: SweepInput;
  /** the target repo's identity (github.com/vexxhost/atmosphere) */
  repoKey: string;
  status: SweepStatus;
  acts: Pick<Activities, 'listBranches' | 'checkSweepPins'>;
  enter(state: SweepState): void;
  report(): void;
  finish(): SweepStatus;
}

export function createSweepContext(input: SweepInput, repoKey: string): SweepContext {
  const scope = describeScope(input);
  const status: SweepStatus = {
    state: 'listing',
    targetRepo: input.targetRepo,
    report: input.report,
    ...(scope === undefined ? {} : { scope }),
    branches: [],
    heads: {},
    pinCount: 0,
    pairCount: 0,
    counts: { current: 0, behind: 0, unavailable: 0 },
    behind: [],
    unavailable: [],
    bumps: [],
    unpinned: [],
    ...(input.pin ? { pins: [] } : {}),
    table: '',
    markdown: '',
  };
  const searchAttributes = (s: SweepStatus): SearchAttributeUpdatePair[] => [
    { key: Procedure, value: 'sweep' },
    { key: Target, value: repoKey },
    { key: State, value: s.state },
  ];
  const reporter = createReporter({ status, details: sweepDetails, searchAttributes });
  setHandler(sweepStatusQuery, () => status);
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '30s',
    retry: {
      initialInterval: parseDuration(input.retry.initialInterval),
      maximumInterval: parseDuration(input.retry.maximumInterval),
      backoffCoefficient: 2,
      maximumAttempts: input.retry.maximumAttempts,
    },
  });
  return {
    input,
    repoKey,
    status,
    acts,
    enter(state) {
      status.state = state;
      reporter.report();
    },
    report: () => reporter.report(),
    finish() {
      status.state = 'done';
      reporter.reportFinal();
      return status;
    },
  };
}
