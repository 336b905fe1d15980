/** The registry client's public types: what callers pass in and get back. */
import { type ImageRef } from '../../lib/kit/imageRef.js';
import { type RegistryCredentials } from './credentials.js';
import { type MirrorsOption } from './mirrorSettings.js';

export interface RegistryClientOptions {
  /**
   * registry host → its endpoints in order (air-gapped mirrors, proxy caches, our tests): a base URL
   * (`{ 'ghcr.io': 'http://127.0.0.1:5000' }`), `{ url, prefix }` (the name there is `<prefix>/<repository>`),
   * or a list of them. Reads fall through them in order; writes go to the first. See mirrorSettings.ts.
   */
  mirrors?: MirrorsOption;
  /**
   * credentials by the host[:port] actually contacted: a mirror's own host
   * (`127.0.0.1:5000` for ghcr.io mirrored there, never `ghcr.io`), else the
   * registry (`docker.io` for Docker Hub). Never sent over plain http except to loopback.
   */
  credentials?: (host: string) => RegistryCredentials | undefined;
  fetch?: typeof fetch;
  /** Per HTTP request, body included. Default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
  /** bytes of manifests and small blobs kept by digest for this client; 0: off (default 32 MiB) */
  cacheBytes?: number;
}

export interface Platform {
  os: string;
  architecture: string;
}

export interface ManifestResult {
  digest: string;
  mediaType: string;
  body: Buffer;
  json: unknown;
}

export interface ImageConfigResult {
  /** The image manifest the config belongs to (the platform's, for an index). */
  manifestDigest: string;
  configDigest: string;
  labels: Record<string, string>;
  /** The whole config blob, as JSON. */
  config: unknown;
}

export type RepositoryRef = Omit<ImageRef, 'tag' | 'digest'>;

/** A manifest by digest in a repository. */
export interface DigestRef {
  registry: string;
  repository: string;
  digest: string;
}

/** A manifest (by digest) and the tag to point at it, in the same repository. */
export interface TagWrite extends DigestRef {
  tag: string;
}

export interface TagWriteResult {
  tag: string;
  digest: string;
  /** the digest the tag pointed at before, when it existed */
  previousDigest?: string;
  /** created: the tag is new; moved: it pointed elsewhere; unchanged: it already pointed here */
  outcome: 'created' | 'moved' | 'unchanged';
}

export interface ListTagsOptions {
  /** `n` on each page request; default 100 */
  pageSize?: number;
}

export interface CopyImageRequest {
  from: DigestRef;
  to: { registry: string; repository: string; tag?: string };
  /** with `to.tag`: refuse (TagExists) when the tag points at another digest (default), or move it */
  onExistingTag?: 'refuse' | 'move';
}

export interface CopyImageResult {
  digest: string;
  /** the manifests written (children first, then the top one); those already there are not counted */
  manifestsWritten: number;
  blobs: { mounted: number; uploaded: number; present: number };
  tag?: TagWriteResult;
}

export interface DeleteTagRequest {
  registry: string;
  repository: string;
  tag: string;
  /**
   * Compare-then-delete: the digest the plan saw at the tag. A tag that points
   * at another digest now (re-pushed since) is not deleted: outcome `moved`.
   * Absent: whatever the tag holds now is deleted.
   */
  expectedDigest?: string;
  /** tags also being deleted now, which may share the digest */
  alsoDeleting?: readonly string[];
  /**
   * the digest the plan saw at each of alsoDeleting: one that holds another
   * digest now is kept (its own delete finds it moved), so it protects its digest like any kept tag
   */
  alsoDeletingDigests?: Readonly<Record<string, string>>;
}

export type DeleteTagResult =
  | {
      tag: string;
      /** the digest deleted */
      digest: string;
      outcome: 'deleted';
      /** every tag that pointed at the digest (the tag and those of alsoDeleting that shared it) */
      tagsRemoved: string[];
    }
  | { tag: string; outcome: 'already-gone'; tagsRemoved: [] }
  | {
      tag: string;
      /** the tag points elsewhere than the plan saw: nothing deleted, the tag kept */
      outcome: 'moved';
      /** the digest planned (expectedDigest) */
      expected: string;
      /** the digest the tag holds now */
      found: string;
      tagsRemoved: [];
    };

export interface SignatureLayer {
  digest: string;
  mediaType: string;
  size: number;
  annotations: Record<string, string>;
}

export interface SignatureArtifact {
  /** sig-tag: cosign's `sha256-<hex>.sig` tag; referrers: the OCI 1.1 API; referrers-tag: its fallback index at `sha256-<hex>` */
  source: 'sig-tag' | 'referrers' | 'referrers-tag';
  manifestDigest: string;
  mediaType: string;
  artifactType?: string;
  layers: SignatureLayer[];
}

export interface RegistryClient {
  /** The digest a tag points at now: HEAD with every manifest type accepted, GET and hash when HEAD has no digest. */
  resolveDigest(ref: ImageRef): Promise<string>;
  /** The manifest by digest (verified: sha256(body) must equal it) or by tag (checked against Docker-Content-Digest). */
  getManifest(ref: ImageRef): Promise<ManifestResult>;
  /** The config of the image, for an index or list the given platform's (default linux/amd64); every blob verified. */
  getImageConfig(ref: ImageRef, platform?: Platform): Promise<ImageConfigResult>;
  /** Monolithic upload (POST then PUT); skipped when the blob is already there. Returns the digest. */
  pushBlob(registryRepo: RepositoryRef, data: Buffer): Promise<string>;
  /** PUT a manifest by tag or digest; returns its digest. */
  putManifest(ref: ImageRef, mediaType: string, body: Buffer): Promise<string>;
  /** DELETE a manifest by digest (every tag pointing at it goes too); the registry must allow deletes. */
  deleteManifest(ref: ImageRef): Promise<void>;
  /** A blob by digest, verified (a signature's simple-signing payload, a config). */
  getBlob(ref: DigestRef): Promise<Buffer>;
  /** Every tag of a repository, following `Link: <…>; rel="next"` pages of `pageSize`. */
  listTags(repo: RepositoryRef, options?: ListTagsOptions): Promise<string[]>;
  /** Copy a manifest by digest (an index with all its children) to another repository or registry, byte-identical. */
  copyImage(req: CopyImageRequest): Promise<CopyImageResult>;
  /** Point a new tag at a digest; the same digest already there is success, another digest TagExists. Verified after. */
  tagCreateOnly(req: TagWrite): Promise<TagWriteResult>;
  /** Point a tag at a digest, creating or moving it. Verified after. */
  moveTag(req: TagWrite): Promise<TagWriteResult>;
  /**
   * Delete a tag by deleting its digest, refused (DigestShared) while a tag not being deleted uses that digest;
   * with `expectedDigest`, a tag that now holds another digest is kept (outcome `moved`).
   */
  deleteTagSafely(req: DeleteTagRequest): Promise<DeleteTagResult>;
  /** cosign signatures of a digest: `.sig` tag, OCI 1.1 referrers, referrers tag fallback. Unsigned → []. */
  findSignatures(ref: DigestRef): Promise<SignatureArtifact[]>;
}
