/**
 * findSignatures against real registries with basic auth: distribution 2.8,
 * which has no referrers API (a client keeps the referrers tag schema's index
 * at `sha256-<hex>`), and go-containerregistry's registry, which has it. The
 * signature artifacts are built by this test in cosign's format (cosign
 * itself signs in signatures.test.ts and sigstoreBundles.test.ts): a
 * `.sig`-tag manifest whose layer is a simple-signing payload annotated with
 * `dev.cosignproject.cosign/signature`, and an OCI 1.1 referrer (subject +
 * artifactType) pushed by digest. The signatures are real ECDSA P-256
 * signatures over the payload, so the test checks what a verifier would do
 * with the result.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type RegistryClient } from '../../src/clients/registry/index.js';
import { COSIGN_SIGNATURE_ANNOTATION, MediaType } from '../../src/clients/registry/schema.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { pushLabelledImage, type ImageLabels } from '../../src/sandbox/images.js';
import { REGISTRY_IMPLEMENTATIONS } from '../../src/sandbox/registry.js';
import { rejectsWith, sha256, skopeoRaw, startAuthWorld, type AuthWorld } from './registryHelpers.js';

const LABELS: ImageLabels = {
  source: 'https://github.com/vexxhost/docker-magnum',
  revision: '3f2a9c1d5e7b8a60c0ffee0123456789abcdef01',
  version: '2025.1',
};
const REPO = { registry: 'ghcr.io', repository: 'vexxhost/magnum' };

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** cosign's simple-signing payload for an image digest. */
function simpleSigning(digest: string): Buffer {
  return json({
    critical: {
      identity: { 'docker-reference': `ghcr.io/${REPO.repository}` },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional: null,
  });
}

interface Pushed {
  digest: string;
  size: number;
  payloadDigest: string;
}

/** A signature manifest shaped as cosign writes it; `subject` and `artifactType` make it an OCI 1.1 referrer. */
async function pushSignature(
  client: RegistryClient,
  key: KeyObject,
  subject: { digest: string; size: number; mediaType: string },
  as: 'sig-tag' | 'referrer',
): Promise<Pushed> {
  const payload = simpleSigning(subject.digest);
  const payloadDigest = await client.pushBlob(REPO, payload);
  const signature = sign('sha256', payload, key).toString('base64');
  const layer = {
    mediaType: MediaType.cosignSimpleSigning,
    digest: payloadDigest,
    size: payload.length,
    annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signature },
  };
  let manifest: Buffer;
  if (as === 'sig-tag') {
    const config = json({
      architecture: '',
      os: '',
      config: {},
      rootfs: { type: 'layers', diff_ids: [payloadDigest] },
    });
    const configDigest = await client.pushBlob(REPO, config);
    manifest = json({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: configDigest, size: config.length },
      layers: [layer],
    });
    await client.putManifest(
      { ...REPO, tag: `${subject.digest.replace(':', '-')}.sig` },
      MediaType.ociManifest,
      manifest,
    );
  } else {
    const empty = Buffer.from('{}');
    const emptyDigest = await client.pushBlob(REPO, empty);
    manifest = json({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: MediaType.cosignSignatureArtifact,
      config: { mediaType: MediaType.ociEmpty, digest: emptyDigest, size: 2 },
      layers: [layer],
      subject,
    });
    await client.putManifest({ ...REPO, digest: sha256(manifest) }, MediaType.ociManifest, manifest);
  }
  return { digest: sha256(manifest), size: manifest.length, payloadDigest };
}

