/**
 * The worker's telemetry on real parts: the SDK runtime's Prometheus endpoint
 * (with bumpflow's own outcome counter) and structured JSON logs that never
 * carry a secret value. Its own process (node --test runs one per file), as
 * the runtime is installed once per process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { installRuntime, mask, observabilitySettings } from '../../src/observability.js';
import { searchAttributeKeys, type BumpResult } from '../../src/shared/messages.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { freePort } from '../../src/sandbox/registry.js';
import { temporalCliPath } from '../support/temporal.js';
import { withWorker } from '../support/bump.js';
import { startBump } from '../../src/cli/bump/start.js';

const lines: string[] = [];
const secrets: string[] = [];
let metricsPort = 0;
let env: TestWorkflowEnvironment | undefined;

before(async () => {
  metricsPort = await freePort();
  installRuntime(
    { metricsAddress: `127.0.0.1:${metricsPort}`, logLevel: 'DEBUG', logFormat: 'json' },
    { secrets, write: (line) => lines.push(line), shutdownSignals: [] },
  );
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...searchAttributeKeys],
      extraArgs: ['--log-level', 'error'],
    },
  });
});

after(async () => {
  await env?.teardown();
});

describe('worker telemetry', () => {
  it('serves the runtime metrics and bumpflow_branch_outcomes on /metrics, and logs JSON lines without secrets', async () => {
    const s = await createScenario({ slug: 'ops-obs/atmosphere', branches: ['main'], current: ['main'] });
    secrets.push(...s.secrets);
    try {
      const result = await withWorker(
        env!,
        s,
        async ({ start }) => (await (await start({ service: 'magnum' })).result()) as BumpResult,
      );
      assert.equal(result.branches[0]?.outcome, 'no-op');

      // The exporter is scraped as Prometheus would; values are flushed on an interval, so poll (bounded).
      let text = '';
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        if (/bumpflow_branch_outcomes\{[^}]*outcome="no-op"[^}]*\} 1/.test(text)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.match(
        text,
        /bumpflow_branch_outcomes\{[^}]*outcome="no-op"[^}]*service="magnum"[^}]*\} 1|bumpflow_branch_outcomes\{[^}]*service="magnum"[^}]*outcome="no-op"[^}]*\} 1/,
      );
      assert.match(text, /^temporal_workflow_completed\{[^}]*workflow_type="bumpBranch"/m);
      // reads run as local activities (Patches.leanHistory): their latency is the SDK's local-activity histogram
      assert.match(
        text,
        /^temporal_local_activity_execution_latency(_bucket)?\{[^}]*activity_type="readPins"/m,
      );

      // A stray secret in a message is masked before it is written.
      Runtime.instance().logger.warn(`pushing with ${s.secrets[1]!}`, { header: `Bearer ${s.secrets[0]!}` });
      // the runtime buffers log entries briefly to order them; this is after the minimum buffer time
      await new Promise((r) => setTimeout(r, 300));
      Runtime.instance().flushLogs();
      const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const p of parsed) {
        assert.equal(typeof p.time, 'string');
        assert.match(String(p.level), /^(trace|debug|info|warn|error)$/);
        assert.equal(typeof p.msg, 'string');
      }
      assert.ok(
        parsed.some((p) => p.activityType === 'readPins' && typeof p.workflowId === 'string'),
        'activity logs carry the activity type and workflow id',
      );
      const all = lines.join('\n');
      for (const secret of s.secrets) assert.ok(!all.includes(secret), 'no log line holds a secret value');
      assert.match(all, /pushing with \[redacted\]/);
    } finally {
      await s.close();
    }
  });

  it('names a failed workflow and its failed activity in plain fields, never `"error":{}`', async () => {
    const s = await createScenario({ slug: 'ops-obs-fail/atmosphere', branches: ['main'] });
    try {
      const from = lines.length;
      const failed = await withWorker(env!, s, async ({ settings }) => {
        const handle = await startBump(env!.client, settings, {
          service: 'magnum',
          targetRepo: 'https://github.com/nope/nope',
          retry: { maximumAttempts: 1 },
        });
        return handle.result().then(
          () => false,
          () => true,
        );
      });
      assert.ok(failed, 'the bump of a repository that does not exist fails');
      await new Promise((r) => setTimeout(r, 300));
      Runtime.instance().flushLogs();
      const logged = lines.slice(from);
      const parsed = logged.map((l) => JSON.parse(l) as Record<string, unknown>);
      const workflow = parsed.find((p) => p.msg === 'Workflow failed' && p.workflowType === 'bumpImage');
      const activity = parsed.find((p) => p.msg === 'Activity failed');
      assert.ok(workflow && activity, logged.join('\n'));
      // the workflow's error crossed from its thread as a plain Error: the class is read from its stack
      assert.equal(workflow.errorType, 'ApplicationFailure');
      assert.match(
        String(workflow.errorMessage),
        /expected a git repository at https:\/\/github\.com\/nope\/nope/,
      );
      assert.equal(activity.errorType, 'RepoNotFound');
      assert.match(String(activity.errorMessage), /nope\/nope/);
      for (const failure of parsed.filter((p) => /^(Workflow|Activity) failed$/.test(String(p.msg))))
        assert.equal('error' in failure, false, JSON.stringify(failure));
    } finally {
      await s.close();
    }
  });

  it('reads its settings from the environment and refuses bad ones', () => {
    assert.deepEqual(observabilitySettings({}), {
      metricsAddress: '127.0.0.1:9464',
      logLevel: 'INFO',
      logFormat: 'json',
    });
    assert.equal(observabilitySettings({ BUMPFLOW_METRICS_ADDRESS: 'off' }).metricsAddress, undefined);
    assert.equal(observabilitySettings({ BUMPFLOW_LOG_LEVEL: 'debug' }).logLevel, 'DEBUG');
    assert.throws(
      () => observabilitySettings({ BUMPFLOW_METRICS_ADDRESS: '9464' }),
      /BUMPFLOW_METRICS_ADDRESS: expected host:port .* found "9464"/,
    );
    assert.throws(
      () => observabilitySettings({ BUMPFLOW_LOG_LEVEL: 'loud' }),
      /BUMPFLOW_LOG_LEVEL: expected one of .* found "loud"/,
    );
    assert.throws(() => observabilitySettings({ BUMPFLOW_LOG_FORMAT: 'xml' }), /expected json or text/);
    assert.equal(mask('a s3cr3t-value b s3cr3t', ['s3cr3t-value', 's3cr3t']), 'a [redacted] b [redacted]');
  });
});
