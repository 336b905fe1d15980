/** Shared set-up of the git client tests: a sandbox of real bare repos, the inputs of a bump, assertions. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { createGit, type Git, type PushInput } from '../../src/clients/git/index.js';
import { BumpflowError, type FailureType } from '../../src/shared/failures.js';
import { createSourceRepo, createTargetRepo } from '../../src/sandbox/fixtureRepos.js';
import { createGitSandbox, fixtureGit, VARS_PATH, type GitSandbox } from '../../src/sandbox/gitFixtures.js';
import { atmosphereDir } from '../../src/sandbox/paths.js';

export const TARGET = 'vexxhost/atmosphere';
export const SOURCE = 'vexxhost/docker-magnum';
export const NOTE_PATH = 'releasenotes/notes/bump-magnum-0-36-6-3f2a9c1d5e7b8a60.yaml';
export const NOTE =
  '---\nfixes:\n  - |\n    The Magnum container image now includes the Cluster API driver for Magnum\n    version 0.36.6.\n';
export const AUTHOR = { name: 'Release Bot', email: 'bot@example.test' };
export const DATE = '2025-06-01T12:00:00Z';
export const MESSAGE =
  'fix(magnum): bump magnum image to include the Cluster API driver 0.36.6\n\nRefreshes every ghcr.io/vexxhost/magnum pin.';
export const SECRET = 's3cret-token';

export interface GitWorld {
  sandbox: GitSandbox;
  workDir: string;
  git: Git;
  target: { url: string; heads: Record<string, string> };
  source: { url: string; heads: Record<string, string>; commits: Record<string, string[]> };
}

/** The sandbox with the target repo (real vars files) and docker-magnum (a fix, its backport on 2025.1). */
export async function createGitWorld(): Promise<GitWorld> {
  const sandbox = await createGitSandbox();
  const workDir = path.join(sandbox.root, 'cache');
  const target = await createTargetRepo(sandbox);
  const source = await createSourceRepo(sandbox, SOURCE, {
    main: [
      {
        message: 'feat: build magnum with the Cluster API driver',
        files: {
          Dockerfile:
            'FROM ghcr.io/vexxhost/openstack-venv-builder:main\nCOPY requirements.txt /\nRUN pip install -r /requirements.txt\n',
          'requirements.txt': 'magnum-cluster-api==0.36.5\n',
          'upper-constraints.txt': 'pbr===6.1.0\n',
        },
      },
      {
        message: 'fix: bump magnum-cluster-api to 0.36.6',
        files: {
          'requirements.txt': 'magnum-cluster-api==0.36.6\n',
          'patches/magnum/requirements.txt': 'kubernetes>=29.0.0\n',
        },
      },
      {
        message: 'docs: describe the build',
        files: { 'README.md': '# docker-magnum\n\nBuilds ghcr.io/vexxhost/magnum.\n' },
      },
    ],
    'stable/2025.1': [
      {
        message: 'feat: build magnum 2025.1',
        files: { Dockerfile: 'FROM ghcr.io/vexxhost/openstack-venv-builder:2025.1\n' },
      },
      {
        message: (done) =>
          `fix: bump magnum-cluster-api to 0.36.6\n\n(cherry picked from commit ${done.main?.[1] ?? ''})`,
        files: { 'requirements.txt': 'magnum-cluster-api==0.36.6\n' },
      },
    ],
  });
  return { sandbox, workDir, target, source, git: createGit({ workDir, env: sandbox.env }) };
}

export function fixture(name: string): Promise<string> {
  return readFile(path.join(atmosphereDir, name), 'utf8');
}

/** The branch's real vars file with every ghcr.io/vexxhost/magnum:<tag> pin moved to a new digest. */
export async function bumpedVars(branch: string, digestHex: string): Promise<string> {
  const text = await fixture(`${branch.replace(/\//g, '-')}.yml`);
  const tag = branch === 'main' ? 'main' : branch.replace(/^stable\//, '');
  const bumped = text.replace(
    new RegExp(`(ghcr\\.io/vexxhost/magnum:${tag.replace(/\./g, '\\.')}@sha256:)[0-9a-f]{64}`, 'g'),
    `$1${digestHex}`,
  );
  assert.notEqual(bumped, text, `expected magnum pins for ${tag} in the ${branch} fixture`);
  return bumped;
}

export async function bumpInput(
  world: GitWorld,
  branch: string,
  overrides: Partial<PushInput> = {},
): Promise<PushInput> {
  const tag = branch === 'main' ? 'main' : branch.replace(/^stable\//, '');
  return {
    url: world.target.url,
    baseBranch: branch,
    workBranch: `bump-magnum-${tag}`,
    files: [
      { path: VARS_PATH, content: await bumpedVars(branch, 'a'.repeat(64)) },
      { path: NOTE_PATH, content: NOTE },
    ],
    message: MESSAGE,
    author: AUTHOR,
    date: DATE,
    ...overrides,
  };
}

export async function rejectsWith(
  promise: Promise<unknown>,
  type: FailureType,
  pattern?: RegExp,
): Promise<BumpflowError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof BumpflowError, `expected a BumpflowError, got ${inspect(caught)}`);
  assert.equal(caught.type, type, caught.message);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

export async function parentOf(sandbox: GitSandbox, slug: string, sha: string): Promise<string[]> {
  const out = await fixtureGit(['rev-list', '--parents', '-n', '1', sha], { cwd: sandbox.barePath(slug) });
  return out.stdout.trim().split(' ').slice(1);
}

export async function objectTypes(dir: string): Promise<string[]> {
  const out = await fixtureGit(['cat-file', '--batch-all-objects', '--batch-check=%(objecttype)'], {
    cwd: dir,
  });
  return out.stdout.split('\n').filter(Boolean);
}
