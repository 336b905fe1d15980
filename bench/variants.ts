/**
 * One measured run of each variant, on a world that `advance` has just moved:
 * - bumpflow: `bumpflow bump magnum --repo … --wait --json` as a process (the
 *   operator's command), timed from its spawn to its exit; with --approval
 *   signal the approver (bench/approver.ts) approves each branch once it waits;
 * - sequential: bench/handScript.sh; parallel: bench/parallelScript.sh.
 * Around each: the request counters, the git shim's logs and a CPU sample by
 * process group (bench/cpu.ts).
 */
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { bumpWorkflowId } from '../src/shared/ids.js';
import { parseRepoUrl } from '../src/lib/kit/repoUrl.js';
import { statusQuery, type BumpResult } from '../src/shared/messages.js';
import { repoRoot } from '../src/sandbox/paths.js';
import { startApprover } from './approver.js';
import { cpuBetween, sampleGroups, type CpuSample, type GroupSpec } from './cpu.js';
import type { GitHttpProcess } from './gitHttpProcess.js';
import { historyStats, round, type GitShim } from './measure.js';
import { runToEnd, type Runner } from './processes.js';
import type { CpuBreakdown, Phase, RunRecord, Variant } from './types.js';
import type { BenchWorld } from './world.js';

export interface BlockContext {
  client: Client;
  world: BenchWorld;
  runner: Runner;
  gitHttp: GitHttpProcess;
  worker: ChildProcess;
  temporalPid: number | undefined;
  registryPid: number | undefined;
  approval: 'signal' | 'policy';
  approveWith: 'update' | 'cli';
  /** the CLI's environment: the Temporal address and task queue (and the config file with --approval policy) */
  cliEnv: Record<string, string>;
}

function groups(ctx: BlockContext): Record<string, GroupSpec | undefined> {
  const at = (pid: number | undefined, mode: GroupSpec['mode']) =>
    pid === undefined ? undefined : { pid, mode };
  return {
    temporal: at(ctx.temporalPid, 'all'),
    worker: at(ctx.worker.pid, 'tree'),
    workerAll: at(ctx.worker.pid, 'all'),
    registry: at(ctx.registryPid, 'all'),
    gitServer: at(ctx.gitHttp.pid, 'children'),
    gitFront: at(ctx.gitHttp.pid, 'self'),
    benchSelf: at(process.pid, 'self'),
    spawned: at(process.pid, 'children'),
  };
}

interface Mark {
  registry: number;
  gitHttp: number;
  calls: number;
  cpuLines: number;
  sample: CpuSample;
}

async function mark(ctx: BlockContext, shim: GitShim): Promise<Mark> {
  return {
    registry: ctx.world.front.requests.length,
    gitHttp: await ctx.gitHttp.requests(),
    calls: await shim.count(),
    cpuLines: (await shim.cpu()).length,
    sample: sampleGroups(groups(ctx)),
  };
}

/** Counters and CPU between `before` and now; the CPU sample is taken first, right after the command ended. */
async function measured(
  ctx: BlockContext,
  shim: GitShim,
  before: Mark,
  variant: Variant,
): Promise<Omit<RunRecord, 'variant' | 'phase' | 'round' | 'ms' | 'problems'>> {
  const sample = sampleGroups(groups(ctx));
  const c = cpuBetween(groups(ctx), before.sample, sample);
  const calls = (await shim.calls()).slice(before.calls);
  const gitClient = round(
    (await shim.cpu()).slice(before.cpuLines).reduce((a, b) => a + b, 0),
    3,
  );
  const gitSubcommands: Record<string, number> = {};
  for (const call of calls) gitSubcommands[call] = (gitSubcommands[call] ?? 0) + 1;
  const standIns = (c.benchSelf ?? 0) + (c.gitFront ?? 0);
  const common = { gitClient, gitServer: c.gitServer ?? 0, registry: c.registry ?? 0, standIns };
  const cpu: CpuBreakdown =
    variant === 'bumpflow' || variant === 'baseline'
      ? {
          ...common,
          temporal: c.temporal ?? 0,
          worker: c.worker ?? 0,
          shims: Math.max(0, (c.workerAll ?? 0) - (c.worker ?? 0) - gitClient),
          spawned: c.spawned ?? 0,
          total: 0,
        }
      : { ...common, temporal: 0, worker: 0, shims: 0, spawned: c.spawned ?? 0, total: 0 };
  // the scripts' git and shims are inside `spawned` (their processes are the script's children)
  cpu.total =
    variant === 'bumpflow' || variant === 'baseline'
      ? cpu.temporal +
        cpu.worker +
        cpu.gitClient +
        cpu.shims +
        cpu.spawned +
        cpu.gitServer +
        cpu.registry +
        standIns
      : cpu.spawned + cpu.gitServer + cpu.registry + standIns;
  for (const k of Object.keys(cpu) as Array<keyof CpuBreakdown>) cpu[k] = round(cpu[k], 3);
  return {
    registryRequests: ctx.world.front.requests.length - before.registry,
    gitHttpRequests: (await ctx.gitHttp.requests()) - before.gitHttp,
    gitProcesses: calls.length,
    gitSubcommands,
    cpu,
  };
}

