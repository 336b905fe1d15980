/**
 * Finding cosign signatures of a digest, where cosign puts them:
 * - the `sha256-<hex>.sig` tag (cosign's classic layout): an image manifest
 *   whose layers are simple-signing payloads annotated with the signature;
 * - OCI 1.1 referrers (`GET /v2/<name>/referrers/<digest>`), or, where the
 *   registry answers that with 404, the referrers tag schema: an index at
 *   `sha256-<hex>`. Only referrers whose `subject` is the digest and that are
 *   signatures (cosign's artifact type, a sigstore bundle, or simple-signing
 *   layers) are returned; SBOMs and attestations are not.
 * An unsigned digest gives []. Nothing is verified cryptographically here.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { getManifest, probeManifest } from './manifests.js';
import { request, v2Path, type Repo } from './request.js';
import {
  IMAGE_MANIFEST_MEDIA_TYPES,
  indexSchema,
  INDEX_MEDIA_TYPES,
  manifestSchema,
  MediaType,
  ociIndexSchema,
  ociManifestSchema,
  type Descriptor,
} from './schema.js';
import { readBody, type Session } from './transport.js';
import { type DigestRef, type ManifestResult, type SignatureArtifact } from './types.js';
import { digestTag, issuesOf, parseJson } from './util.js';

function isSignature(artifactType: string | undefined, layers: readonly Descriptor[]): boolean {
  if (artifactType === MediaType.cosignSignatureArtifact) return true;
  if (artifactType?.startsWith('application/vnd.dev.sigstore.bundle')) return true;
  return layers.some(
    (l) =>
      l.mediaType === MediaType.cosignSimpleSigning ||
      l.mediaType.startsWith('application/vnd.dev.sigstore.bundle'),
  );
}

function artifactOf(
  source: SignatureArtifact['source'],
  manifest: ManifestResult,
  shown: string,
): SignatureArtifact {
  if (!IMAGE_MANIFEST_MEDIA_TYPES.includes(manifest.mediaType)) {
    throw fatal(
      FatalFailure.UnsupportedMediaType,
      `expected the signature ${manifest.digest} of ${shown} to be an image manifest, found ${JSON.stringify(manifest.mediaType)}`,
      { mediaType: manifest.mediaType },
    );
  }
  const image = manifestSchema.parse(manifest.json);
  const own = 'artifactType' in image ? image.artifactType : undefined;
  return {
    source,
    manifestDigest: manifest.digest,
    mediaType: manifest.mediaType,
    ...(own !== undefined ? { artifactType: own } : {}),
    layers: image.layers.map((l) => ({
      digest: l.digest,
      mediaType: l.mediaType,
      size: l.size,
      annotations: { ...(l.annotations ?? {}) },
    })),
  };
}

/** The referrers of a digest: from the API, or undefined when the registry has none (404). */
async function referrersFromApi(s: Session, ref: DigestRef, repo: Repo): Promise<Descriptor[] | undefined> {
  const what = `the referrers of ${ref.registry}/${ref.repository}@${ref.digest}`;
  const res = await request(s, repo, {
    method: 'GET',
    target: v2Path(repo, `referrers/${ref.digest}`),
    scope: 'pull',
    what,
    mode: 'read',
    headers: { accept: MediaType.ociIndex },
    allow: [404],
  });
  const body = await readBody(s, res, what, ref.registry);
  if (res.status === 404) return undefined;
  const parsed = ociIndexSchema.safeParse(parseJson(body));
  if (!parsed.success) {
    throw fatal(
      FatalFailure.UnsupportedMediaType,
      `expected ${what} to be an OCI image index, found ${issuesOf(parsed.error)}`,
    );
  }
  return parsed.data.manifests;
}

export async function findSignatures(s: Session, ref: DigestRef): Promise<SignatureArtifact[]> {
  const repo: Repo = { registry: ref.registry, repository: ref.repository };
  const shown = `${ref.registry}/${ref.repository}@${ref.digest}`;
  if (!/^sha256:[a-f0-9]{64}$/.test(ref.digest)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a digest of the form sha256:<64 lowercase hex> to find signatures of, found ${JSON.stringify(ref.digest)}`,
    );
  }
  const found: SignatureArtifact[] = [];

  const sigTag = await probeManifest(s, repo, `${digestTag(ref.digest)}.sig`);
  if (sigTag !== undefined)
    found.push(artifactOf('sig-tag', await getManifest(s, { ...repo, digest: sigTag.digest }), shown));

  let source: SignatureArtifact['source'] = 'referrers';
  let referrers = await referrersFromApi(s, ref, repo);
  if (referrers === undefined) {
    source = 'referrers-tag';
    const fallback = await probeManifest(s, repo, digestTag(ref.digest));
    referrers = [];
    if (fallback !== undefined) {
      const index = await getManifest(s, { ...repo, digest: fallback.digest });
      if (!INDEX_MEDIA_TYPES.includes(index.mediaType)) {
        throw fatal(
          FatalFailure.UnsupportedMediaType,
          `expected the referrers tag ${digestTag(ref.digest)} of ${ref.registry}/${ref.repository} to hold an image index, found ${JSON.stringify(index.mediaType)}`,
          { mediaType: index.mediaType },
        );
      }
      referrers = indexSchema.parse(index.json).manifests;
    }
  }
  for (const d of referrers) {
    // Some registries (go-containerregistry's) list the config's mediaType, the empty one, as the
    // artifactType: such a referrer is read and decided by its own manifest.
    const listed = d.artifactType === MediaType.ociEmpty ? undefined : d.artifactType;
    if (listed !== undefined && !isSignature(listed, [])) continue;
    if (!IMAGE_MANIFEST_MEDIA_TYPES.includes(d.mediaType)) continue;
    const manifest = await getManifest(s, { ...repo, digest: d.digest });
    const parsed = ociManifestSchema.safeParse(manifest.json);
    if (!parsed.success || parsed.data.subject?.digest !== ref.digest) continue;
    const artifactType = parsed.data.artifactType ?? parsed.data.config.mediaType;
    if (!isSignature(artifactType, parsed.data.layers)) continue;
    const artifact = artifactOf(source, manifest, shown);
    found.push({ ...artifact, artifactType });
  }
  return found;
}
