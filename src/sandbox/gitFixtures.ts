/**
 * Real git repositories for tests and the demo: bare repos in a temp dir that
 * stand in for https://github.com/<slug> through git's own
 * `url.<base>.insteadOf`, filled with the real Atmosphere files (the repos
 * themselves are built in src/sandbox/fixtureRepos.ts), and what tests read back.
 *
 * Fixture commands never read the user's git config (GIT_CONFIG_GLOBAL=/dev/null,
 * GIT_CONFIG_NOSYSTEM=1) and commit as a fixed identity at fixed, increasing
 * dates, so the same calls build the same SHAs on every machine.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface GitSandbox {
  root: string;
  /** env to map https://github.com/ to the sandbox's bare repos via url.insteadOf (GIT_CONFIG_COUNT…) */
  env: Record<string, string>;
  /** 'https://github.com/vexxhost/atmosphere' */
  remoteUrl(slug: string): string;
  barePath(slug: string): string;
  close(): Promise<void>;
}

export const FIXTURE_IDENTITY = { name: 'Bumpflow Fixtures', email: 'fixtures@bumpflow.test' } as const;
export const DEFAULT_TARGET_SLUG = 'vexxhost/atmosphere';
export const DEFAULT_TARGET_BRANCHES: readonly string[] = ['main', 'stable/2024.2', 'stable/2025.1'];
export const VARS_PATH = 'roles/defaults/vars/main.yml';

/** First fixture commit date; each commit in a sandbox is one minute later than the previous one. */
const EPOCH_SECONDS = Date.UTC(2025, 0, 1) / 1000;
const commitCounters = new WeakMap<GitSandbox, { next: number }>();

/** Environment of every fixture-building git command (no user config, fixed identity). */
function fixtureEnv(sandbox: GitSandbox | undefined): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: sandbox?.root ?? os.tmpdir(),
    LC_ALL: 'C',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: FIXTURE_IDENTITY.name,
    GIT_AUTHOR_EMAIL: FIXTURE_IDENTITY.email,
    GIT_COMMITTER_NAME: FIXTURE_IDENTITY.name,
    GIT_COMMITTER_EMAIL: FIXTURE_IDENTITY.email,
  };
}

