/**
 * Records the workflow histories that test/replay/replay.test.ts replays: a
 * fresh Temporal dev server, one sandbox world (registry, git, GitHub
 * stand-in) and one in-process worker per case, each case driven to its end.
 * Writes the parent's and every child's history as `temporal workflow show
 * --output json --no-json-shorthand-payloads` prints it (the JSON form the
 * SDK's replayer reads; any cluster's history can be added the same way) to
 * test/replay/histories/<case>-parent.json and <case>-branch-<tag>.json, and
 * each file's workflow id and type to test/replay/histories/index.json
 * (a history does not hold its own workflow id; replay needs it).
 *
 *   npx tsx scripts/record-histories.ts [--case happy --case noop …] [--suffix v2]
 *
 * The `plan-fails-<read>-<when>` cases (scripts/bumpFaultHistoryCases.ts)
 * make one of planning's side-by-side reads fail; the bump must fail with that
 * failure, before any child (only the parent is recorded).
 *
 * `--suffix v2` writes <case>.v2-… beside the existing files instead of
 * replacing them (see test/replay/README.md). Fails, writing nothing, when a
 * case ends otherwise than it should or a history holds a secret of the world.
 * What both recorders share (server, history files, index, secret check) is in
 * historyRecording.ts; the tag procedures' cases are record-tag-histories.ts.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  approveSignal,
  branchStatusQuery,
  rejectSignal,
  retrySignal,
  type BumpRequest,
  type BumpResult,
  type BumpStatus,
} from '../src/shared/messages.js';
import { startBump } from '../src/cli/bump/start.js';
import {
  addCommit,
  createScenario,
  SOURCE_SLUG,
  type Scenario,
  type ScenarioOptions,
} from '../src/sandbox/scenario.js';
import { allIn, waitForStatus } from '../src/sandbox/status.js';
import type { ActivityDeps } from '../src/activities/index.js';
import {
  checkNoSecret,
  childrenOf,
  runRecorder,
  showHistory,
  withDeadline,
  type Recorded,
  recordingWorker,
} from './historyRecording.js';
import {
  expectedFailure,
  faultyActivities,
  PLANNING_FAULTS,
  type PlanningFault,
} from './bumpFaultHistoryCases.js';

const TWO = ['main', 'stable/2025.1'];

interface Drive {
  s: Scenario;
  handle: WorkflowHandle;
  client: Client;
}
interface Case {
  name: string;
  scenario?: Omit<ScenarioOptions, 'slug'>;
  request?: Partial<BumpRequest>;
  drive(d: Drive): Promise<void>;
  /** branch → outcome the run must end with */
  expect: Record<string, string>;
  /** a planning read made to fail: the bump must fail with it */
  fault?: PlanningFault;
}

const stateOf = (st: BumpStatus, branch: string): string | undefined =>
  st.branches.find((b) => b.branch === branch)?.state;
const refusalsOf = (st: BumpStatus, branch: string): number =>
  st.branches.find((b) => b.branch === branch)?.refusals.length ?? 0;

