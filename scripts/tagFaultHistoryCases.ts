/**
 * The tag procedures' failure paths (issue 20): each activity a promotion, a
 * rollback, a clean-up and an inspection calls fails in turn, typed
 * (faultHistoryCases.ts injects it into the world's own activities), and the
 * procedure must end as it does for such a failure: failed with the typed
 * failure, its status answering (`failed`, the error), the queue's record
 * naming it, and nothing written to the registry but what was written before
 * the fault — which the status reports. Where the procedure blocks (a refused
 * forge token before approval) it waits in `blocked`, nothing written, until
 * rejected; a refused audit release leaves the change done, recorded in the
 * workflow. inspectTags' signature checks run side by side: an outage of one
 * fails the inspection while its siblings run, after they finished, and as
 * one of them finishes; a refusal of one is that digest's answer.
 * record-tag-histories.ts records them (`--suffix faults`);
 * test/workflows/procedureFaults.test.ts runs them live.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { tagGate, tagWorkflowId, TagWorkflowType, type TagStatus } from '../src/shared/messages.js';
import type { InspectResult } from '../src/workflows/tags/inspectTags.js';
import { FORGE_CHECK_STEP } from '../src/workflows/tags/checkAuditForge.js';
import { revisionOf, TAG_IMAGE, type TagWorld } from '../src/sandbox/tagWorld.js';
import { expectedFault, FAULT_TYPE, OUTAGE_TYPE, type Fault } from './faultHistoryCases.js';
import type { TagCase, TagDrive } from './tagHistoryCases.js';

const image = { ...TAG_IMAGE };
const NO_APPROVAL = { required: false };
const PROMOTION = {
  image,
  from: 'staging',
  to: ['prod', 'latest'],
  stamp: 'prod-{date}-{revision:7}',
  approval: NO_APPROVAL,
};
const A = revisionOf('alpha');
const B = revisionOf('bravo');
const HOUR = 3_600_000;

/** Where each tag points now (undefined: absent). */
async function tagsNow(world: TagWorld, tags: string[]): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const tag of tags) out[tag] = await world.digestOf(tag);
  return out;
}

/**
 * The procedure failed with the injected failure: typed, its status answers
 * `failed` with the error, the queue has it on record. Its final status.
 */
async function failedWith(d: TagDrive, id: string, name: string, fault: Fault): Promise<TagStatus> {
  const failure = await d.failure(id);
  const type = fault.type ?? FAULT_TYPE;
  assert.equal(failure.type, type, failure.message);
  assert.match(failure.message, expectedFault(name, fault));
  const status = await d.statusWhen(id, (s) => s.state === 'failed', 'its status: failed');
  assert.equal(status.error?.type, type, 'the status names the typed failure');
  assert.equal(status.step, undefined, 'no step left running');
  const q = await d.queueWhen((s) => s.recent.some((r) => r.workflowId === id), 'the failure on record');
  assert.equal(q.recent.find((r) => r.workflowId === id)?.state, `failed: ${type}`);
  return status;
}

/**
 * The registry holds exactly what the status says was written: a tag of the
 * plan written points at the plan's digest, every other one is where the plan
 * found it (`before`: where the tags were before the request, when there was no plan).
 */
async function writtenAsReported(
  world: TagWorld,
  status: TagStatus,
  before: Record<string, string | undefined>,
  written: number,
): Promise<void> {
  const plan = status.plan;
  assert.equal(status.written.length, written, `written: ${JSON.stringify(status.written)}`);
  if (plan === undefined) {
    assert.equal(written, 0);
    assert.deepEqual(await tagsNow(world, Object.keys(before)), before, 'nothing written');
    return;
  }
  assert.deepEqual(
    status.written.map((w) => w.tag),
    plan.tags.slice(0, written).map((t) => t.tag),
    'the tags written are the plan’s first, in order',
  );
  const now = await tagsNow(
    world,
    plan.tags.map((t) => t.tag),
  );
  assert.deepEqual(
    now,
    Object.fromEntries(plan.tags.map((t, i) => [t.tag, i < written ? plan.digest : (t.from ?? undefined)])),
    'the registry holds what was reported written, and only that',
  );
  assert.equal(world.github.releases('vexxhost', 'docker-magnum').length, 0, 'no audit release');
}

