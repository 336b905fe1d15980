/**
 * The git layer: every fact the bump takes from a git remote, and the one
 * write it makes (a work branch), through the git CLI.
 *
 * git runs through execa with argument arrays (never a shell), a minimal
 * environment (PATH, HOME, GIT_TERMINAL_PROMPT=0 and what the caller adds) and
 * a timeout. Remotes are cached under `workDir`, one bare repository per remote
 * URL and kind:
 *   - `full-<hash>.git`: target repos (readFile, pushBranch), all objects;
 *   - `partial-<hash>.git`: source repos (isAncestor, resolveCommit,
 *     listFiles), a `--filter=blob:none` partial clone whose blobs git fetches
 *     on demand.
 * Fetches into a cache are serialised per cache directory inside this
 * process; give each worker process its own `workDir`.
 *
 * Errors are typed (src/shared/failures.ts) and never carry credentials:
 * userinfo is stripped from every URL and every piece of git output quoted.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import {
  type BumpflowError,
  fatal,
  FatalFailure,
  transient,
  TransientFailure,
} from '../../shared/failures.js';

export interface GitOptions {
  /** cache directory for clones (one per remote URL, named by a hash of the URL) */
  workDir: string;
  /**
   * extra environment for every git call, e.g. GIT_CONFIG_COUNT/GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n for
   * url.<base>.insteadOf (tests map https://github.com/ to local bare repos) and credential helpers; merged
   * over a minimal env (PATH, HOME, LC_ALL=C, GIT_ALLOW_PROTOCOL) + GIT_TERMINAL_PROMPT=0
   */
  env?: Record<string, string>;
  /** limit for each git process; default 10 minutes */
  timeoutMs?: number;
}

export interface Git {
  /** branch name (without refs/heads/) → sha; patterns are `git ls-remote` patterns, e.g. `refs/heads/stable/*` */
  lsRemoteHeads(url: string, patterns?: string[]): Promise<Map<string, string>>;
  /**
   * A file's text at a branch (origin's current head: fetched first) or at a commit, from a cached full clone;
   * undefined when no file exists at that path.
   */
  readFile(
    url: string,
    ref: { branch: string } | { commit: string },
    path: string,
  ): Promise<string | undefined>;
  /** origin's head of `branch`, undefined when the branch does not exist */
  branchHead(url: string, branch: string): Promise<string | undefined>;
  /** Source repos (cached partial clone, fetched on demand; abbreviated SHAs resolved). Unknown commit → BadInput. */
  isAncestor(url: string, ancestor: string, descendant: string): Promise<boolean>;
  /**
   * A backport of `fix` in the history of `descendant`: the newest commit whose message carries
   * `git cherry-pick -x`'s trailer "(cherry picked from commit <fix>)"; undefined when there is none.
   */
  findBackport(url: string, fix: string, descendant: string): Promise<string | undefined>;
  /** the full sha of a commit named by a full or abbreviated sha, or BadInput */
  resolveCommit(url: string, shaOrAbbrev: string): Promise<string>;
  /** files anywhere in the tree at `commit` whose basename is one of `names`, sorted by path, with contents */
  listFiles(
    url: string,
    commit: string,
    names: readonly string[],
  ): Promise<Array<{ path: string; text: string }>>;
  /** Builds one commit on origin/<baseBranch> and puts it at <workBranch>; idempotent, touches no other branch. */
  pushBranch(input: PushInput): Promise<PushResult>;
}

export interface PushInput {
  /** target repo remote */
  url: string;
  /** e.g. stable/2025.1 */
  baseBranch: string;
  /** e.g. bump-magnum-2025.1: no '/', a valid branch name, not the base */
  workBranch: string;
  /** if given and origin/<base> moved, still fine: the commit is built on the current head and `baseMoved` says so */
  expectedBaseSha?: string;
  /** full new contents of each file to write (vars file, release note) */
  files: Array<{ path: string; content: string }>;
  /** full commit message; a `Signed-off-by:` trailer is added as `git commit -s` would */
  message: string;
  author: { name: string; email: string };
  /** ISO timestamp supplied by the caller → author and committer date, so a retried push builds the identical commit */
  date: string;
}

