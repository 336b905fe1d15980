/** Step 1: the branches swept (main and every stable/*, or those asked) and their heads, read once. */
import type { SweepContext } from './sweepContext.js';

export async function listTargetBranches(ctx: SweepContext): Promise<Record<string, string>> {
  ctx.enter('listing');
  const listed = await ctx.acts.listBranches({
    repoUrl: ctx.input.targetRepo,
    requested: ctx.input.branches,
  });
  ctx.status.branches = listed.branches;
  ctx.status.heads = listed.heads;
  ctx.report();
  return listed.heads;
}
