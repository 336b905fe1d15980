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
import { runWorker, withWorker } from '../support/bump.js';
import type { Scenario } from '../../src/sandbox/scenario.js';
import { repoRoot } from '../../src/sandbox/paths.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

function bumpflow(
  args: string[],
  extraEnv: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'bin', 'bumpflow.js'), ...args],
      { env: { ...process.env, ...extraEnv }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
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
      // started with a trailing `.git/`: the workflow gets the normalised URL, the id the repo's identity
      const started = await bumpflow(['bump', 'magnum', '--repo', `${s.targetUrl}.git/`, '--json'], cliEnv);
      assert.equal(started.code, 0, started.stderr);
      const { workflowId, url, targetRepo } = JSON.parse(started.stdout) as {
        workflowId: string;
        url: string;
        targetRepo: string;
      };
      assert.equal(workflowId, 'bump/cli/atmosphere/magnum');
      assert.equal(targetRepo, s.targetUrl);
      assert.equal(
        (await env.client.workflow.getHandle(workflowId).query(statusQuery)).targetRepo,
        s.targetUrl,
      );
      assert.match(url, /\/namespaces\/default\/workflows\/bump%2Fcli%2Fatmosphere%2Fmagnum$/);

      const again = await bumpflow(['bump', 'magnum', '--repo', s.targetUrl], cliEnv);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /already running as bump\/cli\/atmosphere\/magnum/);
      // every spelling of the same repository reaches the running bump, none starts a second one
      for (const spelling of [
        `${s.targetUrl}/`,
        s.targetUrl.replace('cli/atmosphere', 'CLI/Atmosphere'),
        'git@github.com:cli/atmosphere.git',
      ]) {
        const other = await bumpflow(['bump', 'magnum', '--repo', spelling], cliEnv);
        assert.equal(other.code, 2, `${spelling}: ${other.stdout}${other.stderr}`);
        assert.match(other.stderr, /already running as bump\/cli\/atmosphere\/magnum:/, spelling);
      }

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

      // commands that reach nothing say so, with the states as they are, and exit 1
      const retry = await bumpflow(['retry', workflowId], cliEnv);
      assert.equal(retry.code, 1, retry.stdout);
      assert.match(
        retry.stderr,
        /no branch of bump\/cli\/atmosphere\/magnum is blocked \(now: main awaiting-approval\)/,
      );
      const retryOne = await bumpflow(['retry', workflowId, '--branch', 'stable/2025.1'], cliEnv);
      assert.equal(retryOne.code, 1);
      assert.match(retryOne.stderr, /is blocked among stable\/2025\.1/);
      const approveNone = await bumpflow(['approve', workflowId, '--branch', 'stable/2025.1'], cliEnv);
      assert.equal(approveNone.code, 1);
      assert.match(
        approveNone.stderr,
        /no branch of .* is awaiting approval among stable\/2025\.1 \(now: main awaiting-approval\)/,
      );
      const rejectNone = await bumpflow(
        ['reject', workflowId, '--branch', 'stable/2025.1', '--reason', 'x'],
        cliEnv,
      );
      assert.equal(rejectNone.code, 1);
      assert.match(rejectNone.stderr, /no undecided branch of .* among stable\/2025\.1/);
      assert.equal(
        (await env.client.workflow.getHandle(workflowId).query(statusQuery)).branches[0]?.state,
        'awaiting-approval',
      );

      // `list` reads the search attributes (visibility catches up within moments)
      let listed: Array<{ workflowId: string; state?: string; service?: string }> = [];
      for (let i = 0; i < 50 && !listed.some((b) => b.workflowId === workflowId); i++) {
        const r = await bumpflow(['list', '--state', 'awaiting-approval', '--json'], cliEnv);
        assert.equal(r.code, 0, r.stderr);
        listed = JSON.parse(r.stdout) as typeof listed;
        if (!listed.some((b) => b.workflowId === workflowId))
          await new Promise((res) => setTimeout(res, 200));
      }
      assert.deepEqual(
        listed.filter((b) => b.workflowId === workflowId).map((b) => [b.service, b.state]),
        [['magnum', 'awaiting-approval']],
      );
      const none = await bumpflow(['list', '--state', 'blocked'], cliEnv);
      assert.equal(none.code, 0, none.stderr);
      assert.doesNotMatch(none.stdout, /bump\/cli\/atmosphere\/magnum/);
      const branches = await bumpflow(['list', '--branches', '--service', 'magnum'], cliEnv);
      assert.match(
        branches.stdout,
        /bump\/cli\/atmosphere\/magnum\/main\s+magnum\s+main\s+awaiting-approval/,
      );

      // `status --watch` on a pipe: a new table when something changes, the result at the end
      const watching = bumpflow(['status', workflowId, '--watch', '--interval', '0.2'], cliEnv);

      const wrong = await bumpflow(
        ['approve', workflowId, '--branch', 'main', '--digest', s.oldDigest['main']!],
        cliEnv,
      );
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
      for (
        let i = 0;
        i < 150 &&
        !(
          status.branches.length === 2 &&
          status.branches.every((b) => ['pr-opened', 'awaiting-approval'].includes(b.state))
        );
        i++
      ) {
        await new Promise((res) => setTimeout(res, 200));
        status = await handle.query(statusQuery);
      }
      const byBranch = Object.fromEntries(status.branches.map((b) => [b.branch, b]));
      assert.equal(byBranch['main']?.state, 'pr-opened', 'main needs no approval under this policy');
      assert.match(byBranch['main']?.notices.join('\n') ?? '', /pattern main matches main/);
      assert.equal(byBranch['stable/2025.1']?.state, 'awaiting-approval');
      await handle.signal(rejectSignal, { reason: 'test done' });
      const result = (await handle.result()) as BumpResult;
      assert.deepEqual(result.branches.map((b) => [b.branch, b.outcome]).sort(), [
        ['main', 'pr-opened'],
        ['stable/2025.1', 'rejected'],
      ]);
      assert.deepEqual(
        s.github.pulls.map((p) => p.base),
        ['main'],
      );
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
    await writeFile(
      file,
      [
        'targets:',
        '  atmosphere:',
        '    repo: https://github.com/vexxhost/atmosphere',
        'approval:',
        '  timeout: soon',
        '',
      ].join('\n'),
    );
    const r = await bumpflow(['--config', file, 'bump', 'magnum', '--target', 'atmosphere'], {
      TEMPORAL_ADDRESS: env.address,
    });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: approval\\.timeout: expected an approval timeout as a positive duration from 1s to 366d .*, found "soon"`,
      ),
    );
    const help = await bumpflow(['--help'], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes: 0 done; 1 .*; 2 .*; 3 Temporal not reachable/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('refuses a bad --repo before anything starts, exit 2, never echoing a secret', async () => {
  // a server that is not there: exit 2 (not 3) shows the URL was refused before any connection
  const cliEnv = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const secret = await bumpflow(['bump', 'magnum', '--repo', 'https://user:SECRET@github.com/o/r'], cliEnv);
  assert.equal(secret.code, 2);
  assert.match(
    secret.stderr,
    /without credentials: .*credential helper.*found "https:\/\/\*\*\*@github\.com\/o\/r"/,
  );
  assert.doesNotMatch(secret.stdout + secret.stderr, /SECRET/);
  const token = await bumpflow(
    ['bump', 'magnum', '--repo', 'https://ghp_SECRET@github.com/o/r', '--json'],
    cliEnv,
  );
  assert.equal(token.code, 2);
  assert.doesNotMatch(token.stdout + token.stderr, /SECRET/);
  const shell = await bumpflow(['bump', 'magnum', '--repo', 'https://github.com/o/r; touch x'], cliEnv);
  assert.equal(shell.code, 2);
  assert.match(
    shell.stderr,
    /expected a plain git URL.*no whitespace or control characters; found "https:\/\/github\.com\/o\/r; touch x"/,
  );
  const ftp = await bumpflow(['bump', 'magnum', '--repo', 'ftp://x/y'], cliEnv);
  assert.equal(ftp.code, 2);
  assert.match(
    ftp.stderr,
    /the scheme "ftp" is not one of https, ssh, file \(http for loopback\); found "ftp:\/\/x\/y"/,
  );
  const fromEnv = await bumpflow(['bump', 'magnum'], {
    ...cliEnv,
    BUMPFLOW_TARGET_REPO: 'https://github.com/o/r/../x',
  });
  assert.equal(fromEnv.code, 2);
  assert.match(fromEnv.stderr, /\. or \.\. segments/);
});

function inWorker<T>(s: Scenario, taskQueue: string, fn: () => Promise<T>): Promise<T> {
  return runWorker(env, s.deps, fn, taskQueue);
}

it('without a worker: approve falls back to the signal, retry reads the search attributes, and the approval takes effect later', async () => {
  const s = await createScenario({ slug: 'cli-noworker/atmosphere', branches: ['main'] });
  const taskQueue = `bumpflow-cli-noworker-${Date.now()}`;
  const cliEnv = { TEMPORAL_ADDRESS: env.address, BUMPFLOW_TASK_QUEUE: taskQueue };
  try {
    const workflowId = await inWorker(s, taskQueue, async () => {
      const started = await bumpflow(['bump', 'magnum', '--repo', s.targetUrl, '--json'], cliEnv);
      assert.equal(started.code, 0, started.stderr);
      const { workflowId: id } = JSON.parse(started.stdout) as { workflowId: string };
      const handle = env.client.workflow.getHandle(id);
      for (
        let i = 0;
        i < 150 && (await handle.query(statusQuery)).branches[0]?.state !== 'awaiting-approval';
        i++
      )
        await new Promise((r) => setTimeout(r, 200));
      assert.equal((await handle.query(statusQuery)).branches[0]?.state, 'awaiting-approval');
      return id;
    });
    // the worker is gone: let visibility catch up with the branch's BumpState
    let listed = '';
    for (let i = 0; i < 50 && !/awaiting-approval/.test(listed); i++) {
      listed = (
        await bumpflow(['list', '--branches', '--service', 'magnum', '--state', 'awaiting-approval'], cliEnv)
      ).stdout;
      if (!listed.includes(`${workflowId}/main`)) await new Promise((r) => setTimeout(r, 200));
    }

    const retry = await bumpflow(['retry', workflowId], cliEnv);
    assert.equal(retry.code, 1, retry.stdout + retry.stderr);
    assert.match(
      retry.stderr,
      /no branch of bump\/cli-noworker\/atmosphere\/magnum is blocked \(now: main awaiting-approval\)/,
    );

    const approve = await bumpflow(['approve', workflowId, '--approver', 'offline-op'], cliEnv);
    assert.equal(approve.code, 0, approve.stdout + approve.stderr);
    assert.match(
      approve.stdout,
      /no worker answered; sent the approve signal instead: it takes effect when a worker runs \(main\)/,
    );
    assert.doesNotMatch(approve.stdout, /^approved main$/m);

    // a worker again: the signalled approval is taken and the PR opened
    const result = await inWorker(
      s,
      taskQueue,
      () => env.client.workflow.getHandle(workflowId).result() as Promise<BumpResult>,
    );
    assert.equal(result.branches[0]?.outcome, 'pr-opened');
    assert.match(s.github.pulls[0]!.body, /Approved by offline-op/);
  } finally {
    await s.close();
  }
});
