/**
 * A VM image catalog as OSISM's openstack-image-manager keeps it
 * (`etc/images/<distro>.yml`): `images:` is a list of images, each with a
 * `name`, an optional `enable` (absent = enabled, as the image manager reads
 * it), the distro's `latest_checksum_url` and `latest_url`, and `versions`
 * (every real catalog keeps one entry there). Pure: no I/O.
 *
 *   parseCatalog(text, source?): Catalog
 *     the typed model, validated with zod. Malformed YAML, a missing key, a
 *     URL that is not http(s) or carries credentials → MalformedCatalog whose
 *     message names the image (index and name) and the line. Credentials are
 *     never shown back.
 *   updatableImages(catalog): CatalogImage[]
 *     the images an update applies to: enabled, with both latest_* URLs.
 *   loadCatalogDocument(text, source?): LoadedCatalog
 *     the model with the parsed YAML document and its line counter, for the
 *     in-place editor (catalogEdit.ts), which edits by the nodes' byte ranges.
 */
import { type Document, isMap, isNode, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { fatal, FatalFailure } from '../../shared/failures.js';

/** The URL without its user information, for messages. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1***@');
}

/** What is wrong with `value` as a catalog URL (not http(s), or carrying credentials), or undefined. */
export function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected an http(s) URL; found ${JSON.stringify(redactUrl(value))}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `expected an http(s) URL; found scheme ${url.protocol}`;
  if (url.username !== '' || url.password !== '')
    return `expected a URL without credentials (keep them in the worker's environment); found ${redactUrl(value)}`;
  return undefined;
}

const httpUrl = z.string().superRefine((value, ctx) => {
  const problem = urlProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
const text = z.string().min(1);
/** A catalog's `checksum`: the algorithm, a colon, the hex digest. */
export const CHECKSUM_PATTERN = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

const versionSchema = z.object({
  version: z
    .union([text, z.number()], { error: 'expected a version (a string, e.g. 20250115)' })
    .transform(String),
  build_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date YYYY-MM-DD' }),
  checksum: z.string().regex(CHECKSUM_PATTERN, { message: 'expected sha256:<64 hex> or sha512:<128 hex>' }),
  url: httpUrl,
  mirror_url: httpUrl.optional(),
});

const imageSchema = z.object({
  name: text,
  enable: z.boolean().optional(),
  shortname: text.optional(),
  format: text.optional(),
  latest_checksum_url: httpUrl.optional(),
  latest_url: httpUrl.optional(),
  versions: z.array(versionSchema).default([]),
});

const catalogSchema = z.object({ images: z.array(imageSchema) });

export interface CatalogVersion {
  version: string;
  /** `YYYY-MM-DD` as the file writes it */
  buildDate: string;
  /** `sha256:<hex>` or `sha512:<hex>` */
  checksum: string;
  url: string;
  mirrorUrl: string | undefined;
  /** 1-based line of the entry */
  line: number;
}

export interface CatalogImage {
  /** 0-based position under `images` */
  index: number;
  name: string;
  enabled: boolean;
  shortname: string | undefined;
  format: string | undefined;
  latestChecksumUrl: string | undefined;
  latestUrl: string | undefined;
  /** newest first, as the file lists them */
  versions: CatalogVersion[];
  /** 1-based line of the image's entry */
  line: number;
}

export interface Catalog {
  images: CatalogImage[];
}

export interface LoadedCatalog {
  catalog: Catalog;
  doc: Document.Parsed;
  lines: LineCounter;
}

type Path = ReadonlyArray<PropertyKey>;

/** The 1-based line of the deepest node on `path` that the document has. */
function lineOf(doc: Document.Parsed, lines: LineCounter, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

function where(doc: Document.Parsed, path: Path): string {
  if (path[0] !== 'images' || typeof path[1] !== 'number') return '';
  const index = path[1];
  const name: unknown = doc.getIn(['images', index, 'name']);
  return ` image #${index}${typeof name === 'string' ? ` (${JSON.stringify(name)})` : ''}`;
}

function fail(source: string, line: number, message: string, details: Record<string, unknown>): never {
  throw fatal(FatalFailure.MalformedCatalog, `${source} line ${line}:${message}`, {
    source,
    line,
    ...details,
  });
}

export function loadCatalogDocument(input: string, source = 'catalog'): LoadedCatalog {
  const lines = new LineCounter();
  const doc = parseDocument(input, { lineCounter: lines, keepSourceTokens: true, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line;
    fail(source, line, ` expected valid YAML; found ${error.code}: ${error.message.split('\n')[0]}`, {
      code: error.code,
    });
  }
  if (!isMap(doc.contents) || !isSeq(doc.get('images', true)))
    fail(source, lineOf(doc, lines, ['images']), ' expected a mapping with an `images:` list', {});
  const parsed = catalogSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path;
    const key = path.slice(2).join('.');
    const found: unknown = doc.getIn(path as unknown[]);
    const message = !doc.hasIn(path as unknown[])
      ? 'missing'
      : /found|received/.test(issue.message)
        ? issue.message
        : `${issue.message}; found ${typeof found === 'string' ? JSON.stringify(redactUrl(found)) : String(found)}`;
    fail(source, lineOf(doc, lines, path), `${where(doc, path)}${key ? ` ${key}` : ''}: ${message}`, {
      path: path.map(String),
    });
  }
  const images = parsed.data.images.map((image, index): CatalogImage => ({
    index,
    name: image.name,
    enabled: image.enable ?? true,
    shortname: image.shortname,
    format: image.format,
    latestChecksumUrl: image.latest_checksum_url,
    latestUrl: image.latest_url,
    versions: image.versions.map((v, i) => ({
      version: v.version,
      buildDate: v.build_date,
      checksum: v.checksum,
      url: v.url,
      mirrorUrl: v.mirror_url,
      line: lineOf(doc, lines, ['images', index, 'versions', i]),
    })),
    line: lineOf(doc, lines, ['images', index]),
  }));
  return { catalog: { images }, doc, lines };
}

export function parseCatalog(input: string, source = 'catalog'): Catalog {
  return loadCatalogDocument(input, source).catalog;
}

export function updatableImages(catalog: Catalog): CatalogImage[] {
  return catalog.images.filter(
    (image) => image.enabled && image.latestUrl !== undefined && image.latestChecksumUrl !== undefined,
  );
}
