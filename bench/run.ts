/**
 * `npm run bench`: bumpflow's bump against the hand-script baseline on the
 * same sandbox, for 1, 4 and 8 branches, interleaved (A B A B …), with an
 * optional round-trip time added before the registry and git. Writes
 * <out>/<timestamp>.json and .md and prints the Markdown table. See bench/README.md.
 *
 *   npm run bench -- [--branches 1,4,8] [--rounds 3] [--rtt 0ms|50ms] [--out bench/results] [--quick]
 *   npm run bench -- --sweep [--rounds 3] [--rtt 50ms]   (the sweep case instead, bench/sweep.ts)
 * The sweep case is not in the default run: building its world alone took 34–76 s here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { startBump } from '../src/cli/start.js';
import { statusQuery, type BumpResult } from '../src/shared/messages.js';
import { repoRoot } from '../src/sandbox/paths.js';
import { startTemporal } from '../test/support/temporal.js';
import { createBenchWorld, type BenchWorld } from './world.js';
import { historyStats, memoryOf, parseMs, round, type GitShim, type HistoryStats } from './measure.js';
import { markdownReport, type BenchResult, type ConfigResult, type RunRecord } from './report.js';
import { benchSweep } from './sweep.js';

const { values } = parseArgs({
  options: {
    branches: { type: 'string', default: '1,4,8' },
    rounds: { type: 'string', default: '3' },
    rtt: { type: 'string', default: '0ms' },
    out: { type: 'string', default: path.join('bench', 'results') },
    quick: { type: 'boolean', default: false },
    sweep: { type: 'boolean', default: false },
  },
});
// --sweep: the sweep case instead of the bump's configurations
const sweepOnly = values.sweep === true;
const counts = values.quick ? [1, 8] : values.branches!.split(',').map(Number);
const rounds = values.quick ? 1 : Number(values.rounds);
const rttMs = parseMs(values.rtt!);
if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 12) || !Number.isInteger(rounds) || rounds < 1)
  throw new Error(
    `bench: expected --branches like 1,4,8 (1–12) and --rounds ≥ 1, found ${values.branches} and ${values.rounds}`,
  );

const cleanups: Array<() => Promise<unknown>> = [];
let stopped: Promise<void> | undefined;
/** Runs every cleanup once (newest first), also when a second signal arrives meanwhile (tsx relays Ctrl-C too). */
async function stop(code: number): Promise<never> {
  stopped ??= (async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  })();
  await stopped;
  process.exit(code);
}
process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(143));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function startWorker(world: BenchWorld): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'worker.ts')], {
    cwd: repoRoot,
    env: {
      ...world.workerEnv,
      BUMPFLOW_METRICS_ADDRESS: 'off',
      BUMPFLOW_LOG_LEVEL: 'ERROR',
      // `BUMPFLOW_LAUNCHER=off npm run bench` compares git spawned from the worker itself
      BUMPFLOW_LAUNCHER: process.env.BUMPFLOW_LAUNCHER ?? 'on',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.push(() => stopChild(child));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(force);
}

/** Waits until a worker polls the task queue (workflow tasks), i.e. it has started and bundled its workflows. */
async function waitForPoller(client: Client, taskQueue: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`bench: the worker exited (${child.exitCode}) before polling`);
    const d = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    if ((d.pollers ?? []).length > 0) return;
    await sleep(250);
  }
  throw new Error(`bench: expected a worker polling ${taskQueue} within 120 s, found none`);
}

async function counters(
  world: BenchWorld,
): Promise<{ registry: number; gitHttp: number; worker: number; hand: number }> {
  return {
    registry: world.front.requests.length,
    gitHttp: world.gitHttp.requests.length,
    worker: await world.workerShim.count(),
    hand: await world.handShim.count(),
  };
}

/** git subcommands started through a shim since the `from`th call: `{ fetch: 3, show: 2, … }` */
async function subcommands(shim: GitShim, from: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const call of (await shim.calls()).slice(from)) out[call] = (out[call] ?? 0) + 1;
  return out;
}

