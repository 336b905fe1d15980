/**
 * The sweep's failure paths (issue 20): each activity the sweep calls (the
 * branch listing, then the one that checks every pin) fails in turn, typed
 * (faultHistoryCases.ts). The sweep must fail with the typed failure (a
 * scheduled sweep's failure is told: Patches.notices), its status answering
 * where it stopped, no bump started. record-sweep-histories.ts records them
 * (`--suffix faults`); test/workflows/procedureFaults.test.ts runs them live.
 */
import assert from 'node:assert/strict';
import { expectedFault, FAULT_TYPE, type Fault } from './faultHistoryCases.js';
import type { SweepCase } from './sweepHistoryCases.js';

function sweepFails(activity: string, state: 'listing' | 'resolving'): SweepCase {
  const name = `sweep-fails-${activity}`;
  const fault: Fault = { activity, when: 'alone' };
  return {
    name,
    fault,
    behind: [{ image: 'ghcr.io/vexxhost/magnum', branch: 'main' }],
    request: {},
    check: () => assert.fail('expected the sweep to fail'),
    failed(failure, status) {
      assert.equal(failure.type, FAULT_TYPE, failure.message);
      assert.match(failure.message, expectedFault(name, fault));
      assert.equal(status.state, state, 'the status answers where the sweep stopped');
      assert.equal(status.branches.length > 0, state === 'resolving', 'branches listed before the check');
      assert.deepEqual(status.bumps, [], 'no bump started');
    },
  };
}

export const SWEEP_FAULT_CASES: SweepCase[] = [
  sweepFails('listBranches', 'listing'),
  sweepFails('checkSweepPins', 'resolving'),
];
