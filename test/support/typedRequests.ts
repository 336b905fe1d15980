/**
 * What a person can type at a repository's queue without the CLI: the real
 * `temporal workflow …` command against the dev server, and a `request`
 * signal sent with it to the queue (started idle first, as any earlier request
 * leaves it). The tests of the gates use these to try to get past them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TAG_IMAGE } from '../../src/sandbox/tagWorld.js';
import { TagWorkflowType, type QueueRequest } from '../../src/shared/messages.js';
import { temporalCliPath } from './temporal.js';
import { queueId } from './tagWorlds.js';
import type { TagRun } from './tags.js';

const exec = promisify(execFile);

/** `temporal workflow <args…>` with the real CLI against the dev server. */
export function temporalWorkflow(env: TestWorkflowEnvironment, args: string[]) {
  return exec(temporalCliPath(), ['workflow', ...args, '--address', env.address, '--namespace', 'default'], {
    timeout: 30_000,
  });
}

/** The repository's queue, running idle on the run's task queue. */
export async function startQueue(env: TestWorkflowEnvironment, run: TagRun): Promise<void> {
  try {
    await env.client.workflow.start(TagWorkflowType.imageRepository, {
      taskQueue: run.taskQueue,
      workflowId: queueId,
      args: [{ image: { ...TAG_IMAGE } }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** `request` typed to the repository's queue through the real CLI. */
export async function typedRequest(
  env: TestWorkflowEnvironment,
  run: TagRun,
  request: QueueRequest,
): Promise<void> {
  await startQueue(env, run);
  await temporalWorkflow(env, [
    'signal',
    ...['--workflow-id', queueId, '--name', 'request', '--input', JSON.stringify(request)],
  ]);
}
