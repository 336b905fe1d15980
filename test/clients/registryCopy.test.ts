/**
 * copyImage against real registries with basic auth, each test on
 * distribution and on go-containerregistry's registry: a multi-platform index
 * copied to another repository of the same registry (blobs mounted, or on
 * ggcr, whose blobs every repository shares, already there) and to another
 * registry (blobs streamed), cross-checked byte for byte with skopeo.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRegistryClient, type RegistryClient } from '../../src/clients/registry/index.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { pushLabelledImage, type ImageLabels } from '../../src/sandbox/images.js';
import { REGISTRY_IMPLEMENTATIONS, startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import {
  PASSWORD,
  rejectsWith,
  sha256,
  skopeoRaw,
  startAuthWorld,
  USER,
  type AuthWorld,
} from './registryHelpers.js';

const LABELS: ImageLabels = {
  source: 'https://github.com/vexxhost/docker-magnum',
  revision: '3f2a9c1d5e7b8a60c0ffee0123456789abcdef01',
  version: '2025.1',
};

for (const implementation of REGISTRY_IMPLEMENTATIONS) {
  void describe(`copyImage on real registries with auth (${implementation})`, () => {
    let world: AuthWorld;
    let other: RunningRegistry;
    let client: RegistryClient;
    before(async () => {
      world = await startAuthWorld(implementation);
      other = await startRegistry({ implementation, auth: { username: USER, password: PASSWORD } });
      client = createRegistryClient({
        mirrors: { 'ghcr.io': world.front.url, 'quay.io': other.url },
        credentials: () => ({ username: USER, password: PASSWORD }),
      });
    });
    after(async () => {
      await world?.close();
      await other?.close();
    });

    async function raw(host: string, image: string): Promise<Buffer> {
      return skopeoRaw(['inspect', ...world.skopeoAuth, '--raw', `docker://${host}/${image}`]);
    }

    function children(body: Buffer): string[] {
      return (JSON.parse(body.toString('utf8')) as { manifests: Array<{ digest: string }> }).manifests.map(
        (m) => m.digest,
      );
    }

    void test('an index copied within one registry: byte-identical, every child there, no blob streamed', async () => {
      const from = { registry: 'ghcr.io', repository: 'vexxhost/magnum' };
      const { digest } = await pushLabelledImage(client, { ...from, tag: '2025.1' }, LABELS);
      world.front.requests.length = 0;

      const result = await client.copyImage({
        from: { ...from, digest },
        to: { registry: 'ghcr.io', repository: 'release/magnum', tag: '2025.1-stamp' },
      });
      assert.equal(result.digest, digest);
      assert.equal(result.manifestsWritten, 5, 'two images, two attestations, then the index');
      // configs and layers of two images and two attestations: distribution mounts them; ggcr keeps one
      // blob store for every repository, so the destination has them already. Nothing is streamed.
      assert.deepEqual(
        result.blobs,
        implementation === 'ggcr'
          ? { mounted: 0, uploaded: 0, present: 8 }
          : { mounted: 8, uploaded: 0, present: 0 },
      );
      assert.equal(result.tag?.outcome, 'created');
      const mounts = world.front.requests.filter((r) => r.method === 'POST' && r.url.includes('mount='));
      assert.equal(mounts.length, result.blobs.mounted);
      assert.ok(
        mounts.every((r) => r.status === 201 && r.url.includes('from=vexxhost%2Fmagnum')),
        'each mount answered 201 Created',
      );
      assert.ok(
        !world.front.requests.some(
          (r) => r.method === 'PATCH' || (r.method === 'PUT' && r.url.includes('/blobs/')),
        ),
      );

      const source = await raw(world.registry.host, `vexxhost/magnum@${digest}`);
      const copied = await raw(world.registry.host, 'release/magnum:2025.1-stamp');
      assert.ok(copied.equals(source), 'the destination index is byte-identical');
      assert.equal(sha256(copied), digest);
      for (const child of children(source)) {
        const bytes = await raw(world.registry.host, `release/magnum@${child}`);
        assert.equal(sha256(bytes), child, `child ${child} is in the destination`);
      }
      const labels = (
        await client.getImageConfig({
          registry: 'ghcr.io',
          repository: 'release/magnum',
          tag: '2025.1-stamp',
        })
      ).labels;
      assert.equal(labels['org.opencontainers.image.version'], '2025.1');

      const again = await client.copyImage({
        from: { ...from, digest },
        to: { registry: 'ghcr.io', repository: 'release/magnum', tag: '2025.1-stamp' },
      });
      assert.equal(again.manifestsWritten, 0, 'a retried copy writes nothing');
      assert.equal(again.tag?.outcome, 'unchanged');

      const newer = await pushLabelledImage(client, { ...from, tag: '2025.1' }, LABELS, { salt: 'rebuild' });
      const refused = await rejectsWith(
        client.copyImage({
          from: { ...from, digest: newer.digest },
          to: { registry: 'ghcr.io', repository: 'release/magnum', tag: '2025.1-stamp' },
        }),
        FatalFailure.TagExists,
      );
      assert.match(refused.message, new RegExp(digest));
      assert.match(refused.message, new RegExp(newer.digest));
      const moved = await client.copyImage({
        from: { ...from, digest: newer.digest },
        to: { registry: 'ghcr.io', repository: 'release/magnum', tag: '2025.1-stamp' },
        onExistingTag: 'move',
      });
      assert.deepEqual(moved.tag, {
        tag: '2025.1-stamp',
        digest: newer.digest,
        previousDigest: digest,
        outcome: 'moved',
      });
    });

    void test('a Docker manifest list copied to another registry: blobs streamed, bytes identical', async () => {
      const from = { registry: 'ghcr.io', repository: 'vexxhost/keystone' };
      const { digest } = await pushLabelledImage(client, { ...from, tag: '2024.2' }, LABELS, {
        dockerV2: true,
      });
      const result = await client.copyImage({
        from: { ...from, digest },
        to: { registry: 'quay.io', repository: 'mirror/keystone', tag: '2024.2' },
      });
      assert.equal(result.manifestsWritten, 3);
      assert.equal(result.blobs.mounted, 0, 'no mount across registries');
      assert.equal(result.blobs.uploaded, 4, 'two configs and two layers streamed');
      const source = await raw(world.registry.host, `vexxhost/keystone@${digest}`);
      const copied = await raw(other.host, 'mirror/keystone:2024.2');
      assert.ok(copied.equals(source));
      for (const child of children(source))
        assert.equal(sha256(await raw(other.host, `mirror/keystone@${child}`)), child);
      await rejectsWith(
        client.copyImage({
          from: { ...from, digest: 'latest' },
          to: { registry: 'quay.io', repository: 'mirror/keystone' },
        }),
        FatalFailure.BadInput,
      );
    });
  });
}
