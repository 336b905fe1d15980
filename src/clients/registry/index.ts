/**
 * An OCI distribution client on Node's fetch: digests, manifests and config
 * labels, tags (paged listing, create-only, move, safe delete), copies by
 * digest, cosign signature discovery; anonymous / basic / bearer-token auth,
 * registry mirrors (several endpoints per registry in order, each with its
 * own repository prefix and credentials: reads fall through them, writes go
 * to the first), and verification of every byte it downloads.
 *
 * Failures are classified once (classify.ts): outages (connection refused or
 * reset, timeouts, 5xx, 429) are transient RegistryUnavailable; everything
 * else is a definite typed answer (ManifestUnknown, AuthRefused,
 * DigestMismatch, UnsupportedMediaType, PushRejected, BadInput, TagExists,
 * DigestShared). Messages name the registry, repository and reference, never
 * a credential.
 */
import { getBlob, pushBlob } from './blobs.js';
import { copyImage } from './copy.js';
import { getImageConfig } from './imageConfig.js';
import { deleteManifest, getManifest, putManifest, resolveDigest } from './manifests.js';
import { findSignatures } from './signatures.js';
import { listTags } from './tagList.js';
import { deleteTagSafely, moveTag, tagCreateOnly } from './tags.js';
import { createSession } from './transport.js';
import { type RegistryClient, type RegistryClientOptions } from './types.js';

export { parseChallenge } from './auth.js';
export { credentialsFromEnvironment, type RegistryCredentials } from './credentials.js';
export { registryEndpoint, registryRoutes, remoteRepository, repositoryOn, type Route } from './mirrors.js';
export {
  mirrorsFromEnvironment,
  mirrorsSetting,
  mirrorTable,
  type MirrorEndpoint,
  type MirrorsOption,
  type RegistryMirrors,
} from './mirrorSettings.js';
export { sha256 } from './util.js';
export type * from './types.js';

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const s = createSession(options);
  return {
    resolveDigest: (ref) => resolveDigest(s, ref),
    getManifest: (ref) => getManifest(s, ref),
    getImageConfig: (ref, platform) => getImageConfig(s, ref, platform),
    pushBlob: (repo, data) => pushBlob(s, { registry: repo.registry, repository: repo.repository }, data),
    putManifest: (ref, mediaType, body) => putManifest(s, ref, mediaType, body),
    deleteManifest: async (ref) => {
      await deleteManifest(s, ref);
    },
    getBlob: (ref) => getBlob(s, { registry: ref.registry, repository: ref.repository }, ref.digest),
    listTags: (repo, listOptions) =>
      listTags(s, { registry: repo.registry, repository: repo.repository }, listOptions),
    copyImage: (req) => copyImage(s, req),
    tagCreateOnly: (req) => tagCreateOnly(s, req),
    moveTag: (req) => moveTag(s, req),
    deleteTagSafely: (req) => deleteTagSafely(s, req),
    findSignatures: (ref) => findSignatures(s, ref),
  };
}
