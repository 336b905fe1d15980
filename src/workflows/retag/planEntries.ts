/**
 * Step 2 of a retag: every entry's source and target tags resolved (a
 * concurrency limit per registry, in the activity), then the plan: copy,
 * skip, conflict, repush, missing-source or failed per entry. A repush run
 * (`repushOnly`: the commit's run ended) reads and plans only the entries of
 * the `repush` images. The status shows the plan table from here on.
 */
import type { RetagEntry } from '../../lib/retag/retagManifest.js';
import { planRetag, repushEntries, type RetagPlan } from '../../lib/retag/retagPlan.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { pure } from '../kit/index.js';
import type { RetagContext } from './retagContext.js';

export async function planEntries(ctx: RetagContext, all: RetagEntry[]): Promise<RetagPlan> {
  ctx.enter('resolving');
  const { repush, repushOnly } = ctx.input;
  const entries = repushOnly
    ? pure(() => {
        if (repush.length === 0)
          throw fatal(FatalFailure.BadInput, 'expected a repush run to name the images to move, found none');
        return repushEntries(all, repush);
      })
    : all;
  if (repushOnly)
    ctx.status.notices.push(
      `a repush run: only the ${entries.length} entries of ${repush.join(', ')} are planned; the commit's other entries are left as its earlier run left them`,
    );
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
  const plan = pure(() => planRetag(all, answers, { repush, repushOnly }));
  ctx.status.plan = plan;
  ctx.report();
  return plan;
}
