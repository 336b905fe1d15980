/**
 * Several endpoints for one registry, in order, on real distribution
 * registries: reads (manifests, configs, blobs, tag lists) fall through an
 * endpoint that does not answer (a closed port), answers 503, refuses
 * (asks for credentials none are configured for) or does not have the image
 * (404) to the next; writes, and the reads they decide on, go to the first
 * only. When none has it, a 404 is believed only if every endpoint answered.
 * The second endpoint's front records every request it got; skopeo reads
 * each registry directly.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createRegistryClient,
  type MirrorsOption,
  type RegistryClient,
} from '../../src/clients/registry/index.js';
import { FatalFailure, TransientFailure } from '../../src/shared/failures.js';
import { generateKeyPair, signImage } from '../../src/sandbox/cosign.js';
import { imageLabels, pushLabelledImage, type ImageLabels } from '../../src/sandbox/images.js';
import { startPagingFront, type RunningPagingFront } from '../../src/sandbox/pagingFront.js';
import { startPrefixFront, type RunningPrefixFront } from '../../src/sandbox/prefixFront.js';
import { freePort, startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import { rejectsWith, skopeo } from './registryHelpers.js';

const NAME = 'vexxhost/nova';
const LABELS: ImageLabels = {
  source: 'https://github.com/vexxhost/docker-nova',
  revision: '0a2c4e6f8a0c2e4f6a8c0e2a4c6e8f0a2c4e6f8a',
  version: '2025.1',
};
const ghcr = (tag: string) => ({ registry: 'ghcr.io', repository: NAME, tag });
const noCreds = ['--tls-verify=false', '--no-creds'];
const WRITES = new Set(['PUT', 'POST', 'PATCH', 'DELETE']);

void describe('endpoints in order: reads fall through, writes go to the first', () => {
  let first: RunningRegistry;
  let second: RunningRegistry;
  let authed: RunningRegistry;
  let secondFront: RunningPagingFront;
  let unavailable: RunningPrefixFront;
  let closed: string;
  let digest: string;
  let sigTag: string;
  let keyDir: string;

  const client = (endpoints: MirrorsOption[string], asked?: Set<string>): RegistryClient =>
    createRegistryClient({
      mirrors: { 'ghcr.io': endpoints },
      credentials: (host) => {
        asked?.add(host);
        return undefined;
      },
    });
  const tagsOn = async (registry: RunningRegistry): Promise<string[]> => {
    try {
      const out = await skopeo(['list-tags', ...noCreds, `docker://${registry.host}/${NAME}`]);
      return (JSON.parse(out) as { Tags: string[] }).Tags.sort();
    } catch {
      return [];
    }
  };
  const writesAtSecond = () => secondFront.requests.filter((r) => WRITES.has(r.method));
  /** every read a client of these endpoints makes, each answered from the second */
  async function readsAnswered(c: RegistryClient): Promise<void> {
    assert.equal(await c.resolveDigest(ghcr('2025.1')), digest);
    assert.equal((await c.getManifest({ ...ghcr('2025.1'), tag: undefined, digest })).digest, digest);
    assert.deepEqual((await c.getImageConfig(ghcr('2025.1'))).labels, imageLabels(LABELS));
    assert.deepEqual((await c.listTags(ghcr('2025.1'))).sort(), ['2025.1', sigTag]);
    // cosign's .sig tag found on the second; the referrers probes' "none" taken from those that answered
    const signatures = await c.findSignatures({ registry: 'ghcr.io', repository: NAME, digest });
    assert.deepEqual(
      signatures.map((x) => x.source),
      ['sig-tag'],
    );
  }

  before(async () => {
    [first, second, authed] = await Promise.all([
      startRegistry(),
      startRegistry(),
      startRegistry({ auth: { username: 'someone', password: 'pw-not-configured-here' } }),
    ]);
    ({ digest } = await pushLabelledImage(
      createRegistryClient(),
      { registry: second.host, repository: NAME, tag: '2025.1' },
      LABELS,
    ));
    sigTag = `${digest.replace(':', '-')}.sig`;
    keyDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-order-key-'));
    const key = await generateKeyPair(keyDir);
    await signImage({
      ref: `${second.host}/${NAME}@${digest}`,
      key: key.privateKeyPath,
      password: key.password,
    });
    secondFront = await startPagingFront({ upstream: second.url });
    unavailable = await startPrefixFront({ upstream: first.url, prefix: 'down' });
    unavailable.unavailable = true;
    closed = `http://127.0.0.1:${await freePort()}`;
  });
  after(async () => {
    await secondFront?.close();
    await unavailable?.close();
    await Promise.all([first?.close(), second?.close(), authed?.close()]);
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  void test('the first endpoint refusing connections: every read comes from the second; a write fails on the first, the second untouched', async () => {
    const c = client([closed, secondFront.url]);
    const before = secondFront.requests.length;
    await readsAnswered(c);
    assert.ok(secondFront.requests.length > before, 'the second answered');

    const writes = writesAtSecond().length;
    const err = await rejectsWith(
      c.moveTag({ registry: 'ghcr.io', repository: NAME, digest, tag: 'stable' }),
      TransientFailure.RegistryUnavailable,
    );
    assert.ok(err.message.includes(closed), err.message);
    assert.equal(writesAtSecond().length, writes, 'no write reached the second endpoint');
    assert.deepEqual(await tagsOn(second), ['2025.1', sigTag]);
  });

  void test('the first endpoint answering 503, or asking for credentials none are configured for: reads come from the second', async () => {
    await readsAnswered(client([{ url: unavailable.url, prefix: 'down' }, secondFront.url]));
    assert.ok(unavailable.requests.length > 0);
    assert.ok(unavailable.requests.every((r) => r.status === 503 && r.url.startsWith(`/v2/down/${NAME}/`)));

    const asked = new Set<string>();
    await readsAnswered(client([authed.url, secondFront.url], asked));
    assert.deepEqual(
      [...asked].sort(),
      [authed.host],
      'looked up for the endpoint that asked; ghcr.io never',
    );
  });

  void test('the first without the image (404): reads come from the second; a copy reads the second and writes the first only', async () => {
    const c = client([first.url, secondFront.url]);
    assert.equal(await c.resolveDigest(ghcr('2025.1')), digest);
    const writes = writesAtSecond().length;
    // a tag write decides on what the first holds: 2025.1 is on the second only, so not "unchanged";
    // the manifest read from the second just now is not taken as present on the first either
    assert.equal((await c.getManifest({ registry: 'ghcr.io', repository: NAME, digest })).digest, digest);
    await rejectsWith(
      c.tagCreateOnly({ registry: 'ghcr.io', repository: NAME, digest, tag: '2025.1' }),
      FatalFailure.ManifestUnknown,
    );
    // a sync of the mirror: ghcr.io/vexxhost/nova@digest read through the endpoints, written to the first
    const copy = await c.copyImage({
      from: { registry: 'ghcr.io', repository: NAME, digest },
      to: { registry: 'ghcr.io', repository: NAME, tag: '2025.1' },
    });
    assert.ok(copy.manifestsWritten > 0 && copy.blobs.uploaded > 0, JSON.stringify(copy));
    assert.equal(copy.tag?.outcome, 'created');
    const moved = await c.moveTag({ registry: 'ghcr.io', repository: NAME, digest, tag: 'stable' });
    assert.equal(moved.outcome, 'created');
    assert.deepEqual(await tagsOn(first), ['2025.1', 'stable']);
    assert.deepEqual(await tagsOn(second), ['2025.1', sigTag]);
    assert.equal(writesAtSecond().length, writes, 'no write reached the second endpoint');

    // the first has it now: it answers, the second is not asked
    const asked = secondFront.requests.length;
    assert.equal(await c.resolveDigest(ghcr('stable')), digest);
    assert.deepEqual(await c.listTags(ghcr('2025.1')), ['2025.1', 'stable']);
    assert.equal(secondFront.requests.length, asked);
  });

  void test('none has it: ManifestUnknown when every endpoint answered; RegistryUnavailable when one did not; each named', async () => {
    const everyAnswer = await rejectsWith(
      client([first.url, secondFront.url]).resolveDigest(ghcr('missing')),
      FatalFailure.ManifestUnknown,
    );
    assert.match(
      everyAnswer.message,
      /^expected one of the 2 endpoints of ghcr\.io \(tried in order\) to serve the manifest of ghcr\.io\/vexxhost\/nova:missing, found none did: 1\. /,
    );
    assert.ok(
      everyAnswer.message.includes(
        `1. expected the manifest of ghcr.io/vexxhost/nova:missing to exist on ghcr.io (via ${first.url})`,
      ),
      everyAnswer.message,
    );
    assert.ok(
      everyAnswer.message.includes(
        `2. expected the manifest of ghcr.io/vexxhost/nova:missing to exist on ghcr.io (via ${secondFront.url})`,
      ),
      everyAnswer.message,
    );

    const oneDown = await rejectsWith(
      client([closed, secondFront.url]).resolveDigest(ghcr('missing')),
      TransientFailure.RegistryUnavailable,
    );
    assert.ok(oneDown.message.includes(`1. expected ghcr.io (via ${closed}) to answer`), oneDown.message);
    assert.ok(
      oneDown.message.includes(
        `2. expected the manifest of ghcr.io/vexxhost/nova:missing to exist on ghcr.io (via ${secondFront.url})`,
      ),
      oneDown.message,
    );

    await rejectsWith(
      client([first.url, secondFront.url]).listTags({ registry: 'ghcr.io', repository: 'vexxhost/none' }),
      FatalFailure.ManifestUnknown,
    );
  });
});
