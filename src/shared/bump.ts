/**
 * The bump procedure's data: its input (parsed by the parent), the child's
 * input, branch states and status (parsed when a child reports to the
 * parent), results. Types are inferred from the schemas. Pure.
 */
import { z } from 'zod';
import { approvalRuleSchema } from './approvalRule.js';
import { DURATIONS, durationProblem, type DurationBounds } from '../lib/kit/duration.js';
import { isNoteFileName, NOTES_DIR, noteTextProblem, renderNote } from '../lib/bump/releaseNote.js';
import { repoPathProblem } from '../lib/kit/repoPath.js';

export const DEFAULT_VARS_FILE = 'roles/defaults/vars/main.yml';
export const DEFAULT_APPROVAL_TIMEOUT = '7d';

/** A string schema refusing what `problem` names (undefined: fine), with its message: the one check of that kind. */
export function checkedString(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, refinement) => {
    const said = problem(value);
    if (said !== undefined) refinement.addIssue({ code: 'custom', message: said });
  });
}

/**
 * A duration as an operator types it (`30s`, `72h`, `1d12h`), read by the one
 * parser (lib/kit/duration.ts) within `bounds`; the message says what was expected
 * and what was found. The workflow turns it into milliseconds where Temporal
 * takes it (temporalDuration).
 */
export function durationSchema(bounds: DurationBounds) {
  return checkedString((text) => durationProblem(text, bounds));
}

// ---------------------------------------------------------------- inputs

export const retryPolicyInputSchema = z.lazy(() =>
  z.strictObject({
    /** attempts of a transient step before the workflow shows `blocked` and waits for `retry` */
    maximumAttempts: z.number().int().min(1).max(100).default(8),
    initialInterval: durationSchema(DURATIONS.retryInterval).default('1s'),
    maximumInterval: durationSchema(DURATIONS.retryInterval).default('30s'),
  }),
);
export type RetryPolicyInput = z.infer<typeof retryPolicyInputSchema>;

export const bumpInputSchema = z.lazy(() =>
  z.strictObject({
    /** `magnum`, or a full image name `ghcr.io/vexxhost/magnum` */
    service: z.string().min(1).max(200),
    /** the target repo's clone URL, e.g. https://github.com/vexxhost/atmosphere */
    targetRepo: z.string().min(1).max(500),
    varsFile: checkedString(repoPathProblem).default(DEFAULT_VARS_FILE),
    /** a commit SHA, a PR number, a dependency pin (name==version) or a release URL */
    reason: z.string().min(1).max(500).optional(),
    /** default: main and every stable/* on origin */
    branches: z.array(z.string().min(1).max(200)).min(1).max(50).optional(),
    /** how long each branch waits for a human, e.g. `72h` */
    approvalTimeout: durationSchema(DURATIONS.approvalTimeout).default(DEFAULT_APPROVAL_TIMEOUT),
    retry: retryPolicyInputSchema.default({
      maximumAttempts: 8,
      initialInterval: '1s',
      maximumInterval: '30s',
    }),
    /** which branches wait for a human: the first matching pattern decides; unmatched branches wait */
    approvalPolicy: z.array(approvalRuleSchema).max(50).default([]),
  }),
);
/** What a caller passes (defaults optional). */
export type BumpRequest = z.input<typeof bumpInputSchema>;
/** What the workflow works with (defaults filled). */
export type BumpInput = z.output<typeof bumpInputSchema>;

export const releaseNotePlanSchema = z.lazy(() =>
  z.strictObject({
    /** `releasenotes/notes/bump-magnum-….yaml`, one name for every branch */
    file: z.string().min(1).max(300),
    section: z.enum(['fixes', 'upgrade']),
    text: z.string().max(10_000),
    /** the exact file content, identical on every branch */
    content: z.string().max(20_000),
  }),
);
export type ReleaseNotePlan = z.infer<typeof releaseNotePlanSchema>;

/**
 * Why a note plan is not one the bump makes (planBump.ts): a reno note file
 * under releasenotes/notes/, whose content is its text rendered, exactly; or
 * undefined. A branch checks it of its input and of a `replaceNote`.
 */
export function notePlanProblem(note: ReleaseNotePlan): string | undefined {
  if (
    !note.file.startsWith(`${NOTES_DIR}/`) ||
    note.file.split('/').length !== 3 ||
    !isNoteFileName(note.file)
  )
    return `expected the note file ${NOTES_DIR}/<slug>-<16 hex>.yaml, found ${JSON.stringify(note.file)}`;
  const text = noteTextProblem(note.text);
  if (text !== undefined) return text;
  const rendered = renderNote(note.section, note.text);
  if (note.content !== rendered)
    return `expected the content rendered from its text (${rendered.length} characters), found other content (${note.content.length})`;
  return undefined;
}

/**
 * A branch's input, as its bump starts it (fanOut.ts), parsed at its start:
 * a branch started by hand with anything else fails BadInput, never its task.
 */
