/**
 * The catalog's mirror upload (issue 22), after approval and before the PR:
 * a new image's file streamed from its `url` into the worker's S3 mirror
 * under the key its `mirror_url` names (src/lib/catalog/mirrorKey.ts), by
 * src/clients/s3Mirror.ts (multipart, checksum verified while streaming,
 * idempotent, resumable).
 *
 *   mirrorCatalogImage({ image, url, checksum, mirrorUrl })
 *     no `catalog.mirror` on the worker → { skipped }, nothing contacted;
 *     else the upload, heartbeating its progress (beatWith) and resuming the
 *     upload the previous attempt's last heartbeat names (or, without one,
 *     the store's own newest upload of the key)
 *
 * The credentials stay in the worker (deps.catalogMirror): never in an
 * input, a result, a heartbeat or a log line.
 */
import { Context, log } from '@temporalio/activity';
import { z } from 'zod';
import { parseCatalogChecksum } from '../../lib/catalog/mirrorUpload.js';
import { mirrorKeyFor } from '../../lib/catalog/mirrorKey.js';
import type { MirrorImageInput } from '../../clients/s3Mirror.js';
import type { CatalogMirror } from '../../clients/s3MirrorSettings.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import type { ActivityDeps } from '../kit/deps.js';
import { beatWith } from '../kit/wrap.js';

export interface MirrorCatalogImageInput {
  /** the catalog image's name, for messages */
  image: string;
  /** the image file (the new version's `url`) */
  url: string;
  /** the catalog's checksum: `sha256:<hex>` or `sha512:<hex>` */
  checksum: string;
  /** the new version's `mirror_url`: the object key is its path under the worker's `catalog.mirror.baseUrl` */
  mirrorUrl: string;
}

export interface MirrorCatalogImageResult {
  /** why nothing was mirrored (no mirror on the worker); the other fields are then absent */
  skipped?: string;
  /** the object's key in the bucket */
  key?: string;
  /** the object's size in bytes */
  size?: number;
  /** the checksum verified while streaming, as the catalog writes it */
  checksum?: string;
  /** false: an object with this checksum was already at the key */
  uploaded?: boolean;
  /** parts of the upload (0 when nothing was uploaded) */
  parts?: number;
  /** parts an earlier attempt had stored, reused */
  resumedParts?: number;
}

export const NO_MIRROR = 'no mirror configured on the worker (catalog.mirror)';

/** The previous attempt's last heartbeat, when it is a mirror progress (else nothing to resume). */
const progressSchema = z.object({
  key: z.string().min(1),
  uploadId: z.string().min(1),
  checksum: z.string().optional(),
  partSize: z.number().int().positive().optional(),
  partsDone: z.number().int().min(0).optional(),
  bytesDone: z.number().int().min(0).optional(),
});

function previousProgress(details: unknown): MirrorImageInput['resume'] {
  const parsed = progressSchema.safeParse(details);
  return parsed.success ? parsed.data : undefined;
}

function targetOf(settings: CatalogMirror, key: string) {
  return { endpoint: settings.endpoint, region: settings.region, bucket: settings.bucket, key };
}

export function catalogMirrorActivities(deps: Pick<ActivityDeps, 'catalogMirror'>) {
  const settings = deps.catalogMirror;

  return {
    /** One new image's file into the worker's S3 mirror, under the key its mirror_url names. */
    async mirrorCatalogImage(input: MirrorCatalogImageInput): Promise<MirrorCatalogImageResult> {
      if (settings === undefined) return { skipped: NO_MIRROR };
      const checksum = parseCatalogChecksum(input.checksum);
      if (checksum === undefined)
        throw fatal(
          FatalFailure.BadInput,
          `image ${JSON.stringify(input.image)}: expected its checksum as sha256:<64 hex> or sha512:<128 hex>; found ${JSON.stringify(input.checksum)}`,
        );
      const key = mirrorKeyFor(input.mirrorUrl, settings);
      const ctx = Context.current();
      const resume = previousProgress(ctx.info.heartbeatDetails);
      const result = await settings.mirror.mirrorImage({
        sourceUrl: input.url,
        checksum,
        target: targetOf(settings, key),
        credentials: settings.credentials,
        partSize: settings.partSize,
        ...(resume === undefined ? {} : { resume }),
        signal: ctx.cancellationSignal,
        onProgress: (progress) => beatWith(progress),
      });
      log.info('catalog image mirrored', {
        image: input.image,
        key,
        size: result.size,
        uploaded: result.uploaded,
        parts: result.parts,
        resumedParts: result.resumedParts,
      });
      return {
        key: result.key,
        size: result.size,
        checksum: result.checksum,
        uploaded: result.uploaded,
        parts: result.parts,
        resumedParts: result.resumedParts,
      };
    },
  };
}
