/**
 * `npm run bench -- --sweep`: the sweep of every pin of Atmosphere's vars
 * files on 8 branches (the 6 fixtures, then synthetic stable/2025.2, 2025.3
 * copied from stable-2025.1.yml as bench/world.ts makes them), in report mode,
 * against a real registry with token auth holding a labelled OCI index for
 * every distinct pinned image:tag, a few of them behind.
 *
 * Rounds are A B A B …: A is cold (a fresh worker with fresh activity
 * dependencies: an empty registry-client cache, no token, an empty git work
 * directory), B is warm (the same worker right after). The worker runs in
 * this process, like the tests' workers (the bump's bench runs its worker in
 * a process of its own to measure its RSS; this one does not). Counted: the
 * registry's requests by kind (at the fault front before it), the token
 * issuer's requests, the wall time from the start to the result, and the
 * sweep's history. With --rtt, a front holding each registry request that
 * long sits before the fault front (the token issuer is not delayed).
 */
import { readFile, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startSweep } from '../src/cli/sweep/sweepStart.js';
import { branchTag } from '../src/lib/kit/branches.js';
import { atmosphereDir } from '../src/sandbox/paths.js';
import { createSweepWorld, SWEEP_PREFIX, type BehindSpec } from '../src/sandbox/sweepWorld.js';
import { createWorker, dependenciesFromEnvironment } from '../src/worker.js';
import type { SweepResult } from '../src/workflows/sweep/sweepInput.js';
import { workflowBundle } from '../test/support/temporal.js';
import { startRegistryFront } from './latencyProxy.js';
import { historyStats, round, type HistoryStats } from './measure.js';
import { benchBranches } from './world.js';

const BEHIND: BehindSpec[] = [
  { image: 'ghcr.io/vexxhost/magnum', branch: 'main' },
  { image: 'ghcr.io/vexxhost/magnum', branch: 'stable/2025.1' },
  { image: 'ghcr.io/vexxhost/keystone', branch: 'stable/2024.1', version: '2023.2' },
  { image: 'ghcr.io/vexxhost/nova', branch: 'stable/2023.2', platform: 'linux/arm64' },
  { image: 'ghcr.io/vexxhost/glance', branch: 'stable/2025.3' },
];

export interface SweepRequestKinds {
  /** HEAD of a manifest by tag: the one request per distinct image:tag */
  manifestHeadTag: number;
  manifestHeadDigest: number;
  manifestGet: number;
  blobGet: number;
  /** 401 answers (the registry's challenge before a token) */
  challenge: number;
  other: number;
}

export interface SweepRunRecord {
  variant: 'cold' | 'warm';
  /** start of the workflow to its result */
  ms: number;
  /** every request the registry saw (through the fault front), 401s included */
  registryRequests: number;
  byKind: SweepRequestKinds;
  /** requests to the token issuer */
  tokens: number;
  pins: number;
  pairs: number;
  behindPins: number;
  /** registry requests and tokens, divided by the distinct image:tag pairs */
  perPair: number;
  /** the same without the 401 challenges and the tokens */
  perPairNoAuth: number;
  history: HistoryStats;
  /** empty when the sweep found exactly the pins made behind, nothing unavailable, each image:tag asked once */
  problems: string[];
}

export interface SweepBenchResult {
  branches: string[];
  synthetic: string[];
  /** the images made behind, by branch */
  behind: string[];
  buildMs: number;
  runs: SweepRunRecord[];
}

