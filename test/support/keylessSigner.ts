/**
 * A keyless signer as a CI pipeline has one, on loopback: a Fulcio-like test
 * CA, a short-lived leaf certificate for a fresh key (imported into cosign's
 * key format by `cosign import-key-pair`), a real RFC 3161 timestamp
 * authority, and the trusted_root.json naming the CA and the TSA (no Rekor,
 * no CT log: the worker's rule says tlog and sct optional).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCosign } from '../../src/sandbox/cosignRun.js';
import { signImage, type RegistryAuth } from '../../src/sandbox/cosign.js';
import { issueShortLivedLeaf, makeTestCa } from '../../src/sandbox/testCa.js';
import { startTimestampAuthority, type RunningTsa } from '../../src/sandbox/timestampAuthority.js';

export interface KeylessSigner {
  identity: string;
  issuer: string;
  /** the trusted root file: the CA and the TSA */
  trustedRootPath: string;
  tsa: RunningTsa;
  /** the leaf's end */
  notAfter: Date;
  /** sign with cosign 3 (a bundle referrer); with the TSA's timestamp unless `timestamp: false` */
  sign(ref: string, options?: { timestamp?: boolean }): Promise<void>;
  /** sign with cosign 2 (a simple-signing `.sig` tag, the timestamp in its annotation) */
  signV2(ref: string): Promise<void>;
  close(): Promise<void>;
}

export async function keylessSigner(
  dir: string,
  options: { identity: string; issuer: string; validSeconds: number; registryAuth: RegistryAuth },
): Promise<KeylessSigner> {
  for (const sub of ['ca', 'leaf', 'tsa', 'key']) await mkdir(path.join(dir, sub), { recursive: true });
  const { identity, issuer } = options;
  const placeholder = await runCosignKeyPair(path.join(dir, 'key'));
  const ca = await makeTestCa(path.join(dir, 'ca'), { identity, issuer, publicKeyPem: placeholder });
  const tsa = await startTimestampAuthority(path.join(dir, 'tsa'));
  // not before the CA's own certificates (cosign checks the chain at the leaf's notBefore)
  const now = Date.now();
  const notAfter = new Date(now + options.validSeconds * 1000);
  const leaf = await issueShortLivedLeaf(ca, path.join(dir, 'leaf'), {
    identity,
    issuer,
    notBefore: new Date(now),
    notAfter,
  });
  const password = `pw-${randomBytes(12).toString('hex')}`;
  // cosign's own key format for the openssl key the leaf certifies
  await runCosign(
    ['import-key-pair', '--key', leaf.keyPath, '--output-key-prefix', path.join(dir, 'key', 'leaf')],
    {
      version: 'v3',
      password,
    },
  );
  const root = JSON.parse(ca.trustedRootJson) as { timestampAuthorities: unknown[] };
  root.timestampAuthorities = [tsa.trustedRootEntry];
  const trustedRootPath = path.join(dir, 'trusted_root.json');
  await writeFile(trustedRootPath, JSON.stringify(root, null, 2));
  return {
    identity,
    issuer,
    trustedRootPath,
    tsa,
    notAfter,
    async sign(ref, o = {}) {
      await signImage({
        ref,
        version: 'v3',
        key: path.join(dir, 'key', 'leaf.key'),
        password,
        // the leaf alone, as Fulcio's v0.3 bundles carry it: the trusted root holds the intermediate
        certificate: leaf.leafPath,
        trustedRoot: trustedRootPath,
        ...(o.timestamp === false ? {} : { timestampServerUrl: tsa.url }),
        registryAuth: options.registryAuth,
      });
    },
    async signV2(ref) {
      await signImage({
        ref,
        key: path.join(dir, 'key', 'leaf.key'),
        password,
        certificate: leaf.leafPath,
        chain: ca.chainPath,
        timestampServerUrl: tsa.url,
        registryAuth: options.registryAuth,
      });
    },
    close: () => tsa.close(),
  };
}

/** A throwaway public key for makeTestCa's own (unused) leaf. */
async function runCosignKeyPair(dir: string): Promise<string> {
  await runCosign(['generate-key-pair'], { version: 'v3', password: 'unused-pw', cwd: dir });
  return readFile(path.join(dir, 'cosign.pub'), 'utf8');
}
