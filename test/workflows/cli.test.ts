/** The operator's CLI, run as a process against the real dev server. */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { rejectSignal, statusQuery, type BumpResult, type BumpStatus } from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { withWorker } from '../support/bump.js';
import { repoRoot } from '../../src/sandbox/paths.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

function bumpflow(args: string[], extraEnv: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'bin', 'bumpflow.js'), ...args], { env: { ...process.env, ...extraEnv }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

it('says clearly when Temporal is not reachable', async () => {
  const r = await bumpflow(['status', 'bump/x/y/z'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /cannot reach the Temporal server at 127\.0\.0\.1:1/);
});

it('refuses a bump without a target repo', async () => {
  const r = await bumpflow(['bump', 'magnum'], { TEMPORAL_ADDRESS: env.address, BUMPFLOW_TARGET_REPO: '' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--repo/);
});

it('bumps, refuses a duplicate, shows status, approves and reports the PR', async () => {
  const s = await createScenario({ slug: 'cli/atmosphere', branches: ['main'] });
  try {
    await withWorker(env, s, async ({ taskQueue }) => {
      const cliEnv = { TEMPORAL_ADDRESS: env.address, BUMPFLOW_TASK_QUEUE: taskQueue };
      const started = await bumpflow(['bump', 'magnum', '--repo', s.targetUrl, '--json'], cliEnv);
      assert.equal(started.code, 0, started.stderr);
      const { workflowId, url } = JSON.parse(started.stdout) as { workflowId: string; url: string };
      assert.equal(workflowId, 'bump/cli/atmosphere/magnum');
      assert.match(url, /\/namespaces\/default\/workflows\/bump%2Fcli%2Fatmosphere%2Fmagnum$/);

      const again = await bumpflow(['bump', 'magnum', '--repo', s.targetUrl], cliEnv);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /already running as bump\/cli\/atmosphere\/magnum/);

      let status: BumpStatus | undefined;
      for (let i = 0; i < 150; i++) {
        const r = await bumpflow(['status', workflowId, '--json'], cliEnv);
        status = JSON.parse(r.stdout) as BumpStatus;
        if (status.branches[0]?.state === 'awaiting-approval') break;
        await new Promise((res) => setTimeout(res, 200));
      }
      assert.equal(status?.branches[0]?.state, 'awaiting-approval');
      const table = await bumpflow(['status', workflowId], cliEnv);
      assert.match(table.stdout, /main\s+awaiting-approval/);

      // `list` reads the search attributes (visibility catches up within moments)
      let listed: Array<{ workflowId: string; state?: string; service?: string }> = [];
      for (let i = 0; i < 50 && !listed.some((b) => b.workflowId === workflowId); i++) {
        const r = await bumpflow(['list', '--state', 'awaiting-approval', '--json'], cliEnv);
        assert.equal(r.code, 0, r.stderr);
        listed = JSON.parse(r.stdout) as typeof listed;
        if (!listed.some((b) => b.workflowId === workflowId)) await new Promise((res) => setTimeout(res, 200));
      }
      assert.deepEqual(
        listed.filter((b) => b.workflowId === workflowId).map((b) => [b.service, b.state]),
        [['magnum', 'awaiting-approval']],
      );
      const none = await bumpflow(['list', '--state', 'blocked'], cliEnv);
      assert.equal(none.code, 0, none.stderr);
      assert.doesNotMatch(none.stdout, /bump\/cli\/atmosphere\/magnum/);
      const branches = await bumpflow(['list', '--branches', '--service', 'magnum'], cliEnv);
      assert.match(branches.stdout, /bump\/cli\/atmosphere\/magnum\/main\s+magnum\s+main\s+awaiting-approval/);

      // `status --watch` on a pipe: a new table when something changes, the result at the end
      const watching = bumpflow(['status', workflowId, '--watch', '--interval', '0.2'], cliEnv);

      const wrong = await bumpflow(['approve', workflowId, '--branch', 'main', '--digest', s.oldDigest['main']!], cliEnv);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stdout, /refused main: .*planned digest/);

      const ok = await bumpflow(['approve', workflowId, '--approver', 'cli-test'], cliEnv);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /approved main/);
      const result = (await env.client.workflow.getHandle(workflowId).result()) as BumpResult;
      assert.equal(result.branches[0]?.outcome, 'pr-opened');
      assert.match(s.github.pulls[0]!.body, /Approved by cli-test/);

      const watched = await watching;
      assert.equal(watched.code, 0, watched.stderr);
      const tables = watched.stdout.split(/^bump magnum in /m).filter(Boolean);
      assert.ok(tables.length >= 2, `expected a table per change, found:\n${watched.stdout}`);
      assert.match(watched.stdout, /main\s+awaiting-approval/);
      assert.match(watched.stdout, /^main\s+pr-opened\s+https:\/\/github\.com\/cli\/atmosphere\/pull\/1$/m);
    });
  } finally {
    await s.close();
  }
});

