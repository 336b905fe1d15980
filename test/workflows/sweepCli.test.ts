/**
 * `bumpflow sweep` as an operator runs it, on the sweep's real parts (the
 * Atmosphere vars files in a git bare repo, a real registry with token auth
 * behind the fault front, the dev server): what it prints fits 100 columns
 * (`--wide`: everything), evidence names a missing label, a registry blip is
 * waited out while an outage is given up after 5 attempts, and with no worker
 * on its task queue the command says so and keeps waiting.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSweepWorld, SWEEP_PREFIX, type SweepWorld } from '../../src/sandbox/sweepWorld.js';
import { repoRoot } from '../../src/sandbox/paths.js';
import { startTemporal } from '../support/temporal.js';
import { withSweepWorker } from '../support/sweep.js';
import { runWorker } from '../support/bump.js';
import { runCliWithoutConfig } from '../support/cli.js';

const SLUG = 'sweepcli/atmosphere';
const HEAT_MAIN = 'ghcr.io/vexxhost/heat:main';
const GLANCE_MAIN = '/v2/vexxhost/glance/manifests/main';

let env: TestWorkflowEnvironment;
let world: SweepWorld;

before(async () => {
  env = await startTemporal();
  world = await createSweepWorld({
    slug: SLUG,
    behind: [
      { image: 'ghcr.io/vexxhost/magnum', branch: 'stable/2025.1' },
      { image: 'ghcr.io/vexxhost/keystone', branch: 'stable/2024.1', version: '2023.2' },
      { image: 'ghcr.io/vexxhost/nova', branch: 'stable/2023.2', platform: 'linux/arm64' },
    ],
  });
});
after(async () => {
  await world?.close();
  await env?.teardown();
});

const sweepArgs = ['sweep', '--repo', '', '--image', SWEEP_PREFIX, '--report'];
const args = (...more: string[]) => [...sweepArgs.map((a) => (a === '' ? world.targetUrl : a)), ...more];

void test('prints within 100 columns (heat:main with its 22 keys, a build without a revision label), and everything with --wide', async () => {
  const heat = world.pins.pairs.find((p) => p.id === HEAT_MAIN)!;
  assert.ok(heat.pins.length >= 20, `heat:main has ${heat.pins.length} keys`);
  // heat:main moves to a build without org.opencontainers.image.revision: behind on main, with evidence
  await world.publish(HEAT_MAIN, 'unlabelled', ['revision']);
  await withSweepWorker(env, world, async (run) => {
    const cliEnv = { TEMPORAL_ADDRESS: env.address, BUMPFLOW_TASK_QUEUE: run.settings.taskQueue };
    const narrow = await runCliWithoutConfig(args(), cliEnv);
    assert.equal(narrow.code, 0, narrow.stderr);
    const lines = narrow.stdout.split('\n');
    for (const l of lines) assert.ok(l.length <= 100, `${l.length} columns: ${l}`);
    const row = lines.findIndex((l) => l.startsWith(`${HEAT_MAIN} `));
    assert.ok(row > 0, narrow.stdout);
    assert.match(lines[row]!, new RegExp(`\\b${heat.pins[0]!.key}, .*\\+\\d+ more`));
    assert.equal(lines[row + 1], '    evidence: missing label org.opencontainers.image.revision');
    assert.match(narrow.stdout, /evidence: version label 2023\.2 is not the tag 2024\.1/);
    const head = lines
      .slice(0, 2)
      .map((l) => l.trim())
      .join(' ');
    assert.ok(
      head.includes(
        '6 branches (main, stable/2025.1, stable/2024.2, stable/2024.1, stable/2023.2, stable/2023.1)',
      ),
      head,
    );
    assert.doesNotMatch(narrow.stderr, /no worker/);

    const wide = await runCliWithoutConfig(args('--wide'), cliEnv);
    assert.equal(wide.code, 0, wide.stderr);
    const heatRow = wide.stdout.split('\n').find((l) => l.startsWith(`${HEAT_MAIN} `))!;
    assert.ok(heatRow.includes(heat.pins.map((p) => p.key).join(', ')), heatRow);
    assert.match(heatRow, /missing label org\.opencontainers\.image\.revision$/);
    assert.ok(heatRow.length > 300, `the wide row is ${heatRow.length} columns`);
  });
});

void test('a registry blip (503 twice) is waited out; an outage (503 on every attempt) is given up after 5', async () => {
  await withSweepWorker(env, world, async (run) => {
    const headsOfGlanceMain = (from: number) =>
      world.front.requests
        .slice(from)
        .filter((r) => r.url.startsWith('/v2/vexxhost/glance/'))
        .map((r) => `${r.method} ${r.url} ${r.status}`);

    let from = world.front.requests.length;
    world.front.blips.set('vexxhost/glance', 2);
    const blip = (await run.sweep({ report: true, branches: ['main'] })).result;
    assert.equal(world.front.blips.get('vexxhost/glance'), 0, 'both 503s were answered');
    assert.equal(blip.counts.unavailable, 0, blip.table);
    const asked = headsOfGlanceMain(from);
    assert.deepEqual(asked.slice(0, 2), [`HEAD ${GLANCE_MAIN} 503`, `HEAD ${GLANCE_MAIN} 503`]);
    assert.equal(asked.at(-1), `HEAD ${GLANCE_MAIN} 200`, asked.join('\n'));
    assert.ok(!asked.slice(2).some((r) => r.endsWith(' 503')), asked.join('\n'));

    from = world.front.requests.length;
    world.front.failing.add('vexxhost/glance');
    let outage;
    try {
      outage = (await run.sweep({ report: true, branches: ['main'] })).result;
    } finally {
      world.front.failing.delete('vexxhost/glance');
    }
    assert.deepEqual(
      outage.unavailable.map((u) => u.id),
      ['ghcr.io/vexxhost/glance:main'],
    );
    assert.equal(outage.unavailable[0]!.failure.type, 'RegistryUnavailable');
    assert.match(outage.unavailable[0]!.failure.message, /\(given up after 5 attempts\)$/);
    assert.deepEqual(headsOfGlanceMain(from), Array<string>(5).fill(`HEAD ${GLANCE_MAIN} 503`));
    const glancePins = world.pins.pairs.find((p) => p.id === 'ghcr.io/vexxhost/glance:main')!.pins;
    assert.equal(outage.counts.unavailable, glancePins.filter((p) => p.branch === 'main').length);
  });
});

/** Resolves once `check` holds, polling; fails after `ms` (a bound, never an assertion on time). */
async function until(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

void test(
  'with no worker on its task queue, `sweep` says so, keeps waiting, and ends once a worker runs it',
  { timeout: 120_000 },
  async () => {
    const taskQueue = `sweep-no-worker-${process.pid}`;
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'bumpflow.js'), ...args('--branch', 'main')],
      {
        env: {
          ...process.env,
          BUMPFLOW_CONFIG: '',
          TEMPORAL_ADDRESS: env.address,
          BUMPFLOW_TASK_QUEUE: taskQueue,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await until(
        () => /no worker has picked up/.test(stderr) || child.exitCode !== null,
        60_000,
        () => `the notice (stderr: ${stderr})`,
      );
      assert.equal(child.exitCode, null, `still waiting (stderr: ${stderr})`);
      const notice = new RegExp(
        `no worker has picked up sweep/${SLUG} on task queue ${taskQueue} after (\\d+) s\\n` +
          `  start one where it reaches Temporal: 'npm run worker' with BUMPFLOW_TASK_QUEUE=${taskQueue}`,
      ).exec(stderr);
      assert.ok(notice, stderr);
      assert.ok(Number(notice[1]) >= 5, `said after ${notice[1]} s, not before the first few seconds`);
      assert.match(stderr, /still waiting: Ctrl-C stops the waiting only/);
      assert.equal(stdout, '', 'nothing printed but the notice');

      // a worker on that queue: the sweep runs and the command prints it and ends
      const code = await runWorker(env, world.deps, () => exited, taskQueue);
      assert.equal(code, 0, stderr);
      // said when it looked (every 2 s), or once the run ended between two looks
      assert.match(stderr, new RegExp(`a worker picked up sweep/${SLUG} (after \\d+ s|and ran it)\\n`));
      assert.match(stdout, /pins on 1 branches \(main\)/);
      for (const l of stdout.split('\n')) assert.ok(l.length <= 100, l);
    } finally {
      if (child.exitCode === null) {
        child.kill();
        await exited;
      }
    }
  },
);
