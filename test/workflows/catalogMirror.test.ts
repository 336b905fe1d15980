/**
 * The catalog update's mirror upload on real parts: the real OSISM Ubuntu
 * catalog, the loopback distro mirror serving the image files, the Temporal
 * dev server, MinIO (src/sandbox/minio.ts) named in the worker's config file
 * as an operator names it (catalog.mirror, keys in two variables), the real
 * AWS SDK in the worker, and worker processes as in production for the crash.
 * Objects are read back through the S3 API with MinIO's root client and
 * compared with the bytes the distro mirror serves.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { MirrorCatalogImageResult } from '../../src/activities/catalog/catalogMirror.js';
import { catalogRunner } from '../../src/sandbox/catalogWorld.js';
import { CATALOG_MIRROR_BASE, CATALOG_PART_SIZE } from '../../src/sandbox/catalogStore.js';
import type { MirrorBuild } from '../../src/sandbox/imageMirror.js';
import type { CatalogStatus } from '../../src/shared/catalog.js';
import { startTemporal } from '../support/temporal.js';
import { settingsFor } from '../support/bump.js';
import {
  approveCatalog as approve,
  CATALOG_PATH,
  checksumOf,
  createCatalogWorld,
  inCatalogWorld,
  inImage,
  swapsFor,
  type CatalogRun,
  type CatalogWorld,
} from '../support/catalog.js';
import { killWorker, spawnWorker, stopWorkers } from '../support/workerProcesses.js';
import { MiB, storeOf } from '../clients/s3MirrorHelpers.js';

const IMAGE = 'Ubuntu 24.04';
const VERSION = '20260115';
/** the object the new mirror_url `…/openstack-images/ubuntu-24.04/20260115-ubuntu-24.04.qcow2` names (prefix openstack-images) */
const KEY = `openstack-images/ubuntu-24.04/${VERSION}-ubuntu-24.04.qcow2`;
const NEW_MIRROR_URL = `${CATALOG_MIRROR_BASE}/ubuntu-24.04/${VERSION}-ubuntu-24.04.qcow2`;

const awaiting = (s: CatalogStatus) => s.state === 'awaiting-approval';
const sha256 = (bytes: Buffer) => checksumOf('sha256', bytes);

/** The bytes the distro mirror serves at `url`, read as a client reads them. */
async function servedBytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  return Buffer.from(await res.arrayBuffer());
}

/** How many times the image file of `build` was read (GET) from the distro mirror. */
function imageReads(world: CatalogWorld, build: MirrorBuild): number {
  const path = new URL(build.url).pathname;
  return world.mirror.requests.filter((r) => r.method === 'GET' && r.path === path).length;
}

/** `text` with the image's newer build `next` written as update.py writes it (mirror_url included). */
function expectedCatalog(world: CatalogWorld, next: MirrorBuild, old: MirrorBuild): string {
  const text = inImage(world.text, IMAGE, swapsFor(old, next, 'ubuntu-24.04'));
  assert.ok(text.includes(`mirror_url: \n          ${NEW_MIRROR_URL}\n`), 'the new mirror_url names KEY');
  return text;
}

/** The mirrorCatalogImage activity's completion in the history: its last attempt and its result. */
async function mirrorActivity(
  h: WorkflowHandle,
): Promise<{ attempt: number; result: MirrorCatalogImageResult }> {
  const events = (await h.fetchHistory()).events ?? [];
  const scheduled = events.filter(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'mirrorCatalogImage',
  );
  assert.equal(scheduled.length, 1, 'one mirror activity (one new image)');
  const id = String(scheduled[0]!.eventId);
  const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === id);
  const completed = events.find(
    (e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === id,
  );
  const payload = completed?.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
  assert.ok(payload, 'the mirror activity completed with a result');
  return {
    attempt: started?.activityTaskStartedEventAttributes?.attempt ?? 0,
    result: defaultPayloadConverter.fromPayload<MirrorCatalogImageResult>(payload),
  };
}

