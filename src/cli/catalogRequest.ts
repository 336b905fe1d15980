/**
 * The catalog command's options, and the one parser that turns them into the
 * update's input: `bumpflow catalog …` and the words after `--` of
 * `bumpflow schedule create NAME --every 1d -- catalog …` go through it, so a
 * schedule runs exactly what the command would (as sweepRequest.ts does for
 * the sweep). Everything is checked before anything connects (exit 2).
 */
import type { Command } from 'commander';
import type { CatalogRequest } from '../shared/catalog.js';
import { DURATIONS } from '../lib/duration.js';
import { parseRepoUrl } from '../lib/repoUrl.js';
import { assertRepoPath } from '../lib/repoPath.js';
import { assertValidRefName } from '../lib/branches.js';
import type { CliContext } from './context.js';
import { checkCatalogRequest } from './catalogStart.js';
import { optionsOfWords } from './scheduledWords.js';
import { checked, durationFlag, wholeNumber } from './flags.js';

export interface CatalogOptions {
  repo: string;
  path: string;
  branch: string;
  keep?: number;
  dryRun?: boolean;
  /** false with --no-mirror */
  mirror: boolean;
  approvalTimeout?: string;
}

export function addCatalogOptions(cmd: Command): Command {
  return cmd
    .requiredOption(
      '--repo <url>',
      'the repository holding the catalog, e.g. https://github.com/osism/openstack-image-manager',
      checked('--repo', parseRepoUrl),
    )
    .requiredOption(
      '--path <file>',
      'the catalog in it, e.g. etc/images/ubuntu.yml',
      checked('--path', assertRepoPath),
    )
    .option(
      '-b, --branch <branch>',
      'the branch to read and open the PR against',
      checked('--branch', (b) => assertValidRefName(b, 'branch')),
      'main',
    )
    .option(
      '--keep <n>',
      'keep the N newest version entries (the new one first) instead of replacing versions[0]',
      wholeNumber('--keep', 1, 100),
    )
    .option('--dry-run', 'show the table, write nothing')
    .option(
      '--no-mirror',
      "after approval, do not stream the new images to the worker's S3 mirror (catalog.mirror in its config)",
    )
    .option(
      '--approval-timeout <duration>',
      'how long the update waits for approval (e.g. 72h)',
      durationFlag('--approval-timeout', DURATIONS.approvalTimeout),
    );
}

/** The update's input from the options, checked as the workflow will parse it. */
export function catalogRequestFrom(ctx: CliContext, o: CatalogOptions): CatalogRequest {
  const request: CatalogRequest = {
    repoUrl: o.repo,
    path: o.path,
    branch: o.branch,
    dryRun: !!o.dryRun,
    ...(o.mirror ? {} : { mirror: false }),
    ...(o.keep === undefined ? {} : { keep: o.keep }),
    ...(o.approvalTimeout ? { approvalTimeout: o.approvalTimeout } : {}),
    ...(ctx.env.USER ? { requestedBy: ctx.env.USER } : {}),
  };
  checkCatalogRequest(request);
  return request;
}

/** `['catalog', '--repo', …, '--path', …]` (the words after `--`) → the update's input, by the same parser. */
export function parseCatalogWords(ctx: CliContext, words: readonly string[]): CatalogRequest {
  return catalogRequestFrom(ctx, optionsOfWords<CatalogOptions>('catalog', addCatalogOptions, words));
}
