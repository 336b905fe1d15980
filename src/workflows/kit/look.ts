/**
 * A workflow's look at another one (lookAtWorkflow, an activity: its
 * description and its status query): how an internal signal a person could
 * have forged is told from the real one. An outage is retried until the
 * look answers (a real report is never lost to it); a failure no retry can
 * fix answers undefined (logged): the signal is then left unconfirmed, never
 * taken on its word, and never fails the workflow task.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities, WorkflowLook, WorkflowLookInput } from '../../activities/index.js';

const LOOK = {
  startToCloseTimeout: '10s',
  // until it answers: a real report must not be lost to an outage (no such workflow is an answer)
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
} as const;

export async function lookAt(input: WorkflowLookInput): Promise<WorkflowLook | undefined> {
  // an activity, not a local one: a local activity started from a signal handler is lost when the
  // run is evicted between tasks (the look then never answers and the task times out again and again)
  const { lookAtWorkflow } = proxyActivities<Activities>({
    ...LOOK,
    summary: `ask ${input.workflowId} for its ${input.query}`,
  });
  try {
    return await lookAtWorkflow(input);
  } catch (err) {
    log.warn('could not look at a workflow', { workflowId: input.workflowId, error: String(err) });
    return undefined;
  }
}

/**
 * Several looks in one activity (lookAtWorkflows): the answers in the order asked, each undefined
 * when the batch could not be looked at (logged), as lookAt's.
 */
export async function lookAtAll(inputs: WorkflowLookInput[]): Promise<Array<WorkflowLook | undefined>> {
  const { lookAtWorkflows } = proxyActivities<Activities>({
    ...LOOK,
    summary: `ask ${inputs.map((i) => i.workflowId).join(', ')} for their ${inputs[0]?.query ?? 'status'}`,
  });
  try {
    return await lookAtWorkflows(inputs);
  } catch (err) {
    log.warn('could not look at workflows', {
      workflowIds: inputs.map((i) => i.workflowId),
      error: String(err),
    });
    return inputs.map(() => undefined);
  }
}
