/**
 * The tag procedures' data (promote, rollback, clean-up) and the queue of one
 * image repository that runs them one at a time: inputs (parsed at the
 * workflow's start and at the queue's request signal), states, status, plan,
 * results. Plain JSON, no secrets. Pure.
 */
import { z } from 'zod';
import { durationSchema, type ErrorInfo } from './bump.js';
import { DURATIONS } from '../lib/kit/duration.js';
import { digestSchema } from './payloads.js';
import { OTHER_ENDS, procedureInputFields, WAITING_STATES, type ProcedureStatusFields } from './procedure.js';

/** A tag as the distribution spec allows it; the one pattern every module checks tags with. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** What TAG_PATTERN allows, in words, for messages. */
export const TAG_EXPECTED =
  'a tag of letters, digits, _ . - (not starting with . or -, at most 128 characters)';
const tag = z.string().regex(TAG_PATTERN, { message: `expected ${TAG_EXPECTED}` });
export const DEFAULT_TAG_APPROVAL_TIMEOUT = '24h';

export const imageNameSchema = z.lazy(() =>
  z.strictObject({
    registry: z.string().regex(/^[a-z0-9.-]+(:\d+)?$/),
    repository: z.string().regex(/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/),
  }),
);
export type ImageName = z.infer<typeof imageNameSchema>;

const approval = z.strictObject({ required: z.boolean(), pattern: z.string().max(200).optional() });
const common = {
  image: imageNameSchema,
  approval: approval.default({ required: true }),
  ...procedureInputFields(DEFAULT_TAG_APPROVAL_TIMEOUT),
};

export const cleanupSpecSchema = z.strictObject({
  patterns: z.array(z.string().min(1).max(200)).min(1).max(20),
  olderThan: durationSchema(DURATIONS.olderThan),
  keep: z.number().int().min(0).max(10_000).optional(),
  /** approval is asked when more tags than this would be deleted */
  approveAbove: z.number().int().min(0).max(100_000).default(10),
});
export type CleanupSpec = z.infer<typeof cleanupSpecSchema>;

export const promoteInputSchema = z.lazy(() =>
  z.strictObject({
    ...common,
    /** a tag (`staging`, `change_123_latest`) or a digest */
    from: z.union([tag, digestSchema]),
    /** tags moved to the digest, e.g. ['prod', 'latest'] */
    to: z.array(tag).min(1).max(20),
    /** an immutable tag created (never moved): `prod-{date}-{revision:7}`; null for none */
    stamp: z.string().min(1).max(200).nullable(),
    /** after the promotion, delete tags like these (Zuul's promote job) */
    cleanup: cleanupSpecSchema.optional(),
  }),
);
export type PromoteRequest = z.input<typeof promoteInputSchema>;
export type PromoteInput = z.output<typeof promoteInputSchema>;

export const rollbackInputSchema = z.lazy(() =>
  z.strictObject({
    ...common,
    /** the tag rolled back, `prod` */
    tag: tag.default('prod'),
    /** moved with it, e.g. ['latest'] */
    aliases: z.array(tag).max(20).default([]),
    /** the stamp to go back to; default the most recent `<tag>-*` stamp at another digest */
    to: tag.optional(),
    /** take `to` although it is not a `<tag>-YYYYMMDD-<sha>` stamp (checkRollbackTarget) */
    forceTarget: z.boolean().optional(),
  }),
);
export type RollbackRequest = z.input<typeof rollbackInputSchema>;
export type RollbackInput = z.output<typeof rollbackInputSchema>;

export const cleanupInputSchema = z.lazy(() =>
  z.strictObject({
    ...common,
    ...cleanupSpecSchema.shape,
    dryRun: z.boolean().default(false),
    /** when tags were first seen (`tag@digest` → ISO time), kept by the repository's queue */
    firstSeen: z.record(z.string(), z.string()).default({}),
  }),
);
export type CleanupRequest = z.input<typeof cleanupInputSchema>;
export type CleanupInput = z.output<typeof cleanupInputSchema>;

/**
 * One entry of a retag from a reviewed manifest (retagManifest), run by the
 * repository's queue: `tag` created create-only at `digest` (or moved from
 * `from`, an approved repush) once `srcBuildTag` is checked to still be there.
 */
export const retagImageInputSchema = z.lazy(() =>
  z.strictObject({
    image: imageNameSchema,
    /** where the entry is in the manifest, for messages */
    entry: z.strictObject({
      index: z.number().int().min(0),
      line: z.number().int().min(1),
      name: z.string().min(1).max(300),
    }),
    srcBuildTag: tag,
    tag,
    /** the source's digest when planned: a source that moved since is refused */
    digest: digestSchema,
    /** a repush: the target's digest when planned, moved from; absent: create-only */
    from: digestSchema.optional(),
    /**
     * the retagManifest run that planned this entry and got it approved, told when
     * it is done (retagEntryDoneSignal); the entry asks it before writing
     * (checkRetagWrite): a run that did not plan and approve it is refused
     */
    notify: z.string().min(1).max(400),
    retry: common.retry,
    requestedBy: common.requestedBy,
  }),
);
export type RetagImageRequest = z.input<typeof retagImageInputSchema>;
export type RetagImageInput = z.output<typeof retagImageInputSchema>;

