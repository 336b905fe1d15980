/**
 * Step 3 of promote and rollback: where each tag points now and where it will.
 * A create-only tag (a stamp) already at another digest ends the procedure
 * here, typed, with nothing written.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import type { PlannedTag, SourceImage, TagPlan } from '../../shared/tags.js';
import { commitUrl } from '../../lib/tags/tagDetails.js';
import type { TagContext } from './tagContext.js';

export async function planTags(
  ctx: TagContext,
  source: SourceImage,
  wanted: { tag: string; mode: PlannedTag['mode'] }[],
): Promise<TagPlan> {
  ctx.enter('planning');
  const now = await ctx.step(`read ${wanted.map((w) => w.tag).join(', ')} of ${ctx.shown}`, () =>
    ctx.acts.readTags({ ...ctx.image, tags: wanted.map((w) => w.tag) }),
  );
  const tags: PlannedTag[] = wanted.map((w) => {
    const from = now[w.tag] ?? undefined;
    const change = from === undefined ? 'create' : from === source.digest ? 'unchanged' : 'move';
    return { tag: w.tag, from, to: source.digest, mode: w.mode, change };
  });
  const clash = tags.find((t) => t.mode === 'create-only' && t.change === 'move');
  if (clash !== undefined) {
    throw ApplicationFailure.nonRetryable(
      `expected the immutable tag ${ctx.shown}:${clash.tag} to be absent or at ${source.digest}, found it at ${clash.from}: a stamp is never moved (nothing was written)`,
      FatalFailure.TagExists,
    );
  }
  const plan: TagPlan = {
    image: ctx.shown,
    digest: source.digest,
    tags,
    revision: source.revision,
    commitUrl: commitUrl(source.source, source.revision),
  };
  ctx.status.plan = plan;
  ctx.report();
  return plan;
}
