/**
 * `bumpflow promote IMAGE --from <tag|digest> --to <tag>…`: asks the image
 * repository's queue to move tags to a signed digest, with a stamp, after
 * approval; optionally cleaning up change tags like the source after.
 * Everything typed is checked before anything starts (exit 2).
 */
import type { Command } from 'commander';
import { tagApproval } from '../../configFile.js';
import { stampTemplateProblem } from '../../lib/stamp.js';
import { DURATIONS } from '../../lib/duration.js';
import type { PromoteRequest } from '../../shared/messages.js';
import { usage } from '../exitCodes.js';
import { collect, durationArg, type CliContext } from '../context.js';
import { configOrDefaults, imageArgument, requestAndReport, withRequestOptions } from '../tagRequest.js';

interface PromoteOptions {
  from: string;
  to: string[];
  /** false: --no-stamp */
  stamp?: string | false;
  cleanup?: boolean;
  cleanupOlderThan?: string;
  approvalTimeout?: string;
  wait?: boolean;
  json?: boolean;
}

/** Zuul's change tags: `change_<N>_<tag>`. */
const CHANGE_TAG = /^change_\d+_(.+)$/;

function cleanupOf(o: PromoteOptions, approveAbove: number): PromoteRequest['cleanup'] {
  if (!o.cleanup) {
    if (o.cleanupOlderThan !== undefined) throw usage('--cleanup-older-than needs --cleanup');
    return undefined;
  }
  const change = CHANGE_TAG.exec(o.from);
  if (!change)
    throw usage(
      `expected --from to be a change tag change_<N>_<tag> with --cleanup (it cleans up change_*_<tag>), found ${JSON.stringify(o.from)}`,
    );
  const olderThan = o.cleanupOlderThan ?? '24h';
  return { patterns: [`change_*_${change[1]}`], olderThan, approveAbove };
}

export function registerPromote(program: Command, ctx: CliContext): void {
  const command = program
    .command('promote')
    .description('move tags of an image repository to a signed digest (after approval), creating a stamp')
    .argument('<image>', 'image repository, e.g. ghcr.io/vexxhost/magnum')
    .requiredOption('--from <tag|digest>', 'the source: a tag (staging, change_123_latest) or sha256:…')
    .requiredOption('--to <tag...>', 'tags moved to the source digest (repeat or comma-separate)', collect)
    .option('--stamp <template>', "the immutable tag created, e.g. '{tag}-{date}-{revision:7}' (config)")
    .option('--no-stamp', 'create no stamp tag')
    .option('--cleanup', 'after the promotion, delete change_*_<tag> tags like --from')
    .option(
      '--cleanup-older-than <duration>',
      'with --cleanup: only those older than this',
      durationArg('--cleanup-older-than', DURATIONS.olderThan),
    );
  withRequestOptions(command).action(async (raw: string, o: PromoteOptions) => {
    const image = imageArgument(raw);
    const config = configOrDefaults(ctx);
    const stamp = o.stamp === false ? null : (o.stamp ?? config.promotion.stamp);
    const problem = stamp === null ? undefined : stampTemplateProblem(stamp);
    if (problem !== undefined)
      throw usage(
        `expected a stamp template such as {tag}-{date}-{revision:7}, found ${JSON.stringify(stamp)}: ${problem}`,
      );
    const cleanup = cleanupOf(o, config.cleanup.approveAbove);
    const approvalTimeout = o.approvalTimeout ?? config.promotion.approvalTimeout;
    const input: PromoteRequest = {
      image: { registry: image.registry, repository: image.repository },
      from: o.from,
      to: o.to,
      stamp,
      approval: tagApproval(config, image.key, o.to),
      ...(approvalTimeout ? { approvalTimeout } : {}),
      ...(cleanup ? { cleanup } : {}),
      ...(ctx.env.USER ? { requestedBy: ctx.env.USER } : {}),
    };
    await requestAndReport(ctx, { procedure: 'promote', input }, o);
  });
}
