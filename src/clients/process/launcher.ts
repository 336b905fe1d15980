/**
 * Processes started by a small helper process instead of by the worker itself.
 *
 * `child_process.spawn` blocks the calling event loop while Linux forks, and fork copies the caller's page
 * tables: about 3 ms at 50 MB of RSS, 35-50 ms at 0.5-1 GB. The worker runs at several hundred MB and a bump
 * starts many git processes, so each spawn used to stall every activity and workflow task. The helper
 * (./helperSource.ts, ~45 MB) is started once, on first use, and forks on the worker's behalf; the worker only
 * exchanges IPC messages. Each process gets its own process group, which the helper kills on timeout, on an
 * abort and when the worker goes away (the helper notices its IPC channel closing).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { HELPER_SOURCE } from './helperSource.js';

export interface LaunchOptions {
  cwd: string;
  /** the whole environment of the process (nothing of the worker's is added) */
  env: Record<string, string>;
  /** written to stdin, which is then closed; without it stdin is ignored */
  input?: string;
  /** the process group is SIGKILLed after this long, and `timedOut` is true */
  timeoutMs: number;
  /** aborting kills the process group; the call then rejects with `abortReason(signal)` */
  signal?: AbortSignal;
}

export interface LaunchResult {
  /** undefined when the process was killed by a signal or never started */
  exitCode: number | undefined;
  /** the signal that ended it, if one did */
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** why the process could not be started (or the helper was lost while it ran) */
  spawnError: string | undefined;
  pid: number | undefined;
}

/** One way of starting a process: the launcher, or in-process (./inProcess.ts). */
export type Launch = (file: string, args: readonly string[], options: LaunchOptions) => Promise<LaunchResult>;

/** What an aborted call rejects with: the signal's reason (Temporal's CancelledFailure), else an Error saying so. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`git call aborted: ${String(reason)}`);
}

interface Answer {
  id: number;
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  stdout: Uint8Array;
  stderr: Uint8Array;
  timedOut: boolean;
  spawnError: string | null;
}

interface Helper {
  child: ChildProcess;
  pending: Map<number, (answer: Answer) => void>;
  /** the process group of each pending call that has started */
  groups: Map<number, number>;
  closed: Promise<void>;
}

/** SIGKILLs process group `group`, if it still exists. */
export function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // already gone
  }
}

let helper: Helper | undefined;
let nextId = 1;

function lostAnswer(id: number, why: string): Answer {
  const nothing = new Uint8Array(0);
  const answer = { id, pid: null, exitCode: null, signal: null, timedOut: false, spawnError: why };
  return { ...answer, stdout: nothing, stderr: nothing };
}

/**
 * The helper keeps the worker alive only while some call is pending: then its channel (for the answer)
 * and its process (to learn that it died, if it does) are referenced.
 */
function holdOpen(h: Helper, hold: boolean): void {
  for (const handle of [h.child, h.child.channel]) {
    if (hold) handle?.ref();
    else handle?.unref();
  }
}

/** Resolves a pending call, once. */
function settle(h: Helper, answer: Answer): void {
  const resolve = h.pending.get(answer.id);
  if (resolve === undefined) return;
  h.pending.delete(answer.id);
  h.groups.delete(answer.id);
  if (h.pending.size === 0) holdOpen(h, false);
  resolve(answer);
}

function startHelper(): Helper {
  const env = { ...process.env };
  // NODE_OPTIONS may load tsx (or anything else the worker was started with): the helper needs none of it
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--input-type=module', '-e', HELPER_SOURCE], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
    env,
  });
  let onClosed = (): void => undefined;
  const h: Helper = {
    child,
    pending: new Map(),
    groups: new Map(),
    closed: new Promise((resolve) => (onClosed = resolve)),
  };
  const lost = (why: string) => {
    if (helper === h) helper = undefined;
    // a helper that died (SIGKILL, out of memory) could not end what it started
    for (const group of h.groups.values()) killGroup(group);
    for (const id of [...h.pending.keys()]) settle(h, lostAnswer(id, why));
    onClosed();
  };
  child.on('message', (message: Answer | { id: number; started: number }) => {
    if ('started' in message) h.groups.set(message.id, message.started);
    else settle(h, message);
  });
  child.on('error', (error) => lost(`the launcher process failed: ${error.message}`));
  child.on('close', (code, signal) => lost(`the launcher process exited (${signal ?? `code ${code}`})`));
  holdOpen(h, false);
  return h;
}

const asText = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** Runs `file` with `args` through the helper (started on first use); rejects only for an abort. */
export const launch: Launch = async (file, args, options) => {
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const h = (helper ??= startHelper());
  const id = nextId++;
  let onAbort = (): void => undefined;
  const answer = await new Promise<Answer>((resolve) => {
    if (h.pending.size === 0) holdOpen(h, true);
    h.pending.set(id, resolve);
    const request = {
      id,
      file,
      args: [...args],
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.timeoutMs,
      ...(options.input === undefined ? {} : { input: options.input }),
    };
    const unsent = (error: Error | null) => {
      if (error !== null) settle(h, lostAnswer(id, `could not reach the launcher process: ${error.message}`));
    };
    h.child.send(request, unsent);
    onAbort = () => {
      if (h.child.connected) h.child.send({ kill: id }, () => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  signal?.removeEventListener('abort', onAbort);
  if (signal?.aborted) throw abortReason(signal);
  return {
    exitCode: answer.exitCode ?? undefined,
    signal: answer.signal ?? undefined,
    stdout: asText(answer.stdout),
    stderr: asText(answer.stderr),
    timedOut: answer.timedOut,
    spawnError: answer.spawnError ?? undefined,
    pid: answer.pid ?? undefined,
  };
};

/** The helper's pid, while one runs. */
export function launcherPid(): number | undefined {
  return helper?.child.pid;
}

/** Closes the helper's channel (it kills what it still runs, then exits) and waits until it is gone. */
export async function shutdownLauncher(): Promise<void> {
  const h = helper;
  if (h === undefined) return;
  helper = undefined;
  if (h.child.connected) h.child.disconnect();
  await h.closed;
}
