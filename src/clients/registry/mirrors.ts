/**
 * Where a registry host is spoken to: mirrors (BUMPFLOW_REGISTRY_MIRRORS),
 * Docker Hub's API host and `library/` names, plain HTTP for loopback.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';

const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);
const HOST_PATTERN =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::[0-9]{1,5})?$/;

export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_HOSTS.has(registry);
}

/** `127.0.0.1:5000`, `localhost`, `[::1]:5000`: a host[:port] on this machine (127.0.0.0/8, localhost, ::1). */
export function isLoopback(registry: string): boolean {
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
export function remoteRepository(ref: { registry: string; repository: string }): string {
  if (isDockerHub(ref.registry) && !ref.repository.includes('/')) return `library/${ref.repository}`;
  return ref.repository;
}

/** `https://Index.Docker.io/v1/` → `docker.io`; `GHCR.io` → `ghcr.io`. */
export function normalizeRegistryHost(raw: string): string {
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
