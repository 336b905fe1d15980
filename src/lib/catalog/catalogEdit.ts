/**
 * Writing a new image version into a catalog the way update.py does, as a
 * byte-exact text edit: only the bytes of the scalars that change are
 * replaced (each in its own quoting style), so key order, values wrapped onto
 * the line after `key: `, trailing spaces, `---` and comments all stay. The
 * result is parsed again to prove that nothing else changed. Pure: no I/O.
 *
 *   writeCatalogVersion(text, update, options?): CatalogEditResult
 *     update = { image: <name>, version: { version, buildDate, checksum, url } }.
 *     Without `keep`: versions[0]'s version, build_date, checksum, url and
 *     mirror_url are replaced in place (every real catalog keeps one entry).
 *     With `keep: N`: a new entry shaped like versions[0] (same keys, order,
 *     indentation) is inserted first and entries beyond N are dropped.
 *     The checksum equal to versions[0]'s → the text comes back unchanged.
 *     A disabled or unknown image, or bad values → BadInput; no entry to
 *     update, or a catalog the edit cannot keep → MalformedCatalog.
 *   writeCatalogVersions(text, updates, options?)   several images, one text
 *   mirrorUrlFor, NewCatalogVersion             re-exported from entryValues.ts
 */
import { isMap, isScalar, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { loadCatalogDocument, type CatalogImage, type CatalogVersion } from './catalogFile.js';
import {
  badInput,
  checkNewVersion,
  mirrorUrlFor,
  renderScalar,
  type NewCatalogVersion,
} from './entryValues.js';

export { mirrorUrlFor, type NewCatalogVersion } from './entryValues.js';

export interface CatalogUpdate {
  /** the image's `name` */
  image: string;
  version: NewCatalogVersion;
}

export interface CatalogEditOptions {
  /** keep the N newest entries (the new one first); absent: replace versions[0] in place */
  keep?: number | undefined;
  /** names the file in errors */
  source?: string | undefined;
}

export interface WrittenVersion extends NewCatalogVersion {
  image: string;
  index: number;
  /** false when versions[0] already had this checksum */
  changed: boolean;
  mirrorUrl: string | undefined;
  previous: CatalogVersion;
}

export interface CatalogEditResult {
  text: string;
  written: WrittenVersion;
}

/** catalog key ← field of the new entry, in the order update.py writes them */
const FIELDS = [
  ['version', 'version'],
  ['build_date', 'buildDate'],
  ['checksum', 'checksum'],
  ['url', 'url'],
  ['mirror_url', 'mirrorUrl'],
] as const;

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Edits that put `values` into the entry's scalars; `base` shifts them (0 = offsets in the whole text). */
function scalarEdits(entry: YAMLMap, values: Record<string, string | undefined>, base: number): Edit[] {
  const edits: Edit[] = [];
  for (const [key, field] of FIELDS) {
    const value = values[field];
    const node = entry.get(key, true);
    if (value === undefined || !isScalar(node) || !node.range) continue;
    const [start, end] = node.range;
    edits.push({ start: start - base, end: end - base, text: renderScalar(node, value) });
  }
  return edits;
}

function apply(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start))
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
  if (at > 0 && text[at - 1] === '\n') return at;
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

/** Comparable form of an image: everything the model holds, without lines. */
function shape(image: CatalogImage, versions = image.versions): string {
  return JSON.stringify({ ...image, line: 0, versions: versions.map((v) => ({ ...v, line: 0 })) });
}

