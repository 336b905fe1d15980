/**
 * The benchmark's sandbox for N branches: the project's scenario (real
 * registry with auth, bare repos from the Atmosphere vars files, labelled
 * images per tag, the GitHub stand-in), with the registry behind a recording
 * front that holds each request for the current RTT, a counting git shim for
 * each variant (the worker's, the scripts'), the environments of the worker
 * and of the scripts, `advance` (the world moves before every run:
 * bench/advance.ts), `verify` and a `reset` that deletes a run's work branches
 * and PRs. The git remotes are served by bench/gitHttpProcess.ts, started per
 * RTT by the caller: the environments take its URL.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createScenario, type Scenario } from '../src/sandbox/scenario.js';
import { atmosphereDir } from '../src/sandbox/paths.js';
import { branchTag } from '../src/lib/kit/branches.js';
import { VARS_PATH } from '../src/sandbox/gitFixtures.js';
import type { RunningPagingFront } from '../src/sandbox/pagingFront.js';
import { startRegistryFront } from './latencyProxy.js';
import { createGitShim, type GitShim } from './measure.js';
import { advanceWorld, headFromFiles } from './advance.js';

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
  /** the bare repos the git HTTP process serves */
  remotesDir: string;
  /** the RTT the registry front holds each request for from now on */
  setRtt(ms: number): void;
  workerShim: GitShim;
  scriptShim: GitShim;
  workerEnv(gitUrl: string, extra: Record<string, string>): Record<string, string>;
  scriptEnv(gitUrl: string, workDir: string): Record<string, string>;
  /** the digest each branch must be bumped to now (changes with every `advance`) */
  expected: Record<string, string>;
  /** a new source commit, a new image and a new target commit on every branch */
  advance(): Promise<void>;
  /** checks every branch's work branch carries the expected digest and one PR per branch is open; returns problems */
  verify(): string[];
  /** deletes the work branches and the PRs of a run */
  reset(): void;
  close(): Promise<void>;
}

export async function createBenchWorld(options: { n: number; stateDir: string }): Promise<BenchWorld> {
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
    let rttMs = 0;
    const front = await startRegistryFront(scenario.registry.url, () => rttMs);
    closers.push(() => front.close());
    const remotesDir = path.join(scenario.git.root, 'remotes');
    const shimDir = async (name: string): Promise<string> => {
      await mkdir(path.join(options.stateDir, name), { recursive: true });
      return path.join(options.stateDir, name);
    };
    const workerShim = await createGitShim(await shimDir('worker-git-shim'));
    const scriptShim = await createGitShim(await shimDir('script-git-shim'));
    const bare = scenario.git.barePath(scenario.slug);
    // the stand-in reads branch heads from the files: no git process in the bench's own process during a run
    scenario.github.resolveHeadSha = (owner, repo, branch) =>
      Promise.resolve(headFromFiles(scenario.git.barePath(`${owner}/${repo}`), branch));

    const realPath = process.env.PATH ?? '/usr/bin:/bin';
    // the one insteadOf of the scenario, pointed at the HTTP server instead of the remotes directory
    const gitHttpEnv = (gitUrl: string) => ({
      ...scenario.git.env,
      GIT_CONFIG_KEY_0: `url.${gitUrl}/.insteadOf`,
    });
    const auth = JSON.parse(scenario.env.BUMPFLOW_REGISTRY_AUTH ?? '{}') as Record<
      string,
      { username: string; password: string }
    >;
    const creds = auth[scenario.registry.host];
    if (creds === undefined)
      throw new Error(`bench: expected registry credentials for ${scenario.registry.host} in the scenario`);
    const git = (args: string[]): string =>
      execFileSync('git', args, {
        cwd: bare,
        encoding: 'utf8',
        env: { ...process.env, ...scenario.git.env },
      });
    const expected: Record<string, string> = { ...scenario.newDigest };
    let step = 0;

    return {
      scenario,
      branches,
      synthetic,
      front,
      remotesDir,
      setRtt: (ms) => (rttMs = ms),
      workerShim,
      scriptShim,
      workerEnv: (gitUrl, extra) => ({
        ...scenario.env,
        ...gitHttpEnv(gitUrl),
        PATH: `${workerShim.binDir}:${realPath}`,
        BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${front.url}`,
        // the front's own host: the credentials go with the host contacted
        BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ [front.host]: creds }),
        ...extra,
      }),
      scriptEnv: (gitUrl, workDir) => ({
        ...gitHttpEnv(gitUrl),
        PATH: `${scriptShim.binDir}:${realPath}`,
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
      expected,
      async advance() {
        step += 1;
        Object.assign(expected, await advanceWorld(scenario, branches, step));
      },
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
          if (!vars.includes(`magnum:${tag}@${expected[tag]}`))
            problems.push(`${branch}: expected ${work} to pin ${expected[tag]}, found another pin`);
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
