/**
 * Rollback on real parts: a distribution registry with auth, images signed by
 * the real cosign (or not, or by a key the worker does not trust), the
 * Temporal dev server, the GitHub stand-in for the audit release; skopeo
 * cross-checks what was written. The last test runs a rollback requested
 * while a promotion of the same repository waits for approval.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { revisionOf, TAG_IMAGE, TAG_SOURCE_SLUG, type TagWorld } from '../../src/sandbox/tagWorld.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { tagGate } from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import {
  failureOf,
  inTagWorld,
  queueStatus,
  queueWhen,
  skopeoDigest,
  skopeoTags,
  timesOf,
} from '../support/tagWorlds.js';

const image = { ...TAG_IMAGE };
const [owner, repo] = TAG_SOURCE_SLUG.split('/') as [string, string];
// distinct first letters, so the 7-character short shas differ
const A = revisionOf('alpha');
const B = revisionOf('bravo');
const C = revisionOf('charlie');
const stampOf = (date: string, revision: string) => `prod-${date}-${revision.slice(0, 7)}`;

/** Pushes (and signs) an image under its stamp; points prod and latest at it when `current`. */
async function pushStamp(world: TagWorld, date: string, revision: string, current = false): Promise<string> {
  const digest = await world.push(stampOf(date, revision), { revision });
  if (current) for (const tag of ['prod', 'latest']) await world.client.moveTag({ ...image, tag, digest });
  return digest;
}

async function assertAt(world: TagWorld, tags: string[], digest: string): Promise<void> {
  for (const tag of tags) {
    assert.equal(await world.digestOf(tag), digest, tag);
    assert.equal(skopeoDigest(world, tag), digest, `skopeo: ${tag}`);
  }
}

