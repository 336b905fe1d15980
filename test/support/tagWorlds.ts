/**
 * Helpers for the tag-procedure workflow tests (rollback, clean-up, queue): a
 * fresh tag world per test with its worker (optionally with the registry
 * client behind the paging front), the repository's queue, typed failures of
 * a procedure, and skopeo as the independent client reading the registry.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createRegistryClient, type RegistryClient } from '../../src/clients/registry/index.js';
import { startPagingFront, type RunningPagingFront } from '../../src/sandbox/pagingFront.js';
import { createTagWorld, TAG_IMAGE, type TagWorld } from '../../src/sandbox/tagWorld.js';
import {
  imageRepoWorkflowId,
  queueStatusQuery,
  type QueueStatus,
  type TagResult,
} from '../../src/shared/messages.js';
import { withTagWorker, type TagRun } from './tags.js';

export const queueId = imageRepoWorkflowId(TAG_IMAGE);
const USER = 'bumpflow';

/**
 * A new tag world (registry, keys, stand-in) and a worker on it for one test;
 * afterwards the repository's queue is ended (the next test's worker has
 * another task queue) and the world closed. With `pageSize`, the worker's
 * registry client speaks through the paging front and lists tags in pages
 * of that size; `front` then records what it asked. `world`: the world's
 * options (the worker's approval rules, its clean-up threshold).
 */
export async function inTagWorld<T>(
  env: TestWorkflowEnvironment,
  fn: (world: TagWorld, run: TagRun, front: RunningPagingFront | undefined) => Promise<T>,
  options: { pageSize?: number; world?: Parameters<typeof createTagWorld>[0] } = {},
): Promise<T> {
  const world = await createTagWorld(options.world);
  let front: RunningPagingFront | undefined;
  try {
    let workerWorld = world;
    if (options.pageSize !== undefined) {
      front = await startPagingFront({ upstream: world.registry.url });
      workerWorld = {
        ...world,
        deps: { ...world.deps, registry: pagedClient(world, front, options.pageSize) },
      };
    }
    return await withTagWorker(env, workerWorld, (run) => fn(world, run, front));
  } finally {
    await endQueue(env);
    await front?.close();
    await world.close();
  }
}

/** The world's registry client, but through the paging front and in pages of `pageSize`. */
function pagedClient(world: TagWorld, front: RunningPagingFront, pageSize: number): RegistryClient {
  const client = createRegistryClient({
    mirrors: { [TAG_IMAGE.registry]: front.url },
    credentials: (host) =>
      host === front.host ? { username: USER, password: world.secrets[0]! } : undefined,
  });
  return { ...client, listTags: (repo, o) => client.listTags(repo, { ...o, pageSize }) };
}

async function endQueue(env: TestWorkflowEnvironment): Promise<void> {
  try {
    await env.client.workflow.getHandle(queueId).terminate('end of the test');
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

export async function queueStatus(env: TestWorkflowEnvironment): Promise<QueueStatus> {
  return env.client.workflow.getHandle(queueId).query(queueStatusQuery);
}

/** Polls the queue's status until `ok` holds. */
export async function queueWhen(
  env: TestWorkflowEnvironment,
  ok: (q: QueueStatus) => boolean,
  timeoutMs = 20_000,
): Promise<QueueStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: QueueStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await queueStatus(env);
      if (ok(last)) return last;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `expected the queue's status to hold within ${timeoutMs} ms, last: ${JSON.stringify(last)}`,
  );
}

/** The typed failure a procedure ended with (its result must reject). */
export async function failureOf(
  run: TagRun,
  workflowId: string,
): Promise<{ type: string | undefined; message: string }> {
  let result: TagResult;
  try {
    result = await run.result(workflowId);
  } catch (err) {
    assert.ok(err instanceof WorkflowFailedError, `expected a failed workflow, found ${String(err)}`);
    const cause = err.cause as { type?: string; message?: string } | undefined;
    return { type: cause?.type, message: cause?.message ?? '' };
  }
  return assert.fail(`expected ${workflowId} to fail, it ended ${result.state}`);
}

/** `start` and `close` times of a workflow, from the server. */
export async function timesOf(
  env: TestWorkflowEnvironment,
  workflowId: string,
): Promise<{ start: Date; close: Date | undefined }> {
  const d = await env.client.workflow.getHandle(workflowId).describe();
  return { start: d.startTime, close: d.closeTime };
}

/** `skopeo <command> [args] docker://<registry>/<repository><ref>` against the registry itself, with the world's credentials. */
function skopeo(world: TagWorld, command: string, args: string[], ref = ''): string {
  const auth = ['--tls-verify=false', '--creds', `${USER}:${world.secrets[0]}`];
  const target = `docker://${world.registry.host}/${TAG_IMAGE.repository}${ref}`;
  return execFileSync('skopeo', [command, ...auth, ...args, target], { encoding: 'utf8' });
}

/** The digest of `tag` as skopeo reads it (the hash of the raw manifest), straight from the registry. */
export function skopeoDigest(world: TagWorld, tag: string): string {
  const raw = skopeo(world, 'inspect', ['--raw'], `:${tag}`);
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** The repository's tags as skopeo lists them, sorted, cosign's own tags left out. */
export function skopeoTags(world: TagWorld): string[] {
  const out = JSON.parse(skopeo(world, 'list-tags', [])) as { Tags: string[] };
  return out.Tags.filter((t) => !/^sha256-[a-f0-9]{64}/.test(t)).sort();
}
