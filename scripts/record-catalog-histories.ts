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
 * history holds a secret of the world. The cases are in catalogHistoryCases.ts;
 * the failure paths (one activity made to fail, typed) in
 * catalogFaultHistoryCases.ts, recorded with `--suffix faults`; the runs of
 * several files in catalogAllHistoryCases.ts, recorded with `--suffix many`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { CatalogWorkflowType } from '../src/shared/catalog.js';
import { catalogRunner, createCatalogWorld } from '../src/sandbox/catalogWorld.js';
import {
  checkNoSecret,
  runRecorder,
  showHistory,
  withDeadline,
  type Recorded,
  recordingWorker,
} from './historyRecording.js';
import { catalogCases, type CatalogCase } from './catalogHistoryCases.js';
import { CATALOG_FAULT_CASES } from './catalogFaultHistoryCases.js';
import { CATALOG_ALL_CASES } from './catalogAllHistoryCases.js';
import { faultyActivities } from './faultHistoryCases.js';
import type { ActivityDeps } from '../src/activities/index.js';

/** in every history's decoded input: proof the secret scan read the payloads */
const INPUT_MARK = '"repoUrl":"';

async function runCase(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  c: CatalogCase,
  base: string,
): Promise<Recorded[]> {
  const world = await createCatalogWorld(`osism/replay-${c.name}`, c.world);
  try {
    const fault = c.fault;
    const activities =
      fault === undefined ? undefined : (d: ActivityDeps) => faultyActivities(d, c.name, fault);
    const { worker, settings } = await recordingWorker(env, bundle, world.deps, 'catalog', activities);
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

runRecorder({
  tool: 'record-catalog-histories',
  cases: [...catalogCases, ...CATALOG_FAULT_CASES, ...CATALOG_ALL_CASES],
  record: runCase,
});
