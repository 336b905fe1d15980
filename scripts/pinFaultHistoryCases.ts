/**
 * The pin run's failure paths (issue 23; faults as in faultHistoryCases.ts):
 * the sweep `sweep-pins` runs (record-sweep-histories.ts, `--suffix pin`),
 * with one activity of main's pin run made to fail, typed. The sweep itself
 * ends as there; main's pin run must end `failed` with the typed failure,
 * nothing pushed and no PR; stable/2025.1's is rejected as in `sweep-pins`.
 * Recorded: the sweep and both pin runs (<case>.pin-{sweep,pin-main,pin-2025.1}.json).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { pinGate, pinStatusQuery, type PinResult } from '../src/shared/pin.js';
import type { SweepWorld } from '../src/sandbox/sweepWorld.js';
import type { SweepResult } from '../src/workflows/sweep/sweepInput.js';
import { expectedFault, FAULT_TYPE, type Fault } from './faultHistoryCases.js';
import { withDeadline } from './historyRecording.js';
import {
  awaitPinApproval,
  pinChild,
  sweepCases,
  type RecordedChild,
  type SweepCase,
} from './sweepHistoryCases.js';

const sweepPins = sweepCases.find((c) => c.name === 'sweep-pins')!;

/** main's pin run: its activities' inputs name the branch as `branch` (reads) or `baseBranch` (the push) */
const onMain = (input: unknown): boolean => {
  const i = input as { branch?: string; baseBranch?: string };
  return (i.branch ?? i.baseBranch) === 'main';
};

/** The pin run ended failed with the case's typed failure: its result, and the status it answers. */
async function pinFailed(client: Client, workflowId: string, name: string, fault: Fault): Promise<PinResult> {
  const handle = client.workflow.getHandle(workflowId);
  const err = await withDeadline(handle.result(), 60_000, workflowId).then(
    () => new Error(`expected ${workflowId} to fail, it ended`),
    (e: unknown) => e,
  );
  if (!(err instanceof WorkflowFailedError)) throw err;
  const cause = err.cause as { type?: string; message?: string; cause?: { type?: string; message?: string } };
  const typed = cause.type === undefined && cause.cause !== undefined ? cause.cause : cause;
  assert.equal(typed.type, FAULT_TYPE, typed.message);
  assert.match(typed.message ?? '', expectedFault(name, fault));
  const status = await handle.query(pinStatusQuery);
  assert.equal(status.state, 'failed');
  assert.equal(status.error?.type, FAULT_TYPE);
  assert.match(status.error?.message ?? '', expectedFault(name, fault));
  assert.equal(status.commitSha, undefined, 'nothing pushed');
  assert.equal(status.prUrl, undefined, 'no PR');
  return status;
}

/** The pin run rejected at its gate, as in `sweep-pins`. */
async function pinRejected(client: Client, workflowId: string): Promise<void> {
  const handle = await awaitPinApproval(client, workflowId);
  await handle.executeUpdate(pinGate.rejectUpdate, { args: [{ reason: 'recorded', approver: 'recorder' }] });
  const end = (await withDeadline(handle.result(), 60_000, workflowId)) as PinResult;
  assert.equal(end.state, 'rejected', JSON.stringify(end.error));
}

/** No work branch pushed, no pull request opened. */
function nothingProposed(world: SweepWorld): void {
  const bare = world.git.barePath(new URL(world.targetUrl).pathname.slice(1));
  const heads = execFileSync(
    'git',
    ['--git-dir', bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/'],
    {
      encoding: 'utf8',
    },
  );
  assert.deepEqual(heads.trim().split('\n').sort(), ['main', 'stable/2025.1'], 'no pin-digests-* branch');
  assert.equal(world.github.pulls.length, 0, 'no pull request');
}

function pinFails(
  activity: string,
  drive: (client: Client, r: SweepResult, fault: Fault, name: string) => Promise<void>,
): SweepCase {
  const name = `sweep-pins-fails-${activity}`;
  // main's first call only: stable/2025.1's run reads (and resolves) as in sweep-pins
  const fault: Fault = { activity, when: 'alone', nth: 1, match: onMain };
  return {
    ...sweepPins,
    name,
    fault,
    async drive(client, r, world) {
      await drive(client, r, fault, name);
      nothingProposed(world);
      return (r.pins ?? []).map((p): RecordedChild => pinChild(p));
    },
  };
}

const pinRun = (r: SweepResult, branch: string): string => {
  const p = (r.pins ?? []).find((x) => x.branch === branch);
  assert.ok(p, `expected a pin run on ${branch}`);
  return p.workflowId;
};

export const PIN_FAULT_CASES: SweepCase[] = [
  // main's run fails reading its vars file; stable/2025.1's reaches its gate and is rejected
  pinFails('readUnpinned', async (client, r, fault, name) => {
    const status = await pinFailed(client, pinRun(r, 'main'), name, fault);
    assert.deepEqual(status.rows, [], 'nothing read');
    assert.equal(status.workBranch, undefined);
    await pinRejected(client, pinRun(r, 'stable/2025.1'));
  }),
  // main's run approved, its push fails; stable/2025.1's rejected
  pinFails('pushPins', async (client, r, fault, name) => {
    const main = await awaitPinApproval(client, pinRun(r, 'main'));
    await main.executeUpdate(pinGate.approveUpdate, { args: [{ approver: 'recorder' }] });
    const status = await pinFailed(client, main.workflowId, name, fault);
    assert.equal(status.approvedBy, 'recorder');
    assert.equal(status.workBranch, 'pin-digests-main');
    await pinRejected(client, pinRun(r, 'stable/2025.1'));
  }),
];
