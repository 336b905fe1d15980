/**
 * Steps h–i of a branch: push `bump-<service>-<tag>` from origin/<branch>
 * with the planned edit and the release note (a retried push finds the same
 * commit), then find or create its pull request. A forge whose token or URL
 * is wrong leaves the branch `blocked`: fix the worker's environment, `retry`.
 */
import { workflowInfo } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import { enter, type BranchContext } from './branchContext.js';

/** Forge failures an operator fixes in the worker's environment, then retries. */
const FIXABLE_AT_PR_TIME = [FatalFailure.AuthRefused, FatalFailure.ForgeMisconfigured] as const;

/** Pushes the bump branch; false when the branch already pins the new digest (someone bumped it meanwhile). */
export async function pushBranch(ctx: BranchContext, date: string): Promise<boolean> {
  const { input, status } = ctx;
  const plan = status.plan!;
  const note = ctx.note();
  enter(ctx, 'pushing');
  const pushed = await ctx.step(`push ${plan.workBranch}`, () =>
    ctx.acts.pushBump({
      repoUrl: input.targetRepo,
      baseBranch: input.branch,
      workBranch: plan.workBranch,
      varsFile: input.varsFile,
      image: ctx.image,
      newDigest: status.newDigest!,
      note: { file: note.file, content: note.content },
      message: plan.commitMessage,
      date,
    }),
  );
  if (pushed.alreadyCurrent) {
    status.notices.push(`${input.branch} already pins ${status.newDigest} (someone bumped it meanwhile)`);
    return false;
  }
  status.commitSha = pushed.commitSha;
  return true;
}

export async function openPullRequest(ctx: BranchContext): Promise<void> {
  const { input, status } = ctx;
  const plan = status.plan!;
  enter(ctx, 'opening-pr');
  const body = `${plan.body}\n\nApproved by ${status.approvedBy ?? 'unknown'} in Temporal workflow \`${workflowInfo().workflowId}\`.\n`;
  const pr = await ctx.step(
    `open or find the PR ${plan.workBranch} → ${input.branch}`,
    () =>
      ctx.acts.openPullRequest({
        repoUrl: input.targetRepo,
        head: plan.workBranch,
        base: input.branch,
        title: plan.title,
        body,
      }),
    { blockOn: FIXABLE_AT_PR_TIME },
  );
  status.prNumber = pr.number;
  status.prUrl = pr.url;
}
