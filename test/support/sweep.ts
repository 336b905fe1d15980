/** Helpers for the sweep tests: a worker on a sweep world, a sweep run to its result, requests counted by kind. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TemporalSettings } from '../../src/config.js';
import type { SweepWorld } from '../../src/sandbox/sweepWorld.js';
import { SWEEP_PREFIX } from '../../src/sandbox/sweepWorld.js';
import { startSweep } from '../../src/cli/sweep/sweepStart.js';
import type { SweepRequest, SweepResult } from '../../src/workflows/sweep/sweepInput.js';
import { runWorker } from './bump.js';

export interface SweepRun {
  settings: TemporalSettings;
  sweep(r?: Partial<SweepRequest>): Promise<{ workflowId: string; result: SweepResult }>;
}

export function withSweepWorker<T>(
  env: TestWorkflowEnvironment,
  world: SweepWorld,
  fn: (run: SweepRun) => Promise<T>,
): Promise<T> {
  return runWorker(env, world.deps, (settings) =>
    fn({
      settings,
      async sweep(r = {}) {
        const handle = await startSweep(env.client, settings, {
          targetRepo: world.targetUrl,
          imagePrefixes: [SWEEP_PREFIX],
          ...r,
        });
        return { workflowId: handle.workflowId, result: (await handle.result()) as SweepResult };
      },
    }),
  );
}

/** What the registry was asked since `from`: HEADs of manifests by tag (per repository:tag), other reads, 401s. */
export function requestsSince(world: SweepWorld, from: number) {
  const asked = world.front.requests.slice(from);
  const headsByPair = new Map<string, number>();
  const reads: string[] = [];
  let challenged = 0;
  for (const r of asked) {
    if (r.status === 401) {
      challenged += 1;
      continue;
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(r.url);
    if (r.method === 'HEAD' && m && !m[2]!.startsWith('sha256:')) {
      const id = `ghcr.io/${m[1]}:${m[2]}`;
      headsByPair.set(id, (headsByPair.get(id) ?? 0) + 1);
    } else reads.push(`${r.method} ${r.url}`);
  }
  return { total: asked.length, headsByPair, reads, challenged };
}
