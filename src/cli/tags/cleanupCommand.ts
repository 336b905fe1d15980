/**
 * `bumpflow cleanup IMAGE --tags <glob>… --older-than <duration>`: asks the
 * image repository's queue to delete matching tags older than an age (never
 * a digest a kept tag uses), with approval above a threshold. `--dry-run`
 * waits for the plan and prints it — delete, or keep and why — deleting nothing.
 */
import type { Command } from 'commander';
import { DURATIONS } from '../../lib/kit/duration.js';
import type { CleanupRequest } from '../../shared/messages.js';
import { usage } from '../kit/exitCodes.js';
import type { CliContext } from '../kit/context.js';
import { operatorName } from '../kit/operator.js';
import { checkedList, durationFlag, wholeNumber } from '../kit/flags.js';
import { globProblem } from '../../lib/kit/glob.js';
import { configOrDefaults, requestAndReport, tagCommand, withRequestOptions } from './tagRequest.js';
import type { TagImage } from './tagRequest.js';

interface CleanupOptions {
  tags: string[];
  olderThan: string;
  keep?: number;
  dryRun?: boolean;
  approveAbove?: number;
  approvalTimeout?: string;
  wait?: boolean;
  json?: boolean;
}

/** A tag glob that can match a tag (lib/kit/glob.ts, as the config's approval globs). */
const tagGlob = checkedList('--tags', (glob) => {
  const problem = globProblem('tag', glob);
  if (problem !== undefined) throw usage(problem);
});

export function registerCleanup(program: Command, ctx: CliContext): void {
  const command = tagCommand(
    program,
    'cleanup',
    'delete tags of an image repository matching globs and older than an age',
  )
    .requiredOption(
      '--tags <glob...>',
      'tags to consider, e.g. change_*_latest (repeat or comma-separate)',
      tagGlob,
    )
    .requiredOption(
      '--older-than <duration>',
      'only tags older than this, e.g. 24h, 7d, 1d12h',
      durationFlag('--older-than', DURATIONS.olderThan),
    )
    .option('--keep <n>', 'always keep the newest N matching tags', wholeNumber('--keep', 0, 10_000))
    .option('--dry-run', 'plan only: print what would be deleted and what kept, delete nothing')
    .option(
      '--approve-above <n>',
      "ask for approval when more tags than this would go (config's cleanup.approveAbove; the worker's own value applies when lower)",
      wholeNumber('--approve-above', 0, 100_000),
    );
  withRequestOptions(command).action(async (image: TagImage, o: CleanupOptions) => {
    const keep = o.keep;
    const approveAbove = o.approveAbove ?? configOrDefaults(ctx).cleanup.approveAbove;
    const approvalTimeout = o.approvalTimeout ?? configOrDefaults(ctx).promotion.approvalTimeout;
    const input: CleanupRequest = {
      image: { registry: image.registry, repository: image.repository },
      patterns: o.tags,
      olderThan: o.olderThan,
      approveAbove,
      ...(keep === undefined ? {} : { keep }),
      ...(o.dryRun ? { dryRun: true } : {}),
      ...(approvalTimeout ? { approvalTimeout } : {}),
      requestedBy: operatorName(ctx.env),
    };
    await requestAndReport(ctx, { procedure: 'cleanup', input }, { ...o, wait: o.wait || o.dryRun });
  });
}