export const tagProcedures = ['promote', 'rollback', 'cleanup', 'retag'] as const;
export type TagProcedure = (typeof tagProcedures)[number];

/** A request to the repository's queue (a signal a person may type too). */
export const queueRequestSchema = z.lazy(() =>
  z.discriminatedUnion('procedure', [
    z.strictObject({
      procedure: z.literal('promote'),
      workflowId: z.string().min(1).max(400),
      input: promoteInputSchema,
    }),
    z.strictObject({
      procedure: z.literal('rollback'),
      workflowId: z.string().min(1).max(400),
      input: rollbackInputSchema,
    }),
    z.strictObject({
      procedure: z.literal('cleanup'),
      workflowId: z.string().min(1).max(400),
      input: cleanupInputSchema,
    }),
    z.strictObject({
      procedure: z.literal('retag'),
      workflowId: z.string().min(1).max(400),
      input: retagImageInputSchema,
    }),
  ]),
);
export type QueueRequest = z.input<typeof queueRequestSchema>;
export type ParsedQueueRequest = z.output<typeof queueRequestSchema>;

// ---------------------------------------------------------------- state

export const tagStates = [
  'resolving',
  'verifying',
  'planning',
  'awaiting-approval',
  'writing',
  'checking',
  'auditing',
  'deleting',
  'cleaning-up',
  ...WAITING_STATES,
  'done',
  ...OTHER_ENDS,
] as const;
export type TagState = (typeof tagStates)[number];

/** One tag of a plan: where it points now and where it will. */
export interface PlannedTag {
  tag: string;
  /** absent: the tag does not exist yet */
  from?: string | undefined;
  to: string;
  mode: 'create-only' | 'move';
  change: 'create' | 'move' | 'unchanged';
}

export interface SourceImage {
  digest: string;
  mediaType: string;
  /** `linux/amd64`, … for an index; one entry for a single manifest */
  platforms: string[];
  revision?: string | undefined;
  source?: string | undefined;
  version?: string | undefined;
  created?: string | undefined;
}

export interface SignatureEvidenceInfo {
  digest: string;
  source: string;
  signatureManifest: string;
  verifiedBy: string;
  /** when it was signed, from a verified transparency-log entry or RFC 3161 timestamp */
  signedAt?: string | undefined;
  /** `transparency-log` or `timestamp-authority` */
  timeSource?: string | undefined;
  /** keyless: when the signing certificate stopped being valid (it may have since the signature) */
  certificateNotAfter?: string | undefined;
}

export interface TagPlan {
  image: string;
  digest: string;
  tags: PlannedTag[];
  stamp?: string | undefined;
  revision?: string | undefined;
  commitUrl?: string | undefined;
  /** a rollback: why this target */
  reason?: string | undefined;
}

export interface CleanupPlanInfo {
  delete: { tag: string; digest: string; age: string; ageFrom: string }[];
  keep: { tag: string; digest: string; why: string; detail: string }[];
  ignored: number;
  /** planned tags found at another digest when deleted (re-pushed since the plan): kept, not deleted */
  movedSincePlan?: { tag: string; planned: string; found: string }[] | undefined;
}

export interface TagStatus extends ProcedureStatusFields {
  procedure: TagProcedure;
  image: string;
  state: TagState;
  source?: SourceImage | undefined;
  evidence?: SignatureEvidenceInfo | undefined;
  plan?: TagPlan | undefined;
  cleanup?: CleanupPlanInfo | undefined;
  /** whether the plan waits for a human, and why: the worker's rule or the request (the stricter decides) */
  approvalPolicy?: { required: boolean; why: string } | undefined;
  written: { tag: string; digest: string; outcome: string }[];
  deleted: string[];
  audit?: { kind: 'release' | 'workflow'; url?: string | undefined; tag?: string | undefined } | undefined;
}

export interface TagResult {
  procedure: TagProcedure;
  image: string;
  state: TagState;
  digest?: string | undefined;
  plan?: TagPlan | undefined;
  cleanup?: CleanupPlanInfo | undefined;
  written: TagStatus['written'];
  deleted: string[];
  evidence?: SignatureEvidenceInfo | undefined;
  audit?: TagStatus['audit'];
  /** tags first seen by this run (`tag@digest` → ISO), for the repository's ledger */
  firstSeen?: Record<string, string> | undefined;
  reason?: string | undefined;
  error?: ErrorInfo | undefined;
}

/** The repository queue's status: what runs, what waits, what ended lately. */
export interface QueueStatus {
  image: string;
  running?: { workflowId: string; procedure: TagProcedure; since: string } | undefined;
  waiting: {
    workflowId: string;
    procedure: TagProcedure;
    requestedAt: string;
    requestedBy?: string | undefined;
  }[];
  recent: { workflowId: string; procedure: TagProcedure; state: string; ended: string }[];
  refusals: string[];
}
