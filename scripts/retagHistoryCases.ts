/**
 * The retag's recorded cases (scripts/record-retag-histories.ts runs them):
 * what each pushes to the registry, how it is approved, rejected or refused,
 * and what it must end with — checked against the registry, not only the
 * result. Each records the retagManifest history and, for those that write,
 * retagImage children (`parts`: the child's entry index by part name).
 */
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import {
  retagGate,
  retagStatusQuery,
  type RetagManifestRequest,
  type RetagResult,
} from '../src/shared/messages.js';
import {
  MANIFEST_DIR,
  MANIFESTS,
  MIRROR,
  type ManifestName,
  type RetagWorld,
} from '../src/sandbox/retagWorld.js';
import { startRetag } from '../src/cli/retag/retagStart.js';
import { imageRepoWorkflowId, queueStatusQuery } from '../src/shared/messages.js';
import type { TemporalSettings } from '../src/config.js';
import type { Fault } from './faultHistoryCases.js';
import { withDeadline } from './historyRecording.js';

export interface RetagCase {
  name: string;
  /** an activity made to fail (retagFaultHistoryCases.ts): the worker runs the world's activities with it */
  fault?: Fault;
  /** child histories to record besides the manifest's: part name → the entry's index */
  children: Record<string, number>;
  /** prepares the registry and the repo; the request to start */
  prepare(world: RetagWorld): Promise<RetagManifestRequest>;
  /** drives the started retag to its end and checks it; its result (or the failure's type) */
  drive(world: RetagWorld, client: Client, workflowId: string): Promise<void>;
}

const base = (path: string, more: Partial<RetagManifestRequest> = {}): RetagManifestRequest => ({
  repoUrl: '',
  path,
  ref: 'main',
  mirror: MIRROR,
  ...more,
});

async function pushSources(world: RetagWorld, name: keyof typeof MANIFESTS, skip = ''): Promise<void> {
  for (const e of world.entries(name))
    if (skip === '' || !e.repository.endsWith(skip)) await world.push(e.repository, e.srcBuildTag);
}

