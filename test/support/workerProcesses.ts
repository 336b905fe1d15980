/**
 * Worker processes as in production, for the crash tests: `src/worker.ts`
 * under tsx with the environment a world gives it, SIGKILLed mid-step, and
 * the survivors stopped (SIGTERM) at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../src/sandbox/paths.js';

/** A worker process with `env` (its only environment), kept in `workers` to stop later. */
export function spawnWorker(env: Record<string, string>, workers: ChildProcess[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'worker.ts')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.push(child);
  return child;
}

/** SIGKILL: the worker stops at once, whatever it holds; resolves once it has exited. */
export async function killWorker(worker: ChildProcess): Promise<void> {
  const exited = new Promise((r) => worker.once('exit', r));
  worker.kill('SIGKILL');
  await exited;
}

export async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  const running = workers.filter((w) => w.exitCode === null && w.signalCode === null);
  const exited = running.map((w) => new Promise((r) => w.once('exit', r)));
  for (const w of running) w.kill('SIGTERM');
  await Promise.all(exited);
}
