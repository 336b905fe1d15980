/**
 * Temporal server restarts, on real parts: the dev server runs straight from
 * the CLI binary on a fixed port and SQLite file, is SIGKILLed and started
 * again on the same file — once while every branch waits for approval, once
 * while a branch is pushing — and the bump still ends with exactly one commit
 * and one PR per branch. The worker in this process stays up through it (its
 * connection reconnects). Every wait has a deadline.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { approveSignal, type BumpResult } from '../../src/shared/messages.js';
import type { TemporalSettings } from '../../src/config.js';
import { startBump } from '../../src/cli/bump/start.js';
import { createWorker } from '../../src/worker.js';
import { createScenario, type Scenario } from '../../src/sandbox/scenario.js';
import { listBranches } from '../../src/sandbox/gitFixtures.js';
import { allIn, waitForStatus } from '../../src/sandbox/status.js';
import {
  assertNoTaskFailures,
  installQuietRuntime,
  startDevServer,
  workflowBundle,
  type DevServer,
} from '../support/temporal.js';
import { assertOneCommitAndOnePrPerBranch, assertPrOpenedEverywhere } from '../support/outcomes.js';

const BRANCHES = ['main', 'stable/2025.1'];
let stateDir: string;
let server: DevServer | undefined;

before(async () => {
  installQuietRuntime();
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-restart-'));
  server = await startDevServer({ dbFilename: path.join(stateDir, 'temporal.db') });
});
after(async () => {
  try {
    if (server?.running) {
      const connection = await Connection.connect({ address: server.address });
      try {
        await assertNoTaskFailures(new Client({ connection }));
      } finally {
        await connection.close();
      }
    }
  } finally {
    await server?.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});

/** A worker in this process on its own NativeConnection, and a client on its own Connection, while `fn` runs. */
async function withWorkerOn<T>(
  dev: DevServer,
  s: Scenario,
  fn: (ctx: { start: () => Promise<WorkflowHandle> }) => Promise<T>,
): Promise<T> {
  const taskQueue = `bumpflow-restart-${randomUUID()}`;
  const settings: TemporalSettings = {
    address: dev.address,
    namespace: 'default',
    taskQueue,
    uiUrl: 'http://127.0.0.1:8233',
  };
  const connection = await Connection.connect({ address: dev.address });
  const nativeConnection = await NativeConnection.connect({ address: dev.address });
  try {
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: settings.namespace,
      taskQueue,
      deps: s.deps,
      workflowBundle: await workflowBundle(),
    });
    const client = new Client({ connection, namespace: settings.namespace });
    return await worker.runUntil(
      fn({
        start: () =>
          startBump(client, settings, { service: 'magnum', targetRepo: s.targetUrl, branches: BRANCHES }),
      }),
    );
  } finally {
    await nativeConnection.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
  }
}

/** `promise`, or a failure naming `what` once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILL the server and start it again on the same port and database file. */
async function restart(dev: DevServer): Promise<void> {
  await dev.kill();
  assert.equal(dev.running, false, 'the dev server is gone after SIGKILL');
  await dev.start();
}

describe('Temporal server restart', () => {
  it('a server killed while every branch awaits approval comes back with the bump waiting, and approving it opens one PR per branch', async () => {
    const s = await createScenario({ slug: 'restart-waiting/atmosphere', branches: BRANCHES });
    try {
      const result = await withWorkerOn(server!, s, async ({ start }) => {
        const handle = await start();
        await waitForStatus(
          handle,
          allIn('awaiting-approval', BRANCHES.length),
          'every branch awaiting approval',
          90_000,
        );
        await restart(server!);
        // The state came back from the database file, and the worker answers queries again.
        await waitForStatus(
          handle,
          allIn('awaiting-approval', BRANCHES.length),
          'every branch still awaiting approval after the restart',
          60_000,
        );
        assert.equal(s.github.pulls.length, 0, 'no PR before the approval');
        await handle.signal(approveSignal, { approver: 'ops' });
        return (await within(handle.result(), 90_000, 'the bump to finish after the restart')) as BumpResult;
      });
      assertPrOpenedEverywhere(result, s, BRANCHES);
      await assertOneCommitAndOnePrPerBranch(s, BRANCHES);
    } finally {
      await s.close();
    }
  });

  it('a server killed during a push comes back and the bump ends with one commit and one PR per branch', async () => {
    const s = await createScenario({ slug: 'restart-pushing/atmosphere', branches: BRANCHES });
    // The target remote holds every push for 2 s in a pre-receive hook, and notes when one starts.
    const started = path.join(stateDir, `pushes-${randomUUID()}`);
    const hooks = path.join(s.git.barePath(s.slug), 'hooks');
    await mkdir(hooks, { recursive: true });
    await writeFile(
      path.join(hooks, 'pre-receive'),
      `#!/bin/sh\ncat >/dev/null\necho started >> '${started}'\nsleep 2\n`,
    );
    await chmod(path.join(hooks, 'pre-receive'), 0o755);
    const pushesStarted = async (): Promise<number> =>
      (await readFile(started, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    try {
      const result = await withWorkerOn(server!, s, async ({ start }) => {
        const handle = await start();
        await waitForStatus(
          handle,
          allIn('awaiting-approval', BRANCHES.length),
          'every branch awaiting approval',
          90_000,
        );
        await handle.signal(approveSignal, { approver: 'ops' });
        const deadline = Date.now() + 60_000;
        while ((await pushesStarted()) === 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        assert.ok((await pushesStarted()) > 0, 'a push reached the remote within 60 s of the approval');
        await server!.kill();
        // Killed mid-push: the hook still holds the push, so no work branch has landed yet.
        const landed = Object.keys(await listBranches(s.git, s.slug)).filter((b) => b.startsWith('bump-'));
        assert.ok(
          landed.length < BRANCHES.length,
          `a push was still in progress when the server died; landed: ${landed.join(', ')}`,
        );
        await server!.start();
        return (await within(handle.result(), 120_000, 'the bump to finish after the restart')) as BumpResult;
      });
      assertPrOpenedEverywhere(result, s, BRANCHES);
      await assertOneCommitAndOnePrPerBranch(s, BRANCHES);
    } finally {
      await s.close();
    }
  });
});
