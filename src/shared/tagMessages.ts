/**
 * The tag procedures' messages (promote, rollback, clean-up) and their
 * repository queue's. The gate's payloads are the bump's (approvePayloadSchema,
 * rejectPayloadSchema); a `branch` or `note` in them is refused, a `digest`
 * binds the approval to the planned digest. Pure.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineGateMessages } from './gateMessages.js';
import type { QueueRequest, QueueStatus, TagStatus } from './tags.js';

export const TagWorkflowType = {
  imageRepository: 'imageRepository',
  promote: 'promoteImage',
  rollback: 'rollbackImage',
  cleanup: 'cleanupTags',
  inspect: 'inspectTags',
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
