/**
 * Outages and crashes, on real parts: the registry process is stopped and
 * started mid-bump; a worker process is SIGKILLed after the push and before
 * the pull request. Each bounded: every wait has a deadline.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approveSignal, retrySignal, type BumpResult } from '../../src/shared/messages.js';
import { startBump } from '../../src/cli/bump/start.js';
import { startTemporal } from '../support/temporal.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { allIn, settingsFor, waitForStatus, withWorker } from '../support/bump.js';
import { listBranches } from '../../src/sandbox/gitFixtures.js';
import { repoRoot } from '../../src/sandbox/paths.js';
import { assertOneCommitAndOnePrPerBranch } from '../support/outcomes.js';

let env: TestWorkflowEnvironment;
const fastRetry = { maximumAttempts: 3, initialInterval: '200ms', maximumInterval: '500ms' };

before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

describe('registry outage', () => {
  it('blocks while planning and after approval when the outage outlasts the retries, and finishes after retry', async () => {
    const s = await createScenario({ slug: 'outage/atmosphere', branches: ['main', 'stable/2025.1'] });
    try {
      const result = await withWorker(env, s, async ({ start }) => {
        await s.registry.stop();
        const handle = await start({ service: 'magnum', retry: fastRetry });
        // The parent's planning step is blockable: it shows `blocked` with the step and the error, not a silent `planning`.
        const planning = await waitForStatus(
          handle,
          (st) => st.state === 'blocked',
          'the bump blocked while planning',
        );
        assert.equal(planning.error?.type, 'RegistryUnavailable', JSON.stringify(planning.error));
        assert.match(planning.step?.name ?? '', /read the labels of ghcr\.io\/vexxhost\/magnum/);
        assert.equal(planning.branches.length, 0, 'no branch started while planning is blocked');

        // retry while the registry is still down: `retrying`, then `blocked` again, with the retry counted.
        await handle.signal(retrySignal, {});
        const again = await waitForStatus(
          handle,
          (st) => st.state === 'blocked' && (st.step?.retries ?? 0) === 1,
          'blocked again after one retry',
        );
        assert.equal(again.error?.type, 'RegistryUnavailable');

        await s.registry.start();
        await handle.signal(retrySignal, {});
        await waitForStatus(
          handle,
          allIn('awaiting-approval', 2),
          'awaiting approval after the registry came back',
        );

        await s.registry.stop();
        await handle.signal(approveSignal, { approver: 'ops' });
        const blocked = await waitForStatus(handle, allIn('blocked', 2), 'every branch blocked');
        for (const b of blocked.branches) {
          assert.equal(b.lastError?.type, 'RegistryUnavailable', JSON.stringify(b.lastError));
          // Approved, then blocked re-checking the tag: the state names what the branch waits for, not `awaiting-approval`.
          assert.equal(b.approvedBy, 'ops');
          assert.match(b.step?.name ?? '', /resolve ghcr\.io\/vexxhost\/magnum:.* again/);
        }
        assert.equal(s.github.pulls.length, 0);
        await handle.signal(retrySignal, {});
        const retried = await waitForStatus(
          handle,
          (st) => st.branches.every((b) => b.state === 'blocked' && b.step?.retries === 1),
          'every branch blocked again after a retry',
        );
        assert.ok(retried.branches.every((b) => b.state !== 'awaiting-approval'));

        await s.registry.start();
        await handle.signal(retrySignal, {});
        return (await handle.result()) as BumpResult;
      });
      assert.deepEqual(
        result.branches.map((b) => b.outcome),
        ['pr-opened', 'pr-opened'],
      );
      await assertOneCommitAndOnePrPerBranch(s, ['main', 'stable/2025.1']);
    } finally {
      await s.close();
    }
  });
});

describe('worker crash', () => {
  it('a worker killed after the push and before the PR leaves exactly one commit and one PR per branch', async (t) => {
    const s = await createScenario({ slug: 'crash/atmosphere', branches: ['main', 'stable/2025.1'] });
    const taskQueue = `bumpflow-crash-${randomUUID()}`;
    const workers: ChildProcess[] = [];
    const startWorker = (): ChildProcess => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'worker.ts')], {
        cwd: repoRoot,
        env: { ...s.env, TEMPORAL_ADDRESS: env.address, BUMPFLOW_TASK_QUEUE: taskQueue },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      workers.push(child);
      return child;
    };
    const held: Array<() => void> = [];
    let holding = true;
    s.github.onRequest = (req) => {
      if (!holding || req.method !== 'POST' || !req.path.endsWith('/pulls')) return undefined;
      return new Promise((resolve) => held.push(() => resolve(undefined)));
    };
    try {
      const first = startWorker();
      const handle = await startBump(env.client, settingsFor(env, taskQueue), {
        service: 'magnum',
        targetRepo: s.targetUrl,
      });
      await waitForStatus(handle, allIn('awaiting-approval', 2), 'awaiting approval', 90_000);
      await handle.signal(approveSignal, {});
      const deadline = Date.now() + 60_000;
      while (held.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(held.length, 2, 'both branches pushed and asked for a PR');
      const pushed = Object.keys(await listBranches(s.git, s.slug)).filter((b) => b.startsWith('bump-'));
      assert.deepEqual(pushed.sort(), ['bump-magnum-2025.1', 'bump-magnum-main']);

      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const killedAt = Date.now();
      // The requests the dead worker made now go through: the PRs exist, but nobody saw the answer.
      holding = false;
      for (const release of held) release();
      startWorker();
      const result = (await handle.result()) as BumpResult;
      t.diagnostic(`PR creation: done ${Date.now() - killedAt} ms after the kill`);
      assert.deepEqual(
        result.branches.map((b) => b.outcome),
        ['pr-opened', 'pr-opened'],
      );
      await assertOneCommitAndOnePrPerBranch(s, ['main', 'stable/2025.1']);
    } finally {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
      await Promise.all(
        workers.map((w) =>
          w.exitCode === null && w.signalCode === null ? new Promise((r) => w.once('exit', r)) : undefined,
        ),
      );
      await s.close();
    }
  });
});
