/**
 * The real cosign (built by scripts/install-cosign.sh), for tests and the
 * demo: key pairs, signing an image in a loopback registry (the `.sig` tag,
 * or OCI 1.1 referrers), and `cosign verify` as an independent cross-check.
 * Offline: no transparency log, no Fulcio, no TUF download.
 *
 * Every run gets a throwaway HOME / DOCKER_CONFIG / TUF_ROOT (registry login
 * is a config.json there, mode 0600, removed after) and only the variables it
 * needs; the key password goes in COSIGN_PASSWORD, never on argv or in a
 * message. A test CA for keyless certificates is in testCa.ts.
 */
import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './paths.js';

export const COSIGN_VERSION = 'v2.6.5';
const RUN_TIMEOUT_MS = 60_000;

export interface RegistryAuth {
  username: string;
  password: string;
}

/** BUMPFLOW_COSIGN, else where scripts/install-cosign.sh caches the binary. */
export function cosignPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BUMPFLOW_COSIGN) return env.BUMPFLOW_COSIGN;
  const cache =
    env.BUMPFLOW_CACHE ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'bumpflow');
  return path.join(cache, `cosign-${COSIGN_VERSION}`, 'cosign');
}

let installed: Promise<string> | undefined;

/**
 * The binary; when the cache has none yet, scripts/install-cosign.sh, which
 * waits for a build under way (CI starts it in the background) or builds it.
 */
async function cosignBinary(): Promise<string> {
  const bin = cosignPath();
  if (
    await access(bin, constants.X_OK).then(
      () => true,
      () => false,
    )
  )
    return bin;
  if (process.env.BUMPFLOW_COSIGN)
    throw new Error(`expected the cosign binary at ${bin} (BUMPFLOW_COSIGN), found none`);
  installed ??= execa('bash', [path.join(repoRoot, 'scripts', 'install-cosign.sh')]).then(
    (r) => r.stdout.trim(),
    (err: unknown) => {
      installed = undefined;
      throw new Error(`expected scripts/install-cosign.sh to provide cosign, it failed: ${String(err)}`);
    },
  );
  return installed;
}

interface RunOptions {
  password?: string;
  registryAuth?: { host: string } & RegistryAuth;
  experimental?: boolean;
  cwd?: string;
  env?: Record<string, string>;
}

/** cosign `args` in a throwaway home; the stdout on success, else an Error with stderr's tail (password redacted). */
async function runCosign(args: string[], options: RunOptions = {}): Promise<string> {
  const bin = await cosignBinary();
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
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      DOCKER_CONFIG: dockerConfig,
      TUF_ROOT: path.join(home, 'tuf'),
      COSIGN_PASSWORD: options.password ?? '',
    };
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
        `expected cosign ${args[0]} to succeed, found ${result.timedOut ? `a timeout after ${RUN_TIMEOUT_MS} ms` : `exit ${result.exitCode}`}: ${tail}`,
      );
    }
    return String(result.stdout);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export interface CosignKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
  /** the private key's password (random unless given) */
  password: string;
}

/** `cosign generate-key-pair` in `dir`: cosign.key (encrypted with `password`) and cosign.pub. */
export async function generateKeyPair(dir: string, password?: string): Promise<CosignKeyPair> {
  const pw = password ?? `pw-${randomBytes(12).toString('hex')}`;
  await runCosign(['generate-key-pair'], { password: pw, cwd: dir });
  const publicKeyPath = path.join(dir, 'cosign.pub');
  return {
    privateKeyPath: path.join(dir, 'cosign.key'),
    publicKeyPath,
    publicKeyPem: await readFile(publicKeyPath, 'utf8'),
    password: pw,
  };
}

/** `host:port/repo@sha256:…` → the registry host cosign logs in to. */
function hostOf(ref: string): string {
  const host = ref.split('/')[0] ?? '';
  if (!ref.includes('@sha256:') || host === '') {
    throw new Error(
      `expected an image reference host:port/repository@sha256:<hex>, found ${JSON.stringify(ref)}`,
    );
  }
  return host;
}

export interface SignImageOptions {
  /** `host:port/repository@sha256:<hex>` */
  ref: string;
  /** path of cosign.key */
  key: string;
  password: string;
  /** OCI 1.1 referrers (`--registry-referrers-mode=oci-1-1`) instead of the `.sig` tag */
  referrers?: boolean;
  /** a PEM certificate for the key (keyless-style), and its chain (intermediates then root) */
  certificate?: string;
  chain?: string;
  registryAuth?: RegistryAuth;
}

export async function signImage(options: SignImageOptions): Promise<void> {
  const host = hostOf(options.ref);
  const args = ['sign', '--key', options.key, '--tlog-upload=false', '--allow-insecure-registry', '--yes'];
  if (options.referrers) args.push('--registry-referrers-mode=oci-1-1');
  if (options.certificate) args.push('--certificate', options.certificate);
  if (options.chain) args.push('--certificate-chain', options.chain);
  args.push(options.ref);
  await runCosign(args, {
    password: options.password,
    experimental: options.referrers === true,
    ...(options.registryAuth ? { registryAuth: { host, ...options.registryAuth } } : {}),
  });
}

export interface CosignVerifyOptions {
  ref: string;
  /** path of cosign.pub */
  key?: string;
  /** keyless: the certificate's identity and issuer, and a PEM file of trusted roots */
  keyless?: { identity: string; issuer: string; caRoots: string };
  registryAuth?: RegistryAuth;
}

/** `cosign verify` (tlog and SCT ignored, offline); the verified payloads it prints, or an Error saying why not. */
export async function cosignVerify(options: CosignVerifyOptions): Promise<unknown[]> {
  const host = hostOf(options.ref);
  const args = ['verify', '--insecure-ignore-tlog=true', '--allow-insecure-registry', '--output=json'];
  if (options.key) args.push('--key', options.key);
  if (options.keyless) {
    const { identity, issuer, caRoots } = options.keyless;
    args.push('--certificate-identity', identity, '--certificate-oidc-issuer', issuer);
    args.push('--ca-roots', caRoots, '--insecure-ignore-sct=true');
  }
  args.push(options.ref);
  const stdout = await runCosign(args, {
    ...(options.registryAuth ? { registryAuth: { host, ...options.registryAuth } } : {}),
    // With a key and no key material of its own, cosign fetches sigstore's TUF
    // root even when the tlog is ignored; naming any key file here stops that
    // (it is only read to check a tlog entry, which --insecure-ignore-tlog skips).
    ...(options.key ? { env: { SIGSTORE_REKOR_PUBLIC_KEY: path.resolve(options.key) } } : {}),
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line) as unknown;
  if (!Array.isArray(parsed))
    throw new Error(`expected cosign verify to print a JSON array, found ${line.slice(0, 80)}`);
  return parsed;
}
