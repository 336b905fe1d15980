/** An image's config (and so its labels): through an index to the platform's manifest, every blob verified. */
import { formatImageRef, type ImageRef } from '../../lib/kit/imageRef.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { getBlob } from './blobs.js';
import { getManifest } from './manifests.js';
import {
  CONFIG_MEDIA_TYPES,
  configSchema,
  dockerListSchema,
  dockerManifestSchema,
  IMAGE_MANIFEST_MEDIA_TYPES,
  INDEX_MEDIA_TYPES,
  MediaType,
  ociIndexSchema,
  ociManifestSchema,
  type Descriptor,
} from './schema.js';
import { type Session } from './transport.js';
import { type ImageConfigResult, type Platform } from './types.js';
import { issuesOf, parseJson } from './util.js';

function platformName(d: Descriptor): string {
  if (!d.platform) return 'no platform';
  const name = `${d.platform.os}/${d.platform.architecture}${d.platform.variant ? `/${d.platform.variant}` : ''}`;
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
    ? `${name} (attestation)`
    : name;
}

export async function getImageConfig(
  s: Session,
  ref: ImageRef,
  platform: Platform = { os: 'linux', architecture: 'amd64' },
): Promise<ImageConfigResult> {
  const shown = formatImageRef(ref);
  let manifest = await getManifest(s, ref);
  if (INDEX_MEDIA_TYPES.includes(manifest.mediaType)) {
    const index = (manifest.mediaType === MediaType.dockerList ? dockerListSchema : ociIndexSchema).parse(
      manifest.json,
    );
    const candidates = index.manifests.filter(
      (m) =>
        m.platform?.os === platform.os &&
        m.platform.architecture === platform.architecture &&
        m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
    );
    const pick = candidates.find((m) => IMAGE_MANIFEST_MEDIA_TYPES.includes(m.mediaType));
    if (!pick) {
      const found = index.manifests.map(platformName).join(', ') || 'no manifests';
      if (candidates[0] !== undefined) {
        throw fatal(
          FatalFailure.UnsupportedMediaType,
          `expected the ${platform.os}/${platform.architecture} entry of ${shown} to be an image manifest, found ${JSON.stringify(candidates[0].mediaType)}`,
          { mediaType: candidates[0].mediaType },
        );
      }
      throw fatal(
        FatalFailure.ManifestUnknown,
        `expected a ${platform.os}/${platform.architecture} image in ${shown}, found only: ${found}`,
        { platform, found: index.manifests.map(platformName) },
      );
    }
    manifest = await getManifest(s, {
      registry: ref.registry,
      repository: ref.repository,
      digest: pick.digest,
    });
  }
  if (!IMAGE_MANIFEST_MEDIA_TYPES.includes(manifest.mediaType)) {
    throw fatal(
      FatalFailure.UnsupportedMediaType,
      `expected an OCI or Docker v2 image manifest for ${shown}, found ${JSON.stringify(manifest.mediaType)}`,
      { mediaType: manifest.mediaType },
    );
  }
  const image = (
    manifest.mediaType === MediaType.dockerManifest ? dockerManifestSchema : ociManifestSchema
  ).parse(manifest.json);
  if (!CONFIG_MEDIA_TYPES.includes(image.config.mediaType)) {
    throw fatal(
      FatalFailure.UnsupportedMediaType,
      `expected an image config (${CONFIG_MEDIA_TYPES.join(' or ')}) in ${shown}, found ${JSON.stringify(image.config.mediaType)}`,
      { mediaType: image.config.mediaType },
    );
  }
  const blob = await getBlob(s, ref, image.config.digest, `the config ${image.config.digest} of ${shown}`);
  const config = parseJson(blob);
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) {
    throw fatal(
      FatalFailure.UnsupportedMediaType,
      `expected the config ${image.config.digest} of ${shown} to be an image config, found ${config === undefined ? 'no JSON' : issuesOf(parsed.error)}`,
    );
  }
  return {
    manifestDigest: manifest.digest,
    configDigest: image.config.digest,
    labels: { ...(parsed.data.config?.Labels ?? {}) },
    config,
  };
}
