/**
 * Editing a vars file in place: a selection's digests are replaced where they
 * stand, then the result is indexed again to prove that only those bytes
 * changed. The file is never re-serialised. Pure.
 */
import { assertDigest, imageName } from './imageRef.js';
import { indexVarsFile, type PinEntry, type ServiceSelection } from './varsFile.js';
import { fatal, FatalFailure } from '../shared/failures.js';

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
