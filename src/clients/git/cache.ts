/**
 * The clone cache under `workDir`: one bare repository per remote URL and kind,
 *   - `full-<hash>.git`: target repos (readFile, pushBranch), all objects;
 *   - `partial-<hash>.git`: source repos (isAncestor, resolveCommit, listFiles), a `--filter=blob:none`
 *     partial clone whose blobs git fetches on demand.
 * Fetches into a cache are serialised per cache directory inside this process; give each worker process
 * its own `workDir`.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fatal, FatalFailure, transient, TransientFailure } from '../../shared/failures.js';
import { checkShaPrefix, checkUrl, FULL_SHA } from './check.js';
import { redactCredentials, remoteFailure, unavailable } from './classify.js';
import type { GitRunner } from './run.js';
import type { GitCall } from './types.js';

export type CloneKind = 'full' | 'partial';

/** Every fetch into a cache: branches only, no FETCH_HEAD, no submodules. */
const FETCH = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules'] as const;

/** Per cache directory: the tail of the chain of operations that fetch into it. */
const cacheLocks = new Map<string, Promise<void>>();

/** The cache directory of `url` for one kind of clone. */
export function cloneDirFor(workDir: string, kind: CloneKind, url: string): string {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 24);
  return path.join(path.resolve(workDir), `${kind}-${hash}.git`);
}

export interface GitCache {
  dirFor(kind: CloneKind, url: string): string;
  /** runs `fn` with the clone of `url` created (if missing) and no other fetch into it running */
  withClone<T>(kind: CloneKind, url: string, call: GitCall, fn: (dir: string) => Promise<T>): Promise<T>;
  /** fetches origin's branches into refs/remotes/origin/*; a missing branch → MissingBranch. Under the lock. */
  fetchBranches(dir: string, url: string, branches: readonly string[], call: GitCall): Promise<void>;
  /** the full sha of a commit in the cache of `url`, fetching branches (then the sha itself) when absent */
  resolveIn(kind: CloneKind, url: string, shaOrAbbrev: string, call: GitCall): Promise<string>;
  /** fetches `branch` into the full clone and returns its head there */
  fetchedHead(url: string, branch: string, call: GitCall): Promise<{ dir: string; sha: string }>;
}

