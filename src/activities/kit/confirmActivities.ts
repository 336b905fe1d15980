/**
 * Activity: a workflow's own look at another workflow, so that an internal
 * signal a person can forge (a branch's `branchStatus` to its bump, an
 * entry's `retagEntryDone` to its retag run) is a hint, never the word: the
 * workflow said to have sent it is described and its status query asked,
 * with the worker's Temporal client (the activity context's). A workflow not
 * found, or of another type, is an answer (not queried); an outage is retried.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ActivityDeps } from './deps.js';

export interface WorkflowLookInput {
  workflowId: string;
  /** the type it must be to be asked `query` */
  type: string;
  /** its status query's name */
  query: string;
}

export interface WorkflowLook {
  /** false: no workflow under that id */
  found: boolean;
  type?: string | undefined;
  /** when its current run started (ISO) */
  startTime?: string | undefined;
  running?: boolean | undefined;
  /** what its status query answers: only for a workflow of the type asked */
  status?: unknown;
}

async function lookAtOne(input: WorkflowLookInput): Promise<WorkflowLook> {
  const handle = Context.current().client.workflow.getHandle(input.workflowId);
  let described;
  try {
    described = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { found: false };
    throw err;
  }
  const look: WorkflowLook = {
    found: true,
    type: described.type,
    startTime: described.startTime.toISOString(),
    running: described.status.name === 'RUNNING',
  };
  if (described.type !== input.type) return look;
  return { ...look, status: await handle.query(input.query) };
}

export function confirmActivities(_deps: ActivityDeps) {
  return {
    lookAtWorkflow: lookAtOne,
    /** Several looks in one activity (the bump's branch reports that arrived together): every one answers, or the batch is retried. */
    async lookAtWorkflows(inputs: WorkflowLookInput[]): Promise<WorkflowLook[]> {
      return Promise.all(inputs.map(lookAtOne));
    },
  };
}
