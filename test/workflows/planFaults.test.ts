/**
 * Issue 20 item 2: a bump whose planning fails in one side-by-side read must
 * replay. Each case of scripts/bumpFaultHistoryCases.ts (each read failing in
 * turn, while its siblings still run, after they finished, and as one of
 * them finishes), and a real refusal (`--branch 'stable/ünïcode'`), runs on
 * the dev server with the worker's cache (its history then replayed with the
 * bundled workflows); the racing ones (`-together`) and the real refusal run
 * again with no cache at all (every workflow task replays the history so
 * far, as after a worker restart or an eviction). A determinism error, or any
 * WorkflowTaskFailed event in a history of this file, fails the test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startBump } from '../../src/cli/bump/start.js';
import { createWorker } from '../../src/worker.js';
import { createScenario, type Scenario } from '../../src/sandbox/scenario.js';
import type { BumpRequest } from '../../src/shared/messages.js';
import { PLANNING_FAULTS, expectedFailure, faultyActivities } from '../../scripts/bumpFaultHistoryCases.js';
import { startTemporal, taskFailures, workflowBundle } from '../support/temporal.js';
import { settingsFor } from '../support/bump.js';

let env: TestWorkflowEnvironment;
let counter = 0;

before(async () => {
  env = await startTemporal();
});

after(async () => {
  // test/support/temporal.ts fails the file on any WorkflowTaskFailed event at teardown
  await env?.teardown();
});

interface Run {
  scenario: Scenario;
  request: Partial<BumpRequest>;
  activities?: Record<string, unknown>;
  /** no workflow cache: every task replays the history so far */
  evict: boolean;
}

/** Starts the bump, waits for its failure, and returns it and the history. */
async function failedBump(r: Run): Promise<{ message: string; handle: WorkflowHandle }> {
  const taskQueue = `bumpflow-test-${randomUUID()}`;
  const settings = settingsFor(env, taskQueue);
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: settings.namespace,
    taskQueue,
    deps: r.scenario.deps,
    workflowBundle: await workflowBundle(),
    ...(r.activities === undefined ? {} : { activities: r.activities }),
    ...(r.evict ? { maxCachedWorkflows: 0 } : {}),
  });
  return worker.runUntil(async () => {
    const handle = await startBump(env.client, settings, {
      service: 'magnum',
      targetRepo: r.scenario.targetUrl,
      ...r.request,
    });
    const err = await handle.result().then(
      () => assert.fail('expected the bump to fail while planning'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
    return { message: (err.cause as Error).message, handle };
  });
}

/** The history: no task failed, and it replays on today's bundled workflows. */
async function assertReplays(handle: WorkflowHandle): Promise<void> {
  const history = await handle.fetchHistory();
  assert.deepEqual(taskFailures(history.events ?? []), [], 'no workflow task failed');
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, handle.workflowId);
}

async function scenario(): Promise<Scenario> {
  counter += 1;
  return createScenario({ slug: `fault${counter}/atmosphere`, branches: ['main', 'stable/2025.1'] });
}

for (const evict of [false, true]) {
  const mode = evict ? 'with no workflow cache' : 'then replayed';
  describe(`a bump whose planning fails, ${mode}`, () => {
    it("fails on --branch 'stable/ünïcode' (a BadInput from listBranches) and replays", async () => {
      const s = await scenario();
      try {
        const { message, handle } = await failedBump({
          scenario: s,
          request: { branches: ['stable/ünïcode'] },
          evict,
        });
        assert.match(message, /ünïcode/);
        await assertReplays(handle);
      } finally {
        await s.close();
      }
    });

    // with no cache, the faults that race (a failure as a sibling ends): the others replay above
    for (const fault of PLANNING_FAULTS.filter((f) => !evict || f.when === 'together')) {
      it(`${fault.name}: fails with the injected failure and replays`, async () => {
        const s = await scenario();
        try {
          const activities = faultyActivities(s.deps, fault);
          const { message, handle } = await failedBump({ scenario: s, request: {}, activities, evict });
          assert.match(message, expectedFailure(fault));
          await assertReplays(handle);
        } finally {
          await s.close();
        }
      });
    }
  });
}
