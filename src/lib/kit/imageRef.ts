/**
 * Image references as they appear in pins:
 *   registry/org/name:tag@sha256:<64 hex>
 * Pure helpers, no I/O.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { TAG_EXPECTED, TAG_PATTERN } from '../../shared/tags.js';

export interface ImageRef {
  /** Registry host, with port if any: `ghcr.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Repository path inside the registry: `vexxhost/magnum`. */
  repository: string;
  tag?: string | undefined;
  /** `sha256:<64 lowercase hex>` */
  digest?: string | undefined;
}

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const REPOSITORY_PATTERN =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const REGISTRY_PATTERN = /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

/** `ghcr.io/vexxhost/magnum` */
export function imageName(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

/** `ghcr.io/vexxhost/magnum:main@sha256:…`, omitting the parts that are absent. */
export function formatImageRef(ref: ImageRef): string {
  return `${imageName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}

export function assertDigest(value: string, what = 'digest'): string {
  if (!isDigest(value)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${what} of the form sha256:<64 lowercase hex>, found ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The tag when it is one (TAG_PATTERN); BadInput saying what was expected and found otherwise. */
export function assertTag(value: string, what = TAG_EXPECTED): string {
  if (typeof value !== 'string' || !TAG_PATTERN.test(value))
    throw fatal(FatalFailure.BadInput, `expected ${what}, found ${JSON.stringify(value)}`, { tag: value });
  return value;
}

/** A source for `promote --from`: a digest when it starts with `sha256:`, else a tag. */
export function assertTagOrDigest(value: string): string {
  return value.startsWith('sha256:') ? assertDigest(value, 'a digest') : assertTag(value);
}

/**
 * The prefix of image names a sweep keeps (`ghcr.io/vexxhost/`): lowercase
 * name characters only, no scheme, credentials, tag or digest.
 */
export function assertImagePrefix(value: string): string {
  if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9._/:-]*$/.test(value) || value.includes('://'))
    throw fatal(
      FatalFailure.BadInput,
      `expected an image name prefix such as ghcr.io/vexxhost/ (lowercase letters, digits, . _ - / :, no scheme, tag or digest), found ${JSON.stringify(value)}`,
      { prefix: value },
    );
  return value;
}

/**
 * Parses a fully qualified reference (the registry host is required: pins in
 * vars files always name it). Throws BadInput, showing the input, otherwise.
 */
export function parseImageRef(text: string): ImageRef {
  const input = text.trim();
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) {
      throw fatal(
        FatalFailure.BadInput,
        `expected an image reference whose digest is sha256:<64 hex>, found ${JSON.stringify(input)}`,
      );
    }
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an image reference registry/repository[:tag][@digest], found ${JSON.stringify(input)}`,
    );
  }
  const registry = rest.slice(0, slash);
  let repository = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = repository.lastIndexOf(':');
  if (colon >= 0) {
    tag = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
  }
  if (
    !REGISTRY_PATTERN.test(registry) ||
    !(registry.includes('.') || registry.includes(':') || registry === 'localhost')
  ) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a registry host (such as ghcr.io) at the start of ${JSON.stringify(input)}, found ${JSON.stringify(registry)}`,
    );
  }
  if (!REPOSITORY_PATTERN.test(repository)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a lowercase repository path in ${JSON.stringify(input)}, found ${JSON.stringify(repository)}`,
    );
  }
  if (tag !== undefined && !TAG_PATTERN.test(tag)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a tag of letters, digits, '.', '_' or '-' in ${JSON.stringify(input)}, found ${JSON.stringify(tag)}`,
    );
  }
  return { registry, repository, tag, digest };
}

export interface ImageRepository {
  /** Lower-case registry host with port if any; Docker Hub is always `docker.io`. */
  registry: string;
  /** `vexxhost/magnum`; Docker Hub's official images under `library/`. */
  repository: string;
  /** The identity: `ghcr.io/vexxhost/magnum`, `docker.io/library/alpine`. */
  key: string;
}

const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);
/** The distribution spec bounds a repository name (registry host included) to 255 characters. */
const MAX_NAME_LENGTH = 255;

/**
 * Normalises an image repository (no tag, no digest) as docker and the
 * distribution spec do: a first component without `.` or `:` (and not
 * `localhost`) means Docker Hub; `index.docker.io` is `docker.io`; a
 * single-segment Docker Hub name lives under `library/`; the registry host is
 * lower-cased. The repository path must already be lower case (the spec
 * allows nothing else), so upper case is refused rather than folded.
 */
export function normalizeImageRepository(raw: string): ImageRepository {
  const input = raw;
  if (input === '' || /\s/.test(input)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an image repository such as ghcr.io/vexxhost/magnum, without whitespace, found ${JSON.stringify(input)}`,
    );
  }
  const first = input.split('/')[0]!;
  const hasRegistry =
    input.includes('/') &&
    (first.includes('.') || first.includes(':') || first.toLowerCase() === 'localhost');
  let registry = hasRegistry ? first.toLowerCase() : 'docker.io';
  let repository = hasRegistry ? input.slice(first.length + 1) : input;
  if (!REGISTRY_PATTERN.test(registry)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a registry host such as ghcr.io at the start of ${JSON.stringify(input)}, found ${JSON.stringify(first)}`,
    );
  }
  if (repository.includes('@') || /:[^/]*$/.test(repository)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an image repository without tag or digest (registry/path), found ${JSON.stringify(input)}`,
    );
  }
  if (/[A-Z]/.test(repository)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a lower-case repository path (the distribution spec allows only a-z, 0-9 and . _ - separators), found ${JSON.stringify(repository)} in ${JSON.stringify(input)}`,
    );
  }
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = 'docker.io';
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  if (!REPOSITORY_PATTERN.test(repository)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a repository path of lower-case components separated by /, found ${JSON.stringify(repository)} in ${JSON.stringify(input)}`,
    );
  }
  const key = `${registry}/${repository}`;
  if (key.length > MAX_NAME_LENGTH) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an image name of at most ${MAX_NAME_LENGTH} characters, found ${key.length} in ${JSON.stringify(input)}`,
    );
  }
  return { registry, repository, key };
}

/** True when both name the same image repository. */
export function sameImageRepository(a: string, b: string): boolean {
  return normalizeImageRepository(a).key === normalizeImageRepository(b).key;
}
