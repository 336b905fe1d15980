/**
 * The image mirror: a catalog entry's image streamed from its `url` into an
 * S3-compatible store (MinIO, Swift's S3 API) as one multipart upload, as
 * OSISM's update.py uploads each new image.
 *
 *   createS3Mirror(options?).mirrorImage(input): MirrorResult
 *     1. HeadObject: an object at the key whose metadata (`x-amz-meta-sha256`)
 *        holds the catalog's checksum → nothing read, nothing written
 *        (`uploaded: false`); one without that metadata is read back and hashed;
 *        other bytes → MirrorObjectDiffers (never overwritten).
 *     2. GET the image and stream it part by part (one part in memory), hashing
 *        every byte; each part is uploaded with its Content-MD5, or, resuming
 *        `resume.uploadId` — or, without it, the store's own newest upload of
 *        the key (a worker lost before its throttled heartbeat told the id) —
 *        reused when the store keeps a part of that size whose ETag is the MD5
 *        of the bytes read again (else uploaded again). An upload the store no
 *        longer has (NoSuchUpload) is begun anew.
 *     3. The digest ≠ the catalog's → AbortMultipartUpload, ChecksumMismatch:
 *        no object at the key. Else CompleteMultipartUpload, HeadObject checks
 *        size and metadata, and uploads of the key left by earlier attempts
 *        that never reported their id are aborted.
 *     `onProgress` is called once the upload has an id and after every part:
 *     an activity heartbeats it and hands the last one back as `resume` on its
 *     next attempt. Any other failure (an outage, the signal, onProgress
 *     throwing) leaves the upload and its parts in the store for that attempt.
 *   createS3Mirror(options?).abortUpload({ target, credentials, uploadId })
 *     gives up an upload (a run rejected or ended after an attempt failed).
 *
 * Credentials are passed resolved (from the variables the config names) and
 * never appear in a message, a detail or a progress report.
 */
import { createHash } from 'node:crypto';
import type { CompletedPart } from '@aws-sdk/client-s3';
import { urlProblem } from '../lib/catalog/catalogFile.js';
import {
  catalogChecksum,
  checksumMetadata,
  checksumProblem,
  choosePartSize,
  DEFAULT_PART_SIZE,
  etagHex,
  MAX_PARTS,
  MIN_PART_SIZE,
  type MirrorChecksum,
  partSizeProblem,
  storedPartMatches,
} from '../lib/catalog/mirrorUpload.js';
import { fatal, FatalFailure } from '../shared/failures.js';
import { objectAlreadyThere, verifyStored } from './s3MirrorObject.js';
import { openSource } from './s3MirrorSource.js';
import {
  abortOtherUploads,
  abortUpload,
  beginUpload,
  completeUpload,
  latestUploadOf,
  listStoredParts,
  uploadPart,
} from './s3MirrorMultipart.js';
import { type MirrorCredentials, type MirrorTarget, type StoreCall, storeClient } from './s3MirrorStore.js';

export type { MirrorCredentials, MirrorTarget } from './s3MirrorStore.js';
export type { MirrorChecksum } from '../lib/catalog/mirrorUpload.js';

/** Where an upload stands: what an activity heartbeats, and hands back as `resume`. No credentials. */
export interface MirrorProgress {
  key: string;
  /** the catalog's checksum (`sha256:<hex>`) the upload was begun for */
  checksum: string;
  uploadId: string;
  partSize: number;
  /** parts stored so far (uploaded now or kept from an earlier attempt) */
  partsDone: number;
  bytesDone: number;
}

