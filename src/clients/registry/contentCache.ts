/**
 * A cache of what a registry serves by digest — manifests and small blobs
 * (configs, signature payloads) — for one client (one worker process).
 * Content addressed by a digest never changes, so it is served again without
 * a request; it is keyed by registry and repository too, so that a digest
 * readable in one repository is never taken as present in another. A delete
 * of a digest evicts it. Bounded by bytes, least recently used first out.
 */
export interface ContentCache {
  get(registry: string, repository: string, digest: string): Buffer | undefined;
  put(registry: string, repository: string, digest: string, body: Buffer): void;
  evict(registry: string, repository: string, digest: string): void;
  readonly stats: { hits: number; misses: number; bytes: number };
}

/** Blobs larger than this (layers) are never cached. */
export const MAX_CACHED_BODY = 256 * 1024;

export function createContentCache(maxBytes = 32 * 1024 * 1024): ContentCache {
  const entries = new Map<string, Buffer>();
  const stats = { hits: 0, misses: 0, bytes: 0 };
  const keyOf = (registry: string, repository: string, digest: string) =>
    `${registry.toLowerCase()}/${repository}@${digest}`;
  function drop(key: string): void {
    const body = entries.get(key);
    if (body === undefined) return;
    entries.delete(key);
    stats.bytes -= body.length;
  }
  return {
    stats,
    get(registry, repository, digest) {
      const key = keyOf(registry, repository, digest);
      const body = entries.get(key);
      if (body === undefined) {
        stats.misses += 1;
        return undefined;
      }
      stats.hits += 1;
      entries.delete(key); // most recently used last
      entries.set(key, body);
      return body;
    },
    put(registry, repository, digest, body) {
      if (body.length > MAX_CACHED_BODY || body.length > maxBytes) return;
      const key = keyOf(registry, repository, digest);
      drop(key);
      entries.set(key, body);
      stats.bytes += body.length;
      for (const oldest of entries.keys()) {
        if (stats.bytes <= maxBytes) break;
        drop(oldest);
      }
    },
    evict(registry, repository, digest) {
      drop(keyOf(registry, repository, digest));
    },
  };
}