async function awaiting(client: Client, id: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await client.workflow
      .getHandle(id)
      .query(retagStatusQuery)
      .catch(() => undefined);
    if (s?.state === 'awaiting-approval') return;
    assert.ok(Date.now() < deadline, `${id} awaiting approval in time (last ${s?.state})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const result = (client: Client, id: string) => client.workflow.getHandle(id).result() as Promise<RetagResult>;

export const retagCases: RetagCase[] = [
  {
    name: 'retag-approved',
    children: { copied: 2 },
    async prepare(world) {
      await pushSources(world, '4.0', '/dex');
      const [skip, conflict] = world.entries('4.0');
      const digest = (await world.digestOf(skip!.repository, skip!.srcBuildTag))!;
      await world.tags.client.tagCreateOnly({
        registry: 'ghcr.io',
        repository: skip!.repository,
        tag: skip!.tag,
        digest,
      });
      await world.push(conflict!.repository, conflict!.tag, 'another build');
      return base(MANIFESTS['4.0'].path);
    },
    async drive(world, client, id) {
      await awaiting(client, id);
      const h = client.workflow.getHandle(id);
      await h.signal(retagGate.approveSignal, { digest: `sha256:${'d'.repeat(64)}` });
      await h.executeUpdate(retagGate.approveUpdate, { args: [{ approver: 'recorder' }] });
      const r = await result(client, id);
      assert.equal(r.state, 'done');
      assert.deepEqual(
        r.entries.map((e) => e.outcome),
        ['skipped', 'conflict', 'copied', 'copied', 'copied', 'copied', 'copied', 'copied', 'missing-source'],
      );
      assert.equal(r.entries[2]?.workflowId !== undefined, true);
      const e = world.entries('4.0')[2]!;
      assert.equal(
        await world.digestOf(e.repository, e.tag),
        await world.digestOf(e.repository, e.srcBuildTag),
      );
    },
  },
  {
    name: 'retag-repush',
    children: { repushed: 1 },
    async prepare(world) {
      await pushSources(world, '3.0');
      const moved = world.entries('3.0')[1]!;
      await world.push(moved.repository, moved.tag, 'an older build');
      return base(MANIFESTS['3.0'].path, { repush: [moved.name] });
    },
    async drive(world, client, id) {
      await awaiting(client, id);
      await client.workflow.getHandle(id).executeUpdate(retagGate.approveUpdate, { args: [{}] });
      const r = await result(client, id);
      assert.equal(r.state, 'done');
      assert.equal(r.entries[1]?.outcome, 'repushed');
      const moved = world.entries('3.0')[1]!;
      assert.equal(
        await world.digestOf(moved.repository, moved.tag),
        await world.digestOf(moved.repository, moved.srcBuildTag),
      );
    },
  },
  {
    name: 'retag-rejected',
    children: {},
    async prepare(world) {
      await pushSources(world, '3.0');
      return base(MANIFESTS['3.0'].path);
    },
    async drive(world, client, id) {
      await awaiting(client, id);
      await client.workflow.getHandle(id).signal(retagGate.rejectSignal, { reason: 'not this release' });
      const r = await result(client, id);
      assert.equal(r.state, 'rejected');
      for (const e of world.entries('3.0'))
        assert.equal(await world.digestOf(e.repository, e.tag), undefined);
    },
  },
  {
    name: 'retag-dry-run',
    children: {},
    async prepare(world) {
      await pushSources(world, 'trixie');
      return base(MANIFESTS.trixie.path, { dryRun: true });
    },
    async drive(world, client, id) {
      const r = await result(client, id);
      assert.equal(r.state, 'dry-run');
      assert.equal(r.plan?.counts.copy, 20);
      for (const e of world.entries('trixie'))
        assert.equal(await world.digestOf(e.repository, e.tag), undefined);
    },
  },
  {
    name: 'retag-malformed',
    children: {},
    async prepare(world) {
      const file = `${MANIFEST_DIR}/image-tags-bad.yaml`;
      await world.commit(file, world.text('4.0').replace('tag: stx.4.0-v2.2', 'tag: stx.4.0:v2.2'), 'Bad');
      return base(file);
    },
    async drive(_world, client, id) {
      const failed = await result(client, id).then(
        (r) => `ended ${r.state}`,
        (err: { cause?: { type?: string } }) => err.cause?.type,
      );
      assert.equal(failed, 'MalformedManifest');
    },
  },
];

/**
 * Runs a case as the recorder and test/workflows/procedureFaults.test.ts do:
 * a commit of the case's own (the fixture commits are the same in every
 * world: this gives each run its own id), the case's preparation, the retag
 * started as the CLI starts it, driven to its end. Its workflow id.
 */
export async function runRetagCase(
  world: RetagWorld,
  client: Client,
  settings: TemporalSettings,
  c: RetagCase,
  /** what the case's commit says (one run per manifest commit: another run of the case needs another) */
  label = c.name,
): Promise<{ workflowId: string; path: string }> {
  await world.commit('RECORDED_CASE', `${label}\n`, `Record ${label}`);
  const request = { ...(await c.prepare(world)), repoUrl: world.repoUrl };
  const started = await startRetag(client, settings, world.env, request);
  await withDeadline(c.drive(world, client, started.workflowId), 120_000, `case ${c.name} to end`);
  return { workflowId: started.workflowId, path: request.path };
}

/**
 * The repositories' queues end with the case (the next case's worker may have
 * another task queue): each, once idle (no entry running or waiting, so no
 * workflow task is in flight: terminating one mid-task records a failed task), terminated.
 */
export async function endRetagQueues(client: Client, world: RetagWorld): Promise<void> {
  const names = Object.keys(MANIFESTS) as ManifestName[];
  const repos = new Set(names.flatMap((n) => world.entries(n).map((e) => e.repository)));
  for (const repository of repos) {
    const queue = client.workflow.getHandle(imageRepoWorkflowId({ registry: 'ghcr.io', repository }));
    const running = await queue.describe().then(
      (d) => d.status.name === 'RUNNING',
      () => false,
    );
    if (!running) continue;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const q = await queue.query(queueStatusQuery).catch(() => undefined);
      if (q !== undefined && q.running === undefined && q.waiting.length === 0) break;
      if (Date.now() > deadline)
        throw new Error(`expected the queue of ${repository} idle within 60 s, found ${JSON.stringify(q)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await queue.terminate('end of the case');
  }
}
