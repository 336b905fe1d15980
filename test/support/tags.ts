/** Workflow-test helpers for the tag procedures: a worker on a tag world, requests through the queue, results. */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TemporalSettings } from '../../src/config.js';
import type { TagWorld } from '../../src/sandbox/tagWorld.js';
import { requestTagProcedure, tagResult, type TagRequest } from '../../src/cli/tags/startTag.js';
import { tagStatusQuery, type TagResult, type TagStatus } from '../../src/shared/messages.js';
import { runWorker, settingsFor } from './bump.js';

export interface TagRun {
  taskQueue: string;
  settings: TemporalSettings;
  request(r: TagRequest): Promise<string>;
  result(workflowId: string): Promise<TagResult>;
  /** polls the procedure's status until `ok` holds (it may be queued first) */
  statusWhen(workflowId: string, ok: (s: TagStatus) => boolean, timeoutMs?: number): Promise<TagStatus>;
}

export function withTagWorker<T>(
  env: TestWorkflowEnvironment,
  world: TagWorld,
  fn: (run: TagRun) => Promise<T>,
  taskQueue = `bumpflow-tags-${randomUUID()}`,
): Promise<T> {
  return runWorker(env, world.deps, () => fn(tagRun(env, taskQueue)), taskQueue);
}

export function tagRun(env: TestWorkflowEnvironment, taskQueue: string): TagRun {
  const settings = settingsFor(env, taskQueue);
  return {
    taskQueue,
    settings,
    request: async (r) => (await requestTagProcedure(env.client, settings, r)).workflowId,
    result: (id) => tagResult(env.client, id),
    async statusWhen(id, ok, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: TagStatus | undefined;
      while (Date.now() < deadline) {
        try {
          last = await env.client.workflow.getHandle(id).query(tagStatusQuery);
          if (ok(last)) return last;
        } catch {
          // not started yet (queued), or between tasks
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(
        `expected ${id} to reach the awaited status within ${timeoutMs} ms, last: ${JSON.stringify(last)}`,
      );
    },
  };
}
