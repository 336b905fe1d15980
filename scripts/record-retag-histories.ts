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
 * history holds a secret of the world. The cases are in retagHistoryCases.ts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startRetag } from '../src/cli/retagStart.js';
import { imageRepoWorkflowId, TagWorkflowType, type RetagResult } from '../src/shared/messages.js';
import {
  createRetagWorld,
  MANIFESTS,
  type ManifestName,
  type RetagWorld,
} from '../src/sandbox/retagWorld.js';

const MANIFEST_NAMES = Object.keys(MANIFESTS) as ManifestName[];
import {
  checkNoSecret,
  runRecorder,
  showHistory,
  withDeadline,
  type Recorded,
  recordingWorker,
} from './historyRecording.js';
import { retagCases, type RetagCase } from './retagHistoryCases.js';

/** The repositories' queues end with the case: the next case's worker has another task queue. */
async function endQueues(env: TestWorkflowEnvironment, world: RetagWorld): Promise<void> {
  const repos = new Set(MANIFEST_NAMES.flatMap((n) => world.entries(n).map((e) => e.repository)));
  for (const repository of repos)
    await env.client.workflow
      .getHandle(imageRepoWorkflowId({ registry: 'ghcr.io', repository }))
      .terminate('end of the recorded case')
      .catch(() => undefined);
}

async function runCase(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  c: RetagCase,
  base: string,
): Promise<Recorded[]> {
  const world = await createRetagWorld();
  try {
    const { worker, settings } = await recordingWorker(env, bundle, world.deps, 'retag');
    // the fixture commits are the same in every world: a commit of the case's own gives each its own id
    await world.commit('RECORDED_CASE', `${c.name}\n`, `Record ${c.name}`);
    const request = { ...(await c.prepare(world)), repoUrl: world.repoUrl };
    const { workflowId } = await worker.runUntil(async () => {
      const started = await startRetag(env.client, settings, world.env, request);
      await withDeadline(c.drive(world, env.client, started.workflowId), 120_000, `case ${c.name} to end`);
      return started;
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
        r.workflowId === workflowId ? `"path":"${request.path}"` : '"srcBuildTag"',
      );
    return recorded;
  } finally {
    await endQueues(env, world);
    await world.close();
  }
}

runRecorder({ tool: 'record-retag-histories', cases: retagCases, record: runCase });
