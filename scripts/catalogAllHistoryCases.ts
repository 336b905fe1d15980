/**
 * The catalog update of several files (`catalog --repo` without `--path`:
 * every catalog of etc/images/, or `--path` more than once), recorded by
 * record-catalog-histories.ts with `--suffix many` in a world of the five
 * real catalogs: one run's whole table, approval, commit and PR; the files
 * named; one file's checksum missing; and its two activities made to fail,
 * typed. Each is checked against the git remote and the GitHub stand-in.
 */
import assert from 'node:assert/strict';
import { catalogGate, catalogStatusQuery, type CatalogStatus } from '../src/shared/catalog.js';
import { DISTRO_CATALOGS } from '../src/sandbox/catalogWorld.js';
import { expectedFault, FAULT_TYPE, type Fault } from './faultHistoryCases.js';
import type { CatalogCase } from './catalogHistoryCases.js';

const ALL = { catalogs: [...DISTRO_CATALOGS] };
const FILES = DISTRO_CATALOGS.map((d) => `etc/images/${d}.yml`);
const waiting = (s: CatalogStatus) => s.state === 'awaiting-approval';

function allFails(activity: string, approve = false): CatalogCase {
  const name = `catalog-all-fails-${activity}`;
  const fault: Fault = { activity, when: 'alone' };
  return {
    name,
    world: ALL,
    fault,
    async drive(world, run) {
      world.mirror.publish('Ubuntu 24.04', '20260115');
      world.mirror.publish('Debian 12', '20260201');
      const h = await run.start({});
      if (approve) {
        await run.statusWhen(h, waiting, 'awaiting approval');
        await h.executeUpdate(catalogGate.approveUpdate, { args: [{ approver: 'recorder' }] });
      }
      const failure = await run.failure(h);
      assert.equal(failure.type, FAULT_TYPE, failure.message);
      assert.match(failure.message, expectedFault(name, fault));
      assert.equal((await h.query(catalogStatusQuery)).state, 'failed');
      assert.deepEqual(Object.keys(world.branches()), ['main'], 'nothing pushed');
      assert.equal(world.github.pulls.length, 0, 'no pull request');
      return h;
    },
  };
}

export const CATALOG_ALL_CASES: CatalogCase[] = [
  {
    name: 'catalog-all-pr-opened',
    world: ALL,
    async drive(world, run) {
      world.mirror.publish('Ubuntu 24.04', '20260115');
      world.mirror.publish('Debian 12', '20260201');
      const h = await run.start({});
      const s = await run.statusWhen(h, waiting, 'awaiting approval');
      assert.deepEqual(s.files, FILES);
      await h.executeUpdate(catalogGate.approveUpdate, { args: [{ approver: 'recorder' }] });
      const r = await run.result(h);
      assert.equal(r.state, 'pr-opened');
      assert.equal(world.github.pulls.length, 1);
      return h;
    },
  },
  {
    name: 'catalog-all-paths-dry-run',
    world: ALL,
    async drive(world, run) {
      world.mirror.publish('Rocky 9', '20260301');
      const h = await run.start({
        paths: ['etc/images/rockylinux.yml', 'etc/images/ubuntu.yml'],
        dryRun: true,
      });
      const r = await run.result(h);
      assert.equal(r.state, 'dry-run');
      assert.deepEqual(r.files, ['etc/images/rockylinux.yml', 'etc/images/ubuntu.yml']);
      assert.deepEqual(Object.keys(world.branches()), ['main']);
      return h;
    },
  },
  {
    name: 'catalog-all-checksum-missing',
    world: ALL,
    async drive(world, run) {
      world.mirror.publish('Ubuntu 24.04', '20260115');
      world.mirror.publish('Debian 12', '20260201', { listed: false });
      const h = await run.start({});
      const failure = await run.failure(h);
      assert.equal(failure.type, 'ChecksumNotFound');
      assert.match(failure.message, /etc\/images\/debian\.yml: Debian 12/);
      assert.deepEqual(Object.keys(world.branches()), ['main']);
      return h;
    },
  },
  allFails('readCatalogs'),
  allFails('planCatalogs'),
];
