/**
 * Where a registry host is spoken to: its mirror endpoints in order
 * (mirrorSettings.ts), else Docker Hub's API host for docker.io, plain HTTP
 * for loopback, HTTPS otherwise; and the name a repository has there (Docker
 * Hub's `library/`, a mirror's repository prefix).
 */
import { mirrorTable, type MirrorsOption, type RegistryMirrors } from './mirrorSettings.js';

/** One endpoint a registry's requests go to. */
export interface Route {
  /** the base URL, before `/v2` */
  base: string;
  /** the repository path prefix there: the name is `<prefix>/<repository>` */
  prefix: string | undefined;
  /** a configured mirror (else the registry itself) */
  mirror: boolean;
}

const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);

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
 * The endpoints of a registry host, in order: its mirrors when configured,
 * else the registry itself (Docker Hub's API host for docker.io, plain HTTP
 * for loopback hosts as docker and crane do, HTTPS otherwise).
 */
export function registryRoutes(registry: string, mirrors: RegistryMirrors = {}): Route[] {
  const configured = mirrors[registry] ?? mirrors[registry.toLowerCase()];
  if (configured !== undefined && configured.length > 0)
    return configured.map((e) => ({ base: e.url.replace(/\/+$/, ''), prefix: e.prefix, mirror: true }));
  const base = isDockerHub(registry)
    ? 'https://registry-1.docker.io'
    : isLoopback(registry)
      ? `http://${registry}`
      : `https://${registry}`;
  return [{ base, prefix: undefined, mirror: false }];
}

/** The base URL of the first endpoint of a registry host (the one writes go to). */
export function registryEndpoint(registry: string, mirrors: MirrorsOption = {}): string {
  return registryRoutes(registry, mirrorTable(mirrors))[0]!.base;
}

/** The repository's name on an endpoint: its prefix (if any), then the name on the wire. */
export function repositoryOn(route: Route, ref: { registry: string; repository: string }): string {
  const name = remoteRepository(ref);
  return route.prefix === undefined ? name : `${route.prefix}/${name}`;
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
