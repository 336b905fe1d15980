/**
 * Compare-then-delete on a real registry with auth — distribution and
 * go-containerregistry's registry, behind the paging front — read back with
 * skopeo against the registry directly: a delete carries the digest its plan
 * saw, and a tag re-pushed since keeps its new image.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
  void describe(`compare-then-delete on a real registry (${implementation})`, () => {
    let world: AuthWorld;
    before(async () => {
      world = await startAuthWorld(implementation);
    });
    after(async () => {
      await world?.close();
    });

    const repo = (repository: string) => ({ registry: 'ghcr.io', repository });
    const push = async (repository: string, tag: string, salt: string) =>
      (await pushLabelledImage(world.client, { ...repo(repository), tag }, LABELS, { salt })).digest;

    async function skopeoTags(repository: string): Promise<string[]> {
      const out = JSON.parse(
        await skopeo(['list-tags', ...world.skopeoAuth, `docker://${world.registry.host}/${repository}`]),
      ) as { Tags: string[] };
      return out.Tags.sort();
    }

    async function skopeoDigest(repository: string, tag: string): Promise<string> {
      const args = ['inspect', ...world.skopeoAuth, '--format', '{{.Digest}}'];
      return (await skopeo([...args, `docker://${world.registry.host}/${repository}:${tag}`])).trim();
    }

    void test('a tag re-pushed since the plan is kept with its new image: outcome moved', async () => {
      const repository = 'vexxhost/repushed';
      const planned = await push(repository, 'change_7_latest', 'planned');
      const repushed = await push(repository, 'change_7_latest', 'repushed');
      assert.notEqual(repushed, planned);

      world.front.requests.length = 0;
      const r = await world.client.deleteTagSafely({
        ...repo(repository),
        tag: 'change_7_latest',
        expectedDigest: planned,
      });
      assert.deepEqual(r, {
        tag: 'change_7_latest',
        outcome: 'moved',
        expected: planned,
        found: repushed,
        tagsRemoved: [],
      });
      assert.ok(!world.front.requests.some((q) => q.method === 'DELETE'), 'no DELETE reached the registry');
      assert.equal(
        await world.client.resolveDigest({ ...repo(repository), tag: 'change_7_latest' }),
        repushed,
      );
      assert.equal(await skopeoDigest(repository, 'change_7_latest'), repushed, 'skopeo reads the new image');
      assert.deepEqual(await skopeoTags(repository), ['change_7_latest']);

      // a tag already gone stays already-gone, whatever was planned
      const gone = await world.client.deleteTagSafely({
        ...repo(repository),
        tag: 'change_8_latest',
        expectedDigest: planned,
      });
      assert.deepEqual(gone, { tag: 'change_8_latest', outcome: 'already-gone', tagsRemoved: [] });
      await rejectsWith(
        world.client.deleteTagSafely({
          ...repo(repository),
          tag: 'change_7_latest',
          expectedDigest: 'sha256:nope',
        }),
        FatalFailure.BadInput,
      );
    });

    void test('a tag also being deleted that was re-pushed onto the digest protects it', async () => {
      const repository = 'vexxhost/swept-along';
      const a = await push(repository, 'change_1_latest', 'one');
      const b = await push(repository, 'change_2_latest', 'two');
      // CI re-pushes change_2 and the build happens to match change_1's image byte for byte
      await world.client.moveTag({ ...repo(repository), tag: 'change_2_latest', digest: a });
      const planned = { change_1_latest: a, change_2_latest: b };
      const shared = await rejectsWith(
        world.client.deleteTagSafely({
          ...repo(repository),
          tag: 'change_1_latest',
          expectedDigest: a,
          alsoDeleting: Object.keys(planned),
          alsoDeletingDigests: planned,
        }),
        FatalFailure.DigestShared,
      );
      assert.match(shared.message, /tag\(s\) change_2_latest point at it/);
      const second = await world.client.deleteTagSafely({
        ...repo(repository),
        tag: 'change_2_latest',
        expectedDigest: b,
        alsoDeleting: Object.keys(planned),
        alsoDeletingDigests: planned,
      });
      assert.equal(second.outcome, 'moved');
      assert.deepEqual(await skopeoTags(repository), ['change_1_latest', 'change_2_latest']);
      assert.equal(await skopeoDigest(repository, 'change_2_latest'), a);
    });

    void test('the planned digest still there is deleted, with the also-deleting tags on it (verified after)', async () => {
      const repository = 'vexxhost/as-planned';
      const a = await push(repository, 'change_3_latest', 'three');
      await world.client.moveTag({ ...repo(repository), tag: 'change_3_retry', digest: a });
      await push(repository, 'prod', 'prod');
      const planned = { change_3_latest: a, change_3_retry: a };
      const request = {
        ...repo(repository),
        tag: 'change_3_latest',
        expectedDigest: a,
        alsoDeleting: Object.keys(planned),
        alsoDeletingDigests: planned,
      };
      if (implementation === 'ggcr') {
        // ggcr's registry deletes the manifest by digest but keeps its tags (see registryTags.test.ts):
        // the check after the delete finds the tag still there and says so instead of reporting a delete
        const stayed = await rejectsWith(world.client.deleteTagSafely(request), FatalFailure.PushRejected);
        assert.match(stayed.message, new RegExp(`change_3_latest to be gone after deleting ${a}`));
        return;
      }
      const r = await world.client.deleteTagSafely(request);
      assert.deepEqual(r, {
        tag: 'change_3_latest',
        digest: a,
        outcome: 'deleted',
        tagsRemoved: ['change_3_latest', 'change_3_retry'],
      });
      assert.deepEqual(await skopeoTags(repository), ['prod']);
    });
  });
}
