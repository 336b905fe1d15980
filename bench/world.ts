/**
 * The benchmark's sandbox for N branches: the project's scenario (real
 * registry with auth, bare repos from the Atmosphere vars files, labelled
 * images per tag, the GitHub stand-in), with the registry behind a recording
 * (and, with --rtt, delaying) front and the bare repos served over smart HTTP
 * by `git http-backend` (same delay), a counting git shim for each of the two
 * variants, the environments of the worker and of the hand script, and a reset
 * that puts the target repo and the stand-in back as they were before a run.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createScenario, type Scenario } from '../src/sandbox/scenario.js';
import { atmosphereDir } from '../src/sandbox/paths.js';
import { branchTag } from '../src/lib/branches.js';
import { VARS_PATH } from '../src/sandbox/gitFixtures.js';
import type { RunningPagingFront } from '../src/sandbox/pagingFront.js';
import { startGitHttp, startRegistryFront, type GitHttpServer } from './latencyProxy.js';
import { createGitShim, type GitShim } from './measure.js';

/** Branches with a real fixture file, in the order the benchmark adds them. */
const FIXTURE_BRANCHES = [
  'main',
  'stable/2025.1',
  'stable/2024.2',
  'stable/2024.1',
  'stable/2023.2',
  'stable/2023.1',
];
const NEWEST_FIXTURE = { branch: 'stable/2025.1', file: 'stable-2025.1.yml' };

/** The first `n` branches: the fixtures' own, then synthetic stable/2025.2, 2025.3 … copied from the newest. */
export function benchBranches(n: number): { branches: string[]; synthetic: string[] } {
  const branches = FIXTURE_BRANCHES.slice(0, n);
  const synthetic: string[] = [];
  for (let minor = 2; branches.length < n; minor += 1) {
    const name = `stable/2025.${minor}`;
    branches.push(name);
    synthetic.push(name);
  }
  return { branches, synthetic };
}

export interface BenchWorld {
  scenario: Scenario;
  branches: string[];
  synthetic: string[];
  front: RunningPagingFront;
  gitHttp: GitHttpServer;
  workerShim: GitShim;
  handShim: GitShim;
  workerEnv: Record<string, string>;
  handEnv(workDir: string): Record<string, string>;
  /** the digest each branch must be bumped to */
  newDigest: Record<string, string>;
  /** checks every branch's work branch carries the new digest and one PR per branch is open; returns problems */
  verify(): string[];
  /** deletes the work branches and the PRs of a run */
  reset(): void;
  close(): Promise<void>;
}

export async function createBenchWorld(options: {
  n: number;
  rttMs: number;
  stateDir: string;
  taskQueue: string;
  temporalAddress: string;
}): Promise<BenchWorld> {
  const { branches, synthetic } = benchBranches(options.n);
  const newest = await readFile(path.join(atmosphereDir, NEWEST_FIXTURE.file), 'utf8');
  const fromTag = `:${branchTag(NEWEST_FIXTURE.branch)}@`;
  const scenario = await createScenario({
    slug: `bench/atmosphere-${options.n}`,
    branches,
    stateDir: options.stateDir,
    synthesize: (branch) => newest.split(fromTag).join(`:${branchTag(branch)}@`),
  });
  const closers: Array<() => Promise<unknown>> = [() => scenario.close()];
  try {
    const front = await startRegistryFront(scenario.registry.url, options.rttMs);
    closers.push(() => front.close());
    const remotes = path.join(scenario.git.root, 'remotes');
    const gitHttp = await startGitHttp(remotes, options.rttMs);
    closers.push(() => gitHttp.close());
    const shimDir = (name: string): Promise<string> =>
      mkdir(path.join(options.stateDir, name), { recursive: true }).then(() =>
        path.join(options.stateDir, name),
      );
    const workerShim = await createGitShim(await shimDir('worker-git-shim'));
    const handShim = await createGitShim(await shimDir('hand-git-shim'));

    const realPath = process.env.PATH ?? '/usr/bin:/bin';
    // the one insteadOf of the scenario, pointed at the HTTP server instead of the remotes directory
    const gitHttpEnv = { ...scenario.git.env, GIT_CONFIG_KEY_0: `url.${gitHttp.url}/.insteadOf` };
    const workerEnv: Record<string, string> = {
      ...scenario.env,
      ...gitHttpEnv,
      PATH: `${workerShim.binDir}:${realPath}`,
      BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${front.url}`,
      TEMPORAL_ADDRESS: options.temporalAddress,
      BUMPFLOW_TASK_QUEUE: options.taskQueue,
    };
    const auth = JSON.parse(scenario.env.BUMPFLOW_REGISTRY_AUTH ?? '{}') as Record<
      string,
      { username: string; password: string }
    >;
    const creds = auth['ghcr.io'];
    if (creds === undefined)
      throw new Error('bench: expected registry credentials for ghcr.io in the scenario');
    const bare = scenario.git.barePath(scenario.slug);
    const git = (args: string[]): string =>
      execFileSync('git', args, {
        cwd: bare,
        encoding: 'utf8',
        env: { ...process.env, ...scenario.git.env },
      });

    return {
      scenario,
      branches,
      synthetic,
      front,
      gitHttp,
      workerShim,
      handShim,
      workerEnv,
      handEnv: (workDir) => ({
        ...gitHttpEnv,
        PATH: `${handShim.binDir}:${realPath}`,
        HOME: scenario.env.HOME ?? '/tmp',
        LC_ALL: 'C',
        TARGET_URL: scenario.targetUrl,
        TARGET_SLUG: scenario.slug,
        SOURCE_URL: scenario.sourceUrl,
        BRANCHES: branches.join(' '),
        WORK: workDir,
        REGISTRY: front.host,
        REGISTRY_USER: creds.username,
        REGISTRY_PASSWORD: creds.password,
        GITHUB_API_URL: scenario.github.url,
        GITHUB_TOKEN: scenario.env.GITHUB_TOKEN ?? '',
        // skopeo: no user auth file, no containers config from HOME
        REGISTRY_AUTH_FILE: path.join(workDir, 'no-auth.json'),
      }),
      newDigest: scenario.newDigest,
      verify() {
        const problems: string[] = [];
        for (const branch of branches) {
          const tag = branchTag(branch);
          const work = `bump-magnum-${tag}`;
          let vars = '';
          try {
            vars = git(['show', `refs/heads/${work}:${VARS_PATH}`]);
          } catch {
            problems.push(`${branch}: expected a pushed ${work}, found none`);
            continue;
          }
          if (!vars.includes(`magnum:${tag}@${scenario.newDigest[tag]}`))
            problems.push(`${branch}: expected ${work} to pin ${scenario.newDigest[tag]}, found another pin`);
          const prs = scenario.github.pulls.filter((p) => p.base === branch && p.state === 'open');
          if (prs.length !== 1) problems.push(`${branch}: expected one open PR, found ${prs.length}`);
        }
        return problems;
      },
      reset() {
        const refs = git(['for-each-ref', '--format=%(refname)', 'refs/heads/bump-*'])
          .split('\n')
          .filter(Boolean);
        for (const ref of refs) git(['update-ref', '-d', ref]);
        scenario.github.pulls.length = 0;
      },
      async close() {
        for (const c of closers.reverse()) await c().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw err;
  }
}
