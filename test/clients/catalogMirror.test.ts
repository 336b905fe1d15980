/**
 * The catalog's mirror-upload activity (src/activities/catalog/catalogMirror.ts) on
 * real parts: MinIO built from the Go module proxy (src/sandbox/minio.ts),
 * the real AWS SDK, image files from a loopback HTTP server, and the
 * activity run as the worker runs it (createActivities, so wrapped and
 * heartbeating) in the SDK's MockActivityEnvironment: a real activity
 * Context whose heartbeats, cancellation, attempt details and logger the test
 * holds. Objects are read back through the S3 API; UploadPart calls are
 * counted by a middleware on the mirror's own client.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ApplicationFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { NO_MIRROR, type MirrorCatalogImageInput } from '../../src/activities/catalog/catalogMirror.js';
import { createS3Mirror, type MirrorProgress } from '../../src/clients/s3Mirror.js';
import type { CatalogMirror } from '../../src/clients/s3MirrorSettings.js';
import { startMinio, type RunningMinio } from '../../src/sandbox/minio.js';
import {
  countCommands,
  countOf,
  flipByte,
  MiB,
  sha256Of,
  startImageServer,
  storeOf,
  type ImageServer,
} from './s3MirrorHelpers.js';

const PART = 5 * MiB;
const BASE = 'https://mirror.example.com/osism/openstack-images';

/** A logger that keeps every line (message and attributes) as text. */
function keptLogger(lines: string[]): Logger {
  const keep =
    (level: string) =>
    (message: string, meta?: Record<string, unknown>): void =>
      void lines.push(
        `${level} ${message} ${JSON.stringify(meta ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
      );
  return {
    log: (level, message, meta) => keep(level)(message, meta),
    trace: keep('TRACE'),
    debug: keep('DEBUG'),
    info: keep('INFO'),
    warn: keep('WARN'),
    error: keep('ERROR'),
  };
}

function isProgress(details: unknown): details is MirrorProgress {
  return typeof details === 'object' && details !== null && 'uploadId' in details;
}

void describe('mirrorCatalogImage on MinIO', () => {
  let minio: RunningMinio;
  let images: ImageServer;
  let mirror: CatalogMirror;
  let store: ReturnType<typeof storeOf>;
  const commands: string[] = [];
  const logs: string[] = [];
  const image = randomBytes(12 * MiB); // 3 parts: 5, 5 and 2 MiB
  const checksum = `sha256:${sha256Of(image).hex}`;

  before(async () => {
    [minio, images] = await Promise.all([startMinio({ bucket: 'osism' }), startImageServer()]);
    store = storeOf(minio);
    mirror = {
      mirror: createS3Mirror({ configureClient: (client) => countCommands(client, commands) }),
      endpoint: minio.endpoint,
      bucket: minio.bucket,
      prefix: 'openstack-images',
      baseUrl: BASE,
      region: minio.region,
      partSize: PART,
      credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    };
  });
  after(async () => {
    await images?.close();
    await minio?.stop();
  });
  beforeEach(() => {
    commands.length = 0;
    images.requests.length = 0;
  });

  function activities(catalogMirror: CatalogMirror | undefined) {
    // the catalog mirror is all these activities touch: the other clients are never called here
    const deps = { catalogMirror, author: { name: 't', email: 't@example.com' } } as unknown as ActivityDeps;
    return createActivities(deps);
  }

  /** A run as the worker schedules it (a heartbeat timeout), with its beats collected. */
  function environment(info: ConstructorParameters<typeof MockActivityEnvironment>[0] = {}) {
    const env = new MockActivityEnvironment(
      { heartbeatTimeoutMs: 30_000, activityType: 'mirrorCatalogImage', ...info },
      { logger: keptLogger(logs) },
    );
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    return { env, beats };
  }

  function input(
    name: string,
    bytes: Buffer,
    extra: Partial<MirrorCatalogImageInput> = {},
  ): MirrorCatalogImageInput {
    images.files.set(name, { bytes });
    return {
      image: `Ubuntu ${name}`,
      url: images.urlOf(name),
      checksum: `sha256:${sha256Of(bytes).hex}`,
      mirrorUrl: `${BASE}/ubuntu-24.04/${name}`,
      ...extra,
    };
  }

  /** The result of uploading `image` whole to `key` (`more`: what differs). */
  const mirrored = (key: string, more: Record<string, unknown> = {}) => ({
    key,
    size: image.length,
    checksum,
    uploaded: true,
    parts: 3,
    resumedParts: 0,
    ...more,
  });

  void test('uploads under the key its mirror_url names; the object read back is the served bytes; heartbeats carry the progress', async () => {
    const acts = activities(mirror);
    const { env, beats } = environment();
    const result = await env.run(acts.mirrorCatalogImage, input('noble.img', image));
    const key = 'openstack-images/ubuntu-24.04/noble.img';
    assert.deepEqual(result, mirrored(key));
    assert.ok((await store.objectBytes(key)).equals(image));
    assert.equal(countOf(commands, 'UploadPartCommand'), 3);
    const progress = beats.filter(isProgress);
    assert.deepEqual(
      progress.map((p) => [p.partsDone, p.bytesDone]),
      [
        [0, 0],
        [1, PART],
        [2, 2 * PART],
        [3, image.length],
      ],
    );
    assert.ok(
      progress.every((p) => p.key === key && p.uploadId === progress[0]!.uploadId && p.checksum === checksum),
    );
    assert.ok(logs.some((l) => l.includes('catalog image mirrored') && l.includes(key)));
  });

  void test('a second call uploads nothing: uploaded false, no source request', async () => {
    const acts = activities(mirror);
    await environment().env.run(acts.mirrorCatalogImage, input('jammy.img', image));
    commands.length = 0;
    images.requests.length = 0;
    const again = await environment().env.run(acts.mirrorCatalogImage, input('jammy.img', image));
    assert.deepEqual(
      again,
      mirrored('openstack-images/ubuntu-24.04/jammy.img', { uploaded: false, parts: 0 }),
    );
    assert.deepEqual(commands, ['HeadObjectCommand']);
    assert.deepEqual(images.requests, []);
  });

  void test("an attempt cancelled after 2 parts; the next, given that attempt's last heartbeat, uploads only the missing part", async () => {
    const acts = activities(mirror);
    const key = 'openstack-images/ubuntu-24.04/resumed.img';
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const run = input('resumed.img', image);
    // the source stalls after part 2: the attempt is cancelled there, as a lost worker's would time out
    images.files.set('resumed.img', { bytes: image, holdAt: { at: 2 * PART + 1024, release: released } });
    const first = environment();
    first.env.on('heartbeat', (details: unknown) => {
      if (isProgress(details) && details.partsDone === 2) first.env.cancel();
    });
    await assert.rejects(first.env.run(acts.mirrorCatalogImage, run));
    release();
    const last = first.beats.filter(isProgress).at(-1)!;
    assert.equal(last.partsDone, 2);
    assert.ok(await store.noObject(key));
    assert.deepEqual(await store.uploadsUnder(key), [last.uploadId]);

    images.files.set('resumed.img', { bytes: image });
    commands.length = 0;
    images.requests.length = 0;
    // the server hands the attempt its predecessor's last details, through the data converter (JSON)
    const second = environment({ attempt: 2, heartbeatDetails: JSON.parse(JSON.stringify(last)) });
    const result = await second.env.run(acts.mirrorCatalogImage, run);
    assert.deepEqual(result, mirrored(key, { resumedParts: 2 }));
    assert.equal(countOf(commands, 'UploadPartCommand'), 1);
    assert.equal(countOf(commands, 'CreateMultipartUploadCommand'), 0);
    assert.deepEqual(images.requests, ['GET /resumed.img']);
    assert.ok((await store.objectBytes(key)).equals(image));
    assert.deepEqual(await store.uploadsUnder(key), []);
    // until it reports its own progress, the attempt's beats carry its predecessor's (never a bare beat)
    assert.deepEqual(second.beats[0], JSON.parse(JSON.stringify(last)));
    assert.ok(second.beats.every((d) => isProgress(d) && d.uploadId === last.uploadId));
  });

  void test('no mirror configured: skipped, nothing contacted', async () => {
    const acts = activities(undefined);
    const { env, beats } = environment();
    const result = await env.run(acts.mirrorCatalogImage, input('skipped.img', image));
    assert.deepEqual(result, { skipped: NO_MIRROR });
    assert.equal(NO_MIRROR, 'no mirror configured on the worker (catalog.mirror)');
    assert.deepEqual(images.requests, []);
    assert.deepEqual(commands, []);
    assert.ok(beats.every((d) => d === undefined));
  });

  void test('a mirror_url outside baseUrl: MirrorMisconfigured, non-retryable, nothing read or uploaded', async () => {
    const acts = activities(mirror);
    const elsewhere = 'https://other.example.org/images/ubuntu-24.04/outside.img';
    await assert.rejects(
      environment().env.run(acts.mirrorCatalogImage, input('outside.img', image, { mirrorUrl: elsewhere })),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'MirrorMisconfigured');
        assert.equal(err.nonRetryable, true);
        assert.equal(
          err.message,
          `mirror_url "${elsewhere}": expected a URL under the worker's mirror ${BASE}/ (catalog.mirror.baseUrl); found one that does not start with it: fix the catalog's mirror_url or the worker's catalog.mirror`,
        );
        return true;
      },
    );
    assert.deepEqual(images.requests, []);
    assert.deepEqual(commands, []);
  });

  void test('typed failures pass through: the served bytes are not the checksum → ChecksumMismatch, no object', async () => {
    const acts = activities(mirror);
    const served = Buffer.from(image);
    flipByte(served, 7 * MiB);
    const run = { ...input('tampered.img', served), checksum };
    await assert.rejects(environment().env.run(acts.mirrorCatalogImage, run), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'ChecksumMismatch');
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, new RegExp(`expected ${checksum} \\(the catalog's\\)`));
      return true;
    });
    assert.ok(await store.noObject('openstack-images/ubuntu-24.04/tampered.img'));
    const bad = { ...run, checksum: 'md5:0123' };
    await assert.rejects(environment().env.run(acts.mirrorCatalogImage, bad), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'BadInput');
      assert.match(
        err.message,
        /expected its checksum as sha256:<64 hex> or sha512:<128 hex>; found "md5:0123"/,
      );
      return true;
    });
  });

  void test('the secret access key is in no error message, log line, heartbeat or result', async () => {
    const wrong = `not-${minio.secretAccessKey}`;
    const shown: string[] = [];
    const keep = (what: unknown) => shown.push(JSON.stringify(what));
    // a good run, a refused one, and every beat and log line of both
    const good = environment();
    keep(await good.env.run(activities(mirror).mirrorCatalogImage, input('secret.img', image)));
    const refused = environment();
    const wrongMirror = { ...mirror, credentials: { ...mirror.credentials, secretAccessKey: wrong } };
    await assert.rejects(
      refused.env.run(activities(wrongMirror).mirrorCatalogImage, input('refused.img', image)),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'AuthRefused');
        keep({ message: err.message, details: err.details, stack: err.stack, cause: String(err.cause) });
        return true;
      },
    );
    keep(good.beats);
    keep(refused.beats);
    keep(logs);
    assert.ok(logs.some((l) => l.includes('activity failed') && l.includes('AuthRefused')));
    const all = shown.join('\n');
    assert.ok(!all.includes(minio.secretAccessKey), 'the secret is never shown');
    assert.ok(!all.includes(wrong), 'nor a wrong one');
  });
});
