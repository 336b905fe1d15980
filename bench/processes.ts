/**
 * The processes the bench starts as an operator would: the worker
 * (`node dist/worker.js` when the build is current, else
 * `node --import tsx src/worker.ts`, what `npm run worker` runs) and the CLI
 * (`node bin/bumpflow.js`, which takes the build itself when it is current),
 * from a checkout root (this repository, or a built snapshot of it:
 * bench/snapshot.ts); stopping them; and one list of cleanups that runs once,
 * on exit and on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { rmSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeKeys } from '../src/shared/messages.js';
import { installQuietRuntime, temporalCliPath } from '../test/support/temporal.js';
import { sourceHash } from '../src/workflowBundle.js';

export interface Runner {
  /** the checkout the worker and the CLI run from */
  root: string;
  /** true: `node dist/worker.js` and the CLI's build; false: tsx from src/ */
  built: boolean;
  worker: string[];
  cli: string[];
  /** the node that runs the worker and the CLI (`--node`; the bench's own by default) */
  node: string;
}

/** The worker and CLI of `root`: built when its build was made from the sources beside it (src/workflowBundle.ts's rule). */
export function runnerFor(root: string, node: string = process.execPath): Runner {
  const built =
    existsSync(path.join(root, 'dist', 'worker.js')) &&
    builtHash(root) === sourceHash(path.join(root, 'src'));
  return {
    root,
    built,
    worker: built
      ? [path.join(root, 'dist', 'worker.js')]
      : ['--import', 'tsx', path.join(root, 'src', 'worker.ts')],
    cli: [path.join(root, 'bin', 'bumpflow.js')],
    node,
  };
}

export function describeRunner(r: Runner): { worker: string; cli: string } {
  return {
    worker: r.built
      ? 'node dist/worker.js (build current)'
      : 'node --import tsx src/worker.ts (no current build)',
    cli: r.built ? 'node bin/bumpflow.js → dist/client.js' : 'node bin/bumpflow.js → tsx src/client.ts',
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
let stopped: Promise<void> | undefined;

/** Registers a cleanup (they run newest first, once); the function returned takes it off the list. */
export function onCleanup(c: () => Promise<unknown>): () => void {
  cleanups.push(c);
  return () => {
    const i = cleanups.indexOf(c);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Runs every cleanup once (newest first), also when a second signal arrives meanwhile (tsx relays Ctrl-C too), then exits. */
export async function stopAll(code: number): Promise<never> {
  stopped ??= (async () => {
    // each cleanup gets 20 s: one that hangs (a server already gone) must not keep the rest from running
    for (const c of cleanups.reverse()) await Promise.race([c().catch(() => undefined), sleep(20_000)]);
  })();
  await stopped;
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(130));
process.on('SIGTERM', () => void stopAll(143));

/** A directory removed at the latest when this process exits (also when a cleanup could not run to its end). */
export function removeAtExit(dir: string): void {
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}

/**
 * The Temporal dev server, as the tests start it (test/support/temporal.ts) but without their
 * teardown check, which would wait on a server a Ctrl-C already stopped; the bench runs that
 * check itself at the end of a run (assertNoTaskFailures).
 */
export async function startBenchTemporal(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...searchAttributeKeys],
      extraArgs: ['--log-level', 'error'],
    },
  });
  onCleanup(() => env.teardown());
  return env;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function startWorker(runner: Runner, env: Record<string, string>): ChildProcess {
  // `BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench` profiles the worker alone
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(runner.node, [...nodeArgs, ...runner.worker], {
    cwd: runner.root,
    env: {
      ...env,
      BUMPFLOW_METRICS_ADDRESS: 'off',
      BUMPFLOW_LOG_LEVEL: 'ERROR',
      // `BUMPFLOW_LAUNCHER=off npm run bench` compares git spawned from the worker itself
      BUMPFLOW_LAUNCHER: process.env.BUMPFLOW_LAUNCHER ?? 'on',
      // `MALLOC_ARENA_MAX=2 npm run bench` measures the worker with glibc's malloc arenas capped
      ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const forget = onCleanup(() => stopChild(child));
  child.once('exit', forget);
  return child;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(force);
}

/** Waits until a worker polls the task queue (workflow tasks), i.e. it has started and loaded its workflows. */
export async function waitForPoller(client: Client, taskQueue: string, child: ChildProcess): Promise<void> {
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
    await sleep(100);
  }
  throw new Error(`bench: expected a worker polling ${taskQueue} within 120 s, found none`);
}

/** Runs a command to its end; its output, exit code and wall time from the spawn. */
export async function runToEnd(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const forget = onCleanup(() => stopChild(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // the wall time ends when the process exits; its output is complete once its pipes close
  const exited = new Promise<{ code: number | null; ms: number }>((r) =>
    child.once('exit', (code) => r({ code, ms: performance.now() - t0 })),
  );
  await new Promise((r) => child.once('close', r));
  forget();
  return { ...(await exited), stdout, stderr };
}

/** The build's recorded source hash, when there is a build in `root`. */
export function builtHash(root: string): string | undefined {
  try {
    return (
      JSON.parse(readFileSync(path.join(root, 'dist', 'workflows', 'bundle.json'), 'utf8')) as {
        sourceHash?: string;
      }
    ).sourceHash;
  } catch {
    return undefined;
  }
}
