/**
 * A worker SIGKILLed in the middle of a retag of the real trixie manifest
 * (20 entries): the write of one target tag reaches the registry but its answer
 * reaches nobody; a second worker takes the entry over (heartbeat timeout),
 * finds the tag already at the digest, and the retag completes with every
 * entry done exactly once. Real parts: worker processes started as in
 * production (src/worker.ts), the registry behind a loopback front that holds
 * that one write, git, the dev server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startPagingFront, type RunningPagingFront } from '../../src/sandbox/pagingFront.js';
import { repoRoot } from '../../src/sandbox/paths.js';
import { startRetag } from '../../src/cli/retag/retagStart.js';
import { retagGate, retagStatusQuery, type RetagResult } from '../../src/shared/messages.js';
import { settingsFor } from '../support/bump.js';
import { startTemporal } from '../support/temporal.js';
import { createRetagWorld, MANIFESTS, MIRROR, type RetagWorld } from '../support/retagWorld.js';

describe('retag: worker crash in the middle of the writes', () => {
  let env: TestWorkflowEnvironment;
  let world: RetagWorld;
  let front: RunningPagingFront;
  const held: Array<() => void> = [];
  let holdPut: string | undefined;
  before(async () => {
    [env, world] = await Promise.all([startTemporal(), createRetagWorld()]);
    front = await startPagingFront({
      upstream: world.tags.registry.url,
      holdAnswer: (r) => {
        if (r.method !== 'PUT' || holdPut === undefined || !r.url.endsWith(holdPut)) return undefined;
        holdPut = undefined;
        return new Promise<void>((resolve) => held.push(resolve));
      },
    });
  });
  after(async () => {
    await front?.close();
    await world?.close();
    await env?.teardown();
  });

  it('completes with every entry done exactly once', { timeout: 240_000 }, async (t) => {
    const entries = world.entries('trixie');
    assert.equal(
      entries.length,
      20,
      'the real manifest: 20 entries (the commented-out template is no entry)',
    );
    const sources = new Map<string, string>();
    for (const e of entries)
      sources.set(`${e.repository}:${e.srcBuildTag}`, await world.push(e.repository, e.srcBuildTag));
    const crashed = entries[4]!;
    const taskQueue = `bumpflow-retag-crash-${process.pid}`;
    const workers: ChildProcess[] = [];
    const startWorker = (): ChildProcess => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'worker.ts')], {
        cwd: repoRoot,
        env: {
          ...world.env,
          BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${front.url}`,
          // credentials by the host contacted: the front's
          BUMPFLOW_REGISTRY_AUTH: JSON.stringify({
            [front.host]: { username: 'bumpflow', password: world.tags.secrets[0] },
          }),
          TEMPORAL_ADDRESS: env.address,
          BUMPFLOW_TASK_QUEUE: taskQueue,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      workers.push(child);
      return child;
    };
    try {
      const first = startWorker();
      const { workflowId: id } = await startRetag(env.client, settingsFor(env, taskQueue), world.env, {
        repoUrl: world.repoUrl,
        path: MANIFESTS.trixie.path,
        ref: 'main',
        mirror: MIRROR,
      });
      const handle = env.client.workflow.getHandle(id);
      const deadline = Date.now() + 120_000;
      for (;;) {
        const s = await handle.query(retagStatusQuery).catch(() => undefined);
        if (s?.state === 'awaiting-approval') break;
        assert.ok(Date.now() < deadline, `awaiting approval in time (last: ${s?.state})`);
        await new Promise((r) => setTimeout(r, 250));
      }
      holdPut = `/${crashed.repository}/manifests/${crashed.tag}`;
      await handle.executeUpdate(retagGate.approveUpdate, { args: [{ approver: 'test' }] });
      while (held.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(held.length, 1, 'the write of the held entry landed; its answer is held');
      const target = `${crashed.repository}:${crashed.srcBuildTag}`;
      assert.equal(await world.digestOf(crashed.repository, crashed.tag), sources.get(target));

      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      held.shift()!(); // the answer goes to a dead worker
      const killedAt = Date.now();
      startWorker();
      const result = (await handle.result()) as RetagResult;
      t.diagnostic(`done ${Date.now() - killedAt} ms after the kill`);
      assert.equal(result.state, 'done');
      assert.deepEqual(
        result.entries.map((e) => e.index),
        entries.map((e) => e.index),
        'one outcome per entry, in manifest order',
      );
      assert.ok(
        result.entries.every((e) => e.outcome === 'copied'),
        JSON.stringify(result.entries),
      );
      const ids = result.entries.map((e) => e.workflowId);
      assert.equal(new Set(ids).size, entries.length, 'one child per entry');
      assert.equal(
        result.entries[crashed.index]?.write,
        'unchanged',
        'the retried write found its tag written',
      );
      // writes in flight on the killed worker were retried by the second, which found them written
      const writes = result.entries.map((e) => e.write);
      t.diagnostic(`writes: ${writes.join(' ')}`);
      assert.ok(
        writes.every((w) => w === 'created' || w === 'unchanged'),
        writes.join(' '),
      );
      for (const e of entries)
        assert.equal(
          await world.digestOf(e.repository, e.tag),
          sources.get(`${e.repository}:${e.srcBuildTag}`),
        );
      // each child ran once: no second run of any entry's workflow
      for (const childId of ids) {
        let runs = 0;
        for await (const _ of env.client.workflow.list({ query: `WorkflowId = '${childId}'` })) runs += 1;
        assert.ok(runs <= 1, `${childId} ran ${runs} times`);
      }
    } finally {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
      await Promise.all(
        workers.map((w) =>
          w.exitCode === null && w.signalCode === null ? new Promise((r) => w.once('exit', r)) : undefined,
        ),
      );
    }
  });
});
