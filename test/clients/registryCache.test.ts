/**
 * The registry client keeps what it read by digest (manifests, small blobs):
 * asked again, it answers without a request — but never across repositories,
 * never for a tag (tags move), and never after it deleted the digest.
 * Counted at the paging front before a real registry with auth.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pushLabelledImage } from '../../src/sandbox/images.js';
import { createRegistryClient } from '../../src/clients/registry/index.js';
import { PASSWORD, rejectsWith, startAuthWorld, USER, type AuthWorld } from './registryHelpers.js';

const repo = { registry: 'ghcr.io', repository: 'vexxhost/cached' };

describe('registry content cache', () => {
  let w: AuthWorld;
  before(async () => {
    w = await startAuthWorld();
  });
  after(async () => {
    await w?.close();
  });

  const requestsFor = (pattern: RegExp) =>
    w.front.requests.filter((r) => pattern.test(r.url) && r.status !== 401).length;

  it('a manifest and a config read by digest twice cost one request each; a tag is always asked', async () => {
    const { digest } = await pushLabelledImage(
      w.client,
      { ...repo, tag: 'one' },
      { source: 'https://github.com/a/b', revision: 'abc1234', version: '1' },
    );
    const reader = createRegistryClient({
      mirrors: { 'ghcr.io': w.front.url },
      credentials: () => ({ username: USER, password: PASSWORD }),
    });
    const start = w.front.requests.length;
    const byTag = await reader.getManifest({ ...repo, tag: 'one' });
    assert.equal(byTag.digest, digest);
    const first = await reader.getImageConfig({ ...repo, digest });
    const second = await reader.getImageConfig({ ...repo, digest });
    assert.deepEqual(second.labels, first.labels);
    await reader.getManifest({ ...repo, tag: 'one' });
    const made = w.front.requests.slice(start).filter((r) => r.status !== 401);
    assert.equal(
      made.filter((r) => r.url.endsWith(`/manifests/${digest}`)).length,
      0,
      'the index came with the tag',
    );
    assert.equal(made.filter((r) => r.url.endsWith('/manifests/one')).length, 2, 'a tag is asked each time');
    assert.equal(
      made.filter((r) => /\/manifests\/sha256:/.test(r.url)).length,
      1,
      'the platform manifest once',
    );
    assert.equal(made.filter((r) => /\/blobs\/sha256:/.test(r.url)).length, 1, 'the config once');

    const off = createRegistryClient({
      mirrors: { 'ghcr.io': w.front.url },
      credentials: () => ({ username: USER, password: PASSWORD }),
      cacheBytes: 0,
    });
    const before = requestsFor(new RegExp(`/manifests/${digest}$`));
    await off.getManifest({ ...repo, digest });
    await off.getManifest({ ...repo, digest });
    assert.equal(requestsFor(new RegExp(`/manifests/${digest}$`)) - before, 2, 'cacheBytes: 0 turns it off');
  });

  it('never serves a digest of one repository for another, and forgets a digest it deleted', async () => {
    const { digest } = await pushLabelledImage(
      w.client,
      { ...repo, tag: 'two' },
      { source: 'https://github.com/a/b', revision: 'abc1235', version: '2' },
      { salt: 'two' },
    );
    await w.client.getManifest({ ...repo, digest });
    await rejectsWith(
      w.client.getManifest({ registry: 'ghcr.io', repository: 'vexxhost/elsewhere', digest }),
      'ManifestUnknown',
    );
    await w.client.deleteManifest({ ...repo, digest });
    await rejectsWith(w.client.getManifest({ ...repo, digest }), 'ManifestUnknown');
  });
});