for (const implementation of REGISTRY_IMPLEMENTATIONS) {
  // distribution 2.8 answers the referrers API 404: the referrers tag is read instead
  const source = implementation === 'ggcr' ? 'referrers' : 'referrers-tag';

  void describe(`findSignatures on a real registry with auth (${implementation})`, () => {
    let world: AuthWorld;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    before(async () => {
      world = await startAuthWorld(implementation);
    });
    after(async () => {
      await world?.close();
    });

    void test(`finds the .sig tag and the ${source} signatures, not an SBOM; a verifier can check them`, async () => {
      const { digest } = await pushLabelledImage(world.client, { ...REPO, tag: '2025.1' }, LABELS);
      const index = await world.client.getManifest({ ...REPO, digest });
      const subject = { mediaType: MediaType.ociIndex, digest, size: index.body.length };
      const classic = await pushSignature(world.client, privateKey, subject, 'sig-tag');
      const referrer = await pushSignature(world.client, privateKey, subject, 'referrer');

      // An SBOM referrer of the same subject: a referrer, not a signature.
      const sbom = json({ spdxVersion: 'SPDX-2.3' });
      const sbomDigest = await world.client.pushBlob(REPO, sbom);
      const emptyDigest = await world.client.pushBlob(REPO, Buffer.from('{}'));
      const sbomManifest = json({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        artifactType: 'application/spdx+json',
        config: { mediaType: MediaType.ociEmpty, digest: emptyDigest, size: 2 },
        layers: [{ mediaType: 'application/spdx+json', digest: sbomDigest, size: sbom.length }],
        subject,
      });
      await world.client.putManifest(
        { ...REPO, digest: sha256(sbomManifest) },
        MediaType.ociManifest,
        sbomManifest,
      );
      const fallbackTag = digest.replace(':', '-');
      if (implementation === 'distribution') {
        // What a client does for a registry without the referrers API: list both in the referrers tag's index.
        const fallback = json({
          schemaVersion: 2,
          mediaType: MediaType.ociIndex,
          manifests: [
            {
              mediaType: MediaType.ociManifest,
              digest: referrer.digest,
              size: referrer.size,
              artifactType: MediaType.cosignSignatureArtifact,
            },
            {
              mediaType: MediaType.ociManifest,
              digest: sha256(sbomManifest),
              size: sbomManifest.length,
              artifactType: 'application/spdx+json',
            },
          ],
        });
        await world.client.putManifest({ ...REPO, tag: fallbackTag }, MediaType.ociIndex, fallback);
      }

      world.front.requests.length = 0;
      const found = await world.client.findSignatures({ ...REPO, digest });
      const asked = world.front.requests.filter((r) => r.method === 'GET' || r.method === 'HEAD');
      assert.ok(
        asked.some((r) => r.url.endsWith(`/manifests/${fallbackTag}.sig`)),
        'the .sig tag was looked for',
      );
      if (implementation === 'distribution') {
        assert.ok(
          asked.some((r) => r.url.includes('/referrers/') && r.status === 404),
          'the referrers API was asked first and answered 404 (distribution 2.8)',
        );
      } else {
        assert.ok(
          asked.some((r) => r.url.endsWith(`/referrers/${digest}`) && r.status === 200),
          'the referrers API answered',
        );
        assert.ok(
          !asked.some((r) => r.url.endsWith(`/manifests/${fallbackTag}`)),
          'no referrers tag looked for',
        );
      }
      assert.deepEqual(
        found.map((f) => [f.source, f.manifestDigest, f.artifactType]),
        [
          ['sig-tag', classic.digest, undefined],
          [source, referrer.digest, MediaType.cosignSignatureArtifact],
        ],
      );
      for (const [i, f] of found.entries()) {
        assert.equal(f.mediaType, MediaType.ociManifest);
        assert.equal(f.layers.length, 1);
        const layer = f.layers[0]!;
        assert.equal(layer.mediaType, MediaType.cosignSimpleSigning);
        assert.equal(layer.digest, [classic, referrer][i]!.payloadDigest);
        const payload = await world.client.getBlob({ ...REPO, digest: layer.digest });
        const claimed = (
          JSON.parse(payload.toString('utf8')) as {
            critical: { image: { 'docker-manifest-digest': string } };
          }
        ).critical.image['docker-manifest-digest'];
        assert.equal(claimed, digest, 'the payload names the signed digest');
        const signature = Buffer.from(layer.annotations[COSIGN_SIGNATURE_ANNOTATION]!, 'base64');
        assert.ok(verify('sha256', payload, publicKey, signature), 'the signature verifies over the payload');
      }
      const sigTag = await skopeoRaw([
        'inspect',
        ...world.skopeoAuth,
        '--raw',
        `docker://${world.registry.host}/${REPO.repository}:${fallbackTag}.sig`,
      ]);
      assert.equal(sha256(sigTag), classic.digest, 'skopeo sees the .sig tag at the same manifest');
    });

    void test('an unsigned digest gives an empty list; a bad digest is BadInput', async () => {
      const { digest } = await pushLabelledImage(world.client, { ...REPO, tag: 'unsigned' }, LABELS, {
        salt: 'unsigned',
      });
      assert.deepEqual(await world.client.findSignatures({ ...REPO, digest }), []);
      await rejectsWith(
        world.client.findSignatures({ ...REPO, digest: 'sha256:abc' }),
        FatalFailure.BadInput,
      );
    });
  });
}
