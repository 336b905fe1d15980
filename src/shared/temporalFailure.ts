/** The Temporal form of the failure taxonomy: used by the activity layer and by workflow code. */
import { ApplicationFailure } from '@temporalio/common';
import type { BumpflowError } from './failures.js';

/**
 * The Temporal form of a BumpflowError: non-retryable for fatal types, and for
 * transient ones a retryable failure that honours Retry-After.
 */
export function toApplicationFailure(err: BumpflowError): ApplicationFailure {
  return ApplicationFailure.create({
    type: err.type,
    message: err.message,
    nonRetryable: !err.retryable,
    details: err.details === undefined ? [] : [err.details],
    ...(err.retryAfterMs === undefined ? {} : { nextRetryDelay: err.retryAfterMs }),
  });
}
