/**
 * The values of a new version entry, for the in-place editor: their checks,
 * the mirror_url derived from the previous entry, and each value written in
 * the YAML style of the scalar it replaces. Pure: no I/O.
 *
 *   checkNewVersion(version, image): void     bad values → BadInput
 *   mirrorUrlFor(image, previous, version): string | undefined
 *     the new mirror_url from the previous one's own pattern: its old version
 *     in the file name replaced (`…/ubuntu-24.04/20260108-ubuntu-24.04.qcow2`),
 *     else update.py's `<dir>/<version>-<shortname>.<format>`; undefined when
 *     the previous entry has none.
 *   renderScalar(node, value): string          plain, single- or double-quoted like `node`
 */
import { parse, type Scalar } from 'yaml';
import { fatal, FatalFailure } from '../../shared/failures.js';
import {
  CHECKSUM_PATTERN,
  redactUrl,
  urlProblem,
  type CatalogImage,
  type CatalogVersion,
} from './catalogFile.js';

export interface NewCatalogVersion {
  /** `YYYYMMDD` (or the distro's version string) */
  version: string;
  /** `YYYY-MM-DD` */
  buildDate: string;
  /** with its algorithm: `sha256:<hex>` / `sha512:<hex>` */
  checksum: string;
  /** the dated URL of the image file */
  url: string;
}

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const BUILD_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function badInput(message: string, details: Record<string, unknown> = {}): never {
  throw fatal(FatalFailure.BadInput, message, details);
}

export function checkNewVersion(v: NewCatalogVersion, image: string): void {
  const bad = (what: string, found: string): never =>
    badInput(`new version of ${JSON.stringify(image)}: expected ${what}; found ${JSON.stringify(found)}`);
  if (!VERSION.test(v.version)) bad('a version like 20250115', v.version);
  if (!BUILD_DATE.test(v.buildDate)) bad('a build date YYYY-MM-DD', v.buildDate);
  if (!CHECKSUM_PATTERN.test(v.checksum)) bad('sha256:<64 hex> or sha512:<128 hex>', v.checksum);
  const problem = urlProblem(v.url);
  if (problem !== undefined) badInput(`new version of ${JSON.stringify(image)}: url: ${problem}`);
}

export function mirrorUrlFor(
  image: Pick<CatalogImage, 'name' | 'shortname' | 'format'>,
  previous: Pick<CatalogVersion, 'version' | 'mirrorUrl'>,
  version: string,
): string | undefined {
  const old = previous.mirrorUrl;
  if (old === undefined) return undefined;
  const slash = old.lastIndexOf('/');
  const dir = old.slice(0, slash + 1);
  const file = old.slice(slash + 1);
  if (previous.version !== '' && file.includes(previous.version))
    return `${dir}${file.replace(previous.version, version)}`;
  if (image.shortname !== undefined && image.format !== undefined)
    return `${dir}${version}-${image.shortname}.${image.format}`;
  throw fatal(
    FatalFailure.MalformedCatalog,
    `image ${JSON.stringify(image.name)}: expected its mirror_url's file name to hold its version ` +
      `${JSON.stringify(previous.version)} (or a shortname and format to name it by); found ` +
      JSON.stringify(redactUrl(file)),
  );
}

/** Whether `value` written plain reads back as the same value, of the type `node` had. */
function readsBackPlain(node: Scalar, value: string): boolean {
  if (/^\s|\s$|\n/.test(value)) return false;
  try {
    const back: unknown = parse(value);
    return (typeof back === 'string' || typeof back === typeof node.value) && String(back) === value;
  } catch {
    return false;
  }
}

export function renderScalar(node: Scalar, value: string): string {
  if (node.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (node.type === 'PLAIN' && readsBackPlain(node, value)) return value;
  return `'${value.replace(/'/g, "''")}'`;
}
