/**
 * Requesting a tag procedure (promote, rollback, clean-up): the one place
 * that turns a request into a queued child of the image repository's queue
 * (signal-with-start of `imageRepository`), under an id chosen here, so the
 * caller can follow it at once — queued first, then running.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  cleanupInputSchema,
  imageRepoWorkflowId,
  promoteInputSchema,
  queueRequestSignal,
  rollbackInputSchema,
  tagWorkflowId,
  TagWorkflowType,
  type CleanupRequest,
  type PromoteRequest,
  type RollbackRequest,
  type TagResult,
} from '../../shared/messages.js';
import type { TemporalSettings } from '../../config.js';
import { schemaRefusal } from '../kit/flags.js';

export type TagRequest =
  | { procedure: 'promote'; input: PromoteRequest }
  | { procedure: 'rollback'; input: RollbackRequest }
  | { procedure: 'cleanup'; input: CleanupRequest };

const schemas = { promote: promoteInputSchema, rollback: rollbackInputSchema, cleanup: cleanupInputSchema };

export interface QueuedTagProcedure {
  workflowId: string;
  queueId: string;
}

/** The request as the procedure will parse it, or exit 2 naming what it refused: called before anything connects. */
export function checkTagRequest(request: TagRequest): { image: { registry: string; repository: string } } {
  const parsed = schemas[request.procedure].safeParse(request.input);
  if (!parsed.success) throw schemaRefusal(`a valid ${request.procedure} request`, parsed.error.issues);
  return parsed.data;
}

export async function requestTagProcedure(
  client: Client,
  settings: TemporalSettings,
  request: TagRequest,
  at: Date = new Date(),
): Promise<QueuedTagProcedure> {
  const image = checkTagRequest(request).image;
  const workflowId = tagWorkflowId(request.procedure, image, at, randomBytes(2).toString('hex'));
  const queueId = imageRepoWorkflowId(image);
  await client.workflow.signalWithStart(TagWorkflowType.imageRepository, {
    taskQueue: settings.taskQueue,
    workflowId: queueId,
    args: [{ image }],
    signal: queueRequestSignal,
    signalArgs: [{ procedure: request.procedure, workflowId, input: request.input } as never],
    staticSummary: `the queue of ${image.registry}/${image.repository}: one tag mutation at a time`,
  });
  return { workflowId, queueId };
}

/** Waits until the queue has started the procedure (it may wait behind others), then for its result. */
export async function tagResult(client: Client, workflowId: string, pollMs = 250): Promise<TagResult> {
  for (;;) {
    try {
      await client.workflow.getHandle(workflowId).describe();
      return (await client.workflow.getHandle(workflowId).result()) as TagResult;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
