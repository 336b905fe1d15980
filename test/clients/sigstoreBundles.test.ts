/**
 * cosign v3 (built by scripts/install-cosign3.sh) with its defaults, offline,
 * on both sandbox registries with basic auth: it writes a sigstore bundle
 * (`application/vnd.dev.sigstore.bundle.v0.3+json`) as an OCI 1.1 referrer —
 * on go-containerregistry's registry through the referrers API, on
 * distribution 2.8 (no API) by keeping the referrers tag `sha256-<hex>`.
 * Each test reads what cosign wrote with plain HTTP (listReferrers), asks
 * findSignatures, and has `cosign verify` v3 check it: with the key, and with
 * a certificate from the local test CA and its trusted root; the insecure
 * flags only where a test passes them. No verification code of ours here.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRegistryClient, type RegistryClient } from '../../src/clients/registry/index.js';
import { MediaType } from '../../src/clients/registry/schema.js';
import { cosignVerify, generateKeyPair, signImage, type CosignKeyPair } from '../../src/sandbox/cosign.js';
import { pushLabelledImage } from '../../src/sandbox/images.js';
import { listReferrers, type Referrer } from '../../src/sandbox/referrers.js';
import { REGISTRY_IMPLEMENTATIONS, startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import { makeTestCa, type TestCa } from '../../src/sandbox/testCa.js';

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const USER = 'signer';
const PASSWORD = 'pw-51be0c7d';
const REPOSITORY = 'vexxhost/magnum';
const IDENTITY = 'https://github.com/vexxhost/docker-magnum/.github/workflows/build.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
interface Bundle {
  mediaType: string;
  verificationMaterial: {
    publicKey?: { hint: string };
    x509CertificateChain?: { certificates: Array<{ rawBytes: string }> };
    tlogEntries?: unknown[];
    timestampVerificationData?: unknown;
  };
  dsseEnvelope: { payloadType: string; payload: string; signatures: unknown[] };
}

function bundleOf(referrer: Referrer): Bundle {
  assert.equal(referrer.layers.length, 1);
  return JSON.parse(referrer.layers[0]!.toString('utf8')) as Bundle;
}

/** The in-toto statement the bundle's DSSE envelope signs. */
function statementOf(bundle: Bundle): {
  subject: Array<{ digest: { sha256: string } }>;
  predicateType: string;
} {
  assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as ReturnType<
    typeof statementOf
  >;
}

