/**
 * The process runner: git with argument arrays (never a shell), a minimal
 * environment, a per-process timeout, an abort signal and heartbeats.
 *
 * git is started by the launcher (src/clients/process/launcher.ts), a small
 * helper process, so the worker's event loop never blocks on fork; with
 * BUMPFLOW_LAUNCHER=off the worker starts git itself, through execa. Either
 * way each git has its own process group, killed on timeout, on abort and
 * when the worker exits.
 *
 * The environment is PATH, HOME, LC_ALL=C, GIT_ALLOW_PROTOCOL, then the
 * caller's `env` (GIT_CONFIG_COUNT/KEY_n/VALUE_n for insteadOf and credential
 * helpers pass through unchanged), then what keeps git from ever asking a
 * person anything: GIT_TERMINAL_PROMPT=0, GCM_INTERACTIVE=never, and its own
 * session (`detached`), so ssh finds no terminal either.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchInProcess } from '../process/inProcess.js';
import { abortReason, launch } from '../process/launcher.js';
import { redactCredentials, unavailable } from './classify.js';
import type { GitCall, GitOptions } from './types.js';

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_HEARTBEAT_MS = 2_000;

export { abortReason };

export interface GitRun {
  /** undefined when git could not be started, was killed or aborted */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** the limit this process ran under */
  timeoutMs: number;
  spawnError: string | undefined;
}

export interface RunOptions extends GitCall {
  gitDir?: string;
  input?: string;
  env?: Record<string, string>;
}

export interface GitRunner {
  workDir: string;
  /** one git process; never rejects for git's own failures (read `exitCode`), only for an abort */
  run(args: readonly string[], opts?: RunOptions): Promise<GitRun>;
  /** a command on a cache clone that only fails if the clone or the machine is broken → GitUnavailable */
  local(gitDir: string, args: readonly string[], opts?: RunOptions): Promise<string>;
  /** waits for `promise` (a lock), heartbeating meanwhile; rejects with the abort reason when `call.signal` aborts */
  wait<T>(promise: Promise<T>, call: GitCall): Promise<T>;
}

/** Calls `heartbeat` every `intervalMs` until the returned stop function runs; a throwing heartbeat is ignored. */
function startHeartbeat(heartbeat: (() => void) | undefined, intervalMs: number): () => void {
  if (heartbeat === undefined) return () => undefined;
  const timer = setInterval(() => {
    try {
      heartbeat();
    } catch {
      // a heartbeat that fails must not crash the worker; the activity's heartbeat timeout still applies
    }
  }, intervalMs);
  return () => clearInterval(timer);
}

export function createRunner(options: GitOptions): GitRunner {
  const workDir = path.resolve(options.workDir);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const heartbeatMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ...(process.env.HOME === undefined ? {} : { HOME: process.env.HOME }),
    LC_ALL: 'C',
    GIT_ALLOW_PROTOCOL: 'https:http:ssh:git:file',
    ...options.env,
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    GIT_LITERAL_PATHSPECS: '1',
    // repo-less commands run in workDir: never discover a repository above it
    GIT_CEILING_DIRECTORIES: path.dirname(workDir),
  };
  let workDirReady: Promise<unknown> | undefined;

  async function run(args: readonly string[], opts: RunOptions = {}): Promise<GitRun> {
    const { signal } = opts;
    if (signal?.aborted) throw abortReason(signal);
    workDirReady ??= mkdir(workDir, { recursive: true });
    await workDirReady;
    const stopHeartbeat = startHeartbeat(opts.heartbeat, heartbeatMs);
    const start = process.env.BUMPFLOW_LAUNCHER === 'off' ? launchInProcess : launch;
    const result = await start('git', args, {
      cwd: opts.gitDir ?? workDir,
      env: { ...env, ...(opts.gitDir === undefined ? {} : { GIT_DIR: opts.gitDir }), ...opts.env },
      timeoutMs,
      ...(opts.input === undefined ? {} : { input: opts.input }),
      ...(signal === undefined ? {} : { signal }),
    }).finally(stopHeartbeat);
    const { timedOut } = result;
    return {
      exitCode: timedOut ? undefined : result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      timedOut,
      timeoutMs,
      spawnError:
        timedOut || result.exitCode !== undefined
          ? undefined
          : redactCredentials(result.spawnError ?? `git was killed by ${result.signal ?? 'a signal'}`),
    };
  }

  async function local(gitDir: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
    const result = await run(args, { ...opts, gitDir });
    if (result.exitCode === 0) return result.stdout;
    throw unavailable(`git ${args[0] ?? ''} in cache ${gitDir}`, result);
  }

  async function wait<T>(promise: Promise<T>, call: GitCall): Promise<T> {
    const { signal } = call;
    if (signal?.aborted) throw abortReason(signal);
    const stopHeartbeat = startHeartbeat(call.heartbeat, heartbeatMs);
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortReason(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([promise, aborted]);
    } finally {
      stopHeartbeat();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return { workDir, run, local, wait };
}
