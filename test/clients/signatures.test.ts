/**
 * verifyImageSignature against images signed by the real cosign (built by
 * scripts/install-cosign.sh) in a real distribution registry with htpasswd
 * auth: key-based signatures in the `.sig` tag and as OCI 1.1 referrers
 * (distribution 2.8 has no referrers API: cosign writes the referrers tag),
 * keyless-style certificates from a local openssl CA standing in for Fulcio,
 * and every refusal with its type. What the verifier accepts, `cosign verify`
 * accepts too; where it refuses a forged chain or a moved signature, cosign
 * refuses as well.
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
import { MediaType } from '../../src/clients/registry/schema.js';
import {
  loadTrustRoots,
  verifyImageSignature,
  type KeylessTrustRule,
  type TrustedRootJson,
  type TrustRule,
} from '../../src/clients/signatures/index.js';
import { startTimestampAuthority, type RunningTsa } from '../../src/sandbox/timestampAuthority.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { cosignVerify, generateKeyPair, signImage, type CosignKeyPair } from '../../src/sandbox/cosign.js';
import { pushLabelledImage } from '../../src/sandbox/images.js';
import { startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import { makeTestCa, type TestCa } from '../../src/sandbox/testCa.js';
import { rejectsWith } from './registryHelpers.js';

const USER = 'signer';
const PASSWORD = 'pw-7d41c0e2';
const REPOSITORY = 'vexxhost/magnum';
const IDENTITY = 'https://github.com/vexxhost/docker-magnum/.github/workflows/build.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

void describe('cosign signatures, signed by cosign, verified in-process', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let dir: string;
  let keys: CosignKeyPair;
  let otherKeys: CosignKeyPair;
  let ca: TestCa;
  let rogueCa: TestCa;
  let tsa: RunningTsa;
  const auth = { username: USER, password: PASSWORD };

  before(async () => {
    registry = await startRegistry({ auth });
    client = createRegistryClient({ credentials: (host) => (host === registry.host ? auth : undefined) });
    dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-signatures-'));
    for (const sub of ['keys', 'other', 'ca', 'rogue', 'tsa']) await mkdir(path.join(dir, sub));
    tsa = await startTimestampAuthority(path.join(dir, 'tsa'));
    keys = await generateKeyPair(path.join(dir, 'keys'));
    otherKeys = await generateKeyPair(path.join(dir, 'other'));
    ca = await makeTestCa(path.join(dir, 'ca'), {
      identity: IDENTITY,
      issuer: ISSUER,
      publicKeyPem: keys.publicKeyPem,
    });
    rogueCa = await makeTestCa(path.join(dir, 'rogue'), {
      identity: IDENTITY,
      issuer: ISSUER,
      publicKeyPem: keys.publicKeyPem,
      name: 'rogue',
    });
  });
  after(async () => {
    await registry?.close();
    await tsa?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A fresh labelled index (its own salt, so its own digest) and the reference cosign signs. */
  async function pushImage(salt: string): Promise<{ ref: DigestRef; cosignRef: string }> {
    const labels = {
      source: 'https://github.com/vexxhost/docker-magnum',
      revision: 'a'.repeat(40),
      version: '2025.1',
    };
    const { digest } = await pushLabelledImage(
      client,
      { registry: registry.host, repository: REPOSITORY, tag: salt },
      labels,
      { salt },
    );
    return {
      ref: { registry: registry.host, repository: REPOSITORY, digest },
      cosignRef: `${registry.host}/${REPOSITORY}@${digest}`,
    };
  }

  // cosign signs here without Rekor or a CT log (none runs offline): the rules say so
  const keyRule = (k: CosignKeyPair, name: string): TrustRule => ({
    kind: 'key',
    name,
    publicKeyPem: k.publicKeyPem,
    tlog: 'optional',
  });
  /** keyless under `roots`, the local timestamp authority trusted for the signing time */
  const keylessRule = (roots: TrustedRootJson, over: Partial<KeylessTrustRule> = {}): TrustRule =>
    ({
      kind: 'keyless',
      name: 'test-ca',
      trustedRoot: { ...roots, timestampAuthorities: [tsa.trustedRootEntry] },
      tlog: 'optional',
      sct: 'optional',
      identity: IDENTITY,
      issuer: ISSUER,
      ...over,
    }) as TrustRule;
  /** a CA's PEM bundle: the intermediate (which issues the leaf) and the root */
  const bundleOf = (c: TestCa): string => `${c.intermediatePem ?? ''}${c.rootPem}`;

  void test('a key signature in the .sig tag verifies, with evidence; cosign verify agrees; another key is refused', async () => {
    const { ref, cosignRef } = await pushImage('key-sig-tag');
    await signImage({
      ref: cosignRef,
      key: keys.privateKeyPath,
      password: keys.password,
      registryAuth: auth,
    });

    const evidence = await verifyImageSignature(client, ref, keyRule(keys, 'release'));
    const sigTag = await client.getManifest({
      registry: registry.host,
      repository: REPOSITORY,
      tag: `${ref.digest.replace(':', '-')}.sig`,
    });
    const layer = (sigTag.json as { layers: { digest: string; mediaType: string }[] }).layers[0]!;
    assert.equal(layer.mediaType, MediaType.cosignSimpleSigning);
    assert.deepEqual(evidence, {
      digest: ref.digest,
      source: 'sig-tag',
      signatureManifest: sigTag.digest,
      payloadDigest: layer.digest,
      verifiedBy: 'key release',
      signedDigest: ref.digest,
      dockerReference: `${registry.host}/${REPOSITORY}`,
      format: 'simple-signing',
      tlogEntries: [],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(evidence)), evidence, 'evidence is plain JSON');

    const payloads = await cosignVerify({ ref: cosignRef, key: keys.publicKeyPath, registryAuth: auth });
    assert.equal(payloads.length, 1);
    assert.equal(
      (payloads[0] as { critical: { image: { 'docker-manifest-digest': string } } }).critical.image[
        'docker-manifest-digest'
      ],
      ref.digest,
    );

    const wrong = await rejectsWith(
      verifyImageSignature(client, ref, keyRule(otherKeys, 'someone-else')),
      FatalFailure.SignatureInvalid,
    );
    assert.match(wrong.message, new RegExp(`${ref.digest}.*1 signature\\(s\\) tried.*SIGNATURE_ERROR`));
    for (const secret of [PASSWORD, keys.password])
      assert.ok(!wrong.message.includes(secret), 'no secret in the message');
    await assert.rejects(
      cosignVerify({ ref: cosignRef, key: otherKeys.publicKeyPath, registryAuth: auth }),
      /no matching signatures: invalid signature/,
    );
  });

  void test('a referrers-mode signature is found through the referrers tag and verifies', async () => {
    const { ref, cosignRef } = await pushImage('key-referrers');
    await signImage({
      ref: cosignRef,
      key: keys.privateKeyPath,
      password: keys.password,
      referrers: true,
      registryAuth: auth,
    });
    await rejectsWith(
      client.resolveDigest({
        registry: registry.host,
        repository: REPOSITORY,
        tag: `${ref.digest.replace(':', '-')}.sig`,
      }),
      FatalFailure.ManifestUnknown,
    );
    const evidence = await verifyImageSignature(client, ref, keyRule(keys, 'release'));
    assert.equal(evidence.source, 'referrers-tag');
    assert.equal(evidence.signedDigest, ref.digest);
    const referrer = await client.getManifest({
      registry: registry.host,
      repository: REPOSITORY,
      digest: evidence.signatureManifest,
    });
    assert.equal(
      (referrer.json as { subject: { digest: string } }).subject.digest,
      ref.digest,
      'an OCI 1.1 referrer of the image',
    );
  });

  void test('a keyless certificate from the trusted CA verifies by identity and issuer; cosign verify agrees', async () => {
    const { ref, cosignRef } = await pushImage('keyless');
    await signImage({
      ref: cosignRef,
      key: keys.privateKeyPath,
      password: keys.password,
      certificate: ca.leafPath,
      chain: ca.chainPath,
      timestampServerUrl: tsa.url,
      registryAuth: auth,
    });

    const roots = loadTrustRoots(bundleOf(ca), 'ca.pem');
    const evidence = await verifyImageSignature(client, ref, keylessRule(roots));
    assert.equal(evidence.verifiedBy, `certificate ${IDENTITY} from ${ISSUER} (root test-ca)`);
    assert.equal(evidence.certificate?.subjectAlternativeName, IDENTITY);
    assert.equal(evidence.certificate?.issuer, ISSUER);
    assert.equal(evidence.signedDigest, ref.digest);
    assert.equal(evidence.timeSource, 'timestamp-authority', 'the time comes from the RFC 3161 timestamp');

    const byRegExp = await verifyImageSignature(
      client,
      ref,
      keylessRule(roots, { identity: undefined, identityRegExp: '^https://github\\.com/vexxhost/' } as never),
    );
    assert.equal(byRegExp.payloadDigest, evidence.payloadDigest);

    const fromJson = loadTrustRoots(ca.trustedRootJson, 'trusted_root.json');
    assert.equal(fromJson.certificateAuthorities?.length, 1, 'one CA: intermediate then root');
    assert.equal(
      (await verifyImageSignature(client, ref, keylessRule(fromJson))).payloadDigest,
      evidence.payloadDigest,
    );

    const payloads = await cosignVerify({
      ref: cosignRef,
      keyless: { identity: IDENTITY, issuer: ISSUER, caRoots: ca.rootPath },
      registryAuth: auth,
    });
    assert.equal(payloads.length, 1);

    const otherIdentity = await rejectsWith(
      verifyImageSignature(
        client,
        ref,
        keylessRule(roots, {
          identity: 'https://github.com/evil/fork/.github/workflows/x.yml@refs/heads/main',
        }),
      ),
      FatalFailure.SignerMismatch,
    );
    assert.match(otherIdentity.message, /evil\/fork/);
    assert.ok(
      otherIdentity.message.includes(`identity ${IDENTITY} from issuer ${ISSUER}`),
      otherIdentity.message,
    );
    const otherIssuer = await rejectsWith(
      verifyImageSignature(client, ref, keylessRule(roots, { issuer: 'https://accounts.google.com' })),
      FatalFailure.SignerMismatch,
    );
    assert.match(
      otherIssuer.message,
      /expected .* from issuer https:\/\/accounts\.google\.com, found .* from issuer https:\/\/token\.actions/,
    );
    const otherRoots = await rejectsWith(
      verifyImageSignature(client, ref, keylessRule(loadTrustRoots(bundleOf(rogueCa), 'rogue.pem'))),
      FatalFailure.SignatureInvalid,
    );
    assert.match(otherRoots.message, /CERTIFICATE_ERROR/);
  });

  void test('a certificate from a CA outside the trusted roots is refused, by cosign too', async () => {
    const { ref, cosignRef } = await pushImage('rogue-ca');
    await signImage({
      ref: cosignRef,
      key: keys.privateKeyPath,
      password: keys.password,
      certificate: rogueCa.leafPath,
      chain: rogueCa.chainPath,
      timestampServerUrl: tsa.url,
      registryAuth: auth,
    });
    const err = await rejectsWith(
      verifyImageSignature(client, ref, keylessRule(loadTrustRoots(bundleOf(ca), 'ca.pem'))),
      FatalFailure.SignatureInvalid,
    );
    assert.match(err.message, /CERTIFICATE_ERROR: Failed to verify certificate chain/);
    await assert.rejects(
      cosignVerify({
        ref: cosignRef,
        keyless: { identity: IDENTITY, issuer: ISSUER, caRoots: ca.rootPath },
        registryAuth: auth,
      }),
      /no matching signatures: cert verification failed: x509: certificate signed by unknown authority/,
    );
    // The rogue CA's own root accepts it: the refusal is about trust, not a broken certificate.
    const evidence = await verifyImageSignature(
      client,
      ref,
      keylessRule(loadTrustRoots(bundleOf(rogueCa), 'rogue.pem')),
    );
    assert.equal(evidence.certificate?.subjectAlternativeName, IDENTITY);
  });

  void test('a keyless signature without a verified time is NoVerifiedTimestamp (cosign told to ignore the log checks the certificate against now instead)', async () => {
    const { ref, cosignRef } = await pushImage('keyless-untimed');
    await signImage({
      ref: cosignRef,
      key: keys.privateKeyPath,
      password: keys.password,
      certificate: ca.leafPath,
      chain: ca.chainPath,
      registryAuth: auth,
    });
    const err = await rejectsWith(
      verifyImageSignature(client, ref, keylessRule(loadTrustRoots(bundleOf(ca), 'ca.pem'))),
      FatalFailure.NoVerifiedTimestamp,
    );
    assert.match(err.message, /no verified transparency-log entry or RFC 3161 timestamp/);
    // The one place cosign v2 differs, by the flag that says so: --insecure-ignore-tlog, no timestamp,
    // and it takes the wall clock while the one-day certificate is valid. bumpflow never does.
    const payloads = await cosignVerify({
      ref: cosignRef,
      keyless: { identity: IDENTITY, issuer: ISSUER, caRoots: ca.rootPath },
      registryAuth: auth,
    });
    assert.equal(payloads.length, 1);
  });

  void test('an unsigned image is Unsigned', async () => {
    const { ref } = await pushImage('unsigned');
    const err = await rejectsWith(
      verifyImageSignature(client, ref, keyRule(keys, 'release')),
      FatalFailure.Unsigned,
    );
    assert.ok(err.message.includes(`${registry.host}/${REPOSITORY}@${ref.digest}`), err.message);
  });

  void test("image A's signature put under image B's .sig tag is SignedDigestMismatch, and cosign refuses it", async () => {
    const a = await pushImage('digest-a');
    const b = await pushImage('digest-b');
    await signImage({
      ref: a.cosignRef,
      key: keys.privateKeyPath,
      password: keys.password,
      registryAuth: auth,
    });
    const sig = await client.getManifest({
      registry: registry.host,
      repository: REPOSITORY,
      tag: `${a.ref.digest.replace(':', '-')}.sig`,
    });
    await client.putManifest(
      { registry: registry.host, repository: REPOSITORY, tag: `${b.ref.digest.replace(':', '-')}.sig` },
      sig.mediaType,
      sig.body,
    );

    const err = await rejectsWith(
      verifyImageSignature(client, b.ref, keyRule(keys, 'release')),
      FatalFailure.SignedDigestMismatch,
    );
    assert.ok(
      err.message.includes(`expected the payload to sign ${b.ref.digest}, found it signs ${a.ref.digest}`),
      err.message,
    );
    await assert.rejects(
      cosignVerify({ ref: b.cosignRef, key: keys.publicKeyPath, registryAuth: auth }),
      /no matching signatures: invalid or missing digest in claim/,
    );
  });

  void test('trust roots: a bad file is BadInput naming the file and what was found', async () => {
    const cases: [string, RegExp][] = [
      ['', /roots\.pem: expected a PEM bundle .* found an empty file/],
      [
        // a PEM block of the private-key type, built here: not a key, and nothing that looks like one is tracked
        pemBlock('EC PRIVATE KEY', 'AAAA'),
        /found PEM blocks of type EC PRIVATE KEY/,
      ],
      ['{"certificateAuthorities": [', /found JSON that does not parse/],
      ['{"tlogs": []}', /certificateAuthorities\[\]\.certChain.*found certificateAuthorities/],
      [ca.leafPem, /certificate #1 .* not a CA/],
      [
        `${ca.rootPem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`,
        /certificate #2 to be a CA certificate, found not an X\.509/,
      ],
    ];
    for (const [text, expected] of cases) {
      assert.throws(
        () => loadTrustRoots(text, 'roots.pem'),
        (err: Error & { type?: string }) => err.type === FatalFailure.BadInput && expected.test(err.message),
        `for ${JSON.stringify(text.slice(0, 30))}`,
      );
    }
    assert.ok(
      !String(
        (() => {
          try {
            return loadTrustRoots(cases[1]![0], 'k.pem');
          } catch (e) {
            return (e as Error).message;
          }
        })(),
      ).includes('MHcCAQEEIB'),
      'no key material echoed',
    );
    const material = loadTrustRoots(`${ca.intermediatePem ?? ''}\n${ca.rootPem}`, 'bundle.pem');
    assert.equal(material.certificateAuthorities?.length, 2, 'the intermediate (with its root) and the root');
  });
});

function pemBlock(type: string, body: string): string {
  const line = (edge: string) => `-----${edge} ${type}-----`;
  return `${line('BEGIN')}\n${body}\n${line('END')}\n`;
}
