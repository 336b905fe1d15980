/**
 * An OCI distribution client on Node's fetch: digests, manifests and config
 * labels, anonymous / basic / bearer-token auth, registry mirrors, and
 * verification of every byte it downloads.
 *
 * Failures are classified here, once: outages (connection refused or reset,
 * timeouts, 5xx, 429) are transient RegistryUnavailable; everything else is a
 * definite typed answer (ManifestUnknown, AuthRefused, DigestMismatch,
 * UnsupportedMediaType, PushRejected, BadInput). Messages name the registry,
 * repository and reference, never a credential.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type z } from 'zod';
import {
  fatal,
  FatalFailure,
  transient,
  TransientFailure,
  type FatalFailureType,
} from '../../shared/failures.js';
import { formatImageRef, isDigest, type ImageRef } from '../../lib/imageRef.js';
import {
  CONFIG_MEDIA_TYPES,
  configSchema,
  dockerConfigFileSchema,
  dockerListSchema,
  dockerManifestSchema,
  errorBodySchema,
  IMAGE_MANIFEST_MEDIA_TYPES,
  INDEX_MEDIA_TYPES,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  MediaType,
  ociIndexSchema,
  ociManifestSchema,
  registryAuthEnvSchema,
  tokenSchema,
  type Descriptor,
} from './schema.js';

export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A ready bearer token, sent as `Authorization: Bearer <token>` when the registry asks for Bearer. */
  token?: string;
  /** An OAuth2 refresh token (docker config `identitytoken`), exchanged at the token service. */
  identityToken?: string;
}

export interface RegistryClientOptions {
  /** registry host → base URL, e.g. { 'ghcr.io': 'http://127.0.0.1:5000' } (air-gapped mirrors, our tests) */
  mirrors?: Record<string, string>;
  /** credentials by registry host (the logical host, e.g. ghcr.io, before mirror mapping) */
  credentials?: (registry: string) => RegistryCredentials | undefined;
  fetch?: typeof fetch;
  /** Per HTTP request, body included. Default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
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
}

interface Repo {
  registry: string;
  repository: string;
}

type Scope = 'pull' | 'pull,push' | 'delete';

interface RequestSpec {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** a path under the registry's base URL, or an absolute URL (upload locations) */
  target: string;
  scope: Scope;
  /** what the request is about, for messages: "the manifest of ghcr.io/x/y:main" */
  what: string;
  /** reads map 404 to ManifestUnknown; writes map refusals to PushRejected */
  mode: 'read' | 'write';
  headers?: Record<string, string>;
  body?: Buffer;
  /** statuses the caller handles itself (e.g. 404 for "blob not there yet") */
  allow?: readonly number[];
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Docker's token spec: a token without expires_in lives 60 s. */
const DEFAULT_TOKEN_SECONDS = 60;
const TOKEN_MARGIN_MS = 5_000;
const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);
const HOST_PATTERN =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::[0-9]{1,5})?$/;

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_HOSTS.has(registry);
}

function isLoopback(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : (registry.split(':')[0] ?? '');
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * The base URL for a registry host: a mirror when one is configured, Docker
 * Hub's API host for docker.io, plain HTTP for loopback hosts (as docker and
 * crane do), HTTPS otherwise.
 */
export function registryEndpoint(registry: string, mirrors: Record<string, string> = {}): string {
  const mirror = mirrors[registry] ?? mirrors[registry.toLowerCase()];
  if (mirror !== undefined) return mirror.replace(/\/+$/, '');
  if (isDockerHub(registry)) return 'https://registry-1.docker.io';
  if (isLoopback(registry)) return `http://${registry}`;
  return `https://${registry}`;
}

