/**
 * `bumpflow rollback IMAGE [--to <stamp>] [--tag prod] [--alias <tag>…]`:
 * asks the image repository's queue to move a tag (and its aliases, from the
 * config's promotion.aliases by default) back to an earlier stamp, after
 * approval. It waits its turn behind any promotion of the same repository.
 */
import type { Command } from 'commander';
import { tagApproval } from '../../configFile.js';
import type { RollbackRequest } from '../../shared/messages.js';
import type { CliContext } from '../kit/context.js';
import { operatorName } from '../kit/operator.js';
import { checked, checkedList, parsedAs } from '../kit/flags.js';
import { assertTag } from '../../lib/kit/imageRef.js';
import { usage } from '../kit/exitCodes.js';
import { checkRollbackTarget } from '../../lib/tags/rollbackChoice.js';
import { configOrDefaults, requestAndReport, tagCommand, withRequestOptions } from './tagRequest.js';
import type { TagImage } from './tagRequest.js';

interface RollbackOptions {
  to?: string;
  forceTarget?: boolean;
  tag: string;
  alias?: string[];
  approvalTimeout?: string;
  wait?: boolean;
  json?: boolean;
}

export function registerRollback(program: Command, ctx: CliContext): void {
  const command = tagCommand(
    program,
    'rollback',
    'move a tag and its aliases back to an earlier stamp (after approval)',
  )
    .option(
      '--to <stamp>',
      'the stamp to go back to; default: the newest <tag>-* stamp at another digest',
      checked('--to', assertTag),
    )
    .option('--force-target', 'take --to although it is not a <tag>-YYYYMMDD-<sha> stamp')
    .option('--tag <tag>', 'the tag rolled back', checked('--tag', assertTag), 'prod')
    .option(
      '--alias <tag...>',
      "tags moved with it (default: the config's promotion.aliases[tag])",
      checkedList('--alias', assertTag),
    );
  withRequestOptions(command).action(async (image: TagImage, o: RollbackOptions) => {
    if (o.forceTarget && o.to === undefined)
      throw usage('--force-target: expected --to <tag> beside it (the target it forces), found no --to');
    if (o.to !== undefined) parsedAs('--to', (to) => checkRollbackTarget(o.tag, to, o.forceTarget), o.to);
    if (o.alias?.includes(o.tag))
      throw usage(
        `--alias: expected tags moved with --tag ${o.tag}, other than it, found ${JSON.stringify(o.tag)}`,
      );
    const config = configOrDefaults(ctx);
    const aliases = o.alias ?? config.promotion.aliases[o.tag] ?? [];
    const approvalTimeout = o.approvalTimeout ?? config.promotion.approvalTimeout;
    const input: RollbackRequest = {
      image: { registry: image.registry, repository: image.repository },
      tag: o.tag,
      aliases,
      ...(o.to !== undefined ? { to: o.to } : {}),
      ...(o.forceTarget ? { forceTarget: true } : {}),
      approval: tagApproval(config, image.key, [o.tag, ...aliases]),
      ...(approvalTimeout ? { approvalTimeout } : {}),
      requestedBy: operatorName(ctx.env),
    };
    await requestAndReport(ctx, { procedure: 'rollback', input }, o);
  });
}
