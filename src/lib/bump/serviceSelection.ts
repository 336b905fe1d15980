/**
 * Choosing a service's pins in an indexed vars file: by image repository
 * (a variable-name prefix only resolves an ambiguous name), with a typed error
 * naming candidates or similar names, and the one tag and digest they share. Pure.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { imageName, parseImageRef, type ImageRef } from '../kit/imageRef.js';
import {
  IMAGES_KEY,
  SERVICE_PATTERN,
  type PinEntry,
  type ServiceSelection,
  type VarsFileIndex,
} from '../kit/varsFile.js';

function basename(repository: string): string {
  return repository.split('/').pop() ?? repository;
}

function groupByImage(pins: PinEntry[]): Map<string, PinEntry[]> {
  const out = new Map<string, PinEntry[]>();
  for (const p of pins) {
    const name = imageName(p.ref);
    out.set(name, [...(out.get(name) ?? []), p]);
  }
  return out;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? Math.max(a.length, b.length);
}

/** Service names (image basenames) close to `wanted`, for an UnknownService message. */
export function similarServices(index: VarsFileIndex, wanted: string, limit = 8): string[] {
  const names = [...new Set(index.pins.map((p) => basename(p.ref.repository)))];
  const w = wanted.replace(/_/g, '-');
  const score = (n: string): number => {
    if (n.startsWith(w) || w.startsWith(n)) return 0;
    if (n.includes(w) || w.includes(n)) return 1;
    const d = levenshtein(n, w);
    return d <= Math.max(1, Math.floor(w.length / 4)) ? 1 + d : Infinity;
  };
  return names
    .map((n) => ({ n, s: score(n) }))
    .filter((x) => x.s !== Infinity)
    .sort((a, b) => a.s - b.s || a.n.localeCompare(b.n))
    .slice(0, limit)
    .map((x) => x.n);
}

/** The selection of one image repository, refusing entries that mention it in a form we cannot update. */
function selectImage(index: VarsFileIndex, image: string): ServiceSelection {
  const pins = index.pins.filter((p) => imageName(p.ref) === image);
  const tagOnly = index.tagOnly.filter((t) => imageName(t.ref) === image);
  const pinnedKeys = new Set(pins.map((p) => p.key));
  const tagKeys = new Set(tagOnly.map((t) => t.key));
  const stray = (index.entries ?? []).filter(
    (e) =>
      !pinnedKeys.has(e.key) &&
      !tagKeys.has(e.key) &&
      (e.value.includes(`${image}:`) || e.value.includes(`${image}@`)),
  );
  if (stray.length > 0) {
    const listing = stray.map((e) => `${e.key} (line ${e.line}) → ${JSON.stringify(e.value)}`);
    throw fatal(
      FatalFailure.MalformedVarsFile,
      `expected every entry naming ${image} to pin it as ${image}:<tag>@sha256:<64 hex> (or by tag only), found ${stray.length} that cannot be updated safely: ${listing.join('; ')}`,
      { image, entries: listing },
    );
  }
  return { image, pins, tagOnly };
}

function notPinned(image: string, index: VarsFileIndex): never {
  const tagged = index.tagOnly.filter((t) => imageName(t.ref) === image);
  const digestOnly = (index.digestOnly ?? []).filter((t) => imageName(t.ref) === image);
  if (digestOnly.length > 0) {
    const listing = digestOnly.map((t) => `${t.key} (line ${t.line})`);
    throw fatal(
      FatalFailure.NotPinnedByDigest,
      `expected ${image} pinned as ${image}:<tag>@sha256:<digest>, found it pinned by digest without a tag (no tag to look a newer digest up by): ${listing.join(', ')}`,
      { image, entries: listing },
    );
  }
  const listing = tagged.map((t) => `${t.key} → ${imageName(t.ref)}:${t.ref.tag}`);
  throw fatal(
    FatalFailure.NotPinnedByDigest,
    `expected ${image} pinned by digest (:<tag>@sha256:<digest>), found it pinned by tag only: ${listing.join(', ')}`,
    {
      image,
      entries: listing,
    },
  );
}

