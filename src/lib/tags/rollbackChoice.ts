/**
 * Which stamp `rollback` moves the tag back to when the operator names none:
 * the most recent `<prefix>-YYYYMMDD-<sha>` stamp whose digest differs from
 * the one the tag holds now. Audit tags (`prod-rollback-…`) and anything else
 * that is not a stamp are never candidates. Pure.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { imageCreatedMs } from '../kit/duration.js';
import { assertDigest } from '../kit/imageRef.js';
import { parseStamp } from '../kit/stamp.js';

export interface RollbackCandidate {
  tag: string;
  digest: string;
  /** the image config's created time (ISO 8601); missing, epoch or unparseable sorts last */
  created?: string | undefined;
}

export interface RollbackTarget {
  tag: string;
  digest: string;
  /** one line for the plan: why this stamp */
  reason: string;
}

/**
 * Newest first by the stamp's date, then the image's created time (missing
 * last), then the tag name (descending), so the same listing always gives
 * the same answer. When some stamp holds the current digest, only stamps
 * older than the newest such one count. NoRollbackTarget when none is left.
 */
export function chooseRollbackTarget(input: {
  prefix: string;
  currentDigest: string;
  candidates: readonly RollbackCandidate[];
}): RollbackTarget {
  const { prefix } = input;
  const currentDigest = assertDigest(input.currentDigest, `the digest of :${prefix}`);
  const stamps = input.candidates
    .flatMap((candidate) => {
      const stamp = parseStamp(candidate.tag, prefix);
      return stamp === undefined
        ? []
        : [{ ...candidate, date: stamp.date, createdMs: imageCreatedMs(candidate.created) }];
    })
    .sort(newestFirst);
  const sameDigest = stamps.filter((stamp) => stamp.digest === currentDigest);
  // After one rollback the bad image's stamp is newer than the current one's:
  // a second rollback goes further back, never forward to it.
  const current = stamps.find((stamp) => stamp.digest === currentDigest);
  const pool = current === undefined ? stamps : stamps.slice(stamps.indexOf(current) + 1);
  const target = pool.find((stamp) => stamp.digest !== currentDigest);
  if (target === undefined) {
    throw fatal(
      FatalFailure.NoRollbackTarget,
      `expected a ${prefix}-YYYYMMDD-<sha> stamp${current ? ` older than ${current.tag}` : ''} whose digest differs from :${prefix} (${currentDigest}), found ${stamps.length} stamp(s) among ${input.candidates.length} tag(s), ${sameDigest.length} of them with the current digest; name the tag to roll back to`,
      {
        prefix,
        currentDigest,
        tags: input.candidates.length,
        stamps: stamps.length,
        sameDigest: sameDigest.length,
        newestCurrentStamp: current?.tag ?? null,
      },
    );
  }
  const since = current === undefined ? '' : `, older than ${current.tag} (the newest stamp of that digest)`;
  return {
    tag: target.tag,
    digest: target.digest,
    reason: `most recent ${prefix}-* stamp whose digest differs from :${prefix} (${currentDigest})${since}`,
  };
}

/**
 * A target the operator named (`--to`): it must be a `<prefix>-YYYYMMDD-<sha>`
 * stamp of the tag rolled back, so `--to staging` (another moving tag, whose
 * digest may change under the plan) is not taken for a rollback by mistake.
 * `force` (`--force-target`) takes any tag. BadInput otherwise.
 */
export function checkRollbackTarget(prefix: string, to: string, force = false): void {
  if (force || parseStamp(to, prefix) !== undefined) return;
  throw fatal(
    FatalFailure.BadInput,
    `expected the rollback target to be a stamp of :${prefix} (${prefix}-YYYYMMDD-<sha>), found ${JSON.stringify(to)}; name such a stamp, leave the target out to take the newest one, or force this tag explicitly (--force-target)`,
    { prefix, to },
  );
}

function newestFirst(
  a: { tag: string; date: string; createdMs: number | undefined },
  b: { tag: string; date: string; createdMs: number | undefined },
): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  if (a.createdMs !== b.createdMs) {
    if (a.createdMs === undefined) return 1;
    if (b.createdMs === undefined) return -1;
    return b.createdMs - a.createdMs;
  }
  if (a.tag === b.tag) return 0;
  return a.tag < b.tag ? 1 : -1;
}
