/** What every step of the parent bump works with. */
import type { BranchStatus, BumpInput, BumpStatus } from '../../shared/bump.js';
import type { Reason } from '../../lib/bump/reason.js';
import type { Blocker, BumpActivities } from '../kit/index.js';

export interface BumpContext {
  input: BumpInput;
  reason: Reason | undefined;
  acts: BumpActivities;
  /** on the lean-history path (Patches.leanHistory) */
  lean: boolean;
  /** side-by-side steps settle before a failure is acted on (Patches.settledSiblings) */
  settle: boolean;
  /** side-by-side reads settle before any of them blocks (Patches.settledLanes, kit/lanes.ts) */
  lanes: boolean;
  status: BumpStatus;
  report(): void;
  step: Blocker['step'];
  /** branch → child workflow id, once started */
  children: Map<string, string>;
}

/** The children a payload addresses: the one it names (by branch or tag), or all. */
export function targets(status: BumpStatus, branch: string | undefined): BranchStatus[] {
  if (branch === undefined) return status.branches;
  return status.branches.filter((b) => b.branch === branch || b.tag === branch);
}