export function writeCatalogVersion(
  text: string,
  update: CatalogUpdate,
  options: CatalogEditOptions = {},
): CatalogEditResult {
  const source = options.source ?? 'catalog';
  const { keep } = options;
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1))
    badInput(`keep: expected a whole number of entries ≥ 1; found ${keep}`);
  const { catalog, doc } = loadCatalogDocument(text, source);
  const matches = catalog.images.filter((i) => i.name === update.image);
  const image = matches[0];
  if (image === undefined || matches.length > 1)
    badInput(
      `${source}: expected one image named ${JSON.stringify(update.image)}; found ${matches.length}` +
        (matches.length ? ` (lines ${matches.map((m) => m.line).join(', ')})` : ''),
    );
  if (!image.enabled)
    badInput(`${source} line ${image.line}: image ${JSON.stringify(image.name)} is disabled (enable: false)`);
  checkNewVersion(update.version, image.name);
  const previous = image.versions[0];
  const where = `${source} line ${image.line}: image #${image.index} (${JSON.stringify(image.name)})`;
  if (previous === undefined)
    throw fatal(FatalFailure.MalformedCatalog, `${where}: expected a version entry to update; found none`);
  const mirrorUrl = mirrorUrlFor(image, previous, update.version.version);
  const written = { ...update.version, image: image.name, index: image.index, mirrorUrl, previous };
  if (previous.checksum === update.version.checksum) return { text, written: { ...written, changed: false } };

  const seq = doc.getIn(['images', image.index, 'versions'], true);
  const first = isSeq(seq) ? seq.items[0] : undefined;
  if (!isSeq(seq) || !isMap(first) || !first.range)
    throw fatal(FatalFailure.MalformedCatalog, `${where}: expected versions to be a list of mappings`);
  const values = { ...update.version, mirrorUrl };
  const edited =
    keep === undefined
      ? apply(text, scalarEdits(first, values, 0))
      : insertEntry(text, seq, values, keep, where);

  const after = loadCatalogDocument(edited, source).catalog.images;
  const entry: CatalogVersion = {
    version: values.version,
    buildDate: values.buildDate,
    checksum: values.checksum,
    url: values.url,
    mirrorUrl,
    line: 0,
  };
  const rest = keep === undefined ? image.versions.slice(1) : image.versions.slice(0, keep - 1);
  const same =
    after.length === catalog.images.length &&
    after.every((img, i) =>
      i === image.index
        ? shape(img) === shape(image, [entry, ...rest])
        : shape(img) === shape(catalog.images[i]!),
    );
  if (!same)
    throw fatal(FatalFailure.MalformedCatalog, `${where}: the edit would change more than the version entry`);
  return { text: edited, written: { ...written, changed: true } };
}

/** The new entry (a copy of the first, values replaced) inserted first; entries from `keep` on dropped. */
function insertEntry(
  text: string,
  seq: YAMLSeq,
  values: Record<string, string | undefined>,
  keep: number,
  where: string,
): string {
  const cst = seq.srcToken;
  const items = seq.items as YAMLMap[];
  // Each entry spans whole lines: from its `-` (the CST's seq-item-ind) to the end of its value.
  const bounds = items.map((item, i) => {
    const dash =
      cst?.type === 'block-seq' ? cst.items[i]?.start.find((t) => t.type === 'seq-item-ind') : undefined;
    const start = dash === undefined ? -1 : lineStart(text, dash.offset);
    if (dash === undefined || !item.range || text.slice(start, dash.offset).trim() !== '')
      throw fatal(
        FatalFailure.MalformedCatalog,
        `${where}: expected versions as a block list (\`- key: …\`)`,
      );
    return { start, end: lineEnd(text, item.range[1]) };
  });
  const firstBounds = bounds[0]!;
  let entry = apply(
    text.slice(firstBounds.start, firstBounds.end),
    scalarEdits(items[0]!, values, firstBounds.start),
  );
  if (!entry.endsWith('\n')) entry += '\n';
  const dropFrom = bounds[keep - 1];
  const kept =
    dropFrom === undefined
      ? text.slice(firstBounds.start)
      : text.slice(firstBounds.start, dropFrom.start) + text.slice(bounds[bounds.length - 1]!.end);
  return text.slice(0, firstBounds.start) + entry + kept;
}

export function writeCatalogVersions(
  text: string,
  updates: readonly CatalogUpdate[],
  options: CatalogEditOptions = {},
): { text: string; written: WrittenVersion[] } {
  let current = text;
  const written: WrittenVersion[] = [];
  for (const update of updates) {
    const result = writeCatalogVersion(current, update, options);
    current = result.text;
    written.push(result.written);
  }
  return { text: current, written };
}
