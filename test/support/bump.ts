/** Small helpers for workflow tests: a worker for a scenario, waiting on status, reading results. */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { BumpRequest } from '../../src/shared/messages.js';
import { startBump } from '../../src/cli/bump/start.js';
import { createWorker } from '../../src/worker.js';
import type { TemporalSettings } from '../../src/config.js';
import type { Scenario } from '../../src/sandbox/scenario.js';
import type { ActivityDeps } from '../../src/activities/index.js';
import { workflowBundle } from './temporal.js';

export function settingsFor(env: TestWorkflowEnvironment, taskQueue: string): TemporalSettings {
  return {
    address: env.address,
    namespace: env.namespace ?? 'default',
    taskQueue,
    uiUrl: 'http://127.0.0.1:8233',
  };
}

/** An in-process worker on `deps`, polling `taskQueue` (default: a fresh one), while `fn` runs with its settings. */
export async function runWorker<T>(
  env: TestWorkflowEnvironment,
  deps: ActivityDeps,
  fn: (settings: TemporalSettings) => Promise<T>,
  taskQueue = `bumpflow-test-${randomUUID()}`,
): Promise<T> {
  const settings = settingsFor(env, taskQueue);
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: settings.namespace,
    taskQueue,
    deps,
    workflowBundle: await workflowBundle(),
  });
  return worker.runUntil(fn(settings));
}

/** Runs an in-process worker for the scenario while `fn` runs. */
export function withWorker<T>(
  env: TestWorkflowEnvironment,
  scenario: Scenario,
  fn: (ctx: {
    taskQueue: string;
    settings: TemporalSettings;
    start: (r: Omit<BumpRequest, 'targetRepo'>) => Promise<WorkflowHandle>;
  }) => Promise<T>,
): Promise<T> {
  return runWorker(env, scenario.deps, (settings) =>
    fn({
      taskQueue: settings.taskQueue,
      settings,
      start: (r) => startBump(env.client, settings, { targetRepo: scenario.targetUrl, ...r }),
    }),
  );
}

export { allIn, waitForStatus } from '../../src/sandbox/status.js';
