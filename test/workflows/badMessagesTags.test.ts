/**
 * Issue 20's bad-input suite, the messages of the tag procedures and of a
 * retag, on one retag world (a registry with auth, images signed by the real
 * cosign, the manifest repo, the GitHub stand-in) and one worker: every row of
 * test/support/badInput/messageCases{Tags,Retag,Gate}.ts sent with the real
 * `temporal` CLI and checked by runMessageCase. A promotion, a rollback and a
 * clean-up wait for approval in turn (each then rejected); the queue takes the
 * typed requests; a retag, approved, writes while its entry's queue has no
 * worker, so `retagEntryDone` can be forged before the entry ran. Typed retag
 * entries no run planned are queued and refused when their turn comes. Each
 * registry write, release and PR is snapshot before and after every case.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { revisionOf, TAG_IMAGE, TAG_SOURCE_SLUG } from '../../src/sandbox/tagWorld.js';
import {
  imageRepoWorkflowId,
  TagWorkflowType,
  type QueueStatus,
  type RetagResult,
  type RetagStatus,
} from '../../src/shared/messages.js';
import { runWorker } from '../support/bump.js';
import { startTemporal } from '../support/temporal.js';
import { tagRun, type TagRun } from '../support/tags.js';
import { queueId, queueWhen } from '../support/tagWorlds.js';
import { createRetagWorld, MANIFEST_DIR, startWatchedRetag, type RetagWorld } from '../support/retagWorld.js';
import {
  procedureTarget,
  runMessageCase,
  temporalCli,
  unreplayable,
  type Bench,
  type Target,
} from '../support/badInput/messageCases.js';
import {
  cleanupCases,
  promoteCases,
  queueCases,
  queuedForgeries,
  rollbackCases,
} from '../support/badInput/messageCasesTags.js';
import {
  entryDoneCases,
  retagGateCases,
  retagQueueForgeries,
} from '../support/badInput/messageCasesRetag.js';

const image = { ...TAG_IMAGE };
const [owner, repo] = TAG_SOURCE_SLUG.split('/') as [string, string];
const STX = 'starlingx/stx-badmsg';
const SOURCE = 'master-debian-stable-20250101T000000Z.0';
const TARGET = 'stx.badmsg-v1';
const PATH = `${MANIFEST_DIR}/image-tags-badmsg.yaml`;
const stampOf = (date: string, revision: string) => `prod-${date}-${revision.slice(0, 7)}`;

let env: TestWorkflowEnvironment;
let world: RetagWorld;
before(async () => {
  [env, world] = await Promise.all([startTemporal(), createRetagWorld()]);
});
after(async () => {
  await world?.close();
  await env?.teardown();
});

/** Every tag of both repositories and its digest, the audit releases and PRs: what no refused message may change. */
async function written(): Promise<unknown> {
  const tags: Record<string, string | undefined> = {};
  for (const repository of [image.repository, STX])
    for (const tag of world.tagsOf(repository))
      tags[`${repository}:${tag}`] = await world.digestOf(repository, tag);
  return {
    tags,
    releases: world.tags.github.releases(owner, repo).length,
    pulls: world.tags.github.pulls.length,
  };
}

const queueTarget = (id: string): Target => ({
  id,
  query: 'status',
  refusals: (s) => (s as QueueStatus).refusals,
  state: (s) => {
    const q = s as QueueStatus;
    return `running ${q.running?.workflowId ?? 'nothing'}, waiting ${q.waiting.map((w) => w.workflowId).join(' ')}`;
  },
});