/** The repository path on the wire: Docker Hub's official images live under `library/`. */
export function remoteRepository(ref: Repo): string {
  if (isDockerHub(ref.registry) && !ref.repository.includes('/')) return `library/${ref.repository}`;
  return ref.repository;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://…",service="ghcr.io",scope="repository:x:pull"` → scheme and params (first challenge only). */
export function parseChallenge(header: string): Challenge {
  const text = header.trim();
  const space = text.search(/\s/);
  const scheme = (space < 0 ? text : text.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/y;
  let rest = space < 0 ? '' : text.slice(space).trimStart();
  pattern.lastIndex = 0;
  while (rest.length > 0) {
    pattern.lastIndex = 0;
    const m = pattern.exec(rest);
    if (!m) break;
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    rest = rest.slice(m[0].length).trimStart();
  }
  return { scheme, params };
}

function describeCause(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  const cause =
    err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

function platformName(d: Descriptor): string {
  if (!d.platform) return 'no platform';
  const name = `${d.platform.os}/${d.platform.architecture}${d.platform.variant ? `/${d.platform.variant}` : ''}`;
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
    ? `${name} (attestation)`
    : name;
}

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const mirrors = options.mirrors ?? {};
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userAgent = options.userAgent ?? 'bumpflow';
  /** `registry|scope` (or `registry|*` for Basic) → Authorization header, until `expires` (ms since epoch). */
  const authCache = new Map<string, { header: string; expires: number }>();

  function where(registry: string): string {
    const mirror = mirrors[registry] ?? mirrors[registry.toLowerCase()];
    return mirror === undefined ? registry : `${registry} (via ${registryEndpoint(registry, mirrors)})`;
  }

  async function send(url: string, init: RequestInit, what: string, registry: string): Promise<Response> {
    try {
      return await doFetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw transient(
        TransientFailure.RegistryUnavailable,
        `expected ${where(registry)} to answer for ${what}, found ${describeCause(err, timeoutMs)}`,
        {
          cause: err,
          details: { registry, url },
        },
      );
    }
  }

  async function readBody(res: Response, what: string, registry: string): Promise<Buffer> {
    try {
      return Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw transient(
        TransientFailure.RegistryUnavailable,
        `expected ${where(registry)} to send ${what} in full, found ${describeCause(err, timeoutMs)}`,
        {
          cause: err,
          details: { registry },
        },
      );
    }
  }

  async function discard(res: Response): Promise<void> {
    await res.body?.cancel().catch(() => undefined);
  }

  function cachedAuthorization(registry: string, scope: Scope): string | undefined {
    const now = Date.now();
    for (const key of [`${registry}|${scope}`, `${registry}|*`]) {
      const entry = authCache.get(key);
      if (entry && entry.expires > now) return entry.header;
      if (entry) authCache.delete(key);
    }
    return undefined;
  }

  function forgetAuthorization(registry: string, scope: Scope): void {
    authCache.delete(`${registry}|${scope}`);
    authCache.delete(`${registry}|*`);
  }

  function basic(username: string, password: string): string {
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  /** Answers a 401 challenge: returns the Authorization header to retry with, and caches it. */
  async function authorize(
    repo: Repo,
    challengeHeader: string,
    scope: Scope,
    what: string,
  ): Promise<{ header: string; presented: string }> {
    const creds = options.credentials?.(repo.registry);
    const hasBasic = creds?.username !== undefined && creds.password !== undefined;
    const challenge = parseChallenge(challengeHeader);
    const subject = `${repo.repository} on ${where(repo.registry)}`;

    if (challenge.scheme === 'basic') {
      if (!hasBasic) {
        throw fatal(
          FatalFailure.AuthRefused,
          `expected credentials for ${subject} (it asks for Basic auth), found none configured for ${repo.registry}`,
          {
            registry: repo.registry,
            repository: repo.repository,
          },
        );
      }
      const header = basic(creds.username!, creds.password!);
      authCache.set(`${repo.registry}|*`, { header, expires: Number.POSITIVE_INFINITY });
      return { header, presented: 'the configured username and password' };
    }
    if (challenge.scheme !== 'bearer') {
      throw fatal(
        FatalFailure.AuthRefused,
        `expected a Basic or Bearer challenge from ${where(repo.registry)} for ${what}, found ${JSON.stringify(challenge.scheme)}`,
        {
          registry: repo.registry,
          repository: repo.repository,
        },
      );
    }
    if (creds?.token !== undefined && !hasBasic && creds.identityToken === undefined) {
      const header = `Bearer ${creds.token}`;
      authCache.set(`${repo.registry}|*`, { header, expires: Number.POSITIVE_INFINITY });
      return { header, presented: 'the configured token' };
    }
    const realm = challenge.params.realm;
    let realmUrl: URL | undefined;
    try {
      realmUrl = realm ? new URL(realm) : undefined;
    } catch {
      realmUrl = undefined;
    }
    if (!realmUrl || (realmUrl.protocol !== 'https:' && realmUrl.protocol !== 'http:')) {
      throw fatal(
        FatalFailure.AuthRefused,
        `expected a Bearer challenge with an http(s) realm from ${where(repo.registry)}, found ${JSON.stringify(challengeHeader)}`,
        {
          registry: repo.registry,
        },
      );
    }
    const wanted = `repository:${remoteRepository(repo)}:${scope}`;
    const scopes = [
      ...new Set([challenge.params.scope, wanted].filter((s): s is string => s !== undefined && s !== '')),
    ];
    const headers: Record<string, string> = { 'user-agent': userAgent, accept: 'application/json' };
    let init: RequestInit;
    let presented: string;
    if (creds?.identityToken !== undefined) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: userAgent,
      });
      if (challenge.params.service) form.set('service', challenge.params.service);
      form.set('scope', scopes.join(' '));
      init = {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      };
      presented = 'the configured identity token';
    } else {
      if (challenge.params.service) realmUrl.searchParams.set('service', challenge.params.service);
      for (const s of scopes) realmUrl.searchParams.append('scope', s);
      if (hasBasic) headers.authorization = basic(creds.username!, creds.password!);
      init = { method: 'GET', headers };
      presented = hasBasic ? 'the configured username and password' : 'no credentials (anonymous)';
    }
    const res = await send(realmUrl.toString(), init, `a token for ${what}`, repo.registry);
    if (res.status === 401 || res.status === 403) {
      await discard(res);
      throw fatal(
        FatalFailure.AuthRefused,
        `expected the token service of ${where(repo.registry)} to grant ${scopes.join(' ')} for ${subject}, found ${res.status} after presenting ${presented}`,
        {
          registry: repo.registry,
          repository: repo.repository,
          status: res.status,
        },
      );
    }
    await classify(res, { what: `a token for ${what}`, mode: 'read', registry: repo.registry });
    const body = await readBody(res, `a token for ${what}`, repo.registry);
    const parsed = tokenSchema.safeParse(parseJson(body));
    const value = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
    if (!parsed.success || value === undefined || value === '') {
      throw fatal(
        FatalFailure.AuthRefused,
        `expected the token service of ${where(repo.registry)} to answer {"token": …} for ${subject}, found ${parsed.success ? 'no token in the answer' : 'a body of another shape'}`,
        {
          registry: repo.registry,
        },
      );
    }
    const seconds = parsed.data.expires_in ?? DEFAULT_TOKEN_SECONDS;
    const header = `Bearer ${value}`;
    authCache.set(`${repo.registry}|${scope}`, {
      header,
      expires: Date.now() + Math.max(0, seconds * 1000 - TOKEN_MARGIN_MS),
    });
    return { header, presented };
  }

  async function errorCodes(res: Response, registry: string): Promise<string[]> {
    if (res.body === null) return [];
    const body = await readBody(res, 'an error body', registry).catch(() => Buffer.alloc(0));
    const parsed = errorBodySchema.safeParse(parseJson(body));
    return parsed.success ? parsed.data.errors.map((e) => e.code) : [];
  }

  /** Throws the typed failure for a response that is not ok. */
  async function classify(
    res: Response,
    ctx: { what: string; mode: 'read' | 'write'; registry: string; repository?: string },
  ): Promise<void> {
    if (res.ok) return;
    const { status } = res;
    const codes = await errorCodes(res, ctx.registry);
    const found = `HTTP ${status}${codes.length ? ` ${codes.join(', ')}` : ''}`;
    const details = {
      registry: ctx.registry,
      ...(ctx.repository === undefined ? {} : { repository: ctx.repository }),
      status,
      codes,
    };
    if (status === 429 || codes.includes('TOOMANYREQUESTS')) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      throw transient(
        TransientFailure.RegistryUnavailable,
        `expected ${where(ctx.registry)} to serve ${ctx.what}, found it rate limiting (${found}${retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`})`,
        { ...(retryAfterMs === undefined ? {} : { retryAfterMs }), details },
      );
    }
    if (status >= 500) {
      // A 503 during maintenance may say when to come back.
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      throw transient(
        TransientFailure.RegistryUnavailable,
        `expected ${where(ctx.registry)} to serve ${ctx.what}, found a server error (${found})`,
        { ...(retryAfterMs === undefined ? {} : { retryAfterMs }), details },
      );
    }
    if (status === 401 || status === 403 || codes.includes('DENIED') || codes.includes('UNAUTHORIZED')) {
      throw fatal(
        FatalFailure.AuthRefused,
        `expected ${where(ctx.registry)} to allow ${ctx.what}, found it refused (${found})`,
        details,
      );
    }
    let type: FatalFailureType;
    if (ctx.mode === 'write' || status === 405 || codes.includes('UNSUPPORTED')) {
      type = FatalFailure.PushRejected;
    } else if (
      status === 404 ||
      codes.some((c) => c === 'MANIFEST_UNKNOWN' || c === 'NAME_UNKNOWN' || c === 'BLOB_UNKNOWN')
    ) {
      type = FatalFailure.ManifestUnknown;
    } else if (status === 406 || status === 415) {
      type = FatalFailure.UnsupportedMediaType;
    } else {
      type = FatalFailure.BadInput;
    }
    const expected =
      type === FatalFailure.ManifestUnknown
        ? `expected ${ctx.what} to exist on ${where(ctx.registry)}, found it unknown`
        : `expected ${where(ctx.registry)} to accept ${ctx.what}, found it refused`;
    throw fatal(type, `${expected} (${found})`, details);
  }

  async function request(repo: Repo, spec: RequestSpec): Promise<Response> {
    const url = /^https?:\/\//.test(spec.target)
      ? spec.target
      : `${registryEndpoint(repo.registry, mirrors)}${spec.target}`;
    const baseHeaders: Record<string, string> = { 'user-agent': userAgent, ...spec.headers };
    const body = spec.body === undefined ? undefined : new Uint8Array(spec.body);
    const attempt = (authorization: string | undefined): Promise<Response> =>
      send(
        url,
        {
          method: spec.method,
          headers: authorization ? { ...baseHeaders, authorization } : baseHeaders,
          ...(body ? { body } : {}),
        },
        spec.what,
        repo.registry,
      );

    let authorization = cachedAuthorization(repo.registry, spec.scope);
    let presented = authorization ? 'cached credentials' : 'no credentials (anonymous)';
    let res = await attempt(authorization);
    if (res.status === 401) {
      await discard(res);
      // A cached token may have expired early or lack this scope: answer the fresh challenge once.
      if (authorization) forgetAuthorization(repo.registry, spec.scope);
      const challenge = res.headers.get('www-authenticate');
      if (!challenge) {
        throw fatal(
          FatalFailure.AuthRefused,
          `expected ${where(repo.registry)} to say how to authenticate for ${spec.what}, found a 401 without WWW-Authenticate`,
          {
            registry: repo.registry,
            repository: repo.repository,
          },
        );
      }
      ({ header: authorization, presented } = await authorize(repo, challenge, spec.scope, spec.what));
      res = await attempt(authorization);
    }
    if (res.status === 401 || res.status === 403) {
      await discard(res);
      if (authorization) forgetAuthorization(repo.registry, spec.scope);
      throw fatal(
        FatalFailure.AuthRefused,
        `expected ${where(repo.registry)} to allow ${spec.scope} on ${repo.repository} for ${spec.what}, found ${res.status} after presenting ${presented}`,
        {
          registry: repo.registry,
          repository: repo.repository,
          status: res.status,
        },
      );
    }
    if (spec.allow?.includes(res.status)) return res;
    await classify(res, {
      what: spec.what,
      mode: spec.mode,
      registry: repo.registry,
      repository: repo.repository,
    });
    return res;
  }

  function manifestPath(ref: ImageRef, reference: string): string {
    return `/v2/${remoteRepository(ref)}/manifests/${reference}`;
  }

  function requireReference(ref: ImageRef, prefer: 'tag' | 'digest', action: string): string {
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

  async function getManifest(ref: ImageRef): Promise<ManifestResult> {
    const reference = requireReference(ref, 'digest', 'fetch a manifest');
    const shown = formatImageRef(ref);
    const what = `the manifest of ${shown}`;
    const res = await request(ref, {
      method: 'GET',
      target: manifestPath(ref, reference),
      scope: 'pull',
      what,
      mode: 'read',
      headers: { accept: MANIFEST_ACCEPT },
    });
    const body = await readBody(res, what, ref.registry);
    const digest = sha256(body);
    if (ref.digest !== undefined && digest !== ref.digest) {
      throw fatal(
        FatalFailure.DigestMismatch,
        `expected ${what} to hash to ${ref.digest}, found ${digest} (the bytes served are not the requested manifest)`,
        {
          expected: ref.digest,
          found: digest,
        },
      );
    }
    const announced = res.headers.get('docker-content-digest');
    if (ref.digest === undefined && announced !== null && isDigest(announced) && announced !== digest) {
      throw fatal(
        FatalFailure.DigestMismatch,
        `expected ${what} to hash to ${announced} (its Docker-Content-Digest), found ${digest}`,
        {
          expected: announced,
          found: digest,
        },
      );
    }
    const json = parseJson(body);
    if (json === undefined) {
      throw fatal(
        FatalFailure.UnsupportedMediaType,
        `expected ${what} to be JSON, found ${body.length} bytes of ${res.headers.get('content-type') ?? 'unknown type'}`,
      );
    }
    const mediaType = mediaTypeOf(json, res.headers.get('content-type'));
    if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) {
      throw fatal(
        FatalFailure.UnsupportedMediaType,
        `expected ${what} to be one of ${MANIFEST_MEDIA_TYPES.join(', ')}, found ${JSON.stringify(mediaType || 'no media type')}`,
        {
          mediaType,
        },
      );
    }
    validateManifest(json, mediaType, shown);
    return { digest, mediaType, body, json };
  }

  async function getBlob(repo: Repo, digest: string, what: string): Promise<Buffer> {
    const res = await request(repo, {
      method: 'GET',
      target: `/v2/${remoteRepository(repo)}/blobs/${digest}`,
      scope: 'pull',
      what,
      mode: 'read',
    });
    const body = await readBody(res, what, repo.registry);
    const found = sha256(body);
    if (found !== digest) {
      throw fatal(FatalFailure.DigestMismatch, `expected ${what} to hash to ${digest}, found ${found}`, {
        expected: digest,
        found,
      });
    }
    return body;
  }

  async function resolveDigest(ref: ImageRef): Promise<string> {
    const reference = requireReference(ref, 'tag', 'resolve a digest');
    const shown = formatImageRef(ref);
    const what = `the manifest of ${shown}`;
    const res = await request(ref, {
      method: 'HEAD',
      target: manifestPath(ref, reference),
      scope: 'pull',
      what,
      mode: 'read',
      headers: { accept: MANIFEST_ACCEPT },
    });
    await discard(res);
    const contentType = res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (
      contentType &&
      /manifest|image\.index/.test(contentType) &&
      !MANIFEST_MEDIA_TYPES.includes(contentType)
    ) {
      throw fatal(
        FatalFailure.UnsupportedMediaType,
        `expected ${what} to be one of ${MANIFEST_MEDIA_TYPES.join(', ')}, found ${JSON.stringify(contentType)}`,
        {
          mediaType: contentType,
        },
      );
    }
    const digest = res.headers.get('docker-content-digest');
    if (digest !== null && isDigest(digest)) return digest;
    // No (usable) digest header: fetch the manifest and hash it ourselves.
    return (await getManifest({ registry: ref.registry, repository: ref.repository, tag: reference })).digest;
  }

  async function getImageConfig(
    ref: ImageRef,
    platform: Platform = { os: 'linux', architecture: 'amd64' },
  ): Promise<ImageConfigResult> {
    const shown = formatImageRef(ref);
    let manifest = await getManifest(ref);
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
            {
              mediaType: candidates[0].mediaType,
            },
          );
        }
        throw fatal(
          FatalFailure.ManifestUnknown,
          `expected a ${platform.os}/${platform.architecture} image in ${shown}, found only: ${found}`,
          {
            platform,
            found: index.manifests.map(platformName),
          },
        );
      }
      manifest = await getManifest({
        registry: ref.registry,
        repository: ref.repository,
        digest: pick.digest,
      });
    }
    if (!IMAGE_MANIFEST_MEDIA_TYPES.includes(manifest.mediaType)) {
      throw fatal(
        FatalFailure.UnsupportedMediaType,
        `expected an OCI or Docker v2 image manifest for ${shown}, found ${JSON.stringify(manifest.mediaType)}`,
        {
          mediaType: manifest.mediaType,
        },
      );
    }
    const image = (
      manifest.mediaType === MediaType.dockerManifest ? dockerManifestSchema : ociManifestSchema
    ).parse(manifest.json);
    if (!CONFIG_MEDIA_TYPES.includes(image.config.mediaType)) {
      throw fatal(
        FatalFailure.UnsupportedMediaType,
        `expected an image config (${CONFIG_MEDIA_TYPES.join(' or ')}) in ${shown}, found ${JSON.stringify(image.config.mediaType)}`,
        {
          mediaType: image.config.mediaType,
        },
      );
    }
    const blob = await getBlob(ref, image.config.digest, `the config ${image.config.digest} of ${shown}`);
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

  async function pushBlob(registryRepo: RepositoryRef, data: Buffer): Promise<string> {
    const repo = { registry: registryRepo.registry, repository: registryRepo.repository };
    const digest = sha256(data);
    const name = remoteRepository(repo);
    const what = `blob ${digest} of ${repo.registry}/${repo.repository}`;
    const head = await request(repo, {
      method: 'HEAD',
      target: `/v2/${name}/blobs/${digest}`,
      scope: 'pull,push',
      what,
      mode: 'read',
      allow: [404],
    });
    await discard(head);
    if (head.ok) return digest;
    const started = await request(repo, {
      method: 'POST',
      target: `/v2/${name}/blobs/uploads/`,
      scope: 'pull,push',
      what: `an upload of ${what}`,
      mode: 'write',
    });
    await discard(started);
    const location = started.headers.get('location');
    if (!location) {
      throw fatal(
        FatalFailure.PushRejected,
        `expected ${where(repo.registry)} to answer an upload of ${what} with a Location, found none (HTTP ${started.status})`,
      );
    }
    const url = new URL(location, `${registryEndpoint(repo.registry, mirrors)}/`);
    url.searchParams.set('digest', digest);
    const put = await request(repo, {
      method: 'PUT',
      target: url.toString(),
      scope: 'pull,push',
      what,
      mode: 'write',
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
    });
    await discard(put);
    const stored = put.headers.get('docker-content-digest');
    if (stored !== null && isDigest(stored) && stored !== digest) {
      throw fatal(
        FatalFailure.DigestMismatch,
        `expected ${where(repo.registry)} to store ${what} as ${digest}, found ${stored}`,
        { expected: digest, found: stored },
      );
    }
    return digest;
  }

  async function putManifest(ref: ImageRef, mediaType: string, body: Buffer): Promise<string> {
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
    const res = await request(ref, {
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
        `expected ${where(ref.registry)} to store the manifest of ${shown} as ${digest}, found ${stored}`,
        { expected: digest, found: stored },
      );
    }
    return digest;
  }

  async function deleteManifest(ref: ImageRef): Promise<void> {
    if (ref.digest === undefined || !isDigest(ref.digest)) {
      throw fatal(
        FatalFailure.BadInput,
        `expected a digest to delete a manifest (registries delete by digest), found ${JSON.stringify(formatImageRef(ref))}`,
      );
    }
    const shown = formatImageRef(ref);
    const res = await request(ref, {
      method: 'DELETE',
      target: manifestPath(ref, ref.digest),
      scope: 'delete',
      what: `the manifest of ${shown}`,
      mode: 'read',
    });
    await discard(res);
  }

  return { resolveDigest, getManifest, getImageConfig, pushBlob, putManifest, deleteManifest };
}

function normalizeRegistryHost(raw: string): string {
  const host = raw
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return isDockerHub(host) ? 'docker.io' : host;
}

/**
 * BUMPFLOW_REGISTRY_MIRRORS='ghcr.io=http://127.0.0.1:5000,quay.io=https://mirror.local'
 * → { 'ghcr.io': 'http://127.0.0.1:5000', 'quay.io': 'https://mirror.local' }. BadInput when malformed.
 */
export function mirrorsFromEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const raw = env.BUMPFLOW_REGISTRY_MIRRORS?.trim();
  if (!raw) return {};
  const out: Record<string, string> = {};
  const expected = 'expected BUMPFLOW_REGISTRY_MIRRORS as host=http(s)://base-url[,host=…]';
  for (const part of raw.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const host = eq < 0 ? '' : part.slice(0, eq).trim().toLowerCase();
    const target = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!HOST_PATTERN.test(host)) {
      throw fatal(
        FatalFailure.BadInput,
        `${expected}, found ${JSON.stringify(part)} (the host before '=' is not a registry host)`,
      );
    }
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw fatal(
        FatalFailure.BadInput,
        `${expected}, found ${JSON.stringify(part)} (${JSON.stringify(target)} is not a URL)`,
      );
    }
    if (
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.username ||
      url.password ||
      url.search ||
      url.hash
    ) {
      throw fatal(
        FatalFailure.BadInput,
        `${expected}, found ${JSON.stringify(url.username || url.password ? `${host}=<url with credentials>` : part)} (only http(s) URLs without credentials, query or fragment)`,
      );
    }
    if (out[host] !== undefined) {
      throw fatal(
        FatalFailure.BadInput,
        `${expected} with each host once, found ${JSON.stringify(host)} twice`,
      );
    }
    out[host] = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  }
  return out;
}

function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  const dir = env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

function readDockerConfig(file: string): Record<string, RegistryCredentials> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return {};
    throw fatal(
      FatalFailure.BadInput,
      `expected ${file} to be a readable docker config.json, found ${(err as { code?: unknown }).code ?? 'an error'} reading it`,
    );
  }
  const parsed = dockerConfigFileSchema.safeParse(parseJson(Buffer.from(text)));
  if (!parsed.success) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${file} to be a docker config.json ({"auths": {host: {auth}}}), found ${issuesOf(parsed.error)}`,
    );
  }
  const table: Record<string, RegistryCredentials> = {};
  for (const [rawHost, entry] of Object.entries(parsed.data.auths ?? {})) {
    const host = normalizeRegistryHost(rawHost);
    let username = entry.username;
    let password = entry.password;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0 && !entry.identitytoken) {
        throw fatal(
          FatalFailure.BadInput,
          `expected auths[${JSON.stringify(rawHost)}].auth in ${file} to be base64 of user:password, found something else`,
        );
      }
      if (colon > 0) {
        username = decoded.slice(0, colon);
        password = decoded.slice(colon + 1);
      }
    }
    if (entry.identitytoken)
      table[host] = { identityToken: entry.identitytoken, ...(username ? { username } : {}) };
    else if (entry.registrytoken) table[host] = { token: entry.registrytoken };
    else if (username && password !== undefined && password !== '') table[host] = { username, password };
  }
  return table;
}

