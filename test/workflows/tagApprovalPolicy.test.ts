/**
 * The worker decides a tag plan's approval (issue 20, item 1): a request to the
 * repository's queue carries `approval` and `approveAbove`, but a person can
 * type one (the real `temporal workflow signal`) or start a promotion by hand,
 * so the request may only make the approval stricter. The worker's config
 * (`promotion.approval`, the first rule whose image and tag globs match;
 * `cleanup.approveAbove`) decides the rest. On real parts: the dev server, a
 * registry with auth, images signed by cosign; skopeo reads the registry back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { revisionOf, TAG_IMAGE, type TagWorldApprovalRule } from '../../src/sandbox/tagWorld.js';
import {
  tagGate,
  tagStatusQuery,
  tagWorkflowId,
  TagWorkflowType,
  type QueueRequest,
} from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import { inTagWorld, skopeoDigest, skopeoTags } from '../support/tagWorlds.js';
import type { TagRun } from '../support/tags.js';
import { temporalWorkflow, typedRequest as typedRequestTo } from '../support/typedRequests.js';
import { tagApprovalActivities } from '../../src/activities/tags/tagApprovalActivities.js';

const image = { ...TAG_IMAGE };
const HOUR = 3_600_000;
/** the worker's rules: staging goes without a human, prod waits for one */
const RULES: TagWorldApprovalRule[] = [
  { images: 'ghcr.io/vexxhost/*', tags: 'staging', required: false },
  { tags: 'prod', required: true },
];

