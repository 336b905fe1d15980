/**
 * The catalog update's recorded cases (scripts/record-catalog-histories.ts
 * runs them): what each publishes on the loopback mirror, how it is approved,
 * rejected or refused, and what it must end with — checked against the git
 * remote and the GitHub stand-in, not only the result.
 */
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import { catalogGate, type CatalogStatus } from '../src/shared/catalog.js';
import type { CatalogRun, CatalogWorld, CatalogWorldOptions } from '../src/sandbox/catalogWorld.js';
import type { Fault } from './faultHistoryCases.js';

export interface CatalogCase {
  name: string;
  /** the world's catalogs and mirror (default: the Ubuntu catalog alone) */
  world?: CatalogWorldOptions;
  /** an activity made to fail (catalogFaultHistoryCases.ts): the worker runs the world's activities with it */
  fault?: Fault;
  /** drives the case to its end (throws when it ends otherwise); the workflow to record */
  drive(world: CatalogWorld, run: CatalogRun): Promise<WorkflowHandle>;
}

const PATH = 'etc/images/ubuntu.yml';
const waiting = (s: CatalogStatus) => s.state === 'awaiting-approval';

export const catalogCases: CatalogCase[] = [
  {
    name: 'catalog-pr-opened',
    async drive(world, run) {
      world.mirror.publish('Ubuntu 24.04', '20260115');
      world.mirror.publish('Ubuntu 22.04 Minimal', '20260201');
      const h = await run.start({ path: PATH });
      await run.statusWhen(h, waiting, 'awaiting approval');
      await h.executeUpdate(catalogGate.approveUpdate, { args: [{ approver: 'recorder' }] });
      const r = await run.result(h);
      assert.equal(r.state, 'pr-opened');
      assert.equal(world.github.pulls.length, 1);
      return h;
    },
  },
  {
    name: 'catalog-rejected',
    async drive(world, run) {
      world.mirror.publish('Ubuntu 22.04', '20260130');
      const h = await run.start({ path: PATH, keep: 2 });
      await run.statusWhen(h, waiting, 'awaiting approval');
      await h.signal(catalogGate.approveSignal, { digest: `sha256:${'c'.repeat(64)}` });
      await run.statusWhen(h, (s) => s.refusals.length === 1, 'the refused approval recorded');
      await h.signal(catalogGate.rejectSignal, { reason: 'wait for the point release' });
      const r = await run.result(h);
      assert.equal(r.state, 'rejected');
      assert.deepEqual(Object.keys(world.branches()), ['main']);
      return h;
    },
  },
  {
    name: 'catalog-dry-run',
    async drive(world, run) {
      world.mirror.publish('Ubuntu 24.04 Minimal', '20260112');
      const h = await run.start({ path: PATH, dryRun: true });
      const r = await run.result(h);
      assert.equal(r.state, 'dry-run');
      assert.deepEqual(Object.keys(world.branches()), ['main']);
      return h;
    },
  },
  {
    name: 'catalog-checksum-missing',
    async drive(world, run) {
      world.mirror.publish('Ubuntu 24.04', '20260115', { listed: false });
      const h = await run.start({ path: PATH });
      const failure = await run.failure(h);
      assert.equal(failure.type, 'ChecksumNotFound');
      assert.deepEqual(Object.keys(world.branches()), ['main']);
      return h;
    },
  },
];
