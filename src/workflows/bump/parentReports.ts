/**
 * Which of a branch's status changes its parent is told about. On the lean
 * path (Patches.leanHistory) only those the parent acts on: entering a state
 * where it forwards approvals, retries or refuses a note (awaiting approval,
 * blocked, pushing), leaving a waiting one, and a refused message (the
 * operator sent it to the parent and reads the answer there). The rest shows on the branch's
 * own workflow (UI, status query); the CLI asks the branches for it.
 */
import type { BranchState } from '../../shared/bump.js';

const ACTED_ON: readonly BranchState[] = ['awaiting-approval', 'blocked', 'pushing'];
const WAITING: readonly BranchState[] = ['awaiting-approval', 'blocked', 'retrying'];

export function parentTeller(
  lean: boolean,
): (status: { state: BranchState; refusals: readonly string[] }) => boolean {
  let told: BranchState | undefined;
  let refusalsTold = '0:undefined';
  return ({ state, refusals }) => {
    if (!lean) return true;
    const refused = `${refusals.length}:${refusals.at(-1)}` !== refusalsTold;
    const moved =
      state !== told && (ACTED_ON.includes(state) || (told !== undefined && WAITING.includes(told)));
    if (!refused && !moved) return false;
    told = state;
    refusalsTold = `${refusals.length}:${refusals.at(-1)}`;
    return true;
  };
}
