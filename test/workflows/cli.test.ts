/** The operator's CLI, run as a process against the real dev server. */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BumpResult, BumpStatus } from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import { createScenario } from '../support/scenario.js';
import { withWorker } from '../support/bump.js';
import { repoRoot } from '../support/paths.js';

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

      const wrong = await bumpflow(['approve', workflowId, '--branch', 'main', '--digest', s.oldDigest['main']!], cliEnv);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stdout, /refused main: .*planned digest/);

      const ok = await bumpflow(['approve', workflowId, '--approver', 'cli-test'], cliEnv);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /approved main/);
      const result = (await env.client.workflow.getHandle(workflowId).result()) as BumpResult;
      assert.equal(result.branches[0]?.outcome, 'pr-opened');
      assert.match(s.github.pulls[0]!.body, /Approved by cli-test/);
    });
  } finally {
    await s.close();
  }
});