describe('tag approval: the worker decides, a request only makes it stricter', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  const temporal = (args: string[]) => temporalWorkflow(env, args);
  const typedRequest = (run: TagRun, request: QueueRequest) => typedRequestTo(env, run, request);
  const approve = (id: string) =>
    env.client.workflow.getHandle(id).executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops' }] });

  it('a typed promotion to prod saying "no approval needed" waits for one; prod moves only once approved', async () => {
    await inTagWorld(
      env,
      async (world, run) => {
        const prod = await world.push('prod', { revision: revisionOf('prod-old') });
        const staging = await world.push('staging', { revision: revisionOf('staging-new') });
        const id = tagWorkflowId('promote', image, new Date(), 'typed');
        await typedRequest(run, {
          procedure: 'promote',
          workflowId: id,
          input: {
            image,
            from: 'staging',
            to: ['prod'],
            stamp: null,
            approval: { required: false, pattern: '**' },
          },
        });
        const waiting = await run.statusWhen(
          id,
          (s) => s.state === 'awaiting-approval' || s.state === 'done',
        );
        assert.equal(waiting.state, 'awaiting-approval', `expected a wait, found ${JSON.stringify(waiting)}`);
        assert.deepEqual(waiting.approvalPolicy, {
          required: true,
          why: 'approval required by worker rule *:prod',
        });
        assert.ok(
          waiting.notices.includes('approval required by worker rule *:prod'),
          waiting.notices.join('\n'),
        );
        await new Promise((r) => setTimeout(r, 1_000));
        assert.equal(skopeoDigest(world, 'prod'), prod, 'prod unchanged while the approval is awaited');
        await approve(id);
        const result = await run.result(id);
        assert.equal(result.state, 'done');
        assert.equal(skopeoDigest(world, 'prod'), staging, 'prod moved once approved');
      },
      { world: { approval: RULES } },
    );
  });

  it('a promoteImage started by hand saying "no approval needed" waits too', async () => {
    await inTagWorld(
      env,
      async (world, run) => {
        const prod = await world.push('prod', { revision: revisionOf('prod-old-b') });
        await world.push('staging', { revision: revisionOf('staging-new-b') });
        const id = tagWorkflowId('promote', image, new Date(), 'by-hand');
        await temporal([
          'start',
          ...['--type', TagWorkflowType.promote, '--task-queue', run.taskQueue, '--workflow-id', id],
          ...[
            '--input',
            JSON.stringify({
              image,
              from: 'staging',
              to: ['prod'],
              stamp: null,
              approval: { required: false },
            }),
          ],
        ]);
        const waiting = await run.statusWhen(
          id,
          (s) => s.state === 'awaiting-approval' || s.state === 'done',
        );
        assert.equal(waiting.state, 'awaiting-approval');
        await env.client.workflow
          .getHandle(id)
          .executeUpdate(tagGate.rejectUpdate, { args: [{ reason: 'not today', approver: 'ops' }] });
        assert.equal((await run.result(id)).state, 'rejected');
        assert.equal(skopeoDigest(world, 'prod'), prod, 'prod unchanged');
      },
      { world: { approval: RULES } },
    );
  });

  it('the worker\'s "staging needs none" is respected; a request asking for approval still gets it', async () => {
    await inTagWorld(
      env,
      async (world, run) => {
        const change = await world.push('change_5_latest', { revision: revisionOf('change-5') });
        const id = tagWorkflowId('promote', image, new Date(), 'staging');
        await typedRequest(run, {
          procedure: 'promote',
          workflowId: id,
          input: {
            image,
            from: 'change_5_latest',
            to: ['staging'],
            stamp: null,
            approval: { required: false },
          },
        });
        const result = await run.result(id);
        assert.equal(result.state, 'done', JSON.stringify(result));
        assert.equal(skopeoDigest(world, 'staging'), change);
        const status = await env.client.workflow.getHandle(id).query(tagStatusQuery);
        assert.equal(status.approvedBy, 'policy (ghcr.io/vexxhost/*:staging needs no approval)');
        assert.deepEqual(status.approvalPolicy, {
          required: false,
          why: 'no approval needed by worker rule ghcr.io/vexxhost/*:staging',
        });

        const other = await world.push('change_6_latest', { revision: revisionOf('change-6') });
        const strict = tagWorkflowId('promote', image, new Date(), 'strict');
        await typedRequest(run, {
          procedure: 'promote',
          workflowId: strict,
          input: {
            image,
            from: 'change_6_latest',
            to: ['staging'],
            stamp: null,
            approval: { required: true },
          },
        });
        const waiting = await run.statusWhen(
          strict,
          (s) => s.state === 'awaiting-approval' || s.state === 'done',
        );
        assert.equal(waiting.state, 'awaiting-approval');
        assert.match(
          waiting.approvalPolicy?.why ?? '',
          /^approval required by the request \(worker rule ghcr\.io\/vexxhost\/\*:staging needs none\)$/,
        );
        assert.equal(skopeoDigest(world, 'staging'), change, 'staging unchanged while awaited');
        await approve(strict);
        assert.equal((await run.result(strict)).state, 'done');
        assert.equal(skopeoDigest(world, 'staging'), other);
      },
      { world: { approval: RULES } },
    );
  });

  it("a typed clean-up with a huge approveAbove waits when the plan exceeds the worker's cleanup.approveAbove", async () => {
    await inTagWorld(
      env,
      async (world, run) => {
        const created = new Date(Date.now() - 49 * HOUR).toISOString();
        for (const tag of ['change_1_latest', 'change_2_latest', 'change_3_latest'])
          await world.push(tag, { created, sign: false });
        const id = tagWorkflowId('cleanup', image, new Date(), 'typed');
        await typedRequest(run, {
          procedure: 'cleanup',
          workflowId: id,
          input: { image, patterns: ['change_*'], olderThan: '24h', approveAbove: 100_000 },
        });
        const waiting = await run.statusWhen(
          id,
          (s) => s.state === 'awaiting-approval' || s.state === 'done',
        );
        assert.equal(waiting.state, 'awaiting-approval', `expected a wait, found ${JSON.stringify(waiting)}`);
        assert.deepEqual(waiting.approvalPolicy, {
          required: true,
          why: 'approval required by worker rule cleanup.approveAbove 2: 3 tags to delete',
        });
        assert.deepEqual(waiting.deleted, []);
        assert.deepEqual(skopeoTags(world), ['change_1_latest', 'change_2_latest', 'change_3_latest']);
        await approve(id);
        const result = await run.result(id);
        assert.equal(result.state, 'done');
        assert.deepEqual(skopeoTags(world), []);
      },
      { world: { approval: RULES, approveAbove: 2 } },
    );
  });
});

describe("the worker's approval rule (workerTagApproval)", () => {
  it('without a config file every plan waits; otherwise the first matching rule decides, unmatched waits', async () => {
    const none = tagApprovalActivities({});
    assert.deepEqual(await none.workerTagApproval({ image: 'ghcr.io/vexxhost/magnum', tags: ['staging'] }), {
      required: true,
      rule: 'no config file at the worker',
      approveAbove: 0,
    });
    const acts = tagApprovalActivities({ tagApproval: { rules: RULES, approveAbove: 7 } });
    const ask = (image: string, tags: string[]) => acts.workerTagApproval({ image, tags });
    assert.deepEqual(await ask('ghcr.io/vexxhost/magnum', ['staging']), {
      required: false,
      rule: 'ghcr.io/vexxhost/*:staging',
      approveAbove: 7,
    });
    assert.equal((await ask('ghcr.io/vexxhost/magnum', ['prod', 'latest'])).rule, '*:prod');
    assert.deepEqual(await ask('ghcr.io/other/x', ['staging']), {
      required: true,
      rule: 'no promotion.approval rule matches',
      approveAbove: 7,
    });
  });
});
