/**
 * The tag procedures' recorded cases (scripts/record-tag-histories.ts runs
 * them): what each pushes into a fresh tag world, what it requests through the
 * repository's queue, how it is approved, rejected or refused, and what it
 * must end with — checked against the registry and the GitHub stand-in, not
 * only the result. Tag names, revisions and salts are fixed, so a rerun
 * pushes the same images (signatures and created times aside).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  imageRepoWorkflowId,
  queueStatusQuery,
  retrySignal,
  tagStatusQuery,
  tagGate,
  tagWorkflowId,
  TagWorkflowType,
  type QueueStatus,
  type TagResult,
  type TagStatus,
} from '../src/shared/messages.js';
import { requestTagProcedure, tagResult, type TagRequest } from '../src/cli/tags/startTag.js';
import type { TemporalSettings } from '../src/config.js';
import type { InspectResult } from '../src/workflows/tags/inspectTags.js';
import { revisionOf, TAG_IMAGE, TAG_SOURCE_SLUG, type TagWorld } from '../src/sandbox/tagWorld.js';
import type { Fault } from './faultHistoryCases.js';
import { withDeadline } from './historyRecording.js';

export interface TagDrive {
  world: TagWorld;
  client: Client;
  taskQueue: string;
  /** requests a procedure as the CLI does (through the queue); its workflow id */
  request(r: TagRequest): Promise<string>;
  statusWhen(id: string, ok: (s: TagStatus) => boolean, what: string): Promise<TagStatus>;
  queueWhen(ok: (q: QueueStatus) => boolean, what: string): Promise<QueueStatus>;
  result(id: string): Promise<TagResult>;
  /** the typed failure the procedure ended with (its result must reject) */
  failure(id: string): Promise<{ type: string | undefined; message: string }>;
}

/** A workflow the case started outside the queue, recorded as <case>-<role>.json. */
export interface Standalone {
  role: string;
  workflowId: string;
  workflowType: string;
}

export interface TagCase {
  name: string;
  /** an activity made to fail (tagFaultHistoryCases.ts): the worker runs the world's activities with it */
  fault?: Fault;
  /** drives the case to its end; throws when it ends otherwise */
  drive(d: TagDrive): Promise<Standalone[] | void>;
}

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

/**
 * How a case is driven (the recorder and test/workflows/procedureFaults.test.ts):
 * requests through the queue as the CLI sends them, each id kept in `requested`.
 */
