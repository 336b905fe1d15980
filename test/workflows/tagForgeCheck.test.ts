/**
 * A promotion or rollback whose audit is a GitHub release checks the forge
 * before any tag is written (item 5): with the GitHub stand-in refusing the
 * token (401) or down (503), the procedure is `blocked` at the forge check
 * within seconds with the forge's error, nothing written (skopeo reads back);
 * once the forge answers again, `retry` goes on to approval, the writes and
 * the release. Real registry, real cosign, the dev server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { revisionOf, TAG_IMAGE, TAG_SOURCE_SLUG, type TagWorld } from '../../src/sandbox/tagWorld.js';
import type { StandInAnswer } from '../../src/sandbox/githubStandIn.js';
import { retrySignal, tagGate } from '../../src/shared/messages.js';
import type { TagRequest } from '../../src/cli/tags/startTag.js';
import { startTemporal } from '../support/temporal.js';
import { inTagWorld, skopeoDigest, skopeoTags } from '../support/tagWorlds.js';
import type { TagRun } from '../support/tags.js';

const image = { ...TAG_IMAGE };
const retry = { maximumAttempts: 8, initialInterval: '200ms', maximumInterval: '1s' };
const DOCS = 'https://docs.github.com/rest';

/** The stand-in answers every request with `answer` while it is set (before its token check, as GitHub's edge). */
function breakForge(world: TagWorld, answer: StandInAnswer): { fix(): void } {
  let broken = true;
  world.github.onRequest = () => (broken ? answer : undefined);
  return { fix: () => (broken = false) };
}

async function blockedThenDone(
  env: TestWorkflowEnvironment,
  world: TagWorld,
  run: TagRun,
  request: TagRequest,
  error: RegExp,
  fix: () => void,
): Promise<void> {
  const tags = skopeoTags(world);
  const digests = Object.fromEntries(tags.map((t) => [t, skopeoDigest(world, t)]));
  const started = Date.now();
  const id = await run.request(request);
  const blocked = await run.statusWhen(id, (s) => s.state === 'blocked', 20_000);
  assert.ok(Date.now() - started < 15_000, `blocked after ${Date.now() - started} ms`);
  assert.match(
    blocked.step?.name ?? '',
    /^check that the audit release can be recorded on https:\/\/github\.com\//,
  );
  assert.match(blocked.step?.lastError?.message ?? '', error);
  assert.deepEqual(blocked.written, []);
  assert.deepEqual(skopeoTags(world), tags, 'no tag created');
  for (const t of tags) assert.equal(skopeoDigest(world, t), digests[t], `skopeo: ${t} not moved`);

  fix();
  const handle = env.client.workflow.getHandle(id);
  await handle.signal(retrySignal, {});
  await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
  await handle.executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops' }] });
  const result = await run.result(id);
  assert.equal(result.state, 'done');
  assert.equal(result.audit?.kind, 'release');
  for (const w of result.written) assert.equal(skopeoDigest(world, w.tag), result.digest, `skopeo: ${w.tag}`);
  const releases = world.github.releases(...(TAG_SOURCE_SLUG.split('/') as [string, string]));
  assert.deepEqual(
    releases.map((r) => r.tag),
    [result.plan!.stamp],
  );
}

describe('the forge is checked before a tag is written', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('a promotion with a refused token blocks at the check, nothing written; retry completes', async () => {
    await inTagWorld(env, async (world, run) => {
      await world.push('staging', { revision: revisionOf('release-1') });
      await world.push('prod', { revision: revisionOf('release-0') });
      const forge = breakForge(world, {
        status: 401,
        body: { message: 'Bad credentials', documentation_url: DOCS },
      });
      const request: TagRequest = {
        procedure: 'promote',
        input: { image, from: 'staging', to: ['prod', 'latest'], stamp: 'prod-{date}-{revision:7}', retry },
      };
      await blockedThenDone(
        env,
        world,
        run,
        request,
        /audit release on vexxhost\/docker-magnum cannot be recorded.*(401|token|credentials)/i,
        forge.fix,
      );
    });
  });

  it('a rollback with the forge down blocks at the check, nothing written; retry completes', async () => {
    await inTagWorld(env, async (world, run) => {
      const a = revisionOf('alpha');
      const b = revisionOf('bravo');
      await world.push(`prod-20260301-${a.slice(0, 7)}`, { revision: a });
      const current = await world.push(`prod-20260305-${b.slice(0, 7)}`, { revision: b });
      for (const tag of ['prod', 'latest']) await world.client.moveTag({ ...image, tag, digest: current });
      const forge = breakForge(world, {
        status: 503,
        body: { message: 'Service Unavailable', documentation_url: DOCS },
      });
      const request: TagRequest = {
        procedure: 'rollback',
        input: { image, tag: 'prod', aliases: ['latest'], retry },
      };
      await blockedThenDone(env, world, run, request, /503|unavailable/i, forge.fix);
    });
  });
});
