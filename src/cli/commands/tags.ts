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
import { refused } from '../exitCodes.js';
import { print, type CliContext } from '../context.js';
import { imageArgument } from '../tagRequest.js';
import { formatInspection } from '../tagFormat.js';

/** Long enough for a large repository; a missing worker ends it instead of leaving the CLI waiting for ever. */
const INSPECTION_TIMEOUT = '5m';

export function registerTags(program: Command, ctx: CliContext): void {
  program
    .command('tags')
    .description('list the tags of an image repository: digest, created, stamp, signature (read-only)')
    .argument('<image>', 'image repository, e.g. ghcr.io/vexxhost/magnum')
    .option('--json', 'print JSON')
    .action(async (raw: string, o: { json?: boolean }) => {
      const image = imageArgument(raw);
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
        const cause = err.cause as { type?: string; message?: string } | undefined;
        throw refused(
          `reading the tags of ${image.key} (${workflowId}) failed: ${cause?.type ?? 'Error'}: ${cause?.message ?? err.message}${cause?.type === undefined ? ` (is a worker running on task queue ${ctx.settings.taskQueue}?)` : ''}`,
        );
      }
      print(!!o.json, { workflowId, ...result }, formatInspection(result));
    });
}
