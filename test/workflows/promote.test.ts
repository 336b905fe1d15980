/**
 * Promotion on real parts: a distribution registry with auth, images signed by
 * the real cosign, the Temporal dev server, the GitHub stand-in for the audit
 * release; skopeo cross-checks what was written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import {
  createTagWorld,
  revisionOf,
  TAG_IMAGE,
  TAG_SOURCE_SLUG,
  type TagWorld,
} from '../../src/sandbox/tagWorld.js';
import { tagGate, tagStatusQuery } from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import { withTagWorker } from '../support/tags.js';

const image = { ...TAG_IMAGE };

function skopeoDigest(world: TagWorld, tag: string): string {
  const out = execFileSync(
    'skopeo',
    [
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      `bumpflow:${world.secrets[0]}`,
      `docker://${world.registry.host}/${image.repository}:${tag}`,
    ],
    { encoding: 'utf8' },
  );
  return `sha256:${createHash('sha256').update(out).digest('hex')}`;
}

// One dev server for the file, and one task queue: the repository's queue workflow outlives each worker and world.
let env: TestWorkflowEnvironment;
const taskQueue = `bumpflow-promote-${process.pid}`;
before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

describe('promote', () => {
  let world: TagWorld;
  before(async () => {
    world = await createTagWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('moves prod and latest to the signed staging digest, creates the stamp, records a release', async () => {
    const staging = await world.push('staging', { revision: revisionOf('release-1') });
    await world.push('prod', { revision: revisionOf('release-0') });
    await withTagWorker(
      env,
      world,
      async (run) => {
        const id = await run.request({
          procedure: 'promote',
          input: { image, from: 'staging', to: ['prod', 'latest'], stamp: 'prod-{date}-{revision:7}' },
        });
        const waiting = await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
        assert.equal(waiting.plan?.digest, staging);
        assert.match(waiting.evidence?.verifiedBy ?? '', /^key cosign\.pub/);
        await env.client.workflow
          .getHandle(id)
          .executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops' }] });
        const result = await run.result(id);
        assert.equal(result.state, 'done');
        const stamp = result.plan!.stamp!;
        assert.match(stamp, new RegExp(`^prod-\\d{8}-${revisionOf('release-1').slice(0, 7)}$`));
        for (const tag of ['prod', 'latest', stamp]) {
          assert.equal(await world.digestOf(tag), staging, tag);
          assert.equal(skopeoDigest(world, tag), staging, `skopeo: ${tag}`);
        }
        assert.equal(result.audit?.kind, 'release');
        const releases = world.github.releases(...(TAG_SOURCE_SLUG.split('/') as [string, string]));
        assert.deepEqual(
          releases.map((r) => [r.tag, r.targetCommitish]),
          [[stamp, revisionOf('release-1')]],
        );
      },
      taskQueue,
    );
  });
});

describe('promote: refused before anything is mutated', () => {
  let world: TagWorld;
  before(async () => {
    world = await createTagWorld();
  });
  after(async () => {
    await world?.close();
  });

  async function refusedWith(from: string, type: string): Promise<void> {
    const before = { prod: await world.digestOf('prod'), latest: await world.digestOf('latest') };
    const tagsBefore = (await world.client.listTags(image)).sort();
    await withTagWorker(
      env,
      world,
      async (run) => {
        const id = await run.request({
          procedure: 'promote',
          input: { image, from, to: ['prod', 'latest'], stamp: 'prod-{date}-{revision:7}' },
        });
        await assert.rejects(run.result(id), (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError, String(err));
          assert.equal((err.cause as { type?: string }).type, type);
          return true;
        });
        const status = await env.client.workflow.getHandle(id).query(tagStatusQuery);
        assert.equal(status.state, 'failed');
        assert.deepEqual(status.written, []);
      },
      taskQueue,
    );
    assert.deepEqual({ prod: await world.digestOf('prod'), latest: await world.digestOf('latest') }, before);
    assert.deepEqual((await world.client.listTags(image)).sort(), tagsBefore, 'no tag created or deleted');
  }

  it('an unsigned source', async () => {
    await world.push('prod', { revision: revisionOf('prod-now') });
    await world.push('unsigned', { sign: false });
    await refusedWith('unsigned', 'Unsigned');
  });

  it('a source signed with a key the worker does not trust', async () => {
    await world.push('other-key', { sign: 'other' });
    await refusedWith('other-key', 'SignatureInvalid');
  });

  it("a signature of another digest under the source's .sig tag", async () => {
    const signed = await world.push('signed-a', { salt: 'a' });
    const victim = await world.push('victim-b', { salt: 'b', sign: false });
    const sig = await world.client.getManifest({ ...image, tag: `${signed.replace(':', '-')}.sig` });
    await world.client.putManifest(
      { ...image, tag: `${victim.replace(':', '-')}.sig` },
      sig.mediaType,
      sig.body,
    );
    await refusedWith('victim-b', 'SignedDigestMismatch');
  });

  it('a source without a revision label cannot be stamped', async () => {
    await world.push('no-revision', { revision: 'not-a-sha' });
    await refusedWith('no-revision', 'LabelMissing');
  });
});

describe('promote: an index goes whole, and by digest', () => {
  let world: TagWorld;
  before(async () => {
    world = await createTagWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('promotes an OCI index by digest with every platform, without approval when the policy says so', async () => {
    const index = await world.push('build-77', { revision: revisionOf('build-77') });
    await withTagWorker(
      env,
      world,
      async (run) => {
        const id = await run.request({
          procedure: 'promote',
          input: {
            image,
            from: index,
            to: ['prod'],
            stamp: null,
            approval: { required: false, pattern: 'ghcr.io/vexxhost/*:prod' },
          },
        });
        const result = await run.result(id);
        assert.equal(result.state, 'done');
        assert.deepEqual(
          result.plan?.tags.map((t) => [t.tag, t.change]),
          [['prod', 'create']],
        );
      },
      taskQueue,
    );
    const raw = JSON.parse(
      execFileSync(
        'skopeo',
        [
          'inspect',
          '--raw',
          '--tls-verify=false',
          '--creds',
          `bumpflow:${world.secrets[0]}`,
          `docker://${world.registry.host}/${image.repository}:prod`,
        ],
        { encoding: 'utf8' },
      ),
    ) as { mediaType: string; manifests: { digest: string; platform?: { architecture: string } }[] };
    assert.equal(raw.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(
      raw.manifests
        .filter((m) => m.platform?.architecture !== 'unknown')
        .map((m) => m.platform?.architecture),
      ['amd64', 'arm64'],
    );
    for (const m of raw.manifests) await world.client.getManifest({ ...image, digest: m.digest });
  });
});
