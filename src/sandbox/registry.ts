/**
 * A real CNCF distribution registry (Debian's `docker-registry` 2.8) on
 * loopback, for tests and the demo: filesystem storage under a temp dir,
 * deletes enabled (unless `deletes: false`), optional htpasswd (bcrypt) basic auth — distribution 2.8
 * accepts it over plain HTTP — or token auth (a token issuer such as
 * tokenIssuer.ts; config in registryConfig.ts). Every process started here is killed on stop,
 * and at the latest when this process exits or is ended by SIGINT, SIGTERM or
 * SIGHUP (its temp data dirs go too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { registryConfigYaml, type RegistryTokenAuth } from './registryConfig.js';

export interface RunningRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  dataDir: string;
  /** Stop the process (SIGTERM, then SIGKILL after 5 s); storage stays. */
  stop(): Promise<void>;
  /** Start again on the same port and storage after stop(). */
  start(): Promise<void>;
  /** Stop, and delete the data dir if startRegistry made it (a caller's dataDir is left to the caller). */
  close(): Promise<void>;
}

export interface StartRegistryOptions {
  /** htpasswd basic auth with this one user */
  auth?: { username: string; password: string };
  /** bearer-token auth (`auth.token`): tokens from `realm`, signed by a chain ending in `rootCertBundle`; not with `auth` */
  tokenAuth?: RegistryTokenAuth;
  /** where config, htpasswd and storage live; a fresh temp dir by default */
  dataDir?: string;
  /** a fixed port; a free loopback port by default */
  port?: number;
  /** `storage.delete.enabled`; true by default (tag clean-up tests), false to see a registry refuse deletes */
  deletes?: boolean;
}

const REGISTRY_BINARY = 'docker-registry';
const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

const running = new Set<ChildProcess>();
/** Data dirs startRegistry made and close() has not deleted yet. */
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
function installExitHook(): void {
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

/** The environment without REGISTRY_* variables, which would override the config file. */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('REGISTRY_')) env[key] = value;
  return env;
}

async function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  installExitHook();
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'bumpflow-registry-')));
  if (ownDataDir) ownedDirs.add(dataDir);
  await mkdir(dataDir, { recursive: true });
  const storage = path.join(dataDir, 'storage');
  const configPath = path.join(dataDir, 'config.yml');
  const secret = randomBytes(16).toString('hex');
  if (options.auth && options.tokenAuth)
    throw new Error('expected one of auth (htpasswd) and tokenAuth, found both');
  let htpasswd: string | undefined;
  if (options.auth) {
    if (options.auth.username.includes(':'))
      throw new Error(
        `expected an htpasswd user name without ':', found ${JSON.stringify(options.auth.username)}`,
      );
    htpasswd = path.join(dataDir, 'htpasswd');
    // distribution only reads bcrypt entries; bcryptjs writes $2b$, which Go's bcrypt accepts. Cost 4, bcrypt's
    // least: the registry checks it on every request, and this is a loopback sandbox.
    await writeFile(htpasswd, `${options.auth.username}:${bcrypt.hashSync(options.auth.password, 4)}\n`, {
      mode: 0o600,
    });
  }

  let port = options.port ?? 0;
  let child: ChildProcess | undefined;

  async function launch(): Promise<void> {
    await writeFile(
      configPath,
      registryConfigYaml({
        port,
        storage,
        secret,
        deletes: options.deletes ?? true,
        ...(htpasswd === undefined ? {} : { htpasswd }),
        ...(options.tokenAuth === undefined ? {} : { token: options.tokenAuth }),
      }),
    );
    const proc = spawn(REGISTRY_BINARY, ['serve', configPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: childEnvironment(),
    });
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
      if (spawnError) throw new Error(`expected ${REGISTRY_BINARY} to start, found ${spawnError.message}`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        child = undefined;
        throw new Error(
          `expected ${REGISTRY_BINARY} serve ${configPath} to keep running, found it exited (${proc.exitCode ?? proc.signalCode}): ${stderr.trim()}`,
        );
      }
      try {
        const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
        await res.body?.cancel();
        if (res.status === 200 || res.status === 401) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stop();
    throw new Error(
      `expected ${REGISTRY_BINARY} to answer GET ${url}/v2/ within ${READY_TIMEOUT_MS} ms, found no answer: ${stderr.trim()}`,
    );
  }

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) return;
    await launch();
  }

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

  // A free port can be taken between our probe and the registry's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    if (options.port === undefined) port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      const busy = err instanceof Error && /address already in use/i.test(err.message);
      if (!busy || options.port !== undefined || attempt >= 3) {
        if (ownDataDir) {
          await rm(dataDir, { recursive: true, force: true });
          ownedDirs.delete(dataDir);
        }
        throw err;
      }
    }
  }

  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `http://${host}`,
    dataDir,
    start,
    stop,
    async close() {
      await stop();
      if (!ownDataDir) return;
      await rm(dataDir, { recursive: true, force: true });
      ownedDirs.delete(dataDir);
    },
  };
}