export interface PushResult {
  /** the commit at <workBranch> on the remote */
  commitSha: string;
  /** origin/<baseBranch> the commit is built on */
  baseSha: string;
  /** false when the remote already had an equivalent commit (same tree, parent = baseSha) */
  pushed: boolean;
  /** paths whose content differs from the base, sorted */
  changedFiles: string[];
  /** true when `expectedBaseSha` was given and the base head is another commit */
  baseMoved: boolean;
  /** the remote work-branch tip this push replaced; undefined when the branch was new or already up to date */
  replacedSha: string | undefined;
}

type CloneKind = 'full' | 'partial';

interface GitRun {
  /** undefined when git could not be started or was killed */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  spawnError: string | undefined;
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  path: string;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const SHA_PREFIX = /^[0-9a-f]{4,64}$/;
const CONTROL_CHARS = /\p{Cc}/u;
/** `<transport>::<address>` runs a remote helper (`ext::sh -c …`): never accepted. */
const TRANSPORT_HELPER = /^[A-Za-z][A-Za-z0-9+.-]*::/;
const AUTH_REFUSED =
  /Authentication failed|could not read (?:Username|Password)|terminal prompts disabled|Permission denied \((?:publickey|password)|HTTP Basic: Access denied|requested URL returned error: 40[13]|Invalid username or password/i;
const MAX_QUOTED_OUTPUT = 2000;
/** Every fetch into a cache: branches only, no FETCH_HEAD, no submodules. */
const FETCH = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules'] as const;

/** Per cache directory: the tail of the chain of operations that fetch into it. */
const cacheLocks = new Map<string, Promise<void>>();

/** Process groups of running git commands: killed on timeout, and when this process exits. */
const runningGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(group: number): void {
  if (!exitHookInstalled) {
    process.once('exit', killRunningGroups);
    exitHookInstalled = true;
  }
  runningGroups.add(group);
}

function killRunningGroups(): void {
  for (const group of runningGroups) killGroup(group);
}

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Removes `user:password@` from every URL in `text` (the same userinfo git itself recognises). */
export function redactCredentials(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/\s@]*@/g, '$1');
}

/** The cache directory of `url` for one kind of clone. */
export function cloneDirFor(workDir: string, kind: CloneKind, url: string): string {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 24);
  return path.join(path.resolve(workDir), `${kind}-${hash}.git`);
}

