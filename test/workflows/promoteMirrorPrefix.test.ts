/**
 * A procedure end to end through a mirror whose names carry a prefix: the tag
 * world's registry served as a Harbor-style proxy project (`/v2/ghcr-proxy/
 * vexxhost/magnum/…`, src/sandbox/prefixFront.ts) and the worker built from
 * its environment with `BUMPFLOW_REGISTRY_MIRRORS=ghcr.io=<front>;prefix=
 * ghcr-proxy` and credentials for the front's host only. A promotion of
 * ghcr.io/vexxhost/magnum resolves, verifies the cosign signature and
 * moves tags, every request under the prefix; skopeo on the registry itself
 * sees the tags written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startPrefixFront, type RunningPrefixFront } from '../../src/sandbox/prefixFront.js';
import { createTagWorld, revisionOf, TAG_IMAGE, type TagWorld } from '../../src/sandbox/tagWorld.js';
import { dependenciesFromEnvironment } from '../../src/worker.js';
import { startTemporal } from '../support/temporal.js';
import { withTagWorker } from '../support/tags.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

describe('promote through a mirror with a repository prefix', () => {
  let world: TagWorld;
  let front: RunningPrefixFront;
  before(async () => {
    world = await createTagWorld();
    front = await startPrefixFront({ upstream: world.registry.url, prefix: 'ghcr-proxy' });
  });
  after(async () => {
    await front?.close();
    await world?.close();
  });

  it('resolves, verifies and writes ghcr.io/vexxhost/magnum at /v2/ghcr-proxy/vexxhost/magnum', async () => {
    const staging = await world.push('staging', { revision: revisionOf('mirror-1') });
    await world.push('prod', { revision: revisionOf('mirror-0') });
    const password = world.secrets[0]!;
    // the worker's environment: the prefixed mirror, and credentials for the front's host only
    // (the registry's own host has none: a request that went around the front would be refused)
    const workerEnv = {
      ...world.env,
      BUMPFLOW_REGISTRY_MIRRORS: `${TAG_IMAGE.registry}=${front.url};prefix=ghcr-proxy`,
      BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ [front.host]: { username: 'bumpflow', password } }),
    };
    const deps = dependenciesFromEnvironment(workerEnv);
    await withTagWorker(env, { ...world, deps }, async (run) => {
      const id = await run.request({
        procedure: 'promote',
        input: {
          image: { ...TAG_IMAGE },
          from: 'staging',
          to: ['prod'],
          stamp: null,
          approval: { required: false, pattern: 'ghcr.io/vexxhost/*:prod' },
        },
      });
      const result = await run.result(id);
      assert.equal(result.state, 'done', JSON.stringify(result));
      assert.equal(result.plan?.digest, staging);
      assert.match(result.evidence?.verifiedBy ?? '', /^key cosign\.pub/);
    });
    const prod = execFileSync(
      'skopeo',
      [
        'inspect',
        '--tls-verify=false',
        '--creds',
        `bumpflow:${password}`,
        '--format',
        '{{.Digest}}',
        `docker://${world.registry.host}/${TAG_IMAGE.repository}:prod`,
      ],
      { encoding: 'utf8' },
    ).trim();
    assert.equal(prod, staging, 'skopeo, on the registry itself: prod moved to the staging digest');
    const paths = front.requests.map((r) => new URL(r.url, front.url).pathname);
    assert.ok(paths.some((p) => p.endsWith('/manifests/prod')) && paths.some((p) => /\.sig$/.test(p)));
    for (const p of paths) assert.ok(p.startsWith(`/v2/ghcr-proxy/${TAG_IMAGE.repository}/`), p);
    assert.ok(front.requests.some((r) => r.method === 'PUT' && r.url.endsWith('/manifests/prod')));
  });
});
