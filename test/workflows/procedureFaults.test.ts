/**
 * Issue 20: every procedure's failure paths replay. Each fault case of
 * scripts/{tag,retag,sweep,catalog}FaultHistoryCases.ts — one activity the
 * procedure calls made to fail, typed; where calls run side by side, while
 * the siblings still run, after they finished, and as one of them finishes —
 * runs on the dev server with the worker's workflow cache; the racing ones
 * (and one sequential case per procedure) again with no cache at all, so
 * every workflow task replays the history so far. Each case checks how the
 * procedure ends (the typed failure or the blocked state, its status, what
 * was written), and every workflow it ran must hold no WorkflowTaskFailed
 * event and replay on today's bundle (test/replay/liveHistories.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities/index.js';
import type { TemporalSettings } from '../../src/config.js';
import { createTagWorld } from '../../src/sandbox/tagWorld.js';
import { createRetagWorld } from '../../src/sandbox/retagWorld.js';
import { catalogRunner, createCatalogWorld } from '../../src/sandbox/catalogWorld.js';
import { faultyActivities, type Fault } from '../../scripts/faultHistoryCases.js';
import { createTagDrive, endTagQueue } from '../../scripts/tagHistoryCases.js';
import { TAG_FAULT_CASES, TAG_RACING } from '../../scripts/tagFaultHistoryCases.js';
import { endRetagQueues, runRetagCase } from '../../scripts/retagHistoryCases.js';
import { RETAG_FAULT_CASES } from '../../scripts/retagFaultHistoryCases.js';
import { runSweepCase, sweepCaseWorld } from '../../scripts/sweepHistoryCases.js';
import { SWEEP_FAULT_CASES } from '../../scripts/sweepFaultHistoryCases.js';
import { CATALOG_FAULT_CASES, CATALOG_RACING } from '../../scripts/catalogFaultHistoryCases.js';
import { startTemporal } from '../support/temporal.js';
import { assertSiblingsSettled, faultWorkers, type FaultWorkers } from '../replay/liveHistories.js';

/** Run again with no workflow cache: the racing cases, and one that writes before its fault per procedure. */
const NO_CACHE = new Set([
  ...TAG_RACING,
  ...CATALOG_RACING,
  'promote-fails-writeTag-second',
  'promote-blocks-checkAuditForge',
  'retag-image-fails-readTags-check',
  'sweep-fails-checkSweepPins',
  'catalog-fails-openPullRequest',
]);

let env: TestWorkflowEnvironment;
let workers: FaultWorkers;

before(async () => {
  env = await startTemporal();
  workers = faultWorkers(env);
});

after(async () => {
  await workers?.close();
  await env?.teardown();
});

interface World {
  deps: ActivityDeps;
  close(): Promise<void>;
}

/** Each case of `cases` (those in NO_CACHE only, with no cache): a world, the worker with its fault, `run`. */
function faultCases<C extends { name: string; fault?: Fault }, W extends World>(
  procedure: string,
  cases: C[],
  world: (c: C) => Promise<W>,
  run: (w: W, c: C, settings: TemporalSettings, evict: boolean) => Promise<void>,
): void {
  for (const evict of [false, true]) {
    const mode = evict ? 'with no workflow cache' : 'with the workflow cache';
    describe(`${procedure} failing, ${mode}`, { timeout: 120_000 }, () => {
      for (const c of cases.filter((x) => !evict || NO_CACHE.has(x.name))) {
        it(c.name, async () => {
          const w = await world(c);
          try {
            const activities = faultyActivities(w.deps, c.name, c.fault!);
            const histories = await workers.run({ deps: w.deps, activities, evict }, (settings) =>
              run(w, c, settings, evict),
            );
            assertSiblingsSettled(histories, c.fault!);
          } finally {
            await w.close();
          }
        });
      }
    });
  }
}

faultCases(
  'promote, rollback, clean-up and inspection',
  TAG_FAULT_CASES,
  () => createTagWorld(),
  async (world, c, settings) => {
    const requested: string[] = [];
    const drive = createTagDrive(world, env.client, settings, requested);
    await c.drive(drive);
    await endTagQueue(drive, requested);
  },
);

faultCases(
  'the retag',
  RETAG_FAULT_CASES,
  () => createRetagWorld(),
  async (world, c, settings, evict) => {
    try {
      await runRetagCase(world, env.client, settings, c, evict ? `${c.name} (no cache)` : c.name);
    } finally {
      await endRetagQueues(env.client, world);
    }
  },
);

faultCases(
  'the sweep',
  SWEEP_FAULT_CASES,
  (c) => sweepCaseWorld(c, `faults/${c.name}`),
  async (world, c, settings) => {
    await runSweepCase(env.client, settings, world, c);
  },
);

faultCases(
  'the catalog update',
  CATALOG_FAULT_CASES,
  (c) => createCatalogWorld(`osism/faults-${c.name}`),
  async (world, c, settings) => {
    await c.drive(world, catalogRunner(env.client, settings, world));
  },
);

describe('the histories of every case above', () => {
  it('replay on today’s bundled workflows', async () => {
    const { count, failed } = await workers.replayAll();
    assert.ok(count > 50, `expected the cases' histories, found ${count}`);
    assert.deepEqual(failed, [], `histories that do not replay:\n${failed.join('\n')}`);
  });
});
