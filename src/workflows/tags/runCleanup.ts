/**
 * The clean-up steps, for cleanupTags and for a promotion from a change tag:
 * list every tag, plan (age from the image's created time, or when the tag
 * was first seen; never a digest a kept tag or a kept index uses), ask for
 * approval above the threshold, delete one tag at a time (each delete checks
 * again that no kept tag shares the digest, and is verified after). Deletes
 * are compare-then-delete: each carries the digest the plan saw, and a tag
 * re-pushed since (a new image nobody planned or approved to delete) is kept,
 * with a notice.
 */
import type { CleanupSpec, CleanupPlanInfo } from '../../shared/tags.js';
import type { RetryPolicyInput } from '../../shared/bump.js';
import { planCleanup } from '../../lib/tags/cleanupPlan.js';
import { formatDuration, parseDuration } from '../../lib/kit/duration.js';
import { FatalFailure } from '../../shared/failures.js';
import { errorInfo, isFatal, pure } from '../kit/index.js';
import { approvePlan } from './approvePlan.js';
import type { TagContext } from './tagContext.js';
import { cleanupNeedsApproval } from './workerApproval.js';

export interface CleanupRun {
  /** dry-run: planned only; rejected/expired: not approved */
  outcome: 'done' | 'dry-run' | 'no-op' | 'rejected' | 'expired';
  /** tags seen for the first time (`tag@digest` → ISO), for the repository's ledger */
  firstSeen: Record<string, string>;
}

export async function runCleanup(
  ctx: TagContext,
  spec: CleanupSpec,
  firstSeen: Record<string, string>,
  dryRun: boolean,
  /** `askWorker`: the worker's `cleanup.approveAbove` counts too (Patches.workerApproval), read with these retries */
  approval: { timeout: string; askWorker?: RetryPolicyInput | undefined } = { timeout: '24h' },
): Promise<CleanupRun> {
  ctx.enter('cleaning-up');
  const now = new Date();
  const listed = await ctx.step(`list the tags of ${ctx.shown}`, () =>
    ctx.acts.listTagDigests({ ...ctx.image, detail: spec.patterns }),
  );
  const seenNow: Record<string, string> = {};
  const tags = listed.tags.map((t) => {
    const key = `${t.tag}@${t.digest}`;
    const seen = firstSeen[key] ?? (seenNow[key] = now.toISOString());
    return { ...t, firstSeen: seen };
  });
  const olderThanMs = pure(() => parseDuration(spec.olderThan));
  const plan = pure(() => planCleanup({ pattern: spec.patterns, olderThanMs, keep: spec.keep, now, tags }));
  const info: CleanupPlanInfo = {
    delete: plan.delete.map((d) => ({
      tag: d.tag,
      digest: d.digest,
      age: formatDuration(d.ageMs),
      ageFrom: d.ageFrom,
    })),
    keep: plan.keep.map((k) => ({ tag: k.tag, digest: k.digest, why: k.why, detail: k.detail })),
    ignored: plan.ignored,
  };
  ctx.status.cleanup = info;
  ctx.report();
  if (dryRun) return { outcome: 'dry-run', firstSeen: seenNow };
  if (info.delete.length === 0) return { outcome: 'no-op', firstSeen: seenNow };
  const required =
    approval.askWorker === undefined
      ? info.delete.length > spec.approveAbove
      : await cleanupNeedsApproval(ctx, approval.askWorker, spec.approveAbove, info.delete.length);
  if (required) {
    const decided = await approvePlan(ctx, { required: true }, approval.timeout);
    if (decided !== 'approved') return { outcome: decided, firstSeen: seenNow };
  }
  ctx.enter('deleting');
  const deleting = info.delete.map((d) => d.tag);
  const planned = Object.fromEntries(info.delete.map((d) => [d.tag, d.digest]));
  for (const d of info.delete) {
    if (ctx.status.deleted.includes(d.tag)) continue;
    try {
      const r = await ctx.step(`delete ${ctx.shown}:${d.tag}`, () =>
        ctx.acts.deleteTag({
          ...ctx.image,
          tag: d.tag,
          alsoDeleting: deleting,
          expectedDigest: d.digest,
          alsoDeletingDigests: planned,
        }),
      );
      if (r.outcome === 'moved') {
        keepMoved(ctx, info, { tag: d.tag, planned: d.digest, found: r.found });
        ctx.report();
        continue;
      }
      for (const t of r.tagsRemoved.length > 0 ? r.tagsRemoved : [d.tag])
        if (!ctx.status.deleted.includes(t)) ctx.status.deleted.push(t);
    } catch (err) {
      // a tag that came to share the digest since the plan protects it: keep, say so, go on
      if (!isFatal(err) || errorInfo(err).type !== FatalFailure.DigestShared) throw err;
      ctx.status.notices.push(`kept ${d.tag}: ${errorInfo(err).message}`);
    }
    ctx.report();
  }
  return { outcome: 'done', firstSeen: seenNow };
}

/** A planned tag that holds another image now (re-pushed since the plan): kept, listed and told. */
function keepMoved(
  ctx: TagContext,
  info: CleanupPlanInfo,
  m: { tag: string; planned: string; found: string },
) {
  (info.movedSincePlan ??= []).push(m);
  ctx.status.notices.push(
    `kept ${m.tag}: moved since the plan (planned ${m.planned}, now ${m.found}): its new image was not planned or approved to delete`,
  );
}