export const bumpBranchInputSchema = z.lazy(() =>
  z.strictObject({
    parentWorkflowId: z.string().min(1).max(400).optional(),
    service: z.string().min(1).max(200),
    image: z.strictObject({ registry: z.string().min(1).max(300), repository: z.string().min(1).max(300) }),
    targetRepo: z.string().min(1).max(500),
    varsFile: z.string().min(1).max(500),
    branch: z.string().min(1).max(200),
    tag: z.string().min(1).max(200),
    sourceRepo: z.string().max(500),
    reason: z.string().min(1).max(500).optional(),
    note: releaseNotePlanSchema.superRefine((note, refinement) => {
      const problem = notePlanProblem(note);
      if (problem !== undefined) refinement.addIssue({ code: 'custom', message: problem });
    }),
    /** false when the approval policy lets this branch go without a human; absent means required */
    approval: z.strictObject({ required: z.boolean(), pattern: z.string().max(200).optional() }).optional(),
    approvalTimeout: durationSchema(DURATIONS.approvalTimeout),
    retry: retryPolicyInputSchema,
    /** how many branches the bump has: a note replacement is only taken on a child when it is the only one */
    branchCount: z.number().int().min(1).max(10_000),
    /** an image the parent already inspected (main's pin): a branch pinning the same digest does not ask again */
    knownImage: z.strictObject({ digest: z.string().max(100), revision: z.string().max(100) }).optional(),
  }),
);
export type BumpBranchInput = z.infer<typeof bumpBranchInputSchema>;

// ---------------------------------------------------------------- state

export const branchStates = [
  'pending',
  'resolving',
  'awaiting-approval',
  'blocked',
  'retrying',
  'pushing',
  'opening-pr',
  'pr-opened',
  'no-op',
  'rejected',
  'expired',
  'failed',
] as const;
export type BranchState = (typeof branchStates)[number];
export const finalBranchStates: readonly BranchState[] = [
  'pr-opened',
  'no-op',
  'rejected',
  'expired',
  'failed',
];
export type BranchOutcomeKind = 'pr-opened' | 'no-op' | 'rejected' | 'expired' | 'failed';

export const errorInfoSchema = z.lazy(() => z.strictObject({ type: z.string(), message: z.string() }));
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

/** The step a blocked or retrying workflow is on, for the operator. */
export const stepInfoSchema = z.lazy(() =>
  z.strictObject({
    /** what the step does, e.g. "resolve ghcr.io/vexxhost/magnum:2025.1" */
    name: z.string(),
    /** how many times `retry` restarted it */
    retries: z.number().int().min(0),
    lastError: errorInfoSchema.optional(),
  }),
);
export type StepInfo = z.infer<typeof stepInfoSchema>;

export const branchPlanSchema = z.lazy(() =>
  z.strictObject({
    title: z.string(),
    body: z.string(),
    commitMessage: z.string(),
    workBranch: z.string(),
    /** `key: …@sha256:old → …@sha256:new`, one line per changed entry */
    changes: z.array(z.string()),
  }),
);
export type BranchPlan = z.infer<typeof branchPlanSchema>;

const opt = <T extends z.ZodType>(t: T) => t.optional();
export const branchStatusSchema = z.lazy(() =>
  z.strictObject({
    branch: z.string().min(1),
    tag: z.string().min(1),
    state: z.enum(branchStates),
    workflowId: opt(z.string()),
    image: opt(z.string()),
    keys: opt(z.array(z.string())),
    baseSha: opt(z.string()),
    oldDigest: opt(z.string()),
    newDigest: opt(z.string()),
    oldRevision: opt(z.string()),
    newRevision: opt(z.string()),
    sourceBranch: opt(z.string()),
    validation: z.array(z.string()),
    plan: opt(branchPlanSchema),
    approvedBy: opt(z.string()),
    rejectedBecause: opt(z.string()),
    commitSha: opt(z.string()),
    prNumber: opt(z.number()),
    prUrl: opt(z.string()),
    lastError: opt(errorInfoSchema),
    /** the step a blocked or retrying branch is on */
    step: opt(stepInfoSchema),
    /** messages that were refused, and why (malformed payload, wrong digest, not waiting, …) */
    refusals: z.array(z.string()),
    /** events an operator should see, e.g. "tag moved while waiting" */
    notices: z.array(z.string()),
    /** counts the child's reports: signals may arrive out of order, so the parent keeps the highest */
    seq: opt(z.number().int()),
  }),
);
export type BranchStatus = z.infer<typeof branchStatusSchema>;

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

export type BumpPhase = 'planning' | 'blocked' | 'retrying' | 'running' | 'done' | 'failed' | 'rejected';

export interface BumpStatus {
  service: string;
  targetRepo: string;
  state: BumpPhase;
  image?: string | undefined;
  sourceRepo?: string | undefined;
  note?: ReleaseNotePlan | undefined;
  branches: BranchStatus[];
  error?: ErrorInfo | undefined;
  /** the planning step a blocked or retrying bump is on */
  step?: StepInfo | undefined;
  /** messages sent to the bump that were refused, and why */
  refusals: string[];
}

export interface BumpResult {
  service: string;
  image: string;
  targetRepo: string;
  noteFile: string;
  branches: BranchOutcome[];
}
