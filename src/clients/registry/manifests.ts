/**
 * Manifests: resolve a tag's digest, fetch (verified against the digest),
 * probe without failing on 404, push byte-for-byte, delete by digest.
 */
import { formatImageRef, isDigest, type ImageRef } from '../../lib/kit/imageRef.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { request, v2Path, type Repo } from './request.js';
import {
  dockerListSchema,
  dockerManifestSchema,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  MediaType,
  ociIndexSchema,
  ociManifestSchema,
} from './schema.js';
import { cacheScope, discard, readBody, where, type Session } from './transport.js';
import { type ManifestResult } from './types.js';
import { issuesOf, parseJson, sha256 } from './util.js';

export function manifestPath(repo: Repo, reference: string): ReturnType<typeof v2Path> {
  return v2Path(repo, `manifests/${reference}`);
}

export function requireReference(ref: ImageRef, prefer: 'tag' | 'digest', action: string): string {
  const reference = prefer === 'tag' ? (ref.tag ?? ref.digest) : (ref.digest ?? ref.tag);
  if (!reference) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a tag or digest to ${action}, found neither in ${JSON.stringify(formatImageRef(ref))}`,
    );
  }
  if (ref.digest !== undefined && !isDigest(ref.digest)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a digest of the form sha256:<64 lowercase hex> to ${action}, found ${JSON.stringify(ref.digest)}`,
    );
  }
  return reference;
}

/** The media type of a manifest body: its own `mediaType`, else Content-Type, else its shape. */
function mediaTypeOf(json: unknown, contentType: string | null): string {
  const own =
    json !== null && typeof json === 'object' ? (json as { mediaType?: unknown }).mediaType : undefined;
  if (typeof own === 'string' && own !== '') return own;
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  if (header && MANIFEST_MEDIA_TYPES.includes(header)) return header;
  if (json !== null && typeof json === 'object') {
    if ('manifests' in json) return MediaType.ociIndex;
    if ('config' in json && 'layers' in json) return MediaType.ociManifest;
  }
  return header ?? '';
}

function validateManifest(json: unknown, mediaType: string, shown: string): void {
  const schema =
    mediaType === MediaType.ociIndex
      ? ociIndexSchema
      : mediaType === MediaType.dockerList
        ? dockerListSchema
        : mediaType === MediaType.ociManifest
          ? ociManifestSchema
          : dockerManifestSchema;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw fatal(
      FatalFailure.UnsupportedMediaType,
      `expected the manifest of ${shown} to be a valid ${mediaType}, found ${issuesOf(parsed.error)}`,
      { mediaType },
    );
  }
}

function unsupported(what: string, mediaType: string): never {
  throw fatal(
    FatalFailure.UnsupportedMediaType,
    `expected ${what} to be one of ${MANIFEST_MEDIA_TYPES.join(', ')}, found ${JSON.stringify(mediaType || 'no media type')}`,
    { mediaType },
  );
}

export async function getManifest(s: Session, ref: ImageRef): Promise<ManifestResult> {
  const reference = requireReference(ref, 'digest', 'fetch a manifest');
  const shown = formatImageRef(ref);
  const what = `the manifest of ${shown}`;
  if (ref.digest !== undefined) {
    const cached = s.content.get(cacheScope(s, ref.registry), ref.repository, ref.digest);
    if (cached !== undefined) return manifestOf(cached.body, cached.mediaType ?? null, what, shown);
  }
  const res = await request(s, ref, {
    method: 'GET',
    target: manifestPath(ref, reference),
    scope: 'pull',
    what,
    mode: 'read',
    headers: { accept: MANIFEST_ACCEPT },
  });
  const body = await readBody(s, res, what, ref.registry);
  const digest = sha256(body);
  if (ref.digest !== undefined && digest !== ref.digest) {
    throw fatal(
      FatalFailure.DigestMismatch,
      `expected ${what} to hash to ${ref.digest}, found ${digest} (the bytes served are not the requested manifest)`,
      { expected: ref.digest, found: digest },
    );
  }
  const announced = res.headers.get('docker-content-digest');
  if (ref.digest === undefined && announced !== null && isDigest(announced) && announced !== digest) {
    throw fatal(
      FatalFailure.DigestMismatch,
      `expected ${what} to hash to ${announced} (its Docker-Content-Digest), found ${digest}`,
      { expected: announced, found: digest },
    );
  }
  const manifest = manifestOf(body, res.headers.get('content-type'), what, shown);
  s.content.put(cacheScope(s, ref.registry), ref.repository, digest, { body, mediaType: manifest.mediaType });
  return manifest;
}

