/**
 * The sweep command's options, and the one parser that turns them into the
 * sweep's input: `bumpflow sweep …` and the words after `--` of
 * `bumpflow schedule create NAME --every 6h -- sweep …` go through it, so a
 * schedule runs exactly what the command would. A target comes from the
 * config file (repo, vars file, the images it is scoped to) and so does the
 * approval policy; the input holds nothing secret.
 */
import { type Command, Option } from 'commander';
import { approvalPolicy } from '../../configFile.js';
import { parseRepoUrl } from '../../lib/kit/repoUrl.js';
import { sweepInputSchema, type SweepRequest } from '../../workflows/sweep/sweepInput.js';
import type { CliContext } from '../kit/context.js';
import { DURATIONS } from '../../lib/kit/duration.js';
import { assertBumpBranch } from '../../lib/kit/branches.js';
import { assertImagePrefix } from '../../lib/kit/imageRef.js';
import { assertRepoPath } from '../../lib/kit/repoPath.js';
import { usage } from '../kit/exitCodes.js';
import { optionsOfWords } from '../schedule/scheduledWords.js';
import {
  checked,
  checkedList,
  durationFlag,
  parsedAs,
  schemaRefusal,
  targetOf,
  wholeNumber,
} from '../kit/flags.js';

export interface SweepOptions {
  target?: string;
  repo?: string;
  varsFile?: string;
  branch?: string[];
  image?: string[];
  report?: boolean;
  pin?: boolean;
  concurrency?: number;
  approvalTimeout?: string;
}

export function addSweepOptions(cmd: Command): Command {
  return cmd
    .option('-t, --target <name>', 'a target repo named in the config file (its repo, vars file and images)')
    .addOption(
      new Option('--repo <url>', 'target repo clone URL (instead of --target)')
        .argParser(checked('--repo', parseRepoUrl))
        .conflicts('target'),
    )
    .option('--vars-file <path>', 'vars file in the target repo', checked('--vars-file', assertRepoPath))
    .option(
      '-b, --branch <branch...>',
      'branches to sweep (default: main + every stable/*)',
      checkedList('--branch', assertBumpBranch),
    )
    .option(
      '--image <prefix...>',
      "only images starting with this prefix (e.g. ghcr.io/vexxhost/magnum), within the target's images",
      checkedList('--image', assertImagePrefix),
    )
    .addOption(
      new Option('--report', 'list what is behind (and what is unpinned), start no bump').conflicts('pin'),
    )
    .option(
      '--pin',
      'also propose pinning by digest the references pinned by tag only: one pin run per branch, each approved, one PR each',
    )
    .option(
      '--concurrency <n>',
      'image:tag pairs resolved at once per registry (default 8)',
      wholeNumber('--concurrency', 1, 32),
    )
    .option(
      '--approval-timeout <duration>',
      'passed on to the bumps started (e.g. 72h)',
      durationFlag('--approval-timeout', DURATIONS.approvalTimeout),
    );
}

export function sweepRequestFrom(ctx: CliContext, o: SweepOptions): SweepRequest {
  const cfg = ctx.config();
  const target = o.target === undefined ? undefined : targetOf(ctx, o.target);
  const raw = o.repo ?? target?.repo;
  if (raw === undefined)
    throw usage(
      '--repo: expected the target repo: --target <name>, or --repo <url> --vars-file <path>, found neither',
    );
  const repo = parsedAs(o.repo !== undefined ? '--repo' : '--target', parseRepoUrl, raw);
  const varsFile = o.varsFile ?? target?.varsFile;
  const approvalTimeout = o.approvalTimeout ?? cfg?.approval.timeout;
  const policy = cfg ? approvalPolicy(cfg) : [];
  const request: SweepRequest = {
    targetRepo: repo.url,
    ...(varsFile === undefined ? {} : { varsFile }),
    ...(o.branch?.length ? { branches: o.branch } : {}),
    ...(o.image?.length ? { imagePrefixes: o.image } : {}),
    // the target's scope, then --image within it (an image must match both)
    ...(target?.images?.length ? { images: target.images } : {}),
    ...(o.report ? { report: true } : {}),
    ...(o.pin ? { pin: true } : {}),
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    ...(approvalTimeout === undefined ? {} : { approvalTimeout }),
    ...(policy.length > 0 ? { approvalPolicy: policy } : {}),
  };
  const parsed = sweepInputSchema.safeParse(request);
  if (!parsed.success) throw schemaRefusal('a valid sweep', parsed.error.issues);
  return request;
}

/** `['sweep', '--target', 'atmosphere']` (the words after `--`) → the sweep's input, by the same parser. */
export function parseSweepWords(ctx: CliContext, words: readonly string[]): SweepRequest {
  return sweepRequestFrom(ctx, optionsOfWords<SweepOptions>('sweep', addSweepOptions, words));
}
