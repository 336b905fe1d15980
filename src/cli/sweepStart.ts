/** Starting a sweep and printing what it found: the one place that makes a running `sweepPins`. */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { TemporalSettings } from '../config.js';
import { parseRepoUrl, repoSlug } from '../lib/repoUrl.js';
import { SWEEP_WORKFLOW_TYPE, type SweepRequest, type SweepResult } from '../workflows/sweep/sweepInput.js';
import { usage } from './exitCodes.js';

/** `sweep/vexxhost/atmosphere`: one sweep of a target repo at a time (a scheduled one adds its own suffix). */
export function sweepWorkflowId(targetRepo: string): string {
  return `sweep/${repoSlug(parseRepoUrl(targetRepo).key)}`;
}

export async function startSweep(client: Client, settings: TemporalSettings, request: SweepRequest) {
  const workflowId = sweepWorkflowId(request.targetRepo);
  try {
    return await client.workflow.start(SWEEP_WORKFLOW_TYPE, {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [request],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `sweep ${request.targetRepo}${request.report ? ' (report)' : ''}`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw usage(`a sweep of ${request.targetRepo} is already running as ${workflowId}`);
    throw err;
  }
}

export function formatSweep(workflowId: string, r: SweepResult): string {
  const lines = [
    `${workflowId}: ${r.pinCount} pins on ${r.branches.length} branches (${r.branches.join(', ')}), ${r.pairCount} distinct image:tag pairs`,
    r.table,
  ];
  if (r.report) lines.push('', 'report only: no bump started');
  else if (r.bumps.length === 0) lines.push('', 'nothing behind: no bump started');
  else {
    lines.push('', 'Bumps:');
    for (const b of r.bumps)
      lines.push(
        `  ${b.service} (${b.branches.join(', ')}): ${b.outcome === 'started' ? `started ${b.workflowId}` : `skipped: ${b.reason ?? ''}`}`,
      );
  }
  return lines.join('\n');
}
