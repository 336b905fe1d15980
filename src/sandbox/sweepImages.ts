/**
 * Small labelled OCI indexes for sweep worlds, fast enough to push one for
 * every pinned image:tag of Atmosphere (150-odd): one tiny layer shared by
 * every image, one small config per platform (labels version, revision,
 * source; the platform's architecture), two platform manifests (linux/amd64,
 * linux/arm64) and the index, pushed under the tag. A salt changes the
 * configs, so two builds of one tag have different digests.
 */
import { gzipSync } from 'node:zlib';
import { sha256, type RegistryClient } from '../clients/registry/index.js';
import { MediaType } from '../clients/registry/schema.js';
import { tarFile } from './images.js';

const TAR = tarFile('etc/bumpflow-sweep', 'sweep test image\n');
const LAYER = gzipSync(TAR, { level: 9 });
const LAYER_DIGEST = sha256(LAYER);

export interface SweepImage {
  /** the index pushed under the tag */
  digest: string;
  /** platform (`linux/amd64`) → its manifest's digest */
  children: Record<string, string>;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/**
 * The layer every build shares, pushed to one repository. The world pushes it to each repository
 * one after another before the builds go side by side: in the distribution registry a second
 * upload of a blob to a repository rewrites the repository's link file for it (truncate, then
 * write), and a manifest PUT verifying its layers at that moment reads an empty link: refused with
 * DIGEST_INVALID and MANIFEST_BLOB_UNKNOWN (seen in CI, sweep.test.ts's world, under load).
 */
export async function pushSharedLayer(
  client: RegistryClient,
  repo: { registry: string; repository: string },
): Promise<void> {
  await client.pushBlob(repo, LAYER);
}

export async function pushSweepImage(
  client: RegistryClient,
  target: { registry: string; repository: string; tag: string },
  /** a label left out is not on the image */
  labels: { version: string; revision?: string | undefined; source?: string | undefined },
  salt: string,
): Promise<SweepImage> {
  const repo = { registry: target.registry, repository: target.repository };
  await client.pushBlob(repo, LAYER);
  const children: Record<string, string> = {};
  const descriptors = [];
  for (const architecture of ['amd64', 'arm64']) {
    const config = json({
      architecture,
      os: 'linux',
      config: {
        Labels: {
          'org.opencontainers.image.version': labels.version,
          'org.opencontainers.image.revision': labels.revision,
          'org.opencontainers.image.source': labels.source,
          'dev.bumpflow.salt': salt,
        },
      },
      rootfs: { type: 'layers', diff_ids: [sha256(TAR)] },
    });
    const configDigest = await client.pushBlob(repo, config);
    const manifest = json({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: configDigest, size: config.length },
      layers: [{ mediaType: MediaType.ociLayerGzip, digest: LAYER_DIGEST, size: LAYER.length }],
    });
    const digest = await client.putManifest(
      { ...repo, digest: sha256(manifest) },
      MediaType.ociManifest,
      manifest,
    );
    children[`linux/${architecture}`] = digest;
    descriptors.push({
      mediaType: MediaType.ociManifest,
      digest,
      size: manifest.length,
      platform: { os: 'linux', architecture },
    });
  }
  const index = json({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: descriptors });
  const digest = await client.putManifest({ ...repo, tag: target.tag }, MediaType.ociIndex, index);
  return { digest, children };
}
