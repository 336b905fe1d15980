/**
 * Step 6 (with `pin`, never with `report`): one `pinDigests` per branch with
 * references in scope pinned by tag only, started as a child that outlives
 * the sweep (ParentClosePolicy ABANDON) under the branch's pin id, so a pin
 * run of the branch already running is found: it is skipped and named. Each
 * pin run reads the branch again, resolves and verifies each tag's digest,
 * waits for its own approval and opens its own PR.
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { pinWorkflowId } from '../../shared/ids.js';
import { PIN_WORKFLOW_TYPE, type PinRequest } from '../../shared/pin.js';
import { unpinnedByBranch, type UnpinnedRef } from '../../lib/sweep/index.js';
import { pure } from '../kit/index.js';
import type { SweepContext } from './sweepContext.js';

export async function startPins(ctx: SweepContext, unpinned: readonly UnpinnedRef[]): Promise<void> {
  ctx.enter('starting-pins');
  const { input } = ctx;
  const pins = (ctx.status.pins ??= []);
  for (const { branch, refs } of pure(() => unpinnedByBranch(unpinned))) {
    const workflowId = pinWorkflowId(ctx.repoKey, branch);
    const request: PinRequest = {
      targetRepo: input.targetRepo,
      varsFile: input.varsFile,
      branch,
      ...(input.images === undefined ? {} : { images: input.images }),
      ...(input.imagePrefixes.length > 0 ? { imagePrefixes: input.imagePrefixes } : {}),
      ...(input.approvalTimeout === undefined ? {} : { approvalTimeout: input.approvalTimeout }),
    };
    const row = { branch, workflowId, images: [...new Set(refs.map((r) => r.id))] };
    try {
      await startChild(PIN_WORKFLOW_TYPE, {
        workflowId,
        args: [request],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `pin ${row.images.length} image(s) by digest on ${branch} of ${input.targetRepo} (started by a sweep)`,
      });
      pins.push({ ...row, outcome: 'started' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      pins.push({
        ...row,
        outcome: 'skipped',
        reason: `a pin run of ${branch} is already running as ${workflowId}`,
      });
    }
    ctx.report();
  }
}