/**
 * The digest pins of the image a service name stands for:
 *  (a) a full image name (`ghcr.io/vexxhost/magnum`): exactly that repository;
 *  (b) else the repositories whose last path segment is the name (`magnum`);
 *  (c) else the images pinned under keys `<service>` and `<service>_*`.
 * Several repositories → AmbiguousService with candidates; none → UnknownService
 * with similar names; only tag pins → NotPinnedByDigest.
 */
/**
 * What a service argument names: a full image name (`ghcr.io/vexxhost/magnum`,
 * no tag or digest) as its reference, or a service name (`magnum`) as
 * undefined. BadInput, saying what was expected and found, for anything else:
 * the one check of a service, for the CLI before a bump starts and here.
 */
export function serviceImage(service: string): ImageRef | undefined {
  if (typeof service === 'string' && service.includes('/')) {
    let ref: ImageRef;
    try {
      if (/\s/.test(service)) throw new Error('whitespace in it');
      ref = parseImageRef(service);
    } catch (err) {
      throw fatal(
        FatalFailure.BadInput,
        `expected a service name or a full image name such as ghcr.io/vexxhost/magnum, found ${JSON.stringify(service)}${err instanceof Error ? ` (${err.message})` : ''}`,
        { service },
      );
    }
    if (ref.tag !== undefined || ref.digest !== undefined) {
      throw fatal(
        FatalFailure.BadInput,
        `expected a full image name without tag or digest (such as ${imageName(ref)}), found ${JSON.stringify(service)}: the tag follows each branch`,
        { service },
      );
    }
    return ref;
  }
  if (typeof service !== 'string' || !SERVICE_PATTERN.test(service)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a service name of lowercase letters, digits, '-' and '_' (such as magnum) or a full image name (such as ghcr.io/vexxhost/magnum), found ${JSON.stringify(service)}`,
      { service },
    );
  }
  return undefined;
}

export function selectService(index: VarsFileIndex, service: string): ServiceSelection {
  const wanted = service.trim();
  const ref = serviceImage(wanted);
  if (ref !== undefined) {
    const image = imageName(ref);
    if (index.pins.some((p) => imageName(p.ref) === image)) return selectImage(index, image);
    if (
      index.tagOnly.some((t) => imageName(t.ref) === image) ||
      (index.digestOnly ?? []).some((t) => imageName(t.ref) === image)
    )
      notPinned(image, index);
    const similar = similarServices(index, basename(ref.repository));
    throw fatal(
      FatalFailure.UnknownService,
      `expected an entry of ${IMAGES_KEY} pinning ${image}, found none${similar.length > 0 ? `; similar: ${similar.join(', ')}` : ''}`,
      { service: wanted, similar },
    );
  }

  // (b) by the repository's last path segment
  const byName = groupByImage(index.pins.filter((p) => basename(p.ref.repository) === wanted));
  const named = [...byName.keys()];
  if (named.length === 1) return selectImage(index, named[0]!);
  if (named.length > 1) {
    const candidates = [...byName.entries()].flatMap(([image, pins]) =>
      pins.map((p) => `${p.key} → ${image}`),
    );
    throw fatal(
      FatalFailure.AmbiguousService,
      `expected one image repository named ${wanted}, found ${named.length}: ${named.join(', ')} (${candidates.join(', ')}); pass the full image name, e.g. ${named[0]}`,
      { service: wanted, candidates, images: named },
    );
  }
  const unpinnedNamed = [...index.tagOnly, ...(index.digestOnly ?? [])].filter(
    (t) => basename(t.ref.repository) === wanted,
  );
  const firstUnpinned = unpinnedNamed[0];
  if (firstUnpinned !== undefined && new Set(unpinnedNamed.map((t) => imageName(t.ref))).size === 1)
    notPinned(imageName(firstUnpinned.ref), index);

  // (c) by the keys `<service>` and `<service>_*`
  const matchesKey = (key: string) => key === wanted || key.startsWith(`${wanted}_`);
  const byKey = index.pins.filter((p) => matchesKey(p.key));
  const groups = groupByImage(byKey);
  const keyed = [...groups.keys()];
  if (keyed.length === 1) return selectImage(index, keyed[0]!);
  if (keyed.length > 1) {
    const candidates = byKey.map((p) => `${p.key} → ${imageName(p.ref)}`);
    throw fatal(
      FatalFailure.AmbiguousService,
      `expected the ${IMAGES_KEY} keys ${wanted} and ${wanted}_* to pin one image repository, found ${keyed.length}: ${candidates.join(', ')}; pass the full image name (one of ${keyed.join(', ')})`,
      { service: wanted, candidates, images: keyed },
    );
  }
  const unpinnedKeyed = [...index.tagOnly, ...(index.digestOnly ?? [])].filter((t) => matchesKey(t.key));
  if (unpinnedKeyed.length > 0 && unpinnedNamed.length === 0) {
    const listing = unpinnedKeyed.map((t) => `${t.key} → ${formatRef(t.ref)}`);
    throw fatal(
      FatalFailure.NotPinnedByDigest,
      `expected the ${IMAGES_KEY} keys ${wanted} and ${wanted}_* to pin an image by digest (:<tag>@sha256:<digest>), found only entries pinned by tag alone (or by digest without a tag): ${listing.join(', ')}`,
      { service: wanted, entries: listing },
    );
  }
  if (unpinnedNamed.length > 0) {
    const listing = unpinnedNamed.map((t) => `${t.key} → ${formatRef(t.ref)}`);
    throw fatal(
      FatalFailure.NotPinnedByDigest,
      `expected an image named ${wanted} pinned by digest (:<tag>@sha256:<digest>), found only: ${listing.join(', ')}`,
      {
        service: wanted,
        entries: listing,
      },
    );
  }
  const similar = similarServices(index, wanted);
  throw fatal(
    FatalFailure.UnknownService,
    `expected a service whose image is pinned by digest in ${IMAGES_KEY} (an image named ${wanted}, or keys ${wanted}_*), found none for ${JSON.stringify(wanted)}${
      similar.length > 0 ? `; similar: ${similar.join(', ')}` : ''
    }`,
    { service: wanted, similar },
  );
}

function formatRef(ref: ImageRef): string {
  return `${imageName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest.slice(0, 19)}…` : ''}`;
}

/** The one tag and digest every pin of the selection shares; InconsistentPins otherwise. */
export function commonDigest(selection: ServiceSelection, branch?: string): { tag: string; digest: string } {
  const first = selection.pins[0];
  const where = branch === undefined ? '' : ` on ${branch}`;
  if (first === undefined || first.ref.tag === undefined || first.ref.digest === undefined) {
    throw fatal(
      FatalFailure.NotPinnedByDigest,
      `expected at least one pin ${selection.image}:<tag>@sha256:<digest>${where}, found none`,
      {
        image: selection.image,
        ...(branch === undefined ? {} : { branch }),
      },
    );
  }
  const seen = new Set(selection.pins.map((p) => `${p.ref.tag}@${p.ref.digest}`));
  if (seen.size > 1) {
    const listing = selection.pins.map((p) => `${p.key} → ${p.ref.tag}@${p.ref.digest}`);
    throw fatal(
      FatalFailure.InconsistentPins,
      `expected every entry of ${selection.image}${where} to pin one tag and digest, found ${seen.size} different pins: ${listing.join(', ')}`,
      { image: selection.image, ...(branch === undefined ? {} : { branch }), entries: listing },
    );
  }
  return { tag: first.ref.tag, digest: first.ref.digest };
}
