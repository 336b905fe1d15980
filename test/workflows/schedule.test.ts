/**
 * Sweeps and catalog updates on Temporal Schedules, through the CLI, on the dev server: create
 * (the words after -- parsed by the sweep command's parser), list, trigger (a
 * sweep runs to its end on the worker), pause, unpause, delete; an unknown
 * name is exit 2 as other "not found"s.
 */
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSweepWorld, type SweepWorld } from '../../src/sandbox/sweepWorld.js';
import type { SweepResult } from '../../src/workflows/sweep/sweepInput.js';
import { runCli, type Ran } from '../support/cli.js';
import { startTemporal } from '../support/temporal.js';
import { withSweepWorker } from '../support/sweep.js';
import { createCatalogWorld, withCatalogWorker } from '../support/catalog.js';

let env: TestWorkflowEnvironment;
let world: SweepWorld;
let dir: string;

before(async () => {
  env = await startTemporal();
  world = await createSweepWorld({
    slug: 'scheduletest/atmosphere',
    branches: ['main', 'stable/2025.1'],
    behind: [{ image: 'ghcr.io/vexxhost/magnum', branch: 'stable/2025.1' }],
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-schedule-'));
  await writeFile(path.join(dir, 'bumpflow.yaml'), `targets:\n  atmosphere:\n    repo: ${world.targetUrl}\n`);
});
after(async () => {
  await world?.close();
  await env?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function bumpflow(args: string[], taskQueue: string): Promise<Ran> {
  return runCli(args, {
    ...process.env,
    TEMPORAL_ADDRESS: env.address,
    BUMPFLOW_TASK_QUEUE: taskQueue,
    BUMPFLOW_CONFIG: path.join(dir, 'bumpflow.yaml'),
  });
}

void test('a schedule runs the sweep command it was given; list, trigger, pause, unpause, delete', async () => {
  await withSweepWorker(env, world, async (run) => {
    const q = run.settings.taskQueue;
    const created = await bumpflow(
      [
        'schedule',
        'create',
        'sweep-atmosphere',
        '--every',
        '6h',
        '--json',
        '--',
        'sweep',
        '--target',
        'atmosphere',
        '--report',
        '--image',
        'ghcr.io/vexxhost/',
      ],
      q,
    );
    assert.equal(created.code, 0, created.stderr);
    const made = JSON.parse(created.stdout) as {
      scheduleId: string;
      input: { targetRepo: string; report: boolean };
    };
    assert.equal(made.scheduleId, 'bumpflow/sweep-atmosphere');
    assert.deepEqual(made.input, {
      targetRepo: world.targetUrl,
      varsFile: 'roles/defaults/vars/main.yml',
      report: true,
      imagePrefixes: ['ghcr.io/vexxhost/'],
    });
    const again = await bumpflow(
      ['schedule', 'create', 'sweep-atmosphere', '--every', '6h', '--', 'sweep', '--target', 'atmosphere'],
      q,
    );
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    const bad = await bumpflow(
      ['schedule', 'create', 'other', '--every', '6h', '--', 'sweep', '--target', 'nowhere'],
      q,
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /known: atmosphere/);

    const triggered = await bumpflow(['schedule', 'trigger', 'sweep-atmosphere'], q);
    assert.equal(triggered.code, 0, triggered.stderr);
    const handle = env.client.schedule.getHandle('bumpflow/sweep-atmosphere');
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && workflowId === undefined; i += 1) {
      workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (workflowId === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(workflowId?.startsWith('sweep/scheduletest/atmosphere/sweep-atmosphere'), workflowId);
    const result = (await env.client.workflow.getHandle(workflowId!).result()) as SweepResult;
    assert.deepEqual(
      [...new Set(result.behind.map((p) => `${p.image} ${p.branch}`))],
      ['ghcr.io/vexxhost/magnum stable/2025.1'],
    );
    assert.equal(result.report, true);

    const listed = await bumpflow(['schedule', 'list', '--json'], q);
    const rows = JSON.parse(listed.stdout) as { name: string; every: string[]; paused: boolean }[];
    assert.deepEqual(
      rows.map((r) => [r.name, r.every, r.paused]),
      [['sweep-atmosphere', ['6h'], false]],
    );
    assert.equal((await bumpflow(['schedule', 'pause', 'sweep-atmosphere'], q)).code, 0);
    assert.equal((await handle.describe()).state.paused, true);
    assert.equal((await bumpflow(['schedule', 'unpause', 'sweep-atmosphere'], q)).code, 0);
    assert.equal((await handle.describe()).state.paused, false);
    assert.equal((await bumpflow(['schedule', 'delete', 'sweep-atmosphere'], q)).code, 0);
    const gone = await bumpflow(['schedule', 'trigger', 'sweep-atmosphere'], q);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /no bumpflow schedule named sweep-atmosphere/);
  });
});

/** A run of the schedule (workflow id and run id) other than `after`, once it has one. */
async function runOf(scheduleName: string, after?: string): Promise<{ workflowId: string; runId: string }> {
  const handle = env.client.schedule.getHandle(`bumpflow/${scheduleName}`);
  for (let i = 0; i < 100; i += 1) {
    const runs = (await handle.describe()).info.recentActions.map((x) => x.action.workflow);
    const run = runs.find((x) => x.firstExecutionRunId !== after);
    if (run !== undefined) return { workflowId: run.workflowId, runId: run.firstExecutionRunId };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`expected a run of the schedule ${scheduleName} within 20 s, found none`);
}

void test('a schedule runs the catalog command it was given: nothing new is a no-op without approval, a new build waits for one', async () => {
  const catalogWorld = await createCatalogWorld('scheduletest/openstack-image-manager');
  try {
    await withCatalogWorker(env, catalogWorld, async (run) => {
      const q = run.taskQueue;
      const words = ['catalog', '--repo', catalogWorld.repoUrl, '--path', catalogWorld.path, '--no-mirror'];
      const created = await bumpflow(
        ['schedule', 'create', 'images', '--every', '1d', '--json', '--', ...words],
        q,
      );
      assert.equal(created.code, 0, created.stderr);
      const made = JSON.parse(created.stdout) as { scheduleId: string; input: Record<string, unknown> };
      assert.equal(made.scheduleId, 'bumpflow/images');
      assert.deepEqual(
        [made.input.repoUrl, made.input.path, made.input.mirror],
        [catalogWorld.repoUrl, catalogWorld.path, false],
      );

      assert.equal((await bumpflow(['schedule', 'trigger', 'images'], q)).code, 0);
      const first = await runOf('images');
      assert.ok(
        first.workflowId.startsWith(
          `catalog/scheduletest/openstack-image-manager/${catalogWorld.path}/images`,
        ),
        first.workflowId,
      );
      const quiet = await run.result(env.client.workflow.getHandle(first.workflowId, first.runId));
      assert.equal(quiet.state, 'no-op', 'nothing new: ended without waiting for anyone');
      assert.equal(quiet.approvedBy, undefined);
      assert.deepEqual(catalogWorld.commitsOn('main'), []);

      // SKIP: the schedule must have seen its run end before a trigger starts another
      const schedule = env.client.schedule.getHandle('bumpflow/images');
      for (let i = 0; i < 100 && (await schedule.describe()).info.runningActions.length > 0; i += 1)
        await new Promise((r) => setTimeout(r, 200));
      catalogWorld.mirror.publish('Ubuntu 24.04', '20260301');
      assert.equal((await bumpflow(['schedule', 'trigger', 'images'], q)).code, 0);
      const second = await runOf('images', first.runId);
      const h = env.client.workflow.getHandle(second.workflowId, second.runId);
      const waiting = await run.statusWhen(h, (s) => s.state === 'awaiting-approval', 'awaiting approval');
      assert.deepEqual(
        waiting.images.filter((r) => r.change === 'update').map((r) => [r.image, r.new?.version]),
        [['Ubuntu 24.04', '20260301']],
      );
      await h.terminate('end of test');
      assert.equal((await bumpflow(['schedule', 'delete', 'images'], q)).code, 0);
    });
  } finally {
    await catalogWorld.close();
  }
});
