/**
 * Deciding, pin by pin, what a sweep found: current, behind (old → new
 * digest) or unavailable (with the error), from one answer per image:tag.
 *
 * A pin to one platform's manifest (a child of an index, as some stable
 * branches pin) stays a pin to that platform: it is compared with the same
 * platform's child of the tag's index now, never with the index. The caller
 * says which pinned digests are platform manifests (`pinnedPlatforms`, e.g.
 * from the old index or the manifest's config, both cacheable by digest); a
 * pin that is already one of the index's children is current without asking.
 *
 * A behind image carries evidence when the answer has it: a `version` label
 * that is not the tag, a `source` or `revision` label missing (the bump
 * refuses such an image: LabelMissing), a `revision` that is not the source
 * branch's HEAD.
 *
 * Exports:
 *   decideSweep(pins: SweepPins, answers: Record<pairId, SweepAnswer>): SweepOutcome
 *     a pair without an answer is unavailable ("not resolved"), one failed
 *     pair never hides the others.
 *   platformPinsToClassify(pins, answers): the pinned digests (per pair id)
 *     that differ from the tag's index and from all its children: the caller
 *     learns whether each is a platform manifest before deciding.
 * Pure: no I/O.
 */
import { FatalFailure, type FailureType } from '../../shared/failures.js';
import { type ImageTagPair, type SweepPin, type SweepPins } from './pins.js';

export interface SweepFailure {
  type: FailureType;
  message: string;
}

/** What the registry said about one image:tag. */
export interface TagResolution {
  /** the tag's manifest now (an index, or a single image manifest) */
  digest: string;
  mediaType: string;
  /** for an index: its image manifests, platform as `os/architecture[/variant]` */
  children?: readonly { digest: string; platform: string }[] | undefined;
  /** pinned digest → platform, for pins known to be one platform's manifest */
  pinnedPlatforms?: Readonly<Record<string, string>> | undefined;
  /** the image's config labels, when read */
  labels?:
    { version?: string | undefined; revision?: string | undefined; source?: string | undefined } | undefined;
  /** HEAD of the image's source branch, when known */
  sourceHead?: string | undefined;
}

export type SweepAnswer = TagResolution | { failure: SweepFailure };

export type Evidence =
  | { kind: 'version-label'; tag: string; version: string | undefined }
  | { kind: 'missing-label'; label: string }
  | { kind: 'stale-revision'; revision: string | undefined; head: string };

/** The labels a bump reads from the new image, besides the version (it refuses an image without one). */
const LABEL_SOURCE = 'org.opencontainers.image.source';
const LABEL_REVISION = 'org.opencontainers.image.revision';

export interface PinVerdict extends SweepPin {
  /** `<image>:<tag>` */
  id: string;
  image: string;
  tag: string;
  state: 'current' | 'behind' | 'unavailable';
  /** behind: the digest to pin (the platform's child for a platform pin) */
  to?: string | undefined;
  /** set for a pin to one platform's manifest */
  platform?: string | undefined;
  failure?: SweepFailure | undefined;
  evidence?: Evidence[] | undefined;
}

export interface SweepOutcome {
  pins: PinVerdict[];
  counts: { current: number; behind: number; unavailable: number };
  /** pairs that could not be decided, with why (one row per pair) */
  unavailable: { id: string; branches: string[]; failure: SweepFailure }[];
}

const NOT_RESOLVED: SweepFailure = {
  type: FatalFailure.BadInput,
  message: 'not resolved: the sweep has no answer for this image:tag',
};