/**
 * Credentials by registry host, from (in order of precedence) the
 * BUMPFLOW_REGISTRY_AUTH JSON object (host → {username,password} or {token})
 * and a docker config.json at $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json (auths: auth, username/password, identitytoken,
 * registrytoken; credential helpers are not run). Read once, at call time.
 * Errors name the source and the host, never a value.
 */
export function credentialsFromEnvironment(
  env: NodeJS.ProcessEnv,
): (registry: string) => RegistryCredentials | undefined {
  const table: Record<string, RegistryCredentials> = readDockerConfig(dockerConfigPath(env));
  const raw = env.BUMPFLOW_REGISTRY_AUTH?.trim();
  if (raw) {
    const json = parseJson(Buffer.from(raw));
    if (json === undefined) {
      throw fatal(
        FatalFailure.BadInput,
        'expected BUMPFLOW_REGISTRY_AUTH as JSON {"host": {"username": …, "password": …} or {"token": …}}, found text that is not JSON',
      );
    }
    const parsed = registryAuthEnvSchema.safeParse(json);
    if (!parsed.success) {
      const hosts = [
        ...new Set(parsed.error.issues.map((i) => (i.path[0] === undefined ? '(root)' : String(i.path[0])))),
      ];
      throw fatal(
        FatalFailure.BadInput,
        `expected BUMPFLOW_REGISTRY_AUTH as a JSON object of host → {"username","password"} or {"token"}, found a malformed entry for ${hosts.map((h) => JSON.stringify(h)).join(', ')}`,
      );
    }
    for (const [host, entry] of Object.entries(parsed.data))
      table[normalizeRegistryHost(host)] = { ...entry };
  }
  return (registry) => {
    const entry = table[normalizeRegistryHost(registry)];
    return entry === undefined ? undefined : { ...entry };
  };
}
