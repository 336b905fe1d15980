/**
 * The same as the launcher (./launcher.ts), but the worker forks each process itself, through execa
 * (BUMPFLOW_LAUNCHER=off). Each process has its own group, killed on timeout, on abort and when this
 * process exits.
 */
import { execa } from 'execa';
import { abortReason, killGroup, type Launch } from './launcher.js';

/** Process groups still running: killed when this process exits. */
const runningGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(group: number): void {
  if (!exitHookInstalled) {
    process.once('exit', () => {
      for (const running of runningGroups) killGroup(running);
    });
    exitHookInstalled = true;
  }
  runningGroups.add(group);
}

export const launchInProcess: Launch = async (file, args, options) => {
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    // its own process group, so a timeout also ends the process's helpers (git-remote-https, ssh)
    detached: true,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  const group = subprocess.pid;
  if (group !== undefined) trackGroup(group);
  let timedOut = false;
  const kill = () => {
    if (group !== undefined) killGroup(group);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs);
  signal?.addEventListener('abort', kill, { once: true });
  const result = await subprocess.finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', kill);
    if (group !== undefined) runningGroups.delete(group);
  });
  if (signal?.aborted) throw abortReason(signal);
  const started = result.exitCode !== undefined || result.signal !== undefined;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    timedOut,
    spawnError: started ? undefined : (result.shortMessage ?? 'unknown error'),
    pid: group,
  };
};
