/**
 * Test support of the retag tests: the retag world (src/sandbox/retagWorld.ts,
 * which the history recorder uses too), the CLI run in this process, and a
 * suite: dev server, world and worker.
 */
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TemporalSettings } from '../../src/config.js';
import { startRetag } from '../../src/cli/retag/retagStart.js';
import { retagStatusQuery, type RetagStatus } from '../../src/shared/messages.js';
import { createRetagWorld, MIRROR, type RetagWorld } from '../../src/sandbox/retagWorld.js';
import { createWorker } from '../../src/worker.js';
import { settingsFor } from './bump.js';
import { runCliWithoutConfig } from './cli.js';
import { startTemporal, workflowBundle } from './temporal.js';

export * from '../../src/sandbox/retagWorld.js';

export const bumpflow = runCliWithoutConfig;

/** A dev server, a retag world and a worker on `taskQueue`, for a retag test file. */
export interface RetagSuite {
  env: TestWorkflowEnvironment;
  world: RetagWorld;
  /** the CLI's environment: the dev server, the task queue, the world's registry and git */
  cliEnv: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts the suite and pushes every source image of manifest 4.0 but dex's,
 * recording each digest in `sources` by repository.
 */
export async function startRetagSuite(taskQueue: string, sources: Map<string, string>): Promise<RetagSuite> {
  const [env, world] = await Promise.all([startTemporal(), createRetagWorld()]);
  const settings = settingsFor(env, taskQueue);
  const w = await createWorker({
    connection: env.nativeConnection,
    namespace: settings.namespace,
    taskQueue,
    deps: world.deps,
    workflowBundle: await workflowBundle(),
  });
  let stop: () => void = () => undefined;
  const worker = w.runUntil(new Promise<void>((r) => (stop = r)));
  const cliEnv = { TEMPORAL_ADDRESS: env.address, BUMPFLOW_TASK_QUEUE: taskQueue, ...world.env };
  for (const e of world.entries('4.0'))
    if (!e.repository.endsWith('/dex') && !sources.has(e.repository))
      sources.set(e.repository, await world.push(e.repository, e.srcBuildTag));
  return {
    env,
    world,
    cliEnv,
    async close() {
      stop();
      await worker;
      await world.close();
      await env.teardown();
    },
  };
}

/** A retag of the manifest at `path` on main (through the mirror), started as the CLI does; its id and a wait on its status. */
export async function startWatchedRetag(
  env: TestWorkflowEnvironment,
  settings: TemporalSettings,
  world: RetagWorld,
  path: string,
): Promise<{ retagId: string; statusWhen(ok: (s: RetagStatus) => boolean): Promise<RetagStatus> }> {
  const { workflowId: retagId } = await startRetag(env.client, settings, world.env, {
    repoUrl: world.repoUrl,
    path,
    ref: 'main',
    mirror: MIRROR,
  });
  const retag = env.client.workflow.getHandle(retagId);
  return {
    retagId,
    async statusWhen(ok) {
      for (let i = 0; i < 300; i++) {
        const s = await retag.query(retagStatusQuery).catch(() => undefined);
        if (s !== undefined && ok(s)) return s;
        await new Promise((r) => setTimeout(r, 200));
      }
      return assert.fail(`${retagId} did not reach the awaited status`);
    },
  };
}
