/**
 * What a retag from a reviewed manifest does, entry by entry, from what the
 * registry said about each entry's source (`image:src_build_tag`) and target
 * (`image:tag`):
 *   copy            target absent, source present: copy the image (index and
 *                   all) and create the tag, create-only
 *   skip            target already at the source's digest
 *   conflict        target at another digest: never overwritten
 *   repush          a conflict whose image the operator named in `repush`:
 *                   the tag is moved, after approval
 *   missing-source  the registry does not know the source tag (ManifestUnknown):
 *                   a typed failure for that entry, the others go on
 *   failed          the registry could not answer for the entry (another failure)
 *
 * Exports:
 *   planRetag(entries, answers, { repush?, repushOnly? }): RetagPlan
 *     `answers` is keyed by retagKey(entry) (`<image>:<tag>`). An entry without
 *     an answer, or a `repush` image that no entry names, is BadInput. With
 *     `repushOnly` (a repush run for a commit whose run ended) only the entries
 *     of the `repush` images are planned (and need answers).
 *   repushEntries(entries, repush): the entries of the `repush` images, after
 *     checking that each names one (BadInput otherwise)
 *   renderRetagPlan(plan, 'markdown' | 'text', { width? }): string  (the UI's and the CLI's table)
 * A step's `write` has the shape of the registry client's CopyImageRequest.
 * Pure: no I/O.
 */
import { fatal, FatalFailure, type FailureType } from '../../shared/failures.js';
import { retagKey, type RetagEntry } from './retagManifest.js';
import { renderTable } from '../kit/table.js';
import { shortDigest as short } from '../kit/textTable.js';

export interface RetagFailure {
  type: FailureType;
  message: string;
}

export interface RetagAnswer {
  /** image:src_build_tag now: its digest, or why there is none */
  source: { digest: string; mediaType?: string | undefined } | { failure: RetagFailure };
  /** image:tag now: its digest, null when the tag does not exist, or why the registry could not say */
  target: { digest: string } | null | { failure: RetagFailure };
}

export const retagActions = ['copy', 'skip', 'conflict', 'repush', 'missing-source', 'failed'] as const;
export type RetagAction = (typeof retagActions)[number];

export interface RetagStep {
  action: RetagAction;
  entry: RetagEntry;
  sourceDigest?: string | undefined;
  /** where the target tag points now; absent when it does not exist */
  targetDigest?: string | undefined;
  /** copy and repush: the registry write (CopyImageRequest) */
  write?:
    | {
        from: { registry: string; repository: string; digest: string };
        to: { registry: string; repository: string; tag: string };
        onExistingTag: 'refuse' | 'move';
      }
    | undefined;
  failure?: RetagFailure | undefined;
}

export interface RetagPlan {
  steps: RetagStep[];
  counts: Record<RetagAction, number>;
  /** copy + repush: what approval lets through */
  writes: number;
}

export function planRetag(
  entries: readonly RetagEntry[],
  answers: Readonly<Record<string, RetagAnswer>>,
  options: { repush?: readonly string[] | undefined; repushOnly?: boolean | undefined } = {},
): RetagPlan {
  const repush = new Set(options.repush ?? []);
  const named = repushEntries(entries, [...repush]);
  const planned = options.repushOnly === true ? named : entries;
  const steps = planned.map((entry): RetagStep => {
    const answer = answers[retagKey(entry)];
    if (answer === undefined)
      throw fatal(
        FatalFailure.BadInput,
        `expected the registry's answer for ${retagKey(entry)} (images[${entry.index}], line ${entry.line}), found none`,
        { key: retagKey(entry) },
      );
    return stepFor(entry, answer, repush.has(entry.name) || repush.has(entry.image));
  });
  const counts = Object.fromEntries(retagActions.map((a) => [a, 0])) as Record<RetagAction, number>;
  for (const s of steps) counts[s.action] += 1;
  return { steps, counts, writes: counts.copy + counts.repush };
}

