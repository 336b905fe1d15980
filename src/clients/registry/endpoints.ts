/**
 * Whose credentials go where. Credentials belong to the endpoint actually
 * contacted, as in containerd's hosts.toml: a mirror of ghcr.io gets the
 * mirror's own credentials (configured under its host[:port]), never
 * ghcr.io's. And none of them (Basic, ready bearer tokens, identity tokens,
 * tokens obtained with them) ever travels over plain http, except to
 * loopback. Pure: no I/O here.
 */
import { fatal, FatalFailure, type BumpflowError } from '../../shared/failures.js';
import { isLoopback, normalizeRegistryHost } from './mirrors.js';

export interface Endpoint {
  /** `http://mirror.local:5000`: what cached tokens and headers are kept under */
  origin: string;
  /** `mirror.local:5000`: what its credentials are configured under (docker.io for Docker Hub's API host) */
  host: string;
  /** https, or plain http to a loopback host: credentials may be sent to it */
  secure: boolean;
}

/** The endpoint a URL contacts: `https://registry-1.docker.io/v2/…` → origin, host `docker.io`, secure. */
export function endpointOfUrl(url: string | URL): Endpoint {
  const u = typeof url === 'string' ? new URL(url) : url;
  return { origin: u.origin, host: normalizeRegistryHost(u.host), secure: mayAuthenticate(u) };
}

/** Whether credentials may be sent to `url`: https, or plain http to 127.0.0.0/8, localhost or [::1]. */
export function mayAuthenticate(url: string | URL): boolean {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && isLoopback(u.host);
}

/** A URL for messages: scheme, host and path, never userinfo or query. */
export function shownUrl(url: URL): string {
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
}

export interface InsecureRefusal {
  /** the logical registry, e.g. ghcr.io */
  registry: string;
  /** the endpoint credentials are looked up for (the mirror, when there is one) */
  endpoint: Endpoint;
  /** `vexxhost/magnum on ghcr.io (via http://mirror.example:5000)` */
  subject: string;
  /** what would be sent: "Basic credentials", "the configured token", … */
  sending: string;
  /** the plain-http URL it would go to: the endpoint, or the token realm its challenge named */
  target: URL;
  /** credentials are configured and the challenge can be answered without them (Bearer): removing them is a fix */
  anonymousWay: boolean;
}

/**
 * Refuses to send credentials over plain http to a non-loopback host
 * (AuthRefused: the worker's environment needs fixing, like a refused
 * password). The message says what was expected, what was found, and which
 * setting to change; it never holds a credential.
 */
export function insecureRefusal(r: InsecureRefusal): BumpflowError {
  const realm = r.target.origin !== r.endpoint.origin;
  const found = realm
    ? `a token realm over plain http (${shownUrl(r.target)}) named by ${r.endpoint.origin}`
    : `plain http to ${r.endpoint.origin}`;
  const fixes = realm
    ? [`have that registry's token service (its realm) use https`]
    : [`set BUMPFLOW_REGISTRY_MIRRORS to an https:// URL for ${r.registry}`];
  if (r.anonymousWay)
    fixes.push(
      `remove the credentials for ${r.endpoint.host} from BUMPFLOW_REGISTRY_AUTH / the docker config.json to go anonymously`,
    );
  return fatal(
    FatalFailure.AuthRefused,
    `expected https (or a loopback host) before sending ${r.sending} for ${r.subject}, found ${found}: credentials are never sent over plain http except to loopback; ${fixes.join(', or ')}`,
    {
      registry: r.registry,
      endpoint: r.endpoint.origin,
      target: shownUrl(r.target),
      reason: 'credentials over plain http',
    },
  );
}
