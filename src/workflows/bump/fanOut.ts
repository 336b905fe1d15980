/**
 * Step 5–6 of a bump: one bumpBranch child per branch (deterministic id
 * `<parentId>/<branch tag>`), all settled so one failed branch never hides the
 * others; each child's result is the last word on its branch.
 */
import { startChild, workflowInfo } from '@temporalio/workflow';
import { branchWorkflowId, WorkflowType } from '../../shared/messages.js';
import type { BranchOutcome, BumpBranchInput } from '../../shared/bump.js';
import { approvalFor } from '../../lib/bump/approvalPolicy.js';
import { errorInfo } from '../kit/index.js';
import type { bumpBranch } from './bumpBranch.js';
import type { BumpContext } from './bumpContext.js';
import type { BumpPlan } from './planBump.js';

export async function fanOut(
  ctx: BumpContext,
  plan: BumpPlan,
  settle: (o: BranchOutcome) => void,
): Promise<BranchOutcome[]> {
  const { input, status } = ctx;
  const selfId = workflowInfo().workflowId;
  const runs = status.branches.map(async (b): Promise<BranchOutcome> => {
    const workflowId = branchWorkflowId(selfId, b.tag);
    ctx.children.set(b.branch, workflowId);
    b.workflowId = workflowId;
    const approval = approvalFor(input.approvalPolicy, b.branch);
    const args: BumpBranchInput = {
      parentWorkflowId: selfId,
      service: plan.service,
      image: { registry: plan.main.registry, repository: plan.main.repository },
      targetRepo: input.targetRepo,
      varsFile: input.varsFile,
      branch: b.branch,
      tag: b.tag,
      sourceRepo: plan.facts.source,
      reason: input.reason,
      note: plan.note,
      approvalTimeout: input.approvalTimeout,
      approval: { required: approval.required, pattern: approval.rule?.pattern },
      retry: input.retry,
      branchCount: plan.branches.length,
      knownImage: ctx.lean ? { digest: plan.main.digest, revision: plan.facts.revision } : undefined,
    };
    const outcome = await startChild<typeof bumpBranch>(WorkflowType.bumpBranch, {
      workflowId,
      staticSummary: `bump ${plan.service} on ${b.branch}`,
      staticDetails: `Image \`${plan.main.image}:${b.tag}\` in \`${input.varsFile}\` of ${input.targetRepo}; source ${plan.facts.source}. Reason: ${input.reason ?? 'none given'}.`,
      args: [args],
    })
      .then((child) => child.result())
      .catch((err: unknown): BranchOutcome => ({
        branch: b.branch,
        outcome: 'failed',
        error: errorInfo(err),
      }));
    settle(outcome);
    return outcome;
  });
  return Promise.all(runs);
}
