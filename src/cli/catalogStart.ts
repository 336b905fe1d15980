/**
 * Starting a catalog update: the one place that turns a request into a
 * running `updateCatalog` workflow. The repo URL is checked and normalised
 * first (credentials, shell characters → BadInput, exit 2), the path
 * checked; the id comes from the repository's identity and the path, so a
 * second update of the same catalog while one runs is refused.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import {
  catalogInputSchema,
  catalogWorkflowId,
  CatalogWorkflowType,
  type CatalogInput,
  type CatalogRequest,
} from '../shared/catalog.js';
import type { TemporalSettings } from '../config.js';
import { parseRepoUrl, repoSlug, type RepoUrl } from '../lib/repoUrl.js';
import { parsedAs, schemaRefusal } from './flags.js';
import { usage } from './exitCodes.js';

/** The request as the workflow will parse it, or exit 2 naming what it refused: called before anything connects. */
export function checkCatalogRequest(request: CatalogRequest): { repo: RepoUrl; input: CatalogInput } {
  const repo = parsedAs('--repo', parseRepoUrl, request.repoUrl);
  const parsed = catalogInputSchema.safeParse({ ...request, repoUrl: repo.url });
  if (!parsed.success) throw schemaRefusal('a valid catalog update', parsed.error.issues);
  return { repo, input: parsed.data };
}

export async function startCatalog(
  client: Client,
  settings: TemporalSettings,
  request: CatalogRequest,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const { repo, input } = checkCatalogRequest(request);
  const { path, branch, keep, dryRun } = input;
  const workflowId = catalogWorkflowId(repoSlug(repo.key), path, branch);
  try {
    return await client.workflow.start(CatalogWorkflowType.update, {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [{ ...request, repoUrl: repo.url }],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `update the VM images of ${path} in ${repo.url}${dryRun ? ' (dry run)' : ''}`,
      staticDetails: `Branch: ${branch}. ${keep === undefined ? 'versions[0] replaced in place' : `the ${keep} newest entries kept`}.`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw usage(
        `an update of ${path} in ${repo.url} is already running as ${workflowId}: follow it with 'bumpflow status ${workflowId}' (one update per catalog at a time, so no PR is opened twice)`,
      );
    throw err;
  }
}
