/**
 * The sweep command's options, and the one parser that turns them into the
 * sweep's input: `bumpflow sweep …` and the words after `--` of
 * `bumpflow schedule create NAME --every 6h -- sweep …` go through it, so a
 * schedule runs exactly what the command would. A target comes from the
 * config file (repo, vars file) and so does the approval policy; the input
 * holds nothing secret.
 */
import { Command } from 'commander';
import { approvalPolicy } from '../configFile.js';
import { parseRepoUrl } from '../lib/repoUrl.js';
import { sweepInputSchema, type SweepRequest } from '../workflows/sweep/sweepInput.js';
import { collect, durationArg, type CliContext } from './context.js';
import { DURATIONS } from '../lib/duration.js';
import { usage } from './exitCodes.js';

export interface SweepOptions {
  target?: string;
  repo?: string;
  varsFile?: string;
  branch?: string[];
  image?: string[];
  report?: boolean;
  concurrency?: string;
  approvalTimeout?: string;
}

export function addSweepOptions(cmd: Command): Command {
  return cmd
    .option('-t, --target <name>', 'a target repo named in the config file (its repo and vars file)')
    .option('--repo <url>', 'target repo clone URL (instead of --target)')
    .option('--vars-file <path>', 'vars file in the target repo')
    .option('-b, --branch <branch...>', 'branches to sweep (default: main + every stable/*)', collect)
    .option('--image <prefix...>', 'only images starting with this prefix (e.g. ghcr.io/vexxhost/)', collect)
    .option('--report', 'list what is behind, start no bump')
    .option('--concurrency <n>', 'image:tag pairs resolved at once per registry (default 8)')
    .option(
      '--approval-timeout <duration>',
      'passed on to the bumps started (e.g. 72h)',
      durationArg('--approval-timeout', DURATIONS.approvalTimeout),
    );
}

export function sweepRequestFrom(ctx: CliContext, o: SweepOptions): SweepRequest {
  const cfg = ctx.config();
  let target: { repo: string; varsFile?: string } | undefined;
  if (o.target !== undefined) {
    target = cfg?.targets[o.target];
    if (target === undefined)
      throw usage(
        `expected --target to name a target of the config file, found ${JSON.stringify(o.target)}; known: ${Object.keys(cfg?.targets ?? {}).join(', ') || (cfg ? 'none' : 'no config file given (--config)')}`,
      );
  }
  const raw = o.repo ?? target?.repo;
  if (raw === undefined)
    throw usage('expected the target repo: --target <name>, or --repo <url> --vars-file <path>');
  const repo = parseRepoUrl(raw);
  const concurrency = o.concurrency === undefined ? undefined : Number(o.concurrency);
  const varsFile = o.varsFile ?? target?.varsFile;
  const approvalTimeout = o.approvalTimeout ?? cfg?.approval.timeout;
  const policy = cfg ? approvalPolicy(cfg) : [];
  const request: SweepRequest = {
    targetRepo: repo.url,
    ...(varsFile === undefined ? {} : { varsFile }),
    ...(o.branch?.length ? { branches: o.branch } : {}),
    ...(o.image?.length ? { imagePrefixes: o.image } : {}),
    ...(o.report ? { report: true } : {}),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(approvalTimeout === undefined ? {} : { approvalTimeout }),
    ...(policy.length > 0 ? { approvalPolicy: policy } : {}),
  };
  const parsed = sweepInputSchema.safeParse(request);
  if (!parsed.success)
    throw usage(
      `expected a valid sweep: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`,
    );
  return request;
}

/** `['sweep', '--target', 'atmosphere']` (the words after `--`) → the sweep's input, by the same parser. */
export function parseSweepWords(ctx: CliContext, words: readonly string[]): SweepRequest {
  if (words[0] !== 'sweep')
    throw usage(
      `expected the command to schedule after --, such as "-- sweep --target atmosphere", found ${JSON.stringify(words.join(' ') || 'nothing')}`,
    );
  const cmd = addSweepOptions(new Command('sweep'))
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .allowExcessArguments(false);
  try {
    cmd.parse([...words.slice(1)], { from: 'user' });
  } catch (err) {
    throw usage(`expected sweep options after --: ${err instanceof Error ? err.message : String(err)}`);
  }
  return sweepRequestFrom(ctx, cmd.opts<SweepOptions>());
}
