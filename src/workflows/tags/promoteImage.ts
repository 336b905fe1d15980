/**
 * promoteImage: move tags of an image repository to a signed digest.
 *   1 resolve   the source (a tag, a change tag or a digest) to one digest
 *   2 verify    its cosign signature (worker's trust policy); nothing mutated before
 *   3 plan      every target tag old → new, the stamp from the revision label
 *   4 approve   where the audit is a GitHub release, the forge and token first (blocked
 *               there, nothing written, until `retry`); then the policy or a human (the
 *               gate); re-plan if the source tag moved
 *   5 write     the stamp create-only, the others moved; then check each
 *   6 audit     a release on the source repo, or the workflow's memo
 *   7 clean up  optionally, change tags like the source (Zuul's promote job)
 * Runs as a child of the repository's queue: one mutation of a repository at a time.
 */
import { promoteInputSchema, type PromoteRequest, type TagResult } from '../../shared/tags.js';
import { renderStamp } from '../../lib/kit/stamp.js';
import { promotionAuditBody } from '../../lib/tags/tagDetails.js';
import { onPatch, parseInput, Patches, pure } from '../kit/index.js';
import { createTagContext } from './tagContext.js';
import { resolveAndVerify } from './verifySource.js';
import { planTags } from './planTags.js';
import { approvePlan, endUnapproved } from './approvePlan.js';
import { writeTags } from './writeTags.js';
import { auditChange } from './auditChange.js';
import { checkAuditForge } from './checkAuditForge.js';
import { runCleanup } from './runCleanup.js';
import { endWith } from './endWith.js';
import { strictestApproval, type ApprovalNeed } from './workerApproval.js';

export async function promoteImage(raw: PromoteRequest): Promise<TagResult> {
  const input = parseInput(promoteInputSchema, raw, 'a promotion {image, from, to, stamp, …}');
  // a run started before the worker decided takes the request's word, as it began
  const workerDecides = onPatch(Patches.workerApproval);
  // a run started before the forge was checked first finds it missing only at the audit
  const forgeFirst = onPatch(Patches.auditForgeCheck);
  const ctx = createTagContext('promote', input);
  const at = new Date();
  return endWith(ctx, async () => {
    let plan;
    let approval: ApprovalNeed | undefined;
    let forgeChecked: { for: string | undefined } | undefined;
    for (;;) {
      const source = await resolveAndVerify(ctx, input.from);
      const stamp =
        input.stamp === null
          ? undefined
          : pure(() => renderStamp(input.stamp!, { at, revision: source.revision, tag: input.to[0]! }));
      plan = await planTags(ctx, source, [
        ...(stamp === undefined ? [] : [{ tag: stamp, mode: 'create-only' as const }]),
        ...input.to.map((tag) => ({ tag, mode: 'move' as const })),
      ]);
      plan.stamp = stamp;
      if (plan.tags.every((t) => t.change === 'unchanged')) return ctx.finish('no-op');
      if (forgeFirst && forgeChecked?.for !== source.source) {
        await checkAuditForge(ctx, input.retry, source);
        forgeChecked = { for: source.source };
      }
      approval ??= workerDecides
        ? await strictestApproval(ctx, input.retry, input.approval, input.to)
        : input.approval;
      const decided = await approvePlan(ctx, approval, input.approvalTimeout);
      if (decided !== 'approved') return endUnapproved(ctx, decided, input.approvalTimeout);
      if (input.from.startsWith('sha256:')) break;
      const again = await ctx.step(`resolve ${ctx.shown}:${input.from} again`, () =>
        ctx.acts.readTags({ ...ctx.image, tags: [input.from] }),
      );
      if (again[input.from] === plan.digest) break;
      ctx.status.notices.push(
        `${input.from} moved from ${plan.digest} to ${again[input.from] ?? 'nowhere'} while waiting: re-planned, approve again`,
      );
    }
    await writeTags(ctx, plan);
    await auditChange(ctx, {
      tag:
        plan.stamp ??
        `${input.to[0]}-promoted-${at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`,
      name: `Promote ${ctx.shown} to ${input.to.join(', ')}`,
      body: promotionAuditBody(ctx.status),
    });
    if (input.cleanup !== undefined)
      await runCleanup(ctx, input.cleanup, {}, false, {
        timeout: '24h',
        askWorker: workerDecides ? input.retry : undefined,
      });
    return ctx.finish('done');
  });
}
