/**
 * The pure side of the image mirror's multipart upload (src/clients/s3Mirror.ts
 * does the I/O). No I/O here.
 *
 *   parseCatalogChecksum('sha256:<hex>'): MirrorChecksum   a catalog's checksum, split
 *   checksumProblem(checksum): string | undefined          why a checksum is unusable
 *   catalogChecksum(checksum): string                      back to `sha256:<hex>`
 *   checksumMetadata(checksum): Record<string, string>     the object metadata written (`x-amz-meta-sha256`)
 *   storedChecksum(metadata, algorithm): string | undefined   that metadata read back
 *   choosePartSize(requested, contentLength?): number      the part size an upload uses
 *   partSizeProblem(size): string | undefined              why a part size is refused
 *   etagHex(etag): string                                  an S3 ETag without quotes, lower case
 *   storedPartMatches(stored, part): boolean               may a part the store kept be reused?
 *
 * S3's multipart limits (the same on MinIO): parts of 5 MiB to 5 GiB (the
 * last may be smaller), at most 10,000 parts. A part's ETag is the MD5 of its
 * bytes (not under SSE-KMS: then no stored part matches and each is uploaded
 * again, which is slower, never wrong).
 */
import type { ChecksumAlgorithm } from './checksums.js';

export const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * 1024 * MIB;
export const MAX_PARTS = 10_000;
/** 64 MiB: a 2 GiB image in 32 parts; the client buffers one part at a time. */
export const DEFAULT_PART_SIZE = 64 * MIB;

export interface MirrorChecksum {
  algorithm: ChecksumAlgorithm;
  /** lower-case hex digest */
  hex: string;
}

const HEX_LENGTH: Record<ChecksumAlgorithm, number> = { sha256: 64, sha512: 128 };

export function checksumProblem(checksum: { algorithm: string; hex: string }): string | undefined {
  const length = HEX_LENGTH[checksum.algorithm as ChecksumAlgorithm] as number | undefined;
  if (length === undefined)
    return `expected a sha256 or sha512 checksum; found algorithm ${JSON.stringify(checksum.algorithm)}`;
  if (!new RegExp(`^[0-9a-f]{${length}}$`).test(checksum.hex))
    return `expected ${length} lower-case hex digits for ${checksum.algorithm}; found ${JSON.stringify(checksum.hex)}`;
  return undefined;
}

/** `sha256:<hex>` / `sha512:<hex>` (a catalog's `checksum`) as algorithm and hex; undefined when it is neither. */
export function parseCatalogChecksum(value: string): MirrorChecksum | undefined {
  const colon = value.indexOf(':');
  if (colon < 0) return undefined;
  const checksum = { algorithm: value.slice(0, colon) as ChecksumAlgorithm, hex: value.slice(colon + 1) };
  return checksumProblem(checksum) === undefined ? checksum : undefined;
}

export function catalogChecksum(checksum: MirrorChecksum): string {
  return `${checksum.algorithm}:${checksum.hex}`;
}

/** The user metadata written on the object: `x-amz-meta-<algorithm>: <hex>`. */
export function checksumMetadata(checksum: MirrorChecksum): Record<string, string> {
  return { [checksum.algorithm]: checksum.hex };
}

/** The hex digest the object's metadata holds for `algorithm` (keys are case-insensitive), if any. */
export function storedChecksum(
  metadata: Record<string, string> | undefined,
  algorithm: ChecksumAlgorithm,
): string | undefined {
  for (const [key, value] of Object.entries(metadata ?? {}))
    if (key.toLowerCase() === algorithm) return value.trim().toLowerCase();
  return undefined;
}

export function partSizeProblem(size: number): string | undefined {
  if (!Number.isSafeInteger(size) || size < MIN_PART_SIZE || size > MAX_PART_SIZE)
    return `expected a part size of ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB) bytes; found ${size}`;
  return undefined;
}

/**
 * The part size of an upload: the one asked for, or, when the image announced
 * a length that would need more than 10,000 parts of it, the smallest whole
 * number of MiB that fits it in 10,000.
 */
export function choosePartSize(requested: number, contentLength?: number): number {
  if (contentLength === undefined || contentLength <= requested * MAX_PARTS) return requested;
  return Math.ceil(contentLength / MAX_PARTS / MIB) * MIB;
}

export function etagHex(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
}

/** A stored part is reused only when its size and ETag are those of the bytes read again for it. */
export function storedPartMatches(
  stored: { size: number; etag: string } | undefined,
  part: { size: number; md5Hex: string },
): boolean {
  return stored !== undefined && stored.size === part.size && etagHex(stored.etag) === part.md5Hex;
}