export function createGit(options: GitOptions): Git {
  const workDir = path.resolve(options.workDir);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ...(process.env.HOME === undefined ? {} : { HOME: process.env.HOME }),
    LC_ALL: 'C',
    GIT_ALLOW_PROTOCOL: 'https:http:ssh:git:file',
    ...options.env,
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    GIT_LITERAL_PATHSPECS: '1',
    // repo-less commands run in workDir: never discover a repository above it
    GIT_CEILING_DIRECTORIES: path.dirname(workDir),
  };
  let workDirReady: Promise<unknown> | undefined;

  async function git(
    args: readonly string[],
    opts: { gitDir?: string; input?: string; env?: Record<string, string> } = {},
  ): Promise<GitRun> {
    workDirReady ??= mkdir(workDir, { recursive: true });
    await workDirReady;
    const subprocess = execa('git', args, {
      cwd: opts.gitDir ?? workDir,
      env: { ...env, ...(opts.gitDir === undefined ? {} : { GIT_DIR: opts.gitDir }), ...opts.env },
      extendEnv: false,
      reject: false,
      stripFinalNewline: false,
      // its own process group, so a timeout also ends git's helpers (git-remote-https, ssh), which hold the pipes open
      detached: true,
      ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    });
    const group = subprocess.pid;
    if (group !== undefined) trackGroup(group);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (group !== undefined) killGroup(group);
    }, timeoutMs);
    const result = await subprocess.finally(() => {
      clearTimeout(timer);
      if (group !== undefined) runningGroups.delete(group);
    });
    return {
      exitCode: timedOut ? undefined : result.exitCode,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
      timedOut,
      spawnError:
        timedOut || result.exitCode !== undefined
          ? undefined
          : redactCredentials(result.shortMessage ?? 'unknown error'),
    };
  }

  /** A command on a cache clone that only fails if the clone or the machine is broken. */
  async function local(
    gitDir: string,
    args: readonly string[],
    opts: { input?: string; env?: Record<string, string> } = {},
  ): Promise<string> {
    const run = await git(args, { gitDir, ...opts });
    if (run.exitCode === 0) return run.stdout;
    throw unavailable(`git ${args[0] ?? ''} in cache ${gitDir}`, run);
  }

  /** `what` failed for a reason a later attempt may not meet (outage, timeout, a broken cache). */
  function unavailable(what: string, run: GitRun, url?: string): BumpflowError {
    const output = quoteOutput(run);
    const details = { ...(url === undefined ? {} : { url: redactCredentials(url) }), output };
    if (run.timedOut) {
      return transient(
        TransientFailure.GitUnavailable,
        `${what}: expected git to finish within ${timeoutMs} ms, it did not`,
        { details },
      );
    }
    if (run.spawnError !== undefined) {
      return transient(TransientFailure.GitUnavailable, `${what}: could not run git: ${run.spawnError}`, {
        details,
      });
    }
    return transient(TransientFailure.GitUnavailable, `${what}: git exited with ${run.exitCode}: ${output}`, {
      details,
      cause: new Error(output),
    });
  }

  /** A failed conversation with a remote: refused credentials are final, everything else may pass. */
  function remoteFailure(action: string, url: string, run: GitRun): BumpflowError {
    const what = `${action} ${redactCredentials(url)}`;
    const output = quoteOutput(run);
    if (!run.timedOut && run.spawnError === undefined && AUTH_REFUSED.test(output)) {
      return fatal(
        FatalFailure.AuthRefused,
        `${what}: expected the remote to accept our credentials, it refused: ${output}`,
        {
          url: redactCredentials(url),
          output,
        },
      );
    }
    return unavailable(what, run, url);
  }

  async function withCacheLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    const previous = cacheLocks.get(dir) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    cacheLocks.set(dir, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (cacheLocks.get(dir) === tail) cacheLocks.delete(dir);
    }
  }

  /** Creates the cache clone if it is missing (atomically: init in a temp dir, then rename). Call under the lock. */
  async function ensureClone(kind: CloneKind, url: string): Promise<string> {
    const dir = cloneDirFor(workDir, kind, url);
    if (await exists(path.join(dir, 'HEAD'))) return dir;
    await mkdir(workDir, { recursive: true });
    const tmp = await mkdtemp(path.join(workDir, `.init-${kind}-`));
    try {
      const init = await git([
        '-c',
        'init.defaultBranch=main',
        'init',
        '--bare',
        '--quiet',
        '--template=',
        tmp,
      ]);
      if (init.exitCode !== 0) throw unavailable(`git init in ${workDir}`, init);
      const settings: Array<[string, string]> = [
        ['remote.origin.url', url],
        ['remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*'],
        // a cache read by concurrent calls: no repacking behind their backs
        ['gc.auto', '0'],
        ['maintenance.auto', 'false'],
      ];
      if (kind === 'partial') {
        settings.push(
          ['core.repositoryformatversion', '1'],
          ['extensions.partialClone', 'origin'],
          ['remote.origin.promisor', 'true'],
          ['remote.origin.partialclonefilter', 'blob:none'],
        );
      }
      for (const [key, value] of settings) await local(tmp, ['config', key, value]);
      await rename(tmp, dir).catch(async (error: unknown) => {
        // another process created it meanwhile: use theirs
        if (!(await exists(path.join(dir, 'HEAD')))) throw error;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return dir;
  }

  /** Fetches origin's branches into refs/remotes/origin/*; a missing branch → MissingBranch. Call under the lock. */
  async function fetchBranches(dir: string, url: string, branches: readonly string[]): Promise<void> {
    const refspecs = branches.map((branch) => `+refs/heads/${branch}:refs/remotes/origin/${branch}`);
    const run = await git([...FETCH, 'origin', ...refspecs], { gitDir: dir });
    if (run.exitCode === 0) return;
    const missing = /couldn't find remote ref refs\/heads\/(\S+)/.exec(run.stderr);
    if (missing) {
      throw fatal(
        FatalFailure.MissingBranch,
        `expected branch ${missing[1]} to exist in ${redactCredentials(url)}, found no such branch`,
        {
          url: redactCredentials(url),
          branch: missing[1],
        },
      );
    }
    throw remoteFailure('fetch from', url, run);
  }

  /** Fetches every branch (pruning deleted ones). Call under the lock. */
  async function fetchAllHeads(dir: string, url: string): Promise<void> {
    const run = await git([...FETCH, '--prune', 'origin'], { gitDir: dir });
    if (run.exitCode !== 0) throw remoteFailure('fetch from', url, run);
  }

  /** Fetches one commit by full sha (one that no branch holds, e.g. from a PR); false when the remote has no such commit. */
  async function fetchCommit(dir: string, url: string, sha: string): Promise<boolean> {
    const run = await git([...FETCH, 'origin', sha], { gitDir: dir });
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
    const run = await git(['rev-parse', '--verify', '--quiet', `${prefix}^{commit}`], { gitDir: dir });
    if (run.exitCode === 0) return { sha: run.stdout.trim() };
    if (/ambiguous/i.test(run.stderr)) return { ambiguous: true };
    if (run.exitCode === 1 || run.exitCode === 128) return {};
    throw unavailable(`git rev-parse in cache ${dir}`, run);
  }

  /** Finds a commit in the cache, fetching branches (then the sha itself) when it is not there yet. */
  async function resolveIn(kind: CloneKind, url: string, shaOrAbbrev: string): Promise<string> {
    checkUrl(url);
    const prefix = checkShaPrefix(shaOrAbbrev, 'commit');
    const dir = cloneDirFor(workDir, kind, url);
    return withCacheLock(dir, async () => {
      await ensureClone(kind, url);
      let found = await lookupCommit(dir, prefix);
      if (found.sha === undefined && !found.ambiguous) {
        await fetchAllHeads(dir, url);
        found = await lookupCommit(dir, prefix);
      }
      if (
        found.sha === undefined &&
        !found.ambiguous &&
        FULL_SHA.test(prefix) &&
        (await fetchCommit(dir, url, prefix))
      ) {
        found = await lookupCommit(dir, prefix);
      }
      if (found.sha !== undefined) return found.sha;
      if (found.ambiguous) {
        throw fatal(
          FatalFailure.BadInput,
          `expected ${prefix} to name one commit in ${redactCredentials(url)}, found several: give more digits`,
          {
            url: redactCredentials(url),
            commit: prefix,
          },
        );
      }
      throw fatal(
        FatalFailure.BadInput,
        `commit ${prefix} not found in ${redactCredentials(url)} (looked in every branch)`,
        {
          url: redactCredentials(url),
          commit: prefix,
        },
      );
    });
  }

  /** Fetches `branch` into the full cache clone and returns its head there. */
  async function fetchedHead(url: string, branch: string): Promise<{ dir: string; sha: string }> {
    const dir = cloneDirFor(workDir, 'full', url);
    return withCacheLock(dir, async () => {
      await ensureClone('full', url);
      await fetchBranches(dir, url, [branch]);
      return {
        dir,
        sha: (await local(dir, ['rev-parse', '--verify', `refs/remotes/origin/${branch}^{commit}`])).trim(),
      };
    });
  }

  async function listTree(dir: string, treeish: string): Promise<TreeEntry[]> {
    const out = await local(dir, ['ls-tree', '-r', '-z', '--full-tree', treeish]);
    const entries: TreeEntry[] = [];
    for (const record of out.split('\0')) {
      const tab = record.indexOf('\t');
      if (tab < 0) continue;
      const [mode = '', type = '', oid = ''] = record.slice(0, tab).split(' ');
      entries.push({ mode, type, oid, path: record.slice(tab + 1) });
    }
    return entries;
  }

  async function readBlobAt(dir: string, commit: string, filePath: string): Promise<string | undefined> {
    const out = await local(dir, ['cat-file', '--batch'], { input: `${commit}:${filePath}\n` });
    const headerEnd = out.indexOf('\n');
    const header = out.slice(0, headerEnd < 0 ? out.length : headerEnd);
    if (header.endsWith(' missing')) return undefined;
    const type = header.split(' ')[1];
    if (type !== 'blob') {
      throw fatal(
        FatalFailure.BadInput,
        `expected a file at ${filePath} in ${commit}, found a ${type ?? 'nothing readable'}`,
        { path: filePath, commit },
      );
    }
    // --batch writes the content followed by one newline
    return out.slice(headerEnd + 1, -1);
  }

  async function lsRemoteHeads(url: string, patterns: string[] = []): Promise<Map<string, string>> {
    checkUrl(url);
    for (const pattern of patterns) {
      if (pattern === '' || pattern.startsWith('-') || CONTROL_CHARS.test(pattern)) {
        throw fatal(
          FatalFailure.BadInput,
          `expected ls-remote patterns like refs/heads/stable/*, found ${JSON.stringify(pattern)}`,
        );
      }
    }
    const run = await git(['ls-remote', '--heads', '--', url, ...patterns]);
    if (run.exitCode !== 0) throw remoteFailure('list branches of', url, run);
    const heads = new Map<string, string>();
    for (const line of run.stdout.split('\n')) {
      const match = /^([0-9a-f]+)\trefs\/heads\/(.+)$/.exec(line);
      if (match?.[1] !== undefined && match[2] !== undefined) heads.set(match[2], match[1]);
    }
    return heads;
  }

  async function branchHead(url: string, branch: string): Promise<string | undefined> {
    await checkBranch(branch, 'branch');
    return (await lsRemoteHeads(url, [`refs/heads/${branch}`])).get(branch);
  }

  async function readFile(
    url: string,
    ref: { branch: string } | { commit: string },
    filePath: string,
  ): Promise<string | undefined> {
    checkUrl(url);
    checkRepoPath(filePath);
    if ('branch' in ref) {
      await checkBranch(ref.branch, 'branch');
      const { dir, sha } = await fetchedHead(url, ref.branch);
      return readBlobAt(dir, sha, filePath);
    }
    const sha = await resolveIn('full', url, ref.commit);
    return readBlobAt(cloneDirFor(workDir, 'full', url), sha, filePath);
  }

  async function resolveCommit(url: string, shaOrAbbrev: string): Promise<string> {
    return resolveIn('partial', url, shaOrAbbrev);
  }

  async function isAncestor(url: string, ancestor: string, descendant: string): Promise<boolean> {
    const descendantSha = await resolveIn('partial', url, descendant);
    const ancestorSha = await resolveIn('partial', url, ancestor);
    const dir = cloneDirFor(workDir, 'partial', url);
    const run = await git(['merge-base', '--is-ancestor', ancestorSha, descendantSha], { gitDir: dir });
    if (run.exitCode === 0) return true;
    if (run.exitCode === 1) return false;
    throw unavailable(`git merge-base in the cache of ${redactCredentials(url)}`, run, url);
  }

  async function findBackport(url: string, fix: string, descendant: string): Promise<string | undefined> {
    const fixSha = checkShaPrefix(fix, 'commit');
    if (!FULL_SHA.test(fixSha)) {
      throw fatal(FatalFailure.BadInput, `expected the full sha of the fix commit, found ${JSON.stringify(fix)}`);
    }
    const descendantSha = await resolveIn('partial', url, descendant);
    const dir = cloneDirFor(workDir, 'partial', url);
    const out = await local(dir, [
      'log',
      '--format=%H',
      '--fixed-strings',
      `--grep=(cherry picked from commit ${fixSha})`,
      descendantSha,
    ]);
    return out.split('\n').find((line) => line.trim() !== '')?.trim();
  }

  async function listFiles(
    url: string,
    commit: string,
    names: readonly string[],
  ): Promise<Array<{ path: string; text: string }>> {
    for (const name of names) {
      if (name === '' || name.includes('/') || name === '.' || name === '..' || CONTROL_CHARS.test(name)) {
        throw fatal(
          FatalFailure.BadInput,
          `expected file names without a directory (Dockerfile, requirements.txt), found ${JSON.stringify(name)}`,
        );
      }
    }
    const sha = await resolveIn('partial', url, commit);
    const dir = cloneDirFor(workDir, 'partial', url);
    const wanted = new Set(names);
    const matches = (await listTree(dir, sha)).filter(
      (entry) =>
        entry.type === 'blob' && entry.mode !== '120000' && wanted.has(path.posix.basename(entry.path)),
    );
    const files: Array<{ path: string; text: string }> = [];
    // each read may fetch the blob from the promisor remote
    for (const entry of matches.sort((a, b) => compare(a.path, b.path))) {
      const run = await git(['cat-file', 'blob', entry.oid], { gitDir: dir });
      if (run.exitCode !== 0) throw remoteFailure(`read ${entry.path} at ${sha} from`, url, run);
      files.push({ path: entry.path, text: run.stdout });
    }
    return files;
  }

  /** The tree of origin/<base> with `files` written over it, built in a private index. */
  async function buildTree(
    dir: string,
    baseSha: string,
    files: ReadonlyArray<{ path: string; content: string }>,
  ): Promise<string> {
    const baseEntries = new Map((await listTree(dir, baseSha)).map((entry) => [entry.path, entry]));
    const lines: string[] = [];
    for (const file of files) {
      const segments = file.path.split('/');
      for (let i = 1; i < segments.length; i += 1) {
        const parent = segments.slice(0, i).join('/');
        if (baseEntries.has(parent)) {
          throw fatal(
            FatalFailure.BadInput,
            `expected ${parent} to be a directory at ${baseSha} so that ${file.path} can be written, found a file`,
            {
              path: file.path,
            },
          );
        }
      }
      const existing = baseEntries.get(file.path);
      if (existing !== undefined && existing.mode !== '100644' && existing.mode !== '100755') {
        throw fatal(
          FatalFailure.BadInput,
          `expected ${file.path} to be a regular file at ${baseSha}, found mode ${existing.mode} (${existing.type})`,
          {
            path: file.path,
          },
        );
      }
      const prefix = `${file.path}/`;
      for (const entryPath of baseEntries.keys()) {
        if (entryPath.startsWith(prefix)) {
          throw fatal(
            FatalFailure.BadInput,
            `expected ${file.path} to be a file or absent at ${baseSha}, found a directory`,
            { path: file.path },
          );
        }
      }
      const oid = (await local(dir, ['hash-object', '-w', '--stdin'], { input: file.content })).trim();
      lines.push(`${existing?.mode ?? '100644'} ${oid}\t${file.path}`);
    }
    const indexDir = await mkdtemp(path.join(workDir, '.index-'));
    try {
      const indexEnv = { GIT_INDEX_FILE: path.join(indexDir, 'index') };
      await local(dir, ['read-tree', baseSha], { env: indexEnv });
      await local(dir, ['update-index', '--index-info'], { env: indexEnv, input: `${lines.join('\n')}\n` });
      return (await local(dir, ['write-tree'], { env: indexEnv })).trim();
    } finally {
      await rm(indexDir, { recursive: true, force: true });
    }
  }

  /** `message` cleaned up and signed off exactly as `git commit -s -m message` does. */
  async function signedOffMessage(
    dir: string,
    message: string,
    author: { name: string; email: string },
  ): Promise<string> {
    const cleaned = await local(dir, ['stripspace'], { input: message });
    if (cleaned.trim() === '') {
      throw fatal(FatalFailure.BadInput, 'expected a commit message, found an empty one');
    }
    return local(
      dir,
      [
        'interpret-trailers',
        '--no-divider',
        '--where',
        'end',
        '--if-exists',
        'addIfDifferentNeighbor',
        '--if-missing',
        'add',
        '--trailer',
        `Signed-off-by: ${author.name} <${author.email}>`,
      ],
      { input: cleaned },
    );
  }

  async function pushBranch(input: PushInput): Promise<PushResult> {
    const { url, baseBranch: base, workBranch: work } = input;
    checkUrl(url);
    await checkBranch(base, 'baseBranch');
    await checkBranch(work, 'workBranch');
    if (work.includes('/')) {
      throw fatal(
        FatalFailure.BadInput,
        `expected workBranch without '/' (bump-magnum-2025.1), found ${JSON.stringify(work)}`,
      );
    }
    if (work === base) {
      throw fatal(
        FatalFailure.BadInput,
        `expected workBranch to differ from baseBranch, both are ${JSON.stringify(work)}`,
      );
    }
    const expectedBaseSha =
      input.expectedBaseSha === undefined
        ? undefined
        : checkFullSha(input.expectedBaseSha, 'expectedBaseSha');
    checkFiles(input.files);
    checkIdentity(input.author);
    const gitDate = checkDate(input.date);

    const remote = await lsRemoteHeads(url, [`refs/heads/${base}`, `refs/heads/${work}`]);
    if (!remote.has(base)) {
      throw fatal(
        FatalFailure.MissingBranch,
        `expected branch ${base} to exist in ${redactCredentials(url)}, found no such branch`,
        {
          url: redactCredentials(url),
          branch: base,
        },
      );
    }
    const dir = cloneDirFor(workDir, 'full', url);
    const { baseSha, seenWorkSha } = await withCacheLock(dir, async () => {
      await ensureClone('full', url);
      const workExists = remote.has(work);
      await fetchBranches(dir, url, workExists ? [base, work] : [base]);
      return {
        baseSha: (await local(dir, ['rev-parse', '--verify', `refs/remotes/origin/${base}^{commit}`])).trim(),
        seenWorkSha: workExists
          ? (await local(dir, ['rev-parse', '--verify', `refs/remotes/origin/${work}^{commit}`])).trim()
          : undefined,
      };
    });

    const tree = await buildTree(dir, baseSha, input.files);
    const baseTree = (await local(dir, ['rev-parse', '--verify', `${baseSha}^{tree}`])).trim();
    if (tree === baseTree) {
      throw fatal(
        FatalFailure.BadInput,
        `nothing to commit: expected ${input.files.map((f) => f.path).join(', ')} to change ${base} (${baseSha}) of ${redactCredentials(url)}, found the same content there`,
        { url: redactCredentials(url), baseBranch: base, baseSha },
      );
    }
    const changedFiles = (await local(dir, ['diff-tree', '-r', '-z', '--name-only', baseTree, tree]))
      .split('\0')
      .filter(Boolean)
      .sort(compare);
    const outcome = {
      baseSha,
      changedFiles,
      baseMoved: expectedBaseSha !== undefined && expectedBaseSha !== baseSha,
    };

    if (seenWorkSha !== undefined) {
      const [workTree, ...parents] = (await local(dir, ['log', '-1', '--format=%T %P', seenWorkSha]))
        .trim()
        .split(' ');
      if (workTree === tree && parents.length === 1 && parents[0] === baseSha) {
        return { ...outcome, commitSha: seenWorkSha, pushed: false, replacedSha: undefined };
      }
      const ahead = Number((await local(dir, ['rev-list', '--count', seenWorkSha, `^${baseSha}`])).trim());
      if (ahead > 1) {
        throw fatal(
          FatalFailure.PushRejected,
          `refusing to replace ${work} in ${redactCredentials(url)}: expected at most one commit on top of ${base}, found ${ahead} at ${seenWorkSha} (someone else's work?); delete the branch or choose another name`,
          { url: redactCredentials(url), workBranch: work, workSha: seenWorkSha, ahead },
        );
      }
    }

    const dateEnv = { GIT_AUTHOR_DATE: gitDate, GIT_COMMITTER_DATE: gitDate };
    const identityEnv = {
      GIT_AUTHOR_NAME: input.author.name,
      GIT_AUTHOR_EMAIL: input.author.email,
      GIT_COMMITTER_NAME: input.author.name,
      GIT_COMMITTER_EMAIL: input.author.email,
    };
    const message = await signedOffMessage(dir, input.message, input.author);
    const commitSha = (
      await local(dir, ['commit-tree', '--no-gpg-sign', '-p', baseSha, tree], {
        input: message,
        env: { ...identityEnv, ...dateEnv },
      })
    ).trim();

    const run = await git(
      [
        'push',
        '--porcelain',
        '--no-verify',
        `--force-with-lease=refs/heads/${work}:${seenWorkSha ?? ''}`,
        'origin',
        `${commitSha}:refs/heads/${work}`,
      ],
      { gitDir: dir },
    );
    const status = run.stdout
      .split('\n')
      .find((line) => line.split('\t')[1]?.endsWith(`:refs/heads/${work}`));
    const flag = status?.split('\t')[0];
    if (run.exitCode === 0 && status !== undefined) {
      const pushed = flag !== '=';
      return { ...outcome, commitSha, pushed, replacedSha: pushed ? seenWorkSha : undefined };
    }
    if (flag === '!') {
      // the same commit may have landed meanwhile (a concurrent retry of this very call)
      if ((await branchHead(url, work)) === commitSha) {
        return { ...outcome, commitSha, pushed: false, replacedSha: undefined };
      }
      const output = quoteOutput(run);
      throw fatal(
        FatalFailure.PushRejected,
        `expected ${redactCredentials(url)} to accept ${commitSha} at ${work} (lease: ${seenWorkSha ?? 'branch absent'}), it refused: ${output}`,
        { url: redactCredentials(url), workBranch: work, commitSha, output },
      );
    }
    throw remoteFailure(`push ${work} to`, url, run);
  }

  async function checkBranch(name: string, what: string): Promise<void> {
    if (
      typeof name !== 'string' ||
      name === '' ||
      name.startsWith('-') ||
      name === 'HEAD' ||
      name.includes('@{') ||
      CONTROL_CHARS.test(name)
    ) {
      throw fatal(
        FatalFailure.BadInput,
        `expected ${what} to be a branch name like stable/2025.1, found ${JSON.stringify(name)}`,
      );
    }
    const run = await git(['check-ref-format', '--branch', name]);
    if (run.exitCode === 0 && run.stdout.trim() === name) return;
    if (run.exitCode === 128 || run.exitCode === 0) {
      throw fatal(
        FatalFailure.BadInput,
        `expected ${what} to be a valid git branch name, found ${JSON.stringify(name)}`,
      );
    }
    throw unavailable('git check-ref-format', run);
  }

  return { lsRemoteHeads, readFile, branchHead, isAncestor, findBackport, resolveCommit, listFiles, pushBranch };
}

function checkUrl(url: string): void {
  const shown = JSON.stringify(redactCredentials(String(url)));
  if (typeof url !== 'string' || url.trim() === '') {
    throw fatal(
      FatalFailure.BadInput,
      `expected a git remote URL such as https://github.com/vexxhost/atmosphere, found ${shown}`,
    );
  }
  if (url.startsWith('-')) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a git remote URL, found one starting with '-' (an option): ${shown}`,
    );
  }
  if (CONTROL_CHARS.test(url)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a git remote URL without control characters, found ${shown}`,
    );
  }
  if (TRANSPORT_HELPER.test(url)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an https, ssh, git or file URL, found a remote-helper URL ${shown}`,
    );
  }
}

function checkShaPrefix(value: string, what: string): string {
  const sha = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!SHA_PREFIX.test(sha)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${what} to be a commit sha (4 to 64 hex digits), found ${JSON.stringify(value)}`,
    );
  }
  return sha;
}

