/**
 * `npm run bench:startup`: how long a worker takes from its start to polling
 * its task queue, and its idle RSS, run each way it can run:
 *   - tsx, bundling the workflows at start (a plain clone, BUMPFLOW_WORKFLOW_BUNDLE=off)
 *   - tsx with the prebuilt workflow bundle (after `npm run build`)
 *   - built: `node dist/worker.js` (what the image runs), on Node 20 and on Node 24 when
 *     scripts/install-node24.sh has cached it
 * Rounds interleave the modes; medians and min–max. Needs a current `npm run build`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { repoRoot } from '../src/sandbox/paths.js';
import { buildIsCurrent } from '../src/workflowBundle.js';
import { startTemporal } from '../test/support/temporal.js';
import { memoryOf, round, summarize } from './measure.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
if (!buildIsCurrent()) throw new Error('bench:startup: expected a current build; run `npm run build` first');

function node24(): string | undefined {
  try {
    return execFileSync('bash', [path.join(repoRoot, 'scripts', 'install-node24.sh')], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}
const n24 = node24();
const modes = [
  {
    name: 'tsx, bundling at start',
    node: process.execPath,
    args: ['--import', 'tsx', 'src/worker.ts'],
    env: { BUMPFLOW_WORKFLOW_BUNDLE: 'off' },
  },
  {
    name: 'tsx, prebuilt bundle',
    node: process.execPath,
    args: ['--import', 'tsx', 'src/worker.ts'],
    env: {},
  },
  {
    name: `built (node dist/worker.js), Node ${process.versions.node}`,
    node: process.execPath,
    args: ['dist/worker.js'],
    env: {},
  },
  ...(n24 === undefined || !existsSync(n24)
    ? []
    : [
        {
          name: `built (node dist/worker.js), Node ${execFileSync(n24, ['--version'], { encoding: 'utf8' }).trim().slice(1)}`,
          node: n24,
          args: ['dist/worker.js'],
          env: {},
        },
      ]),
];

async function polling(client: Client, taskQueue: string): Promise<boolean> {
  const d = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: 1,
  });
  return (d.pollers ?? []).length > 0;
}

const temporal = await startTemporal();
const work = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-startup-'));
const results = new Map<string, { startMs: number[]; rssMiB: number[] }>(
  modes.map((m) => [m.name, { startMs: [], rssMiB: [] }]),
);
try {
  for (let r = 0; r < rounds; r += 1) {
    for (const mode of modes) {
      const taskQueue = `startup-${r}-${results.get(mode.name)!.startMs.length}-${Math.random().toString(16).slice(2)}`;
      const t0 = Date.now();
      const child = spawn(mode.node, mode.args, {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TEMPORAL_ADDRESS: temporal.address,
          BUMPFLOW_TASK_QUEUE: taskQueue,
          BUMPFLOW_WORK_DIR: path.join(work, taskQueue),
          BUMPFLOW_METRICS_ADDRESS: 'off',
          BUMPFLOW_LOG_LEVEL: 'ERROR',
          ...mode.env,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      try {
        while (!(await polling(temporal.client, taskQueue))) {
          if (child.exitCode !== null)
            throw new Error(`bench:startup: ${mode.name} exited ${child.exitCode}`);
          if (Date.now() - t0 > 120_000)
            throw new Error(`bench:startup: ${mode.name} not polling after 120 s`);
          await sleep(50);
        }
        const startMs = Date.now() - t0;
        await sleep(2_000);
        const { rssMiB } = await memoryOf(child.pid!);
        results.get(mode.name)!.startMs.push(startMs);
        results.get(mode.name)!.rssMiB.push(rssMiB);
      } finally {
        child.kill('SIGTERM');
        await new Promise((res) => (child.exitCode !== null ? res(undefined) : child.once('exit', res)));
      }
    }
  }
} finally {
  await temporal.teardown();
  await rm(work, { recursive: true, force: true });
}
const fmt = (xs: number[], f: (n: number) => string) => {
  const s = summarize(xs);
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
};
console.log(`## worker start — ${rounds} round(s), ${os.cpus().length} CPUs\n`);
console.log('| mode | start to polling (s) | idle RSS (MiB) |\n|---|---:|---:|');
for (const [name, r] of results)
  console.log(
    `| ${name} | ${fmt(r.startMs, (n) => String(round(n / 1000, 2)))} | ${fmt(r.rssMiB, (n) => String(round(n)))} |`,
  );
