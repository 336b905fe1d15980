/**
 * Registry mirrors as settings, read into one table: registry host → its
 * endpoints in order, each a base URL (before `/v2`) and an optional
 * repository path prefix (the name on that endpoint is `<prefix>/<repository>`:
 * a Harbor proxy-cache project, or a registry storing host-prefixed names).
 * From BUMPFLOW_REGISTRY_MIRRORS, the config file's `registry.mirrors` (which
 * the worker turns into that variable, mirrorsSetting) and the client's
 * `mirrors` option. One check of each part for all of them: errors say what
 * was expected and what was found, never a credential. Pure.
 *
 *   BUMPFLOW_REGISTRY_MIRRORS='ghcr.io=https://harbor.example.com;prefix=ghcr-proxy|https://mirror.local,quay.io=https://q.local'
 *   → { 'ghcr.io': [{ url: 'https://harbor.example.com', prefix: 'ghcr-proxy' }, { url: 'https://mirror.local' }],
 *       'quay.io': [{ url: 'https://q.local' }] }
 */
import { fatal, FatalFailure } from '../../shared/failures.js';

/** One endpoint of a registry host, as configured. */
export interface MirrorEndpoint {
  /** the base URL, before `/v2`: `https://harbor.example.com`, `https://mirror.local/ghcr` */
  url: string;
  /** the repository path prefix on this endpoint: `ghcr-proxy` → `/v2/ghcr-proxy/<repository>/…` */
  prefix?: string;
}

/** Registry host → its endpoints, tried in that order for reads; writes go to the first. */
export type RegistryMirrors = Readonly<Record<string, readonly MirrorEndpoint[]>>;

/** What the client's `mirrors` option takes: a URL, an endpoint, or a list of them, per host. */
export type MirrorsOption = Readonly<
  Record<string, string | MirrorEndpoint | readonly (string | MirrorEndpoint)[]>
>;

export const HOST_PATTERN =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::[0-9]{1,5})?$/;
/** Repository path components (the distribution spec's name grammar), as a prefix has them. */
const PREFIX_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const MAX_PREFIX = 200;
/** What separates hosts, endpoints and attributes in BUMPFLOW_REGISTRY_MIRRORS: never part of a URL there. */
const SEPARATORS = /[,;|]/;

export const MIRRORS_SYNTAX = 'host=URL[;prefix=PATH][|URL[;prefix=PATH]…][,host=…]';

/** Why `prefix` is not a repository path prefix, or undefined. */
export function mirrorPrefixProblem(prefix: string): string | undefined {
  if (prefix.length <= MAX_PREFIX && PREFIX_PATTERN.test(prefix)) return undefined;
  return `expected a repository path prefix of lowercase name components joined by / (such as ghcr-proxy or ghcr.io), without leading or trailing /, found ${JSON.stringify(prefix)}`;
}

/**
 * Why an http(s) URL without credentials (checked before) cannot be a mirror's
 * base URL, or undefined: it holds a separator, or a path beyond `/v2` (a
 * name prefix is said with `prefix`, not in the URL).
 */
export function mirrorUrlShapeProblem(url: string): string | undefined {
  if (SEPARATORS.test(url))
    return `expected a mirror URL without , ; or | (they separate hosts, attributes and endpoints in BUMPFLOW_REGISTRY_MIRRORS), found ${JSON.stringify(url)}`;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined; // the URL check before says what is wrong with it
  }
  const beyond = /(?:^|\/)v2\/+(.+?)\/*$/.exec(path);
  if (beyond !== null)
    return `expected the mirror's base URL (what comes before /v2), found ${JSON.stringify(url)}: for names under ${beyond[1]}/ on it, give the URL before /v2 and the prefix ${beyond[1]}`;
  return undefined;
}

/** A mirror URL as used: origin and base path, without trailing `/` or `/v2` (as containerd reads it). */
function baseOf(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '')}`;
}

/** The checked endpoint, or the problem (never showing a credential). */
function endpointOf(rawUrl: string, prefix: string | undefined): MirrorEndpoint | { problem: string } {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { problem: `${JSON.stringify(rawUrl)} is not a URL` };
  }
  if (url.username || url.password) return { problem: 'a URL with credentials (not shown)' };
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash)
    return {
      problem: `${JSON.stringify(rawUrl)}: only http(s) URLs without credentials, query or fragment`,
    };
  const shape = mirrorUrlShapeProblem(rawUrl);
  if (shape !== undefined) return { problem: shape };
  if (prefix !== undefined) {
    const wrong = mirrorPrefixProblem(prefix);
    if (wrong !== undefined) return { problem: wrong };
  }
  return { url: baseOf(url), ...(prefix === undefined ? {} : { prefix }) };
}

/** `URL[;prefix=PATH]` → its endpoint; BadInput naming what was expected. */
function parseEndpoint(text: string, host: string, expected: string): MirrorEndpoint {
  const [rawUrl = '', ...attributes] = text.split(';').map((p) => p.trim());
  let prefix: string | undefined;
  for (const attribute of attributes) {
    const eq = attribute.indexOf('=');
    const key = eq < 0 ? attribute : attribute.slice(0, eq).trim();
    if (key !== 'prefix' || prefix !== undefined)
      throw fatal(
        FatalFailure.BadInput,
        `${expected}, found ${JSON.stringify(`;${attribute}`)} after a URL of ${host} (the one attribute is prefix=PATH, once)`,
      );
    prefix = attribute.slice(eq + 1).trim();
  }
  if (rawUrl === '')
    throw fatal(FatalFailure.BadInput, `${expected}, found an empty endpoint for ${host} (no URL)`);
  const endpoint = endpointOf(rawUrl, prefix);
  if ('problem' in endpoint)
    throw fatal(FatalFailure.BadInput, `${expected}, found for ${host}: ${endpoint.problem}`);
  return endpoint;
}

function sameEndpoint(a: MirrorEndpoint, b: MirrorEndpoint): boolean {
  return a.url === b.url && a.prefix === b.prefix;
}

function refuseRepeats(host: string, endpoints: readonly MirrorEndpoint[], expected: string): void {
  endpoints.forEach((e, i) => {
    if (endpoints.findIndex((other) => sameEndpoint(other, e)) !== i)
      throw fatal(
        FatalFailure.BadInput,
        `${expected} with each endpoint of a host once, found ${e.url}${e.prefix === undefined ? '' : ` (prefix ${e.prefix})`} twice for ${host}`,
      );
  });
}

/**
 * BUMPFLOW_REGISTRY_MIRRORS → the table. `,` separates hosts, `|` the
 * endpoints of one host (in order), `;prefix=PATH` gives an endpoint's
 * repository prefix. `ghcr.io=https://mirror/base` keeps its meaning: a base
 * path before `/v2`, no prefix. BadInput when malformed.
 */
