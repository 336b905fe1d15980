/**
 * Steps 5–6: the work branch with one signed-off commit of the planned texts
 * (a retried push finds the same commit: `pushed: false`), then its pull
 * request, found or created. A forge whose token or URL is wrong leaves the
 * update `blocked`: fix the worker's environment, `retry`.
 */
import { workflowInfo } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import type { PlannedFiles } from './planEdit.js';
import type { CatalogContext } from './catalogContext.js';
import { commitMessage, pullRequestBody, pullRequestTitle } from './details.js';

const FIXABLE_AT_PR_TIME = [FatalFailure.AuthRefused, FatalFailure.ForgeMisconfigured] as const;

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
  const { repoUrl, branch } = ctx.input;
  const head = ctx.status.workBranch!;
  ctx.enter('opening-pr');
  const pr = await ctx.step(
    `open or find the PR ${head} → ${branch}`,
    () =>
      ctx.acts.openPullRequest({
        repoUrl,
        head,
        base: branch,
        title: pullRequestTitle(ctx.status),
        body: pullRequestBody(ctx.status, workflowInfo().workflowId),
      }),
    { blockOn: FIXABLE_AT_PR_TIME },
  );
  ctx.status.prNumber = pr.number;
  ctx.status.prUrl = pr.url;
  if (!pr.created)
    ctx.status.notices.push(`the pull request #${pr.number} was already open: found, not created`);
}
