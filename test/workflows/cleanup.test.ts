/**
 * Clean-up of change tags on real parts: a distribution registry with auth and
 * deletes enabled (behind the paging front for the many-tags case), the
 * Temporal dev server, the repository's queue; skopeo lists what is left.
 * Ages come from the image's created time, or when there is none from the
 * queue's ledger of when a tag was first seen.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TAG_IMAGE, type TagWorld } from '../../src/sandbox/tagWorld.js';
import { tagGate } from '../../src/shared/messages.js';
import { formatTagResult } from '../../src/cli/tags/tagFormat.js';
import { tagDetails } from '../../src/lib/tags/tagDetails.js';
import { startTemporal } from '../support/temporal.js';
import { inTagWorld, skopeoDigest, skopeoTags } from '../support/tagWorlds.js';

const image = { ...TAG_IMAGE };
const HOUR = 3_600_000;

/** Pushes an unsigned image (a clean-up checks no signature) created `hours` before now. */
async function pushAged(world: TagWorld, tag: string, hours: number): Promise<string> {
  return world.push(tag, { created: new Date(Date.now() - hours * HOUR).toISOString(), sign: false });
}

describe('cleanup', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('deletes the 25 h and 49 h old change tags and keeps the 23 h one (the upstream Zuul bug)', async () => {
    await inTagWorld(env, async (world, run) => {
      const young = await pushAged(world, 'change_1_latest', 23);
      const d25 = await pushAged(world, 'change_2_latest', 25);
      const d49 = await pushAged(world, 'change_3_latest', 49);
      await pushAged(world, 'prod', 100);
      const id = await run.request({
        procedure: 'cleanup',
        input: { image, patterns: ['change_*'], olderThan: '24h' },
      });
      const result = await run.result(id);
      assert.equal(result.state, 'done');
      assert.deepEqual(result.cleanup?.delete, [
        { tag: 'change_2_latest', digest: d25, age: '1d 1h', ageFrom: 'created' },
        { tag: 'change_3_latest', digest: d49, age: '2d 1h', ageFrom: 'created' },
      ]);
      assert.deepEqual(
        result.cleanup?.keep.map((k) => [k.tag, k.digest, k.why]),
        [['change_1_latest', young, 'too-young']],
      );
      assert.match(result.cleanup!.keep[0]!.detail, /^23h .*not older than 1d$/);
      assert.equal(result.cleanup?.ignored, 1, 'prod matches no pattern');
      assert.deepEqual([...result.deleted].sort(), ['change_2_latest', 'change_3_latest']);
      assert.equal(await world.digestOf('change_1_latest'), young);
      assert.equal(await world.digestOf('change_2_latest'), undefined);
      assert.equal(await world.digestOf('change_3_latest'), undefined);
      assert.deepEqual(skopeoTags(world), ['change_1_latest', 'prod']);
    });
  });

  it('never deletes a change tag whose digest prod also holds, and says why', async () => {
    await inTagWorld(env, async (world, run) => {
      const shared = await pushAged(world, 'change_4_latest', 49);
      await world.client.moveTag({ ...image, tag: 'prod', digest: shared });
      const alone = await pushAged(world, 'change_5_latest', 49);
      const id = await run.request({
        procedure: 'cleanup',
        input: { image, patterns: ['change_*'], olderThan: '24h' },
      });
      const result = await run.result(id);
      assert.equal(result.state, 'done');
      assert.deepEqual(
        result.cleanup?.delete.map((d) => [d.tag, d.digest]),
        [['change_5_latest', alone]],
      );
      assert.deepEqual(
        result.cleanup?.keep.map((k) => [k.tag, k.digest, k.why]),
        [['change_4_latest', shared, 'shares-digest']],
      );
      assert.match(result.cleanup!.keep[0]!.detail, /kept tag prod/);
      assert.deepEqual(result.deleted, ['change_5_latest']);
      assert.equal(await world.digestOf('prod'), shared);
      assert.equal(await world.digestOf('change_4_latest'), shared);
      assert.deepEqual(skopeoTags(world), ['change_4_latest', 'prod']);
    });
  });

  it('a dry run returns the plan and deletes nothing', async () => {
    await inTagWorld(env, async (world, run) => {
      const d6 = await pushAged(world, 'change_6_latest', 49);
      const d7 = await pushAged(world, 'change_7_latest', 30);
      const id = await run.request({
        procedure: 'cleanup',
        input: { image, patterns: ['change_*'], olderThan: '24h', dryRun: true },
      });
      const result = await run.result(id);
      assert.equal(result.state, 'dry-run');
      assert.deepEqual(
        result.cleanup?.delete.map((d) => [d.tag, d.digest, d.age]),
        [
          ['change_6_latest', d6, '2d 1h'],
          ['change_7_latest', d7, '1d 6h'],
        ],
      );
      assert.deepEqual(result.deleted, []);
      assert.deepEqual(skopeoTags(world), ['change_6_latest', 'change_7_latest']);
    });
  });

  it('finds every old change tag across many pages of the tag list (paging front, pages of 3)', async () => {
    await inTagWorld(
      env,
      async (world, run, front) => {
        const old = ['change_10_latest', 'change_12_latest', 'change_14_latest', 'change_16_latest'];
        const old2 = ['change_18_latest', 'change_20_latest', 'change_22_latest'];
        const young = ['change_11_latest', 'change_15_latest', 'change_21_latest'];
        for (const tag of [...old, ...old2]) await pushAged(world, tag, 30);
        for (const tag of young) await pushAged(world, tag, 2);
        await pushAged(world, 'prod', 100);
        front!.requests.length = 0;
        const id = await run.request({
          procedure: 'cleanup',
          input: { image, patterns: ['change_*'], olderThan: '24h' },
        });
        const result = await run.result(id);
        assert.equal(result.state, 'done');
        const gone = [...old, ...old2].sort();
        assert.deepEqual(
          result.cleanup?.delete.map((d) => d.tag),
          gone,
        );
        assert.deepEqual([...result.deleted].sort(), gone);
        assert.deepEqual(skopeoTags(world), [...young, 'prod'].sort());
        // the listing in pages of 3, after the auth challenge (each safe delete lists again with the client's own page size)
        const pages = front!.requests.filter((r) => /\/tags\/list\?n=3(&|$)/.test(r.url) && r.status !== 401);
        assert.deepEqual(
          pages.map((p) => [p.url.replace(/^.*\?/, ''), p.status]),
          [
            ['n=3', 200],
            ['n=3&last=change_12_latest', 200],
            ['n=3&last=change_16_latest', 200],
            ['n=3&last=change_21_latest', 200],
          ],
          '11 tags in 4 pages of 3',
        );
        assert.ok(
          front!.requests.some((r) => r.method === 'DELETE' && r.status === 202),
          'deleted through the front',
        );
      },
      { pageSize: 3 },
    );
  });

  it('above approveAbove it waits for approval; rejected, nothing is deleted', async () => {
    await inTagWorld(env, async (world, run) => {
      await pushAged(world, 'change_8_latest', 49);
      await pushAged(world, 'change_9_latest', 49);
      const id = await run.request({
        procedure: 'cleanup',
        input: { image, patterns: ['change_*'], olderThan: '24h', approveAbove: 1 },
      });
      const waiting = await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
      assert.deepEqual(
        waiting.cleanup?.delete.map((d) => d.tag),
        ['change_8_latest', 'change_9_latest'],
      );
      assert.deepEqual(waiting.deleted, []);
      await env.client.workflow.getHandle(id).executeUpdate(tagGate.rejectUpdate, {
        args: [{ reason: 'not during the release', approver: 'ops' }],
      });
      const result = await run.result(id);
      assert.equal(result.state, 'rejected');
      assert.equal(result.reason, 'not during the release');
      assert.deepEqual(result.deleted, []);
      assert.deepEqual(skopeoTags(world), ['change_8_latest', 'change_9_latest']);
    });
  });

  it('a change tag re-pushed between the plan and the approval keeps its new image; the others go', async () => {
    await inTagWorld(env, async (world, run) => {
      const planned = await pushAged(world, 'change_31_latest', 49);
      const other = await pushAged(world, 'change_32_latest', 49);
      const id = await run.request({
        procedure: 'cleanup',
        input: { image, patterns: ['change_*'], olderThan: '24h', approveAbove: 1 },
      });
      const waiting = await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
      assert.deepEqual(
        waiting.cleanup?.delete.map((d) => [d.tag, d.digest]),
        [
          ['change_31_latest', planned],
          ['change_32_latest', other],
        ],
      );
      // CI re-pushes the change tag while the plan waits: a new, minutes-old image nobody planned to delete
      const repushed = await world.push('change_31_latest', {
        created: new Date(Date.now() - 60_000).toISOString(),
        salt: 'repushed',
        sign: false,
      });
      assert.notEqual(repushed, planned);
      await env.client.workflow
        .getHandle(id)
        .executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops' }] });
      const result = await run.result(id);
      assert.equal(result.state, 'done');
      assert.deepEqual(result.deleted, ['change_32_latest']);
      assert.deepEqual(result.cleanup?.movedSincePlan, [
        { tag: 'change_31_latest', planned, found: repushed },
      ]);
      assert.ok(
        result.cleanup?.delete.some((d) => d.tag === 'change_31_latest'),
        'the plan stays as approved',
      );
      const status = await run.statusWhen(id, (s) => s.state === 'done');
      assert.ok(
        status.notices.some((n) => n.startsWith('kept change_31_latest: moved since the plan')),
        status.notices.join('\n'),
      );
      // the operator reads it: the CLI's result and the UI's details
      assert.match(formatTagResult(id, result), /kept +change_31_latest .*moved since the plan: kept/);
      assert.match(tagDetails(status), /kept `change_31_latest`: moved since the plan/);
      assert.equal(await world.digestOf('change_31_latest'), repushed);
      assert.equal(skopeoDigest(world, 'change_31_latest'), repushed, 'skopeo reads the new image');
      assert.equal(await world.digestOf('change_32_latest'), undefined);
      assert.deepEqual(skopeoTags(world), ['change_31_latest']);
    });
  });

  it('an image without a created time is aged from when the queue first saw it', async () => {
    await inTagWorld(env, async (world, run) => {
      const digest = await world.push('nocreated_1', { created: null, sign: false });
      const key = `nocreated_1@${digest}`;
      const before = Date.now();
      const first = await run.result(
        await run.request({
          procedure: 'cleanup',
          input: { image, patterns: ['nocreated_*'], olderThan: '24h' },
        }),
      );
      const afterFirst = Date.now();
      assert.equal(first.state, 'no-op', 'first seen now: nothing old enough');
      assert.deepEqual(
        first.cleanup?.keep.map((k) => [k.tag, k.why]),
        [['nocreated_1', 'too-young']],
      );
      assert.match(first.cleanup!.keep[0]!.detail, /from first-seen/);
      assert.deepEqual(Object.keys(first.firstSeen ?? {}), [key]);
      const seen = Date.parse(first.firstSeen![key]!);
      assert.ok(seen >= before - 1_000 && seen <= afterFirst, first.firstSeen![key]);
      assert.equal(await world.digestOf('nocreated_1'), digest);

      // The queue's ledger carries the first-seen time: a later run ages the tag from it.
      await new Promise((r) => setTimeout(r, 3_000));
      const second = await run.result(
        await run.request({
          procedure: 'cleanup',
          input: { image, patterns: ['nocreated_*'], olderThan: '2s' },
        }),
      );
      assert.equal(second.state, 'done');
      assert.deepEqual(
        second.cleanup?.delete.map((d) => [d.tag, d.ageFrom]),
        [['nocreated_1', 'first-seen']],
      );
      assert.deepEqual(second.firstSeen, {}, 'nothing new seen: the ledger knew the tag');
      assert.equal(await world.digestOf('nocreated_1'), undefined);
    });
  });
});
