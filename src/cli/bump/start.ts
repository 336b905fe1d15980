/** Starting a bump: the one place that turns a request into a running `bumpImage` workflow. */
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import {
  bumpInputSchema,
  bumpWorkflowId,
  WorkflowType,
  type BumpInput,
  type BumpRequest,
} from '../../shared/messages.js';
import type { TemporalSettings } from '../../config.js';
import { parseRepoUrl } from '../../lib/kit/repoUrl.js';
import { usage } from '../kit/exitCodes.js';
import { schemaRefusal } from '../kit/flags.js';

/** The request as the workflow will parse it, or exit 2 naming what it refused: called before anything connects. */
export function checkBumpRequest(request: BumpRequest): BumpInput {
  const parsed = bumpInputSchema.safeParse(request);
  if (!parsed.success) throw schemaRefusal('a valid bump', parsed.error.issues);
  parseRepoUrl(parsed.data.targetRepo);
  return parsed.data;
}

/**
 * Starts a bump of one service in one target repo. The repo URL is checked
 * and normalised first (a bad one throws BadInput before anything starts);
 * the workflow gets the normalised URL and an id from the repo's identity, so
 * every spelling of one repo reaches the same running bump.
 */
export async function startBump(
  client: Client,
  settings: TemporalSettings,
  request: BumpRequest,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const parsed = { data: checkBumpRequest(request) };
  const repo = parseRepoUrl(parsed.data.targetRepo);
  const input: BumpRequest = { ...request, targetRepo: repo.url };
  const { service } = parsed.data;
  const workflowId = bumpWorkflowId(repo.key, service);
  try {
    return await client.workflow.start(WorkflowType.bumpImage, {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `bump ${service} in ${repo.url}`,
      staticDetails: `Branches: ${parsed.data.branches?.join(', ') ?? 'main and every stable/*'}. Reason: ${parsed.data.reason ?? 'none given'}.`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw usage(
        `a bump of ${service} in ${repo.url} is already running as ${workflowId}: follow it with 'bumpflow status ${workflowId}' (one bump per service and repo at a time, so no PR is opened twice)`,
      );
    }
    throw err;
  }
}
