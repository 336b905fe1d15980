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
import { startSweep } from '../src/cli/sweep/sweepStart.js';
import { PIN_WORKFLOW_TYPE, pinGate, pinStatusQuery, type PinResult } from '../src/shared/pin.js';
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
  /** the world also holds each ghcr.io/vexxhost/ image:tag pinned by tag only (a pin run's images) */
  publishUnpinned?: boolean;
  /** after the sweep: drives the children it started to their end; each is recorded as <case>-<part>.json */
  drive?(client: Client, result: SweepResult, world: SweepWorld): Promise<RecordedChild[]>;
  /**
   * an activity made to fail: the sweep's own (sweepFaultHistoryCases.ts: the sweep must fail,
   * `failed` checks how) or a pin run's (pinFaultHistoryCases.ts: the sweep ends, `drive` checks the run)
   */
  fault?: Fault;
  check(result: SweepResult): void;
  /** a fault case: the failure and the status the sweep answers afterwards */
  failed?(failure: { type?: string | undefined; message: string }, status: SweepStatus): void;
}

/** A child a case drove to its end, recorded beside the sweep. */
export interface RecordedChild {
  part: string;
  workflowId: string;
  workflowType: string;
}

/** A case's world: main and stable/2025.1, the case's behind pins, its failing repositories. */
export async function sweepCaseWorld(c: SweepCase, slug: string): Promise<SweepWorld> {
  const world = await createSweepWorld({
    slug,
    branches: ['main', 'stable/2025.1'],
    behind: c.behind,
    ...(c.publishUnpinned ? { publishUnpinned: true } : {}),
  });
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
): Promise<{ workflowId: string; bumps: string[]; children: RecordedChild[] }> {
  await c.prepare?.(world, client);
  const handle = await startSweep(client, settings, {
    targetRepo: world.targetUrl,
    imagePrefixes: [SWEEP_PREFIX],
    ...c.request,
  });
  const ended = withDeadline(handle.result() as Promise<SweepResult>, 120_000, `the sweep of ${c.name}`);
  if (c.failed === undefined) {
    const result = await ended;
    c.check(result);
    const children = (await c.drive?.(client, result, world)) ?? [];
    return { workflowId: handle.workflowId, bumps: result.bumps.map((b) => b.workflowId), children };
  }
  const err = await ended.then(
    () => new Error(`expected the sweep of ${c.name} to fail, it ended done`),
    (e: unknown) => e,
  );
  if (!(err instanceof WorkflowFailedError)) throw err;
  const cause = err.cause as { type?: string; message?: string; cause?: { type?: string; message?: string } };
  const typed = cause.type === undefined && cause.cause !== undefined ? cause.cause : cause;
  c.failed!({ type: typed.type, message: typed.message ?? '' }, await handle.query(sweepStatusQuery));
  return { workflowId: handle.workflowId, bumps: [], children: [] };
}

/** Waits until the pin run `workflowId` waits at its gate; its handle. */
export async function awaitPinApproval(client: Client, workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  await withDeadline(
    (async () => {
      while ((await handle.query(pinStatusQuery).catch(() => undefined))?.state !== 'awaiting-approval')
        await new Promise((done) => setTimeout(done, 200));
    })(),
    60_000,
    `${workflowId} awaiting approval`,
  );
  return handle;
}

/** A pin run recorded beside its sweep: `pin-main`, `pin-2025.1`. */
export function pinChild(p: { branch: string; workflowId: string }): RecordedChild {
  return {
    part: `pin-${p.branch === 'main' ? 'main' : p.branch.slice('stable/'.length)}`,
    workflowId: p.workflowId,
    workflowType: PIN_WORKFLOW_TYPE,
  };
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
      const { parseRepoUrl } = await import('../src/lib/kit/repoUrl.js');
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
  {
    // issue 23: the target's images and --pin; recorded on the new path only (`--suffix pin`)
    name: 'sweep-pins',
    behind: [],
    publishUnpinned: true,
    request: { pin: true, imagePrefixes: [], images: ['ghcr.io/vexxhost/**'] },
    check(r) {
      assert.equal(r.scope, 'ghcr.io/vexxhost/**');
      assert.deepEqual(
        (r.unpinned ?? []).map((u) => `${u.branch} ${u.key}`),
        [
          'main cert_manager_helm_chart',
          'main dep_check',
          'main openvswitch_db_server',
          'main openvswitch_vswitchd',
          'main pod_tls_sidecar',
          'stable/2025.1 cert_manager_helm_chart',
        ],
      );
      assert.deepEqual(
        (r.pins ?? []).map((p) => [p.branch, p.outcome]),
        [
          ['main', 'started'],
          ['stable/2025.1', 'started'],
        ],
      );
    },
    // main's pin run approved to its PR, stable/2025.1's rejected
    async drive(client, r) {
      const out: RecordedChild[] = [];
      for (const p of r.pins ?? []) {
        const handle = await awaitPinApproval(client, p.workflowId);
        const main = p.branch === 'main';
        await (main
          ? handle.executeUpdate(pinGate.approveUpdate, { args: [{ approver: 'recorder' }] })
          : handle.executeUpdate(pinGate.rejectUpdate, {
              args: [{ reason: 'recorded', approver: 'recorder' }],
            }));
        const end = (await withDeadline(handle.result(), 60_000, p.workflowId)) as PinResult;
        assert.equal(end.state, main ? 'pr-opened' : 'rejected', JSON.stringify(end.error));
        out.push(pinChild(p));
      }
      return out;
    },
  },
];
