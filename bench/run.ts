/**
 * `npm run bench`: bumpflow's bump, as the operator runs it, against the same
 * procedure scripted by hand, sequential and as 8 parallel pipelines, on the
 * same sandbox, interleaved, with the world moving before every run. Writes
 * <out>/<timestamp>.json and .md and prints the Markdown. See bench/README.md.
 *
 *   npm run bench -- [--branches 1,8] [--rounds 5] [--rtt 0ms,50ms] [--approval signal|policy]
 *                    [--approve-with update|cli] [--build] [--out bench/results] [--quick]
 *   npm run bench -- --demo [--rounds 3]    (the demo, timed from the command's start: bench/demo.ts)
 *   npm run bench -- --sweep [--rounds 3] [--rtt 50ms]   (the sweep case: bench/sweep.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../src/sandbox/paths.js';
import { assertNoTaskFailures } from '../test/support/temporal.js';
import { childWith, machineInfo } from './cpu.js';
import { runDemo } from './demo.js';
import { parseMs, round } from './measure.js';
import {
  describeRunner,
  onCleanup,
  removeAtExit,
  runnerFor,
  startBenchTemporal,
  stopAll,
} from './processes.js';
import { markdownReport } from './report.js';
import { buildSnapshot } from './snapshot.js';
import { benchSweep } from './sweep.js';
import { benchMirror } from './mirror.js';
import { parseByteSize } from '../src/lib/kit/byteSize.js';
import type { BenchResult, BlockResult } from './types.js';
import { benchBlock } from './block.js';
import { createBenchWorld } from './world.js';

const { values } = parseArgs({
  options: {
    branches: { type: 'string', default: '1,8' },
    rounds: { type: 'string', default: '5' },
    rtt: { type: 'string', default: '0ms,50ms' },
    approval: { type: 'string', default: 'signal' },
    'approve-with': { type: 'string', default: 'update' },
    build: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join('bench', 'results') },
    quick: { type: 'boolean', default: false },
    sweep: { type: 'boolean', default: false },
    mirror: { type: 'boolean', default: false },
    size: { type: 'string', default: '1GiB' },
    demo: { type: 'boolean', default: false },
    compare: { type: 'string' },
    node: { type: 'string' },
  },
});
const counts = values.branches!.split(',').map(Number);
const rounds = values.quick ? 1 : Number(values.rounds);
const rtts = values.rtt!.split(',').map(parseMs);
const approval = values.approval as 'signal' | 'policy';
const approveWith = values['approve-with'] as 'update' | 'cli';
if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 12) || !Number.isInteger(rounds) || rounds < 1)
  throw new Error(
    `bench: expected --branches like 1,8 (1–12) and --rounds ≥ 1, found ${values.branches} and ${values.rounds}`,
  );
if (!['signal', 'policy'].includes(approval) || !['update', 'cli'].includes(approveWith))
  throw new Error(
    `bench: expected --approval signal|policy and --approve-with update|cli, found ${approval} and ${approveWith}`,
  );

/** `--node 24`: the Node 24 scripts/install-node24.sh caches (what the image ships); a path; else this one. */
function nodeFor(option: string | undefined): string {
  if (option === undefined) return process.execPath;
  if (option !== '24') return option;
  return execFileSync('bash', [path.join(repoRoot, 'scripts', 'install-node24.sh')], {
    encoding: 'utf8',
  }).trim();
}

/** `--size 1GiB` → bytes. */
function sizeOption(text: string): number {
  const bytes = parseByteSize(text);
  if (bytes === undefined)
    throw new Error(`bench: expected --size like 256MiB or 1GiB, found ${JSON.stringify(text)}`);
  return bytes;
}