export interface MirrorImageInput {
  /** the image file (the catalog entry's `url`): http(s), no credentials */
  sourceUrl: string;
  /** the catalog's checksum of that file */
  checksum: MirrorChecksum;
  target: MirrorTarget;
  credentials: MirrorCredentials;
  /** bytes per part, 5 MiB to 5 GiB; default 64 MiB (raised when the image would need over 10,000 parts) */
  partSize?: number | undefined;
  /** the last progress of an earlier attempt: its upload is continued when it is of this key (and checksum) and still in the store */
  resume?: Pick<MirrorProgress, 'key' | 'uploadId'> & Partial<MirrorProgress>;
  onProgress?: ((progress: MirrorProgress) => void | Promise<void>) | undefined;
  /** stops the upload (the activity's cancellation); the parts stay in the store */
  signal?: AbortSignal | undefined;
}

export interface MirrorResult {
  key: string;
  /** the object's size in bytes */
  size: number;
  /** `sha256:<hex>`, as the catalog writes it */
  checksum: string;
  /** parts of this run's upload (0 when nothing was uploaded) */
  parts: number;
  /** false: an object with this checksum was already at the key (nothing read from the source) */
  uploaded: boolean;
  /** parts reused from the store when resuming */
  resumedParts: number;
  /** the store's ETag of the object */
  etag: string;
}

export interface S3MirrorOptions {
  fetch?: typeof fetch;
  /** the longest wait for the source's answer and for each chunk of its body; default 60 s */
  sourceIdleTimeoutMs?: number;
  /** socket inactivity limit of one store request; default 120 s */
  storeTimeoutMs?: number;
  /** the SDK's attempts per store request; default 3 */
  storeMaxAttempts?: number;
  /** called with each S3 client made (a test counts UploadPart with a middleware) */
  configureClient?: Parameters<typeof storeClient>[2]['configureClient'];
}

export interface S3Mirror {
  mirrorImage(input: MirrorImageInput): Promise<MirrorResult>;
  abortUpload(input: {
    target: MirrorTarget;
    credentials: MirrorCredentials;
    uploadId: string;
  }): Promise<void>;
}

/** The part size an upload was begun with, from its first part (all but the last are that size); undefined below S3's minimum. */
function keptPartSize(stored: Map<number, { size: number }>): number | undefined {
  const first = stored.get(1)?.size;
  return first !== undefined && first >= MIN_PART_SIZE ? first : undefined;
}

