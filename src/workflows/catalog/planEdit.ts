/**
 * Step 3: the new versions written into the catalog's text (byte-exact, every
 * other byte kept; with `keep`, a new entry first and the oldest dropped) and
 * the work branch named after this set of versions, so a rerun finds the same
 * branch and PR. The text goes to the push as it was planned.
 */
import type { CatalogUpdate } from '../../lib/catalog/catalogEdit.js';
import type { CatalogPlan } from '../../activities/catalogActivities.js';
import type { CatalogContext } from './catalogContext.js';

export async function planEdit(ctx: CatalogContext, updates: CatalogUpdate[]): Promise<CatalogPlan> {
  const { repoUrl, branch, path, keep } = ctx.input;
  ctx.enter('planning');
  const baseSha = ctx.status.baseSha!;
  const plan = await ctx.step(`write ${updates.length} new version(s) into ${path}`, () =>
    ctx.acts.planCatalog({ repoUrl, branch, path, baseSha, updates, keep }),
  );
  updates.forEach((u, i) => {
    const row = ctx.status.images.find((r) => r.image === u.image);
    if (row?.new) row.new.mirrorUrl = plan.mirrorUrls[i];
  });
  ctx.status.workBranch = plan.workBranch;
  ctx.report();
  return plan;
}
