/**
 * The README's first quick-start line, as CI can run it: the sandbox demo in
 * its non-interactive mode, twice on one state directory (the second run
 * resets it cleanly); and as an operator runs it: approved from another
 * terminal with the CLI, it keeps its servers up after the bump until Ctrl-C.
 * On free ports, so it never meets a developer's own demo.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../src/sandbox/paths.js';
import { freePort } from '../../src/sandbox/registry.js';

const run = promisify(execFile);

describe('the sandbox demo (npm run demo)', () => {
  it('bumps magnum on main and three stable branches, opens four PRs, stops everything, and runs again on the same state', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-demo-'));
    try {
      for (const round of [1, 2]) {
        const [port, uiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
        const { stdout } = await run(
          process.execPath,
          [
            '--import',
            'tsx',
            'scripts/demo.ts',
            '--auto-approve',
            '--port',
            `${port}`,
            '--ui-port',
            `${uiPort}`,
            '--metrics-port',
            `${metricsPort}`,
            '--state-dir',
            stateDir,
          ],
          { cwd: repoRoot, timeout: 180_000, killSignal: 'SIGINT' },
        );
        assert.match(
          stdout,
          new RegExp(`demo state: ${stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
          `round ${round}`,
        );
        assert.match(stdout, /awaiting approval after \d+\.\d s\n {2}ready at: /);
        for (const part of ['server', 'sandbox', 'worker'])
          assert.match(
            stdout,
            new RegExp(`ready at: [^\\n]*${part} \\d+\\.\\d s`),
            `when the ${part} was ready`,
          );
        assert.match(
          stdout,
          new RegExp(
            `http://localhost:${uiPort}/namespaces/default/workflows/bump%2Fvexxhost%2Fatmosphere%2Fmagnum%2Fmain`,
          ),
        );
        assert.match(stdout, /npx bumpflow approve bump\/vexxhost\/atmosphere\/magnum/);
        // the notices the worker sent to the demo's loopback target: one wait for 4 branches, one for the PRs
        assert.equal(
          stdout.match(
            /^notice → demo-hook: bumpflow bump: magnum in \S+ is awaiting approval on 4 branches$/gm,
          )?.length,
          1,
          stdout,
        );
        assert.match(
          stdout,
          /^notice → demo-hook: bumpflow bump: magnum in \S+ opened 4 pull requests on 4 branches$/m,
        );
        for (const branch of ['main', 'stable/2025.1', 'stable/2024.2', 'stable/2024.1']) {
          assert.match(
            stdout,
            new RegExp(
              `^${branch.replace('.', '\\.')}\\s+pr-opened\\s+https://github\\.com/vexxhost/atmosphere/pull/\\d`,
              'm',
            ),
          );
        }
        // a reset, not an accumulation: one Temporal database, one set of sandbox directories
        const entries = (await readdir(stateDir)).sort();
        assert.equal(entries.filter((e) => e.startsWith('bumpflow-registry-')).length, 1, entries.join(', '));
        assert.ok(entries.includes('temporal.db'), entries.join(', '));
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('approved through the CLI, it keeps the servers up after the bump, and Ctrl-C then stops everything', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-demo-'));
    try {
      const [port, uiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
      const demo = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/demo.ts',
          '--port',
          `${port}`,
          '--ui-port',
          `${uiPort}`,
          '--metrics-port',
          `${metricsPort}`,
          '--state-dir',
          stateDir,
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
      const killer = setTimeout(() => demo.kill('SIGKILL'), 180_000);
      let out = '';
      demo.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const printed = (text: string, ms: number): Promise<void> => untilPrinted(demo, () => out, text, ms);
      try {
        await printed('npx bumpflow approve', 120_000);
        // From another terminal, as the demo says: the real CLI, through bin/bumpflow.js.
        const approved = await run(
          process.execPath,
          ['bin/bumpflow.js', 'approve', 'bump/vexxhost/atmosphere/magnum'],
          {
            cwd: repoRoot,
            timeout: 60_000,
            env: { ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` },
          },
        );
        assert.match(approved.stdout, /approved/, approved.stdout);
        await printed('Ctrl-C to stop', 120_000);
        assert.match(
          out,
          /^done: 4 PRs opened; the servers stay up so you can look around — Ctrl-C to stop$/m,
          out,
        );
        for (const branch of ['main', 'stable/2025.1', 'stable/2024.2', 'stable/2024.1']) {
          assert.match(
            out,
            new RegExp(
              `^${branch.replace('.', '\\.')}\\s+pr-opened\\s+https://github\\.com/vexxhost/atmosphere/pull/\\d`,
              'm',
            ),
          );
        }
        // Still up a couple of seconds later: the UI shows the finished workflows.
        await new Promise((r) => setTimeout(r, 2500));
        assert.equal(demo.exitCode, null, `the demo exited after the bump:\n${out}`);
        for (const p of [port, uiPort])
          assert.equal(await listening(p), true, `port ${p} closed after the bump`);
        const status = await run(
          process.execPath,
          ['bin/bumpflow.js', 'status', 'bump/vexxhost/atmosphere/magnum', '--json'],
          {
            cwd: repoRoot,
            timeout: 60_000,
            env: { ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` },
          },
        );
        assert.match(status.stdout, /pr-opened/, 'the finished bump can still be read');
      } finally {
        demo.kill('SIGINT');
      }
      const code = await exited;
      clearTimeout(killer);
      assert.equal(code, 130, out);
      for (const p of [port, uiPort, metricsPort])
        assert.equal(await listening(p), false, `port ${p} still open after Ctrl-C`);
      assert.deepEqual(await processesMentioning(stateDir), [], 'no process of the demo is left');
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C while it waits for approval stops everything it started', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-demo-'));
    try {
      const [port, uiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
      const demo = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/demo.ts',
          '--port',
          `${port}`,
          '--ui-port',
          `${uiPort}`,
          '--metrics-port',
          `${metricsPort}`,
          '--state-dir',
          stateDir,
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
      const killer = setTimeout(() => demo.kill('SIGKILL'), 120_000);
      let out = '';
      await new Promise<void>((resolve, reject) => {
        demo.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('npx bumpflow approve')) resolve();
        });
        void exited.then((code) =>
          reject(new Error(`the demo exited (${code}) before waiting for approval:\n${out}`)),
        );
      });
      const registries = await processesMentioning(stateDir);
      assert.ok(registries.length > 0, 'the demo runs a registry under its state directory');
      demo.kill('SIGINT');
      const code = await exited;
      clearTimeout(killer);
      assert.equal(code, 130, out);
      for (const p of [port, uiPort, metricsPort])
        assert.equal(await listening(p), false, `port ${p} still open after Ctrl-C`);
      assert.deepEqual(await processesMentioning(stateDir), [], 'no process of the demo is left');
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

/** Resolves once `read()` holds `text`; fails when the process exits first or `ms` pass. */
async function untilPrinted(
  child: ChildProcess,
  read: () => string,
  text: string,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!read().includes(text)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the demo exited (${child.exitCode ?? child.signalCode}) before printing ${JSON.stringify(text)}:\n${read()}`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `expected the demo to print ${JSON.stringify(text)} within ${ms} ms, found:\n${read()}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Processes whose command line names `dir` (the demo's registry and Temporal server do). */
async function processesMentioning(dir: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((l) => l.includes(dir) && !l.includes('scripts/demo.ts'));
}
