/**
 * The pin run's contract (`pinDigests`, started by `bumpflow sweep --pin`,
 * one per branch): its input, states, the table its status shows (one row
 * per image:tag pinned by tag only), the gate's messages, the status query.
 * A pin run reads the branch's vars file at its head, resolves each tag's
 * digest and verifies it as a bump verifies a new digest, waits for
 * approval, and opens one PR writing `<image>:<tag>@sha256:<digest>` where
 * each reference stands. Plain JSON, no secrets. Pure.
 */
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { namedGateMessages } from './gateMessages.js';
import { checkedString, DEFAULT_APPROVAL_TIMEOUT, DEFAULT_VARS_FILE } from './bump.js';
import {
  PR_STATES,
  procedureInputFields,
  type ProcedureStatusFields,
  type PullRequestFields,
} from './procedure.js';
import { targetBranchSchema } from './targetBranch.js';
import { repoPathProblem } from '../lib/kit/repoPath.js';
import { imageScopeProblem } from '../lib/sweep/scope.js';

export const PIN_PROCEDURE = 'pin';
export const PIN_WORKFLOW_TYPE = 'pinDigests';

export const pinInputSchema = z.lazy(() =>
  z.strictObject({
    /** the target repo's normalised clone URL */
    targetRepo: z.string().min(1).max(500),
    varsFile: checkedString(repoPathProblem).default(DEFAULT_VARS_FILE),
    /** `main` or `stable/<release>` */
    branch: targetBranchSchema,
    /** the target's scope (globs over registry/repository); absent: every image */
    images: z.array(checkedString(imageScopeProblem)).min(1).max(50).optional(),
    /** --image: only images starting with one of these */
    imagePrefixes: z.array(z.string().min(1).max(200)).max(20).default([]),
    ...procedureInputFields(DEFAULT_APPROVAL_TIMEOUT),
  }),
);
export type PinRequest = z.input<typeof pinInputSchema>;
export type PinInput = z.output<typeof pinInputSchema>;

export const pinStates = ['reading', 'resolving', 'awaiting-approval', ...PR_STATES] as const;
export type PinState = (typeof pinStates)[number];
/** States in which the run has ended. */
export const PIN_ENDED: readonly PinState[] = pinStates.slice(pinStates.indexOf('pr-opened'));

/** An image:tag the branch names by tag only, where (what the resolve step needs). */
export interface UnpinnedImage {
  /** `<image>:<tag>` */
  id: string;
  image: string;
  registry: string;
  repository: string;
  tag: string;
  /** the keys naming it by tag only, in file order, and their lines */
  keys: string[];
  lines: number[];
}

/** A row of the table an operator approves: one image:tag, its keys, the digest to write (or why not). */
export interface PinRow extends UnpinnedImage {
  state: 'resolving' | 'verified' | 'refused';
  /** the tag's digest now, as the manifest's bytes hash (verified) */
  digest?: string | undefined;
  /** what was checked of the image (its labels, its revision) */
  checks: string[];
  /** a refused image: the typed failure; it is left as it is */
  refusal?: { type: string; message: string } | undefined;
}

export interface PinStatus extends ProcedureStatusFields, PullRequestFields {
  procedure: typeof PIN_PROCEDURE;
  repo: string;
  varsFile: string;
  branch: string;
  state: PinState;
  /** the images looked at (the target's globs, then --image); absent: every image */
  scope?: string | undefined;
  /** the branch head the vars file was read at */
  baseSha?: string | undefined;
  rows: PinRow[];
}
export type PinResult = PinStatus;

/** `approve` / `reject` signals, `approvePin` / `rejectPin` updates */
export const pinGate = namedGateMessages<PinStatus>('Pin');
export const pinStatusQuery = defineQuery<PinStatus>('status');