it('takes the target and the approval policy from a config file: main goes without approval, stable waits', async () => {
  const s = await createScenario({ slug: 'cli-config/atmosphere', branches: ['main', 'stable/2025.1'] });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-config-'));
  try {
    const file = path.join(dir, 'bumpflow.yaml');
    await writeFile(
      file,
      [
        'targets:',
        '  atmosphere:',
        `    repo: ${s.targetUrl}`,
        'approval:',
        '  timeout: 1h',
        '  branches:',
        '    - pattern: main',
        '      required: false',
        '    - pattern: stable/*',
        '      required: true',
        '',
      ].join('\n'),
    );
    await withWorker(env, s, async ({ taskQueue }) => {
      const cliEnv = { TEMPORAL_ADDRESS: env.address, BUMPFLOW_TASK_QUEUE: taskQueue, BUMPFLOW_CONFIG: file };
      const started = await bumpflow(['bump', 'magnum', '--target', 'atmosphere', '--json'], cliEnv);
      assert.equal(started.code, 0, started.stderr);
      const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
      const handle = env.client.workflow.getHandle(workflowId);
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 150 && !(status.branches.length === 2 && status.branches.every((b) => ['pr-opened', 'awaiting-approval'].includes(b.state))); i++) {
        await new Promise((res) => setTimeout(res, 200));
        status = await handle.query(statusQuery);
      }
      const byBranch = Object.fromEntries(status.branches.map((b) => [b.branch, b]));
      assert.equal(byBranch['main']?.state, 'pr-opened', 'main needs no approval under this policy');
      assert.match(byBranch['main']?.notices.join('\n') ?? '', /pattern main matches main/);
      assert.equal(byBranch['stable/2025.1']?.state, 'awaiting-approval');
      await handle.signal(rejectSignal, { reason: 'test done' });
      const result = (await handle.result()) as BumpResult;
      assert.deepEqual(result.branches.map((b) => [b.branch, b.outcome]).sort(), [['main', 'pr-opened'], ['stable/2025.1', 'rejected']]);
      assert.deepEqual(s.github.pulls.map((p) => p.base), ['main']);
      assert.match(s.github.pulls[0]!.body, /Approved by policy/);
    });
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('refuses a bad config file with the key, its line and exit code 2', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-config-'));
  try {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, ['targets:', '  atmosphere:', '    repo: https://github.com/vexxhost/atmosphere', 'approval:', '  timeout: soon', ''].join('\n'));
    const r = await bumpflow(['--config', file, 'bump', 'magnum', '--target', 'atmosphere'], { TEMPORAL_ADDRESS: env.address });
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: approval\\.timeout: expected a duration such as 30m, 72h or 7d, found "soon"`));
    const help = await bumpflow(['--help'], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes: 0 done; 1 .*; 2 .*; 3 Temporal not reachable/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