function kinds(requests: readonly { method: string; url: string; status: number }[]): SweepRequestKinds {
  const k: SweepRequestKinds = {
    manifestHeadTag: 0,
    manifestHeadDigest: 0,
    manifestGet: 0,
    blobGet: 0,
    challenge: 0,
    other: 0,
  };
  for (const r of requests) {
    const manifest = /^\/v2\/.+\/manifests\/([^/?]+)/.exec(r.url);
    if (r.status === 401) k.challenge += 1;
    else if (manifest && r.method === 'HEAD')
      k[manifest[1]!.startsWith('sha256:') ? 'manifestHeadDigest' : 'manifestHeadTag'] += 1;
    else if (manifest && r.method === 'GET') k.manifestGet += 1;
    else if (/^\/v2\/.+\/blobs\//.test(r.url) && r.method === 'GET') k.blobGet += 1;
    else k.other += 1;
  }
  return k;
}

export async function benchSweep(options: {
  env: TestWorkflowEnvironment;
  rounds: number;
  rttMs: number;
  stateDir: string;
  log: (line: string) => void;
}): Promise<SweepBenchResult> {
  const { env, rounds } = options;
  const { branches, synthetic } = benchBranches(8);
  const newest = await readFile(path.join(atmosphereDir, 'stable-2025.1.yml'), 'utf8');
  const fromTag = `:${branchTag('stable/2025.1')}@`;
  const tBuild = performance.now();
  const world = await createSweepWorld({
    slug: 'bench/atmosphere-sweep',
    branches,
    behind: BEHIND,
    synthesize: (branch) => newest.split(fromTag).join(`:${branchTag(branch)}@`),
    stateDir: options.stateDir,
  });
  try {
    const front = await startRegistryFront(world.front.url, options.rttMs);
    const sweepUser = (JSON.parse(world.env.BUMPFLOW_REGISTRY_AUTH ?? '{}') as Record<string, unknown>)[
      new URL(world.front.url).host
    ];
    const buildMs = performance.now() - tBuild;
    const bundle = await workflowBundle();
    const expected = [...new Set(BEHIND.map((b) => `${b.image} ${b.branch}`))].sort();
    const runs: SweepRunRecord[] = [];
    try {
      for (let r = 0; r < rounds; r += 1) {
        // cold: new dependencies (registry client, git work directory) and a new worker
        const taskQueue = `bumpflow-bench-sweep-${Date.now()}-${r}`;
        const deps = dependenciesFromEnvironment({
          ...world.env,
          BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${front.url}`,
          // credentials go by the host contacted: the delaying front's, the fault front's user
          BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ [front.host]: sweepUser }),
          BUMPFLOW_WORK_DIR: await mkdtemp(path.join(options.stateDir, `sweep-work-${r}-`)),
        });
        const worker = await createWorker({
          connection: env.nativeConnection,
          namespace: 'default',
          taskQueue,
          deps,
          workflowBundle: bundle,
        });
        const settings = { address: env.address, namespace: 'default', taskQueue, uiUrl: '' };
        await worker.runUntil(async () => {
          for (const variant of ['cold', 'warm'] as const) {
            const reqFrom = world.front.requests.length;
            const tokFrom = world.issuer.requests.length;
            const t0 = performance.now();
            const handle = await startSweep(env.client, settings, {
              targetRepo: world.targetUrl,
              imagePrefixes: [SWEEP_PREFIX],
              report: true,
            });
            const result = (await handle.result()) as SweepResult;
            const ms = performance.now() - t0;
            const asked = world.front.requests.slice(reqFrom);
            const byKind = kinds(asked);
            const tokens = world.issuer.requests.length - tokFrom;
            const found = [...new Set(result.behind.map((p) => `${p.image} ${p.branch}`))].sort();
            const problems: string[] = [];
            if (found.join('\n') !== expected.join('\n'))
              problems.push(`expected behind ${expected.join(', ')}, found ${found.join(', ') || 'none'}`);
            if (result.counts.unavailable > 0)
              problems.push(`expected nothing unavailable, found ${result.counts.unavailable} pins`);
            if (byKind.manifestHeadTag !== result.pairCount)
              problems.push(
                `expected one HEAD per distinct image:tag (${result.pairCount}), found ${byKind.manifestHeadTag}`,
              );
            const pairs = result.pairCount;
            runs.push({
              variant,
              ms: round(ms, 0),
              registryRequests: asked.length,
              byKind,
              tokens,
              pins: result.pinCount,
              pairs,
              behindPins: result.counts.behind,
              perPair: round((asked.length + tokens) / pairs, 3),
              perPairNoAuth: round((asked.length - byKind.challenge) / pairs, 3),
              history: (await historyStats(env.client, [handle.workflowId]))[0]!,
              problems,
            });
            options.log(
              `bench: sweep round ${r + 1}/${rounds} ${variant}: ${round(ms, 0)} ms, ${asked.length} registry requests + ${tokens} tokens for ${pairs} pairs`,
            );
            for (const p of problems) options.log(`bench:   problem: ${p}`);
          }
        });
      }
    } finally {
      await front.close();
    }
    return {
      branches,
      synthetic,
      behind: expected,
      buildMs: round(buildMs, 0),
      runs,
    };
  } finally {
    await world.close();
  }
}