export function createCache(runner: GitRunner): GitCache {
  const { workDir } = runner;
  const dirFor = (kind: CloneKind, url: string) => cloneDirFor(workDir, kind, url);

  async function withCacheLock<T>(dir: string, call: GitCall, fn: () => Promise<T>): Promise<T> {
    const previous = cacheLocks.get(dir) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    cacheLocks.set(dir, tail);
    try {
      await runner.wait(previous, call);
      return await fn();
    } finally {
      release();
      if (cacheLocks.get(dir) === tail) cacheLocks.delete(dir);
    }
  }

  /** Creates the cache clone if it is missing (atomically: init in a temp dir, then rename). Under the lock. */
  async function ensureClone(kind: CloneKind, url: string): Promise<string> {
    const dir = dirFor(kind, url);
    if (await exists(path.join(dir, 'HEAD'))) return dir;
    await mkdir(workDir, { recursive: true });
    const tmp = await mkdtemp(path.join(workDir, `.init-${kind}-`));
    try {
      const init = await runner.run([
        '-c',
        'init.defaultBranch=main',
        'init',
        '--bare',
        '--quiet',
        '--template=',
        tmp,
      ]);
      if (init.exitCode !== 0) throw unavailable(`git init in ${workDir}`, init);
      await writeCacheConfig(tmp, kind, url);
      await rename(tmp, dir).catch(async (error: unknown) => {
        // another process created it meanwhile: use theirs
        if (!(await exists(path.join(dir, 'HEAD')))) throw error;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return dir;
  }

  function withClone<T>(
    kind: CloneKind,
    url: string,
    call: GitCall,
    fn: (dir: string) => Promise<T>,
  ): Promise<T> {
    const dir = dirFor(kind, url);
    return withCacheLock(dir, call, async () => fn(await ensureClone(kind, url)));
  }

  async function fetchBranches(
    dir: string,
    url: string,
    branches: readonly string[],
    call: GitCall,
  ): Promise<void> {
    const refspecs = branches.map((branch) => `+refs/heads/${branch}:refs/remotes/origin/${branch}`);
    const run = await runner.run([...FETCH, 'origin', ...refspecs], { ...call, gitDir: dir, remote: url });
    if (run.exitCode === 0) return;
    const missing = /couldn't find remote ref refs\/heads\/(\S+)/.exec(run.stderr);
    if (missing) {
      throw fatal(
        FatalFailure.MissingBranch,
        `expected branch ${missing[1]} to exist in ${redactCredentials(url)}, found no such branch`,
        { url: redactCredentials(url), branch: missing[1] },
      );
    }
    throw remoteFailure('fetch from', url, run);
  }

  /** Fetches every branch (pruning deleted ones). Under the lock. */
  async function fetchAllHeads(dir: string, url: string, call: GitCall): Promise<void> {
    const run = await runner.run([...FETCH, '--prune', 'origin'], { ...call, gitDir: dir, remote: url });
    if (run.exitCode !== 0) throw remoteFailure('fetch from', url, run);
  }

  /** Fetches one commit by full sha (one that no branch holds, e.g. from a PR); false when the remote lacks it. */
  async function fetchCommit(dir: string, url: string, sha: string, call: GitCall): Promise<boolean> {
    const run = await runner.run([...FETCH, 'origin', sha], { ...call, gitDir: dir, remote: url });
    if (run.exitCode === 0) return true;
    if (
      /not our ref|couldn't find remote ref|no such remote ref|not a valid object|unadvertised object/i.test(
        run.stderr,
      )
    )
      return false;
    throw remoteFailure('fetch from', url, run);
  }

  async function lookupCommit(dir: string, prefix: string): Promise<{ sha?: string; ambiguous?: boolean }> {
    const run = await runner.run(['rev-parse', '--verify', '--quiet', `${prefix}^{commit}`], { gitDir: dir });
    if (run.exitCode === 0) return { sha: run.stdout.trim() };
    if (/ambiguous/i.test(run.stderr)) return { ambiguous: true };
    if (run.exitCode === 1 || run.exitCode === 128) return {};
    throw unavailable(`git rev-parse in cache ${dir}`, run);
  }

  async function resolveIn(
    kind: CloneKind,
    url: string,
    shaOrAbbrev: string,
    call: GitCall,
  ): Promise<string> {
    checkUrl(url);
    const prefix = checkShaPrefix(shaOrAbbrev, 'commit');
    return withClone(kind, url, call, async (dir) => {
      let found = await lookupCommit(dir, prefix);
      if (found.sha === undefined && !found.ambiguous) {
        await fetchAllHeads(dir, url, call);
        found = await lookupCommit(dir, prefix);
      }
      if (
        found.sha === undefined &&
        !found.ambiguous &&
        FULL_SHA.test(prefix) &&
        (await fetchCommit(dir, url, prefix, call))
      ) {
        found = await lookupCommit(dir, prefix);
      }
      if (found.sha !== undefined) return found.sha;
      const shown = redactCredentials(url);
      if (found.ambiguous) {
        throw fatal(
          FatalFailure.BadInput,
          `expected ${prefix} to name one commit in ${shown}, found several: give more digits`,
          { url: shown, commit: prefix },
        );
      }
      throw fatal(FatalFailure.BadInput, `commit ${prefix} not found in ${shown} (looked in every branch)`, {
        url: shown,
        commit: prefix,
      });
    });
  }

  function fetchedHead(url: string, branch: string, call: GitCall): Promise<{ dir: string; sha: string }> {
    return withClone('full', url, call, async (dir) => {
      await fetchBranches(dir, url, [branch], call);
      const sha = await runner.local(dir, [
        'rev-parse',
        '--verify',
        `refs/remotes/origin/${branch}^{commit}`,
      ]);
      return { dir, sha: sha.trim() };
    });
  }

  return { dirFor, withClone, fetchBranches, resolveIn, fetchedHead };
}

/** A quoted git-config value (checkUrl already refused control characters). */
function configValue(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * The cache clone's settings, written into the config file `git init` just created (one file write
 * instead of one `git config` per key): origin and its refspec; no automatic gc or maintenance, since
 * concurrent calls read the clone; for a partial clone, the promisor remote and its filter.
 */
async function writeCacheConfig(gitDir: string, kind: CloneKind, url: string): Promise<void> {
  const file = path.join(gitDir, 'config');
  let text = await readFile(file, 'utf8');
  const remote = [
    '[remote "origin"]',
    `\turl = ${configValue(url)}`,
    '\tfetch = +refs/heads/*:refs/remotes/origin/*',
  ];
  const rest = ['[gc]', '\tauto = 0', '[maintenance]', '\tauto = false'];
  if (kind === 'partial') {
    const upgraded = text.replace(
      /^([ \t]*repositoryformatversion[ \t]*=[ \t]*)0[ \t]*$/m,
      (_line, key: string) => `${key}1`,
    );
    if (upgraded === text) {
      throw transient(
        TransientFailure.GitUnavailable,
        `expected git init to write repositoryformatversion = 0 in ${file}, found ${JSON.stringify(text)}`,
      );
    }
    text = upgraded;
    remote.push('\tpromisor = true', '\tpartialclonefilter = blob:none');
    rest.push('[extensions]', '\tpartialClone = origin');
  }
  const separator = text.endsWith('\n') ? '' : '\n';
  await writeFile(file, `${text}${separator}${[...remote, ...rest].join('\n')}\n`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