describe('updateCatalog with the S3 mirror', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  const inWorld = <T>(slug: string, fn: (world: CatalogWorld, run: CatalogRun) => Promise<T>): Promise<T> =>
    inCatalogWorld(env, slug, { mirror: true }, fn);

  it('uploads the newer build under the key its new mirror_url names, bytes as served; the PR lists it', async () => {
    await inWorld('osism/mirror-upload', async (world, run) => {
      const store = storeOf(world.store!.minio);
      const old = world.mirror.latest(IMAGE);
      const next = world.mirror.publish(IMAGE, VERSION, { size: 7 * MiB }); // two parts of 5 MiB
      const expected = expectedCatalog(world, next, old);

      const h = await run.start({ path: CATALOG_PATH });
      await run.statusWhen(h, awaiting, 'awaiting approval');
      assert.deepEqual(await store.keys(), [], 'nothing uploaded before approval');
      await approve(h);
      const result = await run.result(h);
      assert.equal(result.state, 'pr-opened', JSON.stringify(result.error));
      assert.equal(world.fileOn(result.workBranch!), expected, 'the pushed catalog, whole');

      const served = await servedBytes(next.url);
      assert.equal(served.length, 7 * MiB);
      assert.deepEqual(await store.keys(), [KEY], 'one object, at the key the new mirror_url names');
      assert.ok((await store.objectBytes(KEY)).equals(served), 'the object holds the bytes served');
      assert.equal((await store.head(KEY)).Metadata?.sha256, sha256(served).slice('sha256:'.length));
      assert.deepEqual(await store.uploadsUnder(''), [], 'no upload left in the store');
      const mirrored = { image: IMAGE, key: KEY, size: served.length, checksum: sha256(served) };
      assert.deepEqual(result.mirrored, [{ ...mirrored, uploaded: true }]);
      assert.equal(world.github.pulls.length, 1, 'one PR');
      const body = world.github.pulls[0]!.body;
      assert.ok(
        body.includes(`| ${IMAGE} | \`${KEY}\` | ${served.length} | \`${sha256(served)}\` | uploaded |`),
        `the PR lists the object with its size and checksum:\n${body}`,
      );
    });
  });

  it('a mirror serving other bytes than its checksum file says: ChecksumMismatch, no object, nothing pushed', async () => {
    await inWorld('osism/mirror-mismatch', async (world, run) => {
      const store = storeOf(world.store!.minio);
      const next = world.mirror.publish(IMAGE, VERSION, { size: 7 * MiB });
      world.mirror.faults.tampered.add(new URL(next.url).pathname);
      const served = await servedBytes(next.url);
      assert.equal(served.length, next.bytes.length);
      assert.notEqual(sha256(served), sha256(next.bytes), 'the mirror serves other bytes than it lists');

      const h = await run.start({ path: CATALOG_PATH });
      const waiting = await run.statusWhen(h, awaiting, 'awaiting approval');
      const row = waiting.images.find((r) => r.image === IMAGE)!;
      assert.equal(row.new?.checksum, sha256(next.bytes), "the plan holds the checksum file's digest");
      await approve(h);
      const failure = await run.failure(h);
      assert.equal(failure.type, 'ChecksumMismatch', failure.message);
      assert.ok(failure.message.includes(KEY), failure.message);
      assert.ok(failure.message.includes(sha256(next.bytes)), 'names the expected checksum');
      assert.ok(failure.message.includes(sha256(served)), 'names the checksum found');
      assert.equal(imageReads(world, next), 2, 'the worker streamed the image (and the test read it once)');
      assert.ok(await store.noObject(KEY), 'HeadObject: 404 at the final key');
      assert.deepEqual(await store.keys(), [], 'no object at all');
      assert.deepEqual(await store.uploadsUnder(''), [], 'the multipart upload was aborted');
      assert.deepEqual(Object.keys(world.branches()), ['main'], 'no work branch');
      assert.equal(world.github.pulls.length, 0, 'no PR');
    });
  });

  it('a rerun with the object already there does not upload it again', async () => {
    await inWorld('osism/mirror-again', async (world, run) => {
      const store = storeOf(world.store!.minio);
      const next = world.mirror.publish(IMAGE, VERSION, { size: 6 * MiB });
      const first = await run.start({ path: CATALOG_PATH });
      await run.statusWhen(first, awaiting, 'awaiting approval');
      await approve(first);
      const uploaded = await run.result(first);
      assert.equal(uploaded.mirrored?.[0]?.uploaded, true);
      const before = await store.head(KEY);
      const reads = imageReads(world, next);
      assert.equal(reads, 1, 'the first run streamed the image once');

      const again = await run.start({ path: CATALOG_PATH });
      await run.statusWhen(again, awaiting, 'the rerun awaiting approval');
      await approve(again);
      const second = await run.result(again);
      assert.equal(second.state, 'pr-opened');
      assert.deepEqual(second.mirrored, [{ ...uploaded.mirrored![0]!, uploaded: false }]);
      assert.equal(imageReads(world, next), reads, 'the rerun read nothing from the distro mirror');
      const now = await store.head(KEY);
      assert.equal(now.ETag, before.ETag, 'the same object');
      assert.equal(now.LastModified?.getTime(), before.LastModified?.getTime(), 'not written again');
      assert.deepEqual(await store.keys(), [KEY]);
      assert.equal(second.prNumber, uploaded.prNumber, 'the same PR');
    });
  });

  it('--no-mirror: nothing uploaded, the PR opened, the status says so', async () => {
    await inWorld('osism/mirror-off', async (world, run) => {
      const store = storeOf(world.store!.minio);
      const next = world.mirror.publish(IMAGE, VERSION);
      const h = await run.start({ path: CATALOG_PATH, mirror: false });
      await run.statusWhen(h, awaiting, 'awaiting approval');
      await approve(h);
      const result = await run.result(h);
      assert.equal(result.state, 'pr-opened');
      assert.equal(world.github.pulls.length, 1, 'the PR is opened');
      assert.ok(
        result.notices.includes('the images were not mirrored: --no-mirror'),
        result.notices.join('\n'),
      );
      assert.equal(result.mirrored, undefined);
      assert.deepEqual(await store.keys(), [], 'nothing in the bucket');
      assert.deepEqual(await store.uploadsUnder(''), [], 'no upload begun');
      assert.equal(imageReads(world, next), 0, 'the image was never read');
      assert.ok(!world.github.pulls[0]!.body.includes(KEY), 'the PR lists no object');
    });
  });

  it('a worker killed during a multipart upload: the next worker resumes it, one object, the bytes served', async (t) => {
    const world = await createCatalogWorld('osism/mirror-crash', { mirror: true });
    const taskQueue = `bumpflow-catalog-crash-${randomUUID()}`;
    const run = catalogRunner(env.client, settingsFor(env, taskQueue), world);
    const workerEnv = { ...world.env, TEMPORAL_ADDRESS: env.address, BUMPFLOW_TASK_QUEUE: taskQueue };
    const workers: ChildProcess[] = [];
    let h: WorkflowHandle | undefined;
    let release = (): void => undefined;
    try {
      const store = storeOf(world.store!.minio);
      const old = world.mirror.latest(IMAGE);
      const size = 16 * MiB; // parts of 5, 5, 5 and 1 MiB
      const next = world.mirror.publish(IMAGE, VERSION, { size });
      const expected = expectedCatalog(world, next, old);
      // the first GET sends part 1 and a bit, then waits: the kill lands while part 2 is being read
      const held = new Promise<void>((resolve) => (release = resolve));
      world.mirror.faults.held.set(new URL(next.url).pathname, {
        at: CATALOG_PART_SIZE + MiB,
        release: held,
      });

      const first = spawnWorker(workerEnv, workers);
      h = await run.start({ path: CATALOG_PATH });
      await run.statusWhen(h, awaiting, 'awaiting approval (the worker process started)', 120_000);
      await approve(h);

      // The kill lands as soon as part 1 is stored: the upload id may not have reached the server
      // yet (the SDK throttles heartbeats to 80% of the 30 s timeout), so the next attempt finds
      // the store's own upload of the key and continues it (latestUploadOf).
      const approvedAt = Date.now();
      const deadline = approvedAt + 60_000;
      let stored = 0;
      while (Date.now() < deadline && stored < 1) {
        await new Promise((r) => setTimeout(r, 100));
        stored = await store.partsStored(KEY);
      }
      t.diagnostic(`part 1 stored ${Date.now() - approvedAt} ms after approval`);
      assert.equal(stored, 1, 'part 1 is stored; part 2 waits for the held bytes');
      assert.ok(await store.noObject(KEY), 'no object yet');

      await killWorker(first);
      const killedAt = Date.now();
      release(); // the rest of the body goes to a closed connection
      spawnWorker(workerEnv, workers);
      const result = await run.result(h);
      const tookOverMs = Date.now() - killedAt;
      t.diagnostic(`done ${tookOverMs} ms after the kill (heartbeat timeout 30 s)`);

      assert.equal(result.state, 'pr-opened', JSON.stringify(result.error));
      const served = await servedBytes(next.url);
      assert.equal(served.length, size);
      assert.deepEqual(await store.keys(), [KEY], 'exactly one object');
      assert.ok((await store.objectBytes(KEY)).equals(served), 'the object holds the bytes served');
      assert.deepEqual(await store.uploadsUnder(''), [], 'no upload left in the store');
      assert.deepEqual(result.mirrored, [
        { image: IMAGE, key: KEY, size, checksum: sha256(served), uploaded: true },
      ]);
      const { attempt, result: done } = await mirrorActivity(h);
      assert.ok(attempt >= 2, `a retry finished the upload (attempt ${attempt})`);
      assert.equal(done.parts, 4, 'four parts of 5 MiB at most');
      assert.equal(done.resumedParts, stored, 'the retry reused the part stored before the kill');
      assert.equal(world.fileOn(result.workBranch!), expected, 'the pushed catalog, whole');
      assert.equal(world.github.pulls.length, 1, 'one PR');
      assert.ok(tookOverMs < 90_000, `took over in ${tookOverMs} ms`);
    } finally {
      release();
      await stopWorkers(workers);
      await h?.terminate('end of test').catch(() => undefined);
      await world.close();
    }
  });
});
