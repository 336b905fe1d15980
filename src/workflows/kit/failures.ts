/**
 * How workflow code reads failures: fatal (no retry can fix it) or an outage
 * that outlasted its retries; the short form shown to an operator; and pure
 * code whose typed errors must fail the workflow, never its task.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  TimeoutFailure,
} from '@temporalio/workflow';
import { BumpflowError } from '../../shared/failures.js';
import { toApplicationFailure } from '../../shared/temporalFailure.js';
import type { ErrorInfo } from '../../shared/bump.js';

/** Runs pure code whose typed errors must fail the workflow, not its task. */
export function pure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BumpflowError) throw toApplicationFailure(err);
    throw err;
  }
}

function causeOf(err: unknown): unknown {
  if ((err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) && err.cause) return err.cause;
  return err;
}

/** A failure that no retry can fix (as opposed to an outage that outlasted the retry budget). */
export function isFatal(err: unknown): boolean {
  const cause = causeOf(err);
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

export function errorInfo(err: unknown): ErrorInfo {
  const cause = causeOf(err);
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  if (cause instanceof TimeoutFailure)
    return { type: 'Timeout', message: `timed out (${cause.timeoutType})` };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

/** The typed failure itself (not "activity task failed"), so the UI and `result()` show it first. */
export function surfaced(err: unknown): unknown {
  const cause = causeOf(err);
  if (cause instanceof ApplicationFailure && cause !== err) {
    return ApplicationFailure.create({
      message: cause.message,
      type: cause.type ?? undefined,
      nonRetryable: true,
      details: cause.details ?? undefined,
      cause,
    });
  }
  return err;
}
