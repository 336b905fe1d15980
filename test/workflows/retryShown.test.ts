/**
 * Issue 20 item 8: `retry` to a bump whose branch is blocked shows the branch
 * `retrying` in the bump's status at once (the README's promise), not
 * `blocked` until the branch reports back; it runs the step again and, the
 * registry still down, blocks again with the retry counted.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approveSignal, retrySignal, statusQuery, type BumpStatus } from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { allIn, waitForStatus, withWorker } from '../support/bump.js';

let env: TestWorkflowEnvironment;
const fastRetry = { maximumAttempts: 3, initialInterval: '200ms', maximumInterval: '500ms' };

before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

it('a retry shows the blocked branch retrying at once, until it blocks again', async () => {
  const s = await createScenario({ slug: 'retry-shown/atmosphere', branches: ['main'] });
  try {
    await withWorker(env, s, async ({ start }) => {
      const handle = await start({ service: 'magnum', retry: fastRetry });
      await waitForStatus(handle, allIn('awaiting-approval', 1), 'awaiting approval');
      await s.registry.stop();
      await handle.signal(approveSignal, { approver: 'ops' });
      await waitForStatus(handle, allIn('blocked', 1), 'the branch blocked');

      await handle.signal(retrySignal, {});
      const now = await handle.query<BumpStatus>(statusQuery);
      assert.deepEqual(
        now.branches.map((b) => b.state),
        ['retrying'],
        'the status says retrying as soon as the retry is taken',
      );
      const again = await waitForStatus(
        handle,
        (st) => st.branches.every((b) => b.state === 'blocked' && b.step?.retries === 1),
        'blocked again after the retry',
      );
      assert.equal(again.branches[0]!.lastError?.type, 'RegistryUnavailable');
      await s.registry.start();
      await handle.signal(retrySignal, {});
      await handle.result();
    });
  } finally {
    await s.close();
  }
});
