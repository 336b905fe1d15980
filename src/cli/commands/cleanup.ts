/**
 * `bumpflow cleanup IMAGE --tags <glob>… --older-than <duration>`: asks the
 * image repository's queue to delete matching tags older than an age (never
 * a digest a kept tag uses), with approval above a threshold. `--dry-run`
 * waits for the plan and prints it — delete, or keep and why — deleting nothing.
 */
import type { Command } from 'commander';
import { DURATIONS } from '../../lib/duration.js';
import type { CleanupRequest } from '../../shared/messages.js';
import { usage } from '../exitCodes.js';
import { collect, durationArg, type CliContext } from '../context.js';
import { configOrDefaults, imageArgument, requestAndReport, withRequestOptions } from '../tagRequest.js';

interface CleanupOptions {
  tags: string[];
  olderThan: string;
  keep?: string;
  dryRun?: boolean;
  approveAbove?: string;
  approvalTimeout?: string;
  wait?: boolean;
  json?: boolean;
}

function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw usage(`expected ${name} as a whole number (0 or more), found ${JSON.stringify(value)}`);
  return n;
}

export function registerCleanup(program: Command, ctx: CliContext): void {
  const command = program
    .command('cleanup')
    .description('delete tags of an image repository matching globs and older than an age')
    .argument('<image>', 'image repository, e.g. ghcr.io/vexxhost/magnum')
    .requiredOption(
      '--tags <glob...>',
      'tags to consider, e.g. change_*_latest (repeat or comma-separate)',
      collect,
    )
    .requiredOption(
      '--older-than <duration>',
      'only tags older than this, e.g. 24h, 7d, 1d12h',
      durationArg('--older-than', DURATIONS.olderThan),
    )
    .option('--keep <n>', 'always keep the newest N matching tags')
    .option('--dry-run', 'plan only: print what would be deleted and what kept, delete nothing')
    .option(
      '--approve-above <n>',
      "ask for approval when more tags than this would go (config's cleanup.approveAbove; the worker's own value applies when lower)",
    );
  withRequestOptions(command).action(async (raw: string, o: CleanupOptions) => {
    const image = imageArgument(raw);
    const keep = count('--keep', o.keep);
    const approveAbove =
      count('--approve-above', o.approveAbove) ?? configOrDefaults(ctx).cleanup.approveAbove;
    const approvalTimeout = o.approvalTimeout ?? configOrDefaults(ctx).promotion.approvalTimeout;
    const input: CleanupRequest = {
      image: { registry: image.registry, repository: image.repository },
      patterns: o.tags,
      olderThan: o.olderThan,
      approveAbove,
      ...(keep === undefined ? {} : { keep }),
      ...(o.dryRun ? { dryRun: true } : {}),
      ...(approvalTimeout ? { approvalTimeout } : {}),
      ...(ctx.env.USER ? { requestedBy: ctx.env.USER } : {}),
    };
    await requestAndReport(ctx, { procedure: 'cleanup', input }, { ...o, wait: o.wait || o.dryRun });
  });
}
