/**
 * The launcher's helper: a small node process (no tsx, no worker heap) that starts processes for the
 * worker, so that fork's page-table copy is paid on a ~45 MB process instead of a several-hundred-MB one.
 * It is a string so that it runs the same from the sources (tsx) and from dist/, with no file to ship.
 *
 * Protocol, over the IPC channel (advanced serialization, so Buffers pass as they are):
 *   → { id, file, args, cwd, env, input?, timeoutMs }   start `file` in its own process group
 *   → { kill: id }                                      SIGKILL that call's whole group
 *   ← { id, started: pid }                              the process runs, in group `pid`
 *   ← { id, pid, exitCode, signal, stdout, stderr, timedOut, spawnError }   once the process has ended
 * When the channel closes (the worker exited or died), or on SIGTERM/SIGHUP, every group still running is killed
 * and the helper exits; SIGINT (a terminal's Ctrl-C) is left to the worker.
 */
export const HELPER_SOURCE = String.raw`
import { spawn } from 'node:child_process';

const running = new Map();

function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function reply(message) {
  if (process.connected) process.send(message);
}

function start({ id, file, args, cwd, env, input, timeoutMs }) {
  const stdout = [];
  const stderr = [];
  let timedOut = false;
  let spawnError = null;
  let child;
  try {
    child = spawn(file, args, {
      cwd,
      env,
      detached: true,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    reply({ id, pid: null, exitCode: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut, spawnError: String(error && error.message) });
    return;
  }
  const entry = { pid: child.pid, timer: undefined };
  running.set(id, entry);
  let done = false;
  const finish = (exitCode, signal) => {
    if (done) return;
    done = true;
    clearTimeout(entry.timer);
    running.delete(id);
    reply({ id, pid: child.pid ?? null, exitCode, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), timedOut, spawnError });
  };
  child.stdout.on('data', (chunk) => stdout.push(chunk));
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  child.on('error', (error) => {
    spawnError = String(error && error.message);
    if (child.pid === undefined) finish(null, null);
  });
  child.on('close', (exitCode, signal) => finish(exitCode, signal));
  if (child.pid === undefined) return;
  reply({ id, started: child.pid });
  entry.timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, timeoutMs);
  if (input !== undefined) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  }
}

process.on('message', (message) => {
  if (message && message.kill !== undefined) {
    const entry = running.get(message.kill);
    if (entry && entry.pid !== undefined) killGroup(entry.pid);
    return;
  }
  start(message);
});

function killAllAndExit() {
  for (const entry of running.values()) if (entry.pid !== undefined) killGroup(entry.pid);
  process.exit(0);
}

process.on('disconnect', killAllAndExit);
process.on('SIGTERM', killAllAndExit);
process.on('SIGHUP', killAllAndExit);
// Ctrl-C reaches the whole foreground group: the worker decides what happens, and the channel closing ends this
process.on('SIGINT', () => undefined);
`;
