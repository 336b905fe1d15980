/**
 * The failure taxonomy: one place that names every way a bump can fail.
 *
 * Activities and helpers throw `BumpflowError`s; the activity layer turns the
 * non-retryable ones into `ApplicationFailure.nonRetryable(message, type)` so
 * Temporal stops retrying, and lets retryable ones (outages) be retried with
 * backoff. Workflows and the client match on `type`, never on message text.
 *
 * This module is imported by workflow code: keep it free of I/O.
 */
import { ApplicationFailure } from '@temporalio/common';

/** Failures that no retry can fix. */
export const FatalFailure = {
  BadInput: 'BadInput',
  UnknownService: 'UnknownService',
  AmbiguousService: 'AmbiguousService',
  MissingBranch: 'MissingBranch',
  RepoNotFound: 'RepoNotFound',
  MalformedVarsFile: 'MalformedVarsFile',
  NotPinnedByDigest: 'NotPinnedByDigest',
  InconsistentPins: 'InconsistentPins',
  ManifestUnknown: 'ManifestUnknown',
  LabelMissing: 'LabelMissing',
  LabelMismatch: 'LabelMismatch',
  StaleTag: 'StaleTag',
  FixNotIncluded: 'FixNotIncluded',
  AuthRefused: 'AuthRefused',
  ForgeMisconfigured: 'ForgeMisconfigured',
  DigestMismatch: 'DigestMismatch',
  PushRejected: 'PushRejected',
  UnsupportedMediaType: 'UnsupportedMediaType',
  TagExists: 'TagExists',
  DigestShared: 'DigestShared',
} as const;
export type FatalFailureType = (typeof FatalFailure)[keyof typeof FatalFailure];

/** Failures that a later attempt may not see (outages, rate limits, timeouts). */
export const TransientFailure = {
  RegistryUnavailable: 'RegistryUnavailable',
  GitUnavailable: 'GitUnavailable',
  ForgeUnavailable: 'ForgeUnavailable',
} as const;
export type TransientFailureType = (typeof TransientFailure)[keyof typeof TransientFailure];

export type FailureType = FatalFailureType | TransientFailureType;

const fatalTypes: ReadonlySet<string> = new Set(Object.values(FatalFailure));

export function isFatalFailureType(type: string | undefined | null): type is FatalFailureType {
  return type != null && fatalTypes.has(type);
}

/**
 * A typed error. `message` says what was expected, what was found, and shows
 * the input; `details` carries the same as data (candidates, found values).
 * Never put a secret in either.
 */
export class BumpflowError extends Error {
  readonly type: FailureType;
  readonly details: Record<string, unknown> | undefined;
  /** For a transient failure: how long the other side asked us to wait (429 Retry-After). */
  readonly retryAfterMs: number | undefined;

  constructor(
    type: FailureType,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = type;
    this.type = type;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
  }

  get retryable(): boolean {
    return !isFatalFailureType(this.type);
  }
}

export function fatal(type: FatalFailureType, message: string, details?: Record<string, unknown>): BumpflowError {
  return new BumpflowError(type, message, details === undefined ? {} : { details });
}

export function transient(
  type: TransientFailureType,
  message: string,
  options: { cause?: unknown; retryAfterMs?: number; details?: Record<string, unknown> } = {},
): BumpflowError {
  return new BumpflowError(type, message, options);
}

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
