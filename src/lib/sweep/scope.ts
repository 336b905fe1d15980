/**
 * A sweep's image scope: the target's `images` (globs over image
 * repositories, `registry/repository`, written as `signatures[].images` and
 * `promotion.approval` are: picomatch, `*` within a path segment, `**` across
 * them) and `--image` (name prefixes, as before). An image is in scope when it
 * matches one of the globs (or the target names none) AND starts with one of
 * the prefixes (or none was given): `--image` narrows within the target's
 * scope, it never widens it.
 *
 * Exports:
 *   imageScopeProblem(glob): string | undefined — globProblem's refusal, and
 *     one for a glob ending in `/` (a prefix written as a glob: it matches no
 *     image name; `ghcr.io/vexxhost/**` is meant).
 *   inScope({ images?, imagePrefixes? }): (image) => boolean
 *   describeScope({ images?, imagePrefixes? }): string | undefined
 *     `ghcr.io/vexxhost/**`, `ghcr.io/vexxhost/**, starting with ghcr.io/vexxhost/magnum`;
 *     undefined for a sweep of every image.
 * Pure: no I/O.
 */
import picomatch from 'picomatch';
import { globProblem } from '../kit/glob.js';

export interface ImageScope {
  /** the target's globs over image repositories */
  images?: readonly string[] | undefined;
  /** `--image`: name prefixes */
  imagePrefixes?: readonly string[] | undefined;
}

export function imageScopeProblem(glob: string): string | undefined {
  const problem = globProblem('image', glob);
  if (problem !== undefined) return problem;
  if (glob.endsWith('/'))
    return `expected an image glob such as ${glob}** (every image under ${glob}), found ${JSON.stringify(glob)}, which ends in / and matches no image name`;
  return undefined;
}

export function inScope(scope: ImageScope): (image: string) => boolean {
  const globs = scope.images ?? [];
  const prefixes = scope.imagePrefixes ?? [];
  const matches = globs.length === 0 ? () => true : picomatch([...globs]);
  return (image) => matches(image) && (prefixes.length === 0 || prefixes.some((p) => image.startsWith(p)));
}

export function describeScope(scope: ImageScope): string | undefined {
  const parts = [
    ...(scope.images?.length ? [scope.images.join(', ')] : []),
    ...(scope.imagePrefixes?.length ? [`starting with ${scope.imagePrefixes.join(' or ')}`] : []),
  ];
  return parts.length === 0 ? undefined : parts.join(', ');
}
