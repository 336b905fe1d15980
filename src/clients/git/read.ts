/** Reading facts from remotes: ls-remote, a file at a ref, ancestry, backports, dependency files. */
import path from 'node:path';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { createBlobReader } from './blobs.js';
import type { GitCache } from './cache.js';
import {
  checkBasenames,
  checkBranch,
  checkPatterns,
  checkRepoPath,
  checkShaPrefix,
  checkUrl,
  FULL_SHA,
} from './check.js';
import { redactCredentials, remoteFailure, unavailable } from './classify.js';
import { createHeadsLister, parseHeads } from './heads.js';
import type { GitRunner } from './run.js';
import type { Git, GitCall } from './types.js';

export interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  path: string;
}

export type GitReads = Omit<Git, 'pushBranch'>;

/** Every entry of the tree at `treeish`, recursively. */
export async function listTree(runner: GitRunner, dir: string, treeish: string): Promise<TreeEntry[]> {
  return parseTree(await runner.local(dir, ['ls-tree', '-r', '-z', '--full-tree', treeish]));
}

/** `git ls-tree -r -z` output → its entries. */
export function parseTree(out: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode = '', type = '', oid = ''] = record.slice(0, tab).split(' ');
    entries.push({ mode, type, oid, path: record.slice(tab + 1) });
  }
  return entries;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `refs/heads/<name>` without glob characters: answered from the shared listing of every head. */
const EXACT_HEAD = /^refs\/heads\/([^*?[\\]+)$/;

export function createReads(runner: GitRunner, cache: GitCache): GitReads {
  const listHeads = createHeadsLister(runner);
  const blobs = createBlobReader(runner);

  async function lsRemoteHeads(
    url: string,
    patterns: string[] = [],
    call: GitCall = {},
  ): Promise<Map<string, string>> {
    checkUrl(url);
    checkPatterns(patterns);
    const names = patterns.map((pattern) => EXACT_HEAD.exec(pattern)?.[1]);
    if (names.every((name) => name !== undefined)) {
      // every head, in one listing shared with concurrent calls for the same URL, then only those asked
      const run = await listHeads(url, call);
      if (run.exitCode !== 0) throw remoteFailure('list branches of', url, run);
      const heads = parseHeads(run.stdout);
      if (names.length === 0) return heads;
      const asked = new Map<string, string>();
      for (const name of names) {
        const sha = heads.get(name);
        if (sha !== undefined) asked.set(name, sha);
      }
      return asked;
    }
    const run = await runner.run(['ls-remote', '--heads', '--', url, ...patterns], { ...call, remote: url });
    if (run.exitCode !== 0) throw remoteFailure('list branches of', url, run);
    return parseHeads(run.stdout);
  }

  async function branchHead(url: string, branch: string, call: GitCall = {}): Promise<string | undefined> {
    checkBranch(branch, 'branch');
    return (await lsRemoteHeads(url, [`refs/heads/${branch}`], call)).get(branch);
  }

  async function readFile(
    url: string,
    ref: { branch: string } | { commit: string },
    filePath: string,
    call: GitCall = {},
  ): Promise<string | undefined> {
    checkUrl(url);
    checkRepoPath(filePath);
    if ('branch' in ref) {
      checkBranch(ref.branch, 'branch');
      const { dir, sha } = await cache.fetchedHead(url, ref.branch, call);
      return blobs.read(dir, sha, filePath, true);
    }
    const dir = cache.dirFor('full', url);
    const wanted = checkShaPrefix(ref.commit, 'commit');
    // a full sha already in the clone: one cat-file (or none, when read before)
    if (FULL_SHA.test(wanted)) {
      const text = await blobs.read(dir, wanted, filePath, false);
      if (text !== undefined) return text;
    }
    const sha = await cache.resolveIn('full', url, ref.commit, call);
    return blobs.read(dir, sha, filePath, true);
  }

  function resolveCommit(url: string, shaOrAbbrev: string, call: GitCall = {}): Promise<string> {
    return cache.resolveIn('partial', url, shaOrAbbrev, call);
  }

  async function isAncestor(
    url: string,
    ancestor: string,
    descendant: string,
    call: GitCall = {},
  ): Promise<boolean> {
    const descendantSha = await cache.resolveIn('partial', url, descendant, call);
    const ancestorSha = await cache.resolveIn('partial', url, ancestor, call);
    const dir = cache.dirFor('partial', url);
    const run = await runner.run(['merge-base', '--is-ancestor', ancestorSha, descendantSha], {
      ...call,
      gitDir: dir,
    });
    if (run.exitCode === 0) return true;
    if (run.exitCode === 1) return false;
    throw unavailable(`git merge-base in the cache of ${redactCredentials(url)}`, run, url);
  }

  async function findBackport(
    url: string,
    fix: string,
    descendant: string,
    call: GitCall = {},
  ): Promise<string | undefined> {
    const fixSha = checkShaPrefix(fix, 'commit');
    if (!FULL_SHA.test(fixSha)) {
      throw fatal(
        FatalFailure.BadInput,
        `expected the full sha of the fix commit, found ${JSON.stringify(fix)}`,
      );
    }
    const descendantSha = await cache.resolveIn('partial', url, descendant, call);
    const dir = cache.dirFor('partial', url);
    const out = await runner.local(
      dir,
      [
        'log',
        '--format=%H',
        '--fixed-strings',
        `--grep=(cherry picked from commit ${fixSha})`,
        descendantSha,
      ],
      call,
    );
    return out
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim();
  }

  async function listFiles(
    url: string,
    commit: string,
    names: readonly string[],
    call: GitCall = {},
  ): Promise<Array<{ path: string; text: string }>> {
    checkBasenames(names);
    const sha = await cache.resolveIn('partial', url, commit, call);
    const dir = cache.dirFor('partial', url);
    const wanted = new Set(names);
    const matches = (await listTree(runner, dir, sha)).filter(
      (entry) =>
        entry.type === 'blob' && entry.mode !== '120000' && wanted.has(path.posix.basename(entry.path)),
    );
    const files: Array<{ path: string; text: string }> = [];
    // each read may fetch the blob from the promisor remote
    for (const entry of matches.sort((a, b) => compare(a.path, b.path))) {
      const run = await runner.run(['cat-file', 'blob', entry.oid], { ...call, gitDir: dir, remote: url });
      if (run.exitCode !== 0) throw remoteFailure(`read ${entry.path} at ${sha} from`, url, run);
      files.push({ path: entry.path, text: run.stdout });
    }
    return files;
  }

  async function listFolder(
    url: string,
    commit: string,
    folder: string,
    call: GitCall = {},
  ): Promise<string[]> {
    checkUrl(url);
    checkRepoPath(folder);
    const sha = await cache.resolveIn('full', url, commit, call);
    const dir = cache.dirFor('full', url);
    // without -r: the folder's own entries; a symlink (120000) is not a file of the folder
    const entries = parseTree(await runner.local(dir, ['ls-tree', '-z', sha, '--', `${folder}/`]));
    return entries
      .filter((entry) => entry.type === 'blob' && entry.mode !== '120000')
      .map((entry) => entry.path)
      .sort(compare);
  }

  return {
    lsRemoteHeads,
    branchHead,
    readFile,
    resolveCommit,
    isAncestor,
    findBackport,
    listFiles,
    listFolder,
  };
}