async function benchBumps(parent: string, result: BenchResult): Promise<void> {
  const log = (l: string): void => console.error(l);
  const node = nodeFor(values.node);
  const root = values.build ? (await buildSnapshot(parent, log)).root : repoRoot;
  const runner = runnerFor(root, node);
  // --compare <ref>: bumpflow as that commit builds it, run in the same rounds (always built)
  const ref = values.compare;
  const baseline =
    ref === undefined ? undefined : runnerFor((await buildSnapshot(parent, log, ref)).root, node);
  if (ref !== undefined && !baseline?.built)
    throw new Error(`bench: expected the build of ${ref} to be current in its snapshot, found it is not`);
  if (ref !== undefined)
    result.baseline = {
      ref,
      commit: execFileSync('git', ['-C', repoRoot, 'rev-parse', ref], { encoding: 'utf8' }).trim(),
    };
  result.runner = {
    ...describeRunner(runner),
    root: values.build ? 'a built snapshot of the worktree' : '.',
    node: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
  };
  console.error(`bench: worker ${result.runner.worker}; CLI ${result.runner.cli}`);
  const temporal = await startBenchTemporal();
  const temporalPid = childWith(process.pid, 'start-dev');
  const configFile = path.join(parent, 'bumpflow.config.yaml');
  // --approval policy: every branch goes without a human, as a config file says it
  await writeFile(configFile, "approval:\n  branches:\n    - pattern: '**'\n      required: false\n");
  for (const n of counts) {
    const stateDir = await mkdtemp(path.join(parent, `n${n}-`));
    const tBuild = performance.now();
    const world = await createBenchWorld({ n, stateDir });
    const closeWorld = onCleanup(() => world.close());
    result.buildMs[String(n)] = round(performance.now() - tBuild, 0);
    const registryPid = childWith(process.pid, world.scenario.registry.dataDir ?? 'docker-registry');
    for (const rttMs of rtts) {
      const block: BlockResult = await benchBlock({
        client: temporal.client,
        temporalAddress: temporal.address,
        temporalPid,
        registryPid,
        world,
        n,
        rttMs,
        rounds,
        runner,
        baseline,
        approval,
        approveWith,
        configFile,
        stateDir,
      });
      result.blocks.push(block);
    }
    closeWorld();
    await world.close();
  }
  // no workflow task of any bump failed (a nondeterminism error, a handler that threw)
  await assertNoTaskFailures(temporal.client).catch((err: unknown) => {
    result.taskFailures = err instanceof Error ? err.message : String(err);
  });
}

async function main(): Promise<void> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-bench-'));
  onCleanup(() => rm(parent, { recursive: true, force: true }));
  removeAtExit(parent);
  const started = new Date();
  const machine = machineInfo();
  const result: BenchResult = {
    startedAt: started.toISOString(),
    durationS: 0,
    machine: { ...machine, loadBefore: machine.load, loadAfter: [] },
    options: { branches: counts, warmRounds: rounds, rttMs: rtts, approval, approveWith },
    runner: { worker: '–', cli: '–', root: '.' },
    buildMs: {},
    blocks: [],
  };
  if (values.demo) result.demo = await runDemo({ parent, rounds, log: (l) => console.error(l) });
  else if (values.mirror) {
    const temporal = await startBenchTemporal();
    const node = nodeFor(values.node);
    const root = values.build ? (await buildSnapshot(parent, (l) => console.error(l))).root : repoRoot;
    const runner = runnerFor(root, node);
    result.runner = {
      ...describeRunner(runner),
      root: values.build ? 'a built snapshot of the worktree' : '.',
    };
    result.mirror = await benchMirror({
      client: temporal.client,
      address: temporal.address,
      runner,
      sizeBytes: sizeOption(values.size!),
      log: (line) => console.error(line),
    });
  } else if (values.sweep) {
    const temporal = await startBenchTemporal();
    result.sweep = await benchSweep({
      env: temporal,
      rounds,
      rttMs: rtts[0] ?? 0,
      stateDir: await mkdtemp(path.join(parent, 'sweep-')),
      log: (line) => console.error(line),
    });
  } else await benchBumps(parent, result);
  result.durationS = round((Date.now() - started.getTime()) / 1000, 0);
  result.machine.loadAfter = machineInfo().load;
  const markdown = markdownReport(result);
  const outDir = path.resolve(repoRoot, values.out!);
  await mkdir(outDir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  await writeFile(path.join(outDir, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(path.join(outDir, `${stamp}.md`), markdown);
  console.log(markdown);
  console.error(`bench: wrote ${path.join(outDir, stamp)}.json and .md`);
  const failed =
    result.blocks.some((b) => b.runs.some((r) => r.problems.length > 0)) ||
    result.taskFailures !== undefined ||
    (result.sweep?.runs.some((r) => r.problems.length > 0) ?? false) ||
    (result.mirror?.problems.length ?? 0) > 0 ||
    (result.demo?.runs.some((r) => r.problems.length > 0) ?? false);
  await stopAll(failed ? 1 : 0);
}

main().catch(async (err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await stopAll(1);
});
