/**
 * Checksum files as the distros publish them, parsed and (for the loopback
 * mirror) written. Pure: no I/O.
 *
 *   parseChecksumFile(text, source?): ChecksumEntry[]
 *     every sha256/sha512 line, in file order. Understands GNU coreutils lines
 *     (`<hex>  <name>`, `<hex> *<name>`, a leading `\` for escaped names), BSD
 *     tagged lines (`SHA256 (<name>) = <hex>`), and CentOS/Fedora `CHECKSUM`
 *     files: BSD lines between `#` comments, possibly inside a PGP clear-signed
 *     armour. The algorithm comes from the BSD tag or from the hex length (64 →
 *     sha256, 128 → sha512); lines of other algorithms (md5, sha1 …) are skipped.
 *     A line in none of these shapes → MalformedChecksumFile (line number shown).
 *   findChecksum(text, fileName, { source?, algorithm? }): ChecksumEntry
 *     the checksum of one file (a leading `./` or `*` on either side ignored).
 *     Several algorithms for the name → the one asked, else the strongest.
 *     No line for it → ChecksumNotFound naming the file and what the file holds.
 *   checksumValue(entry): string                `sha256:<hex>`, as catalogs store it
 *   formatChecksumFile(files, style): string    a file in one style (for the mirror)
 *
 * The signature of a clear-signed file is not verified here (the caller
 * fetched it over TLS from the distro; verifying it needs the distro's key).
 */
import { fatal, FatalFailure } from '../../shared/failures.js';

export type ChecksumAlgorithm = 'sha256' | 'sha512';

export interface ChecksumEntry {
  /** The file name as the line gives it (without a GNU `*` binary marker). */
  name: string;
  algorithm: ChecksumAlgorithm;
  /** Lower-case hex digest. */
  hex: string;
  /** 1-based line in the checksum file. */
  line: number;
  format: 'gnu' | 'bsd';
}

/**
 * How the mirror writes a checksum file: GNU text (`  `) or binary (` *`) mode, BSD tags, BSD tags each
 * after a `# <name>: <size> bytes` comment (CentOS Stream's and Rocky's CHECKSUM today), or that
 * clear-signed (`centos`, as CentOS signed it).
 */
export type ChecksumFormat = 'gnu' | 'gnu-binary' | 'bsd' | 'bsd-sized' | 'centos';

export interface ChecksumStyle {
  format: ChecksumFormat;
  algorithm: ChecksumAlgorithm;
}

const HEX_LENGTH: Record<ChecksumAlgorithm, number> = { sha256: 64, sha512: 128 };
/** Hex lengths of digests this parser knows but does not use: md5, sha1, sha224, sha384. */
const OTHER_HEX_LENGTHS = new Set([32, 40, 56, 96]);
const GNU_LINE = /^(\\?)([0-9a-fA-F]+)(?: \*| {1,2}|\t)(.+)$/;
const BSD_LINE = /^([A-Za-z0-9-]+) ?\((.+)\) ?= ?([0-9a-fA-F]+)$/;
const BSD_TAGS: Record<string, ChecksumAlgorithm> = {
  SHA256: 'sha256',
  'SHA2-256': 'sha256',
  SHA512: 'sha512',
  'SHA2-512': 'sha512',
};

function algorithmOfLength(length: number): ChecksumAlgorithm | undefined {
  if (length === HEX_LENGTH.sha256) return 'sha256';
  if (length === HEX_LENGTH.sha512) return 'sha512';
  return undefined;
}

function shown(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}

function malformed(source: string, line: number, expected: string, text: string): never {
  throw fatal(
    FatalFailure.MalformedChecksumFile,
    `${source} line ${line}: expected ${expected}; found ${shown(text)}`,
    { source, line },
  );
}

/** GNU escapes a name holding `\` or a newline with a leading `\` on the line. */
function unescapeGnuName(name: string): string {
  return name.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Lines that carry checksums: the PGP armour's headers and signature dropped, dash-escaping undone. */
function contentLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let state: 'plain' | 'headers' | 'signed' | 'signature' = 'plain';
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line === '-----BEGIN PGP SIGNED MESSAGE-----') state = 'headers';
    else if (state === 'headers') state = line.trim() === '' ? 'signed' : 'headers';
    else if (line === '-----BEGIN PGP SIGNATURE-----') state = 'signature';
    else if (state === 'signature') state = line === '-----END PGP SIGNATURE-----' ? 'plain' : 'signature';
    else out.push({ line: i + 1, text: state === 'signed' && line.startsWith('- ') ? line.slice(2) : line });
  });
  return out;
}

