/**
 * The tag procedures' messages (promote, rollback, clean-up) and their
 * repository queue's. The gate's payloads are the bump's (approvePayloadSchema,
 * rejectPayloadSchema); a `branch` or `note` in them is refused, a `digest`
 * binds the approval to the planned digest. Pure.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineGateMessages } from './gateMessages.js';
import type { QueueRequest, QueueStatus, TagStatus } from './tags.js';
import type { RetagEntryDone, RetagStatus } from './retag.js';

export const TagWorkflowType = {
  imageRepository: 'imageRepository',
  promote: 'promoteImage',
  rollback: 'rollbackImage',
  cleanup: 'cleanupTags',
  inspect: 'inspectTags',
  /** one entry of a retag, a child of the repository's queue */
  retag: 'retagImage',
  /** the retag from a reviewed manifest (not queued: its entries are) */
  retagManifest: 'retagManifest',
} as const;

export const tagGate = defineGateMessages<TagStatus>({
  approve: 'approve',
  reject: 'reject',
  approveUpdate: 'approvePlan',
  rejectUpdate: 'rejectPlan',
});

export const tagStatusQuery = defineQuery<TagStatus>('status');

/** To the queue: run this procedure when the repository's earlier requests are done (queueRequestSchema). */
export const queueRequestSignal = defineSignal<[QueueRequest]>('request');
export const queueStatusQuery = defineQuery<QueueStatus>('status');

/** The retag from a manifest: the same gate names as the tag procedures, answering with its own status. */
export const retagGate = defineGateMessages<RetagStatus>({
  approve: 'approve',
  reject: 'reject',
  approveUpdate: 'approvePlan',
  rejectUpdate: 'rejectPlan',
});
export const retagStatusQuery = defineQuery<RetagStatus>('status');
/** Internal: a retagImage child tells its retagManifest how its entry ended (retagEntryDoneSchema). */
export const retagEntryDoneSignal = defineSignal<[RetagEntryDone]>('retagEntryDone');
