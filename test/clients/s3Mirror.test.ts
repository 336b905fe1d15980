/**
 * The image mirror (src/clients/s3Mirror.ts) on real parts: MinIO built from
 * the Go module proxy (src/sandbox/minio.ts), the real AWS SDK, and image
 * files served by a loopback HTTP server. Every object is read back through
 * the S3 API; UploadPart calls are counted by a middleware on the mirror's
 * own SDK client, source requests by the image server.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ListPartsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  createS3Mirror,
  type MirrorImageInput,
  type MirrorProgress,
  type S3Mirror,
} from '../../src/clients/s3Mirror.js';
import { FatalFailure, TransientFailure } from '../../src/shared/failures.js';
import { startMinio, type RunningMinio } from '../../src/sandbox/minio.js';
import { freePort } from '../../src/sandbox/registryProcess.js';
import { rejectsWith } from './registryHelpers.js';
import {
  countCommands,
  countOf,
  MiB,
  flipByte,
  sha256Of,
  startImageServer,
  storeOf,
  type ImageServer,
} from './s3MirrorHelpers.js';

const PART = 5 * MiB;

void describe('the image mirror on MinIO', () => {
  let minio: RunningMinio;
  let images: ImageServer;
  let mirror: S3Mirror;
  const commands: string[] = [];
  const image = randomBytes(12 * MiB); // 3 parts: 5, 5 and 2 MiB

  before(async () => {
    [minio, images] = await Promise.all([startMinio(), startImageServer()]);
    mirror = createS3Mirror({ configureClient: (client) => countCommands(client, commands) });
  });
  after(async () => {
    await images?.close();
    await minio?.stop();
  });
  beforeEach(() => {
    commands.length = 0;
    images.requests.length = 0;
  });

  function input(name: string, bytes: Buffer, extra: Partial<MirrorImageInput> = {}): MirrorImageInput {
    images.files.set(name, { bytes });
    return {
      sourceUrl: images.urlOf(name),
      checksum: sha256Of(bytes),
      target: { endpoint: minio.endpoint, bucket: minio.bucket, key: `images/${name}`, forcePathStyle: true },
      credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
      partSize: PART,
      ...extra,
    };
  }

  const objectBytes = (key: string) => storeOf(minio).objectBytes(key);
  const head = (key: string) => storeOf(minio).head(key);
  const uploadsUnder = (key: string) => storeOf(minio).uploadsUnder(key);
  const assertNoObject = async (key: string) => assert.ok(await storeOf(minio).noObject(key), key);

  void test('streams the image in 3 parts, hashed on the way: the object read back is the served bytes', async () => {
    const progress: MirrorProgress[] = [];
    const result = await mirror.mirrorImage(
      input('noble.img', image, { onProgress: (p) => void progress.push(p) }),
    );
    const checksum = `sha256:${sha256Of(image).hex}`;
    assert.deepEqual(
      { ...result, etag: undefined },
      {
        key: 'images/noble.img',
        size: image.length,
        checksum,
        parts: 3,
        uploaded: true,
        resumedParts: 0,
        etag: undefined,
      },
    );
    assert.ok((await objectBytes('images/noble.img')).equals(image));
    const stored = await head('images/noble.img');
    assert.equal(stored.ContentLength, image.length);
    assert.deepEqual(stored.Metadata, { sha256: sha256Of(image).hex });
    assert.equal(result.etag, stored.ETag?.replace(/"/g, ''));
    assert.equal(countOf(commands, 'UploadPartCommand'), 3);
    assert.deepEqual(
      progress.map((p) => [p.partsDone, p.bytesDone]),
      [
        [0, 0],
        [1, PART],
        [2, 2 * PART],
        [3, image.length],
      ],
    );
    assert.ok(progress.every((p) => p.uploadId === progress[0]!.uploadId && p.key === 'images/noble.img'));
    assert.ok(progress.every((p) => p.checksum === checksum && p.partSize === PART));
    assert.deepEqual(await uploadsUnder('images/noble.img'), []);
    assert.deepEqual(images.requests, ['GET /noble.img']);
  });

  void test('a second run is a no-op: no source request, the object untouched', async () => {
    await mirror.mirrorImage(input('jammy.img', image));
    const before = await head('images/jammy.img');
    commands.length = 0;
    images.requests.length = 0;
    const again = await mirror.mirrorImage(input('jammy.img', image));
    assert.equal(again.uploaded, false);
    assert.equal(again.parts, 0);
    assert.equal(again.size, image.length);
    assert.deepEqual(images.requests, []);
    assert.deepEqual(commands, ['HeadObjectCommand']);
    const now = await head('images/jammy.img');
    assert.equal(now.ETag, before.ETag);
    assert.equal(now.LastModified?.getTime(), before.LastModified?.getTime());
  });

  // a client that buffered the whole image would wait on the source for ever: the timeout fails it
  void test(
    'only one part is held: part 1 is stored before the source sends the rest',
    { timeout: 60_000 },
    async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const run = input('streamed.img', image);
      images.files.set('streamed.img', { bytes: image, holdAt: { at: PART + 1024, release: released } });
      const result = await mirror.mirrorImage({
        ...run,
        onProgress: (p) => {
          if (p.partsDone === 1) release(); // the source waits for this: a client that buffers it all never gets here
        },
      });
      assert.equal(result.parts, 3);
      assert.ok((await objectBytes('images/streamed.img')).equals(image));
    },
  );

  void test('bytes that do not hash to the checksum: ChecksumMismatch, no object, no upload left', async () => {
    const served = Buffer.from(image);
    flipByte(served, 7 * MiB);
    const run = { ...input('tampered.img', served), checksum: sha256Of(image) };
    const err = await rejectsWith(mirror.mirrorImage(run), FatalFailure.ChecksumMismatch);
    assert.match(err.message, new RegExp(`expected sha256:${sha256Of(image).hex} \\(the catalog's\\)`));
    assert.match(err.message, new RegExp(`found sha256:${sha256Of(served).hex} over ${served.length} bytes`));
    assert.equal(err.retryable, false);
    assert.equal(countOf(commands, 'UploadPartCommand'), 3);
    assert.equal(countOf(commands, 'AbortMultipartUploadCommand'), 1);
    await assertNoObject('images/tampered.img');
    assert.deepEqual(await uploadsUnder('images/tampered.img'), []);
  });

  void test('resumes after 2 parts: only the missing part is uploaded, every byte hashed again', async () => {
    const progress: MirrorProgress[] = [];
    const first = input('resumed.img', image, {
      onProgress: (p) => {
        progress.push(p);
        if (p.partsDone === 2) throw new Error('worker lost');
      },
    });
    await assert.rejects(mirror.mirrorImage(first), /worker lost/);
    const last = progress.at(-1)!;
    const kept = await minio.client.send(
      new ListPartsCommand({ Bucket: minio.bucket, Key: 'images/resumed.img', UploadId: last.uploadId }),
    );
    assert.equal(kept.Parts?.length, 2);
    await assertNoObject('images/resumed.img');
    commands.length = 0;
    images.requests.length = 0;

    const result = await mirror.mirrorImage(input('resumed.img', image, { resume: last }));
    assert.equal(result.uploaded, true);
    assert.equal(result.resumedParts, 2);
    assert.equal(result.parts, 3);
    assert.equal(countOf(commands, 'UploadPartCommand'), 1);
    assert.equal(countOf(commands, 'CreateMultipartUploadCommand'), 0);
    assert.deepEqual(images.requests, ['GET /resumed.img']);
    assert.ok((await objectBytes('images/resumed.img')).equals(image));
    assert.deepEqual(await uploadsUnder('images/resumed.img'), []);
  });

  void test('resuming, a stored part that differs from the bytes read again is uploaded again', async () => {
    const progress: MirrorProgress[] = [];
    const stale = Buffer.from(image);
    flipByte(stale, PART + 10); // part 2 of the first attempt differs from what the source sends now
    const first = {
      ...input('changed.img', stale, {
        onProgress: (p) => {
          progress.push(p);
          if (p.partsDone === 2) throw new Error('worker lost');
        },
      }),
      checksum: sha256Of(image),
    };
    await assert.rejects(mirror.mirrorImage(first), /worker lost/);
    commands.length = 0;
    const result = await mirror.mirrorImage(input('changed.img', image, { resume: progress.at(-1)! }));
    assert.equal(result.resumedParts, 1);
    assert.equal(countOf(commands, 'UploadPartCommand'), 2);
    assert.ok((await objectBytes('images/changed.img')).equals(image));
  });

  void test('resuming an upload the store no longer has begins a new one', async () => {
    const progress: MirrorProgress[] = [];
    const first = input('gone.img', image, {
      onProgress: (p) => {
        progress.push(p);
        if (p.partsDone === 1) throw new Error('worker lost');
      },
    });
    await assert.rejects(mirror.mirrorImage(first), /worker lost/);
    const last = progress.at(-1)!;
    await mirror.abortUpload({
      target: first.target,
      credentials: first.credentials,
      uploadId: last.uploadId,
    });
    commands.length = 0;
    const result = await mirror.mirrorImage(input('gone.img', image, { resume: last }));
    assert.equal(result.resumedParts, 0);
    assert.equal(countOf(commands, 'CreateMultipartUploadCommand'), 1);
    assert.equal(countOf(commands, 'UploadPartCommand'), 3);
    assert.ok((await objectBytes('images/gone.img')).equals(image));
  });

  void test("a retry that never heard the upload id (a worker lost before its throttled heartbeat) continues the store's own upload", async () => {
    const progress: MirrorProgress[] = [];
    const first = input('unheard.img', image, {
      onProgress: (p) => {
        progress.push(p);
        if (p.partsDone === 2) throw new Error('worker lost');
      },
    });
    await assert.rejects(mirror.mirrorImage(first), /worker lost/);
    commands.length = 0;
    const result = await mirror.mirrorImage(input('unheard.img', image)); // no resume: nothing reached the server
    assert.equal(result.resumedParts, 2);
    assert.equal(countOf(commands, 'CreateMultipartUploadCommand'), 0);
    assert.equal(countOf(commands, 'UploadPartCommand'), 1);
    assert.ok((await objectBytes('images/unheard.img')).equals(image));
    assert.deepEqual(await uploadsUnder('images/unheard.img'), []);
  });

  void test('an upload left by an attempt that never reported its id is continued, none left once the object is there', async () => {
    const progress: MirrorProgress[] = [];
    const first = input('orphan.img', image, {
      onProgress: (p) => {
        progress.push(p);
        throw new Error('worker lost before its first heartbeat');
      },
    });
    await assert.rejects(mirror.mirrorImage(first), /worker lost/);
    assert.deepEqual(await uploadsUnder('images/orphan.img'), [progress[0]!.uploadId]);
    commands.length = 0;
    await mirror.mirrorImage(input('orphan.img', image));
    assert.equal(countOf(commands, 'CreateMultipartUploadCommand'), 0, 'the orphan upload was continued');
    assert.deepEqual(await uploadsUnder('images/orphan.img'), []);
    assert.ok((await objectBytes('images/orphan.img')).equals(image));
  });

  void test('an object at the key with another checksum is never overwritten', async () => {
    const other = randomBytes(MiB);
    await mirror.mirrorImage(input('taken.img', other));
    images.requests.length = 0;
    const err = await rejectsWith(
      mirror.mirrorImage(input('taken.img', image)),
      FatalFailure.MirrorObjectDiffers,
    );
    assert.match(
      err.message,
      new RegExp(
        `expected no object or one with sha256:${sha256Of(image).hex}; found one of ${MiB} bytes with sha256:${sha256Of(other).hex}`,
      ),
    );
    assert.deepEqual(images.requests, []);
    assert.ok((await objectBytes('images/taken.img')).equals(other));
  });

  void test('an object without checksum metadata (put by another tool) is judged by its bytes', async () => {
    const put = (key: string, body: Buffer) =>
      minio.client.send(new PutObjectCommand({ Bucket: minio.bucket, Key: key, Body: body }));
    await put('images/same.img', image);
    const same = await mirror.mirrorImage(input('same.img', image));
    assert.equal(same.uploaded, false);
    assert.equal(countOf(commands, 'GetObjectCommand'), 1);
    const other = randomBytes(MiB);
    await put('images/other.img', other);
    await rejectsWith(mirror.mirrorImage(input('other.img', image)), FatalFailure.MirrorObjectDiffers);
    assert.ok((await objectBytes('images/other.img')).equals(other));
    assert.deepEqual(images.requests, []);
  });

  void test('wrong credentials: AuthRefused, the secret in no message or detail', async () => {
    const wrongSecret = `not-${minio.secretAccessKey}`;
    for (const credentials of [
      { accessKeyId: minio.accessKeyId, secretAccessKey: wrongSecret },
      { accessKeyId: 'nobody-at-all', secretAccessKey: wrongSecret },
    ]) {
      const err = await rejectsWith(
        mirror.mirrorImage({ ...input('auth.img', image), credentials }),
        FatalFailure.AuthRefused,
      );
      assert.match(
        err.message,
        /expected the store at http:\/\/127\.0\.0\.1:\d+ \(bucket images\) to accept the mirror's credentials; found HTTP 403: check the access key and secret/,
      );
      const shown = JSON.stringify({ m: err.message, d: err.details, s: err.stack });
      assert.ok(!shown.includes(wrongSecret) && !shown.includes(minio.secretAccessKey));
    }
    assert.deepEqual(images.requests, []);
  });

  void test('a bucket that does not exist: StoreMisconfigured', async () => {
    const run = input('nobucket.img', image);
    const err = await rejectsWith(
      mirror.mirrorImage({ ...run, target: { ...run.target, bucket: 'no-such-bucket' } }),
      FatalFailure.StoreMisconfigured,
    );
    assert.match(
      err.message,
      /expected the bucket no-such-bucket at http:\/\/127\.0\.0\.1:\d+; found NoSuchBucket \(HTTP 404\)/,
    );
  });

  void test('a store that does not answer: StoreUnavailable (retryable); one whose host does not resolve: HostNotFound', async () => {
    const run = input('down.img', image);
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await rejectsWith(
      mirror.mirrorImage({ ...run, target: { ...run.target, endpoint: closed } }),
      TransientFailure.StoreUnavailable,
    );
    assert.match(
      down.message,
      /expected an answer from the store at http:\/\/127\.0\.0\.1:\d+ \(bucket images\); found ECONNREFUSED/,
    );
    assert.equal(down.retryable, true);
    const nowhere = await rejectsWith(
      mirror.mirrorImage({
        ...run,
        target: { ...run.target, endpoint: 'http://s3.nonexistent.invalid:9000' },
      }),
      FatalFailure.HostNotFound,
    );
    assert.match(nowhere.message, /the host .*nonexistent\.invalid does not resolve/);
    assert.deepEqual(images.requests, []);
  });

  void test('the source: 404 is ImageNotFound, 503 MirrorUnavailable, and no upload is begun', async () => {
    const run = input('missing.img', image);
    images.files.set('missing.img', { bytes: image, status: 404 });
    await rejectsWith(mirror.mirrorImage(run), FatalFailure.ImageNotFound);
    images.files.set('missing.img', { bytes: image, status: 503 });
    const busy = await rejectsWith(mirror.mirrorImage(run), TransientFailure.MirrorUnavailable);
    assert.match(busy.message, /expected 200 from http:\/\/127\.0\.0\.1:\d+\/missing\.img; found HTTP 503/);
    assert.equal(countOf(commands, 'CreateMultipartUploadCommand'), 0);
    assert.deepEqual(await uploadsUnder('images/missing.img'), []);
  });

  void test('input refused before any request: a URL with credentials, a part size under 5 MiB', async () => {
    const run = input('bad.img', image);
    await rejectsWith(
      mirror.mirrorImage({ ...run, sourceUrl: images.urlOf('bad.img').replace('http://', 'http://u:p@') }),
      FatalFailure.BadInput,
    );
    await rejectsWith(mirror.mirrorImage({ ...run, partSize: MiB }), FatalFailure.BadInput);
    assert.deepEqual(commands, []);
    assert.deepEqual(images.requests, []);
  });
});
