/**
 * How an image's newest build and its checksum are found, told apart by the
 * shape of the catalog's `latest_url` as update.py's handlers read them.
 * Pure: no I/O.
 *
 *   dated-directories  latest_url in a `current/`, `latest/` or `release/` directory
 *                      (Ubuntu `…/noble/current/`, `…/minimal/releases/noble/release/`;
 *                      Debian `…/bullseye/latest/`, `…/bookworm/daily/latest/`): the
 *                      parent's listing names the dated builds (versionFromUrl.ts), each
 *                      with its own checksum file; the version is the directory's date.
 *   name-pattern       latest_url's file name holds `HEREBE<regex>DRAGONS` (CentOS
 *                      `CentOS-Stream-GenericCloud-9-HEREBE\d+\.\dDRAGONS.x86_64.qcow2`):
 *                      the image is the name in latest_checksum_url (`CHECKSUM`) that
 *                      matches, newest in natural order, in latest_url's directory.
 *   latest-file        any other latest_url (AlmaLinux `…-latest.x86_64.qcow2` in the
 *                      directory's `CHECKSUM`, Rocky `….latest.x86_64.qcow2` with its own
 *                      `.CHECKSUM`): the image is latest_url itself.
 * The last two carry no date: the version is the image's Last-Modified day.
 *
 *   resolutionForm(image, source): ResolutionForm     a bad pattern → MalformedCatalog
 *   newestMatching(text, form, options): MatchedImage  none matching → ChecksumNotFound
 *   latestFileChecksum(text, form, options): ChecksumEntry
 *     the line naming latest_url's file; in the file's own checksum file (Rocky's
 *     `<file>.CHECKSUM`, a link to the build's) the one file it names, as update.py
 *     maps it onto latest_url, if that is a build of it (`Rocky-9-GenericCloud` …
 *     `.x86_64.qcow2`). Neither → ChecksumNotFound, saying what is there.
 *   checksumOfFile(text, fileName, options): ChecksumEntry
 *     findChecksum, and a file whose name says its algorithm (SHA256SUMS, SHA512SUMS,
 *     sha256sum.txt) must hold that one → else MalformedChecksumFile.
 *   versionFromLastModified(header): DatedVersion | undefined   IMF-fixdate, GMT
 *   naturalCompare(a, b): number                    digit runs compared as numbers
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import {
  bareName,
  findChecksum,
  parseChecksumFile,
  type ChecksumAlgorithm,
  type ChecksumEntry,
} from './checksums.js';
import { calendarDate, listingUrlOf, type DatedVersion } from './versionFromUrl.js';

export type ResolutionForm =
  | { kind: 'dated-directories'; listingUrl: string }
  | {
      kind: 'name-pattern';
      /** latest_url up to its file name, `/` included */
      directoryUrl: string;
      /** latest_url's file name, markers and all, for messages */
      template: string;
      /** the whole name: literal text around the markers, the regex between them */
      pattern: RegExp;
    }
  | {
      kind: 'latest-file';
      fileName: string;
      /** latest_checksum_url is this file's own (`<file>.CHECKSUM`), not a directory's */
      ownChecksumFile: boolean;
    };

export interface MatchedImage {
  fileName: string;
  url: string;
  entry: ChecksumEntry;
}

export interface ChecksumOptions {
  /** names the checksum file in messages */
  source: string;
  /** the checksum file's URL: its name may say its algorithm */
  checksumUrl: string;
  /** the catalog's algorithm, preferred where a file holds several */
  algorithm?: ChecksumAlgorithm | undefined;
}

const LATEST_DIRECTORIES = new Set(['current', 'latest', 'release']);

