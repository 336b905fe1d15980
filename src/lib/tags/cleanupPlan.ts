/**
 * What `cleanup` deletes: tags whose name matches a glob (`change_*`) and
 * whose image is older than a given age, and what it keeps, with why.
 *
 * Deleting a tag deletes its manifest, and with it every other tag of that
 * digest; so a tag is never deleted when a kept tag (matching or not) has the
 * same digest or lists it as a child of its index. Keeping one tag can
 * protect another, so protection is applied until nothing changes. Ages are
 * real elapsed milliseconds (a 49 h old tag is 49 h old). Pure.
 */
import picomatch from 'picomatch';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { formatDuration, imageCreatedMs, parseTime } from '../kit/duration.js';

export interface CleanupTag {
  tag: string;
  digest: string;
  /** the image config's created time (ISO 8601); missing, epoch or unparseable counts as none */
  created?: string | undefined;
  /** when bumpflow first saw the tag (ISO 8601): the age when there is no created time */
  firstSeen?: string | undefined;
  /** the digests an index (manifest list) lists */
  children?: readonly string[] | undefined;
}

export interface CleanupInput {
  /** picomatch glob(s) over tag names */
  pattern: string | readonly string[];
  olderThanMs: number;
  /** keep this many of the newest matching tags whatever their age */
  keep?: number | undefined;
  now: Date;
  tags: readonly CleanupTag[];
}

export type KeepReason = 'too-young' | 'newest-kept' | 'shares-digest' | 'listed-by-index' | 'age-unknown';

export interface CleanupPlan {
  delete: { tag: string; digest: string; ageMs: number; ageFrom: 'created' | 'first-seen' }[];
  keep: { tag: string; digest: string; why: KeepReason; detail: string }[];
  /** tags that match no pattern (all kept) */
  ignored: number;
}

type Aged = CleanupTag & { age: number | undefined; ageFrom: 'created' | 'first-seen' };

export function planCleanup(input: CleanupInput): CleanupPlan {
  const { patterns, olderThanMs, keepNewest, now } = checkInput(input);
  const matches = picomatch([...patterns]);
  const byName = (a: { tag: string }, b: { tag: string }) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);
  const tags = [...input.tags].sort(byName);
  const matching = tags.filter((t) => matches(t.tag)).map((t) => aged(t, now));
  const others = tags.filter((t) => !matches(t.tag));
  const keep = new Map<string, CleanupPlan['keep'][number]>();
  const kept = (t: CleanupTag, why: KeepReason, detail: string) =>
    keep.set(t.tag, { tag: t.tag, digest: t.digest, why, detail });

  const known = matching.flatMap((t) => (t.age === undefined ? [] : [{ tag: t.tag, age: t.age }]));
  const newest = new Set(
    known
      .sort((a, b) => a.age - b.age || byName(a, b))
      .slice(0, keepNewest)
      .map((t) => t.tag),
  );
  for (const t of matching) {
    const age = t.age === undefined ? '' : `${formatDuration(t.age)} old (from ${t.ageFrom})`;
    if (t.age === undefined)
      kept(t, 'age-unknown', 'no created time (missing, epoch or unparseable) and no first-seen time');
    else if (t.age <= olderThanMs)
      kept(t, 'too-young', `${age}, not older than ${formatDuration(olderThanMs)}`);
    else if (newest.has(t.tag))
      kept(t, 'newest-kept', `${age}, one of the ${keepNewest} newest matching tags`);
  }

  // digest → the kept tag that protects it, and how
  const guards = new Map<string, { by: string; via: 'digest' | 'index' }>();
  const guard = (t: CleanupTag, via: 'digest' | 'index') => {
    for (const digest of via === 'digest' ? [t.digest] : (t.children ?? []))
      if (!guards.has(digest)) guards.set(digest, { by: t.tag, via });
  };
  const keptTags = () => [...others, ...matching.filter((t) => keep.has(t.tag))];
  for (const t of keptTags()) guard(t, 'digest');
  for (const t of keptTags()) guard(t, 'index');
  for (let changed = true; changed;) {
    changed = false;
    for (const t of matching) {
      const g = guards.get(t.digest);
      if (keep.has(t.tag) || g === undefined) continue;
      if (g.via === 'digest') kept(t, 'shares-digest', `its digest is also that of kept tag ${g.by}`);
      else kept(t, 'listed-by-index', `its digest is listed by the index of kept tag ${g.by}`);
      guard(t, 'index');
      changed = true;
    }
  }

  return {
    delete: matching.flatMap((t) =>
      keep.has(t.tag) || t.age === undefined
        ? []
        : [{ tag: t.tag, digest: t.digest, ageMs: t.age, ageFrom: t.ageFrom }],
    ),
    keep: [...keep.values()].sort(byName),
    ignored: others.length,
  };
}

/** The plan for the operator: a count line, then one line per matching tag. */
export function cleanupSummary(plan: CleanupPlan): string {
  const lines = [`delete ${plan.delete.length}, keep ${plan.keep.length}, ${plan.ignored} not matching`];
  for (const d of plan.delete)
    lines.push(`delete ${d.tag} (${formatDuration(d.ageMs)} old, from ${d.ageFrom})`);
  for (const k of plan.keep) lines.push(`keep   ${k.tag} (${k.why}: ${k.detail})`);
  return lines.join('\n');
}

function aged(t: CleanupTag, now: number): Aged {
  const created = imageCreatedMs(t.created);
  if (created !== undefined) return { ...t, age: now - created, ageFrom: 'created' };
  const seen = parseTime(t.firstSeen);
  return { ...t, age: seen === undefined ? undefined : now - seen, ageFrom: 'first-seen' };
}

function checkInput(input: CleanupInput) {
  const bad = (message: string, details: Record<string, unknown>) =>
    fatal(FatalFailure.BadInput, message, details);
  const patterns = typeof input.pattern === 'string' ? [input.pattern] : input.pattern;
  if (patterns.length === 0 || patterns.some((p) => typeof p !== 'string' || p.trim() === ''))
    throw bad(`expected one or more tag patterns such as change_*, found ${JSON.stringify(input.pattern)}`, {
      pattern: input.pattern,
    });
  const { olderThanMs } = input;
  if (!Number.isSafeInteger(olderThanMs) || olderThanMs <= 0)
    throw bad(`expected an age older than zero (in ms, such as 24h), found ${String(olderThanMs)}`, {
      olderThanMs,
    });
  const keepNewest = input.keep ?? 0;
  if (!Number.isSafeInteger(keepNewest) || keepNewest < 0)
    throw bad(`expected --keep as a whole number of tags (0 or more), found ${String(input.keep)}`, {
      keep: input.keep,
    });
  const now = input.now.getTime();
  if (Number.isNaN(now))
    throw bad('expected a valid current time for the clean-up plan, found Invalid Date', {});
  const seen = new Set<string>();
  const twice = input.tags.find((t) => seen.size === seen.add(t.tag).size)?.tag;
  if (twice !== undefined)
    throw bad(`expected each tag once in the listing, found ${JSON.stringify(twice)} twice`, { tag: twice });
  return { patterns, olderThanMs, keepNewest, now };
}
