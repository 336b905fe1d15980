/**
 * One multipart upload of a mirror key (s3Mirror.ts drives it), each call's
 * failure typed by s3MirrorStore.ts:
 *   beginUpload(call, metadata): uploadId        CreateMultipartUpload
 *   listStoredParts(call, uploadId)              the parts the store keeps (all pages), by number;
 *                                                undefined when the upload is gone (NoSuchUpload)
 *   uploadPart(call, uploadId, number, bytes)    UploadPart with the bytes' Content-MD5: the ETag
 *   completeUpload(call, uploadId, parts)        CompleteMultipartUpload
 *   abortUpload(call, uploadId)                  AbortMultipartUpload; one already gone is no failure
 *   abortOtherUploads(call, keep)                the key's other uploads, left by attempts that
 *                                                never reported their id, aborted
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { BumpflowError } from '../shared/failures.js';
import { send, type StoreCall, storeAnswer, storeFailure } from './s3MirrorStore.js';

function ids(call: StoreCall): { Bucket: string; Key: string } {
  return { Bucket: call.target.bucket, Key: call.target.key };
}

export async function beginUpload(call: StoreCall, metadata: Record<string, string>): Promise<string> {
  const created = await send(call, `beginning the upload of ${call.target.key}`, (abortSignal) =>
    call.client.send(
      new CreateMultipartUploadCommand({
        ...ids(call),
        Metadata: metadata,
        ContentType: 'application/octet-stream',
      }),
      { abortSignal },
    ),
  );
  return created.UploadId ?? '';
}

/** The part's ETag; `md5` is the MD5 of `bytes` (the store checks it). */
export async function uploadPart(
  call: StoreCall,
  uploadId: string,
  PartNumber: number,
  bytes: Buffer,
  md5: Buffer = createHash('md5').update(bytes).digest(),
): Promise<string | undefined> {
  const sent = await send(call, `uploading part ${PartNumber} of ${call.target.key}`, (abortSignal) =>
    call.client.send(
      new UploadPartCommand({
        ...ids(call),
        UploadId: uploadId,
        PartNumber,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentMD5: md5.toString('base64'),
      }),
      { abortSignal },
    ),
  );
  return sent.ETag;
}

export async function completeUpload(
  call: StoreCall,
  uploadId: string,
  parts: CompletedPart[],
): Promise<void> {
  await send(call, `completing the upload of ${call.target.key}`, (abortSignal) =>
    call.client.send(
      new CompleteMultipartUploadCommand({
        ...ids(call),
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
      { abortSignal },
    ),
  );
}

export async function abortUpload(call: StoreCall, uploadId: string): Promise<void> {
  try {
    await send(call, `aborting upload ${uploadId} of ${call.target.key}`, (abortSignal) =>
      call.client.send(new AbortMultipartUploadCommand({ ...ids(call), UploadId: uploadId }), {
        abortSignal,
      }),
    );
  } catch (err) {
    // an upload already gone is what was asked for
    if (!(err instanceof BumpflowError && err.details?.code === 'NoSuchUpload')) throw err;
  }
}

/** Every part the store keeps for `uploadId` (all pages), by number; undefined when the upload is gone. */
export async function listStoredParts(
  call: StoreCall,
  uploadId: string,
): Promise<Map<number, { size: number; etag: string }> | undefined> {
  const { client, target } = call;
  const parts = new Map<number, { size: number; etag: string }>();
  let marker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await client.send(
        new ListPartsCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          ...(marker === undefined ? {} : { PartNumberMarker: marker }),
        }),
        { abortSignal: call.signal },
      );
    } catch (err) {
      if (storeAnswer(err)?.code === 'NoSuchUpload') return undefined;
      if (call.signal?.aborted) throw call.signal.reason;
      throw storeFailure(
        err,
        `listing the parts of upload ${uploadId} of ${target.key}`,
        target,
        call.timeoutMs,
      );
    }
    for (const p of page.Parts ?? [])
      if (p.PartNumber !== undefined) parts.set(p.PartNumber, { size: p.Size ?? 0, etag: p.ETag ?? '' });
    if (!page.IsTruncated || page.NextPartNumberMarker === undefined) return parts;
    marker = page.NextPartNumberMarker;
  }
}

/** The multipart uploads under way of exactly this key, newest first. */
async function uploadsOf(call: StoreCall): Promise<string[]> {
  const { target } = call;
  const page = await send(call, `listing the uploads under way at ${target.key}`, (abortSignal) =>
    call.client.send(new ListMultipartUploadsCommand({ Bucket: target.bucket, Prefix: target.key }), {
      abortSignal,
    }),
  );
  return (page.Uploads ?? [])
    .filter((u) => u.Key === target.key && u.UploadId !== undefined)
    .sort((a, b) => (b.Initiated?.getTime() ?? 0) - (a.Initiated?.getTime() ?? 0))
    .map((u) => u.UploadId as string);
}

/**
 * The newest upload under way of this key, for an attempt that never heard of its predecessor's
 * (a heartbeat is throttled: a worker lost in its first seconds never told the server the id).
 * Safe to continue whoever began it: a kept part is reused only where its size and MD5 are those
 * of the bytes read again, and the object is completed only on the catalog's checksum.
 */
export async function latestUploadOf(call: StoreCall): Promise<string | undefined> {
  return (await uploadsOf(call))[0];
}

/** Aborts the multipart uploads of exactly this key other than `keep`; their ids. */
export async function abortOtherUploads(call: StoreCall, keep: string | undefined): Promise<string[]> {
  const others = (await uploadsOf(call)).filter((id) => id !== keep);
  for (const uploadId of others) await abortUpload(call, uploadId);
  return others;
}