/** Polls the status of the queue `id` until `ok` holds. */
async function stxQueueWhen(id: string, ok: (q: QueueStatus) => boolean): Promise<QueueStatus> {
  let last: QueueStatus | undefined;
  for (let i = 0; i < 150; i++) {
    last = (await env.client.workflow
      .getHandle(id)
      .query('status')
      .catch(() => undefined)) as QueueStatus | undefined;
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return assert.fail(`the queue ${id} did not reach the awaited status: ${JSON.stringify(last)}`);
}

/** Sends `request` to a queue with the real CLI. */
async function typed(queue: string, request: object): Promise<void> {
  const run = await temporalCli(env, [
    'signal',
    '--workflow-id',
    queue,
    '--name',
    'request',
    '--input',
    JSON.stringify(request),
  ]);
  assert.equal(run.code, 0, run.stderr);
}

async function decide(id: string, update: string, input: object): Promise<void> {
  const run = await temporalCli(env, [
    'update',
    'execute',
    '--workflow-id',
    id,
    '--name',
    update,
    '--input',
    JSON.stringify(input),
  ]);
  assert.equal(run.code, 0, `${update} ${id}: ${run.stderr}`);
}

/** A procedure requested through the queue as the CLI does, once it waits for approval. */
async function waiting(run: TagRun, request: Parameters<TagRun['request']>[0]): Promise<string> {
  const id = await run.request(request);
  await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
  return id;
}

describe('bad messages to the tag procedures and their queue, through the temporal CLI', () => {
  it(
    `refuses each of ${promoteCases.length + queueCases.length + rollbackCases.length + cleanupCases.length} cases and the queued forgeries`,
    { timeout: 240_000 },
    async (t) => {
      const taskQueue = `bumpflow-badmsg-${randomUUID()}`;
      await runWorker(
        env,
        world.deps,
        async () => {
          const run = tagRun(env, taskQueue);
          const [A, B] = [revisionOf('alpha'), revisionOf('bravo')];
          await world.tags.push(stampOf('20260301', A), { revision: A });
          const dB = await world.tags.push(stampOf('20260305', B), { revision: B });
          await world.tags.client.moveTag({ ...image, tag: 'prod', digest: dB });
          const staging = await world.tags.push('staging', { revision: revisionOf('staging') });
          await world.tags.push('change_1_latest', {
            created: new Date(Date.now() - 49 * 3600_000).toISOString(),
            sign: false,
          });

          const promoteId = await waiting(run, {
            procedure: 'promote',
            input: { image, from: 'staging', to: ['prod'], stamp: null },
          });
          const bench: Bench = {
            env,
            targets: { promote: procedureTarget(promoteId), queue: queueTarget(queueId) },
            values: { promoteId, staging },
            written,
          };
          for (const c of [...promoteCases, ...queueCases])
            await t.test(c.case, () => runMessageCase(bench, c));

          // retag entries no run planned, typed to the queue behind the promotion: refused when their turn comes
          const before = await written();
          const forged = queuedForgeries(bench.values);
          for (const f of forged)
            await typed(queueId, { procedure: 'retag', workflowId: f.workflowId, input: f.input });
          await queueWhen(env, (q) => q.waiting.length === forged.length);
          await decide(promoteId, 'rejectPlan', { reason: 'end of the promotion cases' });
          const q = await queueWhen(
            env,
            (s) => s.running === undefined && s.recent.length === 1 + forged.length,
            60_000,
          );
          for (const f of forged) {
            const refusal = q.refusals.find((r) => r.startsWith(`request refused: ${f.workflowId}: `));
            assert.ok(refusal, `the queue records ${f.workflowId} as refused: ${q.refusals.join(' | ')}`);
            assert.match(refusal, /UnapprovedWrite|expected .* to be the retag run that planned/);
            assert.match(refusal, f.why);
          }
          assert.deepEqual(await written(), before, 'no queued forgery wrote a tag');

          const rollbackId = await waiting(run, { procedure: 'rollback', input: { image, aliases: [] } });
          bench.targets.rollback = procedureTarget(rollbackId);
          for (const c of rollbackCases) await t.test(c.case, () => runMessageCase(bench, c));
          await decide(rollbackId, 'rejectPlan', { reason: 'end of the rollback cases' });
          assert.equal((await run.result(rollbackId)).state, 'rejected');

          const cleanupId = await waiting(run, {
            procedure: 'cleanup',
            input: { image, patterns: ['change_*'], olderThan: '24h', approveAbove: 0 },
          });
          bench.targets.cleanup = procedureTarget(cleanupId);
          for (const c of cleanupCases) await t.test(c.case, () => runMessageCase(bench, c));
          await decide(cleanupId, 'rejectPlan', { reason: 'end of the clean-up cases' });
          assert.equal((await run.result(cleanupId)).state, 'rejected');

          // a closed procedure: the server refuses, the CLI says so
          const closed = await temporalCli(env, [
            'update',
            'execute',
            '--workflow-id',
            promoteId,
            '--name',
            'approvePlan',
            '--input',
            '{}',
          ]);
          assert.notEqual(closed.code, 0);
          assert.match(closed.stderr, /workflow execution already completed/);
          assert.equal(await world.digestOf(image.repository, 'prod'), dB, 'prod never moved');
          await env.client.workflow.getHandle(queueId).terminate('end of the test');
          const ids = [queueId, promoteId, rollbackId, cleanupId, ...forged.map((f) => f.workflowId)];
          assert.deepEqual(await unreplayable(env, ids), [], 'the queue and each procedure replay');
        },
        taskQueue,
      );
    },
  );
});

describe('bad messages to a retag, through the temporal CLI', () => {
  it(
    `refuses each of ${retagGateCases.length + entryDoneCases.length} cases; only the planned entry is written`,
    { timeout: 180_000 },
    async (t) => {
      const main = `bumpflow-badmsg-retag-${randomUUID()}`;
      const held = `${main}-held`;
      const stxImage = { registry: 'ghcr.io', repository: STX };
      const source = await world.push(STX, SOURCE);
      await world.commit(
        PATH,
        `---\nimages:\n  - name: docker.io/${STX}\n    src_build_tag: ${SOURCE}\n    tag: ${TARGET}\n`,
        'Add a manifest',
      );
      const stxQueue = imageRepoWorkflowId(stxImage);
      // the entry's queue runs where no worker polls yet: the entry stays queued while the forgeries come
      await env.client.workflow.start(TagWorkflowType.imageRepository, {
        taskQueue: held,
        workflowId: stxQueue,
        args: [{ image: stxImage }],
      });

      await runWorker(
        env,
        world.deps,
        async (settings) => {
          const { retagId, statusWhen } = await startWatchedRetag(env, settings, world, PATH);
          const retag = env.client.workflow.getHandle(retagId);
          const bench: Bench = {
            env,
            targets: {
              retag: {
                ...procedureTarget(retagId),
                state: (s) => {
                  const r = s as RetagStatus;
                  return `${r.state} by ${r.approvedBy ?? 'nobody'}, pending ${r.pending.join(' ')}, entries ${r.entries.length}`;
                },
              },
              queue: queueTarget(stxQueue),
            },
            values: { retagId, source },
            written,
          };
          await statusWhen((s) => s.state === 'awaiting-approval');
          for (const c of retagGateCases) await t.test(c.case, () => runMessageCase(bench, c));
          await decide(retagId, 'approvePlan', { approver: 'ops' });
          bench.values.entryId = (
            await statusWhen((s) => s.state === 'writing' && s.pending.length === 1)
          ).pending[0]!;
          for (const c of entryDoneCases) await t.test(c.case, () => runMessageCase(bench, c));

          const before = await written();
          const forged = retagQueueForgeries(bench.values, {
            image: stxImage,
            srcBuildTag: SOURCE,
            tag: TARGET,
          });
          for (const f of forged)
            await typed(stxQueue, { procedure: 'retag', workflowId: f.workflowId, input: f.input });
          assert.deepEqual(await written(), before, 'nothing written while the queue waits');

          // the queue's worker comes: the run's own entry first, then each forgery, refused
          const [result, q] = await runWorker(
            env,
            world.deps,
            async () => {
              const r = (await retag.result()) as RetagResult;
              const ended = (s: QueueStatus) => s.running === undefined && s.waiting.length === 0;
              return [r, await stxQueueWhen(stxQueue, ended)] as const;
            },
            held,
          );
          assert.equal(result.state, 'done');
          assert.deepEqual(
            result.entries.map((e) => [e.tag, e.outcome, e.workflowId]),
            [[TARGET, 'copied', bench.values.entryId]],
          );
          assert.equal(await world.digestOf(STX, TARGET), source);
          assert.deepEqual(world.tagsOf(STX), [SOURCE, TARGET].sort(), 'no other tag written');
          for (const f of forged) {
            const refusal = q.refusals.find((r) => r.startsWith(`request refused: ${f.workflowId}: `));
            assert.ok(refusal, `the queue records ${f.workflowId} as refused: ${q.refusals.join(' | ')}`);
            assert.match(refusal, f.why);
          }
          const final = (await retag.query('status')) as RetagStatus;
          assert.ok(
            !final.refusals.some((r) => /typed-/.test(r)),
            'the run was told nothing of the forgeries',
          );
          await env.client.workflow.getHandle(stxQueue).terminate('end of the test');
          const ids = [retagId, stxQueue, bench.values.entryId!, ...forged.map((f) => f.workflowId)];
          assert.deepEqual(await unreplayable(env, ids), [], 'the retag, its queue and each entry replay');
        },
        main,
      );
    },
  );
});
