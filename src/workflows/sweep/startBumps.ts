/**
 * Step 5 (not with `report`): one `bumpImage` per service that is behind, for
 * the branches that are behind only, started as a child that outlives the
 * sweep (ParentClosePolicy ABANDON) under the id the CLI would give it, so a
 * bump already running for the service is found: it is skipped and named.
 * An image with evidence against it is bumped like any other: the bump refuses it.
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { bumpWorkflowId, type BumpRequest } from '../../shared/messages.js';
import type { Evidence } from '../../lib/sweep/index.js';
import type { SweepContext } from './sweepContext.js';

export async function startBumps(
  ctx: SweepContext,
  services: readonly { service: string; branches: string[]; evidence: Evidence[] }[],
): Promise<void> {
  ctx.enter('starting-bumps');
  const { input } = ctx;
  for (const s of services) {
    const workflowId = bumpWorkflowId(ctx.repoKey, s.service);
    const request: BumpRequest = {
      service: s.service,
      targetRepo: input.targetRepo,
      varsFile: input.varsFile,
      branches: s.branches,
      ...(input.approvalTimeout === undefined ? {} : { approvalTimeout: input.approvalTimeout }),
      ...(input.approvalPolicy.length > 0 ? { approvalPolicy: input.approvalPolicy } : {}),
    };
    const row = { service: s.service, workflowId, branches: s.branches, evidence: s.evidence };
    try {
      await startChild('bumpImage', {
        workflowId,
        args: [request],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `bump ${s.service} in ${input.targetRepo} (started by a sweep)`,
      });
      ctx.status.bumps.push({ ...row, outcome: 'started' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      ctx.status.bumps.push({
        ...row,
        outcome: 'skipped',
        reason: `a bump of ${s.service} is already running as ${workflowId}`,
      });
    }
    ctx.report();
  }
}