/** staging (release-1, signed) over prod (release-0); the tags before the promotion. */
async function promotionWorld(world: TagWorld): Promise<Record<string, string | undefined>> {
  await world.push('staging', { revision: revisionOf('release-1') });
  // only the source's signature is verified
  await world.push('prod', { revision: revisionOf('release-0'), sign: false });
  return tagsNow(world, ['staging', 'prod', 'latest']);
}

/** A promotion whose `fault` fails it after `written` of its plan's tags were written. */
function promoteFails(
  activity: string,
  written: number,
  more: Partial<Fault> = {},
  label = activity,
): TagCase {
  const name = `promote-fails-${label}`;
  const fault: Fault = { activity, when: 'alone', ...more };
  return {
    name,
    fault,
    async drive(d) {
      const before = await promotionWorld(d.world);
      const id = await d.request({ procedure: 'promote', input: PROMOTION });
      const status = await failedWith(d, id, name, fault);
      await writtenAsReported(d.world, status, before, written);
    },
  };
}

/** Two stamps, prod and latest at the newer (B): a rollback goes back to A. */
async function rollbackWorld(world: TagWorld): Promise<Record<string, string | undefined>> {
  const stamp = (date: string, revision: string) => `prod-${date}-${revision.slice(0, 7)}`;
  await world.push(stamp('20260301', A), { revision: A });
  // only the target's signature is verified
  const dB = await world.push(stamp('20260305', B), { revision: B, sign: false });
  for (const tag of ['prod', 'latest']) await world.client.moveTag({ ...image, tag, digest: dB });
  return tagsNow(world, ['prod', 'latest']);
}

function rollbackFails(
  activity: string,
  written: number,
  more: Partial<Fault> = {},
  label = activity,
): TagCase {
  const name = `rollback-fails-${label}`;
  const fault: Fault = { activity, when: 'alone', ...more };
  return {
    name,
    fault,
    async drive(d) {
      const before = await rollbackWorld(d.world);
      const id = await d.request({
        procedure: 'rollback',
        input: { image, aliases: ['latest'], approval: NO_APPROVAL },
      });
      const status = await failedWith(d, id, name, fault);
      await writtenAsReported(d.world, status, before, written);
    },
  };
}

/** Three change tags (23 h, 25 h and 49 h old) and prod: a clean-up of those older than 24 h deletes two. */
async function cleanupWorld(world: TagWorld): Promise<Record<string, string | undefined>> {
  const aged = (tag: string, hours: number) =>
    world.push(tag, { created: new Date(Date.now() - hours * HOUR).toISOString(), sign: false });
  await aged('change_1_latest', 23);
  await aged('change_2_latest', 25);
  await aged('change_3_latest', 49);
  await aged('prod', 100);
  return tagsNow(world, ['change_1_latest', 'change_2_latest', 'change_3_latest', 'prod']);
}

function cleanupFails(
  activity: string,
  deleted: number,
  more: Partial<Fault> = {},
  label = activity,
): TagCase {
  const name = `cleanup-fails-${label}`;
  const fault: Fault = { activity, when: 'alone', ...more };
  return {
    name,
    fault,
    async drive(d) {
      const before = await cleanupWorld(d.world);
      const id = await d.request({
        procedure: 'cleanup',
        input: { image, patterns: ['change_*'], olderThan: '24h' },
      });
      const status = await failedWith(d, id, name, fault);
      assert.equal(status.deleted.length, deleted, `deleted: ${status.deleted.join(', ')}`);
      const now = await tagsNow(d.world, Object.keys(before));
      assert.deepEqual(
        now,
        Object.fromEntries(
          Object.entries(before).map(([t, dg]) => [t, status.deleted.includes(t) ? undefined : dg]),
        ),
        'the registry lost exactly the tags reported deleted',
      );
      if (deleted > 0)
        assert.ok(
          status.deleted.every((t) => status.cleanup?.delete.some((p) => p.tag === t)),
          'only planned tags deleted',
        );
    },
  };
}

