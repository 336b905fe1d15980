/**
 * The `patched()` ids of the workflows, one per change of the commands they
 * issue (see test/replay/README.md). A workflow asks once, at its start, so a
 * run keeps one behaviour from its first task to its last; histories recorded
 * before a change replay on the old path.
 */
import { patched } from '@temporalio/workflow';

export const Patches = {
  /**
   * Bump parent and branches: reads as local activities, a branch reports to
   * its parent only on the states the parent acts on, main's old-image facts
   * come from the parent, the old and new images are inspected together.
   */
  leanHistory: 'bump-lean-history-1',
  /**
   * Every procedure: notices to the configured targets when it waits for
   * approval, is blocked, fails or opens its PRs (kit/notices.ts).
   */
  notices: 'notices-1',
  /**
   * retagImage: before any write, the entry's retag run (`notify`) is asked
   * whether it planned this entry and got it approved, and a tag under
   * promotion policy is refused (checkRetagWrite).
   */
  retagApproval: 'retag-approval-1',
  /**
   * promoteImage, rollbackImage, cleanupTags: before the approval step the
   * worker's own rule is read (workerTagApproval, a local activity) and a plan
   * waits for a human when the worker's rule or the request asks it; a
   * clean-up's threshold is the lower of the request's and the worker's.
   */
  workerApproval: 'worker-approval-1',
  /**
   * Every procedure with side-by-side steps (bump parent and branches, the
   * catalog update, inspectTags' signature checks): the steps all settle
   * before a failure is acted on, and the failure acted on is the first by
   * index (kit/settle.ts), so a failure never races its siblings' commands.
   * inspectTags asks it since the cross-procedure fault cases (issue 20): an
   * outage of one verification used to fail the run while the others of its
   * batch still ran. (Notices, forwarded signals and the bump's fan-out run
   * side by side too, but none of them can reject: each catches its own.)
   */
  settledSiblings: 'settled-siblings-1',
  /**
   * promoteImage, rollbackImage: before the approval step, where the audit
   * will be a GitHub release, the forge and the token are checked
   * (checkAuditForge); a refusal or an outage blocks there, before any tag is
   * written, and `retry` checks again (tags/checkAuditForge.ts).
   */
  auditForgeCheck: 'audit-forge-check-1',
  /**
   * bumpImage: a `retry` forwarded to blocked branches shows them `retrying`
   * in the parent's status (and its search attributes) at once, not only when
   * each branch reports back (bump/forwardMessages.ts).
   */
  retryShown: 'bump-retry-shown-1',
  /**
   * bumpImage and bumpBranch planning: side-by-side reads run in two phases
   * (kit/lanes.ts): all settle first with nothing reported, then the lanes
   * that failed on an outage go `blocked` one after another, so a read
   * blocked as a sibling ends never issues its commands in another order on
   * replay (issue 20).
   */
  settledLanes: 'settled-lanes-1',
  /**
   * bumpImage: a `branchStatus` is a hint, never the word (a person can send
   * one): the parent asks the branch named for its status (lookAtWorkflow, a
   * local activity) and shows that; a report no branch of the bump sent is
   * refused and recorded (bump/branchReports.ts).
   */
  reportConfirmed: 'bump-report-confirmed-1',
  /**
   * bumpImage: the branch reports that arrive while a look is under way are
   * asked of their branches together, in one lookAtWorkflows, not one
   * lookAtWorkflow each (bump/branchReports.ts; issue 21: 24 looks per
   * 8-branch bump became a handful).
   */
  reportsBatched: 'bump-reports-batched-1',
  /**
   * updateCatalog: after approval, before the push, each new image is
   * streamed to the worker's S3 mirror under the key its mirror_url names
   * (mirrorCatalogImage; catalog/mirrorImages.ts); the PR lists the objects
   * (issue 22).
   */
  catalogMirror: 'catalog-mirror-1',

  /**
   * retagManifest: a `retagEntryDone` is a hint, never the word: the run asks
   * the entry named (lookAtWorkflow) and records the outcome its own status
   * shows, once it has ended; a word no entry of the run sent is refused and
   * recorded (retag/entryReports.ts).
   */
  retagEntryConfirmed: 'retag-entry-confirmed-1',
} as const;

/** True for a run started on (or after) the change named; asked once per workflow. */
export function onPatch(id: (typeof Patches)[keyof typeof Patches]): boolean {
  return patched(id);
}
