/**
 * What every layout of the loopback distro mirror is made of: the build
 * record tests read, the layout interface the server routes to, generated
 * image bytes with their real digests, checksum files, and Apache index
 * pages in the two styles the distros' mirrors serve (`<pre>` as
 * cloud-images.ubuntu.com, cloud.centos.org, repo.almalinux.org and
 * download.rockylinux.org; a `<table>` as cdimage.debian.org).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { formatChecksumFile, type ChecksumStyle } from '../../lib/catalog/checksums.js';

export interface MirrorBuild {
  image: string;
  /** the version update.py records: the dated directory's date, or the image's Last-Modified day */
  version: string;
  buildDate: string;
  /** the build's directory: dated (`20260115`, `release-20260115`, `20260124-2367`) or, on a flat mirror, its one directory (`images`) */
  directory: string;
  /** the URL update.py records for this build (dated, the CentOS file, or latest_url itself) and where its checksum is */
  url: string;
  checksumUrl: string;
  /** the last segment of `url` */
  fileName: string;
  bytes: Buffer;
  /** whether the checksum files name the image file */
  listed: boolean;
}

/** A directory entry: a file (bytes) or a sub-directory (none). */
export interface Entry {
  modified: Date;
  bytes?: Buffer;
  type?: string;
}

export type Listing = Map<string, Entry>;

/** One image's part of the mirror, from the path `root` down. */
export interface Layout {
  image: string;
  /** `/noble/`, `/centos/9-stream/x86_64/images/` */
  root: string;
  indexStyle: 'pre' | 'table';
  style: ChecksumStyle;
  /** the build the catalog records, served from the start */
  initial: MirrorBuild;
  /** oldest first */
  builds: MirrorBuild[];
  /** the entries of the directory `path` below root (`''` = root itself), or undefined */
  directory(path: string): Listing | undefined;
  /** `size`: the image of that many bytes (a file of several upload parts) instead of a few KiB */
  publish(version: string, listed: boolean, size?: number): MirrorBuild;
}

export const TEXT = 'text/plain';
export const BINARY = 'application/octet-stream';

/** A few KiB that differ per image, version and file. */
export function generatedBytes(seed: string): Buffer {
  const blocks: Buffer[] = [Buffer.from(`bumpflow loopback mirror: ${seed}\n`)];
  for (let i = 0; i < 64; i++) blocks.push(createHash('sha512').update(`${seed}#${i}`).digest());
  return Buffer.concat(blocks);
}

/** `size` bytes: `bytes`, then a keystream seeded by them (no two parts of a large file alike). */
export function stretchedBytes(bytes: Buffer, size: number): Buffer {
  const key = createHash('sha256').update(bytes).digest();
  const stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const tail = stream.update(Buffer.alloc(Math.max(0, size - bytes.length)));
  return Buffer.concat([bytes.subarray(0, size), tail, stream.final()]);
}

export function digest(algorithm: ChecksumStyle['algorithm'], bytes: Buffer): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