export function createTagDrive(
  world: TagWorld,
  client: Client,
  settings: TemporalSettings,
  requested: string[],
): TagDrive {
  const queue = client.workflow.getHandle(imageRepoWorkflowId(TAG_IMAGE));
  const drive: TagDrive = {
    world,
    client,
    taskQueue: settings.taskQueue,
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
  return drive;
}

/**
 * Once a case's requests ended and the queue took note of each: the queue
 * ended (terminated; the next case's worker has another task queue); its run id.
 */
export async function endTagQueue(drive: TagDrive, requested: string[]): Promise<string | undefined> {
  if (requested.length === 0) return undefined;
  await drive.queueWhen(
    (q: QueueStatus) =>
      q.running === undefined && q.waiting.length === 0 && q.recent.length === requested.length,
    `idle after its ${requested.length} request(s)`,
  );
  const queue = drive.client.workflow.getHandle(imageRepoWorkflowId(TAG_IMAGE));
  const runId = (await queue.describe()).runId;
  await drive.client.workflow.getHandle(queue.workflowId, runId).terminate('its requests ended');
  return runId;
}

const image = { ...TAG_IMAGE };
const [owner, repo] = TAG_SOURCE_SLUG.split('/') as [string, string];
const HOUR = 3_600_000;
// distinct first letters, so the 7-character short shas differ
const A = revisionOf('alpha');
const B = revisionOf('bravo');
const C = revisionOf('charlie');
const stampOf = (date: string, revision: string) => `prod-${date}-${revision.slice(0, 7)}`;
const PROMOTION = { image, from: 'staging', to: ['prod', 'latest'], stamp: 'prod-{date}-{revision:7}' };

/** Pushes (and signs) an image under its stamp; points prod and latest at it when `current`. */
async function pushStamp(world: TagWorld, date: string, revision: string, current = false): Promise<string> {
  const digest = await world.push(stampOf(date, revision), { revision });
  if (current) for (const tag of ['prod', 'latest']) await world.client.moveTag({ ...image, tag, digest });
  return digest;
}

/** An unsigned image (a clean-up checks no signature) created `hours` before now. */
function pushAged(world: TagWorld, tag: string, hours: number): Promise<string> {
  return world.push(tag, { created: new Date(Date.now() - hours * HOUR).toISOString(), sign: false });
}

async function assertAt(world: TagWorld, tags: string[], digest: string | undefined): Promise<void> {
  for (const tag of tags) assert.equal(await world.digestOf(tag), digest, `where ${tag} points`);
}

/** A promotion of staging (release-1) over prod (release-0), waiting for approval; its id and digests. */
async function promotionWaiting(d: TagDrive) {
  const staging = await d.world.push('staging', { revision: revisionOf('release-1') });
  const prod = await d.world.push('prod', { revision: revisionOf('release-0') });
  const id = await d.request({ procedure: 'promote', input: PROMOTION });
  const waiting = await d.statusWhen(id, (s) => s.state === 'awaiting-approval', 'awaiting approval');
  assert.equal(waiting.plan?.digest, staging, 'the planned digest is staging');
  return { id, staging, prod, handle: d.client.workflow.getHandle(id) };
}

async function promotedAndReleased(d: TagDrive, id: string, staging: string): Promise<void> {
  const result = await d.result(id);
  assert.equal(result.state, 'done');
  const stamp = result.plan?.stamp ?? '';
  assert.match(stamp, new RegExp(`^prod-\\d{8}-${revisionOf('release-1').slice(0, 7)}$`));
  await assertAt(d.world, ['prod', 'latest', stamp], staging);
  assert.equal(result.audit?.kind, 'release');
  assert.deepEqual(
    d.world.github.releases(owner, repo).map((r) => r.tag),
    [stamp],
    'one release, on the stamp',
  );
}

export const tagCases: TagCase[] = [
  {
    name: 'promote-approved',
    async drive(d) {
      const { id, staging, handle } = await promotionWaiting(d);
      await handle.executeUpdate(tagGate.approveUpdate, {
        args: [{ approver: 'release-engineer', digest: staging }],
      });
      await promotedAndReleased(d, id, staging);
    },
  },
  {
    name: 'promote-rejected',
    async drive(d) {
      const { id, prod, handle } = await promotionWaiting(d);
      await handle.executeUpdate(tagGate.rejectUpdate, {
        args: [{ reason: 'not this week', approver: 'release-engineer' }],
      });
      const result = await d.result(id);
      assert.equal(result.state, 'rejected');
      assert.equal(result.reason, 'not this week');
      assert.deepEqual(result.written, []);
      await assertAt(d.world, ['prod'], prod);
      await assertAt(d.world, ['latest'], undefined);
    },
  },
  {
    name: 'promote-unsigned',
    async drive(d) {
      const prod = await d.world.push('prod', { revision: revisionOf('prod-now') });
      const unsigned = await d.world.push('unsigned', { sign: false });
      const id = await d.request({ procedure: 'promote', input: { ...PROMOTION, from: 'unsigned' } });
      const failure = await d.failure(id);
      assert.equal(failure.type, 'Unsigned', failure.message);
      assert.match(failure.message, new RegExp(unsigned.slice(7, 19)), 'names the digest');
      await assertAt(d.world, ['prod'], prod);
      await assertAt(d.world, ['latest'], undefined);
      const q = await d.queueWhen((s) => s.recent.length === 1, 'the failure on record');
      assert.equal(q.recent[0]?.state, 'failed: Unsigned');
    },
  },
  {
    name: 'promote-malformed',
    async drive(d) {
      const { id, staging, prod, handle } = await promotionWaiting(d);
      const other = `sha256:${'0'.repeat(64)}`;
      const bad: [string, unknown, RegExp][] = [
        [tagGate.approveSignal.name, { branch: 'x' }, /has no branches: drop "branch"/],
        [tagGate.approveSignal.name, { digest: other }, /but the planned digest is/],
        [tagGate.approveSignal.name, 'yes', /^approve refused: expected one JSON object/],
        [tagGate.rejectSignal.name, { reason: '  ' }, /^reject refused: /],
        [retrySignal.name, null, /^retry refused: /],
        [retrySignal.name, {}, /not blocked/],
      ];
      for (const [signal, payload] of bad) await handle.signal<[unknown]>(signal, payload);
      await assert.rejects(
        handle.executeUpdate(tagGate.approveUpdate, { args: [{ note: 'ship it' }] }),
        WorkflowUpdateFailedError,
        'an approval with a note is refused at once',
      );
      const waiting = await d.statusWhen(id, (s) => s.refusals.length === bad.length, 'every refusal');
      bad.forEach(([, , pattern], i) => assert.match(waiting.refusals[i] ?? '', pattern));
      assert.equal(waiting.state, 'awaiting-approval', 'still waiting after the refusals');
      await assertAt(d.world, ['prod'], prod);
      await handle.signal(tagGate.approveSignal, { digest: staging, approver: 'ops' });
      await promotedAndReleased(d, id, staging);
    },
  },
  {
    name: 'rollback-auto',
    async drive(d) {
      const dA = await pushStamp(d.world, '20260301', A);
      const dB = await pushStamp(d.world, '20260305', B, true);
      const id = await d.request({ procedure: 'rollback', input: { image, aliases: ['latest'] } });
      const waiting = await d.statusWhen(id, (s) => s.state === 'awaiting-approval', 'awaiting approval');
      assert.equal(waiting.plan?.digest, dA, 'resolved to the most recent other stamp');
      assert.match(waiting.plan?.reason ?? '', new RegExp(`^${stampOf('20260301', A)}: most recent`));
      await assertAt(d.world, ['prod', 'latest'], dB);
      await d.client.workflow
        .getHandle(id)
        .executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops', digest: dA }] });
      const result = await d.result(id);
      assert.equal(result.state, 'done');
      const audit = result.plan?.stamp ?? '';
      assert.match(audit, new RegExp(`^prod-rollback-\\d{8}-\\d{6}-from-${B.slice(0, 7)}$`));
      await assertAt(d.world, ['prod', 'latest', audit], dA);
      assert.deepEqual(
        result.written.map((w) => [w.tag, w.outcome]),
        [
          ['prod', 'moved'],
          ['latest', 'moved'],
          [audit, 'created'],
        ],
      );
      assert.deepEqual(
        d.world.github.releases(owner, repo).map((r) => r.tag),
        [audit],
      );
    },
  },
  {
    name: 'cleanup-dry-run',
    async drive(d) {
      const d6 = await pushAged(d.world, 'change_6_latest', 49);
      const d7 = await pushAged(d.world, 'change_7_latest', 30);
      const id = await d.request({
        procedure: 'cleanup',
        input: { image, patterns: ['change_*'], olderThan: '24h', dryRun: true },
      });
      const result = await d.result(id);
      assert.equal(result.state, 'dry-run');
      assert.deepEqual(
        result.cleanup?.delete.map((x) => [x.tag, x.digest]),
        [
          ['change_6_latest', d6],
          ['change_7_latest', d7],
        ],
      );
      assert.deepEqual(result.deleted, []);
      await assertAt(d.world, ['change_6_latest'], d6);
      await assertAt(d.world, ['change_7_latest'], d7);
    },
  },
  {
    name: 'cleanup-deleted',
    async drive(d) {
      const young = await pushAged(d.world, 'change_1_latest', 23);
      await pushAged(d.world, 'change_2_latest', 25);
      await pushAged(d.world, 'change_3_latest', 49);
      const prod = await pushAged(d.world, 'prod', 100);
      const id = await d.request({
        procedure: 'cleanup',
        input: { image, patterns: ['change_*'], olderThan: '24h' },
      });
      const result = await d.result(id);
      assert.equal(result.state, 'done');
      assert.deepEqual([...result.deleted].sort(), ['change_2_latest', 'change_3_latest']);
      assert.deepEqual(
        result.cleanup?.keep.map((k) => [k.tag, k.why]),
        [['change_1_latest', 'too-young']],
      );
      await assertAt(d.world, ['change_2_latest', 'change_3_latest'], undefined);
      await assertAt(d.world, ['change_1_latest'], young);
      await assertAt(d.world, ['prod'], prod);
      const status = await d.statusWhen(id, () => true, 'its final status');
      assert.equal(status.approvedBy, undefined, 'two deletes, under approveAbove: no approval asked');
    },
  },
  {
    name: 'queue-two',
    async drive(d) {
      await pushStamp(d.world, '20260301', A);
      const dB = await pushStamp(d.world, '20260305', B, true);
      const dC = await d.world.push('staging', { revision: C });
      const promotion = await d.request({ procedure: 'promote', input: PROMOTION });
      await d.statusWhen(promotion, (s) => s.state === 'awaiting-approval', 'awaiting approval');
      const rollback = await d.request({
        procedure: 'rollback',
        input: { image, aliases: ['latest'], approval: { required: false } },
      });
      const q = await d.queueWhen((s) => s.waiting.length > 0, 'the rollback waiting');
      assert.equal(q.running?.workflowId, promotion);
      assert.deepEqual(
        q.waiting.map((w) => w.workflowId),
        [rollback],
      );
      await assert.rejects(d.client.workflow.getHandle(rollback).describe(), WorkflowNotFoundError);
      await d.client.workflow
        .getHandle(promotion)
        .executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops' }] });
      assert.equal((await d.result(promotion)).state, 'done');
      const rolledBack = await d.result(rollback);
      assert.equal(rolledBack.state, 'done');
      const closed = (await d.client.workflow.getHandle(promotion).describe()).closeTime;
      const started = (await d.client.workflow.getHandle(rollback).describe()).startTime;
      assert.ok(closed !== undefined && started >= closed, 'the rollback started once the promotion ended');
      assert.equal(rolledBack.plan?.tags[0]?.from, dC, 'rolled back from the promoted image');
      await assertAt(d.world, ['prod', 'latest'], dB);
    },
  },
  {
    name: 'inspect-tags',
    async drive(d) {
      // read-only: started as `bumpflow tags` starts it, not through the queue
      const signed = await d.world.push('prod', { revision: A });
      await d.world.push('unsigned', { sign: false });
      await d.world.push('other-key', { sign: 'other' });
      const workflowId = tagWorkflowId('tags', image, new Date(), randomBytes(2).toString('hex'));
      const result = (await d.client.workflow.execute(TagWorkflowType.inspect, {
        taskQueue: d.taskQueue,
        workflowId,
        args: [{ image }],
        workflowExecutionTimeout: '5m',
      })) as InspectResult;
      assert.deepEqual(
        result.tags.map((t) => [t.tag, t.signature.replace(/^verified by .*/, 'verified')]),
        [
          ['other-key', 'SignatureInvalid'],
          ['prod', 'verified'],
          ['unsigned', 'Unsigned'],
        ],
      );
      assert.equal(result.tags.find((t) => t.tag === 'prod')?.digest, signed);
      return [{ role: 'inspect', workflowId, workflowType: TagWorkflowType.inspect }];
    },
  },
];
