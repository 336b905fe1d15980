/**
 * The sweep's contract, shared by the workflow and the CLI: its input (what
 * `bumpflow sweep` and a schedule's action pass; nothing secret), its status
 * and result, the status query and the workflow type. Pure.
 */
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { approvalRuleSchema } from '../../shared/approvalRule.js';
import {
  checkedString,
  DEFAULT_VARS_FILE,
  durationSchema,
  retryPolicyInputSchema,
} from '../../shared/bump.js';
import { DURATIONS } from '../../lib/kit/duration.js';
import { targetBranchSchema } from '../../shared/targetBranch.js';
import { imageScopeProblem } from '../../lib/sweep/scope.js';
import type { Evidence, PinVerdict, SweepFailure, UnpinnedRef } from '../../lib/sweep/index.js';

export const SWEEP_WORKFLOW_TYPE = 'sweepPins';

/** A branch the sweep reads (`main`, `stable/<release>`): never a git option or another ref. */
const targetBranch = targetBranchSchema;

export const sweepInputSchema = z.lazy(() =>
  z
    .strictObject({
      /** the target repo's normalised clone URL */
      targetRepo: z.string().min(1).max(500),
      varsFile: z.string().min(1).max(500).default(DEFAULT_VARS_FILE),
      /** default: main and every stable/* */
      branches: z.array(targetBranch).min(1).max(50).optional(),
      /** only images starting with one of these (e.g. ghcr.io/vexxhost/); none: every digest pin */
      imagePrefixes: z.array(z.string().min(1).max(200)).max(20).default([]),
      /** the target's scope (its `images` in the config file): globs over registry/repository; absent: every image */
      images: z.array(checkedString(imageScopeProblem)).min(1).max(50).optional(),
      /** list what is behind, start nothing */
      report: z.boolean().default(false),
      /** also start one pin run per branch with references pinned by tag only (not with `report`) */
      pin: z.boolean().optional(),
      /** pairs resolved at once per registry */
      concurrency: z.number().int().min(1).max(32).default(8),
      /** passed on to the bumps the sweep starts */
      approvalTimeout: durationSchema(DURATIONS.approvalTimeout).optional(),
      approvalPolicy: z.array(approvalRuleSchema).max(50).default([]),
      retry: retryPolicyInputSchema.default({
        maximumAttempts: 5,
        initialInterval: '1s',
        maximumInterval: '10s',
      }),
    })
    .refine((i) => !(i.pin && i.report), {
      message: 'expected "pin" or "report", found both: a report starts nothing, a pin run opens a PR',
    }),
);
export type SweepRequest = z.input<typeof sweepInputSchema>;
export type SweepInput = z.output<typeof sweepInputSchema>;

export type SweepState = 'listing' | 'resolving' | 'starting-bumps' | 'starting-pins' | 'done';

export interface SweepBumpStart {
  service: string;
  workflowId: string;
  branches: string[];
  outcome: 'started' | 'skipped';
  /** why skipped: a bump of the service is already running */
  reason?: string | undefined;
  /** evidence against the image found by the sweep (the bump decides; it refuses such images) */
  evidence: Evidence[];
}

/** A pin run the sweep started (`pin`) for a branch with references pinned by tag only, or skipped. */
export interface SweepPinStart {
  branch: string;
  workflowId: string;
  /** `<image>:<tag>` of the references it pins */
  images: string[];
  outcome: 'started' | 'skipped';
  /** why skipped: a pin run of the branch is already running */
  reason?: string | undefined;
}

export interface SweepStatus {
  state: SweepState;
  targetRepo: string;
  report: boolean;
  /** the images looked at (the target's globs, then --image): absent for every image (and in runs before scopes) */
  scope?: string | undefined;
  branches: string[];
  heads: Record<string, string>;
  pinCount: number;
  pairCount: number;
  counts: { current: number; behind: number; unavailable: number };
  /** every behind pin: image, branch, key, old → new, platform, evidence */
  behind: PinVerdict[];
  unavailable: { id: string; branches: string[]; failure: SweepFailure }[];
  bumps: SweepBumpStart[];
  /** the references in scope pinned by tag only (absent in runs before they were reported) */
  unpinned?: UnpinnedRef[] | undefined;
  /** the pin runs started or skipped (`pin`) */
  pins?: SweepPinStart[] | undefined;
  /** the table of what is behind, as the CLI prints it */
  table: string;
  /** the same table for the UI */
  markdown: string;
}

/** The result is the final status. */
export type SweepResult = SweepStatus;

export const sweepStatusQuery = defineQuery<SweepStatus>('status');