/** Runs git for fixtures; throws with the command and git's output when it fails. */
export async function fixtureGit(
  args: readonly string[],
  options: { cwd: string; input?: string; env?: Record<string, string>; allowFailure?: boolean },
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await execa('git', args, {
    cwd: options.cwd,
    env: { ...fixtureEnv(undefined), ...options.env },
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  const exitCode = result.exitCode ?? -1;
  if (exitCode !== 0 && !options.allowFailure) {
    throw new Error(
      `fixture: git ${args.join(' ')} (in ${options.cwd}) exited with ${exitCode}: ${String(result.stderr).trim()}`,
    );
  }
  return { exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function nextDate(sandbox: GitSandbox): Record<string, string> {
  const counter = commitCounters.get(sandbox);
  if (counter === undefined) {
    throw new Error(`fixture: ${sandbox.root} is not a sandbox made by createGitSandbox`);
  }
  const date = `@${EPOCH_SECONDS + counter.next * 60} +0000`;
  counter.next += 1;
  return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
}

export async function createGitSandbox(parentDir: string = os.tmpdir()): Promise<GitSandbox> {
  const root = await mkdtemp(path.join(parentDir, 'bumpflow-git-'));
  const remotes = path.join(root, 'remotes');
  await mkdir(remotes);
  const sandbox: GitSandbox = {
    root,
    env: {
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `url.${remotes}/.insteadOf`,
      GIT_CONFIG_VALUE_0: 'https://github.com/',
    },
    remoteUrl: (slug) => `https://github.com/${checkSlug(slug)}`,
    // git finds `<path>.git` when asked for `<path>`, so both URL spellings reach it
    barePath: (slug) => path.join(remotes, `${checkSlug(slug)}.git`),
    close: () => rm(root, { recursive: true, force: true }),
  };
  commitCounters.set(sandbox, { next: 0 });
  return sandbox;
}

function checkSlug(slug: string): string {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(slug) || slug.includes('..')) {
    throw new Error(
      `fixture: expected a repository slug like vexxhost/atmosphere, found ${JSON.stringify(slug)}`,
    );
  }
  return slug;
}

/** A bare repo that serves partial clones and fetches by sha, as GitHub does. */
export async function createBare(sandbox: GitSandbox, slug: string): Promise<string> {
  const bare = sandbox.barePath(slug);
  if (existsSync(bare)) throw new Error(`fixture: ${slug} already exists in the sandbox`);
  await mkdir(path.dirname(bare), { recursive: true });
  await fixtureGit(['-c', 'init.defaultBranch=main', 'init', '--quiet', '--bare', '--template=', bare], {
    cwd: sandbox.root,
  });
  await fixtureGit(['config', 'uploadpack.allowFilter', 'true'], { cwd: bare });
  await fixtureGit(['config', 'uploadpack.allowAnySHA1InWant', 'true'], { cwd: bare });
  return bare;
}

/** A throw-away working clone of a sandbox repo (removed afterwards). */
export async function withScratch<T>(
  sandbox: GitSandbox,
  slug: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  await mkdir(path.join(sandbox.root, 'scratch'), { recursive: true });
  const dir = await mkdtemp(path.join(sandbox.root, 'scratch', 'work-'));
  try {
    await fixtureGit(
      ['-c', 'init.defaultBranch=main', 'clone', '--quiet', '--no-checkout', sandbox.barePath(slug), dir],
      { cwd: sandbox.root },
    );
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `files` into the checkout, commits them with the next fixture date and returns the sha. */
export async function commitFiles(
  sandbox: GitSandbox,
  dir: string,
  commit: { message: string; files: Record<string, string> },
): Promise<string> {
  for (const [file, content] of Object.entries(commit.files)) {
    const target = path.join(dir, file);
    if (!target.startsWith(`${dir}${path.sep}`)) {
      throw new Error(`fixture: expected a relative path, found ${JSON.stringify(file)}`);
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  await fixtureGit(['add', '--all'], { cwd: dir });
  await fixtureGit(['commit', '--quiet', '--allow-empty', '--no-verify', '-m', commit.message], {
    cwd: dir,
    env: nextDate(sandbox),
  });
  return (await fixtureGit(['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
}

/** Adds one commit on top of an existing branch (as someone pushing to the remote would) and returns its sha. */
export async function addCommit(
  sandbox: GitSandbox,
  slug: string,
  branch: string,
  commit: { message: string; files: Record<string, string> },
): Promise<string> {
  const heads = await listBranches(sandbox, slug);
  if (heads[branch] === undefined) {
    throw new Error(
      `fixture: expected branch ${branch} in ${slug}, found only ${Object.keys(heads).join(', ') || 'no branches'}`,
    );
  }
  return withScratch(sandbox, slug, async (dir) => {
    await fixtureGit(['checkout', '--quiet', '-B', branch, `origin/${branch}`], { cwd: dir });
    const sha = await commitFiles(sandbox, dir, commit);
    await fixtureGit(['push', '--quiet', 'origin', `${sha}:refs/heads/${branch}`], { cwd: dir });
    return sha;
  });
}

/** A file's text at the tip of a branch of the bare repo; undefined when branch or file is missing. */
export async function readBranchFile(
  sandbox: GitSandbox,
  slug: string,
  branch: string,
  file: string,
): Promise<string | undefined> {
  const bare = sandbox.barePath(slug);
  const spec = `refs/heads/${branch}:${file}`;
  const type = await fixtureGit(['cat-file', '-t', spec], { cwd: bare, allowFailure: true });
  if (type.exitCode !== 0) return undefined;
  if (type.stdout.trim() !== 'blob') {
    throw new Error(`fixture: expected a file at ${spec} in ${slug}, found a ${type.stdout.trim()}`);
  }
  return (await fixtureGit(['cat-file', 'blob', spec], { cwd: bare })).stdout;
}

/** branch name → sha of every branch of the bare repo */
export async function listBranches(sandbox: GitSandbox, slug: string): Promise<Record<string, string>> {
  const out = await fixtureGit(
    ['for-each-ref', '--format=%(refname:lstrip=2) %(objectname)', 'refs/heads/'],
    { cwd: sandbox.barePath(slug) },
  );
  const heads: Record<string, string> = {};
  for (const line of out.stdout.split('\n')) {
    const [name, sha] = line.split(' ');
    if (name && sha) heads[name] = sha;
  }
  return heads;
}

/** Commits on `branch` that `base` (a branch name or a sha) lacks, newest first, with full messages and changed paths. */
export async function commitsOn(
  sandbox: GitSandbox,
  slug: string,
  branch: string,
  base: string,
): Promise<Array<{ sha: string; message: string; files: string[] }>> {
  const bare = sandbox.barePath(slug);
  const baseRev = /^[0-9a-f]{40}$/.test(base) ? base : `refs/heads/${base}`;
  const shas = (
    await fixtureGit(['rev-list', `refs/heads/${branch}`, `^${baseRev}`, '--'], { cwd: bare })
  ).stdout
    .split('\n')
    .filter(Boolean);
  const commits: Array<{ sha: string; message: string; files: string[] }> = [];
  for (const sha of shas) {
    const message = (await fixtureGit(['log', '-1', '--format=%B', sha], { cwd: bare })).stdout;
    const files = (
      await fixtureGit(['diff-tree', '--root', '--no-commit-id', '-r', '-z', '--name-only', sha], {
        cwd: bare,
      })
    ).stdout
      .split('\0')
      .filter(Boolean);
    commits.push({ sha, message, files });
  }
  return commits;
}
