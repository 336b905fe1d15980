/**
 * What the procedures with one approval (the tag procedures, the retag from
 * a manifest, the catalog update) share in their contracts: the end of their
 * input (approval timeout, activity retries, who asked), the states every one
 * of them can be in, and the end of their status. Plain JSON. Pure.
 */
import { z } from 'zod';
import { DURATIONS } from '../lib/kit/duration.js';
import { durationSchema, retryPolicyInputSchema, type ErrorInfo, type StepInfo } from './bump.js';

/** The last fields of a procedure's input schema; `approvalTimeout` defaults to `defaultTimeout`. */
export function procedureInputFields(defaultTimeout: string) {
  return {
    approvalTimeout: durationSchema(DURATIONS.approvalTimeout).default(defaultTimeout),
    retry: retryPolicyInputSchema.default({
      maximumAttempts: 8,
      initialInterval: '1s',
      maximumInterval: '30s',
    }),
    requestedBy: z.string().max(200).optional(),
  };
}

/** A step waiting for `retry` after an outage, and running again. */
export const WAITING_STATES = ['blocked', 'retrying'] as const;
/** The ends every procedure can have besides its own success. */
export const OTHER_ENDS = ['no-op', 'dry-run', 'rejected', 'expired', 'failed'] as const;
/** The states of a procedure proposing one PR after its approval: push, PR, waiting, and its ends. */
export const PR_STATES = ['pushing', 'opening-pr', ...WAITING_STATES, 'pr-opened', ...OTHER_ENDS] as const;

/** The end of a procedure's status: the decision, the blocked step, the error, what it said and refused. */
export interface ProcedureStatusFields {
  approvedBy?: string | undefined;
  rejectedBecause?: string | undefined;
  step?: StepInfo | undefined;
  error?: ErrorInfo | undefined;
  notices: string[];
  /** refused messages (malformed or misplaced signals), newest last */
  refusals: string[];
}

/** What a procedure that proposes its change as one pull request records of it. */
export interface PullRequestFields {
  workBranch?: string | undefined;
  commitSha?: string | undefined;
  prUrl?: string | undefined;
  prNumber?: number | undefined;
}
