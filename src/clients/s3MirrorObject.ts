/**
 * The object at a mirror key, before and after an upload (s3Mirror.ts):
 *   objectAlreadyThere(call, checksum)   the object when it holds the catalog's checksum
 *                                        (by its metadata, else read back and hashed);
 *                                        undefined when there is none; other bytes →
 *                                        MirrorObjectDiffers, the object left as it is
 *   verifyStored(call, checksum, size)   after CompleteMultipartUpload: that size and that
 *                                        checksum's metadata, else MirrorObjectDiffers
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { catalogChecksum, type MirrorChecksum, storedChecksum } from '../lib/catalog/mirrorUpload.js';
import { fatal, FatalFailure } from '../shared/failures.js';
import { headObject, send, type StoreCall, type StoredObject } from './s3MirrorStore.js';

/** The hex digest of `stream`'s bytes with `algorithm`. */
async function hashStream(stream: AsyncIterable<Uint8Array>, algorithm: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

export async function objectAlreadyThere(
  call: StoreCall,
  checksum: MirrorChecksum,
): Promise<StoredObject | undefined> {
  const { target } = call;
  const object = await headObject(call, `looking for ${target.key}`);
  if (object === undefined) return undefined;
  let found = storedChecksum(object.metadata, checksum.algorithm);
  if (found === undefined) {
    // not written by bumpflow (update.py writes no metadata): its bytes decide
    const what = `reading ${target.key} back to hash it`;
    const got = await send(call, what, (abortSignal) =>
      call.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: target.key }), { abortSignal }),
    );
    found = await send(call, what, () =>
      hashStream(got.Body as AsyncIterable<Uint8Array>, checksum.algorithm),
    );
  }
  if (found !== checksum.hex)
    throw fatal(
      FatalFailure.MirrorObjectDiffers,
      `${target.key} in bucket ${target.bucket}: expected no object or one with ${catalogChecksum(checksum)}; ` +
        `found one of ${object.size} bytes with ${checksum.algorithm}:${found} (left as it is: remove it to mirror this image)`,
      { key: target.key, expected: catalogChecksum(checksum), found: `${checksum.algorithm}:${found}` },
    );
  return object;
}

export async function verifyStored(
  call: StoreCall,
  checksum: MirrorChecksum,
  size: number,
): Promise<StoredObject> {
  const { target } = call;
  const object = await headObject(call, `checking ${target.key} after completing its upload`);
  const found = object && storedChecksum(object.metadata, checksum.algorithm);
  if (object !== undefined && object.size === size && found === checksum.hex) return object;
  const shown =
    object === undefined ? 'no object' : `${object.size} bytes with ${found ?? 'no checksum metadata'}`;
  throw fatal(
    FatalFailure.MirrorObjectDiffers,
    `${target.key} in bucket ${target.bucket} after completing its upload: expected ${size} bytes with ${catalogChecksum(checksum)}; found ${shown}`,
    { key: target.key, expected: catalogChecksum(checksum), size },
  );
}
