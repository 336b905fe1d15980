/**
 * What the history recorders (scripts/record-histories.ts for the bumps,
 * scripts/record-tag-histories.ts for the tag procedures) share: one fresh
 * Temporal dev server and workflow bundle for a run of cases, each history
 * as `temporal workflow show --output json --no-json-shorthand-payloads`
 * prints it (the JSON form the SDK's replayer reads), the secret check, and
 * the writing of test/replay/histories/<file> and index.json (a history does
 * not hold its own workflow id; replay needs it). Nothing is written unless
 * every case ended as it should and no history holds a secret.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { searchAttributeKeys } from '../src/shared/messages.js';
import { createWorker, workflowsPath } from '../src/worker.js';
import type { TemporalSettings } from '../src/config.js';
import { temporalCliPath } from '../src/sandbox/temporalCli.js';
import { repoRoot } from '../src/sandbox/paths.js';
import { startReceiver, type Receiver } from '../src/sandbox/noticeReceiver.js';
import type { ActivityDeps } from '../src/activities/index.js';

const execFileAsync = promisify(execFile);
export const OUT_DIR = path.join(repoRoot, 'test', 'replay', 'histories');

/** One history to write: its file name, the workflow id and type replay needs, the JSON text. */
export interface Recorded {
  file: string;
  workflowId: string;
  workflowType: string;
  text: string;
}

export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`expected ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** One history (the latest run, or `runId`'s), payloads raw (base64), as an SDK replays it. */
export async function showHistory(address: string, workflowId: string, runId?: string): Promise<string> {
  const { stdout } = await execFileAsync(
    temporalCliPath(),
    [
      'workflow',
      'show',
      '--address',
      address,
      '--workflow-id',
      workflowId,
      ...(runId === undefined ? [] : ['--run-id', runId]),
      '--output',
      'json',
      '--no-json-shorthand-payloads',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

type Event = Record<string, { workflowId?: string; workflowType?: { name?: string } } | undefined>;

/** The children a history started, in order: their ids and workflow types. */
export function childrenOf(text: string): { workflowId: string; workflowType: string }[] {
  const events = (JSON.parse(text) as { events: Event[] }).events;
  return events.flatMap((e) => {
    const a = e.startChildWorkflowExecutionInitiatedEventAttributes;
    return a?.workflowId ? [{ workflowId: a.workflowId, workflowType: a.workflowType?.name ?? '' }] : [];
  });
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

/**
 * Fails when a history holds a secret of the world, or when its payloads could
 * not be read (a vacuous scan): `mustHold` is a piece of the decoded input.
 */
export function checkNoSecret(caseName: string, r: Recorded, secrets: string[], mustHold: string): void {
  const all = searchable(r.text);
  if (!all.includes(mustHold)) {
    throw new Error(`case ${caseName}: expected the decoded input (${mustHold}) in ${r.file}, found none`);
  }
  if (secrets.some((secret) => all.includes(secret))) {
    throw new Error(`case ${caseName}: a secret of the sandbox is in the history ${r.file}; nothing written`);
  }
}

/** Writes each history and its index.json entry (other entries are kept), sizes printed. */
export async function writeHistories(recorded: Recorded[]): Promise<void> {
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

/** The run's notification target: a loopback receiver answering 200, so the histories hold the notices' activities. */
let notices: { receiver: Receiver; ledgerDir: string } | undefined;

/** A world's dependencies with the run's notification target (Patches.notices: every workflow tells it). */
export function withNotices(deps: ActivityDeps): ActivityDeps {
  if (notices === undefined) throw new Error('expected the recorder to have started its notice receiver');
  return {
    ...deps,
    notices: {
      targets: [
        {
          name: 'recorder',
          kind: 'webhook',
          url: notices.receiver.url,
          urlFromEnv: false,
          attempts: 3,
          timeoutMs: 5_000,
        },
      ],
      uiUrl: 'http://127.0.0.1:8233',
      namespace: 'default',
      ledgerDir: notices.ledgerDir,
    },
  };
}

/**
 * A worker for one case on a fresh task queue (`bumpflow-record-<name>-…`),
 * with the run's notification target, and the settings a client starts with;
 * `activities`, when given, builds the worker's activities from those
 * dependencies (a case that injects a fault into the world's own).
 */
export async function recordingWorker(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  deps: ActivityDeps,
  name: string,
  activities?: (deps: ActivityDeps) => Record<string, unknown>,
): Promise<{ worker: Worker; settings: TemporalSettings }> {
  const settings: TemporalSettings = {
    address: env.address,
    namespace: env.namespace ?? 'default',
    taskQueue: `bumpflow-record-${name}-${randomUUID()}`,
    uiUrl: 'http://127.0.0.1:8233',
  };
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    deps: withNotices(deps),
    workflowBundle: bundle,
    ...(activities === undefined ? {} : { activities: activities(withNotices(deps)) }),
  });
  return { worker, settings };
}

export interface Recorder<C extends { name: string }> {
  /** for messages: `record-histories` */
  tool: string;
  cases: C[];
  /** drives one case to its end and returns its histories; `base` starts every file name */
  record(
    env: TestWorkflowEnvironment,
    bundle: WorkflowBundleWithSourceMap,
    c: C,
    base: string,
  ): Promise<Recorded[]>;
}

/**
 * The command line of a recorder: `[--case NAME …] [--suffix v2]`; one dev
 * server for every case asked, then everything written at once. `--suffix v2`
 * names the files <case>.v2-… so they sit beside the existing ones.
 */
export function runRecorder<C extends { name: string }>(recorder: Recorder<C>): void {
  main(recorder).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`${recorder.tool}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}

async function main<C extends { name: string }>({ cases, record }: Recorder<C>): Promise<void> {
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
  notices = {
    receiver: await startReceiver(),
    ledgerDir: await mkdtemp(path.join(os.tmpdir(), 'bumpflow-recorder-ledger-')),
  };
  try {
    for (const c of cases.filter((x) => wanted.includes(x.name))) {
      const t0 = Date.now();
      const r = await record(env, bundle, c, suffix ? `${c.name}.${suffix}` : c.name);
      const clash = r.find((x) => recorded.some((y) => y.file === x.file));
      if (clash) throw new Error(`case ${c.name}: expected new file names, found ${clash.file} twice`);
      recorded.push(...r);
      console.log(`${c.name}: ${r.length} histories in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await env.teardown();
    await notices.receiver.close();
    await rm(notices.ledgerDir, { recursive: true, force: true });
  }
  console.log(`notices told to the recorder's receiver: ${notices.receiver.accepted().length}`);
  await writeHistories(recorded);
}
