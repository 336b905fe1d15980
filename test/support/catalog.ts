/** Workflow-test helper for catalog updates: a worker on a catalog world (src/sandbox/catalogWorld.ts) while a test runs. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { catalogRunner, type CatalogRun, type CatalogWorld } from '../../src/sandbox/catalogWorld.js';
import { runWorker } from './bump.js';

export {
  CATALOG_PATH,
  createCatalogWorld,
  type CatalogRun,
  type CatalogWorld,
} from '../../src/sandbox/catalogWorld.js';

export function withCatalogWorker<T>(
  env: TestWorkflowEnvironment,
  world: CatalogWorld,
  fn: (run: CatalogRun) => Promise<T>,
): Promise<T> {
  return runWorker(env, world.deps, (settings) => fn(catalogRunner(env.client, settings, world)));
}
