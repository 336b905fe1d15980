/**
 * A real Temporal dev server for tests: the Temporal CLI built by
 * scripts/install-temporal-cli.sh (cached outside the repo), started through
 * @temporalio/testing with our search attributes registered (`startTemporal`),
 * or straight from the binary on a fixed port and database file so a test can
 * kill it and start it again (`startDevServer`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection, type Client } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { searchAttributeKeys } from '../../src/shared/messages.js';
import { workflowsPath } from '../../src/worker.js';
import { freePort } from '../../src/sandbox/registry.js';
import { temporalCliPath } from '../../src/sandbox/temporalCli.js';

export { temporalCliPath };

/** The dev server, with its web UI on a free loopback port when `ui` is set (`uiUrl` then says where). */
export async function startTemporal(
  options: { ui?: boolean } = {},
): Promise<TestWorkflowEnvironment & { uiUrl?: string }> {
  installQuietRuntime();
  const uiPort = options.ui ? await freePort() : undefined;
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      ...(uiPort === undefined ? {} : { ui: true, uiPort }),
      searchAttributes: [...searchAttributeKeys],
      extraArgs: ['--log-level', 'error'],
    },
  });
  const teardown = env.teardown.bind(env);
  // Issue 20: any WorkflowTaskFailed event (a nondeterminism error, a handler
  // that threw) in any workflow a test file ran fails that file at teardown.
  env.teardown = async () => {
    try {
      await assertNoTaskFailures(env.client);
    } finally {
      await teardown();
    }
  };
  return Object.assign(env, uiPort === undefined ? {} : { uiUrl: `http://127.0.0.1:${uiPort}` });
}

/**
 * What the server records as a failed task when no code failed: a signal or
 * update arrived while the task was completing the workflow (the worker runs
 * it again), a terminate, reset or failover closed the run under the task.
 */
const Cause = proto.temporal.api.enums.v1.WorkflowTaskFailedCause;
const NOT_A_CODE_FAILURE: ReadonlySet<number> = new Set([
  Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE,
  Cause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
  Cause.WORKFLOW_TASK_FAILED_CAUSE_FAILOVER_CLOSE_COMMAND,
  Cause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
]);

/** The causes of a history's WorkflowTaskFailed events (a nondeterminism error names itself there). */
export function taskFailures(events: readonly temporal.api.history.v1.IHistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const failed = e.workflowTaskFailedEventAttributes;
    if (!failed || NOT_A_CODE_FAILURE.has(Number(failed.cause ?? 0))) return [];
    return [failed.failure?.message ?? `cause ${String(failed.cause)}`];
  });
}

/** Throws when any workflow of the namespace has a WorkflowTaskFailed event in its history. */
export async function assertNoTaskFailures(client: Client): Promise<void> {
  const failed: string[] = [];
  for await (const wf of client.workflow.list()) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const causes = taskFailures(history.events ?? []);
    if (causes.length > 0) failed.push(`${wf.workflowId} (${wf.type}): ${causes[0]!.slice(0, 300)}`);
  }
  if (failed.length > 0)
    throw new Error(
      `expected no WorkflowTaskFailed event in any workflow of this test file, found ${failed.length}:\n  ${failed.join('\n  ')}`,
    );
}

let runtimeInstalled = false;
/** The SDK runtime, once per process: workers log failures they retry; tests assert outcomes, so only errors are shown. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  runtimeInstalled = true;
}

/** A dev server run straight from the CLI binary, on a fixed port and database file, so it can be killed and started again. */
export interface DevServer {
  /** 127.0.0.1:<port> */
  address: string;
  dbFilename: string;
  /** true while its process runs */
  readonly running: boolean;
  /** SIGKILL (no shutdown of any kind), resolved once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and database file; resolves once it answers. */
  start(): Promise<void>;
  /** Stops it for good (SIGTERM, then SIGKILL after 5 s); safe to call at any time, also when it is down. */
  stop(): Promise<void>;
}

/**
 * `temporal server start-dev` on `port` (default: a free one) with its SQLite
 * database in `dbFilename`, headless, our search attributes registered;
 * resolved once the default namespace answers (within `readyWithinMs`).
 */
export async function startDevServer(options: {
  dbFilename: string;
  port?: number;
  readyWithinMs?: number;
}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const httpPort = await freePort();
  const address = `127.0.0.1:${port}`;
  const readyWithinMs = options.readyWithinMs ?? 30_000;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--db-filename',
    options.dbFilename,
    '--headless',
    '--log-level',
    'error',
    ...searchAttributeKeys.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
  ];
  let child: ChildProcess | undefined;
  let stderr = '';
  const alive = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const exited = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise((r) => c.once('exit', () => r()));

  async function start(): Promise<void> {
    if (alive())
      throw new Error(
        `expected the dev server on ${address} to be down before starting it, found it running`,
      );
    stderr = '';
    const c = spawn(temporalCliPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    c.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + readyWithinMs;
    for (;;) {
      if (!alive())
        throw new Error(
          `the dev server on ${address} exited (${c.exitCode ?? c.signalCode}) before answering: ${stderr.trim()}`,
        );
      if (await answers(address)) return;
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(
          `expected the dev server on ${address} to answer within ${readyWithinMs} ms, found no answer: ${stderr.trim()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  await start();
  return {
    address,
    dbFilename: options.dbFilename,
    get running() {
      return alive();
    },
    async kill() {
      if (!child || !alive()) return;
      const c = child;
      c.kill('SIGKILL');
      await exited(c);
    },
    start,
    async stop() {
      if (!child || !alive()) return;
      const c = child;
      const force = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.kill('SIGTERM');
      await exited(c);
      clearTimeout(force);
    },
  };
}

/** true when the frontend at `address` answers for the default namespace. */
async function answers(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: '1s' });
    const c = connection;
    await c.withDeadline(Date.now() + 2000, () =>
      c.workflowService.describeNamespace({ namespace: 'default' }),
    );
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  return bundle;
}

const noop = (): void => undefined;
const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: (m: string) => console.error(m),
  log: noop,
};
