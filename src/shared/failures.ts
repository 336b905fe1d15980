/**
 * The failure taxonomy: one place that names every way a procedure can fail.
 *
 * Activities and helpers throw `BumpflowError`s; the activity layer turns the
 * non-retryable ones into `ApplicationFailure.nonRetryable(message, type)` so
 * Temporal stops retrying, and lets retryable ones (outages) be retried with
 * backoff. Workflows and the client match on `type`, never on message text.
 *
 * This module is imported by workflow code and by src/lib: keep it free of
 * I/O and of Temporal (its Temporal form is in temporalFailure.ts).
 */

/**
 * Fatal failures (no retry can fix them), grouped by where they come from, so
 * every procedure reuses the same names and an operator knows where to look.
 */
/** What a person or a file asked for is not usable. */
export const InputFailure = {
  BadInput: 'BadInput',
  UnknownService: 'UnknownService',
  AmbiguousService: 'AmbiguousService',
  MissingBranch: 'MissingBranch',
  MalformedVarsFile: 'MalformedVarsFile',
  NotPinnedByDigest: 'NotPinnedByDigest',
  InconsistentPins: 'InconsistentPins',
  /** the procedure was rejected by a person */
  Rejected: 'Rejected',
  /** the worker's config names no signature policy (key or keyless identity) for the image */
  NoTrustPolicy: 'NoTrustPolicy',
  /** a rollback found no earlier stamp whose digest differs from the current tag */
  NoRollbackTarget: 'NoRollbackTarget',
  MalformedCatalog: 'MalformedCatalog',
  MalformedChecksumFile: 'MalformedChecksumFile',
  ChecksumNotFound: 'ChecksumNotFound',
  /** a distro mirror's directory listing names no dated build (`YYYYMMDD/`, `release-YYYYMMDD/`), or an undated image has no Last-Modified date */
  NoDatedBuild: 'NoDatedBuild',
  MalformedManifest: 'MalformedManifest',
  /** an answer (manifest, config, checksum file, API body) longer than bumpflow reads into memory */
  TooLarge: 'TooLarge',
  NoticeRefused: 'NoticeRefused',
  /** the image file a catalog entry's `url` names is not there (HTTP 404 or 410) */
  ImageNotFound: 'ImageNotFound',
} as const;
/** The registry answered, definitely. */
export const RegistryFailure = {
  ManifestUnknown: 'ManifestUnknown',
  UnsupportedMediaType: 'UnsupportedMediaType',
  TagExists: 'TagExists',
  DigestShared: 'DigestShared',
} as const;
/** git answered, definitely. */
export const GitFailure = {
  RepoNotFound: 'RepoNotFound',
  PushRejected: 'PushRejected',
} as const;
/** The forge (GitHub) answered, definitely, or is not where the worker's settings say. */
export const ForgeFailure = {
  ForgeMisconfigured: 'ForgeMisconfigured',
} as const;
/** The S3-compatible store of the image mirror answered, definitely. */
export const StoreFailure = {
  /** the bucket does not exist, or the endpoint refuses the request as malformed: fix the mirror's config */
  StoreMisconfigured: 'StoreMisconfigured',
  /** an object at the mirror key holds other bytes than the catalog's checksum: never overwritten */
  MirrorObjectDiffers: 'MirrorObjectDiffers',
  /** a catalog's mirror_url is not under the worker's mirror (catalog.mirror.baseUrl): no key to upload it to */
  MirrorMisconfigured: 'MirrorMisconfigured',
} as const;
/** A registry, git server, forge or the image mirror's store refused the worker's credentials (fix the worker's environment). */
export const AccessFailure = {
  AuthRefused: 'AuthRefused',
  /**
   * the host of a URL (a repo, a registry, the forge, a mirror) does not resolve: a typo in the
   * input or the config, or a DNS outage; a blockable step shows it `blocked` at once, no retries spent
   */
  HostNotFound: 'HostNotFound',
} as const;
/** bumpflow's own checks said no: the change is not the one it claims to be. */
export const VerdictFailure = {
  LabelMissing: 'LabelMissing',
  LabelMismatch: 'LabelMismatch',
  StaleTag: 'StaleTag',
  FixNotIncluded: 'FixNotIncluded',
  DigestMismatch: 'DigestMismatch',
  /** no cosign signature of the digest was found (`.sig` tag, referrers) */
  Unsigned: 'Unsigned',
  /** signatures were found but none verifies with the trusted key or certificate authority */
  SignatureInvalid: 'SignatureInvalid',
  /** a signature verifies, but its certificate's identity or issuer is not the one trusted */
  SignerMismatch: 'SignerMismatch',
  /** a valid signature signs another digest (`critical.image.docker-manifest-digest`) */
  SignedDigestMismatch: 'SignedDigestMismatch',
  /** a keyless signature has no verified transparency-log entry or RFC 3161 timestamp to say when it was made */
  NoVerifiedTimestamp: 'NoVerifiedTimestamp',
  /** a write no approved plan covers: a retag entry its named retag run did not plan and get approved, or a tag under promotion policy */
  UnapprovedWrite: 'UnapprovedWrite',
  /** the bytes streamed from an image's url do not hash to the catalog's checksum */
  ChecksumMismatch: 'ChecksumMismatch',
} as const;

/** Every fatal failure, by name. */
export const FatalFailure = {
  ...InputFailure,
  ...RegistryFailure,
  ...GitFailure,
  ...ForgeFailure,
  ...StoreFailure,
  ...AccessFailure,
  ...VerdictFailure,
} as const;
export type FatalFailureType = (typeof FatalFailure)[keyof typeof FatalFailure];

/** Failures that a later attempt may not see (outages, rate limits, timeouts), by where they come from. */
export const TransientFailure = {
  RegistryUnavailable: 'RegistryUnavailable',
  GitUnavailable: 'GitUnavailable',
  /** a distro mirror (checksum files, listings) did not answer, or answered 5xx / 429 */
  MirrorUnavailable: 'MirrorUnavailable',
  ForgeUnavailable: 'ForgeUnavailable',
  /** the image mirror's S3-compatible store did not answer, or answered 5xx / 503 SlowDown */
  StoreUnavailable: 'StoreUnavailable',
  NoticeNotDelivered: 'NoticeNotDelivered',
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

export function fatal(
  type: FatalFailureType,
  message: string,
  details?: Record<string, unknown>,
): BumpflowError {
  return new BumpflowError(type, message, details === undefined ? {} : { details });
}

export function transient(
  type: TransientFailureType,
  message: string,
  options: { cause?: unknown; retryAfterMs?: number; details?: Record<string, unknown> } = {},
): BumpflowError {
  return new BumpflowError(type, message, options);
}

/** Where a failure type comes from: input, registry, git, forge, store, access, verdict, or an outage. */
export function failureOrigin(
  type: string,
): 'input' | 'registry' | 'git' | 'forge' | 'store' | 'access' | 'verdict' | 'outage' | 'unknown' {
  const groups = {
    input: InputFailure,
    registry: RegistryFailure,
    git: GitFailure,
    forge: ForgeFailure,
    store: StoreFailure,
    access: AccessFailure,
    verdict: VerdictFailure,
    outage: TransientFailure,
  };
  for (const [origin, group] of Object.entries(groups))
    if (Object.values(group).includes(type as never)) return origin as keyof typeof groups;
  return 'unknown';
}
