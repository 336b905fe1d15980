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
 * history holds a secret of the world. The cases are in tagHistoryCases.ts.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  imageRepoWorkflowId,
  queueStatusQuery,
  tagStatusQuery,
  TagWorkflowType,
  type QueueStatus,
  type TagResult,
} from '../src/shared/messages.js';
import { requestTagProcedure, tagResult } from '../src/cli/startTag.js';
import { createTagWorld, TAG_IMAGE } from '../src/sandbox/tagWorld.js';
import {
  checkNoSecret,
  childrenOf,
  runRecorder,
  showHistory,
  withDeadline,
  type Recorded,
  recordingWorker,
} from './historyRecording.js';
import { tagCases, type TagCase, type TagDrive } from './tagHistoryCases.js';

const QUEUE_ID = imageRepoWorkflowId(TAG_IMAGE);
/** in every history's decoded input: proof the secret scan read the payloads */
const INPUT_MARK = `"repository":"${TAG_IMAGE.repository}"`;

/** Polls `read` until `ok` holds; a read that throws (not started yet, between tasks) is tried again. */
async function pollUntil<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch {
      // not started yet (queued), or between tasks
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`expected ${what} within 60 s, last: ${JSON.stringify(last)}`);
}

async function runCase(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  c: TagCase,
  base: string,
): Promise<Recorded[]> {
  const world = await createTagWorld();
  try {
    const { worker, settings } = await recordingWorker(env, bundle, world.deps, 'tags');
    const { taskQueue } = settings;
    const client = env.client;
    const requested: string[] = [];
    const queue = client.workflow.getHandle(QUEUE_ID);
    const drive: TagDrive = {
      world,
      client,
      taskQueue,
      async request(r) {
        const { workflowId } = await requestTagProcedure(client, settings, r);
        requested.push(workflowId);
        return workflowId;
      },
      statusWhen: (id, ok, what) =>
        pollUntil(() => client.workflow.getHandle(id).query(tagStatusQuery), ok, `${id}: ${what}`),
      queueWhen: (ok, what) => pollUntil(() => queue.query(queueStatusQuery), ok, `the queue: ${what}`),
      result: (id) => withDeadline(tagResult(client, id), 120_000, `${id} to end`),
      async failure(id) {
        let result: TagResult;
        try {
          result = await drive.result(id);
        } catch (err) {
          if (!(err instanceof WorkflowFailedError)) throw err;
          const cause = err.cause as { type?: string; message?: string } | undefined;
          return { type: cause?.type, message: cause?.message ?? '' };
        }
        throw new Error(`expected ${id} to fail, it ended ${result.state}`);
      },
    };
    const { standalone, queueRunId } = await worker.runUntil(async () => {
      const standalone = (await c.drive(drive)) ?? [];
      if (requested.length === 0) return { standalone, queueRunId: undefined };
      // the children ended and the queue took note of each: only then end it
      await drive.queueWhen(
        (q: QueueStatus) =>
          q.running === undefined && q.waiting.length === 0 && q.recent.length === requested.length,
        `idle after its ${requested.length} request(s)`,
      );
      const runId = (await queue.describe()).runId;
      await client.workflow.getHandle(QUEUE_ID, runId).terminate('recorded: its requests ended');
      return { standalone, queueRunId: runId };
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

runRecorder({ tool: 'record-tag-histories', cases: tagCases, record: runCase });
