/**
 * Per-entry outcomes of a retag: from the plan for entries that write nothing
 * (skip, conflict, missing-source, failed), from the child's word for those
 * that write (copy, repush). Pure.
 */
import type { RetagStep } from '../../lib/retag/retagPlan.js';
import type { RetagEntryDone, RetagEntryResult, RetagOutcome } from '../../shared/retag.js';

const PLANNED: Record<Exclude<RetagStep['action'], 'copy' | 'repush'>, RetagOutcome> = {
  skip: 'skipped',
  conflict: 'conflict',
  'missing-source': 'missing-source',
  failed: 'failed',
};

function base(s: RetagStep): RetagEntryResult {
  return {
    index: s.entry.index,
    line: s.entry.line,
    name: s.entry.name,
    image: s.entry.image,
    srcBuildTag: s.entry.srcBuildTag,
    tag: s.entry.tag,
    outcome: 'failed',
    digest: s.sourceDigest,
    targetDigest: s.targetDigest,
  };
}

/** An entry the plan settles without a write. */
export function plannedOutcome(s: RetagStep): RetagEntryResult {
  if (s.action === 'copy' || s.action === 'repush')
    throw new TypeError(`images[${s.entry.index}] writes: its outcome comes from its child`);
  const conflict =
    s.action === 'conflict'
      ? {
          type: 'TagExists',
          message: `${s.entry.image}:${s.entry.tag} is at ${s.targetDigest ?? '?'}, the source ${s.entry.srcBuildTag} at ${s.sourceDigest ?? '?'}: left alone (--repush ${s.entry.name} to move it)`,
        }
      : undefined;
  return { ...base(s), outcome: PLANNED[s.action], error: s.failure ?? conflict };
}

/** An entry its child wrote (or could not). */
export function childOutcome(s: RetagStep, done: RetagEntryDone): RetagEntryResult {
  return {
    ...base(s),
    outcome: done.outcome,
    digest: done.digest ?? s.sourceDigest,
    write: done.write,
    workflowId: done.workflowId,
    error: done.error,
  };
}
