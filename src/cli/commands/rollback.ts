/**
 * `bumpflow rollback IMAGE [--to <stamp>] [--tag prod] [--alias <tag>…]`:
 * asks the image repository's queue to move a tag (and its aliases, from the
 * config's promotion.aliases by default) back to an earlier stamp, after
 * approval. It waits its turn behind any promotion of the same repository.
 */
import type { Command } from 'commander';
import { tagApproval } from '../../configFile.js';
import type { RollbackRequest } from '../../shared/messages.js';
import { collect, type CliContext } from '../context.js';
import { usage } from '../exitCodes.js';
import { checkRollbackTarget } from '../../lib/rollbackChoice.js';
import { configOrDefaults, imageArgument, requestAndReport, withRequestOptions } from '../tagRequest.js';

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
  const command = program
    .command('rollback')
    .description('move a tag and its aliases back to an earlier stamp (after approval)')
    .argument('<image>', 'image repository, e.g. ghcr.io/vexxhost/magnum')
    .option('--to <stamp>', 'the stamp to go back to; default: the newest <tag>-* stamp at another digest')
    .option('--force-target', 'take --to although it is not a <tag>-YYYYMMDD-<sha> stamp')
    .option('--tag <tag>', 'the tag rolled back', 'prod')
    .option('--alias <tag...>', "tags moved with it (default: the config's promotion.aliases[tag])", collect);
  withRequestOptions(command).action(async (raw: string, o: RollbackOptions) => {
    const image = imageArgument(raw);
    if (o.forceTarget && o.to === undefined) throw usage('--force-target needs --to');
    if (o.to !== undefined) checkRollbackTarget(o.tag, o.to, o.forceTarget);
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
      ...(ctx.env.USER ? { requestedBy: ctx.env.USER } : {}),
    };
    await requestAndReport(ctx, { procedure: 'rollback', input }, o);
  });
}