export function mirrorsFromEnvironment(env: NodeJS.ProcessEnv): Record<string, MirrorEndpoint[]> {
  const raw = env.BUMPFLOW_REGISTRY_MIRRORS?.trim();
  if (!raw) return {};
  const out: Record<string, MirrorEndpoint[]> = {};
  const expected = `expected BUMPFLOW_REGISTRY_MIRRORS as ${MIRRORS_SYNTAX}`;
  for (const part of raw.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const host = eq < 0 ? '' : part.slice(0, eq).trim().toLowerCase();
    if (!HOST_PATTERN.test(host)) {
      const shown = part.includes('@') ? "<an entry with '@' (not shown)>" : part;
      throw fatal(
        FatalFailure.BadInput,
        `${expected}, found ${JSON.stringify(shown)} (the host before '=' is not a registry host)`,
      );
    }
    if (out[host] !== undefined)
      throw fatal(
        FatalFailure.BadInput,
        `${expected} with each host once, found ${JSON.stringify(host)} twice`,
      );
    const endpoints = part
      .slice(eq + 1)
      .split('|')
      .map((text) => parseEndpoint(text.trim(), host, expected));
    refuseRepeats(host, endpoints, expected);
    out[host] = endpoints;
  }
  return out;
}

/** The client's `mirrors` option → the table, each endpoint checked as the environment's are. */
export function mirrorTable(option: MirrorsOption): Record<string, MirrorEndpoint[]> {
  const expected = "expected the registry client's mirrors as host → URL, {url, prefix?} or a list of them";
  const out: Record<string, MirrorEndpoint[]> = {};
  for (const [rawHost, value] of Object.entries(option)) {
    const host = rawHost.toLowerCase();
    const items: readonly (string | MirrorEndpoint)[] =
      typeof value === 'string' || !Array.isArray(value)
        ? [value as string | MirrorEndpoint]
        : (value as readonly (string | MirrorEndpoint)[]);
    if (items.length === 0) throw fatal(FatalFailure.BadInput, `${expected}, found no endpoint for ${host}`);
    const endpoints = items.map((item) => {
      const checked =
        typeof item === 'string' ? endpointOf(item, undefined) : endpointOf(item.url, item.prefix);
      if ('problem' in checked)
        throw fatal(FatalFailure.BadInput, `${expected}, found for ${host}: ${checked.problem}`);
      return checked;
    });
    refuseRepeats(host, endpoints, expected);
    out[host] = endpoints;
  }
  return out;
}

/** The config file's `registry.mirrors` (checked by its schema) as BUMPFLOW_REGISTRY_MIRRORS. */
export function mirrorsSetting(
  mirrors: Readonly<Record<string, string | readonly (string | MirrorEndpoint)[]>>,
): string {
  const endpoint = (e: string | MirrorEndpoint) =>
    typeof e === 'string' ? e : `${e.url}${e.prefix === undefined ? '' : `;prefix=${e.prefix}`}`;
  return Object.entries(mirrors)
    .map(
      ([host, value]) => `${host}=${(typeof value === 'string' ? [value] : value).map(endpoint).join('|')}`,
    )
    .join(',');
}