async function runBumpflow(
  client: Client,
  world: BenchWorld,
  taskQueue: string,
): Promise<RunRecord & { histories: HistoryStats[] }> {
  const before = await counters(world);
  const t0 = performance.now();
  const settings = { address: '', namespace: 'default', taskQueue, uiUrl: '' };
  const handle = await startBump(client, settings, {
    service: 'magnum',
    targetRepo: world.scenario.targetUrl,
    // automatic approval: the policy lets every branch go without a human (no signal, no polling)
    approvalPolicy: [{ pattern: '**', required: false }],
  });
  const result = (await handle.result()) as BumpResult;
  const ms = performance.now() - t0;
  const after = await counters(world);
  const problems = result.branches
    .filter((b) => b.outcome !== 'pr-opened')
    .map((b) => `${b.branch}: ${b.outcome}`);
  problems.push(...world.verify());
  const status = await handle.query(statusQuery);
  const ids = [handle.workflowId, ...status.branches.flatMap((b) => (b.workflowId ? [b.workflowId] : []))];
  return {
    variant: 'bumpflow',
    ms: round(ms, 0),
    registryRequests: after.registry - before.registry,
    gitHttpRequests: after.gitHttp - before.gitHttp,
    gitProcesses: after.worker - before.worker,
    gitSubcommands: await subcommands(world.workerShim, before.worker),
    problems,
    histories: await historyStats(client, ids),
  };
}

async function runHand(world: BenchWorld, stateDir: string): Promise<RunRecord> {
  const before = await counters(world);
  const work = await mkdtemp(path.join(stateDir, 'hand-'));
  const t0 = performance.now();
  const child = spawn('sh', [path.join(repoRoot, 'bench', 'handScript.sh')], {
    env: world.handEnv(work),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const ms = performance.now() - t0;
  const after = await counters(world);
  await rm(work, { recursive: true, force: true });
  const problems = code === 0 ? world.verify() : [`handScript exited ${code}: ${output.trim().slice(-500)}`];
  return {
    variant: 'hand',
    ms: round(ms, 0),
    registryRequests: after.registry - before.registry,
    gitHttpRequests: after.gitHttp - before.gitHttp,
    gitProcesses: after.hand - before.hand,
    gitSubcommands: await subcommands(world.handShim, before.hand),
    problems,
  };
}

async function benchConfig(
  client: Client,
  address: string,
  n: number,
  parent: string,
): Promise<ConfigResult> {
  const stateDir = await mkdtemp(path.join(parent, `n${n}-`));
  const taskQueue = `bumpflow-bench-${n}-${Date.now()}`;
  const tBuild = performance.now();
  const world = await createBenchWorld({ n, rttMs, stateDir, taskQueue, temporalAddress: address });
  cleanups.push(() => world.close());
  const buildMs = performance.now() - tBuild;
  const worker = startWorker(world);
  await waitForPoller(client, taskQueue, worker);
  await sleep(1000);
  const idle = await memoryOf(worker.pid!);
  const runs: ConfigResult['runs'] = [];
  for (let r = 0; r < rounds; r += 1) {
    const a = await runBumpflow(client, world, taskQueue);
    world.reset();
    const b = await runHand(world, stateDir);
    world.reset();
    runs.push(a, b);
    console.error(`bench: ${n} branch(es) round ${r + 1}/${rounds}: bumpflow ${a.ms} ms, hand ${b.ms} ms`);
    for (const p of [...a.problems, ...b.problems]) console.error(`bench:   problem: ${p}`);
  }
  const afterBumps = await memoryOf(worker.pid!);
  await stopChild(worker);
  await world.close();
  return {
    branches: world.branches,
    synthetic: world.synthetic,
    buildMs: round(buildMs, 0),
    rss: { idle, afterBumps },
    runs,
  };
}

async function main(): Promise<void> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-bench-'));
  cleanups.push(() => rm(parent, { recursive: true, force: true }));
  const temporal = await startTemporal();
  cleanups.push(() => temporal.teardown());
  const started = new Date();
  const configs: ConfigResult[] = [];
  if (!sweepOnly)
    for (const n of counts) configs.push(await benchConfig(temporal.client, temporal.address, n, parent));
  const sweep = sweepOnly
    ? await benchSweep({
        env: temporal,
        rounds,
        rttMs,
        stateDir: await mkdtemp(path.join(parent, 'sweep-')),
        log: (line) => console.error(line),
      })
    : undefined;
  const result: BenchResult = {
    startedAt: started.toISOString(),
    durationS: round((Date.now() - started.getTime()) / 1000, 0),
    rttMs,
    rounds,
    machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` },
    configs,
    ...(sweep === undefined ? {} : { sweep }),
  };
  const markdown = markdownReport(result);
  const outDir = path.resolve(repoRoot, values.out!);
  await mkdir(outDir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  await writeFile(path.join(outDir, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(path.join(outDir, `${stamp}.md`), markdown);
  console.log(markdown);
  console.error(`bench: wrote ${path.join(outDir, stamp)}.json and .md`);
  const failed =
    configs.some((c) => c.runs.some((r) => r.problems.length > 0)) ||
    (sweep?.runs.some((r) => r.problems.length > 0) ?? false);
  await stop(failed ? 1 : 0);
}

main().catch(async (err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await stop(1);
});
