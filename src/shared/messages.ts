/**
 * The operator's contract: workflow types, signals, queries, updates and
 * their payloads, search attributes and ids. Imported by the client, the
 * workflows and the tests so that no name can drift. Pure: safe inside the
 * workflow sandbox. Every handler parses its input with the schema named
 * beside its definition (see src/shared/payloads.ts).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RetryPayload } from './payloads.js';
import { defineGateMessages } from './gateMessages.js';
import type { BranchStatus, BumpStatus, ReleaseNotePlan } from './bump.js';

export * from './bump.js';
export * from './payloads.js';
export * from './searchAttributes.js';
export * from './ids.js';
export * from './tags.js';
export * from './tagMessages.js';
export * from './catalog.js';
export { defineGateMessages } from './gateMessages.js';
export { patternProblem, type ApprovalRule } from './approvalRule.js';

export const DEFAULT_TASK_QUEUE = 'bumpflow';

export const WorkflowType = { bumpImage: 'bumpImage', bumpBranch: 'bumpBranch' } as const;
export const Procedures = {
  bump: 'bump',
  promote: 'promote',
  rollback: 'rollback',
  cleanup: 'cleanup',
  imageRepository: 'image-repo',
} as const;

const gate = defineGateMessages<BranchStatus>({
  approve: 'approve',
  reject: 'reject',
  approveUpdate: 'approveBranch',
  rejectUpdate: 'rejectBranch',
});
/** `{}` or `{branch?, digest?, approver?, note?}` (approvePayloadSchema) */
export const approveSignal = gate.approveSignal;
/** `{reason, branch?, approver?}` (rejectPayloadSchema) */
export const rejectSignal = gate.rejectSignal;
/** Same as the signals, but refused at once with a reason (for the CLI). Sent to a child. */
export const approveUpdate = gate.approveUpdate;
export const rejectUpdate = gate.rejectUpdate;
/** `{}` or `{branch?}` (retryPayloadSchema): leave `blocked` and try the step again */
export const retrySignal = defineSignal<[RetryPayload]>('retry');

/** Internal: a child reports its status to the parent (branchStatusSchema). */
export const branchStatusSignal = defineSignal<[BranchStatus]>('branchStatus');
/** Internal: the parent hands every child the same replacement release note (releaseNotePlanSchema). */
export const replaceNoteSignal = defineSignal<[ReleaseNotePlan]>('replaceNote');

export const statusQuery = defineQuery<BumpStatus>('status');
export const branchStatusQuery = defineQuery<BranchStatus>('branchStatus');
export * from './retag.js';
