/**
 * Editing a vars file in place: a selection's digests are replaced where they
 * stand (replaceDigest), or references pinned by tag only get their digest
 * added after the tag (addDigests); then the result is indexed again to prove
 * that only those bytes changed. The file is never re-serialised. Pure.
 */
import { assertDigest, imageName } from './imageRef.js';
import { indexVarsFile, type PinEntry, type ServiceSelection } from './varsFile.js';
import { fatal, FatalFailure } from '../../shared/failures.js';

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

/** A digest to write after every reference of `image:tag` pinned by tag only. */
export interface DigestAddition {
  /** registry/repository */
  image: string;
  tag: string;
  digest: string;
}

/** What must never stand right before or after a reference (the vars file's own boundaries, as indexVarsFile's). */
const REF_CHAR = /[A-Za-z0-9._/-]/;
const AFTER_REF = /[A-Za-z0-9._@:/-]/;

/**
 * Pins references by digest where they stand: after each `image:tag` of the
 * additions that is pinned by tag only, `@<digest>` is inserted, and every
 * other byte of the text is kept. A reference not written verbatim on its
 * line (escapes, a folded scalar), or an addition with no such reference, is
 * refused (MalformedVarsFile, BadInput): nothing is written then. The result
 * is indexed again to prove that exactly those references became pins of
 * their digest and nothing else changed (a programming error otherwise).
 */
export function addDigests(
  text: string,
  additions: readonly DigestAddition[],
  path = 'vars file',
): {
  text: string;
  changed: Array<{ key: string; line: number; image: string; tag: string; digest: string }>;
} {
  const index = indexVarsFile(text, path);
  const lines = text.split('\n');
  /** 0-based line → the insertions on it (column, text) */
  const inserts = new Map<number, Array<[number, string]>>();
  const changed: Array<{ key: string; line: number; image: string; tag: string; digest: string }> = [];
  for (const a of additions) {
    assertDigest(a.digest, `the digest of ${a.image}:${a.tag}`);
    const entries = index.tagOnly.filter((t) => imageName(t.ref) === a.image && t.ref.tag === a.tag);
    if (entries.length === 0)
      throw fatal(
        FatalFailure.BadInput,
        `expected ${a.image}:${a.tag} pinned by tag only in ${path}, found no such reference`,
        { image: a.image, tag: a.tag },
      );
    for (const e of entries) {
      const raw = (lines[e.line - 1] ?? '').replace(/\r$/, '');
      const ref = `${a.image}:${a.tag}`;
      const at = occurrences(raw, ref);
      if (at.length !== 1)
        throw fatal(
          FatalFailure.MalformedVarsFile,
          `expected ${ref} written verbatim once on line ${e.line} (${e.key}) of ${path} so its digest can be added in place, found ${JSON.stringify(raw)}`,
          { key: e.key, line: e.line },
        );
      const list = inserts.get(e.line - 1) ?? [];
      list.push([at[0]! + ref.length, `@${a.digest}`]);
      inserts.set(e.line - 1, list);
      changed.push({ key: e.key, line: e.line, image: a.image, tag: a.tag, digest: a.digest });
    }
  }
  for (const [i, list] of inserts) {
    let line = lines[i]!;
    for (const [col, add] of [...list].sort((x, y) => y[0] - x[0]))
      line = `${line.slice(0, col)}${add}${line.slice(col)}`;
    lines[i] = line;
  }
  const result = lines.join('\n');
  verifyAddition(text, result, changed, inserts, path);
  return { text: result, changed };
}

/** Where `ref` starts on `line` as a whole reference (nothing of a name before it, no more name, tag or digest after it). */
function occurrences(line: string, ref: string): number[] {
  const out: number[] = [];
  for (let at = line.indexOf(ref); at >= 0; at = line.indexOf(ref, at + 1)) {
    const before = at === 0 ? '' : line[at - 1]!;
    const after = line[at + ref.length] ?? '';
    if (!REF_CHAR.test(before) && !AFTER_REF.test(after)) out.push(at);
  }
  return out;
}

function verifyAddition(
  before: string,
  after: string,
  changed: ReadonlyArray<{ key: string; line: number; image: string; tag: string; digest: string }>,
  inserts: Map<number, Array<[number, string]>>,
  path: string,
): void {
  const fail = (why: string): never => {
    throw new Error(`addDigests: ${why} (${path})`);
  };
  // byte for byte: the result without the inserted text is the text
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) fail(`the line count changed from ${a.length} to ${b.length}`);
  b.forEach((line, i) => {
    let rest = line;
    for (const [col, add] of [...(inserts.get(i) ?? [])].sort((x, y) => x[0] - y[0]))
      rest = `${rest.slice(0, col)}${rest.slice(col + add.length)}`;
    if (rest !== a[i]) fail(`line ${i + 1} changed beyond the digests added`);
  });
  const old = indexVarsFile(before, path);
  const now = indexVarsFile(after, path);
  const pin = (p: PinEntry) => `${p.key}:${p.line}:${imageName(p.ref)}:${p.ref.tag}@${p.ref.digest}`;
  const added = changed.map((c) => `${c.key}:${c.line}:${c.image}:${c.tag}@${c.digest}`);
  const expected = [...old.pins.map(pin), ...added].sort();
  const found = now.pins.map(pin).sort();
  if (expected.join(',') !== found.join(','))
    fail(
      `after the edit the pins are ${found.length}, expected ${expected.length} (the old ones and ${added.join(', ')})`,
    );
  const keys = new Set(changed.map((c) => `${c.key}:${c.line}`));
  const left = old.tagOnly.filter((t) => !keys.has(`${t.key}:${t.line}`)).map((t) => `${t.key}:${t.line}`);
  const stillTagged = now.tagOnly.map((t) => `${t.key}:${t.line}`);
  if (left.join(',') !== stillTagged.join(',')) fail('a reference pinned by tag only changed');
}
