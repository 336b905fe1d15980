/**
 * Copying an image by digest to another repository or registry: for an
 * index (or Docker list) every child first, then the index; for an image
 * manifest its config and layers first (mounted across repositories of one
 * registry, else streamed), then the manifest. Manifests are pushed as the
 * exact bytes read, so the digest is the same; those already there are kept.
 * The source is read through its registry's endpoints in order; everything
 * about the destination (what is there, what is written) is on its first.
 */
import { isDigest } from '../../lib/kit/imageRef.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { copyBlob } from './blobs.js';
import { getManifest, probeManifest, putManifest } from './manifests.js';
import { type Repo } from './request.js';
import { indexSchema, INDEX_MEDIA_TYPES, manifestSchema, type Descriptor } from './schema.js';
import { moveTag, tagCreateOnly } from './tags.js';
import { primary, type Session } from './transport.js';
import { type CopyImageRequest, type CopyImageResult, type ManifestResult } from './types.js';

/** Layers that registries do not store (Windows foreign layers): referenced by URL, never copied. */
function isDistributable(d: Descriptor): boolean {
  return !/foreign|nondistributable/.test(d.mediaType);
}

export async function copyImage(s: Session, req: CopyImageRequest): Promise<CopyImageResult> {
  if (!isDigest(req.from.digest)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected the source of a copy to be a digest of the form sha256:<64 lowercase hex>, found ${JSON.stringify(req.from.digest)}`,
    );
  }
  const from: Repo = { registry: req.from.registry, repository: req.from.repository };
  const to: Repo = { registry: req.to.registry, repository: req.to.repository };
  const dest = primary(s, to.registry);
  const result: CopyImageResult = {
    digest: req.from.digest,
    manifestsWritten: 0,
    blobs: { mounted: 0, uploaded: 0, present: 0 },
  };

  async function copyManifest(manifest: ManifestResult, depth: number): Promise<void> {
    if (depth > 4) {
      throw fatal(
        FatalFailure.UnsupportedMediaType,
        `expected indexes nested at most 4 deep under ${req.from.registry}/${req.from.repository}@${req.from.digest}, found deeper`,
      );
    }
    if ((await probeManifest(dest, to, manifest.digest)) !== undefined) return;
    if (INDEX_MEDIA_TYPES.includes(manifest.mediaType)) {
      for (const child of indexSchema.parse(manifest.json).manifests) {
        await copyManifest(await getManifest(s, { ...from, digest: child.digest }), depth + 1);
      }
    } else {
      const image = manifestSchema.parse(manifest.json);
      const seen = new Set<string>();
      for (const blob of [image.config, ...image.layers].filter(isDistributable)) {
        if (seen.has(blob.digest)) continue;
        seen.add(blob.digest);
        result.blobs[await copyBlob(s, dest, from, to, blob.digest)]++;
      }
    }
    await putManifest(dest, { ...to, digest: manifest.digest }, manifest.mediaType, manifest.body);
    result.manifestsWritten++;
  }

  await copyManifest(await getManifest(s, { ...from, digest: req.from.digest }), 0);
  if (req.to.tag !== undefined) {
    const write = { ...to, digest: req.from.digest, tag: req.to.tag };
    result.tag = req.onExistingTag === 'move' ? await moveTag(dest, write) : await tagCreateOnly(dest, write);
  }
  return result;
}
