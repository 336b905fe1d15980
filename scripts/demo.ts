/**
 * The sandbox demo: a real bump on local parts. Starts the Temporal dev
 * server (UI on 8233), a distribution registry with labelled images, git
 * repos seeded from Atmosphere's real vars files, the source repo, the
 * GitHub stand-in and a worker; starts a bump of magnum and prints where to
 * approve. Once the bump ends everything stays up, so the finished workflows
 * and PRs can be looked at in the UI, until Ctrl-C (exit 130), which stops
 * everything it started. `--auto-approve` approves by itself and exits when
 * the bump ends (for CI: 0 when every branch has its PR or needs none).
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { installRuntime } from '../src/observability.js';
import { approveSignal, searchAttributeKeys, type BumpResult } from '../src/shared/messages.js';
import { startBump } from '../src/cli/bump/start.js';
import { createWorker, workflowsPath } from '../src/worker.js';
import { workflowSource } from '../src/workflowBundle.js';
import { workflowUiUrl, type TemporalSettings } from '../src/config.js';
import { formatResult } from '../src/cli/kit/format.js';
import { createScenario } from '../src/sandbox/scenario.js';
import { allIn, waitForStatus } from '../src/sandbox/status.js';
import { temporalCliPath } from '../src/sandbox/temporalCli.js';
import { startReceiver } from '../src/sandbox/noticeReceiver.js';

const { values } = parseArgs({
  options: {
    'auto-approve': { type: 'boolean', default: false },
    'state-dir': { type: 'string', default: path.join(os.homedir(), '.cache', 'bumpflow', 'demo') },
    port: { type: 'string', default: '7233' },
    'ui-port': { type: 'string', default: '8233' },
    'metrics-port': { type: 'string', default: '9464' },
  },
});
const stateDir = values['state-dir']!;
const settings: TemporalSettings = {
  address: `127.0.0.1:${values.port}`,
  namespace: 'default',
  taskQueue: 'bumpflow-demo',
  uiUrl: `http://localhost:${values['ui-port']}`,
};

async function connectWithin(ms: number): Promise<Connection> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await Connection.connect({ address: settings.address, connectTimeout: '1s' });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  await rm(stateDir, { recursive: true, force: true });
  await mkdir(stateDir, { recursive: true });
  console.log(
    `demo state: ${stateDir} (Temporal's database, git remotes, registry storage, worker clones; reset at every run)`,
  );

  // Warnings and errors only, as text: the demo's own lines are the story. Metrics as the real worker serves them.
  installRuntime(
    { metricsAddress: `127.0.0.1:${values['metrics-port']}`, logLevel: 'WARN', logFormat: 'text' },
    { shutdownSignals: [] },
  );
  const server = spawn(
    temporalCliPath(),
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      values.port!,
      '--ui-port',
      values['ui-port']!,
      '--db-filename',
      path.join(stateDir, 'temporal.db'),
      '--log-level',
      'error',
      ...searchAttributeKeys.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const cleanups: Array<() => Promise<unknown>> = [
    async () => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    },
  ];
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));

  try {
    // Independent start-up steps side by side: the server, the sandbox, the workflow code.
    const source = workflowSource(workflowsPath);
    const scenarioStarting = createScenario({
      slug: 'vexxhost/atmosphere',
      branches: ['main', 'stable/2024.1', 'stable/2024.2', 'stable/2025.1'],
      stateDir,
    });
    scenarioStarting.then((sc) => cleanups.push(() => sc.close())).catch(() => undefined);
    const took: Record<string, number> = {};
    const timed = <T>(name: string, p: Promise<T>): Promise<T> =>
      p.then((v) => ((took[name] = Date.now() - t0), v));
    const [connection, scenario, workflowBundle] = await Promise.all([
      timed('server', connectWithin(20_000)),
      timed('sandbox', scenarioStarting),
      timed<WorkflowBundleWithSourceMap | { codePath: string }>(
        source.kind === 'bundle' ? 'workflow code (built)' : 'workflow code (bundled now)',
        source.kind === 'bundle'
          ? Promise.resolve({ codePath: source.codePath })
          : bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') }),
      ),
    ]);
    // a notification target on loopback: each notice the worker sends is printed as it arrives
    const receiver = await startReceiver({ kind: 'ok' }, ({ body }) => {
      const summary = String((body as { text?: unknown }).text ?? '').split('\n')[0];
      console.log(`notice → demo-hook: ${summary}`);
    });
    cleanups.push(() => receiver.close());
    const notices = {
      targets: [
        {
          name: 'demo-hook',
          kind: 'webhook' as const,
          url: receiver.url,
          urlFromEnv: false,
          attempts: 3,
          timeoutMs: 5_000,
        },
      ],
      uiUrl: settings.uiUrl,
      namespace: settings.namespace,
      ledgerDir: path.join(stateDir, 'notices'),
    };
    const client = new Client({ connection, namespace: settings.namespace });
    const nativeConnection = await NativeConnection.connect({ address: settings.address });
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      deps: { ...scenario.deps, notices },
      workflowBundle,
    });
    const running = worker.run();
    took.worker = Date.now() - t0;
    cleanups.push(async () => {
      worker.shutdown();
      await running;
      await nativeConnection.close();
    });

    const handle = await startBump(client, settings, { service: 'magnum', targetRepo: scenario.targetUrl });
    const status = await waitForStatus(
      handle,
      allIn('awaiting-approval', scenario.branches.length),
      'every branch awaiting approval',
      120_000,
    );
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`\nawaiting approval after ${s(Date.now() - t0)}`);
    console.log(
      `  ready at: ${Object.entries(took)
        .map(([k, ms]) => `${k} ${s(ms)}`)
        .join(', ')} (side by side from the start; then the bump)\n`,
    );
    console.log(`bump:    ${workflowUiUrl(settings, handle.workflowId)}`);
    for (const b of status.branches)
      console.log(
        `  ${b.branch.padEnd(14)} ${workflowUiUrl(settings, b.workflowId!)}  ${b.oldDigest?.slice(0, 19)} → ${b.newDigest?.slice(0, 19)}`,
      );
    console.log(`\nworker metrics: http://127.0.0.1:${values['metrics-port']}/metrics`);
    console.log(
      `\nApprove in the UI: open the bump, "Send a Signal", name "approve", input {} — or from another terminal:`,
    );
    console.log(`  TEMPORAL_ADDRESS=${settings.address} npx bumpflow status ${handle.workflowId}`);
    console.log(`  TEMPORAL_ADDRESS=${settings.address} npx bumpflow approve ${handle.workflowId}`);
    if (values['auto-approve']) {
      console.log('\n--auto-approve: approving every branch');
      await handle.signal(approveSignal, { approver: 'demo' });
    }
    const result = (await handle.result()) as BumpResult;
    console.log(`\n${formatResult(result)}\n`);
    console.log(
      `pull requests on the GitHub stand-in: ${scenario.github.pulls.map((p) => `#${p.number} ${p.title}`).join('; ')}`,
    );
    if (values['auto-approve'])
      await stop(result.branches.every((b) => b.outcome === 'pr-opened' || b.outcome === 'no-op') ? 0 : 1);

    // Interactive: keep everything up so the operator can open the finished workflows and PRs.
    const opened = result.branches.filter((b) => b.outcome === 'pr-opened').length;
    console.log(
      `\ndone: ${opened} PR${opened === 1 ? '' : 's'} opened; the servers stay up so you can look around — Ctrl-C to stop`,
    );
    console.log(`  bump: ${workflowUiUrl(settings, handle.workflowId)}`);
    server.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`demo: the Temporal server exited by itself (${code ?? signal}); stopping`);
      void stop(1);
    });
    // The servers keep the process alive; this timer says so explicitly, until a signal calls stop().
    setInterval(() => undefined, 60_000);
  } catch (err) {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    await stop(1);
  }
}

await main();
