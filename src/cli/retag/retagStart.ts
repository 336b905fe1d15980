/**
 * Starting a retag from a manifest: the ref resolved to its commit first (a
 * branch by `git ls-remote`; a commit as given, 12 hex digits at least), so the
 * workflow id names the commit — `retag/<repo>/<path>@<commit12>` — and the
 * workflow reads exactly that commit. One run per manifest commit: a second
 * start while it runs attaches to it; after it ended (unless it failed) it is
 * refused, pointing at the earlier run. Dry runs get ids of their own. So does
 * a `--repush` start once the commit's run ended (the run's conflicts name
 * `--repush IMAGE` as the way to move them): `<id>/repush-<hash of the images>`,
 * a run that reads and plans only those images' entries and, after approval,
 * moves their conflicting tags. The same repush again attaches while it runs;
 * after it ended it runs again, planning from the registry anew: a no-op when
 * the tags are where it put them (any write still waits for approval).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { gitEnvironment, workDir, type TemporalSettings } from '../../config.js';
import { createGit } from '../../clients/git/index.js';
import { parseRepoUrl, redactRepoUrl } from '../../lib/kit/repoUrl.js';
import { assertValidRefName } from '../../lib/kit/branches.js';
import { mirrorSideProblem, refProblem } from '../../shared/retag.js';
import { parsedAs, schemaRefusal } from '../kit/flags.js';
import {
  retagManifestInputSchema,
  retagWorkflowId,
  TagWorkflowType,
  type RetagManifestRequest,
} from '../../shared/messages.js';
import { refused, usage } from '../kit/exitCodes.js';

const COMMIT = /^[0-9a-f]{7,40}$/;

/**
 * A ref as `--ref` takes it: a branch name, or a commit of 12 to 40 hex digits
 * (a shorter one is ambiguous, and it names the run's id). Exit 2 otherwise.
 */
export function assertRef(ref: string): string {
  if (COMMIT.test(ref) && ref.length < 12)
    throw usage(`expected a branch or a commit of 12 to 40 hex digits, found ${JSON.stringify(ref)}`);
  if (!COMMIT.test(ref)) assertValidRefName(ref, 'branch');
  const problem = refProblem(ref);
  if (problem !== undefined) throw usage(problem);
  return ref;
}

/** The commit a ref names now: a branch's head (ls-remote, no clone), or the commit given. */
export async function commitOfRef(env: NodeJS.ProcessEnv, repoUrl: string, ref: string): Promise<string> {
  if (COMMIT.test(parsedAs('--ref', assertRef, ref))) return ref;
  const git = createGit({ workDir: path.resolve(workDir(env)), env: gitEnvironment(env) });
  const head = await git.branchHead(repoUrl, ref);
  if (head === undefined)
    throw usage(`expected the branch ${ref} in ${repoUrl}, found none (give --ref <branch or commit>)`);
  return head;
}

/** One `--mirror FROM=TO` pair, both sides registry/namespace (the workflow's schema checks them again). */
export function mirrorPair(pair: string): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0 || eq === pair.length - 1)
    throw usage(
      `expected FROM=TO such as docker.io/starlingx=registry.local:5000/starlingx, found ${JSON.stringify(redactRepoUrl(pair))}`,
    );
  const [from, to] = [pair.slice(0, eq), pair.slice(eq + 1)];
  const problem = mirrorSideProblem('prefix', from) ?? mirrorSideProblem('target', to);
  if (problem !== undefined) throw usage(problem);
  return [from, to];
}

/** `FROM=TO` pairs → the mirror mapping (checked again by the workflow's schema and the manifest parser). */
export function mirrorOption(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => parsedAs('--mirror', mirrorPair, pair)));
}

/** The request as the workflow will parse it (the ref as typed), or exit 2: called before anything connects. */
export function checkRetagRequest(request: RetagManifestRequest): void {
  const repo = parsedAs('--manifest', parseRepoUrl, request.repoUrl);
  const parsed = retagManifestInputSchema.safeParse({ ...request, repoUrl: repo.url });
  if (!parsed.success) throw schemaRefusal('a valid retag', parsed.error.issues);
}

export interface StartedRetag {
  workflowId: string;
  commit: string;
  /** false: a run for this commit was already running, and this attached to it */
  started: boolean;
}

export async function startRetag(
  client: Client,
  settings: TemporalSettings,
  env: NodeJS.ProcessEnv,
  request: RetagManifestRequest,
): Promise<StartedRetag> {
  checkRetagRequest(request);
  const repo = parseRepoUrl(request.repoUrl);
  const commit = await commitOfRef(env, repo.url, request.ref ?? 'main');
  const input: RetagManifestRequest = { ...request, repoUrl: repo.url, ref: commit };
  const parsed = retagManifestInputSchema.safeParse(input);
  if (!parsed.success) throw schemaRefusal('a valid retag', parsed.error.issues);
  // a dry run writes nothing: any number of them, beside the one real run
  const base = retagWorkflowId(repo.key, request.path, commit);
  const workflowId = request.dryRun ? `${base}/dry-run-${Date.now().toString(36)}` : base;
  const first = await startOrFind(
    client,
    settings,
    workflowId,
    input,
    WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
  );
  if (first !== 'ended') return { workflowId, commit, started: first === 'started' };
  const repush = [...new Set(parsed.data.repush)].sort();
  if (repush.length === 0 || request.dryRun)
    throw refused(
      `the retag of ${request.path} at ${commit.slice(0, 12)} already ran (${await endedAs(client, workflowId)}): one run per manifest commit; see 'bumpflow status ${workflowId}' (--repush IMAGE moves an image's conflicting tag in a run of its own)`,
    );
  const repushId = `${base}/repush-${createHash('sha256').update(repush.join('\n')).digest('hex').slice(0, 12)}`;
  const again = await startOrFind(
    client,
    settings,
    repushId,
    { ...input, repush, repushOnly: true },
    WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    `repush ${repush.join(', ')} from ${request.path} at ${commit.slice(0, 12)}`,
  );
  if (again === 'ended') throw refused(`${repushId} ended while starting it again: try again`);
  return { workflowId: repushId, commit, started: again === 'started' };
}

async function endedAs(client: Client, workflowId: string): Promise<string> {
  return (await client.workflow.getHandle(workflowId).describe()).status.name.toLowerCase();
}

/** Starts the run, or finds the one under this id: running (attach) or ended (the reuse policy refused). */
async function startOrFind(
  client: Client,
  settings: TemporalSettings,
  workflowId: string,
  input: RetagManifestRequest,
  workflowIdReusePolicy: WorkflowIdReusePolicy,
  staticSummary = `retag from ${input.path} at ${(input.ref ?? '').slice(0, 12)}${input.dryRun ? ' (dry run)' : ''}`,
): Promise<'started' | 'running' | 'ended'> {
  try {
    await client.workflow.start(TagWorkflowType.retagManifest, {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy,
      staticSummary,
    });
    return 'started';
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const d = await client.workflow.getHandle(workflowId).describe();
  return d.status.name === 'RUNNING' ? 'running' : 'ended';
}
