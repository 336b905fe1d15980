/**
 * StarlingX tag-management manifests (build-tools/build-docker-images/
 * tag-management/image-tags-*.yaml): a reviewed list of images, each with the
 * build tag to copy from and the stable tag to create.
 *
 *   images:
 *     - name: docker.io/starlingx/k8s-cni-sriov
 *       src_build_tag: master-centos-stable-20191203T153530Z.0
 *       src_ref: https://opendev.org/starlingx/integ/commit/dac417bd…
 *       tag: stx.4.0-v2.2
 *
 * Exports:
 *   parseRetagManifest(text, { path?, mirror? }): RetagManifest
 *     entries in file order (commented-out entries are comments, not entries);
 *     an exact repeat of an earlier entry is listed in `repeated`, not twice.
 *     Throws MalformedManifest naming the entry (images[i], its image) and its
 *     line: malformed YAML, no `images` list, a missing, empty or unknown key,
 *     a tag or src_build_tag that is not a tag (TAG_PATTERN) or is a digest, a
 *     name with credentials, a digest or a tag, a src_ref that is not an
 *     http(s) URL or carries credentials, the same image and tag twice from
 *     different sources. Credentials are never shown.
 *   `mirror` maps a name prefix (whole path components) to another
 *   registry/namespace: { 'docker.io/starlingx': '127.0.0.1:5000/starlingx' }
 *   reads and writes docker.io/starlingx/dex at 127.0.0.1:5000/starlingx/dex;
 *   the longest prefix wins. A bad mapping is BadInput.
 *   retagKey(entry): `<image>:<tag>`, the target's identity.
 * Pure: no I/O. YAML is read with the failsafe schema, so `tag: 1.0` stays "1.0".
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import { z } from 'zod';
import { fatal, FatalFailure, type BumpflowError } from '../../shared/failures.js';
import { TAG_PATTERN } from '../../shared/tags.js';
import { normalizeImageRepository } from '../kit/imageRef.js';

export interface RetagEntry {
  /** position in the manifest's `images` list, from 0 */
  index: number;
  /** 1-based line where the entry starts */
  line: number;
  /** the image as the manifest names it: docker.io/starlingx/dex */
  name: string;
  /** where it is read and written, after the mirror mapping */
  registry: string;
  repository: string;
  /** registry/repository */
  image: string;
  srcBuildTag: string;
  tag: string;
  /** as written: https://opendev.org/starlingx/<project>/commit/<sha> */
  srcRef?: string | undefined;
  /** the commit named at the end of src_ref, when it names one */
  upstreamCommit?: string | undefined;
}

export interface RetagManifest {
  entries: RetagEntry[];
  /** entries identical to an earlier one (same image, tag and source): not planned twice */
  repeated: { index: number; line: number; sameAs: number }[];
}

export interface RetagManifestOptions {
  /** shown in messages: the manifest's path (and commit) */
  path?: string | undefined;
  /** name prefix → registry/namespace */
  mirror?: Readonly<Record<string, string>> | undefined;
}

const KEYS = ['name', 'src_build_tag', 'src_ref', 'tag'] as const;
const entrySchema = z.strictObject({
  name: z.string().min(1),
  src_build_tag: z.string().min(1),
  tag: z.string().min(1),
  src_ref: z.string().min(1).optional(),
});
const COMMIT = /\/commit\/([0-9a-f]{7,40})\/?$/;
const DIGEST_LIKE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export function retagKey(entry: Pick<RetagEntry, 'image' | 'tag'>): string {
  return `${entry.image}:${entry.tag}`;
}

