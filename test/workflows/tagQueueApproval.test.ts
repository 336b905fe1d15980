/**
 * The repository queue's `retag` requests are typed by a person too (issue 20,
 * item 1): an entry is written only when the retag run it names planned it
 * and got it approved, and never to a tag under promotion policy (prod, its
 * stamps): those only promote and rollback write. Sent through the real
 * `temporal` CLI, as an operator would; the registry read back by skopeo. On
 * real parts: the dev server, a registry with auth, images signed by cosign.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { revisionOf, TAG_IMAGE } from '../../src/sandbox/tagWorld.js';
import { DEFAULT_PROMOTION_POLICY, promotionPolicyOf } from '../../src/lib/kit/promotionPolicy.js';
import {
  tagStatusQuery,
  tagWorkflowId,
  TagWorkflowType,
  type QueueRequest,
  type RetagImageRequest,
} from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import { failureOf, inTagWorld, queueId, queueWhen, skopeoDigest, skopeoTags } from '../support/tagWorlds.js';
import type { TagRun } from '../support/tags.js';
import {
  startQueue as startQueueOf,
  temporalWorkflow,
  typedRequest as typedRequestTo,
} from '../support/typedRequests.js';

const image = { ...TAG_IMAGE };
const idOf = (suffix: string) => tagWorkflowId('retag-image', image, new Date(), suffix);
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A retag entry as a person would type it: `tag` at `digest` (moved from `from`), `srcBuildTag` its source. */
function entry(o: { srcBuildTag: string; tag: string; digest: string; from?: string; notify: string }) {
  return {
    image,
    entry: { index: 0, line: 1, name: `${image.registry}/${image.repository}` },
    ...o,
  } satisfies RetagImageRequest;
}

describe('tag queue: a typed retag request writes nothing no approved retag planned', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  const temporal = (args: string[]) => temporalWorkflow(env, args);
  const startQueue = (run: TagRun) => startQueueOf(env, run);
  const cliRequest = (run: TagRun, request: QueueRequest) => typedRequestTo(env, run, request);

  it('the attack of issue 20: prod moved to an unsigned image by a typed request is refused, recorded, prod unchanged', async () => {
    await inTagWorld(env, async (world, run) => {
      const prod = await world.push('prod', { revision: revisionOf('prod-a') });
      const unsigned = await world.push('change_9_latest', {
        sign: false,
        revision: revisionOf('unsigned-a'),
      });
      const id = idOf('attack');
      await cliRequest(run, {
        procedure: 'retag',
        workflowId: id,
        input: entry({
          srcBuildTag: 'change_9_latest',
          tag: 'prod',
          from: prod,
          digest: unsigned,
          notify: 'retag/does/not/exist',
        }),
      });
      const failure = await failureOf(run, id);
      assert.equal(failure.type, 'UnapprovedWrite', failure.message);
      assert.match(failure.message, /prod is a promoted tag .*only promote .* and rollback write it/);
      assert.match(failure.message, /retag\/does\/not\/exist .*found no such workflow/);
      assert.equal(skopeoDigest(world, 'prod'), prod, 'prod is where it was');
      const q = await queueWhen(env, (s) => s.recent.length === 1 && s.refusals.length === 1);
      assert.match(q.refusals[0]!, new RegExp(`^request refused: ${escaped(id)}: .*prod is a promoted tag`));
      assert.deepEqual(
        q.recent.map((r) => [r.workflowId, r.state]),
        [[id, 'failed: UnapprovedWrite']],
      );
      const status = await env.client.workflow.getHandle(id).query(tagStatusQuery);
      assert.deepEqual(status.written, [], 'nothing written');
      assert.match(status.notices.join('\n'), /retag\/does\/not\/exist not told/);
    });
  });

  it('a stamp of prod, and a retagImage started straight (not queued), are refused too', async () => {
    await inTagWorld(env, async (world, run) => {
      const unsigned = await world.push('change_8_latest', {
        sign: false,
        revision: revisionOf('unsigned-b'),
      });
      const stamp = 'prod-20260301-0123456';
      const id = idOf('stamp');
      await startQueue(run);
      await temporal([
        'start',
        '--type',
        TagWorkflowType.retag,
        '--task-queue',
        run.taskQueue,
        '--workflow-id',
        id,
        '--input',
        JSON.stringify(
          entry({ srcBuildTag: 'change_8_latest', tag: stamp, digest: unsigned, notify: queueId }),
        ),
      ]);
      const failure = await failureOf(run, id);
      assert.equal(failure.type, 'UnapprovedWrite', failure.message);
      assert.match(failure.message, /prod-20260301-0123456 is a promotion stamp/);
      assert.match(failure.message, /found a imageRepository workflow, not a retagManifest/);
      assert.ok(!skopeoTags(world).includes(stamp), 'no stamp written');
    });
  });

  it('an entry naming a run that does not exist, or one that is no retag, is refused and recorded; nothing written', async () => {
    await inTagWorld(env, async (world, run) => {
      const staging = await world.push('staging', { revision: revisionOf('staging-c') });
      const before = skopeoTags(world);
      const otherId = await run.request({
        procedure: 'cleanup',
        input: { image, patterns: ['change_*'], olderThan: '24h', dryRun: true },
      });
      await run.result(otherId);
      const cases = [
        { id: idOf('nowhere'), notify: 'retag/nowhere@0123456789ab', found: /found no such workflow/ },
        {
          id: idOf('unrelated'),
          notify: otherId,
          found: /found a cleanupTags workflow, not a retagManifest/,
        },
      ];
      for (const c of cases)
        await cliRequest(run, {
          procedure: 'retag',
          workflowId: c.id,
          input: entry({ srcBuildTag: 'staging', tag: 'stx.9.0-typed', digest: staging, notify: c.notify }),
        });
      for (const c of cases) {
        const failure = await failureOf(run, c.id);
        assert.equal(failure.type, 'UnapprovedWrite', failure.message);
        assert.match(failure.message, c.found);
        assert.doesNotMatch(failure.message, /promotion policy/, 'stx.9.0-typed is no promoted tag');
      }
      const q = await queueWhen(env, (s) => s.recent.length === 3);
      const refused = q.refusals;
      assert.deepEqual(
        refused.map((r) => /^request refused: (\S+): /.exec(r)?.[1]),
        cases.map((c) => c.id),
        'both on record as refused, naming the request',
      );
      assert.match(refused[0]!, /retag\/nowhere@0123456789ab .*found no such workflow: nothing written$/);
      assert.deepEqual(skopeoTags(world), before, 'no tag written');
    });
  });
});

describe('tags under promotion policy (what no retag entry writes)', () => {
  it('prod, the configured aliases, their stamps and audit tags; nothing else', () => {
    const policy = {
      stamp: 'release-{tag}-{date}{time}-{revision:10}',
      aliases: { prod: ['latest'], edge: [] },
    };
    for (const tag of [
      'prod',
      'latest',
      'edge',
      'release-latest-20260301142501-0123456789',
      'prod-20260301-0123456',
      'edge-20261231-0123456789abcdef',
      'prod-rollback-20260301-142501-from-abc1234',
    ])
      assert.ok(promotionPolicyOf(tag, policy), tag);
    for (const tag of ['staging', 'stx.9.0-v1', 'latest-build', 'release-staging-20260301142501-0123456789'])
      assert.equal(promotionPolicyOf(tag, policy), undefined, tag);
    assert.ok(promotionPolicyOf('prod-20260301-abcdef0', DEFAULT_PROMOTION_POLICY));
    assert.equal(promotionPolicyOf('latest', DEFAULT_PROMOTION_POLICY), undefined);
  });
});
