/**
 * A cache of what a registry serves by digest — manifests and small blobs
 * (configs, signature payloads) — for one client (one worker process).
 * Content addressed by a digest never changes, so it is served again without
 * a request; it is keyed by registry and repository too, so that a digest
 * readable in one repository is never taken as present in another. A delete
 * of a digest evicts it. Bounded by bytes, least recently used first out.
 */
export interface Cached {
  body: Buffer;
  /** a manifest's media type as the registry announced it (an OCI index need not say it in its JSON) */
  mediaType?: string | undefined;
}

export interface ContentCache {
  get(registry: string, repository: string, digest: string): Cached | undefined;
  put(registry: string, repository: string, digest: string, entry: Cached): void;
  evict(registry: string, repository: string, digest: string): void;
  readonly stats: { hits: number; misses: number; bytes: number };
}

/** Blobs larger than this (layers) are never cached. */
export const MAX_CACHED_BODY = 256 * 1024;

export function createContentCache(maxBytes = 32 * 1024 * 1024): ContentCache {
  const entries = new Map<string, Cached>();
  const stats = { hits: 0, misses: 0, bytes: 0 };
  const keyOf = (registry: string, repository: string, digest: string) =>
    `${registry.toLowerCase()}/${repository}@${digest}`;
  function drop(key: string): void {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    stats.bytes -= entry.body.length;
  }
  return {
    stats,
    get(registry, repository, digest) {
      const key = keyOf(registry, repository, digest);
      const entry = entries.get(key);
      if (entry === undefined) {
        stats.misses += 1;
        return undefined;
      }
      stats.hits += 1;
      entries.delete(key); // most recently used last
      entries.set(key, entry);
      return entry;
    },
    put(registry, repository, digest, entry) {
      if (entry.body.length > MAX_CACHED_BODY || entry.body.length > maxBytes) return;
      const key = keyOf(registry, repository, digest);
      drop(key);
      entries.set(key, entry);
      stats.bytes += entry.body.length;
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