function parseLine(source: string, line: number, text: string): ChecksumEntry | undefined {
  const bsd = BSD_LINE.exec(text);
  if (bsd) {
    const [, tag = '', name = '', hex = ''] = bsd;
    const algorithm = BSD_TAGS[tag.toUpperCase()];
    if (algorithm === undefined) return undefined;
    if (hex.length !== HEX_LENGTH[algorithm])
      malformed(source, line, `${HEX_LENGTH[algorithm]} hex digits after ${tag}`, text);
    return { name, algorithm, hex: hex.toLowerCase(), line, format: 'bsd' };
  }
  const gnu = GNU_LINE.exec(text);
  if (gnu) {
    const [, escaped = '', hex = '', name = ''] = gnu;
    const algorithm = algorithmOfLength(hex.length);
    if (algorithm === undefined) {
      if (OTHER_HEX_LENGTHS.has(hex.length)) return undefined;
      malformed(source, line, 'a sha256 (64 hex digits) or sha512 (128 hex digits) checksum', text);
    }
    return {
      name: escaped ? unescapeGnuName(name) : name,
      algorithm,
      hex: hex.toLowerCase(),
      line,
      format: 'gnu',
    };
  }
  return malformed(
    source,
    line,
    'a GNU line `<hex>  <name>` / `<hex> *<name>`, a BSD line `SHA256 (<name>) = <hex>`, or a `#` comment',
    text,
  );
}

export function parseChecksumFile(text: string, source = 'checksum file'): ChecksumEntry[] {
  const entries: ChecksumEntry[] = [];
  for (const { line, text: content } of contentLines(text)) {
    const trimmed = content.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const entry = parseLine(source, line, trimmed);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** A name as lines give it, without a leading `*` or `./`. */
export function bareName(name: string): string {
  return name.replace(/^\*/, '').replace(/^\.\//, '');
}

export function findChecksum(
  text: string,
  fileName: string,
  options: { source?: string; algorithm?: ChecksumAlgorithm } = {},
): ChecksumEntry {
  const source = options.source ?? 'checksum file';
  const entries = parseChecksumFile(text, source);
  const wanted = bareName(fileName);
  const found = entries.filter((e) => bareName(e.name) === wanted);
  const preferred = options.algorithm ? found.filter((e) => e.algorithm === options.algorithm) : [];
  const pool = preferred.length > 0 ? preferred : found;
  const strongest = pool.some((e) => e.algorithm === 'sha512') ? 'sha512' : 'sha256';
  const candidates = pool.filter((e) => e.algorithm === strongest);
  const first = candidates[0];
  if (first === undefined) {
    const names = entries.slice(0, 8).map((e) => e.name);
    throw fatal(
      FatalFailure.ChecksumNotFound,
      `${source}: expected a sha256 or sha512 line for ${JSON.stringify(wanted)}; found ${entries.length} ` +
        `other entr${entries.length === 1 ? 'y' : 'ies'}${names.length ? `: ${names.join(', ')}${entries.length > names.length ? ', …' : ''}` : ''}`,
      { source, fileName: wanted, names },
    );
  }
  const other = candidates.find((e) => e.hex !== first.hex);
  if (other)
    throw fatal(
      FatalFailure.MalformedChecksumFile,
      `${source}: expected one ${strongest} checksum for ${JSON.stringify(wanted)}; found two that differ ` +
        `(lines ${first.line} and ${other.line})`,
      { source, fileName: wanted, lines: [first.line, other.line] },
    );
  return first;
}

/** `<algorithm>:<hex>`, the form a catalog's `checksum` holds. */
export function checksumValue(entry: Pick<ChecksumEntry, 'algorithm' | 'hex'>): string {
  return `${entry.algorithm}:${entry.hex}`;
}

/** A checksum file for `files` (name, hex of `style.algorithm`, size in bytes) in one distro's style. */
export function formatChecksumFile(
  files: ReadonlyArray<{ name: string; hex: string; size: number }>,
  style: ChecksumStyle,
): string {
  const tag = style.algorithm.toUpperCase();
  const lines = files.map((f) => {
    if (style.format === 'gnu') return `${f.hex}  ${f.name}`;
    if (style.format === 'gnu-binary') return `${f.hex} *${f.name}`;
    const bsd = `${tag} (${f.name}) = ${f.hex}`;
    return style.format === 'bsd' ? bsd : `# ${f.name}: ${f.size} bytes\n${bsd}`;
  });
  const body = `${lines.join('\n')}\n`;
  if (style.format !== 'centos') return body;
  // CentOS clear-signs CHECKSUM; the armour's shape is what a parser meets (the mirror has no key to sign with).
  return (
    `-----BEGIN PGP SIGNED MESSAGE-----\nHash: ${tag}\n\n${body}` +
    `-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgcmVhbCBzaWduYXR1cmU=\n=AAAA\n-----END PGP SIGNATURE-----\n`
  );
}
