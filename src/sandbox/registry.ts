/**
 * A real registry on loopback, for tests and the demo. Two implementations:
 * - `distribution` (the default): the CNCF distribution registry (Debian's
 *   `docker-registry` 2.8). Filesystem storage under a temp dir, deletes
 *   enabled (unless `deletes: false`), optional htpasswd (bcrypt) basic auth —
 *   distribution 2.8 accepts it over plain HTTP — or token auth (a token
 *   issuer such as tokenIssuer.ts; config in registryConfig.ts). It has no
 *   OCI 1.1 referrers API (`GET /v2/<name>/referrers/<digest>` is 404), so
 *   clients fall back to the referrers tag.
 * - `ggcr`: go-containerregistry's registry with the referrers API
 *   (ociRegistry.ts, built by scripts/install-oci-registry.sh). In memory,
 *   deletes always on, optional basic auth; no token auth, no data dir.
 * Every process started here is killed on stop, and at the latest when this
 * process exits or is ended by SIGINT, SIGTERM or SIGHUP (its temp data dirs
 * go too; registryProcess.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { startGgcrRegistry } from './ociRegistry.js';
import { registryConfigYaml, type RegistryTokenAuth } from './registryConfig.js';
import { disownDir, ownDir, registryProcess, startOnPort } from './registryProcess.js';

export { freePort } from './registryProcess.js';

export type RegistryImplementation = 'distribution' | 'ggcr';

/** Every implementation, the default first: for tests that run on each. */
export const REGISTRY_IMPLEMENTATIONS: readonly RegistryImplementation[] = ['distribution', 'ggcr'];

export interface RunningRegistry {
  implementation: RegistryImplementation;
  /** `127.0.0.1:<port>` */
  host: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** distribution's config, htpasswd and storage; undefined for ggcr (storage in memory) */
  dataDir: string | undefined;
  /** Stop the process (SIGTERM, then SIGKILL after 5 s). distribution's storage stays; ggcr's is lost. */
  stop(): Promise<void>;
  /** Start again on the same port after stop(): with the same storage (distribution) or an empty one (ggcr). */
  start(): Promise<void>;
  /** Stop, and delete the data dir if startRegistry made it (a caller's dataDir is left to the caller). */
  close(): Promise<void>;
}

export interface StartRegistryOptions {
  /** `distribution` by default */
  implementation?: RegistryImplementation;
  /** basic auth with this one user (distribution: htpasswd) */
  auth?: { username: string; password: string };
  /** distribution only: bearer-token auth (`auth.token`): tokens from `realm`, signed by a chain ending in `rootCertBundle`; not with `auth` */
  tokenAuth?: RegistryTokenAuth;
  /** distribution only: where config, htpasswd and storage live; a fresh temp dir by default */
  dataDir?: string;
  /** a fixed port; a free loopback port by default */
  port?: number;
  /** `storage.delete.enabled`; true by default (tag clean-up tests); false (distribution only) to see a registry refuse deletes */
  deletes?: boolean;
}

const REGISTRY_BINARY = 'docker-registry';

/** The environment without REGISTRY_* variables, which would override the config file. */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('REGISTRY_')) env[key] = value;
  return env;
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  if (options.implementation === 'ggcr') return startGgcrRegistry(options);
  if (options.auth && options.tokenAuth)
    throw new Error('expected one of auth (htpasswd) and tokenAuth, found both');
  if (options.auth?.username.includes(':'))
    throw new Error(
      `expected an htpasswd user name without ':', found ${JSON.stringify(options.auth.username)}`,
    );
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'bumpflow-registry-')));
  if (ownDataDir) ownDir(dataDir);
  await mkdir(dataDir, { recursive: true });
  const storage = path.join(dataDir, 'storage');
  const configPath = path.join(dataDir, 'config.yml');
  const secret = randomBytes(16).toString('hex');
  let htpasswd: string | undefined;
  if (options.auth) {
    htpasswd = path.join(dataDir, 'htpasswd');
    // distribution only reads bcrypt entries; bcryptjs writes $2b$, which Go's bcrypt accepts. Cost 4, bcrypt's
    // least: the registry checks it on every request, and this is a loopback sandbox.
    await writeFile(htpasswd, `${options.auth.username}:${bcrypt.hashSync(options.auth.password, 4)}\n`, {
      mode: 0o600,
    });
  }

  const proc = registryProcess(async (port) => {
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
    return { command: REGISTRY_BINARY, args: ['serve', configPath], env: childEnvironment() };
  });
  let port: number;
  try {
    port = await startOnPort(proc, options.port);
  } catch (err) {
    if (ownDataDir) {
      await rm(dataDir, { recursive: true, force: true });
      disownDir(dataDir);
    }
    throw err;
  }

  const host = `127.0.0.1:${port}`;
  return {
    implementation: 'distribution',
    host,
    url: `http://${host}`,
    dataDir,
    start: () => proc.start(port),
    stop: () => proc.stop(),
    async close() {
      await proc.stop();
      if (!ownDataDir) return;
      await rm(dataDir, { recursive: true, force: true });
      disownDir(dataDir);
    },
  };
}
