/**
 * Issue 20 item 2, the race the settle alone does not cover: a planning read
 * goes `blocked` (its outage outlasted the retries) at the very moment a
 * sibling read completes: the run sees the two ends in two activations of
 * one workflow task (local activities), a replay in one. Each read in turn:
 * with no workflow cache (every task replays the history so far, as after a
 * worker restart or an eviction), the bump must show `blocked`, take `retry`
 * (the read then answers), finish planning, and its history must replay
 * with no WorkflowTaskFailed (the teardown checks every
 * workflow of the file). Before kit/lanes.ts the replay issued the blocked
 * notice and the sibling's next read in the other order (`targets.map is not
 * a function`, or a determinism error).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { startBump } from '../../src/cli/bump/start.js';
import { createWorker } from '../../src/worker.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { retrySignal } from '../../src/shared/messages.js';
import { PLANNING_READS, partnerOf, type PlanningRead } from '../../scripts/bumpFaultHistoryCases.js';
import { startTemporal, taskFailures, workflowBundle } from '../support/temporal.js';
import { settingsFor, waitForStatus } from '../support/bump.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

/**
 * The world's activities, where `blocks` fails once with an outage exactly as
 * its partner read returns (both wait for each other, then end in the same
 * tick); every later call of it answers.
 */
function blockingActivities(deps: ActivityDeps, blocks: PlanningRead): Record<string, unknown> {
  const real = createActivities(deps) as unknown as Record<string, (input: unknown) => Promise<unknown>>;
  const partner = partnerOf(blocks);
  let arrived = 0;
  let release: () => void = () => undefined;
  const bothThere = new Promise<void>((r) => (release = r));
  const meet = () => (++arrived === 2 ? release() : undefined, bothThere);
  let partnerMet = false;
  let failed = false;
  return {
    ...real,
    [partner]: async (input: unknown) => {
      const value = await real[partner]!(input);
      if (!partnerMet) {
        partnerMet = true;
        await meet();
      }
      return value;
    },
    [blocks]: async (input: unknown) => {
      if (failed) return real[blocks]!(input);
      failed = true;
      await meet();
      throw ApplicationFailure.retryable(`injected: ${blocks} did not answer (an outage)`, 'GitUnavailable');
    },
  };
}

describe('a planning read blocked as a sibling completes', () => {
  // main's labels are read after main's pins: they cannot end with the branch list in one tick
  for (const blocks of PLANNING_READS.filter((r) => r !== 'inspectImage')) {
    it(`${blocks} blocks as ${partnerOf(blocks)} ends: blocked, retried, planned, and it replays`, async () => {
      const s = await createScenario({
        slug: `blocked-${blocks}/atmosphere`,
        branches: ['main', 'stable/2025.1'],
      });
      const taskQueue = `bumpflow-test-${randomUUID()}`;
      try {
        const worker = await createWorker({
          connection: env.nativeConnection,
          namespace: 'default',
          taskQueue,
          deps: s.deps,
          workflowBundle: await workflowBundle(),
          activities: blockingActivities(s.deps, blocks),
          // every task replays the history so far, as after a worker restart or an eviction
          maxCachedWorkflows: 0,
        });
        const handle = await worker.runUntil(async () => {
          const h = await startBump(env.client, settingsFor(env, taskQueue), {
            service: 'magnum',
            targetRepo: s.targetUrl,
            retry: { maximumAttempts: 1, initialInterval: '100ms', maximumInterval: '100ms' },
          });
          const blocked = await waitForStatus(h, (st) => st.state === 'blocked', `${blocks} blocked`);
          assert.equal(blocked.error?.type, 'GitUnavailable');
          await h.signal(retrySignal, {});
          // planned: the branches started (their own runs are not this test's subject)
          await waitForStatus(
            h,
            (st) => st.state === 'running' && st.branches.length === 2,
            'planning done after the retry',
          );
          await h.terminate('test over');
          return h;
        });
        const history = await handle.fetchHistory();
        assert.deepEqual(taskFailures(history.events ?? []), [], 'no workflow task failed');
        await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, handle.workflowId);
      } finally {
        await s.close();
      }
    });
  }
});