/** `YYYYMMDD` → `YYYY-MM-DD`; anything else is a test's mistake. */
export function dateOf(version: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(version);
  if (m === null)
    throw new Error(`image mirror: expected a version YYYYMMDD; found ${JSON.stringify(version)}`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** When a build's files were written: its day, 02:26 UTC (its Last-Modified). */
export function modifiedOn(buildDate: string): Date {
  return new Date(`${buildDate}T02:26:00Z`);
}

/** `name` with its last extension replaced by each of `extensions`: files beside an image. */
export function siblingNames(name: string, extensions: readonly string[]): string[] {
  const stem = name.replace(/\.[^.]*$/, '');
  return extensions.map((ext) => `${stem}.${ext}`);
}

/** A checksum file naming `files` (name → bytes) in `style`, real digests. */
export function checksumEntry(style: ChecksumStyle, files: Array<[string, Buffer]>, modified: Date): Entry {
  const sums = files.map(([name, bytes]) => ({
    name,
    hex: digest(style.algorithm, bytes),
    size: bytes.length,
  }));
  return { modified, type: TEXT, bytes: Buffer.from(formatChecksumFile(sums, style)) };
}

/** What a layout is made of: the builds are kept by layoutOf, the directories read from them. */
export interface LayoutParts extends Pick<Layout, 'image' | 'root' | 'indexStyle' | 'style' | 'initial'> {
  /** a build of `version` (the same names for a version served before) */
  build(version: string, listed: boolean): MirrorBuild;
  /** the entries of the directory `path` below root, from the builds (oldest first), in the style set now */
  directory(path: string, builds: MirrorBuild[], style: ChecksumStyle): Listing | undefined;
}

/** A layout serving `initial`; `publish` adds a build, replacing one of its version. */
export function layoutOf(parts: LayoutParts): Layout {
  const { build, directory, ...fixed } = parts;
  const layout: Layout = {
    ...fixed,
    builds: [parts.initial],
    directory: (path) => directory(path, layout.builds, layout.style),
    publish(version, listed, size) {
      const built = build(version, listed);
      const b = size === undefined ? built : { ...built, bytes: stretchedBytes(built.bytes, size) };
      const others = layout.builds.filter((x) => x.version !== version);
      layout.builds = [...others, b].sort((x, y) => (x.version < y.version ? -1 : 1));
      return b;
    },
  };
  return layout;
}

function when(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

function preRows(listing: Listing): string[] {
  return [...listing].map(([name, e]) => {
    const dir = e.bytes === undefined;
    const shown = dir ? `${name}/` : name;
    const pad = ' '.repeat(Math.max(1, 40 - shown.length));
    const size = dir ? '-' : String(e.bytes!.length);
    return `<img src="/icons/${dir ? 'folder' : 'unknown'}.gif" alt="[${dir ? 'DIR' : '   '}]"> <a href="${encodeURI(shown)}">${shown}</a>${pad}${when(e.modified)}  ${size.padStart(5)}`;
  });
}

function tableRows(listing: Listing): string[] {
  return [...listing].map(([name, e], i) => {
    const dir = e.bytes === undefined;
    const href = encodeURI(dir ? `${name}/` : name);
    const icon = dir
      ? '<img src="/icons2/folder.png" alt="[DIR]">'
      : '<img src="/icons2/unknown.png" alt="[   ]">';
    return (
      `   <tr class="${i % 2 ? 'even' : 'odd'}"><td class="indexcolicon"><a href="${href}">${icon}</a></td>` +
      `<td class="indexcolname"><a href="${href}">${dir ? `${name}/` : name}</a></td>` +
      `<td class="indexcollastmod">${when(e.modified)}  </td><td class="indexcolsize">${dir ? '  - ' : e.bytes!.length}</td></tr>`
    );
  });
}

/** An Apache index page of `listing` at `path`, in the mirror's style. */
export function indexPage(path: string, listing: Listing, style: Layout['indexStyle']): Buffer {
  const title = `Index of ${path.replace(/\/$/, '')}`;
  const parent = `${path.replace(/[^/]+\/$/, '')}`;
  const html =
    style === 'pre'
      ? `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n <head>\n  <title>${title}</title>\n </head>\n` +
        ` <body>\n<h1>${title}</h1>\n<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>` +
        `                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a><hr>` +
        `<img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="../">Parent Directory</a>\n${preRows(listing).join('\n')}\n<hr></pre>\n</body></html>\n`
      : `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html>\n <head>\n  <title>${title}</title>\n </head>\n` +
        ` <body>\n  <h1 id="indextitle">${title}</h1>\n  <table id="indexlist">\n` +
        `   <tr class="indexhead"><th class="indexcolicon"><img src="/icons2/blank.png" alt="[ICO]"></th><th class="indexcolname"><a href="?C=N;O=D">Name</a></th><th class="indexcollastmod"><a href="?C=M;O=A">Last modified</a></th><th class="indexcolsize"><a href="?C=S;O=A">Size</a></th></tr>\n` +
        `   <tr class="even"><td class="indexcolicon"><a href="${parent}"><img src="/icons2/go-previous.png" alt="[PARENTDIR]"></a></td><td class="indexcolname"><a href="${parent}">Parent Directory</a></td><td class="indexcollastmod">&nbsp;</td><td class="indexcolsize">  - </td></tr>\n` +
        `${tableRows(listing).join('\n')}\n</table>\n</body></html>\n`;
  return Buffer.from(html);
}