let dir: string;
let keys: CosignKeyPair;
let ca: TestCa;
let trustedRoot: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-bundles-'));
  for (const sub of ['keys', 'ca']) await mkdir(path.join(dir, sub));
  keys = await generateKeyPair(path.join(dir, 'keys'), undefined, 'v3');
  ca = await makeTestCa(path.join(dir, 'ca'), {
    identity: IDENTITY,
    issuer: ISSUER,
    publicKeyPem: keys.publicKeyPem,
  });
  trustedRoot = path.join(dir, 'trusted_root.json');
  await writeFile(trustedRoot, ca.trustedRootJson);
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const implementation of REGISTRY_IMPLEMENTATIONS) {
  const source = implementation === 'ggcr' ? 'referrers' : 'referrers-tag';

  void describe(`cosign v3 bundles on a real registry with auth (${implementation})`, () => {
    const auth = { username: USER, password: PASSWORD };
    let registry: RunningRegistry;
    let client: RegistryClient;
    /** an image signed with the key and cosign v3's defaults */
    let signed: { digest: string; cosignRef: string };

    async function pushImage(salt: string): Promise<{ digest: string; cosignRef: string }> {
      const labels = {
        source: 'https://github.com/vexxhost/docker-magnum',
        revision: 'b'.repeat(40),
        version: salt,
      };
      const target = { registry: registry.host, repository: REPOSITORY, tag: salt };
      const { digest } = await pushLabelledImage(client, target, labels, { salt });
      return { digest, cosignRef: `${registry.host}/${REPOSITORY}@${digest}` };
    }

    before(async () => {
      registry = await startRegistry({ implementation, auth });
      client = createRegistryClient({ credentials: (host) => (host === registry.host ? auth : undefined) });
      signed = await pushImage('key');
      await signImage({
        version: 'v3',
        ref: signed.cosignRef,
        key: keys.privateKeyPath,
        password: keys.password,
        registryAuth: auth,
      });
    });
    after(async () => {
      await registry?.close();
    });

    void test(`signing with a key writes one bundle referrer (read via ${source}); cosign verify v3 accepts it`, async () => {
      const listed = await listReferrers({ ref: signed.cosignRef, registryAuth: auth });
      assert.equal(listed.source, source);
      assert.equal(listed.referrers.length, 1);
      const [referrer] = listed.referrers as [Referrer];
      assert.equal(referrer.manifest.artifactType, BUNDLE);
      assert.equal(referrer.manifest.config.mediaType, MediaType.ociEmpty);
      assert.deepEqual(
        referrer.manifest.layers.map((l) => l.mediaType),
        [BUNDLE],
      );
      assert.equal(referrer.manifest.subject?.digest, signed.digest);
      // cosign writes the referrers tag's index with the manifest's artifactType; ggcr's API lists the config's
      assert.equal(referrer.descriptor.artifactType, implementation === 'ggcr' ? MediaType.ociEmpty : BUNDLE);

      const bundle = bundleOf(referrer);
      assert.equal(bundle.mediaType, BUNDLE);
      assert.ok(
        bundle.verificationMaterial.publicKey,
        'a key signature names the key (a hint), no certificate',
      );
      assert.equal(
        bundle.verificationMaterial.tlogEntries?.length ?? 0,
        0,
        'offline: no transparency log entry',
      );
      assert.equal(bundle.verificationMaterial.timestampVerificationData, undefined, 'no TSA asked');
      const statement = statementOf(bundle);
      assert.equal(statement.predicateType, 'https://sigstore.dev/cosign/sign/v1');
      assert.deepEqual(
        statement.subject.map((s) => s.digest.sha256),
        [signed.digest.slice('sha256:'.length)],
      );

      const tags = await client.listTags({ registry: registry.host, repository: REPOSITORY });
      const digestTag = signed.digest.replace(':', '-');
      assert.ok(!tags.includes(`${digestTag}.sig`), 'no .sig tag: v3 writes no simple-signing signature');
      assert.equal(
        tags.includes(digestTag),
        implementation === 'distribution',
        'a referrers tag only without the API',
      );

      const payloads = await cosignVerify({
        version: 'v3',
        ref: signed.cosignRef,
        key: keys.publicKeyPath,
        ignoreTlog: true,
        registryAuth: auth,
      });
      assert.equal(payloads.length, 1);
      assert.equal(
        (payloads[0] as { critical: { image: { 'docker-manifest-digest': string } } }).critical.image[
          'docker-manifest-digest'
        ],
        signed.digest,
      );
      // Without --insecure-ignore-tlog cosign needs sigstore's trusted root (TUF, not reachable offline) or a log entry.
      await assert.rejects(
        cosignVerify({ version: 'v3', ref: signed.cosignRef, key: keys.publicKeyPath, registryAuth: auth }),
        /trusted root from TUF/,
      );
      await assert.rejects(
        cosignVerify({
          version: 'v3',
          ref: signed.cosignRef,
          key: keys.publicKeyPath,
          trustedRoot,
          registryAuth: auth,
        }),
        /not enough verified log entries/,
      );
    });

    void test(`findSignatures returns the bundle referrer as source ${source}`, async () => {
      const [referrer] = (await listReferrers({ ref: signed.cosignRef, registryAuth: auth })).referrers as [
        Referrer,
      ];
      const found = await client.findSignatures({
        registry: registry.host,
        repository: REPOSITORY,
        digest: signed.digest,
      });
      assert.deepEqual(found, [
        {
          source,
          manifestDigest: referrer.descriptor.digest,
          mediaType: MediaType.ociManifest,
          artifactType: BUNDLE,
          layers: referrer.manifest.layers.map((l) => ({
            digest: l.digest,
            mediaType: BUNDLE,
            size: l.size,
            annotations: {},
          })),
        },
      ]);
    });

    void test('a certificate and chain from the test CA: cosign verify v3 takes the trusted root and identity', async () => {
      const image = await pushImage('certificate');
      // With trustedRoot cosign signs from a signing config file, and checks the bundle against the root first.
      await signImage({
        version: 'v3',
        ref: image.cosignRef,
        key: keys.privateKeyPath,
        password: keys.password,
        certificate: ca.leafPath,
        chain: ca.chainPath,
        trustedRoot,
        registryAuth: auth,
      });
      const [referrer] = (await listReferrers({ ref: image.cosignRef, registryAuth: auth })).referrers as [
        Referrer,
      ];
      const chain = bundleOf(referrer).verificationMaterial.x509CertificateChain?.certificates ?? [];
      assert.equal(chain.length, 2, 'leaf and intermediate (the root is left out)');

      const keyless = { identity: IDENTITY, issuer: ISSUER };
      const offline = { ignoreTlog: true, ignoreSct: true, allowCertificateChain: true };
      const verify = { version: 'v3' as const, ref: image.cosignRef, trustedRoot, registryAuth: auth };
      const payloads = await cosignVerify({ ...verify, keyless, ...offline });
      assert.equal(payloads.length, 1);
      await assert.rejects(
        cosignVerify({
          ...verify,
          keyless: { ...keyless, identity: 'https://github.com/evil/x' },
          ...offline,
        }),
        /no matching CertificateIdentity/,
      );
      await assert.rejects(
        cosignVerify({ ...verify, keyless, ...offline, ignoreSct: false }),
        /signed certificate timestamp/,
        'the SCT is only ignored when asked',
      );
      await assert.rejects(
        cosignVerify({ ...verify, keyless, ...offline, allowCertificateChain: false }),
        /no signatures found/,
        'a v0.3 bundle with a chain only with --allow-certificate-chain',
      );
    });
  });
}
