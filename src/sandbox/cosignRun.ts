/**
 * Running the real cosign (v2 or v3, built by scripts/install-cosign.sh and
 * install-cosign3.sh) offline: every run gets a throwaway HOME /
 * DOCKER_CONFIG / TUF_ROOT (registry login is a config.json there, mode 0600,
 * removed after) and only the variables it needs; the key password goes in
 * COSIGN_PASSWORD, never on argv or in a message. cosign v3 runs with
 * HTTP(S)_PROXY at a closed loopback port: Go never proxies loopback, so the
 * sandbox registries (and a loopback TSA) answer, and anything else — Rekor,
 * Fulcio, sigstore's TUF repository — fails at once instead of being reached.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bumpflowCacheDir, installedBinary } from './installedTools.js';

export type CosignVersion = 'v2' | 'v3';

/** The pinned builds: v2 is install-cosign.sh's default, v3 what install-cosign3.sh passes it. */
export const COSIGN_VERSIONS: Readonly<Record<CosignVersion, string>> = { v2: 'v2.6.5', v3: 'v3.1.3' };
const OVERRIDES: Readonly<Record<CosignVersion, string>> = { v2: 'BUMPFLOW_COSIGN', v3: 'BUMPFLOW_COSIGN3' };
const SCRIPTS: Readonly<Record<CosignVersion, string>> = {
  v2: 'install-cosign.sh',
  v3: 'install-cosign3.sh',
};
/** Nothing listens here: where cosign v3's non-loopback requests go to fail. */
const CLOSED_PROXY = 'http://127.0.0.1:9';
const RUN_TIMEOUT_MS = 60_000;

export interface RegistryAuth {
  username: string;
  password: string;
}

/** BUMPFLOW_COSIGN (v2) or BUMPFLOW_COSIGN3 (v3), else where the install script caches the binary. */
export function cosignPath(env: NodeJS.ProcessEnv = process.env, version: CosignVersion = 'v2'): string {
  return (
    env[OVERRIDES[version]] ||
    path.join(bumpflowCacheDir(env), `cosign-${COSIGN_VERSIONS[version]}`, 'cosign')
  );
}

export interface RunOptions {
  version?: CosignVersion;
  password?: string;
  registryAuth?: { host: string } & RegistryAuth;
  experimental?: boolean;
  cwd?: string;
  env?: Record<string, string>;
  /** files to write into the throwaway home, the run's working directory, first (argv names them relatively): name → content */
  files?: Record<string, string>;
}

/** cosign `args` in a throwaway home; the stdout on success, else an Error with stderr's tail (password redacted). */
export async function runCosign(args: string[], options: RunOptions = {}): Promise<string> {
  const version = options.version ?? 'v2';
  if (options.files && options.cwd)
    throw new Error(
      'expected files (written to the throwaway home, the working directory) or cwd, found both',
    );
  const bin = await installedBinary({
    name: `cosign ${COSIGN_VERSIONS[version]}`,
    bin: cosignPath(process.env, version),
    ...(process.env[OVERRIDES[version]] ? { overriddenBy: OVERRIDES[version] } : {}),
    script: SCRIPTS[version],
  });
  const home = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-cosign-'));
  try {
    const dockerConfig = path.join(home, 'docker');
    await mkdir(dockerConfig);
    const auths: Record<string, { auth: string }> = {};
    if (options.registryAuth) {
      const { host, username, password } = options.registryAuth;
      auths[host] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
    }
    await writeFile(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths }), { mode: 0o600 });
    for (const [name, content] of Object.entries(options.files ?? {}))
      await writeFile(path.join(home, name), content, { mode: 0o600 });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      DOCKER_CONFIG: dockerConfig,
      TUF_ROOT: path.join(home, 'tuf'),
      COSIGN_PASSWORD: options.password ?? '',
    };
    if (version === 'v3') Object.assign(env, { HTTPS_PROXY: CLOSED_PROXY, HTTP_PROXY: CLOSED_PROXY });
    if (options.experimental) env.COSIGN_EXPERIMENTAL = '1';
    Object.assign(env, options.env);
    const result = await execa(bin, args, {
      env,
      extendEnv: false,
      cwd: options.cwd ?? home,
      timeout: RUN_TIMEOUT_MS,
      reject: false,
      stdin: 'ignore',
    });
    if (result.exitCode !== 0 || result.timedOut) {
      const secrets = [options.password, options.registryAuth?.password].filter(
        (s): s is string => s !== undefined && s.length >= 4,
      );
      let tail = String(result.stderr).trim().split('\n').slice(-6).join('\n');
      for (const s of secrets) tail = tail.split(s).join('***');
      throw new Error(
        `expected cosign ${version} ${args[0]} to succeed, found ${result.timedOut ? `a timeout after ${RUN_TIMEOUT_MS} ms` : `exit ${result.exitCode}`}: ${tail}`,
      );
    }
    return String(result.stdout);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
