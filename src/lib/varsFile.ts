/**
 * Finding and editing image pins in a vars file, in place. Values look like
 *   magnum_api: "{{ atmosphere_image_prefix }}ghcr.io/vexxhost/magnum:main@sha256:<hex>"
 * A service's entries are selected by image repository, never by variable
 * prefix (prefixes only help to resolve an ambiguous name). The file is never
 * re-serialised: each pin's digest is replaced where it stands, then the result
 * is indexed again to prove that only those bytes changed. Pure: no I/O.
 */
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { fatal, FatalFailure } from '../shared/failures.js';
import { assertDigest, imageName, parseImageRef, type ImageRef } from './imageRef.js';

export interface PinEntry {
  key: string;
  /** 1-based line of the image reference in the text. */
  line: number;
  /** Registry, repository, tag and digest: all present. */
  ref: ImageRef;
  /** The whole raw line, without its line terminator. */
  text: string;
  /** 1-based column where the reference starts on `line`. */
  column?: number | undefined;
}

/** An entry that names an image without the `:<tag>@sha256:<digest>` form. */
export interface UnpinnedEntry {
  key: string;
  line: number;
  ref: ImageRef;
}

export interface VarsFileIndex {
  /** Entries pinned as `<registry>/<repo>:<tag>@sha256:<64 hex>`, in file order. */
  pins: PinEntry[];
  /** Entries pinned by tag only: `<registry>/<repo>:<tag>`. */
  tagOnly: UnpinnedEntry[];
  /** Entries pinned by digest without a tag (no tag to look a newer digest up by). */
  digestOnly?: UnpinnedEntry[] | undefined;
  /** Every entry of the images mapping with its raw value, in file order. */
  entries?: Array<{ key: string; line: number; value: string }> | undefined;
}

export interface ServiceSelection {
  /** registry/repository, e.g. ghcr.io/vexxhost/magnum */
  image: string;
  /** Every digest pin of that image repository, whatever its key. */
  pins: PinEntry[];
  /** Entries of the same repository pinned by tag only: left alone by a digest bump. */
  tagOnly?: UnpinnedEntry[] | undefined;
}

export const IMAGES_KEY = '_atmosphere_images';

const SERVICE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
// A registry host has a dot or a port, or is localhost (as in parseImageRef).
const HOST = String.raw`(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?|[a-z0-9-]+:\d+|localhost)`;
const REPO = String.raw`[a-z0-9]+(?:[._/-]+[a-z0-9]+)*`;
const TAG = String.raw`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`;
const HEX = String.raw`sha256:[a-f0-9]{64}`;
const PINNED = new RegExp(String.raw`(?<![A-Za-z0-9._/-])${HOST}/${REPO}:${TAG}@${HEX}(?![A-Za-z0-9])`);
const DIGEST_ONLY = new RegExp(String.raw`(?<![A-Za-z0-9._/-])${HOST}/${REPO}@${HEX}(?![A-Za-z0-9])`);
const TAGGED = new RegExp(String.raw`(?<![A-Za-z0-9._/-])${HOST}/${REPO}:${TAG}\s*$`);

interface Located {
  line: number;
  column: number;
}

/** Where `needle` stands in the source of a value node (or where the node starts). */
function locate(
  text: string,
  range: [number, number, number] | null | undefined,
  needle: string,
  counter: LineCounter,
): Located | undefined {
  const start = range?.[0] ?? 0;
  const end = range?.[1] ?? text.length;
  const at = text.slice(start, end).indexOf(needle);
  if (at < 0) return undefined;
  const pos = counter.linePos(start + at);
  return { line: pos.line, column: pos.col };
}

function tryParse(text: string): ImageRef | undefined {
  try {
    return parseImageRef(text);
  } catch {
    return undefined;
  }
}

function quoteLine(lines: string[], line: number): string {
  const raw = (lines[line - 1] ?? '').replace(/\r$/, '');
  return raw.length > 160 ? `${raw.slice(0, 160)}…` : raw;
}

/**
 * Indexes the pins of the `_atmosphere_images` mapping. Throws
 * MalformedVarsFile when the text is not YAML, has no such top-level mapping,
 * or one of its values is not a string.
 */