/** The entries of the `repush` images (by the manifest's name or as mapped); BadInput for a name no entry has. */
export function repushEntries(entries: readonly RetagEntry[], repush: readonly string[]): RetagEntry[] {
  for (const image of repush)
    if (!entries.some((e) => e.name === image || e.image === image))
      throw fatal(
        FatalFailure.BadInput,
        `expected --repush to name an image of the manifest, found ${JSON.stringify(image)}; the manifest names ${[...new Set(entries.map((e) => e.name))].join(', ')}`,
        { repush: image },
      );
  return entries.filter((e) => repush.includes(e.name) || repush.includes(e.image));
}

function stepFor(entry: RetagEntry, answer: RetagAnswer, repush: boolean): RetagStep {
  const { source, target } = answer;
  if ('failure' in source)
    return {
      action: source.failure.type === FatalFailure.ManifestUnknown ? 'missing-source' : 'failed',
      entry,
      failure: source.failure,
    };
  if (target !== null && 'failure' in target)
    return { action: 'failed', entry, sourceDigest: source.digest, failure: target.failure };
  const write = (onExistingTag: 'refuse' | 'move') => ({
    from: { registry: entry.registry, repository: entry.repository, digest: source.digest },
    to: { registry: entry.registry, repository: entry.repository, tag: entry.tag },
    onExistingTag,
  });
  if (target === null) return { action: 'copy', entry, sourceDigest: source.digest, write: write('refuse') };
  const base = { entry, sourceDigest: source.digest, targetDigest: target.digest };
  if (target.digest === source.digest) return { action: 'skip', ...base };
  if (repush) return { action: 'repush', ...base, write: write('move') };
  return { action: 'conflict', ...base };
}

function detail(s: RetagStep): string {
  switch (s.action) {
    case 'copy':
      return `create ${s.entry.tag} at ${short(s.sourceDigest)} (create-only)`;
    case 'skip':
      return `${s.entry.tag} already at ${short(s.sourceDigest)}`;
    case 'conflict':
      return `${s.entry.tag} is at ${short(s.targetDigest)}, the source at ${short(s.sourceDigest)}: left alone (--repush ${s.entry.name} to move it)`;
    case 'repush':
      return `move ${s.entry.tag} from ${short(s.targetDigest)} to ${short(s.sourceDigest)} (asked by --repush)`;
    case 'missing-source':
    case 'failed':
      return `${s.failure?.type ?? 'failure'}: ${s.failure?.message ?? ''}`;
  }
}

/**
 * Fitted to a width (text): the image read and written at a mirror and what
 * happens go on lines of their own under the row; source → tag wraps (at the
 * arrow), then the image.
 */
const PLAN_FITS = [
  { column: 5, fit: 'below', label: 'at' },
  { column: 4, fit: 'below', label: 'what happens' },
  { column: 2, fit: 'wrap', rank: 0, min: 24, keepWords: true },
  { column: 1, fit: 'wrap', rank: 1, min: 24 },
] as const;

/**
 * The plan: a summary line (counts, writes), then a table with one row per
 * entry (action, image, source → tag, line, what happens); text fitted to
 * `width` when one is given.
 */
export function renderRetagPlan(
  plan: RetagPlan,
  format: 'markdown' | 'text',
  options: { width?: number | undefined } = {},
): string {
  const summary = `${plan.steps.length} entries: ${retagActions
    .filter((a) => plan.counts[a] > 0)
    .map((a) => `${plan.counts[a]} ${a}`)
    .join(', ')}; ${plan.writes} write${plan.writes === 1 ? '' : 's'} after approval`;
  const { width } = options;
  // fitted, where the image is read and written has a line of its own (`at`)
  const fitted = width !== undefined && format === 'text';
  const mirrored = (s: RetagStep) => (s.entry.image === s.entry.name ? '' : s.entry.image);
  const rows = plan.steps.map((s) => [
    s.action,
    fitted || mirrored(s) === '' ? s.entry.name : `${s.entry.name} (as ${s.entry.image})`,
    `${s.entry.srcBuildTag} → ${s.entry.tag}`,
    `${s.entry.line}`,
    detail(s),
    ...(fitted ? [mirrored(s)] : []),
  ]);
  const head = ['action', 'image', 'source → tag', 'line', 'what happens', ...(fitted ? ['at'] : [])];
  const table = renderTable(head, rows, format, fitted ? { width, fits: PLAN_FITS } : undefined);
  return [format === 'markdown' ? `**${summary}**\n` : summary, ...table].join('\n');
}
