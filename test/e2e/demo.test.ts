/**
 * The README's first quick-start line, as CI can run it: the sandbox demo in
 * its non-interactive mode, twice on one state directory (the second run
 * resets it cleanly), on free ports so it never meets a developer's own demo.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/registry.js';

const run = promisify(execFile);

describe('npm run demo -- --auto-approve', () => {
  it('bumps magnum on main and three stable branches, opens four PRs, stops everything, and runs again on the same state', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-demo-'));
    try {
      for (const round of [1, 2]) {
        const [port, uiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
        const { stdout } = await run(
          process.execPath,
          ['--import', 'tsx', 'scripts/demo.ts', '--auto-approve', '--port', `${port}`, '--ui-port', `${uiPort}`, '--metrics-port', `${metricsPort}`, '--state-dir', stateDir],
          { cwd: repoRoot, timeout: 180_000, killSignal: 'SIGINT' },
        );
        assert.match(stdout, new RegExp(`demo state: ${stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `round ${round}`);
        assert.match(stdout, /awaiting approval after \d+\.\ds/);
        assert.match(stdout, new RegExp(`http://localhost:${uiPort}/namespaces/default/workflows/bump%2Fvexxhost%2Fatmosphere%2Fmagnum%2Fmain`));
        assert.match(stdout, /npx bumpflow approve bump\/vexxhost\/atmosphere\/magnum/);
        for (const branch of ['main', 'stable/2025.1', 'stable/2024.2', 'stable/2024.1']) {
          assert.match(stdout, new RegExp(`^${branch.replace('.', '\\.')}\\s+pr-opened\\s+https://github\\.com/vexxhost/atmosphere/pull/\\d`, 'm'));
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
});