/** A manifest's bytes as a checked result (from the registry, or from the content cache). */
function manifestOf(body: Buffer, contentType: string | null, what: string, shown: string): ManifestResult {
  const json = parseJson(body);
  if (json === undefined) {
    throw fatal(
      FatalFailure.UnsupportedMediaType,
      `expected ${what} to be JSON, found ${body.length} bytes of ${contentType ?? 'unknown type'}`,
    );
  }
  const mediaType = mediaTypeOf(json, contentType);
  if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) unsupported(what, mediaType);
  validateManifest(json, mediaType, shown);
  return { digest: sha256(body), mediaType, body, json };
}

/** HEAD a manifest: its digest and Content-Type, or undefined when the registry answers 404. */
async function headManifest(
  s: Session,
  ref: ImageRef,
  reference: string,
  allowMissing: boolean,
): Promise<{ digest: string; mediaType: string | undefined } | undefined> {
  const what = `the manifest of ${formatImageRef(ref)}`;
  const res = await request(s, ref, {
    method: 'HEAD',
    target: manifestPath(ref, reference),
    scope: 'pull',
    what,
    mode: 'read',
    headers: { accept: MANIFEST_ACCEPT },
    ...(allowMissing ? { allow: [404] } : {}),
  });
  await discard(res);
  if (res.status === 404) return undefined;
  const contentType = res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType && /manifest|image\.index/.test(contentType) && !MANIFEST_MEDIA_TYPES.includes(contentType))
    unsupported(what, contentType);
  const digest = res.headers.get('docker-content-digest');
  if (digest !== null && isDigest(digest)) return { digest, mediaType: contentType };
  // No (usable) digest header: fetch the manifest and hash it ourselves.
  const manifest = await getManifest(s, {
    registry: ref.registry,
    repository: ref.repository,
    tag: reference,
  });
  return { digest: manifest.digest, mediaType: manifest.mediaType };
}

export async function resolveDigest(s: Session, ref: ImageRef): Promise<string> {
  const reference = requireReference(ref, 'tag', 'resolve a digest');
  return (await headManifest(s, ref, reference, false))!.digest;
}

/** Where a tag (or digest) points now, undefined when it does not exist. */
export async function probeManifest(
  s: Session,
  repo: Repo,
  reference: string,
): Promise<{ digest: string; mediaType: string | undefined } | undefined> {
  const ref: ImageRef = isDigest(reference) ? { ...repo, digest: reference } : { ...repo, tag: reference };
  return headManifest(s, ref, reference, true);
}

export async function putManifest(
  s: Session,
  ref: ImageRef,
  mediaType: string,
  body: Buffer,
): Promise<string> {
  const reference = requireReference(ref, 'tag', 'push a manifest');
  const digest = sha256(body);
  const shown = formatImageRef(ref);
  if (ref.digest !== undefined && ref.digest !== digest) {
    throw fatal(
      FatalFailure.DigestMismatch,
      `expected the manifest pushed as ${shown} to hash to ${ref.digest}, found ${digest}`,
      { expected: ref.digest, found: digest },
    );
  }
  const res = await request(s, ref, {
    method: 'PUT',
    target: manifestPath(ref, reference),
    scope: 'pull,push',
    what: `the manifest of ${shown}`,
    mode: 'write',
    body,
    headers: { 'content-type': mediaType },
  });
  await discard(res);
  const stored = res.headers.get('docker-content-digest');
  if (stored !== null && isDigest(stored) && stored !== digest) {
    throw fatal(
      FatalFailure.DigestMismatch,
      `expected ${where(s, ref.registry)} to store the manifest of ${shown} as ${digest}, found ${stored}`,
      { expected: digest, found: stored },
    );
  }
  return digest;
}

/** DELETE by digest; `allowMissing` makes an already-deleted manifest a no-op (returns false). */
export async function deleteManifest(s: Session, ref: ImageRef, allowMissing = false): Promise<boolean> {
  if (ref.digest === undefined || !isDigest(ref.digest)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a digest to delete a manifest (registries delete by digest), found ${JSON.stringify(formatImageRef(ref))}`,
    );
  }
  // gone from the first endpoint: forget it there and in what reads through every endpoint found
  const every = s.allRoutes(ref.registry);
  for (const routes of [every, every.slice(0, 1)])
    s.content.evict(cacheScope(s, ref.registry, routes), ref.repository, ref.digest);
  const res = await request(s, ref, {
    method: 'DELETE',
    target: manifestPath(ref, ref.digest),
    scope: 'delete',
    what: `the manifest of ${formatImageRef(ref)}`,
    mode: 'read',
    ...(allowMissing ? { allow: [404] } : {}),
  });
  await discard(res);
  return res.status !== 404;
}
