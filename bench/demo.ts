/**
 * `npm run bench -- --demo`: the demo timed from the command's start, as a
 * person runs it: `npm run demo -- --auto-approve` (on free ports, its own
 * state directory) spawned in a built snapshot of the worktree
 * (bench/snapshot.ts), timed from the spawn to its line "awaiting approval
 * after …" (every branch awaits approval) and to its exit (the bump done).
 * Two ways, interleaved:
 *   - from tsx: the sources as a plain clone runs them, bundling the workflow
 *     code at start (BUMPFLOW_WORKFLOW_BUNDLE=off: what a clone without a
 *     build does);
 *   - after npm run build: the same command, the prebuilt workflow bundle used.
 * The demo's own figure (from its main(), after npm and tsx started) is kept beside.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../src/sandbox/registry.js';
import { round } from './measure.js';
import { onCleanup } from './processes.js';
import { buildSnapshot } from './snapshot.js';

export interface DemoRun {
  variant: 'tsx' | 'built';
  /** from the spawn of `npm run demo` to its "awaiting approval" line */
  awaitingMs: number | undefined;
  /** the demo's own "awaiting approval after X s", from its main() */
  reportedMs: number | undefined;
  /** the demo's "ready at" line: its parts, side by side from its start */
  readyAt: string | undefined;
  /** from the spawn to the demo's exit (with --auto-approve: the bump done, everything stopped) */
  exitMs: number;
  problems: string[];
}

export interface DemoResult {
  /** `npm run build` in the snapshot */
  buildMs: number;
  runs: DemoRun[];
}

const TIMEOUT_MS = 240_000;

async function demoOnce(root: string, parent: string, variant: DemoRun['variant']): Promise<DemoRun> {
  const stateDir = await mkdtemp(path.join(parent, `demo-${variant}-`));
  const ports = [await freePort(), await freePort(), await freePort()].map(String);
  const args = ['run', 'demo', '--', '--auto-approve', '--state-dir', stateDir];
  args.push('--port', ports[0]!, '--ui-port', ports[1]!, '--metrics-port', ports[2]!);
  const env: NodeJS.ProcessEnv = { ...process.env, BUMPFLOW_WORKFLOW_BUNDLE: 'off' };
  if (variant === 'built') delete env.BUMPFLOW_WORKFLOW_BUNDLE;
  const t0 = performance.now();
  // its own process group: npm, sh, tsx and node are stopped together
  const child = spawn('npm', args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // gone already
    }
  };
  const forget = onCleanup(async () => {
    kill('SIGINT');
    await new Promise((r) => setTimeout(r, 3000));
    kill('SIGKILL');
  });
  let out = '';
  let awaitingMs: number | undefined;
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (awaitingMs === undefined && /awaiting approval after/.test(out)) awaitingMs = performance.now() - t0;
  });
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => kill('SIGINT'), TIMEOUT_MS);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const exitMs = performance.now() - t0;
  clearTimeout(timer);
  forget();
  const reported = /awaiting approval after ([\d.]+) s/.exec(out)?.[1];
  const problems =
    code === 0 && awaitingMs !== undefined
      ? []
      : [
          `npm run demo exited ${code}${awaitingMs === undefined ? ' before every branch awaited approval' : ''}: ${out.trim().slice(-800)}`,
        ];
  return {
    variant,
    awaitingMs: awaitingMs === undefined ? undefined : round(awaitingMs, 0),
    reportedMs: reported === undefined ? undefined : Number(reported) * 1000,
    readyAt: /ready at: (.*)/.exec(out)?.[1]?.trim(),
    exitMs: round(exitMs, 0),
    problems,
  };
}

export async function runDemo(options: {
  parent: string;
  rounds: number;
  log: (line: string) => void;
}): Promise<DemoResult> {
  const snapshot = await buildSnapshot(options.parent, options.log);
  const runs: DemoRun[] = [];
  for (let r = 0; r < options.rounds; r += 1)
    for (const variant of r % 2 === 0 ? (['tsx', 'built'] as const) : (['built', 'tsx'] as const)) {
      const run = await demoOnce(snapshot.root, options.parent, variant);
      runs.push(run);
      options.log(
        `bench: demo ${variant} ${r + 1}/${options.rounds}: awaiting approval after ${run.awaitingMs ?? '–'} ms ` +
          `(the demo says ${run.reportedMs ?? '–'} ms), exit after ${run.exitMs} ms`,
      );
      for (const p of run.problems) options.log(`bench:   problem: ${p}`);
    }
  return { buildMs: snapshot.buildMs, runs };
}