function checkFullSha(value: string, what: string): string {
  const sha = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!FULL_SHA.test(sha)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${what} to be a full commit sha (40 hex digits), found ${JSON.stringify(value)}`,
    );
  }
  return sha;
}

/** A path inside the repository: relative, normalised, never into .git. */
function checkRepoPath(filePath: string): void {
  const segments = typeof filePath === 'string' ? filePath.split('/') : [];
  const bad =
    segments.length === 0 ||
    CONTROL_CHARS.test(filePath) ||
    segments.some(
      (segment) => segment === '' || segment === '.' || segment === '..' || segment.toLowerCase() === '.git',
    );
  if (bad) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a relative file path such as roles/defaults/vars/main.yml, found ${JSON.stringify(filePath)}`,
    );
  }
}

function checkFiles(files: PushInput['files']): void {
  if (!Array.isArray(files) || files.length === 0) {
    throw fatal(FatalFailure.BadInput, 'expected at least one file to write, found none');
  }
  const seen = new Set<string>();
  for (const file of files) {
    checkRepoPath(file.path);
    if (typeof file.content !== 'string') {
      throw fatal(
        FatalFailure.BadInput,
        `expected text content for ${file.path}, found ${typeof file.content}`,
      );
    }
    if (seen.has(file.path)) {
      throw fatal(FatalFailure.BadInput, `expected each path once, found ${file.path} twice`);
    }
    seen.add(file.path);
  }
}

