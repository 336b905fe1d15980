/**
 * A worker SIGKILLed between two tag writes of a promotion: the stamp is
 * written, the write of `prod` reaches the registry but its answer reaches
 * nobody; a second worker picks the promotion up (heartbeat timeout), finds
 * `prod` already at the digest (`unchanged`), writes `latest`, and every tag is
 * verified. Real parts: the registry behind a loopback front that holds the
 * second write, worker processes started as in production (src/worker.ts with
 * BUMPFLOW_CONFIG naming the trusted key).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  createTagWorld,
  revisionOf,
  TAG_IMAGE,
  TAG_SOURCE_SLUG,
  type TagWorld,
} from '../../src/sandbox/tagWorld.js';
import { startPagingFront, type RunningPagingFront } from '../../src/sandbox/pagingFront.js';
import { repoRoot } from '../../src/sandbox/paths.js';
import { startTemporal } from '../support/temporal.js';
import { tagRun } from '../support/tags.js';

const image = { ...TAG_IMAGE };

describe('promote: worker crash between two tag writes', () => {
  let env: TestWorkflowEnvironment;
  let world: TagWorld;
  let front: RunningPagingFront;
  const held: Array<() => void> = [];
  let holdPut: string | undefined;
  before(async () => {
    [env, world] = await Promise.all([startTemporal(), createTagWorld()]);
    front = await startPagingFront({
      upstream: world.registry.url,
      holdAnswer: (r) => {
        if (r.method !== 'PUT' || holdPut === undefined || !r.url.endsWith(`/manifests/${holdPut}`))
          return undefined;
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

  /** A worker process as in production (src/worker.ts), the registry reached through the front. */
  function spawnWorker(taskQueue: string, workers: ChildProcess[]): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'worker.ts')], {
      cwd: repoRoot,
      env: {
        ...world.env,
        BUMPFLOW_REGISTRY_MIRRORS: `${image.registry}=${front.url}`,
        // credentials by the host contacted: the front's
        BUMPFLOW_REGISTRY_AUTH: JSON.stringify({
          [front.host]: { username: 'bumpflow', password: world.secrets[0] },
        }),
        TEMPORAL_ADDRESS: env.address,
        BUMPFLOW_TASK_QUEUE: taskQueue,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers.push(child);
    return child;
  }

  it('completes with every tag verified after a second worker takes over', async (t) => {
    const staging = await world.push('staging', { revision: revisionOf('crash-1') });
    await world.push('prod', { revision: revisionOf('crash-0') });
    const run = tagRun(env, `bumpflow-crash-${process.pid}`);
    const workers: ChildProcess[] = [];
    const startWorker = (): ChildProcess => spawnWorker(run.taskQueue, workers);
    try {
      holdPut = 'prod';
      const first = startWorker();
      const id = await run.request({
        procedure: 'promote',
        input: {
          image,
          from: 'staging',
          to: ['prod', 'latest'],
          stamp: 'prod-{date}-{revision:7}',
          approval: { required: false, pattern: 'test' },
        },
      });
      const deadline = Date.now() + 90_000;
      while (held.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(held.length, 1, 'the write of prod landed; its answer is held');
      assert.equal(await world.digestOf('prod'), staging, 'prod was written before the crash');
      const midway = await run.statusWhen(id, (s) => s.state === 'writing');
      assert.deepEqual(
        midway.written.map((w) => w.outcome),
        ['created'],
        'the stamp was written first',
      );

      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      held.shift()!(); // the answer goes to a dead worker
      const killedAt = Date.now();
      startWorker();
      const result = await run.result(id);
      const tookOverMs = Date.now() - killedAt;
      t.diagnostic(`done ${tookOverMs} ms after the kill`);
      assert.equal(result.state, 'done');
      const stamp = result.plan!.stamp!;
      assert.deepEqual(
        result.written.map((w) => [w.tag, w.outcome]),
        [
          [stamp, 'created'],
          ['prod', 'unchanged'],
          ['latest', 'created'],
        ],
      );
      for (const tag of [stamp, 'prod', 'latest']) assert.equal(await world.digestOf(tag), staging, tag);
      // the heartbeat timeout (10 s) bounds the take-over, not the activity's 2-minute start-to-close
      assert.ok(tookOverMs < 60_000, `took over in ${tookOverMs} ms`);
    } finally {
      await stopWorkers(workers);
      await env.client.workflow
        .getHandle(`image-repo/${image.registry}/${image.repository}`)
        .terminate('end of test')
        .catch(() => undefined);
    }
  });

  it('a worker killed during the audit release: a second worker records exactly one release and the promotion is done', async (t) => {
    const staging = await world.push('staging', { revision: revisionOf('crash-2') });
    const run = tagRun(env, `bumpflow-crash-audit-${process.pid}`);
    const workers: ChildProcess[] = [];
    const releases: Array<() => void> = [];
    let holding = true;
    world.github.onRequest = (req) => {
      if (!holding || req.method !== 'POST' || !req.path.endsWith('/releases')) return undefined;
      return new Promise((resolve) => releases.push(() => resolve(undefined)));
    };
    try {
      const first = spawnWorker(run.taskQueue, workers);
      const id = await run.request({
        procedure: 'promote',
        input: {
          image,
          from: 'staging',
          to: ['prod'],
          stamp: 'prod-{date}-{revision:7}',
          approval: { required: false, pattern: 'test' },
        },
      });
      const deadline = Date.now() + 90_000;
      while (releases.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(releases.length, 1, 'the tags are written and the audit release was asked for');
      assert.equal(await world.digestOf('prod'), staging, 'prod was written before the crash');

      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const killedAt = Date.now();
      // the release the dead worker asked for is created; its answer reaches nobody
      holding = false;
      releases.shift()!();
      spawnWorker(run.taskQueue, workers);
      const result = await run.result(id);
      const tookOverMs = Date.now() - killedAt;
      t.diagnostic(`audit release: done ${tookOverMs} ms after the kill`);
      assert.equal(result.state, 'done');
      const stamp = result.plan!.stamp!;
      const recorded = world.github.releases(...(TAG_SOURCE_SLUG.split('/') as [string, string]));
      assert.equal(
        recorded.filter((r) => r.tag === stamp).length,
        1,
        `one audit release for ${stamp}: ${JSON.stringify(recorded.map((r) => r.tag))}`,
      );
      assert.ok(tookOverMs < 60_000, `took over in ${tookOverMs} ms`);
    } finally {
      world.github.onRequest = undefined;
      for (const release of releases) release();
      await stopWorkers(workers);
      await env.client.workflow
        .getHandle(`image-repo/${image.registry}/${image.repository}`)
        .terminate('end of test')
        .catch(() => undefined);
    }
  });
});

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
  await Promise.all(
    workers.map((w) =>
      w.exitCode === null && w.signalCode === null ? new Promise((r) => w.once('exit', r)) : undefined,
    ),
  );
}
