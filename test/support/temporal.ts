/**
 * A real Temporal dev server for tests: the Temporal CLI built by
 * scripts/install-temporal-cli.sh (cached outside the repo), started through
 * @temporalio/testing with our search attributes registered.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { searchAttributeKeys } from '../../src/shared/messages.js';
import { workflowsPath } from '../../src/worker.js';
import { freePort } from '../../src/sandbox/registry.js';
import { temporalCliPath } from '../../src/sandbox/temporalCli.js';

export { temporalCliPath };

/** The dev server, with its web UI on a free loopback port when `ui` is set (`uiUrl` then says where). */
export async function startTemporal(options: { ui?: boolean } = {}): Promise<TestWorkflowEnvironment & { uiUrl?: string }> {
  // Workers log failures they retry; tests assert outcomes, so only errors are shown.
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
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
  return Object.assign(env, uiPort === undefined ? {} : { uiUrl: `http://127.0.0.1:${uiPort}` });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  return bundle;
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
