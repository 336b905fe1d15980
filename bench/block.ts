/**
 * One block of the bump bench: one branch count at one RTT. The git HTTP
 * process holding each request for the RTT, the registry front set to it, a
 * worker started fresh (an empty work directory: no git cache), then:
 *   cold:  bumpflow (the first bump after the worker started), the sequential
 *          script in an empty directory, the parallel script in an empty one;
 *   warm:  N rounds of the three, in turn (the order rotates each round),
 *          the scripts reusing their clones (a fetch), the worker its cache.
 * Before every run the world moves (a new image on every tag, every target
 * branch moved); after it, its work branches and PRs are deleted.
 */
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startGitHttpProcess } from './gitHttpProcess.js';
import { memoryOf } from './measure.js';
import { onCleanup, sleep, startWorker, stopChild, waitForPoller, type Runner } from './processes.js';
import type { BlockResult, Phase, RunRecord, Variant } from './types.js';
import { VARIANTS } from './types.js';
import { runBumpflow, runScript, type BlockContext } from './variants.js';
import type { BenchWorld } from './world.js';

export interface BlockOptions {
  client: Client;
  temporalAddress: string;
  temporalPid: number | undefined;
  registryPid: number | undefined;
  world: BenchWorld;
  n: number;
  rttMs: number;
  rounds: number;
  runner: Runner;
  /** with --compare: bumpflow built from the baseline commit, its own worker and task queue */
  baseline?: Runner | undefined;
  approval: 'signal' | 'policy';
  approveWith: 'update' | 'cli';
  configFile: string;
  stateDir: string;
}

export async function benchBlock(o: BlockOptions): Promise<BlockResult> {
  const { world } = o;
  world.setRtt(o.rttMs);
  const gitHttp = await startGitHttpProcess(world.remotesDir, o.rttMs);
  const closeGit = onCleanup(() => gitHttp.close());
  const tag = `${o.n}-${o.rttMs}ms-${Date.now()}`;
  const taskQueue = `bumpflow-bench-${tag}`;
  const workDir = await mkdtemp(path.join(o.stateDir, 'worker-'));
  const worker = startWorker(
    o.runner,
    world.workerEnv(gitHttp.url, {
      TEMPORAL_ADDRESS: o.temporalAddress,
      BUMPFLOW_TASK_QUEUE: taskQueue,
      BUMPFLOW_WORK_DIR: workDir,
    }),
  );
  await waitForPoller(o.client, taskQueue, worker);
  await sleep(1000);
  const idle = await memoryOf(worker.pid!);
  const cliEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    TEMPORAL_ADDRESS: o.temporalAddress,
    BUMPFLOW_TASK_QUEUE: taskQueue,
    ...(o.approval === 'policy' ? { BUMPFLOW_CONFIG: o.configFile } : {}),
  };
  const ctx: BlockContext = {
    client: o.client,
    world,
    runner: o.runner,
    gitHttp,
    worker,
    temporalPid: o.temporalPid,
    registryPid: o.registryPid,
    approval: o.approval,
    approveWith: o.approveWith,
    cliEnv,
  };
  const scriptDirs = {
    sequential: await mkdtemp(path.join(o.stateDir, 'sequential-')),
    parallel: await mkdtemp(path.join(o.stateDir, 'parallel-')),
  };
  const baseline = o.baseline && (await startBaseline(o, ctx, gitHttp.url, taskQueue));
  const variants: readonly Variant[] = baseline ? [...VARIANTS, 'baseline'] : VARIANTS;
  const runs: RunRecord[] = [];
  const one = async (variant: Variant, phase: Phase, roundNo: number): Promise<void> => {
    await world.advance();
    const run =
      variant === 'bumpflow'
        ? await runBumpflow(ctx, phase, roundNo)
        : variant === 'baseline'
          ? await runBumpflow(baseline!.ctx, phase, roundNo, 'baseline')
          : await runScript(ctx, variant, phase, roundNo, scriptDirs[variant]);
    world.reset();
    runs.push(run);
    const p = run.problems.length > 0 ? `, ${run.problems.length} problem(s)` : '';
    console.error(
      `bench: ${o.n} branch(es), RTT ${o.rttMs} ms, ${phase} ${roundNo}: ${variant} ${run.ms} ms, ${run.cpu.total} CPU-s${p}`,
    );
    for (const problem of run.problems) console.error(`bench:   problem: ${problem}`);
  };
  for (const variant of variants) await one(variant, 'cold', 0);
  for (let r = 1; r <= o.rounds; r += 1)
    for (let i = 0; i < variants.length; i += 1) await one(variants[(r + i) % variants.length]!, 'warm', r);
  const afterRounds = await memoryOf(worker.pid!);
  await stopChild(worker);
  const baselineRss = baseline && {
    idle: baseline.idle,
    afterRounds: await memoryOf(baseline.ctx.worker.pid!),
  };
  if (baseline) await stopChild(baseline.ctx.worker);
  closeGit();
  await gitHttp.close();
  return {
    n: o.n,
    rttMs: o.rttMs,
    branches: world.branches,
    synthetic: world.synthetic,
    rss: { idle, afterRounds },
    ...(baselineRss ? { baselineRss } : {}),
    runs,
  };
}

/** The baseline's worker (its own work directory and task queue) and the context its runs use. */
async function startBaseline(
  o: BlockOptions,
  ctx: BlockContext,
  gitUrl: string,
  taskQueue: string,
): Promise<{ ctx: BlockContext; idle: Awaited<ReturnType<typeof memoryOf>> }> {
  const queue = `${taskQueue}-baseline`;
  const worker = startWorker(
    o.baseline!,
    o.world.workerEnv(gitUrl, {
      TEMPORAL_ADDRESS: o.temporalAddress,
      BUMPFLOW_TASK_QUEUE: queue,
      BUMPFLOW_WORK_DIR: await mkdtemp(path.join(o.stateDir, 'baseline-worker-')),
    }),
  );
  await waitForPoller(o.client, queue, worker);
  await sleep(1000);
  const idle = await memoryOf(worker.pid!);
  return {
    ctx: { ...ctx, runner: o.baseline!, worker, cliEnv: { ...ctx.cliEnv, BUMPFLOW_TASK_QUEUE: queue } },
    idle,
  };
}
