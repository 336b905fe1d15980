/**
 * The catalog update's failure paths (issue 20): each activity the update
 * calls fails in turn, typed (faultHistoryCases.ts); the four images' checks
 * run side by side, so one of them fails while its siblings still run, after
 * they finished, and as one of them finishes (Patches.settledSiblings: all
 * settle first). The update must fail with the typed failure, its status
 * answering (`failed`, the error), no PR opened, nothing pushed — or, where
 * the push came before the fault, the work branch as the status reports it.
 * record-catalog-histories.ts records them (`--suffix faults`);
 * test/workflows/procedureFaults.test.ts runs them live.
 */
import assert from 'node:assert/strict';
import { catalogGate, catalogStatusQuery } from '../src/shared/catalog.js';
import { expectedFault, FAULT_TYPE, type Fault } from './faultHistoryCases.js';
import type { CatalogCase } from './catalogHistoryCases.js';

const PATH = 'etc/images/ubuntu.yml';

function catalogFails(
  activity: string,
  o: { approve?: boolean; pushed?: boolean } = {},
  more: Partial<Fault> = {},
  label = activity,
): CatalogCase {
  const name = `catalog-fails-${label}`;
  const fault: Fault = { activity, when: 'alone', ...more };
  return {
    name,
    fault,
    async drive(world, run) {
      world.mirror.publish('Ubuntu 24.04', '20260115');
      const h = await run.start({ path: PATH });
      if (o.approve) {
        await run.statusWhen(h, (s) => s.state === 'awaiting-approval', 'awaiting approval');
        await h.executeUpdate(catalogGate.approveUpdate, { args: [{ approver: 'recorder' }] });
      }
      const failure = await run.failure(h);
      assert.equal(failure.type, FAULT_TYPE, failure.message);
      assert.match(failure.message, expectedFault(name, fault));
      const status = await h.query(catalogStatusQuery);
      assert.equal(status.state, 'failed');
      assert.equal(status.error?.type, FAULT_TYPE);
      assert.equal(world.github.pulls.length, 0, 'no pull request');
      const branches = world.branches();
      if (o.pushed) {
        assert.ok(status.workBranch !== undefined && status.commitSha !== undefined, 'the push reported');
        assert.deepEqual(Object.keys(branches).sort(), ['main', status.workBranch].sort());
        assert.equal(
          branches[status.workBranch],
          status.commitSha,
          'the work branch holds the commit reported',
        );
      } else {
        assert.equal(status.commitSha, undefined, 'nothing reported pushed');
        assert.deepEqual(Object.keys(branches), ['main'], 'nothing pushed');
      }
      return h;
    },
  };
}

/** The four enabled images' checks, side by side. */
const CHECKS = { siblings: 4 } as const;

export const CATALOG_FAULT_CASES: CatalogCase[] = [
  catalogFails('readCatalog'),
  catalogFails('checkImage', {}, { ...CHECKS, when: 'first' }, 'checkImage-first'),
  catalogFails('checkImage', {}, { ...CHECKS, when: 'last' }, 'checkImage-last'),
  catalogFails('checkImage', {}, { ...CHECKS, when: 'together' }, 'checkImage-together'),
  catalogFails('planCatalog'),
  catalogFails('checkForge'),
  catalogFails('pushFiles', { approve: true }),
  catalogFails('openPullRequest', { approve: true, pushed: true }),
];

/** The cases whose failure races side-by-side siblings: run again with no workflow cache. */
export const CATALOG_RACING = new Set([
  'catalog-fails-checkImage-first',
  'catalog-fails-checkImage-last',
  'catalog-fails-checkImage-together',
]);