export function parseRetagManifest(text: string, options: RetagManifestOptions = {}): RetagManifest {
  const path = options.path ?? 'manifest';
  const mirror = checkMirror(options.mirror ?? {});
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, schema: 'failsafe' });
  const lineOf = (offset: number | undefined) => counter.linePos(offset ?? 0).line;
  const bad = (message: string, details: Record<string, unknown>) =>
    fatal(FatalFailure.MalformedManifest, `${path}: ${message}`, { path, ...details });

  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0].line;
    const what = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?\s*$/, '');
    throw bad(
      `expected valid YAML, found a syntax error${line === undefined ? '' : ` at line ${line}`}: ${what}`,
      {
        code: err.code,
        ...(line === undefined ? {} : { line }),
      },
    );
  }
  if (!isMap(doc.contents))
    throw bad(
      `expected a mapping with an images list, found ${doc.contents === null ? 'an empty document' : 'another kind of document'}`,
      {},
    );
  const images: unknown = doc.contents.get('images', true);
  if (images === undefined) throw bad('expected a top-level key images (a list of entries), found none', {});
  if (isScalar(images) && (images.value === '' || images.value === null))
    return { entries: [], repeated: [] };
  const imagesLine = lineOf((images as { range?: [number, number, number] } | null)?.range?.[0]);
  if (!isSeq(images))
    throw bad(
      `expected images to be a list of entries, found ${isScalar(images) ? `the scalar ${JSON.stringify(images.value)}` : 'a mapping'} at line ${imagesLine}`,
      {
        line: imagesLine,
      },
    );

  const entries: RetagEntry[] = [];
  const repeated: RetagManifest['repeated'] = [];
  const targets = new Map<string, RetagEntry>();
  images.items.forEach((item, index) => {
    const line = lineOf((item as { range?: [number, number, number] } | null)?.range?.[0]);
    if (!isMap(item))
      throw bad(
        `expected images[${index}] at line ${line} to be a mapping of ${KEYS.join(', ')}, found ${isScalar(item) ? `the scalar ${JSON.stringify(item.value)}` : 'a list'}`,
        {
          index,
          line,
        },
      );
    const raw: unknown = item.toJSON();
    const rawName = (raw as Record<string, unknown>).name;
    const label = `images[${index}]${typeof rawName === 'string' && rawName !== '' ? ` (${redact(rawName)})` : ''}`;
    const fail = (key: string | undefined, message: string) => {
      const at = key === undefined ? line : (keyLine(item, key, counter) ?? line);
      return bad(`${label} at line ${at}: ${message}`, {
        index,
        line: at,
        ...(key === undefined ? {} : { key }),
        ...(typeof rawName === 'string' ? { image: redact(rawName) } : {}),
      });
    };
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues;
      const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
      const key = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
      if (issue.code === 'unrecognized_keys')
        throw fail(
          issue.keys[0],
          `expected only the keys ${KEYS.join(', ')}, found ${issue.keys.join(', ')}`,
        );
      const present = key !== undefined && key in (raw as object);
      throw fail(
        present ? key : undefined,
        present
          ? `expected ${key} to be a non-empty string, found ${describe((raw as Record<string, unknown>)[key])}`
          : `expected the key ${key ?? '?'} (every entry has name, src_build_tag and tag), found none`,
      );
    }
    const e = parsed.data;
    const where = imageOf(e.name, mirror, (m) => fail('name', m));
    const srcBuildTag = checkTag(e.src_build_tag, 'src_build_tag', (m) => fail('src_build_tag', m));
    const tag = checkTag(e.tag, 'tag', (m) => fail('tag', m));
    if (e.src_ref !== undefined) checkRef(e.src_ref, (m) => fail('src_ref', m));
    const entry: RetagEntry = {
      index,
      line,
      name: e.name,
      ...where,
      srcBuildTag,
      tag,
      srcRef: e.src_ref,
      upstreamCommit: e.src_ref === undefined ? undefined : COMMIT.exec(e.src_ref)?.[1],
    };
    const first = targets.get(retagKey(entry));
    if (first === undefined) {
      targets.set(retagKey(entry), entry);
      entries.push(entry);
    } else if (first.srcBuildTag === entry.srcBuildTag) {
      repeated.push({ index, line, sameAs: first.index });
    } else {
      throw fail(
        'tag',
        `expected each target once, found ${entry.image}:${tag} also at images[${first.index}] (line ${first.line}) with another source: src_build_tag ${first.srcBuildTag} there, ${srcBuildTag} here`,
      );
    }
  });
  return { entries, repeated };
}

