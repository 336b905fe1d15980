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
import { configOrDefaults, imageArgument, requestAndReport, withRequestOptions } from '../tagRequest.js';

interface RollbackOptions {
  to?: string;
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
    .option('--tag <tag>', 'the tag rolled back', 'prod')
    .option('--alias <tag...>', "tags moved with it (default: the config's promotion.aliases[tag])", collect);
  withRequestOptions(command).action(async (raw: string, o: RollbackOptions) => {
    const image = imageArgument(raw);
    const config = configOrDefaults(ctx);
    const aliases = o.alias ?? config.promotion.aliases[o.tag] ?? [];
    const approvalTimeout = o.approvalTimeout ?? config.promotion.approvalTimeout;
    const input: RollbackRequest = {
      image: { registry: image.registry, repository: image.repository },
      tag: o.tag,
      aliases,
      ...(o.to ? { to: o.to } : {}),
      approval: tagApproval(config, image.key, [o.tag, ...aliases]),
      ...(approvalTimeout ? { approvalTimeout } : {}),
      ...(ctx.env.USER ? { requestedBy: ctx.env.USER } : {}),
    };
    await requestAndReport(ctx, { procedure: 'rollback', input }, o);
  });
}
