/**
 * go-containerregistry's registry (`pkg/registry`, with the OCI 1.1 referrers
 * API: `GET /v2/<name>/referrers/<digest>`) on loopback: tools/oci-registry,
 * built and cached by scripts/install-oci-registry.sh (or BUMPFLOW_OCI_REGISTRY).
 * Storage is memory: stop() loses it, start() begins empty. Deletes are always
 * on; optional basic auth with one user, handed over in the environment
 * (OCI_REGISTRY_USER / OCI_REGISTRY_PASSWORD), never on argv. What it does
 * differently from distribution 2.8, as seen by clients: blobs are shared by
 * all repositories (a blob pushed to one is present in every other, so a copy
 * neither mounts nor uploads it), a delete by digest leaves the tags that
 * pointed at it, and the referrers API gives each referrer's artifactType as
 * its config's mediaType, not its manifest's `artifactType`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bumpflowCacheDir, installedBinary } from './installedTools.js';
import { repoRoot } from './paths.js';
import type { RunningRegistry, StartRegistryOptions } from './registry.js';
import { registryProcess, startOnPort } from './registryProcess.js';

const TOOL_DIR = path.join(repoRoot, 'tools', 'oci-registry');

/** The cache directory's name scripts/install-oci-registry.sh uses: a hash of go.mod, go.sum and main.go. */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(path.join(TOOL_DIR, file)));
  return hash.digest('hex').slice(0, 12);
}

/** BUMPFLOW_OCI_REGISTRY, else where scripts/install-oci-registry.sh caches the binary. */
export function ociRegistryPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BUMPFLOW_OCI_REGISTRY) return env.BUMPFLOW_OCI_REGISTRY;
  return path.join(bumpflowCacheDir(env), `oci-registry-${sourceHash()}`, 'oci-registry');
}

/** The environment without OCI_REGISTRY_* variables: only the auth startGgcrRegistry means reaches the child. */
function childEnvironment(auth: StartRegistryOptions['auth']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('OCI_REGISTRY_')) env[key] = value;
  if (auth) {
    env.OCI_REGISTRY_USER = auth.username;
    env.OCI_REGISTRY_PASSWORD = auth.password;
  }
  return env;
}

export async function startGgcrRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const refused = [
    options.tokenAuth !== undefined && 'tokenAuth (it has basic auth only)',
    options.deletes === false && 'deletes: false (it always deletes)',
    options.dataDir !== undefined && 'dataDir (it keeps storage in memory)',
  ].filter((r): r is string => r !== false);
  if (refused.length > 0)
    throw new Error(
      `expected options the ggcr registry supports, found ${refused.join(', ')}: use implementation 'distribution'`,
    );
  if (options.auth && (options.auth.username === '' || options.auth.password === ''))
    throw new Error('expected a non-empty user name and password for the ggcr registry’s basic auth');
  const bin = await installedBinary({
    name: 'the OCI registry (tools/oci-registry)',
    bin: ociRegistryPath(),
    ...(process.env.BUMPFLOW_OCI_REGISTRY ? { overriddenBy: 'BUMPFLOW_OCI_REGISTRY' } : {}),
    script: 'install-oci-registry.sh',
  });
  const env = childEnvironment(options.auth);
  const proc = registryProcess(async (port) => ({
    command: bin,
    args: ['-listen', `127.0.0.1:${port}`],
    env,
  }));
  const port = await startOnPort(proc, options.port);
  const host = `127.0.0.1:${port}`;
  return {
    implementation: 'ggcr',
    host,
    url: `http://${host}`,
    dataDir: undefined,
    start: () => proc.start(port),
    stop: () => proc.stop(),
    close: () => proc.stop(),
  };
}
