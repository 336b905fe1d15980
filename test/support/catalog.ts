/** Workflow-test helper for catalog updates: a worker on a catalog world (src/sandbox/catalogWorld.ts) while a test runs. */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createWorker } from '../../src/worker.js';
import { catalogRunner, type CatalogRun, type CatalogWorld } from '../../src/sandbox/catalogWorld.js';
import { settingsFor } from './bump.js';
import { workflowBundle } from './temporal.js';

export {
  CATALOG_PATH,
  createCatalogWorld,
  type CatalogRun,
  type CatalogWorld,
} from '../../src/sandbox/catalogWorld.js';

export async function withCatalogWorker<T>(
  env: TestWorkflowEnvironment,
  world: CatalogWorld,
  fn: (run: CatalogRun) => Promise<T>,
): Promise<T> {
  const taskQueue = `bumpflow-catalog-${randomUUID()}`;
  const settings = settingsFor(env, taskQueue);
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: settings.namespace,
    taskQueue,
    deps: world.deps,
    workflowBundle: await workflowBundle(),
  });
  return worker.runUntil(fn(catalogRunner(env.client, settings, world)));
}
