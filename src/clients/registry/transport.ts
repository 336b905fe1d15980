/**
 * The wire: one Session per client (fetch under a deadline, each registry's
 * endpoints in order, credentials by endpoint host, the token cache),
 * sending a request and reading its body. A server that does not answer,
 * resets, or stalls mid-body is a transient RegistryUnavailable. A session
 * pinned to one endpoint of a registry (pin, primary) shares the caches.
 */
import type { RegistryClientOptions } from './types.js';
import { createContentCache, type ContentCache } from './contentCache.js';
import { BumpflowError, transient, TransientFailure } from '../../shared/failures.js';
import { describeNoAnswer, fetchWithDeadline, noAnswerFailure } from '../http.js';
import { type RegistryCredentials } from './credentials.js';
import { mirrorTable } from './mirrorSettings.js';
import { registryRoutes, type Route } from './mirrors.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
/** A manifest or an index read into memory: at most 4 MiB, as containerd reads them. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Anything else read into memory (image configs, signatures, tag lists, tokens, error bodies). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MANIFEST_TYPE =
  /^application\/vnd\.(?:oci\.image\.(?:manifest|index)|docker\.distribution\.manifest\.(?:v\d|list))[^,;]*/i;

/** The most bytes read of an answer, by its media kind: a manifest, or any other body. */
export function bodyLimit(response: Response): number {
  return MANIFEST_TYPE.test(response.headers.get('content-type')?.trim() ?? '')
    ? MAX_MANIFEST_BYTES
    : MAX_BODY_BYTES;
}

/** `key` → Authorization header, until `expires` (ms since epoch). */
export type AuthCache = Map<string, { header: string; expires: number }>;

export interface Session {
  /** fetch whose deadline covers the whole exchange, body included */
  fetch: typeof fetch;
  /** the endpoints of a registry host, in order: reads may fall through them, writes go to the first */
  routes(registry: string): readonly Route[];
  /** every endpoint of a registry host, as configured (pinning leaves it) */
  allRoutes(registry: string): readonly Route[];
  timeoutMs: number;
  userAgent: string;
  /** by the host[:port] contacted (a mirror's own), see types.ts */
  credentials: ((host: string) => RegistryCredentials | undefined) | undefined;
  authCache: AuthCache;
  /** manifests and small blobs by digest (they never change) */
  content: ContentCache;
}

/** What a session is made from: the client's options (see types.ts). */
export type SessionOptions = RegistryClientOptions;

export function createSession(options: SessionOptions): Session {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const table = mirrorTable(options.mirrors ?? {});
  return {
    fetch: fetchWithDeadline(timeoutMs, options.fetch ?? globalThis.fetch, bodyLimit),
    routes: (registry) => registryRoutes(registry, table),
    allRoutes: (registry) => registryRoutes(registry, table),
    timeoutMs,
    userAgent: options.userAgent ?? 'bumpflow',
    credentials: options.credentials,
    authCache: new Map(),
    content: createContentCache(options.cacheBytes ?? undefined),
  };
}

/** The same session, with `registry`'s requests going to `route` only (caches shared). */
export function pin(s: Session, registry: string, route: Route): Session {
  const host = registry.toLowerCase();
  return { ...s, routes: (r) => (r.toLowerCase() === host ? [route] : s.routes(r)) };
}

/** The same session, with `registry`'s requests going to its first endpoint only: writes and the reads they decide on. */
export function primary(s: Session, registry: string): Session {
  const routes = s.routes(registry);
  return routes.length === 1 ? s : pin(s, registry, routes[0]!);
}

/** An endpoint for messages: `http://127.0.0.1:5000`, `https://harbor.example.com, prefix ghcr-proxy`. */
export function shownRoute(route: Route): string {
  return `${route.base}${route.prefix === undefined ? '' : `, prefix ${route.prefix}`}`;
}

/**
 * What the content cache keeps a registry's content under for this session:
 * the registry and the endpoints it reads from, so that what a read found on
 * a later endpoint is never taken as present on the first by a write pinned
 * there. One endpoint (most registries): the same key pinned or not.
 */
export function cacheScope(s: Session, registry: string, routes = s.routes(registry)): string {
  if (routes.length === 1 && !routes[0]!.mirror) return registry;
  return `${registry} ${routes.map((r) => `${r.base}|${r.prefix ?? ''}`).join(' ')}`;
}

/** The registry for messages: `ghcr.io`, or `ghcr.io (via http://127.0.0.1:5000)` through a mirror (the first one). */
export function where(s: Session, registry: string): string {
  const route = s.routes(registry)[0]!;
  return route.mirror ? `${registry} (via ${shownRoute(route)})` : registry;
}

/** The base URL of a registry's first endpoint. */
export function endpointOf(s: Session, registry: string): string {
  return s.routes(registry)[0]!.base;
}

export async function send(
  s: Session,
  url: string,
  init: RequestInit,
  what: string,
  registry: string,
): Promise<Response> {
  try {
    return await s.fetch(url, { ...init, redirect: 'follow' });
  } catch (err) {
    if (err instanceof BumpflowError) throw err; // TooLarge: no later attempt makes it smaller
    throw noAnswerFailure(
      TransientFailure.RegistryUnavailable,
      `expected ${where(s, registry)} to answer for ${what}, found ${describeNoAnswer(err, s.timeoutMs)}`,
      err,
      { details: { registry, url } },
    );
  }
}

export async function readBody(s: Session, res: Response, what: string, registry: string): Promise<Buffer> {
  try {
    return Buffer.from(await res.arrayBuffer());
  } catch (err) {
    throw transient(
      TransientFailure.RegistryUnavailable,
      `expected ${where(s, registry)} to send ${what} in full, found ${describeNoAnswer(err, s.timeoutMs)}`,
      { cause: err, details: { registry } },
    );
  }
}

export async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}
