/**
 * Versions and build dates from the dated URLs the distros publish, and the
 * newest dated build from a mirror's directory listing. Pure: no I/O.
 *
 * The layouts (as update.py's directory-listing handler reads them):
 *   Ubuntu       …/noble/current/<file>            dated: …/noble/20250115/<file>
 *   Ubuntu       …/releases/24.04/release/<file>   dated: …/releases/24.04/release-20250115/<file>
 *   Ubuntu min.  …/minimal/releases/noble/release/<file>  dated: …/release-20250115/<file>
 *   Debian       …/bookworm/daily/latest/debian-12-…-daily.qcow2
 *                dated: …/bookworm/daily/20240411-1714/debian-12-…-daily-20240411-1714.qcow2
 * i.e. the listing is the parent of the latest file's directory, a dated
 * directory is `[release-]YYYYMMDD[-<build>]`, and a `-<build>` directory
 * (Debian) also puts `-YYYYMMDD-<build>` before the file's extension.
 *
 *   versionFromUrl(url): DatedVersion | undefined
 *     from the URL's dated directory, else a `-YYYYMMDD` in its file name
 *     (CentOS `…-9-20240422.0.x86_64.qcow2`); undefined for `current/`-style URLs.
 *   listingUrlOf(latestUrl): string                the directory listing to read
 *   datedDirectories(html, listingUrl): DatedDirectory[]
 *     the dated child directories a listing links to, newest first (date, then
 *     build number as a number); links elsewhere are ignored.
 *   datedBuild(image, directory): DatedBuild       the dated URLs of one build
 *   latestDatedBuild(image, html): DatedBuild | undefined   the newest of them
 *   calendarDate(y, m, d): DatedVersion | undefined          a real date only
 */

export interface DatedVersion {
  /** `YYYYMMDD`, as catalogs write `version` */
  version: string;
  /** `YYYY-MM-DD`, as catalogs write `build_date` */
  buildDate: string;
}

export interface DatedDirectory extends DatedVersion {
  /** the directory's name, e.g. `20250115`, `release-20250115`, `20240411-1714` */
  name: string;
  /** a Debian-style build number (`1714` of `20240411-1714`) */
  build: string | undefined;
}

export interface DatedBuild extends DatedVersion {
  directoryUrl: string;
  /** the image file in the dated directory */
  url: string;
  /** the checksum file in the dated directory (same name as latest_checksum_url's) */
  checksumUrl: string;
  fileName: string;
}

const DATED_DIRECTORY = /^(?:release-)?(\d{4})(\d{2})(\d{2})(?:-(\d+))?$/;
const DATED_FILE = /-(\d{4})(\d{2})(\d{2})(?=[-.])/;

/** A real calendar date, so `20251399` is not taken for one. */
export function calendarDate(y: string, m: string, d: string): DatedVersion | undefined {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (
    date.getUTCFullYear() !== Number(y) ||
    date.getUTCMonth() !== Number(m) - 1 ||
    date.getUTCDate() !== Number(d)
  )
    return undefined;
  return { version: `${y}${m}${d}`, buildDate: `${y}-${m}-${d}` };
}

function parseDirectoryName(name: string): DatedDirectory | undefined {
  const m = DATED_DIRECTORY.exec(name);
  if (!m) return undefined;
  const date = calendarDate(m[1]!, m[2]!, m[3]!);
  return date && { ...date, name, build: m[4] };
}

function segments(url: string): string[] {
  return new URL(url).pathname.split('/').filter((s) => s !== '');
}

export function versionFromUrl(url: string): DatedVersion | undefined {
  const parts = segments(url);
  const file = parts.pop() ?? '';
  for (const dir of parts.reverse()) {
    const dated = parseDirectoryName(decodeURIComponent(dir));
    if (dated) return { version: dated.version, buildDate: dated.buildDate };
  }
  const m = DATED_FILE.exec(decodeURIComponent(file));
  return m ? calendarDate(m[1]!, m[2]!, m[3]!) : undefined;
}

/** The listing update.py reads: the parent of the latest file's directory, with a trailing `/`. */
export function listingUrlOf(latestUrl: string): string {
  return new URL('../', latestUrl).href;
}

const HREF = /<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

function compareNewestFirst(a: DatedDirectory, b: DatedDirectory): number {
  if (a.version !== b.version) return a.version < b.version ? 1 : -1;
  const diff = Number(b.build ?? -1) - Number(a.build ?? -1);
  return diff !== 0 ? diff : a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

export function datedDirectories(html: string, listingUrl: string): DatedDirectory[] {
  const base = new URL(listingUrl);
  const byName = new Map<string, DatedDirectory>();
  for (const m of html.matchAll(HREF)) {
    const href = (m[1] ?? m[2] ?? m[3] ?? '').replace(/&amp;/g, '&');
    let target: URL;
    try {
      target = new URL(href, base);
    } catch {
      continue;
    }
    if (target.origin !== base.origin || target.search !== '' || !target.pathname.startsWith(base.pathname))
      continue;
    const rest = target.pathname.slice(base.pathname.length);
    const child = /^([^/]+)\/$/.exec(rest)?.[1];
    const dated = child === undefined ? undefined : parseDirectoryName(decodeURIComponent(child));
    if (dated) byName.set(dated.name, dated);
  }
  return [...byName.values()].sort(compareNewestFirst);
}

/** The image file's name in a dated directory: Debian's `-<build>` directories rename it. */
function datedFileName(fileName: string, directory: DatedDirectory): string {
  if (directory.build === undefined) return fileName;
  const dot = fileName.lastIndexOf('.');
  const suffix = `-${directory.version}-${directory.build}`;
  return dot <= 0 ? `${fileName}${suffix}` : `${fileName.slice(0, dot)}${suffix}${fileName.slice(dot)}`;
}

function lastSegment(url: string): string {
  return decodeURIComponent(segments(url).pop() ?? '');
}

export function datedBuild(
  image: { latestUrl: string; latestChecksumUrl: string },
  directory: DatedDirectory,
): DatedBuild {
  const directoryUrl = new URL(`${encodeURIComponent(directory.name)}/`, listingUrlOf(image.latestUrl)).href;
  const fileName = datedFileName(lastSegment(image.latestUrl), directory);
  return {
    version: directory.version,
    buildDate: directory.buildDate,
    directoryUrl,
    url: new URL(encodeURIComponent(fileName), directoryUrl).href,
    checksumUrl: new URL(encodeURIComponent(lastSegment(image.latestChecksumUrl)), directoryUrl).href,
    fileName,
  };
}

export function latestDatedBuild(
  image: { latestUrl: string; latestChecksumUrl: string },
  html: string,
): DatedBuild | undefined {
  const newest = datedDirectories(html, listingUrlOf(image.latestUrl))[0];
  return newest && datedBuild(image, newest);
}
