/**
 * The real cosign (v2 by default, or v3; cosignRun.ts runs it), for tests and
 * the demo: key pairs, signing an image in a loopback registry, and
 * `cosign verify` as an independent cross-check. Offline: no transparency
 * log, no Fulcio, no TUF download. A test CA for keyless certificates is in
 * testCa.ts; referrers.ts lists what cosign v3 wrote.
 * - v2 writes a simple-signing signature in the `.sig` tag, or with
 *   `referrers` an OCI 1.1 referrer (`--registry-referrers-mode=oci-1-1`).
 * - v3 with its defaults writes a sigstore bundle
 *   (`application/vnd.dev.sigstore.bundle.v0.3+json`: a DSSE envelope over an
 *   in-toto statement naming the digest) as an OCI 1.1 referrer; where the
 *   registry has no referrers API (distribution 2.8) it maintains the
 *   referrers tag `sha256-<hex>` instead.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { COSIGN_VERSIONS, runCosign, type CosignVersion, type RegistryAuth } from './cosignRun.js';

export { COSIGN_VERSIONS, cosignPath, type CosignVersion, type RegistryAuth } from './cosignRun.js';
/** cosign v2's pinned version (the default) */
export const COSIGN_VERSION = COSIGN_VERSIONS.v2;

export interface CosignKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
  /** the private key's password (random unless given) */
  password: string;
}

/** `cosign generate-key-pair` in `dir`: cosign.key (encrypted with `password`) and cosign.pub. */
export async function generateKeyPair(
  dir: string,
  password?: string,
  version: CosignVersion = 'v2',
): Promise<CosignKeyPair> {
  const pw = password ?? `pw-${randomBytes(12).toString('hex')}`;
  await runCosign(['generate-key-pair'], { version, password: pw, cwd: dir });
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
  /** `v2` (default) or `v3` */
  version?: CosignVersion;
  /** v2 only: OCI 1.1 referrers (`--registry-referrers-mode=oci-1-1`) instead of the `.sig` tag (v3 always writes a referrer) */
  referrers?: boolean;
  /** a PEM certificate for the key (keyless-style), and its chain (intermediates then root) */
  certificate?: string;
  chain?: string;
  /** an RFC 3161 timestamp authority (`…/tsr`-style URL) that timestamps the signature */
  timestampServerUrl?: string;
  /**
   * v3 only: a sigstore trusted_root.json. Then cosign signs with a signing
   * config file (no Rekor, no Fulcio; the TSA if given) instead of the
   * deprecated `--use-signing-config=false --tlog-upload=false`, and verifies
   * the bundle against this root before it uploads it: it must hold the CA of
   * a `certificate` and the TSA of `timestampServerUrl`.
   */
  trustedRoot?: string;
  registryAuth?: RegistryAuth;
}

/** A signing config with no services but the TSA (if any): what cosign v3 signs with offline. */
function signingConfigJson(timestampServerUrl: string | undefined): string {
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    rekorTlogConfig: {},
    ...(timestampServerUrl === undefined
      ? {}
      : {
          tsaUrls: [
            {
              url: timestampServerUrl,
              majorApiVersion: 1,
              validFor: { start: '2000-01-01T00:00:00Z' },
              operator: 'bumpflow-sandbox',
            },
          ],
        }),
    tsaConfig: timestampServerUrl === undefined ? {} : { selector: 'ANY' },
  });
}

export async function signImage(options: SignImageOptions): Promise<void> {
  const host = hostOf(options.ref);
  const version = options.version ?? 'v2';
  const args = ['sign', '--key', options.key, '--yes'];
  let files: Record<string, string> | undefined;
  if (version === 'v2') {
    if (options.trustedRoot) throw new Error('expected trustedRoot with cosign v3 only, found it with v2');
    args.push('--tlog-upload=false', '--allow-insecure-registry');
    if (options.referrers) args.push('--registry-referrers-mode=oci-1-1');
    if (options.timestampServerUrl) args.push('--timestamp-server-url', options.timestampServerUrl);
  } else {
    if (options.referrers !== undefined)
      throw new Error('expected no referrers option with cosign v3 (it always writes a referrer), found one');
    // v3's defaults otherwise: the new bundle format, stored as an OCI 1.1 referrer.
    args.push('--allow-http-registry');
    if (options.trustedRoot) {
      files = { 'signing-config.json': signingConfigJson(options.timestampServerUrl) };
      args.push(
        '--signing-config',
        'signing-config.json',
        '--trusted-root',
        path.resolve(options.trustedRoot),
      );
    } else {
      // No signing config from TUF, no Rekor upload: no trusted root is read for a key, nothing fetched.
      args.push('--use-signing-config=false', '--tlog-upload=false');
      if (options.timestampServerUrl) args.push('--timestamp-server-url', options.timestampServerUrl);
    }
  }
  if (options.certificate) args.push('--certificate', path.resolve(options.certificate));
  if (options.chain) args.push('--certificate-chain', path.resolve(options.chain));
  args.push(options.ref);
  await runCosign(args, {
    version,
    password: options.password,
    experimental: version === 'v2' && options.referrers === true,
    ...(files ? { files } : {}),
    ...(options.registryAuth ? { registryAuth: { host, ...options.registryAuth } } : {}),
  });
}

