/**
 * A typed rollback against the worker's strict rules (issue 20, item 1, as
 * tagApprovalPolicy.test.ts shows for promote): the worker's config says prod
 * waits for a human (`promotion.approval`), so a rollback request typed to the
 * repository's queue with the real `temporal workflow signal` and saying
 * `approval: {required: false}` still waits; prod stays where it is (read back
 * by skopeo) until someone approves. On real parts: the dev server, a registry
 * with auth, images signed by cosign.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  revisionOf,
  TAG_IMAGE,
  type TagWorld,
  type TagWorldApprovalRule,
} from '../../src/sandbox/tagWorld.js';
import { tagGate, tagWorkflowId, type QueueRequest } from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import { inTagWorld, skopeoDigest } from '../support/tagWorlds.js';
import type { TagRun } from '../support/tags.js';
import { typedRequest as typedRequestTo } from '../support/typedRequests.js';

const image = { ...TAG_IMAGE };
/** the worker's rules: prod waits for a human */
const RULES: TagWorldApprovalRule[] = [{ tags: 'prod', required: true }];
const A = revisionOf('alpha-rollback-policy');
const C = revisionOf('charlie-rollback-policy');
const stampOf = (date: string, revision: string) => `prod-${date}-${revision.slice(0, 7)}`;

/** Pushes (and signs) an image under its stamp; points prod and latest at it when `current`. */
async function pushStamp(world: TagWorld, date: string, revision: string, current = false): Promise<string> {
  const digest = await world.push(stampOf(date, revision), { revision });
  if (current) for (const tag of ['prod', 'latest']) await world.client.moveTag({ ...image, tag, digest });
  return digest;
}

describe('a typed rollback under strict worker rules', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  const typedRequest = (run: TagRun, request: QueueRequest) => typedRequestTo(env, run, request);

  it('a typed rollback of prod saying "no approval needed" waits for one; prod moves back only once approved', async () => {
    await inTagWorld(
      env,
      async (world, run) => {
        const dA = await pushStamp(world, '20260301', A);
        const dC = await pushStamp(world, '20260310', C, true);
        const id = tagWorkflowId('rollback', image, new Date(), 'typed');
        await typedRequest(run, {
          procedure: 'rollback',
          workflowId: id,
          input: {
            image,
            aliases: ['latest'],
            to: stampOf('20260301', A),
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
        await new Promise((r) => setTimeout(r, 1_000));
        assert.equal(skopeoDigest(world, 'prod'), dC, 'prod unchanged while the approval is awaited');
        assert.equal(skopeoDigest(world, 'latest'), dC, 'latest unchanged while the approval is awaited');
        await env.client.workflow
          .getHandle(id)
          .executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops' }] });
        const result = await run.result(id);
        assert.equal(result.state, 'done', JSON.stringify(result));
        assert.equal(result.digest, dA);
        assert.equal(skopeoDigest(world, 'prod'), dA, 'prod rolled back once approved');
        assert.equal(skopeoDigest(world, 'latest'), dA, 'latest rolled back with it');
      },
      { world: { approval: RULES } },
    );
  });
});