type Fail = (message: string) => BumpflowError;

function checkTag(value: string, key: string, fail: Fail): string {
  if (value.includes('@') || DIGEST_LIKE.test(value))
    throw fail(
      `expected ${key} to be a tag, found a digest ${JSON.stringify(value)}: a manifest names tags, the registry holds the digests`,
    );
  if (!TAG_PATTERN.test(value))
    throw fail(
      `expected ${key} to be a tag of [A-Za-z0-9_][A-Za-z0-9._-]{0,127}, found ${JSON.stringify(value)}`,
    );
  return value;
}

function checkRef(value: string, fail: Fail): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(
      `expected src_ref to be an http(s) URL of the upstream commit, found ${JSON.stringify(redact(value))}`,
    );
  }
  if (url.username !== '' || url.password !== '')
    throw fail(
      `expected src_ref without credentials, found a URL with user information (not shown): ${redact(value)}`,
    );
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw fail(
      `expected src_ref to be an http(s) URL of the upstream commit, found the scheme ${url.protocol}`,
    );
}

function imageOf(name: string, mirror: [string, string][], fail: Fail) {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name))
    throw fail(
      `expected name to be an image name such as docker.io/starlingx/dex, found a URL ${JSON.stringify(redact(name))}`,
    );
  const at = name.indexOf('@');
  if (at >= 0 && DIGEST_LIKE.test(name.slice(at + 1)))
    throw fail(
      `expected name without a digest (the tags to copy are src_build_tag and tag), found ${JSON.stringify(name)}`,
    );
  if (at >= 0)
    throw fail(
      `expected name without credentials, found user information before '@' (not shown): ${JSON.stringify(redact(name))}`,
    );
  if (/:[^/]*$/.test(name.replace(/^[^/]*\//, '')))
    throw fail(
      `expected name without a tag (the tags are src_build_tag and tag), found ${JSON.stringify(name)}`,
    );
  let key: string;
  try {
    key = normalizeImageRepository(name).key;
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err));
  }
  const rule = mirror.find(([from]) => key === from || key.startsWith(`${from}/`));
  const mapped = rule === undefined ? key : `${rule[1]}${key.slice(rule[0].length)}`;
  const slash = mapped.indexOf('/');
  return { registry: mapped.slice(0, slash), repository: mapped.slice(slash + 1), image: mapped };
}

/** Mirror rules, longest prefix first, both sides normalised. */
function checkMirror(mirror: Readonly<Record<string, string>>): [string, string][] {
  const norm = (side: string, value: string) => {
    const prefix = value.replace(/\/+$/, '');
    if (prefix.includes('@') || /^[a-z]+:\/\//i.test(prefix) || !prefix.includes('/'))
      throw fatal(
        FatalFailure.BadInput,
        `expected a mirror ${side} of the form registry/namespace (such as docker.io/starlingx), without scheme or credentials, found ${JSON.stringify(redact(value))}`,
        { side },
      );
    const [host = '', ...rest] = prefix.split('/');
    const registry = ['index.docker.io', 'registry-1.docker.io'].includes(host.toLowerCase())
      ? 'docker.io'
      : host.toLowerCase();
    return [registry, ...rest].join('/');
  };
  return Object.entries(mirror)
    .map(([from, to]): [string, string] => [norm('prefix', from), norm('target', to)])
    .sort((a, b) => b[0].length - a[0].length);
}

function keyLine(map: YAMLMap, key: string, counter: LineCounter): number | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  const node = pair?.key as { range?: [number, number, number] } | null | undefined;
  return node?.range === undefined ? undefined : counter.linePos(node.range[0]).line;
}

function describe(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

/** Hides user information: `user:secret@host/x` → `***@host/x`. */
function redact(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@(?!sha256:)/i, '$1***@');
}
