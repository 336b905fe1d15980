/**
 * findSignatures against a real distribution registry with htpasswd auth.
 * cosign is not installed here, so the signature artifacts are built by this
 * test in cosign's format: a `.sig`-tag manifest whose layer is a
 * simple-signing payload annotated with `dev.cosignproject.cosign/signature`,
 * and an OCI 1.1 referrer (subject + artifactType) pushed by digest with the
 * referrers tag schema's index at `sha256-<hex>` (distribution 2.8 has no
 * referrers API). The signatures are real ECDSA P-256 signatures over the
 * payload, so the test checks what a verifier would do with the result.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createRegistryClient, type RegistryClient } from '../../src/clients/registry/index.js';
import { COSIGN_SIGNATURE_ANNOTATION, MediaType } from '../../src/clients/registry/schema.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { pushLabelledImage, type ImageLabels } from '../../src/sandbox/images.js';
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

void describe('findSignatures on a real registry with auth', () => {
  let world: AuthWorld;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  before(async () => {
    world = await startAuthWorld();
  });
  after(async () => {
    await world?.close();
  });

  void test('finds the .sig tag and the referrers-tag signatures, not an SBOM; a verifier can check them', async () => {
    const { digest } = await pushLabelledImage(world.client, { ...REPO, tag: '2025.1' }, LABELS);
    const index = await world.client.getManifest({ ...REPO, digest });
    const subject = { mediaType: MediaType.ociIndex, digest, size: index.body.length };
    const classic = await pushSignature(world.client, privateKey, subject, 'sig-tag');
    const referrer = await pushSignature(world.client, privateKey, subject, 'referrer');

    // An SBOM referrer of the same subject: listed in the fallback index, not a signature.
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
    await world.client.putManifest({ ...REPO, tag: digest.replace(':', '-') }, MediaType.ociIndex, fallback);

    world.front.requests.length = 0;
    const found = await world.client.findSignatures({ ...REPO, digest });
    assert.ok(
      world.front.requests.some((r) => r.url.includes('/referrers/') && r.status === 404),
      'the referrers API was asked first and answered 404 (distribution 2.8)',
    );
    assert.deepEqual(
      found.map((f) => [f.source, f.manifestDigest, f.artifactType]),
      [
        ['sig-tag', classic.digest, undefined],
        ['referrers-tag', referrer.digest, MediaType.cosignSignatureArtifact],
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
        JSON.parse(payload.toString('utf8')) as { critical: { image: { 'docker-manifest-digest': string } } }
      ).critical.image['docker-manifest-digest'];
      assert.equal(claimed, digest, 'the payload names the signed digest');
      const signature = Buffer.from(layer.annotations[COSIGN_SIGNATURE_ANNOTATION]!, 'base64');
      assert.ok(verify('sha256', payload, publicKey, signature), 'the signature verifies over the payload');
    }
    const sigTag = await skopeoRaw([
      'inspect',
      ...world.skopeoAuth,
      '--raw',
      `docker://${world.registry.host}/${REPO.repository}:${digest.replace(':', '-')}.sig`,
    ]);
    assert.equal(sha256(sigTag), classic.digest, 'skopeo sees the .sig tag at the same manifest');
  });

  void test('an unsigned digest gives an empty list; a bad digest is BadInput', async () => {
    const { digest } = await pushLabelledImage(world.client, { ...REPO, tag: 'unsigned' }, LABELS, {
      salt: 'unsigned',
    });
    assert.deepEqual(await world.client.findSignatures({ ...REPO, digest }), []);
    await rejectsWith(world.client.findSignatures({ ...REPO, digest: 'sha256:abc' }), FatalFailure.BadInput);
  });
});

void describe('findSignatures on a registry with the OCI 1.1 referrers API', () => {
  // distribution 2.8 has no referrers API: this loopback stand-in answers the
  // few requests findSignatures makes, as a registry with the API would.
  void test('referrers from the API are returned as source "referrers", with their artifactType', async () => {
    const subjectDigest = sha256('the subject');
    const payload = simpleSigning(subjectDigest);
    const referrer = json({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: MediaType.cosignSignatureArtifact,
      config: { mediaType: MediaType.ociEmpty, digest: sha256('{}'), size: 2 },
      layers: [
        {
          mediaType: MediaType.cosignSimpleSigning,
          digest: sha256(payload),
          size: payload.length,
          annotations: { [COSIGN_SIGNATURE_ANNOTATION]: 'c2lnbmF0dXJl' },
        },
      ],
      subject: { mediaType: MediaType.ociManifest, digest: subjectDigest, size: 11 },
    });
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === `/v2/${REPO.repository}/referrers/${subjectDigest}`) {
        const index = {
          schemaVersion: 2,
          mediaType: MediaType.ociIndex,
          manifests: [
            {
              mediaType: MediaType.ociManifest,
              digest: sha256(referrer),
              size: referrer.length,
              artifactType: MediaType.cosignSignatureArtifact,
            },
          ],
        };
        return void res.writeHead(200, { 'content-type': MediaType.ociIndex }).end(JSON.stringify(index));
      }
      if (req.url === `/v2/${REPO.repository}/manifests/${sha256(referrer)}`)
        return void res
          .writeHead(200, {
            'content-type': MediaType.ociManifest,
            'docker-content-digest': sha256(referrer),
          })
          .end(referrer);
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = createRegistryClient({ mirrors: { 'ghcr.io': `http://127.0.0.1:${port}` } });
      const found = await client.findSignatures({ ...REPO, digest: subjectDigest });
      assert.deepEqual(found, [
        {
          source: 'referrers',
          manifestDigest: sha256(referrer),
          mediaType: MediaType.ociManifest,
          artifactType: MediaType.cosignSignatureArtifact,
          layers: [
            {
              digest: sha256(payload),
              mediaType: MediaType.cosignSimpleSigning,
              size: payload.length,
              annotations: { [COSIGN_SIGNATURE_ANNOTATION]: 'c2lnbmF0dXJl' },
            },
          ],
        },
      ]);
      const fallbackTag = `/manifests/${subjectDigest.replace(':', '-')}`;
      assert.ok(
        seen.some((r) => r.endsWith(`${fallbackTag}.sig`)),
        'the .sig tag was looked for',
      );
      assert.ok(!seen.some((r) => r.endsWith(fallbackTag)), 'no fallback tag when the API answers');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
