/**
 * The operator's contract: workflow types, inputs, signals, queries, updates,
 * results and search attributes. Imported by the client, the workflows and
 * the tests so that no name can drift. Pure: safe inside the workflow sandbox.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { z } from 'zod';
import { patternProblem } from '../lib/approvalPolicy.js';

export const DEFAULT_TASK_QUEUE = 'bumpflow';
export const DEFAULT_VARS_FILE = 'roles/defaults/vars/main.yml';
export const DEFAULT_APPROVAL_TIMEOUT = '7d';

export const WorkflowType = { bumpImage: 'bumpImage', bumpBranch: 'bumpBranch' } as const;

// ---------------------------------------------------------------- inputs

const durationPattern = /^\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)$/;

export const retryPolicyInputSchema = z
  .object({
    /** attempts of a transient step before the branch shows `blocked` and waits for `retry` */
    maximumAttempts: z.number().int().min(1).max(100).default(8),
    initialInterval: z.string().regex(durationPattern).default('1s'),
    maximumInterval: z.string().regex(durationPattern).default('30s'),
  })
  .strict();
export type RetryPolicyInput = z.infer<typeof retryPolicyInputSchema>;

export const bumpInputSchema = z
  .object({
    /** `magnum`, or a full image name `ghcr.io/vexxhost/magnum` */
    service: z.string().min(1).max(200),
    /** the target repo's clone URL, e.g. https://github.com/vexxhost/atmosphere */
    targetRepo: z.string().min(1).max(500),
    varsFile: z.string().min(1).max(500).default(DEFAULT_VARS_FILE),
    /** a commit SHA, a PR number, a dependency pin (name==version) or a release URL */
    reason: z.string().min(1).max(500).optional(),
    /** default: main and every stable/* on origin */
    branches: z.array(z.string().min(1).max(200)).min(1).max(50).optional(),
    /** how long each branch waits for a human, e.g. `72h` */
    approvalTimeout: z.string().regex(durationPattern).default(DEFAULT_APPROVAL_TIMEOUT),
    retry: retryPolicyInputSchema.default({ maximumAttempts: 8, initialInterval: '1s', maximumInterval: '30s' }),
    /** which branches wait for a human: the first matching pattern decides; unmatched branches wait */
    approvalPolicy: z
      .array(
        z
          .object({
            pattern: z.string().min(1).max(200).refine((p) => patternProblem(p) === undefined, { message: 'expected a branch pattern such as main or stable/*' }),
            required: z.boolean(),
          })
          .strict(),
      )
      .max(50)
      .default([]),
  })
  .strict();
/** What a caller passes (defaults optional). */
export type BumpRequest = z.input<typeof bumpInputSchema>;
/** What the workflow works with (defaults filled). */
export type BumpInput = z.output<typeof bumpInputSchema>;

export interface ReleaseNotePlan {
  /** `releasenotes/notes/bump-magnum-….yaml`, one name for every branch */
  file: string;
  section: 'fixes' | 'upgrade';
  text: string;
  /** the exact file content, identical on every branch */
  content: string;
}

export interface BumpBranchInput {
  parentWorkflowId?: string | undefined;
  service: string;
  image: { registry: string; repository: string };
  targetRepo: string;
  varsFile: string;
  branch: string;
  tag: string;
  sourceRepo: string;
  reason?: string | undefined;
  note: ReleaseNotePlan;
  /** false when the approval policy lets this branch go without a human; absent means required */
  approval?: { required: boolean; pattern?: string | undefined } | undefined;
  approvalTimeout: string;
  retry: RetryPolicyInput;
  /** how many branches the bump has: a note replacement is only taken on a child when it is the only one */
  branchCount: number;
}

// ---------------------------------------------------------------- state

export const branchStates = [
  'pending',
  'resolving',
  'awaiting-approval',
  'blocked',
  'pushing',
  'opening-pr',
  'pr-opened',
  'no-op',
  'rejected',
  'expired',
  'failed',
] as const;
export type BranchState = (typeof branchStates)[number];
export const finalBranchStates: readonly BranchState[] = ['pr-opened', 'no-op', 'rejected', 'expired', 'failed'];
export type BranchOutcomeKind = 'pr-opened' | 'no-op' | 'rejected' | 'expired' | 'failed';

export interface ErrorInfo {
  type: string;
  message: string;
}

export interface BranchPlan {
  title: string;
  body: string;
  commitMessage: string;
  workBranch: string;
  /** `key: …@sha256:old → …@sha256:new`, one line per changed entry */
  changes: string[];
}