/** prod (signed), unsigned, other-key: three digests, verified side by side. */
async function inspectWorld(world: TagWorld): Promise<void> {
  await world.push('prod', { revision: A });
  await world.push('unsigned', { sign: false });
  await world.push('other-key', { sign: 'other' });
}

/** Runs `bumpflow tags` as the CLI starts it (no queue); its id and how it ended. */
async function inspect(d: TagDrive): Promise<{ workflowId: string; ended: Promise<InspectResult> }> {
  const workflowId = tagWorkflowId('tags', image, new Date(), randomBytes(2).toString('hex'));
  const handle = await d.client.workflow.start(TagWorkflowType.inspect, {
    taskQueue: d.taskQueue,
    workflowId,
    // an outage's retries run out at once
    args: [{ image, retry: { maximumAttempts: 2, initialInterval: '100ms', maximumInterval: '100ms' } }],
    workflowExecutionTimeout: '5m',
  });
  return { workflowId, ended: handle.result() as Promise<InspectResult> };
}

/** The typed failure inside a workflow's failure (an activity's, unwrapped). */
function typedCause(err: unknown): { type?: string; message: string } {
  assert.ok(err instanceof WorkflowFailedError, `expected a failed workflow, found ${String(err)}`);
  let cause: unknown = err.cause;
  while (
    (cause as { cause?: unknown }).cause !== undefined &&
    (cause as { type?: string }).type === undefined
  )
    cause = (cause as { cause?: unknown }).cause;
  const c = cause as { type?: string; message?: string };
  return { type: c.type, message: c.message ?? '' };
}

function inspectFails(fault: Fault, label: string): TagCase {
  const name = `inspect-fails-${label}`;
  return {
    name,
    fault,
    async drive(d) {
      await inspectWorld(d.world);
      const { workflowId, ended } = await inspect(d);
      const err = await ended.then(
        (r) => new Error(`expected the inspection to fail, it answered ${r.tags.length} tags`),
        (e: unknown) => e,
      );
      const cause = typedCause(err);
      assert.equal(cause.type, fault.outage ? OUTAGE_TYPE : (fault.type ?? FAULT_TYPE), cause.message);
      assert.match(cause.message, expectedFault(name, fault));
      return [{ role: 'inspect', workflowId, workflowType: TagWorkflowType.inspect }];
    },
  };
}

const VERIFY_OUTAGE = { activity: 'verifySignature', siblings: 3, outage: true } as const;
const VERIFY_REFUSED: Fault = { activity: 'verifySignature', when: 'first', siblings: 3 };

