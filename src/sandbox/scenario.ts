/**
 * One bump's world, built from real parts: git bare repos seeded from the
 * real Atmosphere vars files, a source repo (docker-magnum) whose branch
 * heads match the images' revision labels, a real distribution registry with
 * basic auth holding images labelled as the real builds label them, and the
 * GitHub stand-in (the one test double: GitHub cannot run here).
 *
 * `env` is what a worker process needs; `deps` are the same clients built in
 * this process through the worker's own `dependenciesFromEnvironment`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ActivityDeps } from '../activities/index.js';
import { createRegistryClient, type RegistryClient } from '../clients/registry/index.js';
import { dependenciesFromEnvironment } from '../worker.js';
import { branchTag } from '../lib/kit/branches.js';
import { createGitSandbox, addCommit, type GitSandbox } from './gitFixtures.js';
import { createSourceRepo, createTargetRepo } from './fixtureRepos.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { pushLabelledImage } from './images.js';
import { startGitHubStandIn, type GitHubStandIn } from './githubStandIn.js';
import { headsOf, workerEnv } from './worldParts.js';

export const SERVICE = 'magnum';
export const IMAGE_REPOSITORY = 'vexxhost/magnum';
export const SOURCE_SLUG = 'vexxhost/docker-magnum';
export const DEPENDENCY = { name: 'magnum-cluster-api', old: '0.36.4', new: '0.36.5' };

export interface ScenarioOptions {
  /** target repo slug; unique per test so workflow ids never collide */
  slug: string;
  branches?: string[];
  /** branches whose pin already equals the tag's newest digest */
  current?: string[];
  /** branches whose newest image is built from an older commit than the source branch's HEAD */
  stale?: string[];
  /** tag → version label to put on the newest image instead of the tag */
  versionLabel?: Record<string, string>;
  /** change a branch's vars file after the pins are set */
  transform?: (branch: string, text: string) => string;
  /** where the git sandbox, the registry's storage and the worker's work directory live (default: the system temp dir) */
  stateDir?: string;
  /** stable branches whose fix commit is not a recorded backport of main's */
  withoutBackport?: string[];
  /** the vars file of a branch that has no fixture file (it is then pinned like a fixture's) */
  synthesize?: (branch: string) => string;
}

export interface Scenario {
  git: GitSandbox;
  registry: RunningRegistry;
  github: GitHubStandIn;
  /** a client that can push, configured like the worker's */
  registryClient: RegistryClient;
  targetUrl: string;
  sourceUrl: string;
  slug: string;
  branches: string[];
  /** per branch tag: the digest pinned at the start and the tag's newest digest */
  oldDigest: Record<string, string>;
  newDigest: Record<string, string>;
  /** source commits per source branch, oldest first: [initial, fix, dependency bump] */
  sourceCommits: Record<string, string[]>;
  fixCommit: Record<string, string>;
  /** the environment of a worker for this world (contains the secrets) */
  env: Record<string, string>;
  deps: ActivityDeps;
  /** every secret value in play, to prove none leaks */
  secrets: string[];
  workDir: string;
  /** pushes a new build of a tag, as CI would after a commit on the source branch */
  publish(tag: string, options?: { revision?: string; version?: string; salt?: string }): Promise<string>;
  close(): Promise<void>;
}

function sourceBranchOf(branch: string): string {
  return branch;
}

