/**
 * bumpflow's verifier on what cosign v3 (its defaults: a sigstore bundle v0.3
 * as an OCI 1.1 referrer) and cosign v2 with a timestamp authority write, on
 * both registries (go-containerregistry's with the referrers API,
 * distribution 2.8 through the referrers tag), with `cosign verify` as the
 * cross-check on every case: a key bundle, another key, a rule that requires
 * a log entry, keyless with a real RFC 3161 timestamp, and keyless without.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createRegistryClient,
  type DigestRef,
  type RegistryClient,
} from '../../src/clients/registry/index.js';
import {
  loadTrustRoots,
  logKeyRoot,
  verifyImageSignature,
  type KeylessTrustRule,
  type TrustRule,
} from '../../src/clients/signatures/index.js';
import { cosignVerify, generateKeyPair, signImage, type CosignKeyPair } from '../../src/sandbox/cosign.js';
import { pushLabelledImage } from '../../src/sandbox/images.js';
import { REGISTRY_IMPLEMENTATIONS, startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { keylessSigner, type KeylessSigner } from '../support/keylessSigner.js';
import { rejectsWith } from './registryHelpers.js';
import { readFile } from 'node:fs/promises';

const USER = 'signer';
const PASSWORD = 'pw-0f3e9a21';
const REPOSITORY = 'vexxhost/magnum';
const IDENTITY = 'https://github.com/vexxhost/docker-magnum/.github/workflows/build.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const auth = { username: USER, password: PASSWORD };

for (const implementation of REGISTRY_IMPLEMENTATIONS) {
  const source = implementation === 'ggcr' ? 'referrers' : 'referrers-tag';
  void describe(`bumpflow verifies cosign v3 bundles and cosign agrees (${implementation})`, () => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let dir: string;
    let keys: CosignKeyPair;
    let other: CosignKeyPair;
    let signer: KeylessSigner;

    before(async () => {
      registry = await startRegistry({ implementation, auth });
      client = createRegistryClient({ credentials: (host) => (host === registry.host ? auth : undefined) });
      dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-v3-'));
      for (const sub of ['keys', 'other', 'keyless']) await mkdir(path.join(dir, sub));
      [keys, other] = await Promise.all([
        generateKeyPair(path.join(dir, 'keys'), undefined, 'v3'),
        generateKeyPair(path.join(dir, 'other'), undefined, 'v3'),
      ]);
      signer = await keylessSigner(path.join(dir, 'keyless'), {
        identity: IDENTITY,
        issuer: ISSUER,
        validSeconds: 600,
        registryAuth: auth,
      });
    });
    after(async () => {
      await signer?.close();
      await registry?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function pushImage(salt: string): Promise<{ ref: DigestRef; cosignRef: string }> {
      const labels = {
        source: 'https://github.com/vexxhost/docker-magnum',
        revision: 'c'.repeat(40),
        version: salt,
      };
      const target = { registry: registry.host, repository: REPOSITORY, tag: salt };
      const { digest } = await pushLabelledImage(client, target, labels, { salt });
      return {
        ref: { registry: registry.host, repository: REPOSITORY, digest },
        cosignRef: `${registry.host}/${REPOSITORY}@${digest}`,
      };
    }
    const keyRule = (k: CosignKeyPair, name: string, over: Partial<TrustRule> = {}): TrustRule =>
      ({ kind: 'key', name, publicKeyPem: k.publicKeyPem, tlog: 'optional', ...over }) as TrustRule;
    const keylessRule = async (): Promise<KeylessTrustRule> => ({
      kind: 'keyless',
      name: 'trusted_root.json',
      trustedRoot: loadTrustRoots(await readFile(signer.trustedRootPath, 'utf8'), signer.trustedRootPath),
      identity: IDENTITY,
      issuer: ISSUER,
      tlog: 'optional',
      sct: 'optional',
    });

    void test('a key bundle verifies; another key and a rule that requires a log entry are refused, by cosign too', async () => {
      const { ref, cosignRef } = await pushImage('v3-key');
      await signImage({
        version: 'v3',
        ref: cosignRef,
        key: keys.privateKeyPath,
        password: keys.password,
        registryAuth: auth,
      });
      const evidence = await verifyImageSignature(client, ref, keyRule(keys, 'release'));
      assert.equal(evidence.format, 'sigstore-bundle');
      assert.equal(evidence.source, source);
      assert.equal(evidence.signedDigest, ref.digest);
      assert.equal(evidence.verifiedBy, 'key release');
      const verify = { version: 'v3' as const, ref: cosignRef, ignoreTlog: true, registryAuth: auth };
      assert.equal((await cosignVerify({ ...verify, key: keys.publicKeyPath })).length, 1);

      const wrong = await rejectsWith(
        verifyImageSignature(client, ref, keyRule(other, 'other')),
        FatalFailure.SignatureInvalid,
      );
      assert.match(wrong.message, /SIGNATURE_ERROR/);
      await assert.rejects(cosignVerify({ ...verify, key: other.publicKeyPath }));

      // a log (any P-256 key stands in for Rekor's) whose entry the signature does not have
      const logged = keyRule(keys, 'release', {
        tlog: 'required',
        trustedRoot: logKeyRoot(other.publicKeyPem, 'rekor.pub'),
      });
      await assert.rejects(
        verifyImageSignature(client, ref, { ...logged, trustedRoot: undefined } as TrustRule),
        (e: Error & { type?: string }) =>
          e.type === FatalFailure.BadInput && /tlog: optional/.test(e.message),
      );
      const unlogged = await rejectsWith(
        verifyImageSignature(client, ref, logged),
        FatalFailure.SignatureInvalid,
      );
      assert.match(unlogged.message, /expected 1 tlog entries, got 0/);
      await assert.rejects(
        cosignVerify({
          version: 'v3',
          ref: cosignRef,
          key: keys.publicKeyPath,
          trustedRoot: signer.trustedRootPath,
          registryAuth: auth,
        }),
        /not enough verified log entries/,
      );
    });

    void test('keyless with a real RFC 3161 timestamp verifies; without one it is NoVerifiedTimestamp, and cosign requiring it refuses too', async () => {
      const timed = await pushImage('v3-keyless');
      const untimed = await pushImage('v3-untimed');
      await signer.sign(timed.cosignRef);
      await signer.sign(untimed.cosignRef, { timestamp: false });
      const rule = await keylessRule();
      const evidence = await verifyImageSignature(client, timed.ref, rule);
      assert.equal(evidence.timeSource, 'timestamp-authority');
      assert.equal(evidence.certificate?.subjectAlternativeName, IDENTITY);
      const verify = {
        version: 'v3' as const,
        keyless: { identity: IDENTITY, issuer: ISSUER },
        trustedRoot: signer.trustedRootPath,
        ignoreTlog: true,
        ignoreSct: true,
        useSignedTimestamps: true,
        registryAuth: auth,
      };
      assert.equal((await cosignVerify({ ...verify, ref: timed.cosignRef })).length, 1);

      await rejectsWith(verifyImageSignature(client, untimed.ref, rule), FatalFailure.NoVerifiedTimestamp);
      await assert.rejects(cosignVerify({ ...verify, ref: untimed.cosignRef }));

      const mismatch = await rejectsWith(
        verifyImageSignature(client, timed.ref, {
          ...rule,
          identity: 'https://github.com/evil/x',
        } as KeylessTrustRule),
        FatalFailure.SignerMismatch,
      );
      assert.match(mismatch.message, /docker-magnum/);
      await assert.rejects(
        cosignVerify({
          ...verify,
          ref: timed.cosignRef,
          keyless: { identity: 'https://github.com/evil/x', issuer: ISSUER },
        }),
        /no matching CertificateIdentity/,
      );
    });

    void test('cosign v2 keyless simple-signing with an RFC 3161 timestamp annotation verifies, time from the authority', async () => {
      const { ref, cosignRef } = await pushImage('v2-keyless');
      await signer.signV2(cosignRef);
      const evidence = await verifyImageSignature(client, ref, await keylessRule());
      assert.equal(evidence.format, 'simple-signing');
      assert.equal(evidence.source, 'sig-tag');
      assert.equal(evidence.timeSource, 'timestamp-authority');
    });
  });
}
