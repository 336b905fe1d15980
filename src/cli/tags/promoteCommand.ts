/**
 * `bumpflow promote IMAGE --from <tag|digest> --to <tag>…`: asks the image
 * repository's queue to move tags to a signed digest, with a stamp, after
 * approval; optionally cleaning up change tags like the source after.
 * Everything typed is checked before anything starts (exit 2).
 */
import type { Command } from 'commander';
import { tagApproval } from '../../configFile.js';
import { assertStampTemplate } from '../../lib/kit/stamp.js';
import { DURATIONS } from '../../lib/kit/duration.js';
import type { PromoteRequest } from '../../shared/messages.js';
import { usage } from '../kit/exitCodes.js';
import type { CliContext } from '../kit/context.js';
import { operatorName } from '../kit/operator.js';
import { checked, checkedList, durationFlag, parsedAs } from '../kit/flags.js';
import { assertTag, assertTagOrDigest } from '../../lib/kit/imageRef.js';
import { configOrDefaults, requestAndReport, tagCommand, withRequestOptions } from './tagRequest.js';
import type { TagImage } from './tagRequest.js';

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
    if (o.cleanupOlderThan !== undefined)
      throw usage(
        `--cleanup-older-than: expected --cleanup beside it (it says which change tags go), found ${JSON.stringify(o.cleanupOlderThan)} alone`,
      );
    return undefined;
  }
  const change = CHANGE_TAG.exec(o.from);
  if (!change)
    throw usage(
      `--from: expected a change tag change_<N>_<tag> with --cleanup (it cleans up change_*_<tag>), found ${JSON.stringify(o.from)}`,
    );
  const olderThan = o.cleanupOlderThan ?? '24h';
  return { patterns: [`change_*_${change[1]}`], olderThan, approveAbove };
}

export function registerPromote(program: Command, ctx: CliContext): void {
  const command = tagCommand(
    program,
    'promote',
    'move tags of an image repository to a signed digest (after approval), creating a stamp',
  )
    .requiredOption(
      '--from <tag|digest>',
      'the source: a tag (staging, change_123_latest) or sha256:…',
      checked('--from', assertTagOrDigest),
    )
    .requiredOption(
      '--to <tag...>',
      'tags moved to the source digest (repeat or comma-separate)',
      checkedList('--to', assertTag),
    )
    .option(
      '--stamp <template>',
      "the immutable tag created, e.g. '{tag}-{date}-{revision:7}' (config)",
      checked('--stamp', assertStampTemplate),
    )
    .option('--no-stamp', 'create no stamp tag')
    .option('--cleanup', 'after the promotion, delete change_*_<tag> tags like --from')
    .option(
      '--cleanup-older-than <duration>',
      'with --cleanup: only those older than this',
      durationFlag('--cleanup-older-than', DURATIONS.olderThan),
    );
  // --stamp T and --no-stamp contradict each other: commander would keep whichever came last
  const stampFlags = new Map<string, string>();
  command.on('option:stamp', (template: string) => stampFlags.set('--stamp', template));
  command.on('option:no-stamp', () => stampFlags.set('--no-stamp', ''));
  withRequestOptions(command).action(async (image: TagImage, o: PromoteOptions) => {
    const config = configOrDefaults(ctx);
    if (stampFlags.size > 1)
      throw usage(
        `--stamp: expected either --stamp <template> or --no-stamp, found both (--stamp ${JSON.stringify(stampFlags.get('--stamp'))} and --no-stamp)`,
      );
    const stamp = o.stamp === false ? null : (o.stamp ?? config.promotion.stamp);
    if (stamp !== null) parsedAs("--stamp (or the config's promotion.stamp)", assertStampTemplate, stamp);
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
      requestedBy: operatorName(ctx.env),
    };
    await requestAndReport(ctx, { procedure: 'promote', input }, o);
  });
}
