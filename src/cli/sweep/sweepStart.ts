/** Starting a sweep and printing what it found: the one place that makes a running `sweepPins`. */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { TemporalSettings } from '../../config.js';
import { parseRepoUrl, repoSlug } from '../../lib/kit/repoUrl.js';
import { compareBranches } from '../../lib/kit/branches.js';
import { renderSweepTable, renderUnpinned } from '../../lib/sweep/index.js';
import { TEXT_WIDTH, wrapLine } from '../../lib/kit/textTable.js';
import {
  SWEEP_WORKFLOW_TYPE,
  type SweepRequest,
  type SweepResult,
} from '../../workflows/sweep/sweepInput.js';
import { usage } from '../kit/exitCodes.js';

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

/**
 * What the sweep found, as the CLI prints it: within TEXT_WIDTH columns (the
 * table rendered again from the result: keys elided, evidence under its row),
 * or everything in full with `wide`. Branches main first, then newest first.
 */
export function formatSweep(workflowId: string, r: SweepResult, o: { wide?: boolean } = {}): string {
  const width = o.wide ? undefined : TEXT_WIDTH;
  const fit = (line: string, indent = '  ') => (width === undefined ? [line] : wrapLine(line, width, indent));
  const branches = (list: readonly string[]) => [...list].sort(compareBranches).join(', ');
  const shown = { pins: r.behind, counts: r.counts, unavailable: r.unavailable };
  const lines = [
    ...fit(
      `${workflowId}: ${r.pinCount} pins on ${r.branches.length} branches (${branches(r.branches)}), ${r.pairCount} distinct image:tag pairs`,
    ),
    ...(r.scope === undefined ? [] : fit(`scope: ${r.scope}`)),
    renderSweepTable(shown, 'text', { width }) + renderUnpinned(r.unpinned ?? [], 'text', { width }),
  ];
  if (r.report) lines.push('', 'report only: no bump started');
  else if (r.bumps.length === 0) lines.push('', 'nothing behind: no bump started');
  else {
    lines.push('', 'Bumps:');
    for (const b of r.bumps)
      lines.push(
        ...fit(
          `  ${b.service} (${branches(b.branches)}): ${b.outcome === 'started' ? `started ${b.workflowId}` : `skipped: ${b.reason ?? ''}`}`,
          '    ',
        ),
      );
  }
  if (r.pins?.length) {
    lines.push('', 'Pin runs:');
    for (const p of r.pins)
      lines.push(
        ...fit(
          `  ${p.branch} (${p.images.join(', ')}): ${p.outcome === 'started' ? `started ${p.workflowId}` : `skipped: ${p.reason ?? ''}`}`,
          '    ',
        ),
      );
  }
  return lines.join('\n');
}
