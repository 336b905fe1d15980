/** What every step of a branch bump works with: its input, activities, status and blockable step. */
import type { BranchStatus, BumpBranchInput, ReleaseNotePlan } from '../../shared/bump.js';
import type { Reason } from '../../lib/bump/reason.js';
import type { Blocker, BumpActivities } from '../kit/index.js';

export interface BranchContext {
  input: BumpBranchInput;
  /** `registry/repository` of the image */
  image: string;
  reason: Reason | undefined;
  acts: BumpActivities;
  /** on the lean-history path (Patches.leanHistory) */
  lean: boolean;
  /** side-by-side steps settle before a failure is acted on (Patches.settledSiblings) */
  settle: boolean;
  /** side-by-side reads settle before any of them blocks (Patches.settledLanes, kit/lanes.ts) */
  lanes: boolean;
  status: BranchStatus;
  report(): void;
  step: Blocker['step'];
  /** the release note as it stands (a replacement may have arrived) */
  note(): ReleaseNotePlan;
}

/** Sets the state and shows it. */
export function enter(ctx: BranchContext, state: BranchStatus['state']): void {
  ctx.status.state = state;
  ctx.report();
}