export function indexVarsFile(text: string, path = 'vars file'): VarsFileIndex {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const lines = text.split('\n');
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const pos = firstError.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    const shown = pos ? ` (line ${pos.line}: ${JSON.stringify(quoteLine(lines, pos.line))})` : '';
    throw fatal(
      FatalFailure.MalformedVarsFile,
      `expected ${path} to be valid YAML, found a syntax error${where}: ${(firstError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?\s*$/, '')}${shown}`,
      {
        path,
        code: firstError.code,
        ...(pos ? { line: pos.line, column: pos.col, text: quoteLine(lines, pos.line) } : {}),
      },
    );
  }
  if (!isMap(doc.contents)) {
    throw fatal(
      FatalFailure.MalformedVarsFile,
      `expected ${path} to be a YAML mapping holding ${IMAGES_KEY}, found ${doc.contents === null ? 'an empty document' : 'another kind of document'}`,
      {
        path,
      },
    );
  }
  const images = doc.contents.get(IMAGES_KEY, true);
  if (!isMap(images)) {
    const found =
      images === undefined
        ? 'no such key'
        : `a ${isScalar(images) ? `scalar ${JSON.stringify(images.value)}` : 'non-mapping value'}`;
    throw fatal(
      FatalFailure.MalformedVarsFile,
      `expected ${path} to hold a top-level mapping ${IMAGES_KEY}, found ${found}`,
      { path, key: IMAGES_KEY },
    );
  }

  const index: Required<VarsFileIndex> = { pins: [], tagOnly: [], digestOnly: [], entries: [] };
  for (const item of images.items) {
    const keyNode = item.key;
    const valueNode = item.value;
    if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
      const start = (keyNode as { range?: [number, number, number] } | null)?.range?.[0];
      const line = start === undefined ? undefined : counter.linePos(start).line;
      throw fatal(
        FatalFailure.MalformedVarsFile,
        `expected every key of ${IMAGES_KEY} in ${path} to be a plain name, found a ${keyNode === null ? 'missing' : 'complex'} key${line === undefined ? '' : ` at line ${line}: ${JSON.stringify(quoteLine(lines, line))}`}`,
        { path, ...(line === undefined ? {} : { line }) },
      );
    }
    const key = String(keyNode.value);
    const keyLine = counter.linePos(keyNode.range?.[0] ?? 0).line;
    if (!isScalar(valueNode) || typeof valueNode.value !== 'string') {
      const found = isScalar(valueNode)
        ? `${valueNode.value === null ? 'null' : typeof valueNode.value} ${JSON.stringify(valueNode.value)}`
        : 'a collection or alias';
      throw fatal(
        FatalFailure.MalformedVarsFile,
        `expected ${IMAGES_KEY}.${key} in ${path} to be a string, found ${found} at line ${keyLine}: ${JSON.stringify(quoteLine(lines, keyLine))}`,
        { path, key, line: keyLine },
      );
    }
    const value = valueNode.value;
    const valueLine = counter.linePos(valueNode.range?.[0] ?? 0).line;
    index.entries.push({ key, line: valueLine, value });

    const pinned = PINNED.exec(value);
    const pinnedRef = pinned ? tryParse(pinned[0]) : undefined;
    if (pinned && pinnedRef) {
      // Where the reference itself stands; undefined when the value is written
      // with escapes, in which case replaceDigest refuses to edit it.
      const at = locate(text, valueNode.range, pinned[0], counter);
      const line = at?.line ?? valueLine;
      index.pins.push({
        key,
        line,
        ref: pinnedRef,
        text: (lines[line - 1] ?? '').replace(/\r$/, ''),
        column: at?.column,
      });
      continue;
    }
    const digestOnly = DIGEST_ONLY.exec(value);
    const digestRef = digestOnly ? tryParse(digestOnly[0]) : undefined;
    if (digestRef) {
      index.digestOnly.push({ key, line: valueLine, ref: digestRef });
      continue;
    }
    const tagged = TAGGED.exec(value);
    const taggedRef = tagged ? tryParse(tagged[0].trim()) : undefined;
    if (taggedRef) index.tagOnly.push({ key, line: valueLine, ref: taggedRef });
  }
  return index;
}

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
export function selectService(index: VarsFileIndex, service: string): ServiceSelection {
  const wanted = service.trim();
  if (wanted.includes('/')) {
    let ref: ImageRef;
    try {
      ref = parseImageRef(wanted);
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
        {
          service,
        },
      );
    }
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
  if (!SERVICE_PATTERN.test(wanted)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a service name of lowercase letters, digits, '-' and '_' (such as magnum) or a full image name (such as ghcr.io/vexxhost/magnum), found ${JSON.stringify(service)}`,
      { service },
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

/**
 * Replaces the digest of the selection's pins where they stand; every other
 * byte of the text is kept. Re-indexes the result and throws (a programming
 * error) unless every pin of the image now carries `newDigest` and nothing
 * else changed.
 */
export function replaceDigest(
  text: string,
  selection: ServiceSelection,
  newDigest: string,
): { text: string; changedLines: number[] } {
  assertDigest(newDigest, 'new digest');
  const lines = text.split('\n');
  const changed = new Set<number>();
  /** 0-based line → the [start, end) spans of the digests written on it. */
  const spans = new Map<number, Array<[number, number]>>();
  for (const pin of selection.pins) {
    const { tag, digest } = pin.ref;
    if (tag === undefined || digest === undefined)
      throw new Error(`replaceDigest: pin ${pin.key} of ${selection.image} has no tag and digest`);
    if (imageName(pin.ref) !== selection.image)
      throw new Error(`replaceDigest: pin ${pin.key} names ${imageName(pin.ref)}, not ${selection.image}`);
    const i = pin.line - 1;
    const current = lines[i];
    if (current === undefined || current.replace(/\r$/, '') !== pin.text) {
      throw new Error(
        `replaceDigest: line ${pin.line} does not hold the indexed pin of ${pin.key}; the selection belongs to another text`,
      );
    }
    const old = `${selection.image}:${tag}@${digest}`;
    const col = pin.column === undefined ? current.indexOf(old) : pin.column - 1;
    if (col < 0 || current.slice(col, col + old.length) !== old) {
      throw fatal(
        FatalFailure.MalformedVarsFile,
        `expected ${old} written verbatim on line ${pin.line} (${pin.key}) so it can be edited in place, found ${JSON.stringify(pin.text)}`,
        { key: pin.key, line: pin.line },
      );
    }
    const start = col + old.length - digest.length;
    lines[i] = `${current.slice(0, start)}${newDigest}${current.slice(start + digest.length)}`;
    spans.set(i, [...(spans.get(i) ?? []), [start, start + digest.length]]);
    if (lines[i] !== current) changed.add(pin.line);
  }
  const result = lines.join('\n');
  verifyReplacement(text, result, selection, newDigest, spans);
  return { text: result, changedLines: [...changed].sort((a, b) => a - b) };
}

function verifyReplacement(
  before: string,
  after: string,
  selection: ServiceSelection,
  newDigest: string,
  spans: Map<number, Array<[number, number]>>,
): void {
  const fail = (why: string): never => {
    throw new Error(`replaceDigest: ${why} (image ${selection.image}, new digest ${newDigest})`);
  };
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) fail(`the line count changed from ${a.length} to ${b.length}`);
  a.forEach((line, i) => {
    const next = b[i] ?? '';
    if (line === next) return;
    const allowed = spans.get(i) ?? [];
    if (allowed.length === 0) fail(`line ${i + 1} changed but holds no pin of the image`);
    if (line.length !== next.length) fail(`line ${i + 1} changed length`);
    for (let c = 0; c < line.length; c++) {
      if (line[c] !== next[c] && !allowed.some(([s, e]) => c >= s && c < e))
        fail(`line ${i + 1} changed outside a digest at column ${c + 1}`);
    }
  });
  const reindexed = indexVarsFile(after).pins;
  const mine = reindexed.filter((p) => imageName(p.ref) === selection.image);
  const expectedKeys = selection.pins.map((p) => `${p.key}:${p.line}:${p.ref.tag}`).sort();
  const foundKeys = mine.map((p) => `${p.key}:${p.line}:${p.ref.tag}`).sort();
  if (expectedKeys.join(',') !== foundKeys.join(','))
    fail(
      `after the edit the image is pinned by ${foundKeys.join(', ')}, expected ${expectedKeys.join(', ')}`,
    );
  const stale = mine.filter((p) => p.ref.digest !== newDigest);
  if (stale.length > 0) fail(`after the edit ${stale.map((p) => p.key).join(', ')} still pin another digest`);
  const others = (pins: PinEntry[]) =>
    pins
      .filter((p) => imageName(p.ref) !== selection.image)
      .map((p) => `${p.key}:${p.line}:${p.ref.tag}@${p.ref.digest}`)
      .join(',');
  if (others(indexVarsFile(before).pins) !== others(reindexed)) fail('a pin of another image changed');
}
