/**
 * Records the retag's histories that test/replay/replay.test.ts replays: a
 * fresh Temporal dev server, one retag world (the real StarlingX manifests in
 * a git bare repo, the real registry with auth) and one in-process worker per
 * case, each case driven to its end; then
 * test/replay/histories/<case>-manifest.json and <case>-image-<part>.json.
 *
 *   npx tsx scripts/record-retag-histories.ts [--case retag-approved …] [--suffix v2]
 *
 * Fails, writing nothing, when a case ends otherwise than it should or a
 * history holds a secret of the world. The cases are in retagHistoryCases.ts;
 * the failure paths (one activity made to fail, typed) in
 * retagFaultHistoryCases.ts, recorded with `--suffix faults`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TagWorkflowType, type RetagResult } from '../src/shared/messages.js';
import { createRetagWorld } from '../src/sandbox/retagWorld.js';
import type { ActivityDeps } from '../src/activities/index.js';
import {
  checkNoSecret,
  runRecorder,
  showHistory,
  type Recorded,
  recordingWorker,
} from './historyRecording.js';
import { endRetagQueues, retagCases, runRetagCase, type RetagCase } from './retagHistoryCases.js';
import { RETAG_FAULT_CASES } from './retagFaultHistoryCases.js';
import { faultyActivities } from './faultHistoryCases.js';

async function runCase(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  c: RetagCase,
  base: string,
): Promise<Recorded[]> {
  const world = await createRetagWorld();
  try {
    const fault = c.fault;
    const activities =
      fault === undefined ? undefined : (d: ActivityDeps) => faultyActivities(d, c.name, fault);
    const { worker, settings } = await recordingWorker(env, bundle, world.deps, 'retag', activities);
    // the queues end while the worker still answers their status (endRetagQueues asks it)
    const { workflowId, path } = await worker.runUntil(async () => {
      const ran = await runRetagCase(world, env.client, settings, c);
      await endRetagQueues(env.client, world);
      return ran;
    });
    const recorded: Recorded[] = [
      {
        file: `${base}-manifest.json`,
        workflowId,
        workflowType: TagWorkflowType.retagManifest,
        text: await showHistory(env.address, workflowId),
      },
    ];
    if (Object.keys(c.children).length > 0) {
      const result = (await env.client.workflow.getHandle(workflowId).result()) as RetagResult;
      for (const [part, index] of Object.entries(c.children)) {
        const childId = result.entries[index]?.workflowId;
        if (childId === undefined) throw new Error(`case ${c.name}: expected a child for entry ${index}`);
        recorded.push({
          file: `${base}-image-${part}.json`,
          workflowId: childId,
          workflowType: TagWorkflowType.retag,
          text: await showHistory(env.address, childId),
        });
      }
    }
    for (const r of recorded)
      checkNoSecret(
        c.name,
        r,
        world.tags.secrets,
        r.workflowId === workflowId ? `"path":"${path}"` : '"srcBuildTag"',
      );
    return recorded;
  } finally {
    await world.close();
  }
}

runRecorder({
  tool: 'record-retag-histories',
  cases: [...retagCases, ...RETAG_FAULT_CASES],
  record: runCase,
});