export interface CosignVerifyOptions {
  ref: string;
  /** `v2` (default) or `v3` */
  version?: CosignVersion;
  /** path of cosign.pub */
  key?: string;
  /** keyless: the certificate's identity and issuer; v2 also needs a PEM file of trusted roots (v3: `trustedRoot`) */
  keyless?: { identity: string; issuer: string; caRoots?: string };
  registryAuth?: RegistryAuth;
  // v3 only (v2 always ignores the tlog, and for keyless the SCT):
  /** a sigstore trusted_root.json (`--trusted-root`): CAs, TSAs, logs */
  trustedRoot?: string;
  /** `--insecure-ignore-tlog=true`: only when asked */
  ignoreTlog?: boolean;
  /** `--insecure-ignore-sct=true`: only when asked */
  ignoreSct?: boolean;
  /** `--use-signed-timestamps`: require an RFC 3161 timestamp from a TSA of the trusted root */
  useSignedTimestamps?: boolean;
  /** `--allow-certificate-chain`: accept a v0.3 bundle carrying leaf and intermediates */
  allowCertificateChain?: boolean;
  /** `--new-bundle-format=<value>`; cosign v3's default (true) when unset */
  newBundleFormat?: boolean;
}

function verifyArgsV2(options: CosignVerifyOptions): string[] {
  const v3Only = (
    [
      'trustedRoot',
      'ignoreTlog',
      'ignoreSct',
      'useSignedTimestamps',
      'allowCertificateChain',
      'newBundleFormat',
    ] as const
  ).filter((k) => options[k] !== undefined);
  if (v3Only.length > 0)
    throw new Error(`expected ${v3Only.join(', ')} with cosign v3 only, found them with v2`);
  const args = ['verify', '--insecure-ignore-tlog=true', '--allow-insecure-registry', '--output=json'];
  if (options.key) args.push('--key', options.key);
  if (options.keyless) {
    const { identity, issuer, caRoots } = options.keyless;
    if (caRoots === undefined) throw new Error('expected keyless.caRoots with cosign v2, found none');
    args.push('--certificate-identity', identity, '--certificate-oidc-issuer', issuer);
    args.push('--ca-roots', caRoots, '--insecure-ignore-sct=true');
  }
  return args;
}

function verifyArgsV3(options: CosignVerifyOptions): string[] {
  if (options.keyless?.caRoots !== undefined)
    throw new Error(
      'expected trustedRoot with cosign v3 (it refuses --ca-roots for bundles), found keyless.caRoots',
    );
  const args = ['verify', '--allow-http-registry', '--output=json'];
  if (options.trustedRoot) args.push('--trusted-root', path.resolve(options.trustedRoot));
  if (options.key) args.push('--key', path.resolve(options.key));
  if (options.keyless) {
    args.push('--certificate-identity', options.keyless.identity);
    args.push('--certificate-oidc-issuer', options.keyless.issuer);
  }
  if (options.ignoreTlog) args.push('--insecure-ignore-tlog=true');
  if (options.ignoreSct) args.push('--insecure-ignore-sct=true');
  if (options.useSignedTimestamps) args.push('--use-signed-timestamps');
  if (options.allowCertificateChain) args.push('--allow-certificate-chain');
  if (options.newBundleFormat !== undefined) args.push(`--new-bundle-format=${options.newBundleFormat}`);
  return args;
}

/** `cosign verify` offline; the verified payloads it prints, or an Error saying why not. */
export async function cosignVerify(options: CosignVerifyOptions): Promise<unknown[]> {
  const host = hostOf(options.ref);
  const version = options.version ?? 'v2';
  const args = version === 'v2' ? verifyArgsV2(options) : verifyArgsV3(options);
  args.push(options.ref);
  const stdout = await runCosign(args, {
    version,
    ...(options.registryAuth ? { registryAuth: { host, ...options.registryAuth } } : {}),
    // v2, with a key and no key material of its own, fetches sigstore's TUF
    // root even when the tlog is ignored; naming any key file here stops that
    // (it is only read to check a tlog entry, which --insecure-ignore-tlog skips).
    ...(version === 'v2' && options.key
      ? { env: { SIGSTORE_REKOR_PUBLIC_KEY: path.resolve(options.key) } }
      : {}),
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line) as unknown;
  if (!Array.isArray(parsed))
    throw new Error(`expected cosign verify to print a JSON array, found ${line.slice(0, 80)}`);
  return parsed;
}
