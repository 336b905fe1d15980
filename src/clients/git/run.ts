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
 * session (`detached`), so ssh finds no terminal either. A run naming its
 * `remote` gets that remote's credentials from `options.credentials`, if it
 * answers, as environment (credentials.ts); refused, it asks once more with
 * `refresh` and runs once more (a token revoked before it expired).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchInProcess } from '../process/inProcess.js';
import { abortReason, launch } from '../process/launcher.js';
import { classifyRemote, redactCredentials, unavailable } from './classify.js';
import { credentialEnv, type CredentialEnv } from './credentials.js';
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
  /** the remote URL this process talks to (ls-remote, fetch, push, a promisor's blob): its credentials apply */
  remote?: string;
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
    try {
      const processEnv = {
        ...env,
        ...(opts.gitDir === undefined ? {} : { GIT_DIR: opts.gitDir }),
        ...opts.env,
      };
      const first = await once(args, opts, processEnv, await credentialsOf(opts.remote, processEnv, false));
      if (!first.credentialed || first.run.exitCode === 0 || classifyRemote(first.run) !== 'auth-refused')
        return first.run;
      return (await once(args, opts, processEnv, await credentialsOf(opts.remote, processEnv, true))).run;
    } finally {
      stopHeartbeat();
    }
  }

  async function credentialsOf(
    remote: string | undefined,
    processEnv: Record<string, string>,
    refresh: boolean,
  ): Promise<CredentialEnv | undefined> {
    if (remote === undefined || options.credentials === undefined) return undefined;
    const credential = await options.credentials(remote, { refresh });
    return credential === undefined ? undefined : credentialEnv(processEnv, credential);
  }

  /** One git process; with credentials, git's output is cleared of them before anyone sees it. */
  async function once(
    args: readonly string[],
    opts: RunOptions,
    processEnv: Record<string, string>,
    auth: CredentialEnv | undefined,
  ): Promise<{ run: GitRun; credentialed: boolean }> {
    const { signal } = opts;
    const start = process.env.BUMPFLOW_LAUNCHER === 'off' ? launchInProcess : launch;
    const result = await start('git', args, {
      cwd: opts.gitDir ?? workDir,
      env: auth === undefined ? processEnv : { ...processEnv, ...auth.env },
      timeoutMs,
      ...(opts.input === undefined ? {} : { input: opts.input }),
      ...(signal === undefined ? {} : { signal }),
    });
    const hide = auth === undefined ? (text: string) => text : auth.hide;
    const { timedOut } = result;
    const exitCode = timedOut ? undefined : result.exitCode;
    const run: GitRun = {
      exitCode,
      // stdout is data (a file's text) when git succeeds; only a failure's output is ever quoted
      stdout: exitCode === 0 ? result.stdout : hide(result.stdout),
      stderr: hide(result.stderr),
      timedOut,
      timeoutMs,
      spawnError:
        timedOut || result.exitCode !== undefined
          ? undefined
          : hide(redactCredentials(result.spawnError ?? `git was killed by ${result.signal ?? 'a signal'}`)),
    };
    return { run, credentialed: auth !== undefined };
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
