/**
 * Tag operations against a real registry with basic auth — each test on
 * distribution and on go-containerregistry's registry — behind the paging
 * front (distribution 2.8.2 ignores `n`), cross-checked with skopeo against
 * the registry directly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRegistryClient } from '../../src/clients/registry/index.js';
import { MediaType } from '../../src/clients/registry/schema.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { pushLabelledImage, type ImageLabels } from '../../src/sandbox/images.js';
import { REGISTRY_IMPLEMENTATIONS } from '../../src/sandbox/registry.js';
import { rejectsWith, skopeo, startAuthWorld, type AuthWorld } from './registryHelpers.js';

const LABELS: ImageLabels = {
  source: 'https://github.com/vexxhost/docker-magnum',
  revision: '3f2a9c1d5e7b8a60c0ffee0123456789abcdef01',
  version: 'main',
};

for (const implementation of REGISTRY_IMPLEMENTATIONS) {
  void describe(`tags on a real registry with auth (${implementation})`, () => {
    let world: AuthWorld;
    before(async () => {
      world = await startAuthWorld(implementation);
    });
    after(async () => {
      await world?.close();
    });

    const repo = (repository: string) => ({ registry: 'ghcr.io', repository });

    async function skopeoTags(repository: string): Promise<string[]> {
      const out = JSON.parse(
        await skopeo(['list-tags', ...world.skopeoAuth, `docker://${world.registry.host}/${repository}`]),
      ) as { Tags: string[] };
      return out.Tags;
    }

    void test('listTags follows Link pages of n and returns what skopeo lists', async () => {
      const repository = 'vexxhost/many-tags';
      const { digest } = await pushLabelledImage(world.client, { ...repo(repository), tag: 'seed' }, LABELS, {
        singleManifest: true,
      });
      const manifest = await world.client.getManifest({ ...repo(repository), digest });
      const tags = ['seed'];
      for (let i = 0; i < 22; i++) tags.push(i % 2 ? `2025.${i}` : `v1.${i}-rc`);
      for (const tag of tags.slice(1))
        await world.client.putManifest({ ...repo(repository), tag }, MediaType.ociManifest, manifest.body);
      assert.equal(tags.length, 23);

      world.front.requests.length = 0;
      const listed = await world.client.listTags(repo(repository), { pageSize: 5 });
      const pages = world.front.requests.filter((r) => r.url.includes('/tags/list') && r.status === 200);
      assert.equal(pages.length, 5, `23 tags in pages of 5, found ${pages.map((p) => p.url).join(' ')}`);
      assert.match(pages[1]!.url, /[?&]last=/);
      assert.deepEqual(
        listed,
        [...tags].sort(),
        'the front pages in sorted order; pages are joined in order',
      );
      // distribution 2.8 lists tags in storage order, the front in sorted order: compare as sets.
      assert.deepEqual([...listed].sort(), (await skopeoTags(repository)).sort(), 'the tags skopeo lists');
      assert.equal(new Set(listed).size, 23, 'no tag twice across pages');

      // Without paging (the registry directly) the answer is the same.
      const direct = createRegistryClient({
        mirrors: { 'ghcr.io': world.registry.url },
        credentials: () => ({ username: 'bumpflow', password: 'pw-3c1d9e7a' }),
      });
      assert.deepEqual((await direct.listTags(repo(repository))).sort(), [...tags].sort());
      assert.deepEqual(await world.client.listTags(repo(repository), { pageSize: 100 }), listed);
      assert.equal(world.front.requests.filter((r) => r.url.includes('n=100')).length, 1, 'one page of 100');
      await rejectsWith(world.client.listTags(repo(repository), { pageSize: 0 }), FatalFailure.BadInput);
      await rejectsWith(world.client.listTags(repo('vexxhost/nothing-here')), FatalFailure.ManifestUnknown);
    });

    void test('tagCreateOnly creates, is idempotent for the same digest, refuses another digest', async () => {
      const repository = 'vexxhost/create-only';
      const one = await pushLabelledImage(world.client, { ...repo(repository), tag: 'build-1' }, LABELS, {
        salt: '1',
      });
      const two = await pushLabelledImage(world.client, { ...repo(repository), tag: 'build-2' }, LABELS, {
        salt: '2',
      });
      const write = { ...repo(repository), digest: one.digest, tag: 'stamp-2026.12.01' };

      const created = await world.client.tagCreateOnly(write);
      assert.deepEqual(created, { tag: write.tag, digest: one.digest, outcome: 'created' });
      const inspected = (
        await skopeo([
          'inspect',
          ...world.skopeoAuth,
          '--format',
          '{{.Digest}}',
          `docker://${world.registry.host}/${repository}:${write.tag}`,
        ])
      ).trim();
      assert.equal(inspected, one.digest, 'skopeo resolves the new tag to the digest');

      const again = await world.client.tagCreateOnly(write);
      assert.equal(again.outcome, 'unchanged', 'a retried activity passes');

      const err = await rejectsWith(
        world.client.tagCreateOnly({ ...write, digest: two.digest }),
        FatalFailure.TagExists,
      );
      assert.equal(err.retryable, false);
      assert.match(err.message, new RegExp(one.digest));
      assert.match(err.message, new RegExp(two.digest));
      assert.match(err.message, /stamp-2026\.12\.01/);
      assert.equal(
        await world.client.resolveDigest({ ...repo(repository), tag: write.tag }),
        one.digest,
        'left as it was',
      );

      await rejectsWith(
        world.client.tagCreateOnly({ ...write, tag: 'other', digest: `sha256:${'0'.repeat(64)}` }),
        FatalFailure.ManifestUnknown,
      );
      await rejectsWith(world.client.tagCreateOnly({ ...write, tag: 'bad tag' }), FatalFailure.BadInput);
    });

    void test('moveTag creates or moves a tag and says where it pointed before', async () => {
      const repository = 'vexxhost/moving';
      const one = await pushLabelledImage(world.client, { ...repo(repository), tag: 'a' }, LABELS, {
        salt: 'a',
      });
      const two = await pushLabelledImage(world.client, { ...repo(repository), tag: 'b' }, LABELS, {
        salt: 'b',
      });
      const prod = { ...repo(repository), tag: 'prod' };
      assert.deepEqual(await world.client.moveTag({ ...prod, digest: one.digest }), {
        tag: 'prod',
        digest: one.digest,
        outcome: 'created',
      });
      assert.deepEqual(await world.client.moveTag({ ...prod, digest: two.digest }), {
        tag: 'prod',
        digest: two.digest,
        previousDigest: one.digest,
        outcome: 'moved',
      });
      assert.equal((await world.client.moveTag({ ...prod, digest: two.digest })).outcome, 'unchanged');
      const inspected = (
        await skopeo([
          'inspect',
          ...world.skopeoAuth,
          '--format',
          '{{.Digest}}',
          `docker://${world.registry.host}/${repository}:prod`,
        ])
      ).trim();
      assert.equal(inspected, two.digest);
    });

    void test(
      implementation === 'ggcr'
        ? 'deleteTagSafely refuses a digest another kept tag uses, and says so when a delete leaves the tags'
        : 'deleteTagSafely refuses a digest another kept tag uses, deletes otherwise, and is idempotent',
      async () => {
        const repository = 'vexxhost/cleanup';
        const tmp = await pushLabelledImage(world.client, { ...repo(repository), tag: 'pr-17' }, LABELS, {
          salt: 'pr',
        });
        await world.client.moveTag({ ...repo(repository), digest: tmp.digest, tag: 'pr-17-retry' });
        await world.client.moveTag({ ...repo(repository), digest: tmp.digest, tag: 'release' });
        const kept = await pushLabelledImage(world.client, { ...repo(repository), tag: 'main' }, LABELS, {
          salt: 'main',
        });

        const shared = await rejectsWith(
          world.client.deleteTagSafely({ ...repo(repository), tag: 'pr-17', alsoDeleting: ['pr-17-retry'] }),
          FatalFailure.DigestShared,
        );
        assert.match(shared.message, /release/);
        assert.doesNotMatch(
          shared.message,
          /pr-17-retry/,
          'a tag being deleted too is not a reason to refuse',
        );
        assert.match(shared.message, new RegExp(tmp.digest));
        assert.deepEqual((await skopeoTags(repository)).sort(), ['main', 'pr-17', 'pr-17-retry', 'release']);

        await world.client.moveTag({ ...repo(repository), digest: kept.digest, tag: 'release' });
        if (implementation === 'ggcr') {
          // ggcr's registry deletes the manifest by digest but keeps the tags that pointed at it (distribution
          // drops them): the client checks, and says the tags are still there instead of reporting a delete.
          const stayed = await rejectsWith(
            world.client.deleteTagSafely({
              ...repo(repository),
              tag: 'pr-17',
              alsoDeleting: ['pr-17-retry'],
            }),
            FatalFailure.PushRejected,
          );
          assert.match(stayed.message, new RegExp(`pr-17 to be gone after deleting ${tmp.digest}`));
          return;
        }
        const deleted = await world.client.deleteTagSafely({
          ...repo(repository),
          tag: 'pr-17',
          alsoDeleting: ['pr-17-retry'],
        });
        assert.deepEqual(deleted, {
          tag: 'pr-17',
          digest: tmp.digest,
          outcome: 'deleted',
          tagsRemoved: ['pr-17', 'pr-17-retry'],
        });
        assert.deepEqual((await skopeoTags(repository)).sort(), ['main', 'release']);
        await rejectsWith(
          world.client.getManifest({ ...repo(repository), digest: tmp.digest }),
          FatalFailure.ManifestUnknown,
        );

        const again = await world.client.deleteTagSafely({ ...repo(repository), tag: 'pr-17' });
        assert.deepEqual(again, { tag: 'pr-17', outcome: 'already-gone', tagsRemoved: [] });
        assert.equal(await world.client.resolveDigest({ ...repo(repository), tag: 'main' }), kept.digest);
      },
    );

    void test('deleteTagSafely refuses an image manifest that a kept tag’s index lists', async () => {
      const repository = 'vexxhost/child';
      const index = await pushLabelledImage(world.client, { ...repo(repository), tag: 'main' }, LABELS, {
        salt: 'idx',
      });
      const child = (
        (await world.client.getManifest({ ...repo(repository), digest: index.digest })).json as {
          manifests: Array<{ digest: string }>;
        }
      ).manifests[0]!.digest;
      await world.client.tagCreateOnly({ ...repo(repository), digest: child, tag: 'amd64-only' });
      const err = await rejectsWith(
        world.client.deleteTagSafely({ ...repo(repository), tag: 'amd64-only' }),
        FatalFailure.DigestShared,
      );
      assert.match(err.message, /index at tag\(s\) main lists it/);
      assert.equal(await world.client.resolveDigest({ ...repo(repository), tag: 'amd64-only' }), child);
    });
  });
}