describe('rollback', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('goes back to the most recent other stamp, moves the alias, leaves an audit tag and a release', async () => {
    await inTagWorld(env, async (world, run) => {
      const dA = await pushStamp(world, '20260301', A);
      const dB = await pushStamp(world, '20260305', B, true);
      assert.notEqual(dA, dB);
      const before = new Date();
      const id = await run.request({ procedure: 'rollback', input: { image, aliases: ['latest'] } });
      const waiting = await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
      assert.equal(waiting.plan?.digest, dA);
      assert.match(
        waiting.plan?.reason ?? '',
        new RegExp(`^${stampOf('20260301', A)}: most recent prod-\\* stamp`),
      );
      const audit = waiting.plan!.stamp!;
      assert.deepEqual(
        waiting.plan?.tags.map((t) => [t.tag, t.from, t.to, t.mode, t.change]),
        [
          ['prod', dB, dA, 'move', 'move'],
          ['latest', dB, dA, 'move', 'move'],
          [audit, undefined, dA, 'create-only', 'create'],
        ],
      );
      const rule = world.trust[0]!.rule;
      assert.equal(waiting.evidence?.verifiedBy, `key ${rule.kind === 'key' ? rule.name : '(a key rule)'}`);
      assert.equal(await world.digestOf('prod'), dB, 'nothing moves before the approval');

      await env.client.workflow
        .getHandle(id)
        .executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops', digest: dA }] });
      const result = await run.result(id);
      const afterRun = new Date();
      assert.equal(result.state, 'done');

      // prod-rollback-YYYYMMDD-HHMMSS-from-<sha7 of B>, at a time within the run
      const m = /^prod-rollback-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-from-([a-f0-9]{7})$/.exec(audit);
      assert.ok(m, `audit tag shape: ${audit}`);
      assert.equal(m[7], B.slice(0, 7), 'names the sha of the image rolled back from');
      const at = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
      assert.ok(at >= Math.floor(before.getTime() / 1000) * 1000 && at <= afterRun.getTime(), audit);

      await assertAt(world, ['prod', 'latest', audit, stampOf('20260301', A)], dA);
      await assertAt(world, [stampOf('20260305', B)], dB);
      assert.deepEqual(
        result.written.map((w) => [w.tag, w.digest, w.outcome]),
        [
          ['prod', dA, 'moved'],
          ['latest', dA, 'moved'],
          [audit, dA, 'created'],
        ],
      );
      assert.equal(result.audit?.kind, 'release');
      assert.deepEqual(
        world.github.releases(owner, repo).map((r) => [r.tag, r.targetCommitish]),
        [[audit, A]],
      );
    });
  });

  it('rolls back to the stamp named by `to`; a `to` at the current digest is a no-op that writes nothing', async () => {
    await inTagWorld(env, async (world, run) => {
      const dA = await pushStamp(world, '20260301', A);
      const dB = await pushStamp(world, '20260305', B);
      const dC = await pushStamp(world, '20260310', C, true);
      const id = await run.request({
        procedure: 'rollback',
        input: { image, aliases: ['latest'], to: stampOf('20260301', A), approval: { required: false } },
      });
      const result = await run.result(id);
      assert.equal(result.state, 'done');
      assert.equal(result.digest, dA, 'the named stamp, not the most recent other one');
      assert.match(result.plan?.reason ?? '', /named by the operator/);
      assert.match(result.plan!.stamp!, new RegExp(`^prod-rollback-\\d{8}-\\d{6}-from-${C.slice(0, 7)}$`));
      await assertAt(world, ['prod', 'latest', result.plan!.stamp!], dA);
      await assertAt(world, [stampOf('20260305', B)], dB);
      await assertAt(world, [stampOf('20260310', C)], dC);

      const tagsBefore = skopeoTags(world);
      const releasesBefore = world.github.releases(owner, repo).length;
      const again = await run.request({
        procedure: 'rollback',
        input: { image, aliases: ['latest'], to: stampOf('20260301', A) },
      });
      const noop = await run.result(again);
      assert.equal(noop.state, 'no-op', 'prod already there: no approval asked, nothing to do');
      assert.deepEqual(noop.written, []);
      assert.deepEqual(skopeoTags(world), tagsBefore, 'no tag written (no second audit tag)');
      assert.equal(world.github.releases(owner, repo).length, releasesBefore, 'no release recorded');
      await assertAt(world, ['prod', 'latest'], dA);
    });
  });

  it('refuses an unsigned target and a target signed by an untrusted key: typed, prod unmoved', async () => {
    await inTagWorld(env, async (world, run) => {
      const unsigned = await world.push(stampOf('20260301', A), { revision: A, sign: false });
      const untrusted = await world.push(stampOf('20260302', C), { revision: C, sign: 'other' });
      const dB = await pushStamp(world, '20260305', B, true);
      const cases = [
        { to: stampOf('20260301', A), digest: unsigned, type: FatalFailure.Unsigned },
        { to: stampOf('20260302', C), digest: untrusted, type: FatalFailure.SignatureInvalid },
      ];
      for (const c of cases) {
        const id = await run.request({
          procedure: 'rollback',
          input: { image, aliases: ['latest'], to: c.to, approval: { required: false } },
        });
        const failure = await failureOf(run, id);
        assert.equal(failure.type, c.type, failure.message);
        assert.match(failure.message, new RegExp(c.digest.slice(7, 19)), 'names the digest');
        await assertAt(world, ['prod', 'latest'], dB);
      }
      assert.deepEqual(
        skopeoTags(world).filter((t) => t.includes('rollback')),
        [],
        'no audit tag',
      );
      assert.deepEqual(world.github.releases(owner, repo), []);
      const q = await queueWhen(env, (s) => s.recent.length === 2);
      assert.deepEqual(
        q.recent.map((r) => r.state),
        [`failed: ${FatalFailure.SignatureInvalid}`, `failed: ${FatalFailure.Unsigned}`],
      );
    });
  });

  it('a rollback started during a promotion waits its turn, then rolls back from the promoted image', async () => {
    await inTagWorld(env, async (world, run) => {
      await pushStamp(world, '20260301', A);
      const dB = await pushStamp(world, '20260305', B, true);
      const dC = await world.push('staging', { revision: C });
      const promotion = await run.request({
        procedure: 'promote',
        input: { image, from: 'staging', to: ['prod', 'latest'], stamp: 'prod-{date}-{revision:7}' },
      });
      await run.statusWhen(promotion, (s) => s.state === 'awaiting-approval');
      const rollback = await run.request({
        procedure: 'rollback',
        input: { image, aliases: ['latest'], approval: { required: false } },
      });

      const q = await queueWhen(env, (s) => s.waiting.length > 0);
      assert.equal(q.running?.workflowId, promotion);
      assert.deepEqual(
        q.waiting.map((w) => [w.workflowId, w.procedure]),
        [[rollback, 'rollback']],
      );
      await assert.rejects(env.client.workflow.getHandle(rollback).describe(), WorkflowNotFoundError);
      await new Promise((r) => setTimeout(r, 1_000));
      await assert.rejects(
        env.client.workflow.getHandle(rollback).describe(),
        WorkflowNotFoundError,
        'still not started a second later',
      );
      assert.equal(await world.digestOf('prod'), dB);

      await env.client.workflow
        .getHandle(promotion)
        .executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops' }] });
      const promoted = await run.result(promotion);
      assert.equal(promoted.state, 'done');
      const rolledBack = await run.result(rollback);
      assert.equal(rolledBack.state, 'done');

      const p = await timesOf(env, promotion);
      const r = await timesOf(env, rollback);
      assert.ok(
        p.close !== undefined && r.start >= p.close,
        `rollback started ${r.start.toISOString()}, promotion closed ${p.close?.toISOString()}`,
      );
      // Run after the promotion, the rollback went from C back to B (had it run first: from B to A).
      assert.equal(rolledBack.digest, dB);
      assert.equal(rolledBack.plan?.tags[0]?.from, dC);
      assert.match(rolledBack.plan!.stamp!, new RegExp(`-from-${C.slice(0, 7)}$`));
      await assertAt(world, ['prod', 'latest', rolledBack.plan!.stamp!], dB);
      await assertAt(world, [promoted.plan!.stamp!, 'staging'], dC);
      const done = await queueStatus(env);
      assert.equal(done.running, undefined);
      assert.deepEqual(
        done.recent.map((e) => [e.workflowId, e.state]),
        [
          [rollback, 'done'],
          [promotion, 'done'],
        ],
      );
    });
  });
});
