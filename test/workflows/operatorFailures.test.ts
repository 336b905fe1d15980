/**
 * Failures an operator can act on, on real parts: a repository that does not
 * exist is a typed failure; an unreachable git host shows `blocked` with the
 * error (never a silent `planning`); a wrong forge token is found while
 * planning, before anything is pushed; a token that loses its rights by PR
 * time leaves the branch `blocked` until the environment is fixed and `retry`
 * opens the PR.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  approveSignal,
  rejectSignal,
  retrySignal,
  TagWorkflowType,
  WorkflowType,
  type BumpResult,
} from '../../src/shared/messages.js';
import { runCliWithoutConfig } from '../support/cli.js';
import { startBump } from '../../src/cli/bump/start.js';
import { createForge } from '../../src/clients/forge/index.js';
import { startTemporal } from '../support/temporal.js';
import { createScenario, type Scenario } from '../../src/sandbox/scenario.js';
import { allIn, waitForStatus, withWorker } from '../support/bump.js';
import { listBranches } from '../../src/sandbox/gitFixtures.js';
import { freePort } from '../../src/sandbox/registry.js';
import { assertOneCommitAndOnePrPerBranch } from '../support/outcomes.js';

let env: TestWorkflowEnvironment;
const fastRetry = { maximumAttempts: 2, initialInterval: '200ms', maximumInterval: '500ms' };

before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

async function failureOf(handle: WorkflowHandle): Promise<{ type: string | undefined; message: string }> {
  const err = await handle.result().then(
    () => assert.fail('expected the bump to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, String(err));
  const cause = err.cause as { type?: string; message: string };
  return { type: cause.type, message: cause.message };
}

async function workBranches(s: Scenario): Promise<string[]> {
  return Object.keys(await listBranches(s.git, s.slug)).filter((b) => b.startsWith('bump-'));
}

describe('failures an operator can act on', () => {
  it('a repository that does not exist fails at once, typed RepoNotFound', async () => {
    const s = await createScenario({ slug: 'opf1/atmosphere', branches: ['main'] });
    try {
      const failure = await withWorker(env, s, async ({ settings }) => {
        const handle = await startBump(env.client, settings, {
          service: 'magnum',
          targetRepo: 'https://github.com/nope/nope',
          retry: fastRetry,
        });
        return failureOf(handle);
      });
      assert.equal(failure.type, 'RepoNotFound', failure.message);
      assert.match(failure.message, /nope\/nope/);
    } finally {
      await s.close();
    }
  });

  it('an unreachable git host shows `blocked` with the error, and a rejection ends the bump', async () => {
    const s = await createScenario({ slug: 'opf2/atmosphere', branches: ['main'] });
    const closed = await freePort();
    try {
      const failure = await withWorker(env, s, async ({ settings }) => {
        const handle = await startBump(env.client, settings, {
          service: 'magnum',
          targetRepo: `https://127.0.0.1:${closed}/o/atmosphere`,
          retry: fastRetry,
        });
        const blocked = await waitForStatus(
          handle,
          (st) => st.state === 'blocked',
          'the bump blocked while planning',
        );
        assert.equal(blocked.error?.type, 'GitUnavailable', JSON.stringify(blocked.error));
        // the branch list and main's pins are read side by side: either names the unreachable host's step
        assert.match(blocked.step?.name ?? '', /list the branches|read the magnum pins on main/);
        await handle.signal(rejectSignal, { reason: 'wrong URL' });
        return failureOf(handle);
      });
      assert.equal(failure.type, 'Rejected');
      assert.match(failure.message, /wrong URL/);
    } finally {
      await s.close();
    }
  });

  it('a host that does not resolve shows `blocked` at once (HostNotFound, no retries spent), and retry asks again', async () => {
    const s = await createScenario({ slug: 'opf5/atmosphere', branches: ['main'] });
    try {
      const failure = await withWorker(env, s, async ({ settings }) => {
        // the default retry policy: 8 attempts over ~90 s would pass before an outage blocks
        const handle = await startBump(env.client, settings, {
          service: 'magnum',
          targetRepo: 'https://nonexistent.invalid/x/y',
        });
        const blocked = await waitForStatus(
          handle,
          (st) => st.state === 'blocked',
          'the bump blocked while planning',
          20_000,
        );
        assert.equal(blocked.error?.type, 'HostNotFound', JSON.stringify(blocked.error));
        assert.match(blocked.error?.message ?? '', /nonexistent\.invalid/);
        assert.equal(blocked.step?.retries, 0);
        await handle.signal(retrySignal, {});
        const again = await waitForStatus(
          handle,
          (st) => st.state === 'blocked' && st.step?.retries === 1,
          'blocked again after one retry',
          20_000,
        );
        assert.equal(again.error?.type, 'HostNotFound');
        await handle.signal(rejectSignal, { reason: 'typo in the URL' });
        return failureOf(handle);
      });
      assert.equal(failure.type, 'Rejected');
    } finally {
      await s.close();
    }
  });

  it('a wrong forge token is found while planning, before anything is pushed', async () => {
    const s = await createScenario({ slug: 'opf3/atmosphere', branches: ['main', 'stable/2025.1'] });
    const wrongToken = {
      ...s,
      deps: { ...s.deps, forge: createForge({ baseUrl: s.github.url, token: 'not-the-token' }) },
    };
    try {
      const failure = await withWorker(env, wrongToken, async ({ start }) =>
        failureOf(await start({ service: 'magnum', retry: fastRetry })),
      );
      assert.equal(failure.type, 'AuthRefused', failure.message);
      assert.deepEqual(await workBranches(s), [], 'nothing pushed');
      assert.equal(s.github.pulls.length, 0);
      assert.ok(!failure.message.includes('not-the-token'), 'the token is never shown');
    } finally {
      await s.close();
    }
  });

  it('a token that cannot open the PR leaves the branch blocked; after the fix, retry opens it', async () => {
    const s = await createScenario({ slug: 'opf4/atmosphere', branches: ['main'] });
    try {
      const result = await withWorker(env, s, async ({ start }) => {
        const handle = await start({ service: 'magnum', retry: fastRetry });
        await waitForStatus(handle, allIn('awaiting-approval', 1), 'awaiting approval');
        s.github.setRepository('opf4', 'atmosphere', { role: 'read' }); // the token lost its write access meanwhile
        await handle.signal(approveSignal, { approver: 'ops' });
        const blocked = await waitForStatus(handle, allIn('blocked', 1), 'the branch blocked opening its PR');
        const b = blocked.branches[0]!;
        assert.equal(b.lastError?.type, 'AuthRefused', JSON.stringify(b.lastError));
        assert.match(b.step?.name ?? '', /open or find the PR/);
        assert.ok(b.commitSha, 'the branch was pushed before the PR step');
        assert.equal(s.github.pulls.length, 0);

        s.github.setRepository('opf4', 'atmosphere', { role: 'write' }); // the operator fixed the token
        await handle.signal(retrySignal, {});
        return (await handle.result()) as BumpResult;
      });
      assert.deepEqual(
        result.branches.map((b) => b.outcome),
        ['pr-opened'],
      );
      await assertOneCommitAndOnePrPerBranch(s, ['main']);
    } finally {
      await s.close();
    }
  });
});

describe('the status of a workflow refused at its input is readable (issue 20 item 7)', () => {
  it('a bump, a promotion and a retag started with bad input: `status` shows the typed refusal', async () => {
    const s = await createScenario({ slug: 'opf6/atmosphere', branches: ['main'] });
    try {
      await withWorker(env, s, async ({ settings, taskQueue }) => {
        const cliEnv = { TEMPORAL_ADDRESS: settings.address, BUMPFLOW_TASK_QUEUE: taskQueue };
        const started = [
          {
            id: 'bump/opf6/atmosphere/magnum',
            type: WorkflowType.bumpImage,
            input: { service: 'magnum', targetRepo: 42 },
          },
          {
            id: 'promote/ghcr.io/opf6/magnum/20260301T142501Z-3f9a',
            type: TagWorkflowType.promote,
            input: { tag: '' },
          },
          { id: 'retag/opf6/manifest.yaml@0123456789ab', type: TagWorkflowType.retagManifest, input: [] },
        ];
        for (const w of started) {
          const handle = await env.client.workflow.start(w.type, {
            taskQueue,
            workflowId: w.id,
            args: [w.input],
          });
          const failure = await failureOf(handle);
          assert.equal(failure.type, 'BadInput', failure.message);
        }
        const bump = await runCliWithoutConfig(['status', started[0]!.id, '--json'], cliEnv);
        assert.equal(bump.stderr, '');
        const status = JSON.parse(bump.stdout) as {
          state: string;
          service: string;
          error?: { type: string };
        };
        assert.deepEqual(
          [status.state, status.service, status.error?.type],
          ['failed', 'magnum', 'BadInput'],
        );
        for (const w of started.slice(1)) {
          const r = await runCliWithoutConfig(['status', w.id], cliEnv);
          assert.equal(r.code, 1, r.stderr);
          assert.match(
            r.stderr,
            new RegExp(
              `${w.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ended \\(failed\\) before it could answer its status: BadInput: `,
            ),
          );
          assert.doesNotMatch(r.stderr, /did not register a handler/);
        }
      });
    } finally {
      await s.close();
    }
  });
});
