/**
 * A retag from a reviewed manifest (retagManifest): its input (plain JSON, no
 * secrets, so a Temporal Schedule can start it as it is), the outcome of each
 * entry a child reports (parsed at the handler), the status and the result.
 * Pure.
 */
import { z } from 'zod';
import { checkedString, type ErrorInfo } from './bump.js';
import { digestSchema } from './payloads.js';
import { DEFAULT_TAG_APPROVAL_TIMEOUT } from './tags.js';
import { OTHER_ENDS, procedureInputFields, WAITING_STATES, type ProcedureStatusFields } from './procedure.js';

import type { RetagPlan } from '../lib/retag/retagPlan.js';
import { redactRepoUrl } from '../lib/kit/repoUrl.js';
import { repoPathProblem } from '../lib/kit/repoPath.js';

/** A branch name or a commit (7 to 40 hex digits). */
const REF = /^(?![-/.])(?!.*(?:\.\.|\/\/|@\{|\.lock$|\/$))[A-Za-z0-9._/+-]{1,200}$/;
/** `registry/namespace` on both sides, no scheme, no credentials (parseRetagManifest checks it whole). */
const PREFIX = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/i;

/** Why `ref` is not a branch name or a commit the retag can read, or undefined. */
export function refProblem(ref: string): string | undefined {
  return typeof ref === 'string' && REF.test(ref)
    ? undefined
    : `expected a branch name (letters, digits, . _ / + -, no .., //, @{, leading - / . or trailing / .lock) or a commit sha, found ${JSON.stringify(ref)}`;
}

/** Why one side of a mirror rule (`docker.io/starlingx`, `registry.local:5000/starlingx`) is not one, or undefined. */
export function mirrorSideProblem(side: 'prefix' | 'target', value: string): string | undefined {
  return typeof value === 'string' && value.length <= 300 && PREFIX.test(value)
    ? undefined
    : `expected a mirror ${side} of the form registry/namespace (such as docker.io/starlingx or registry.local:5000/starlingx), without scheme, credentials or whitespace, found ${JSON.stringify(redactRepoUrl(String(value)))}`;
}

export const retagManifestInputSchema = z.lazy(() =>
  z.strictObject({
    /** the manifest's git repository, a plain git URL (no credentials) */
    repoUrl: z.string().min(1).max(500),
    /** the manifest's path in it */
    path: checkedString(repoPathProblem),
    /** a branch (read at its head when the run starts) or a commit; default main */
    ref: checkedString(refProblem).default('main'),
    dryRun: z.boolean().default(false),
    /** images (as the manifest names them, or as mapped) whose conflicting tag is moved after approval */
    repush: z.array(z.string().min(1).max(300)).max(100).default([]),
    /**
     * A repush run for a commit whose run ended (its own id, see retagStart.ts):
     * only the entries of the `repush` images are read and planned
     */
    repushOnly: z.boolean().default(false),
    /** name prefix → registry/namespace, e.g. {"docker.io/starlingx": "registry.local:5000/starlingx"} */
    mirror: z
      .record(
        checkedString((v) => mirrorSideProblem('prefix', v)),
        checkedString((v) => mirrorSideProblem('target', v)),
      )
      .default({}),
    /** registry reads at a time, per registry host */
    perRegistry: z.number().int().min(1).max(32).default(4),
    ...procedureInputFields(DEFAULT_TAG_APPROVAL_TIMEOUT),
  }),
);
export type RetagManifestRequest = z.input<typeof retagManifestInputSchema>;
export type RetagManifestInput = z.output<typeof retagManifestInputSchema>;

export const retagOutcomes = [
  'copied',
  'repushed',
  'skipped',
  'conflict',
  'missing-source',
  'failed',
] as const;
export type RetagOutcome = (typeof retagOutcomes)[number];

/** A child's word on its entry (signal `retagEntryDone`), parsed at the handler. */
export const retagEntryDoneSchema = z.lazy(() =>
  z.strictObject({
    /** the child workflow's id */
    workflowId: z.string().min(1).max(400),
    index: z.number().int().min(0),
    outcome: z.enum(retagOutcomes),
    digest: digestSchema.optional(),
    /** the registry write's own word: created, moved, unchanged (an earlier attempt wrote it) */
    write: z.enum(['created', 'moved', 'unchanged']).optional(),
    error: z.strictObject({ type: z.string().max(100), message: z.string().max(2_000) }).optional(),
  }),
);
export type RetagEntryDone = z.infer<typeof retagEntryDoneSchema>;

export interface RetagEntryResult {
  index: number;
  line: number;
  /** as the manifest names it */
  name: string;
  /** where it was read and written */
  image: string;
  srcBuildTag: string;
  tag: string;
  outcome: RetagOutcome;
  digest?: string | undefined;
  /** where the target was when planned (conflict, repush) */
  targetDigest?: string | undefined;
  write?: RetagEntryDone['write'];
  /** the child that wrote it */
  workflowId?: string | undefined;
  error?: ErrorInfo | undefined;
}

/** Its own states first, then those it shares with the tag procedures (the same words, the same ends). */
export const retagStates = [
  'reading',
  'resolving',
  'awaiting-approval',
  'writing',
  ...WAITING_STATES,
  'done',
  ...OTHER_ENDS,
] as const;
export type RetagState = (typeof retagStates)[number];

export interface RetagStatus extends ProcedureStatusFields {
  procedure: 'retag';
  repoUrl: string;
  path: string;
  ref: string;
  /** the commit the manifest was read at */
  commit?: string | undefined;
  state: RetagState;
  plan?: RetagPlan | undefined;
  /** entries done so far (all of them at the end), in manifest order */
  entries: RetagEntryResult[];
  /** children requested and not yet done */
  pending: string[];
}

/** The end: the status's facts and how it ended (the reason of a rejection or expiry). */
export type RetagResult = Pick<
  RetagStatus,
  'procedure' | 'repoUrl' | 'path' | 'ref' | 'commit' | 'state' | 'plan' | 'entries' | 'error'
> & { reason?: string | undefined };
