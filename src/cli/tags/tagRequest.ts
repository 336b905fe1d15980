/**
 * What `promote`, `rollback` and `cleanup` share: the image argument checked
 * before anything starts, the config (or its defaults), and the request sent
 * to the repository's queue — printed with its id, its queue, the UI link and
 * the next commands — and, when asked, its result (exit 1 when it failed, was
 * rejected or expired).
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { workflowUiUrl } from '../../config.js';
import { parseConfig, type BumpflowConfig } from '../../configFile.js';
import { normalizeImageRepository } from '../../lib/kit/imageRef.js';
import type { ImageName, TagResult } from '../../shared/messages.js';
import { checkTagRequest, requestTagProcedure, tagResult, type TagRequest } from './startTag.js';
import { ExitCode, refused } from '../kit/exitCodes.js';
import { print, type CliContext } from '../kit/context.js';
import { durationFlag, parsedAs } from '../kit/flags.js';
import { DURATIONS } from '../../lib/kit/duration.js';
import { ENDED_BADLY } from './tagView.js';
import { formatRequested, formatTagResult } from './tagFormat.js';

/** `ghcr.io/vexxhost/magnum` → its registry and repository (BadInput, exit 2, otherwise). */
export type TagImage = ImageName & { key: string };
export function imageArgument(raw: string): TagImage {
  const { registry, repository, key } = normalizeImageRepository(raw);
  return { registry, repository, key };
}

/** A command on an image repository: `bumpflow <name> <image>`, the image checked as it is read (the action gets imageArgument's result). */
export function tagCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .argument('<image>', 'image repository, e.g. ghcr.io/vexxhost/magnum', (raw: string) =>
      parsedAs('<image>', imageArgument, raw),
    );
}

/** The config file's settings, or the defaults when none is given. */
export function configOrDefaults(ctx: CliContext): BumpflowConfig {
  return ctx.config() ?? parseConfig('{}', '(defaults)');
}

/** The options every tag request has. */
export function withRequestOptions(command: Command): Command {
  return command
    .option(
      '--approval-timeout <duration>',
      'how long the plan waits for approval (e.g. 72h)',
      durationFlag('--approval-timeout', DURATIONS.approvalTimeout),
    )
    .option('--wait', 'wait for the procedure to end (it may queue behind others) and print its result')
    .option('--json', 'print JSON');
}

/** The procedure's result; a failed workflow (a typed failure) is exit 1 with its type and message. */
export async function awaitTagResult(client: Client, id: string): Promise<TagResult> {
  try {
    return await tagResult(client, id);
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause as { type?: string; message?: string } | undefined;
    throw refused(`${id} failed: ${cause?.type ?? 'Error'}: ${cause?.message ?? err.message}`);
  }
}

/** Prints the result and sets exit code 1 for an end that is no success. */
export function reportTagResult(id: string, result: TagResult, json: boolean): void {
  print(json, { workflowId: id, ...result }, formatTagResult(id, result));
  if (ENDED_BADLY.includes(result.state)) process.exitCode = ExitCode.failed;
}

export async function requestAndReport(
  ctx: CliContext,
  request: TagRequest,
  o: { wait?: boolean | undefined; json?: boolean | undefined },
): Promise<void> {
  checkTagRequest(request); // before anything connects
  const client = await ctx.client();
  const { workflowId, queueId } = await requestTagProcedure(client, ctx.settings, request);
  const requested = {
    procedure: request.procedure,
    workflowId,
    queueId,
    url: workflowUiUrl(ctx.settings, workflowId),
    queueUrl: workflowUiUrl(ctx.settings, queueId),
  };
  if (!o.wait) {
    print(!!o.json, requested, formatRequested(requested));
    return;
  }
  if (!o.json) console.log(`${formatRequested(requested)}\nwaiting for ${workflowId} to end…`);
  reportTagResult(workflowId, await awaitTagResult(client, workflowId), !!o.json);
}
