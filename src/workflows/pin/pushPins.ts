/**
 * Steps 4–5: the work branch with one signed-off commit adding each approved
 * digest where its reference stands (a retried push finds the same commit),
 * then its pull request, found or created. A forge whose token or URL is
 * wrong leaves the run `blocked`: fix the worker's environment, `retry`.
 */
import { openWorkPullRequest } from '../kit/index.js';
import type { PinRow } from '../../shared/pin.js';
import type { PinContext } from './pinContext.js';
import { commitMessage, pullRequestBody, pullRequestTitle } from './details.js';

/** Pushes the work branch; false when every reference was pinned on the base meanwhile (nothing to propose). */
export async function pushPins(
  ctx: PinContext,
  rows: PinRow[],
  workBranch: string,
  date: string,
): Promise<boolean> {
  const { targetRepo, branch, varsFile } = ctx.input;
  ctx.enter('pushing');
  const pushed = await ctx.step(`push ${workBranch}`, () =>
    ctx.acts.pushPins({
      repoUrl: targetRepo,
      baseBranch: branch,
      workBranch,
      varsFile,
      additions: rows.map((r) => ({ image: r.image, tag: r.tag, digest: r.digest! })),
      message: commitMessage(ctx.status),
      date,
    }),
  );
  if (pushed.leftOut.length > 0)
    ctx.status.notices.push(
      `${pushed.leftOut.join(', ')}: no longer pinned by tag only on ${branch} (now ${pushed.baseSha.slice(0, 12)}): left out`,
    );
  if (pushed.alreadyPinned) return false;
  ctx.status.commitSha = pushed.commitSha;
  if (!pushed.pushed) ctx.status.notices.push(`${workBranch} already held this commit: nothing pushed again`);
  ctx.report();
  return true;
}

export async function openPullRequest(ctx: PinContext): Promise<void> {
  await openWorkPullRequest(ctx, ctx.input.targetRepo, ctx.input.branch, (workflowId) => ({
    title: pullRequestTitle(ctx.status),
    body: pullRequestBody(ctx.status, workflowId),
  }));
}