function checkInput(input: MirrorImageInput): void {
  const where = `mirroring ${input.sourceUrl} to ${input.target.key}`;
  const problems = [
    checksumProblem(input.checksum),
    input.partSize === undefined ? undefined : partSizeProblem(input.partSize),
    urlProblem(input.sourceUrl),
    urlProblem(input.target.endpoint) && `endpoint: ${urlProblem(input.target.endpoint)}`,
    input.target.bucket === '' ? 'expected a bucket name; found none' : undefined,
    input.target.key === '' || input.target.key.startsWith('/')
      ? `expected an object key without a leading /; found ${JSON.stringify(input.target.key)}`
      : undefined,
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw fatal(FatalFailure.BadInput, `${where}: ${problems.join('; ')}`);
}

export function createS3Mirror(options: S3MirrorOptions = {}): S3Mirror {
  const doFetch = options.fetch ?? fetch;
  const idleTimeoutMs = options.sourceIdleTimeoutMs ?? 60_000;
  const timeoutMs = options.storeTimeoutMs ?? 120_000;
  const clientOptions = {
    timeoutMs,
    maxAttempts: options.storeMaxAttempts ?? 3,
    configureClient: options.configureClient,
  };

  async function mirrorImage(input: MirrorImageInput): Promise<MirrorResult> {
    checkInput(input);
    const { target, checksum } = input;
    const client = storeClient(target, input.credentials, clientOptions);
    const call: StoreCall = { client, target, timeoutMs, signal: input.signal };
    try {
      const there = await objectAlreadyThere(call, checksum);
      if (there === undefined) return await upload(input, call);
      const result = { key: target.key, size: there.size, checksum: catalogChecksum(checksum) };
      return { ...result, parts: 0, uploaded: false, resumedParts: 0, etag: etagHex(there.etag) };
    } finally {
      client.destroy();
    }
  }

  async function upload(input: MirrorImageInput, call: StoreCall): Promise<MirrorResult> {
    const { target, checksum } = input;
    const source = await openSource(input.sourceUrl, `the image for ${target.key}`, {
      fetch: doFetch,
      idleTimeoutMs,
      signal: input.signal,
    });
    try {
      const expected = catalogChecksum(checksum);
      const { resume } = input;
      const same =
        resume !== undefined && resume.key === target.key && (resume.checksum ?? expected) === expected;
      // the last attempt's word, else the store's own newest upload of this key (latestUploadOf)
      const candidate = same ? resume.uploadId : await latestUploadOf(call);
      // undefined: nothing to resume, or the store no longer has that upload (NoSuchUpload)
      const stored = candidate === undefined ? undefined : await listStoredParts(call, candidate);
      const partSize = choosePartSize(
        (stored && ((same ? resume?.partSize : undefined) ?? keptPartSize(stored))) ||
          input.partSize ||
          DEFAULT_PART_SIZE,
        source.contentLength,
      );
      const uploadId = (stored && candidate) || (await beginUpload(call, checksumMetadata(checksum)));
      const progress: MirrorProgress = {
        key: target.key,
        checksum: expected,
        uploadId,
        partSize,
        partsDone: 0,
        bytesDone: 0,
      };
      await input.onProgress?.({ ...progress });
      const hash = createHash(checksum.algorithm);
      const parts: CompletedPart[] = [];
      let resumedParts = 0;
      for await (const part of source.parts(partSize, hash)) {
        const PartNumber = parts.length + 1;
        if (PartNumber > MAX_PARTS)
          throw fatal(
            FatalFailure.TooLarge,
            `the image for ${target.key}: expected at most ${MAX_PARTS} parts of ${partSize} bytes; found more (${source.url} sent more than it announced)`,
          );
        const md5 = createHash('md5').update(part).digest();
        const kept = stored?.get(PartNumber);
        const reuse = storedPartMatches(kept, { size: part.byteLength, md5Hex: md5.toString('hex') });
        if (reuse) resumedParts++;
        const ETag = reuse ? kept?.etag : await uploadPart(call, uploadId, PartNumber, part, md5);
        parts.push({ PartNumber, ETag });
        progress.partsDone = PartNumber;
        progress.bytesDone += part.byteLength;
        await input.onProgress?.({ ...progress });
      }
      const found = `${checksum.algorithm}:${hash.digest('hex')}`;
      if (found !== expected) {
        const aborted = await abortUpload(call, uploadId).then(
          () => 'upload aborted',
          () =>
            'the store did not abort the upload: its parts (never an object) stay until an upload of this key completes',
        );
        throw fatal(
          FatalFailure.ChecksumMismatch,
          `the image for ${target.key} from ${source.url}: expected ${expected} (the catalog's); found ${found} over ${progress.bytesDone} bytes (${aborted}; nothing at ${target.key})`,
          { url: source.url, key: target.key, expected, found, size: progress.bytesDone, uploadId },
        );
      }
      await completeUpload(call, uploadId, parts);
      const object = await verifyStored(call, checksum, progress.bytesDone);
      await abortOtherUploads(call, uploadId).catch(() => undefined); // tidying only: the object is there
      return {
        key: target.key,
        size: object.size,
        checksum: catalogChecksum(checksum),
        parts: parts.length,
        uploaded: true,
        resumedParts,
        etag: etagHex(object.etag),
      };
    } finally {
      await source.close();
    }
  }

  async function abandonUpload(input: {
    target: MirrorTarget;
    credentials: MirrorCredentials;
    uploadId: string;
  }) {
    const client = storeClient(input.target, input.credentials, clientOptions);
    try {
      await abortUpload({ client, target: input.target, timeoutMs }, input.uploadId);
    } finally {
      client.destroy();
    }
  }

  return { mirrorImage, abortUpload: abandonUpload };
}
