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
 * `--suffix v2` writes <case>.v2-… beside the existing files instead of
 * replacing them (see test/replay/README.md). Fails, writing nothing, when a
 * case ends otherwise than it should or a history holds a secret of the world.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs, promisify } from 'node:util';
import { execFile } from 'node:child_process';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import {
  approveSignal,
  branchStatusQuery,
  rejectSignal,
  retrySignal,
  searchAttributeKeys,
  type BumpRequest,
  type BumpResult,
  type BumpStatus,
} from '../src/shared/messages.js';
import { startBump } from '../src/cli/start.js';
import { createWorker, workflowsPath } from '../src/worker.js';
import {
  addCommit,
  createScenario,
  SOURCE_SLUG,
  type Scenario,
  type ScenarioOptions,
} from '../src/sandbox/scenario.js';
import { allIn, waitForStatus } from '../src/sandbox/status.js';
import { temporalCliPath } from '../src/sandbox/temporalCli.js';
import { repoRoot } from '../src/sandbox/paths.js';

const execFileAsync = promisify(execFile);
const OUT_DIR = path.join(repoRoot, 'test', 'replay', 'histories');
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
];

interface Recorded {
  file: string;
  workflowId: string;
  workflowType: string;
  text: string;
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`expected ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** One history as `temporal workflow show --output json` prints it, payloads raw (base64), as an SDK replays it. */
async function showHistory(address: string, workflowId: string): Promise<string> {
  const { stdout } = await execFileAsync(
    temporalCliPath(),
    [
      'workflow',
      'show',
      '--address',
      address,
      '--workflow-id',
      workflowId,
      '--output',
      'json',
      '--no-json-shorthand-payloads',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

/** The parent's and each child's history, children found in the parent's own history. */
async function histories(address: string, c: Case, suffix: string, parentId: string): Promise<Recorded[]> {
  const parentText = await showHistory(address, parentId);
  const events = (
    JSON.parse(parentText) as { events: Array<Record<string, { workflowId?: string } | undefined>> }
  ).events;
  const childIds = events.flatMap((e) => {
    const id = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    return id ? [id] : [];
  });
  const base = suffix ? `${c.name}.${suffix}` : c.name;
  const out: Recorded[] = [
    { file: `${base}-parent.json`, workflowId: parentId, workflowType: 'bumpImage', text: parentText },
  ];
  for (const id of childIds) {
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

/** The history's text and its payloads decoded from base64: what a secret scan must search. */
function searchable(text: string): string {
  const decoded: string[] = [];
  JSON.parse(text, (key, value: unknown) => {
    if (key === 'data' && typeof value === 'string')
      decoded.push(Buffer.from(value, 'base64').toString('utf8'));
    return value;
  });
  return [text, ...decoded].join('\n');
}

/** Fails when a history holds a secret of the world, or when its payloads could not be read (a vacuous scan). */
function checkNoSecret(c: Case, r: Recorded, secrets: string[]): void {
  const all = searchable(r.text);
  if (!all.includes('"service":"magnum"')) {
    throw new Error(
      `case ${c.name}: expected the decoded input ("service":"magnum") in ${r.file}, found none`,
    );
  }
  if (secrets.some((secret) => all.includes(secret))) {
    throw new Error(`case ${c.name}: a secret of the sandbox is in the history ${r.file}; nothing written`);
  }
}

async function runCase(
  env: TestWorkflowEnvironment,
  bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>,
  c: Case,
  suffix: string,
) {
  const s = await createScenario({ slug: `replay-${c.name}/atmosphere`, branches: TWO, ...c.scenario });
  try {
    const taskQueue = `bumpflow-record-${randomUUID()}`;
    const settings = {
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      uiUrl: 'http://127.0.0.1:8233',
    };
    const worker = await createWorker({
      connection: env.nativeConnection,
      namespace: settings.namespace,
      taskQueue,
      deps: s.deps,
      workflowBundle: bundle,
    });
    const result = await worker.runUntil(async () => {
      const handle = await startBump(env.client, settings, {
        service: 'magnum',
        targetRepo: s.targetUrl,
        ...c.request,
      });
      await c.drive({ s, handle, client: env.client });
      return {
        id: handle.workflowId,
        result: (await withDeadline(handle.result(), 120_000, `${c.name} to end`)) as BumpResult,
      };
    });
    const sorted = (o: Record<string, string>) =>
      JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
    const outcomes = Object.fromEntries(result.result.branches.map((b) => [b.branch, b.outcome]));
    if (sorted(outcomes) !== sorted(c.expect)) {
      throw new Error(
        `case ${c.name}: expected outcomes ${JSON.stringify(c.expect)}, found ${JSON.stringify(outcomes)}`,
      );
    }
    const recorded = await histories(env.address, c, suffix, result.id);
    for (const r of recorded) checkNoSecret(c, r, s.secrets);
    return recorded;
  } finally {
    await s.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { case: { type: 'string', multiple: true }, suffix: { type: 'string', default: '' } },
  });
  const suffix = values.suffix ?? '';
  if (suffix !== '' && !/^[a-z0-9-]+$/.test(suffix))
    throw new Error(`expected --suffix of [a-z0-9-], found ${JSON.stringify(suffix)}`);
  const wanted = values.case ?? cases.map((c) => c.name);
  const unknown = wanted.filter((n) => !cases.some((c) => c.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown case ${unknown.join(', ')}; cases: ${cases.map((c) => c.name).join(', ')}`);

  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...searchAttributeKeys],
      extraArgs: ['--log-level', 'error'],
    },
  });
  const recorded: Recorded[] = [];
  try {
    for (const c of cases.filter((x) => wanted.includes(x.name))) {
      const t0 = Date.now();
      const r = await runCase(env, bundle, c, suffix);
      recorded.push(...r);
      console.log(`${c.name}: ${r.length} histories in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await env.teardown();
  }

  await mkdir(OUT_DIR, { recursive: true });
  const indexPath = path.join(OUT_DIR, 'index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8').catch(() => '{}')) as Record<string, unknown>;
  for (const r of recorded) {
    await writeFile(path.join(OUT_DIR, r.file), r.text.endsWith('\n') ? r.text : `${r.text}\n`);
    index[r.file] = {
      workflowId: r.workflowId,
      workflowType: r.workflowType,
      recorded: new Date().toISOString().slice(0, 10),
    };
    console.log(`  ${r.file}: ${(Buffer.byteLength(r.text) / 1024).toFixed(1)} KiB`);
  }
  const sorted = Object.fromEntries(Object.entries(index).sort(([a], [b]) => a.localeCompare(b)));
  await writeFile(indexPath, `${JSON.stringify(sorted, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`record-histories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