export async function createScenario(options: ScenarioOptions): Promise<Scenario> {
  const branches = options.branches ?? ['main', 'stable/2024.2', 'stable/2025.1'];
  const parentDir = options.stateDir ?? os.tmpdir();
  const git = await createGitSandbox(parentDir);
  const registryPassword = `reg-${randomBytes(12).toString('hex')}`;
  const githubToken = `ghp_${randomBytes(18).toString('hex')}`;
  // the registry and the GitHub stand-in start while the source repo is built
  const registryStarting = (async () =>
    startRegistry({
      auth: { username: 'bumpflow', password: registryPassword },
      ...(options.stateDir === undefined
        ? {}
        : { dataDir: await mkdtemp(path.join(parentDir, 'bumpflow-registry-')) }),
    }))();
  const githubStarting = startGitHubStandIn({ token: githubToken });
  const workDir = await mkdtemp(path.join(parentDir, 'bumpflow-work-'));

  // The source repo: each branch has an initial build, a fix, then a dependency bump at HEAD.
  const sourceSpec: Parameters<typeof createSourceRepo>[2] = {};
  for (const branch of branches) {
    sourceSpec[sourceBranchOf(branch)] = [
      {
        message: `Initial image for ${branch}`,
        files: {
          Dockerfile: `FROM ghcr.io/vexxhost/openstack-venv-builder:${branchTag(branch)}\nRUN pip install ${DEPENDENCY.name}==${DEPENDENCY.old}\n`,
          'requirements.txt': `magnum\n${DEPENDENCY.name}==${DEPENDENCY.old}\n`,
        },
      },
      {
        // on a stable branch the fix is a backport of main's, made with `git cherry-pick -x` (unless the scenario says not)
        message: (done) =>
          branch === 'main' || done['main'] === undefined || options.withoutBackport?.includes(branch)
            ? 'fix: preserve the floating IP flag during upgrades'
            : `fix: preserve the floating IP flag during upgrades\n\n(cherry picked from commit ${done['main'][1]})`,
        files: { 'patches/0001-floating-ip.patch': `fix for ${branch}\n` },
      },
      {
        message: `chore: bump ${DEPENDENCY.name} to ${DEPENDENCY.new}`,
        files: {
          Dockerfile: `FROM ghcr.io/vexxhost/openstack-venv-builder:${branchTag(branch)}\nRUN pip install ${DEPENDENCY.name}==${DEPENDENCY.new}\n`,
          'requirements.txt': `magnum\n${DEPENDENCY.name}==${DEPENDENCY.new}\n`,
        },
      },
    ];
  }
  const started = await Promise.allSettled([
    registryStarting,
    createSourceRepo(git, SOURCE_SLUG, sourceSpec),
    githubStarting,
  ] as const);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    // nothing left running when one part could not start
    if (started[0].status === 'fulfilled') await started[0].value.close();
    if (started[2].status === 'fulfilled') await started[2].value.close();
    await git.close();
    throw failed.reason;
  }
  const registry = (started[0] as PromiseFulfilledResult<Awaited<typeof registryStarting>>).value;
  const source = (started[1] as PromiseFulfilledResult<Awaited<ReturnType<typeof createSourceRepo>>>).value;
  const github = (started[2] as PromiseFulfilledResult<Awaited<typeof githubStarting>>).value;
  const sourceUrl = source.url;

  const registryClient = createRegistryClient({
    mirrors: { 'ghcr.io': registry.url },
    // credentials by the host contacted: the mirror's, never ghcr.io's
    credentials: (host) =>
      host === registry.host ? { username: 'bumpflow', password: registryPassword } : undefined,
  });
  const publish = async (
    tag: string,
    o: { revision?: string; version?: string; salt?: string } = {},
  ): Promise<string> => {
    const branch = tag === 'main' ? 'main' : `stable/${tag}`;
    const commits = source.commits[sourceBranchOf(branch)] ?? [];
    const { digest } = await pushLabelledImage(
      registryClient,
      { registry: 'ghcr.io', repository: IMAGE_REPOSITORY, tag },
      {
        source: `https://github.com/${SOURCE_SLUG}`,
        revision: o.revision ?? commits[commits.length - 1]!,
        version: o.version ?? tag,
      },
      { salt: o.salt ?? 'newest' },
    );
    return digest;
  };

  const oldDigest: Record<string, string> = {};
  const newDigest: Record<string, string> = {};
  const fixCommit: Record<string, string> = {};
  // every branch's images at once; within a branch the old build first, so the tag ends at the new one
  await Promise.all(
    branches.map(async (branch) => {
      const tag = branchTag(branch);
      const commits = source.commits[sourceBranchOf(branch)]!;
      fixCommit[tag] = commits[1]!;
      oldDigest[tag] = await publish(tag, { revision: commits[0]!, salt: 'previous' });
      newDigest[tag] = await publish(tag, {
        revision: options.stale?.includes(branch) ? commits[1]! : commits[2]!,
        version: options.versionLabel?.[tag] ?? tag,
      });
      if (options.current?.includes(branch)) oldDigest[tag] = newDigest[tag]!;
    }),
  );

  // The target repo: the real vars files, with magnum pinned to the digests above.
  const target = await createTargetRepo(git, {
    slug: options.slug,
    branches,
    transform: (branch, fixture) => {
      const tag = branchTag(branch);
      const text = fixture === '' && options.synthesize ? options.synthesize(branch) : fixture;
      const pinned = text.replace(
        new RegExp(`ghcr\\.io/vexxhost/magnum:${tag.replace(/\./g, '\\.')}@sha256:[a-f0-9]{64}`, 'g'),
        `ghcr.io/vexxhost/magnum:${tag}@${oldDigest[tag]}`,
      );
      return options.transform ? options.transform(branch, pinned) : pinned;
    },
  });

  github.resolveHeadSha = headsOf(git);

  const env = workerEnv(git, { url: github.url, token: githubToken }, workDir, {
    BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${registry.url}`,
    BUMPFLOW_REGISTRY_AUTH: JSON.stringify({
      [registry.host]: { username: 'bumpflow', password: registryPassword },
    }),
    DOCKER_CONFIG: path.join(workDir, 'no-docker-config'),
  });

  return {
    git,
    registry,
    github,
    registryClient,
    targetUrl: target.url,
    sourceUrl,
    slug: options.slug,
    branches,
    oldDigest,
    newDigest,
    sourceCommits: source.commits,
    fixCommit,
    env,
    deps: dependenciesFromEnvironment(env),
    secrets: [registryPassword, githubToken],
    workDir,
    publish,
    async close() {
      await github.close();
      await registry.close();
      await git.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

export { addCommit };
