/**
 * Step 2 of a retag: every entry's source and target tags resolved (a
 * concurrency limit per registry, in the activity), then the plan: copy,
 * skip, conflict, repush, missing-source or failed per entry. The status
 * shows the plan table from here on.
 */
import type { RetagEntry } from '../../lib/retagManifest.js';
import { planRetag, type RetagPlan } from '../../lib/retagPlan.js';
import { pure } from '../kit/index.js';
import type { RetagContext } from './retagContext.js';

export async function planEntries(ctx: RetagContext, entries: RetagEntry[]): Promise<RetagPlan> {
  ctx.enter('resolving');
  const answers = await ctx.step(`resolve ${entries.length} entries`, () =>
    ctx.acts.resolveRetagEntries({
      entries: entries.map((e) => ({
        registry: e.registry,
        repository: e.repository,
        image: e.image,
        srcBuildTag: e.srcBuildTag,
        tag: e.tag,
      })),
      perRegistry: ctx.input.perRegistry,
    }),
  );
  const plan = pure(() => planRetag(entries, answers, { repush: ctx.input.repush }));
  ctx.status.plan = plan;
  ctx.report();
  return plan;
}
