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
import {
  createTagWorld,
  revisionOf,
  TAG_IMAGE,
  TAG_SOURCE_SLUG,
  type TagWorld,
} from '../../src/sandbox/tagWorld.js';
import { tagGate } from '../../src/shared/messages.js';
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

describe('promote', () => {
  let env: TestWorkflowEnvironment;
  let world: TagWorld;
  before(async () => {
    [env, world] = await Promise.all([startTemporal(), createTagWorld()]);
  });
  after(async () => {
    await world?.close();
    await env?.teardown();
  });

  it('moves prod and latest to the signed staging digest, creates the stamp, records a release', async () => {
    const staging = await world.push('staging', { revision: revisionOf('release-1') });
    await world.push('prod', { revision: revisionOf('release-0') });
    await withTagWorker(env, world, async (run) => {
      const id = await run.request({
        procedure: 'promote',
        input: { image, from: 'staging', to: ['prod', 'latest'], stamp: 'prod-{date}-{revision:7}' },
      });
      const waiting = await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
      assert.equal(waiting.plan?.digest, staging);
      assert.match(waiting.evidence?.verifiedBy ?? '', /key release-key/);
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
    });
  });
});
