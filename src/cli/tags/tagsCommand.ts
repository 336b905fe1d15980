/**
 * `bumpflow tags IMAGE`: every tag of an image repository with its digest,
 * created time, stamp (date and revision) and signature status. The worker
 * reads the registry (the `inspectTags` workflow, its credentials stay
 * there); it mutates nothing, so it does not wait in the repository's queue.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { tagWorkflowId, TagWorkflowType } from '../../shared/messages.js';
import type { InspectResult } from '../../workflows/tags/inspectTags.js';
import { workflowFailed } from '../kit/exitCodes.js';
import { print, type CliContext } from '../kit/context.js';
import { tagCommand, type TagImage } from './tagRequest.js';
import { formatInspection } from './tagFormat.js';

/** Long enough for a large repository; a missing worker ends it instead of leaving the CLI waiting for ever. */
const INSPECTION_TIMEOUT = '5m';

export function registerTags(program: Command, ctx: CliContext): void {
  tagCommand(
    program,
    'tags',
    'list the tags of an image repository: digest, created, stamp, signature (read-only)',
  )
    .option('--json', 'print JSON')
    .action(async (image: TagImage, o: { json?: boolean }) => {
      const name = { registry: image.registry, repository: image.repository };
      const client = await ctx.client();
      const workflowId = tagWorkflowId('tags', name, new Date(), randomBytes(2).toString('hex'));
      let result: InspectResult;
      try {
        result = (await client.workflow.execute(TagWorkflowType.inspect, {
          taskQueue: ctx.settings.taskQueue,
          workflowId,
          args: [{ image: name }],
          workflowExecutionTimeout: INSPECTION_TIMEOUT,
          staticSummary: `the tags of ${image.key} (read-only)`,
        })) as InspectResult;
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        throw workflowFailed(`reading the tags of ${image.key} (${workflowId})`, err);
      }
      print(!!o.json, { workflowId, ...result }, formatInspection(result));
    });
}
