/**
 * The identity of one delivery (one notice to one target): the same on every
 * try, so the sent-ledger can skip what was sent and a receiver can drop a
 * duplicate (`x-bumpflow-delivery`). Pure.
 */
import { createHash } from 'node:crypto';
import type { Notice } from '../../../shared/notices.js';

/** hex sha256 of `workflowId\nrunId\nkey\ntarget` */
export function deliveryId(notice: Pick<Notice, 'workflowId' | 'runId' | 'key'>, target: string): string {
  return createHash('sha256')
    .update([notice.workflowId, notice.runId, notice.key, target].join('\n'))
    .digest('hex');
}

export const DELIVERY_ID = /^[0-9a-f]{64}$/;