/** git strips these from the ends of names (`crud`); refuse them so the sign-off shows the name as given. */
const IDENT_CRUD = /^[\s.,:;<>"\\']|[\s.,:;<>"\\']$/;

function checkIdentity(author: PushInput['author']): void {
  const name = author?.name;
  const email = author?.email;
  if (
    typeof name !== 'string' ||
    name === '' ||
    IDENT_CRUD.test(name) ||
    /[<>]/.test(name) ||
    CONTROL_CHARS.test(name)
  ) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an author name like "Jane Doe", found ${JSON.stringify(name)}`,
    );
  }
  if (typeof email !== 'string' || !/^[^\s<>@]+@[^\s<>@]+$/.test(email)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an author email like jane@example.com, found ${JSON.stringify(email)}`,
    );
  }
}

/** ISO timestamp → git's `@<seconds> +0000`, so the commit is the same whatever the machine's zone. */
function checkDate(date: string): string {
  const millis = typeof date === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(date) ? Date.parse(date) : Number.NaN;
  if (!Number.isFinite(millis)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an ISO timestamp like 2025-01-31T12:00:00Z, found ${JSON.stringify(date)}`,
    );
  }
  return `@${Math.floor(millis / 1000)} +0000`;
}

function quoteOutput(run: GitRun): string {
  const text = redactCredentials([run.stderr.trim(), run.stdout.trim()].filter(Boolean).join('\n'));
  return text.length > MAX_QUOTED_OUTPUT ? `${text.slice(0, MAX_QUOTED_OUTPUT)}…` : text;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
