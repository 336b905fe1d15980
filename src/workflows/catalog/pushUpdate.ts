/**
 * Steps 5–6: the work branch with one signed-off commit of the planned texts
 * (a retried push finds the same commit: `pushed: false`), then its pull
 * request, found or created. A forge whose token or URL is wrong leaves the
 * update `blocked`: fix the worker's environment, `retry`.
 */
import { openWorkPullRequest } from '../kit/index.js';
import type { PlannedFiles } from './planEdit.js';
import type { CatalogContext } from './catalogContext.js';
import { commitMessage, pullRequestBody, pullRequestTitle } from './details.js';

/** Pushes the work branch; false when the base changed the catalog since the plan (re-plan, approve again). */
export async function pushCatalog(ctx: CatalogContext, plan: PlannedFiles, date: string): Promise<boolean> {
  const { repoUrl, branch } = ctx.input;
  ctx.enter('pushing');
  const pushed = await ctx.step(`push ${plan.workBranch}`, () =>
    ctx.acts.pushFiles({
      repoUrl,
      baseBranch: branch,
      workBranch: plan.workBranch,
      expectedBaseSha: ctx.status.baseSha!,
      files: plan.files,
      message: commitMessage(ctx.status),
      date,
    }),
  );
  if (pushed.stale) {
    ctx.status.notices.push(
      `${plan.files.map((f) => f.path).join(', ')} changed on ${branch} (now ${pushed.baseSha.slice(0, 12)}) while waiting: read again, approve again`,
    );
    return false;
  }
  ctx.status.commitSha = pushed.commitSha;
  if (!pushed.pushed)
    ctx.status.notices.push(`${plan.workBranch} already held this commit: nothing pushed again`);
  ctx.report();
  return true;
}

export async function openPullRequest(ctx: CatalogContext): Promise<void> {
  await openWorkPullRequest(ctx, ctx.input.repoUrl, ctx.input.branch, (workflowId) => ({
    title: pullRequestTitle(ctx.status),
    body: pullRequestBody(ctx.status, workflowId),
  }));
}
