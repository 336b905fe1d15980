/**
 * Writing a plan's tags, one at a time (each write is an idempotent activity:
 * a retry after a lost worker finds the tag `unchanged`), then checking that
 * every tag resolves to the digest. A stamp is written create-only.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import type { TagPlan } from '../../shared/tags.js';
import type { TagContext } from './tagContext.js';

export async function writeTags(ctx: TagContext, plan: TagPlan): Promise<void> {
  ctx.enter('writing');
  for (const t of plan.tags) {
    if (ctx.status.written.some((w) => w.tag === t.tag)) continue;
    const written = await ctx.step(
      `${t.mode === 'create-only' ? 'create' : 'move'} ${ctx.shown}:${t.tag}`,
      () => ctx.acts.writeTag({ ...ctx.image, tag: t.tag, digest: plan.digest, mode: t.mode }),
    );
    ctx.status.written.push({ tag: written.tag, digest: written.digest, outcome: written.outcome });
    ctx.report();
  }
  ctx.enter('checking');
  const now = await ctx.step(`check ${plan.tags.length} tag(s) of ${ctx.shown}`, () =>
    ctx.acts.readTags({ ...ctx.image, tags: plan.tags.map((t) => t.tag) }),
  );
  const wrong = plan.tags.filter((t) => now[t.tag] !== plan.digest);
  if (wrong.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `expected ${wrong.map((t) => `${ctx.shown}:${t.tag}`).join(', ')} to resolve to ${plan.digest} after writing, found ${wrong.map((t) => now[t.tag] ?? 'no such tag').join(', ')} (another writer?)`,
      FatalFailure.DigestMismatch,
    );
  }
}
