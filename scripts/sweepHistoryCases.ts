/**
 * The sweep's recorded cases (scripts/record-sweep-histories.ts runs them):
 * each builds a sweep world (main and stable/2025.1 of Atmosphere's real vars
 * files, a labelled index per pinned image:tag), runs one sweep and checks
 * what it must end with. Recorded: the sweep's own history, <case>-sweep.json.
 */
import assert from 'node:assert/strict';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import {
  createSweepWorld,
  SWEEP_PREFIX,
  type BehindSpec,
  type SweepWorld,
} from '../src/sandbox/sweepWorld.js';
import {
  sweepStatusQuery,
  type SweepRequest,
  type SweepResult,
  type SweepStatus,
} from '../src/workflows/sweep/sweepInput.js';
import { startSweep } from '../src/cli/sweepStart.js';
import type { TemporalSettings } from '../src/config.js';
import type { Fault } from './faultHistoryCases.js';
import { withDeadline } from './historyRecording.js';

export interface SweepCase {
  name: string;
  behind: BehindSpec[];
  /** repositories answering 503 for the whole sweep */
  failing?: string[];
  request: Partial<SweepRequest>;
  /** before the sweep: e.g. a bump already running */
  prepare?(world: SweepWorld, client: Client): Promise<void>;
  /** an activity made to fail (sweepFaultHistoryCases.ts): the sweep must fail, `failed` checks how */
  fault?: Fault;
  check(result: SweepResult): void;
  /** a fault case: the failure and the status the sweep answers afterwards */
  failed?(failure: { type?: string | undefined; message: string }, status: SweepStatus): void;
}

/** A case's world: main and stable/2025.1, the case's behind pins, its failing repositories. */
export async function sweepCaseWorld(c: SweepCase, slug: string): Promise<SweepWorld> {
  const world = await createSweepWorld({ slug, branches: ['main', 'stable/2025.1'], behind: c.behind });
  for (const repo of c.failing ?? []) world.front.failing.add(repo);
  return world;
}

/**
 * Runs a case as the recorder and test/workflows/procedureFaults.test.ts do:
 * the case's preparation, the sweep started as the CLI starts it, its result
 * (or, for a fault case, its failure and the status it answers) checked.
 */
export async function runSweepCase(
  client: Client,
  settings: TemporalSettings,
  world: SweepWorld,
  c: SweepCase,
): Promise<{ workflowId: string; bumps: string[] }> {
  await c.prepare?.(world, client);
  const handle = await startSweep(client, settings, {
    targetRepo: world.targetUrl,
    imagePrefixes: [SWEEP_PREFIX],
    ...c.request,
  });
  const ended = withDeadline(handle.result() as Promise<SweepResult>, 120_000, `the sweep of ${c.name}`);
  if (c.fault === undefined) {
    const result = await ended;
    c.check(result);
    return { workflowId: handle.workflowId, bumps: result.bumps.map((b) => b.workflowId) };
  }
  const err = await ended.then(
    () => new Error(`expected the sweep of ${c.name} to fail, it ended done`),
    (e: unknown) => e,
  );
  if (!(err instanceof WorkflowFailedError)) throw err;
  const cause = err.cause as { type?: string; message?: string; cause?: { type?: string; message?: string } };
  const typed = cause.type === undefined && cause.cause !== undefined ? cause.cause : cause;
  c.failed!({ type: typed.type, message: typed.message ?? '' }, await handle.query(sweepStatusQuery));
  return { workflowId: handle.workflowId, bumps: [] };
}

const MAGNUM = 'ghcr.io/vexxhost/magnum';
const NOVA = 'ghcr.io/vexxhost/nova';

export const sweepCases: SweepCase[] = [
  {
    name: 'sweep-report',
    behind: [
      { image: MAGNUM, branch: 'main' },
      { image: NOVA, branch: 'stable/2025.1', platform: 'linux/amd64' },
    ],
    failing: ['vexxhost/glance'],
    request: { report: true },
    check(r) {
      assert.deepEqual([...new Set(r.behind.map((p) => p.image))].sort(), [MAGNUM, NOVA]);
      assert.ok(
        r.unavailable.length > 0 && r.unavailable.every((u) => u.id.startsWith('ghcr.io/vexxhost/glance:')),
      );
      assert.equal(r.bumps.length, 0);
    },
  },
  {
    name: 'sweep-bumps',
    behind: [
      { image: MAGNUM, branch: 'main' },
      { image: NOVA, branch: 'stable/2025.1' },
    ],
    request: {},
    async prepare(world, client) {
      const { bumpWorkflowId } = await import('../src/shared/messages.js');
      const { parseRepoUrl } = await import('../src/lib/repoUrl.js');
      await client.workflow.start('bumpImage', {
        taskQueue: 'bumpflow-record-nobody-polls',
        workflowId: bumpWorkflowId(parseRepoUrl(world.targetUrl).key, 'nova'),
        args: [{ service: 'nova', targetRepo: world.targetUrl }],
      });
    },
    check(r) {
      assert.deepEqual(
        r.bumps.map((b) => [b.service, b.outcome, b.branches.join(',')]),
        [
          ['magnum', 'started', 'main'],
          ['nova', 'skipped', 'stable/2025.1'],
        ],
      );
    },
  },
];