export const TAG_FAULT_CASES: TagCase[] = [
  promoteFails('inspectSource', 0),
  promoteFails('verifySignature', 0),
  promoteFails('readTags', 0, { nth: 1 }, 'readTags-plan'),
  promoteFails('checkAuditForge', 0),
  promoteFails('workerTagApproval', 0),
  promoteFails('readTags', 0, { nth: 2 }, 'readTags-again'),
  promoteFails('writeTag', 0, { nth: 1 }, 'writeTag-first'),
  promoteFails('writeTag', 1, { nth: 2 }, 'writeTag-second'),
  promoteFails('readTags', 3, { nth: 3 }, 'readTags-check'),
  {
    // a refused audit release never undoes the change: done, recorded in the workflow, said so
    name: 'promote-fails-recordAudit',
    fault: { activity: 'recordAudit', when: 'alone' },
    async drive(d) {
      const before = await promotionWorld(d.world);
      const id = await d.request({ procedure: 'promote', input: PROMOTION });
      const result = await d.result(id);
      assert.equal(result.state, 'done');
      assert.equal(result.audit?.kind, 'workflow');
      const status = await d.statusWhen(id, (s) => s.state === 'done', 'its status: done');
      assert.ok(
        status.notices.some((n) => /audit release could not be recorded \(injected: recordAudit/.test(n)),
        `a notice says why: ${status.notices.join(' | ')}`,
      );
      assert.equal(status.written.length, 3);
      const now = await tagsNow(d.world, ['prod', 'latest', result.plan!.stamp!]);
      assert.deepEqual(Object.values(now), [before.staging, before.staging, before.staging]);
      assert.equal(d.world.github.releases('vexxhost', 'docker-magnum').length, 0, 'no release');
    },
  },
  {
    // a refused forge token before approval blocks, nothing written, until a human rejects
    name: 'promote-blocks-checkAuditForge',
    fault: { activity: 'checkAuditForge', when: 'alone', type: 'AuthRefused' },
    async drive(d) {
      const before = await promotionWorld(d.world);
      const id = await d.request({ procedure: 'promote', input: PROMOTION });
      const blocked = await d.statusWhen(id, (s) => s.state === 'blocked', 'blocked on the forge check');
      assert.ok(blocked.step?.name.startsWith(FORGE_CHECK_STEP), blocked.step?.name);
      assert.equal(blocked.error?.type, 'AuthRefused');
      assert.deepEqual(blocked.written, []);
      await d.client.workflow
        .getHandle(id)
        .executeUpdate(tagGate.rejectUpdate, { args: [{ reason: 'token revoked', approver: 'ops' }] });
      const failure = await d.failure(id);
      assert.equal(failure.type, 'Rejected', failure.message);
      assert.match(failure.message, /rejected while blocked: token revoked/);
      const status = await d.statusWhen(id, (s) => s.state === 'rejected', 'its status: rejected');
      await writtenAsReported(d.world, status, before, 0);
      const q = await d.queueWhen((s) => s.recent.some((r) => r.workflowId === id), 'the end on record');
      assert.equal(q.recent[0]?.state, 'failed: Rejected');
    },
  },
  rollbackFails('inspectSource', 0, { nth: 1 }, 'inspectSource-current'),
  rollbackFails('listTagDigests', 0),
  rollbackFails('inspectSource', 0, { nth: 2 }, 'inspectSource-target'),
  rollbackFails('writeTag', 1, { nth: 2 }, 'writeTag-second'),
  cleanupFails('listTagDigests', 0),
  cleanupFails('workerTagApproval', 0),
  cleanupFails('deleteTag', 0, { nth: 1 }, 'deleteTag-first'),
  cleanupFails('deleteTag', 1, { nth: 2 }, 'deleteTag-second'),
  inspectFails({ activity: 'listTagDigests', when: 'alone' }, 'listTagDigests'),
  inspectFails({ ...VERIFY_OUTAGE, when: 'first' }, 'verifySignature-first'),
  inspectFails({ ...VERIFY_OUTAGE, when: 'last' }, 'verifySignature-last'),
  inspectFails({ ...VERIFY_OUTAGE, when: 'together' }, 'verifySignature-together'),
  {
    // a refusal (fatal) of one digest's check is that digest's answer, while the others run
    name: 'inspect-refuses-verifySignature',
    fault: VERIFY_REFUSED,
    async drive(d) {
      await inspectWorld(d.world);
      const { workflowId, ended } = await inspect(d);
      const result = await ended;
      const refused = result.tags.filter((t) => t.signature === FAULT_TYPE);
      assert.equal(refused.length, 1, JSON.stringify(result.tags));
      assert.match(
        refused[0]!.signatureDetail ?? '',
        expectedFault('inspect-refuses-verifySignature', VERIFY_REFUSED),
      );
      assert.equal(result.tags.length, 3);
      return [{ role: 'inspect', workflowId, workflowType: TagWorkflowType.inspect }];
    },
  },
];

/** The cases whose failure races side-by-side siblings: run again with no workflow cache. */
export const TAG_RACING = new Set([
  'inspect-fails-verifySignature-first',
  'inspect-fails-verifySignature-last',
  'inspect-fails-verifySignature-together',
  'inspect-refuses-verifySignature',
]);
