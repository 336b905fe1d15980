/**
 * The retag's failure paths (issue 20): each activity the retag from a
 * manifest (retagManifest) and one of its entries (retagImage, run by the
 * repository's queue) calls fails in turn, typed (faultHistoryCases.ts). A
 * failing read of the manifest's own fails the retag with the typed failure,
 * its status answering, nothing written; a failing step of one entry is that
 * entry's outcome (`failed`, the typed error), its child failed with it, the
 * other entry copied, the retag `done` — and the registry holds what the
 * entry's status reports written, no more. A two-entry manifest (the first
 * two of StarlingX's 3.0) keeps them short. record-retag-histories.ts records
 * them (`--suffix faults`); test/workflows/procedureFaults.test.ts runs them live.
 */
import assert from 'node:assert/strict';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import {
  retagGate,
  retagStatusQuery,
  tagStatusQuery,
  type RetagResult,
  type RetagStatus,
} from '../src/shared/messages.js';
import { MANIFEST_DIR, MIRROR, type RetagWorld } from '../src/sandbox/retagWorld.js';
import { expectedFault, FAULT_TYPE, type Fault } from './faultHistoryCases.js';
import type { RetagCase } from './retagHistoryCases.js';

const PATH = `${MANIFEST_DIR}/image-tags-faults.yaml`;

/** The first two entries of the 3.0 manifest, as their own file. */
function twoEntries(world: RetagWorld): string {
  const text = world.text('3.0');
  const third = text.indexOf('  - name:', text.indexOf('  - name:', text.indexOf('  - name:') + 1) + 1);
  return text.slice(0, third);
}

async function prepare(world: RetagWorld) {
  await world.commit(PATH, twoEntries(world), 'Two entries of 3.0');
  for (const e of world.entries('3.0').slice(0, 2)) await world.push(e.repository, e.srcBuildTag);
  return { repoUrl: '', path: PATH, ref: 'main', mirror: MIRROR };
}

async function statusWhen(
  client: Client,
  id: string,
  ok: (s: RetagStatus) => boolean,
  what: string,
): Promise<RetagStatus> {
  const deadline = Date.now() + 60_000;
  let last: RetagStatus | undefined;
  for (;;) {
    last = await client.workflow
      .getHandle(id)
      .query(retagStatusQuery)
      .catch(() => last);
    if (last !== undefined && ok(last)) return last;
    assert.ok(Date.now() < deadline, `${id}: ${what} in time (last ${last?.state})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Where both entries' targets point now. */
async function targets(world: RetagWorld): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  for (const e of world.entries('3.0').slice(0, 2)) out.push(await world.digestOf(e.repository, e.tag));
  return out;
}

async function sources(world: RetagWorld): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  for (const e of world.entries('3.0').slice(0, 2))
    out.push(await world.digestOf(e.repository, e.srcBuildTag));
  return out;
}

/** The retag fails with the injected failure (after its approval, when `approve`), nothing written. */
function retagFails(activity: string, approve: boolean, state: RetagStatus['state']): RetagCase {
  const name = `retag-fails-${activity}`;
  const fault: Fault = { activity, when: 'alone' };
  return {
    name,
    fault,
    children: {},
    prepare,
    async drive(world, client, id) {
      if (approve) {
        await statusWhen(client, id, (s) => s.state === 'awaiting-approval', 'awaiting approval');
        await client.workflow.getHandle(id).executeUpdate(retagGate.approveUpdate, { args: [{}] });
      }
      const err = await client.workflow
        .getHandle(id)
        .result()
        .then(
          () => new Error('expected the retag to fail'),
          (e: unknown) => e,
        );
      assert.ok(err instanceof WorkflowFailedError, String(err));
      const cause = err.cause as { type?: string; message?: string };
      assert.equal(cause.type, FAULT_TYPE, cause.message);
      assert.match(cause.message ?? '', expectedFault(name, fault));
      const status = await statusWhen(client, id, (s) => s.state === 'failed', 'its status: failed');
      assert.equal(status.error?.type, FAULT_TYPE);
      assert.equal(status.plan === undefined, state !== 'writing', 'planned when it failed writing');
      assert.deepEqual(
        status.entries.filter((e) => e.outcome === 'copied'),
        [],
        'no entry copied',
      );
      assert.deepEqual(await targets(world), [undefined, undefined], 'nothing written');
    },
  };
}

/** Inputs naming the second entry's repository: its child's calls only. */
const SECOND = 'starlingx/k8s-plugins-sriov-network-device';
const second = (input: unknown) => JSON.stringify(input).includes(`"${SECOND}"`);

/** The second entry's child fails with the injected failure after writing `written` tags; the retag goes on. */
function entryFails(activity: string, nth: number, written: number, label = activity): RetagCase {
  const name = `retag-image-fails-${label}`;
  const fault: Fault = { activity, when: 'alone', match: second, nth };
  return {
    name,
    fault,
    children: { failed: 1 },
    prepare,
    async drive(world, client, id) {
      await statusWhen(client, id, (s) => s.state === 'awaiting-approval', 'awaiting approval');
      await client.workflow.getHandle(id).executeUpdate(retagGate.approveUpdate, { args: [{}] });
      const r = (await client.workflow.getHandle(id).result()) as RetagResult;
      assert.equal(r.state, 'done');
      assert.deepEqual(
        r.entries.map((e) => e.outcome),
        ['copied', 'failed'],
      );
      const failed = r.entries[1]!;
      assert.equal(failed.error?.type, FAULT_TYPE, failed.error?.message);
      assert.match(failed.error?.message ?? '', expectedFault(name, fault));
      const child = client.workflow.getHandle(failed.workflowId!);
      const err = await child.result().then(
        () => new Error('expected the entry to fail'),
        (e: unknown) => e,
      );
      assert.equal((err as { cause?: { type?: string } }).cause?.type, FAULT_TYPE, String(err));
      const status = await child.query(tagStatusQuery);
      assert.equal(status.state, 'failed');
      assert.equal(status.error?.type, FAULT_TYPE);
      assert.equal(status.written.length, written, `written: ${JSON.stringify(status.written)}`);
      const [s0, s1] = await sources(world);
      assert.deepEqual(
        await targets(world),
        [s0, written > 0 ? s1 : undefined],
        'the first entry copied; the second written only as its status reports',
      );
    },
  };
}

export const RETAG_FAULT_CASES: RetagCase[] = [
  retagFails('readRetagManifest', false, 'reading'),
  retagFails('resolveRetagEntries', false, 'resolving'),
  retagFails('requestRetagImages', true, 'writing'),
  entryFails('checkRetagWrite', 1, 0),
  entryFails('readTags', 1, 0, 'readTags-before'),
  entryFails('writeTag', 1, 0),
  entryFails('readTags', 2, 1, 'readTags-check'),
];
