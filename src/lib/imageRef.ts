/**
 * Image references as they appear in pins:
 *   registry/org/name:tag@sha256:<64 hex>
 * Pure helpers, no I/O.
 */
import { fatal, FatalFailure } from '../shared/failures.js';

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
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
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
    throw fatal(FatalFailure.BadInput, `expected ${what} of the form sha256:<64 lowercase hex>, found ${JSON.stringify(value)}`);
  }
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
      throw fatal(FatalFailure.BadInput, `expected an image reference whose digest is sha256:<64 hex>, found ${JSON.stringify(input)}`);
    }
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) {
    throw fatal(FatalFailure.BadInput, `expected an image reference registry/repository[:tag][@digest], found ${JSON.stringify(input)}`);
  }
  const registry = rest.slice(0, slash);
  let repository = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = repository.lastIndexOf(':');
  if (colon >= 0) {
    tag = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
  }
  if (!REGISTRY_PATTERN.test(registry) || !(registry.includes('.') || registry.includes(':') || registry === 'localhost')) {
    throw fatal(FatalFailure.BadInput, `expected a registry host (such as ghcr.io) at the start of ${JSON.stringify(input)}, found ${JSON.stringify(registry)}`);
  }
  if (!REPOSITORY_PATTERN.test(repository)) {
    throw fatal(FatalFailure.BadInput, `expected a lowercase repository path in ${JSON.stringify(input)}, found ${JSON.stringify(repository)}`);
  }
  if (tag !== undefined && !TAG_PATTERN.test(tag)) {
    throw fatal(FatalFailure.BadInput, `expected a tag of letters, digits, '.', '_' or '-' in ${JSON.stringify(input)}, found ${JSON.stringify(tag)}`);
  }
  return { registry, repository, tag, digest };
}
