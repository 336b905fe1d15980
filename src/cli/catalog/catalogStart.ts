/**
 * Starting a catalog update: the one place that turns a request into a
 * running `updateCatalog` workflow. The repo URL is checked and normalised
 * first (credentials, shell characters → BadInput, exit 2), the paths
 * checked; the id comes from the repository's identity and what the update
 * reads (catalogScope: the one catalog, the catalogs named, or the folder),
 * so a second update of the same catalogs while one runs is refused.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import {
  catalogInputSchema,
  catalogScope,
  catalogWorkflowId,
  CatalogWorkflowType,
  type CatalogInput,
  type CatalogRequest,
} from '../../shared/catalog.js';
import type { TemporalSettings } from '../../config.js';
import { parseRepoUrl, repoSlug, type RepoUrl } from '../../lib/kit/repoUrl.js';
import { parsedAs, schemaRefusal } from '../kit/flags.js';
import { usage } from '../kit/exitCodes.js';

/**
 * The longest id an update may have: Temporal's (and `bumpflow status`'s) limit is 1000, and a
 * schedule's runs add `/<name>` (up to 63) and the time to it.
 */
const MAX_CATALOG_ID_LENGTH = 900;
/** Temporal refuses a start whose summary is over 400 bytes: a long list of catalogs goes in the details. */
const MAX_SUMMARY_SCOPE = 200;

export interface CheckedCatalogRequest {
  repo: RepoUrl;
  input: CatalogInput;
  /** what the update reads (catalogScope) */
  scope: string;
  workflowId: string;
}

/** The request as the workflow will parse it, or exit 2 naming what it refused: called before anything connects. */
export function checkCatalogRequest(request: CatalogRequest): CheckedCatalogRequest {
  const repo = parsedAs('--repo', parseRepoUrl, request.repoUrl);
  const parsed = catalogInputSchema.safeParse({ ...request, repoUrl: repo.url });
  if (!parsed.success) throw schemaRefusal('a valid catalog update', parsed.error.issues);
  const input = parsed.data;
  const scope = catalogScope(input);
  const workflowId = catalogWorkflowId(repoSlug(repo.key), scope, input.branch);
  if (workflowId.length > MAX_CATALOG_ID_LENGTH)
    throw usage(
      `--path: expected catalogs whose names together fit a workflow id of at most ${MAX_CATALOG_ID_LENGTH} characters (name fewer, or none for every catalog of --dir), found ${workflowId.length} characters`,
    );
  return { repo, input, scope, workflowId };
}

export async function startCatalog(
  client: Client,
  settings: TemporalSettings,
  request: CatalogRequest,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const { repo, input, scope, workflowId } = checkCatalogRequest(request);
  const { branch, keep, dryRun, paths } = input;
  const named = paths !== undefined && scope.length > MAX_SUMMARY_SCOPE ? `${paths.length} catalogs` : scope;
  try {
    return await client.workflow.start(CatalogWorkflowType.update, {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [{ ...request, repoUrl: repo.url }],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `update the VM images of ${named} in ${repo.url}${dryRun ? ' (dry run)' : ''}`,
      staticDetails: `Branch: ${branch}. ${keep === undefined ? 'versions[0] replaced in place' : `the ${keep} newest entries kept`}.${paths === undefined ? '' : ` Catalogs: ${scope}.`}`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw usage(
        `an update of ${scope} in ${repo.url} is already running as ${workflowId}: follow it with 'bumpflow status ${workflowId}' (one update of the same catalogs at a time, so no PR is opened twice)`,
      );
    throw err;
  }
}
