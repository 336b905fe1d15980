/**
 * The repository queue and the tag gate take whatever a person types: bad
 * `request` signals sent straight to the queue, and bad approvals sent to a
 * waiting promotion, are refused and recorded in the status, never fatal;
 * what comes after them still works. On real parts: the dev server, a
 * registry with auth, images signed by the real cosign.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { revisionOf, TAG_IMAGE } from '../../src/sandbox/tagWorld.js';
import {
  queueRequestSignal,
  tagGate,
  tagWorkflowId,
  TagWorkflowType,
  type QueueRequest,
} from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import { inTagWorld, queueId, queueStatus, queueWhen } from '../support/tagWorlds.js';

const image = { ...TAG_IMAGE };
const idOf = (procedure: string, suffix: string) => tagWorkflowId(procedure, image, new Date(), suffix);
const cleanupInput = { image, patterns: ['change_*'], olderThan: '24h', dryRun: true };

describe('tag queue: what a person may type', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('refuses and records malformed requests, then runs a valid one', async () => {
    await inTagWorld(env, async (world, run) => {
      await world.push('change_1_latest', { sign: false });
      const unknownId = idOf('mirror', 'bad1');
      const otherRepoId = idOf('rollback', 'bad2');
      // The first bad request starts the queue (signal-with-start, as the CLI does).
      await env.client.workflow.signalWithStart(TagWorkflowType.imageRepository, {
        taskQueue: run.taskQueue,
        workflowId: queueId,
        args: [{ image }],
        signal: queueRequestSignal,
        signalArgs: ['garbage' as never],
      });
      const queue = env.client.workflow.getHandle(queueId);
      const bad: unknown[] = [
        { procedure: 'promote', workflowId: idOf('promote', 'bad0') },
        { procedure: 'mirror', workflowId: unknownId, input: cleanupInput },
        {
          procedure: 'rollback',
          workflowId: otherRepoId,
          input: { image: { registry: 'ghcr.io', repository: 'vexxhost/heat' } },
        },
      ];
      for (const raw of bad) await queue.signal(queueRequestSignal, raw as QueueRequest);
      const q = await queueWhen(env, (s) => s.refusals.length === 4);
      assert.match(q.refusals[0]!, /^request refused: expected a JSON object, found "garbage"$/);
      assert.match(q.refusals[1]!, /^request refused: .*input.*found \{"procedure":"promote"/);
      assert.match(q.refusals[2]!, /^request refused: .*procedure.*found \{"procedure":"mirror"/);
      assert.equal(
        q.refusals[3],
        `request refused: ${otherRepoId} is for ghcr.io/vexxhost/heat, this queue serialises ghcr.io/vexxhost/magnum`,
      );
      assert.deepEqual(q.waiting, []);
      assert.equal(q.running, undefined);
      for (const id of [unknownId, otherRepoId])
        await assert.rejects(env.client.workflow.getHandle(id).describe(), WorkflowNotFoundError);

      const id = await run.request({ procedure: 'cleanup', input: cleanupInput });
      const result = await run.result(id);
      assert.equal(result.state, 'dry-run');
      assert.deepEqual(
        result.cleanup?.delete.map((d) => d.tag),
        ['change_1_latest'],
      );
      const after = await queueWhen(env, (s) => s.recent.length === 1);
      assert.deepEqual(
        after.recent.map((r) => [r.workflowId, r.state]),
        [[id, 'dry-run']],
      );
      assert.equal(after.refusals.length, 4, 'the refusals stay on record');
      assert.equal((await queue.describe()).status.name, 'RUNNING', 'the queue lives on');
    });
  });

  it('a second request under a workflowId already queued is refused and recorded, not run', async () => {
    await inTagWorld(env, async (world, run) => {
      const staging = await world.push('staging', { revision: revisionOf('staging-1') });
      const id = idOf('promote', 'dup1');
      const promote: QueueRequest = {
        procedure: 'promote',
        workflowId: id,
        input: { image, from: 'staging', to: ['prod'], stamp: null },
      };
      await env.client.workflow.signalWithStart(TagWorkflowType.imageRepository, {
        taskQueue: run.taskQueue,
        workflowId: queueId,
        args: [{ image }],
        signal: queueRequestSignal,
        signalArgs: [promote],
      });
      await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
      const queue = env.client.workflow.getHandle(queueId);
      await queue.signal(queueRequestSignal, {
        procedure: 'cleanup',
        workflowId: id,
        input: cleanupInput,
      });
      // a refusal is recorded at once when there is one; give it 3 s, then read what there is
      const q = await queueWhen(env, (s) => s.refusals.length > 0, 3_000).catch(() => queueStatus(env));
      assert.deepEqual(q.waiting, [], 'the second request is not queued');
      assert.equal(q.running?.workflowId, id);

      await env.client.workflow.getHandle(id).executeUpdate(tagGate.approveUpdate, { args: [{}] });
      const result = await run.result(id);
      assert.equal(result.state, 'done');
      assert.equal(result.procedure, 'promote', 'the first request under the id is the one that ran');
      assert.equal(await world.digestOf('prod'), staging);
      const done = await queueWhen(env, (s) => s.running === undefined && s.recent.length === 1);
      assert.deepEqual(
        done.recent.map((r) => [r.workflowId, r.procedure, r.state]),
        [[id, 'promote', 'done']],
        'run once',
      );
      assert.deepEqual(done.waiting, []);
      // last, so the checks above hold whatever this finds
      assert.equal(done.refusals.length, 1, `the second request under ${id} is on record as refused`);
      assert.match(done.refusals[0]!, new RegExp(`^request refused: .*${id.replace(/[/.]/g, '\\$&')}`));
    });
  });

  it('refuses and records bad approvals to a waiting promotion; it still waits; a good one completes it', async () => {
    await inTagWorld(env, async (world, run) => {
      const staging = await world.push('staging', { revision: revisionOf('staging-2') });
      const prod = await world.push('prod', { revision: revisionOf('prod-2') });
      const id = await run.request({
        procedure: 'promote',
        input: { image, from: 'staging', to: ['prod'], stamp: null },
      });
      await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
      const handle = env.client.workflow.getHandle(id);
      const other = `sha256:${'0'.repeat(64)}`;
      for (const raw of [{ branch: 'x' }, { digest: other }, 'yes'])
        await handle.signal(tagGate.approveSignal, raw as never);
      await assert.rejects(
        handle.executeUpdate(tagGate.approveUpdate, { args: [{ note: 'ship it' }] }),
        (err: unknown) => {
          assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
          assert.match(String(err.cause?.message), /has no release note: drop "note"/);
          return true;
        },
      );
      const waiting = await run.statusWhen(id, (s) => s.refusals.length === 3);
      assert.deepEqual(waiting.refusals, [
        'a promote of image tags has no branches: drop "branch"',
        `the approval names ${other} but the planned digest is ${staging}`,
        'approve refused: expected one JSON object {branch?, digest?, approver?, note?}, found "yes"',
      ]);
      await new Promise((r) => setTimeout(r, 500));
      const still = await run.statusWhen(id, () => true);
      assert.equal(still.state, 'awaiting-approval');
      assert.equal(still.approvedBy, undefined);
      assert.equal(await world.digestOf('prod'), prod, 'nothing moved');

      await handle.signal(tagGate.approveSignal, { digest: staging, approver: 'ops' });
      const result = await run.result(id);
      assert.equal(result.state, 'done');
      assert.equal(await world.digestOf('prod'), staging);
      const final = await run.statusWhen(id, () => true);
      assert.equal(final.approvedBy, 'ops');
      assert.equal(
        final.refusals.length,
        3,
        'the update refused at once is not recorded as a signal refusal',
      );
    });
  });
});