export async function runBumpflow(
  ctx: BlockContext,
  phase: Phase,
  roundNo: number,
  variant: 'bumpflow' | 'baseline' = 'bumpflow',
): Promise<RunRecord> {
  const { world } = ctx;
  const workflowId = bumpWorkflowId(parseRepoUrl(world.scenario.targetUrl).key, 'magnum');
  const previousRunId = await ctx.client.workflow
    .getHandle(workflowId)
    .describe()
    .then((d) => d.runId)
    .catch(() => undefined);
  const before = await mark(ctx, world.workerShim);
  const t0 = performance.now();
  const startedAtEpochMs = Date.now();
  const approver =
    ctx.approval === 'signal'
      ? startApprover({
          client: ctx.client,
          workflowId,
          previousRunId,
          t0,
          via: ctx.approveWith,
          runner: ctx.runner,
          cliEnv: ctx.cliEnv,
        })
      : undefined;
  const args = [...ctx.runner.cli, 'bump', 'magnum', '--repo', world.scenario.targetUrl, '--wait', '--json'];
  const cli = await runToEnd(ctx.runner.node, args, { cwd: ctx.runner.root, env: ctx.cliEnv });
  // sampled first: the approver's last poll must not fall into the run's CPU
  const counts = await measured(ctx, world.workerShim, before, variant);
  const approvals = await approver?.stop();
  const problems: string[] = [];
  if (cli.code !== 0) problems.push(`bumpflow bump exited ${cli.code}: ${cli.stderr.trim().slice(-500)}`);
  try {
    const result = JSON.parse(cli.stdout) as BumpResult;
    for (const b of result.branches)
      if (b.outcome !== 'pr-opened') problems.push(`${b.branch}: ${b.outcome}`);
  } catch {
    problems.push(
      `expected the bump's result as JSON on stdout, found ${JSON.stringify(cli.stdout.slice(0, 200))}`,
    );
  }
  for (const a of approvals ?? []) if (!a.ok) problems.push(`approving ${a.branch}: ${a.error}`);
  problems.push(...world.verify());
  const handle = ctx.client.workflow.getHandle(workflowId);
  const status = await handle.query(statusQuery);
  const ids = [workflowId, ...status.branches.flatMap((b) => (b.workflowId ? [b.workflowId] : []))];
  return {
    variant,
    phase,
    round: roundNo,
    ms: round(cli.ms, 0),
    ...counts,
    problems,
    histories: await historyStats(ctx.client, ids, startedAtEpochMs),
    ...(approvals === undefined ? {} : { approvals }),
  };
}

const SCRIPTS = { sequential: 'handScript.sh', parallel: 'parallelScript.sh' } as const;

/** A script run in `workDir`: empty for the cold run, the clone(s) of the previous run for a warm one. */
export async function runScript(
  ctx: BlockContext,
  variant: 'sequential' | 'parallel',
  phase: Phase,
  roundNo: number,
  workDir: string,
): Promise<RunRecord> {
  const before = await mark(ctx, ctx.world.scriptShim);
  const script = path.join(repoRoot, 'bench', SCRIPTS[variant]);
  const run = await runToEnd('sh', [script], {
    cwd: workDir,
    env: ctx.world.scriptEnv(ctx.gitHttp.url, workDir),
  });
  const counts = await measured(ctx, ctx.world.scriptShim, before, variant);
  const problems =
    run.code === 0
      ? ctx.world.verify()
      : [`${SCRIPTS[variant]} exited ${run.code}: ${(run.stdout + run.stderr).trim().slice(-800)}`];
  return { variant, phase, round: roundNo, ms: round(run.ms, 0), ...counts, problems };
}
