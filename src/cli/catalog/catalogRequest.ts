/**
 * The catalog command's options, and the one parser that turns them into the
 * update's input: `bumpflow catalog …` and the words after `--` of
 * `bumpflow schedule create NAME --every 1d -- catalog …` go through it, so a
 * schedule runs exactly what the command would (as sweepRequest.ts does for
 * the sweep). Everything is checked before anything connects (exit 2).
 * `--path` is repeatable and optional: one catalog, several in one run, or
 * (without it) every catalog of `--dir` / etc/images.
 */
import type { Command } from 'commander';
import { CATALOG_DIR, MAX_CATALOG_FILES, type CatalogRequest } from '../../shared/catalog.js';
import { DURATIONS } from '../../lib/kit/duration.js';
import { parseRepoUrl } from '../../lib/kit/repoUrl.js';
import { assertRepoPath } from '../../lib/kit/repoPath.js';
import { assertValidRefName } from '../../lib/kit/branches.js';
import type { CliContext } from '../kit/context.js';
import { operatorName } from '../kit/operator.js';
import { checkCatalogRequest } from './catalogStart.js';
import { optionsOfWords } from '../schedule/scheduledWords.js';
import { checked, durationFlag, refusal, wholeNumber } from '../kit/flags.js';
import { usage } from '../kit/exitCodes.js';

export interface CatalogOptions {
  repo: string;
  /** each --path, in the order typed (absent: every catalog of --dir or etc/images) */
  path?: string[];
  dir?: string;
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
    .option(
      '--path <file>',
      `a catalog in it, e.g. etc/images/ubuntu.yml; repeat it for several (one table, one approval, one PR); without --path: every catalog (*.yml, *.yaml) of ${CATALOG_DIR}/ in one run`,
      collectPaths,
    )
    .option(
      '--dir <folder>',
      `without --path: the folder whose catalogs (*.yml, *.yaml directly in it) are all updated in one run (${CATALOG_DIR} when not given)`,
      checked('--dir', assertRepoPath),
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

/** Each `--path` checked as it is read, collected in the order typed: a file named twice, or too many, is refused. */
function collectPaths(raw: string, previous: string[] | undefined): string[] {
  const path = checked('--path', assertRepoPath)(raw);
  const paths = previous ?? [];
  if (paths.includes(path))
    throw refusal('--path', new Error(`expected each catalog once, found ${JSON.stringify(path)} twice`));
  if (paths.length >= MAX_CATALOG_FILES)
    throw refusal(
      '--path',
      new Error(
        `expected at most ${MAX_CATALOG_FILES} catalogs (or none, for every catalog of --dir), found ${paths.length + 1} (the last ${JSON.stringify(path)})`,
      ),
    );
  return [...paths, path];
}

/**
 * What the update reads: one --path → `path` (the input a one-catalog run always had, so its
 * workflow id and schedules stay the same), several → `paths`, none → `dir` when --dir was
 * given, else neither (the workflow reads every catalog of etc/images).
 */
function scopeOf(o: CatalogOptions): Pick<CatalogRequest, 'path' | 'paths' | 'dir'> {
  const paths = o.path ?? [];
  if (o.dir !== undefined && paths.length > 0)
    throw usage(
      `--dir: expected either --dir <folder> (every catalog in it) or --path <file> (the catalogs named), not both; found --dir ${JSON.stringify(o.dir)} and --path ${paths.map((p) => JSON.stringify(p)).join(', ')}`,
    );
  if (paths.length === 1) return { path: paths[0]! };
  if (paths.length > 1) return { paths };
  return o.dir === undefined ? {} : { dir: o.dir };
}

/** The update's input from the options, checked as the workflow will parse it. */
export function catalogRequestFrom(ctx: CliContext, o: CatalogOptions): CatalogRequest {
  const request: CatalogRequest = {
    repoUrl: o.repo,
    ...scopeOf(o),
    branch: o.branch,
    dryRun: !!o.dryRun,
    ...(o.mirror ? {} : { mirror: false }),
    ...(o.keep === undefined ? {} : { keep: o.keep }),
    ...(o.approvalTimeout ? { approvalTimeout: o.approvalTimeout } : {}),
    requestedBy: operatorName(ctx.env),
  };
  checkCatalogRequest(request);
  return request;
}

/** `['catalog', '--repo', …, ('--path', …)*]` (the words after `--`) → the update's input, by the same parser. */
export function parseCatalogWords(ctx: CliContext, words: readonly string[]): CatalogRequest {
  return catalogRequestFrom(ctx, optionsOfWords<CatalogOptions>('catalog', addCatalogOptions, words));
}