export function decideSweep(pins: SweepPins, answers: Readonly<Record<string, SweepAnswer>>): SweepOutcome {
  const verdicts: PinVerdict[] = [];
  const unavailable: SweepOutcome['unavailable'] = [];
  for (const pair of pins.pairs) {
    const answer = answers[pair.id] ?? { failure: NOT_RESOLVED };
    const base = (pin: SweepPin) => ({ ...pin, id: pair.id, image: pair.image, tag: pair.tag });
    if ('failure' in answer) {
      for (const pin of pair.pins)
        verdicts.push({ ...base(pin), state: 'unavailable', failure: answer.failure });
      unavailable.push({ id: pair.id, branches: branchesOf(pair.pins), failure: answer.failure });
      continue;
    }
    const evidence = evidenceOf(pair, answer);
    const failed = new Map<string, { failure: SweepFailure; branches: string[] }>();
    for (const pin of pair.pins) {
      const v = verdict(pin, answer);
      if (v.failure !== undefined) {
        const seen = failed.get(v.failure.message) ?? { failure: v.failure, branches: [] };
        if (!seen.branches.includes(pin.branch)) seen.branches.push(pin.branch);
        failed.set(v.failure.message, seen);
      }
      verdicts.push({
        ...base(pin),
        ...v,
        ...(v.state === 'behind' && evidence.length > 0 ? { evidence } : {}),
      });
    }
    for (const f of failed.values()) unavailable.push({ id: pair.id, ...f });
  }
  const count = (s: PinVerdict['state']) => verdicts.filter((v) => v.state === s).length;
  return {
    pins: verdicts,
    counts: { current: count('current'), behind: count('behind'), unavailable: count('unavailable') },
    unavailable,
  };
}

type Decided = Pick<PinVerdict, 'state' | 'to' | 'platform' | 'failure'>;

function verdict(pin: SweepPin, now: TagResolution): Decided {
  if (pin.digest === now.digest) return { state: 'current' };
  const children = now.children ?? [];
  const child = children.find((c) => c.digest === pin.digest);
  if (child !== undefined) return { state: 'current', platform: child.platform };
  const platform = now.pinnedPlatforms?.[pin.digest];
  if (platform === undefined || children.length === 0)
    return { state: 'behind', to: now.digest, ...(platform === undefined ? {} : { platform }) };
  const same = children.find((c) => c.platform === platform);
  if (same !== undefined) return { state: 'behind', to: same.digest, platform };
  return {
    state: 'unavailable',
    platform,
    failure: {
      type: FatalFailure.ManifestUnknown,
      message: `the pin is to the ${platform} manifest, but the tag's index ${now.digest} has no ${platform} manifest (it has ${children.map((c) => c.platform).join(', ')})`,
    },
  };
}

function evidenceOf(pair: ImageTagPair, now: TagResolution): Evidence[] {
  const out: Evidence[] = [];
  if (now.labels !== undefined && now.labels.version !== pair.tag)
    out.push({ kind: 'version-label', tag: pair.tag, version: now.labels.version });
  const missing = (v: string | undefined) => now.labels !== undefined && (v ?? '').trim() === '';
  if (missing(now.labels?.source)) out.push({ kind: 'missing-label', label: LABEL_SOURCE });
  if (missing(now.labels?.revision)) out.push({ kind: 'missing-label', label: LABEL_REVISION });
  else if (now.sourceHead !== undefined && now.labels?.revision !== now.sourceHead)
    out.push({ kind: 'stale-revision', revision: now.labels?.revision, head: now.sourceHead });
  return out;
}

function branchesOf(pins: readonly { branch: string }[]): string[] {
  return [...new Set(pins.map((p) => p.branch))];
}

export function platformPinsToClassify(
  pins: SweepPins,
  answers: Readonly<Record<string, SweepAnswer>>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pair of pins.pairs) {
    const now = answers[pair.id];
    if (now === undefined || 'failure' in now || (now.children ?? []).length === 0) continue;
    const known = new Set([now.digest, ...(now.children ?? []).map((c) => c.digest)]);
    const ask = [...new Set(pair.pins.map((p) => p.digest))].filter(
      (d) => !known.has(d) && now.pinnedPlatforms?.[d] === undefined,
    );
    if (ask.length > 0) out[pair.id] = ask;
  }
  return out;
}
