/**
 * Records the tag procedures' histories that test/replay/replay.test.ts
 * replays (scripts/record-histories.ts does the bumps): a fresh Temporal dev
 * server, one tag world (registry with auth, images signed by the real
 * cosign, the GitHub stand-in) and one in-process worker per case. Each case
 * is requested as the CLI requests it (requestTagProcedure: signal-with-start
 * of the repository's `imageRepository` queue, which runs it as a child) and
 * driven to its end; then, its children ended, the queue is terminated and
 * its history recorded with every child's:
 * test/replay/histories/<case>-queue.json and <case>-<procedure>.json (and
 * <case>-inspect.json for the read-only inspectTags, which no queue runs).
 *
 *   npx tsx scripts/record-tag-histories.ts [--case promote-approved …] [--suffix v2]
 *
 * Fails, writing nothing, when a case ends otherwise than it should or a
 * history holds a secret of the world. The cases are in tagHistoryCases.ts;
 * the failure paths (`<procedure>-fails-<activity>…`: one activity made to
 * fail, typed) in tagFaultHistoryCases.ts, recorded with `--suffix faults`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { imageRepoWorkflowId, TagWorkflowType } from '../src/shared/messages.js';
import { createTagWorld, TAG_IMAGE } from '../src/sandbox/tagWorld.js';
import type { ActivityDeps } from '../src/activities/index.js';
import {
  checkNoSecret,
  childrenOf,
  runRecorder,
  showHistory,
  type Recorded,
  recordingWorker,
} from './historyRecording.js';
import { createTagDrive, endTagQueue, tagCases, type TagCase } from './tagHistoryCases.js';
import { TAG_FAULT_CASES } from './tagFaultHistoryCases.js';
import { faultyActivities } from './faultHistoryCases.js';

const QUEUE_ID = imageRepoWorkflowId(TAG_IMAGE);
/** in every history's decoded input: proof the secret scan read the payloads */
const INPUT_MARK = `"repository":"${TAG_IMAGE.repository}"`;

async function runCase(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  c: TagCase,
  base: string,
): Promise<Recorded[]> {
  const world = await createTagWorld();
  try {
    const fault = c.fault;
    const activities =
      fault === undefined ? undefined : (d: ActivityDeps) => faultyActivities(d, c.name, fault);
    const { worker, settings } = await recordingWorker(env, bundle, world.deps, 'tags', activities);
    const requested: string[] = [];
    const drive = createTagDrive(world, env.client, settings, requested);
    const { standalone, queueRunId } = await worker.runUntil(async () => {
      const standalone = (await c.drive(drive)) ?? [];
      // the children ended and the queue took note of each: only then end it
      return { standalone, queueRunId: await endTagQueue(drive, requested) };
    });

    const recorded: Recorded[] = [];
    if (queueRunId !== undefined) {
      const text = await showHistory(env.address, QUEUE_ID, queueRunId);
      recorded.push({
        file: `${base}-queue.json`,
        workflowId: QUEUE_ID,
        workflowType: TagWorkflowType.imageRepository,
        text,
      });
      const children = childrenOf(text);
      const ids = children.map((ch) => ch.workflowId);
      if (JSON.stringify(ids) !== JSON.stringify(requested))
        throw new Error(
          `case ${c.name}: expected the queue to run ${requested.join(', ')} in order, found ${ids.join(', ')}`,
        );
      for (const child of children) {
        const procedure = child.workflowId.split('/')[0]!;
        recorded.push({
          file: `${base}-${procedure}.json`,
          workflowId: child.workflowId,
          workflowType: child.workflowType,
          text: await showHistory(env.address, child.workflowId),
        });
      }
    }
    for (const s of standalone)
      recorded.push({
        file: `${base}-${s.role}.json`,
        workflowId: s.workflowId,
        workflowType: s.workflowType,
        text: await showHistory(env.address, s.workflowId),
      });
    const names = recorded.map((r) => r.file);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new Error(`case ${c.name}: expected one history per file name, found ${twice} twice`);
    for (const r of recorded) checkNoSecret(c.name, r, world.secrets, INPUT_MARK);
    return recorded;
  } finally {
    await world.close();
  }
}

runRecorder({ tool: 'record-tag-histories', cases: [...tagCases, ...TAG_FAULT_CASES], record: runCase });
