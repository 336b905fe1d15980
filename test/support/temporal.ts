/**
 * A real Temporal dev server for tests: the Temporal CLI built by
 * scripts/install-temporal-cli.sh (cached outside the repo), started through
 * @temporalio/testing with our search attributes registered.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { searchAttributeKeys } from '../../src/shared/messages.js';
import { workflowsPath } from '../../src/worker.js';
import { repoRoot } from './paths.js';

export function temporalCliPath(): string {
  const fromEnv = process.env.BUMPFLOW_TEMPORAL_CLI;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return execFileSync('bash', [path.join(repoRoot, 'scripts', 'install-temporal-cli.sh')], { encoding: 'utf8' }).trim();
}

export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  // Workers log failures they retry; tests assert outcomes, so only errors are shown.
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...searchAttributeKeys],
      extraArgs: ['--log-level', 'error'],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  return bundle;
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
