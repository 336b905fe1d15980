/**
 * rollbackImage: move a tag (`prod`) and its aliases back to an earlier stamp.
 *   1 choose    `--to`, or the most recent `<tag>-YYYYMMDD-<sha>` stamp whose digest differs from the tag's
 *   2 verify    the target's cosign signature; nothing mutated before
 *   3 plan      the tag and aliases old → new, and the audit tag `<tag>-rollback-<date>-<time>-from-<sha7>`
 *   4 approve   the forge first where the audit is a GitHub release (blocked there,
 *               nothing written, until `retry`); then the policy or a human
 *   5 write     move the tags, create the audit tag; check each
 *   6 audit     a release on the source repo, or the workflow's memo
 * Runs as a child of the repository's queue, so it never interleaves with a promotion.
 */
import { rollbackInputSchema, type RollbackRequest, type TagResult } from '../../shared/tags.js';
import { checkRollbackTarget, chooseRollbackTarget } from '../../lib/tags/rollbackChoice.js';
import { rollbackAuditTag } from '../../lib/kit/stamp.js';
import { promotionAuditBody } from '../../lib/tags/tagDetails.js';
import { onPatch, parseInput, Patches, pure } from '../kit/index.js';
import { createTagContext } from './tagContext.js';
import { resolveAndVerify } from './verifySource.js';
import { planTags } from './planTags.js';
import { approvePlan, endUnapproved } from './approvePlan.js';
import { writeTags } from './writeTags.js';
import { auditChange } from './auditChange.js';
import { checkAuditForge } from './checkAuditForge.js';
import { endWith } from './endWith.js';
import { strictestApproval } from './workerApproval.js';

export async function rollbackImage(raw: RollbackRequest): Promise<TagResult> {
  const input = parseInput(rollbackInputSchema, raw, 'a rollback {image, tag, aliases?, to?, …}');
  if (input.to !== undefined) pure(() => checkRollbackTarget(input.tag, input.to!, input.forceTarget));
  // a run started before the worker decided takes the request's word, as it began
  const workerDecides = onPatch(Patches.workerApproval);
  // a run started before the forge was checked first finds it missing only at the audit
  const forgeFirst = onPatch(Patches.auditForgeCheck);
  const ctx = createTagContext('rollback', input);
  const at = new Date();
  return endWith(ctx, async () => {
    ctx.enter('resolving');
    const current = await ctx.step(`resolve ${ctx.shown}:${input.tag}`, () =>
      ctx.acts.inspectSource({ ...ctx.image, from: input.tag }),
    );
    let target = input.to;
    let reason = `the stamp ${input.to} named by the operator`;
    if (target === undefined) {
      const listed = await ctx.step(`list the ${input.tag}-* stamps of ${ctx.shown}`, () =>
        ctx.acts.listTagDigests({ ...ctx.image, detail: [`${input.tag}-*`] }),
      );
      const chosen = pure(() =>
        chooseRollbackTarget({ prefix: input.tag, currentDigest: current.digest, candidates: listed.tags }),
      );
      target = chosen.tag;
      reason = chosen.reason;
    }
    const source = await resolveAndVerify(ctx, target);
    const auditTag = pure(() => rollbackAuditTag(input.tag, at, current.revision));
    const plan = await planTags(ctx, source, [
      ...[input.tag, ...input.aliases].map((tag) => ({ tag, mode: 'move' as const })),
      { tag: auditTag, mode: 'create-only' as const },
    ]);
    plan.reason = `${target}: ${reason}`;
    plan.stamp = auditTag;
    if (plan.tags.filter((t) => t.tag !== auditTag).every((t) => t.change === 'unchanged')) {
      ctx.status.notices.push(
        `${input.tag} already points at ${source.digest} (${target}): nothing to roll back`,
      );
      return ctx.finish('no-op');
    }
    ctx.report();
    if (forgeFirst) await checkAuditForge(ctx, input.retry, source);
    const approval = workerDecides
      ? await strictestApproval(ctx, input.retry, input.approval, [input.tag, ...input.aliases])
      : input.approval;
    const decided = await approvePlan(ctx, approval, input.approvalTimeout);
    if (decided !== 'approved') return endUnapproved(ctx, decided, input.approvalTimeout);
    await writeTags(ctx, plan);
    await auditChange(ctx, {
      tag: auditTag,
      name: `Roll back ${ctx.shown}:${input.tag} to ${target}`,
      body: promotionAuditBody(ctx.status),
    });
    return ctx.finish('done');
  });
}
