/**
 * Records the catalog update's histories that test/replay/replay.test.ts
 * replays: a fresh Temporal dev server, one catalog world (the real Ubuntu
 * catalog in a git bare repo, the loopback distro mirror, the GitHub
 * stand-in) and one in-process worker per case, each case driven to its end
 * as the tests drive it; then test/replay/histories/<case>-update.json.
 *
 *   npx tsx scripts/record-catalog-histories.ts [--case catalog-pr-opened …] [--suffix v2]
 *
 * Fails, writing nothing, when a case ends otherwise than it should or a
 * history holds a secret of the world. The cases are in catalogHistoryCases.ts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { CatalogWorkflowType } from '../src/shared/catalog.js';
import { randomUUID } from 'node:crypto';
import { createWorker } from '../src/worker.js';
import { CATALOG_PATH, catalogRunner, createCatalogWorld } from '../src/sandbox/catalogWorld.js';
import {
  checkNoSecret,
  runRecorder,
  showHistory,
  withDeadline,
  type Recorded,
  withNotices,
} from './historyRecording.js';
import { catalogCases, type CatalogCase } from './catalogHistoryCases.js';

/** in every history's decoded input: proof the secret scan read the payloads */
const INPUT_MARK = `"path":"${CATALOG_PATH}"`;

async function runCase(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  c: CatalogCase,
  base: string,
): Promise<Recorded[]> {
  const world = await createCatalogWorld(`osism/replay-${c.name}`);
  try {
    const taskQueue = `bumpflow-record-catalog-${randomUUID()}`;
    const settings = {
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      uiUrl: 'http://127.0.0.1:8233',
    };
    const worker = await createWorker({
      connection: env.nativeConnection,
      namespace: settings.namespace,
      taskQueue,
      deps: withNotices(world.deps),
      workflowBundle: bundle,
    });
    const run = catalogRunner(env.client, settings, world);
    const handle = await worker.runUntil(withDeadline(c.drive(world, run), 120_000, `case ${c.name} to end`));
    const recorded: Recorded = {
      file: `${base}-update.json`,
      workflowId: handle.workflowId,
      workflowType: CatalogWorkflowType.update,
      text: await showHistory(env.address, handle.workflowId),
    };
    checkNoSecret(c.name, recorded, world.secrets, INPUT_MARK);
    return [recorded];
  } finally {
    await world.close();
  }
}

runRecorder({ tool: 'record-catalog-histories', cases: catalogCases, record: runCase });