const cases: Case[] = [
  {
    name: 'happy',
    async drive({ handle }) {
      await waitForStatus(handle, allIn('awaiting-approval', 2), 'every branch awaiting approval');
      await handle.signal(approveSignal, { approver: 'release-engineer' });
    },
    expect: { main: 'pr-opened', 'stable/2025.1': 'pr-opened' },
  },
  {
    name: 'rejected',
    async drive({ handle }) {
      await waitForStatus(handle, allIn('awaiting-approval', 2), 'every branch awaiting approval');
      await handle.signal(rejectSignal, { reason: 'not this week', approver: 'release-engineer' });
    },
    expect: { main: 'rejected', 'stable/2025.1': 'rejected' },
  },
  {
    name: 'expired',
    request: { approvalTimeout: '3s' },
    async drive() {},
    expect: { main: 'expired', 'stable/2025.1': 'expired' },
  },
  {
    name: 'blocked-retried',
    request: { retry: { maximumAttempts: 2, initialInterval: '200ms', maximumInterval: '500ms' } },
    async drive({ s, handle }) {
      await waitForStatus(handle, allIn('awaiting-approval', 2), 'every branch awaiting approval');
      await s.registry.stop();
      await handle.signal(approveSignal, { approver: 'ops' });
      await waitForStatus(handle, allIn('blocked', 2), 'every branch blocked on the registry outage');
      await s.registry.start();
      await handle.signal(retrySignal, {});
    },
    expect: { main: 'pr-opened', 'stable/2025.1': 'pr-opened' },
  },
  {
    name: 'replanned',
    scenario: { branches: ['main'] },
    async drive({ s, handle }) {
      await waitForStatus(handle, allIn('awaiting-approval', 1), 'main awaiting approval');
      const head = await addCommit(s.git, SOURCE_SLUG, 'main', {
        message: 'fix: newer',
        files: { NEWS: 'newer\n' },
      });
      const moved = await s.publish('main', { revision: head, salt: 'moved' });
      await handle.signal(approveSignal, {});
      const again = await waitForStatus(
        handle,
        (st) => st.branches[0]?.state === 'awaiting-approval' && st.branches[0].newDigest === moved,
        'main re-planned on the moved tag',
      );
      // an approval of the digest planned first is refused now
      await handle.signal(approveSignal, { digest: s.newDigest['main']! });
      const before = refusalsOf(again, 'main');
      await waitForStatus(
        handle,
        (st) => refusalsOf(st, 'main') > before,
        'the approval of the old digest refused',
      );
      await handle.signal(approveSignal, { digest: moved, approver: 'ops' });
    },
    expect: { main: 'pr-opened' },
  },
  {
    name: 'noop',
    scenario: { branches: TWO, current: ['stable/2025.1'] },
    async drive({ handle }) {
      await waitForStatus(
        handle,
        (st) => stateOf(st, 'main') === 'awaiting-approval' && stateOf(st, 'stable/2025.1') === 'no-op',
        'main awaiting approval, stable/2025.1 a no-op',
      );
      await handle.signal(approveSignal, {});
    },
    expect: { main: 'pr-opened', 'stable/2025.1': 'no-op' },
  },
  {
    name: 'malformed',
    async drive({ handle, client }) {
      const st = await waitForStatus(handle, allIn('awaiting-approval', 2), 'every branch awaiting approval');
      const child = client.workflow.getHandle(st.branches[0]!.workflowId!);
      const malformed: unknown[] = [null, { Digest: 'x' }, 'garbage'];
      for (const payload of malformed) await handle.signal<[unknown]>(approveSignal.name, payload);
      await handle.signal<[unknown]>(rejectSignal.name, 'garbage');
      await handle.signal<[unknown]>(retrySignal.name, null);
      await waitForStatus(
        handle,
        (x) => x.refusals.length >= malformed.length + 2,
        'the parent refusing every malformed signal',
      );
      for (const payload of malformed) await child.signal<[unknown]>(approveSignal.name, payload);
      await child.signal<[unknown]>(rejectSignal.name, { reason: '' });
      await waitForStatus(
        handle,
        (x) => refusalsOf(x, 'main') >= malformed.length + 1,
        'main refusing every malformed signal',
      );
      const childState = await child.query(branchStatusQuery);
      if (childState.state !== 'awaiting-approval')
        throw new Error(`expected main still awaiting approval, found ${childState.state}`);
      await handle.signal(approveSignal, { approver: 'ops' });
    },
    expect: { main: 'pr-opened', 'stable/2025.1': 'pr-opened' },
  },
  ...PLANNING_FAULTS.map((fault): Case => ({ name: fault.name, fault, async drive() {}, expect: {} })),
];

/** The branches' outcomes, or for a fault case `{}` once the bump failed with the injected failure. */
async function outcomesOf(c: Case, handle: WorkflowHandle): Promise<Record<string, string>> {
  const ended = withDeadline(handle.result() as Promise<BumpResult>, 120_000, `${c.name} to end`);
  if (c.fault === undefined)
    return Object.fromEntries((await ended).branches.map((b) => [b.branch, b.outcome]));
  const failure = await ended.then(
    () => new Error('expected the bump to fail, found it succeeded'),
    (err: unknown) => err as Error,
  );
  const message = (failure.cause as Error | undefined)?.message ?? failure.message;
  if (!expectedFailure(c.fault).test(message))
    throw new Error(`case ${c.name}: expected ${String(expectedFailure(c.fault))}, found ${message}`);
  return {};
}

/** The parent's and each child's history, children found in the parent's own history. */
async function histories(address: string, base: string, parentId: string): Promise<Recorded[]> {
  const parentText = await showHistory(address, parentId);
  const out: Recorded[] = [
    { file: `${base}-parent.json`, workflowId: parentId, workflowType: 'bumpImage', text: parentText },
  ];
  for (const { workflowId: id } of childrenOf(parentText)) {
    const tag = id.slice(parentId.length + 1);
    out.push({
      file: `${base}-branch-${tag}.json`,
      workflowId: id,
      workflowType: 'bumpBranch',
      text: await showHistory(address, id),
    });
  }
  return out;
}

async function runCase(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  c: Case,
  base: string,
): Promise<Recorded[]> {
  const s = await createScenario({ slug: `replay-${c.name}/atmosphere`, branches: TWO, ...c.scenario });
  try {
    const fault = c.fault;
    const activities = fault === undefined ? undefined : (d: ActivityDeps) => faultyActivities(d, fault);
    const { worker, settings } = await recordingWorker(env, bundle, s.deps, 'bump', activities);
    const result = await worker.runUntil(async () => {
      const handle = await startBump(env.client, settings, {
        service: 'magnum',
        targetRepo: s.targetUrl,
        ...c.request,
      });
      await c.drive({ s, handle, client: env.client });
      return { id: handle.workflowId, outcomes: await outcomesOf(c, handle) };
    });
    const sorted = (o: Record<string, string>) =>
      JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
    const { outcomes } = result;
    if (sorted(outcomes) !== sorted(c.expect)) {
      throw new Error(
        `case ${c.name}: expected outcomes ${JSON.stringify(c.expect)}, found ${JSON.stringify(outcomes)}`,
      );
    }
    const recorded = await histories(env.address, base, result.id);
    for (const r of recorded) checkNoSecret(c.name, r, s.secrets, '"service":"magnum"');
    return recorded;
  } finally {
    await s.close();
  }
}

runRecorder({ tool: 'record-histories', cases, record: runCase });