export interface BranchStatus {
  branch: string;
  tag: string;
  state: BranchState;
  workflowId?: string | undefined;
  image?: string | undefined;
  keys?: string[] | undefined;
  baseSha?: string | undefined;
  oldDigest?: string | undefined;
  newDigest?: string | undefined;
  oldRevision?: string | undefined;
  newRevision?: string | undefined;
  sourceBranch?: string | undefined;
  validation: string[];
  plan?: BranchPlan | undefined;
  approvedBy?: string | undefined;
  rejectedBecause?: string | undefined;
  commitSha?: string | undefined;
  prNumber?: number | undefined;
  prUrl?: string | undefined;
  lastError?: ErrorInfo | undefined;
  /** approvals that were refused, and why (wrong digest, not waiting, …) */
  refusals: string[];
  /** events an operator should see, e.g. "tag moved while waiting" */
  notices: string[];
  /**
   * Counts the child's reports: signals between workflows may arrive out of order,
   * so the parent keeps the report with the highest number.
   */
  seq?: number | undefined;
}

export interface BranchOutcome {
  branch: string;
  outcome: BranchOutcomeKind;
  prUrl?: string | undefined;
  prNumber?: number | undefined;
  commitSha?: string | undefined;
  oldDigest?: string | undefined;
  newDigest?: string | undefined;
  error?: ErrorInfo | undefined;
  reason?: string | undefined;
}

export interface BumpStatus {
  service: string;
  targetRepo: string;
  state: 'planning' | 'running' | 'done' | 'failed';
  image?: string | undefined;
  sourceRepo?: string | undefined;
  note?: ReleaseNotePlan | undefined;
  branches: BranchStatus[];
  error?: ErrorInfo | undefined;
}

export interface BumpResult {
  service: string;
  image: string;
  targetRepo: string;
  noteFile: string;
  branches: BranchOutcome[];
}

// ---------------------------------------------------------------- messages

/** One JSON object each: the Temporal UI sends exactly one payload. */
export const approvePayloadSchema = z
  .object({
    branch: z.string().optional(),
    /** bind the approval to this digest; refused if it is not the planned one */
    digest: z.string().optional(),
    approver: z.string().max(200).optional(),
    /** replacement release-note text (the section stays) */
    note: z.string().max(10_000).optional(),
  })
  .strict();
export type ApprovePayload = z.infer<typeof approvePayloadSchema>;

export const rejectPayloadSchema = z
  .object({ branch: z.string().optional(), reason: z.string().min(1).max(2000), approver: z.string().max(200).optional() })
  .strict();
export type RejectPayload = z.infer<typeof rejectPayloadSchema>;

export const retryPayloadSchema = z.object({ branch: z.string().optional() }).strict();
export type RetryPayload = z.infer<typeof retryPayloadSchema>;

export const approveSignal = defineSignal<[ApprovePayload]>('approve');
export const rejectSignal = defineSignal<[RejectPayload]>('reject');
export const retrySignal = defineSignal<[RetryPayload]>('retry');

/** Same as the signals, but refused at once with a reason (for the CLI). Sent to a child. */
export const approveUpdate = defineUpdate<BranchStatus, [ApprovePayload]>('approveBranch');
export const rejectUpdate = defineUpdate<BranchStatus, [RejectPayload]>('rejectBranch');

/** Internal: a child reports its status to the parent so the parent's query shows every branch. */
export const branchStatusSignal = defineSignal<[BranchStatus]>('branchStatus');

export const statusQuery = defineQuery<BumpStatus>('status');
export const branchStatusQuery = defineQuery<BranchStatus>('branchStatus');

// ---------------------------------------------------------------- search attributes

export const BumpService = defineSearchAttributeKey('BumpService', SearchAttributeType.KEYWORD);
export const BumpBranch = defineSearchAttributeKey('BumpBranch', SearchAttributeType.KEYWORD);
export const BumpState = defineSearchAttributeKey('BumpState', SearchAttributeType.KEYWORD);
export const searchAttributeKeys = [BumpService, BumpBranch, BumpState] as const;

// ---------------------------------------------------------------- ids

/** `bump/vexxhost/atmosphere/magnum`: one bump per service and target repo at a time. */
export function bumpWorkflowId(targetRepo: string, service: string): string {
  const repo = targetRepo
    .replace(/\.git$/, '')
    .replace(/^[a-z]+:\/\/[^/]+\//, '')
    .replace(/^[^@]+@[^:]+:/, '');
  const name = service.split('/').pop() ?? service;
  return `bump/${repo}/${name}`;
}

export function branchWorkflowId(parentId: string, tag: string): string {
  return `${parentId}/${tag}`;
}

/** Internal: the parent hands every child the same replacement release note. */
export const replaceNoteSignal = defineSignal<[ReleaseNotePlan]>('replaceNote');
