/**
 * The last step of a procedure that proposes its change as one pull request
 * (the catalog update, the pin run): the PR of the pushed work branch, found
 * or created. A forge whose token or URL is wrong leaves the procedure
 * `blocked`: fix the worker's environment, `retry`.
 */
import { workflowInfo } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import type { PullRequestFields } from '../../shared/procedure.js';
import type { Blocker } from './blockable.js';

/** Forge failures an operator fixes in the worker's environment, then retries. */
export const FIXABLE_AT_PR_TIME = [FatalFailure.AuthRefused, FatalFailure.ForgeMisconfigured] as const;

export interface PullRequestOpener {
  status: PullRequestFields & { notices: string[] };
  enter(state: 'opening-pr'): void;
  step: Blocker['step'];
  acts: {
    openPullRequest(input: {
      repoUrl: string;
      head: string;
      base: string;
      title: string;
      body: string;
    }): Promise<{ number: number; url: string; created: boolean }>;
  };
}

/** The PR of `status.workBranch` onto `base`: its number and URL kept in the status; one already open is found. */
export async function openWorkPullRequest(
  ctx: PullRequestOpener,
  repoUrl: string,
  base: string,
  text: (workflowId: string) => { title: string; body: string },
): Promise<void> {
  const head = ctx.status.workBranch!;
  ctx.enter('opening-pr');
  const pr = await ctx.step(
    `open or find the PR ${head} → ${base}`,
    () => ctx.acts.openPullRequest({ repoUrl, head, base, ...text(workflowInfo().workflowId) }),
    { blockOn: FIXABLE_AT_PR_TIME },
  );
  ctx.status.prNumber = pr.number;
  ctx.status.prUrl = pr.url;
  if (!pr.created)
    ctx.status.notices.push(`the pull request #${pr.number} was already open: found, not created`);
}
