/**
 * The work of a sweep: every digest pin of the vars files of several
 * branches, gathered into distinct image:tag pairs, so that each pair is
 * resolved once however many keys and branches pin it.
 *
 * Exports:
 *   collectImageTags(branches, { images?, imagePrefixes? }): SweepPins
 *     `branches`: [{ branch: 'main', text, path? }, …]; each text is indexed with
 *     indexVarsFile (MalformedVarsFile as it throws). Only digest pins
 *     (`<image>:<tag>@sha256:<hex>`) are swept; the scope (scope.ts: the
 *     target's globs, such as ['ghcr.io/vexxhost/**'], and `imagePrefixes`,
 *     such as ['ghcr.io/vexxhost/']) keeps the images in it. The references
 *     in scope pinned by tag only (`<image>:<tag>`, no digest) are listed
 *     apart, as `unpinned`: they are not pins and never resolved here.
 *     A branch named twice is BadInput.
 *   pairId({ image, tag }): `<image>:<tag>`, the key of resolution answers.
 * Pure: no I/O.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { imageName } from '../kit/imageRef.js';
import { indexVarsFile } from '../kit/varsFile.js';
import { inScope } from './scope.js';

export interface SweepBranch {
  /** `main`, `stable/2025.1` */
  branch: string;
  /** the vars file's text at that branch */
  text: string;
  /** shown in messages */
  path?: string | undefined;
}

/** One line pinning an image: where, and the digest it pins. */
export interface SweepPin {
  branch: string;
  key: string;
  line: number;
  digest: string;
}

/** A reference in scope pinned by tag only (`ghcr.io/vexxhost/x:tag`, no `@sha256:`): where it stands. */
export interface UnpinnedRef {
  /** `<image>:<tag>` */
  id: string;
  image: string;
  tag: string;
  branch: string;
  key: string;
  line: number;
}

export interface ImageTagPair {
  /** `<image>:<tag>` */
  id: string;
  /** registry/repository */
  image: string;
  registry: string;
  repository: string;
  tag: string;
  /** every pin of the pair, in branch order then file order */
  pins: SweepPin[];
}

export interface SweepPins {
  branches: string[];
  /** sorted by id */
  pairs: ImageTagPair[];
  /** pins swept (the sum of the pairs' pins) */
  pinCount: number;
  /** every image pinned by digest on any branch, before the scope: service names are judged against these */
  images: string[];
  /** the references in scope pinned by tag only, in branch order then file order */
  unpinned: UnpinnedRef[];
}

export function pairId(pair: { image: string; tag: string }): string {
  return `${pair.image}:${pair.tag}`;
}

export function collectImageTags(
  branches: readonly SweepBranch[],
  options: { images?: readonly string[] | undefined; imagePrefixes?: readonly string[] | undefined } = {},
): SweepPins {
  const wanted = inScope(options);
  const unpinned: UnpinnedRef[] = [];
  const seen = new Set<string>();
  const pairs = new Map<string, ImageTagPair>();
  const images = new Set<string>();
  let pinCount = 0;
  for (const b of branches) {
    if (seen.has(b.branch))
      throw fatal(
        FatalFailure.BadInput,
        `expected each branch once in a sweep, found ${JSON.stringify(b.branch)} twice`,
        {
          branch: b.branch,
        },
      );
    seen.add(b.branch);
    const index = indexVarsFile(b.text, b.path ?? `vars file of ${b.branch}`);
    for (const pin of index.pins) {
      const image = imageName(pin.ref);
      images.add(image);
      const { tag, digest } = pin.ref;
      if (!wanted(image) || tag === undefined || digest === undefined) continue;
      const id = pairId({ image, tag });
      const pair = pairs.get(id) ?? {
        id,
        image,
        registry: pin.ref.registry,
        repository: pin.ref.repository,
        tag,
        pins: [],
      };
      pair.pins.push({ branch: b.branch, key: pin.key, line: pin.line, digest });
      pairs.set(id, pair);
      pinCount += 1;
    }
    for (const entry of index.tagOnly) {
      const image = imageName(entry.ref);
      const { tag } = entry.ref;
      if (!wanted(image) || tag === undefined) continue;
      unpinned.push({
        id: pairId({ image, tag }),
        image,
        tag,
        branch: b.branch,
        key: entry.key,
        line: entry.line,
      });
    }
  }
  return {
    branches: branches.map((b) => b.branch),
    pairs: [...pairs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    pinCount,
    images: [...images].sort(),
    unpinned,
  };
}
