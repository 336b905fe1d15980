/**
 * src/client.ts as a script uses it, against the real dev server and a worker
 * on the bump world (and a tag world for a promotion): connect from the same
 * environment as the CLI (here without $USER), start, read the status,
 * approve, and see the PR (the promoted tag) — and the CLI's refusals as
 * errors that map to the CLI's exit codes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  connectClient,
  describeFailure,
  ExitCode,
  type BumpflowClient,
  type WorkflowStatus,
} from '../../src/client.js';
import type { BumpResult } from '../../src/shared/messages.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { createTagWorld, revisionOf, TAG_IMAGE, type TagWorld } from '../../src/sandbox/tagWorld.js';
import { startTemporal } from '../support/temporal.js';
import { withWorker } from '../support/bump.js';
import { withTagWorker } from '../support/tags.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

/** The environment a script runs in: the server and task queue, and no $USER or $LOGNAME. */
function scriptEnv(taskQueue: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: env.address,
    BUMPFLOW_TASK_QUEUE: taskQueue,
  };
  delete e.USER;
  delete e.LOGNAME;
  return e;
}

/** Polls the status until `ok` holds. */
async function statusWhen(
  bumpflow: BumpflowClient,
  id: string,
  ok: (s: WorkflowStatus) => boolean,
): Promise<WorkflowStatus> {
  let last: WorkflowStatus | undefined;
  for (let i = 0; i < 150; i++) {
    last = await bumpflow.status(id).catch(() => undefined);
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`expected ${id} to reach the awaited status, last: ${JSON.stringify(last)}`);
}

/** What a refused call threw, as the CLI would report it: its exit code and message. */
async function refusal(p: Promise<unknown>): Promise<{ exitCode: number; message: string }> {
  const err = await p.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  const { code, message } = describeFailure(err);
  return { exitCode: code, message: message ?? '' };
}

describe('the programmatic client', () => {
  it('starts a bump, reads its status, approves it and the PR opens, approved by the account', async () => {
    const s = await createScenario({ slug: 'client/atmosphere', branches: ['main'] });
    try {
      await withWorker(env, s, async ({ taskQueue }) => {
        const bumpflow = await connectClient({ env: scriptEnv(taskQueue) });
        try {
          assert.equal(bumpflow.settings.taskQueue, taskQueue);
          // the CLI's request checks: refused before anything starts, exit 2
          const bad = await refusal(bumpflow.startBump({ service: 'magnum', targetRepo: 'ftp://x/y' }));
          assert.equal(bad.exitCode, ExitCode.usage);

          const started = await bumpflow.startBump({ service: 'magnum', targetRepo: `${s.targetUrl}.git/` });
          assert.equal(started.workflowId, 'bump/client/atmosphere/magnum');
          assert.match(started.url, /\/workflows\/bump%2Fclient%2Fatmosphere%2Fmagnum$/);
          const twice = await refusal(bumpflow.startBump({ service: 'magnum', targetRepo: s.targetUrl }));
          assert.match(twice.message, /already running as bump\/client\/atmosphere\/magnum/);

          const waiting = await statusWhen(
            bumpflow,
            started.workflowId,
            (st) => st.kind === 'bump' && st.status.branches[0]?.state === 'awaiting-approval',
          );
          assert.equal(waiting.kind === 'bump' && waiting.status.targetRepo, s.targetUrl);

          const none = await refusal(bumpflow.approve(started.workflowId, { branches: ['stable/2025.1'] }));
          assert.equal(none.exitCode, ExitCode.failed);
          assert.match(none.message, /no branch of .* is awaiting approval among stable\/2025\.1/);
          const digest = await refusal(
            bumpflow.approve(started.workflowId, { digest: s.oldDigest['main']! }),
          );
          assert.equal(digest.exitCode, ExitCode.usage);

          const approved = await bumpflow.approve(started.workflowId);
          assert.deepEqual(approved, [{ target: 'main', ok: true, via: 'update', message: undefined }]);
          const result = (await bumpflow.temporal.workflow
            .getHandle(started.workflowId)
            .result()) as BumpResult;
          assert.equal(result.branches[0]?.outcome, 'pr-opened');
          assert.equal(s.github.pulls.length, 1);
          // no $USER in the script's environment: the account's name, never "unknown"
          assert.match(
            s.github.pulls[0]!.body,
            new RegExp(`Approved by ${os.userInfo().username} in Temporal`),
          );
          const done = await bumpflow.status(started.workflowId);
          assert.equal(done.kind === 'bump' && done.status.branches[0]?.state, 'pr-opened');
          const late = await refusal(bumpflow.reject(started.workflowId, { reason: 'too late' }));
          assert.match(late.message, /nothing to reject/);
        } finally {
          await bumpflow.close();
        }
      });
    } finally {
      await s.close();
    }
  });

  describe('a promotion', () => {
    let world: TagWorld;
    before(async () => {
      world = await createTagWorld();
    });
    after(async () => {
      await world?.close();
    });

    it('is queued, awaits approval, and once approved moves the tag', async () => {
      const staging = await world.push('staging', { revision: revisionOf('client-1') });
      await world.push('prod', { revision: revisionOf('client-0') });
      await withTagWorker(env, world, async (run) => {
        const bumpflow = await connectClient({ env: scriptEnv(run.taskQueue) });
        try {
          const bad = await refusal(
            bumpflow.startPromotion({ image: TAG_IMAGE, from: 'staging', to: ['PROD!'], stamp: null }),
          );
          assert.equal(bad.exitCode, ExitCode.usage);
          const { workflowId, queueId } = await bumpflow.startPromotion({
            image: TAG_IMAGE,
            from: 'staging',
            to: ['prod'],
            stamp: null,
          });
          assert.match(workflowId, /^promote\//);
          assert.equal(queueId, `image-repo/${TAG_IMAGE.registry}/${TAG_IMAGE.repository}`);
          const waiting = await statusWhen(
            bumpflow,
            workflowId,
            (st) => st.kind === 'procedure' && st.status.state === 'awaiting-approval',
          );
          assert.equal(waiting.kind === 'procedure' && waiting.status.plan?.digest, staging);
          const branches = await refusal(bumpflow.approve(workflowId, { branches: ['main'] }));
          assert.equal(branches.exitCode, ExitCode.usage);

          assert.deepEqual(await bumpflow.approve(workflowId), [
            { target: workflowId, ok: true, via: 'update' },
          ]);
          const ended = await statusWhen(
            bumpflow,
            workflowId,
            (st) => st.kind === 'procedure' && st.status.state === 'done',
          );
          assert.equal(ended.kind === 'procedure' && ended.status.approvedBy, os.userInfo().username);
          assert.equal(await world.digestOf('prod'), staging);
        } finally {
          await bumpflow.close();
        }
      });
    });
  });
});
