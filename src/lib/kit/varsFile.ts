/**
 * Finding and editing image pins in a vars file, in place. Values look like
 *   magnum_api: "{{ atmosphere_image_prefix }}ghcr.io/vexxhost/magnum:main@sha256:<hex>"
 * A service's entries are selected by image repository, never by variable
 * prefix (prefixes only help to resolve an ambiguous name). The file is never
 * re-serialised: each pin's digest is replaced where it stands, then the result
 * is indexed again to prove that only those bytes changed. Pure: no I/O.
 */
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { parseImageRef, type ImageRef } from './imageRef.js';

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

export const SERVICE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
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

/** Parsed indexes by the file's text: one parse per content, whatever branch, commit or step reads it. */
const parsed = new Map<string, VarsFileIndex>();
const PARSED_KEPT = 32;

/**
 * Indexes the pins of the `_atmosphere_images` mapping. Throws
 * MalformedVarsFile when the text is not YAML, has no such top-level mapping,
 * or one of its values is not a string. A text indexed before answers from
 * memory (the index does not depend on `path`, which only names the file in a
 * failure; failures are not kept); the index is frozen, shared by every reader.
 */
export function indexVarsFile(text: string, path = 'vars file'): VarsFileIndex {
  const known = parsed.get(text);
  if (known !== undefined) {
    parsed.delete(text); // most recently used last
    parsed.set(text, known);
    return known;
  }
  const index = deepFreeze(parseVarsFile(text, path));
  parsed.set(text, index);
  if (parsed.size > PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  return index;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function parseVarsFile(text: string, path: string): VarsFileIndex {
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