function lastSegment(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function shortList(names: readonly string[]): string {
  const shown = names.slice(0, 8).join(', ');
  return names.length > 8 ? `${shown}, …` : shown;
}

function patternForm(latestUrl: string, source: string): ResolutionForm {
  const slash = latestUrl.lastIndexOf('/', latestUrl.indexOf('HEREBE'));
  const template = latestUrl.slice(slash + 1);
  const bad = (found: string): never => {
    throw fatal(
      FatalFailure.MalformedCatalog,
      `${source}: expected latest_url's file name to hold HEREBE<regular expression>DRAGONS; found ${found}`,
      { template },
    );
  };
  const m = /^(.*?)HEREBE(.+?)DRAGONS(.*)$/s.exec(template);
  if (m === null) return bad(JSON.stringify(template));
  const [, prefix = '', inner = '', suffix = ''] = m;
  if (inner.includes('/') || suffix.includes('/')) bad(`a "/" in ${JSON.stringify(template)}`);
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^${escapeRegExp(prefix)}(?:${inner})${escapeRegExp(suffix)}$`);
  } catch (err) {
    return bad(`${JSON.stringify(inner)}, which is not one (${(err as Error).message})`);
  }
  return { kind: 'name-pattern', directoryUrl: latestUrl.slice(0, slash + 1), template, pattern };
}

export function resolutionForm(
  image: { latestUrl: string; latestChecksumUrl: string },
  source: string,
): ResolutionForm {
  const { latestUrl, latestChecksumUrl } = image;
  if (lastSegment(latestUrl).includes('HEREBE')) return patternForm(latestUrl, source);
  const url = new URL(latestUrl);
  const parts = url.pathname.split('/');
  const directory = decodeURIComponent(parts.at(-2) ?? '');
  if (LATEST_DIRECTORIES.has(directory) && parts.length > 3)
    return { kind: 'dated-directories', listingUrl: listingUrlOf(latestUrl) };
  const fileName = decodeURIComponent(parts.at(-1) ?? '');
  const checksumName = decodeURIComponent(lastSegment(new URL(latestChecksumUrl).pathname));
  return {
    kind: 'latest-file',
    fileName,
    ownChecksumFile: fileName !== '' && checksumName.startsWith(`${fileName}.`),
  };
}

/** The algorithm a checksum file's name says it holds (`SHA512SUMS`, `sha256sum.txt`), if it says one. */
export function impliedAlgorithm(checksumUrl: string): ChecksumAlgorithm | undefined {
  const m = /sha-?(256|512)/i.exec(lastSegment(checksumUrl));
  return m ? (`sha${m[1]}` as ChecksumAlgorithm) : undefined;
}

export function checksumOfFile(text: string, fileName: string, options: ChecksumOptions): ChecksumEntry {
  const implied = impliedAlgorithm(options.checksumUrl);
  const entry = findChecksum(text, fileName, {
    source: options.source,
    algorithm: implied ?? options.algorithm,
  });
  if (implied !== undefined && entry.algorithm !== implied)
    throw fatal(
      FatalFailure.MalformedChecksumFile,
      `${options.source}: expected a ${implied} line for ${JSON.stringify(bareName(fileName))} (the file's ` +
        `name says ${implied}); found a ${entry.algorithm} line (${entry.hex.length} hex digits) at line ${entry.line}`,
      { source: options.source, line: entry.line },
    );
  return entry;
}

/** Natural order, as Python's natsort: runs of digits compare as numbers, the rest as text. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      const nx = x.replace(/^0+/, '');
      const ny = y.replace(/^0+/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return pa.length !== pb.length ? pa.length - pb.length : a < b ? -1 : a > b ? 1 : 0;
}

/** The names a checksum file has sha256/sha512 lines for, once each, in file order. */
function namesIn(text: string, options: ChecksumOptions): string[] {
  return [...new Set(parseChecksumFile(text, options.source).map((e) => bareName(e.name)))];
}

/** A ChecksumNotFound on the checksum file of `options`: what was expected, and what it holds (`found`, or no line). */
function notFound(
  options: ChecksumOptions,
  expected: string,
  names: string[],
  found: string | undefined,
): never {
  throw fatal(
    FatalFailure.ChecksumNotFound,
    `${options.source}: expected ${expected}; found ${found ?? 'no sha256 or sha512 line'}`,
    { source: options.source, names: names.slice(0, 8) },
  );
}

export function newestMatching(
  text: string,
  form: Extract<ResolutionForm, { kind: 'name-pattern' }>,
  options: ChecksumOptions,
): MatchedImage {
  const names = namesIn(text, options);
  const fileName = names
    .filter((n) => form.pattern.test(n))
    .sort(naturalCompare)
    .at(-1);
  if (fileName === undefined)
    notFound(
      options,
      `a file whose name matches latest_url's ${JSON.stringify(form.template)}`,
      names,
      names.length === 0 ? undefined : `none among ${names.length}: ${shortList(names)}`,
    );
  return { fileName, url: `${form.directoryUrl}${fileName}`, entry: checksumOfFile(text, fileName, options) };
}

export function latestFileChecksum(
  text: string,
  form: Extract<ResolutionForm, { kind: 'latest-file' }>,
  options: ChecksumOptions,
): ChecksumEntry {
  const names = namesIn(text, options);
  if (!form.ownChecksumFile || names.includes(form.fileName))
    return checksumOfFile(text, form.fileName, options);
  // the file's own checksum file is a link to its build's, which names the build's file
  const only = names.length === 1 ? names[0]! : undefined;
  if (only !== undefined && isBuildOf(only, form.fileName)) return checksumOfFile(text, only, options);
  return notFound(
    options,
    `a line for ${JSON.stringify(form.fileName)}, or, this being its own checksum file, for the one build of it the link points at`,
    names,
    only !== undefined
      ? `only ${JSON.stringify(only)}, which is not a build of it`
      : names.length > 1
        ? `${names.length} files: ${shortList(names)}`
        : undefined,
  );
}

/** `Rocky-9-GenericCloud-Base-9.6-20250531.0.x86_64.qcow2` is a build of `Rocky-9-GenericCloud.latest.x86_64.qcow2`. */
function isBuildOf(name: string, latestName: string): boolean {
  const m = /^(.*?)[.-]?latest([.-].*)$/i.exec(latestName);
  if (m === null) return true; // no `latest` in the name: nothing to hold the build's name to
  const [, before = '', after = ''] = m;
  return name.length > before.length + after.length && name.startsWith(before) && name.endsWith(after);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d GMT$/;

export function versionFromLastModified(header: string | undefined): DatedVersion | undefined {
  const m = IMF_FIXDATE.exec(header?.trim() ?? '');
  if (m === null) return undefined;
  const month = String(MONTHS.indexOf(m[2]!) + 1).padStart(2, '0');
  return calendarDate(m[3]!, month, m[1]!);
}
