/**
 * The process side of a sandbox registry (registry.ts: distribution;
 * ociRegistry.ts: go-containerregistry's): spawn it on a loopback port, wait
 * until `GET /v2/` answers, stop it (SIGTERM, then SIGKILL after 5 s). Every
 * process started here is killed, and every temp data dir registered here
 * removed, at the latest when this process exits or is ended by SIGINT,
 * SIGTERM or SIGHUP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

const running = new Set<ChildProcess>();
/** Data dirs a startRegistry made and its close() has not deleted yet. */
const ownedDirs = new Set<string>();
let exitHookInstalled = false;

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
}

/**
 * Kills every registry started here when this process ends: on a normal exit,
 * and on a terminating signal (`node --test` sends SIGTERM to a file that
 * times out; 'exit' does not run then). After killing, the signal is raised
 * again unless another handler (a Temporal worker, say) owns shutdown.
 */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      if (process.listenerCount(signal) > 1) return;
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** `dir` is removed when this process exits, unless `disownDir` says it is gone already. */
export function ownDir(dir: string): void {
  ownedDirs.add(dir);
}

export function disownDir(dir: string): void {
  ownedDirs.delete(dir);
}

/** A port that was free on 127.0.0.1 a moment ago (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() =>
        port > 0
          ? resolve(port)
          : reject(new Error(`expected a TCP port from listen(0), found ${JSON.stringify(address)}`)),
      );
    });
  });
}

async function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

export interface RegistryCommand {
  /** the binary, and how messages name the command */
  command: string;
  args: string[];
  /** the child's whole environment */
  env: NodeJS.ProcessEnv;
  /** the path that answers once it serves; default `/v2/` (200 or 401) */
  readyPath?: string;
}

export interface RegistryProcess {
  /** Spawn on `port` and resolve once `GET /v2/` (or the command's readyPath) answers 200 or 401; a no-op while running. */
  start(port: number): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** One registry process, spawned by `commandAt(port)` on each start. */
export function registryProcess(commandAt: (port: number) => Promise<RegistryCommand>): RegistryProcess {
  let child: ChildProcess | undefined;

  async function stop(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = waitForExit(proc);
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  async function start(port: number): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) return;
    installExitHook();
    const { command, args, env, readyPath = '/v2/' } = await commandAt(port);
    const shown = `${command} ${args.join(' ')}`;
    const proc = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let spawnError: Error | undefined;
    proc.once('error', (err) => {
      spawnError = err;
      running.delete(proc);
    });
    child = proc;
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`expected ${command} to start, found ${spawnError.message}`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        child = undefined;
        throw new Error(
          `expected ${shown} to keep running, found it exited (${proc.exitCode ?? proc.signalCode}): ${stderr.trim()}`,
        );
      }
      try {
        const res = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(1000) });
        await res.body?.cancel();
        if (res.status === 200 || res.status === 401) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stop();
    throw new Error(
      `expected ${command} to answer GET ${url}${readyPath} within ${READY_TIMEOUT_MS} ms, found no answer: ${stderr.trim()}`,
    );
  }

  return { start, stop };
}

/**
 * Starts `proc` on `fixedPort`, or on a free port: one can be taken between
 * the probe and the registry's bind, so a busy port is tried thrice. The port.
 */
export async function startOnPort(proc: RegistryProcess, fixedPort: number | undefined): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freePort());
    try {
      await proc.start(port);
      return port;
    } catch (err) {
      const busy = err instanceof Error && /address already in use|port is already in use/i.test(err.message);
      if (!busy || fixedPort !== undefined || attempt >= 3) throw err;
    }
  }
}
